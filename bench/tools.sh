#!/usr/bin/env bash
# The classic tools against their bpftrace one-liners, in the same run:
#  - start-up: launch to "attached" (bee's embedded, pre-compiled object vs
#    bpftrace compiling its script), and the tool's peak RSS;
#  - what tracing costs the traced program: N getpriority() calls under
#    `bee syslat` (every syscall, system-wide) and under bpftrace's
#    raw_syscalls latency histogram; N calls of a user function under
#    `bee funclatency` and under a bpftrace uprobe+uretprobe histogram.
# Each measurement ROUNDS times, interleaved, median printed; bee's
# histogram counts are checked against N.
#
#   bench/tools.sh [N] [ROUNDS]      (as root; BUILD=build)
set -eu
N=${1:-500000}
ROUNDS=${2:-3}
BUILD=${BUILD:-build}
BEE=$BUILD/bee
W=$BUILD/tests/helpers/tool_work
[ "$(id -u)" -eq 0 ] || { echo "tools bench: run as root" >&2; exit 1; }
[ -x "$BEE" ] && [ -x "$W" ] || { echo "tools bench: build first (make -j2)" >&2; exit 1; }
command -v bpftrace >/dev/null || scripts/deps.sh bench
tmp=$(mktemp -d /tmp/bee_tools_bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# a private copy: uprobes are per file, so tests running tool_work at the
# same time do not add calls to these histograms
cp "$W" "$tmp/tool_work"
W=$tmp/tool_work
# and of bee: a rebuild during the run must not swap binaries between rounds
cp "$BEE" "$tmp/bee"
BEE=$tmp/bee

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b ? a / b : 0}'; }
# wait until FILE matches PATTERN (up to 30 s); prints the ns it took since T0
wait_ns() {
	local file=$1 pat=$2 t0=$3 i
	for ((i = 0; i < 3000; i++)); do
		grep -qE -- "$pat" "$file" 2>/dev/null && { echo $(($(now) - t0)); return 0; }
		sleep 0.01
	done
	echo "timeout waiting for '$pat' in $file" >&2
	return 1
}
# run the workload (released at once) and print its wall time in ns
work_ns() { local t; t=$(now); echo go | "$W" "$@" >/dev/null; echo $(($(now) - t)); }

SYS_BT='tracepoint:raw_syscalls:sys_enter { @s[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /@s[tid]/ { @us = hist((nsecs - @s[tid]) / 1000); delete(@s[tid]); }'
FN_BT="uprobe:$W:tool_work_fn { @s[tid] = nsecs; }
uretprobe:$W:tool_work_fn /@s[tid]/ { @ns = hist(nsecs - @s[tid]); delete(@s[tid]); }"

# start TRACER (bee|bt) for KIND (sys|fn); sets TP, appends the start-up ns
start_tracer() {
	local who=$1 kind=$2 t0
	# emptied here: the tracer's own redirection happens after the fork,
	# and the wait below must not find the previous round's line
	: >"$tmp/$who.$kind.out"
	: >"$tmp/$who.$kind.err"
	t0=$(now)
	if [ "$who" = bee ]; then
		if [ "$kind" = sys ]; then
			"$BEE" syslat -j >"$tmp/$who.$kind.out" 2>"$tmp/$who.$kind.err" &
		else
			"$BEE" funclatency -j "$W:tool_work_fn" >"$tmp/$who.$kind.out" 2>"$tmp/$who.$kind.err" &
		fi
		TP=$!
		wait_ns "$tmp/$who.$kind.err" attachment "$t0" >>"$tmp/$who.$kind.start"
	else
		local prog=$SYS_BT
		[ "$kind" = fn ] && prog=$FN_BT
		bpftrace -e "$prog" >"$tmp/$who.$kind.out" 2>"$tmp/$who.$kind.err" &
		TP=$!
		wait_ns "$tmp/$who.$kind.out" '^Attaching' "$t0" >>"$tmp/$who.$kind.start"
		sleep 0.2 # bpftrace prints "Attaching" before it has attached everything
	fi
}
stop_tracer() {
	local who=$1 kind=$2
	grep VmHWM /proc/$TP/status | awk '{print $2}' >>"$tmp/$who.$kind.rss"
	kill -INT $TP
	wait $TP || true
}

for kind in sys fn; do
	arg=syscall
	[ $kind = fn ] && arg=func
	: >"$tmp/plain.$kind"
	for who in bee bt; do : >"$tmp/$who.$kind"; : >"$tmp/$who.$kind.start"; : >"$tmp/$who.$kind.rss"; done
	bad_count=0
	for r in $(seq "$ROUNDS"); do
		work_ns $arg "$N" >>"$tmp/plain.$kind"
		for who in bee bt; do
			start_tracer $who $kind
			work_ns $arg "$N" >>"$tmp/$who.$kind"
			stop_tracer $who $kind
			if [ $who = bee ] && [ $kind = fn ]; then
				c=$(python3 -c 'import json,sys
print([json.loads(l) for l in open(sys.argv[1])][-1]["count"])' "$tmp/bee.fn.out")
				[ "$c" = "$N" ] || { bad_count=$((bad_count + 1)); echo "  round $r: bee counted $c calls" >&2; }
			fi
		done
	done
	plain=$(median <"$tmp/plain.$kind")
	beet=$(median <"$tmp/bee.$kind")
	btt=$(median <"$tmp/bt.$kind")
	bee_extra=$(( (beet - plain) / N ))
	bt_extra=$(( (btt - plain) / N ))
	what="getpriority() calls under a system-wide syscall latency histogram (bee syslat / bpftrace raw_syscalls)"
	[ $kind = fn ] && what="user function calls under uprobe+uretprobe latency histograms (bee funclatency / bpftrace)"
	echo "== $N $what, median of $ROUNDS"
	printf '  plain run            %8.1f ms (%d ns/call)\n' "$(div "$plain" 1000000)" $((plain / N))
	printf '  bee                  %8.1f ms  extra %5d ns/call\n' "$(div "$beet" 1000000)" "$bee_extra"
	printf '  bpftrace             %8.1f ms  extra %5d ns/call\n' "$(div "$btt" 1000000)" "$bt_extra"
	[ "$bt_extra" -gt 0 ] && printf '  ratio bee/bpftrace extra: %.2f\n' "$(div "$bee_extra" "$bt_extra")"
	printf '  start-up to attached: bee %d ms, bpftrace %d ms (ratio %.2f)\n' \
		$(($(median <"$tmp/bee.$kind.start") / 1000000)) $(($(median <"$tmp/bt.$kind.start") / 1000000)) \
		"$(div "$(median <"$tmp/bee.$kind.start")" "$(median <"$tmp/bt.$kind.start")")"
	printf '  peak RSS: bee %d KiB, bpftrace %d KiB\n' "$(median <"$tmp/bee.$kind.rss")" "$(median <"$tmp/bt.$kind.rss")"
	[ $kind = fn ] && echo "  bee histogram count != N in $bad_count of $ROUNDS rounds"
done
