#!/usr/bin/env bash
# bee btf: list, raw and C dumps checked against bpftool (the oracle) and
# against clang (the C header must compile a BPF program), and bad input.
. "$(dirname "$0")/lib.sh"
# a private copy: a rebuild of build/bee while the cases run must not break them
cp "$BEE" "$T/bee.bin" && BEE=$T/bee.bin
VM=/sys/kernel/btf/vmlinux
OBJ=$BEE_BUILD/tests/bpf/feature_link.bpf.o
have_bpftool() { command -v bpftool >/dev/null; }

# one line on stderr, nothing on stdout, exit code $1
one_line_err() { # WANT_RC NAME CMD...
	local want=$1 name=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"; local rc=$?
	if [ "$rc" -ne "$want" ]; then fail "$name" "want exit $want, got $rc: $(cat "$T/err")"
	elif [ "$(wc -l <"$T/err")" -ne 1 ] || [ -s "$T/out" ]; then
		fail "$name" "want one error line and no output, got: $(cat "$T/err" "$T/out" | head -3)"
	elif ! grep -q '^bee: ' "$T/err"; then fail "$name" "error does not start with 'bee: ': $(cat "$T/err")"
	else ok "$name"; fi
}

# raw dump of the whole kernel BTF, byte for byte bpftool's
if ! have_bpftool; then skip btf_raw_vmlinux_matches_bpftool "no bpftool (the oracle)"
else
	$BEE btf dump file $VM >"$T/bee.raw" && bpftool btf dump file $VM >"$T/bpftool.raw"
	why="raw dumps differ: $(diff "$T/bee.raw" "$T/bpftool.raw" | head -3)"
	check btf_raw_vmlinux_matches_bpftool cmp -s "$T/bee.raw" "$T/bpftool.raw"
	why="raw dump has $(wc -l <"$T/bee.raw") lines"
	check btf_raw_vmlinux_not_empty test "$(grep -c '^\[' "$T/bee.raw")" -gt 10000
fi

# raw dump of an object file's BTF, and of kernel BTF by id, same as bpftool
if have_bpftool; then
	$BEE btf dump file "$OBJ" format raw >"$T/o.bee"; bpftool btf dump file "$OBJ" format raw >"$T/o.bpftool"
	why="$(diff "$T/o.bee" "$T/o.bpftool" | head -3)"
	check btf_raw_object_matches_bpftool cmp -s "$T/o.bee" "$T/o.bpftool"
	$BEE btf dump id 1 >"$T/id1.raw"
	why="btf dump id 1 differs from file $VM"
	check btf_raw_by_id_matches_file cmp -s "$T/id1.raw" "$T/bee.raw"
fi

# the seed's command: a vmlinux.h that compiles a BPF program, with the
# same set of types as bpftool's
$BEE btf dump file $VM format c >"$T/vmlinux.h"; rc=$?
cat >"$T/prog.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
SEC("tracepoint/sched/sched_process_exec")
int on_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	pid_t ppid = BPF_CORE_READ(t, real_parent, tgid);
	bpf_ringbuf_output(&rb, &ppid, sizeof(ppid), 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
C
if [ $rc -ne 0 ]; then fail btf_c_dump_compiles "bee btf dump format c exited $rc"
elif clang -target bpf -g -O2 -D__TARGET_ARCH_x86 -I"$T" -c "$T/prog.bpf.c" -o "$T/prog.o" 2>"$T/cc.err"; then
	why="compiled object has no BTF for on_exec"
	check btf_c_dump_compiles bash -c "bpftool btf dump file '$T/prog.o' 2>/dev/null | grep -q \"FUNC 'on_exec'\" || ! command -v bpftool >/dev/null"
else
	fail btf_c_dump_compiles "clang: $(head -3 "$T/cc.err")"
fi
# ...and the program built against it loads: its CO-RE relocations
# resolve against the running kernel
if [ -f "$T/prog.o" ] && command -v bpftool >/dev/null; then
	pin=/sys/fs/bpf/bee_btf_test_$$
	why="$(bpftool prog load "$T/prog.o" $pin 2>&1 | tail -2)"
	check btf_c_dump_program_loads test -e $pin
	rm -f $pin
fi
types() { # the declarations a header defines, "()" and "(void)" alike
	grep -E '^(struct|union|enum) [A-Za-z0-9_]+ \{|^typedef ' "$1" | sed 's/(void)/()/g' | sort -u
}
if have_bpftool; then
	bpftool btf dump file $VM format c >"$T/vmlinux.bpftool.h"
	types "$T/vmlinux.h" >"$T/t.bee"; types "$T/vmlinux.bpftool.h" >"$T/t.bpftool"
	why="type sets differ: $(diff "$T/t.bee" "$T/t.bpftool" | head -4)"
	check btf_c_types_match_bpftool cmp -s "$T/t.bee" "$T/t.bpftool"
	why="only $(wc -l <"$T/t.bee") types"
	check btf_c_types_many test "$(wc -l <"$T/t.bee")" -gt 5000
fi

# list: vmlinux with its size as the kernel reports it, JSON a root array
if have_bpftool; then
	want=$(bpftool -j btf list | python3 -c 'import json,sys; print([(b["id"],b["size"]) for b in json.load(sys.stdin) if b.get("name")=="vmlinux"][0])')
	got=$($BEE -j btf list | python3 -c 'import json,sys; d=json.load(sys.stdin); assert isinstance(d,list); print([(b["id"],b["size_bytes"]) for b in d if b.get("name")=="vmlinux"][0])')
	why="bee $got, bpftool $want"
	check btf_list_vmlinux_matches_bpftool test "$got" = "$want"
fi
# the programs and maps using each BTF object, as bpftool sees them (for
# the objects both runs saw)
if have_bpftool; then
	bpftool -j btf list >"$T/bl"; $BEE -j btf list >"$T/l"
	why="$(python3 - "$T/l" "$T/bl" 2>&1 <<'PY'
import json, sys
bee = {x["id"]: x for x in json.load(open(sys.argv[1]))}
bpf = {x["id"]: x for x in json.load(open(sys.argv[2]))}
common = set(bee) & set(bpf)
assert common
for i in common:
    assert bee[i]["size_bytes"] == bpf[i]["size"], (i, bee[i], bpf[i])
# objects may appear or vanish between the runs: a prog or map that both
# saw must be listed under the same BTF object by both
for kind in ("prog_ids", "map_ids"):
    seen_bee = {o for x in bee.values() for o in x[kind]}
    seen_bpf = {o for x in bpf.values() for o in x[kind]}
    for i in common:
        a = set(bee[i][kind]) & seen_bpf
        b = set(bpf[i][kind]) & seen_bee
        assert a == b, (i, kind, sorted(a), sorted(b))
PY
)"
	check btf_list_matches_bpftool test -z "$why"
fi
$BEE btf list >"$T/list"
why="$(head -2 "$T/list")"
check btf_list_text grep -qE '^1: name \[vmlinux\]  size [0-9]+B$' "$T/list"
$BEE btf show id 1 >"$T/show1"
why="$(cat "$T/show1")"
check btf_show_id grep -qE '^1: name \[vmlinux\]  size [0-9]+B$' "$T/show1"

# JSON raw dump: one object per type, as many as bpftool has
if have_bpftool; then
	n_bee=$($BEE -j btf dump file "$OBJ" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	n_bpf=$(bpftool -j btf dump file "$OBJ" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["types"]))')
	why="bee $n_bee types, bpftool $n_bpf"
	check btf_json_dump_types test "$n_bee" = "$n_bpf"
fi

# module BTF loads split on vmlinux
mods=$(ls /sys/kernel/btf | grep -vx vmlinux | head -1)
if [ -z "$mods" ]; then
	skip btf_module_split "no module BTF in /sys/kernel/btf (modules off or CONFIG_DEBUG_INFO_BTF_MODULES not set)"
else
	$BEE btf dump file /sys/kernel/btf/$mods >"$T/mod.raw"; bpftool btf dump file /sys/kernel/btf/$mods base $VM >"$T/mod.bpftool" 2>/dev/null
	why="module $mods: $(diff "$T/mod.raw" "$T/mod.bpftool" | head -3)"
	check btf_module_split cmp -s "$T/mod.raw" "$T/mod.bpftool"
fi

# bad input: one line, exit 1 (not found) or 2 (usage)
one_line_err 1 btf_bad_unknown_id $BEE btf dump id 999999
one_line_err 2 btf_bad_id_word $BEE btf dump id abc
one_line_err 1 btf_bad_missing_file $BEE btf dump file /nonexistent/bee
one_line_err 1 btf_bad_file_without_btf $BEE btf dump file /etc/hostname
one_line_err 2 btf_bad_format $BEE btf dump file $VM format xml
one_line_err 1 btf_bad_pinned_not_bpffs $BEE btf dump map pinned /tmp
one_line_err 1 btf_bad_prog_name $BEE btf dump prog name bee_no_such_prog
one_line_err 2 btf_bad_source $BEE btf dump frob 1
one_line_err 1 btf_bad_show_id $BEE btf show id 999999
$BEE -j btf dump id 999999 >"$T/j" 2>&1
why="$(cat "$T/j")"
check btf_bad_json_error python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "error" in d and "999999" in d["error"]' "$T/j"

# help and abbreviations
$BEE btf help >"$T/h"; why="$(head -2 "$T/h")"
check btf_help grep -q 'btf dump BTF_SRC' "$T/h"
$BEE btf --help >"$T/h2"; check btf_help_option grep -q 'format' "$T/h2"
$BEE btf du fi "$OBJ" fo r >"$T/abbr"; why="abbreviated command output differs"
check btf_abbreviations cmp -s "$T/abbr" "$T/o.bee"
exit 0
