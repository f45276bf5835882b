#!/bin/bash
# vdpad's state file: devices added at run time are saved atomically and
# re-created when vdpad starts again, also after SIGKILL; a broken state
# file stops vdpad with a clear error instead of losing it.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
command -v dpdk-testpmd >/dev/null || skip_all "dpdk-testpmd not installed (make deps)"

CTL=/tmp/xi9-ctl.sock
STATE=/tmp/xi9-state.json
LB=/tmp/xi9-lb0.sock
ND=/tmp/xi9-nd0.sock
LOG=$(mktemp /tmp/xi9-vdpad.XXXXXX)
NOTIFY=/tmp/xi9-notify.sock
NOTES=/tmp/xi9-notify.txt
LPID=
VDPAD=${VDPAD:-$BUILD/vdpad}
ctl() { "$VDPACTL" -s $CTL "$@"; }
VPID=

start_vdpad() {
	"$VDPAD" --control $CTL --state $STATE -l info >>"$LOG" 2>&1 &
	VPID=$!
	local i
	for i in $(seq 50); do [ -S $CTL ] && return 0; sleep 0.1; done
	return 1
}
cleanup() {
	[ -z "$VPID" ] || kill -9 $VPID
	[ -z "$LPID" ] || kill $LPID
	ip link del xi9v0
	rm -f $CTL $STATE $STATE.tmp $LB $ND $NOTIFY $NOTES
	[ "$T_FAIL" -gt 0 ] && sed "s/^/#   /" $LOG
	rm -f $LOG
}
on_exit cleanup
cleanup >/dev/null 2>&1

# rx_through DEV SOCK: frames a testpmd io loop got back in 3 s.
rx_through() {
	timeout -s INT 4 dpdk-testpmd --no-pci --file-prefix=xi9 -m 256 \
		--single-file-segments --lcores 0@0,1@1 \
		--vdev net_virtio_user0,path=$2,queues=1 -- --forward-mode=io \
		--tx-first --stats-period 1 -a 2>&1 |
		awk '/Forward statistics for port 0/ {p=1}
			p && /RX-packets/ {print $2; exit}'
}

ip link add xi9v0 type veth peer name xi9v1
ip link set xi9v0 up
ip link set xi9v1 up
check "vdpad starts with an empty state" start_vdpad
check "dev add lb0 (loopback)" ctl dev add name lb0 loopback socket $LB mtu 2000
check "dev add nd0 (AF_XDP on a veth)" ctl dev add name nd0 netdev xi9v0 socket $ND
check_eq "state file lists both devices" "lb0 nd0" \
	"$(jq -r '[.devices[].name] | join(" ")' $STATE)"
check_eq "state file keeps nd0's netdev" xi9v0 \
	"$(jq -r '.devices[] | select(.name == "nd0") | .config.netdev' $STATE)"
check_eq "state file is private (0600)" 600 "$(stat -c %a $STATE)"
check_gt "lb0 passes traffic" "$(rx_through lb0 $LB)" 1000

kill -9 $VPID
wait $VPID 2>/dev/null
VPID=
# The restart runs as systemd would start it (Type=notify): a service
# manager's notify socket, played by tests/tools/notify_listener.py.
python3 tests/tools/notify_listener.py $NOTIFY $NOTES &
LPID=$!
for i in $(seq 50); do [ -S $NOTIFY ] && break; sleep 0.1; done
NOTIFY_SOCKET=$NOTIFY check "vdpad starts again after SIGKILL" start_vdpad
for i in $(seq 100); do grep -q READY=1 $NOTES 2>/dev/null && break; sleep 0.1; done
check "READY=1 reached the service manager" grep -qx READY=1 $NOTES
check "its STATUS counts the 2 restored devices" \
	grep -q "^STATUS=2 device(s), 0 mgmtdev(s)$" $NOTES
check "READY came after the devices were re-created" sh -c \
	"[ \$(grep -n 'state: re-created nd0' $LOG | tail -1 | cut -d: -f1) -lt \$(grep -n 'ready: 2 device' $LOG | tail -1 | cut -d: -f1) ]"
wait $LPID
LPID=
sleep 0.5
check_eq "both devices re-created" "lb0 nd0" \
	"$(ctl -j dev show | jq -r '[.dev | keys[]] | sort | join(" ")')"
check_eq "lb0 keeps its MTU" 2000 "$(ctl -j dev show lb0 | jq .dev.lb0.mtu)"
check "nd0's program is attached again" \
	sh -c "ip link show xi9v0 | grep -q prog/xdp"
check "the log says what was re-created" grep -q "state: re-created nd0" "$LOG"
check_gt "lb0 passes traffic after the restart" "$(rx_through lb0 $LB)" 1000

check "dev del nd0" ctl dev del nd0
check_eq "state file lists lb0 only" lb0 \
	"$(jq -r '[.devices[].name] | join(" ")' $STATE)"
check_fails "nd0's program is detached" \
	sh -c "ip link show xi9v0 | grep -q prog/xdp"
kill -TERM $VPID
wait $VPID
check_eq "vdpad stops cleanly" 0 $?
VPID=
check_eq "a clean stop keeps the state" lb0 \
	"$(jq -r '[.devices[].name] | join(" ")' $STATE)"

echo '{"version": 1, "devices": [' >$STATE
"$VDPAD" --control $CTL --state $STATE -l info >"$LOG.bad" 2>&1
check_eq "a broken state file stops vdpad: exit 1" 1 $?
check "the error names the file" grep -q "state file $STATE" "$LOG.bad"
rm -f "$LOG.bad"
finish
