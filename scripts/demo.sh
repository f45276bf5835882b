#!/bin/bash
# The xvdpa demo: an emulated SR-IOV PF on a veth "uplink" whose wire end
# sits in an "external" namespace, and two VFs handed to two "pod"
# namespaces. The pods ping each other (hairpin in the eswitch) and the
# external host, move data over TCP, and vdpactl shows the eswitch's
# counters. Then a vhost-user consumer: DPDK testpmd's virtio-user
# connects to vdpad, whose loopback device returns what it transmits.
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
ip link add $UPL type veth peer name eth0 netns $EXT
ip netns exec $EXT ethtool -K eth0 tx off gro on >/dev/null
ip -n $EXT addr add 10.77.0.100/24 dev eth0
ip -n $EXT link set eth0 up
ip -n $EXT link set lo up
ip link set $UPL up

step "vdpactl mgmtdev add $PF uplink $UPL numvfs 2"
"$VDPACTL" mgmtdev add $PF uplink $UPL numvfs 2
"$VDPACTL" mgmtdev show

step "hand each VF's device end to a pod namespace"
for i in 0 1; do
	ns=${PODS[$i]}
	ip netns add "$ns"
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

step "vhost-user: DPDK virtio-user <-> vdpad (loopback device), 3 s"
"$BUILD/vdpad" --loopback $VSOCK -l warn &
VPID=$!
for _ in $(seq 50); do [ -S $VSOCK ] && break; sleep 0.1; done
{ timeout -s INT 3 dpdk-testpmd --no-pci --file-prefix=xvdemo -m 256 \
	--single-file-segments --lcores 0@0,1@1 \
	--vdev net_virtio_user0,path=$VSOCK,queues=1 -- --forward-mode=io \
	--tx-first --stats-period 1 -a 2>/dev/null || true; } |
	awk '/Forward statistics for port 0/ {p=1} p && /-packets/ {print} p && /TX-packets/ {exit}' |
	tee /tmp/xvdemo.testpmd
rx=$(awk '/RX-packets/ {print $2}' /tmp/xvdemo.testpmd)
rm -f /tmp/xvdemo.testpmd
[ "${rx:-0}" -gt 0 ] || { echo "no frames came back from vdpad"; exit 1; }
echo "testpmd received $rx frames back through vdpad's virtqueues"

step "demo passed; tearing down"
