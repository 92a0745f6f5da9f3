#!/usr/bin/env bash
# Map dump speed: `bee map dump` against `bpftool map dump` (and a bare C
# loop of batch lookups, the floor) on a 1,000,000-entry hash map with
# 4-byte keys and 8-byte values, printed to a file and to /dev/null, in
# the same run. Prints the times, the ratios, peak memory, and whether the
# outputs are identical. Then a sparse map (1,000 entries in room for
# 1,000,000), where batching must not lose to per-element iteration.
#   bench/map_dump.sh [BUILD] [ENTRIES]
set -eu
build=${1:-build}
entries=${2:-1000000}
BEE=$build/bee
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/bee-bench-map.XXXXXX)
pin=/sys/fs/bpf/bee_bench_map_$$
sparse=/sys/fs/bpf/bee_bench_sparse_$$
trap 'rm -f $pin $sparse; rm -rf $tmp' EXIT
command -v bpftool >/dev/null || { echo "bpftool is needed as the peer"; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

gcc -O2 -o $tmp/peer "$root/bench/map_dump_peer.c" -lbpf
$BEE map create $pin type hash key 4 value 8 entries $entries name bench_dump
$tmp/peer fill $pin $entries
$BEE map create $sparse type hash key 4 value 8 entries 1000000 name bench_sparse
$tmp/peer fill $sparse 1000

# best of N wall-clock seconds of a command (stdout to $out)
best() {
	local n=$1 out=$2; shift 2
	local b=
	for i in $(seq 1 $n); do
		local s=$(date +%s.%N)
		"$@" >$out
		local e=$(date +%s.%N)
		local t=$(echo "$e - $s" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	printf '%.3f' $b
}
peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
ratio() { printf '%.3f' "$(echo "$1 / $2" | bc -l)"; }

echo "map dump of $entries entries (hash, key 4 B, value 8 B), best of 3:"
tb=$(best 3 $tmp/bpftool.out bpftool map dump pinned $pin)
te=$(best 3 $tmp/bee.out $BEE map dump pinned $pin)
tp=$(best 3 $tmp/peer.out $tmp/peer dump $pin)
printf '  to a file:   bpftool %6ss   bee %6ss   bare batch loop %6ss   bee/bpftool %sx   bee/bare %sx\n' \
	$tb $te $tp $(ratio $te $tb) $(ratio $te $tp)
nb=$(best 3 /dev/null bpftool map dump pinned $pin)
ne=$(best 3 /dev/null $BEE map dump pinned $pin)
np=$(best 3 /dev/null $tmp/peer dump $pin)
printf '  /dev/null:   bpftool %6ss   bee %6ss   bare batch loop %6ss   bee/bpftool %sx   bee/bare %sx\n' \
	$nb $ne $np $(ratio $ne $nb) $(ratio $ne $np)
je=$(best 3 /dev/null $BEE -j map dump pinned $pin)
jb=$(best 3 /dev/null bpftool -j map dump pinned $pin)
printf '  JSON:        bpftool %6ss   bee %6ss   bee/bpftool %sx\n' $jb $je $(ratio $je $jb)
if cmp -s $tmp/bpftool.out $tmp/bee.out; then same=identical; else same=DIFFERENT; fi
echo "  output: $(wc -l <$tmp/bee.out) lines, bee's and bpftool's text $same"
# CPU seconds (user + sys) too: wall time on a loaded machine waits for the CPU
cpu_s() { /usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.2f", $1 + $2}'; }
if [ -x /usr/bin/time ]; then
	cb=$(cpu_s bpftool map dump pinned $pin) ce=$(cpu_s $BEE map dump pinned $pin)
	cp=$(cpu_s $tmp/peer dump $pin)
	echo "  CPU time (user+sys): bpftool ${cb}s, bee ${ce}s, bare batch loop ${cp}s, bee/bpftool $(ratio $ce $cb)x"
	echo "  peak RSS: bpftool $(peak_kb bpftool map dump pinned $pin) KB, bee $(peak_kb $BEE map dump pinned $pin) KB"
fi
typed=/sys/fs/bpf/bee_bench_typed_$$
trap 'rm -f $pin $sparse $typed; rm -rf $tmp' EXIT
$tmp/peer typed $typed $entries
$tmp/peer fill $typed $entries
tb=$(best 3 /dev/null bpftool map dump pinned $typed)
te=$(best 3 /dev/null $BEE map dump pinned $typed)
printf 'with BTF (u32 -> u64, both print typed values): bpftool %ss, bee %ss, bee/bpftool %sx\n' \
	$tb $te $(ratio $te $tb)
sb=$(best 20 /dev/null bpftool map dump pinned $sparse)
se=$(best 20 /dev/null $BEE map dump pinned $sparse)
printf 'sparse map (1000 entries in room for 1000000): bpftool %ss, bee %ss, bee/bpftool %sx\n' \
	$sb $se $(ratio $se $sb)
# `map list` (start-up, one fdinfo read per map), best of 30 runs each
python3 - "$BEE" <<'PY'
import subprocess, sys, time
def best(cmd, n=30):
    b = 9.0
    for _ in range(n):
        s = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL)
        b = min(b, time.perf_counter() - s)
    return b
nmaps = subprocess.run(["bpftool", "map", "list"], capture_output=True, text=True).stdout.count("max_entries")
e, b = best([sys.argv[1], "map", "list"]), best(["bpftool", "map", "list"])
print("map list (%d maps): bpftool %.4fs, bee %.4fs, bee/bpftool %.3fx" % (nmaps, b, e, e / b))
PY
