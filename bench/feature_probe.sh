#!/usr/bin/env bash
# `bee feature probe` against `bpftool feature probe`: wall time of the
# whole command, ROUNDS times each, interleaved in the same run; prints the
# median and best of each and bee's ratio to bpftool (target: <= 1.0).
# "cold" makes bee probe everything again ('fresh': parallel threads, the
# same loads bpftool makes); "warm" is the usual run, where the type and
# helper verdicts come from this boot's cache (config, sysctls and bee's
# facts are always read anew). Also JSON (-j) and `full`, and how many
# (program type, helper) pairs each reports available — bpftool 7.1 with
# libbpf 1.1 does not recognise newer kernels' "cannot use helper" verdict
# and reports every helper for every type.
#
#   bench/feature_probe.sh [ROUNDS]       (as root; BUILD=build)
set -eu
ROUNDS=${1:-15}
BUILD=${BUILD:-build}
BEE=$BUILD/bee
[ "$(id -u)" -eq 0 ] || { echo "feature_probe: run as root" >&2; exit 1; }
[ -x "$BEE" ] || { echo "feature_probe: build first (make -j2)" >&2; exit 1; }
command -v bpftool >/dev/null || { echo "feature_probe: bpftool (the peer) is not installed" >&2; exit 1; }
tmp=$(mktemp -d /tmp/bee_feature_bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# a private copy: a rebuild of build/bee during the run must not break it
cp "$BEE" "$tmp/bee"
BEE=$tmp/bee

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
best() { sort -n | head -1; }
ms() { awk -v n="$1" 'BEGIN {printf "%.1f", n / 1e6}'; }

run() { # LABEL CMD...
	local label=$1 t0 t1; shift
	t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
	echo $((t1 - t0)) >>"$tmp/$label"
}

for mode in cold warm json full; do
	case $mode in
	cold) b=("$BEE" feature probe fresh); p=(bpftool feature probe) ;;
	warm) b=("$BEE" feature probe); p=(bpftool feature probe) ;;
	json) b=("$BEE" -j feature probe); p=(bpftool -j feature probe) ;;
	full) b=("$BEE" feature probe full fresh); p=(bpftool feature probe full) ;;
	esac
	: >"$tmp/bee.$mode"; : >"$tmp/bpftool.$mode"
	# one warm-up each (page cache, kernel BTF), then interleaved rounds
	"${b[@]}" >/dev/null 2>&1; "${p[@]}" >/dev/null 2>&1
	for r in $(seq "$ROUNDS"); do
		run "bee.$mode" "${b[@]}"
		run "bpftool.$mode" "${p[@]}"
	done
	bm=$(median <"$tmp/bee.$mode"); pm=$(median <"$tmp/bpftool.$mode")
	bb=$(best <"$tmp/bee.$mode"); pb=$(best <"$tmp/bpftool.$mode")
	printf 'feature probe %-4s  bee median %7s ms (best %7s)  bpftool median %7s ms (best %7s)  ratio %s\n' \
		"$mode" "$(ms "$bm")" "$(ms "$bb")" "$(ms "$pm")" "$(ms "$pb")" \
		"$(awk -v a="$bm" -v b="$pm" 'BEGIN {printf "%.2fx", a / b}')"
done

pairs() { awk '/^eBPF helpers supported/{f=1; next} /^Scanning/{f=0} f && /^\t- /{n++} END {print n+0}'; }
printf 'available (program type, helper) pairs reported: bee %s, bpftool %s\n' \
	"$("$BEE" feature probe | pairs)" "$(bpftool feature probe | pairs)"
echo "rounds: $ROUNDS, CPUs: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"
