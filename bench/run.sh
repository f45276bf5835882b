#!/bin/bash
# make bench: vdpad against DPDK (net_vhost + net_af_xdp, io forwarding) and
# against the raw AF_XDP ceiling of the same netdev, on a 2-core machine.
#
# Topology: one veth pair is the "VF": its device end ($VF) stays in the
# host, where the forwarder binds it through AF_XDP; its peer ($PEER) is the
# network, inside a namespace. No eswitch: it would cost both forwarders the
# same. The forwarder under test always runs on CPU 1 (the whole process:
# taskset -c 1, and vdpad --cpus 1 / testpmd --lcores 0@1,1@1), the traffic
# generator on CPU 0.
#
#   guest->network  a DPDK virtio-user testpmd (txonly, CPU 0) is the guest;
#                   rate = frames the peer received (its kernel counter),
#                   over a fixed window after warm-up.
#                   ceiling: testpmd net_af_xdp txonly on $VF from CPU 1,
#                   with CPU 0 as busy as the guest keeps it (a testpmd
#                   txonly on net_null); "ceilidle": the same, CPU 0 idle.
#   network->guest  the PVP loop of ENVIRONMENT.md: one testpmd on CPU 0 owns
#                   the peer and the guest side (virtio-user) and forwards
#                   (mac mode) what arrives on one to the other, seeded with
#                   "start tx_first 8": two closed loops, one per direction,
#                   so the forwarder on CPU 1 carries both directions at once
#                   and nothing else competes for its core. Rate = the
#                   generator's own Rx-pps (testpmd's counters between two
#                   "show port stats" one window apart).
#                   ceiling: the forwarder replaced by a raw AF_XDP reflector
#                   (testpmd net_af_xdp, io, one port) on $VF, CPU 1, in the
#                   same loop: AF_XDP receive and transmit without the vhost
#                   half.
#   vhost only      no kernel: vdpad --loopback vs testpmd net_vhost io on one
#                   port, the guest (virtio-user io, CPU 0) sending back what
#                   arrives; what sets the rate when the NIC side is cheap.
#   cost            the forwarder's busy time per frame (vdpad's busy_ns
#                   counter, testpmd --record-core-cycles) and its busy %.
#   CPU             /proc/PID/stat utime+stime of the forwarder process:
#                   idle with 8 devices (without, then with frontends), and
#                   at a fixed paced load below saturation.
#   pod             bench/pod.sh (issue 13), after the report above: iperf3
#                   TCP and 64 B UDP between pods and an external namespace
#                   in netdev mode vs the Linux bridge vs a bare veth pair;
#                   its own table and targets (see the top of pod.sh).
#   dirty_log       bench/dirty_log.sh (issue 15): the datapath's cost of
#                   dirty logging (LOG_ALL on vs off), vdpad vs DPDK.
#   migration       bench/migration.sh (issue 15): live-migration total
#                   time and downtime of a QEMU guest, vdpad vs DPDK.
#   offload         bench/offload.sh (issue 14), after that: TCP payload
#                   guest->network with and without TSO from the frontend
#                   (tests/tools/evil_frontend tcp_stream); its own table.
#
# Runs alternate vdpad, DPDK, ceiling for every cell and the table shows
# medians. Environment:
#   BENCH_RUNS=N      runs per cell (3)
#   BENCH_SECONDS=S   the measuring window (5 s; 2 s warm-up before it)
#   BENCH_QUICK=1     smoke test: 1 run, 2 s windows, 3 s CPU windows
#   BENCH_PPS=N       the paced load for the CPU figure (100000 frames/s)
#   BENCH_PEER=P      the loop generator's ports on the peer: hybrid
#                     (default), af_xdp (ENVIRONMENT.md's, stalls here, see
#                     loop_gen_args) or af_packet
#   BENCH_KEEP=0      delete the logs at exit (default: kept in $BUILD/bench)
#   for development: BENCH_SIZES="64", BENCH_KINDS="vdpad dpdk" (of vdpad dpdk
#   ceiling ceilidle),
#   BENCH_PARTS="g2n loop vhost cpu pod offload dirty_log migration" (the
#   scripts of their own alone: only them; pod, offload or both
#   alone: only their scripts),
#   BENCH_TRACE=1 (xtrace to the log directory),
#   BENCH_PERF=1 (perf record of vdpad over each window: TAG.perf.txt).
set -uo pipefail
cd "$(dirname "$0")/.."
BENCH_TAG="bench"
# shellcheck source=bench/lib.sh
. bench/lib.sh

BUILD=${BUILD:-build}
VDPAD=$(realpath "$BUILD/vdpad" 2>/dev/null || echo "$BUILD/vdpad")
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	RUNS=${BENCH_RUNS:-1}
	SECS=${BENCH_SECONDS:-2}
	WARM=1
	IDLE_SECS=3
else
	RUNS=${BENCH_RUNS:-3}
	SECS=${BENCH_SECONDS:-5}
	WARM=2
	IDLE_SECS=10
fi
PPS=${BENCH_PPS:-100000}
PEER_PMD=${BENCH_PEER:-hybrid}
SIZES=${BENCH_SIZES:-64 1500}
PARTS=${BENCH_PARTS:-g2n loop vhost cpu pod offload dirty_log migration} # development: run only some parts
NIDLE=8

# The parts that are scripts of their own (bench/NAME.sh): alone, they are
# all that runs; with other parts, they run after their report, in order.
SCRIPT_PARTS="pod offload dirty_log migration"
# part_scripts: the parts that are scripts of their own, after the report.
part_scripts() {
	local rc=0 p
	for p in $SCRIPT_PARTS; do
		[[ " $PARTS " == *" $p "* ]] || continue
		echo
		BUILD=$BUILD bash "bench/$p.sh" || rc=$?
	done
	return $rc
}
only_scripts=" $PARTS "
for p in $SCRIPT_PARTS; do only_scripts=${only_scripts// $p / }; done
if [ -z "$(echo "$only_scripts" | tr -d ' ')" ]; then
	part_scripts
	exit $?
fi

P=xb$$
NS=${P}n
VF=${P}v
PEER=${P}p
SOCK=/tmp/${P}.sock
LOGDIR=$BUILD/bench
GUEST_PEER_MAC=02:bb:00:00:00:02


[ "$(id -u)" -eq 0 ] || die "needs root"
for c in dpdk-testpmd jq ethtool ip taskset cc stdbuf; do
	command -v $c >/dev/null || die "$c not installed (make deps)"
done
[ -x "$VDPAD" ] || die "$VDPAD missing (make)"
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs"

rm -rf "$LOGDIR"
mkdir -p "$LOGDIR" || die "cannot create $LOGDIR"
LOGDIR=$(realpath "$LOGDIR")
if [ "${BENCH_TRACE:-0}" = 1 ]; then
	exec {XTRACE_FD}>"$LOGDIR/trace.log"
	BASH_XTRACEFD=$XTRACE_FD
	PS4='+ ${EPOCHREALTIME} '
	set -x
fi

# ---- processes and cleanup --------------------------------------------

PIDS=()
FIFO_FDS=()

# stop_pid PID [SIGNAL]: asks a process to exit, waits up to 10 s, then
# kills it.
stop_pid() {
	local pid=$1 sig=${2:-TERM} i
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -"$sig" "$pid" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

cleanup() {
	local pid fd i
	trap - EXIT INT TERM
	for fd in "${FIFO_FDS[@]}"; do
		eval "exec $fd>&-" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		stop_pid "$pid" INT
	done
	ip netns del $NS 2>/dev/null
	ip link del $VF 2>/dev/null
	for i in $(seq 0 $((NIDLE - 1))); do
		ip link del ${P}i$i 2>/dev/null
	done
	rm -f /tmp/${P}*.sock /tmp/${P}-ctl.sock
	rm -f /dev/hugepages/${P}*
	rm -rf /var/run/dpdk/${P}* /run/dpdk/${P}*
	if [ "${BENCH_KEEP:-1}" = 0 ]; then
		rm -rf "$LOGDIR"
	else
		echo "Logs (every testpmd, vdpad's counters, per-second rates): $LOGDIR"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Leftovers of an earlier run that was killed: only our own prefix, and
# only when its process is gone.
for ns in $(ip netns list 2>/dev/null | grep -o '^xb[0-9]*n'); do
	pid=${ns#xb}
	pid=${pid%n}
	kill -0 "$pid" 2>/dev/null && continue
	ip netns del "$ns" 2>/dev/null
	ip link del "xb${pid}v" 2>/dev/null
	rm -f /tmp/xb${pid}*.sock /dev/hugepages/xb${pid}*
	rm -rf /var/run/dpdk/xb${pid}*
done

# bg NAME CMD...: starts CMD in the background, output in $LOGDIR/NAME.log;
# its pid in BG_PID.
bg() {
	local name=$1
	shift
	"$@" >"$LOGDIR/$name.log" 2>&1 &
	BG_PID=$!
	PIDS+=("$BG_PID")
}

# bg_in NAME CMD...: like bg, with stdin from a fifo whose write end is
# BG_FD (commands for an interactive testpmd).
bg_in() {
	local name=$1 fifo=$LOGDIR/$1.in
	shift
	rm -f "$fifo"
	mkfifo "$fifo"
	"$@" <"$fifo" >"$LOGDIR/$name.log" 2>&1 &
	BG_PID=$!
	PIDS+=("$BG_PID")
	exec {BG_FD}>"$fifo"
	FIFO_FDS+=("$BG_FD")
}


# ---- setup --------------------------------------------------------------

bash scripts/host-setup.sh || die "scripts/host-setup.sh failed"
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "$free" -ge 300 ] || die "only $free free hugepages; need 300 (2 testpmd x 256 MB)"

# veth_pair DEV PEERDEV: DEV in the host, PEERDEV in $NS, both up, TX
# checksum offload off and GRO on (what AF_XDP on veth needs).
veth_pair() {
	ip link add "$1" type veth peer name "$2" netns $NS || return 1
	ethtool -K "$1" tx off gro on >/dev/null 2>&1
	ip netns exec $NS ethtool -K "$2" tx off gro on >/dev/null 2>&1
	sysctl -qw net.ipv6.conf."$1".disable_ipv6=1
	ip link set "$1" up && ip -n $NS link set "$2" up
}

ip netns add $NS || die "cannot create namespace $NS"
ip -n $NS link set lo up
ip netns exec $NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1
veth_pair $VF $PEER || die "cannot create veth $VF/$PEER"
VFMAC=$(cat /sys/class/net/$VF/address)
PEERMAC=$(ip -n $NS -j link show $PEER | jq -r '.[0].address')

# Newer vdpad serves a control socket (default /run/xvdpa/vdpad.sock,
# which a vdpad of somebody else may hold): give each one its own.
VDPAD_CTL=()
if "$VDPAD" --help 2>&1 | grep -q -- "--control"; then
	VDPAD_CTL=(--control /tmp/${P}-ctl.sock)
fi

PACE=$LOGDIR/xbpace
cc -O2 -Wall -o "$PACE" bench/pace.c || die "cannot build bench/pace.c"

# ---- counters -------------------------------------------------------------

now() { date +%s.%N; }
peer_rx() { ip -n $NS -s -j link show $PEER | jq -r '.[0].stats64.rx.packets'; }
vf_xdp_rx() { ethtool -S $VF | awk '/rx_queue_0_xdp_packets/ {print $2}'; }
# CPU time of a process in clock ticks (utime + stime, all threads).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK)

# wait_for COUNT CMD...: retries CMD every 0.1 s, COUNT times.
wait_for() {
	local n=$1 i
	shift
	for i in $(seq "$n"); do
		"$@" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# vdpad's own counters (its control socket), when it has one: vdpad_ctr
# FIELD prints dev0's FIELD, or nothing.
VDPACTL=$(realpath "$BUILD/vdpactl" 2>/dev/null || echo "$BUILD/vdpactl")
vdpad_ctr() {
	[ ${#VDPAD_CTL[@]} -gt 0 ] || return 0
	"$VDPACTL" -s /tmp/${P}-ctl.sock -j dev stats 2>/dev/null |
		jq -r ".stats.dev0.$1 // empty" 2>/dev/null
}
# pkts_since A FIELD: dev0's FIELD now minus A (0 when unknown).
pkts_since() {
	local b
	b=$(vdpad_ctr "$2")
	[ -n "$1" ] && [ -n "$b" ] && echo $((b - $1)) || echo 0
}
# own_rate A B T0 T1: (B - A) / (T1 - T0), or "n/a".
own_rate() {
	[ -n "$1" ] && [ -n "$2" ] || { echo n/a; return; }
	awk -v a="$1" -v b="$2" -v t="$3" -v u="$4" \
		'BEGIN { printf "%.4f Mpps", (b - a) / (u - t) / 1e6 }'
}

# Contention: during every window, the CPU time of user processes that are
# not ours (somebody else's QEMU, testpmd, compiler...), from
# /proc/*/stat (kernel threads left out: they include the softirq work our
# own traffic causes). cpu_mark at the start of a window; cpu_shares at its
# end prints "F G O": the forwarder's and the generator's % of a core and
# the others' % of a core. A run where others took more than
# $CONTENDED_ABOVE % of a core is marked contended.
CONTENDED_ABOVE=10
# proc_ticks: "pid ticks" of every user process (vsize > 0).
proc_ticks() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk '{
		pid = $1; sub(/^[^)]*\) /, ""); sub(/^.*\) /, "")
		if ($21 > 0) print pid, $12 + $13 }'
}
cpu_mark() {
	local p
	MARK_T=$(now)
	MARK_P=("$@")
	MARK_C=()
	for p in "$@"; do
		MARK_C+=("$(cpu_ticks "$p")")
	done
	proc_ticks >"$LOGDIR/.ticks0"
}
cpu_shares() {
	local i t out="" ours
	t=$(now)
	for i in "${!MARK_P[@]}"; do
		out+=" $(awk -v a="${MARK_C[$i]}" -v b="$(cpu_ticks "${MARK_P[$i]}")" \
			-v t0="$MARK_T" -v t1="$t" -v hz="$HZ" \
			'BEGIN { printf "%.0f", (b - a) * 100 / hz / (t1 - t0) }')"
	done
	ours=" $$ ${PIDS[*]} "
	proc_ticks | awk -v ours="$ours" -v t0="$MARK_T" -v t1="$t" -v hz="$HZ" '
		NR == FNR { before[$1] = $2; next }
		index(ours, " " $1 " ") { next }
		{ d += ($1 in before) ? $2 - before[$1] : $2 }
		END { printf " %.0f", d * 100 / hz / (t1 - t0) }' "$LOGDIR/.ticks0" - >"$LOGDIR/.others"
	echo "${out# }$(cat "$LOGDIR/.others")"
}
# contended SHARES: true when the last figure (others) is above the limit.
contended() {
	echo "$1" | awk -v m=$CONTENDED_ABOVE '{ exit !(NF && $NF > m) }'
}

NOTES=()
# stall_check TAG SERIES: notes a window whose last second fell below
# half of its mean (a closed loop that lost its frames, a stuck sender).
stall_check() {
	local r
	r=$(echo "$2" | awk '{ for (i = 1; i <= NF; i++) s += $i;
		if (NF && $NF < 0.5 * s / NF) print "stalled" }')
	[ -n "$r" ] && NOTES+=("$1: the rate fell during the window (per second:$2)")
	return 0
}

# ---- testpmd helpers --------------------------------------------------------

TP_COMMON=(--no-pci -m 256 --single-file-segments)
# testpmd's stdout is a file: line-buffer it, or "show port stats" output
# arrives only at exit.
TESTPMD="stdbuf -oL dpdk-testpmd"

# tp_ready LOG: the interactive testpmd has started its ports.
tp_ready() { grep -q "testpmd>" "$1"; }

# tp_show FD LOG NPORTS: "show port stats all"; waits for its output.
tp_show() {
	local fd=$1 log=$2 n=$3 before i
	before=$(grep -c "Tx-bps:" "$log")
	echo "show port stats all" >&"$fd"
	for i in $(seq 100); do
		[ "$(grep -c "Tx-bps:" "$log")" -ge $((before + n)) ] && return 0
		sleep 0.05
	done
	return 1
}

# tp_pps LOG PORT rx|tx: that port's pps in the last "show port stats".
tp_pps() {
	awk -v port="$2" -v dir="$3" '
		/NIC statistics for port/ { cur = $6 }
		cur == port && /Rx-pps:/ { rx = $2 }
		cur == port && /Tx-pps:/ { tx = $2 }
		END { print (dir == "rx" ? rx : tx) + 0 }' "$1"
}

# tp_quit FD PID: quits an interactive testpmd.
tp_quit() {
	echo "stop" >&"$1" 2>/dev/null
	echo "quit" >&"$1" 2>/dev/null
	eval "exec $1>&-"
	local keep=() f
	for f in "${FIFO_FDS[@]}"; do
		[ "$f" = "$1" ] || keep+=("$f")
	done
	FIFO_FDS=("${keep[@]}")
	local i
	for i in $(seq 100); do
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	stop_pid "$2" INT
	forget_pid "$2"
}

# ---- forwarders ---------------------------------------------------------------

# fwd_start KIND TAG: starts the forwarder under test on CPU 1; FWD_PID.
#   vdpad | dpdk: vhost-user on $SOCK <-> AF_XDP on $VF
#   reflector: testpmd net_af_xdp on $VF, io, one port (the loop ceiling)
fwd_start() {
	local kind=$1 tag=$2
	rm -f $SOCK
	ip link set dev $VF xdp off 2>/dev/null
	case $kind in
	vdpad)
		bg "$tag" taskset -c 1 "$VDPAD" --dev $SOCK,netdev=$VF \
			"${VDPAD_CTL[@]}" --cpus 1 -l warn
		;;
	dpdk)
		bg "$tag" env LIBXDP_SKIP_DISPATCHER=1 taskset -c 1 \
			$TESTPMD "${TP_COMMON[@]}" --file-prefix=${P}f \
			--lcores 0@1,1@1 \
			--vdev net_vhost0,iface=$SOCK,queues=1 \
			--vdev net_af_xdp0,iface=$VF,start_queue=0,queue_count=1 \
			-- --forward-mode=io --stats-period 1 -a \
			--record-core-cycles
		;;
	vdpad-lb)
		bg "$tag" taskset -c 1 "$VDPAD" --loopback $SOCK \
			"${VDPAD_CTL[@]}" --cpus 1 -l warn
		;;
	dpdk-lb)
		bg "$tag" taskset -c 1 $TESTPMD "${TP_COMMON[@]}" \
			--file-prefix=${P}f --lcores 0@1,1@1 \
			--vdev net_vhost0,iface=$SOCK,queues=1 \
			-- --port-topology=loop --forward-mode=io \
			--stats-period 1 -a --record-core-cycles
		;;
	reflector)
		bg "$tag" env LIBXDP_SKIP_DISPATCHER=1 taskset -c 1 \
			$TESTPMD "${TP_COMMON[@]}" --file-prefix=${P}f \
			--lcores 0@1,1@1 \
			--vdev net_af_xdp0,iface=$VF,start_queue=0,queue_count=1 \
			-- --port-topology=loop --forward-mode=io \
			--stats-period 1 -a --record-core-cycles
		;;
	esac
	FWD_PID=$BG_PID
	if [ "$kind" = reflector ]; then
		wait_for 200 grep -q "packet forwarding - ports" \
			"$LOGDIR/$tag.log"
	else
		wait_for 200 test -S $SOCK
	fi || { echo "bench: $kind did not start (see $tag.log)" >&2; return 1; }
}

fwd_stop() {
	local sig=INT
	[ "${1%-lb}" = vdpad ] && sig=TERM
	stop_pid "$FWD_PID" $sig
	forget_pid "$FWD_PID"
	rm -f $SOCK
}

# fwd_or_note KIND TAG: fwd_start, or a note and nothing left running.
fwd_or_note() {
	fwd_start "$1" "$2-fwd" && return 0
	NOTES+=("$2: $1 did not start (see $2-fwd.log); run left out")
	fwd_stop "$1"
	return 1
}

# guest_start TAG TESTPMD-ARGS...: the guest, a virtio-user testpmd on CPU 0
# (interactive) on $SOCK; GPID, GFD, GLOG.
guest_start() {
	local tag=$1
	shift
	bg_in "$tag" taskset -c 0 $TESTPMD "${TP_COMMON[@]}" \
		--file-prefix=${P}g --lcores 0@0,1@0 \
		--vdev net_virtio_user0,path=$SOCK,queues=1,queue_size=1024 \
		-- -i --rxd=1024 --txd=1024 "$@"
	GPID=$BG_PID GFD=$BG_FD GLOG=$LOGDIR/$tag.log
}

# fwd_cost KIND LOG: the forwarder's busy time per frame over its whole run,
# in ns, or nothing. Busy = the polls that moved frames: vdpad's exit
# counters (busy_ns over rx + tx frames; its polls that only woke the
# kernel's TX count as busy too); testpmd's --record-core-cycles ("CPU
# cycles/packet": cycles of the bursts that received frames over the frames
# received, or sent for txonly) at its TSC clock.
fwd_cost() {
	if [ "${1%-lb}" = vdpad ]; then
		# loopback: a frame is one guest transmit turned into one receive
		awk -v lb="$([ "$1" = vdpad-lb ] && echo 1)" '/^dev0 / {
				for (i = 1; i < NF; i++) {
				if ($i == "rx") rx = $(i + 1)
				if ($i == "tx") tx = $(i + 1)
				if ($i == "polls") ns = $(i + 1) } }
			END { n = lb ? tx : rx + tx
				if (n > 0 && ns != "") printf "%.0f", ns / n }' "$2"
	else
		sed -n 's/.*CPU cycles\/packet=\([0-9.]*\) .* at \([0-9]*\) MHz.*/\1 \2/p' "$2" |
			tail -1 | awk '$2 > 0 { printf "%.0f", $1 * 1000 / $2 }'
	fi
}

# The generator's ports on the peer in the PVP loop (BENCH_PEER):
#   hybrid (default): net_af_xdp receives (what the forwarder sent to the
#     network), net_af_packet transmits (toward the forwarder).
#   af_xdp: net_af_xdp both ways, as in ENVIRONMENT.md. Here DPDK 22.11's
#     net_af_xdp leaves frames in its XSK TX ring without a wakeup (seen on
#     kernel 6.18: the kernel's peer TX counter stops 256 frames short of
#     testpmd's, and the stuck frames leave only with the next transmit), so
#     the network->guest loop loses its whole population within a second,
#     with vdpad and with DPDK alike.
#   af_packet: net_af_packet both ways (slow: the generator's core limits).
# loop_gen_args ceiling|fwd: sets GEN_ARGS (vdevs and testpmd options),
# GEN_NPORTS, and N2G_PORT / G2N_PORT: the ports whose Rx-pps give each
# direction.
loop_gen_args() {
	local xdp="net_af_xdp0,iface=$PEER,start_queue=0,queue_count=1"
	local pkt="net_af_packet0,iface=$PEER,qpairs=1"
	local vu="net_virtio_user0,path=$SOCK,queues=1,queue_size=1024,mac=$VFMAC"
	local one
	case $PEER_PMD in
	af_xdp) one=$xdp ;;
	af_packet) one=$pkt ;;
	esac
	if [ "$1" = ceiling ]; then
		if [ "$PEER_PMD" = hybrid ]; then
			# rx 0 (from the reflector) -> tx 1 (back to it)
			GEN_ARGS=(--vdev "$xdp" --vdev "$pkt" -- --eth-peer=0,$VFMAC
				--eth-peer=1,$VFMAC)
			GEN_NPORTS=2
		else
			GEN_ARGS=(--vdev "$one" -- --port-topology=loop
				--eth-peer=0,$VFMAC)
			GEN_NPORTS=1
		fi
		N2G_PORT=0 G2N_PORT=0
	elif [ "$PEER_PMD" = hybrid ]; then
		# rx 0 (network side) -> tx 1 (guest TX: guest->network loop);
		# rx 1 (guest RX) -> tx 2 (network side: network->guest loop);
		# port 2 receives nothing (XDP takes every frame first).
		GEN_ARGS=(--vdev "$xdp" --vdev "$vu" --vdev "$pkt" --
			--port-topology=chained --eth-peer=0,$VFMAC
			--eth-peer=1,$GUEST_PEER_MAC --eth-peer=2,$VFMAC)
		GEN_NPORTS=3 N2G_PORT=1 G2N_PORT=0
	else
		GEN_ARGS=(--vdev "$one" --vdev "$vu" -- --eth-peer=0,$VFMAC
			--eth-peer=1,$GUEST_PEER_MAC)
		GEN_NPORTS=2 N2G_PORT=1 G2N_PORT=0
	fi
}

peer_rx_above() { [ "$(peer_rx)" -gt "$1" ]; }

# BENCH_PERF=1: a cpu-clock profile of the forwarder over the window (this VM has
# no hardware counters), kept as TAG.perf.txt next to the logs.
perf_start() {
	PERF_PID=""
	[ "${BENCH_PERF:-0}" = 1 ] && [ "$1" != ceiling ] || return 0
	perf record -q -e cpu-clock -F 2999 -g -p "$FWD_PID" \
		-o "$LOGDIR/$2.perf.data" -- sleep "$SECS" >/dev/null 2>&1 &
	PERF_PID=$!
	perf stat -x, -e syscalls:sys_enter_sendto,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_read,syscalls:sys_enter_write \
		-p "$FWD_PID" -o "$LOGDIR/$2.syscalls" -- sleep "$SECS" \
		>/dev/null 2>&1 &
	PERF_PID+=" $!"
}
# perf_stop TAG PACKETS: PACKETS = frames vdpad moved over the window.
perf_stop() {
	[ -n "$PERF_PID" ] || return 0
	wait $PERF_PID
	perf report -i "$LOGDIR/$1.perf.data" --no-children --stdio \
		--percent-limit 0.5 -g none 2>/dev/null >"$LOGDIR/$1.perf.txt"
	awk -F, -v n="${2:-0}" -v tag="$1" '$3 ~ /^syscalls:/ {
		sub(/syscalls:sys_enter_/, "", $3)
		s = s sprintf(" %s %d (%.4f/frame)", $3, $1, n > 0 ? $1 / n : 0) }
		END { printf "%s: syscalls over the window, %d frames:%s\n", tag, n, s }' \
		"$LOGDIR/$1.syscalls" >>"$LOGDIR/series.log"
}

# measure_g2n KIND SIZE: guest -> network, one way. Sets OUT1 (Mpps the
# peer received) and OUT2 (Mpps by the sender's own count).
measure_g2n() {
	local kind=$1 size=$2 tag="g2n-$1-$2-r$RUN" c0 c1 t0 t1 g s prev cur
	local series="" tp tc v0="" spid=""
	OUT1=0 OUT2=0 OUT_SHARES="" OUT_COST=""
	if [ "$kind" = ceiling ]; then
		# CPU 0 as busy as the guest keeps it in the forwarder runs:
		# a busy neighbour slows CPU 1 by about 5 % on this VM.
		bg "$tag-spin" taskset -c 0 $TESTPMD --no-pci -m 128 \
			--single-file-segments --file-prefix=${P}s \
			--lcores 0@0,1@0 --vdev net_null0 -- \
			--forward-mode=txonly --txpkts="$size" -a \
			--stats-period 60
		spid=$BG_PID
	fi
	if [ "$kind" = ceiling ] || [ "$kind" = ceilidle ]; then
		FWD_PID=""
		bg_in "$tag" env LIBXDP_SKIP_DISPATCHER=1 taskset -c 1 \
			$TESTPMD "${TP_COMMON[@]}" --file-prefix=${P}f \
			--lcores 0@1,1@1 \
			--vdev net_af_xdp0,iface=$VF,start_queue=0,queue_count=1 \
			-- -i --port-topology=loop --forward-mode=txonly \
			--txpkts="$size" --record-core-cycles
	else
		fwd_or_note "$kind" "$tag" || return 1
		guest_start "$tag" --forward-mode=txonly --txpkts="$size"
	fi
	local gpid=$BG_PID gfd=$BG_FD log=$LOGDIR/$tag.log
	if ! wait_for 300 tp_ready "$log"; then
		NOTES+=("$tag: the generator's testpmd did not start (see its log); run left out")
		tp_quit "$gfd" "$gpid"
		[ -n "$FWD_PID" ] && fwd_stop "$kind"
		[ -n "$spid" ] && stop_pid "$spid" INT && forget_pid "$spid"
		return 1
	fi
	echo "start" >&"$gfd"
	c0=$(peer_rx)
	wait_for 100 peer_rx_above "$c0"
	sleep $WARM
	tp_show "$gfd" "$log" 1
	[ "$kind" = vdpad ] && v0=$(vdpad_ctr tx_packets)
	if [ -z "$FWD_PID" ]; then cpu_mark "$gpid" $spid; else cpu_mark "$FWD_PID" "$gpid"; fi
	perf_start "$kind" "$tag"
	t0=$(now)
	c0=$(peer_rx)
	prev=$c0 tp=$t0
	for s in $(seq "$SECS"); do
		sleep 1
		cur=$(peer_rx)
		tc=$(now)
		series+=" $(awk -v a="$prev" -v b="$cur" -v t="$tp" -v u="$tc" 'BEGIN { printf "%.0f", (b - a) / (u - t) }')"
		prev=$cur tp=$tc
	done
	c1=$cur
	t1=$tc
	OUT_SHARES=$(cpu_shares)
	perf_stop "$tag" "$(pkts_since "$v0" tx_packets)"
	tp_show "$gfd" "$log" 1
	[ "$kind" = vdpad ] && echo "$tag: vdpad's own tx counter: $(own_rate "$v0" "$(vdpad_ctr tx_packets)" "$t0" "$(now)")" >>"$LOGDIR/series.log"
	g=$(tp_pps "$log" 0 tx)
	echo "$tag: peer rx pps, second by second:$series; CPU % (forwarder, generator, others): $OUT_SHARES" >>"$LOGDIR/series.log"
	stall_check "$tag" "$series"
	tp_quit "$gfd" "$gpid"
	[ -n "$FWD_PID" ] && fwd_stop "$kind"
	if [ -n "$spid" ]; then
		stop_pid "$spid" INT
		forget_pid "$spid"
	fi
	[ "$kind" = vdpad ] && grep "^dev0" "$LOGDIR/$tag-fwd.log" | sed "s/^/$tag: /" >>"$LOGDIR/vdpad-counters.log"
	if [ -z "$FWD_PID" ]; then
		OUT_COST=$(fwd_cost "$kind" "$log")
	else
		OUT_COST=$(fwd_cost "$kind" "$LOGDIR/$tag-fwd.log")
	fi
	OUT1=$(awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%.4f", (c1 - c0) / (t1 - t0) / 1e6 }')
	OUT2=$(awk -v g="$g" 'BEGIN { printf "%.4f", g / 1e6 }')
}

# measure_loop KIND SIZE: the PVP loop. Sets OUT1 (network->guest) and OUT2
# (guest->network), Mpps; for the reflector both are its one loop's rate.
measure_loop() {
	local kind=$1 size=$2 tag="loop-$1-$2-r$RUN" fkind=$1 n2g g2n
	local series="" prev cur s tp tc v0="" w0=""
	OUT1=0 OUT2=0 OUT_SHARES="" OUT_COST=""
	[ "$kind" = ceiling ] && fkind=reflector
	fwd_or_note "$fkind" "$tag" || return 1
	loop_gen_args "$kind"
	bg_in "$tag" env LIBXDP_SKIP_DISPATCHER=1 ip netns exec $NS \
		taskset -c 0 $TESTPMD "${TP_COMMON[@]}" \
		--file-prefix=${P}g --lcores 0@0,1@0 "${GEN_ARGS[@]}" \
		-i --rxd=1024 --txd=1024 --forward-mode=mac --txpkts="$size"
	local gpid=$BG_PID gfd=$BG_FD log=$LOGDIR/$tag.log
	if ! wait_for 300 tp_ready "$log"; then
		NOTES+=("$tag: the generator's testpmd did not start (see its log); run left out")
		tp_quit "$gfd" "$gpid"
		fwd_stop "$fkind"
		return 1
	fi
	sleep 0.5
	echo "start tx_first 8" >&"$gfd"
	sleep $WARM
	sleep 1
	tp_show "$gfd" "$log" $GEN_NPORTS
	[ "$kind" = vdpad ] && v0=$(vdpad_ctr rx_packets) && w0=$(vdpad_ctr tx_packets)
	cpu_mark "$FWD_PID" "$gpid"
	perf_start "$kind" "$tag"
	prev=$(vf_xdp_rx) tp=$(now)
	local t0=$tp
	for s in $(seq "$SECS"); do
		sleep 1
		cur=$(vf_xdp_rx)
		tc=$(now)
		series+=" $(awk -v a="$prev" -v b="$cur" -v t="$tp" -v u="$tc" 'BEGIN { printf "%.0f", (b - a) / (u - t) }')"
		prev=$cur tp=$tc
	done
	OUT_SHARES=$(cpu_shares)
	perf_stop "$tag" $(($(pkts_since "$v0" rx_packets) + $(pkts_since "$w0" tx_packets)))
	tp_show "$gfd" "$log" $GEN_NPORTS
	[ "$kind" = vdpad ] && echo "$tag: vdpad's own counters: rx (network->guest) $(own_rate "$v0" "$(vdpad_ctr rx_packets)" "$t0" "$(now)"), tx $(own_rate "$w0" "$(vdpad_ctr tx_packets)" "$t0" "$(now)")" >>"$LOGDIR/series.log"
	n2g=$(tp_pps "$log" $N2G_PORT rx)
	g2n=$(tp_pps "$log" $G2N_PORT rx)
	echo "$tag: frames into $VF's XDP (network->guest), pps second by second:$series; CPU % (forwarder, generator, others): $OUT_SHARES" >>"$LOGDIR/series.log"
	stall_check "$tag" "$series"
	tp_quit "$gfd" "$gpid"
	fwd_stop "$fkind"
	[ "$kind" = vdpad ] && grep "^dev0" "$LOGDIR/$tag-fwd.log" | sed "s/^/$tag: /" >>"$LOGDIR/vdpad-counters.log"
	OUT_COST=$(fwd_cost "$kind" "$LOGDIR/$tag-fwd.log")
	OUT1=$(awk -v a="$n2g" 'BEGIN { printf "%.4f", a / 1e6 }')
	OUT2=$(awk -v b="$g2n" 'BEGIN { printf "%.4f", b / 1e6 }')
}

# measure_vhost KIND SIZE: the vhost side alone, no kernel on the path. The
# forwarder turns the guest's transmits straight into its receives (vdpad
# --loopback; testpmd net_vhost io on one port); the guest is a virtio-user
# testpmd on CPU 0 forwarding (io, one port) whatever comes back, seeded
# with 16 bursts. Sets OUT1 (Mpps the guest received) and OUT_COST.
measure_vhost() {
	local kind=$1 size=$2 tag="vh-$1-$2-r$RUN"
	OUT1=0 OUT_SHARES="" OUT_COST=""
	fwd_or_note "$kind-lb" "$tag" || return 1
	guest_start "$tag" --port-topology=loop --forward-mode=io \
		--txpkts="$size"
	local gpid=$GPID gfd=$GFD log=$GLOG
	if ! wait_for 300 tp_ready "$log"; then
		NOTES+=("$tag: the guest's testpmd did not start (see its log); run left out")
		tp_quit "$gfd" "$gpid"
		fwd_stop "$kind-lb"
		return 1
	fi
	sleep 0.5
	echo "start tx_first 16" >&"$gfd"
	sleep $((WARM + 1))
	tp_show "$gfd" "$log" 1
	cpu_mark "$FWD_PID" "$gpid"
	perf_start "$kind" "$tag"
	sleep "$SECS"
	OUT_SHARES=$(cpu_shares)
	perf_stop "$tag" 0
	tp_show "$gfd" "$log" 1
	OUT1=$(awk -v a="$(tp_pps "$log" 0 rx)" 'BEGIN { printf "%.4f", a / 1e6 }')
	tp_quit "$gfd" "$gpid"
	fwd_stop "$kind-lb"
	OUT_COST=$(fwd_cost "$kind-lb" "$LOGDIR/$tag-fwd.log")
}



# ---- throughput -------------------------------------------------------------

declare -A R # R[cell,kind] = "v1 v2 ..."
declare -A R2 # the loop's guest->network rate, for the record
declare -A COST # COST[cell,kind] = the forwarder's busy ns per frame, per run
declare -A BUSY # BUSY[cell,kind] = % of its core the forwarder was busy, per run
# busy_of NS_PER_FRAME MPPS [MPPS2]: the busy share of the core at that rate.
busy_of() {
	[ -n "$1" ] || return 0
	awk -v c="$1" -v a="$2" -v b="${3:-0}" 'BEGIN { p = c * (a + b) / 10; printf "%.0f", (p > 100 ? 100 : p) }'
}
KINDS=${BENCH_KINDS:-vdpad dpdk ceiling ceilidle}
start_ts=$(date +%s)
load_warn
echo "xvdpa bench: $RUNS run(s), ${SECS} s windows after ${WARM} s warm-up;" \
	"logs in $LOGDIR" >&2
# record CELL KIND [MPPS2 for the busy share]: files the run just measured.
record() {
	local mark=""
	contended "$OUT_SHARES" && mark="*"
	R[$1,$2]+=" $OUT1$mark"
	COST[$1,$2]+=" $OUT_COST"
	BUSY[$1,$2]+=" $(busy_of "$OUT_COST" "$OUT1" "${3:-0}")"
}
for RUN in $(seq "$RUNS"); do
	for size in $SIZES; do
		for kind in $KINDS; do
			[[ " $PARTS " == *" g2n "* ]] || continue
			measure_g2n $kind $size || continue
			record g2n-$size $kind
			echo "run $RUN guest->network $size B $kind: $OUT1 Mpps (sender's own count $OUT2; CPU % forwarder, generator, others: $OUT_SHARES; busy ns/frame ${OUT_COST:-n/a})" >&2
		done
		for kind in $KINDS; do
			[[ " $PARTS " == *" loop "* ]] || continue
			[ "$kind" = ceilidle ] && continue # the loop keeps CPU 0 busy
			measure_loop $kind $size || continue
			record n2g-$size $kind "$OUT2"
			R2[n2g-$size,$kind]+=" $OUT2$(contended "$OUT_SHARES" && echo "*")"
			echo "run $RUN PVP loop $size B $kind: network->guest $OUT1, guest->network $OUT2 Mpps (CPU % forwarder, generator, others: $OUT_SHARES; busy ns/frame ${OUT_COST:-n/a})" >&2
		done
		for kind in vdpad dpdk; do
			[[ " $PARTS " == *" vhost "* ]] || continue
			[[ " $KINDS " == *" $kind "* ]] || continue
			measure_vhost $kind $size || continue
			record vh-$size $kind
			echo "run $RUN vhost only $size B $kind: $OUT1 Mpps each way (CPU % forwarder, generator, others: $OUT_SHARES; busy ns/frame ${OUT_COST:-n/a})" >&2
		done
	done
done

# ---- CPU ------------------------------------------------------------------------

# cpu_pct PID SECONDS: % of one core the process used over SECONDS.
cpu_pct() {
	local a b
	a=$(cpu_ticks "$1")
	sleep "$2"
	b=$(cpu_ticks "$1")
	awk -v a="$a" -v b="$b" -v s="$2" -v hz="$HZ" \
		'BEGIN { printf "%.2f\n", (b - a) * 100 / hz / s }'
}

IDLE_NOFE=nan
IDLE_FE=nan
declare -A LOADCPU LOADRX LOADCOST
measure_cpu() {
	# (a) idle: 8 devices on 8 veth pairs.
	devs=()
	for i in $(seq 0 $((NIDLE - 1))); do
		veth_pair ${P}i$i ${P}j$i || { echo "bench: cannot create veth ${P}i$i" >&2; return 1; }
		devs+=(--dev /tmp/${P}i$i.sock,netdev=${P}i$i)
	done
	bg idle-vdpad taskset -c 1 "$VDPAD" "${devs[@]}" "${VDPAD_CTL[@]}" --cpus 1 -l warn
	IDLE_PID=$BG_PID
	wait_for 100 test -S /tmp/${P}i$((NIDLE - 1)).sock || { echo "bench: vdpad with $NIDLE devices did not start" >&2; return 1; }
	sleep 1
	IDLE_NOFE=$(cpu_pct $IDLE_PID "$IDLE_SECS")
	vdevs=()
	for i in $(seq 0 $((NIDLE - 1))); do
		vdevs+=(--vdev net_virtio_user$i,path=/tmp/${P}i$i.sock,queues=1)
	done
	# One testpmd on CPU 0 is the frontend of all 8 devices: rings started,
	# no traffic.
	bg_in idle-fe taskset -c 0 $TESTPMD "${TP_COMMON[@]}" --file-prefix=${P}g \
		--lcores 0@0,1@0 "${vdevs[@]}" -- -i --total-num-mbufs=16384 \
		--forward-mode=rxonly
	FE_PID=$BG_PID
	FE_FD=$BG_FD
	wait_for 300 tp_ready "$LOGDIR/idle-fe.log" || echo "bench: idle frontends not ready" >&2
	echo "start" >&"$FE_FD"
	sleep 2
	IDLE_FE=$(cpu_pct $IDLE_PID "$IDLE_SECS")
	tp_quit "$FE_FD" "$FE_PID"
	stop_pid $IDLE_PID TERM
	forget_pid $IDLE_PID
	for i in $(seq 0 $((NIDLE - 1))); do
		ip link del ${P}i$i 2>/dev/null
	done
	rm -f /tmp/${P}i*.sock

	# (b) a fixed load: $PPS frames/s of 64 B paced into the peer, reflected by
	# the guest (testpmd macswap on virtio-user, CPU 0), so the forwarder
	# carries $PPS each way.
	for kind in vdpad dpdk; do
		tag=load-$kind
		fwd_or_note $kind $tag || continue
		guest_start $tag --forward-mode=macswap
		gpid=$GPID
		gfd=$GFD
		wait_for 300 tp_ready "$LOGDIR/$tag.log"
		echo "start" >&"$gfd"
		sleep 0.5
		bg $tag-pace ip netns exec $NS taskset -c 0 "$PACE" $PEER $PEERMAC $VFMAC \
			"$PPS" $((WARM + IDLE_SECS + 2)) 64
		ppid=$BG_PID
		sleep $WARM
		tp_show "$gfd" "$LOGDIR/$tag.log" 1
		LOADCPU[$kind]=$(cpu_pct "$FWD_PID" "$IDLE_SECS")
		tp_show "$gfd" "$LOGDIR/$tag.log" 1
		LOADRX[$kind]=$(tp_pps "$LOGDIR/$tag.log" 0 rx)
		stop_pid $ppid TERM
		forget_pid $ppid
		tp_quit "$gfd" "$gpid"
		fwd_stop $kind
		[ "$kind" = vdpad ] && grep "^dev0" "$LOGDIR/$tag-fwd.log" | sed "s/^/$tag: /" >>"$LOGDIR/vdpad-counters.log"
		LOADCOST[$kind]=$(fwd_cost $kind "$LOGDIR/$tag-fwd.log")
	done
}
[[ " $PARTS " == *" cpu "* ]] && measure_cpu

# Drops vdpad counted (its exit lines): worth a note when any.
if [ -s "$LOGDIR/vdpad-counters.log" ]; then
	while read -r line; do
		d=$(echo "$line" | sed 's/.*drops://; s/;.*//' |
			awk '{ for (i = 1; i < NF; i += 2) if ($(i + 1) > 0) printf " %s %s", $i, $(i + 1) }')
		[ -n "$d" ] && NOTES+=("vdpad's drop counters, ${line%%:*}:$d")
	done <"$LOGDIR/vdpad-counters.log"
fi

# ---- report ---------------------------------------------------------------------

declare -A M
CELLS="g2n-64 g2n-1500 n2g-64 n2g-1500"
for cell in $CELLS; do
	for kind in vdpad dpdk ceiling ceilidle; do
		M[$cell,$kind]=$(echo "${R[$cell,$kind]:-}" | median_clean)
	done
done
# Values may carry a "*": a median of contended runs only.
ratio() { awk -v a="${1%\*}" -v b="${2%\*}" 'BEGIN { if (a != "nan" && b != "nan" && b > 0) printf "%.3f", a / b; else print "n/a" }'; }
fmt() {
	local star=""
	[[ $1 == *\* ]] && star="*"
	awk -v x="${1%\*}" -v s="$star" 'BEGIN { if (x == "nan" || x == "") print "n/a"; else printf "%.3f%s", x, s }'
}
# clean_count CELL KIND: "n/N" runs not contended.
clean_count() {
	local v n=0 c=0
	for v in ${R[$1,$2]:-}; do
		n=$((n + 1))
		[[ $v == *\* ]] || c=$((c + 1))
	done
	echo "$c/$n"
}
busy_pct() { awk -v c="$1" -v p="$PPS" 'BEGIN { if (c == "") print "n/a"; else printf "%.1f", c * 2 * p / 1e7 }'; }
dirname_of() { [ "${1%%-*}" = n2g ] && echo "network→guest" || echo "guest→network"; }
peer_desc() {
	case $PEER_PMD in
	hybrid) echo "net_af_xdp to receive, net_af_packet to send" ;;
	af_xdp) echo "net_af_xdp" ;;
	*) echo "net_af_packet" ;;
	esac
}

echo
echo "## xvdpa benchmark: vdpad vs DPDK vs the raw AF_XDP ceiling"
echo
echo "Host: $(nproc) CPUs, kernel $(uname -r), $(dpkg-query -W -f='DPDK ${Version}' dpdk-dev 2>/dev/null);"
echo "load average at the start: $LOAD_START. Medians of $RUNS alternating run(s)"
echo "(vdpad, DPDK, ceiling, vdpad, ...), each measured over a ${SECS} s window after"
echo "${WARM} s of warm-up. Sizes are Ethernet frame lengths without FCS."
echo
echo "- VF: a plain veth pair, device end $VF in the host, peer $PEER in netns $NS;"
echo "  no eswitch (it would cost both forwarders the same). TX checksum offload"
echo "  off and GRO on at both ends."
echo "- The forwarder runs on CPU 1, the whole process: vdpad --dev SOCK,netdev=VF"
echo "  --cpus 1 under taskset -c 1; DPDK = testpmd --vdev net_vhost0,iface=SOCK"
echo "  --vdev net_af_xdp0,iface=VF --forward-mode=io --lcores 0@1,1@1 under"
echo "  taskset -c 1. Generators run on CPU 0."
echo "- guest→network: a DPDK virtio-user testpmd (txonly) is the guest. Rate ="
echo "  frames the peer received (its kernel counter over the window; the"
echo "  guest's own Tx-pps and vdpad's own counter are in the log, within a few"
echo "  % of it). Ceiling = testpmd net_af_xdp txonly on the VF device end, from"
echo "  CPU 1, while CPU 0 runs a busy loop like the guest's (testpmd txonly on"
echo "  net_null): a busy CPU 0 slows CPU 1 by about 5 % on this VM, so the"
echo "  ceiling with CPU 0 idle (below the table) is not what the forwarders had."
echo "- network→guest: the PVP loop of ENVIRONMENT.md: one testpmd on CPU 0 owns"
echo "  the peer ($(peer_desc)) and the guest side"
echo "  (virtio-user) and forwards (mac mode) each side's arrivals to the other,"
echo "  seeded with tx_first 8; the forwarder carries both directions at once."
echo "  Rate = frames the guest received (the generator's Rx-pps between two"
echo "  \"show port stats\" a window apart). Ceiling = a raw AF_XDP reflector"
echo "  (testpmd net_af_xdp, io, one port) in the forwarder's place in the same"
echo "  loop: AF_XDP receive + transmit on the VF from CPU 1, without vhost."
echo
echo "| direction | size | vdpad Mpps | DPDK Mpps | ceiling Mpps | vdpad/DPDK | vdpad/ceiling |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for cell in $CELLS; do
	v=${M[$cell,vdpad]}
	d=${M[$cell,dpdk]}
	c=${M[$cell,ceiling]}
	echo "| $(dirname_of $cell) | ${cell#*-} B | $(fmt "$v") | $(fmt "$d") | $(fmt "$c") | $(ratio "$v" "$d") | $(ratio "$v" "$c") |"
done
echo
echo "Medians over the uncontended runs: those during whose window other users'"
echo "processes (not the benchmark's) used at most ${CONTENDED_ABOVE} % of a core (from"
echo "/proc/*/stat). \"*\": every run of that cell was contended; the median is"
echo "then of all of them and is not conclusive. Runs used (uncontended/all):"
for cell in $CELLS; do
	printf "  %-22s vdpad %s, DPDK %s, ceiling %s\n" "$(dirname_of $cell) ${cell#*-} B:" \
		"$(clean_count $cell vdpad)" "$(clean_count $cell dpdk)" "$(clean_count $cell ceiling)"
done
echo
echo "Every run, Mpps (vdpad / DPDK / ceiling; * = contended):"
for cell in $CELLS; do
	printf "  %-22s" "$(dirname_of $cell) ${cell#*-} B:"
	for kind in vdpad dpdk ceiling; do
		printf " [%s ]" "${R[$cell,$kind]:-}"
	done
	echo
done
printf "  guest→network ceiling with CPU 0 idle (median; vdpad/that):"
for size in $SIZES; do
	printf " %s B: %s [%s ] (%s);" "$size" "$(fmt "${M[g2n-$size,ceilidle]}")" \
		"${R[g2n-$size,ceilidle]:-}" "$(ratio "${M[g2n-$size,vdpad]}" "${M[g2n-$size,ceilidle]}")"
done
echo
printf "  In the PVP loop, guest→network at the same time (median):"
for size in $SIZES; do
	printf " %s B: vdpad %s, DPDK %s;" "$size" \
		"$(fmt "$(echo "${R2[n2g-$size,vdpad]:-}" | median_clean)")" \
		"$(fmt "$(echo "${R2[n2g-$size,dpdk]:-}" | median_clean)")"
done
echo
echo
echo "The forwarder's own cost: busy time per frame, ns (median of the runs;"
echo "busy = its polls that moved frames, the same definition for vdpad's"
echo "busy_ns counter and testpmd's --record-core-cycles; whole run):"
echo
echo "| direction | size | vdpad ns/frame | DPDK ns/frame | ceiling ns/frame | DPDK/vdpad | vdpad busy % | DPDK busy % |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
# cost_med CELL KIND / busy_med CELL KIND: medians over the runs.
cost_med() { echo "${COST[$1,$2]:-}" | median; }
busy_med() { echo "${BUSY[$1,$2]:-}" | median; }
for cell in $CELLS; do
	cc=$(cost_med $cell ceiling)
	[ "${cell%%-*}" = n2g ] && [ "$cc" != nan ] && cc+=" (per frame reflected)"
	echo "| $(dirname_of $cell) | ${cell#*-} B | $(cost_med $cell vdpad) | $(cost_med $cell dpdk) | $cc |" \
		"$(ratio "$(cost_med $cell dpdk)" "$(cost_med $cell vdpad)") | $(busy_med $cell vdpad) | $(busy_med $cell dpdk) |"
done
echo
echo "Busy % = busy ns/frame x the frames it moved per second (both directions in"
echo "the loop): how much of its core the forwarder needed. Well below 100 %, the"
echo "forwarder waited for frames and the rate was set elsewhere (in the loop:"
echo "the generator's core, which also pays the kernel's receive path into the"
echo "forwarder's AF_XDP socket). The reflector's frame is one receive and one"
echo "transmit, two of the forwarders' frames."
if [[ " $PARTS " == *" vhost "* ]]; then
	echo
	echo "The vhost side alone, no kernel on the path (not a target cell): the"
	echo "forwarder turns the guest's transmits into its receives (vdpad --loopback;"
	echo "testpmd net_vhost io on one port), the guest (virtio-user testpmd, io,"
	echo "CPU 0) sends back what arrives, seeded with 16 bursts. This is the part"
	echo "that sets the rate once the NIC side costs little (zero-copy AF_XDP)."
	echo
	echo "| size | vdpad Mpps | DPDK Mpps | vdpad/DPDK | vdpad ns/frame | DPDK ns/frame | DPDK/vdpad | vdpad busy % | DPDK busy % |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	for size in $SIZES; do
		v=$(echo "${R[vh-$size,vdpad]:-}" | median_clean)
		d=$(echo "${R[vh-$size,dpdk]:-}" | median_clean)
		echo "| $size B | $(fmt "$v") | $(fmt "$d") | $(ratio "$v" "$d") |" \
			"$(cost_med vh-$size vdpad) | $(cost_med vh-$size dpdk) |" \
			"$(ratio "$(cost_med vh-$size dpdk)" "$(cost_med vh-$size vdpad)") |" \
			"$(busy_med vh-$size vdpad) | $(busy_med vh-$size dpdk) |"
	done
	echo
	echo "Every run, Mpps (vdpad / DPDK):"
	for size in $SIZES; do
		echo "  $size B: [${R[vh-$size,vdpad]:-} ] [${R[vh-$size,dpdk]:-} ]"
	done
fi
echo
echo "CPU of the forwarder process (utime+stime deltas of /proc/PID/stat, % of one core):"
echo "- idle, vdpad with $NIDLE devices on $NIDLE veth pairs, no frontend connected,"
echo "  over ${IDLE_SECS} s: ${IDLE_NOFE} %"
echo "- idle, the same $NIDLE devices with $NIDLE virtio-user frontends connected"
echo "  (one testpmd, rxonly, on CPU 0; rings started, no traffic), over ${IDLE_SECS} s: ${IDLE_FE} %"
echo "- fixed load below saturation: ${PPS} frames/s of 64 B paced into the peer"
echo "  (AF_PACKET, bench/pace.c, CPU 0), reflected by the guest (testpmd macswap on"
echo "  virtio-user, CPU 0), so the forwarder carries ${PPS}/s each way; over ${IDLE_SECS} s:"
echo "  vdpad ${LOADCPU[vdpad]:-n/a} %, DPDK ${LOADCPU[dpdk]:-n/a} %" \
	"(guest received: vdpad $(awk -v x="${LOADRX[vdpad]:-0}" 'BEGIN{printf "%.0f", x}')/s," \
	"DPDK $(awk -v x="${LOADRX[dpdk]:-0}" 'BEGIN{printf "%.0f", x}')/s)"
echo "  Both poll without sleeping at that rate, so the process CPU says little;"
echo "  their busy time at that load (busy ns/frame x 2 x ${PPS}/s): vdpad $(busy_pct "${LOADCOST[vdpad]:-}") %"
echo "  (${LOADCOST[vdpad]:-n/a} ns/frame), DPDK $(busy_pct "${LOADCOST[dpdk]:-}") % (${LOADCOST[dpdk]:-n/a} ns/frame)."
echo
echo "Targets (vdpad ≥ 1.05× DPDK and ≥ 97 % of the ceiling in every cell; ≤ 1 % of a core idle):"
fails=0
for cell in $CELLS; do
	v=${M[$cell,vdpad]}
	d=${M[$cell,dpdk]}
	c=${M[$cell,ceiling]}
	cont=""
	[[ "$v$d$c" == *\** ]] && cont=" [from contended runs: not conclusive]"
	line=$(awk -v v="${v%\*}" -v d="${d%\*}" -v c="${c%\*}" -v cont="$cont" -v name="$(dirname_of $cell) ${cell#*-} B" 'BEGIN {
		if (v == "nan" || d == "nan" || c == "nan") { printf "- %s: not measured\n", name; exit }
		rd = d > 0 ? v / d : 0; rc = c > 0 ? v / c : 0
		s = sprintf("- %s: vdpad/DPDK %.3f: ", name, rd)
		if (rd >= 1.05) s = s "ok"
		else s = s sprintf("MISSED by %.3f (%.1f %% short of 1.05x; vdpad needs +%.3f Mpps)", 1.05 - rd, (1.05 - rd) / 1.05 * 100, 1.05 * d - v)
		s = s sprintf("; vdpad/ceiling %.3f: ", rc)
		if (rc >= 0.97) s = s "ok"
		else s = s sprintf("MISSED by %.3f (vdpad needs +%.3f Mpps)", 0.97 - rc, 0.97 * c - v)
		if (c > 0 && v > c) s = s " (vdpad above the ceiling: the difference is within the runs\x27 spread, or the generator side set the rate)"
		print s cont }')
	echo "$line"
	case $line in *MISSED*) fails=$((fails + 1)) ;; esac
done
for x in "no frontends:$IDLE_NOFE" "$NIDLE frontends connected:$IDLE_FE"; do
	line=$(awk -v name="${x%%:*}" -v p="${x#*:}" 'BEGIN {
		if (p == "nan") { printf "- idle, %s: not measured\n", name; exit }
		s = sprintf("- idle, %s: %.2f %% of a core: ", name, p)
		if (p <= 1) s = s "ok"; else s = s sprintf("MISSED by %.2f points", p - 1)
		print s }')
	echo "$line"
	case $line in *MISSED*) fails=$((fails + 1)) ;; esac
done
echo "$fails target line(s) missed."
report_tail
part_scripts || exit $?
