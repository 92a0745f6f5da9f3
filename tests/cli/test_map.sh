#!/usr/bin/env bash
# bee map as a user runs it: the seed's bpftool commands word for word with
# bee in place of bpftool, each effect checked, bpftool as the oracle.
set -u
BEE=${BEE:-build/bee}
BEE_BUILD=${BEE_BUILD:-build}
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "skip $1: $2"; }
check() { # NAME WANT GOT
	if [ "$2" == "$3" ]; then ok "$1"; else fail "$1" "want [$2], got [$3]"; fi
}
contains() { # NAME NEEDLE HAY
	if [[ "$3" == *"$2"* ]]; then ok "$1"; else fail "$1" "want text containing [$2], got [$3]"; fi
}

if [ "$(id -u)" -ne 0 ]; then skip map "needs root"; exit 0; fi
if ! command -v bpftool >/dev/null; then
	BPFTOOL=
	skip "bpftool oracle" "bpftool is not installed (scripts/deps.sh installs it): the cross-checks against it are left out"
else
	BPFTOOL=bpftool
fi
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
TAG=climap$$
D=/sys/fs/bpf
NAME=statsMap
STATS=$D/${TAG}_stats_map
pins=()
cleanup() { for p in "${pins[@]}"; do rm -f "$p"; done; rm -rf "/tmp/${TAG}"; }
trap cleanup EXIT

# Maps named statsMap made by others would make the seed's `name statsMap`
# ambiguous: use the seed's name only when it is free, else a unique one.
if $BEE map show name statsMap >/dev/null 2>&1; then NAME=st$$; fi

# ---- the seed, verbatim ----
out=$($BEE map create $STATS type hash key 2 value 2 entries 8 name $NAME 2>&1); rc=$?
pins+=("$STATS")
check "seed: map create exits 0" "0" "$rc"
check "seed: map create prints nothing" "" "$out"
id=$($BEE -j map show pinned $STATS | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
if [ -n "$BPFTOOL" ]; then
	bt=$(bpftool -j map show pinned $STATS | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["type"], d["name"], d["bytes_key"], d["bytes_value"], d["max_entries"], d["flags"])')
	check "seed: bpftool sees the map bee created" "$id hash $NAME 2 2 8 0" "$bt"
fi
out=$($BEE map update name $NAME key 0xc1 0xc2 value 0xa1 0xa2 2>&1); rc=$?
check "seed: map update exits 0" "0" "$rc"
if [ -n "$BPFTOOL" ]; then
	check "seed: bpftool finds the entry bee wrote" "key: c1 c2  value: a1 a2" \
		"$(bpftool map lookup id $id key 0xc1 0xc2)"
fi
out=$($BEE map dump name $NAME 2>&1)
check "seed: map dump name" "key: c1 c2  value: a1 a2
Found 1 element" "$out"
out2=$($BEE map dump id $id 2>&1)
check "seed: map dump id" "$out" "$out2"
[ -n "$BPFTOOL" ] && check "seed: dump is bpftool's, byte for byte" "$(bpftool map dump id $id)" "$out"
list=$($BEE map)
contains "seed: bare 'bee map' lists it" "$id: hash  name $NAME  flags 0x0
	key 2B  value 2B  max_entries 8  memlock" "$list"
if [ -n "$BPFTOOL" ]; then
	check "map show: same fields as bpftool" \
		"$(bpftool -j map show id $id | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted((k, d[k]) for k in ("id","type","name","flags","bytes_key","bytes_value","max_entries","bytes_memlock","frozen")))')" \
		"$($BEE -j map show id $id | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted((k, d[k]) for k in ("id","type","name","flags","bytes_key","bytes_value","max_entries","bytes_memlock","frozen")))')"
	# other tests create and free maps meanwhile: bee's ids must hold every
	# id bpftool saw before and after, and nothing neither saw
	bpftool -j map list >/tmp/${TAG}.b1 2>/dev/null
	$BEE -j map list >/tmp/${TAG}.bee
	bpftool -j map list >/tmp/${TAG}.b2 2>/dev/null
	check "map list -j: the ids bpftool lists" "ok" "$(python3 -c '
import json, sys
b1, bee, b2 = ({m["id"] for m in json.load(open(f))} for f in sys.argv[1:])
print("ok" if (b1 & b2) <= bee <= (b1 | b2) else "bpftool %s/%s, bee %s" % (sorted(b1), sorted(b2), sorted(bee)))
' /tmp/${TAG}.b1 /tmp/${TAG}.bee /tmp/${TAG}.b2)"
	rm -f /tmp/${TAG}.b1 /tmp/${TAG}.b2 /tmp/${TAG}.bee
fi

# ---- bad input: one line, exit 1 (2 for usage), nothing changed ----
out=$($BEE map update name $NAME key 0xc1 0xc2 0xc3 value 0xa1 0xa2 2>&1); rc=$?
check "key of 3 bytes: message" "bee: map '$NAME': key must be 2 bytes, got 3" "$out"
check "key of 3 bytes: exit 1" "1" "$rc"
out=$($BEE map update name $NAME key 0xc1 0xc2 value 0xa1 2>&1); rc=$?
check "value of 1 byte: message" "bee: map '$NAME': value must be 2 bytes, got 1" "$out"
out=$($BEE map update name $NAME key 0xc1 0xzz value 0xa1 0xa2 2>&1); rc=$?
check "bad hex names the word" "bee: map '$NAME': key: '0xzz' is not a byte (0..255 or 0xNN) (exit 1)" "$out (exit $rc)"
check "bad input changed nothing" "key: c1 c2  value: a1 a2
Found 1 element" "$($BEE map dump id $id)"
out=$($BEE map dump id 4000000000 2>&1); rc=$?
check "unknown id" "bee: map id 4000000000: no such map (exit 1)" "$out (exit $rc)"
out=$($BEE map dump name ${TAG}_none 2>&1); rc=$?
check "unknown name" "bee: no map named '${TAG}_none' (exit 1)" "$out (exit $rc)"
out=$($BEE map dump pinned $D/${TAG}_none 2>&1); rc=$?
check "unknown pinned path" "bee: pinned '$D/${TAG}_none': no such file (exit 1)" "$out (exit $rc)"
mkdir -p /tmp/${TAG}
out=$($BEE map create /tmp/${TAG}/m type hash key 4 value 4 entries 4 name ${TAG:0:12}t 2>&1); rc=$?
check "create on a non-bpffs path" "bee: '/tmp/${TAG}/m' is not on a BPF filesystem (mount bpffs there, e.g. /sys/fs/bpf) (exit 1)" "$out (exit $rc)"
check "non-bpffs: no map created" "" "$($BEE map list | grep "name ${TAG:0:12}t ")"
out=$($BEE map dump pinned /tmp/${TAG} 2>&1); rc=$?
check "a non-bpffs path as MAP" "bee: pinned '/tmp/${TAG}' is not on a BPF filesystem (exit 1)" "$out (exit $rc)"
out=$($BEE map create $D/${TAG}_bad type hashy key 4 value 4 entries 4 name x 2>&1); rc=$?
check "unknown map type: usage" "2" "$rc"
check "unknown map type: nothing pinned" "no" "$([ -e $D/${TAG}_bad ] && echo yes || echo no)"
out=$($BEE map create $D/${TAG}_bad type hash key 4 value 4 entries 4 2>&1); rc=$?
check "create without name" "bee: map create: name is missing (exit 2)" "${out%%$'\n'*} (exit $rc)"
out=$($BEE map create $D/${TAG}_bad type hash key 4 value 4 entries 0 name x 2>&1); rc=$?
check "kernel refusal names the map and the reason" "bee: map 'x': cannot create a hash map (key 4, value 4, entries 0, flags 0x0): Invalid argument (exit 1)" "$out (exit $rc)"
check "refused create: nothing pinned" "no" "$([ -e $D/${TAG}_bad ] && echo yes || echo no)"
out=$($BEE map create $D/${TAG}_bad type hash key 4 value 4 entries 4 name x offload_dev ${TAG}nodev 2>&1); rc=$?
check "offload to a device that does not exist" "bee: map create: no network device '${TAG}nodev' (exit 1)" "$out (exit $rc)"
out=$($BEE map create $D/${TAG}_bad type hash key 4 value 4 entries 4 name abcdefghijklmnop 2>&1); rc=$?
check "name longer than the kernel keeps" "bee: map create: name 'abcdefghijklmnop' is longer than 15 characters (exit 2)" "$out (exit $rc)"
out=$($BEE map create $D/${TAG}_bad type hash key 4 value 4 entries 4 name a-b 2>&1); rc=$?
check "name with a dash" "bee: map create: name 'a-b' may hold letters, digits, '_' and '.' only (exit 2)" "$out (exit $rc)"
check "bad names: nothing pinned" "no" "$([ -e $D/${TAG}_bad ] && echo yes || echo no)"
out=$($BEE map create $STATS type hash key 2 value 2 entries 8 name $NAME 2>&1); rc=$?
check "create over an existing pin" "bee: '$STATS' already exists (exit 1)" "$out (exit $rc)"
# two maps with one name
A=$D/${TAG}_amb1 B=$D/${TAG}_amb2 AN=amb$$
$BEE map create $A type array key 4 value 4 entries 1 name $AN && pins+=("$A")
$BEE map create $B type array key 4 value 4 entries 1 name $AN && pins+=("$B")
ia=$($BEE -j map show pinned $A | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
ib=$($BEE -j map show pinned $B | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
out=$($BEE map dump name $AN 2>&1); rc=$?
check "ambiguous name lists the ids" "bee: map name '$AN' is ambiguous: maps $ia, $ib (use id) (exit 1)" "$out (exit $rc)"
out=$($BEE -j map dump name $AN 2>&1)
check "errors in JSON mode" "{\"error\":\"map name '$AN' is ambiguous: maps $ia, $ib (use id)\"}" "$out"
if [ -n "$BPFTOOL" ]; then
	P=$D/${TAG}_prog
	if bpftool prog load $BEE_BUILD/tests/bpf/maps_typed.bpf.o $P type tracepoint 2>/dev/null; then
		pins+=("$P")
		out=$($BEE map dump pinned $P 2>&1); rc=$?
		check "a pinned prog is not a map" "bee: pinned '$P' is a prog, not a map (exit 1)" "$out (exit $rc)"
		# prog_array: the value is a program, and a lookup gives its id
		PA=$D/${TAG}_pa
		$BEE map create $PA type prog_array key 4 value 4 entries 4 name ${TAG:0:10}pa && pins+=("$PA")
		$BEE map update pinned $PA key 2 0 0 0 value pinned $P
		pid_=$(bpftool -j prog show pinned $P | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
		got=$($BEE -j map lookup pinned $PA key 2 0 0 0 | python3 -c 'import json,sys; v=json.load(sys.stdin)["value"]; print(int("".join(x[2:] for x in reversed(v)), 16))')
		check "prog_array: lookup gives the program's id" "$pid_" "$got"
		check "prog_array: bpftool sees the same" "$(bpftool map lookup pinned $PA key 2 0 0 0)" "$($BEE map lookup pinned $PA key 2 0 0 0)"
	else
		skip "a pinned prog is not a map" "bpftool could not load a test program"
	fi
fi

# ---- lookup, getnext, delete, update flags, JSON ----
$BEE map update id $id key 1 2 value 3 4
out=$($BEE map lookup id $id key 1 2)
check "lookup" "key: 01 02  value: 03 04" "$out"
out=$($BEE map lookup id $id key 7 7 2>&1); rc=$?
check "lookup of a missing key" "bee: map '$NAME': no entry for that key (exit 1)" "$out (exit $rc)"
out=$($BEE -j map lookup id $id key 0xc1 0xc2)
check "lookup -j" '{"key":["0xc1","0xc2"],"value":["0xa1","0xa2"]}' "$out"
out=$($BEE map update id $id key 1 2 value 5 6 noexist 2>&1); rc=$?
check "update noexist on an existing key" "bee: map '$NAME': update failed: the key exists (noexist) (exit 1)" "$out (exit $rc)"
out=$($BEE map update id $id key 9 9 value 5 6 exist 2>&1); rc=$?
check "update exist on a missing key" "bee: map '$NAME': update failed: no such key (exist) (exit 1)" "$out (exit $rc)"
[ -n "$BPFTOOL" ] && check "dump equals bpftool's with 2 entries" "$(bpftool map dump id $id)" "$($BEE map dump id $id)"
first=$($BEE -j map getnext id $id | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["key"], " ".join(d["next_key"]))')
[ -n "$BPFTOOL" ] && check "getnext without key: as bpftool" \
	"$(bpftool map getnext id $id)" "$($BEE map getnext id $id)"
fk=$($BEE map getnext id $id | sed -n 3p)
[ -n "$BPFTOOL" ] && check "getnext with a key: as bpftool" \
	"$(bpftool map getnext id $id key hex $fk)" "$($BEE map getnext id $id key hex $fk)"
contains "getnext -j" "None 0x" "$first"
out=$($BEE map getnext id $id key 0xc1 0xc2 2>&1; $BEE map getnext id $id key 1 2 2>&1)
contains "getnext walks to the end" "no key after that one" "$out"
$BEE map delete id $id key 1 2
check "delete removed the entry" "key: c1 c2  value: a1 a2
Found 1 element" "$($BEE map dump id $id)"
out=$($BEE map delete id $id key 1 2 2>&1); rc=$?
check "delete a missing key" "bee: map '$NAME': delete failed: no entry for that key (exit 1)" "$out (exit $rc)"
json=$($BEE -j map dump id $id | python3 -c 'import json,sys; print(json.load(sys.stdin))')
check "dump -j parses" "[{'key': ['0xc1', '0xc2'], 'value': ['0xa1', '0xa2']}]" "$json"
pjson=$($BEE -p map dump id $id | python3 -c 'import json,sys; print(json.load(sys.stdin))')
check "dump -p parses" "$json" "$pjson"
ljson=$($BEE -j map list | python3 -c "import json,sys; print([m['name'] for m in json.load(sys.stdin) if m['id']==$id])")
check "list -j is a root array" "['$NAME']" "$ljson"

# ---- abbreviations, help ----
check "abbreviated command" "$($BEE map dump id $id)" "$($BEE map du i $id)"
out=$($BEE map p id $id 2>&1); rc=$?
check "ambiguous command" "bee: command 'p' is ambiguous: pin, peek, push, pop (exit 2)" "$out (exit $rc)"
out=$($BEE map help); rc=$?
contains "help" "MAP := { id MAP_ID | pinned FILE | name MAP_NAME }" "$out"
check "help exits 0" "0" "$rc"
contains "--help" "bee map create FILE type TYPE" "$($BEE map --help)"

# ---- pin, freeze ----
$BEE map pin id $id $D/${TAG}_pin2 && pins+=("$D/${TAG}_pin2")
check "pin: the same map at the new path" "$id" \
	"$($BEE -j map show pinned $D/${TAG}_pin2 | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
out=$($BEE map pin id $id /tmp/${TAG}/p 2>&1); rc=$?
check "pin on a non-bpffs path" "bee: '/tmp/${TAG}/p' is not on a BPF filesystem (mount bpffs there, e.g. /sys/fs/bpf) (exit 1)" "$out (exit $rc)"
$BEE map freeze id $id
out=$($BEE map update id $id key 0xc1 0xc2 value 0 0 2>&1); rc=$?
check "frozen map refuses updates" "bee: map '$NAME': update failed: Operation not permitted (exit 1)" "$out (exit $rc)"
contains "show says frozen" "frozen" "$($BEE map show id $id)"

# ---- rm of the pins frees the map, as with bpftool ----
rm -f $STATS $D/${TAG}_pin2
gone=no
for i in $(seq 1 50); do
	if ! $BEE map show id $id >/dev/null 2>&1; then gone=yes; break; fi
	sleep 0.1
done
check "seed: rm of the pin frees the map" "yes" "$gone"

# ---- per-CPU, bigger maps: bee's dump equals bpftool's ----
PC=$D/${TAG}_pc
$BEE map create $PC type percpu_hash key 4 value 12 entries 8 name ${TAG:0:10}pc && pins+=("$PC")
$BEE map update pinned $PC key 1 0 0 0 value 1 2 3 4 5 6 7 8 9 10 11 12
out=$($BEE map dump pinned $PC)
contains "per-CPU: a line per CPU" "value (CPU 01): 01 02 03 04 05 06 07 08  09 0a 0b 0c" "$out"
[ -n "$BPFTOOL" ] && check "per-CPU dump equals bpftool's" "$(bpftool map dump pinned $PC)" "$out"
n=$($BEE -j map dump pinned $PC | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d[0]["values"]), d[0]["values"][1]["value"][11])')
contains "per-CPU JSON: values per CPU" " 0x0c" "$n"

H=$D/${TAG}_big
$BEE map create $H type hash key 4 value 8 entries 4096 name ${TAG:0:10}bg && pins+=("$H")
# fill 3000 entries through a batch update from python (fast), then compare
python3 - "$H" <<'EOF'
import ctypes, os, struct, sys
libbpf = ctypes.CDLL("libbpf.so.1", use_errno=True)
libbpf.bpf_obj_get.argtypes = [ctypes.c_char_p]
fd = libbpf.bpf_obj_get(sys.argv[1].encode())
n = 3000
keys = (ctypes.c_uint32 * n)(*range(n))
vals = (ctypes.c_uint64 * n)(*[i * 0x0101010101 for i in range(n)])
cnt = ctypes.c_uint32(n)
r = libbpf.bpf_map_update_batch(fd, keys, vals, ctypes.byref(cnt), None)
sys.exit(0 if r == 0 and cnt.value == n else 1)
EOF
if [ $? -ne 0 ]; then fail "fill 3000 entries" "bpf_map_update_batch failed"; fi
out=$($BEE map dump pinned $H)
check "3000 entries counted" "Found 3000 elements" "$(echo "$out" | tail -1)"
[ -n "$BPFTOOL" ] && check "3000-entry dump equals bpftool's, byte for byte" "$(bpftool map dump pinned $H | md5sum)" "$(echo "$out" | md5sum)"
n=$($BEE -j map dump pinned $H | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d), len(set(tuple(e["key"]) for e in d)))')
check "3000 entries in JSON, all distinct" "3000 3000" "$n"

# streaming: a million entries print as ~50 MB while bee stays small
M=$D/${TAG}_1m
$BEE map create $M type hash key 4 value 8 entries 1000000 name ${TAG:0:10}1m && pins+=("$M")
python3 - "$M" <<'EOF'
import ctypes, sys
libbpf = ctypes.CDLL("libbpf.so.1", use_errno=True)
libbpf.bpf_obj_get.argtypes = [ctypes.c_char_p]
fd = libbpf.bpf_obj_get(sys.argv[1].encode())
import array
n = 1000000
keys = array.array("I", range(n))
vals = array.array("Q", range(n))
kp = (ctypes.c_uint32 * n).from_buffer(keys)
vp = (ctypes.c_uint64 * n).from_buffer(vals)
cnt = ctypes.c_uint32(n)
sys.exit(0 if libbpf.bpf_map_update_batch(fd, kp, vp, ctypes.byref(cnt), None) == 0 else 1)
EOF
if [ -x /usr/bin/time ]; then
	bytes=$( { /usr/bin/time -f %M -o /tmp/${TAG}/rss $BEE map dump pinned $M | wc -c; } )
	rss=$(cat /tmp/${TAG}/rss)
	# 49 bytes a line: 49,000,000 bytes and the "Found" line
	if [ "$bytes" -eq 49000023 ] && [ "$rss" -lt 32768 ]; then
		ok "1M-entry dump streams in bounded memory"
	else
		fail "1M-entry dump streams in bounded memory" "want 49000023 bytes out with < 32768 KB peak RSS, got $bytes bytes, $rss KB"
	fi
else
	skip "1M-entry dump streams" "no /usr/bin/time to read peak RSS"
fi
rm -f $M

# an array (batch path of arrays) and a device map (no batch: per-element path)
AR=$D/${TAG}_arr
$BEE map create $AR type array key 4 value 4 entries 3 name ${TAG:0:10}ar && pins+=("$AR")
$BEE map update pinned $AR key 2 0 0 0 value 7 0 0 0
[ -n "$BPFTOOL" ] && check "array dump equals bpftool's" "$(bpftool map dump pinned $AR)" "$($BEE map dump pinned $AR)"
DV=$D/${TAG}_dev
if $BEE map create $DV type devmap_hash key 4 value 4 entries 4 name ${TAG:0:10}dv 2>/dev/null; then
	pins+=("$DV")
	$BEE map update pinned $DV key 3 0 0 0 value 1 0 0 0
	check "devmap (no batch lookups) dump" "key: 03 00 00 00  value: 01 00 00 00
Found 1 element" "$($BEE map dump pinned $DV)"
	[ -n "$BPFTOOL" ] && check "devmap dump equals bpftool's" "$(bpftool map dump pinned $DV)" "$($BEE map dump pinned $DV)"
else
	skip "devmap dump" "cannot create a devmap_hash here"
fi

# flags reach the kernel: a hash without preallocation
NP=$D/${TAG}_np
$BEE map create $NP type hash key 4 value 4 entries 16 name ${TAG:0:10}np flags 0x1 && pins+=("$NP")
[ -n "$BPFTOOL" ] && check "create flags (BPF_F_NO_PREALLOC) as bpftool sees them" "1" \
	"$(bpftool -j map show pinned $NP | python3 -c 'import json,sys; print(json.load(sys.stdin)["flags"])')"
contains "show prints the flags" "flags 0x1" "$($BEE map show pinned $NP)"

# map in map: the value is a map
IN=$D/${TAG}_inner OUT=$D/${TAG}_outer
$BEE map create $IN type array key 4 value 4 entries 2 name ${TAG:0:10}in && pins+=("$IN")
if $BEE map create $OUT type hash_of_maps key 4 value 4 entries 2 name ${TAG:0:10}ou inner_map pinned $IN; then
	pins+=("$OUT")
	$BEE map update pinned $OUT key 1 0 0 0 value pinned $IN
	inid=$($BEE -j map show pinned $IN | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	got=$($BEE -j map lookup pinned $OUT key 1 0 0 0 | python3 -c 'import json,sys; v=json.load(sys.stdin)["value"]; print(int("".join(x[2:] for x in reversed(v)), 16))')
	check "hash_of_maps: lookup gives the inner map's id" "$inid" "$got"
else
	fail "hash_of_maps create" "failed"
fi

# ---- queue and stack ----
Q=$D/${TAG}_q S=$D/${TAG}_s
$BEE map create $Q type queue key 0 value 4 entries 4 name ${TAG:0:10}qu && pins+=("$Q")
$BEE map create $S type stack key 0 value 4 entries 4 name ${TAG:0:10}st && pins+=("$S")
$BEE map push pinned $Q value 1 0 0 0
$BEE map enqueue pinned $Q value 2 0 0 0
$BEE map push pinned $Q value 3 0 0 0
check "queue peek: the first in" "value: 01 00 00 00" "$($BEE map peek pinned $Q)"
check "queue pop" "value: 01 00 00 00" "$($BEE map pop pinned $Q)"
check "queue dequeue" "value: 02 00 00 00" "$($BEE map dequeue pinned $Q)"
[ -n "$BPFTOOL" ] && check "bpftool sees what is left" "value: 03 00 00 00" "$(bpftool map peek pinned $Q)"
check "queue pop -j" '{"value":["0x03","0x00","0x00","0x00"]}' "$($BEE -j map pop pinned $Q)"
out=$($BEE map pop pinned $Q 2>&1); rc=$?
check "pop from an empty queue" "bee: map '${TAG:0:10}qu': is empty (exit 1)" "$out (exit $rc)"
$BEE map push pinned $S value 1 0 0 0
$BEE map push pinned $S value 2 0 0 0
check "stack pop: the last in" "value: 02 00 00 00" "$($BEE map pop pinned $S)"
out=$($BEE map dump pinned $S 2>&1); rc=$?
check "dump of a stack" "bee: map '${TAG:0:10}st': a stack map has no keys to walk (use peek or pop) (exit 1)" "$out (exit $rc)"
out=$($BEE map push pinned $H value 1 0 0 0 0 0 0 0 2>&1); rc=$?
check "push on a hash" "bee: map '${TAG:0:10}bg': push works on queue and stack maps, not hash (exit 1)" "$out (exit $rc)"
for i in 1 2 3 4; do $BEE map push pinned $Q value $i 0 0 0; done
out=$($BEE map push pinned $Q value 5 0 0 0 2>&1); rc=$?
check "push on a full queue" "bee: map '${TAG:0:10}qu': push failed: the map is full (exit 1)" "$out (exit $rc)"
