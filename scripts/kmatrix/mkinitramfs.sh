#!/usr/bin/env bash
# Build the guest's initramfs for the kernel matrix.
#
#   scripts/kmatrix/mkinitramfs.sh BUILD ROOT KDIR KVER OUT
#
# BUILD, ROOT: bee's build and source trees (absolute). They are placed at the
# same absolute paths inside the guest, so BEE_BUILD/BEE_ROOT and any path a
# test derives from them or from /proc/self/exe resolve as on the host.
# KDIR: the unpacked kernel package (scripts/kmatrix/fetch.sh), KVER its release.
# OUT: the cpio archive to write (uncompressed: under TCG the kernel
# inflating a compressed archive costs more than reading a bigger one).
#
# Holds: bee, every tests/kernel binary, tests/helpers, examples (programs and
# BPF objects), tests/bpf objects, build/vmlinux.h, bee's headers and the
# source files tests may read, the shared libraries of every ELF file copied
# (ldd), busybox, bash as /bin/sh (busybox's sh would prefer its own ip/tc
# applets over iproute2), iproute2, bpftool and ping, the kernel's config, and
# the modules named in $KMX_MODULES with their dependencies.
set -euo pipefail

build=$1 root=$2 kdir=$3 kver=$4 out=$5
here=$(cd "$(dirname "$0")" && pwd)
modules=${KMX_MODULES:-veth dummy ifb tun sch_ingress sch_prio sch_fq cls_bpf act_bpf act_gact}
tools=${KMX_TOOLS:-bash ip tc bpftool ping ss unshare nsenter timeout stat mount umount taskset stdbuf}
test_timeout=${KMX_TEST_TIMEOUT:-60}

R=$(mktemp -d "${TMPDIR:-/tmp}/bee-kmatrix-root.XXXXXX")
trap 'rm -rf "$R"' EXIT
# Debian 12's merged /usr layout, so library paths from ldd land right.
mkdir -p "$R"/usr/{bin,sbin,lib,lib64} "$R"/{proc,sys,dev,tmp,run,root,etc,boot,kmx/modules}
ln -s usr/bin "$R/bin"
ln -s usr/sbin "$R/sbin"
ln -s usr/lib "$R/lib"
ln -s usr/lib64 "$R/lib64"

declare -A seen
# Copy a file to the same path in the guest, dereferenced.
put() {
	local src=$1 dst=${2:-$1}
	mkdir -p "$R$(dirname "$dst")"
	cp -L "$src" "$R$dst"
}
# Copy an ELF file and every shared library it needs.
put_elf() {
	local f=$1 lib
	put "$f"
	for lib in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+' || true); do
		[ -n "${seen[$lib]:-}" ] && continue
		seen[$lib]=1
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
for f in "$build"/tests/kernel/test_* "$build"/tests/helpers/* "$build"/examples/*; do
	case $f in *.o | *.d) continue ;; esac
	is_elf "$f" && put_elf "$f"
done
for f in "$build"/examples/*.bpf.o "$build"/tests/bpf/*.bpf.o "$build"/vmlinux.h; do
	[ -f "$f" ] && put "$f"
done
# The source tree without build outputs or git: headers, BPF sources, data.
mkdir -p "$R$root"
(cd "$root" && find . \( -name .git -o -name 'build*' \) -prune -o -type f -size -2M -print0 |
	cpio --null -pdm --quiet "$R$root")

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
: >"$R/kmx/modules.order"
add_mod() {
	local n=${1//-/_} d
	[ -n "${done_mod[$n]:-}" ] && return 0
	done_mod[$n]=1
	# not in the package: built in (=y) or absent, nothing to load
	[ -n "${mpath[$n]:-}" ] || return 0
	for d in $(modinfo -F depends "${mpath[$n]}" | tr ',' ' '); do add_mod "$d"; done
	cp "${mpath[$n]}" "$R/kmx/modules/$n.ko"
	echo "$n" >>"$R/kmx/modules.order"
}
for m in $modules; do add_mod "$m"; done

# What the guest runs, and with what environment.
ls -1 "$build"/tests/kernel/test_* 2>/dev/null | grep -vE '\.(o|d)$' >"$R/kmx/tests" || true
cat >"$R/kmx/env" <<EOF
export BEE_BUILD='$build' BEE_ROOT='$root' BEE='$build/bee'
export CMOCKA_MESSAGE_OUTPUT=stdout BEE_KMATRIX_GUEST=1
KMX_TEST_TIMEOUT=$test_timeout
EOF
cp "$here/init" "$R/init"
chmod 755 "$R/init"

(cd "$R" && find . -print0 | cpio --null -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
