#!/usr/bin/env bash
# bee run as a user runs it: real programs on the running kernel, exact checks.
. "$(dirname "$0")/lib.sh"
EX=$BEE_ROOT/examples
TGT=$BEE_BUILD/tests/helpers/run_target
export BEE_CACHE_DIR=$T/cache

# Start run_target KIND N waiting on a fifo; sets TPID. go_target releases it.
start_target() {
	mkfifo "$T/go.$1"
	"$TGT" "$2" "$3" <"$T/go.$1" >"$T/target.$1" &
	exec {GOFD}>"$T/go.$1"
	wait_for "$T/target.$1" '^ready' 5
	TPID=$(awk '/^ready/{print $2}' "$T/target.$1")
}
go_target() { echo go >&$GOFD; exec {GOFD}>&-; }

# Start bee in the background and wait until it has attached.
start_bee() { # NAME ARGS...
	local name=$1; shift
	"$BEE" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	BPID=$!
	wait_for "$T/$name.err" 'attachment|^bee: .*(error|cannot|rejected)' 60
}

json_ok() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
    json.loads(l)' "$1"; }

# 1. perf buffer: the seed's BPF_PERF_OUTPUT, exact count, right pid and comm
start_target perf getppid 50
start_bee perf -j run "$EX/perf_output.bpf.c" --set target_pid=$TPID --no-maps --duration 30 -n 50
go_target; wait $BPID; rc=$?
n=$(grep -c '"type":"event"' "$T/perf.out")
bad=$(python3 -c 'import json,sys
pid=int(sys.argv[2]); bad=0; last=0
for l in open(sys.argv[1]):
    d=json.loads(l)["data"]
    if d["pid"]!=pid or d["comm"]!="run_target" or d["ts"]<last: bad+=1
    last=d["ts"]
print(bad)' "$T/perf.out" "$TPID" 2>&1)
why="rc=$rc events=$n bad=$bad: $(head -c 300 "$T/perf.err")" check perf_output_exact_pid_comm \
	test "$rc" = 0 -a "$n" = 50 -a "$bad" = 0

# 2. ring buffer: 2000 records, none lost, all decoded
start_target ring getppid 2000
start_bee ring run "$EX/ringbuf_output.bpf.c" --set target_pid=$TPID --no-maps --duration 30 -n 2000
go_target; wait $BPID; rc=$?
n=$(grep -c "^pid=$TPID tid=$TPID ts=[0-9]* comm=\"run_target\"$" "$T/ring.out")
why="rc=$rc decoded=$n $(tail -1 "$T/ring.err")" check ringbuf_exact_decoded test "$rc" = 0 -a "$n" = 2000

# 3. bpf_trace_printk from trace_pipe (the seed's hello world)
cp /bin/sh "$T/beehello"
start_bee hello run "$EX/hello.bpf.c" --duration 10 -n 1000000
for i in 1 2 3 4 5; do "$T/beehello" -c /bin/true; done
sleep 0.5; kill -INT $BPID; wait $BPID; rc=$?
why="rc=$rc: $(grep -c . "$T/hello.out") lines" check trace_printk_hello \
	grep -q 'bpf_trace_printk: Hello, World! beehello is starting a program' "$T/hello.out"

# 4. cache: the second run does not compile; a changed header does
mkdir -p "$T/src"
cat >"$T/src/local.h" <<'H'
#define MARK 1
H
cat >"$T/src/c.bpf.c" <<'C'
#include "bee/bee.bpf.h"
#include "local.h"
u64 marks = 0;
SEC("tp/syscalls/sys_enter_getppid") int c(void *ctx) { marks += MARK; return 0; }
BEE_GPL;
C
"$BEE" -d run "$T/src/c.bpf.c" --duration 0.1 -q >/dev/null 2>"$T/c1.err"
"$BEE" -d run "$T/src/c.bpf.c" --duration 0.1 -q >/dev/null 2>"$T/c2.err"
echo '#define MARK 2' >"$T/src/local.h"
"$BEE" -d run "$T/src/c.bpf.c" --duration 0.1 -q >/dev/null 2>"$T/c3.err"
why="$(grep -c compiling "$T/c1.err") $(grep -c compiling "$T/c2.err") $(grep -c compiling "$T/c3.err")" \
	check cache_hit_and_header_change bash -c "grep -q compiling '$T/c1.err' && ! grep -q compiling '$T/c2.err' && grep -q 'cached object' '$T/c2.err' && grep -q compiling '$T/c3.err'"

# 5. histogram from a pair of tracepoints: counts equal the calls made
start_target hist nanosleep 37
start_bee hist -j run "$EX/syscall_latency.bpf.c" --set target_pid=$TPID --duration 30
go_target; wait_for "$T/target.hist" '^done' 10; kill -INT $BPID; wait $BPID
sum=$(python3 -c 'import json,sys
s=c=-1
for l in open(sys.argv[1]):
    d=json.loads(l)
    if d.get("name")=="usecs": s=sum(b["count"] for b in d["buckets"])
    if d.get("type")=="globals": c=d["values"]["calls"]
print(s, c)' "$T/hist.out" 2>&1)
why="sum,calls=$sum" check histogram_counts_equal_calls test "$sum" = "37 37"

# 6. text histogram printed like BCC's
"$BEE" run "$EX/syscall_latency.bpf.c" --duration 0.5 -q >"$T/h.txt" 2>&1 &
HP=$!; sleep 0.1; for i in 1 2 3; do sleep 0.01; done; wait $HP
check histogram_text grep -qE '^ +(usecs|value) +: count +distribution$' "$T/h.txt"

# 7. uprobe + uretprobe in the binary:symbol section form, exact counts
cat >"$T/src/u.bpf.c" <<C
#include "bee/bee.bpf.h"
const volatile u32 target_pid = 0;
u64 entries = 0, returns = 0;
SEC("uprobe/$TGT:bee_target_fn") int up(void *ctx) { if (bee_pid() == target_pid) __sync_fetch_and_add(&entries, 1); return 0; }
SEC("uretprobe/$TGT:bee_target_fn") int urp(void *ctx) { if (bee_pid() == target_pid) __sync_fetch_and_add(&returns, 1); return 0; }
BEE_GPL;
C
start_target up func 123
start_bee up -j run "$T/src/u.bpf.c" --set target_pid=$TPID --duration 30
go_target; wait_for "$T/target.up" '^done' 10; kill -INT $BPID; wait $BPID
why="$(cat "$T/up.out" "$T/up.err" | head -c 300)" check uprobe_uretprobe_exact \
	grep -q '"entries":123,"returns":123' "$T/up.out"

# 8. perf_event sampling on every CPU (libbpf-bootstrap's profile, unchanged)
start_target prof spin 2
start_bee prof -j run "$EX/libbpf-style/profile.bpf.c" -F 199 --duration 30 --no-maps
go_target; wait_for "$T/target.prof" '^done' 10; kill -INT $BPID; wait $BPID
n=$(grep -c "\"pid\":$TPID,.*\"comm\":\"run_target\"" "$T/prof.out")
why="samples of the spinning target: $n" check perf_event_samples_target test "$n" -ge 10

# 9. plain libbpf program (bootstrap): exec and exit events decoded, exit code right
cp /bin/sh "$T/beeboot"
start_bee boot -j run "$EX/libbpf-style/bootstrap.bpf.c" --duration 30 --no-maps
"$T/beeboot" -c 'exit 3'
sleep 0.5; kill -INT $BPID; wait $BPID
why="$(grep beeboot "$T/boot.out" | head -c 400)" check libbpf_bootstrap_events python3 -c '
import json,sys
ex=en=False
for l in open(sys.argv[1]):
    d=json.loads(l)
    if d.get("type")!="event": continue
    e=d["data"]
    if e["comm"]=="beeboot" and not e["exit_event"] and e["filename"].endswith("/beeboot"): ex=True
    if e["comm"]=="beeboot" and e["exit_event"] and e["exit_code"]==3: en=True
sys.exit(0 if ex and en else 1)' "$T/boot.out"

# 10. tp_btf programs (runqlat): the histogram has counts
"$BEE" -j run "$EX/runqlat.bpf.c" --duration 1 -q >"$T/rq.out" 2>&1
check tp_btf_runqlat python3 -c '
import json,sys
for l in open(sys.argv[1]):
    d=json.loads(l)
    if d.get("name")=="usecs" and sum(b["count"] for b in d["buckets"])>0: sys.exit(0)
sys.exit(1)' "$T/rq.out"

# 11. the seed's bash readline uretprobe, driven through an interactive bash in tmux
if command -v tmux >/dev/null; then
	start_bee rl -j run "$EX/bashreadline.bpf.c" --duration 30 --no-maps
	tmux -L beetest$$ new-session -d -s rl "bash --norc -i"
	sleep 0.5
	tmux -L beetest$$ send-keys -t rl "echo beeline$$" Enter
	wait_for "$T/rl.out" "beeline$$" 5
	tmux -L beetest$$ kill-server 2>/dev/null
	kill -INT $BPID; wait $BPID
	why="$(head -c 300 "$T/rl.out" "$T/rl.err")" check bash_readline_line grep -q "\"line\":\"echo beeline$$\"" "$T/rl.out"
else
	skip bash_readline_line "tmux not installed"
fi

# 12. kill -9 leaves nothing attached
start_bee k9 run "$EX/syscall_latency.bpf.c" --duration 60
progs=$(held_ids $BPID prog); links=$(held_ids $BPID link)
kill -9 $BPID; wait $BPID 2>/dev/null
left=""
for i in $(seq 40); do
	left=""
	for id in $progs; do kernel_has prog "$id" && left+=" prog:$id"; done
	for id in $links; do kernel_has link "$id" && left+=" link:$id"; done
	[ -z "$left" ] && break
	sleep 0.05
done
why="before kill: progs=[$progs] links=[$links]; left:$left" check kill9_leaves_nothing \
	test -n "$progs" -a -n "$links" -a -z "$left"

# 13. bad input: one clear line, exit 1, nothing left behind
bad() { # NAME EXPECTED_RC PATTERN ARGS...
	local name=$1 want=$2 pat=$3; shift 3
	"$BEE" "$@" >"$T/bad.out" 2>"$T/bad.err"
	local rc=$? lines
	lines=$(grep -c . "$T/bad.err")
	if [ "$rc" = "$want" ] && [ "$lines" = 1 ] && grep -qE -- "$pat" "$T/bad.err"; then
		ok "$name"
	else
		fail "$name" "want exit $want and one line /$pat/, got exit $rc, $lines lines: $(head -c 400 "$T/bad.err")"
	fi
}
printf '#include "bee/bee.bpf.h"\nSEC("tp/syscalls/sys_enter_getppid") int f(void *c) { return nosuch; }\nBEE_GPL;\n' >"$T/src/syntax.bpf.c"
bad bad_syntax_error 1 'syntax\.bpf\.c:2:[0-9]+: error: use of undeclared identifier' run "$T/src/syntax.bpf.c"
cat >"$T/src/verif.bpf.c" <<'C'
#include "bee/bee.bpf.h"
SEC("tp/syscalls/sys_enter_getppid")
int beefailv(void *ctx)
{
	int *p = (int *)(long)bpf_get_prandom_u32();
	return *p;
}
BEE_GPL;
C
bad bad_verifier_reject 1 "prog 'beefailv': verifier rejected it: .*(invalid mem access|R[0-9]).*verif\.bpf\.c:6.*return \*p" run "$T/src/verif.bpf.c"
bad bad_missing_file 1 "cannot open '$T/nope.bpf.c': No such file or directory" run "$T/nope.bpf.c"
printf '#include "bee/bee.bpf.h"\nSEC("bogus/thing") int f(void *c) { return 0; }\nBEE_GPL;\n' >"$T/src/sec.bpf.c"
bad bad_unknown_section 1 "prog 'f': unknown section 'bogus/thing'" run "$T/src/sec.bpf.c"
cat >"$T/src/usym.bpf.c" <<C
#include "bee/bee.bpf.h"
SEC("tp/syscalls/sys_enter_getppid") int beefailtp(void *c) { return 0; }
SEC("uprobe/$TGT:no_such_function_xyz") int beefailu(void *c) { return 0; }
BEE_GPL;
C
bad bad_uprobe_symbol 1 "prog 'beefailu': no symbol 'no_such_function_xyz' in $TGT" run "$T/src/usym.bpf.c"
check bad_nothing_left_attached bash -c "! bpftool prog show name beefailtp 2>/dev/null | grep -q beefailtp"
bad bad_set_unknown_var 1 "no global variable 'nope'.*target_pid" run "$EX/perf_output.bpf.c" --set nope=1
bad bad_set_value 1 "target_pid=abc: not a valid value" run "$EX/perf_output.bpf.c" --set target_pid=abc
bad bad_usage_no_file 2 "which file" run
bad bad_usage_option 2 "unknown option '--bogus'" run "$EX/perf_output.bpf.c" --bogus

# 14. kprobes and trampolines: attach where the kernel has them, one clear error where not
if have_kprobes; then
	start_target kp nanosleep 25
	start_bee kp -j run "$EX/kprobe_latency.bpf.c" --duration 30
	go_target; wait_for "$T/target.kp" '^done' 10; sleep 0.2; kill -INT $BPID; wait $BPID
	check kprobe_latency_counts grep -q '"calls":' "$T/kp.out"
else
	bad kprobe_clear_error 1 "cannot attach kprobe/hrtimer_nanosleep: this kernel has no kprobes.*tp/syscalls/sys_(enter|exit)_.*nanosleep" run "$EX/kprobe_latency.bpf.c"
fi
"$BEE" run "$EX/fentry_latency.bpf.c" --duration 0.2 -q >"$T/fe.out" 2>"$T/fe.err"; rc=$?
if [ $rc = 0 ]; then
	ok fentry_attaches
else
	why="$(cat "$T/fe.err")" check fentry_clear_error grep -qE "prog 'nanosleep_entry': the kernel refused fentry/hrtimer_nanosleep .*BPF trampolines .* use tp_btf/ or a tracepoint" "$T/fe.err"
fi

# 15. a compiled object runs as well (bee run FILE.o)
start_target obj getppid 20
start_bee obj -j run "$BEE_BUILD/examples/perf_output.bpf.o" --set target_pid=$TPID --no-maps --duration 30 -n 20
go_target; wait $BPID; rc=$?
n=$(grep -c "\"pid\":$TPID" "$T/obj.out")
why="rc=$rc events=$n" check run_compiled_object test "$rc" = 0 -a "$n" = 20

# 16. libbpf-bootstrap's minimal, unchanged: bpf_printk from write() of one pid
start_target min getppid 1
start_bee min run "$EX/libbpf-style/minimal.bpf.c" --set my_pid=$TPID --duration 30
go_target; wait_for "$T/target.min" '^done' 10
wait_for "$T/min.out" "BPF triggered from PID $TPID" 5
kill -INT $BPID; wait $BPID
check libbpf_minimal_printk grep -q "bpf_trace_printk: BPF triggered from PID $TPID" "$T/min.out"
