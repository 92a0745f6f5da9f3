#!/usr/bin/env bash
# Boot a kernel with the kernel-matrix initramfs under qemu-system-x86_64 and
# keep its two serial ports: OUTDIR/console.log (kernel messages, ttyS0) and
# OUTDIR/results.log (the test results, ttyS1; see scripts/kmatrix/init).
#
#   scripts/kmatrix/boot.sh KERNEL INITRAMFS OUTDIR [NAME:ro|rw:IMAGE ...]
#
# KERNEL: a bzImage, or an uncompressed vmlinux with a PVH entry note.
#
# Each NAME:MODE:IMAGE is a raw disk image attached as the next virtio disk
# (vda, vdb, ...); the guest learns which is which from kmx.NAME=vdX on its
# command line (init-stage1 mounts "root", scripts/kmatrix/init "toolchain"
# and "cache").
#
# KMX_ACCEL=kvm|tcg   default: kvm only when /dev/kvm opens and the CPU
#                     shows vmx/svm (nested KVM without them is unusably slow)
# KMX_TCG_THREAD=single|multi   default single. With one host thread per
#                     vCPU (multi) the 6.1 guest locked up in 3 of 26 runs:
#                     both vCPUs stuck for good at the jump-label site in
#                     syscall_trace_enter that the kernel patches when a
#                     syscall tracepoint is switched on or off (QEMU 7.2);
#                     with the vCPUs taking turns on one thread, 0 in 23.
# KMX_CPU (-cpu model; host with KVM, max with TCG)
# KMX_MEM (MiB, 2048), KMX_SMP (2), KMX_TIMEOUT (seconds, 170)
# KMX_APPEND: more kernel command-line words (e.g. loglevel=7 to see the
#             stacks of a lockup on the console)
# Exit status: qemu's; 124 when the time limit ended it, 125 when the guest
# kernel reported a soft lockup (and was stopped).
set -uo pipefail

vmlinuz=$1 initrd=$2 outdir=$3
shift 3
mem=${KMX_MEM:-2048}
smp=${KMX_SMP:-2}
limit=${KMX_TIMEOUT:-170}
accel=${KMX_ACCEL:-}
if [ -z "$accel" ]; then
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
		accel=kvm
	else
		accel=tcg
	fi
fi
if [ "$accel" = kvm ]; then
	acc=(-accel kvm -cpu "${KMX_CPU:-host}")
else
	acc=(-accel "tcg,thread=${KMX_TCG_THREAD:-single}" -cpu "${KMX_CPU:-max}")
fi
drive=() disks=
letters=(a b c d e f)
i=0
for d in "$@"; do
	name=${d%%:*} rest=${d#*:}
	mode=${rest%%:*} img=${rest#*:}
	ro=
	[ "$mode" = ro ] && ro=,readonly=on
	drive+=(-drive "file=$img,if=virtio,format=raw$ro")
	disks+=" kmx.$name=vd${letters[$i]}"
	i=$((i + 1))
done
mkdir -p "$outdir"
rm -f "$outdir/console.log" "$outdir/results.log"
echo "$accel" >"$outdir/accel"

# -nodefaults: no VGA, no NIC, nothing to probe that the tests do not use.
# panic=-1 and -no-reboot: a guest that panics ends the run at once.
qemu-system-x86_64 "${acc[@]}" -m "$mem" -smp "$smp" \
	-nodefaults -display none -no-reboot -monitor none \
	-serial "file:$outdir/console.log" -serial "file:$outdir/results.log" \
	-kernel "$vmlinuz" -initrd "$initrd" "${drive[@]}" \
	-append "console=ttyS0 quiet loglevel=4 panic=-1 mitigations=off$disks${KMX_APPEND:+ $KMX_APPEND}" \
	</dev/null >"$outdir/qemu.log" 2>&1 &
q=$!
# A guest kernel that locks up under emulation (see KMX_TCG_THREAD) never
# recovers: stop at its first soft-lockup report instead of waiting out the
# time limit, and let the caller boot again for what is left.
end=$((SECONDS + limit))
rc=
while kill -0 $q 2>/dev/null; do
	if [ $SECONDS -ge $end ]; then
		rc=124
	elif grep -q 'BUG: soft lockup' "$outdir/console.log" 2>/dev/null; then
		rc=125
	fi
	if [ -n "$rc" ]; then
		kill -KILL $q 2>/dev/null
		wait $q 2>/dev/null
		exit $rc
	fi
	sleep 1
done
wait $q
