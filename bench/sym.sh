#!/usr/bin/env bash
# Symbolisation and profiling costs, bee against its peers in the same run
# (rates per CPU second of the process, since the machine may be shared):
#  1. symbolising 1,000,000 random addresses in libc's text from a warm
#     cache (target >= 5 M addresses/s), against binutils' addr2line -f on
#     20,000 of the same addresses;
#  2. the first lookup in a new binary the size of bash: read the maps,
#     parse the binary, resolve readline (target < 50 ms; median of 20,
#     cache emptied each time), against one `addr2line -f -e bash` run;
#  3. user-space CPU of `bee profile -F 99` on every CPU for DURATION s
#     while two spinning workloads keep both CPUs busy (target < 1% of one
#     CPU), against bpftrace doing the same (profile:hz:99, stacks counted
#     in a map, printed at exit).
#
#   bench/sym.sh [DURATION]      (as root; BUILD=build)
set -eu
DUR=${1:-10}
BUILD=${BUILD:-build}
BEE=$BUILD/bee
SPIN=$BUILD/tests/helpers/spin
[ "$(id -u)" -eq 0 ] || { echo "sym: run as root" >&2; exit 1; }
[ -x "$BEE" ] && [ -x "$SPIN" ] && [ -f "$BUILD/libbee.a" ] || { echo "sym: build first (make -j2)" >&2; exit 1; }
command -v bpftrace >/dev/null || scripts/deps.sh bench
tmp=$(mktemp -d /tmp/bee_sym_bench.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT

mkdir -p "$BUILD/bench"
gcc -O2 -g -D_GNU_SOURCE -Iinclude bench/sym_bench.c "$BUILD/libbee.a" \
	$(pkg-config --libs libbpf libelf zlib capstone libdw) -lpthread -o "$BUILD/bench/sym_bench"
B=$BUILD/bench/sym_bench
now() { date +%s%N; }
val() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "== 1. warm symbolisation (libc text, random addresses)"
"$B" warm 1000000 "$tmp/vaddrs" >"$tmp/warm"
bee_rate=$(val warm_addr_per_s "$tmp/warm")
libc=$(awk '/libc.so.6/ {print $NF; exit}' /proc/self/maps)
n=$(wc -l <"$tmp/vaddrs")
# its CPU time (user + system), like bee's figure: the machine may be shared
a2l_s=$( { TIMEFORMAT='%U %S'; time addr2line -f -e "$libc" <"$tmp/vaddrs" >"$tmp/a2l"; } 2>&1 |
	awk '{print $1 + $2}')
a2l_rate=$(awk -v n="$n" -v s="$a2l_s" 'BEGIN {printf "%.0f", n / (s > 0 ? s : 0.001)}')
printf '  bee:       %d addresses in %.3f CPU s (%.3f s wall) = %.2f M addr/s per CPU second, %.2f M/s wall (%d named; target >= 5 M/s)\n' \
	"$(val warm_addresses "$tmp/warm")" "$(val warm_cpu_seconds "$tmp/warm")" "$(val warm_seconds "$tmp/warm")" \
	"$(awk -v r="$bee_rate" 'BEGIN {print r / 1e6}')" \
	"$(awk -v r="$(val warm_addr_per_wall_s "$tmp/warm")" 'BEGIN {print r / 1e6}')" "$(val warm_hits "$tmp/warm")"
printf '  bee, addresses spread over all %s executable mappings of the process: %.2f M addr/s (%d named)\n' \
	"$(val mixed_mappings "$tmp/warm")" "$(awk -v r="$(val mixed_addr_per_s "$tmp/warm")" 'BEGIN {print r / 1e6}')" \
	"$(val mixed_hits "$tmp/warm")"
printf '  addr2line: %d addresses in %.3f CPU s = %.3f M addr/s per CPU second\n' "$n" \
	"$a2l_s" "$(awk -v r="$a2l_rate" 'BEGIN {print r / 1e6}')"
printf '  ratio bee/addr2line: %.0fx\n' "$(awk -v a="$bee_rate" -v b="$a2l_rate" 'BEGIN {print a / b}')"

echo "== 2. first lookup in a new binary"
bash_bin=$(readlink -f "$(command -v bash)")
rl=$(nm -D --defined-only "$bash_bin" | awk '$3 == "readline" {print $1}')
"$B" first "$bash_bin" "$rl" >"$tmp/first"
: >"$tmp/a2l_first"
for i in $(seq 10); do
	t=$(now); addr2line -f -e "$bash_bin" "0x$rl" >/dev/null; echo $(($(now) - t)) >>"$tmp/a2l_first"
done
a2l_ms=$(median <"$tmp/a2l_first" | awk '{printf "%.2f", $1 / 1e6}')
printf '  bee:       %s (%s bytes): median %s ms, max %s ms, %s resolved (target < 50 ms)\n' \
	"$bash_bin" "$(stat -c %s "$bash_bin")" "$(val first_ms_median "$tmp/first")" \
	"$(val first_ms_max "$tmp/first")" "$(val first_resolved "$tmp/first")"
printf '  addr2line: one run on the same binary: median %s ms\n' "$a2l_ms"
printf '  ratio addr2line/bee: %.1fx\n' "$(awk -v a="$a2l_ms" -v b="$(val first_ms_median "$tmp/first")" 'BEGIN {print a / b}')"

echo "== 3. profiler CPU in user space, 99 Hz on every CPU, ${DUR} s, both CPUs busy"
for i in 1 2; do "$SPIN" $((DUR * 3 + 30)) >/dev/null & pids+=($!); done
sleep 0.3
cpu_of() { # user and system seconds of a command, from bash's `time`
	local TIMEFORMAT='%U %S'
	{ time "$@" >"$tmp/cmd.out" 2>"$tmp/cmd.err"; } 2>&1
}
read -r bee_u bee_s < <(cpu_of "$BEE" profile -F 99 -d "$DUR" -n 5 --folded "$tmp/p.folded")
samples=$(awk 'NR == 1 {print $1}' "$tmp/cmd.out")
read -r bt_u bt_s < <(cpu_of bpftrace -e "profile:hz:99 { @[kstack, ustack, comm] = count(); } interval:s:$DUR { exit(); }")
bt_lines=$(grep -c '^@\[' "$tmp/cmd.out" || true)
pct() { awk -v u="$1" -v d="$DUR" 'BEGIN {printf "%.2f", 100 * u / d}'; }
printf '  bee profile: user %.2f s, sys %.2f s = %s%% of one CPU in user space (%s samples; target < 1%%)\n' \
	"$bee_u" "$bee_s" "$(pct "$bee_u")" "$samples"
printf '  bpftrace:    user %.2f s, sys %.2f s = %s%% of one CPU in user space (%s stacks)\n' \
	"$bt_u" "$bt_s" "$(pct "$bt_u")" "$bt_lines"
printf '  ratio bpftrace/bee (user CPU): %.1fx\n' "$(awk -v a="$bt_u" -v b="$bee_u" 'BEGIN {print (b > 0 ? a / b : 0)}')"
