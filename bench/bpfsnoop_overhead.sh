#!/usr/bin/env bash
# What tracing bpf() costs the traced program: a loop of N BPF_MAP_LOOKUP_ELEM
# calls (tests/helpers/bpf_calls loop N) run plain, under `bee bpfsnoop`
# and under `strace -f -e bpf`, in the same run, ROUNDS times each (the
# median counts). Prints the loop's own time, the extra each tracer adds,
# their ratio (target: bee's extra <= 1/10 of strace's), the wall time of
# the whole command (bee's includes loading its BPF programs), and whether
# every call was recorded.
#
#   bench/bpfsnoop_overhead.sh [N] [ROUNDS]      (as root; BUILD=build)
set -eu
N=${1:-100000}
ROUNDS=${2:-5}
BUILD=${BUILD:-build}
BEE=$BUILD/bee
H=$BUILD/tests/helpers/bpf_calls
[ "$(id -u)" -eq 0 ] || { echo "bpfsnoop_overhead: run as root" >&2; exit 1; }
[ -x "$BEE" ] && [ -x "$H" ] || { echo "bpfsnoop_overhead: build first (make -j2)" >&2; exit 1; }
command -v strace >/dev/null || scripts/deps.sh bench
tmp=$(mktemp -d /tmp/bee_snoop_bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
loop_ns() { sed -n 's/.*loop_ns=\([0-9]*\).*/\1/p' "$1"; }

: >"$tmp/plain"; : >"$tmp/bee"; : >"$tmp/strace"
: >"$tmp/plain.wall"; : >"$tmp/bee.wall"; : >"$tmp/strace.wall"
lost_bee=0 lost_strace=0
for r in $(seq "$ROUNDS"); do
	# interleaved, so drifts of the machine hit all three alike
	t=$(now); "$H" loop "$N" >"$tmp/out"; echo $(($(now) - t)) >>"$tmp/plain.wall"
	loop_ns "$tmp/out" >>"$tmp/plain"

	t=$(now)
	"$BEE" bpfsnoop -o "$tmp/bee.txt" -- "$H" loop "$N" >"$tmp/out" 2>"$tmp/bee.err"
	echo $(($(now) - t)) >>"$tmp/bee.wall"
	loop_ns "$tmp/out" >>"$tmp/bee"
	got=$(grep -c 'bpf(BPF_MAP_LOOKUP_ELEM, {map_fd=3<map:[0-9]*:snoop_loop>' "$tmp/bee.txt" || true)
	[ "$got" -eq "$N" ] || lost_bee=$((lost_bee + N - got))
	if grep -q lost "$tmp/bee.err"; then cat "$tmp/bee.err" >&2; fi

	t=$(now)
	strace -f -e trace=bpf -o "$tmp/strace.txt" "$H" loop "$N" >"$tmp/out"
	echo $(($(now) - t)) >>"$tmp/strace.wall"
	loop_ns "$tmp/out" >>"$tmp/strace"
	got=$(grep -c 'bpf(BPF_MAP_LOOKUP_ELEM' "$tmp/strace.txt" || true)
	[ "$got" -eq "$N" ] || lost_strace=$((lost_strace + N - got))
done

p=$(median <"$tmp/plain"); b=$(median <"$tmp/bee"); s=$(median <"$tmp/strace")
pw=$(median <"$tmp/plain.wall"); bw=$(median <"$tmp/bee.wall"); sw=$(median <"$tmp/strace.wall")
awk -v n="$N" -v r="$ROUNDS" -v p="$p" -v b="$b" -v s="$s" -v pw="$pw" -v bw="$bw" -v sw="$sw" \
    -v lb="$lost_bee" -v ls="$lost_strace" 'BEGIN {
	printf "bpfsnoop overhead: %d BPF_MAP_LOOKUP_ELEM calls, median of %d rounds\n", n, r
	printf "%-22s %12s %12s %14s %12s\n", "", "loop ms", "extra ms", "extra ns/call", "wall ms"
	printf "%-22s %12.1f %12s %14s %12.1f\n", "plain", p / 1e6, "-", "-", pw / 1e6
	printf "%-22s %12.1f %12.1f %14.0f %12.1f\n", "bee bpfsnoop", b / 1e6, (b - p) / 1e6, (b - p) / n, bw / 1e6
	printf "%-22s %12.1f %12.1f %14.0f %12.1f\n", "strace -f -e bpf", s / 1e6, (s - p) / 1e6, (s - p) / n, sw / 1e6
	eb = b - p; es = s - p
	if (es > 0)
		printf "bee extra / strace extra: %.4f (1/%.0f; target <= 1/10: %s)\n", eb / es, \
		       (eb > 0 ? es / eb : 0), (eb <= es / 10 ? "met" : "NOT met")
	printf "wall: bee adds %.1f ms, strace %.1f ms (bee: BPF load and attach included)\n", (bw - pw) / 1e6, (sw - pw) / 1e6
	printf "calls lost over all rounds: bee %d, strace %d\n", lb, ls
}'
