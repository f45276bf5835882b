#!/bin/bash
# The eswitch in network namespaces: an uplink whose wire end sits in an
# "external" namespace, three VFs whose device ends sit in "pod"
# namespaces. Real TC programs on real veths; nothing mocked.
#
#   xi1ext [xi1e]==[xi1u] uplink -- eswitch -- xi1pfr0==[xi1pfv0] xi1a
#                                            -- xi1pfr1==[xi1pfv1] xi1b
#                                            -- xi1pfr2==[xi1pfv2] xi1c (vlan 100)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root

PF=xi1pf
UPL=xi1u
WIRE=xi1e
EXT=xi1ext
A=xi1a
B=xi1b
C=xi1c
NET=10.231.0

teardown_all() {
	"$VDPACTL" mgmtdev del $PF
	"$VDPACTL" mgmtdev del ${PF}x
	ip link del $UPL
}
on_exit teardown_all
teardown_all >/dev/null 2>&1

# --- topology -------------------------------------------------------------
ns_add $EXT
ns_add $A
ns_add $B
ns_add $C
ip link add $UPL type veth peer name $WIRE
ip link set $WIRE netns $EXT
# The wire end plays the external host's NIC and keeps the kernel's
# offloads (TX checksum, TSO): the eswitch switches skbs, in TC, so what
# it leaves unfinished is finished where it is needed. This kernel has no
# 8021q module, so the external VLAN host is tests/tools/vlan_peer.py on
# a raw socket.
ip -n $EXT link set $WIRE up
ip -n $EXT addr add $NET.100/24 dev $WIRE
ip link set $UPL up

check "mgmtdev add creates an emulated PF with 3 VFs" \
	"$VDPACTL" mgmtdev add $PF uplink $UPL numvfs 3

move_vf() { # move_vf VF NS ADDR
	ip link set ${PF}v$1 netns $2
	ip -n $2 addr add $3 dev ${PF}v$1
	ip -n $2 link set ${PF}v$1 up
}
move_vf 0 $A $NET.1/24
move_vf 1 $B $NET.2/24
check "vf 2 gets port VLAN 100" "$VDPACTL" vf set $PF vf 2 vlan 100 qos 3

# --- consumer: pods' kernel stacks take their frames straight ------------
check_eq "a VF's consumer is xdp by default" xdp "$(vf_stat $PF 2 consumer)"
out=$("$VDPACTL" vf set $PF vf 2 consumer netdev 2>&1)
check_eq "consumer netdev is refused while the device end is in the host" 1 \
	"$(echo "$out" | grep -c "consumer netdev needs ${PF}v2 in a pod's network namespace: move it there first")"
check_eq "the refused consumer left vf 2 at xdp" xdp "$(vf_stat $PF 2 consumer)"
move_vf 2 $C 10.231.100.3/24
for vf in 0 1 2; do
	check "vf $vf in its pod: consumer netdev" \
		"$VDPACTL" vf set $PF vf $vf consumer netdev
done
check_eq "vf show reports consumer netdev" netdev "$(vf_stat $PF 0 consumer)"

# --- offloads: a pod's device end keeps the kernel's ------------------------
offload() { # offload NS DEV FEATURE: on or off
	ip netns exec "$1" ethtool -k "$2" | awk -v f="$3:" '$1 == f {print $2}'
}
check_eq "pod A's device end keeps TX checksumming" on \
	"$(offload $A ${PF}v0 tx-checksumming)"
check_eq "pod A's device end keeps TSO" on \
	"$(offload $A ${PF}v0 tcp-segmentation-offload)"
check_eq "pod A's device end has GRO" on \
	"$(offload $A ${PF}v0 generic-receive-offload)"
check_eq "no XDP program on the representors" 0 \
	"$(ip -d link show ${PF}r0 | grep -c prog/xdp)"
check_eq "no XDP program on the uplink" 0 \
	"$(ip -d link show $UPL | grep -c prog/xdp)"
check_eq "the wire end keeps TX checksumming and TSO" "on on" \
	"$(offload $EXT $WIRE tx-checksumming) $(offload $EXT $WIRE tcp-segmentation-offload)"

MAC_A=$(vf_stat $PF 0 mac)
MAC_B=$(vf_stat $PF 1 mac)
check_eq "vf 0 mac is the device end's mac" \
	"$(ip -n $A -j link show ${PF}v0 | jq -r '.[0].address')" "$MAC_A"

# --- broadcast (ARP) and unicast ----------------------------------------
flood0=$(vf_stat $PF 1 stats.rx_flood)
check "ARP + ping pod A -> external" ns_ping $A $NET.100
check "ping external -> pod B" ns_ping $EXT $NET.2
check "ping pod A -> pod B (hairpin)" ns_ping $A $NET.2
check "ping pod B -> pod A (hairpin)" ns_ping $B $NET.1
check_gt "pod B received flooded ARP broadcasts" \
	"$(vf_stat $PF 1 stats.rx_flood)" "$flood0"
check "TCP 1 MB pod A -> external, content intact" \
	tcp_transfer $A $EXT $NET.100 5101 1048576
check "TCP 1 MB external -> pod A, content intact" \
	tcp_transfer $EXT $A $NET.1 5102 1048576
check "TCP 1 MB pod B -> pod A (hairpin), content intact" \
	tcp_transfer $B $A $NET.1 5103 1048576
check "TCP 1 MB pod A -> pod B (hairpin), content intact" \
	tcp_transfer $A $B $NET.2 5104 1048576
check_gt "vf 0 tx_bytes counted" "$(vf_stat $PF 0 stats.tx_bytes)" 1048576
check_gt "vf 0 rx_bytes counted" "$(vf_stat $PF 0 stats.rx_bytes)" 1048576

# --- how a pod takes its frames: super-packets (netdev) or segments (xdp) --
# Packets of more than one MTU that pod B's own stack received while pod
# A sent it 4 MB over TCP (A's TSO makes them; the eswitch keeps them
# whole only for a netdev consumer). GRO off on B: it would merge the
# segments an xdp consumer gets back into super-packets.
ip netns exec $B ethtool -K ${PF}v1 gro off >/dev/null
big_rx() { # big_rx PORT: the transfer's content check, then the count
	local out n
	out=$(mktemp /tmp/xi1-big.XXXXXX)
	ip netns exec $B timeout 30 tcpdump -lnni ${PF}v1 \
		"tcp port $1 and greater 2000" >"$out" 2>/dev/null &
	local tpid=$!
	sleep 1
	tcp_transfer $A $B $NET.2 "$1" 4194304 || echo FAIL
	sleep 0.5
	kill $tpid 2>/dev/null
	wait $tpid 2>/dev/null
	n=$(grep -c " IP " "$out")
	rm -f "$out"
	echo "$n"
}
n=$(big_rx 5105)
check_eq "netdev consumer: 4 MB pod A -> pod B intact" 0 "$(echo "$n" | grep -c FAIL)"
check_gt "netdev consumer: pod B received super-packets" "$(echo "$n" | tail -1)" 0
check "vf 1 consumer xdp" "$VDPACTL" vf set $PF vf 1 consumer xdp
n=$(big_rx 5106)
check_eq "xdp consumer: 4 MB pod A -> pod B intact" 0 "$(echo "$n" | grep -c FAIL)"
check_eq "xdp consumer: pod B received no frame over its MTU" 0 "$(echo "$n" | tail -1)"
check "TCP 1 MB external -> pod B (xdp consumer), content intact" \
	tcp_transfer $EXT $B $NET.2 5107 1048576
check "vf 1 consumer netdev again" "$VDPACTL" vf set $PF vf 1 consumer netdev
ip netns exec $B ethtool -K ${PF}v1 gro on >/dev/null
ip netns exec $A ethtool -K ${PF}v0 gro off >/dev/null
check "pod A with GRO off still receives from external (TCP 1 MB)" \
	tcp_transfer $EXT $A $NET.1 5108 1048576
ip netns exec $A ethtool -K ${PF}v0 gro on >/dev/null

# --- isolation: pod A never sees pod B's unicast ------------------------
ip -n $A link set ${PF}v0 promisc on
ip -n $EXT neigh replace $NET.2 lladdr "$MAC_B" dev $WIRE nud permanent
ip -n $A neigh replace $NET.2 lladdr "$MAC_B" dev ${PF}v0 nud permanent
MAC_EXT=$(ip -n $EXT -j link show $WIRE | jq -r '.[0].address')
ip -n $B neigh replace $NET.100 lladdr "$MAC_EXT" dev ${PF}v1 nud permanent
sleep 0.5
rxa0=$(ns_rx_packets $A ${PF}v0)
vf_unicast_rx() { # rx_packets minus flooded copies
	echo $(($(vf_stat $PF "$1" stats.rx_packets) - $(vf_stat $PF "$1" stats.rx_flood)))
}
vfa0=$(vf_unicast_rx 0)
check "external -> pod B: 50 unicast pings" \
	ip netns exec $EXT ping -q -c 50 -i 0.01 -W 1 $NET.2
check_eq "promiscuous pod A received none of pod B's unicast" \
	"$rxa0" "$(ns_rx_packets $A ${PF}v0)"
check_eq "vf 0 eswitch unicast rx counter unchanged" "$vfa0" \
	"$(vf_unicast_rx 0)"
ip -n $A link set ${PF}v0 promisc off

# --- spoof check ----------------------------------------------------------
spoof0=$(vf_stat $PF 0 stats.drops.spoof)
ip -n $A link set ${PF}v0 address 02:de:ad:00:00:01
check_fails "pod A with a spoofed source MAC cannot reach external" \
	ip netns exec $A ping -q -c 3 -i 0.2 -W 1 $NET.100
check_gt "spoofed frames dropped and counted (drops.spoof)" \
	"$(vf_stat $PF 0 stats.drops.spoof)" "$spoof0"
ip -n $A link set ${PF}v0 address "$MAC_A"
check "pod A with its own MAC again reaches external" ns_ping $A $NET.100
check "vf set mac moves the VF to a new MAC" \
	"$VDPACTL" vf set $PF vf 0 spoofchk on mac 02:aa:00:00:00:01
ip -n $A link set ${PF}v0 address 02:aa:00:00:00:01
ip -n $A neigh flush dev ${PF}v0
ip -n $EXT neigh flush dev $WIRE
check "pod A reaches external with its new MAC" ns_ping $A $NET.100
check_eq "vf show reports the new MAC" "02:aa:00:00:00:01" \
	"$(vf_stat $PF 0 mac)"

# --- VLAN separation --------------------------------------------------------
MAC_C=$(vf_stat $PF 2 mac)
MAC_X=02:e0:00:00:01:00
ip -n $C neigh replace 10.231.100.100 lladdr $MAC_X dev ${PF}v2 nud permanent
ip -n $C addr add $NET.3/24 dev ${PF}v2
ip -n $C neigh replace $NET.100 lladdr $MAC_X dev ${PF}v2 nud permanent
vlan_peer() { # vlan_peer DST_IP VID: echo requests from the wire
	ip netns exec $EXT /usr/bin/python3 tests/tools/vlan_peer.py $WIRE \
		$MAC_X "$MAC_C" "${1%.*}.100" "$1" "$2" 5
}
check_eq "external on vlan 100 pings pod C: replies tagged vid 100 pcp 3" \
	"replies=5 vid=100 pcp=3" "$(vlan_peer 10.231.100.3 100)"
icmp_in_echos() {
	ip netns exec $C nstat -az IcmpInEchos | awk '/IcmpInEchos/ {print $2}'
}
echos0=$(icmp_in_echos)
check_eq "external untagged cannot reach pod C" \
	"replies=0 vid=-1 pcp=-1" "$(vlan_peer $NET.3 0)"
check_eq "external on vlan 200 cannot reach pod C" \
	"replies=0 vid=-1 pcp=-1" "$(vlan_peer 10.231.100.3 200)"
check_eq "pod C received none of those echo requests" "$echos0" \
	"$(icmp_in_echos)"
check_fails "pod C (vlan 100) cannot reach pod A (untagged)" \
	ip netns exec $C ping -q -c 2 -i 0.2 -W 1 $NET.1
check "pod A (untagged) still reaches external" ns_ping $A $NET.100
check_eq "vf 2 reports vlan 100 qos 3" "100 3" \
	"$(vf_stat $PF 2 vlan) $(vf_stat $PF 2 qos)"

# --- link state -----------------------------------------------------------
check "vf state disable" "$VDPACTL" vf set $PF vf 1 state disable
check "pod B sees no carrier" \
	sh -c "ip -n $B link show ${PF}v1 | grep -q NO-CARRIER"
check_fails "disabled pod B cannot reach external" \
	ip netns exec $B ping -q -c 2 -i 0.2 -W 1 $NET.100
check_eq "vf 1 link reported down" down "$(vf_stat $PF 1 link)"
check "vf state enable" "$VDPACTL" vf set $PF vf 1 state enable
sleep 0.5
check "enabled pod B reaches external again" ns_ping $B $NET.100

# --- management errors change nothing -------------------------------------
check_fails "a second mgmtdev on an uplink another one owns is refused" \
	"$VDPACTL" mgmtdev add ${PF}x uplink $UPL numvfs 1
check_fails "the refused mgmtdev left no netdevs" \
	sh -c "ip -br link | grep -q '^${PF}xr0'"
check_fails "the refused mgmtdev left no pinned state" \
	test -e /sys/fs/bpf/xvdpa/${PF}x
check "after the refused add, pod A still reaches external" \
	ns_ping $A $NET.100
check "after the refused add, broadcast still floods (ARP from external)" \
	sh -c "ip -n $EXT neigh flush dev $WIRE && ip netns exec $EXT ping -q -c 2 -i 0.2 -W 1 $NET.1"
check_fails "an existing name is refused" \
	"$VDPACTL" mgmtdev add $PF uplink $UPL numvfs 1
check_fails "a missing uplink is refused" \
	"$VDPACTL" mgmtdev add ${PF}x uplink xi1nosuch numvfs 1
check_fails "numvfs 65 is refused" \
	"$VDPACTL" mgmtdev add ${PF}x uplink lo numvfs 65
out=$(unshare -m sh -c "umount /sys/fs/bpf && '$VDPACTL' mgmtdev add ${PF}x uplink $UPL numvfs 1" 2>&1)
check_eq "without bpffs the error says so" 1 \
	"$(echo "$out" | grep -c 'bpffs is not mounted')"
check_fails "vf set on a VF that does not exist is refused" \
	"$VDPACTL" vf set $PF vf 3 trust on
check_fails "a multicast MAC is refused" \
	"$VDPACTL" vf set $PF vf 0 mac 01:00:5e:00:00:01

# --- teardown leaves nothing behind --------------------------------------
progs=$(for l in /sys/fs/bpf/xvdpa/$PF/link_*; do
	bpftool -j link show pinned "$l" | jq -r .prog_id
done)
for d in $UPL ${PF}r0; do
	progs="$progs $(tc -j filter show dev $d ingress | jq -r '.[].options.prog.id // empty')"
done
echo "# program ids: $progs"
check_eq "3 eswitch programs found before teardown" 3 \
	"$(echo $progs | tr ' ' '\n' | sort -u | grep -c .)"
check "mgmtdev del" "$VDPACTL" mgmtdev del $PF
check_fails "no VF netdev left" sh -c "ip -br link | grep -q '^${PF}'"
check_fails "no VF netdev left in the pod namespaces" \
	sh -c "for n in $A $B $C; do ip -n \$n -br link | grep -q '^${PF}' && exit 0; done; exit 1"
check_fails "no pinned maps left" test -e /sys/fs/bpf/xvdpa/$PF
check_fails "no XDP program left on the uplink" \
	sh -c "ip link show $UPL | grep -q prog/xdp"
check_fails "no TC filter left on the uplink" \
	sh -c "tc filter show dev $UPL ingress | grep -q xv_"
left=0
for id in $progs; do
	bpftool prog show id "$id" >/dev/null 2>&1 && left=$((left + 1))
done
check_eq "every eswitch program of this PF is unloaded" 0 "$left"
check_fails "mgmtdev del of a missing mgmtdev fails" \
	"$VDPACTL" mgmtdev del $PF

finish
