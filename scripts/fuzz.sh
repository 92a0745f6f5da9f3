#!/usr/bin/env bash
# Run every fuzz target for SECONDS each, from a corpus seeded with the
# project's own objects; print "ok fuzz_X: N runs in S s" or "FAIL fuzz_X".
#   scripts/fuzz.sh FUZZ_BUILD BUILD SECONDS
set -u
fb=${1:-build-fuzz} build=${2:-build} secs=${3:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
export BEE_FUZZ_OBJ=$build/examples/helpers.bpf.o
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
rc=0

seed() { # TARGET DIR
	local t=$1 d=$2
	mkdir -p "$d"
	[ -n "$(ls -A "$d" 2>/dev/null)" ] && return
	case $t in
	fuzz_obj_open)
		cp "$build"/examples/*.bpf.o "$d"/ 2>/dev/null ;;
	fuzz_disasm)
		for o in "$build"/examples/*.bpf.o "$build"/tests/bpf/*.bpf.o; do
			for s in $(llvm-objdump -h "$o" 2>/dev/null | awk '$2 ~ /^(tp|tracepoint|raw_tp|xdp|tc|kprobe|uprobe|socket|perf_event|cgroup)/ {print $2}'); do
				llvm-objcopy -O binary --only-section="$s" "$o" "$d/$(basename "$o").$(echo "$s" | tr / _)" 2>/dev/null
			done
		done ;;
	fuzz_btf_fmt)
		for o in "$build"/examples/*.bpf.o; do
			# --dump-section: -O binary drops .BTF, which is not an ALLOC section
			llvm-objcopy --dump-section .BTF="$d/tmp.btf" "$o" "$d/tmp.o" 2>/dev/null || continue
			rm -f "$d/tmp.o"
			python3 -c 'import struct,sys; b=open(sys.argv[1],"rb").read(); sys.stdout.buffer.write(struct.pack("<I",len(b))+b+bytes(range(64)))' "$d/tmp.btf" >"$d/$(basename "$o").seed"
			rm -f "$d/tmp.btf"
		done ;;
	fuzz_event)
		head -c 200 /dev/urandom >"$d/random"; printf 'bash\0\0\0\0' >"$d/comm" ;;
	fuzz_elf_sym)
		cp "$build/tests/helpers/run_target" "$d/" 2>/dev/null; cp /bin/true "$d/" ;;
	fuzz_attr)
		printf '\0\1\0\0\0\4\0\0\0\10\0\0\0\20\0\0\0' >"$d/map_create"
		printf '\5\1\0\0\0\2\0\0\0' >"$d/prog_load" ;;
	fuzz_bytes)
		printf '0xc1 0xc2' >"$d/a"; printf '1 2 255 0x0' >"$d/b" ;;
	esac
}

for t in "$fb"/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	corpus=$fb/corpus/$name
	seed "$name" "$corpus"
	log=$fb/$name.log
	start=$(date +%s.%N)
	"$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$fb/crash-$name-" "$corpus" >"$log" 2>&1
	status=$?
	runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
	el=$(echo "$(date +%s.%N) - $start" | bc -l)
	if [ $status -eq 0 ]; then
		printf 'ok %s: %s runs in %.0f s, no crash\n' "$name" "${runs:-?}" "$el"
	else
		echo "FAIL $name: exit $status, see $log"
		grep -E 'ERROR|SUMMARY|#[0-9]+ 0x' "$log" | head -12
		rc=1
	fi
done
exit $rc
