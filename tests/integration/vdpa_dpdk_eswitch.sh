#!/bin/bash
# The whole datapath with DPDK virtio-user as the pod application: testpmd
# <-> vhost-user <-> vdpad <-> AF_XDP on a VF's device end <-> eswitch <->
# uplink <-> an external namespace. Checks that every frame one side sent
# was counted by the other side or dropped with a reason (vdpad's, the
# eswitch's, the kernel's AF_XDP and veth counters, testpmd's), in both
# directions and between two vDPA devices of one PF (hairpin), with a
# promiscuous netdev-mode VF as the witness that nothing leaks. None of it
# needs the machine to keep pace: testpmd and vdpad may be descheduled
# (a loaded machine drops frames; they must be counted).
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
CTL=/tmp/xi7-ctl.sock
LOG=$(mktemp /tmp/xi7-vdpad.XXXXXX)
VDPAD=${VDPAD:-$BUILD/vdpad}
COUNT=20000

teardown_all() {
	"$VDPACTL" mgmtdev del $PF
	ip link del $UPL
	rm -f $S0 $S1 $CTL
}
on_exit teardown_all
teardown_all >/dev/null 2>&1

ns_add $EXT
ns_add $POD
ip link add $UPL type veth peer name $WIRE
ip link set $WIRE netns $EXT
# The wire end keeps the kernel's offloads: the eswitch finishes, on the
# representor's transmit, the checksums it leaves to offload.
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
REPS="$(vf_stat $PF 0 representor) $(vf_stat $PF 1 representor) $(vf_stat $PF 2 representor)"

"$VDPAD" --control $CTL --dev $S0,netdev=${PF}v0 --dev $S1,netdev=${PF}v1 --cpus 1 \
	-l info >"$LOG" 2>&1 &
VPID=$!
on_exit "kill $VPID; rm -f $LOG $LOG.*"
for i in $(seq 50); do [ -S $S0 ] && [ -S $S1 ] && break; sleep 0.1; done
check "vdpad serves both devices" test -S $S0 -a -S $S1
check "vdpad attached its AF_XDP program to the device ends" \
	sh -c "ip link show ${PF}v0 | grep -q prog/xdp && ip link show ${PF}v1 | grep -q prog/xdp"

# testpmd_run NAME SOCK MAC LCORES SECONDS ARGS...: prints "RX TX
# RX-DROPPED TX-DROPPED" (frames it could not take, or not queue).
testpmd_run() {
	local name=$1 sock=$2 mac=$3 lcores=$4 secs=$5
	shift 5
	timeout -s INT "$secs" dpdk-testpmd --no-pci --file-prefix=xi7$name \
		-m 256 --single-file-segments --lcores "$lcores" \
		--vdev net_virtio_user0,path=$sock,queues=1,queue_size=1024,mac=$mac -- \
		--rxd=1024 --txd=1024 \
		--stats-period 1 -a "$@" >"$LOG.$name" 2>&1
	awk '/Forward statistics for port 0/ {p=1}
		p && /RX-packets/ {rx=$2; rxd=$4}
		p && /TX-packets/ {tx=$2; txd=$4; p=0}
		END {print rx+0, tx+0, rxd+0, txd+0}' "$LOG.$name"
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

# drop_ledger: every drop counter on the frames' way, "NAME VALUE" a line,
# sorted: vdpad's per device and reason (AF_XDP kernel drops included),
# the eswitch's per VF and reason, and each veth end's tx_dropped (where
# a veth counts, once per pair, a frame it could not pass to its peer).
drop_ledger() {
	local dev
	{
		"$VDPACTL" -s $CTL -j dev stats | jq -r '.stats | to_entries[] |
			.key as $d | .value.drops | to_entries[] |
			"vdpad.\($d).\(.key) \(.value)"'
		"$VDPACTL" -j vf show $PF | jq -r '.vf[] | .vf as $v |
			.stats.drops | to_entries[] |
			"eswitch.vf\($v).\(.key) \(.value)"'
		for dev in $UPL $REPS ${PF}v0 ${PF}v1; do
			echo "veth.$dev.tx_dropped $(cat /sys/class/net/$dev/statistics/tx_dropped)"
		done
		echo "veth.$WIRE.tx_dropped $(ip netns exec $EXT cat /sys/class/net/$WIRE/statistics/tx_dropped)"
		echo "veth.${PF}v2.tx_dropped $(ip netns exec $POD cat /sys/class/net/${PF}v2/statistics/tx_dropped)"
	} | sort
}
# drops_since LEDGER: prints the counters that grew since LEDGER (a
# drop_ledger output) as comments; DROPS gets their sum ("" if the
# ledger cannot be read).
drops_since() {
	local name a b
	drop_ledger >"$1.now"
	DROPS=0
	[ -s "$1" ] && [ -s "$1.now" ] || DROPS=
	while read -r name a b; do
		[ "$b" -ne "$a" ] || continue
		echo "#   dropped: $name $((b - a))"
		DROPS=$((DROPS + b - a))
	done < <(join "$1" "$1.now")
}
# account DESC SENT DELIVERED LEDGER [TESTPMD_DROPS...]: every frame sent
# was delivered or counted as dropped since LEDGER (or by testpmd).
account() {
	local desc=$1 sent=$2 got=$3 ledger=$4 tp=0 x
	shift 4
	for x in "$@"; do tp=$((tp + x)); done
	drops_since "$ledger"
	[ "$tp" -eq 0 ] || echo "#   dropped: testpmd $tp"
	echo "# $desc: sent $sent, delivered $got, dropped ${DROPS:-?} + testpmd $tp"
	check_eq "$desc: every frame delivered or counted as dropped" "$sent" \
		$((got + ${DROPS:-0} + tp))
	check_gt "$desc: frames delivered" "$got" 0
}

# --- network -> pod application (paced sender) -------------------------
drop_ledger >"$LOG.l1"
n0=$(rings_started dev0)
testpmd_run rx0 $S0 "$MAC0" 0@0,1@0 10 --forward-mode=rxonly >"$LOG.r" &
TP=$!
wait_rings dev0 "$n0"
sent=$(ip netns exec $EXT /usr/bin/python3 tests/tools/rawsend.py $WIRE \
	"$MAC_EXT" "$MAC0" $COUNT 64 10000)
wait $TP
read -r rx _ rxd _ <"$LOG.r"
check_eq "external sent $COUNT frames to VF 0" $COUNT "$sent"
account "network -> testpmd (virtio-user) on VF 0" "$sent" "$rx" "$LOG.l1" "$rxd"

# --- pod application -> network: txonly at full speed ------------------
drop_ledger >"$LOG.l2"
w0=$(wire_rx)
t0=$(vf_stat $PF 0 stats.tx_packets)
read -r _ tx _ _ <<<"$(testpmd_run tx0 $S0 "$MAC0" 0@0,1@0 3 \
	--forward-mode=txonly --eth-peer=0,$MAC_EXT)"
sleep 1
check_gt "txonly: testpmd on VF 0 transmitted" "$tx" 10000
esw=$(($(vf_stat $PF 0 stats.tx_packets) - t0))
wire=$(($(wire_rx) - w0))
check "txonly: the eswitch saw no more than testpmd sent ($esw of $tx)" \
	test "$esw" -le "$tx"
# testpmd counts a frame as sent once it is in its TX ring; what is still
# in the ring when it stops (GET_VRING_BASE) is never taken: at most the
# ring's 1024 (vdpad may be behind when the machine is busy).
drops_since "$LOG.l2"
left=$((tx - wire - ${DROPS:-0}))
echo "# txonly: testpmd queued $tx, the eswitch passed $esw, the wire got $wire, dropped ${DROPS:-?}, left in the ring $left"
check "txonly: every frame reached the wire or was counted, but at most a ring left at stop ($left)" \
	test -n "$DROPS" -a "$left" -ge 0 -a "$left" -le 1024
check_gt "txonly: frames reached the external side" "$wire" 0
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
drop_ledger >"$LOG.l3"
relay mac0 $S0 "$MAC0" 0@0,1@0 --forward-mode=macswap
w0=$(wire_rx)
sent=$(send_to_vf0)
check_eq "round trip: external sent $COUNT frames" $COUNT "$sent"
wait $RELAY
read -r _ _ rxd txd <"$LOG.mac0.r"
account "round trip (external -> VF 0 macswap -> external)" "$sent" \
	$(($(wire_rx) - w0)) "$LOG.l3" "$rxd" "$txd"

# --- hairpin, paced: VF 0 (testpmd mac mode) -> VF 1 (testpmd rxonly) ----
drop_ledger >"$LOG.l4"
p0=$(pod_rx)
n1=$(rings_started dev1)
testpmd_run rx1 $S1 "$MAC1" 0@1,1@1 11 --forward-mode=rxonly >"$LOG.r" &
TP=$!
wait_rings dev1 "$n1"
relay fwd0 $S0 "$MAC0" 0@0,1@0 --forward-mode=mac --eth-peer=0,$MAC1
w0=$(wire_rx)
sent=$(send_to_vf0)
check_eq "hairpin: external sent $COUNT frames to VF 0" $COUNT "$sent"
wait $RELAY
wait $TP
read -r rx _ rxd1 _ <"$LOG.r"
read -r _ _ rxd0 txd0 <"$LOG.fwd0.r"
account "hairpin (external -> VF 0 mac fwd -> VF 1)" "$sent" "$rx" \
	"$LOG.l4" "$rxd0" "$txd0" "$rxd1"
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
