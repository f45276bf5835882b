#!/bin/bash
# make bench, part "offload" (issue 14): TCP payload a frontend gets from
# guest to network through vdpad, with and without TSO from the frontend,
# at MTU 1500 and at MTU 9000.
# Runs on its own (bench/offload.sh, as root) or from bench/run.sh
# (BENCH_PARTS=offload).
#
# Topology: two veth pairs, MTU 1500 and MTU 9000, their device ends bound
# by one vdpad (two --dev, mtu=1500 and mtu=9000, CPU 1), their peers the
# network, in a namespace. The frontend is
# tests/tools/evil_frontend in its tcp_stream mode, on CPU 0: it keeps the
# TX ring busy with one TCP stream (10.250.0.1 -> 10.250.0.2:9), written
# into guest memory once and posted over and over, as
#   tso   GSO frames of 64000 payload bytes, MSS 1448 (8948 at MTU 9000,
#         HOST_TSO4): vdpad cuts each into segments and checksums them;
#   mss   MSS-sized frames (1448 or 8948 payload bytes) with NEEDS_CSUM:
#         vdpad finishes each one's TCP checksum.
# At MTU 9000 every frame spans five 2 KiB UMEM frames (multi-buffer
# AF_XDP).
# Rate = payload bits per second the peer's device received (its rx_bytes
# minus 54 header bytes per frame, over the window): what a TCP receiver
# there would get. Runs alternate tso and mss; the table shows medians.
#
# Not measured: DPDK (testpmd's net_vhost + net_af_xdp has no TSO towards
# AF_XDP, whose frames would go out whole and be refused; its csum engine's
# software GSO is not wired up here).
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
bench_windows
P=xo$$
NS=${P}n
declare -A DEV=([1500]=${P}a [9000]=${P}b) PEER=([1500]=${P}c [9000]=${P}d)
declare -A SOCK=([1500]=/tmp/${P}a.sock [9000]=/tmp/${P}b.sock)
declare -A MSS=([1500]=1448 [9000]=8948)
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
	ip link del "${DEV[1500]}" 2>/dev/null
	ip link del "${DEV[9000]}" 2>/dev/null
	ip netns del $NS 2>/dev/null
	rm -f "${SOCK[@]}"
	[ "${BENCH_KEEP:-1}" = 0 ] && rm -rf "$LOGDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add $NS || die "cannot make namespace $NS"
ip netns exec $NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1
for m in 1500 9000; do
	ip link add "${DEV[$m]}" mtu $m type veth peer name "${PEER[$m]}" mtu $m ||
		die "cannot make veth"
	ip link set "${PEER[$m]}" netns $NS
	sysctl -qw net.ipv6.conf."${DEV[$m]}".disable_ipv6=1
	ip link set "${DEV[$m]}" up
	ip -n $NS link set "${PEER[$m]}" up
done

peer_stat() { ip netns exec $NS cat "/sys/class/net/${PEER[$1]}/statistics/$2"; }

start_ts=$(date +%s)
load_warn
"$VDPAD" --control none --dev "${SOCK[1500]},netdev=${DEV[1500]},mtu=1500" \
	--dev "${SOCK[9000]},netdev=${DEV[9000]},mtu=9000" --cpus 1 -l warn \
	>"$LOGDIR/vdpad.log" 2>&1 &
VPID=$!
PIDS+=("$VPID")
for _ in $(seq 50); do [ -S "${SOCK[1500]}" ] && [ -S "${SOCK[9000]}" ] && break; sleep 0.1; done
[ -S "${SOCK[9000]}" ] || die "vdpad did not start (see $LOGDIR/vdpad.log)"

# one MTU KIND: payload Gbit/s and kpps on the wire over the window
one() {
	local m=$1 kind=$2 tso=1 fe p0 b0 p1 b1
	[ "$kind" = mss ] && tso=0
	EVIL_TSO=$tso EVIL_TSO_MSS=${MSS[$m]} taskset -c 0 "$EVIL" "${SOCK[$m]}" \
		tcp_stream $(((WARM + SECS) * 1000 + 500)) \
		>"$LOGDIR/$m-$kind-r$RUN.log" 2>&1 &
	fe=$!
	PIDS+=("$fe")
	sleep "$WARM"
	p0=$(peer_stat $m rx_packets)
	b0=$(peer_stat $m rx_bytes)
	sleep "$SECS"
	p1=$(peer_stat $m rx_packets)
	b1=$(peer_stat $m rx_bytes)
	wait "$fe" || NOTES+=("run $RUN MTU $m $kind: the frontend failed ($(tail -1 "$LOGDIR/$m-$kind-r$RUN.log"))")
	forget_pid "$fe"
	awk -v b=$((b1 - b0)) -v p=$((p1 - p0)) -v s="$SECS" \
		'BEGIN { printf "%.3f %.1f\n", (b - 54 * p) * 8 / s / 1e9, p / s / 1e3 }'
}

declare -A R KPPS
CELLS="1500-tso 1500-mss 9000-tso 9000-mss"
for RUN in $(seq "$RUNS"); do
	for cell in $CELLS; do
		read -r g k < <(one "${cell%-*}" "${cell#*-}")
		R[$cell]+=" $g"
		KPPS[$cell]+=" $k"
		echo "run $RUN MTU ${cell%-*} ${cell#*-}: $g Gbit/s payload, $k kpps on the wire" >&2
	done
done
kill -TERM "$VPID"
wait "$VPID"
forget_pid "$VPID"

declare -A MED
for cell in $CELLS; do
	MED[$cell]=$(echo "${R[$cell]}" | median)
done
echo
echo "xvdpa bench offload: guest->network TCP payload through vdpad (AF_XDP"
echo "copy mode on a veth), frontend on CPU 0, vdpad on CPU 1; medians of"
echo "$RUNS alternating run(s), ${SECS} s windows"
echo
echo "| MTU | frontend sends | payload Gbit/s | kpps on the wire | every run |"
echo "| --- | --- | --- | --- | --- |"
for cell in $CELLS; do
	m=${cell%-*}
	case ${cell#*-} in
	tso) what="GSO frames of 64000 B, MSS ${MSS[$m]} (vdpad segments)" ;;
	mss) what="${MSS[$m]}-byte segments, NEEDS_CSUM (vdpad checksums)" ;;
	esac
	echo "| $m | $what | ${MED[$cell]} | $(echo "${KPPS[$cell]}" | median) | ${R[$cell]# } |"
done
echo
awk -v t="${MED[1500-tso]}" -v m="${MED[1500-mss]}" -v j="${MED[9000-mss]}" \
	-v jt="${MED[9000-tso]}" 'BEGIN {
	r = m > 0 ? t / m : 0
	printf "Targets (issue 14):\n- TSO >= the rate without it at MTU 1500: %.2fx: %s\n",
		r, (r >= 1 ? "met" : "missed")
	r = m > 0 ? j / m : 0
	printf "- MTU 9000 >= 3x MTU 1500 (MSS-sized frames from the frontend): %.2fx: %s\n",
		r, (r >= 3 ? "met" : "missed")
	r = t > 0 ? jt / t : 0
	printf "  (with TSO from the frontend at both MTUs: %.2fx)\n", r
}'
echo "vdpad's own counters at exit:"
grep -a ': rx .* packets' "$LOGDIR/vdpad.log" | sed 's/.*; offloads/  offloads/; s/; busy/\n  busy/'
report_tail
