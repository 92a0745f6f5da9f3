#!/usr/bin/env bash
# Packet rate of the XDP counting example (examples/xdp-example.bpf.o) on a
# veth pair, generic and native mode, attached by bee (`bee net attach`) and
# by iproute2 (`ip link set dev IF xdp... obj F sec xdp`), alternating in the
# same run. The rate is what the program counted per second while one
# sender floods UDP through the pair; the ratio bee/ip should be ~1.0
# (>= 0.95): bee's loader adds nothing to the packet path. Rounds alternate
# which loader goes first; the medians are compared. On a loaded machine the
# per-round figures swing: read the medians, and the load average printed.
#   bench/xdp_rate.sh [BUILD] [SECONDS per run] [ROUNDS]
set -u
BUILD=$(cd "${1:-build}" && pwd)
SECS=${2:-2}
ROUNDS=${3:-3}
BEE=$BUILD/bee
OBJ=$BUILD/examples/xdp-example.bpf.o
H=$BUILD/tests/helpers/net_udp
P=$$
A=beenetA$P B=beenetB$P IFA=beenet${P}a IFB=beenet${P}b
IPA=10.$((100 + P % 100)).$(((P / 100) % 250)).1 IPB=10.$((100 + P % 100)).$(((P / 100) % 250)).2
for f in "$BEE" "$OBJ" "$H"; do [ -e "$f" ] || { echo "xdp_rate: $f missing (make first)" >&2; exit 1; }; done
# private copies: a rebuild during the run must not pull them away
TMPD=$(mktemp -d /tmp/bee-xdp-rate.XXXXXX)
cp "$BEE" "$OBJ" "$TMPD"/ && BEE=$TMPD/bee OBJ=$TMPD/xdp-example.bpf.o

cleanup() {
	rm -rf "$TMPD"
	[ -e /var/run/netns/$A ] && rm -rf /sys/fs/bpf/bee/net/ns$(stat -L -c %i /var/run/netns/$A)
	ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null
}
trap cleanup EXIT
ip netns add $A && ip netns add $B &&
ip link add $IFA netns $A type veth peer name $IFB netns $B &&
ip -n $A addr add $IPA/24 dev $IFA && ip -n $B addr add $IPB/24 dev $IFB &&
ip -n $A link set $IFA up && ip -n $B link set $IFB up && ip -n $A link set lo up || exit 1
macA=$(ip -n $A -o link show $IFA | sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/')
ip -n $B neigh replace $IPA lladdr $macA dev $IFB nud permanent
NA="nsenter --net=/var/run/netns/$A"
PIN_CPU=
command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ] && PIN_CPU="taskset -c 1"

# packets the attached program counted (all protocols, all CPUs)
counted() {
	local prog map= m
	prog=$($NA "$BEE" -j net list dev $IFA | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['prog_id'])")
	for m in $(bpftool prog show id "$prog" -j | python3 -c "import json,sys; print(' '.join(map(str, json.load(sys.stdin)['map_ids'])))"); do
		[ "$(bpftool map show id $m -j | python3 -c "import json,sys; print(json.load(sys.stdin)['name'])")" = counters ] && map=$m
	done
	bpftool map dump id "$map" -j | python3 -c "
import json,sys
print(sum(v['value']['packets'] for e in json.load(sys.stdin) for v in e['formatted']['values']))"
}

# run LOADER MODE -> packets per second
run() {
	local loader=$1 mode=$2 n
	if [ "$loader" = bee ]; then
		$NA "$BEE" net attach xdp$mode object "$OBJ" dev $IFA >/dev/null || { echo 0; return; }
	else
		ip -n $A link set dev $IFA xdp$mode obj "$OBJ" sec xdp || { echo 0; return; }
	fi
	# one CPU for the sender (and the softirq that runs XDP after it)
	ip netns exec $B $PIN_CPU "$H" flood $IPA 9 "$SECS" 64 >/dev/null
	n=$(counted 2>/dev/null)
	[ -n "$n" ] || n=0
	if [ "$loader" = bee ]; then
		$NA "$BEE" net detach xdp$mode dev $IFA >/dev/null
	else
		ip -n $A link set dev $IFA xdp$mode off
	fi
	python3 -c "print(int($n / $SECS))"
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $SECS s per run, $ROUNDS rounds"
printf '%-8s %-6s %14s %14s %8s\n' mode round "bee pkt/s" "ip pkt/s" ratio
for mode in generic drv; do
	bee_r=() ip_r=() ratios=()
	for r in $(seq "$ROUNDS"); do
		# alternate who goes first, so that warm-up favours neither
		if [ $((r % 2)) = 1 ]; then b=$(run bee $mode); i=$(run ip $mode); else i=$(run ip $mode); b=$(run bee $mode); fi
		if [ "$b" = 0 ] || [ "$i" = 0 ]; then
			echo "$mode round $r: a run failed (bee $b, ip $i), not counted" >&2
			continue
		fi
		bee_r+=("$b") ip_r+=("$i") ratios+=("$(python3 -c "print($b / $i)")")
		printf '%-8s %-6s %14s %14s %8s\n' $mode $r "$b" "$i" "$(python3 -c "print(f'{$b / max($i, 1):.3f}')")"
	done
	[ ${#bee_r[@]} -gt 0 ] || continue
	mb=$(median "${bee_r[@]}") mi=$(median "${ip_r[@]}")
	printf '%-8s %-6s %14s %14s %8s\n' $mode median "$mb" "$mi" "$(python3 -c "print(f'{$mb / max($mi, 1):.3f}x')")"
	# rounds run bee and ip back to back: the median of their ratios is
	# the figure least moved by the machine's other load
	printf '%-8s %-6s %14s %14s %8s\n' $mode ratio "" "" "$(median "${ratios[@]}" | python3 -c "import sys; print(f'{float(sys.stdin.read()):.3f}x')")"
done
