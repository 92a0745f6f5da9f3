#!/usr/bin/env bash
# bee link / bee perf from the command line: listing as JSON root arrays,
# and bad input (unknown id, a path outside bpffs, a pinned map that is not
# a link, wrong words) answered with one line and exit 1 or 2, nothing
# created. The attach-and-find cases are in tests/kernel/test_feature.c.
. "$(dirname "$0")/lib.sh"
# a private copy: a rebuild of build/bee while the cases run must not break them
cp "$BEE" "$T/bee.bin" && BEE=$T/bee.bin

one_line() { # WANT_RC NAME CMD...
	local want=$1 name=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"; local rc=$?
	if [ "$rc" -ne "$want" ]; then fail "$name" "want exit $want, got $rc: $(cat "$T/err")"
	elif [ "$(wc -l <"$T/err")" -ne 1 ] || [ -s "$T/out" ]; then fail "$name" "want one line, got: $(cat "$T/err" "$T/out" | head -3)"
	elif ! grep -q '^bee: ' "$T/err"; then fail "$name" "not a 'bee: ' line: $(cat "$T/err")"
	else ok "$name"; fi
}

$BEE -j link list >"$T/l"; why="$(head -c 200 "$T/l")"
check link_list_json python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d,list); assert all("id" in x and "type" in x and "prog_id" in x for x in d)' "$T/l"
# every link the kernel has is listed, with bpftool's type and prog id
if command -v bpftool >/dev/null; then
	bpftool -j link list >"$T/bl"; $BEE -j link list >"$T/l"
	why="$(python3 - "$T/l" "$T/bl" 2>&1 <<'PY'
import json, sys
bee = {x["id"]: x for x in json.load(open(sys.argv[1]))}
bpf = {x["id"]: x for x in json.load(open(sys.argv[2]))}
# links may come and go between the two runs: compare those in both
common = set(bee) & set(bpf)
for i in common:
    assert bee[i]["prog_id"] == bpf[i]["prog_id"], (i, bee[i], bpf[i])
    if not bpf[i]["type"].isdigit():
        assert bee[i]["type"] == bpf[i]["type"], (i, bee[i]["type"], bpf[i]["type"])
PY
)"
	check link_list_matches_bpftool test -z "$why"
fi
# perf list: the attachments both see (processes come and go between the
# two runs) have the same program, kind and target as bpftool says
if command -v bpftool >/dev/null; then
	bpftool -j perf list >"$T/bp"; $BEE -j perf list >"$T/p"
	why="$(python3 - "$T/p" "$T/bp" 2>&1 <<'PY'
import json, sys
bee = {(x["pid"], x["fd"]): x for x in json.load(open(sys.argv[1]))}
bpf = {(x["pid"], x["fd"]): x for x in json.load(open(sys.argv[2]))}
for k in set(bee) & set(bpf):
    b, o = bee[k], bpf[k]
    assert b["prog_id"] == o["prog_id"] and b["fd_type"] == o["fd_type"], (b, o)
    for key in ("tracepoint", "filename", "func", "offset"):
        if key in o:
            assert b.get(key) == o[key], (key, b, o)
PY
)"
	check perf_list_matches_bpftool test -z "$why"
fi
$BEE -j perf list >"$T/p"; why="$(head -c 200 "$T/p")"
check perf_list_json python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d,list)' "$T/p"

one_line 1 link_bad_unknown_id $BEE link show id 999999
one_line 1 link_bad_detach_unknown_id $BEE link detach id 999999
one_line 2 link_bad_id_word $BEE link show id abc
one_line 2 link_bad_negative_id $BEE link show id -3
one_line 1 link_bad_pinned_not_bpffs $BEE link show pinned /tmp
one_line 1 link_bad_pinned_missing $BEE link show pinned /sys/fs/bpf/bee_link_no_such_$$
one_line 2 link_bad_keyword $BEE link show tag 12
one_line 2 link_bad_detach_usage $BEE link detach
one_line 2 link_bad_pin_usage $BEE link pin id 1
one_line 2 link_bad_command $BEE link frob
one_line 2 perf_bad_args $BEE perf list extra
bad=/tmp/bee_link_pin_$$
one_line 1 link_bad_pin_not_bpffs $BEE link pin id 999999 $bad
why="$bad was created"; check link_bad_pin_creates_nothing test ! -e $bad

# a pinned map is not a link
pin=/sys/fs/bpf/bee_link_map_$$
if bpftool map create $pin type array key 4 value 4 entries 1 name bee_lnk_$$ 2>/dev/null; then
	one_line 1 link_bad_pinned_map $BEE link show pinned $pin
	why="$(cat "$T/err")"; check link_bad_pinned_map_says_why grep -q 'not a link' "$T/err"
	rm -f $pin
else
	skip link_bad_pinned_map "bpftool cannot create a pinned map here"
fi

# without privileges: one line that says so, never an empty list
if id nobody >/dev/null 2>&1 && command -v su >/dev/null; then
	cp "$BEE" "$T/bee"; chmod 755 "$T" "$T/bee"
	for c in "link list" "perf list" "btf list"; do
		n=unpriv_${c// /_}
		su nobody -s /bin/sh -c "$T/bee $c" >"$T/out" 2>"$T/err"; rc=$?
		why="exit $rc: $(cat "$T/err" "$T/out" | head -2)"
		check "$n" bash -c "[ $rc -eq 1 ] && [ ! -s '$T/out' ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q 'needs CAP_SYS_ADMIN' '$T/err'"
	done
	su nobody -s /bin/sh -c "$T/bee feature probe" >"$T/out" 2>"$T/err"
	why="$(grep -m1 'not permitted' "$T/out")"
	check unpriv_feature_probe_says_so grep -q '^bpf() program loads are not permitted for uid ' "$T/out"
else
	skip unpriv_link_list "no 'nobody' user to run as"
fi
$BEE -j link show id 999999 >"$T/j" 2>/dev/null
why="$(cat "$T/j")"
check link_bad_json_error python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "error" in d' "$T/j"
$BEE link help >"$T/h"; check link_help grep -q 'LINK := { id LINK_ID | pinned FILE }' "$T/h"
$BEE perf help >"$T/h"; check perf_help grep -q 'bee perf' "$T/h"
exit 0
