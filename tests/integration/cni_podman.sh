#!/bin/bash
# The vdpa CNI plugin under a real runtime: podman with its CNI backend
# (libcni, the library container runtimes use), runc, a busybox root
# filesystem, Debian's host-local for addresses.
#  - netdev mode: a container pings the external namespace through the
#    eswitch on the VF podman's CNI call gave it;
#  - vhostuser mode: a container finds its vhost-user socket and runs DPDK
#    testpmd (virtio-user) on it; frames the external host sends come back;
#  - 50 create/remove cycles leave no netdev, socket, address or state.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
command -v podman >/dev/null || skip_all "podman not installed (make deps)"
command -v runc >/dev/null || skip_all "runc not installed (make deps)"
command -v dpdk-testpmd >/dev/null || skip_all "dpdk-testpmd not installed (make deps)"
[ -x /usr/lib/cni/host-local ] || skip_all "host-local not installed (make deps)"

P=xc2
ROOT=$(pwd)
EXT=${P}ext
PF=${P}pf
UPL=${P}u
CTL=/tmp/$P-ctl.sock
W=/tmp/$P-work # everything podman and the plugin keep, in one place
VDPAD=${VDPAD:-$BUILD/vdpad}
VPID=

teardown() {
	[ -n "$VPID" ] && kill "$VPID" 2>/dev/null && wait "$VPID" 2>/dev/null
	podman_ rm -af -t 0
	"$VDPACTL" mgmtdev del $PF
	ip link del $UPL
	umount $W/root/overlay 2>/dev/null
	rm -rf $W $CTL
}
# podman with its own configuration, storage and network directory: the
# host's podman setup is not touched.
podman_() {
	CONTAINERS_CONF=$W/containers.conf podman --root $W/root \
		--runroot $W/runroot --cgroup-manager cgroupfs "$@"
}
on_exit teardown
teardown >/dev/null 2>&1
mkdir -p $W/net.d $W/rootfs/bin $W/rootfs/var/run $W/rootfs/tmp $W/sock

# A busybox root filesystem; /usr comes from the host (read-only) for the
# DPDK application.
cp /bin/busybox $W/rootfs/bin/
for c in sh ping ip sleep true cat ls hostname timeout grep; do
	ln -s busybox $W/rootfs/bin/$c
done
ln -s usr/lib $W/rootfs/lib
ln -s usr/lib64 $W/rootfs/lib64
mkdir -p $W/rootfs/usr $W/rootfs/dev/hugepages $W/rootfs/proc $W/rootfs/sys

cat >$W/containers.conf <<EOF
[containers]
default_ulimits = []
[network]
network_backend = "cni"
cni_plugin_dirs = ["$ROOT/$BUILD/cni", "/usr/lib/cni"]
network_config_dir = "$W/net.d"
[engine]
runtime = "runc"
EOF

# network NAME MODE SUBNET: a conflist for podman (cniVersion 1.0.0: what
# podman 4.3's libcni speaks), with the mac capability.
network() {
	jq -n --arg n "$1" --arg m "$2" --arg s "$3" --arg w "$W" '{
	  cniVersion: "1.0.0", name: $n,
	  plugins: [{type: "vdpa", mgmtdev: "xc2pf", mode: $m,
		capabilities: {mac: true},
		stateDir: ($w + "/state"), socketDir: ($w + "/sock"),
		vdpadSocket: "/tmp/xc2-ctl.sock",
		logFile: ($w + "/plugin.log"), logLevel: "info",
		ipam: {type: "host-local", dataDir: ($w + "/ipam"),
		       ranges: [[{subnet: $s, gateway: "10.67.0.1"}]]}}]}' \
		>$W/net.d/$1.conflist
}
network ${P}nd netdev 10.67.0.0/24
network ${P}vu vhostuser 10.67.0.0/24

ext_uplink $EXT $UPL 10.67.0.1/24
"$VDPACTL" mgmtdev add $PF uplink $UPL numvfs 2 || exit 1
"$VDPAD" --control $CTL -l info >$W/vdpad.log 2>&1 &
VPID=$!
for _ in $(seq 50); do [ -S $CTL ] && break; sleep 0.1; done

check "podman sees both vdpa networks" \
	sh -c "CONTAINERS_CONF=$W/containers.conf podman --root $W/root \
	--runroot $W/runroot network ls --format '{{.Name}}' | grep -c ${P} | grep -qx 2"

# --- netdev mode: a container on a VF pings the external host -------------
out=$(podman_ run --rm --network ${P}nd --mac-address 02:00:00:0c:02:01 \
	--rootfs $W/rootfs sh -c \
	'ip -o -4 addr show eth0; ip -o link show eth0; ping -c 3 -W 2 10.67.0.1' 2>&1)
check_eq "netdev: the container's ping through the eswitch succeeded" 0 $?
echo "$out" | sed 's/^/#   /' | head -5
check "netdev: eth0 in the container has a host-local address" \
	sh -c "echo '$out' | grep -q 'inet 10.67.0.'"
check "netdev: eth0 has the MAC podman asked for (CNI_ARGS MAC=)" \
	sh -c "echo '$out' | grep -q '02:00:00:0c:02:01'"
check "netdev: after the container, both VF device ends are back" \
	sh -c "ip link show ${PF}v0 && ip link show ${PF}v1" 

# --- vhostuser mode: testpmd in a container on its socket ---------------
VMAC=02:00:00:0c:02:02
EMAC=$(ip -n $EXT -j link show eth0 | jq -r '.[0].address')
podman_ run --rm --network ${P}vu --mac-address $VMAC --privileged \
	-v /usr:/usr:ro -v /dev/hugepages:/dev/hugepages -v $W/sock:$W/sock \
	--rootfs $W/rootfs sh -c "
	set -- $W/sock/\$(hostname)*/eth0.sock # the whole id starts so
	s=\$1
	echo socket \$s; ls -l \$s || exit 1
	exec timeout -s INT 12 dpdk-testpmd --no-pci --file-prefix=$P -m 256 \
		--single-file-segments --iova-mode=va --lcores 0@0,1@1 \
		--vdev net_virtio_user0,path=\$s,queues=1,queue_size=1024,mac=$VMAC \
		-- --rxd=1024 --txd=1024 --forward-mode=macswap --stats-period 1 -a" \
	>$W/testpmd.log 2>&1 &
TPID=$!
for _ in $(seq 150); do
	grep -q "vring 1 started" $W/vdpad.log && break
	sleep 0.1
done
check "vhostuser: the container's testpmd found its socket and started" \
	grep -q "vring 1 started" $W/vdpad.log
dev=$("$VDPACTL" -s $CTL -j dev show | jq -r '.dev | keys[0]')
check_eq "vhostuser: vdpad serves the pod's socket (connected)" true \
	"$("$VDPACTL" -s $CTL -j dev show | jq -r ".dev.\"$dev\".connected")"
sleep 0.5
rx0=$(ns_rx_packets $EXT eth0)
sent=$(ip netns exec $EXT python3 tests/tools/rawsend.py eth0 $EMAC $VMAC 2000 64 5000)
sleep 1
back=$(($(ns_rx_packets $EXT eth0) - rx0))
check_eq "vhostuser: the external host sent 2000 frames" 2000 "$sent"
wait $TPID
acc=$(grep -A2 'Accumulated forward statistics' $W/testpmd.log)
check_eq "vhostuser: testpmd in the container received and sent 2000" "2000 2000" \
	"$(echo "$acc" | awk '/RX-packets/ {r=$2} /TX-packets/ {t=$2} END {print r, t}')"
# (the external side may also see a stray broadcast, hence at least)
check_gt "vhostuser: all of them came back to the external host" "$back" 1999
check "vhostuser: testpmd ran on the socket in the pod's directory" \
	grep -q "socket $W/sock/" $W/testpmd.log
check_eq "vhostuser: after the container, vdpad has no device left" 0 \
	"$("$VDPACTL" -s $CTL -j dev show | jq '.dev | length')"

# --- 50 create/remove cycles -----------------------------------------------
# Other tests may run beside this one: count only what is ours (podman
# names its namespaces netns-UUID).
podman_ns() { ip netns list | grep -c '^netns-'; }
our_links() { ip -o link | grep -c "$P"; }
ns_before=$(podman_ns)
links_before=$(our_links)
fails=0
for i in $(seq 50); do
	net=${P}nd
	[ $((i % 2)) -eq 0 ] && net=${P}vu
	podman_ run --rm --network $net --rootfs $W/rootfs true \
		>>$W/cycles.log 2>&1 || fails=$((fails + 1))
done
check_eq "50 podman run --rm cycles (netdev and vhostuser) all succeeded" 0 $fails
check_eq "no netdev left or lost" "$links_before" "$(our_links)"
check "both VF device ends are in the host" \
	sh -c "ip link show ${PF}v0 && ip link show ${PF}v1"
check_eq "no network namespace left" "$ns_before" "$(podman_ns)"
check_eq "no vhost-user socket or pod directory left" "" "$(ls $W/sock)"
check_eq "no address left in host-local" "" \
	"$(ls $W/ipam/* | grep -v -e lock -e last_reserved -e : )"
check_eq "no attachment state left" "" "$(ls $W/state | grep -v lock)"
check_eq "no device left in vdpad" 0 \
	"$("$VDPACTL" -s $CTL -j dev show | jq '.dev | length')"
check_eq "the plugin logged no error" "" "$(grep '^error' $W/plugin.log)"
finish
