#!/bin/bash
# The vdpa CNI plugin run the way a runtime runs it: CNI_* environment,
# the network configuration on stdin, real network namespaces, Debian's
# host-local as the delegated IPAM, a real vdpad for vhostuser mode.
# ADD/CHECK/DEL/GC/STATUS/VERSION, spec 1.0.0 and 1.1.0, the error codes
# of the spec, repeated DELs, rollback of IPAM on a failed ADD, parallel
# ADDs, and nothing left behind.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
[ -x /usr/lib/cni/host-local ] || skip_all "host-local not installed (make deps)"

P=xc1
PLUGIN=${PLUGIN:-$BUILD/cni/vdpa}
VDPAD=${VDPAD:-$BUILD/vdpad}
EXT=${P}ext
PF=${P}pf
UPL=${P}u
CTL=/tmp/$P-ctl.sock
STATE=/tmp/$P-state
IPAM=/tmp/$P-ipam
SOCKS=/tmp/$P-sock
DEVINFO=/tmp/$P-devinfo
LOG=/tmp/$P-plugin.log
VLOG=/tmp/$P-vdpad.log
VICTIM=/tmp/$P-victim # what a planted symlink points to: must stay as it is
NST=/tmp/$P-nst       # a stateDir's parent: nothing may be written there
SD=/tmp/$P-sd         # a socketDir's parent: nothing may change there
VPID=

teardown() {
	[ -n "$VPID" ] && kill "$VPID" 2>/dev/null && wait "$VPID" 2>/dev/null
	"$VDPACTL" mgmtdev del $PF
	ip link del $UPL
	ip link del ${P}hd1 # its peer, whatever name the peer has now
	ip link del ${P}hn0
	rm -rf $STATE $IPAM $SOCKS $DEVINFO $CTL $LOG $VLOG /tmp/$P-*.json \
		/tmp/$P-vdpad.state $VICTIM $NST $SD
}
on_exit teardown
teardown >/dev/null 2>&1

for i in 1 2 3 4 5; do ns_add $P$i; done
ext_uplink $EXT $UPL 10.66.0.1/24
"$VDPACTL" mgmtdev add $PF uplink $UPL numvfs 4 || exit 1

start_vdpad() {
	"$VDPAD" --control $CTL --state /tmp/$P-vdpad.state -l info >>$VLOG 2>&1 &
	VPID=$!
	for _ in $(seq 50); do [ -S $CTL ] && break; sleep 0.1; done
}
start_vdpad

# conf VERSION MODE [jq-filter]: a network configuration.
conf() {
	jq -n --arg v "$1" --arg m "$2" '{cniVersion: $v, name: "xc1net",
		type: "vdpa", mgmtdev: "xc1pf", mode: $m, mtu: 1400,
		stateDir: "/tmp/xc1-state", socketDir: "/tmp/xc1-sock",
		vdpadSocket: "/tmp/xc1-ctl.sock", logFile: "/tmp/xc1-plugin.log",
		logLevel: "info",
		ipam: {type: "host-local", dataDir: "/tmp/xc1-ipam",
		       ranges: [[{subnet: "10.66.0.0/24",
				  rangeStart: "10.66.0.10", gateway: "10.66.0.1"}]],
		       routes: [{dst: "10.99.0.0/16"}]}}' | jq "${3:-.}"
}

# cni COMMAND CONTAINERID NETNS IFNAME < config: the plugin as a runtime
# runs it; stdout is what it printed, $? its exit code.
cni() {
	env -i PATH="$PATH" CNI_COMMAND="$1" CNI_CONTAINERID="$2" \
		CNI_NETNS="$3" CNI_IFNAME="$4" CNI_PATH=/usr/lib/cni \
		"$PLUGIN" 2>>$LOG
}

ipam_has() { grep -rlq "$1" $IPAM/xc1net 2>/dev/null; }
vf_dev_in_host() { ip link show ${PF}v$1 >/dev/null 2>&1; }

# --- VERSION --------------------------------------------------------------
v=$(echo '{"cniVersion": "1.0.0"}' | cni VERSION "" "" "")
check_eq "VERSION: exit 0 and the versions spoken" '["1.0.0","1.1.0"]' \
	"$(echo "$v" | jq -c .supportedVersions)"
check_eq "VERSION: answers in the version asked" 1.0.0 \
	"$(echo "$v" | jq -r .cniVersion)"

# --- the README's Kubernetes examples are valid configurations ----------
for f in deploy/kubernetes/nad-*.yaml; do
	out=$(awk '/config: \|/ {on = 1; next} on && /^    / {print; next} {on = 0}' $f |
		jq '.mgmtdev = "xc1pf" | .stateDir = "/tmp/xc1-state" |
		    .vdpadSocket = "/tmp/xc1-ctl.sock"' | cni STATUS "" "" "")
	check_eq "$(basename $f): the plugin accepts its config (STATUS 0)" "0 " \
		"$? $out"
done

# --- netdev mode, spec 1.0.0 -------------------------------------------
MAC0=$(vf_stat $PF 0 mac)
C1=$(conf 1.0.0 netdev '. + {mac: "02:00:00:0c:01:01"}')
out=$(echo "$C1" | cni ADD cid-bad /run/netns net1)
check_eq "ADD into a path that is no network namespace: exit 1" 1 $?
check_fails "... its IPAM allocation was released" ipam_has cid-bad
check "... and the VF stayed in the host" vf_dev_in_host 0
r=$(echo "$C1" | cni ADD cid-one /run/netns/${P}1 net1)
check_eq "netdev ADD (1.0.0): exit 0" 0 $?
check_eq "result: cniVersion 1.0.0" 1.0.0 "$(echo "$r" | jq -r .cniVersion)"
check_eq "result: interface name, mac, sandbox" \
	"net1 02:00:00:0c:01:01 /run/netns/${P}1" \
	"$(echo "$r" | jq -r '.interfaces[0] | "\(.name) \(.mac) \(.sandbox)"')"
check_eq "result (1.0.0): no socketPath, no mtu" "null null" \
	"$(echo "$r" | jq -r '.interfaces[0] | "\(.socketPath) \(.mtu)"')"
A1=$(echo "$r" | jq -r '.ips[0].address')
check_eq "result: an IPAM address of the range on interface 0" "10.66.0 0" \
	"$(echo "$r" | jq -r '.ips[0] | "\(.address | .[0:7]) \(.interface)"')"
check_eq "result: the IPAM route" 10.99.0.0/16 "$(echo "$r" | jq -r '.routes[0].dst')"
l=$(ip -n ${P}1 -j addr show net1)
check_eq "pod: net1 has the MAC, MTU, address and is up" \
	"02:00:00:0c:01:01 1400 ${A1%/24} UP" \
	"$(echo "$l" | jq -r '.[0] | "\(.address) \(.mtu) \(.addr_info[] | select(.family == "inet") | .local) \(.operstate)"')"
check "pod: the IPAM route is there" \
	sh -c "ip -n ${P}1 route show 10.99.0.0/16 | grep -q 'via 10.66.0.1 dev net1'"
check_fails "host: the VF's device end left the host" vf_dev_in_host 0
check_eq "eswitch: VF 0 has the configured MAC" 02:00:00:0c:01:01 "$(vf_stat $PF 0 mac)"
check "pod pings the external host through the eswitch" ns_ping ${P}1 10.66.0.1
offloads() { # offloads NS|- DEV: TX checksumming, TSO, GRO (- : the host)
	local in=()
	[ "$1" = - ] || in=(ip netns exec "$1")
	"${in[@]}" ethtool -k "$2" | awk '$1 == "tx-checksumming:" ||
		$1 == "tcp-segmentation-offload:" ||
		$1 == "generic-receive-offload:" {printf "%s%s", s, $2; s = " "}'
}
check_eq "pod: net1 has TX checksumming, TSO and GRO" "on on on" \
	"$(offloads ${P}1 net1)"
check_eq "eswitch: VF 0's consumer is the pod's stack (netdev)" netdev \
	"$(vf_stat $PF 0 consumer)"
check "pod: TCP 1 MB from the external host (kernel offloads on both ends)" \
	tcp_transfer $EXT ${P}1 "${A1%/*}" 5301 1048576
# What a pod may do to its interface; DEL puts the offloads back.
ip netns exec ${P}1 ethtool -K net1 tx off gro off >/dev/null
check "pod with GRO off still receives: TCP 1 MB from the external host" \
	tcp_transfer $EXT ${P}1 "${A1%/*}" 5302 1048576
check "host-local holds the address for the container" ipam_has cid-one

prev=$(echo "$C1" | jq --argjson r "$r" '. + {prevResult: $r}')
echo "$prev" | cni CHECK cid-one /run/netns/${P}1 net1 >/dev/null
check_eq "CHECK: exit 0 while all is in place" 0 $?
ip -n ${P}1 addr del $A1 dev net1
out=$(echo "$prev" | cni CHECK cid-one /run/netns/${P}1 net1)
check_eq "CHECK: an address removed in the pod is found (exit 1)" 1 $?
check_eq "CHECK: code 101, says which address" "101 true" \
	"$(echo "$out" | jq -r --arg a $A1 '"\(.code) \(.msg | contains($a))"')"
ip -n ${P}1 addr add $A1 dev net1
out=$(echo "$C1" | cni CHECK cid-one /run/netns/${P}1 net1)
check_eq "CHECK without prevResult: error 7" 7 "$(echo "$out" | jq -r .code)"

out=$(echo "$C1" | cni ADD cid-one /run/netns/${P}1 net1)
check_eq "a second ADD of the same attachment: exit 1" 1 $?
check_eq "... code 100, and the first attachment is untouched" "100 UP" \
	"$(echo "$out" | jq -r .code) $(ip -n ${P}1 -j link show net1 | jq -r '.[0].operstate')"

echo "$C1" | cni DEL cid-one /run/netns/${P}1 net1
check_eq "netdev DEL: exit 0, nothing printed" "0" "$?"
check_fails "pod: net1 is gone" ip -n ${P}1 link show net1
check "host: the device end is back under its own name" vf_dev_in_host 0
check_eq "host: its MTU is back, and it is up as the eswitch made it" "1500 UP" \
	"$(ip -j link show ${PF}v0 | jq -r '.[0] | "\(.mtu) \(.flags | index("UP") != null | if . then "UP" else "DOWN" end)"')"
check_eq "host: IPv6 is off on it again" 1 \
	"$(cat /proc/sys/net/ipv6/conf/${PF}v0/disable_ipv6)"
check_eq "host: TX checksumming, TSO and GRO are on again" "on on on" \
	"$(offloads - ${PF}v0)"
check_eq "eswitch: VF 0's MAC is back" "$MAC0" "$(vf_stat $PF 0 mac)"
check_eq "eswitch: VF 0's consumer is back to xdp" xdp "$(vf_stat $PF 0 consumer)"
check_fails "host-local released the address" ipam_has cid-one
check_eq "no state left for the attachment" "" "$(ls $STATE/xc1net 2>/dev/null)"
out=$(echo "$C1" | cni DEL cid-one /run/netns/${P}1 net1)
check_eq "DEL again: exit 0" 0 $?
out=$(echo "$C1" | cni DEL cid-never "" net1)
check_eq "DEL of an attachment never made, no netns: exit 0" 0 $?

r=$(conf 1.1.0 netdev '.deviceID = "xc1pf/2"' | cni ADD cid-devid /run/netns/${P}1 net1)
check_eq "deviceID xc1pf/2: the pod gets VF 2's device end" "0 2" \
	"$? $(jq -r .vf $STATE/xc1net/cid-devid:net1.json)"
check_fails "... which left the host" vf_dev_in_host 2
conf 1.1.0 netdev | cni DEL cid-devid /run/netns/${P}1 net1
check "... and came back on DEL" vf_dev_in_host 2

# --- errors of the spec ---------------------------------------------------
out=$(echo '{"cniVersion": "1.1.0", "name": ' | cni ADD c /run/netns/${P}1 n1)
check_eq "bad JSON: exit 1, code 6" "1 6" "$? $(echo "$out" | jq -r .code)"
out=$(conf 1.1.0 sriov | cni ADD c /run/netns/${P}1 n1)
check_eq "invalid mode: code 7 naming the key" "7 true" \
	"$(echo "$out" | jq -r '"\(.code) \(.msg | contains("\"mode\""))"')"
out=$(conf 1.1.0 netdev '.vlan = 5000' | cni ADD c /run/netns/${P}1 n1)
check_eq "invalid vlan: code 7 naming the key" "7 true" \
	"$(echo "$out" | jq -r '"\(.code) \(.msg | contains("\"vlan\""))"')"
out=$(conf 1.1.0 vhostuser '.deviceOptions = {mtu: 1500}' | cni ADD c /run/netns/${P}1 n1)
check_eq "deviceOptions with a key vdpad does not take there: code 7 naming it" "7 true" \
	"$(echo "$out" | jq -r '"\(.code) \(.msg | contains("\"deviceOptions\": unknown argument \"mtu\""))"')"
out=$(conf 1.1.0 vhostuser '.deviceOptions = {max_vqp: 9}' | cni ADD c /run/netns/${P}1 n1)
check_eq "deviceOptions max_vqp 9: code 7" 7 "$(echo "$out" | jq -r .code)"
out=$(conf 0.4.0 netdev | cni ADD c /run/netns/${P}1 n1)
check_eq "cniVersion 0.4.0: code 1" 1 "$(echo "$out" | jq -r .code)"
out=$(conf 1.1.0 netdev | cni ADD c /run/netns/${P}1 "")
check_eq "no CNI_IFNAME: code 4" 4 "$(echo "$out" | jq -r .code)"
out=$(conf 1.1.0 netdev | cni BOGUS c /run/netns/${P}1 n1)
check_eq "unknown CNI_COMMAND: code 4" 4 "$(echo "$out" | jq -r .code)"
out=$(conf 1.1.0 netdev '.mgmtdev = "xc1nopf"' | cni ADD cid-nopf /run/netns/${P}1 n1)
check_eq "ADD on a missing mgmtdev: code 7" 7 "$(echo "$out" | jq -r .code)"
check_fails "... and its IPAM allocation was released" ipam_has cid-nopf
out=$(conf 1.1.0 netdev '.ipam.type = "xc1-no-such-ipam"' | cni ADD c /run/netns/${P}1 n1)
check_eq "an IPAM plugin not in CNI_PATH: code 7" 7 "$(echo "$out" | jq -r .code)"

# --- vhostuser mode, spec 1.1.0 -------------------------------------------
GROUP=kvm
getent group $GROUP >/dev/null || GROUP=users
CV=$(conf 1.1.0 vhostuser '. + {mac: "02:00:00:0c:01:02", socketGroup: "'$GROUP'", runtimeConfig:
	{CNIDeviceInfoFile: "/tmp/xc1-devinfo/cid-vhost-net1.json"}}')
r=$(echo "$CV" | cni ADD cid-vhost-0123456789 /run/netns/${P}2 net1)
check_eq "vhostuser ADD (1.1.0): exit 0" 0 $?
SP=$(echo "$r" | jq -r '.interfaces[0].socketPath')
check_eq "result: socketPath in the pod's directory" \
	"$SOCKS/cid-vhost-0123456789/net1.sock" "$SP"
check_eq "result: mac, mtu" "02:00:00:0c:01:02 1400" \
	"$(echo "$r" | jq -r '.interfaces[0] | "\(.mac) \(.mtu)"')"
check_eq "result: an IPAM address" 10.66.0 "$(echo "$r" | jq -r '.ips[0].address | .[0:7]')"
check "the socket exists (vdpad serves it)" test -S "$SP"
check_eq "socketGroup: the pod's directory is $GROUP's, mode 2770" "2770 $GROUP" \
	"$(stat -c '%a %G' $(dirname "$SP"))"
check_eq "socketGroup: the socket is $GROUP's, mode 660" "660 $GROUP" \
	"$(stat -c '%a %G' "$SP")"
d=$("$VDPACTL" -s $CTL -j dev show | jq -c '.dev | to_entries[0].value')
check_eq "vdpad: a device on that socket, bound to a VF of $PF" "$SP true" \
	"$(echo "$d" | jq -r '"\(.socket) \(.netdev | startswith("xc1pfv"))"')"
VFV=$(echo "$d" | jq -r '.netdev | ltrimstr("xc1pfv")')
check_eq "eswitch: that VF has the configured MAC" 02:00:00:0c:01:02 \
	"$(vf_stat $PF "$VFV" mac)"
check_eq "device-info file: vhost-user, pod is the client, the path" \
	"vhost-user 1.1.0 client $SP" \
	"$(jq -r '"\(.type) \(.version) \(."vhost-user".mode) \(."vhost-user".path)"' \
		$DEVINFO/cid-vhost-net1.json)"
echo "$CV" | jq --argjson r "$r" '. + {prevResult: $r}' |
	cni CHECK cid-vhost-0123456789 /run/netns/${P}2 net1 >/dev/null
check_eq "vhostuser CHECK: exit 0" 0 $?
echo "$CV" | cni STATUS "" "" "" >/dev/null
check_eq "STATUS with vdpad up: exit 0" 0 $?

out=$(echo "$CV" | jq ". + {deviceID: \"xc1pf/$VFV\"}" |
	cni ADD cid-taken /run/netns/${P}3 net1)
check_eq "vhostuser ADD naming a VF in use: code 100" 100 "$(echo "$out" | jq -r .code)"
check_fails "... and its IPAM allocation was released" ipam_has cid-taken

# A second one with the pod creating the socket (vdpad is the client).
CC=$(echo "$CV" | jq '.socketMode = "client" | del(.runtimeConfig) | .mac = "02:00:00:0c:01:03" |
	.deviceOptions = {max_mem: 1073741824}')
r=$(echo "$CC" | cni ADD cid-client /run/netns/${P}3 net1)
check_eq "vhostuser ADD, socketMode client: exit 0" 0 $?
check_eq "vdpad connects as the client" client \
	"$("$VDPACTL" -s $CTL -j dev show | jq -r '[.dev[] | select(.mode == "client")][0].mode')"
check_eq "deviceOptions: vdpad's device has the max_mem given" 1073741824 \
	"$("$VDPACTL" -s $CTL -j dev show | jq -r '[.dev[] | select(.mode == "client")][0].max_mem')"

# vdpad down: STATUS 50, ADD 11 (IPAM released), DEL still succeeds.
kill $VPID
wait $VPID 2>/dev/null
VPID=
out=$(echo "$CV" | cni STATUS "" "" "")
check_eq "STATUS with vdpad down: exit 1, code 50" "1 50" "$? $(echo "$out" | jq -r .code)"
out=$(echo "$CV" | cni ADD cid-later /run/netns/${P}3 net1)
check_eq "vhostuser ADD with vdpad down: code 11 (try again later)" 11 \
	"$(echo "$out" | jq -r .code)"
check_fails "... its IPAM allocation was released" ipam_has cid-later
check_eq "... and it left no socket directory" "" "$(ls -d $SOCKS/cid-later* 2>/dev/null)"
echo "$CV" | cni DEL cid-vhost-0123456789 /run/netns/${P}2 net1
check_eq "vhostuser DEL with vdpad down: exit 0" 0 $?
check_fails "... the pod's socket directory is gone" test -e "$SOCKS/cid-vhost-0123456789"
check_fails "... the device-info file is gone" test -e $DEVINFO/cid-vhost-net1.json
check_fails "... host-local released the address" ipam_has cid-vhost
echo "$CV" | cni DEL cid-vhost-0123456789 "" net1
check_eq "vhostuser DEL again, no netns: exit 0" 0 $?
echo "$CC" | cni DEL cid-client "" net1
check_eq "client-mode DEL with vdpad down: exit 0" 0 $?
check_eq "... the devices vdpad could not be told about are remembered" 2 \
	"$(ls $STATE/pending | wc -l)"
start_vdpad
# Both come back from vdpad's state file: the client-mode one running, the
# server-mode one kept but not running (its socket directory is gone).
d=$("$VDPACTL" -s $CTL -j dev show)
check_eq "vdpad came back with the client-mode device, running" true \
	"$(echo "$d" | jq '[.dev[] | select(.mode == "client")][0].running')"
check_eq "... and kept the server-mode one, not running: its directory is gone" \
	"false true" \
	"$(echo "$d" | jq -r '[.dev[] | select(.mode == "server")][0] | "\(.running) \(.error | test("missing or a symlink"))"')"
echo "$CV" | cni DEL cid-never "" net1
check_eq "the next plugin call removed it from vdpad" 0 \
	"$("$VDPACTL" -s $CTL -j dev show | jq '.dev | length')"
check_fails "... and forgot it" test -e $STATE/pending

# --- parallel ADDs never share a VF -----------------------------------------
CN=$(conf 1.1.0 netdev)
CVP=$(conf 1.1.0 vhostuser)
pids=()
for i in 1 2 3 4; do
	c=$CN
	[ $i -gt 2 ] && c=$CVP
	(echo "$c" | cni ADD cid-par$i /run/netns/$P$i net1 >/tmp/$P-par$i.json) &
	pids+=($!)
done
wait "${pids[@]}"
check_eq "4 parallel ADDs (2 netdev, 2 vhostuser) all succeeded" 4 \
	"$(cat /tmp/$P-par?.json | jq -s '[.[] | select(.interfaces)] | length')"
check_eq "... on 4 different VFs" "0 1 2 3" \
	"$(jq -r .vf $STATE/xc1net/cid-par*.json | sort | xargs)"
check_eq "... with 4 different addresses" 4 \
	"$(cat /tmp/$P-par?.json | jq -r '.ips[0].address' | sort -u | wc -l)"
out=$(echo "$CN" | cni ADD cid-par5 /run/netns/${P}5 net1)
check_eq "a fifth ADD: every VF in use, code 100" 100 "$(echo "$out" | jq -r .code)"
check_fails "... its IPAM allocation was released" ipam_has cid-par5

# --- GC ---------------------------------------------------------------------
echo "$CN" | jq '. + {"cni.dev/valid-attachments":
	[{containerID: "cid-par1", ifname: "net1"},
	 {containerID: "cid-par3", ifname: "net1"}]}' | cni GC "" "" ""
check_eq "GC: exit 0" 0 $?
check_eq "GC: only the valid attachments remain" "cid-par1:net1.json cid-par3:net1.json" \
	"$(ls $STATE/xc1net | xargs)"
check_fails "GC: the netdev attachment's interface left the pod" \
	ip -n ${P}2 link show net1
check_eq "GC: vdpad keeps only the valid vhost-user device" 1 \
	"$("$VDPACTL" -s $CTL -j dev show | jq '.dev | length')"
check_fails "GC: their addresses were released" ipam_has cid-par[24]
check "GC: the valid ones keep theirs" ipam_has cid-par1
echo "$CN" | jq '. + {"cni.dev/valid-attachments": []}' | cni GC "" "" ""
check_eq "GC with no valid attachment: nothing left in vdpad" 0 \
	"$("$VDPACTL" -s $CTL -j dev show | jq '.dev | length')"

# --- a pod namespace deleted before DEL ------------------------------------
echo "$CN" | cni ADD cid-gone /run/netns/${P}5 net1 >/dev/null
ip netns del ${P}5
# The kernel deletes a veth with its namespace; the VF's pair goes with it.
GV=$(jq -r .vf $STATE/xc1net/cid-gone:net1.json)
GMAC=$(vf_stat $PF $GV mac)
check_fails "the pod's netns deleted: VF $GV's pair is gone" \
	ip link show ${PF}r$GV
echo "$CN" | cni DEL cid-gone /run/netns/${P}5 net1
check_eq "DEL after the pod's netns is gone: exit 0" 0 $?
check_fails "... its address was released" ipam_has cid-gone
check_eq "... no state left" "" "$(ls $STATE/xc1net 2>/dev/null)"
check "... and VF $GV was rebuilt: representor and device end are back" \
	sh -c "ip link show ${PF}r$GV && ip link show ${PF}v$GV"
check_eq "... with its MAC from before the attachment" "$GMAC" "$(vf_stat $PF $GV mac)"
r=$(conf 1.1.0 netdev ".deviceID = \"xc1pf/$GV\"" | cni ADD cid-again /run/netns/${P}1 net1)
check_eq "the rebuilt VF can be attached again" 0 $?
check "... and its pod pings the external host through the eswitch" \
	ns_ping ${P}1 10.66.0.1
conf 1.1.0 netdev | cni DEL cid-again /run/netns/${P}1 net1

# --- paths built from runtime input stay inside their directories ---------
CVU=$(conf 1.1.0 vhostuser)
vdpad_sockets() { "$VDPACTL" -s $CTL -j dev show | jq -r '[.dev[].socket] | sort | join(" ")'; }
# victim: a directory and a file that planted symlinks point to.
victim() {
	rm -rf $VICTIM
	mkdir -p $VICTIM/dir
	chmod 0700 $VICTIM/dir
	echo precious >$VICTIM/dir/file
	echo precious >$VICTIM/file
}
victim_state() { echo "$(stat -c '%a %G' $VICTIM/dir) $(ls $VICTIM/dir | xargs) $(cat $VICTIM/file)"; }
VINTACT="700 root file precious"

# Two container IDs with the same first 12 characters.
ra=$(echo "$CVU" | cni ADD xc1-shared12-aaaa /run/netns/${P}1 net1)
rb=$(echo "$CVU" | cni ADD xc1-shared12-bbbb /run/netns/${P}2 net1)
SA=$(echo "$ra" | jq -r '.interfaces[0].socketPath')
SB=$(echo "$rb" | jq -r '.interfaces[0].socketPath')
check_eq "IDs sharing 12 characters: distinct sockets, in directories of the whole IDs" \
	"$SOCKS/xc1-shared12-aaaa/net1.sock $SOCKS/xc1-shared12-bbbb/net1.sock" "$SA $SB"
check "... vdpad serves both" test -S "$SA" -a -S "$SB"
echo "$CVU" | cni DEL xc1-shared12-aaaa /run/netns/${P}1 net1
check_eq "DEL of the first: exit 0, its socket directory is gone" "0 no" \
	"$? $(test -e "$(dirname "$SA")" && echo yes || echo no)"
check "... the second's socket is still there" test -S "$SB"
check_eq "... and vdpad still has the second's device, on that socket" "$SB" "$(vdpad_sockets)"
echo "$CVU" | cni DEL xc1-shared12-bbbb /run/netns/${P}2 net1

# IDs too long for a socket path: a directory named by a hash of the ID.
LONG=xc1-$(printf 'l%.0s' $(seq 90))
ra=$(echo "$CVU" | cni ADD $LONG-a /run/netns/${P}1 net1)
rb=$(echo "$CVU" | cni ADD $LONG-b /run/netns/${P}2 net1)
SA=$(echo "$ra" | jq -r '.interfaces[0].socketPath')
SB=$(echo "$rb" | jq -r '.interfaces[0].socketPath')
check_eq "96-character IDs differing at the end: sockets in _<16 hex> directories, distinct" \
	"true true true" "$(echo "$SA" | grep -qxE "$SOCKS/_[0-9a-f]{16}/net1.sock" && echo true) $(
	echo "$SB" | grep -qxE "$SOCKS/_[0-9a-f]{16}/net1.sock" && echo true) $(
	[ "$SA" != "$SB" ] && echo true)"
check_eq "... each directory's owner file names its whole ID" "$LONG-a $LONG-b" \
	"$(cat "$(dirname "$SA")/.container-id" "$(dirname "$SB")/.container-id" | xargs)"
echo "$CVU" | cni DEL $LONG-a /run/netns/${P}1 net1
check_eq "DEL of the first leaves the second's socket and device" "true $SB" \
	"$(test -S "$SB" && echo true) $(vdpad_sockets)"
echo "$CVU" | cni DEL $LONG-b /run/netns/${P}2 net1

# A directory that is already there and not the container's.
mkdir -p $SOCKS/xc1-planted $SOCKS/xc1-owned
echo keep >$SOCKS/xc1-planted/other
echo xc1-someone-else >$SOCKS/xc1-owned/.container-id
out=$(echo "$CVU" | cni ADD xc1-planted /run/netns/${P}1 net1)
check_eq "ADD finding its socket directory with another's files: refused, code 100" \
	"1 100 keep" "$? $(echo "$out" | jq -r .code) $(cat $SOCKS/xc1-planted/other)"
out=$(echo "$CVU" | cni ADD xc1-owned /run/netns/${P}1 net1)
check_eq "ADD finding its socket directory owned by another container: refused, code 100" \
	"1 100 xc1-someone-else" "$? $(echo "$out" | jq -r .code) $(cat $SOCKS/xc1-owned/.container-id)"
check_eq "... vdpad was left without a device for either" "" "$(vdpad_sockets)"
for c in xc1-planted xc1-owned; do echo "$CVU" | cni DEL $c /run/netns/${P}1 net1; done
rm -rf $SOCKS/xc1-planted $SOCKS/xc1-owned

# A symlink planted where the pod's socket directory goes.
victim
ln -s $VICTIM/dir $SOCKS/xc1-symdir
out=$(echo "$CVU" | jq ".socketGroup = \"$GROUP\"" | cni ADD xc1-symdir /run/netns/${P}1 net1)
check_eq "a symlink at the socket directory's path: ADD refused (code 5), what it points to untouched" \
	"1 5 $VINTACT" "$? $(echo "$out" | jq -r .code) $(victim_state)"
echo "$CVU" | cni DEL xc1-symdir /run/netns/${P}1 net1
check_eq "... DEL: the symlink stays, what it points to untouched" "true $VINTACT" \
	"$(test -L $SOCKS/xc1-symdir && echo true) $(victim_state)"
rm -f $SOCKS/xc1-symdir

# Symlinks planted at the state file's temporary paths (this and the
# earlier versions' names), and as the network's state directory.
victim
mkdir -p $STATE/xc1net
ln -s $VICTIM/file "$STATE/xc1net/xc1-symst:net1.json.tmp"
ln -s $VICTIM/file "$STATE/xc1net/xc1-symst-net1.json.tmp"
conf 1.1.0 netdev | cni ADD xc1-symst /run/netns/${P}1 net1 >/dev/null
check_eq "symlinks at the state file's temporary paths: ADD exit 0, not followed" \
	"0 $VINTACT" "$? $(victim_state)"
check "... the state is a regular file" \
	test -f "$STATE/xc1net/xc1-symst:net1.json" -a ! -L "$STATE/xc1net/xc1-symst:net1.json"
conf 1.1.0 netdev | cni DEL xc1-symst /run/netns/${P}1 net1
rm -f $STATE/xc1net/xc1-symst*
ln -s $VICTIM/dir $STATE/xc1symnet
out=$(conf 1.1.0 netdev '.name = "xc1symnet"' | cni ADD xc1-symnet /run/netns/${P}1 net1)
check_eq "a symlink as the network's state directory: ADD refused (code 5), not followed" \
	"1 5 $VINTACT" "$? $(echo "$out" | jq -r .code) $(victim_state)"
check "... the VF's device end stayed in the host" vf_dev_in_host 0
conf 1.1.0 netdev '.name = "xc1symnet"' | cni DEL xc1-symnet /run/netns/${P}1 net1
rm -f $STATE/xc1symnet

# A symlink planted at the device-info file's path.
victim
mkdir -p $DEVINFO
ln -s $VICTIM/file $DEVINFO/xc1-symdi.json
echo "$CVU" | jq '.runtimeConfig.CNIDeviceInfoFile = "/tmp/xc1-devinfo/xc1-symdi.json"' |
	cni ADD xc1-symdi /run/netns/${P}1 net1 >/dev/null
check_eq "a symlink at the device-info file's path: ADD exit 0, replaced, not followed" \
	"0 vhost-user $VINTACT" \
	"$? $(jq -r .type $DEVINFO/xc1-symdi.json) $(victim_state)"
echo "$CVU" | cni DEL xc1-symdi /run/netns/${P}1 net1
check_fails "... DEL removed the device-info file" test -e $DEVINFO/xc1-symdi.json

# Network names that are no name of the spec: nothing outside stateDir.
mkdir -p $NST/state
for n in .. ../x a/b .; do
	c=$(conf 1.1.0 netdev ".name = \"$n\" | .stateDir = \"$NST/state\" | del(.ipam)")
	out=$(echo "$c" | cni ADD xc1-badname /run/netns/${P}1 net1)
	check_eq "network name \"$n\": refused, code 7 naming \"name\"; nothing written beside stateDir, nor in it" \
		"1 7 true state |" \
		"$? $(echo "$out" | jq -r '"\(.code) \(.msg | contains("\"name\""))"') $(
		ls $NST | xargs) |$(ls $NST/state | grep -v '^lock$' | xargs)"
	echo "$c" | cni DEL xc1-badname /run/netns/${P}1 net1 >/dev/null
done
check "... the VF's device end stayed in the host" vf_dev_in_host 0

# CNI_NETNS naming the host's own namespace, or no network namespace.
host_links() { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^$P" | sort | xargs; }
echo notans >/tmp/$P-notans.json
before=$(host_links)
# (/proc/self is the plugin: its own network and mount namespaces)
for ns in /proc/self/ns/net /proc/self/ns/mnt /tmp/$P-notans.json; do
	for m in netdev vhostuser; do
		out=$(conf 1.1.0 $m 'del(.ipam)' | cni ADD xc1-hostns $ns ${P}hn0)
		check_eq "$m ADD with CNI_NETNS=$ns: refused, code 4 naming CNI_NETNS; no host interface renamed" \
			"1 4 true $before" \
			"$? $(echo "$out" | jq -r '"\(.code) \(.msg | contains("CNI_NETNS"))"') $(host_links)"
		conf 1.1.0 $m 'del(.ipam)' | cni DEL xc1-hostns $ns ${P}hn0 >/dev/null
	done
done
check_eq "... vdpad got no device" "" "$(vdpad_sockets)"
out=$(conf 1.1.0 netdev '. + {prevResult: {cniVersion: "1.1.0"}}' |
	cni CHECK xc1-hostns /proc/self/ns/net ${P}hn0)
check_eq "CHECK with CNI_NETNS the host's: code 4" 4 "$(echo "$out" | jq -r .code)"
# An attachment an earlier version made in the host's namespace (its
# state file under the earlier name): DEL leaves the host's interface of
# that name alone, and forgets the attachment.
ip link add ${P}hd0 type veth peer name ${P}hd1
ip link set ${P}hd0 up
mkdir -p $STATE/xc1net
jq -n '{containerID: "xc1-hostdel", ifname: "xc1hd0", netns: "/proc/self/ns/net",
	mode: "netdev", mgmtdev: "xc1pf", vf: -1, hostName: "xc1pfv3", mac: "",
	hostMtu: 0, origVf: {}}' >$STATE/xc1net/xc1-hostdel-${P}hd0.json
conf 1.1.0 netdev | cni DEL xc1-hostdel "" ${P}hd0
check_eq "DEL of an attachment in the host's namespace: exit 0, the host's ${P}hd0 keeps its name, up" \
	"0 ${P}hd0 true" "$? $(ip -j link show ${P}hd0 | jq -r '.[0] | "\(.ifname) \(.flags | index("UP") != null)"')"
check_fails "... and its state is gone" test -e $STATE/xc1net/xc1-hostdel-${P}hd0.json
ip link del ${P}hd0

# Container IDs and interface names that are none of the spec (no IPAM:
# host-local would refuse some IDs before the plugin got to them).
mkdir -p $SD/socks
chmod 0755 $SD
c=$(echo "$CVU" | jq ".socketDir = \"$SD/socks\" | .socketGroup = \"$GROUP\" | del(.ipam)")
for id in .. . -x _x a:b; do
	out=$(echo "$c" | cni ADD "$id" /run/netns/${P}1 net1)
	check_eq "CNI_CONTAINERID \"$id\": refused, code 4; socketDir's parent untouched" \
		"1 4 755 root socks" \
		"$? $(echo "$out" | jq -r .code) $(stat -c '%a %G' $SD) $(ls $SD | xargs)"
	echo "$c" | cni DEL "$id" /run/netns/${P}1 net1 >/dev/null
done
for ifn in . .. a:b "a b" 0123456789abcdef; do
	out=$(echo "$c" | cni ADD xc1-badif /run/netns/${P}1 "$ifn")
	check_eq "CNI_IFNAME \"$ifn\": refused, code 4" "1 4" "$? $(echo "$out" | jq -r .code)"
	echo "$c" | cni DEL xc1-badif /run/netns/${P}1 "$ifn" >/dev/null
done

# --- nothing left behind ---------------------------------------------------
check_eq "no socket directories left" "" "$(ls $SOCKS 2>/dev/null)"
check_eq "no addresses held in host-local" "" \
	"$(ls $IPAM/xc1net | grep -v -e lock -e last_reserved)"
check "the plugin logged to its logFile" grep -q "GC: removing" $LOG
finish
