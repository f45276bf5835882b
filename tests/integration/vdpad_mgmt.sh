#!/bin/bash
# mgmtdev and vf commands through vdpad: add/show/del cycles checked field
# by field (jq), errors that say what to do, the state file, the fallback
# to the kernel without vdpad; then SIGKILL + restart: the PF pinned from
# before is adopted (not duplicated), VF attributes and devices come back,
# and a DPDK virtio-user frontend in server mode (vdpad reconnects to it)
# passes traffic again without being restarted.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
command -v dpdk-testpmd >/dev/null || skip_all "dpdk-testpmd not installed (make deps)"

CTL=/tmp/x5-ctl.sock
STATE=/tmp/x5-state.json
SOCK=/tmp/x5-d0.sock
LOG=$(mktemp /tmp/x5-vdpad.XXXXXX)
TPLOG=$(mktemp /tmp/x5-testpmd.XXXXXX)
VDPAD=${VDPAD:-$BUILD/vdpad}
ctl() { "$VDPACTL" -s $CTL "$@"; }
VPID=
TP=

start_vdpad() {
	"$VDPAD" --control $CTL --state $STATE -l info >>"$LOG" 2>&1 &
	VPID=$!
	local i
	for i in $(seq 50); do [ -S $CTL ] && return 0; sleep 0.1; done
	return 1
}
# wait_log TEXT: vdpad restores its state once the control socket exists.
wait_log() {
	local i
	for i in $(seq 50); do grep -q "$1" "$LOG" && return 0; sleep 0.1; done
	return 1
}
cleanup() {
	[ -z "$TP" ] || kill -9 $TP
	[ -z "$VPID" ] || kill -9 $VPID
	"$VDPACTL" -s /tmp/x5-none.sock mgmtdev del x5pf
	"$VDPACTL" -s /tmp/x5-none.sock mgmtdev del x5pg
	ip link del x5u
	ip link del x5w
	rm -f $CTL $STATE $STATE.tmp $SOCK /dev/hugepages/x5*
	[ "$T_FAIL" -gt 0 ] && sed "s/^/#   /" $LOG && tail -30 $TPLOG
	rm -f $LOG $TPLOG
}
on_exit cleanup
cleanup >/dev/null 2>&1

ip link add x5u type veth peer name x5w
ip link set x5u up
ip link set x5w up
check "vdpad starts with an empty state" start_vdpad

# --- mgmtdev through vdpad -----------------------------------------------
check "mgmtdev add through vdpad" ctl mgmtdev add x5pf uplink x5u numvfs 2
j=$(ctl -j mgmtdev show x5pf)
check_eq "mgmtdev show -j: uplink" x5u "$(echo "$j" | jq -r .mgmtdev.x5pf.uplink)"
check_eq "mgmtdev show -j: num_vfs" 2 "$(echo "$j" | jq .mgmtdev.x5pf.num_vfs)"
check_eq "mgmtdev show -j: uplink_ifindex" "$(cat /sys/class/net/x5u/ifindex)" \
	"$(echo "$j" | jq .mgmtdev.x5pf.uplink_ifindex)"
check_eq "mgmtdev show -j: uplink_link" up "$(echo "$j" | jq -r .mgmtdev.x5pf.uplink_link)"
check_eq "mgmtdev show -j: saved by vdpad" true "$(echo "$j" | jq .mgmtdev.x5pf.saved)"
check "mgmtdev show (text)" sh -c \
	"'$VDPACTL' -s $CTL mgmtdev show | grep -qx 'x5pf: uplink x5u numvfs 2 link up saved'"
check_eq "state file: the mgmtdev" "x5pf x5u 2" \
	"$(jq -r '.mgmtdevs[0] | "\(.name) \(.uplink) \(.numvfs)"' $STATE)"
check "its VF netdevs exist" ip link show x5pfv1
out=$(ctl mgmtdev add x5pf uplink x5u numvfs 1 2>&1)
check_eq "mgmtdev add: a taken name: exit 1" 1 $?
check_eq "mgmtdev add: a taken name is said so" "vdpactl: mgmtdev x5pf exists already" "$out"
out=$(ctl mgmtdev add x5pg uplink x5nosuch numvfs 1 2>&1)
check_eq "mgmtdev add: a missing uplink: exit 1" 1 $?
check_eq "mgmtdev add: a missing uplink is named" \
	"vdpactl: uplink x5nosuch does not exist" "$out"
out=$(ctl mgmtdev add x5pg uplink x5w numvfs 65 2>&1)
check_eq "mgmtdev add: numvfs 65: exit 1" 1 $?
check_eq "mgmtdev add: numvfs 65 says the range" \
	'vdpactl: numvfs "65" invalid: 1 to 64' "$out"
check_fails "the refused adds left nothing pinned" test -e /sys/fs/bpf/xvdpa/x5pg
check_eq "the refused adds left the state alone" 1 "$(jq '.mgmtdevs | length' $STATE)"
out=$(ctl mgmtdev ad x5pg 2>&1)
check_eq "no prefix matching: exit 1" 1 $?
check_eq "no prefix matching: the message" \
	'vdpactl: unknown command "mgmtdev ad"; try "vdpactl mgmtdev help"' "$out"
check "mgmtdev help lists its commands" sh -c \
	"'$VDPACTL' mgmtdev help | grep -q 'vdpactl mgmtdev add NAME uplink DEV numvfs N'"

# --- vf through vdpad ----------------------------------------------------
check "vf set through vdpad" ctl vf set x5pf vf 1 mac 02:55:00:00:00:01 \
	vlan 10 qos 3 spoofchk off trust on state enable max_tx_rate 100
v=$(ctl -j vf show x5pf vf 1)
check_eq "vf show -j: one VF" 1 "$(echo "$v" | jq '.vf | length')"
check_eq "vf show -j: mgmtdev" x5pf "$(echo "$v" | jq -r .vf[0].mgmtdev)"
check_eq "vf show -j: vf" 1 "$(echo "$v" | jq .vf[0].vf)"
check_eq "vf show -j: mac" 02:55:00:00:00:01 "$(echo "$v" | jq -r .vf[0].mac)"
check_eq "vf show -j: vlan" 10 "$(echo "$v" | jq .vf[0].vlan)"
check_eq "vf show -j: qos" 3 "$(echo "$v" | jq .vf[0].qos)"
check_eq "vf show -j: spoofchk" false "$(echo "$v" | jq .vf[0].spoofchk)"
check_eq "vf show -j: trust" true "$(echo "$v" | jq .vf[0].trust)"
check_eq "vf show -j: state" enable "$(echo "$v" | jq -r .vf[0].state)"
check_eq "vf show -j: link" up "$(echo "$v" | jq -r .vf[0].link)"
check_eq "vf show -j: max_tx_rate" 100 "$(echo "$v" | jq .vf[0].max_tx_rate)"
check_eq "vf show -j: representor" x5pfr1 "$(echo "$v" | jq -r .vf[0].representor)"
check_eq "vf show -j: netdev" x5pfv1 "$(echo "$v" | jq -r .vf[0].netdev)"
check_eq "vf show -j: counters" 0 "$(echo "$v" | jq .vf[0].stats.drops.spoof)"
check_eq "the VF's netdev got the MAC" 02:55:00:00:00:01 \
	"$(cat /sys/class/net/x5pfv1/address)"
check_eq "vf show -j of the mgmtdev lists both VFs" "0 1" \
	"$(ctl -j vf show x5pf | jq -r '[.vf[].vf] | join(" ")')"
check_eq "state file: the VF attributes" "1 02:55:00:00:00:01 10 3 false true enable 100" \
	"$(jq -r '.mgmtdevs[0].vfs[0] | "\(.vf) \(.mac) \(.vlan) \(.qos) \(.spoofchk) \(.trust) \(.state) \(.max_tx_rate)"' $STATE)"
out=$(ctl vf set x5pf vf 5 trust on 2>&1)
check_eq "vf set: a VF that does not exist: exit 1" 1 $?
check_eq "vf set: a VF that does not exist is said so" \
	"vdpactl: mgmtdev x5pf has no vf 5 (it has 2)" "$out"
out=$(ctl vf set x5pf vf 0 vlan 4095 2>&1)
check_eq "vf set: vlan 4095: exit 1" 1 $?
check_eq "vf set: vlan 4095 says the range" \
	'vdpactl: invalid vlan "4095": expected a VLAN id from 0 (none) to 4094' "$out"
check_eq "the refused vf set changed nothing" 0 \
	"$(ctl -j vf show x5pf vf 0 | jq .vf[0].vlan)"

# --- a device on a VF; mgmtdev del refused while it is bound -------------
check "dev add on VF 0" ctl dev add name x5d0 mgmtdev x5pf vf 0 socket $SOCK \
	mode client
out=$(ctl mgmtdev del x5pf 2>&1)
check_eq "mgmtdev del while a device uses a VF: exit 1" 1 $?
check_eq "mgmtdev del while in use says what to do" \
	'vdpactl: mgmtdev x5pf is in use: device x5d0 is bound to x5pfv0 (run "vdpactl dev del x5d0" first)' "$out"
check "the refused del left the mgmtdev" test -e /sys/fs/bpf/xvdpa/x5pf

# --- a DPDK frontend in server mode; vdpad connects to it ----------------
# txonly: frames the frontend sends leave through the VF and its
# representor, then the uplink; x5w (the uplink's peer) counts them.
ip link set x5pfv0 up
dpdk-testpmd --no-pci --file-prefix=x5 -m 256 --single-file-segments \
	--lcores 0@0,1@1 --vdev net_virtio_user0,path=$SOCK,server=1,queues=1 \
	-- --forward-mode=txonly --eth-peer=0,ff:ff:ff:ff:ff:ff \
	--stats-period 1 -a >"$TPLOG" 2>&1 &
TP=$!
for i in $(seq 100); do
	[ "$(ctl -j dev config show x5d0 | jq -r .config.x5d0.link)" = up ] && break
	sleep 0.1
done
sleep 2
s=$(ctl -j dev stats x5d0)
tx1=$(echo "$s" | jq .stats.x5d0.tx_packets)
check_gt "frames from the frontend before the restart" "$tx1" 10000
# Transmit wakes the kernel in batches, not per frame.
check_gt "stats: kernel TX wakeups counted" \
	"$(echo "$s" | jq .stats.x5d0.datapath.tx_wakeups)" 0
check "stats: fewer TX wakeups than a tenth of the frames" \
	test "$(echo "$s" | jq '.stats.x5d0.datapath.tx_wakeups * 10 < .stats.x5d0.tx_packets')" = true
check_gt "stats: busy time counted" \
	"$(echo "$s" | jq .stats.x5d0.datapath.busy_ns)" 0

kill -9 $VPID
wait $VPID 2>/dev/null
VPID=
sleep 1
check "the PF stays pinned while vdpad is down" test -e /sys/fs/bpf/xvdpa/x5pf
check "vdpad starts again after SIGKILL" start_vdpad
check "the log says the mgmtdev was adopted" wait_log "state: adopted mgmtdev x5pf"
check_eq "one mgmtdev, not two" x5pf \
	"$(ctl -j mgmtdev show | jq -r '[.mgmtdev | keys[] | select(startswith("x5"))] | join(" ")')"
check_eq "still 2 VFs (no VF created twice)" 2 \
	"$(ip -br link | grep -c '^x5pfr')"
v=$(ctl -j vf show x5pf vf 1)
check_eq "VF 1 keeps its attributes" "02:55:00:00:00:01 10 3 false true enable 100" \
	"$(echo "$v" | jq -r '.vf[0] | "\(.mac) \(.vlan) \(.qos) \(.spoofchk) \(.trust) \(.state) \(.max_tx_rate)"')"
for i in $(seq 100); do
	[ "$(ctl -j dev config show x5d0 | jq -r .config.x5d0.link)" = up ] && break
	sleep 0.1
done
check_eq "the device is back and linked to the same frontend" up \
	"$(ctl -j dev config show x5d0 | jq -r .config.x5d0.link)"
sleep 2
s=$(ctl -j dev stats x5d0)
check_gt "frames from the same frontend after the restart" \
	"$(echo "$s" | jq .stats.x5d0.tx_packets)" 10000
check_eq "no broken session after the restart" 0 \
	"$(ctl -j dev config show x5d0 | jq .config.x5d0.vhost_user.broken_sessions)"
check "the frontend was not restarted" kill -0 $TP
check "testpmd saw the reconnection" grep -q "reconnection succeeds" "$TPLOG"
check_eq "one XDP program on the VF (re-attached, not duplicated)" 1 \
	"$(ip -d link show x5pfv0 | grep -c 'prog/xdp')"
kill -INT $TP
wait $TP
TP=

# --- cleanup through vdpad, state follows --------------------------------
check "dev del" ctl dev del x5d0
check "mgmtdev del through vdpad" ctl mgmtdev del x5pf
check_fails "the mgmtdev's pins are gone" test -e /sys/fs/bpf/xvdpa/x5pf
check_eq "state file: no mgmtdev, no device" "0 0" \
	"$(jq -r '"\(.mgmtdevs | length) \(.devices | length)"' $STATE)"

# A PF in the state file that is gone is re-created at start.
check "mgmtdev add x5pg" ctl mgmtdev add x5pg uplink x5u numvfs 1
kill -9 $VPID
wait $VPID 2>/dev/null
VPID=
"$VDPACTL" -s /tmp/x5-none.sock mgmtdev del x5pg 2>/dev/null
check "vdpad starts again" start_vdpad
check "the log says the mgmtdev was re-created" \
	wait_log "state: re-created mgmtdev x5pg"
check_eq "the gone mgmtdev is back" "x5u 1" \
	"$(ctl -j mgmtdev show x5pg | jq -r '.mgmtdev.x5pg | "\(.uplink) \(.num_vfs)"')"

# A VF whose veth pair went while vdpad was down (a pod's namespace
# deleted with its device end in it) is rebuilt; the PF is adopted.
check "vf set on x5pg" ctl vf set x5pg vf 0 mac 02:55:00:00:00:07
kill -9 $VPID
wait $VPID 2>/dev/null
VPID=
ip link del x5pgr0
check "vdpad starts again" start_vdpad
check "the log says the mgmtdev was adopted and its lost VF rebuilt" \
	wait_log "state: adopted mgmtdev x5pg, lost VFs rebuilt"
check "VF 0's representor and device end are back" \
	sh -c "ip link show x5pgr0 && ip link show x5pgv0"
check_eq "with the MAC it had" 02:55:00:00:00:07 \
	"$(ctl -j vf show x5pg vf 0 | jq -r '.vf[0].mac')"
# (xv_rep_tc_ingress: the kernel keeps 15 characters of a program's name)
check_eq "and the representor carries the eswitch's TC program" 1 \
	"$(tc filter show dev x5pgr0 ingress | grep -c 'name xv_rep_tc_ingre')"
check "mgmtdev del x5pg" ctl mgmtdev del x5pg
kill -TERM $VPID
wait $VPID
check_eq "vdpad stops cleanly" 0 $?
VPID=

# --- without vdpad: the kernel directly, with a warning -----------------
out=$("$VDPACTL" -s $CTL mgmtdev add x5pg uplink x5u numvfs 1 2>&1 >/dev/null)
check_eq "without vdpad mgmtdev add still works: exit 0" 0 $?
check_eq "and says it is not saved (one line)" 1 "$(echo "$out" | grep -c 'not saved')"
check "the mgmtdev exists" test -e /sys/fs/bpf/xvdpa/x5pg
check_eq "without vdpad vf show -j works" x5pgv0 \
	"$("$VDPACTL" -s $CTL -j vf show x5pg vf 0 | jq -r .vf[0].netdev)"
check "without vdpad mgmtdev del works" "$VDPACTL" -s $CTL mgmtdev del x5pg
finish
