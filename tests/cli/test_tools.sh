#!/usr/bin/env bash
# The classic ready tools (execsnoop, opensnoop, bashreadline, syslat,
# funclatency, tcpconnect, runqlat), each run as a user runs it against a
# workload this script drives (tests/helpers/tool_work.c), with exact checks.
. "$(dirname "$0")/lib.sh"
W=$BEE_BUILD/tests/helpers/tool_work
export BEE_CACHE_DIR=$T/cache

# Start tool_work ARGS... waiting on a fifo; sets TPID. go_work releases it
# and waits for it to finish.
start_work() { # TAG ARGS...
	local tag=$1; shift
	mkfifo "$T/go.$tag"
	"$W" "$@" <"$T/go.$tag" >"$T/work.$tag" &
	WPID=$!
	exec {GOFD}>"$T/go.$tag"
	wait_for "$T/work.$tag" '^ready' 5
	TPID=$(awk '/^ready/{print $2}' "$T/work.$tag")
}
go_work() { echo go >&$GOFD; exec {GOFD}>&-; wait $WPID; }

# Start bee in the background and wait until it has attached (or failed).
start_bee() { # NAME ARGS...
	local name=$1; shift
	"$BEE" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	BPID=$!
	wait_for "$T/$name.err" 'attachment|^bee: .*(error|cannot|rejected|no such)' 30
}
stop_bee() { kill -INT $BPID 2>/dev/null; wait $BPID; }

# Run a python check over a JSON-lines file; prints "ok" or what is wrong.
pycheck() { # FILE PYTHON-BODY ARGS... (events: list of "data" of every event line)
	local file=$1 body=$2; shift 2
	python3 - "$file" "$@" <<PY 2>&1
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
events = [l["data"] for l in lines if l.get("type") == "event"]
hists = [l for l in lines if l.get("type") == "histogram"]
args = sys.argv[2:]
$body
PY
}

# one error line, exit code CODE, matching PATTERN
one_line_error() { # NAME CODE PATTERN CMD...
	local name=$1 code=$2 pat=$3 rc; shift 3
	"$@" >"$T/err.out" 2>"$T/err.err"; rc=$?
	local n; n=$(cat "$T/err.out" "$T/err.err" | grep -c .)
	why="rc=$rc lines=$n: $(head -c 300 "$T/err.err")" check "$name" \
		test "$rc" = "$code" -a "$n" = 1 -a -n "$(grep -E -- "$pat" "$T/err.err")"
}

TOOLS="execsnoop opensnoop bashreadline syslat funclatency tcpconnect runqlat"

# ---- help ----
bad=""
for t in $TOOLS; do
	"$BEE" "$t" --help >"$T/h.out" 2>&1 || bad="$bad $t(--help rc)"
	grep -q "^Usage: bee $t" "$T/h.out" || bad="$bad $t(--help text)"
	grep -q -- "--json" "$T/h.out" || bad="$bad $t(no -j in help)"
	"$BEE" "$t" help >"$T/h2.out" 2>&1 && cmp -s "$T/h.out" "$T/h2.out" || bad="$bad $t(help)"
	"$BEE" help 2>&1 | grep -qE "^  $t +" || bad="$bad $t(not in bee help)"
done
why="$bad" check tools_help test -z "$bad"

# ---- execsnoop: argv, pid, ppid, comm, ret; -P filter; failed exec ----
start_work exec exec /bin/echo "bee-arg-$$" "two words"
start_bee exec execsnoop -j -P $$
go_work; stop_bee; rc=$?
r=$(pycheck "$T/exec.out" '
mine = [e for e in events if e["pid"] == int(args[0])]
others = [e for e in events if e["ppid"] != int(args[1])]
want = ["/bin/echo", "bee-arg-" + args[1], "two words"]
if len(mine) != 1: print("want 1 exec by", args[0], "got", mine)
elif mine[0]["argv"] != want or mine[0]["ppid"] != int(args[1]) or mine[0]["ret"] != 0 \
   or mine[0]["comm"] != "echo" or mine[0]["truncated"] or mine[0]["argv_source"] != "entry":
    print("got", mine[0])
elif others: print("-P let through", others[:2])
else: print("ok")' "$TPID" $$)
why="rc=$rc $r $(head -c 200 "$T/exec.err")" check execsnoop_argv_pid_ppid test "$rc" = 0 -a "$r" = ok

start_work exec2 exec /bin/echo "bee-text-$$" "a b"
start_bee exec2 execsnoop -p "$TPID"
go_work
# the line reaches a file (not a tty) while the tool runs, not only at exit
wait_for "$T/exec2.out" "bee-text-$$" 5; live=$?
stop_bee; rc=$?
line=$(grep -E "^echo +$TPID +$$ +0 /bin/echo bee-text-$$ 'a b'\$" "$T/exec2.out")
why="rc=$rc live=$live: $(cat "$T/exec2.out" | head -5)" check execsnoop_text_line_live \
	test "$rc" = 0 -a "$live" = 0 -a -n "$line" -a "$(grep -c . "$T/exec2.out")" = 2

start_work exec3 exec "$T/no-such-binary-$$" x
start_bee exec3 execsnoop -j -x -p "$TPID"
go_work; stop_bee; rc=$?
r=$(pycheck "$T/exec3.out" '
if len(events) != 1 or events[0]["ret"] != -2 or events[0]["pid"] != int(args[0]) \
   or events[0]["argv"] != [args[1], "x"] or events[0]["comm"] != "tool_work": print(events)
else: print("ok")' "$TPID" "$T/no-such-binary-$$")
why="rc=$rc $r" check execsnoop_failed_enoent test "$rc" = 0 -a "$r" = ok

# argv in pages that are not present at entry: read after the exec instead
printf '/bin/echo\0bee-mapped-%s\0x y\0' $$ >"$T/argfile"
start_work exec5 exec-mapped /bin/echo "$T/argfile"
start_bee exec5 execsnoop -j -p "$TPID"
go_work; stop_bee; rc=$?
r=$(pycheck "$T/exec5.out" '
want = ["/bin/echo", "bee-mapped-" + args[1], "x y"]
if len(events) != 1 or events[0]["argv"] != want or events[0]["ret"] != 0 \
   or events[0]["argv_source"] != "exec" or events[0]["pid"] != int(args[0]): print(events)
else: print("ok")' "$TPID" $$)
why="rc=$rc $r" check execsnoop_argv_not_present_at_entry test "$rc" = 0 -a "$r" = ok

# more than 20 arguments: the first 20 and the truncation mark
start_work exec4 exec /bin/true $(seq 1 25)
start_bee exec4 execsnoop -j -p "$TPID"
go_work; stop_bee; rc=$?
r=$(pycheck "$T/exec4.out" '
want = ["/bin/true"] + [str(i) for i in range(1, 20)]
if len(events) != 1 or events[0]["argv"] != want or not events[0]["truncated"]: print(events)
else: print("ok")')
why="rc=$rc $r" check execsnoop_truncated_argv test "$rc" = 0 -a "$r" = ok

# ---- opensnoop: path, fd, -ENOENT, pid; -x and -n ----
echo hi >"$T/bee-open-$$"
start_work open open "$T/bee-open-$$" "$T/bee-missing-$$"
start_bee open opensnoop -j -p "$TPID"
go_work; stop_bee; rc=$?
read -r _ fd err <<<"$(grep '^done' "$T/work.open")"
r=$(pycheck "$T/open.out" '
pid, path, missing, fd = int(args[0]), args[1], args[2], int(args[3])
bad = [e for e in events if e["pid"] != pid or e["comm"] != "tool_work"]
a = [e for e in events if e["path"] == path]
b = [e for e in events if e["path"] == missing]
if bad: print("other pids", bad[:2])
elif len(a) != 1 or a[0]["ret"] != fd or a[0]["flags_str"] != "O_RDONLY|O_CLOEXEC" \
     or a[0]["syscall"] != "openat" or a[0]["error"] is not None: print("file:", a)
elif len(b) != 1 or b[0]["ret"] != -2 or b[0]["error"] != "ENOENT" or b[0]["flags"] != 0: print("missing:", b)
else: print("ok")' "$TPID" "$T/bee-open-$$" "$T/bee-missing-$$" "$fd")
why="rc=$rc fd=$fd err=$err $r" check opensnoop_path_fd_enoent test "$rc" = 0 -a "$r" = ok -a "$err" = -2

start_work open2 open "$T/bee-open-$$" "$T/bee-missing2-$$"
start_bee open2 opensnoop -x -n tool_work
go_work; stop_bee; rc=$?
n_missing=$(grep -cE "^$TPID +tool_work +-ENOENT +O_RDONLY +$T/bee-missing2-$$\$" "$T/open2.out")
n_ok=$(grep -c "bee-open-$$" "$T/open2.out")
n_other=$(grep -vE "^PID|-E[A-Z]+ " "$T/open2.out" | grep -c .)
why="rc=$rc missing=$n_missing ok=$n_ok other=$n_other" check opensnoop_failed_only_by_name \
	test "$rc" = 0 -a "$n_missing" = 1 -a "$n_ok" = 0 -a "$n_other" = 0

# ---- bashreadline: an interactive bash under tmux ----
if command -v tmux >/dev/null; then
	sess=bee-tools-br-$$
	tmux new-session -d -s "$sess" -x 120 -y 20 "env -i PATH=/usr/bin:/bin HOME=$T TERM=xterm bash --norc --noprofile -i"
	sleep 0.3
	SPID=$(tmux list-panes -t "$sess" -F '#{pane_pid}')
	start_bee br bashreadline -j -p "$SPID"
	# bash already waits in readline(): a uretprobe sees the calls after it
	tmux send-keys -t "$sess" "true warm-up" Enter
	sleep 0.2
	tmux send-keys -t "$sess" "echo bee-typed-$$ 'x y'" Enter
	wait_for "$T/br.out" "bee-typed-$$" 5; live=$?
	stop_bee; rc=$?
	tmux kill-session -t "$sess" 2>/dev/null
	r=$(pycheck "$T/br.out" '
want = "echo bee-typed-" + args[1] + " " + chr(39) + "x y" + chr(39)
m = [e for e in events if e["line"] == want]
if len(m) != 1 or m[0]["pid"] != int(args[0]) or m[0]["comm"] != "bash": print(events)
elif any(e["pid"] != int(args[0]) for e in events): print("other pids", events)
else: print("ok")' "$SPID" $$)
	why="rc=$rc live=$live $r $(head -c 200 "$T/br.err")" check bashreadline_typed_line \
		test "$rc" = 0 -a "$live" = 0 -a "$r" = ok
else
	skip bashreadline_typed_line "tmux is not installed"
fi

# ---- tcpconnect: IPv4 and IPv6 to a local listener on a unique port ----
port=$((20000 + $$ % 30000))
start_work tcp connect $port
start_bee tcp tcpconnect -j -p "$TPID" -P $port
go_work; stop_bee; rc=$?
read -r _ l4 l6 r4 r6 <<<"$(grep '^done' "$T/work.tcp")"
r=$(pycheck "$T/tcp.out" '
pid, port, v6 = int(args[0]), int(args[1]), args[2] == "1"
four = [e for e in events if e["ip"] == 4]
six = [e for e in events if e["ip"] == 6]
ok4 = len(four) == 1 and four[0]["daddr"] == "127.0.0.1" and four[0]["saddr"] == "127.0.0.1"
ok6 = len(six) == (1 if v6 else 0) and all(e["daddr"] == "::1" and e["saddr"] == "::1" for e in six)
if not (ok4 and ok6) or any(e["pid"] != pid or e["dport"] != port or e["comm"] != "tool_work" for e in events):
    print(events)
else: print("ok")' "$TPID" $port "$l6")
why="rc=$rc listen=$l4/$l6 connect=$r4/$r6 $r" check tcpconnect_port_addresses \
	test "$rc" = 0 -a "$r" = ok -a "$r4" = 0
[ "$l6" = 1 ] || skip tcpconnect_ipv6 "no IPv6 on loopback here"

# ---- syslat: exactly N calls of a rare syscall by one pid ----
start_work sys syscall 1234
start_bee sys syslat -j -p "$TPID" -s getpriority
go_work; stop_bee; rc=$?
r=$(pycheck "$T/sys.out" '
h = hists
if len(h) != 1 or h[0]["count"] != 1234 or h[0]["syscall"] != "getpriority" or h[0]["unit"] != "usecs" \
   or sum(b["count"] for b in h[0]["buckets"]) != 1234: print(h)
else: print("ok")')
why="rc=$rc $r" check syslat_exact_count test "$rc" = 0 -a "$r" = ok

start_work sys2 syscall 321
start_bee sys2 syslat -j -p "$TPID" --per-syscall --nsecs
go_work; stop_bee; rc=$?
r=$(pycheck "$T/sys2.out" '
g = [h for h in hists if h["syscall"] == "getpriority"]
if len(g) != 1 or g[0]["count"] != 321 or g[0]["unit"] != "nsecs" or len(hists) < 2: print(hists[:3])
else: print("ok")')
why="rc=$rc $r" check syslat_per_syscall test "$rc" = 0 -a "$r" = ok

start_work sys3 syscall 50
start_bee sys3 syslat -p "$TPID" -s getpriority
go_work; stop_bee; rc=$?
total=$(awk -F: '/->/{split($2,a," "); s+=a[1]} END{print s+0}' "$T/sys3.out")
why="rc=$rc total=$total" check syslat_text_histogram \
	test "$rc" = 0 -a "$total" = 50 -a -n "$(grep -E '^ +usecs +: count +distribution' "$T/sys3.out")"

# ---- funclatency: a user function called exactly N times ----
start_work fn func 777
start_bee fn funclatency -j -p "$TPID" "$W:tool_work_fn"
go_work; stop_bee; rc=$?
r=$(pycheck "$T/fn.out" '
if len(hists) != 1 or hists[0]["count"] != 777 or hists[0]["probe"] != "uprobe" \
   or hists[0]["unit"] != "nsecs": print(hists)
else: print("ok")')
why="rc=$rc $r $(head -c 200 "$T/fn.err")" check funclatency_uprobe_exact_count test "$rc" = 0 -a "$r" = ok

# a library function by library name, in microseconds
start_work fn2 syscall 400
start_bee fn2 funclatency -j -u -p "$TPID" c:getpriority
go_work; stop_bee; rc=$?
r=$(pycheck "$T/fn2.out" '
if len(hists) != 1 or hists[0]["count"] != 400 or hists[0]["unit"] != "usecs": print(hists)
else: print("ok")')
why="rc=$rc $r $(head -c 200 "$T/fn2.err")" check funclatency_library_by_name test "$rc" = 0 -a "$r" = ok

# a kernel function: fentry/fexit or kprobes where the kernel has them
"$BEE" funclatency -j --duration 0.5 vfs_read >"$T/kf.out" 2>"$T/kf.err"; rc=$?
if [ $rc = 0 ]; then
	r=$(pycheck "$T/kf.out" '
print("ok" if len(hists) == 1 and hists[0]["probe"] in ("fentry", "kprobe") else hists)')
	why="$r" check funclatency_kernel_function test "$r" = ok
else
	one_line_error funclatency_kernel_no_mechanism 1 \
		"cannot trace kernel function 'vfs_read': .*(trampolines|kprobes)" \
		"$BEE" funclatency vfs_read
	skip funclatency_kernel_function \
		"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"])' "$T/kf.out" 2>&1)"
fi

# ---- runqlat: wake-ups of one process, through tp_btf and through tracepoints ----
# Each 1 ms sleep is a wake-up, then a switch in: one sample, plus one per
# preemption. A wake-up that lands before the sleeper has left its CPU (a
# vCPU stalled for over a millisecond on a loaded host) makes no switch and
# no sample, so the count is not exact: want a tenth of the sleeps, all of
# them this process's (-p).
for mode in tp_btf tracepoint; do
	start_work rq$mode sleep 200 1000
	flags=""; [ $mode = tracepoint ] && flags=--tracepoints
	start_bee rq$mode runqlat -j -p "$TPID" $flags
	go_work; stop_bee; rc=$?
	r=$(pycheck "$T/rq$mode.out" '
if len(hists) != 1 or hists[0]["count"] < 20 or hists[0]["probe"] != args[0] \
   or sum(b["count"] for b in hists[0]["buckets"]) != hists[0]["count"]: print(hists)
else: print("ok")' $mode)
	why="rc=$rc $r $(head -c 200 "$T/rq$mode.err")" check runqlat_${mode}_counts test "$rc" = 0 -a "$r" = ok
done
# per process (-P) and per thread (-L): one histogram, keyed and named right
for per in P L; do
	start_work rqper$per sleep 150 1000
	start_bee rqper$per runqlat -j -p "$TPID" -$per
	go_work; stop_bee; rc=$?
	r=$(pycheck "$T/rqper$per.out" '
key = "pid" if args[1] == "P" else "tid"
if len(hists) != 1 or hists[0].get(key) != int(args[0]) or hists[0]["comm"] != "tool_work" \
   or hists[0]["count"] < 15: print(hists)
else: print("ok")' "$TPID" $per)
	why="rc=$rc $r" check runqlat_per_$per test "$rc" = 0 -a "$r" = ok
done
"$BEE" runqlat --duration 0.5 >"$T/rq.out" 2>"$T/rq.err"; rc=$?
why="rc=$rc $(head -3 "$T/rq.out")" check runqlat_system_histogram \
	test "$rc" = 0 -a -n "$(grep -E '^ +usecs +: count +distribution' "$T/rq.out")"

# ---- intervals: -i S -c N prints N histograms, numbered, then stops by itself ----
for t in runqlat syslat "funclatency $W:tool_work_fn"; do
	name=${t%% *}
	s=$SECONDS
	"$BEE" $t -j -i 0.3 -c 3 >"$T/iv.out" 2>"$T/iv.err"; rc=$?
	r=$(pycheck "$T/iv.out" '
if [h.get("interval") for h in hists] != [1, 2, 3] or len(lines) != 3: print(lines)
else: print("ok")')
	why="rc=$rc after $((SECONDS - s))s $r $(head -c 200 "$T/iv.err")" check ${name}_interval_count \
		test "$rc" = 0 -a "$r" = ok -a $((SECONDS - s)) -lt 10
done
one_line_error bad_count_without_interval 2 "syslat: --count needs --interval" "$BEE" syslat -c 2

# ---- bad input: one clear line each ----
nopid=$(( $(cat /proc/sys/kernel/pid_max) - 1 ))
while kill -0 $nopid 2>/dev/null; do nopid=$((nopid - 1)); done
one_line_error bad_unknown_pid 1 "syslat: --pid $nopid: no such process" "$BEE" syslat -p $nopid
one_line_error bad_pid_word 2 "execsnoop: --pid abc: want a process id" "$BEE" execsnoop -p abc
one_line_error bad_option 2 "opensnoop: unknown option '--bogus'" "$BEE" opensnoop --bogus
one_line_error bad_unknown_library 1 "funclatency: library 'nosuchlib_bee': not found" \
	"$BEE" funclatency nosuchlib_bee:foo
one_line_error bad_unknown_symbol 1 "funclatency: .*no_such_fn_bee" \
	"$BEE" funclatency "$W:no_such_fn_bee"
one_line_error bad_unknown_kernel_function 1 "funclatency: no kernel function 'no_such_kfunc_bee'" \
	"$BEE" funclatency no_such_kfunc_bee
one_line_error bad_unknown_syscall 1 "syslat: unknown syscall 'no_such_call'" "$BEE" syslat -s no_such_call
one_line_error bad_shell 1 "bashreadline: /bin/true has no readline" "$BEE" bashreadline --shell /bin/true
one_line_error bad_port 2 "tcpconnect: --port 0: want a port" "$BEE" tcpconnect -P 0
one_line_error bad_duration 2 "runqlat: --duration x: want a positive number" "$BEE" runqlat --duration x
"$BEE" -j funclatency no_such_kfunc_bee >"$T/je.out" 2>&1; rc=$?
why="rc=$rc $(cat "$T/je.out")" check bad_input_json_error \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "no kernel function" in d["error"]' "$T/je.out"

# without privilege: one line saying what is needed (runqlat: not two, though it retries)
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups "$BEE" help >/dev/null 2>&1; then
	for t in execsnoop runqlat; do
		one_line_error not_root_$t 1 "$t: cannot load: Operation not permitted \(bee needs root" \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$BEE" $t --duration 1
	done
else
	skip not_root "user nobody cannot run $BEE here"
fi

# the traced process exits mid-run: the tool stops by itself, summary printed
start_work gone syscall 10
start_bee gone syslat -p "$TPID" -s getpriority --duration 60
s=$SECONDS; go_work; wait $BPID; rc=$?
why="rc=$rc after $((SECONDS - s))s: $(cat "$T/gone.err")" check pid_exits_mid_run \
	test "$rc" = 0 -a $((SECONDS - s)) -lt 10 -a \
	"$(grep -c "syslat: process $TPID exited; stopping" "$T/gone.err")" = 1 -a \
	"$(awk -F: '/->/{split($2,a," "); s+=a[1]} END{print s+0}' "$T/gone.out")" = 10
