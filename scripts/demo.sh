#!/usr/bin/env bash
# make demo: a real tracing session on the running kernel that ends by itself.
# 1. process exec/exit events from a plain libbpf program, decoded through BTF
# 2. a latency histogram of nanosleep() from a pair of tracepoints
set -u
build=${1:-build}
bee=$build/bee
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: bee loads BPF programs, which needs root (try: sudo make demo)" >&2
	exit 1
fi

echo "== bee run examples/libbpf-style/bootstrap.bpf.c --duration 4"
echo "   (exec and exit of every process, decoded from the program's BTF; the demo starts a few)"
( sleep 1; for c in date uname hostname id true; do $c >/dev/null; sleep 0.3; done ) &
"$bee" run examples/libbpf-style/bootstrap.bpf.c --duration 4 --no-maps
wait

echo
echo "== bee run examples/syscall_latency.bpf.c --duration 3"
echo "   (nanosleep latency from sys_enter/sys_exit tracepoints, as a log2 histogram)"
( for i in $(seq 40); do sleep 0.0$((i % 9 + 1)); done ) &
"$bee" run examples/syscall_latency.bpf.c --duration 3
wait
