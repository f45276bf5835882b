#!/bin/bash
# make bench, part "offload" (issue 14): TCP payload a frontend gets from
# guest to network through vdpad, with and without TSO from the frontend.
# Runs on its own (bench/offload.sh, as root) or from bench/run.sh
# (BENCH_PARTS=offload).
#
# Topology: one veth pair, its device end bound by vdpad (--dev, CPU 1),
# its peer the network, in a namespace. The frontend is
# tests/tools/evil_frontend in its tcp_stream mode, on CPU 0: it keeps the
# TX ring busy with one TCP stream (10.250.0.1 -> 10.250.0.2:9), written
# into guest memory once and posted over and over, as
#   tso   GSO frames of 64000 payload bytes, MSS 1448 (HOST_TSO4): vdpad
#         cuts each into 45 segments and checksums them;
#   mss   MSS-sized frames (1448 payload bytes) with NEEDS_CSUM: vdpad
#         finishes each one's TCP checksum.
# Rate = payload bits per second the peer's device received (its rx_bytes
# minus 54 header bytes per frame, over the window): what a TCP receiver
# there would get. Runs alternate tso and mss; the table shows medians.
#
# Not measured yet: MTU 9000 (AF_XDP frames are 2 KiB until vdpad uses
# multi-buffer AF_XDP), and DPDK (testpmd's net_vhost + net_af_xdp has no
# TSO towards AF_XDP: its frames would go out whole and be refused; its
# csum engine's software GSO is not wired up here).
#
# Environment (shared with run.sh): BENCH_RUNS (3), BENCH_SECONDS (5, after
# 2 s warm-up), BENCH_QUICK=1 (1 run, 2 s), BENCH_KEEP=0.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BENCH_TAG="bench offload"
# shellcheck source=bench/lib.sh
. bench/lib.sh

BUILD=${BUILD:-build}
VDPAD=$(realpath "$BUILD/vdpad" 2>/dev/null || echo "$BUILD/vdpad")
EVIL=$(realpath "$BUILD/tools/evil_frontend" 2>/dev/null || echo "$BUILD/tools/evil_frontend")
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	RUNS=${BENCH_RUNS:-1}
	SECS=${BENCH_SECONDS:-2}
	WARM=1
else
	RUNS=${BENCH_RUNS:-3}
	SECS=${BENCH_SECONDS:-5}
	WARM=2
fi
P=xo$$
NS=${P}n
DEV=${P}v
PEER=${P}p
SOCK=/tmp/${P}.sock
LOGDIR=$BUILD/bench/offload
PIDS=()
NOTES=()

[ "$(id -u)" -eq 0 ] || die "needs root"
[ -x "$VDPAD" ] || die "$VDPAD missing (make)"
[ -x "$EVIL" ] || die "$EVIL missing (make tests)"
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR" || die "cannot create $LOGDIR"

cleanup() {
	local pid
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	ip link del $DEV 2>/dev/null
	ip netns del $NS 2>/dev/null
	rm -f $SOCK
	[ "${BENCH_KEEP:-1}" = 0 ] && rm -rf "$LOGDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add $NS || die "cannot make namespace $NS"
ip link add $DEV type veth peer name $PEER || die "cannot make veth"
ip link set $PEER netns $NS
sysctl -qw net.ipv6.conf.$DEV.disable_ipv6=1
ip netns exec $NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip link set $DEV up
ip -n $NS link set $PEER up

peer_stat() { cat "/sys/class/net/$PEER/statistics/$1" 2>/dev/null ||
	ip netns exec $NS cat "/sys/class/net/$PEER/statistics/$1"; }

start_ts=$(date +%s)
load_warn
"$VDPAD" --control none --dev "$SOCK,netdev=$DEV" --cpus 1 -l warn \
	>"$LOGDIR/vdpad.log" 2>&1 &
VPID=$!
PIDS+=("$VPID")
for _ in $(seq 50); do [ -S $SOCK ] && break; sleep 0.1; done
[ -S $SOCK ] || die "vdpad did not start (see $LOGDIR/vdpad.log)"

# one KIND: payload Gbit/s over the window
one() {
	local kind=$1 tso=1 fe p0 b0 p1 b1
	[ "$kind" = mss ] && tso=0
	EVIL_TSO=$tso taskset -c 0 "$EVIL" $SOCK tcp_stream \
		$(((WARM + SECS) * 1000 + 500)) >"$LOGDIR/$kind-r$RUN.log" 2>&1 &
	fe=$!
	PIDS+=("$fe")
	sleep "$WARM"
	p0=$(peer_stat rx_packets)
	b0=$(peer_stat rx_bytes)
	sleep "$SECS"
	p1=$(peer_stat rx_packets)
	b1=$(peer_stat rx_bytes)
	wait "$fe" || NOTES+=("run $RUN $kind: the frontend failed ($(tail -1 "$LOGDIR/$kind-r$RUN.log"))")
	forget_pid "$fe"
	awk -v b=$((b1 - b0)) -v p=$((p1 - p0)) -v s="$SECS" \
		'BEGIN { printf "%.3f %.1f\n", (b - 54 * p) * 8 / s / 1e9, p / s / 1e3 }'
}

declare -A R KPPS
for RUN in $(seq "$RUNS"); do
	for kind in tso mss; do
		read -r g k < <(one $kind)
		R[$kind]+=" $g"
		KPPS[$kind]+=" $k"
		echo "run $RUN $kind: $g Gbit/s payload, $k kpps on the wire" >&2
	done
done
kill -TERM "$VPID"
wait "$VPID"
forget_pid "$VPID"

tso=$(echo "${R[tso]}" | median)
mss=$(echo "${R[mss]}" | median)
echo
echo "xvdpa bench offload: guest->network TCP payload through vdpad (AF_XDP"
echo "copy mode on a veth, MTU 1500), frontend on CPU 0, vdpad on CPU 1;"
echo "medians of $RUNS alternating run(s), ${SECS} s windows"
echo
echo "| frontend sends | payload Gbit/s | kpps on the wire | every run |"
echo "| --- | --- | --- | --- |"
echo "| GSO frames, 64000 B (vdpad segments) | $tso | $(echo "${KPPS[tso]}" | median) | ${R[tso]# } |"
echo "| MSS frames, NEEDS_CSUM (vdpad checksums) | $mss | $(echo "${KPPS[mss]}" | median) | ${R[mss]# } |"
echo "| MTU 9000 | not measured: AF_XDP multi-buffer not yet used | | |"
echo
awk -v t="$tso" -v m="$mss" 'BEGIN {
	r = m > 0 ? t / m : 0
	printf "Target (issue 14): TSO >= the payload rate without it at MTU 1500: %.2fx: %s\n",
		r, r >= 1 ? "met" : "missed"
}'
echo "vdpad's own counters at exit:"
grep -a ': rx .* packets' "$LOGDIR/vdpad.log" | sed 's/.*; offloads/  offloads/; s/; busy/\n  busy/'
report_tail
