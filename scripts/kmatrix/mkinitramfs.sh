#!/usr/bin/env bash
# Build what the kernel-matrix guest boots: an initramfs, the root disk it
# switches to, and the read-only disk that carries clang.
#
#   scripts/kmatrix/mkinitramfs.sh BUILD ROOT KDIR KVER OUTDIR [TOOLCHAIN_IMG]
#
# BUILD, ROOT: bee's build and source trees (absolute). They are placed at the
# same absolute paths inside the guest, so BEE_BUILD/BEE_ROOT and any path a
# test derives from them or from /proc/self/exe resolve as on the host.
# KDIR: the unpacked kernel package (scripts/kmatrix/fetch.sh), KVER its release.
#
# OUTDIR/initramfs.cpio: busybox, the first-stage init (init-stage1) and the
# virtio/ext4 modules it loads to mount the root disk; then it switches root.
# OUTDIR/root.img: the guest's root (ext2, written by the guest, made anew
# each run): bee, every tests/kernel binary, tests/helpers, examples (programs
# and BPF objects), tools' and tests' BPF objects, build/vmlinux.h, the source
# tree (headers, BPF sources, data), the shared libraries of every ELF file
# copied (ldd) and those bee dlopens, busybox, bash as /bin/sh (busybox's sh
# would prefer its own ip/tc applets over iproute2), iproute2, bpftool, ping,
# the kernel's config, the modules named in $KMX_MODULES with their
# dependencies, and the second-stage init (scripts/kmatrix/init).
# Why a disk and not all in the initramfs: under TCG the kernel unpacks an
# initramfs at a few MB/s (35 MB cost 13 s); from a disk it reads only the
# pages the tests touch.
#
# TOOLCHAIN_IMG (optional): an ext2 image with clang, its libraries and
# headers, and Debian's python3, for the tests that open BPF C sources (bee
# compiles them in the guest against a vmlinux.h made from the guest kernel's
# BTF) or parse bee's JSON. Built only when what goes in changes; the guest
# mounts it read-only at /toolchain, and the root disk links those paths there.
set -euo pipefail

build=$1 root=$2 kdir=$3 kver=$4 outdir=$5 timg=${6:-}
here=$(cd "$(dirname "$0")" && pwd)
modules=${KMX_MODULES:-veth dummy ifb tun sch_ingress sch_prio sch_fq cls_bpf act_bpf act_gact}
tools=${KMX_TOOLS:-bash ip tc bpftool ping ss unshare nsenter timeout stat mount umount taskset stdbuf}
test_timeout=${KMX_TEST_TIMEOUT:-120}
jobs=${KMX_JOBS:-3}

R=$(mktemp -d "${TMPDIR:-/tmp}/bee-kmatrix-root.XXXXXX")
I=$(mktemp -d "${TMPDIR:-/tmp}/bee-kmatrix-initrd.XXXXXX")
S=
rm -f "$outdir/toolchain-image"
trap 'rm -rf "$R" "$I" ${S:+"$S"}' EXIT
# Debian 12's merged /usr layout, so library paths from ldd land right.
layout() {
	mkdir -p "$1"/usr/{bin,sbin,lib,lib64}
	ln -s usr/bin "$1/bin"
	ln -s usr/sbin "$1/sbin"
	ln -s usr/lib "$1/lib"
	ln -s usr/lib64 "$1/lib64"
}
layout "$R"
mkdir -p "$R"/{proc,sys,dev,tmp,run,root,etc,boot,toolchain,kmx/modules} "$R"/var/{tmp,lib,cache}
# as on Debian: /var/run is /run (ip netns keeps its mounts in /var/run/netns)
ln -s /run "$R/var/run"
ln -s /run/lock "$R/var/lock"

declare -A seen
# Copy a file to the same path under $dest, dereferenced; hard links when
# on the same filesystem (the toolchain stage is 200 MB).
dest=$R
put() {
	local src=$1 dst=$dest$1
	mkdir -p "$(dirname "$dst")"
	cp -L "$src" "$dst"
}
# Copy an ELF file and every shared library it needs.
put_elf() {
	local f=$1 lib
	put "$f"
	for lib in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+' || true); do
		[ -n "${seen[$dest$lib]:-}" ] && continue
		seen[$dest$lib]=1
		put "$lib"
	done
}
is_elf() { [ -f "$1" ] && [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = "177ELF" ]; }

# busybox first; real tools below replace its applets where they exist.
bb=$(command -v busybox)
[ -n "$bb" ] || { echo "mkinitramfs: busybox not found" >&2; exit 1; }
cp "$bb" "$R/usr/bin/busybox"
for t in $(command -v $tools); do put_elf "$t"; done
ln -sf bash "$R/usr/bin/sh"
# stdbuf -oL keeps a test's stdout and stderr lines in order in one file
lsb=/usr/libexec/coreutils/libstdbuf.so
[ -f $lsb ] && put_elf $lsb
for a in $("$bb" --list-full); do
	[ -e "$R/$a" ] || [ -L "$R/$a" ] || ln -s /usr/bin/busybox "$R/$a"
done

# bee's build tree: binaries, objects, headers.
put_elf "$build/bee"
for f in "$build"/tests/kernel/test_* "$build"/tests/helpers/* "$build"/examples/* \
	"$build"/examples/*/*; do
	case $f in *.o | *.d) continue ;; esac
	is_elf "$f" && put_elf "$f"
done
# Libraries bee opens with dlopen (capstone for JIT dumps), which ldd does
# not list: every "libNAME.so..." string in the build's binaries that the
# dynamic linker knows.
ldc=$(ldconfig -p)
for so in $(cat "$build/bee" "$build"/tests/kernel/test_* 2>/dev/null |
	grep -aoE 'lib[a-z0-9_+-]+\.so(\.[0-9]+)*' | sort -u); do
	p=$(awk -v n="$so" '$1 == n && /x86-64/ && !p {p = $NF} END {print p}' <<<"$ldc")
	if [ -n "$p" ] && [ -z "${seen[$R$p]:-}" ]; then
		seen[$R$p]=1
		put_elf "$p"
	fi
done

# every BPF object the build made (examples, tools, tests/bpf) and vmlinux.h
while read -r f; do put "$f"; done < <(find "$build" -path "$build/kmatrix" -prune -o \
	-path "$build/test-logs" -prune -o -name '*.bpf.o' -print)
put "$build/vmlinux.h"
# The source tree without build outputs or git: headers, BPF sources, data.
mkdir -p "$R$root"
(cd "$root" && find . \( -name .git -o -name 'build*' \) -prune -o -type f -size -2M -print0 |
	cpio --null -pdm --quiet "$R$root")

# The toolchain image: clang, its resource headers, and the kernel and
# libbpf headers BPF programs include. KMX_CLANG=0 leaves it out.
if [ -n "$timg" ] && [ "${KMX_CLANG:-1}" != 0 ] && clang=$(command -v clang); then
	cl=$(readlink -f "$clang")
	dirs=()
	for d in "$(clang -print-resource-dir)/include" /usr/include/bpf /usr/include/linux \
		/usr/include/asm-generic /usr/include/x86_64-linux-gnu/asm; do
		if [ -d "$d" ]; then dirs+=("$d"); fi
	done
	bins=("$cl")
	# Debian's python3 (not a pyenv shim): tests parse bee's JSON with it
	if [ -x /usr/bin/python3 ]; then
		py=$(readlink -f /usr/bin/python3)
		bins+=("$py")
		dirs+=("/usr/lib/$(basename "$py")")
	fi
	elfs=()
	for b in "${bins[@]}"; do elfs+=("$b" $(ldd "$b" | grep -oE '/[^ ]+')); done
	# keyed by what goes in (paths, sizes, times): rebuilt when clang or a
	# header changes, reused otherwise
	key=$({ stat -L -c '%n %s %Y' "${elfs[@]}"; find "${dirs[@]}" -printf '%p %s %T@\n'; } |
		sort | md5sum | cut -c1-16)
	img=${timg%.img}-$key.img
	if [ ! -f "$img" ] || [ ! -f "$img.list" ]; then
		S=$(mktemp -d "${TMPDIR:-/tmp}/bee-kmatrix-tc.XXXXXX")
		layout "$S"
		dest=$S
		for b in "${bins[@]}"; do put_elf "$b"; done
		ln -s "$cl" "$S/usr/bin/clang"
		[ -n "${py:-}" ] && ln -s "$py" "$S/usr/bin/python3"
		for d in "${dirs[@]}"; do
			mkdir -p "$S$d"
			cp -a "$d/." "$S$d/"
		done
		[ -e /usr/include/asm ] || ln -s x86_64-linux-gnu/asm "$S/usr/include/asm"
		dest=$R
		kb=$(du -sk "$S" | cut -f1)
		rm -f "${timg%.img}"-*.img "${timg%.img}"-*.img.list
		mke2fs -q -t ext2 -L bee-toolchain -m 0 -d "$S" "$img.tmp.$$" $((kb * 12 / 10 + 16384))k >/dev/null
		(cd "$S" && find . -mindepth 1 -printf '%P\n') >"$img.list.tmp.$$"
		mv "$img.tmp.$$" "$img"
		mv "$img.list.tmp.$$" "$img.list"
	fi
	mkdir -p "$outdir"
	echo "$img" >"$outdir/toolchain-image"
	# every toolchain path the initramfs lacks becomes a link into
	# /toolchain; a linked directory covers everything below it
	declare -A linked
	while read -r p; do
		q=$p
		under=
		while [[ $q == */* ]]; do
			q=${q%/*}
			[ -n "${linked[$q]:-}" ] && under=1 && break
		done
		[ -n "$under" ] && continue
		[ -e "$R/$p" ] || [ -L "$R/$p" ] && continue
		ln -s "/toolchain/$p" "$R/$p"
		linked[$p]=1
	done <"$img.list"
	touch "$R/kmx/toolchain"
fi

# The kernel's config where bee's feature probe (and bpftool) look for it.
cp "$kdir/config" "$R/boot/config-$kver"
cat >"$R/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$R/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo "127.0.0.1 localhost" >"$R/etc/hosts"

# Modules: insmod by path, dependencies first (the package has no modules.dep).
mdir=$kdir/lib/modules/$kver/kernel
declare -A mpath done_mod
while read -r p; do
	n=${p##*/}
	n=${n%.ko}
	mpath[$n]=$p
	mpath[${n//-/_}]=$p
done < <(find "$mdir" -name '*.ko')
# Into $1/kmx/modules, with the load order in $1/kmx/modules.order.
add_mod() {
	local to=$1 n=${2//-/_} d
	[ -n "${done_mod[$to:$n]:-}" ] && return 0
	done_mod[$to:$n]=1
	# not in the package: built in (=y) or absent, nothing to load
	[ -n "${mpath[$n]:-}" ] || return 0
	for d in $(modinfo -F depends "${mpath[$n]}" | tr ',' ' '); do add_mod "$to" "$d"; done
	mkdir -p "$to/kmx/modules"
	cp "${mpath[$n]}" "$to/kmx/modules/$n.ko"
	echo "$n" >>"$to/kmx/modules.order"
}
: >"$R/kmx/modules.order"
for m in $modules; do add_mod "$R" "$m"; done
# the first stage needs the disks: virtio-blk, and ext4 for the ext2
# images (it wants crc32c even without checksums)
for m in virtio_pci virtio_blk crc32c_generic ext4; do add_mod "$I" "$m"; done

# What the guest runs, and with what environment.
# KMX_TESTS: a grep -E pattern of binary names to run (default: all).
# Longest first, by the seconds each took in the last run ($KMX_DURATIONS:
# "NAME SECS" lines; a new binary counts as long), so that the two lanes
# end together instead of one long test running alone at the end.
ls -1 "$build"/tests/kernel/test_* 2>/dev/null | grep -vE '\.(o|d)$' |
	grep -E "/(${KMX_TESTS:-.*})\$" |
	awk -v durs="${KMX_DURATIONS:-/dev/null}" '
		BEGIN { while ((getline l < durs) > 0) { split(l, f, " "); d[f[1]] = f[2] } }
		{ n = $0; sub(".*/", "", n); print (n in d ? d[n] : 1e9), $0 }' |
	sort -s -k1,1 -g -r | cut -d' ' -f2- >"$R/kmx/tests" || true
cat >"$R/kmx/env" <<EOF
export BEE_BUILD='$build' BEE_ROOT='$root' BEE='$build/bee'
export CMOCKA_MESSAGE_OUTPUT=stdout BEE_KMATRIX_GUEST=1
KMX_TEST_TIMEOUT=$test_timeout
KMX_JOBS=$jobs
EOF
cp "$here/init" "$R/init"
chmod 755 "$R/init"

# The root disk: what is there, a third more and 256 MB for what the tests
# write outside tmpfs.
mkdir -p "$outdir"
kb=$(du -sk "$R" | cut -f1)
rm -f "$outdir/root.img"
mke2fs -q -t ext2 -L bee-root -m 0 -d "$R" "$outdir/root.img" $((kb * 4 / 3 + 262144))k >/dev/null

# The initramfs: static busybox, stage one, the disk modules.
mkdir -p "$I/bin" "$I/newroot" "$I/proc" "$I/sys" "$I/dev"
cp "$bb" "$I/bin/busybox"
cp "$here/init-stage1" "$I/init"
chmod 755 "$I/init"
(cd "$I" && find . -print0 | cpio --null -o -H newc --quiet) >"$outdir/initramfs.cpio.tmp"
mv "$outdir/initramfs.cpio.tmp" "$outdir/initramfs.cpio"
