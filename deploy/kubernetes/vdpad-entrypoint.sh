#!/bin/sh
# The DaemonSet's container: installs the CNI plugin on the node, starts
# vdpad with its state on the node, and creates the node's emulated PF
# (through vdpad, so it is saved) when it does not exist yet.
#   XVDPA_MGMTDEV  name of the emulated PF (default pf0)
#   XVDPA_UPLINK   uplink netdev on the node (required)
#   XVDPA_NUMVFS   number of VFs (default 8)
#   CNI_BIN_DIR    where the node's runtime looks for plugins (/host/opt/cni/bin)
set -eu
: "${XVDPA_MGMTDEV:=pf0}" "${XVDPA_NUMVFS:=8}" "${CNI_BIN_DIR:=/host/opt/cni/bin}"
CTL=/run/xvdpa/vdpad.sock

install -m 0755 /usr/lib/cni/vdpa "$CNI_BIN_DIR/vdpa.tmp"
mv -f "$CNI_BIN_DIR/vdpa.tmp" "$CNI_BIN_DIR/vdpa"

mkdir -p /run/xvdpa /var/lib/xvdpa
vdpad --control "$CTL" --state /var/lib/xvdpa/state.json -l info &
VDPAD=$!
trap 'kill -TERM $VDPAD; wait $VDPAD' TERM INT
for _ in $(seq 100); do [ -S "$CTL" ] && break; sleep 0.1; done
if ! vdpactl -s "$CTL" mgmtdev show "$XVDPA_MGMTDEV" >/dev/null 2>&1; then
	vdpactl -s "$CTL" mgmtdev add "$XVDPA_MGMTDEV" \
		uplink "${XVDPA_UPLINK:?set XVDPA_UPLINK to the node's uplink}" \
		numvfs "$XVDPA_NUMVFS"
fi
wait $VDPAD
