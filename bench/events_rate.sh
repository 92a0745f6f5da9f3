#!/usr/bin/env bash
# Events delivered per second, decoded, to a file: bee run vs bpftrace's
# printf vs a minimal hand-written libbpf ring-buffer consumer (libbpf's
# default wake-up per record), in the same run. The generator makes N
# getppid() calls on CPU 0; the consumer runs on CPU 1.
#   bench/events_rate.sh [BUILD] (N=2000000 by default)
set -u
build=${1:-build}
bee=$(realpath "$build/bee")
N=${N:-2000000}
T=$(mktemp -d /tmp/bee-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$(dirname "$0")/.."
cc -O2 -o "$T/gen" bench/gen_getppid.c || exit 1
cc -O2 -o "$T/consumer" bench/libbpf_consumer.c -lbpf -lelf -lz || exit 1
clang -target bpf -g -O2 -D__TARGET_ARCH_x86 -Iinclude -I"$build" -DBEE_RB_WAKEUP_EACH \
	-c examples/ringbuf_output.bpf.c -o "$T/ring_each.bpf.o" || exit 1
"$bee" run examples/ringbuf_output.bpf.c --duration 0.1 -q >/dev/null 2>&1 # warm bee's cache

# run NAME CONSUMER-COMMAND... : prints "NAME delivered lost seconds rate"
run() {
	local name=$1; shift
	mkfifo "$T/go"
	taskset -c 0 "$T/gen" "$N" <"$T/go" >"$T/gen.out" &
	local gpid=$!
	exec {go}>"$T/go"
	while ! grep -q ready "$T/gen.out" 2>/dev/null; do sleep 0.01; done
	local tpid; tpid=$(awk '/ready/{print $2}' "$T/gen.out")
	local cmd=("${@//TPID/$tpid}")
	taskset -c 1 "${cmd[@]}" >"$T/$name.stdout" 2>"$T/$name.err" &
	local cpid=$!
	# attached?
	for i in $(seq 600); do
		grep -qE 'attach|Attaching' "$T/$name.err" "$T/$name.stdout" 2>/dev/null && break
		sleep 0.05
	done
	sleep 0.3
	local t0; t0=$(date +%s.%N)
	echo go >&$go; exec {go}>&-
	wait $gpid
	kill -INT $cpid; wait $cpid
	local t1; t1=$(date +%s.%N)
	rm -f "$T/go"
	local lines lost
	lines=$(grep -c "$tpid" "$T/$name.out" 2>/dev/null || echo 0)
	lost=$(grep -ohE '([0-9]+) lost|Lost ([0-9]+)' "$T/$name.err" "$T/$name.stdout" | grep -oE '[0-9]+' | head -1)
	echo "$name $lines ${lost:-0} $(echo "$t1 - $t0" | bc -l) $(awk '/done/{print $2}' "$T/gen.out")"
}

echo "N=$N getppid() calls; events decoded to a file; generator on CPU 0, consumer on CPU 1"
printf '%-24s %10s %10s %8s %12s\n' tool delivered lost seconds events/s
results=()
r=$(run bee "$bee" run examples/ringbuf_output.bpf.c --set target_pid=TPID -o "$T/bee.out" --no-maps)
results+=("$r")
r=$(run libbpf_default "$T/consumer" "$T/ring_each.bpf.o" TPID "$T/libbpf_default.out")
results+=("$r")
if command -v bpftrace >/dev/null; then
	r=$(run bpftrace bpftrace -o "$T/bpftrace.out" -e 'tracepoint:syscalls:sys_enter_getppid /pid == TPID/ { printf("pid=%d tid=%d comm=%s\n", pid, tid, comm); }')
	results+=("$r")
fi
declare -A rate
for r in "${results[@]}"; do
	set -- $r
	rt=$(echo "$2 / $4" | bc -l)
	rate[$1]=$rt
	printf '%-24s %10d %10d %8.2f %12.0f   (generator %.2f s)\n' "$1" "$2" "$3" "$4" "$rt" "$5"
	if [ $(( $2 + $3 )) -ne "$N" ]; then echo "  $1: delivered + lost = $(( $2 + $3 )) of $N produced: $(( N - $2 - $3 )) records lost without being counted"; fi
done
[ -n "${rate[bpftrace]:-}" ] && printf 'bee / bpftrace printf: %.1fx (target >= 5x)\n' "$(echo "${rate[bee]} / ${rate[bpftrace]}" | bc -l)"
printf 'bee / minimal libbpf consumer (wake-up per record): %.2fx\n' "$(echo "${rate[bee]} / ${rate[libbpf_default]}" | bc -l)"
echo "BCC: not measured here (bpfcc needs kernel headers, which this kernel does not ship)"
