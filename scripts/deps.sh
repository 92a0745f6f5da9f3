#!/usr/bin/env bash
# Installs the Debian packages bee needs to build, test and benchmark.
# Idempotent: when everything is present it only runs dpkg-query and exits.
#   scripts/deps.sh          build + test packages
#   scripts/deps.sh bench    also the peers the benchmarks compare against
set -euo pipefail

pkgs=(
	make gcc clang llvm pkg-config
	libbpf-dev libelf-dev zlib1g-dev libcapstone-dev libdw-dev
	libcmocka-dev iproute2 iputils-ping bpftool libcap2-bin tmux python3 jq
	qemu-system-x86 busybox-static cpio kmod
)
if [ "${1:-}" = bench ]; then
	pkgs+=(bpftrace hyperfine strace)
fi

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]} (run as root to install)" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
