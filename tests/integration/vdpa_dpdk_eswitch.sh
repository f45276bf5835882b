#!/bin/bash
# The whole datapath with DPDK virtio-user as the pod application: testpmd
# <-> vhost-user <-> vdpad <-> AF_XDP on a VF's device end <-> eswitch <->
# uplink <-> an external namespace. Checks that what one side sent is what
# the other side counted, in both directions, and between two vDPA devices
# of one PF (hairpin), with a promiscuous netdev-mode VF as the witness
# that nothing leaks.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
command -v dpdk-testpmd >/dev/null || skip_all "dpdk-testpmd not installed (make deps)"

PF=xi7pf
UPL=xi7u
WIRE=xi7w
EXT=xi7ext
POD=xi7pod
S0=/tmp/xi7-d0.sock
S1=/tmp/xi7-d1.sock
LOG=$(mktemp /tmp/xi7-vdpad.XXXXXX)
VDPAD=${VDPAD:-$BUILD/vdpad}
COUNT=20000

teardown_all() {
	"$VDPACTL" mgmtdev del $PF
	ip link del $UPL
	rm -f $S0 $S1
}
on_exit teardown_all
teardown_all >/dev/null 2>&1

ns_add $EXT
ns_add $POD
ip link add $UPL type veth peer name $WIRE
ip link set $WIRE netns $EXT
ip netns exec $EXT ethtool -K $WIRE tx off gro on >/dev/null
ip -n $EXT link set $WIRE up
ip link set $UPL up
# The host's own IPv6 chatter on the uplink would show up on the wire.
sysctl -qw net.ipv6.conf.$UPL.disable_ipv6=1
check "mgmtdev with 3 VFs" "$VDPACTL" mgmtdev add $PF uplink $UPL numvfs 3
ip link set ${PF}v2 netns $POD
ip -n $POD link set ${PF}v2 up promisc on
MAC0=$(vf_stat $PF 0 mac)
MAC1=$(vf_stat $PF 1 mac)
MAC_EXT=$(ip -n $EXT -j link show $WIRE | jq -r '.[0].address')

"$VDPAD" --control none --dev $S0,netdev=${PF}v0 --dev $S1,netdev=${PF}v1 --cpus 1 \
	-l info >"$LOG" 2>&1 &
VPID=$!
on_exit "kill $VPID; rm -f $LOG $LOG.*"
for i in $(seq 50); do [ -S $S0 ] && [ -S $S1 ] && break; sleep 0.1; done
check "vdpad serves both devices" test -S $S0 -a -S $S1
check "vdpad attached its AF_XDP program to the device ends" \
	sh -c "ip link show ${PF}v0 | grep -q prog/xdp && ip link show ${PF}v1 | grep -q prog/xdp"

# testpmd_run NAME SOCK MAC LCORES SECONDS ARGS...: prints "RX TX".
testpmd_run() {
	local name=$1 sock=$2 mac=$3 lcores=$4 secs=$5
	shift 5
	timeout -s INT "$secs" dpdk-testpmd --no-pci --file-prefix=xi7$name \
		-m 256 --single-file-segments --lcores "$lcores" \
		--vdev net_virtio_user0,path=$sock,queues=1,queue_size=1024,mac=$mac -- \
		--rxd=1024 --txd=1024 \
		--stats-period 1 -a "$@" >"$LOG.$name" 2>&1
	awk '/Forward statistics for port 0/ {p=1}
		p && /RX-packets/ {rx=$2} p && /TX-packets/ {tx=$2; p=0}
		END {print rx+0, tx+0}' "$LOG.$name"
}
# wait_rings DEV COUNT_BEFORE: until vdpad has started DEV's TX ring once
# more (the frontend finished negotiating), at most 15 s.
rings_started() { grep -c "$1: vring 1 started" "$LOG"; }
wait_rings() {
	local i
	for i in $(seq 150); do
		[ "$(rings_started "$1")" -gt "$2" ] && sleep 0.3 && return 0
		sleep 0.1
	done
	return 1
}
wire_rx() { ip netns exec $EXT cat /sys/class/net/$WIRE/statistics/rx_packets; }
pod_rx() { ip netns exec $POD cat /sys/class/net/${PF}v2/statistics/rx_packets; }

# --- network -> pod application (paced) --------------------------------
n0=$(rings_started dev0)
testpmd_run rx0 $S0 "$MAC0" 0@0,1@0 10 --forward-mode=rxonly >"$LOG.r" &
TP=$!
wait_rings dev0 "$n0"
sent=$(ip netns exec $EXT /usr/bin/python3 tests/tools/rawsend.py $WIRE \
	"$MAC_EXT" "$MAC0" $COUNT 64 10000)
wait $TP
read -r rx _ <"$LOG.r"
check_eq "external sent $COUNT frames to VF 0" $COUNT "$sent"
check_eq "testpmd (virtio-user) on VF 0 counted every one" $COUNT "$rx"

# --- pod application -> network: txonly at full speed ------------------
w0=$(wire_rx)
t0=$(vf_stat $PF 0 stats.tx_packets)
read -r _ tx <<<"$(testpmd_run tx0 $S0 "$MAC0" 0@0,1@0 3 \
	--forward-mode=txonly --eth-peer=0,$MAC_EXT)"
sleep 1
check_gt "txonly: testpmd on VF 0 transmitted" "$tx" 10000
# testpmd counts a frame as sent once it is in the ring; the burst still
# in the ring when it stops (GET_VRING_BASE) is never taken: at most 32.
esw=$(($(vf_stat $PF 0 stats.tx_packets) - t0))
check "txonly: the eswitch saw every frame but the last burst in the ring" \
	test $((tx - esw)) -ge 0 -a $((tx - esw)) -le 32
check_eq "txonly: the external side received every frame the eswitch passed" \
	"$esw" $(($(wire_rx) - w0))
check_eq "no spoof drops (testpmd uses the VF's MAC)" 0 \
	"$(vf_stat $PF 0 stats.drops.spoof)"

# relay NAME SOCK MAC LCORES MODE...: a testpmd forwarding what it
# receives, while the external side sends $COUNT paced frames to VF 0.
relay() {
	local name=$1 sock=$2 mac=$3 lcores=$4
	shift 4
	local n0
	n0=$(rings_started "$RELAY_DEV")
	testpmd_run "$name" "$sock" "$mac" "$lcores" 10 "$@" >"$LOG.$name.r" &
	RELAY=$!
	wait_rings "$RELAY_DEV" "$n0"
}
RELAY_DEV=dev0
send_to_vf0() {
	ip netns exec $EXT /usr/bin/python3 tests/tools/rawsend.py $WIRE \
		"$MAC_EXT" "$MAC0" $COUNT 64 10000
}

# --- round trip, paced: external -> VF 0 -> testpmd macswap -> external ---
relay mac0 $S0 "$MAC0" 0@0,1@0 --forward-mode=macswap
w0=$(wire_rx)
check_eq "round trip: external sent $COUNT frames" $COUNT "$(send_to_vf0)"
wait $RELAY
check_eq "round trip: every frame came back to the external side" $COUNT \
	$(($(wire_rx) - w0))

# --- hairpin, paced: VF 0 (testpmd mac mode) -> VF 1 (testpmd rxonly) ----
p0=$(pod_rx)
n1=$(rings_started dev1)
testpmd_run rx1 $S1 "$MAC1" 0@1,1@1 11 --forward-mode=rxonly >"$LOG.r" &
TP=$!
wait_rings dev1 "$n1"
relay fwd0 $S0 "$MAC0" 0@0,1@0 --forward-mode=mac --eth-peer=0,$MAC1
w0=$(wire_rx)
check_eq "hairpin: external sent $COUNT frames to VF 0" $COUNT "$(send_to_vf0)"
wait $RELAY
wait $TP
read -r rx _ <"$LOG.r"
check_eq "hairpin: testpmd on VF 1 counted every frame VF 0 forwarded" \
	$COUNT "$rx"
check_eq "hairpin traffic never reached the uplink's wire" "$w0" "$(wire_rx)"
check_eq "the promiscuous pod on VF 2 received none of it" "$p0" "$(pod_rx)"

kill -TERM $VPID
wait $VPID
check_eq "vdpad exits cleanly on SIGTERM" 0 $?
check "no device broken" sh -c "! grep -q 'broken yes' $LOG"
check_fails "vdpad detached its programs at exit" \
	sh -c "ip link show ${PF}v0 | grep -q prog/xdp"
grep -E '^dev[0-9]' "$LOG" | sed 's/^/# /'
finish
