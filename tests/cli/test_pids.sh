#!/usr/bin/env bash
# The "pids" line of bee prog/map/link show: a `bee run` in the background
# holds a program, its map and its link, and each is shown with exactly that
# process; a map also held by a second process names both, in pid order; a
# pinned map that nobody holds has no line; bee's own fds (the ones it opens
# to ask) are never named; the task_file iterator and the /proc scan give the
# same lines, and bee's iterator leaves no object of its own in a listing.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { skip pids_all "needs root"; exit 0; }
# a private copy (a rebuild must not swap it mid-test), named bee so that its
# processes' comm is "bee"
mkdir -p "$T/bin" && cp "$BEE" "$T/bin/bee" && BEE=$T/bin/bee
NAME=pids_$$
PIN=/sys/fs/bpf/pids_test_$$
runner= holder=
cleanup() {
	[ -n "$runner" ] && kill "$runner" 2>/dev/null && wait "$runner" 2>/dev/null
	[ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	rm -f "$PIN"
	rm -rf "$T"
}
trap cleanup EXIT

# a program, a map and a link of unique names, held by one `bee run`
cat >"$T/$NAME.bpf.c" <<EOF
#include "bee/bee.bpf.h"
BPF_ARRAY(${NAME}_m, __u64, 1);
SEC("tracepoint/syscalls/sys_enter_getppid")
int ${NAME}(void *ctx)
{
	${NAME}_m__increment(0);
	return 0;
}
BEE_GPL;
EOF
"$BEE" run "$T/$NAME.bpf.c" --duration 60 -q --no-trace >"$T/run" 2>&1 &
runner=$!
prog= map= link=
for ((i = 0; i < 400; i++)); do
	prog=$("$BEE" -j prog list 2>/dev/null | python3 -c '
import json, sys
print(" ".join(str(p["id"]) for p in json.load(sys.stdin) if p.get("name") == sys.argv[1]))' "$NAME")
	[ -n "$prog" ] && break
	kill -0 "$runner" 2>/dev/null || break
	sleep 0.05
done
if [ -z "$prog" ]; then
	fail pids_setup "bee run of $NAME did not load: $(head -3 "$T/run")"
	exit 0
fi
map=$("$BEE" -j map list | python3 -c '
import json, sys
print(" ".join(str(m["id"]) for m in json.load(sys.stdin) if m.get("name") == sys.argv[1]))' "${NAME}_m")
for ((i = 0; i < 100; i++)); do
	link=$("$BEE" -j link list | python3 -c '
import json, sys
print(" ".join(str(l["id"]) for l in json.load(sys.stdin) if l["prog_id"] == int(sys.argv[1])))' "$prog")
	[ -n "$link" ] && break
	sleep 0.05
done
why="prog '$prog' map '$map' link '$link'"
check pids_setup_one_each test "$(wc -w <<<"$prog $map $link")" -eq 3
# the oracle: what the runner holds, from its fdinfo
why="runner $runner holds progs '$(held_ids "$runner" prog | xargs)', want $prog"
check pids_oracle_prog grep -qx "$prog" <(held_ids "$runner" prog)
why="runner $runner holds maps '$(held_ids "$runner" map | xargs)', want $map"
check pids_oracle_map grep -qx "$map" <(held_ids "$runner" map)
why="runner $runner holds links '$(held_ids "$runner" link | xargs)', want $link"
check pids_oracle_link grep -qx "$link" <(held_ids "$runner" link)

# text: exactly one pids line, the runner's, after the object's own lines
# NAME KIND SPEC WANT-LINE [ENV...]   (SPEC: "id ID" or "pinned PATH")
text_case() {
	local name=$1 kind=$2 id=$3 want=$4; shift 4
	env "$@" "$BEE" $kind show $id >"$T/o" 2>"$T/e"
	local got
	got=$(grep $'^\tpids ' "$T/o")
	if [ "$got" != "$want" ]; then
		fail "$name" "$kind $id: want '$want', got '$got' ($(head -c 200 "$T/e"))"
	elif [ -n "$want" ] && [ "$(tail -n 1 "$T/o")" != "$want" ]; then
		fail "$name" "$kind $id: the pids line is not the last: $(tail -n 2 "$T/o" | xargs)"
	else
		ok "$name"
	fi
}
want=$'\t'"pids bee($runner)"
text_case pids_prog_text prog "id $prog" "$want"
text_case pids_map_text map "id $map" "$want"
text_case pids_link_text link "id $link" "$want"

# the same from /proc, and from the iterator alone (no fallback)
text_case pids_prog_text_proc prog "id $prog" "$want" BEE_PIDS=proc
text_case pids_map_text_proc map "id $map" "$want" BEE_PIDS=proc
text_case pids_link_text_proc link "id $link" "$want" BEE_PIDS=proc
text_case pids_prog_text_iter prog "id $prog" "$want" BEE_PIDS=iter
text_case pids_map_text_iter map "id $map" "$want" BEE_PIDS=iter
text_case pids_link_text_iter link "id $link" "$want" BEE_PIDS=iter
# the table came from where it was asked for
"$BEE" -d prog show id "$prog" >/dev/null 2>"$T/e"
why="$(grep 'pids:' "$T/e" | head -3)"
check pids_default_is_iterator grep -q 'pids: .* from the task_file iterator' "$T/e"
BEE_PIDS=proc "$BEE" -d prog show id "$prog" >/dev/null 2>"$T/e"
why="$(grep 'pids:' "$T/e" | head -3)"
check pids_forced_proc grep -q 'pids: .* from /proc$' "$T/e"
# lazy: commands that show no pids line build no table
"$BEE" -d map dump id "$map" >/dev/null 2>"$T/e"
why="$(grep 'pids' "$T/e" | head -3)"
check pids_lazy_map_dump bash -c "! grep -q 'pids' '$T/e'"
"$BEE" -d prog dump xlated id "$prog" >/dev/null 2>"$T/e"
why="$(grep 'pids' "$T/e" | head -3)"
check pids_lazy_prog_dump bash -c "! grep -q 'pids' '$T/e'"
# a cold start (no cached iterator) builds it with libbpf and gives the same
mkdir -p "$T/cache"
BEE_CACHE_DIR=$T/cache "$BEE" -d map show id "$map" >"$T/o" 2>"$T/e"
why="$(grep 'pids' "$T/e" "$T/o" | head -3)"
check pids_cold_cache_writes grep -q "pids: iterator kept in '$T/cache/pids-" "$T/e"
check pids_cold_cache_line grep -qx "$want" "$T/o"
BEE_CACHE_DIR=$T/cache "$BEE" -d map show id "$map" >"$T/o" 2>"$T/e"
why="$(grep 'pids' "$T/e" "$T/o" | head -3)"
check pids_warm_cache_line grep -qx "$want" "$T/o"
check pids_warm_cache_no_rewrite bash -c "! grep -q 'iterator kept' '$T/e'"
# a damaged cache is rebuilt, not trusted
for f in "$T"/cache/pids-*.insns; do printf 'beepids1garbage-garbage-garbage!' >"$f"; done
BEE_CACHE_DIR=$T/cache "$BEE" -d map show id "$map" >"$T/o" 2>"$T/e"
why="$(grep 'pids' "$T/e" "$T/o" | head -3)"
check pids_bad_cache_rebuilt grep -q "pids: iterator kept in" "$T/e"
check pids_bad_cache_line grep -qx "$want" "$T/o"

# JSON: the exact pid and comm, for each kind, both ways
json_case() { # NAME KIND SPEC WANT-PIDS-JSON [ENV...]
	local name=$1 kind=$2 id=$3 want=$4; shift 4
	env "$@" "$BEE" -j $kind show $id >"$T/o" 2>"$T/e"
	why="$(python3 - "$T/o" "$want" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = json.loads(sys.argv[2])
assert d.get("pids") == want, "want %s, got %s" % (want, d.get("pids"))
PY
)"
	check "$name" test -z "$why"
}
wantj="[{\"pid\": $runner, \"comm\": \"bee\"}]"
json_case pids_prog_json prog "id $prog" "$wantj"
json_case pids_map_json map "id $map" "$wantj"
json_case pids_link_json link "id $link" "$wantj"
json_case pids_prog_json_proc prog "id $prog" "$wantj" BEE_PIDS=proc
json_case pids_map_json_proc map "id $map" "$wantj" BEE_PIDS=proc
json_case pids_link_json_proc link "id $link" "$wantj" BEE_PIDS=proc

# lists carry the same, for this object, in text and JSON
for kind in prog map link; do
	eval id=\$$kind
	"$BEE" $kind list >"$T/o"
	got=$(awk -v id="$id" '/^[0-9]+:/ { cur = ($1 == id ":") } cur && /^\tpids /' "$T/o")
	why="$kind list, $kind $id: want '$want', got '$got'"
	check "pids_${kind}_list_text" test "$got" = "$want"
	"$BEE" -j $kind list >"$T/o"
	why="$(python3 - "$T/o" "$id" "$wantj" 2>&1 <<'PY'
import json, sys
d = {x["id"]: x for x in json.load(open(sys.argv[1]))}
o = d[int(sys.argv[2])]
assert o.get("pids") == json.loads(sys.argv[3]), o
# bee's own iterator, made to find the pids, is not listed
assert not any(x.get("name") == "pids_iter" for x in d.values()), "pids_iter listed"
PY
)"
	check "pids_${kind}_list_json" test -z "$why"
done

# a second holder of the map: both named, in pid order, both ways
python3 - "$map" >"$T/holder" 2>&1 <<'PY' &
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
attr = (ctypes.c_uint8 * 128)()
ctypes.c_uint32.from_buffer(attr, 0).value = int(sys.argv[1])  # map_id
fd = libc.syscall(321, 14, attr, 128)  # bpf(BPF_MAP_GET_FD_BY_ID)
print("fd", fd, flush=True)
time.sleep(60)
PY
holder=$!
wait_for "$T/holder" '^fd ' 10
if ! grep -q '^fd [0-9]' "$T/holder"; then
	fail pids_two_holders "the python holder did not open map $map: $(cat "$T/holder")"
else
	if [ "$runner" -lt "$holder" ]; then
		want2=$'\t'"pids bee($runner), python3($holder)"
		wantj2="[{\"pid\": $runner, \"comm\": \"bee\"}, {\"pid\": $holder, \"comm\": \"python3\"}]"
	else
		want2=$'\t'"pids python3($holder), bee($runner)"
		wantj2="[{\"pid\": $holder, \"comm\": \"python3\"}, {\"pid\": $runner, \"comm\": \"bee\"}]"
	fi
	text_case pids_two_holders_text map "id $map" "$want2"
	text_case pids_two_holders_text_proc map "id $map" "$want2" BEE_PIDS=proc
	json_case pids_two_holders_json map "id $map" "$wantj2"
	json_case pids_two_holders_json_proc map "id $map" "$wantj2" BEE_PIDS=proc
	# the program is still the runner's alone
	text_case pids_two_holders_prog_alone prog "id $prog" "$want"
	kill "$holder"; wait "$holder" 2>/dev/null; holder=
fi

# a pinned map that no process holds: no pids line, no "pids" key
if "$BEE" map create "$PIN" type array key 4 value 4 entries 1 name "${NAME}_u" 2>"$T/e"; then
	text_case pids_unheld_text map "pinned $PIN" ""
	"$BEE" map show pinned "$PIN" >"$T/o"
	why="$(cat "$T/o")"
	check pids_unheld_shown grep -q "name ${NAME}_u" "$T/o"
	"$BEE" -j map show pinned "$PIN" >"$T/o"
	why="$(cat "$T/o")"
	check pids_unheld_json python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "pids" not in d, d' "$T/o"
	BEE_PIDS=proc "$BEE" -j map show pinned "$PIN" >"$T/o"
	why="$(cat "$T/o")"
	check pids_unheld_json_proc python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "pids" not in d, d' "$T/o"
	rm -f "$PIN"
else
	fail pids_unheld "map create $PIN: $(cat "$T/e")"
fi

# the whole listings agree line for line between the two sources (the
# pids lines; objects of other processes may come and go between runs, so
# only those of ids both runs list are compared)
for kind in prog map link; do
	"$BEE" $kind list >"$T/a"; BEE_PIDS=proc "$BEE" $kind list >"$T/b"
	why="$(python3 - "$T/a" "$T/b" 2>&1 <<'PY'
import sys
def pids(f):
    out, cur = {}, None
    for line in open(f):
        if line[:1].isdigit():
            cur = line.split(":")[0]
            out[cur] = None
        elif line.startswith("\tpids "):
            out[cur] = line.rstrip("\n")
    return out
a, b = pids(sys.argv[1]), pids(sys.argv[2])
for k in set(a) & set(b):
    assert a[k] == b[k], (k, a[k], b[k])
PY
)"
	check "pids_${kind}_list_iter_eq_proc" test -z "$why"
done

# when the runner is gone, its objects are gone and nothing of bee's stays
kill "$runner"; wait "$runner" 2>/dev/null; runner=
# (a map is freed an RCU grace period after its last program)
for ((i = 0; i < 100; i++)); do
	left=$("$BEE_BUILD/tests/helpers/bpf_ids" pids_ 2>&1)
	[ -z "$left" ] && break
	sleep 0.05
done
why="left behind: $left"
check pids_nothing_left test -z "$left"
