#!/usr/bin/env bash
# bee prog list vs bpftool prog list, same machine, same run (hyperfine).
# Loads N copies of tests/bpf/disasm_prog.bpf.o (2 programs each) so both
# tools have programs to walk, then times text and JSON listings.
#   bench/prog_list.sh [BUILD] [N]      (root; default build, 50)
set -eu
build=${1:-build}
n=${2:-50}
bee=$build/bee
obj=$build/tests/bpf/disasm_prog.bpf.o
dir=/sys/fs/bpf/bee_bench_prog_$$
out=$(mktemp -d /tmp/bee_bench_prog.XXXXXX)
trap 'rm -rf "$dir" "$out"' EXIT

for t in hyperfine bpftool python3; do
	command -v $t >/dev/null || { echo "bench: $t is not installed (scripts/deps.sh bench)"; exit 1; }
done
[ -x "$bee" ] && [ -f "$obj" ] || { echo "bench: build bee and $obj first (make)"; exit 1; }
# a private copy: a parallel `make` must not swap the binary mid-measurement
cp "$bee" "$out/bee" && bee=$out/bee

mkdir -p "$dir"
for i in $(seq "$n"); do
	$bee prog loadall "$obj" "$dir/c$i" >/dev/null
done
total=$(bpftool prog list | grep -c '^[0-9]*:')
echo "programs loaded on this machine: $total ($((2 * n)) by this benchmark)"

hyperfine -N -w 10 -m 150 --export-json "$out/text.json" \
	"$bee prog list" "bpftool prog list" >/dev/null 2>&1 ||
hyperfine -w 10 -m 150 --export-json "$out/text.json" \
	"$bee prog list >/dev/null" "bpftool prog list >/dev/null" >/dev/null
hyperfine -N -w 10 -m 150 --export-json "$out/json.json" \
	"$bee -j prog list" "bpftool -j prog list" >/dev/null 2>&1 ||
hyperfine -w 10 -m 150 --export-json "$out/json.json" \
	"$bee -j prog list >/dev/null" "bpftool -j prog list >/dev/null" >/dev/null

# and one dump of a loaded program's instructions (kallsyms read by both)
id=$(bpftool -j prog show pinned "$dir/c1/disasm_tracepoint_handler" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
hyperfine -N -w 3 -m 20 --export-json "$out/xlated.json" \
	"$bee prog dump xlated id $id" "bpftool prog dump xlated id $id" >/dev/null 2>&1 ||
hyperfine -w 3 -m 20 --export-json "$out/xlated.json" \
	"$bee prog dump xlated id $id >/dev/null" "bpftool prog dump xlated id $id >/dev/null" >/dev/null

python3 - "$out/text.json" "$out/json.json" "$out/xlated.json" <<'PY'
import json, sys
for f, what in zip(sys.argv[1:], ("list text", "list json", "dump xlated")):
    r = json.load(open(f))["results"]
    b, t = r[0], r[1]
    cpu = lambda x: (x["user"] + x["system"]) * 1e3
    # wall time is noisy on a shared 2-core VM; CPU time (user+sys) less so
    print("prog %s: wall bee %.2f ms ± %.2f, bpftool %.2f ms ± %.2f, ratio %.2fx (median %.2fx); "
          "cpu bee %.2f ms, bpftool %.2f ms, ratio %.2fx"
          % (what, b["mean"] * 1e3, b["stddev"] * 1e3, t["mean"] * 1e3, t["stddev"] * 1e3,
             b["mean"] / t["mean"], b["median"] / t["median"], cpu(b), cpu(t), cpu(b) / cpu(t)))
PY
