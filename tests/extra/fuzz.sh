#!/usr/bin/env bash
# make check's fuzz smoke: build every libFuzzer target, replay the saved
# regression inputs, then fuzz each target for a few seconds.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BEE_BUILD:-$root/build}
secs=${BEE_FUZZ_SECONDS:-5}
if ! make --no-print-directory -j2 fuzz-build BUILD="$(realpath --relative-to="$root" "$build")" >/tmp/bee-fuzz-build.$$ 2>&1; then
	echo "FAIL fuzz_build: $(tail -5 /tmp/bee-fuzz-build.$$)"
	rm -f /tmp/bee-fuzz-build.$$
	exit 1
fi
rm -f /tmp/bee-fuzz-build.$$
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export BEE_FUZZ_OBJ=$build/examples/helpers.bpf.o
for r in fuzz/regressions/*; do
	[ -f "$r" ] || continue
	t=build-fuzz/fuzz_$(basename "$r" | sed 's/-.*//')
	if "$t" "$r" >/tmp/bee-fuzz-reg.$$ 2>&1; then
		echo "ok fuzz_regression_$(basename "$r")"
	else
		echo "FAIL fuzz_regression_$(basename "$r"): $(grep -m3 -E 'ERROR|SUMMARY' /tmp/bee-fuzz-reg.$$)"
	fi
	rm -f /tmp/bee-fuzz-reg.$$
done
scripts/fuzz.sh build-fuzz "$build" "$secs"
