#!/usr/bin/env bash
# Reliability on the real kernel: exact accounting of event floods for both
# buffer kinds, kill -9 at random points of attach and streaming for every
# attach kind bee makes with a link, fd hygiene. BEE_LONG=1 (make check-long)
# runs 100 kill trials per kind and a 60 s flood with a memory check.
. "$(dirname "$0")/lib.sh"
EX=$BEE_ROOT/examples
FLOOD=$BEE_BUILD/tests/helpers/flood
export BEE_CACHE_DIR=$T/cache
LONG=${BEE_LONG:-}
TRIALS=$([ -n "$LONG" ] && echo 100 || echo 10)

# ---- floods: delivered + lost == produced, exactly ----
flood() { # NAME EXAMPLE N RATE [extra bee args]
	local name=$1 ex=$2 n=$3 rate=$4; shift 4
	rm -f "$T/go"; mkfifo "$T/go"
	"$FLOOD" "$n" "$rate" <"$T/go" >"$T/flood.out" &
	local fpid=$!
	exec {go}>"$T/go"
	wait_for "$T/flood.out" '^ready' 5
	local tpid; tpid=$(awk '/^ready/{print $2}' "$T/flood.out")
	"$BEE" run "$EX/$ex" --set target_pid=$tpid -o "$T/$name.ev" --no-maps "$@" 2>"$T/$name.err" &
	local bpid=$!
	wait_for "$T/$name.err" attachment 30
	echo go >&$go; exec {go}>&-
	wait $fpid
	sleep 0.3
	kill -INT $bpid; wait $bpid
	local got lost lines
	got=$(sed -nE 's/^bee: ([0-9]+) events? received, ([0-9]+) lost$/\1/p' "$T/$name.err")
	lost=$(sed -nE 's/^bee: ([0-9]+) events? received, ([0-9]+) lost$/\2/p' "$T/$name.err")
	lines=$(grep -c "^pid=$tpid " "$T/$name.ev")
	why="produced $n, received ${got:-?} (lines $lines), lost ${lost:-?}: $(tail -2 "$T/$name.err")" \
		check "$name" test -n "$got" -a "$((got + lost))" = "$n" -a "$lines" = "$got"
}
flood flood_ring_10k ringbuf_output.bpf.c 10000 10000
flood flood_ring_100k ringbuf_output.bpf.c 100000 100000
flood flood_ring_max ringbuf_output.bpf.c 300000 0
flood flood_ring_max_tiny ringbuf_output.bpf.c 300000 0 -C -DRB_PAGES=1
flood flood_perf_10k perf_output.bpf.c 10000 10000
flood flood_perf_100k perf_output.bpf.c 100000 100000
flood flood_perf_max perf_output.bpf.c 300000 0

if [ -n "$LONG" ]; then
	# 60 s at full speed: bee's memory stays flat
	rm -f "$T/go"; mkfifo "$T/go"
	"$FLOOD" 2000000000 0 <"$T/go" >"$T/flood.out" &
	fpid=$!; exec {go}>"$T/go"; wait_for "$T/flood.out" '^ready' 5
	tpid=$(awk '/^ready/{print $2}' "$T/flood.out")
	"$BEE" run "$EX/ringbuf_output.bpf.c" --set target_pid=$tpid -o /dev/null --no-maps 2>"$T/long.err" &
	bpid=$!; wait_for "$T/long.err" attachment 30
	echo go >&$go; exec {go}>&-
	sleep 10; rss1=$(awk '/VmRSS/{print $2}' /proc/$bpid/status)
	sleep 50; rss2=$(awk '/VmRSS/{print $2}' /proc/$bpid/status)
	kill $fpid; kill -INT $bpid; wait $bpid
	why="RSS after 10 s ${rss1} kB, after 60 s ${rss2} kB" check flood_60s_memory_flat test "$rss2" -le $((rss1 + 1024))
fi

# ---- kill -9 at random points: nothing left in the kernel ----
# Each kind runs a program whose name starts with "beek9"; after every kill
# no such program may remain (links and attachments die with it).
mkdir -p "$T/k9"
TGT=$BEE_BUILD/tests/helpers/run_target
cat >"$T/k9/tp.bpf.c" <<'C'
#include "bee/bee.bpf.h"
u64 n;
SEC("tp/syscalls/sys_enter_getppid") int beek9_tp(void *c) { n++; return 0; }
BEE_GPL;
C
cat >"$T/k9/raw_tp.bpf.c" <<'C'
#include "bee/bee.bpf.h"
u64 n;
SEC("raw_tp/sys_enter") int beek9_raw(void *c) { n++; return 0; }
BEE_GPL;
C
cat >"$T/k9/tp_btf.bpf.c" <<'C'
#include "bee/bee.bpf.h"
u64 n;
SEC("tp_btf/sched_switch") int BPF_PROG(beek9_btf, bool p, struct task_struct *a, struct task_struct *b) { n++; return 0; }
BEE_GPL;
C
cat >"$T/k9/uprobe.bpf.c" <<C
#include "bee/bee.bpf.h"
u64 n;
SEC("uprobe/$TGT:bee_target_fn") int beek9_up(void *c) { n++; return 0; }
BEE_GPL;
C
cat >"$T/k9/perf.bpf.c" <<'C'
#include "bee/bee.bpf.h"
u64 n;
SEC("perf_event") int beek9_perf(void *c) { n++; return 0; }
BEE_GPL;
C
cat >"$T/k9/fentry.bpf.c" <<'C'
#include "bee/bee.bpf.h"
u64 n;
SEC("fentry/do_nanosleep") int BPF_PROG(beek9_fentry) { n++; return 0; }
BEE_GPL;
C
k9() { # KIND FILE [bee args]
	local kind=$1 file=$2; shift 2
	# warm the cache so the trials measure attach and streaming, not clang
	"$BEE" run "$file" --duration 0.05 -q --no-maps "$@" >/dev/null 2>"$T/k9.warm"
	if grep -q 'trampolines\|no kprobes' "$T/k9.warm"; then
		skip "kill9_$kind" "$(head -c 200 "$T/k9.warm")"
		return
	fi
	local i held=0 left="" total=0
	for ((i = 0; i < TRIALS; i++)); do
		"$BEE" run "$file" -q --no-maps "$@" >/dev/null 2>&1 &
		local pid=$!
		# a random point between start (loading, attaching) and streaming;
		# freeze it there, note what it holds, then kill -9
		sleep "0.0$((RANDOM % 40 + 1))"
		kill -STOP $pid 2>/dev/null
		local progs links
		progs=$(held_ids $pid prog); links=$(held_ids $pid link)
		kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
		held=$((held + $(echo $progs $links | wc -w)))
		for _ in $(seq 60); do
			left=""
			for id in $progs; do kernel_has prog "$id" && left+=" prog:$id"; done
			for id in $links; do kernel_has link "$id" && left+=" link:$id"; done
			[ -z "$left" ] && break
			sleep 0.05
		done
		[ -n "$left" ] && total=$((total + $(echo $left | wc -w)))
	done
	why="$TRIALS trials, $held objects held at the kill, $total left in the kernel" \
		check "kill9_$kind" test "$total" = 0
}
k9 tracepoint "$T/k9/tp.bpf.c"
k9 raw_tp "$T/k9/raw_tp.bpf.c"
k9 tp_btf "$T/k9/tp_btf.bpf.c"
k9 uprobe "$T/k9/uprobe.bpf.c"
k9 perf_event "$T/k9/perf.bpf.c" -F 99
k9 fentry "$T/k9/fentry.bpf.c"

# ---- fd hygiene: every fd bee holds is close-on-exec ----
# started with only fds 0-2 open, so that every other fd is bee's own
python3 -c 'import os,sys; os.closerange(3, 65536); os.execv(sys.argv[1], sys.argv[1:])' \
	"$BEE" run "$EX/ringbuf_output.bpf.c" --duration 10 -q --no-maps >/dev/null 2>&1 &
pid=$!
sleep 1.5
bad=""
for f in /proc/$pid/fdinfo/*; do
	fd=$(basename "$f")
	[ "$fd" -le 2 ] && continue
	flags=$(awk '/^flags:/{print $2}' "$f")
	# O_CLOEXEC is 02000000 (octal)
	(( (8#$flags & 8#2000000) == 0 )) && bad+=" $fd($(readlink /proc/$pid/fd/$fd))"
done
nfd=$(ls /proc/$pid/fd | wc -l)
kill -INT $pid; wait $pid
why="fds without O_CLOEXEC:$bad" check fds_close_on_exec test -z "$bad" -a "$nfd" -gt 3
