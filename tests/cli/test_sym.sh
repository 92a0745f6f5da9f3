#!/usr/bin/env bash
# bee sym: addresses of a running test program resolve to its functions and
# source lines, kernel symbols both ways against /proc/kallsyms, uprobe
# offsets and library names against the system's own tools, and one clear
# line for an unknown pid, library, function or kernel function.
set -u
BEE=${BEE:-build/bee}
BEE_BUILD=${BEE_BUILD:-build}
T=$BEE_BUILD/tests/helpers/sym_target
tmp=$(mktemp -d /tmp/bee-symcli-$$-XXXXXX)
target=
cleanup() {
	[ -n "$target" ] && kill "$target" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

# A private copy: a rebuild of the shared tree must not swap it mid-test.
for i in 1 2 3 4 5; do
	cp "$BEE" "$tmp/bee" 2>/dev/null && "$tmp/bee" -V >/dev/null 2>&1 && break
	sleep 1
done
BEE=$tmp/bee

# ---- a running program: its functions by address, with source lines
mkfifo "$tmp/in"
"$T" <"$tmp/in" >"$tmp/addrs" &
target=$!
exec 3>"$tmp/in"
for i in $(seq 50); do grep -q ready "$tmp/addrs" && break; sleep 0.1; done
alpha=$(awk '$1 == "sym_alpha" {print $2}' "$tmp/addrs")
beta=$(awk '$1 == "sym_beta" {print $2}' "$tmp/addrs")
a1=$(printf '0x%x' $((alpha + 1)))
out=$("$BEE" sym addr "$target" "$a1" "$beta" 2>&1)
line=$(addr2line -e "$T" "$(printf '0x%x' $(($(nm "$T" | awk '$3 == "sym_alpha" {print "0x" $1}'))))" | sed 's/.*://')
if grep -qE "^0x0*${a1#0x} sym_alpha\+0x1 \(sym_target.c:$line\) \[sym_target\]$" <<<"$out" &&
	grep -qE "^0x0*${beta#0x} sym_beta \(sym_target.c:[0-9]+\) \[sym_target\]$" <<<"$out"; then
	ok sym_addr_text
else
	fail sym_addr_text "line $line: $out"
fi
j=$("$BEE" -j sym addr "$target" "$a1" 0x10 2>&1 | python3 -c '
import sys, json
d = json.load(sys.stdin)
assert d[0]["name"] == "sym_alpha" and d[0]["offset"] == 1, d[0]
assert d[0]["file"].endswith("sym_target.c") and d[0]["line"] == int(sys.argv[1]), d[0]
assert d[0]["module"].endswith("/sym_target") and d[0]["addr"] == sys.argv[2], d[0]
assert d[1]["name"] is None and d[1]["module"] is None, d[1]
print("ok")' "$line" "$a1" 2>&1)
[ "$j" = ok ] && ok sym_addr_json || fail sym_addr_json "$j"
exec 3>&-

# ---- kernel symbols, both ways
want=$(awk '$3 == "vfs_read" && $2 ~ /[tT]/ {print $1; exit}' /proc/kallsyms)
out=$("$BEE" sym kernel vfs_read "$(printf '%x' $((0x$want + 5)))" 2>&1)
if [ "$(sed -n 1p <<<"$out")" = "0x$want vfs_read" ] &&
	[ "$(sed -n 2p <<<"$out")" = "0x$(printf '%016x' $((0x$want + 5))) vfs_read+0x5" ]; then
	ok sym_kernel
else
	fail sym_kernel "want 0x$want: $out"
fi

# ---- uprobe offsets: what the kernel computes for this shell's own libc
libc=$(awk '/libc.so.6/ {print $NF; exit}' /proc/$$/maps)
v=$(nm -D --defined-only "$libc" | awk '$3 ~ /^getpid(@@|$)/ {print $1; exit}')
woff=$(readelf -lW "$libc" | awk -v v=$((16#$v)) '$1 == "LOAD" {
	cmd = "printf %d " $2; cmd | getline o; close(cmd)
	cmd = "printf %d " $3; cmd | getline a; close(cmd)
	cmd = "printf %d " $5; cmd | getline s; close(cmd)
	if (v >= a && v < a + s) printf "0x%x\n", v - a + o }')
out=$("$BEE" sym offset c getpid 2>&1)
if [ -n "$woff" ] && grep -q "libc.so.6:getpid = file offset $woff$" <<<"$out"; then
	ok sym_offset_libc_getpid
else
	fail sym_offset_libc_getpid "want $woff: $out"
fi

# ---- library names: as the dynamic linker finds them
for n in c libc libc.so.6; do
	got=$("$BEE" sym library $n 2>&1)
	if [ "$(stat -L -c %d:%i "$got" 2>/dev/null)" = "$(stat -L -c %d:%i "$libc")" ]; then
		ok "sym_library_$n"
	else
		fail "sym_library_$n" "want $libc, got $got"
	fi
done

# ---- bad input: one line each, exit 1 (or 2 for bad usage)
check_err() {
	local name=$1 want_rc=$2 want=$3
	shift 3
	out=$("$BEE" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq "$want_rc" ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -qF -- "$want" <<<"$out"; then
		ok "$name"
	else
		fail "$name" "want exit $want_rc and '$want', got exit $rc: $out"
	fi
}
check_err sym_unknown_pid 1 "bee: sym: no process with pid 999999999" sym addr 999999999 0x1000
check_err sym_unknown_library 1 "bee: sym: library 'nosuchlib_bee': not found" sym library nosuchlib_bee
check_err sym_unknown_library_offset 1 "bee: sym: library 'nosuchlib_bee': not found" sym offset nosuchlib_bee f
check_err sym_unknown_function 1 "no function 'no_such_function_bee'" sym offset c no_such_function_bee
check_err sym_unknown_kernel_function 1 "bee: sym kernel: no kernel function 'no_such_kfunc_bee'" \
	sym kernel no_such_kfunc_bee
check_err sym_bad_address 2 "bee: sym addr: 'zz' is not a hex address" sym addr $$ zz
check_err sym_bad_offset 1 "bad offset in 'getpid+zz'" sym offset c getpid+zz
check_err sym_unknown_command 2 "unknown command 'bogus'" sym bogus
