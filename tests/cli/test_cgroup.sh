#!/usr/bin/env bash
# bee cgroup, bee devguard, bee cgfw and bee run --cgroup on a real cgroup
# v2 made for this run: the effect on processes inside it (EPERM) and not
# outside, persistence until detach, bpftool as the oracle of what is attached.
. "$(dirname "$0")/lib.sh"
H=$BEE_BUILD/tests/helpers
P=$$
ROOT=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
[ -n "$ROOT" ] || { skip cgroup "no cgroup v2 mounted"; exit 0; }
CG=$ROOT/beenet-cli-$P
PORT=$((45000 + P % 15000))
mkdir "$CG" || { fail setup "cannot create $CG"; exit 0; }
cleanup() {
	for id in $(bpftool cgroup show "$CG" -j 2>/dev/null | python3 -c "import json,sys; print(' '.join(str(e['id'])+':'+e['attach_type'] for e in json.load(sys.stdin)))" 2>/dev/null); do
		bpftool cgroup detach "$CG" "${id#*:}" id "${id%%:*}" 2>/dev/null
	done
	rm -f /sys/fs/bpf/bee/cgroup/$(stat -c %i "$CG")-* 2>/dev/null
	rm -f /sys/fs/bpf/beenet-cg-$P
	rmdir "$CG" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

expect() { if eval "$3"; then ok "$1"; else fail "$1" "$2"; fi; }
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
inside() { sh -c "echo \$\$ > $CG/cgroup.procs && exec $*" 2>&1; }
inside_sub() { sh -c "echo \$\$ > $CG/sub/cgroup.procs && exec $*" 2>&1; }
on_cg() { bpftool cgroup show "$CG" -j 2>/dev/null | jq_ "len(d)" 2>/dev/null || echo 0; }

# A device program written for this test, compiled by bee from C.
cat > "$T/denynull.bpf.c" <<'C'
#include "bee/bee.bpf.h"
/* deny every access to /dev/null (c 1:3) */
SEC("cgroup/dev")
int deny_null(struct bpf_cgroup_dev_ctx *ctx)
{
	return !((ctx->access_type & 0xffff) == 2 /* char */ && ctx->major == 1 && ctx->minor == 3);
}
BEE_GPL;
C

# ---- help ----
out=$("$BEE" cgroup help); rc=$?
expect help "rc $rc: $out" '[ $rc -eq 0 ] && [[ $out == *"bee cgroup attach CGROUP ATTACH_TYPE PROG"* ]]'
out=$("$BEE" devguard --help); expect devguard_help "$out" '[[ $out == *"--deny"* ]]'
out=$("$BEE" cgfw --help); expect cgfw_help "$out" '[[ $out == *"--deny-port"* ]]'

# ---- attach a link, pinned: it outlives the command ----
out=$("$BEE" cgroup attach "$CG" device object "$T/denynull.bpf.c" 2>&1); rc=$?
expect attach_link "rc $rc: $out" '[ $rc -eq 0 ] && [[ $out == *"link pinned at /sys/fs/bpf/bee/cgroup/"* ]]'
pid1=$(bpftool cgroup show "$CG" -j | jq_ "d[0]['id']" 2>/dev/null)
expect attach_seen_by_bpftool "$(bpftool cgroup show "$CG")" '[ "$(on_cg)" = 1 ] && [[ "$(bpftool cgroup show "$CG" -j | jq_ "d[0][\"attach_type\"]")" == *device ]]'
expect attach_survives_denies_inside "$(inside $H/cg_open /dev/null)" '[ "$(inside $H/cg_open /dev/null)" = EPERM ]'
expect attach_outside_unaffected "$($H/cg_open /dev/null)" '[ "$($H/cg_open /dev/null)" = ok ]'
js=$("$BEE" -j cgroup list "$CG")
expect list_json "$js" '[ "$(echo "$js" | jq_ "(len(d), d[0][\"id\"], d[0][\"attach_type\"], d[0][\"link_id\"] > 0)")" = "(1, $pid1, '\''device'\'', True)" ]'
out=$("$BEE" cgroup list "$CG"); expect list_text "$out" '[[ $out == *"$pid1"*device*deny_null* ]]'
out=$("$BEE" cgroup tree "$ROOT"); expect tree_text "$out" '[[ $out == *"$CG"* ]] && [[ $out == *deny_null* ]]'
js=$("$BEE" -j cgroup tree); expect tree_json "$js" '[ "$(echo "$js" | jq_ "[e[\"id\"] for e in d if e[\"cgroup\"] == \"$CG\"]")" = "[$pid1]" ]'
mkdir "$CG/sub"
js=$("$BEE" -j cgroup list "$CG/sub"); js2=$("$BEE" -j cgroup list "$CG/sub" effective)
expect list_effective "$js / $js2" '[ "$js" = "[]" ] && [ "$(echo "$js2" | jq_ "[e[\"id\"] for e in d]")" = "[$pid1]" ] && [ "$(inside_sub $H/cg_open /dev/null)" = EPERM ]'
rmdir "$CG/sub"
out=$("$BEE" cgroup attach "$CG" device id "$pid1" 2>&1); rc=$?
expect attach_twice_refused "rc $rc: $out" '[ $rc -eq 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && [[ $out == *"already attached"* ]] && [ "$(on_cg)" = 1 ]'
out=$("$BEE" cgroup detach "$CG" device id "$pid1" 2>&1); rc=$?
expect detach_link "rc $rc: $out" '[ $rc -eq 0 ] && [ "$(on_cg)" = 0 ] && [ "$(inside $H/cg_open /dev/null)" = ok ] && ! ls /sys/fs/bpf/bee/cgroup/$(stat -c %i "$CG")-* >/dev/null 2>&1'

# ---- a link pinned where the user says ----
out=$("$BEE" cgroup attach "$CG" device object "$T/denynull.bpf.c" pin /sys/fs/bpf/beenet-cg-$P 2>&1); rc=$?
pidp=$(bpftool cgroup show "$CG" -j | jq_ "d[0]['id']" 2>/dev/null)
expect attach_pin_path "rc $rc: $out" '[ $rc -eq 0 ] && [ -e /sys/fs/bpf/beenet-cg-$P ] && [ "$(inside $H/cg_open /dev/null)" = EPERM ]'
out=$("$BEE" cgroup detach "$CG" device id "$pidp" pin /sys/fs/bpf/beenet-cg-$P 2>&1); rc=$?
expect detach_pin_path "rc $rc: $out" '[ $rc -eq 0 ] && [ ! -e /sys/fs/bpf/beenet-cg-$P ] && [ "$(on_cg)" = 0 ]'

# ---- legacy BPF_PROG_ATTACH, with multi and override ----
out=$("$BEE" cgroup attach "$CG" device object "$T/denynull.bpf.c" legacy multi 2>&1); rc=$?
js=$(bpftool cgroup show "$CG" -j)
expect attach_legacy_multi "rc $rc: $out / $js" '[ $rc -eq 0 ] && [[ $out == *"(BPF_PROG_ATTACH)"* ]] && [ "$(echo "$js" | jq_ "d[0][\"attach_flags\"]")" = multi ] && [ "$(inside $H/cg_open /dev/null)" = EPERM ]'
pid2=$(echo "$js" | jq_ "d[0]['id']")
out=$("$BEE" cgroup detach "$CG" device id "$pid2" 2>&1); rc=$?
expect detach_legacy "rc $rc: $out" '[ $rc -eq 0 ] && [ "$(on_cg)" = 0 ]'
out=$("$BEE" cgroup attach "$CG" dev object "$T/denynull.bpf.c" override 2>&1); rc=$?
js=$("$BEE" -j cgroup list "$CG")
expect attach_override "rc $rc: $out / $js" '[ $rc -eq 0 ] && [ "$(echo "$js" | jq_ "d[0][\"attach_flags\"]")" = override ]'
pid3=$(echo "$js" | jq_ "d[0]['id']")
"$BEE" cgroup detach "$CG" device id "$pid3" >/dev/null 2>&1

# ---- bad input: one line each, nothing attached ----
out=$("$BEE" cgroup attach /tmp device object "$T/denynull.bpf.c" 2>&1); rc=$?
expect bad_not_cgroup2 "rc $rc: $out" '[ $rc -eq 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && [[ $out == *"'\''/tmp'\'' is not a cgroup v2 directory (cgroup v2 is mounted at $ROOT)"* ]]'
v1=$(awk '$3 == "cgroup" {print $2; exit}' /proc/mounts)
if [ -n "$v1" ]; then
	out=$("$BEE" cgroup attach "$v1" device object "$T/denynull.bpf.c" 2>&1); rc=$?
	expect bad_cgroup_v1 "rc $rc: $out" '[ $rc -eq 1 ] && [[ $out == *"is not a cgroup v2 directory"* ]]'
else
	skip bad_cgroup_v1 "no cgroup v1 hierarchy mounted"
fi
out=$("$BEE" cgroup attach "$CG" nosuchhook object "$T/denynull.bpf.c" 2>&1); rc=$?
expect bad_attach_type "rc $rc: $out" '[ $rc -eq 2 ] && [[ $out == *"unknown attach type '\''nosuchhook'\''"* ]]'
out=$("$BEE" cgroup attach "$CG" device object "$BEE_BUILD/examples/xdp-example.bpf.o" 2>&1); rc=$?
expect bad_wrong_program_type "rc $rc: $out" '[ $rc -eq 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && [[ $out == *"is a xdp program; this hook needs cgroup_device"* ]]'
out=$("$BEE" cgroup detach "$CG" device object "$T/denynull.bpf.c" 2>&1); rc=$?
expect bad_detach_not_attached "rc $rc: $out" '[ $rc -eq 1 ] && [[ $out == *"is not attached there"* ]]'
out=$("$BEE" run "$T/denynull.bpf.c" --cgroup /tmp --duration 1 2>&1); rc=$?
expect bad_run_not_cgroup2 "rc $rc: $out" '[ $rc -eq 1 ] && [[ $out == *"'\''/tmp'\'' is not a cgroup v2 directory"* ]]'
expect bad_nothing_left "$(bpftool cgroup show "$CG")" '[ "$(on_cg)" = 0 ]'

# ---- devguard ----
out=$("$BEE" devguard --cgroup "$CG" --deny c 1:3 rw -- "$H/cg_open" /dev/null 2>&1); rc=$?
expect devguard_denies_inside "rc $rc: $out" '[ $rc -eq 1 ] && [[ $out == *EPERM* ]] && [[ $out == *"DENY pid "*" comm cg_open c 1:3 rw"* ]]'
out=$("$BEE" devguard --cgroup "$CG" --deny c 1:3 w -- "$H/cg_open" /dev/null r 2>&1); rc=$?
expect devguard_allows_read "rc $rc: $out" '[ $rc -eq 0 ] && [[ $out == *ok* ]] && [[ $out != *DENY* ]]'
"$BEE" -j devguard --cgroup "$CG" --default deny --allow c 1:3 rw --duration 3 > "$T/dg" 2>&1 &
dg=$!
for i in $(seq 100); do [ "$(on_cg)" = 1 ] && break; sleep 0.05; done
a=$(inside "$H/cg_open" /dev/null); b=$(inside "$H/cg_open" /dev/zero r); c=$("$H/cg_open" /dev/zero r)
held=$(held_ids $dg link)
wait_for "$T/dg" '"verdict":"deny"' 5
kill -9 $dg; wait $dg 2>/dev/null
for i in $(seq 100); do [ "$(on_cg)" = 0 ] && break; sleep 0.05; done
expect devguard_default_deny "null $a zero $b outside $c: $(cat "$T/dg")" '[ "$a" = ok ] && [ "$b" = EPERM ] && [ "$c" = ok ] && grep -q "\"verdict\":\"deny\".*\"minor\":5" "$T/dg"'
expect devguard_kill9_leaves_nothing "held $held, on cgroup $(on_cg)" '[ -n "$held" ] && [ "$(on_cg)" = 0 ] && ! kernel_has link $held'

# ---- cgfw ----
"$H/net_udp" listen $PORT 6 > "$T/l1" & l1=$!
"$H/net_udp" listen $((PORT + 1)) 6 > "$T/l2" & l2=$!
wait_for "$T/l1" ready 5; wait_for "$T/l2" ready 5
out=$("$BEE" cgfw --cgroup "$CG" --deny-port $PORT -- sh -c "$H/net_udp connect 127.0.0.1 $PORT; $H/net_udp connect 127.0.0.1 $((PORT + 1)); $H/net_udp sendto 127.0.0.1 $PORT" 2>&1); rc=$?
expect cgfw_denies_port_inside "rc $rc: $out" '[[ $out == *"EPERM"*"ok"*"EPERM"* ]] && [[ $out == *"DENY connect pid "*" comm net_udp 127.0.0.1 port $PORT"* ]] && [[ $out == *"DENY sendmsg"* ]]'
expect cgfw_outside_unaffected "$("$H/net_udp" connect 127.0.0.1 $PORT)" '[ "$("$H/net_udp" connect 127.0.0.1 $PORT)" = ok ]'
out=$("$BEE" cgfw --cgroup "$CG" --deny-ip 127.0.0.1 -- "$H/net_udp" connect 127.0.0.1 $((PORT + 1)) 2>&1)
expect cgfw_denies_destination "$out" '[[ $out == *EPERM* ]] && [[ $out == *"DENY connect pid "*" 127.0.0.1 port $((PORT + 1))"* ]]'
out=$("$BEE" -j cgfw --cgroup "$CG" --deny-port $PORT -- "$H/net_udp" connect 127.0.0.1 $PORT 2>&1)
expect cgfw_json "$out" '[[ $out == *"\"verdict\":\"deny\",\"op\":\"connect\""*"\"dport\":$PORT"* ]]'
expect cgfw_nothing_left "$(bpftool cgroup show "$CG")" '[ "$(on_cg)" = 0 ]'
kill $l1 $l2 2>/dev/null; wait 2>/dev/null

# ---- bee run --cgroup ----
"$BEE" run "$T/denynull.bpf.c" --cgroup "$CG" --duration 30 > "$T/run" 2>&1 &
rp=$!
for i in $(seq 200); do [ "$(on_cg)" = 1 ] && break; sleep 0.05; done
a=$(inside "$H/cg_open" /dev/null)
kill -INT $rp; wait $rp; rc=$?
expect run_cgroup "rc $rc inside $a, after: $(on_cg): $(cat "$T/run")" '[ $rc -eq 0 ] && [ "$a" = EPERM ] && [ "$(on_cg)" = 0 ]'

# ---- bee run --cgroup with sock, sock_addr, sysctl and sockopt programs ----
cat > "$T/hooks.bpf.c" <<C
#include "bee/bee.bpf.h"
/* no raw sockets */
SEC("cgroup/sock_create")
int no_raw(struct bpf_sock *sk) { return sk->type != 3 /* SOCK_RAW */; }
/* no bind to one port */
SEC("cgroup/bind4")
int no_bind(struct bpf_sock_addr *ctx) { return bpf_ntohs((__u16)ctx->user_port) != $((PORT + 7)); }
/* sysctls are read-only */
SEC("cgroup/sysctl")
int ro_sysctl(struct bpf_sysctl *ctx) { return !ctx->write; }
/* no getsockopt(SOL_SOCKET, SO_RCVBUF) */
SEC("cgroup/getsockopt")
int no_rcvbuf(struct bpf_sockopt *ctx) { return !(ctx->level == 1 && ctx->optname == 8); }
BEE_GPL;
C
cat > "$T/hooks.py" <<PY
import os, socket
def t(f):
    try:
        f(); return "ok"
    except PermissionError:
        return "EPERM"
def sysctl():
    v = open("/proc/sys/vm/swappiness").read()
    fd = os.open("/proc/sys/vm/swappiness", os.O_WRONLY)
    try:
        os.write(fd, v.encode())
    finally:
        os.close(fd)
def gso():
    socket.socket().getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
print("raw:%s bind:%s sysctl:%s getsockopt:%s" % (t(lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, 1)),
      t(lambda: socket.socket().bind(("127.0.0.1", $((PORT + 7))))), t(sysctl), t(gso)))
PY
"$BEE" run "$T/hooks.bpf.c" --cgroup "$CG" --duration 60 > "$T/run" 2>&1 &
rp=$!
for i in $(seq 300); do [ "$(on_cg)" = 4 ] && break; sleep 0.05; done
a=$(inside python3 "$T/hooks.py"); b=$(python3 "$T/hooks.py")
types=$(bpftool cgroup show "$CG" -j | jq_ "sorted(e['attach_type'] for e in d)")
kill -INT $rp; wait $rp; rc=$?
expect run_cgroup_hooks_inside "$a / $types / $(cat "$T/run")" '[ "$a" = "raw:EPERM bind:EPERM sysctl:EPERM getsockopt:EPERM" ]'
expect run_cgroup_hooks_outside "$b" '[ "$b" = "raw:ok bind:ok sysctl:ok getsockopt:ok" ]'
expect run_cgroup_hooks_detached "rc $rc, left $(on_cg)" '[ $rc -eq 0 ] && [ "$(on_cg)" = 0 ]'

# ---- cgroup skb ingress: exact counts, and a drop, for the cgroup's sockets only ----
cat > "$T/skbin.bpf.c" <<'C'
#include "bee/bee.bpf.h"
const volatile __u16 drop_port = 0;
struct stats { __u64 packets, dropped; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct stats); } in_stats SEC(".maps");
SEC("cgroup_skb/ingress")
int skb_in(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct stats *s = bpf_map_lookup_elem(&in_stats, &k);
	struct udphdr uh;
	struct iphdr ip;

	if (!s || bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) || ip.protocol != 17 ||
	    bpf_skb_load_bytes(skb, ip.ihl * 4, &uh, sizeof(uh)))
		return 1;
	__sync_fetch_and_add(&s->packets, 1);
	if (drop_port && bpf_ntohs(uh.dest) == drop_port) {
		__sync_fetch_and_add(&s->dropped, 1);
		return 0;
	}
	return 1;
}
BEE_GPL;
C
skb_run() { # DROP_PORT RXPORT -> "received" ; map output in $T/skb
	"$BEE" run "$T/skbin.bpf.c" --cgroup "$CG" --set drop_port=$1 --duration 60 > "$T/skb" 2>&1 &
	local rp=$! i
	for i in $(seq 300); do [ "$(on_cg)" = 1 ] && break; sleep 0.05; done
	rm -f "$T/sent" "$T/rx" # fresh: the job truncates it only when it starts
	sh -c "echo \$\$ > $CG/cgroup.procs && exec $H/net_udp recv $2 13 10000 $T/sent" > "$T/rx" 2>&1 &
	local p=$!
	wait_for "$T/rx" ready 5
	"$H/net_udp" send 127.0.0.1 $2 13 > /dev/null
	touch "$T/sent"
	"$H/net_udp" recv $(($2 + 1)) 0 0 > /dev/null & # a socket outside: not counted
	"$H/net_udp" send 127.0.0.1 $(($2 + 1)) 4 > /dev/null
	wait $p
	kill -INT $rp; wait $rp
	tail -n1 "$T/rx"
}
got=$(skb_run 0 $((PORT + 20)))
expect cgroup_skb_ingress_counts "rx $got: $(cat "$T/skb")" '[ "$got" = 13 ] && grep -q "packets=13 dropped=0" "$T/skb"'
got=$(skb_run $((PORT + 30)) $((PORT + 30)))
expect cgroup_skb_ingress_drops "rx $got: $(cat "$T/skb")" '[ "$got" = 0 ] && grep -q "packets=13 dropped=13" "$T/skb" && [ "$(on_cg)" = 0 ]'
exit 0
