#!/bin/bash
# Multi-queue over AF_XDP: vdpad's --dev ...,mq=2 on a veth created with
# two queues binds one AF_XDP socket per netdev queue, and virtio queue
# pair p carries what netdev queue p carries. DPDK testpmd (virtio-user,
# queues=2) is the guest. Network -> guest: the peer sends paced frames of
# two sources, which XPS steers to its TX queue 0 and 1 (so to the device
# end's RX queue 0 and 1); every frame must arrive, each source's exactly
# on its own queue pair. Guest -> network: testpmd transmits on both
# queues; both pairs carry frames and the peer receives what vdpad sent.
# mq larger than the netdev's queue count is refused with a clear error,
# also on an emulated VF (one queue).
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
command -v dpdk-testpmd >/dev/null || skip_all "dpdk-testpmd not installed (make deps)"

NS=x4mqns
DEV=x4mqa
PEER=x4mqb
ONE=x4mq1
PF=x4mqpf
UPL=x4mqu
SOCK=/tmp/x4mq.sock
SOCK1=/tmp/x4mq-1.sock
CTL=/tmp/x4mq-ctl.sock
LOG=$(mktemp /tmp/x4mq-vdpad.XXXXXX)
VDPAD=${VDPAD:-$BUILD/vdpad}
COUNT=4000
SRC0=02:44:00:00:00:10
SRC1=02:44:00:00:00:11
GMAC=02:44:00:00:00:20

teardown_all() {
	"$VDPACTL" mgmtdev del $PF
	ip link del $UPL
	ip link del $DEV
	ip link del $ONE
	rm -f $SOCK $SOCK1 $CTL
}
on_exit teardown_all
teardown_all >/dev/null 2>&1

ns_add $NS
ip link add $DEV numtxqueues 2 numrxqueues 2 type veth peer name $PEER \
	numtxqueues 2 numrxqueues 2
ip link set $PEER netns $NS
sysctl -qw net.ipv6.conf.$DEV.disable_ipv6=1
ethtool -K $DEV tx off gro on >/dev/null
ip netns exec $NS ethtool -K $PEER tx off gro on >/dev/null
ip link set $DEV up
ip -n $NS link set $PEER up
# The peer's TX queue becomes the device end's RX queue (veth). Steer
# with XPS (no tc classifier modules here): what the peer sends from CPU
# q leaves on its TX queue q.
ip netns exec $NS sh -c "echo 1 >/sys/class/net/$PEER/queues/tx-0/xps_cpus &&
	echo 2 >/sys/class/net/$PEER/queues/tx-1/xps_cpus" ||
	skip_all "no XPS on this kernel"

# --- mq larger than the netdev's queues: refused, clearly --------------
check_fails "mq=3 on a 2-queue veth is refused" \
	timeout 10 "$VDPAD" --control none --dev $SOCK1,netdev=$DEV,mq=3
timeout 10 "$VDPAD" --control none --dev $SOCK1,netdev=$DEV,mq=3 >"$LOG.e" 2>&1
check "the error names the netdev, its queue count and mq" \
	grep -q "netdev $DEV has 2 queues: max_vqp 3 needs 3" "$LOG.e"
check_fails "the refused device left no XDP program behind" \
	sh -c "ip link show $DEV | grep -q prog/xdp"
ip link add $UPL type veth peer name ${UPL}w
ip link set $UPL up
check "mgmtdev with an emulated VF" "$VDPACTL" mgmtdev add $PF uplink $UPL numvfs 1
timeout 10 "$VDPAD" --control none --dev $SOCK1,netdev=${PF}v0,mq=2 >"$LOG.e" 2>&1
check_eq "mq=2 on an emulated VF (one queue): vdpad refuses to start" 1 $?
check "the error says the VF has one queue" \
	grep -q "netdev ${PF}v0 has 1 queue: max_vqp 2 needs 2" "$LOG.e"
ip link add $ONE type veth peer name ${ONE}p
timeout 10 "$VDPAD" --control none --dev $SOCK1,netdev=$ONE,mq=1 >"$LOG.e" 2>&1 &
EPID=$!
for i in $(seq 50); do [ -S $SOCK1 ] && break; sleep 0.1; done
check "mq=1 on a 1-queue veth is fine" test -S $SOCK1
kill -TERM $EPID
wait $EPID
rm -f "$LOG.e"

# --- the device: two queue pairs on the 2-queue veth ---------------------
"$VDPAD" --control $CTL --dev $SOCK,netdev=$DEV,mq=2 --cpus 1 -l info \
	>"$LOG" 2>&1 &
VPID=$!
on_exit "kill $VPID; rm -f $LOG $LOG.*"
for i in $(seq 50); do [ -S $SOCK ] && break; sleep 0.1; done
check "vdpad serves the device" test -S $SOCK
check "vdpad bound both queues" grep -q "bound to $DEV through AF_XDP (2 queues)" "$LOG"
out=$("$VDPACTL" -s $CTL dev add name x4vf mgmtdev $PF vf 0 \
	socket /tmp/x4mq-vf.sock max_vqp 2 2>&1)
check_eq "dev add with max_vqp 2 on the 1-queue VF: refused" 1 $?
check "dev add: the error says why" \
	grep -q "netdev ${PF}v0 has 1 queue: max_vqp 2 needs 2" <<<"$out"
check_fails "dev add: no socket left behind" test -e /tmp/x4mq-vf.sock

# vstat QIDX: packets vdpad counted on virtqueue QIDX (0, 2: RX; 1, 3: TX).
vstat() {
	"$VDPACTL" -s $CTL -j dev vstats show dev0 qidx "$1" |
		jq -r '.vstats.dev0.packets'
}
peer_rx() { ns_rx_packets $NS $PEER; }
xdp_rx_q() { ethtool -S $DEV | awk -v k="rx_queue_$1_xdp_packets:" '$1 == k {print $2}'; }
rings_started() { grep -c "dev0: vring 3 started" "$LOG"; }
wait_rings() {
	local i
	for i in $(seq 150); do
		[ "$(rings_started)" -gt "$1" ] && sleep 0.3 && return 0
		sleep 0.1
	done
	return 1
}
# testpmd_run NAME SECONDS ARGS...: two queue pairs; prints "RX TX".
testpmd_run() {
	local name=$1 secs=$2
	shift 2
	timeout -s INT "$secs" dpdk-testpmd --no-pci --file-prefix=x4mq$name \
		-m 256 --single-file-segments --lcores 0@0,1@0 \
		--vdev net_virtio_user0,path=$SOCK,queues=2,queue_size=1024,mac=$GMAC -- \
		--rxq=2 --txq=2 --rxd=1024 --txd=1024 \
		--stats-period 1 -a "$@" >"$LOG.$name" 2>&1
	awk '/Forward statistics for port 0/ {p=1}
		p && /RX-packets/ {rx=$2} p && /TX-packets/ {tx=$2; p=0}
		END {print rx+0, tx+0}' "$LOG.$name"
}
# send_on QUEUE SRC_MAC: $COUNT paced frames from the peer's TX queue.
send_on() {
	ip netns exec $NS taskset -c "$1" /usr/bin/python3 tests/tools/rawsend.py \
		$PEER "$2" $GMAC $COUNT 64 10000
}

# --- network -> guest, paced: each source on its own queue pair ---------
n0=$(rings_started)
testpmd_run rx 12 --forward-mode=rxonly >"$LOG.r" &
TP=$!
wait_rings "$n0"
check "both TX rings started (the guest enabled two queue pairs)" \
	test "$(rings_started)" -gt "$n0"
q0=$(xdp_rx_q 0)
q1=$(xdp_rx_q 1)
check_eq "the peer sent $COUNT frames from source 0" $COUNT "$(send_on 0 $SRC0)"
check_eq "the peer sent $COUNT frames from source 1" $COUNT "$(send_on 1 $SRC1)"
check_eq "source 0 reached the device end on RX queue 0" $COUNT $(($(xdp_rx_q 0) - q0))
check_eq "source 1 reached the device end on RX queue 1" $COUNT $(($(xdp_rx_q 1) - q1))
sleep 0.5
check_eq "queue pair 0 delivered exactly source 0's frames (vstats qidx 0)" \
	$COUNT "$(vstat 0)"
check_eq "queue pair 1 delivered exactly source 1's frames (vstats qidx 2)" \
	$COUNT "$(vstat 2)"
wait $TP
read -r rx _ <"$LOG.r"
check_eq "testpmd (virtio-user, 2 queues) received every frame" \
	$((2 * COUNT)) "$rx"

# --- guest -> network: txonly on both queues -----------------------------
t1=$(vstat 1)
t3=$(vstat 3)
p0=$(peer_rx)
n0=$(rings_started)
read -r _ tx <<<"$(testpmd_run tx 4 --forward-mode=txonly --eth-peer=0,02:44:00:00:00:99)"
sleep 1
d1=$(($(vstat 1) - t1))
d3=$(($(vstat 3) - t3))
check_gt "txonly: testpmd transmitted" "$tx" 10000
check_gt "txonly: queue pair 0 carried frames (vstats qidx 1)" "$d1" 1000
check_gt "txonly: queue pair 1 carried frames (vstats qidx 3)" "$d3" 1000
# testpmd counts a frame once it is in the ring; what is still in the
# rings when it stops is never taken: a burst per queue when vdpad keeps
# pace, at most a ring (1024) per queue when the machine is loaded and
# vdpad's thread is behind. The frames left are printed.
echo "# txonly: left in the rings when testpmd stopped: $((tx - d1 - d3))"
check "txonly: vdpad took every frame but those still in the rings" \
	test $((tx - d1 - d3)) -ge 0 -a $((tx - d1 - d3)) -le 2048
check_eq "txonly: the peer received exactly what vdpad sent" \
	$((d1 + d3)) $(($(peer_rx) - p0))

kill -TERM $VPID
wait $VPID
check_eq "vdpad exits cleanly on SIGTERM" 0 $?
check "no device broken" sh -c "! grep -q 'broken yes' $LOG"
check_fails "vdpad detached its program at exit" \
	sh -c "ip link show $DEV | grep -q prog/xdp"
grep -E '^dev[0-9]' "$LOG" | sed 's/^/# /'
finish
