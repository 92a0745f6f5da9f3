#!/usr/bin/env bash
# make check's sanitizer pass: bee, libbee and the tests rebuilt with
# AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer on) in
# build-asan/, then the unit and CLI suites run against that build. Any
# sanitizer report fails the step: reports go to files, so a report from a
# command whose output a test does not look at still counts.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
ab=$root/build-asan
if ! make --no-print-directory -j2 SAN=1 all >"/tmp/bee-asan-build.$$" 2>&1; then
	echo "FAIL asan_build: $(grep -m5 -E 'error' "/tmp/bee-asan-build.$$")"
	rm -f "/tmp/bee-asan-build.$$"
	exit 1
fi
rm -f "/tmp/bee-asan-build.$$"
logs=$ab/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"
export ASAN_OPTIONS="detect_leaks=1:log_path=$logs/asan:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$logs/ubsan"
export LSAN_OPTIONS="suppressions=$root/tests/extra/lsan.supp"
# make check runs the CLI suites that cover the runner and the inspection
# commands; make check-long (BEE_LONG=1) runs them all.
if [ -z "${BEE_LONG:-}" ] && [ -z "${BEE_CLI_ONLY+x}" ]; then
	export BEE_CLI_ONLY="test_run test_map test_prog test_btf test_feature"
fi
out=$(BEE_TESTS="${BEE_ASAN_SUITES:-unit cli}" tests/run.sh "$ab" 2>&1)
# one line per suite from the inner run, as ok/FAIL lines of this step
echo "$out" | awk '/ passed .* failed/ {
	name=$1; f=$4
	if (f == 0) print "ok asan_" name; else print "FAIL asan_" name ": " f " failed"
}'
echo "$out" | grep -E '^(FAIL|  [a-z_]+: FAIL)' | head -20
reports=$(ls "$logs" 2>/dev/null | wc -l)
if [ "$reports" -ne 0 ]; then
	echo "FAIL asan_reports: $reports sanitizer report(s) in $logs:"
	for f in "$logs"/*; do
		grep -m3 -E 'ERROR|SUMMARY|runtime error' "$f" | sed 's/^/  /'
		grep -m6 -E '^ +#[0-9]+ ' "$f" | sed 's/^/  /'
	done
else
	echo "ok asan_reports: no sanitizer reports"
fi
