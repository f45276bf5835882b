#!/bin/bash
# vdpad's control socket and vdpactl's dev commands: JSON fields checked
# one by one, live counters while a DPDK virtio-user frontend runs, errors
# that say what to do, and credentials (root and the control group only).
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
command -v dpdk-testpmd >/dev/null || skip_all "dpdk-testpmd not installed (make deps)"
command -v setpriv >/dev/null || skip_all "setpriv not installed"

CTL=/tmp/xi8-ctl.sock
SOCK=/tmp/xi8-d0.sock
LOG=$(mktemp /tmp/xi8-vdpad.XXXXXX)
VDPAD=${VDPAD:-$BUILD/vdpad}
GROUP=kvm
getent group $GROUP >/dev/null || GROUP=users
GID=$(getent group $GROUP | cut -d: -f3)
ctl() { "$VDPACTL" -s $CTL "$@"; }
rm -f $CTL $SOCK

"$VDPAD" --control $CTL --control-group $GROUP --loopback $SOCK,mq=2,mtu=9000 \
	-l info >"$LOG" 2>&1 &
VPID=$!
on_exit "kill $VPID; rm -f $CTL $SOCK $LOG $LOG.tp"
for i in $(seq 50); do [ -S $CTL ] && break; sleep 0.1; done
check_eq "control socket is mode 660, group $GROUP" "660 $GROUP" \
	"$(stat -c '%a %G' $CTL)"

j=$(ctl -j dev show dev0)
check_eq "dev show -j: socket" $SOCK "$(echo "$j" | jq -r .dev.dev0.socket)"
check_eq "dev show -j: mode" server "$(echo "$j" | jq -r .dev.dev0.mode)"
check_eq "dev show -j: backend" loopback "$(echo "$j" | jq -r .dev.dev0.backend)"
check_eq "dev show -j: max_vqp" 2 "$(echo "$j" | jq -r .dev.dev0.max_vqp)"
check_eq "dev show -j: mtu" 9000 "$(echo "$j" | jq -r .dev.dev0.mtu)"
check_eq "dev show -j: not connected" false \
	"$(echo "$j" | jq -r .dev.dev0.connected)"
check_eq "dev config show -j: link down without a frontend" down \
	"$(ctl -j dev config show dev0 | jq -r .config.dev0.link)"
check "dev show (text) names the device" \
	sh -c "'$VDPACTL' -s $CTL dev show | grep -q '^dev0: socket $SOCK'"

# A frontend for a few seconds; query while it runs.
timeout -s INT 6 dpdk-testpmd --no-pci --file-prefix=xi8 -m 256 \
	--single-file-segments --lcores 0@0,1@1 \
	--vdev net_virtio_user0,path=$SOCK,queues=1 -- --forward-mode=io \
	--tx-first --stats-period 1 -a >"$LOG.tp" 2>&1 &
TP=$!
for i in $(seq 100); do
	[ "$(ctl -j dev config show dev0 | jq -r .config.dev0.link)" = up ] && break
	sleep 0.1
done
sleep 1
c=$(ctl -j dev config show dev0)
check_eq "config: link up with a frontend" up "$(echo "$c" | jq -r .config.dev0.link)"
check_eq "config: connected" true \
	"$(echo "$c" | jq -r .config.dev0.vhost_user.connected)"
check_eq "config: VERSION_1 negotiated" 1 \
	"$(echo "$c" | jq '[.config.dev0.negotiated_features[] | select(. == "VERSION_1")] | length')"
s=$(ctl -j dev stats dev0)
check_gt "stats: rx_packets counting" "$(echo "$s" | jq .stats.dev0.rx_packets)" 1000
check_gt "stats: tx_bytes counting" "$(echo "$s" | jq .stats.dev0.tx_bytes)" 64000
check_eq "stats: no drops while the loop runs" 0 \
	"$(echo "$s" | jq '[.stats.dev0.drops[]] | add')"
check_gt "stats: busy polls counted" \
	"$(echo "$s" | jq .stats.dev0.datapath.busy_polls)" 0
check_gt "stats: busy time counted" \
	"$(echo "$s" | jq .stats.dev0.datapath.busy_ns)" 0
check_eq "stats: no kernel TX wakeups on loopback" 0 \
	"$(echo "$s" | jq .stats.dev0.datapath.tx_wakeups)"
q=$(ctl -j dev vstats show dev0 qidx 1)
check_eq "vstats qidx 1 is the TX queue" tx "$(echo "$q" | jq -r .vstats.dev0.type)"
check_gt "vstats qidx 1 packets" "$(echo "$q" | jq .vstats.dev0.packets)" 1000
check_eq "vstats qidx 1: no ring errors" "{}" \
	"$(echo "$q" | jq -c .vstats.dev0.ring_errors)"
check_eq "vstats qidx 0 is the RX queue" rx \
	"$(ctl -j dev vstats show dev0 qidx 0 | jq -r .vstats.dev0.type)"
wait $TP
# Without traffic the datapath is not busy.
b1=$(ctl -j dev stats dev0 | jq .stats.dev0.datapath.busy_polls)
sleep 0.5
check_eq "stats: no busy polls without traffic" "$b1" \
	"$(ctl -j dev stats dev0 | jq .stats.dev0.datapath.busy_polls)"

# Errors say what is wrong, exit code 1.
out=$(ctl dev vstats show dev0 qidx 9 2>&1)
check_eq "qidx out of range: exit 1" 1 $?
check "qidx out of range: says the range" \
	sh -c "echo '$out' | grep -q 'from 0 to 3'"
out=$(ctl dev show nosuch 2>&1)
check_eq "unknown device: exit 1" 1 $?
check "unknown device: named in the error" \
	sh -c "echo '$out' | grep -q 'no device \"nosuch\"'"
out=$("$VDPACTL" -s /tmp/xi8-absent.sock dev show 2>&1)
check_eq "vdpad not running: exit 1" 1 $?
check "vdpad not running: the error says so" \
	sh -c "echo '$out' | grep -q 'is vdpad running'"
check_fails "a second vdpad on the same control socket refuses to start" \
	"$VDPAD" --control $CTL --loopback /tmp/xi8-d1.sock -l error
check "the first vdpad's control socket still works" ctl dev show dev0

# Credentials: nobody is refused; nobody in the control group is let in.
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$VDPACTL" -s $CTL dev show 2>&1)
check_eq "a non-root peer outside the group: exit 1" 1 $?
check "a non-root peer outside the group is told why" \
	sh -c "echo '$out' | grep -qiE 'permission denied'"
# Past the file mode (opened to all by hand), vdpad's own credential
# check (SO_PEERCRED) still refuses the stranger.
chmod 0666 $CTL
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$VDPACTL" -s $CTL dev show 2>&1)
check_eq "with the socket open to all, a stranger still gets exit 1" 1 $?
check "vdpad itself refused the stranger" \
	sh -c "echo '$out' | grep -q 'root or the control group only'"
chmod 0660 $CTL
check "a non-root member of the control group is served" \
	setpriv --reuid=65534 --regid=65534 --groups=$GID \
	"$VDPACTL" -s $CTL dev show dev0

# --- devices added and removed at run time ------------------------------
teardown_rt() {
	"$VDPACTL" mgmtdev del xi8pf
	ip link del xi8u
	ip link del xi8v0
	rm -f /tmp/xi8-rt*.sock
}
on_exit teardown_rt
teardown_rt >/dev/null 2>&1
check "dev add: a loopback device" ctl dev add name rt0 loopback \
	socket /tmp/xi8-rt0.sock mtu 4000
check "dev add: its socket exists" test -S /tmp/xi8-rt0.sock
check_eq "dev add: dev show -j reports it" "loopback 4000" \
	"$(ctl -j dev show rt0 | jq -r '.dev.rt0 | "\(.backend) \(.mtu)"')"
out=$(ctl dev add name rt0 loopback socket /tmp/xi8-rt9.sock 2>&1)
check_eq "dev add: a taken name: exit 1" 1 $?
check "dev add: a taken name is named" sh -c "echo '$out' | grep -q 'exists already'"
check "dev add without a socket" ctl dev add name rt9 loopback
check_eq "... is served on /run/xvdpa/NAME.sock" "/run/xvdpa/rt9.sock true" \
	"$(ctl -j dev show rt9 | jq -r .dev.rt9.socket) $(test -S /run/xvdpa/rt9.sock && echo true)"
check "... and removed with it" sh -c "'$VDPACTL' -s $CTL dev del rt9 && ! test -e /run/xvdpa/rt9.sock"
check_fails "dev add: two backends at once are refused" \
	ctl dev add name rt9 loopback netdev lo socket /tmp/xi8-rt9.sock
# vdpactl checks values with the device table before asking vdpad.
out=$(ctl dev add name rt9 loopback mode listen 2>&1)
check_eq "dev add: a bad mode is refused by vdpactl (exit 1)" 1 $?
check "... naming the keyword and what it takes" \
	sh -c "echo '$out' | grep -q 'mode \"listen\" invalid: server or client'"
check_fails "... and no device was made" ctl dev show rt9
check "dev add help: each keyword with its range" \
	sh -c "'$VDPACTL' dev add help | grep -q 'max_vqp N .*(1 to 8, default 1)'"
ip link add xi8v0 type veth peer name xi8v1
ip link set xi8v0 up
ip link set xi8v1 up
check "dev add: a netdev through AF_XDP" ctl dev add name rt1 netdev xi8v0 \
	socket /tmp/xi8-rt1.sock
check "dev add: vdpad attached its program to the netdev" \
	sh -c "ip link show xi8v0 | grep -q prog/xdp"
out=$(ctl dev add name rt2 netdev xi8v0 socket /tmp/xi8-rt2.sock 2>&1)
check "dev add: a netdev already bound is refused" \
	sh -c "echo '$out' | grep -q 'bound by another device'"
check "dev del: the AF_XDP device" ctl dev del rt1
check_fails "dev del: the program is detached" \
	sh -c "ip link show xi8v0 | grep -q prog/xdp"
check_fails "dev del: the socket is gone" test -e /tmp/xi8-rt1.sock
check_fails "dev del: an unknown device fails" ctl dev del rt1

# VFs of an emulated PF, picked by vdpad.
ip link add xi8u type veth peer name xi8w
ip link set xi8w up
ip link set xi8u up
check "a mgmtdev with 2 VFs" "$VDPACTL" mgmtdev add xi8pf uplink xi8u numvfs 2
check "dev add on the mgmtdev: vdpad picks a free VF" \
	ctl dev add name vf0 mgmtdev xi8pf socket /tmp/xi8-rt3.sock
check "dev add on the mgmtdev: the next free VF" \
	ctl dev add name vf1 mgmtdev xi8pf socket /tmp/xi8-rt4.sock
check_eq "the two devices got VF 0 and VF 1" "xi8pfv0 xi8pfv1" \
	"$(ctl -j dev show | jq -r '[.dev.vf0.netdev, .dev.vf1.netdev] | join(" ")')"
out=$(ctl dev add name vf2 mgmtdev xi8pf socket /tmp/xi8-rt5.sock 2>&1)
check "dev add: no free VF left is said so" \
	sh -c "echo '$out' | grep -q 'every VF of xi8pf is in use'"
out=$(ctl dev add name vf2 mgmtdev xi8pf vf 1 socket /tmp/xi8-rt5.sock 2>&1)
check "dev add: a VF in use is said so" \
	sh -c "echo '$out' | grep -q 'vf 1 of xi8pf is missing or in use'"
check "dev del vf1 frees VF 1" ctl dev del vf1
mac1=$("$VDPACTL" -j vf show xi8pf vf 1 | jq -r '.vf[0].mac')
out=$(ctl dev add name vf2 mgmtdev xi8pf vf 1 mac 02:00:00:08:00:09 \
	socket /tmp/xi8-no-such-dir/s.sock 2>&1)
check_eq "dev add with a mac that fails later (no socket dir): exit 1" 1 $?
check_eq "... and the VF's MAC is put back" "$mac1" \
	"$("$VDPACTL" -j vf show xi8pf vf 1 | jq -r '.vf[0].mac')"
check "dev add with vf 1, a mac and no socket now works" \
	ctl dev add name vf2 mgmtdev xi8pf vf 1 mac 02:00:00:08:00:01
check_eq "... the VF has that MAC" 02:00:00:08:00:01 \
	"$("$VDPACTL" -j vf show xi8pf vf 1 | jq -r '.vf[0].mac')"
check_eq "... the socket is /run/xvdpa/vf2.sock" /run/xvdpa/vf2.sock \
	"$(ctl -j dev show vf2 | jq -r .dev.vf2.socket)"
check "... and it exists" test -S /run/xvdpa/vf2.sock
check_eq "three devices listed" "rt0 vf0 vf2" \
	"$(ctl -j dev show | jq -r '[.dev | keys[]] | sort | join(" ")' | sed 's/dev0 //')"

kill -TERM $VPID
wait $VPID
check_eq "vdpad exits cleanly" 0 $?
check_fails "control socket removed at exit" test -e $CTL
finish
