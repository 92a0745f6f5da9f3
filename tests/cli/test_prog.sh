#!/usr/bin/env bash
# bee prog on the running kernel, cross-checked against bpftool (the test
# oracle): load and pin tests/bpf/disasm_prog.bpf.o, then list/show/dump it
# with bee and compare; stats, pin, load, tracelog, bad input.
# Prints "ok NAME", "FAIL NAME: why" or "skip NAME: why" per case.
set -u
BEE=${BEE:-build/bee}
BEE_BUILD=${BEE_BUILD:-build}
obj=$BEE_BUILD/tests/bpf/disasm_prog.bpf.o
tag=bee_prog_$$
dir=/sys/fs/bpf/$tag   # no dots: bpffs refuses names with them
tmp=$(mktemp -d /tmp/$tag.XXXXXX)
tracefs=""

cleanup() {
	rm -rf "$dir" "${dir}_2" "${dir}_maps" "${dir}_pin" "${dir}_one" "${dir}_typed" "${dir}_bad" "$tmp"
	[ -n "$tracefs" ] && rmdir "$tracefs/instances/$tag" 2>/dev/null
}
trap cleanup EXIT

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
# json FILE EXPR: evaluate a python expression over the parsed JSON "j"
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1" 2>&1; }
# one_line NAME RC_WANT OUT_FILE ERR_FILE RC: bad input gives one "bee: " line
one_line() {
	local name=$1 want=$2 out=$3 err=$4 rc=$5
	if [ "$rc" != "$want" ]; then fail "$name" "exit $rc, want $want ($(head -c 300 "$err"))"; return; fi
	if [ "$(wc -l <"$err")" != 1 ] || ! grep -q '^bee: ' "$err"; then
		fail "$name" "want one 'bee: ' line on stderr, got: $(head -c 300 "$err")"; return
	fi
	if [ -s "$out" ]; then fail "$name" "stdout not empty: $(head -c 200 "$out")"; return; fi
	ok "$name"
}

if [ "$(id -u)" != 0 ]; then
	echo "skip prog: needs root to load BPF programs"
	exit 0
fi
if [ ! -f "$obj" ]; then
	echo "FAIL prog: $obj is not built"
	exit 0
fi
have_bpftool=1
command -v bpftool >/dev/null || have_bpftool=0

# ---- load -------------------------------------------------------------------
if $BEE prog loadall "$obj" "$dir" pinmaps "${dir}_maps" 2>"$tmp/err"; then
	if [ -e "$dir/disasm_tracepoint_handler" ] && [ -e "$dir/disasm_sockfilter" ] &&
	   [ -e "${dir}_maps/disasm_counts" ]; then
		ok loadall_pins_programs_and_maps
	else
		fail loadall_pins_programs_and_maps "pins missing: $(ls "$dir" "${dir}_maps" 2>&1 | tr '\n' ' ')"
	fi
else
	fail loadall_pins_programs_and_maps "exit $?: $(cat "$tmp/err")"
	exit 0
fi

$BEE -j prog show pinned "$dir/disasm_tracepoint_handler" >"$tmp/tp.json"
$BEE -j prog show pinned "$dir/disasm_sockfilter" >"$tmp/sk.json"
id=$(json "$tmp/tp.json" 'j["id"]')
sid=$(json "$tmp/sk.json" 'j["id"]')
ptag=$(json "$tmp/tp.json" 'j["tag"]')
case "$id$sid" in
*[!0-9]*|"") fail show_pinned "ids '$id' '$sid' from $(cat "$tmp/tp.json")"; exit 0 ;;
esac
ok show_pinned

# ---- show vs bpftool ----------------------------------------------------------
if [ $have_bpftool = 1 ]; then
	bpftool -j prog show id "$id" >"$tmp/bt.json"
	r=$(python3 - "$tmp/tp.json" "$tmp/bt.json" <<'EOF'
import json, sys
b = json.load(open(sys.argv[1])); t = json.load(open(sys.argv[2]))
bad = [k for k in ("id", "type", "name", "tag", "gpl_compatible", "uid", "bytes_xlated",
                   "jited", "bytes_jited", "bytes_memlock", "map_ids", "btf_id")
       if b.get(k) != t.get(k)]
# loaded_at is whole seconds of the same boot-time stamp
if abs(b.get("loaded_at", 0) - t.get("loaded_at", 0)) > 1: bad.append("loaded_at")
print(" ".join("%s: bee %r bpftool %r" % (k, b.get(k), t.get(k)) for k in bad) or "same")
EOF
)
	[ "$r" = same ] && ok show_json_matches_bpftool || fail show_json_matches_bpftool "$r"
	if [ "$(json "$tmp/tp.json" 'j["name"]')" = disasm_tracepoint_handler ]; then
		ok show_full_name_from_btf
	else
		fail show_full_name_from_btf "name $(json "$tmp/tp.json" 'j["name"]')"
	fi
	# the text form's first line is bpftool's, word for word
	b1=$($BEE prog show id "$id" | head -1)
	t1=$(bpftool prog show id "$id" | head -1)
	[ "$b1" = "$t1" ] && ok show_text_header_matches_bpftool ||
		fail show_text_header_matches_bpftool "bee '$b1' bpftool '$t1'"
else
	echo "skip show_json_matches_bpftool: bpftool is not installed"
fi

# ---- the seed's commands, verbatim ---------------------------------------------
$BEE prog list >"$tmp/list" 2>"$tmp/err"; rc=$?
if [ $rc = 0 ] && grep -q "^$id: tracepoint  name disasm_tracepoint_handler  tag $ptag  gpl" "$tmp/list" &&
   grep -q "^$sid: socket_filter  name disasm_sockfilter" "$tmp/list"; then
	ok seed_prog_list
else
	fail seed_prog_list "exit $rc, ids $id/$sid not listed: $(head -c 400 "$tmp/list") $(cat "$tmp/err")"
fi
$BEE -j prog list >"$tmp/list.json"
r=$(json "$tmp/list.json" "sorted(x['id'] for x in j if x['id'] in ($id, $sid)) == sorted([$id, $sid]) and isinstance(j, list)")
[ "$r" = True ] && ok list_json_root_array || fail list_json_root_array "$r"

$BEE prog dump xlated id "$id" >"$tmp/x" 2>"$tmp/err"; rc=$?
n_bee=$(grep -cE '^ *[0-9]+: \(' "$tmp/x")
if [ $rc != 0 ] || [ "$n_bee" -lt 20 ]; then
	fail seed_dump_xlated "exit $rc, $n_bee instructions: $(cat "$tmp/err")"
else
	ok seed_dump_xlated
fi
if [ $have_bpftool = 1 ]; then
	bpftool prog dump xlated id "$id" >"$tmp/xt"
	n_bt=$(grep -cE '^ *[0-9]+: \(' "$tmp/xt")
	[ "$n_bee" = "$n_bt" ] && ok xlated_count_matches_bpftool ||
		fail xlated_count_matches_bpftool "bee $n_bee instructions, bpftool $n_bt"
	# same instruction at the same index, by opcode
	grep -oE '^ *[0-9]+: \([0-9a-f]{2}\)' "$tmp/x" >"$tmp/x.ops"
	grep -oE '^ *[0-9]+: \([0-9a-f]{2}\)' "$tmp/xt" >"$tmp/xt.ops"
	cmp -s "$tmp/x.ops" "$tmp/xt.ops" && ok xlated_opcodes_match_bpftool ||
		fail xlated_opcodes_match_bpftool "$(diff "$tmp/x.ops" "$tmp/xt.ops" | head -5)"
	# raw bytes: bee's "opcodes" lines are bpftool's
	$BEE prog dump xlated id "$id" opcodes | grep -E '^       [0-9a-f]{2}( [0-9a-f]{2})+$' >"$tmp/xb"
	bpftool prog dump xlated id "$id" opcodes | grep -E '^       [0-9a-f]{2}( [0-9a-f]{2})+$' >"$tmp/xtb"
	if [ -s "$tmp/xb" ] && cmp -s "$tmp/xb" "$tmp/xtb"; then ok xlated_bytes_match_bpftool
	else fail xlated_bytes_match_bpftool "$(diff "$tmp/xb" "$tmp/xtb" | head -5)"; fi
	# every instruction line that both print the same way (the kernel's own
	# notation) must be identical; only names and newer decodings may differ
	r=$(python3 - "$tmp/x" "$tmp/xt" <<'EOF'
import re, sys
def ins(f):
    d = {}
    for l in open(f):
        m = re.match(r"^ *(\d+): (\(..\) .*)$", l.rstrip("\n"))
        if m: d[int(m.group(1))] = m.group(2)
    return d
b, t = ins(sys.argv[1]), ins(sys.argv[2])
same = sum(1 for k in t if b.get(k) == t[k])
# bee adds map names, labels and subprog names; strip them and compare all
norm = lambda s: re.sub(r"\[id:(\d+):[^\]]*\]", r"[id:\1]", re.sub(r" <L\d+>$", "", s))
diff = [(k, b.get(k), t[k]) for k in t if norm(b.get(k, "")) != t[k]
        and not t[k].startswith("(85) call pc") and "r0 = r0" not in t[k]]
print("ok" if not diff else "differ: %r" % diff[:3])
EOF
)
	[ "$r" = ok ] && ok xlated_text_matches_bpftool || fail xlated_text_matches_bpftool "$r"
else
	echo "skip xlated_count_matches_bpftool: bpftool is not installed"
fi
mid=$(json "$tmp/tp.json" 'j["map_ids"][0]')
for want in "call bpf_get_current_pid_tgid#" "call bpf_ktime_get_ns#" \
	    "map[id:$mid:disasm_counts]" "int disasm_tracepoint_handler(void *ctx):" \
	    "int disasm_sub(int x):" "#disasm_sub" "; u32 pid = bpf_get_current_pid_tgid() >> 32;" \
	    "atomic64_xchg((u64 *)" "atomic_cmpxchg((u32 *)"; do
	grep -qF -- "$want" "$tmp/x" || { fail xlated_names "no '$want' in: $(head -c 1500 "$tmp/x")"; want=; break; }
done
[ -n "$want" ] && ok xlated_names_helpers_maps_funcs_source
# a label line precedes every jump target
r=$(python3 - "$tmp/x" <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
labels, at = {}, None
for l in lines:
    m = re.match(r"^(L\d+):$", l)
    if m: at = m.group(1); continue
    m = re.match(r"^ *(\d+): ", l)
    if m and at: labels[at] = int(m.group(1)); at = None
bad = []
for l in lines:
    m = re.match(r"^ *(\d+): \(..\) .*(goto|gotol) pc([+-]\d+) <(L\d+)>$", l)
    if m and labels.get(m.group(4)) != int(m.group(1)) + int(m.group(3)) + 1: bad.append(l)
jumps = sum(1 for l in lines if re.search(r"goto pc[+-]\d+ <L\d+>$", l))
print("ok" if jumps and not bad else "jumps %d bad %r" % (jumps, bad[:3]))
EOF
)
[ "$r" = ok ] && ok xlated_labels_at_targets || fail xlated_labels_at_targets "$r"
$BEE prog dump xlated id "$id" linum >"$tmp/xl"
grep -qE "^; .* \[file:.*disasm_prog.bpf.c line_num:[0-9]+ line_col:[0-9]+\]$" "$tmp/xl" &&
	ok xlated_linum || fail xlated_linum "$(head -5 "$tmp/xl")"
$BEE prog dump xlated id "$id" visual >"$tmp/xv"
r=$(python3 - "$tmp/xv" "$tmp/x" <<'EOF'
import re, sys
dot = open(sys.argv[1]).read()
pcs = [int(m) for m in re.findall(r"(?:\{| \| )(\d+): \(", dot)]
want = [int(m) for m in re.findall(r"^ *(\d+): \(", open(sys.argv[2]).read(), re.M)]
nodes = set(re.findall(r"^\t(fn_\d+_bb_\d+) \[", dot, re.M))
edges = re.findall(r"^\t(fn_\d+_bb_\d+):s -> (fn_\d+_bb_\d+):n", dot, re.M)
ok = (dot.startswith('digraph "DOT graph for eBPF program" {') and sorted(pcs) == want
      and len(edges) >= 8 and all(a in nodes and b in nodes for a, b in edges)
      and 'label="func_0 (disasm_tracepoint_handler)"' in dot and "(disasm_sub)" in dot)
print("ok" if ok else "pcs %d/%d edges %d %r" % (len(pcs), len(want), len(edges), [e for e in edges if e[0] not in nodes or e[1] not in nodes][:3]))
EOF
)
[ "$r" = ok ] && ok xlated_visual_graph || fail xlated_visual_graph "$r"
$BEE -p prog dump xlated id "$id" opcodes >"$tmp/xj"
r=$(json "$tmp/xj" "len(j) == $n_bee and j[0]['proto'].startswith('int disasm_tracepoint_handler') and all('opcodes' in x for x in j)")
[ "$r" = True ] && ok xlated_json || fail xlated_json "$r"

$BEE prog dump jited id "$id" >"$tmp/jit" 2>"$tmp/err"; rc=$?
r=$(python3 - "$tmp/jit" "$ptag" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
funcs = re.split(r"\n(?=[^\s;][^\n]*:\n)", text.strip())
names = re.findall(r"^(bpf_prog_[0-9a-f]{16}_\w+):$", text, re.M)
insns = re.findall(r"^ *[0-9a-f]+:\t(\S+)", text, re.M)
# each function ends returning: ret, or a jump to the return thunk (retbleed/SRSO mitigations)
ends = []
for n in names:
    body = text.split(n + ":\n", 1)[1].split("\n\n", 1)[0].strip().split("\n")
    last = [l for l in body if re.match(r"^ *[0-9a-f]+:\t", l)][-1]
    ends.append(bool(re.search(r"\tret|return_thunk", last)))
ok = (len(names) == 2 and names[0].startswith("bpf_prog_" + sys.argv[2]) and all(ends)
      and len(insns) > 20 and "; bpf_get_current_pid_tgid" in text)
print("ok" if ok else "names %r ends %r insns %d" % (names, ends, len(insns)))
EOF
)
[ $rc = 0 ] && [ "$r" = ok ] && ok seed_dump_jited || fail seed_dump_jited "exit $rc $r $(cat "$tmp/err")"
$BEE prog dump jited id "$id" linum | grep -qE "^; .* \[file:.*disasm_prog.bpf.c line_num:[0-9]+ line_col:[0-9]+\]$" &&
	ok jited_linum || fail jited_linum "no source line with file:line"
$BEE -j prog dump jited id "$id" opcodes >"$tmp/jj"
r=$(json "$tmp/jj" "len(j) == 2 and len(j[0]['insns']) > 20 and all(x['opcodes'] for x in j[0]['insns'])")
[ "$r" = True ] && ok jited_json || fail jited_json "$r"

# ---- stats: on while bee runs, off after ------------------------------------------
# (kernel.bpf_stats_enabled shows only the sysctl's own setting, not the
# BPF_ENABLE_STATS fds, so "on" and "off" are seen in the counts themselves)
runs() { $BEE prog run id "$sid" data_in "$tmp/pkt" repeat "$1" >/dev/null; }
run_cnt() { $BEE -j prog show id "$sid" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("run_cnt", 0))'; }
head -c 64 /dev/zero >"$tmp/pkt"
c0=$(run_cnt); runs 100; c1=$(run_cnt)
if [ "$c0" != "$c1" ]; then
	echo "skip stats_counts_runs: the kernel counts runs already (another process turned BPF stats on)"
else
	$BEE -j prog show id "$sid" stats 20 >"$tmp/st.json" 2>"$tmp/st.err" &
	bee_pid=$!
	for _ in $(seq 100); do
		grep -q "statistics on" "$tmp/st.err" && break
		sleep 0.05
	done
	runs 1000
	kill -INT $bee_pid
	wait $bee_pid; rc=$?
	cnt=$(json "$tmp/st.json" 'j["stats_run_cnt"]')
	c2=$(run_cnt); runs 1000; c3=$(run_cnt)
	if [ $rc = 0 ] && [ "$cnt" = 1000 ] && [ "$c2" = "$c3" ] && [ "$c2" -ge 1000 ]; then
		ok stats_counts_runs_on_while_bee_runs_off_after
	else
		fail stats_counts_runs_on_while_bee_runs_off_after \
			"exit=$rc counted while on=$cnt (want 1000), run_cnt after exit $c2 -> $c3 over 1000 more runs (want no change) $(cat "$tmp/st.err")"
	fi
fi

# ---- run (BPF_PROG_TEST_RUN) ---------------------------------------------------------
printf 'hello, this is a test packet for bee prog run; it has some bytes.' >"$tmp/pkt2"
$BEE prog run id "$sid" data_in "$tmp/pkt2" data_out "$tmp/out2" >"$tmp/run" 2>"$tmp/err"; rc=$?
if [ $rc = 0 ] && grep -q '^Return value: 0, duration: [0-9]*ns$' "$tmp/run" &&
   [ "$(stat -c %s "$tmp/out2")" = "$(stat -c %s "$tmp/pkt2")" ]; then
	ok run_data_out
else
	fail run_data_out "exit $rc: $(cat "$tmp/run" "$tmp/err")"
fi
r=$($BEE -j prog run id "$sid" data_in "$tmp/pkt2" repeat 5 | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["retval"], j["repeat"], j["duration_ns"] >= 0)')
[ "$r" = "0 5 True" ] && ok run_json || fail run_json "$r"
if [ $have_bpftool = 1 ]; then
	$BEE prog run id "$sid" data_in "$tmp/pkt2" data_out - | grep -v '^Return' >"$tmp/hb"
	bpftool prog run id "$sid" data_in "$tmp/pkt2" data_out - | grep -v '^Return' >"$tmp/ht"
	[ -s "$tmp/hb" ] && cmp -s "$tmp/hb" "$tmp/ht" && ok run_hex_dump_matches_bpftool ||
		fail run_hex_dump_matches_bpftool "$(diff "$tmp/hb" "$tmp/ht" | head -4)"
fi
$BEE prog run id "$id" >"$tmp/o" 2>"$tmp/e"; rc=$?
one_line run_unsupported_type 1 "$tmp/o" "$tmp/e" $rc
grep -q "cannot test-run this program type" "$tmp/e" || fail run_unsupported_type_message "$(cat "$tmp/e")"

# ---- finding programs -------------------------------------------------------------
r=$($BEE -j prog show name disasm_tracepoint_handler | python3 -c "import json,sys; j=json.load(sys.stdin); print($id in [x['id'] for x in (j if isinstance(j, list) else [j])])")
[ "$r" = True ] && ok find_by_full_name || fail find_by_full_name "$r"
r=$($BEE -j prog show tag "$ptag" | python3 -c "import json,sys; j=json.load(sys.stdin); print($id in [x['id'] for x in (j if isinstance(j, list) else [j])])")
[ "$r" = True ] && ok find_by_tag || fail find_by_tag "$r"
$BEE prog sh id "$id" | grep -q "^$id: tracepoint" && $BEE prog d x id "$id" | grep -q '^   0: (' &&
	ok keywords_abbreviated || fail keywords_abbreviated "'prog sh' / 'prog d x' did not work"

# ---- pin, load ------------------------------------------------------------------
if $BEE prog pin id "$id" "${dir}_pin" && [ "$($BEE -j prog show pinned "${dir}_pin" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')" = "$id" ]; then
	ok pin
else
	fail pin "pinned path does not hold prog $id"
fi
if $BEE prog load "$obj" "${dir}_one" 2>"$tmp/err"; then
	r=$($BEE -j prog show pinned "${dir}_one" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["type"], j["name"])')
	[ "$r" = "tracepoint disasm_tracepoint_handler" ] && ok seed_load_first_program ||
		fail seed_load_first_program "pinned: $r"
else
	fail seed_load_first_program "$(cat "$tmp/err")"
fi

if $BEE prog load "$obj" "${dir}_typed" type tracepoint 2>"$tmp/err" &&
   [ "$($BEE -j prog show pinned "${dir}_typed" | python3 -c 'import json,sys; print(json.load(sys.stdin)["type"])')" = tracepoint ]; then
	ok load_with_type
else
	fail load_with_type "$(cat "$tmp/err")"
fi
rm -f "${dir}_typed"
# bpftool's spelling of TYPE (a section name) sets every program's type
if $BEE prog loadall "$obj" "${dir}_typed" type socket 2>"$tmp/err"; then
	r=$(for p in disasm_tracepoint_handler disasm_sockfilter; do
		$BEE -j prog show pinned "${dir}_typed/$p" | python3 -c 'import json,sys; print(json.load(sys.stdin)["type"])'
	done | tr '\n' ' ')
	[ "$r" = "socket_filter socket_filter " ] && ok load_bpftool_type_name ||
		fail load_bpftool_type_name "types: $r"
else
	fail load_bpftool_type_name "$(cat "$tmp/err")"
fi
rm -rf "${dir}_typed"
$BEE prog load "$obj" "${dir}.dotted" >"$tmp/o" 2>"$tmp/e"; rc=$?
one_line load_dotted_pin_name 1 "$tmp/o" "$tmp/e" $rc
grep -q "cannot contain '.'" "$tmp/e" || fail load_dotted_pin_name_message "$(cat "$tmp/e")"
$BEE prog load "$obj" "${dir}_typed" type no_such_type >"$tmp/o" 2>"$tmp/e"; rc=$?
one_line load_unknown_type 2 "$tmp/o" "$tmp/e" $rc
[ -e "${dir}_typed" ] && fail load_unknown_type_created "${dir}_typed exists"
$BEE prog dump xlated id "$id" file "$tmp/raw.x" && $BEE prog dump jited id "$id" file "$tmp/raw.j" &&
[ "$(stat -c %s "$tmp/raw.x")" = "$(json "$tmp/tp.json" 'j["bytes_xlated"]')" ] &&
[ "$(stat -c %s "$tmp/raw.j")" = "$(json "$tmp/tp.json" 'j["bytes_jited"]')" ] &&
	ok dump_to_file || fail dump_to_file "sizes $(stat -c %s "$tmp/raw.x" "$tmp/raw.j" 2>&1 | tr '\n' ' ')"

# ---- bad input: one line, exit 1 or 2, nothing created -----------------------------------
$BEE prog show id 5000000000 >"$tmp/o" 2>"$tmp/e"; one_line unknown_id_bad_usage 2 "$tmp/o" "$tmp/e" $?
$BEE prog show id 99999999 >"$tmp/o" 2>"$tmp/e"; one_line unknown_id 1 "$tmp/o" "$tmp/e" $?
grep -q "prog id 99999999: no such program" "$tmp/e" || fail unknown_id_message "$(cat "$tmp/e")"
$BEE prog dump xlated name no_such_prog_$$ >"$tmp/o" 2>"$tmp/e"; one_line unknown_name 1 "$tmp/o" "$tmp/e" $?
$BEE prog dump xlated id abc >"$tmp/o" 2>"$tmp/e"; one_line id_not_a_number 2 "$tmp/o" "$tmp/e" $?
$BEE prog dump sideways id "$id" >"$tmp/o" 2>"$tmp/e"; one_line dump_bad_kind 2 "$tmp/o" "$tmp/e" $?
$BEE prog frobnicate >"$tmp/o" 2>"$tmp/e"; one_line unknown_command 2 "$tmp/o" "$tmp/e" $?
$BEE prog pin id "$id" "$tmp/notbpffs" >"$tmp/o" 2>"$tmp/e"; rc=$?
one_line pin_not_bpffs 1 "$tmp/o" "$tmp/e" $rc
[ -e "$tmp/notbpffs" ] && fail pin_not_bpffs_created "$tmp/notbpffs exists"
$BEE prog show pinned "$tmp" >"$tmp/o" 2>"$tmp/e"; one_line pinned_not_bpffs 1 "$tmp/o" "$tmp/e" $?
$BEE prog show pinned "${dir}_maps/disasm_counts" >"$tmp/o" 2>"$tmp/e"; rc=$?
one_line pinned_is_a_map 1 "$tmp/o" "$tmp/e" $rc
grep -q "not a program" "$tmp/e" || fail pinned_is_a_map_message "$(cat "$tmp/e")"
$BEE prog load "$obj" "$tmp/notbpffs2" >"$tmp/o" 2>"$tmp/e"; rc=$?
one_line load_not_bpffs 1 "$tmp/o" "$tmp/e" $rc
[ -e "$tmp/notbpffs2" ] && fail load_not_bpffs_created "$tmp/notbpffs2 exists"
# disasm_alu only assembles; the verifier refuses it (unreachable code)
$BEE prog load "$BEE_BUILD/tests/bpf/disasm_alu.bpf.o" "${dir}_bad" >"$tmp/o" 2>"$tmp/e"; rc=$?
one_line load_rejected_by_verifier 1 "$tmp/o" "$tmp/e" $rc
grep -q "prog 'disasm_alu64': verifier rejected it: " "$tmp/e" ||
	fail load_rejected_message "$(cat "$tmp/e")"
[ -e "${dir}_bad" ] && fail load_rejected_created "${dir}_bad exists"
$BEE -j prog show id 99999999 >"$tmp/o" 2>"$tmp/e"; rc=$?
r=$(json "$tmp/o" '"error" in j and "no such program" in j["error"]')
[ $rc = 1 ] && [ "$r" = True ] && ok json_error_object || fail json_error_object "exit $rc: $(cat "$tmp/o")"

if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups $BEE prog list >"$tmp/o" 2>"$tmp/e"; rc=$?
	one_line unprivileged_list 1 "$tmp/o" "$tmp/e" $rc
	grep -q "needs CAP_SYS_ADMIN" "$tmp/e" || fail unprivileged_list_message "$(cat "$tmp/e")"
else
	echo "skip unprivileged_list: setpriv is not installed"
fi

# ambiguous: the same object loaded twice has two programs of each name
if $BEE prog loadall "$obj" "${dir}_2" 2>"$tmp/err"; then
	sid2=$($BEE -j prog show pinned "${dir}_2/disasm_sockfilter" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	$BEE prog dump xlated name disasm_sockfilter >"$tmp/o" 2>"$tmp/e"; rc=$?
	one_line ambiguous_name 1 "$tmp/o" "$tmp/e" $rc
	grep -qE "matches [0-9]+ programs \(ids .*\b$sid\b" "$tmp/e" && grep -qE "\b$sid2\b" "$tmp/e" &&
		ok ambiguous_name_lists_ids || fail ambiguous_name_lists_ids "$(cat "$tmp/e")"
	n=$($BEE prog show name disasm_sockfilter | grep -cE "^($sid|$sid2): socket_filter")
	[ "$n" = 2 ] && ok show_name_shows_all || fail show_name_shows_all "$n of 2 shown"
else
	fail ambiguous_name "second load failed: $(cat "$tmp/err")"
fi

# ---- tracelog (in a tracefs instance of our own, not to take others' lines) ---------------
tracefs=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
if [ -z "$tracefs" ]; then
	echo "skip tracelog: tracefs is not mounted"
elif ! mkdir "$tracefs/instances/$tag" 2>"$tmp/err"; then
	echo "skip tracelog: cannot create a tracefs instance: $(cat "$tmp/err")"
else
	$BEE prog tracelog instance "$tag" >"$tmp/trace" 2>"$tmp/err" &
	bee_pid=$!
	for _ in $(seq 60); do
		echo "bee-prog-marker-$$" >"$tracefs/instances/$tag/trace_marker"
		grep -q "bee-prog-marker-$$" "$tmp/trace" && break
		sleep 0.05
	done
	kill -INT $bee_pid; wait $bee_pid; rc=$?
	grep -q "bee-prog-marker-$$" "$tmp/trace" && [ $rc = 0 ] && ok tracelog_streams_lines ||
		fail tracelog_streams_lines "exit $rc, got: $(head -c 300 "$tmp/trace") $(cat "$tmp/err")"
fi

# ---- help ---------------------------------------------------------------------------
$BEE prog help | grep -qF 'PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }' &&
	$BEE prog --help | grep -q 'dump xlated PROG' && $BEE prog dump help | grep -q 'dump xlated PROG' &&
	$BEE prog pin --help | grep -q 'prog pin' && ok help || fail help "no grammar in help"
exit 0
