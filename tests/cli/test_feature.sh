#!/usr/bin/env bash
# bee feature: probe output as bpftool prints it (so the seed's
# `feature probe | grep program_type` works), the same verdicts as bpftool
# for the types both know, names from kernel BTF for newer ones, macros
# that compile, JSON, and bad input.
. "$(dirname "$0")/lib.sh"
# a private copy: a rebuild of build/bee while the cases run must not break them
cp "$BEE" "$T/bee.bin" && BEE=$T/bee.bin
have_bpftool() { command -v bpftool >/dev/null; }

$BEE feature probe >"$T/probe"; rc=$?
why="exit $rc"
check feature_probe_runs test $rc -eq 0

# the seed's command
$BEE feature probe | grep program_type >"$T/pt"
why="$(head -3 "$T/pt")"
check feature_grep_program_type grep -qx 'eBPF program_type xdp is available' "$T/pt"
n=$(grep -c '^eBPF program_type ' "$T/pt")
why="$n program_type lines"
check feature_program_type_lines test "$n" -ge 30

# verdicts agree with bpftool's for every type bpftool knows
verdicts() { grep -E "^eBPF (program|map)_type " "$1" | sed -E 's/ is (NOT )?available.*/ \1/' | sort; }
if have_bpftool; then
	bpftool feature probe >"$T/bpftool"
	verdicts "$T/probe" >"$T/v.bee"; verdicts "$T/bpftool" >"$T/v.bpftool"
	why="$(comm -13 "$T/v.bee" "$T/v.bpftool" | head -3)"
	check feature_types_agree_with_bpftool test -z "$(comm -13 "$T/v.bee" "$T/v.bpftool")"
	# the sysctl lines and every config line bpftool prints
	sed -n '2,6p' "$T/bpftool" >"$T/sys.bpftool"
	why="$(diff <(sed -n '2,6p' "$T/probe") "$T/sys.bpftool")"
	check feature_sysctls_match_bpftool cmp -s <(sed -n '2,6p' "$T/probe") "$T/sys.bpftool"
	grep '^CONFIG_' "$T/bpftool" >"$T/cfg.bpftool"
	why="missing: $(grep -vxF -f "$T/probe" "$T/cfg.bpftool" | head -3)"
	check feature_config_lines_match_bpftool test -z "$(grep -vxF -f "$T/probe" "$T/cfg.bpftool")"
else
	skip feature_types_agree_with_bpftool "no bpftool (the oracle)"
fi

# where the config came from is said
if [ -e /proc/config.gz ]; then
	check feature_config_source grep -qx 'Kernel configuration read from /proc/config.gz' "$T/probe"
else
	why="$(grep -i 'configuration' "$T/probe" | head -1)"
	check feature_config_source grep -qE '^(Kernel configuration read from /boot/config-|No kernel configuration found)' "$T/probe"
fi

# bee's own facts: kprobes as the PMU says, trampolines as an attach says
if [ -e /sys/bus/event_source/devices/kprobe/type ] || [ -e /sys/kernel/tracing/kprobe_events ]; then
	check feature_kprobes_status grep -q '^kprobes is available' "$T/probe"
else
	why="$(grep '^kprobes' "$T/probe")"
	check feature_kprobes_status grep -q '^kprobes is NOT available: .*CONFIG_KPROBES' "$T/probe"
fi
why="$(grep -E '^(tcx|ringbuf|bpf_trampoline|bpf_lsm|jit|uprobes) ' "$T/probe")"
check feature_bee_facts test "$(grep -cE '^(tcx|ringbuf|bpf_trampoline|bpf_lsm|jit|uprobes|kprobes) is (NOT )?available: ' "$T/probe")" -eq 7

# names newer than libbpf 1.1 come from kernel BTF and are probed
if grep -q BPF_PROG_TYPE_NETFILTER <(bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null) ; then
	why="$(grep netfilter "$T/probe" | head -2)"
	check feature_newer_prog_type grep -qE '^eBPF program_type netfilter is (NOT )?available' "$T/probe"
	$BEE feature list prog_types >"$T/lpt"
	check feature_list_newer_names grep -qx netfilter "$T/lpt"
else
	skip feature_newer_prog_type "kernel older than 6.4 has no netfilter program type"
fi

# helper lists are real: socket filters cannot redirect, xdp can
awk '/^eBPF helpers supported for program type xdp:/{f=1;next} /^eBPF helpers/{f=0} f' "$T/probe" >"$T/h.xdp"
awk '/^eBPF helpers supported for program type socket_filter:/{f=1;next} /^eBPF helpers/{f=0} f' "$T/probe" >"$T/h.sf"
why="xdp: $(wc -l <"$T/h.xdp") helpers, socket_filter: $(wc -l <"$T/h.sf")"
check feature_helpers_per_type bash -c "grep -qx $'\t- bpf_redirect' '$T/h.xdp' && ! grep -qx $'\t- bpf_redirect' '$T/h.sf'"

# JSON: bpftool's layout plus bee's facts
$BEE -j feature probe >"$T/j"
why="$(head -c 300 "$T/j")"
check feature_json python3 - "$T/j" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["program_types"]["have_xdp_prog_type"] is True
assert d["map_types"]["have_hash_map_type"] is True
assert d["syscall_config"]["have_bpf_syscall"] is True
assert "bpf_redirect" in d["helpers"]["xdp_available_helpers"]
assert set(d["bee_features"]) == {"kprobes", "uprobes", "bpf_trampoline", "tcx", "ringbuf", "bpf_lsm", "jit"}
assert isinstance(d["system_config"]["bpf_jit_enable"], int)
PY

# macros compile, and answer for helpers
$BEE feature probe macros prefix BEE_ >"$T/m.h"
cat >"$T/m.c" <<'C'
#include "m.h"
#if !BEE_HAVE_PROG_TYPE_HELPER(xdp, bpf_redirect)
#error xdp must have bpf_redirect
#endif
#if BEE_HAVE_PROG_TYPE_HELPER(socket_filter, bpf_redirect)
#error socket_filter must not have bpf_redirect
#endif
#ifndef BEE_HAVE_XDP_PROG_TYPE
#error no BEE_HAVE_XDP_PROG_TYPE
#endif
int main(void) { return 0; }
C
why="$(gcc -fsyntax-only -I"$T" "$T/m.c" 2>&1 | head -3)"
check feature_macros_compile gcc -fsyntax-only -I"$T" "$T/m.c"

# list: one name a line; JSON a root array
$BEE feature list helpers >"$T/lh"
why="$(head -2 "$T/lh")"
check feature_list_helpers grep -qx bpf_map_lookup_elem "$T/lh"
$BEE -j feature list map_types >"$T/lm"
why="$(head -c 200 "$T/lm")"
check feature_list_json python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "hash" in d and "ringbuf" in d and "cgroup_storage" in d and "cgroup_storage_deprecated" not in d' "$T/lm"
$BEE feature list link_types >"$T/ll"; check feature_list_link_types grep -qx tcx "$T/ll"
$BEE feature list attach_types >"$T/la"; check feature_list_attach_types grep -qx tcx_ingress "$T/la"
$BEE feat li prog >"$T/lp"; why="abbreviated 'feat li prog' failed"
check feature_abbreviations grep -qx xdp "$T/lp"

# per-boot cache: the first run probes and stores, the next reads it, and
# both say the same; 'fresh' probes again
export BEE_CACHE_DIR=$T/cache
$BEE feature probe >"$T/c1"; $BEE feature probe >"$T/c2"; $BEE feature probe fresh >"$T/c3"
why="$(grep '^Type and helper' "$T/c1" "$T/c2" "$T/c3")"
check feature_cache_first_run_probes grep -qx 'Type and helper probes were run now (and cached for this boot)' "$T/c1"
check feature_cache_second_run_reads grep -qx "Type and helper probes come from this boot's cache ('fresh' probes again)" "$T/c2"
check feature_cache_fresh_probes grep -qx 'Type and helper probes were run now (and cached for this boot)' "$T/c3"
why="cached and fresh verdicts differ: $(diff <(grep -v '^Type and helper' "$T/c2") <(grep -v '^Type and helper' "$T/c3") | head -3)"
check feature_cache_same_verdicts cmp -s <(grep -v '^Type and helper' "$T/c2") <(grep -v '^Type and helper' "$T/c3")
why="$(ls "$T/cache")"
check feature_cache_file_per_user test -f "$T/cache/features-$(id -u)-helpers.bin"
$BEE -j feature probe >"$T/cj"
check feature_cache_json python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["probes_from_cache"] is True' "$T/cj"
unset BEE_CACHE_DIR

# bad input
one_line() { # WANT_RC NAME CMD...
	local want=$1 name=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"; local rc=$?
	if [ "$rc" -ne "$want" ]; then fail "$name" "want exit $want, got $rc: $(cat "$T/err")"
	elif [ "$(wc -l <"$T/err")" -ne 1 ] || [ -s "$T/out" ]; then fail "$name" "want one line, got: $(cat "$T/err" "$T/out" | head -3)"
	else ok "$name"; fi
}
one_line 2 feature_bad_list_kind $BEE feature list frobs
one_line 2 feature_bad_probe_word $BEE feature probe frob
one_line 2 feature_bad_prefix_without_macros $BEE feature probe prefix X
one_line 2 feature_bad_command $BEE feature frob
one_line 2 feature_bad_ambiguous_word $BEE feature probe f
why="$(cat "$T/err")"; check feature_ambiguous_names_candidates grep -q 'full, fresh' "$T/err"
$BEE feature help >"$T/h"; check feature_help grep -q 'feature probe' "$T/h"
exit 0
