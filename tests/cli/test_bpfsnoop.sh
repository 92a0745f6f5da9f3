#!/usr/bin/env bash
# bee bpfsnoop: run known workloads under it and compare every decoded field
# with what the workload passed and got (tests/helpers/bpf_calls writes that,
# one JSON line per call, in bee's words).
set -u
BEE=${BEE:-build/bee}
BUILD=${BEE_BUILD:-build}
H=$BUILD/tests/helpers/bpf_calls
tmp=$(mktemp -d /tmp/bee_snoop.XXXXXX)
cg=
bg=
cleanup() {
	[ -n "$bg" ] && kill "$bg" 2>/dev/null && wait "$bg" 2>/dev/null
	[ -n "$cg" ] && rmdir "$cg" 2>/dev/null
	rm -f /sys/fs/bpf/bee_snoop_$$_*
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "skip $1: $2"; }

if [ "$(id -u)" -ne 0 ]; then
	skip bpfsnoop "needs root (BPF tracepoint programs)"
	exit 0
fi
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	skip bpfsnoop "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
	exit 0
fi
if ! command -v jq >/dev/null; then
	skip bpfsnoop "jq is not installed"
	exit 0
fi

# compare WANT GOT: every line of WANT (the helper's calls) must match, in
# order, the record of bee for the same pid and the same position: command,
# attr size, return value, errno, the exact set of attr fields and their
# values, the returned object; bee must have no other records for the pid.
compare() {
	jq -n -r --slurpfile want "$1" --slurpfile got "$2" '
	  ($want | map(select(.cmd))) as $w |
	  [ $w[] | .pid ] | unique | map(. as $p |
	    ($w | map(select(.pid == $p))) as $wp |
	    ($got | map(select(.pid == $p))) as $gp |
	    if ($wp | length) != ($gp | length) then
	      "pid \($p): want \($wp | length) calls, got \($gp | length): \($gp | map(.cmd))"
	    else
	      [ range(0; $wp | length) as $i | $wp[$i] as $a | $gp[$i] as $b |
	        if $a.cmd != $b.cmd then "call \($i): want \($a.cmd), got \($b.cmd)"
	        elif ($a.syscall // "bpf") != $b.syscall then "\($a.cmd): syscall want \($a.syscall // "bpf"), got \($b.syscall)"
	        elif $a.attr_size != $b.attr_size then "\($a.cmd): attr_size want \($a.attr_size), got \($b.attr_size)"
	        elif $a.ret != $b.ret then "\($a.cmd): ret want \($a.ret), got \($b.ret)"
	        elif $a.errno != $b.errno then "\($a.cmd): errno want \($a.errno), got \($b.errno)"
	        elif $a.attr != $b.attr then "\($a.cmd): attr want \($a.attr | tojson), got \($b.attr | tojson)"
	        elif ($a.attr_ptr // null) != ($b.attr_ptr // null) then "\($a.cmd): attr_ptr want \($a.attr_ptr), got \($b.attr_ptr)"
	        elif $a.info_check and ([$a.info_check | to_entries[] | select($b.info[.key] != .value)] | length > 0)
	          then "\($a.cmd): info want \($a.info_check | tojson), got \($b.info | tojson)"
	        elif ($a.ret_obj // null) != ($b.ret_obj // null) then "\($a.cmd): ret_obj want \($a.ret_obj | tojson), got \($b.ret_obj | tojson)"
	        elif $b.comm != "bpf_calls" then "\($a.cmd): comm \($b.comm)"
	        elif ($b.duration_ns > 0 | not) then "\($a.cmd): no duration"
	        else empty end ] | .[]
	    end) | flatten | .[]' 2>&1 | head -5
}

# ---- usage ----
out=$($BEE bpfsnoop --help); rc=$?
if [ $rc -eq 0 ] && grep -q "Usage: bee bpfsnoop" <<<"$out" && grep -q -- "--summary" <<<"$out"; then
	ok help
else
	fail help "rc $rc: $out"
fi
$BEE bpfsnoop --bogus >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok bad_option || fail bad_option "want exit 2, got $rc"
err=$($BEE bpfsnoop -p 0 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "pid must be a positive number" <<<"$err" && ok bad_pid || fail bad_pid "rc $rc: $err"
err=$($BEE bpfsnoop -p 999999999 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "bee: bpfsnoop: no process 999999999" <<<"$err" && ok no_such_pid || fail no_such_pid "rc $rc: $err"

# ---- without privileges: one error line, and the command never runs ----
if command -v setpriv >/dev/null; then
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups $BEE bpfsnoop -- sh -c 'exit 5' 2>&1); rc=$?
	[ $rc -eq 1 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && [[ $err == "bee: bpfsnoop: "*"Operation not permitted"* ]] &&
		ok unprivileged || fail unprivileged "want exit 1 and the EPERM line, got $rc: $err"
else
	skip unprivileged "no setpriv"
fi

# ---- a program making known calls: every field checked ----
$BEE -j bpfsnoop -o "$tmp/basic.bee" -- "$H" basic "$tmp/basic.want"; rc=$?
if [ $rc -ne 0 ]; then
	fail basic_json "exit $rc"
else
	d=$(compare "$tmp/basic.want" "$tmp/basic.bee")
	n=$(grep -c '"cmd"' "$tmp/basic.want")
	if [ -z "$d" ] && [ "$n" -eq 9 ]; then ok basic_json; else fail basic_json "${d:-want 9 calls, helper made $n}"; fi
fi

# the same calls as strace-like text
$BEE bpfsnoop -o "$tmp/basic.txt" -- "$H" basic "$tmp/basic2.want"; rc=$?
pid=$(jq -r 'select(.done) | .done' "$tmp/basic2.want")
mid=$(jq -r 'select(.cmd == "BPF_MAP_CREATE" and .ret >= 0) | .ret_obj.id' "$tmp/basic2.want")
pidp=$(jq -r 'select(.cmd == "BPF_PROG_LOAD") | .ret_obj.id' "$tmp/basic2.want")
mfd=$(jq -r 'select(.cmd == "BPF_MAP_CREATE" and .ret >= 0) | .ret' "$tmp/basic2.want")
pfd=$(jq -r 'select(.cmd == "BPF_PROG_LOAD") | .ret' "$tmp/basic2.want")
lines=(
	"$pid bpf_calls bpf(BPF_MAP_CREATE, {map_type=BPF_MAP_TYPE_HASH, key_size=4, value_size=8, max_entries=16, map_flags=BPF_F_NO_PREALLOC, inner_map_fd=0, numa_node=0, map_name=\"snoop_map\"}, 44) = $mfd<map:$mid:snoop_map> <"
	"$pid bpf_calls bpf(BPF_MAP_UPDATE_ELEM, {map_fd=$mfd<map:$mid:snoop_map>, key=0x"
	"[01 00 00 00], value=0x"
	"[2a 00 00 00 00 00 00 00], flags=BPF_NOEXIST}, 32) = 0 <"
	"$pid bpf_calls bpf(BPF_PROG_LOAD, {prog_type=BPF_PROG_TYPE_SOCKET_FILTER, insn_cnt=2, insns=0x"
	", license=\"GPL\", log_level=1, log_size=4096, log_buf=0x"
	", kern_version=0, prog_flags=0, prog_name=\"snoop_prog\"}, 64) = $pfd<prog:$pidp:snoop_prog> <"
	"$pid bpf_calls bpf(BPF_OBJ_GET_INFO_BY_FD, {bpf_fd=$pfd<prog:$pidp:snoop_prog>, info_len="
	", flags=BPF_ANY}, 32) = -1 ENOENT (No such file or directory) <"
	"map_name=\"snoop_bad\"}, 44) = -1 EINVAL (Invalid argument) <"
	"$pid bpf_calls bpf(BPF_MAP_CREATE, 0x8, 72) = -1 EFAULT (Bad address) <"
)
miss=
for l in "${lines[@]}"; do grep -qF -- "$l" "$tmp/basic.txt" || miss="$l"; done
if [ $rc -eq 0 ] && [ -z "$miss" ] && [ "$(wc -l <"$tmp/basic.txt")" -eq 9 ]; then
	ok basic_text
else
	fail basic_text "rc $rc, missing '$miss' in: $(head -c 1500 "$tmp/basic.txt")"
fi

# ---- --insns: the loaded instructions disassembled ----
$BEE bpfsnoop --insns -o "$tmp/insns.txt" -- "$H" basic "$tmp/insns.want"; rc=$?
if [ $rc -eq 0 ] && grep -A2 'bpf(BPF_PROG_LOAD' "$tmp/insns.txt" | sed -n 2p | grep -qx '   0: (b7) r0 = 0' &&
   grep -A2 'bpf(BPF_PROG_LOAD' "$tmp/insns.txt" | sed -n 3p | grep -qx '   1: (95) exit'; then
	ok insns_text
else
	fail insns_text "rc $rc: $(grep -A3 'bpf(BPF_PROG_LOAD' "$tmp/insns.txt")"
fi
$BEE -j bpfsnoop --insns -o "$tmp/insns.json" -- "$H" basic "$tmp/insns2.want"; rc=$?
n=$(jq -r 'select(.cmd == "BPF_PROG_LOAD") | .insns | length' "$tmp/insns.json" 2>&1)
d=$(compare "$tmp/insns2.want" "$tmp/insns.json")
[ $rc -eq 0 ] && [ "$n" = 2 ] && [ -z "$d" ] && ok insns_json || fail insns_json "rc $rc, insns '$n' $d"

# ---- attachments: cgroup fds resolved to the cgroup's path; --summary ----
cgroot=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$cgroot" ]; then
	skip attach "no cgroup v2 mount"
else
	cg=$cgroot/bee_snoop_$$
	mkdir "$cg"
	$BEE -j bpfsnoop -o "$tmp/att.bee" -- "$H" attach "$cg" "$tmp/att.want"; rc=$?
	d=$(compare "$tmp/att.want" "$tmp/att.bee")
	[ $rc -eq 0 ] && [ -z "$d" ] && ok attach_json || fail attach_json "rc $rc: $d"
	$BEE bpfsnoop --summary -o "$tmp/att.txt" -- "$H" attach "$cg" "$tmp/att2.want"; rc=$?
	pid=$(jq -r 'select(.cmd) | .pid' "$tmp/att2.want" | head -1)
	inid=$(jq -r 'select(.cmd == "BPF_PROG_LOAD" and .attr.prog_name == "snoop_ingress") | .ret_obj.id' "$tmp/att2.want")
	egid=$(jq -r 'select(.cmd == "BPF_PROG_LOAD" and .attr.prog_name == "snoop_egress") | .ret_obj.id' "$tmp/att2.want")
	lid=$(jq -r 'select(.cmd == "BPF_LINK_CREATE") | .ret_obj.id' "$tmp/att2.want")
	want="
summary: 7 calls traced, 0 lost
  $pid bpf_calls: loaded prog $inid snoop_ingress (BPF_PROG_TYPE_CGROUP_SKB, 2 insns)
  $pid bpf_calls: loaded prog $egid snoop_egress (BPF_PROG_TYPE_CGROUP_SKB, 2 insns)
  $pid bpf_calls: attached prog:$inid:snoop_ingress to $cg (BPF_CGROUP_INET_INGRESS)
  $pid bpf_calls: attached prog:$egid:snoop_egress to $cg (BPF_CGROUP_INET_EGRESS) as link $lid
  $pid bpf_calls: detached prog:$inid:snoop_ingress from $cg (BPF_CGROUP_INET_INGRESS)"
	got=$(tail -7 "$tmp/att.txt")
	[ $rc -eq 0 ] && [ "$got" = "$want" ] && ok summary || fail summary "rc $rc, want: $want
got: $got"

	# the same as JSON, built from what the helper did
	$BEE -j bpfsnoop --summary -o "$tmp/att3.bee" -- "$H" attach "$cg" "$tmp/att3.want"; rc=$?
	d=$(jq -n -r --slurpfile w "$tmp/att3.want" --slurpfile g "$tmp/att3.bee" '
	  ($w | map(select(.cmd))) as $w | ($w[0].pid) as $p | $cg as $cgp |
	  def prog($n): $w | map(select(.cmd == "BPF_PROG_LOAD" and .attr.prog_name == $n))[0];
	  [ ((prog("snoop_ingress"), prog("snoop_egress")) |
	      {pid: $p, comm: "bpf_calls", action: "load_prog", cmd: "BPF_PROG_LOAD", prog_id: .ret_obj.id,
	       prog_name: .attr.prog_name, prog_type: "BPF_PROG_TYPE_CGROUP_SKB", insn_cnt: 2}),
	    {pid: $p, comm: "bpf_calls", action: "attach", cmd: "BPF_PROG_ATTACH", prog_id: prog("snoop_ingress").ret_obj.id,
	     prog_name: "snoop_ingress", target: $cgp, attach_type: "BPF_CGROUP_INET_INGRESS"},
	    {pid: $p, comm: "bpf_calls", action: "attach", cmd: "BPF_LINK_CREATE", prog_id: prog("snoop_egress").ret_obj.id,
	     prog_name: "snoop_egress", target: $cgp, attach_type: "BPF_CGROUP_INET_EGRESS",
	     link_id: ($w | map(select(.cmd == "BPF_LINK_CREATE"))[0].ret_obj.id)},
	    {pid: $p, comm: "bpf_calls", action: "detach", cmd: "BPF_PROG_DETACH", prog_id: prog("snoop_ingress").ret_obj.id,
	     prog_name: "snoop_ingress", target: $cgp, attach_type: "BPF_CGROUP_INET_INGRESS"} ] as $want |
	  ($g | map(select(.summary)) | last) as $s |
	  if $s.summary != $want then "want \($want | tojson)\ngot \($s.summary | tojson)"
	  elif $s.calls != 7 or $s.lost != 0 then "calls \($s.calls), lost \($s.lost)" else empty end' --arg cg "$cg" 2>&1)
	[ $rc -eq 0 ] && [ -z "$d" ] && ok summary_json || fail summary_json "rc $rc: $d"
	rmdir "$cg" && cg=
fi

# ---- attachments outside bpf(): setsockopt(SO_ATTACH_BPF), ioctl(PERF_EVENT_IOC_SET_BPF) ----
tfs=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
idf=$tfs/events/syscalls/sys_enter_getppid/id
if [ -z "$tfs" ] || [ ! -r "$idf" ]; then
	skip other_attach "tracefs is not mounted"
else
	$BEE -j bpfsnoop --summary -o "$tmp/other.bee" -- "$H" other "$(cat "$idf")" syscalls:sys_enter_getppid "$tmp/other.want"; rc=$?
	d=$(compare "$tmp/other.want" "$tmp/other.bee")
	got=$(jq -c '.summary[]? | select(.action == "attach") | [.cmd, .prog_name, .target]' "$tmp/other.bee" | tr '\n' ' ')
	sock=$(jq -r 'select(.syscall == "setsockopt") | .attr.fd.path' "$tmp/other.want")
	want="[\"setsockopt(SO_ATTACH_BPF)\",\"snoop_sock\",\"$sock\"] [\"ioctl(PERF_EVENT_IOC_SET_BPF)\",\"snoop_tp\",\"perf_event:tracepoint:syscalls:sys_enter_getppid\"] "
	[ $rc -eq 0 ] && [ -z "$d" ] && [ "$got" = "$want" ] && ok other_attach ||
		fail other_attach "rc $rc: $d; summary want $want, got $got"
fi

# ---- a command that exits at once: traced from its first call, exit code kept ----
$BEE -j bpfsnoop -o "$tmp/exit.bee" -- "$H" exit 7 "$tmp/exit.want"; rc=$?
d=$(compare "$tmp/exit.want" "$tmp/exit.bee")
[ $rc -eq 7 ] && [ -z "$d" ] && [ "$(grep -c . "$tmp/exit.bee")" -eq 2 ] && ok exits_at_once ||
	fail exits_at_once "want exit 7 and 2 calls, got exit $rc: $d"
$BEE bpfsnoop -o "$tmp/false.txt" -- false; rc=$?
[ $rc -eq 1 ] && [ ! -s "$tmp/false.txt" ] && ok exit_status || fail exit_status "want exit 1 and no output, got $rc"
$BEE bpfsnoop -- /nonexistent/bee_snoop 2>"$tmp/enoent"; rc=$?
[ $rc -eq 127 ] && grep -q "cannot run '/nonexistent/bee_snoop'" "$tmp/enoent" && ok exec_fails || fail exec_fails "want 127, got $rc"

# ---- --duration: stops on its own, exit 0 ----
timeout 20 $BEE bpfsnoop --duration 0.3 -o "$tmp/dur.txt"; rc=$?
[ $rc -eq 0 ] && ok duration || fail duration "want exit 0, got $rc"

# ---- lost records are counted exactly: bee stopped while 200000 calls fill its ring ----
$BEE bpfsnoop --summary -o "$tmp/lost.txt" -- sh -c "kill -STOP \$PPID; $H loop 200000 >/dev/null; kill -CONT \$PPID" 2>"$tmp/lost.err"; rc=$?
traced=$(sed -n 's/^summary: \([0-9]*\) calls traced, \([0-9]*\) lost$/\1/p' "$tmp/lost.txt")
lost=$(sed -n 's/^summary: \([0-9]*\) calls traced, \([0-9]*\) lost$/\2/p' "$tmp/lost.txt")
lines=$(grep -c 'bpf(BPF_' "$tmp/lost.txt")
# the loop makes MAP_CREATE, 200000 lookups and OBJ_GET_INFO_BY_FD
if [ $rc -eq 0 ] && [ -n "$lost" ] && [ "$lost" -gt 0 ] && [ $((traced + lost)) -eq 200002 ] && [ "$lines" -eq "$traced" ] &&
   grep -qx "bee: bpfsnoop: $lost calls lost (ring buffer or in-flight table full)" "$tmp/lost.err"; then
	ok lost_counted
else
	fail lost_counted "rc $rc: $lines lines, traced '$traced' + lost '$lost' != 200002: $(cat "$tmp/lost.err")"
fi

# ---- a 4 times bigger ring (--buffer 64) holds 4 times the records ----
$BEE bpfsnoop --buffer 64 --summary -o "$tmp/lost64.txt" -- sh -c "kill -STOP \$PPID; $H loop 200000 >/dev/null; kill -CONT \$PPID" 2>/dev/null; rc=$?
t64=$(sed -n 's/^summary: \([0-9]*\) calls traced, \([0-9]*\) lost$/\1/p' "$tmp/lost64.txt")
l64=$(sed -n 's/^summary: \([0-9]*\) calls traced, \([0-9]*\) lost$/\2/p' "$tmp/lost64.txt")
[ $rc -eq 0 ] && [ -n "$t64" ] && [ $((t64 + l64)) -eq 200002 ] && [ $((t64 / 4)) -ge $((traced - 2)) ] && [ $((t64 / 4)) -le $((traced + 2)) ] &&
	ok buffer_size || fail buffer_size "rc $rc: 16 MiB held $traced records, 64 MiB $t64 (lost $l64)"
$BEE bpfsnoop --buffer 3 -- true 2>/dev/null; rc=$?
[ $rc -eq 2 ] && ok buffer_not_pow2 || fail buffer_not_pow2 "want exit 2, got $rc"

# ---- a command that forks: the child's calls carry the child's pid ----
$BEE -j bpfsnoop -o "$tmp/fork.bee" -- "$H" fork "$tmp/fork.want"; rc=$?
d=$(compare "$tmp/fork.want" "$tmp/fork.bee")
np=$(jq -r 'select(.cmd) | .pid' "$tmp/fork.want" | sort -u | wc -l)
child=$(jq -r 'select(.attr.map_name == "snoop_child") | .pid' "$tmp/fork.bee")
parent=$(jq -r 'select(.attr.map_name == "snoop_parent") | .pid' "$tmp/fork.bee")
[ $rc -eq 0 ] && [ -z "$d" ] && [ "$np" -eq 2 ] && [ -n "$child" ] && [ "$child" != "$parent" ] &&
	ok fork || fail fork "rc $rc, $np pids, parent '$parent' child '$child': $d"

# wait until the bee with pid $1 holds its 8 BPF links (tracing is live)
wait_attached() {
	for _ in $(seq 100); do
		n=$(for f in /proc/$1/fd/*; do readlink "$f"; done 2>/dev/null | grep -c '^anon_inode:bpf_link$')
		[ "${n:-0}" -ge 8 ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# ---- -p PID: a process that was running before bee ----
"$H" wait "$tmp/pid.want" &
hp=$!
for _ in $(seq 100); do grep -q waiting "$tmp/pid.want" 2>/dev/null && break; sleep 0.02; done
$BEE -j bpfsnoop -p $hp -o "$tmp/pid.bee" &
bg=$!
if wait_attached $bg; then
	kill -USR1 $hp
	wait $hp; hrc=$?
	wait $bg; rc=$?; bg=
	d=$(compare "$tmp/pid.want" "$tmp/pid.bee")
	[ $hrc -eq 0 ] && [ $rc -eq 0 ] && [ -z "$d" ] && ok pid || fail pid "helper $hrc, bee $rc: $d"
else
	fail pid "bee did not attach"
	kill $hp
fi

# ---- whole system while other processes load programs ----
$BEE -j bpfsnoop -o "$tmp/sys.bee" 2>"$tmp/sys.err" &
bg=$!
if wait_attached $bg; then
	"$H" load 5 "$tmp/sys.want" & a=$!
	"$H" load 5 "$tmp/sys.want" & b=$!
	"$H" basic "$tmp/sys.want" & c=$!
	wait $a; ra=$?; wait $b; rb=$?; wait $c; rcc=$?
	beepid=$bg
	kill -INT $bg; wait $bg; rc=$?; bg=
	d=$(compare "$tmp/sys.want" "$tmp/sys.bee")
	# programs named after a pid were loaded by that pid only
	wrong=$(jq -r 'select(.attr.prog_name? // "" | startswith("snoop_") and (. != "snoop_prog")) |
		select(.attr.prog_name != "snoop_\(.pid)") | .pid' "$tmp/sys.bee" | head -1)
	self=$(jq -r "select(.pid == $beepid) | .pid" "$tmp/sys.bee" | head -1)
	n=$(jq -r "select(.pid == $a or .pid == $b) | select(.cmd == \"BPF_PROG_LOAD\") | .ret_obj.id" "$tmp/sys.bee" | sort -u | wc -l)
	[ $ra$rb$rcc = 000 ] && [ $rc -eq 0 ] && [ -z "$d" ] && [ -z "$wrong" ] && [ -z "$self" ] && [ "$n" -eq 10 ] &&
		ok system_wide || fail system_wide "helpers $ra$rb$rcc, bee $rc, $n distinct loads, wrong '$wrong', self '$self': $d $(cat "$tmp/sys.err")"
else
	fail system_wide "bee did not attach"
fi

# ---- bee itself loading a program (bee prog load): checked against bpftool ----
obj=$BUILD/examples/xdp-example.bpf.o
pin=/sys/fs/bpf/bee_snoop_$$_xdp
if ! $BEE prog help >/dev/null 2>&1 || [ ! -f "$obj" ]; then
	skip bee_prog_load "bee prog or $obj not built"
else
	$BEE -j bpfsnoop -o "$tmp/prog.bee" -- $BEE prog load "$obj" "$pin"; rc=$?
	info=$(bpftool prog show pinned "$pin" -j 2>/dev/null)
	id=$(jq -r .id <<<"$info"); name=$(jq -r .name <<<"$info")
	got=$(jq -c "select(.cmd == \"BPF_PROG_LOAD\" and .ret >= 0 and .attr.prog_type == \"BPF_PROG_TYPE_XDP\") |
		[.attr.prog_type, .attr.prog_name, .attr.license, .ret_obj.id, .ret_obj.name, .comm]" "$tmp/prog.bee")
	want="[\"BPF_PROG_TYPE_XDP\",\"$name\",\"GPL\",$id,\"$name\",\"bee\"]"
	pinned=$(jq -c "select(.cmd == \"BPF_OBJ_PIN\") | [.attr.pathname, .attr.bpf_fd.id, .ret]" "$tmp/prog.bee")
	[ $rc -eq 0 ] && [ "$got" = "$want" ] && [ "$pinned" = "[\"$pin\",$id,0]" ] && ok bee_prog_load ||
		fail bee_prog_load "rc $rc: load want $want, got $got; pin got $pinned"
	rm -f "$pin"
fi

# ---- bee tracing bee: perf event links named by their tracepoint ----
$BEE -j bpfsnoop --summary -o "$tmp/self.bee" -- $BEE bpfsnoop -p $$ --duration 0.2 -o /dev/null; rc=$?
got=$(jq -c '.summary[]? | select(.action == "attach") | [.prog_name, .target, .attach_type]' "$tmp/self.bee" | sort | tr '\n' ' ')
want='["snoop_enter","perf_event:tracepoint:syscalls:sys_enter_bpf","BPF_PERF_EVENT"] ["snoop_exit","perf_event:tracepoint:syscalls:sys_exit_bpf","BPF_PERF_EVENT"] ["snoop_fork","raw tracepoint sched_process_fork","raw_tracepoint"] ["snoop_ioctl","perf_event:tracepoint:syscalls:sys_enter_ioctl","BPF_PERF_EVENT"] ["snoop_ioctl_ret","perf_event:tracepoint:syscalls:sys_exit_ioctl","BPF_PERF_EVENT"] ["snoop_proc_exit","perf_event:tracepoint:sched:sched_process_exit","BPF_PERF_EVENT"] ["snoop_sopt","perf_event:tracepoint:syscalls:sys_enter_setsockopt","BPF_PERF_EVENT"] ["snoop_sopt_ret","perf_event:tracepoint:syscalls:sys_exit_setsockopt","BPF_PERF_EVENT"] '
[ $rc -eq 0 ] && [ "$got" = "$want" ] && ok bee_tracing_bee || fail bee_tracing_bee "rc $rc: want $want, got $got"

# ---- bee map create with the seed's arguments ----
pin=/sys/fs/bpf/bee_snoop_$$_stats
if ! $BEE map help >/dev/null 2>&1; then
	skip bee_map_create "'bee map' is not in this build yet"
else
	$BEE -j bpfsnoop -o "$tmp/map.bee" -- $BEE map create "$pin" type hash key 2 value 2 entries 8 name statsMap; rc=$?
	id=$(bpftool map show pinned "$pin" -j 2>/dev/null | jq -r .id)
	got=$(jq -c 'select(.cmd == "BPF_MAP_CREATE" and .ret >= 0) |
		[.attr.map_type, .attr.key_size, .attr.value_size, .attr.max_entries, .attr.map_name, .ret_obj.id]' "$tmp/map.bee")
	pinned=$(jq -c 'select(.cmd == "BPF_OBJ_PIN") | [.attr.pathname, .attr.bpf_fd.id, .ret]' "$tmp/map.bee")
	want="[\"BPF_MAP_TYPE_HASH\",2,2,8,\"statsMap\",$id]"
	[ $rc -eq 0 ] && [ "$got" = "$want" ] && [ "$pinned" = "[\"$pin\",$id,0]" ] && ok bee_map_create ||
		fail bee_map_create "rc $rc: want $want, got $got; pin $pinned"
	rm -f "$pin"
fi
