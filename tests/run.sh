#!/usr/bin/env bash
# Runs every test binary and script under BUILD and prints one closing line:
#   "tests: N passed, N failed, N skipped"
# Unit and kernel tests are cmocka binaries; CLI tests are shell scripts that
# print "ok NAME", "FAIL NAME: why" or "skip NAME: why" per case.
# BEE_TESTS=unit|kernel|cli|... limits the run to some suites.
set -u
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
export BEE_BUILD=$(cd "$build" && pwd) BEE_ROOT=$root
export BEE=$BEE_BUILD/bee
export CMOCKA_MESSAGE_OUTPUT=stdout
pass=0 fail=0 skip=0
failed=() faillines=()
log=$BEE_BUILD/test-logs
mkdir -p "$log"
suites=${BEE_TESTS:-unit kernel cli extra}

run_cmocka() {
	local t=$1 name out p f s
	name=$(basename "$t")
	out=$log/$name.log
	if [ "$(id -u)" -ne 0 ] && [[ $t == */kernel/* ]]; then
		echo "skip $name: needs root"; skip=$((skip + 1)); return
	fi
	local t0=$SECONDS
	timeout 300 "$t" >"$out" 2>&1
	local rc=$? el=$((SECONDS - t0))
	p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$out" | awk '{s+=$4} END{print s+0}')
	f=$(grep -oE '^\[  FAILED  \] [0-9]+ test' "$out" | awk '{s+=$4} END{print s+0}')
	s=$(grep -oE '^\[  SKIPPED \] [0-9]+' "$out" | awk '{s+=$4} END{print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	grep -E '^\[  (SKIPPED|FAILED)  ?\] [a-z_]' "$out" | sed "s/^/  $name: /"
	grep -E '^(skip|SKIP): ' "$out" | sed "s/^/  $name: /"
	if [ "$f" -ne 0 ]; then
		failed+=("$name")
		echo "--- $name (exit $rc) ---"; tail -n 40 "$out"
		mapfile -t -O ${#faillines[@]} faillines < <(grep -E '^\[  FAILED  \] [a-z_]' "$out" |
			sed "s/^/$name: /" | cut -c1-240)
		[ "$rc" -ne 0 ] && ! grep -qE '^\[  FAILED  \] [a-z_]' "$out" && faillines+=("$name: exit $rc")
	fi
	printf '%-28s %3d passed %3d failed %3d skipped %4ds\n' "$name" "$p" "$f" "$s" "$el"
}

run_script() {
	local t=$1 name out p f s rc
	name=$(basename "$t" .sh)
	out=$log/cli-$name.log
	local t0=$SECONDS
	timeout 600 bash "$t" >"$out" 2>&1
	rc=$?
	local el=$((SECONDS - t0))
	p=$(grep -cE '^ok ' "$out")
	f=$(grep -cE '^FAIL ' "$out")
	s=$(grep -cE '^skip ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "FAIL $name: exit $rc" >>"$out"; fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	grep -E '^(FAIL|skip) ' "$out" | sed "s/^/  $name: /"
	if [ "$f" -ne 0 ]; then
		failed+=("$name")
		echo "--- $name (exit $rc) ---"; tail -n 40 "$out"
		mapfile -t -O ${#faillines[@]} faillines < <(grep -E '^FAIL ' "$out" | sed "s/^/$name: /" | cut -c1-240)
	fi
	# a summary the script left for people (the kernel matrix's table)
	[ -f "$log/$name.summary" ] && cat "$log/$name.summary"
	printf '%-28s %3d passed %3d failed %3d skipped %4ds\n' "$name" "$p" "$f" "$s" "$el"
}

for suite in $suites; do
	case $suite in
	unit|kernel)
		for t in "$BEE_BUILD"/tests/$suite/test_*; do
			[ -x "$t" ] && [[ $t != *.o ]] && [[ $t != *.d ]] && run_cmocka "$t"
		done ;;
	cli)
		for t in "$root"/tests/cli/test_*.sh; do
			[ -f "$t" ] || continue
			# BEE_CLI_ONLY="test_run test_map": only these scripts
			if [ -n "${BEE_CLI_ONLY:-}" ] && [[ " $BEE_CLI_ONLY " != *" $(basename "$t" .sh) "* ]]; then
				continue
			fi
			run_script "$t"
		done ;;
	extra)
		# further suites (asan build, fuzz smoke, kernel matrix) add scripts here
		for t in "$root"/tests/extra/*.sh; do
			[ -f "$t" ] && run_script "$t"
		done ;;
	esac
done

# every failed case once more at the end, where a CI log's tail shows it
if [ ${#faillines[@]} -gt 0 ]; then
	echo "failed cases:"
	printf '  %s\n' "${faillines[@]:0:25}"
	[ ${#faillines[@]} -gt 25 ] && echo "  ... and $((${#faillines[@]} - 25)) more (see the lines above)"
fi
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
