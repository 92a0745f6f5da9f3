#!/usr/bin/env bash
# bee profile --dwarf vs perf record --call-graph dwarf + perf script, same
# machine, same run: two processes built without frame pointers
# (tests/helpers/spin_nofp) spin for S seconds while each profiler samples
# every CPU at 99 Hz; then each one's CPU time (bee: sampling, unwinding and
# printing in one; perf: recording, then unwinding in `perf script`), its
# peak RSS, and the share of the spinners' samples whose stack reaches
# nofp_outer (a caller no frame-pointer walk finds).
#   bench/profile_dwarf.sh [BUILD] [SECONDS]      (root; default build, 10)
set -eu
build=${1:-build}
secs=${2:-10}
bee=$build/bee
nofp=$build/tests/helpers/spin_nofp
out=$(mktemp -d /tmp/bee_bench_dwarf.XXXXXX)
trap 'kill $s1 $s2 2>/dev/null; rm -rf "$out"' EXIT

command -v perf >/dev/null || { echo "bench: perf is not installed (linux-perf)"; exit 1; }
[ -x "$bee" ] && [ -x "$nofp" ] || { echo "bench: build bee and $nofp first (make)"; exit 1; }
cp "$bee" "$out/bee" && bee=$out/bee

spin() {
	"$nofp" $((secs + 3)) >/dev/null &
	s1=$!
	"$nofp" $((secs + 3)) >/dev/null &
	s2=$!
	sleep 0.3
}
# cpu seconds and peak RSS (KiB) of a command, from GNU time
measure() { # NAME CMD...
	local name=$1
	shift
	/usr/bin/time -f "%U %S %M" -o "$out/$name.time" "$@" >"$out/$name.out" 2>"$out/$name.err"
	read -r u s m <"$out/$name.time"
	awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u + s}' >"$out/$name.cpu"
	echo "$m" >"$out/$name.rss"
}
# share of spin_nofp samples whose stack holds nofp_outer, from folded lines
reach() {
	awk '$0 ~ /^spin_nofp;/ { t += $NF; if ($0 ~ /nofp_outer;nofp_middle;nofp_hot/) r += $NF }
	     END { printf "%.1f%% of %d", t ? 100 * r / t : 0, t }' "$1"
}

spin
measure bee "$bee" profile -F 99 -d "$secs" --dwarf -n 1 --folded "$out/bee.folded"
wait $s1 $s2 2>/dev/null || true

spin
measure perf_record perf record -q -F 99 -a --call-graph dwarf -o "$out/perf.data" -- sleep "$secs"
measure perf_script perf script -i "$out/perf.data" -F comm,ip,sym
wait $s1 $s2 2>/dev/null || true
# perf script prints a header line per sample, then one frame per line
# (innermost first): fold them (outermost first) for the same count
awk 'NF == 0 { if (comm != "") { line = comm; for (i = n; i >= 1; i--) line = line ";" f[i]; c[line]++ }
		   comm = ""; n = 0; next }
     comm == "" { comm = $1; next }
     { n++; f[n] = $2 }
     END { for (l in c) print l, c[l] }' "$out/perf_script.out" >"$out/perf.folded"

pcpu=$(awk -v a="$(cat "$out/perf_record.cpu")" -v b="$(cat "$out/perf_script.cpu")" 'BEGIN{printf "%.2f", a + b}')
prss=$(awk -v a="$(cat "$out/perf_record.rss")" -v b="$(cat "$out/perf_script.rss")" 'BEGIN{print (a > b ? a : b)}')
echo "profile --dwarf, 2 spinners without frame pointers, ${secs} s at 99 Hz on every CPU:"
echo "  bee:  cpu $(cat "$out/bee.cpu") s (sample + unwind + print), peak rss $(($(cat "$out/bee.rss") / 1024)) MB, stacks reaching nofp_outer: $(reach "$out/bee.folded")"
echo "  perf: cpu $pcpu s (record $(cat "$out/perf_record.cpu") s + script $(cat "$out/perf_script.cpu") s), peak rss $((prss / 1024)) MB, stacks reaching nofp_outer: $(reach "$out/perf.folded")"
awk -v a="$(cat "$out/bee.cpu")" -v b="$pcpu" 'BEGIN{ if (b > 0) printf "  ratio bee/perf cpu: %.2fx\n", a / b }'
