#!/usr/bin/env bash
# bee net: XDP and TC attach/detach/list from the command line, on a veth
# pair between two namespaces made for this run, with real packets.
# bee runs through nsenter --net (not ip netns exec, which remounts /sys and
# hides bpffs, where bee pins what must outlive the command).
. "$(dirname "$0")/lib.sh"
H=$BEE_BUILD/tests/helpers
OBJX=$BEE_BUILD/examples/xdp-example.bpf.o
OBJT=$BEE_BUILD/examples/tc-example.bpf.o
P=$$
A=beenetA$P B=beenetB$P IFA=beenet${P}a IFB=beenet${P}b
IPA=10.$((100 + P % 100)).$(((P / 100) % 250)).1 IPB=10.$((100 + P % 100)).$(((P / 100) % 250)).2
PORT=$((40000 + P % 20000))

cleanup() {
	rm -rf "$PIN" /sys/fs/bpf/beenet-prog-$P /sys/fs/bpf/beenet-pin-$P 2>/dev/null
	ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

ip netns add $A && ip netns add $B &&
ip link add $IFA netns $A type veth peer name $IFB netns $B &&
for n in $A $B; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1; ip -n $n link set lo up; done &&
ip -n $A addr add $IPA/24 dev $IFA && ip -n $B addr add $IPB/24 dev $IFB &&
ip -n $A link set $IFA up && ip -n $B link set $IFB up || { fail setup "cannot create namespaces/veth"; exit 0; }
macA=$(ip -n $A -o link show $IFA | sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/')
macB=$(ip -n $B -o link show $IFB | sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/')
ip -n $A neigh replace $IPB lladdr $macB dev $IFA nud permanent
ip -n $B neigh replace $IPA lladdr $macA dev $IFB nud permanent

NA="nsenter --net=/var/run/netns/$A"
# bee pins per network namespace: <bpffs>/bee/net/ns<INODE> outside the initial one
PIN=/sys/fs/bpf/bee/net/ns$(stat -L -c %i /var/run/netns/$A)
bee() { $NA "$BEE" "$@"; }
ping_b() { ip netns exec $B ping -c "$1" -i 0.01 -W 1 -q $IPA 2>&1 | sed -n 's/.* \([0-9]*\) received.*/\1/p'; }
# udp FROM_B? PORT COUNT -> received count
udp() {
	local rx=$A tx=$B dst=$IPA
	[ "$1" = a2b ] && rx=$B tx=$A dst=$IPB
	# a fresh file: the background job truncates it only when it starts
	rm -f "$T/sent" "$T/rx"
	ip netns exec $rx "$H/net_udp" recv "$2" "$3" 10000 "$T/sent" > "$T/rx" & local p=$!
	wait_for "$T/rx" ready 5
	ip netns exec $tx "$H/net_udp" send $dst "$2" "$3" 32 > /dev/null
	touch "$T/sent"
	wait $p; tail -n1 "$T/rx"
}
# expect NAME WHY CONDITION: CONDITION (shell text) is evaluated as a whole
expect() { if eval "$3"; then ok "$1"; else fail "$1" "$2"; fi; }
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# sum of a per-CPU xdp-example counter for IP protocol $2 in prog id $1's map
map_of() { # PROG_ID MAP_NAME -> map id
	local m
	for m in $(bpftool prog show id "$1" -j | jq_ "' '.join(map(str, d['map_ids']))"); do
		[ "$(bpftool map show id "$m" -j | jq_ "d['name']")" = "$2" ] && echo "$m" && return
	done
}
xdp_count() { # PROG_ID IP_PROTO FIELD
	bpftool map dump id "$(map_of "$1" counters)" -j | python3 -c "
import json,sys
tot=0
for e in json.load(sys.stdin):
    f=e['formatted']
    if f['key']['eth_proto']==2048 and f['key']['ip_proto']==$2:
        tot+=sum(v['value']['$3'] for v in f['values'])
print(tot)"
}
tc_count() { # PROG_ID DIR FIELD
	bpftool map lookup id "$(map_of "$1" tc_stats)" key $2 0 0 0 -j | jq_ "d['formatted']['value']['$3']"
}

# ---- help ----
out=$("$BEE" net help); rc=$?
expect help "rc $rc: $out" '[ $rc -eq 0 ] && [[ $out == *"ATTACH_TYPE := { xdp | xdpgeneric"* ]]'
out=$("$BEE" net --help); expect help_flag "$out" '[[ $out == *"PROG := { id ID"* ]]' 

# ---- xdpgeneric from an object, persistent ----
out=$(bee net attach xdpgeneric object "$OBJX" dev $IFA 2>&1); rc=$?
expect xdpgeneric_attach "rc $rc: $out" '[ $rc -eq 0 ] && [[ $out == *"pinned at $PIN/$IFA-xdpgeneric"* ]]'
expect xdpgeneric_kernel_sees_it "$(ip -n $A link show $IFA)" ' bash -c "ip -n $A link show $IFA | grep -q '\''prog/xdp'\''"'
js=$(bee -j net list dev $IFA)
pid1=$(echo "$js" | jq_ "d[0]['prog_id']")
expect list_json "$js" '[ "$(echo "$js" | jq_ "(len(d), d[0]['\''kind'\''], d[0]['\''mode'\''], d[0]['\''link_id'\'']>0)")" = "(1, '\''xdp'\'', '\''generic'\'', True)" ]'
bt=$($NA bpftool net show dev $IFA -j | jq_ "[(e['mode'], e['id']) for e in d[0]['xdp']]")
expect list_matches_bpftool "$bt" '[ "$bt" = "[('\''generic'\'', $pid1)]" ]'
got=$(ping_b 4)
cnt=$(xdp_count "$pid1" 1 packets)
expect xdpgeneric_counts_ping "replies $got, counted $cnt" '[ "$got" = 4 ] && [ "$cnt" = 4 ]'
got=$(udp b2a $PORT 25); cnt=$(xdp_count "$pid1" 17 packets)
expect xdpgeneric_counts_udp "received $got, counted $cnt" '[ "$got" = 25 ] && [ "$cnt" = 25 ]'

# attaching twice without overwrite: one line, nothing changed
out=$(bee net attach xdpgeneric object "$OBJX" dev $IFA 2>&1); rc=$?
now=$(bee -j net list dev $IFA | jq_ "d[0]['prog_id']")
expect attach_twice_refused "rc $rc: $out" '[ $rc -eq 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && [[ $out == *"already has a program attached by bee"* ]] && [ "$now" = "$pid1" ]'
# overwrite: replaced in place (same link, new program)
link1=$(bee -j net list dev $IFA | jq_ "d[0]['link_id']")
out=$(bee net attach xdpgeneric object "$OBJX" dev $IFA overwrite 2>&1); rc=$?
js=$(bee -j net list dev $IFA)
expect overwrite_updates_link "rc $rc: $out / $js" '[ $rc -eq 0 ] && [ "$(echo "$js" | jq_ "d[0]['\''link_id'\'']")" = "$link1" ] && [ "$(echo "$js" | jq_ "d[0]['\''prog_id'\'']")" != "$pid1" ]'
out=$(bee net detach xdpgeneric dev $IFA 2>&1); rc=$?
expect xdpgeneric_detach "rc $rc: $out" '[ $rc -eq 0 ] && [ "$(bee -j net list dev $IFA)" = "[]" ] && [ ! -e $PIN/$IFA-xdpgeneric ] && ! kernel_has link "$link1"'

# ---- xdp (best: driver on veth), by prog id and pinned path ----
bpftool prog load "$OBJX" /sys/fs/bpf/beenet-prog-$P type xdp 2>/dev/null
pid2=$(bpftool prog show pinned /sys/fs/bpf/beenet-prog-$P -j | jq_ "d['id']")
out=$(bee net attach xdp id "$pid2" dev $IFA 2>&1); rc=$?
js=$(bee -j net list dev $IFA)
expect xdp_by_id_native "rc $rc: $out / $js" '[ $rc -eq 0 ] && [ "$(echo "$js" | jq_ "(d[0]['\''mode'\''], d[0]['\''prog_id'\''])")" = "('\''driver'\'', $pid2)" ]'
got=$(ping_b 3); cnt=$(xdp_count "$pid2" 1 packets)
expect xdp_native_counts "replies $got counted $cnt" '[ "$got" = 3 ] && [ "$cnt" = 3 ]'
out=$(bee net detach xdp dev $IFA 2>&1); rc=$?
expect xdp_detach "rc $rc: $out" '[ $rc -eq 0 ] && [ "$(bee -j net list dev $IFA)" = "[]" ]'
out=$(bee net attach xdpgeneric pinned /sys/fs/bpf/beenet-prog-$P dev $IFA 2>&1); rc=$?
expect xdp_by_pinned_path "rc $rc: $out" '[ $rc -eq 0 ] && [ "$(bee -j net list dev $IFA | jq_ "d[0]['\''prog_id'\'']")" = "$pid2" ]'
bee net detach xdpgeneric dev $IFA >/dev/null 2>&1

# detach what ip attached (ip link set ... xdpgeneric obj)
ip -n $A link set dev $IFA xdpgeneric obj "$OBJX" sec xdp 2>/dev/null
out=$(bee net detach xdpgeneric dev $IFA 2>&1); rc=$?
expect detach_ip_attached "rc $rc: $out" '[ $rc -eq 0 ] && ! ip -n $A link show $IFA | grep -q prog/xdp'

# ---- bad input: one line each, nothing left ----
out=$(bee net attach xdp object "$OBJX" dev beenetnosuch 2>&1); rc=$?
expect bad_unknown_interface "rc $rc: $out" '[ $rc -eq 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && [[ $out == "bee: net attach xdp: interface '\''beenetnosuch'\'' does not exist" ]]'
out=$(bee net attach xdpgeneric object "$OBJT" dev $IFA 2>&1); rc=$?
expect bad_wrong_program_type "rc $rc: $out" '[ $rc -eq 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && [[ $out == *"is a sched_cls program; this hook needs xdp"* ]]'
out=$(bee net attach xdpoffload object "$OBJX" dev $IFA 2>&1); rc=$?
expect bad_offload_on_veth "rc $rc: $out" '[ $rc -eq 1 ] && [[ $out == *"cannot offload XDP"* ]]'
out=$(bee net attach tc_sideways object "$OBJT" dev $IFA 2>&1); rc=$?
expect bad_attach_type "rc $rc: $out" '[ $rc -eq 2 ] && [[ $out == *"unknown attach type '\''tc_sideways'\''"* ]]'
out=$(bee run "$OBJX" --dev beenetnosuch --duration 1 2>&1); rc=$?
expect bad_run_unknown_interface "rc $rc: $out" '[ $rc -eq 1 ] && [[ $out == *"interface '\''beenetnosuch'\'' does not exist"* ]]'
out=$(bee net detach xdp dev $IFA 2>&1); rc=$?
expect bad_detach_nothing "rc $rc: $out" '[ $rc -eq 1 ] && [[ $out == *"has no XDP program"* ]]'
expect bad_nothing_left "$(bee net list dev $IFA; ls $PIN 2>&1)" '[ "$(bee -j net list dev $IFA)" = "[]" ] && [ ! -e $PIN ]'

# ---- tc: tcx links, the seed's "sec ingress" ----
if ! bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q "BPF_TCX_INGRESS"; then
	for c in tc_tcx_attach tc_tcx_exact_counts tc_tcx_bytes tc_tcx_detach; do skip $c "kernel has no tcx (6.6+)"; done
else
out=$(bee net attach tc_ingress object "$OBJT" sec ingress dev $IFA 2>&1); rc1=$?
out2=$(bee net attach tc_egress object "$OBJT" sec egress dev $IFA 2>&1); rc2=$?
js=$(bee -j net list dev $IFA)
expect tc_tcx_attach "$rc1 $rc2: $out $out2 / $js" '[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ "$(echo "$js" | jq_ "sorted((e['\''kind'\''], e['\''direction'\''], e.get('\''link_id'\'',0)>0) for e in d)")" = "[('\''tcx'\'', '\''egress'\'', True), ('\''tcx'\'', '\''ingress'\'', True)]" ]'
pin_in=$(echo "$js" | jq_ "[e['prog_id'] for e in d if e['direction']=='ingress'][0]")
pin_eg=$(echo "$js" | jq_ "[e['prog_id'] for e in d if e['direction']=='egress'][0]")
got1=$(udp b2a $PORT 12); got2=$(udp a2b $((PORT + 1)) 7)
ci=$(tc_count "$pin_in" 0 packets); ce=$(tc_count "$pin_eg" 1 packets)
expect tc_tcx_exact_counts "rx $got1/$got2, ingress $ci egress $ce" '[ "$got1" = 12 ] && [ "$got2" = 7 ] && [ "$ci" = 12 ] && [ "$ce" = 7 ]'
bi=$(tc_count "$pin_in" 0 bytes)
expect tc_tcx_bytes "ingress bytes $bi" '[ "$bi" = $((12 * 74)) ]'
out=$(bee net detach tc_ingress dev $IFA 2>&1) && out2=$(bee net detach tc_egress dev $IFA 2>&1); rc=$?
expect tc_tcx_detach "rc $rc: $out $out2" '[ $rc -eq 0 ] && [ "$(bee -j net list dev $IFA)" = "[]" ] && [ ! -e $PIN ]'

fi

# ---- tc: clsact + cls_bpf over netlink ('legacy' and BEE_TC_LEGACY=1) ----
out=$(bee net attach tc_ingress object "$OBJT" sec ingress dev $IFA legacy 2>&1); rc1=$?
out2=$(BEE_TC_LEGACY=1 $NA "$BEE" net attach tc_egress object "$OBJT" sec egress dev $IFA 2>&1); rc2=$?
fi_=$(ip netns exec $A tc filter show dev $IFA ingress); fe=$(ip netns exec $A tc filter show dev $IFA egress)
expect tc_clsact_attach "$rc1 $rc2 $out $out2 / $fi_ / $fe" '[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [[ $fi_ == *"direct-action"* ]] && [[ $fe == *"direct-action"* ]]'
js=$(bee -j net list dev $IFA)
expect tc_clsact_listed "$js" '[ "$(echo "$js" | jq_ "sorted((e['\''kind'\''], e['\''direction'\''], e['\''direct_action'\'']) for e in d)")" = "[('\''tc'\'', '\''egress'\'', True), ('\''tc'\'', '\''ingress'\'', True)]" ]'
pin_in=$(echo "$js" | jq_ "[e['prog_id'] for e in d if e['direction']=='ingress'][0]")
got1=$(udp b2a $((PORT + 2)) 9); ci=$(tc_count "$pin_in" 0 packets)
expect tc_clsact_exact_counts "rx $got1 counted $ci" '[ "$got1" = 9 ] && [ "$ci" = 9 ]'
bt=$($NA bpftool net show dev $IFA -j | jq_ "sorted((e['kind'], e['id']) for e in d[0]['tc'])")
mine=$(echo "$js" | jq_ "sorted(('clsact/' + e['direction'], e['prog_id']) for e in d)")
expect tc_clsact_list_matches_bpftool "bpftool $bt, bee $mine" '[ "$bt" = "$mine" ]'
out=$(bee net attach tc_ingress object "$OBJT" sec ingress dev $IFA legacy 2>&1); rc=$?
expect tc_clsact_twice_refused "rc $rc: $out" '[ $rc -eq 1 ] && [[ $out == *"already has a bpf filter"* ]]'
bee net detach tc_ingress dev $IFA >/dev/null 2>&1; bee net detach tc_egress dev $IFA >/dev/null 2>&1
expect tc_clsact_detach_removes_qdisc "$(ip netns exec $A tc qdisc show dev $IFA)" ' bash -c "! ip netns exec $A tc qdisc show dev $IFA | grep -q clsact"'

# ---- an object written for tc (SEC("ingress")), loaded by tc and by bee ----
cat > "$T/tcstyle.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } seen SEC(".maps");
SEC("ingress")
int count_in(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&seen, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0; /* TC_ACT_OK */
}
char LICENSE[] SEC("license") = "GPL";
C
if clang -target bpf -O2 -g -I"$BEE_BUILD" -c "$T/tcstyle.c" -o "$T/tcstyle.o" 2>"$T/cc"; then
	out=$(bee net attach tc_ingress object "$T/tcstyle.o" sec ingress dev $IFA legacy 2>&1); rc=$?
	got=$(udp b2a $((PORT + 6)) 8)
	id=$(bee -j net list dev $IFA | jq_ "d[0]['prog_id']")
	m=$(bpftool prog show id "$id" -j | jq_ "d['map_ids'][0]")
	c=$(bpftool map lookup id "$m" key 0 0 0 0 -j | jq_ "d['formatted']['value']" 2>/dev/null)
	expect tc_style_sec_ingress "rc $rc: $out; rx $got seen $c" '[ $rc -eq 0 ] && [ "$got" = 8 ] && [ "$c" = 8 ]'
	bee net detach tc_ingress dev $IFA >/dev/null 2>&1
	ip netns exec $A tc qdisc add dev $IFA clsact && ip netns exec $A tc filter add dev $IFA ingress bpf da obj "$T/tcstyle.o" sec ingress 2>/dev/null
	js=$(bee -j net list dev $IFA)
	out=$(bee net detach tc_ingress dev $IFA 2>&1); rc=$?
	expect tc_detach_what_tc_added "rc $rc: $out; $js" '[ $rc -eq 0 ] && [ "$(echo "$js" | jq_ "(d[0][\"kind\"], d[0][\"direct_action\"])")" = "('\''tc'\'', True)" ] && [ "$(bee -j net list dev $IFA)" = "[]" ]'
	ip netns exec $A tc qdisc del dev $IFA clsact 2>/dev/null
else
	skip tc_style_sec_ingress "clang cannot build a BPF object here: $(head -c 200 "$T/cc")"
fi

# ---- custom pin path ----
out=$(bee net attach xdpgeneric object "$OBJX" dev $IFA pin /sys/fs/bpf/beenet-pin-$P 2>&1); rc=$?
expect pin_path_attach "rc $rc: $out" '[ $rc -eq 0 ] && [ -e /sys/fs/bpf/beenet-pin-$P ] && ip -n $A link show $IFA | grep -q prog/xdp'
out=$(bee net detach xdpgeneric dev $IFA pin /sys/fs/bpf/beenet-pin-$P 2>&1); rc=$?
expect pin_path_detach "rc $rc: $out" '[ $rc -eq 0 ] && [ ! -e /sys/fs/bpf/beenet-pin-$P ] && ! ip -n $A link show $IFA | grep -q prog/xdp'

# ---- the seed's flow as a C program (examples/xdp_example.c) ----
$NA "$BEE_BUILD/examples/xdp_example" -m generic -t 2 -P 1 -f "$OBJX" $IFA > "$T/ex" 2>&1 &
ep=$!
for i in $(seq 100); do ip -n $A link show $IFA | grep -q prog/xdp && break; sleep 0.05; done
got=$(ping_b 4); wait $ep; rc=$?
expect xdp_example_drops_and_counts "rc $rc replies $got: $(cat "$T/ex")" '[ $rc -eq 0 ] && [ "$got" = 0 ] && grep -qE "^proto ipv4/icmp +packets 4 +bytes 392 +dropped 4$" "$T/ex"'
expect xdp_example_removes_at_exit "$(ip -n $A link show $IFA)" '! ip -n $A link show $IFA | grep -q prog/xdp'
$NA "$BEE_BUILD/examples/xdp_example" -m driver -t 2 -j -f "$BEE_ROOT/examples/xdp-example.bpf.c" $IFA > "$T/ex" 2>&1 &
ep=$!
for i in $(seq 200); do ip -n $A link show $IFA | grep -q prog/xdp && break; sleep 0.05; done
got=$(udp b2a $((PORT + 5)) 11); wait $ep; rc=$?
expect xdp_example_source_json "rc $rc rx $got: $(cat "$T/ex")" '[ $rc -eq 0 ] && [ "$got" = 11 ] && [ "$(jq_ "[(e[\"packets\"], e[\"dropped\"]) for e in d if e[\"proto\"] == \"ipv4/udp\"]" < "$T/ex")" = "[(11, 0)]" ]'

# ---- bee run: attaches to --dev and prints its maps; kill -9 leaves nothing ----
$NA "$BEE" run "$BEE_ROOT/examples/xdp-example.bpf.c" --dev $IFA --xdp-mode generic --duration 3 > "$T/run" 2>&1 &
rp=$!
for i in $(seq 100); do ip -n $A link show $IFA | grep -q prog/xdp && break; sleep 0.05; done
got=$(ping_b 3); wait $rp; rc=$?
tot=$(python3 - "$T/run" <<'PY'
import re,sys
t=open(sys.argv[1]).read()
m=re.search(r'key: \{ eth_proto=2048 ip_proto=1 pad=0 \}\n((?:value.*\n?)+)', t)
print(sum(int(x) for x in re.findall(r'packets=(\d+)', m.group(1))) if m else -1)
PY
)
expect run_dev_prints_maps "rc $rc replies $got icmp $tot: $(cat "$T/run")" '[ $rc -eq 0 ] && [ "$got" = 3 ] && [ "$tot" = 3 ]'
expect run_detached_at_exit "$(ip -n $A link show $IFA)" 'bash -c "! ip -n $A link show $IFA | grep -q prog/xdp"'

$NA "$BEE" run "$BEE_ROOT/examples/tc-example.bpf.c" --dev $IFA --duration 3 > "$T/run3" 2>&1 &
rp=$!
for i in $(seq 100); do [ "$(bee -j net list dev $IFA | jq_ "len(d)")" = 2 ] && break; sleep 0.05; done
got=$(ping_b 3); wait $rp; rc=$?
expect run_tc_example_both_ways "rc $rc replies $got: $(cat "$T/run3")" '[ $rc -eq 0 ] && [ "$got" = 3 ] && grep -q "key: 0  value: { packets=3 bytes=294 dropped=0 }" "$T/run3" && grep -q "key: 1  value: { packets=3 bytes=294 dropped=0 }" "$T/run3" && [ "$(bee -j net list dev $IFA)" = "[]" ]'
$NA "$BEE" run "$BEE_ROOT/examples/xdp-example.bpf.c" --dev $IFA > "$T/run2" 2>&1 &
rp=$!
for i in $(seq 200); do ip -n $A link show $IFA | grep -q prog/xdp && break; sleep 0.05; done
att=$(ip -n $A link show $IFA | grep -c prog/xdp)
held=$(held_ids $rp link)
kill -9 $rp; wait $rp 2>/dev/null
left() { local l; for l in $held; do kernel_has link "$l" && echo "$l"; done; }
for i in $(seq 100); do [ -z "$(left)" ] && break; sleep 0.05; done
expect kill9_leaves_no_xdp "attached $att, links held $held, left $(left); $(ip -n $A link show $IFA)" \
	'[ "$att" = 1 ] && [ -n "$held" ] && [ -z "$(left)" ] && ! ip -n $A link show $IFA | grep -q prog/xdp'
exit 0
