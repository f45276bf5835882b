#!/bin/bash
# The xvdpa demo: an emulated SR-IOV PF on a veth "uplink" whose wire end
# sits in an "external" namespace, and two VFs handed to two "pod"
# namespaces. The pods ping each other (hairpin in the eswitch) and the
# external host, move data over TCP, and vdpactl shows the eswitch's
# counters. Then VF 2 goes vDPA: vdpad binds it through AF_XDP and serves
# it as a vhost-user socket to a DPDK virtio-user application, which
# returns what the external host sends it.
# Everything is torn down at the end (also on failure or ^C).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
VDPACTL=$BUILD/vdpactl
PF=xvdemo
UPL=xvdemou
EXT=xvdemo-ext
PODS=(xvdemo-pod-a xvdemo-pod-b)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

VSOCK=/tmp/xvdemo-vhost.sock
VPID=

cleanup() {
	[ -z "$VPID" ] || kill "$VPID" 2>/dev/null || true
	rm -f $VSOCK
	"$VDPACTL" mgmtdev del $PF 2>/dev/null || true
	ip link del $UPL 2>/dev/null || true
	for ns in $EXT "${PODS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
scripts/host-setup.sh

step "external host and uplink"
ip netns add $EXT
ip netns exec $EXT sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip link add $UPL type veth peer name eth0 netns $EXT
ip -n $EXT addr add 10.77.0.100/24 dev eth0
ip -n $EXT link set eth0 up
ip -n $EXT link set lo up
ip link set $UPL up

step "vdpactl mgmtdev add $PF uplink $UPL numvfs 3"
"$VDPACTL" mgmtdev add $PF uplink $UPL numvfs 3
"$VDPACTL" mgmtdev show

step "hand each VF's device end to a pod namespace"
for i in 0 1; do
	ns=${PODS[$i]}
	ip netns add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip link set ${PF}v$i netns "$ns"
	ip -n "$ns" link set ${PF}v$i name eth0
	ip -n "$ns" addr add 10.77.0.$((i + 1))/24 dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
	echo "${PF} vf $i -> $ns eth0 10.77.0.$((i + 1))"
done

step "pod A -> pod B (hairpin through the eswitch)"
ip netns exec ${PODS[0]} ping -c 3 -i 0.2 10.77.0.2
step "pod B -> external host (through the uplink)"
ip netns exec ${PODS[1]} ping -c 3 -i 0.2 10.77.0.100

step "TCP: 4 MB from pod A to pod B"
head -c 4194304 /dev/urandom >/tmp/xvdemo.in
ip netns exec ${PODS[1]} timeout 20 nc -l -N -p 5000 >/tmp/xvdemo.out &
sleep 0.5
ip netns exec ${PODS[0]} timeout 20 nc -N 10.77.0.2 5000 </tmp/xvdemo.in
wait
cmp /tmp/xvdemo.in /tmp/xvdemo.out && echo "4194304 bytes arrived intact"
rm -f /tmp/xvdemo.in /tmp/xvdemo.out

step "vdpactl vf show $PF"
"$VDPACTL" vf show $PF
step "vdpactl -j vf show $PF vf 0 (first lines)"
"$VDPACTL" -j -p vf show $PF vf 0 | head -12

step "vDPA: VF 2 bound to vdpad (AF_XDP), a DPDK virtio-user app on its socket"
MAC2=$("$VDPACTL" -j vf show $PF vf 2 | jq -r '.vf[0].mac')
MAC_EXT=$(ip -n $EXT -j link show eth0 | jq -r '.[0].address')
VCTL=/tmp/xvdemo-ctl.sock
"$BUILD/vdpad" --control $VCTL --dev $VSOCK,netdev=${PF}v2 -l info \
	>/tmp/xvdemo.vdpad 2>/tmp/xvdemo.vdpad.log &
VPID=$!
for _ in $(seq 50); do [ -S $VSOCK ] && break; sleep 0.1; done
echo "vdpad --dev $VSOCK,netdev=${PF}v2   (guest MAC = VF 2's MAC $MAC2)"
# The app swaps MACs: every frame the external host sends comes back.
timeout -s INT 8 dpdk-testpmd --no-pci --file-prefix=xvdemo -m 256 \
	--single-file-segments --lcores 0@0,1@0 \
	--vdev net_virtio_user0,path=$VSOCK,queues=1,queue_size=1024,mac=$MAC2 \
	-- --rxd=1024 --txd=1024 --forward-mode=macswap --stats-period 1 -a \
	>/tmp/xvdemo.testpmd 2>&1 &
TPID=$!
for _ in $(seq 150); do # until the app has negotiated and started its rings
	grep -q "vring 1 started" /tmp/xvdemo.vdpad.log && break
	sleep 0.1
done
sleep 0.3
rx0=$(ip netns exec $EXT cat /sys/class/net/eth0/statistics/rx_packets)
sent=$(ip netns exec $EXT python3 tests/tools/rawsend.py eth0 "$MAC_EXT" \
	"$MAC2" 5000 64 5000)
wait $TPID || true
back=$(($(ip netns exec $EXT cat /sys/class/net/eth0/statistics/rx_packets) - rx0))
echo "external host sent $sent frames to VF 2 and received $back back through"
echo "  eswitch -> AF_XDP -> vdpad -> virtio rings -> testpmd -> and back"
[ "$back" -gt 0 ] || { echo "nothing came back"; exit 1; }
step "vdpactl -s $VCTL dev stats (vdpad's control socket)"
"$VDPACTL" -s $VCTL dev stats
kill -TERM $VPID && wait $VPID && VPID=
echo "vdpad: $(cat /tmp/xvdemo.vdpad)"
rm -f /tmp/xvdemo.vdpad /tmp/xvdemo.vdpad.log /tmp/xvdemo.testpmd
step "vdpactl vf show $PF vf 2"
"$VDPACTL" vf show $PF vf 2

step "demo passed; tearing down"
