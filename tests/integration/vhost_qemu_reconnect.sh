#!/bin/bash
# A QEMU guest survives a vdpad restart: QEMU (TCG) connects to vdpad's
# loopback device with `-chardev socket,reconnect=1`; vdpad is killed with
# SIGKILL while the guest pings through it and started again on the same
# socket. QEMU reconnects by itself and sets the device up again; the
# guest, never restarted, sees its pings fail while vdpad is gone and then
# come back, and a TCP stream after the restart arrives intact.
#
#   guest stack --TX--> eth0 ==vhost-user==> vdpad --loopback--> RX --> stack
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root

SOCK=/tmp/xqr-vdpad.sock
MAC=52:54:00:3a:0e:01
VDPAD=${VDPAD:-$BUILD/vdpad}
GUEST=${GUEST_DIR:-$BUILD/guest}
TMP=$(mktemp -d /tmp/xqr.XXXXXX)
on_exit "rm -rf $TMP"
LOG=$TMP/vdpad.log
need_guest "$GUEST" "$TMP"

# --- the guest's test program --------------------------------------------
# Traffic to 10.231.14.2 (an address of the guest's own) is routed out of
# eth0 and comes back only through vdpad's loopback
# (tests/tools/guest-loopback-route.sh).
echo "LB_NET=10.231.14" >"$TMP/vars"
cat >"$TMP/guest.sh" <<'EOF'
ok() { ping -c 1 -W 1 10.231.14.2 >/dev/null 2>&1; }
i=0
while [ $i -lt 50 ] && ! ok; do i=$((i + 1)); done
echo "XV-BEFORE=$(ping -c 5 -i 0.2 -W 2 10.231.14.2 | awk '/transmitted/ {print $4 "/" $1}')"
# The host kills vdpad when it sees this line and starts it again 2 s later.
echo "XV-KILL-NOW"
# One ping a round (1 s timeout) until one failed and then 3 passed in a
# row; 90 rounds at most.
fails=0 run=0 i=0
while [ $i -lt 90 ]; do
	if ok; then
		[ $fails -gt 0 ] && run=$((run + 1))
		[ $run -ge 3 ] && break
	else
		fails=$((fails + 1))
		run=0
	fi
	i=$((i + 1))
done
echo "XV-OUTAGE-FAILS=$fails"
echo "XV-RECOVERED=$([ $run -ge 3 ] && echo yes || echo no)"
echo "XV-AFTER=$(ping -c 10 -i 0.1 -W 2 10.231.14.2 | awk '/transmitted/ {print $4 "/" $1}')"
head -c 262144 /dev/urandom >/tmp/in
sleep 30 | nc -l -p 5001 >/tmp/out &
lpid=$!
sleep 0.3
nc -w 5 10.231.14.2 5001 </tmp/in &
cpid=$!
i=0
while [ $i -lt 150 ] && kill -0 $lpid 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
kill $lpid $cpid 2>/dev/null
killall sleep 2>/dev/null
cmp -s /tmp/in /tmp/out && echo "XV-TCP=intact" ||
	echo "XV-TCP=bad $(wc -c </tmp/out) bytes"
EOF
guest_initrd "$GUEST" "$TMP/initrd" "$TMP/vars" \
	tests/tools/guest-loopback-route.sh "$TMP/guest.sh"

# --- vdpad, started twice on the same socket ---------------------------------
VPID=
# shellcheck disable=SC2016 # expands at exit: the current vdpad and QEMU
on_exit 'kill -9 $VPID $QPID 2>/dev/null; rm -f $SOCK'
start_vdpad() {
	rm -f $SOCK
	"$VDPAD" --control none --loopback $SOCK -l info >>"$LOG" 2>&1 &
	VPID=$!
	local _
	for _ in $(seq 50); do [ -S $SOCK ] && return 0; sleep 0.1; done
	return 1
}
check "vdpad listens on its vhost-user socket" start_vdpad

qemu_guest "$GUEST" "$TMP/initrd" $SOCK $MAC "$TMP/console" "$TMP/qemu.log" \
	,reconnect=1 &
QPID=$!

xv() { sed -n "s/^XV-$1=//p" "$TMP/console" | tr -d '\r' | tail -1; }
marker() { grep -aq "^XV-$1" "$TMP/console"; }
wait_marker() { # wait_marker NAME SECONDS
	local _
	for _ in $(seq $(($2 * 10))); do
		marker "$1" && return 0
		kill -0 $QPID 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

check "the guest pinged through vdpad and asked for the kill" \
	wait_marker KILL-NOW 90
check_eq "5 pings through vdpad before the restart" 5/5 "$(xv BEFORE)"
kill -9 $VPID
wait $VPID 2>/dev/null
VPID=
sleep 2
check "vdpad starts again on the same socket" start_vdpad
check "the guest finished its test program" wait_marker GUEST-EXIT 120
wait $QPID
rc=$?
QPID=
check_eq "QEMU exited by itself (guest powered off, never restarted)" 0 $rc
check_gt "the guest saw the outage (pings failed)" "$(xv OUTAGE-FAILS)" 0
check_eq "the guest's pings came back after the restart" yes "$(xv RECOVERED)"
check_eq "10 pings through the restarted vdpad" 10/10 "$(xv AFTER)"
check_eq "256 KiB TCP through the restarted vdpad arrived intact" intact \
	"$(xv TCP)"
check_eq "one boot only: the guest was not restarted" 1 \
	"$(grep -ac '^XV-ETH0=present' "$TMP/console")"
check "QEMU reconnected: vdpad logged a second frontend session" \
	test "$(grep -c 'frontend connected' "$LOG")" -ge 2
check "vdpad still running" kill -0 $VPID
kill -TERM $VPID
wait $VPID
check_eq "vdpad exits cleanly on SIGTERM" 0 $?
VPID=

if [ "$T_FAIL" -gt 0 ]; then
	echo "# --- qemu log"
	tail -20 "$TMP/qemu.log" | sed 's/^/#   /'
	echo "# --- vdpad log (last 40 lines)"
	tail -40 "$LOG" | sed 's/^/#   /'
	echo "# --- guest console (XV lines)"
	grep -a '^XV-' "$TMP/console" | tr -d '\r' | sed 's/^/#   /'
fi
finish
