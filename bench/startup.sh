#!/usr/bin/env bash
# Start-up, peak RSS and exit of a one-probe program: bee vs bpftrace vs a minimal libbpf loader.
exec python3 "$(dirname "$0")/startup.py" "${1:-build}" "${2:-10}"
