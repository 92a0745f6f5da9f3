#!/usr/bin/env bash
# Reliability of the network and cgroup attachments: kill -9 at random points
# of attach and streaming leaves nothing in the kernel (XDP generic and
# native, tcx, cgroup skb and device, the devguard and cgfw tools), and `bee
# cleanup` removes exactly what bee left that outlives a process (pinned
# links, a legacy tc filter, a BPF_PROG_ATTACH cgroup program) and nothing
# attached by ip, tc or bpftool. BEE_LONG=1 runs 100 kill trials per kind.
# Own netns + veth ("beerel" and the pid) and cgroup, removed at the end.
. "$(dirname "$0")/lib.sh"
EX=$BEE_ROOT/examples
export BEE_CACHE_DIR=$T/cache
TRIALS=$([ -n "${BEE_LONG:-}" ] && echo 100 || echo 10)
P=$$
NS=beerel$P IFA=beerel${P}a IFB=beerel${P}b
CGROOT=$(python3 -c 'import sys
for l in open("/proc/mounts"):
    f = l.split()
    if f[2] == "cgroup2": print(f[1]); sys.exit()')
CG=$CGROOT/beerel$P

cleanup_all() {
	[ -n "${CG:-}" ] && [ -d "$CG" ] && rmdir "$CG" 2>/dev/null
	ip netns del $NS 2>/dev/null
	rm -rf "$T"
}
trap cleanup_all EXIT

ip netns add $NS && ip link add $IFA netns $NS type veth peer name $IFB netns $NS &&
	ip -n $NS link set $IFA up && ip -n $NS link set $IFB up && ip -n $NS link set lo up ||
	{ fail setup "cannot create netns $NS and veth $IFA/$IFB"; exit 0; }
[ -n "$CGROOT" ] && mkdir "$CG" || { fail setup "cannot create cgroup $CG"; exit 0; }
NSX="nsenter --net=/var/run/netns/$NS"

mkdir -p "$T/src"
cat >"$T/src/skb.bpf.c" <<'C'
#include "bee/bee.bpf.h"
u64 n;
SEC("cgroup_skb/egress") int beerel_skb(struct __sk_buff *s) { n++; return 1; }
BEE_GPL;
C
cat >"$T/src/dev.bpf.c" <<'C'
#include "bee/bee.bpf.h"
u64 n;
SEC("cgroup/dev") int beerel_dev(struct bpf_cgroup_dev_ctx *c) { n++; return 1; }
BEE_GPL;
C

# What is attached to the device (from inside its namespace) or the cgroup,
# as bee lists it: "[]" when nothing.
IDS=$BEE_BUILD/tests/helpers/bpf_ids
on_dev() { $NSX "$BEE" -j net list dev $IFA; }
on_cg() { "$BEE" -j cgroup list "$CG"; }
# and as bpftool sees them: the number of programs
bpftool_dev() {
	$NSX bpftool net show dev $IFA -j | python3 -c 'import json,sys; print(sum(len(e.get(k, [])) for e in json.load(sys.stdin) for k in ("xdp", "tc", "tcx")))'
}
bpftool_cg() {
	bpftool cgroup show "$CG" -j | python3 -c 'import json,sys; d=sys.stdin.read().strip(); print(len(json.loads(d)) if d else 0)'
}

# ---- kill -9 at random points of attach and streaming ----
k9() { # KIND WHERE(dev|cgroup) BEE-ARGS...
	local kind=$1 where=$2; shift 2
	# warm the compile cache so trials reach attach and streaming quickly
	timeout 20 $NSX "$BEE" "$@" --duration 0.1 >/dev/null 2>"$T/warm"
	local rc=$?
	if [ $rc -ne 0 ]; then
		if grep -qiE 'not supported|EOPNOTSUPP|no such device' "$T/warm"; then
			skip "kill9_$kind" "$(head -c 200 "$T/warm")"
		else
			fail "kill9_$kind" "warm-up run failed (exit $rc): $(head -c 300 "$T/warm")"
		fi
		return
	fi
	local i held=0 total=0 attached=0 streaming=0
	for ((i = 0; i < TRIALS; i++)); do
		$NSX "$BEE" "$@" >/dev/null 2>&1 &
		local pid=$!
		# 1-150 ms: from loading and attaching to streaming
		sleep "$(printf '0.%03d' $((RANDOM % 150 + 1)))"
		kill -STOP $pid 2>/dev/null
		local progs links
		progs=$(held_ids $pid prog); links=$(held_ids $pid link)
		[ -n "$links" ] && streaming=$((streaming + 1))
		kill -9 $pid 2>/dev/null; kill -CONT $pid 2>/dev/null; wait $pid 2>/dev/null
		held=$((held + $(echo $progs $links | wc -w)))
		local left="" on="" all
		for _ in $(seq 100); do
			all=$("$IDS")
			left=""
			for id in $progs; do grep -q "^prog $id " <<<"$all" && left+=" prog:$id"; done
			for id in $links; do grep -q "^link $id " <<<"$all" && left+=" link:$id"; done
			[ -z "$left" ] && break
			sleep 0.03
		done
		if [ "$where" = dev ]; then on=$(on_dev); else on=$(on_cg); fi
		[ -n "$left" ] && total=$((total + $(echo $left | wc -w)))
		[ "$on" != "[]" ] && attached=$((attached + 1))
	done
	local bt
	if [ "$where" = dev ]; then bt=$(bpftool_dev); else bt=$(bpftool_cg); fi
	local why="$TRIALS trials ($streaming killed holding a link), $held objects held at the kill, $total left in the kernel, $attached trials with a program still attached, bpftool sees $bt"
	check "kill9_$kind" test "$total" = 0 -a "$attached" = 0 -a "$bt" = 0 -a "$held" -gt 0
	echo "# kill9_$kind: $why"
}
k9 xdp_generic dev run "$EX/xdp-example.bpf.c" --dev $IFA --xdp-mode generic -q --no-maps
k9 xdp_native dev run "$EX/xdp-example.bpf.c" --dev $IFA --xdp-mode driver -q --no-maps
k9 tcx dev run "$EX/tc-example.bpf.c" --dev $IFA -q --no-maps
k9 cgroup_skb cgroup run "$T/src/skb.bpf.c" --cgroup "$CG" -q --no-maps
k9 cgroup_device cgroup run "$T/src/dev.bpf.c" --cgroup "$CG" -q --no-maps
k9 devguard cgroup devguard --cgroup "$CG" --deny c 1:3 rw
k9 cgfw cgroup cgfw --cgroup "$CG" --deny-port $((40000 + P % 20000))

# ---- bee cleanup: what bee left, and nothing else ----
# In a mount namespace of its own with a fresh bpffs and run directory, so
# that it sees only this test's pins and records, never another test's.
OBJX=$BEE_BUILD/examples/xdp-example.bpf.o
OBJT=$BEE_BUILD/examples/tc-example.bpf.o
# bpftool's own cgroup program: an object compiled here, not by bee
clang -O2 -g -target bpf -I"$BEE_ROOT/include" -I"$BEE_BUILD" -c "$T/src/skb.bpf.c" -o "$T/skb.o" ||
	{ fail cleanup_setup "cannot compile $T/src/skb.bpf.c"; exit 0; }
cat >"$T/cleanup.sh" <<EOF
set -u
mount -t bpf bpf /sys/fs/bpf || { echo "FAIL cleanup_setup: cannot mount a private bpffs"; exit 0; }
export BEE_RUN_DIR=$T/run BEE_CACHE_DIR=$T/cache
NSX="$NSX" BEE=$BEE EXC=$EX IFA=$IFA IFB=$IFB NS=$NS CG=$CG T=$T P=$P OBJX=$OBJX OBJT=$OBJT
. "$T/cleanup-body.sh"
EOF
cat >"$T/cleanup-body.sh" <<'EOF'
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
expect() { if eval "$3"; then ok "$1"; else fail "$1" "$2"; fi; }
js() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
B="$NSX $BEE"
# bee's own: XDP and tcx links pinned, a legacy tc filter (netlink), a
# cgroup link pinned, a BPF_PROG_ATTACH cgroup program
$B net attach xdpgeneric object $OBJX dev $IFA >/dev/null &&
$B net attach tc_ingress object $OBJT sec ingress dev $IFA >/dev/null &&
$B net attach tc_egress object $OBJT sec egress dev $IFA legacy >/dev/null &&
$BEE cgroup attach $CG egress object $T/src/skb.bpf.c multi >/dev/null &&
$BEE cgroup attach $CG device object $T/src/dev.bpf.c legacy multi >/dev/null ||
	{ fail cleanup_setup "bee attach failed"; exit 0; }
# others': ip's XDP and tc's filter on the peer, bpftool's cgroup program
# attached with BPF_PROG_ATTACH and its pin outside <bpffs>/bee
ip -n $NS link set dev $IFB xdpgeneric obj $OBJX sec xdp &&
ip netns exec $NS tc qdisc add dev $IFB clsact &&
ip netns exec $NS tc filter add dev $IFB egress bpf da obj $OBJT sec tc/egress &&
bpftool prog load $T/skb.o /sys/fs/bpf/beerel-skb-$P type cgroup/skb &&
bpftool cgroup attach $CG ingress pinned /sys/fs/bpf/beerel-skb-$P multi ||
	{ fail cleanup_setup "ip/tc/bpftool attach failed"; exit 0; }
on_dev() { $B -j net list dev $1 | js '" ".join(sorted(e["kind"] + "/" + e.get("mode", e.get("direction", "")) for e in d))'; }
cgs() { $BEE -j cgroup list $CG | js '" ".join(sorted(e["attach_type"] + ("/link" if e.get("link_id") else "/attach") for e in d))'; }
kinds() { js '" ".join(sorted(e["kind"] for e in d))'; }
a0=$(on_dev $IFA) b0=$(on_dev $IFB) c0=$(cgs)
expect cleanup_before "dev A: $a0, dev B: $b0, cgroup: $c0" \
	'[ "$a0" = "tc/egress tcx/ingress xdp/generic" ] && [ "$b0" = "tc/egress xdp/generic" ] && [ "$c0" = "device/attach egress/link ingress/attach" ]'
# --dry-run lists the five, removes none
dry=$($NSX $BEE cleanup --dry-run -j)
expect cleanup_dry_run_lists "$dry" '[ "$(echo "$dry" | kinds)" = "cgroup link link link tc" ] && [ "$(echo "$dry" | js "sum(e[\"removed\"] for e in d)")" = 0 ] && [ "$(on_dev $IFA)" = "$a0" ] && [ "$(cgs)" = "$c0" ]'
out=$($NSX $BEE -j cleanup); rc=$?
expect cleanup_removes_bees "rc $rc: $out" '[ $rc = 0 ] && [ "$(echo "$out" | kinds)" = "cgroup link link link tc" ] && [ "$(echo "$out" | js "sum(e[\"removed\"] for e in d)")" = 5 ]'
a1=$(on_dev $IFA) b1=$(on_dev $IFB) c1=$(cgs)
bt=$($NSX bpftool net show dev $IFA -j | js 'sum(len(e.get(k, [])) for e in d for k in ("xdp", "tc", "tcx"))')
expect cleanup_dev_empty "dev A now: $a1, bpftool net: $bt" '[ -z "$a1" ] && [ "$bt" = 0 ]'
expect cleanup_cgroup_keeps_others "cgroup now: $c1" '[ "$c1" = "ingress/attach" ]'
expect cleanup_dev_keeps_others "dev B now: $b1, pins: $(ls /sys/fs/bpf)" '[ "$b1" = "$b0" ] && [ -e /sys/fs/bpf/beerel-skb-$P ]'
expect cleanup_pins_and_records_gone "$(find /sys/fs/bpf/bee $T/run -type f 2>&1)" '[ -z "$(find /sys/fs/bpf/bee $T/run -type f)" ]'
out2=$($NSX $BEE cleanup); rc=$?; out3=$($NSX $BEE -j cleanup)
expect cleanup_second_run_nothing "rc $rc: $out2 / $out3" '[ $rc = 0 ] && [ "$out2" = "nothing to clean up" ] && [ "$out3" = "[]" ]'
# a record whose filter someone else replaced is dropped, the new filter kept
$B net attach tc_ingress object $OBJT sec ingress dev $IFA legacy >/dev/null
ip netns exec $NS tc filter del dev $IFA ingress
ip netns exec $NS tc filter add dev $IFA ingress bpf da obj $OBJT sec tc/ingress
nrec=$(ls $T/run/attached | wc -l)
out4=$($NSX $BEE -j cleanup)
expect cleanup_stale_record_touches_nothing "records $nrec, $out4, dev A: $(on_dev $IFA)" '[ "$nrec" = 1 ] && [ "$out4" = "[]" ] && [ "$(on_dev $IFA)" = "tc/ingress" ] && [ -z "$(ls -A $T/run/attached)" ]'
# legacy tc filters outlive a bee run killed with -9; cleanup finds them
ip netns exec $NS tc filter del dev $IFA ingress
BEE_TC_LEGACY=1 $B run $EXC/tc-example.bpf.c --dev $IFA -q --no-maps >/dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do [ "$(on_dev $IFA)" = "tc/egress tc/ingress" ] && break; sleep 0.05; done
kill -9 $pid; wait $pid 2>/dev/null
left=$(on_dev $IFA)
out5=$($NSX $BEE -j cleanup)
expect cleanup_after_kill9_legacy_tc "left after kill -9: $left; cleanup: $out5; now: $(on_dev $IFA)" '[ "$left" = "tc/egress tc/ingress" ] && [ "$(echo "$out5" | kinds)" = "tc tc" ] && [ -z "$(on_dev $IFA)" ]'
# leave nothing: the others' attachments removed the way they were made
ip -n $NS link set dev $IFB xdpgeneric off
bpftool cgroup detach $CG ingress pinned /sys/fs/bpf/beerel-skb-$P
EOF
unshare -m --propagation private bash "$T/cleanup.sh"
