#!/usr/bin/env bash
# The table of bad inputs: each row is a command line, the exit code it must
# give (1 failure, 2 bad usage) and a regex its one error line must match.
# A row passes when the exit code is exact, stderr is exactly one line
# matching (with -j: stdout is exactly one {"error": ...} line matching, and
# stderr is empty), and the kernel's program, map and link lists are the
# same afterwards (nothing new, no fixture gone). Only this test's objects are compared ("beebad" names:
# every program, map and object file a row could load is named so), since
# other tests load and unload beside it. BEE_BAD_DISCOVER=1 prints what each
# row gave instead of checking.
. "$(dirname "$0")/lib.sh"
export BEE_CACHE_DIR=$T/cache
IDS=$BEE_BUILD/tests/helpers/bpf_ids
EX=$BEE_BUILD/examples
P=$$
FS=/sys/fs/bpf
# bee mounts bpffs when it needs it; the fixtures need it first
[ "$(stat -f -c %T $FS 2>/dev/null)" = bpf_fs ] || mount -t bpf bpf $FS
CGROOT=$(python3 -c 'import sys
for l in open("/proc/mounts"):
    f = l.split()
    if f[2] == "cgroup2": print(f[1]); sys.exit()')
CG=$CGROOT/beebad$P
MAPPIN=$FS/beebad-$P-map
PROGPIN=$FS/beebad-$P-prog
DROP_ALL=cap_bpf,cap_sys_admin,cap_net_admin,cap_perfmon

fin() {
	rm -f "$MAPPIN" "$PROGPIN" "$FS/beebad-$P-new"
	[ -d "$CG" ] && rmdir "$CG"
	rm -rf "$T"
}
trap fin EXIT

# ---- fixtures ----
F=$T/f
mkdir -p "$F" "$CG" || { fail setup "cannot create $F or $CG"; exit 0; }
OBJ=$EX/hello.bpf.o
sz=$(stat -c %s "$OBJ")
: >"$F/empty.o"
echo "hello world, not an ELF" >"$F/text.o"
head -c 10 "$OBJ" >"$F/cut10.o"
head -c 64 "$OBJ" >"$F/cut64.o"
head -c $((sz / 2)) "$OBJ" >"$F/cuthalf.o"
head -c $((sz - 16)) "$OBJ" >"$F/cutend.o"
llvm-objcopy --dump-section .BTF="$F/good.btf" "$OBJ" "$T/discard.o"
python3 - "$OBJ" "$F" <<'PY'
import sys
obj, d = sys.argv[1], sys.argv[2]
b = bytearray(open(obj, "rb").read())
btf = open(d + "/good.btf", "rb").read()
off = b.find(btf)
c = bytearray(b); c[off] ^= 0xff; c[off + 1] ^= 0xff      # .BTF magic
open(d + "/btfmagic.o", "wb").write(c)
c = bytearray(b)
for i in range(off + 24, off + 88): c[i] ^= 0x5a          # .BTF types
open(d + "/btftypes.o", "wb").write(c)
c = bytearray(b)
for i in range(off + 8, off + 24): c[i] = 0xff            # .BTF header offsets
open(d + "/btfhdr.o", "wb").write(c)
open(d + "/trunc.btf", "wb").write(btf[:40])
x = bytearray(btf); x[0] ^= 0xff
open(d + "/magic.btf", "wb").write(x)
x = bytearray(btf)
for i in range(24, 72): x[i] ^= 0x77
open(d + "/types.btf", "wb").write(x)
PY
cat >"$F/beebad_cc.bpf.c" <<'C'
#include "bee/bee.bpf.h"
SEC("tp/syscalls/sys_enter_getpid") int beebad_cc(void *c) { return undefined_thing; }
C
cat >"$F/beebad_vrf.bpf.c" <<'C'
#include "bee/bee.bpf.h"
SEC("tp/syscalls/sys_enter_getpid") int beebad_vrf(void *c) { char *p = 0; return *(volatile char *)(p + 8); }
BEE_GPL;
C
cat >"$F/beebad_kp.bpf.c" <<'C'
#include "bee/bee.bpf.h"
SEC("kprobe/do_nanosleep") int beebad_kp(void *c) { return 0; }
BEE_GPL;
C
cat >"$F/beebad_fe.bpf.c" <<'C'
#include "bee/bee.bpf.h"
SEC("fentry/do_nanosleep") int BPF_PROG(beebad_fe) { return 0; }
BEE_GPL;
C
cat >"$F/beebad_up.bpf.c" <<'C'
#include "bee/bee.bpf.h"
SEC("uprobe//bin/true:beebad_no_such_symbol") int beebad_up(void *c) { return 0; }
BEE_GPL;
C
cat >"$F/beebad_upf.bpf.c" <<'C'
#include "bee/bee.bpf.h"
SEC("uprobe//nonexistent/beebad:main") int beebad_upf(void *c) { return 0; }
BEE_GPL;
C
cat >"$F/beebad_tp.bpf.c" <<'C'
#include "bee/bee.bpf.h"
SEC("tp/beebad_nocat/beebad_noevent") int beebad_tp(void *c) { return 0; }
BEE_GPL;
C
cat >"$F/beebad_ok.bpf.c" <<'C'
#include "bee/bee.bpf.h"
u64 beebad_n;
SEC("tp/syscalls/sys_enter_getppid") int beebad_ok(void *c) { beebad_n++; return 0; }
BEE_GPL;
C
cat >"$F/beebad_perf.bpf.c" <<'C'
#include "bee/bee.bpf.h"
SEC("perf_event") int beebad_perf(void *c) { return 0; }
BEE_GPL;
C
cat >"$F/beebad_xdp.bpf.c" <<'C'
#include "bee/bee.bpf.h"
SEC("xdp") int beebad_xdp(struct xdp_md *c) { return XDP_PASS; }
BEE_GPL;
C
cat >"$F/beebad_dev.bpf.c" <<'C'
#include "bee/bee.bpf.h"
SEC("cgroup/dev") int beebad_dev(struct bpf_cgroup_dev_ctx *c) { return 1; }
BEE_GPL;
C
# compiled once by bee (cached), so rows can name the object file too
"$BEE" run "$F/beebad_ok.bpf.c" --duration 0.01 -q --no-maps >/dev/null 2>&1
OKO=$(find "$BEE_CACHE_DIR" -name "*.o" | head -1)
cp "$OKO" "$F/beebad_ok.o" 2>/dev/null
bpftool map create "$MAPPIN" type hash key 2 value 2 entries 8 name beebad_stats &&
	bpftool map update pinned "$MAPPIN" key 0xc1 0xc2 value 0xa1 0xa2 &&
	bpftool prog load "$F/beebad_ok.o" "$PROGPIN" ||
	{ fail setup "cannot create the fixture map and program (bpftool)"; exit 0; }

# The kernel frees a closed object some milliseconds after its last fd goes
# (deferred work): a row's "before" can hold an object of the row before it
# that is still going away, and its "after" one of its own. When the two
# differ, wait until the list holds still (up to 2 s) and judge that: a row
# fails for what it leaves behind, or for a fixture it made disappear.
settled() {
	local a b i
	a=$("$IDS" beebad)
	for i in $(seq 40); do
		sleep 0.05
		b=$("$IDS" beebad)
		[ "$a" = "$b" ] && break
		a=$b
	done
	echo "$a"
}
# the fixtures' own objects ("KIND ID"), the only ones a row may not make
# disappear: the pinned map, the pinned program and the program's maps
FIXTURES=$(bpftool -j map show pinned "$MAPPIN" | python3 -c 'import json,sys; print("map", json.load(sys.stdin)["id"])'
	bpftool -j prog show pinned "$PROGPIN" | python3 -c 'import json,sys
p = json.load(sys.stdin)
print("prog", p["id"])
for m in p.get("map_ids", []): print("map", m)')
changed() { # BEFORE AFTER: the lines that make a row fail
	diff <(echo "$1") <(echo "$2") | while read -r dir kind id name; do
		case $dir in
		'>') echo "> $kind $id $name" ;;
		'<') grep -qx "$kind $id" <<<"$FIXTURES" && echo "< $kind $id $name" ;;
		esac
	done | tr '\n' ' '
}

# ---- the rows ----
DISCOVER=${BEE_BAD_DISCOVER:-}
rows=0
row() { # NAME RC REGEX CMD... (CMD may start with "capsh:CAPS" to drop them)
	local name=$1 want=$2 re=$3; shift 3
	local before after out err rc nout nerr line
	rows=$((rows + 1))
	before=$("$IDS" beebad)
	if [[ $1 == capsh:* ]]; then
		local caps=${1#capsh:}; shift
		timeout 30 capsh --drop="$caps" -- -c '"$@"' capsh "$@" >"$T/out" 2>"$T/err"
	else
		timeout 30 "$@" >"$T/out" 2>"$T/err"
	fi
	rc=$?
	after=$("$IDS" beebad)
	[ "$before" != "$after" ] && after=$(settled)
	nout=$(wc -l <"$T/out") nerr=$(wc -l <"$T/err")
	if [ -n "$DISCOVER" ]; then
		echo "row $name: rc $rc, stdout $nout, stderr $nerr: $(head -c 300 "$T/err")$(head -c 300 "$T/out")"
		[ "$before" != "$after" ] && echo "   changed: $(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')"
		return
	fi
	if [[ " $* " == *" -j "* ]]; then
		line=$(cat "$T/out")
		if [ "$nout" != 1 ] || [ -s "$T/err" ] || [[ $line != '{"error":'* ]]; then
			fail "bad_$name" "want one {\"error\": ...} line on stdout and nothing on stderr, got stdout [$(head -c 300 "$T/out")] stderr [$(head -c 300 "$T/err")]"
			return
		fi
		line=$(python3 -c 'import json,sys; print("bee: " + json.load(sys.stdin)["error"])' <"$T/out")
	else
		line=$(cat "$T/err")
		if [ "$nerr" != 1 ]; then
			fail "bad_$name" "want one line on stderr, got $nerr: [$(head -c 400 "$T/err")]"
			return
		fi
	fi
	if [ "$rc" != "$want" ]; then
		fail "bad_$name" "want exit $want, got $rc: $line"
	elif ! grep -qE -- "$re" <<<"$line"; then
		fail "bad_$name" "want /$re/, got: $line"
	elif [ -n "$(changed "$before" "$after")" ]; then
		fail "bad_$name" "kernel objects changed: $(changed "$before" "$after")"
	else
		ok "bad_$name"
	fi
}
B=$BEE
NOID=4000000000

# -- the command line itself
row unknown_object 2 "^bee: unknown object or tool 'beebadobj'" $B beebadobj
row unknown_global_option 2 "^bee: unknown option '--beebad'" $B --beebad prog list
row ambiguous_object 2 '^bee: object '\''p'\'' is ambiguous: perf, profile, prog$' $B p list
row unknown_prog_command 2 '^bee: unknown command '\''beebad'\'' \(try '\''help'\''\)$' $B prog beebad
row ambiguous_map_command 2 '^bee: command '\''de'\'' is ambiguous: delete, dequeue$' $B map de
row unknown_tool_option 2 '^bee: execsnoop: unknown option '\''--beebad'\''$' $B execsnoop --beebad
row unknown_run_option 2 '^bee: .*/beebad_ok.bpf.c: unknown option '\''--beebad'\'' \(see --help\)$' $B run "$F/beebad_ok.bpf.c" --beebad
row run_duration_not_number 2 '^bee: --duration soon: want a number of seconds$' $B run "$F/beebad_ok.bpf.c" --duration soon
row cleanup_unexpected 2 "^bee: cleanup: unexpected 'beebad'" $B cleanup beebad
row feature_unknown_list 2 '^bee: feature list: unknown kind '\''beebad'\'' \(want prog_types, ' $B feature list beebad
row feature_probe_unexpected 2 '^bee: feature probe: unknown argument '\''beebad'\''' $B feature probe beebad
row perf_unknown_command 2 '^bee: unknown command '\''beebad'\''' $B perf beebad
row tracepoint_unknown_command 2 '^bee: unknown command '\''beebad'\''' $B tracepoint beebad
row net_unknown_attach_type 2 '^bee: unknown attach type '\''beebad'\'' \(xdp, xdpgeneric, ' $B net attach beebad id 1 dev lo
row cgroup_unknown_attach_type 2 '^bee: cgroup attach: unknown attach type '\''beebad'\''' $B cgroup attach "$CG" beebad id 1

# -- objects: malformed, truncated, not ELF, not compiling, rejected
row run_empty_file 1 "^bee: cannot open '.*empty.o' as a BPF object: not an ELF file" $B run "$F/empty.o"
row run_text_file 1 "^bee: cannot open '.*text.o' as a BPF object: not an ELF file" $B run "$F/text.o"
row run_elf_cut_10 1 "^bee: cannot open '.*cut10.o' as a BPF object: not an ELF file" $B run "$F/cut10.o"
row run_elf_cut_64 1 "^bee: cannot open '.*cut64.o' as a BPF object: truncated ELF" $B run "$F/cut64.o"
row run_elf_cut_half 1 "^bee: cannot open '.*cuthalf.o' as a BPF object: truncated ELF" $B run "$F/cuthalf.o"
row run_elf_cut_end 1 "^bee: cannot open '.*cutend.o' as a BPF object: truncated ELF" $B run "$F/cutend.o"
row run_btf_bad_magic 1 "^bee: cannot open '.*btfmagic.o' as a BPF object: malformed .BTF" $B run "$F/btfmagic.o"
row run_btf_bad_types 1 '^bee: cannot open '\''.*btftypes.o'\'' as a BPF object: malformed .BTF' $B run "$F/btftypes.o"
row run_btf_bad_header 1 "^bee: cannot open '.*btfhdr.o' as a BPF object: malformed .BTF" $B run "$F/btfhdr.o"
row run_missing_file 1 "^bee: cannot open '/nonexistent/beebad.bpf.c': No such file or directory" $B run /nonexistent/beebad.bpf.c
row run_does_not_compile 1 "beebad_cc.bpf.c:2:[0-9]+: error: use of undeclared identifier 'undefined_thing'" $B run "$F/beebad_cc.bpf.c"
row run_verifier_rejects 1 "^bee: prog 'beebad_vrf': verifier rejected it: R1 invalid mem access" $B run "$F/beebad_vrf.bpf.c"
row run_json_verifier_rejects 1 "^bee: prog 'beebad_vrf': verifier rejected it" $B -j run "$F/beebad_vrf.bpf.c"
row prog_load_empty 1 "^bee: object '.*empty.o': cannot open .* not an ELF file" $B prog load "$F/empty.o" "$FS/beebad-$P-new"
row prog_load_truncated 1 "truncated ELF" $B prog load "$F/cuthalf.o" "$FS/beebad-$P-new"
row prog_load_btf_flipped 1 "malformed .BTF" $B prog load "$F/btfmagic.o" "$FS/beebad-$P-new"
row prog_load_verifier_rejects 1 '^bee: object '\''.*beebad_vrf.bpf.c'\'': prog '\''beebad_vrf'\'': verifier rejected it: R1 invalid mem access' $B prog load "$F/beebad_vrf.bpf.c" "$FS/beebad-$P-new"
row prog_load_unknown_type 2 '^bee: prog type '\''beebad'\'': the kernel has no such program type$' $B prog load "$F/beebad_ok.o" "$FS/beebad-$P-new" type beebad

# -- BTF files
row btf_file_empty 1 "^bee: btf file '.*empty.o': the file is empty" $B btf dump file "$F/empty.o"
row btf_file_text 1 "^bee: btf file '.*text.o': neither raw BTF nor an ELF file with .BTF" $B btf dump file "$F/text.o"
row btf_file_truncated 1 "^bee: btf file '.*trunc.btf': malformed BTF" $B btf dump file "$F/trunc.btf"
row btf_file_bad_magic 1 "^bee: btf file '.*magic.btf': neither raw BTF" $B btf dump file "$F/magic.btf"
row btf_file_bad_types 1 "^bee: btf file '.*types.btf': malformed BTF" $B btf dump file "$F/types.btf"
row btf_file_no_btf 1 "^bee: btf file '/bin/true': no BTF found" $B btf dump file /bin/true
row btf_file_missing 1 "^bee: btf file '/nonexistent/beebad': No such file or directory" $B btf dump file /nonexistent/beebad
row btf_unknown_id 1 '^bee: btf id 4000000000: no such BTF object$' $B btf dump id $NOID
row btf_unknown_format 2 '^bee: btf dump: unknown format '\''beebad'\'' \(want c or raw\)$' $B btf dump file "$F/good.btf" format beebad
row btf_json_unknown_id 1 '^bee: btf id 4000000000: no such BTF object$' $B -j btf dump id $NOID

# -- programs
row prog_unknown_id 1 '^bee: prog id 4000000000: no such program$' $B prog show id $NOID
row prog_id_not_number 2 '^bee: prog id '\''beebad'\'': not a number$' $B prog show id beebad
row prog_unknown_name 1 '^bee: prog name '\''beebad_nosuch'\'': no such program$' $B prog show name beebad_nosuch
row prog_bad_tag 2 '^bee: prog tag '\''beebad'\'': want 8 bytes in hex' $B prog show tag beebad
row prog_unknown_tag 1 '^bee: prog tag '\''0123456789abcdef'\'': no such program$' $B prog show tag 0123456789abcdef
row prog_pinned_missing 1 '^bee: prog pinned '\''/sys/fs/bpf/beebad-nosuch'\'': No such file or directory$' $B prog show pinned $FS/beebad-nosuch
row prog_pinned_not_bpffs 1 '^bee: prog pinned '\''/tmp'\'': not a file on a bpffs mount$' $B prog show pinned /tmp
row prog_pinned_is_map 1 '^bee: prog pinned '\''.*beebad-[0-9]+-map'\'': pinned object is not a program$' $B prog show pinned "$MAPPIN"
row prog_dump_xlated_unknown_id 1 '^bee: prog id 4000000000: no such program$' $B prog dump xlated id $NOID
row prog_dump_jited_unknown_name 1 '^bee: prog name '\''beebad_nosuch'\'': no such program$' $B prog dump jited name beebad_nosuch
row prog_dump_unknown_kind 2 '^bee: prog dump: expected '\''xlated'\'' or '\''jited'\'', got '\''beebad'\''$' $B prog dump beebad id 1
row prog_pin_not_bpffs 1 '^bee: '\''.*/pin'\'' is not on a bpffs mount \(mounted at /sys/fs/bpf\)$' $B prog pin pinned "$PROGPIN" "$T/pin"
row prog_load_pin_not_bpffs 1 '^bee: '\''.*/pin'\'' is not on a bpffs mount \(mounted at /sys/fs/bpf\)$' $B prog load "$F/beebad_ok.o" "$T/pin"
row prog_run_unknown_id 1 '^bee: prog id 4000000000: no such program$' $B prog run id $NOID
row prog_json_unknown_id 1 '^bee: prog id 4000000000: no such program$' $B -j prog show id $NOID

# -- maps
row map_unknown_id 1 '^bee: map id 4000000000: no such map$' $B map show id $NOID
row map_unknown_name 1 '^bee: no map named '\''beebad_nosuch'\''$' $B map show name beebad_nosuch
row map_pinned_is_prog 1 '^bee: pinned '\''.*beebad-[0-9]+-prog'\'' is a prog, not a map$' $B map dump pinned "$PROGPIN"
row map_pinned_missing 1 '^bee: pinned '\''/sys/fs/bpf/beebad-nosuch'\'': no such file$' $B map dump pinned $FS/beebad-nosuch
row map_key_too_long 1 "^bee: map 'beebad_stats': key must be 2 bytes, got 3" $B map update name beebad_stats key 0xc1 0xc2 0xc3 value 0xa1 0xa2
row map_key_too_short 1 "^bee: map 'beebad_stats': key must be 2 bytes, got 1" $B map lookup name beebad_stats key 0xc1
row map_value_wrong_size 1 "^bee: map 'beebad_stats': value must be 2 bytes, got 4" $B map update name beebad_stats key 0xc1 0xc2 value 1 2 3 4
row map_bad_hex 1 '^bee: map '\''beebad_stats'\'': key: '\''0xzz'\'' is not a byte \(0..255 or 0xNN\)$' $B map update name beebad_stats key 0xzz 0xc2 value 0xa1 0xa2
row map_byte_too_big 1 '^bee: map '\''beebad_stats'\'': key: '\''300'\'' is not a byte \(0..255 or 0xNN\)$' $B map update name beebad_stats key 300 0xc2 value 0xa1 0xa2
row map_lookup_missing_key 1 '^bee: map '\''beebad_stats'\'': no entry for that key$' $B map lookup name beebad_stats key 0x01 0x02
row map_delete_missing_key 1 '^bee: map '\''beebad_stats'\'': delete failed: no entry for that key$' $B map delete name beebad_stats key 0x01 0x02
row map_create_not_bpffs 1 '^bee: '\''.*/m'\'' is not on a BPF filesystem' $B map create "$T/m" type hash key 2 value 2 entries 8 name beebad_m
row map_create_unknown_type 2 '^bee: map create: unknown map type '\''beebad'\''' $B map create "$FS/beebad-$P-new" type beebad key 2 value 2 entries 8 name beebad_m
row map_create_zero_key 1 '^bee: map '\''beebad_m'\'': cannot create a hash map \(key 0, value 2, entries 8, flags 0x0\): Invalid argument$' $B map create "$FS/beebad-$P-new" type hash key 0 value 2 entries 8 name beebad_m
row map_json_key_size 1 '^bee: map '\''beebad_stats'\'': key must be 2 bytes, got 3$' $B -j map update name beebad_stats key 1 2 3 value 1 2

# -- links
row link_unknown_id 1 '^bee: link id 4000000000: no such link$' $B link show id $NOID
row link_detach_unknown_id 1 '^bee: link id 4000000000: no such link$' $B link detach id $NOID
row link_pinned_is_map 1 '^bee: link pinned '\''.*beebad-[0-9]+-map'\'': the object there is not a link$' $B link show pinned "$MAPPIN"

# -- network and cgroup attachments
row net_unknown_interface 1 "^bee: net attach xdp: interface 'beebad0' does not exist" $B net attach xdp object "$EX/xdp-example.bpf.o" dev beebad0
row net_list_unknown_interface 1 "^bee: net list: interface 'beebad0' does not exist" $B net list dev beebad0
row net_detach_unknown_interface 1 '^bee: net detach xdp: interface '\''beebad0'\'' does not exist$' $B net detach xdp dev beebad0
row net_unknown_section 1 '^bee: object '\''.*beebad_xdp.bpf.c'\'': no program in section '\''beebad'\''$' $B net attach xdp object "$F/beebad_xdp.bpf.c" sec beebad dev lo
row net_unknown_prog_id 1 '^bee: prog id 4000000000: no such program$' $B net attach xdp id $NOID dev lo
row net_pinned_not_bpffs 1 '^bee: pinned prog '\''/tmp'\'': not a file on a bpffs mount$' $B net attach xdp pinned /tmp dev lo
row cgroup_missing 1 '^bee: cgroup list: cgroup '\''/nonexistent/beebad'\'': No such file or directory$' $B cgroup list /nonexistent/beebad
row cgroup_not_a_cgroup 1 '^bee: cgroup attach: '\''/tmp'\'' is not a cgroup v2 directory' $B cgroup attach /tmp device object "$F/beebad_dev.bpf.c"
row cgroup_detach_wrong_prog_type 1 '^bee: cgroup detach: cgroup device on '\''.*beebad[0-9]+'\'': prog '\''beebad_ok'\'' is a tracepoint program; this hook needs cgroup_device$' $B cgroup detach "$CG" device pinned "$PROGPIN"
row devguard_missing_cgroup 1 '^bee: devguard: cgroup '\''/nonexistent/beebad'\'': No such file or directory$' $B devguard --cgroup /nonexistent/beebad --deny c 1:3 rw
row cgfw_bad_port 2 '^bee: cgfw: port '\''99999'\'' is not 1..65535$' $B cgfw --cgroup "$CG" --deny-port 99999

# -- attach targets: symbols, pids, tracepoints, absent kernel features
row uprobe_unknown_symbol 1 "^bee: prog 'beebad_up': no symbol 'beebad_no_such_symbol' in /bin/true" $B run "$F/beebad_up.bpf.c"
row uprobe_missing_binary 1 '^bee: prog '\''beebad_upf'\'': cannot find binary or library '\''/nonexistent/beebad'\'': No such file or directory$' $B run "$F/beebad_upf.bpf.c"
row tracepoint_unknown 1 "^bee: prog 'beebad_tp': cannot attach to tracepoint beebad_nocat:beebad_noevent: no such tracepoint" $B run "$F/beebad_tp.bpf.c"
row run_unknown_pid 2 '^bee: --pid 999999999: no such process$' $B run "$F/beebad_perf.bpf.c" -p 999999999
row run_unknown_dev 1 '^bee: interface '\''beebad0'\'' does not exist$' $B run "$F/beebad_xdp.bpf.c" --dev beebad0
row run_unknown_cgroup 1 '^bee: cgroup '\''/nonexistent/beebad'\'': No such file or directory$' $B run "$F/beebad_dev.bpf.c" --cgroup /nonexistent/beebad
row run_unknown_global 1 '^bee: beebad_ok: no global variable '\''beebad_nosuch'\''$' $B run "$F/beebad_ok.bpf.c" --set beebad_nosuch=1
row profile_unknown_pid 1 '^bee: profile: no process with pid 999999999$' $B profile -p 999999999 --duration 1
row funclatency_unknown_symbol 1 '^bee: funclatency: binary '\''/bin/true'\'': no function '\''beebad_no_such_symbol'\''$' $B funclatency /bin/true:beebad_no_such_symbol
row no_kprobes 1 "^bee: prog 'beebad_kp': cannot attach kprobe/do_nanosleep: this kernel has no kprobes" $B run "$F/beebad_kp.bpf.c"
row no_fentry 1 "^bee: prog 'beebad_fe': the kernel refused fentry/do_nanosleep .*BPF trampolines" $B run "$F/beebad_fe.bpf.c"

# -- missing privileges
row nocap_prog_list 1 '^bee: prog: cannot walk the kernel'\''s programs: Operation not permitted \(needs CAP_SYS_ADMIN\)$' capsh:$DROP_ALL $B prog list
row nocap_map_create 1 '^bee: map '\''beebad_m'\'': cannot create a hash map \(key 2, value 2, entries 8, flags 0x0\): Operation not permitted$' capsh:$DROP_ALL $B map create "$FS/beebad-$P-new" type hash key 2 value 2 entries 8 name beebad_m
row nocap_run 1 '^bee: beebad_ok: cannot load: Operation not permitted' capsh:cap_bpf,cap_sys_admin $B run "$F/beebad_ok.bpf.c"
row nocap_net_attach 1 '^bee: object '\''.*beebad_xdp.bpf.c'\'': prog '\''beebad_xdp'\'': cannot load: Operation not permitted' capsh:cap_net_admin,cap_sys_admin $B net attach xdp object "$F/beebad_xdp.bpf.c" dev lo
row nocap_perf_event 1 '^bee: prog '\''beebad_perf'\'': cannot load: Operation not permitted' capsh:cap_perfmon,cap_sys_admin $B run "$F/beebad_perf.bpf.c"
row nocap_profile 1 '^bee: profile: prog '\''do_sample'\'': cannot load: Operation not permitted' capsh:cap_perfmon,cap_sys_admin $B profile --duration 1

# -- the other commands and tools
row sym_unknown_command 2 '^bee: unknown command '\''beebad'\''' $B sym beebad
row sym_unknown_pid 1 '^bee: sym: no process with pid 999999999$' $B sym addr 999999999 0x1000
row sym_unknown_function 1 '^bee: sym: binary '\''/bin/true'\'': no function '\''beebad_nosuch'\''$' $B sym offset /bin/true beebad_nosuch
row sym_unknown_library 1 '^bee: sym: library '\''beebad_nosuch'\'': not found' $B sym library beebad_nosuch
row tracepoint_no_match 1 '^bee: no tracepoint matches '\''beebad_nosuch\*'\''$' $B tracepoint list 'beebad_nosuch*'
row map_dump_unknown_id 1 '^bee: map id 4000000000: no such map$' $B map dump id $NOID
row map_pin_unknown_id 1 '^bee: map id 4000000000: no such map$' $B map pin id $NOID "$FS/beebad-$P-new"
row link_pin_unknown_id 1 '^bee: link id 4000000000: no such link$' $B link pin id $NOID "$FS/beebad-$P-new"
row link_unknown_command 2 '^bee: unknown command '\''beebad'\''' $B link beebad
row prog_tracelog_unknown_instance 1 '^bee: prog tracelog: cannot open '\''.*/instances/beebad_nosuch/trace_pipe'\'': No such file or directory$' $B prog tracelog instance beebad_nosuch
row cgroup_tree_missing 1 '^bee: cgroup tree: cgroup '\''/nonexistent/beebad'\'': No such file or directory$' $B cgroup tree /nonexistent/beebad
row feature_prefix_needs_value 2 '^bee: feature probe: '\''prefix'\'' needs a value$' $B feature probe kernel macros prefix
row bpfsnoop_unknown_option 2 '^bee: bpfsnoop: unknown option '\''--beebad'\''' $B bpfsnoop --beebad
row devguard_unknown_option 2 '^bee: devguard: unknown option '\''--beebad'\''' $B devguard --beebad
row cgfw_missing_value 2 '^bee: cgfw: unknown option '\''-.'\'' or missing value' $B cgfw --deny-port
row execsnoop_bad_duration 2 '^bee: execsnoop: --duration x: want a positive number of seconds$' $B execsnoop --duration x
row opensnoop_unknown_pid 1 '^bee: opensnoop: --pid 999999999: no such process$' $B opensnoop -p 999999999
row opensnoop_bad_tid 2 '^bee: opensnoop: --tid abc: want a thread id$' $B opensnoop --tid abc
row runqlat_unknown_pid 1 '^bee: runqlat: --pid 999999999: no such process$' $B runqlat -p 999999999
row syslat_unknown_pid 1 '^bee: syslat: --pid 999999999: no such process$' $B syslat -p 999999999
row syslat_count_not_number 2 '^bee: syslat: --count x: want a number from 0 to 1000000000$' $B syslat -i 1 -c x
row runqlat_count_zero 2 '^bee: runqlat: --count 0: want at least one interval$' $B runqlat -i 1 -c 0
row tcpconnect_unknown_option 2 '^bee: tcpconnect: unknown option '\''--beebad'\''$' $B tcpconnect --beebad
row bashreadline_unknown_option 2 '^bee: bashreadline: unknown option '\''--beebad'\''$' $B bashreadline --beebad

if [ -n "$DISCOVER" ]; then exit 0; fi
why="$rows rows" check bad_input_rows_at_least_70 test "$rows" -ge 70
