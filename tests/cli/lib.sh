# Shared helpers for tests/cli/test_*.sh (source it). Each case prints one line:
#   ok NAME | FAIL NAME: why | skip NAME: reason
BEE_BUILD=${BEE_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../build" && pwd)}
BEE_ROOT=${BEE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
: "${BEE:=$BEE_BUILD/bee}"
T=$(mktemp -d /tmp/bee-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "skip $1: $2"; }

# check NAME CONDITION-COMMAND... : ok if the command succeeds, else FAIL with $why
check() {
	local name=$1; shift
	if "$@"; then ok "$name"; else fail "$name" "${why:-check failed: $*}"; fi
}

# Program and link ids a process holds open (from /proc/PID/fdinfo).
held_ids() { # PID KIND(prog|link|map)
	grep -h "^$2_id:" /proc/"$1"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u
}

# Does the kernel still have this object? (prog|link|map ID)
kernel_has() {
	local kind=$1 id=$2
	case $kind in
	prog) bpftool prog show id "$id" >/dev/null 2>&1 ;;
	link) bpftool link show id "$id" >/dev/null 2>&1 ;;
	map) bpftool map show id "$id" >/dev/null 2>&1 ;;
	esac
}

# Wait until FILE contains PATTERN (grep -E), up to SECONDS (default 10).
wait_for() {
	local file=$1 pat=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		grep -qE -- "$pat" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

have_kprobes() { [ -e /sys/bus/event_source/devices/kprobe/type ]; }
