#!/usr/bin/env bash
# bee profile on a workload that spins in spin_hot(): the top stack names it,
# folded stacks sum to the sample count, the SVG parses as XML and names it,
# JSON and the kernel/user-only modes, and one clear line for bad input.
set -u
BEE=${BEE:-build/bee}
BEE_BUILD=${BEE_BUILD:-build}
SPIN=$BEE_BUILD/tests/helpers/spin
tmp=$(mktemp -d /tmp/bee-profile-$$-XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

if [ "$(id -u)" -ne 0 ]; then
	echo "skip profile: needs root (perf events and BPF)"
	exit 0
fi

# A private copy: a rebuild of the shared build tree while this runs must
# not swap the binary under the test.
for i in 1 2 3 4 5; do
	cp "$BEE" "$tmp/bee" 2>/dev/null && "$tmp/bee" -V >/dev/null 2>&1 && break
	sleep 1
done
BEE=$tmp/bee

"$SPIN" 30 >/dev/null &
spin=$!
pids+=("$spin")
sleep 0.2

# ---- text output, folded, SVG from one run
"$BEE" profile -p "$spin" --duration 2 -F 99 --folded "$tmp/out.folded" --svg "$tmp/out.svg" \
	>"$tmp/out.txt" 2>"$tmp/err.txt"
rc=$?
if [ $rc -ne 0 ]; then
	fail profile_run "exit $rc: $(cat "$tmp/err.txt")"
else
	ok profile_run
fi

samples=$(awk 'NR == 1 && $2 == "samples" {print $1}' "$tmp/out.txt")
# the first stack: lines after the first blank line up to its count
top=$(awk 'BEGIN {b = 0} /^$/ {b++; next} b == 1 {print}' "$tmp/out.txt")
if [ -n "$samples" ] && [ "$samples" -gt 0 ] && grep -q 'spin_hot+0x[0-9a-f]* (spin.c:[0-9]*) \[spin\]' <<<"$top" &&
	grep -q "^    -  *spin ($spin)$" <<<"$top"; then
	ok profile_top_stack_is_spin_hot
else
	fail profile_top_stack_is_spin_hot "samples='$samples', top stack: $top"
fi

sum=$(awk '{s += $NF} END {print s + 0}' "$tmp/out.folded")
if [ "$sum" = "$samples" ]; then
	ok profile_folded_sums_to_samples
else
	fail profile_folded_sums_to_samples "folded sum $sum, samples $samples"
fi

if grep -qE '^spin;(.*;)?spin_hot [0-9]+$' "$tmp/out.folded" && ! grep -vqE '^spin;' "$tmp/out.folded"; then
	ok profile_folded_lines
else
	fail profile_folded_lines "$(head -5 "$tmp/out.folded")"
fi

svg=$(python3 - "$tmp/out.svg" "$samples" <<'EOF' 2>&1
import sys, xml.etree.ElementTree as ET
ns = '{http://www.w3.org/2000/svg}'
root = ET.parse(sys.argv[1]).getroot()
titles = [t.text for t in root.iter(ns + 'title')]
rects = list(root.iter(ns + 'rect'))
hot = [t for t in titles if t.startswith('spin_hot (')]
allf = [t for t in titles if t.startswith('all (')]
assert root.tag == ns + 'svg', root.tag
assert hot, 'no spin_hot frame in %r' % titles[:10]
assert allf and allf[0].startswith('all (%s samples' % sys.argv[2]), allf
assert len(rects) == len(titles) + 1, (len(rects), len(titles))
print('ok')
EOF
)
if [ "$svg" = ok ]; then
	ok profile_svg_parses_and_names_spin_hot
else
	fail profile_svg_parses_and_names_spin_hot "$svg"
fi

# ---- JSON, and the kernel-only / user-only modes
"$BEE" -j profile -p "$spin" -d 1 -F 99 -n 0 >"$tmp/j.json" 2>"$tmp/j.err"
j=$(python3 -c '
import sys, json
d = json.load(sys.stdin)
assert isinstance(d, list) and d, d
pid = int(sys.argv[1])
assert all(e["pid"] == pid and e["comm"] == "spin" and e["count"] > 0 for e in d), d
assert d[0]["user_stack"][0].startswith("spin_hot+"), d[0]
assert [e["count"] for e in d] == sorted([e["count"] for e in d], reverse=True)
print("ok")' "$spin" <"$tmp/j.json" 2>&1)
[ "$j" = ok ] && ok profile_json || fail profile_json "$j; stdout: $(head -c 300 "$tmp/j.json"); stderr: $(cat "$tmp/j.err")"

for mode in kernel user; do
	"$BEE" profile -p "$spin" -d 1 -F 99 -n 0 --$mode-only -j >"$tmp/j.json" 2>"$tmp/j.err"
	j=$(python3 -c '
import sys, json
d = json.load(sys.stdin)
other = "user_stack" if sys.argv[1] == "kernel" else "kernel_stack"
assert isinstance(d, list) and d, d
assert all(e[other] == [] for e in d), [e[other] for e in d if e[other]][:3]
print("ok")' "$mode" <"$tmp/j.json" 2>&1)
	[ "$j" = ok ] && ok profile_${mode}_only ||
		fail profile_${mode}_only "$(tail -1 <<<"$j"); stdout: $(head -c 300 "$tmp/j.json"); stderr: $(cat "$tmp/j.err")"
done

# ---- every process (no -p): runs, and folded sums to the count
"$BEE" profile -d 1 -F 49 -n 1 --folded "$tmp/all.folded" >"$tmp/all.txt" 2>"$tmp/all.err"
rc=$?
n=$(awk 'NR == 1 && $2 == "samples" {print $1}' "$tmp/all.txt")
sum=$(awk '{s += $NF} END {print s + 0}' "$tmp/all.folded")
if [ $rc -eq 0 ] && [ -n "$n" ] && [ "$n" = "$sum" ] && grep -q '^spin;' "$tmp/all.folded"; then
	ok profile_all_processes
else
	fail profile_all_processes "exit $rc, samples '$n', folded sum $sum: $(head -3 "$tmp/all.txt") $(cat "$tmp/all.err")"
fi

# ---- every process: one that runs 1 s and is gone (binary deleted too)
# before the profile ends still has its frames named
cp "$SPIN" "$tmp/spinshort"
"$BEE" profile -d 3 -F 99 -n 0 --folded "$tmp/short_all.folded" >/dev/null 2>"$tmp/short_all.err" &
prof=$!
sleep 0.5
"$tmp/spinshort" 1 >/dev/null
rm -f "$tmp/spinshort"
wait "$prof"
rc=$?
if [ $rc -eq 0 ] && grep -qE '^spinshort;(.*;)?spin_hot [0-9]+$' "$tmp/short_all.folded"; then
	ok profile_exited_process_named
else
	fail profile_exited_process_named "exit $rc: $(grep '^spinshort' "$tmp/short_all.folded" | head -3) $(cat "$tmp/short_all.err")"
fi

# ---- a pid sampled before its exec (a busy shell) and again after it: the
# samples after the exec are named from the new program, not the shell's maps
cp "$SPIN" "$tmp/spinexec"
"$BEE" profile -d 4 -F 99 -n 0 --folded "$tmp/exec_all.folded" >/dev/null 2>"$tmp/exec_all.err" &
prof=$!
sleep 0.5
bash -c 'end=$((SECONDS + 2)); while [ $SECONDS -lt $end ]; do :; done; exec "$0" 1' "$tmp/spinexec" >/dev/null
rm -f "$tmp/spinexec"
wait "$prof"
rc=$?
if [ $rc -eq 0 ] && grep -qE '^bash;' "$tmp/exec_all.folded" &&
	grep -qE '^spinexec;(.*;)?spin_hot [0-9]+$' "$tmp/exec_all.folded"; then
	ok profile_exec_renamed
else
	fail profile_exec_renamed "exit $rc: $(grep -E '^(spinexec|bash);' "$tmp/exec_all.folded" | cut -c1-120 | head -3) $(cat "$tmp/exec_all.err")"
fi
# bash has no frame pointers: its frame-pointer walks run into stack data,
# which is cut off: no user frame in no mapping at all (a bare "[unknown]")
# with more user frames below it. (The sampled frame itself may be one: a
# sample inside execve has the old program's registers and the new maps.)
garbage() {
	awk '/^bash;/ { sub(/ [0-9]+$/, ""); n = split($0, f, ";")
		for (i = 2; i < n; i++) if (f[i] == "[unknown]" && f[i + 1] !~ /_\[k\]$/) { print; next } }' \
		"$tmp/exec_all.folded"
}
if grep -qE '^bash;' "$tmp/exec_all.folded" && [ -z "$(garbage)" ]; then
	ok profile_no_garbage_frames
else
	fail profile_no_garbage_frames "$(garbage | cut -c1-160 | head -2)"
fi

# ---- a pid that exits mid-run: stops early, says so, still names its frames
"$SPIN" 1 >/dev/null &
short=$!
pids+=("$short")
sleep 0.1
start=$(date +%s)
"$BEE" profile -p "$short" -d 20 -F 99 >"$tmp/short.txt" 2>"$tmp/short.err"
rc=$?
took=$(($(date +%s) - start))
if [ $rc -eq 0 ] && [ $took -lt 10 ] && grep -q "^bee: profile: pid $short exited after" "$tmp/short.err" &&
	grep -q 'spin_hot+' "$tmp/short.txt"; then
	ok profile_pid_exits_mid_run
else
	fail profile_pid_exits_mid_run "exit $rc after ${took}s: $(cat "$tmp/short.err") $(head -4 "$tmp/short.txt")"
fi

# ---- no --duration: SIGTERM ends it, and the stacks are still printed
"$BEE" profile -p "$spin" -F 99 >"$tmp/term.txt" 2>"$tmp/term.err" &
prof=$!
sleep 1
kill -TERM "$prof"
wait "$prof"
rc=$?
if [ $rc -eq 0 ] && grep -q '^[0-9]* samples at 99 Hz' "$tmp/term.txt" && grep -q 'spin_hot+' "$tmp/term.txt"; then
	ok profile_sigterm_prints_results
else
	fail profile_sigterm_prints_results "exit $rc: $(cat "$tmp/term.err") $(head -3 "$tmp/term.txt")"
fi

# ---- --dwarf: callers of code built without frame pointers
NOFP=$BEE_BUILD/tests/helpers/spin_nofp
"$NOFP" 6 >/dev/null &
nofp=$!
pids+=("$nofp")
sleep 0.2
"$BEE" profile -p "$nofp" -d 1.5 -F 99 --folded "$tmp/fp.folded" >"$tmp/fp.txt" 2>"$tmp/fp.err"
"$BEE" profile -p "$nofp" -d 1.5 -F 99 --dwarf --folded "$tmp/dw.folded" >"$tmp/dw.txt" 2>"$tmp/dw.err"
rc=$?
n=$(awk 'NR == 1 && $2 == "samples" {print $1}' "$tmp/dw.txt")
sum=$(awk '{s += $NF} END {print s + 0}' "$tmp/dw.folded")
# frame pointers alone stop at the sampled function
if grep -q '^spin_nofp;nofp_hot ' "$tmp/fp.folded" && ! grep -q 'nofp_middle' "$tmp/fp.folded"; then
	ok profile_fp_misses_callers
else
	fail profile_fp_misses_callers "$(head -3 "$tmp/fp.folded")"
fi
if [ $rc -eq 0 ] && grep -qE '^spin_nofp;_start;(.*;)?main;nofp_outer;nofp_middle;nofp_hot [0-9]+$' "$tmp/dw.folded"; then
	ok profile_dwarf_callers
else
	fail profile_dwarf_callers "exit $rc: $(head -3 "$tmp/dw.folded") $(cat "$tmp/dw.err")"
fi
[ -n "$n" ] && [ "$n" = "$sum" ] && ok profile_dwarf_folded_sum ||
	fail profile_dwarf_folded_sum "samples '$n', folded sum $sum"
# text: the frames innermost first, with source lines (DWARF, -p)
if awk '/nofp_hot\+0x/ {h = NR} /nofp_middle\+0x/ && h && NR == h + 1 {m = NR}
	/nofp_outer\+0x/ && m && NR == m + 1 {print "ok"; exit}' "$tmp/dw.txt" | grep -q ok &&
	grep -qE 'nofp_middle\+0x[0-9a-f]+ \(spin_nofp\.c:[0-9]+\) \[spin_nofp\]' "$tmp/dw.txt"; then
	ok profile_dwarf_text
else
	fail profile_dwarf_text "$(sed -n 1,12p "$tmp/dw.txt")"
fi
"$BEE" -j profile -p "$nofp" -d 1 -F 99 --dwarf >"$tmp/dw.json" 2>"$tmp/dwj.err"
j=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
top = d[0]
names = [f.split("+")[0] for f in top["user_stack"]]
assert names[:3] == ["nofp_hot", "nofp_middle", "nofp_outer"], names
assert top["pid"] == int(sys.argv[1]), top["pid"]
print("ok")' "$nofp" <"$tmp/dw.json" 2>&1)
[ "$j" = ok ] && ok profile_dwarf_json || fail profile_dwarf_json "$(tail -1 <<<"$j") $(cat "$tmp/dwj.err")"
kill "$nofp" 2>/dev/null
wait "$nofp" 2>/dev/null

# ---- bad input: one line each, the right exit code
check_err() {
	local name=$1 want_rc=$2 want=$3
	shift 3
	# the error line only: stdout may hold the results of a run that got far
	out=$("$BEE" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq "$want_rc" ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -qF -- "$want" <<<"$out"; then
		ok "$name"
	else
		fail "$name" "want exit $want_rc and '$want', got exit $rc: $out"
	fi
}
check_err profile_unknown_pid 1 "bee: profile: no process with pid 999999999" profile -p 999999999 -d 1
check_err profile_bad_freq 2 "bee: profile: -F must be at least 1 Hz" profile -F 0
check_err profile_freq_too_high 2 "bee: profile: -F must be a number from 0 to" profile -F 99999999
check_err profile_both_only 2 "--kernel-only and --user-only exclude each other" profile -K -U
check_err profile_dwarf_kernel_only 2 "bee: profile: --dwarf unwinds user stacks; --kernel-only has none" profile --dwarf -K
check_err profile_bad_duration 2 "--duration must be a positive number of seconds, got 'x'" profile -d x
check_err profile_unknown_option 2 "unknown option '--bogus'" profile --bogus
check_err profile_unwritable_svg 1 "cannot write the flame graph to '/nonexistent/x.svg'" \
	profile -p "$spin" -d 0.2 -n 0 --svg /nonexistent/x.svg

out=$("$BEE" profile --help)
if [ $? -eq 0 ] && grep -q '^Usage: bee profile' <<<"$out" && grep -q -- '--folded FILE' <<<"$out"; then
	ok profile_help
else
	fail profile_help "$out"
fi
