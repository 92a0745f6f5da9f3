#!/usr/bin/env bash
# The kernel matrix: bee's tests/kernel suite on the host's kernel and, inside
# QEMU, on Debian's current 6.1 kernel; one line per guest test case
# (`ok`/`skip`/`FAIL`, as tests/run.sh counts them), a FAIL line for each case
# that failed on the host, and a table of every case on every kernel.
#
#   tests/extra/kmatrix.sh [BUILD]        (make check runs it; make check-kernels too)
#
# Host results come from tests/run.sh's logs of this build when they are newer
# than the binary (make check runs the kernel suite just before), else from
# running the binaries here. Where QEMU or the kernel package cannot be had,
# one `skip kmatrix: why` line and exit 0.
#
# Knobs: BEE_KMATRIX_CACHE (kernel cache, default ~/.cache/bee/kmatrix),
# KMX_BUDGET (seconds for the whole step, 240), KMX_TEST_TIMEOUT (per test
# binary in the guest, 120), KMX_JOBS (binaries at a time in the guest, 3),
# KMX_ACCEL/KMX_TCG_THREAD/KMX_MEM/KMX_SMP/KMX_APPEND (scripts/kmatrix/boot.sh), KMX_MODULES/KMX_TOOLS/
# KMX_CLANG (scripts/kmatrix/mkinitramfs.sh), KMX_TESTS (a regex of the test
# binaries to run, e.g. 'test_net|test_kmatrix_.*'), BEE_KMATRIX=0 to skip.
set -uo pipefail

root=${BEE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${1:-${BEE_BUILD:-$root/build}}
build=$(cd "$build" 2>/dev/null && pwd) || { echo "FAIL kmatrix: no build directory ${1:-${BEE_BUILD:-$root/build}}"; exit 1; }
kmx=$root/scripts/kmatrix
out=$build/kmatrix
budget=${KMX_BUDGET:-240}
mkdir -p "$out"
# tests/run.sh prints test-logs/kmatrix.summary after this step's line
summary=$build/test-logs/kmatrix.summary
rm -f "$summary"
# one run at a time per build tree (two `make check`s in one tree share it)
exec 7>"$out/.lock"
if ! flock -w 240 7; then
	echo "skip kmatrix: another kernel-matrix run has held $out for 4 minutes"
	exit 0
fi
t0=$EPOCHREALTIME

since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}'; }

if [ "${BEE_KMATRIX:-1}" = 0 ]; then
	echo "skip kmatrix: BEE_KMATRIX=0"
	exit 0
fi
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "skip kmatrix: qemu-system-x86_64 is not installed (scripts/deps.sh installs qemu-system-x86)"; exit 0; }
for c in busybox cpio modinfo python3; do
	command -v $c >/dev/null || { echo "skip kmatrix: $c is not installed (scripts/deps.sh installs it)"; exit 0; }
done
[ "$(uname -m)" = x86_64 ] || { echo "skip kmatrix: Debian's amd64 kernel needs an x86_64 host for a usable VM"; exit 0; }

tests=()
for t in "$build"/tests/kernel/test_*; do
	[ -x "$t" ] && [[ $t != *.o ]] && [[ $t != *.d ]] || continue
	[[ $(basename "$t") =~ ^(${KMX_TESTS:-.*})$ ]] && tests+=("$t")
done
[ ${#tests[@]} -gt 0 ] || { echo "skip kmatrix: no kernel test binaries in $build/tests/kernel (run make first)"; exit 0; }

# ---- the guest kernel --------------------------------------------------------
if ! fetched=$("$kmx/fetch.sh" 2>"$out/fetch.err"); then
	echo "skip kmatrix: cannot get Debian's kernel package: $(tail -n1 "$out/fetch.err")"
	exit 0
fi
eval "$fetched" # KVER DIR SOURCE
t_fetch=$(since "$t0")

# ---- host results --------------------------------------------------------------
hostdir=$out/host
rm -rf "$hostdir" && mkdir -p "$hostdir"
export CMOCKA_MESSAGE_OUTPUT=stdout BEE_BUILD=$build BEE_ROOT=$root BEE=$build/bee
ran_here=0
for t in "${tests[@]}"; do
	name=$(basename "$t")
	log=$build/test-logs/$name.log
	if [ -f "$log" ] && [ "$log" -nt "$t" ]; then
		cp "$log" "$hostdir/$name.log"
	elif [ "$(id -u)" -ne 0 ]; then
		printf '[ RUN      ] (all)\nskip: (all): needs root\n[  SKIPPED ] (all)\n[==========] 1 test(s) run.\n' \
			>"$hostdir/$name.log"
	else
		(cd "$root" && timeout 300 stdbuf -oL -eL "$t" >"$hostdir/$name.log" 2>&1 </dev/null)
		echo $? >"$hostdir/$name.rc"
		ran_here=$((ran_here + 1))
	fi
done
t_host=$(since "$t0")

# ---- initramfs and boot --------------------------------------------------------
cache=$(dirname "$DIR")
if ! KMX_DURATIONS=$cache/durations-$KVER "$kmx/mkinitramfs.sh" "$build" "$root" "$DIR" "$KVER" "$out" \
	"$cache/toolchain.img" 2>"$out/mkinitramfs.err"; then
	echo "FAIL kmatrix: building the initramfs failed: $(tail -n1 "$out/mkinitramfs.err")"
	exit 1
fi
t_initrd=$(since "$t0")
disks=("root:rw:$out/root.img")
tc=$(cat "$out/toolchain-image" 2>/dev/null) && disks+=("toolchain:ro:$tc")
# bee's compile cache inside the guest, kept between runs (one run at a time
# may use it; the others go without)
gcache=$cache/guest-cache-$KVER.img
exec 8>"$gcache.lock"
flock -n 8 && gcache_ok=1 || gcache_ok=
repair_gcache() { # a guest stopped mid-run leaves it unclean: repair, or start afresh
	[ -n "$gcache_ok" ] || return
	if [ -f "$gcache" ] && ! e2fsck -p -f "$gcache" >/dev/null 2>&1; then
		e2fsck -y -f "$gcache" >/dev/null 2>&1
		[ $? -lt 4 ] || rm -f "$gcache"
	fi
	[ -f "$gcache" ] || mke2fs -q -t ext2 -m 0 -L bee-cache "$gcache" 1G >/dev/null 2>&1 ||
		rm -f "$gcache"
}
repair_gcache
[ -n "$gcache_ok" ] && [ -f "$gcache" ] && disks+=("cache:rw:$gcache")
kernel=$DIR/vmlinuz
[ -f "$DIR/vmlinux" ] && kernel=$DIR/vmlinux
# Boot; when the guest kernel locks up (scripts/kmatrix/boot.sh stops it,
# exit 125), boot again for the binaries that have not reported, while the
# budget lasts. guest/results.log and guest/console.log hold every boot.
guest=$out/guest
rm -rf "$guest" && mkdir -p "$guest"
: >"$guest/results.log"
: >"$guest/console.log"
boots=0 lockups=() only=
while :; do
	boots=$((boots + 1))
	left=$(awk -v b="$budget" -v u="$(since "$t0")" 'BEGIN{l=int(b-u); print l < 30 ? 30 : l}')
	KMX_TIMEOUT=$left KMX_APPEND="${KMX_APPEND:-}${only:+ kmx.only=$only}" \
		"$kmx/boot.sh" "$kernel" "$out/initramfs.cpio" "$guest/$boots" "${disks[@]}"
	qrc=$?
	cat "$guest/$boots/results.log" >>"$guest/results.log" 2>/dev/null
	cat "$guest/$boots/console.log" >>"$guest/console.log" 2>/dev/null
	[ $qrc -eq 125 ] || break
	lockups+=("boot $boots: $(tr -d '\r' <"$guest/$boots/console.log" | grep -m1 -o 'BUG: soft lockup.*')")
	only=
	for t in "${tests[@]}"; do
		n=$(basename "$t")
		tr -d '\r' <"$guest/results.log" | grep -q "^KMX TEST $n END " || only+=${only:+,}$n
	done
	# another boot needs time for the boot itself and the binaries left
	if [ -z "$only" ] || [ "$(awk -v b="$budget" -v u="$(since "$t0")" 'BEGIN{print (b - u >= 45)}')" != 1 ]; then
		break
	fi
	repair_gcache
done
accel=$(cat "$guest/1/accel" 2>/dev/null)
t_boot=$(since "$t0")
if [ ! -s "$guest/results.log" ] && [ $qrc -ne 0 ] && [ $qrc -ne 124 ] && [ $qrc -ne 125 ]; then
	# qemu itself would not start (no TCG on this build, bad option...)
	echo "skip kmatrix: qemu-system-x86_64 failed to start (exit $qrc): $(tail -n1 "$guest/1/qemu.log")"
	exit 0
fi

# ---- the matrix --------------------------------------------------------------------
hostk=$(uname -r)
note="kernel matrix: host $hostk vs $KVER (Debian $(sed 's/^linux-image-[^_]*_\([^_]*\)_.*/\1/' "$DIR/package" 2>/dev/null), ${accel:-?}, ${KMX_SMP:-2} vCPU, ${KMX_MEM:-2048} MiB); ${#tests[@]} test binaries"
[ $boots -gt 1 ] && note+="; $boots boots (the guest kernel locked up under emulation and was booted again for the binaries left)"
python3 "$kmx/report.py" --kernel "host=dir:$hostdir" --kernel "$KVER=serial:$guest/results.log" \
	--table "$out/table.txt" --markdown "$out/table.md" --note "$note"
rrc=$?
# how long each binary took, to start the longest first next time: the
# larger of this run's time and 0.8 of the remembered one, so a binary that is
# slow only sometimes (compiling after its sources changed) stays early
durs=$cache/durations-$KVER
if [ -s "$guest/results.log" ]; then
	tr -d '\r' <"$guest/results.log" |
		sed -nE 's/^KMX TEST (\S+) END rc=\S+ secs=(\S+)$/new \1 \2/p' >"$durs.tmp"
	# a binary still running when the guest stopped counts as the longest
	tr -d '\r' <"$guest/console.log" 2>/dev/null | sed -nE 's/^kmx \[[0-9.]+\] started (\S+)$/\1/p' |
		while read -r n; do
			grep -q "^new $n " "$durs.tmp" || echo "new $n $budget"
		done >>"$durs.tmp"
	if [ -f "$durs" ]; then sed 's/^/old /' "$durs" >>"$durs.tmp"; fi
	awk '$1 == "new" { n[$2] = $3 } $1 == "old" { o[$2] = 0.8 * $3 }
	     END { for (k in n) print k, (k in o && o[k] > n[k] ? o[k] : n[k])
		   for (k in o) if (!(k in n)) print k, o[k] }' "$durs.tmp" >"$durs.new" &&
		mv "$durs.new" "$durs"
	rm -f "$durs.tmp"
fi
if [ -d "$build/test-logs" ]; then cp "$out/table.txt" "$summary"; fi
for l in "${lockups[@]}"; do
	echo "kmatrix: the guest kernel locked up under emulation ($l)"
done
if [ $qrc -eq 124 ]; then
	echo "FAIL kmatrix: the guest did not finish within the ${budget}s budget (see $guest/console.log)"
	rrc=1
elif [ $qrc -eq 125 ]; then
	echo "FAIL kmatrix: the guest kernel locked up $boots times, the budget is spent (see $guest/console.log)"
	rrc=1
elif ! tr -d '\r' <"$guest/results.log" | grep -q '^KMX DONE'; then
	echo "FAIL kmatrix: the guest stopped before the end (exit $qrc; see $guest/console.log)"
	rrc=1
else
	echo "ok kmatrix:boot-$KVER"
fi
if [ $rrc -ne 0 ]; then
	# what the guest kernel said last, so that a CI log shows why
	tr -d '\r' <"$guest/$boots/console.log" 2>/dev/null | tail -n 12 | sed 's/^/kmatrix: guest console: /'
fi
echo "kmatrix: wall time $(since "$t0") s: kernel package ${t_fetch} s ($SOURCE), host results $(awk -v a="$t_fetch" -v b="$t_host" 'BEGIN{printf "%.1f", b-a}') s ($ran_here binaries run here), initramfs $(awk -v a="$t_host" -v b="$t_initrd" 'BEGIN{printf "%.1f", b-a}') s, boot + tests + power-off $(awk -v a="$t_initrd" -v b="$t_boot" 'BEGIN{printf "%.1f", b-a}') s"
echo "kmatrix: table in $out/table.txt, guest console in $guest/console.log"
exit $rrc
