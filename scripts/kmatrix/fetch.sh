#!/usr/bin/env bash
# Fetch Debian's current kernel image package (the one linux-image-amd64
# depends on) with `apt-get download` and unpack it into a cache outside the
# build tree. Nothing is installed: the package is only unpacked.
#
#   scripts/kmatrix/fetch.sh [CACHE_DIR]
#
# CACHE_DIR defaults to $BEE_KMATRIX_CACHE, else $XDG_CACHE_HOME/bee/kmatrix,
# else ~/.cache/bee/kmatrix. On success prints one line
#   KVER=<release> DIR=<CACHE_DIR>/<release> SOURCE=<download|cache>
# where DIR holds vmlinuz, config and lib/modules/<release>/kernel/..., and,
# for a kernel built with CONFIG_PVH, vmlinux: the uncompressed ELF image,
# which QEMU boots directly (inflating the XZ bzImage under TCG costs ~10 s).
# When the archive cannot be reached it falls back to the newest kernel
# already unpacked in the cache (SOURCE=cache). When there is none, prints
# the reason on stderr and exits 2.
set -uo pipefail

cache=${1:-${BEE_KMATRIX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bee/kmatrix}}
mkdir -p "$cache" || { echo "cannot create cache dir $cache" >&2; exit 2; }
meta=${BEE_KMATRIX_META:-linux-image-amd64}

# The newest release unpacked in the cache, for when the archive is away.
# vmlinux from vmlinuz: the XZ stream inside the bzImage (trailing data
# makes xz complain; the ELF is whole). Kept only when it is an ELF with the
# PVH entry note.
make_vmlinux() {
	local d=$1 off
	[ -f "$d/vmlinux" ] && return 0
	grep -q '^CONFIG_PVH=y' "$d/config" 2>/dev/null || return 0
	command -v xz >/dev/null || return 0
	off=$(grep -abo $'\xfd7zXZ' "$d/vmlinuz" | head -n1 | cut -d: -f1)
	[ -n "$off" ] || return 0
	tail -c +$((off + 1)) "$d/vmlinuz" | xz -dc >"$d/vmlinux.tmp.$$" 2>/dev/null
	if [ "$(head -c4 "$d/vmlinux.tmp.$$" | od -An -c | tr -d ' ')" = "177ELF" ]; then
		mv "$d/vmlinux.tmp.$$" "$d/vmlinux"
	else
		rm -f "$d/vmlinux.tmp.$$"
	fi
}

cached_release() {
	local d best=
	for d in "$cache"/*/.complete; do
		[ -f "$d" ] || continue
		best=$(basename "$(dirname "$d")")
	done
	[ -n "$best" ] && echo "$best"
}

fallback() {
	local why=$1 rel
	if rel=$(cached_release); then
		echo "kmatrix: $why; using cached $rel" >&2
		make_vmlinux "$cache/$rel"
		echo "KVER=$rel DIR=$cache/$rel SOURCE=cache"
		exit 0
	fi
	echo "$why" >&2
	exit 2
}

command -v apt-get >/dev/null || fallback "no apt-get on this machine"

# The metapackage's dependency names the real image package:
# linux-image-amd64 -> linux-image-6.1.0-NN-amd64 (or -unsigned).
resolve() {
	apt-cache depends "$meta" 2>/dev/null |
		sed -nE 's/^ *Depends: (linux-image-[0-9][^ ]*)$/\1/p' | head -n1
}
pkg=$(resolve)
if [ -z "$pkg" ]; then
	apt-get update -qq >/dev/null 2>&1
	pkg=$(resolve)
fi
[ -n "$pkg" ] || fallback "apt cannot resolve $meta to a kernel image package"
rel=${pkg#linux-image-}
rel=${rel%-unsigned}
dir=$cache/$rel
if [ -f "$dir/.complete" ]; then
	make_vmlinux "$dir"
	echo "KVER=$rel DIR=$dir SOURCE=cache"
	exit 0
fi

dl=$cache/dl
rm -rf "$dl" && mkdir -p "$dl"
# -o APT::Sandbox::User=root: _apt cannot write into root's cache dir.
get() { (cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null 2>&1); }
if ! get; then
	# The archive moves on (-NN changes): refresh the lists once and retry.
	apt-get update -qq >/dev/null 2>&1
	pkg=$(resolve)
	rel=${pkg#linux-image-}
	rel=${rel%-unsigned}
	dir=$cache/$rel
	get || fallback "apt-get download $pkg failed (Debian archive unreachable?)"
fi
deb=$(ls "$dl"/*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || fallback "apt-get download $pkg left no .deb"

tmp=$cache/.unpack.$$
rm -rf "$tmp" && mkdir -p "$tmp"
if ! dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards \
	"./boot/vmlinuz-$rel" "./boot/config-$rel" "./lib/modules/$rel/*"; then
	rm -rf "$tmp"
	fallback "cannot unpack $deb"
fi
mkdir -p "$tmp/out"
mv "$tmp/boot/vmlinuz-$rel" "$tmp/out/vmlinuz"
mv "$tmp/boot/config-$rel" "$tmp/out/config"
mkdir -p "$tmp/out/lib/modules"
mv "$tmp/lib/modules/$rel" "$tmp/out/lib/modules/$rel"
echo "$(basename "$deb")" >"$tmp/out/package"
rm -rf "$dir"
mv "$tmp/out" "$dir"
rm -rf "$tmp" "$dl"
make_vmlinux "$dir"
touch "$dir/.complete"
# Keep the cache to the current release: older unpacked trees are ~400 MB each.
for old in "$cache"/*/.complete; do
	o=$(dirname "$old")
	[ "$o" != "$dir" ] && rm -rf "$o"
done
echo "KVER=$rel DIR=$dir SOURCE=download"
