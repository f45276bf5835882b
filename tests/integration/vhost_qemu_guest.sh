#!/bin/bash
# vdpad with a real virtio-net guest: QEMU (TCG) boots a Debian cloud
# kernel whose virtio_net driver talks to vdpad's loopback device over
# vhost-user. The guest checks its link, then sends traffic that can only
# come back through vdpad: pings and a TCP stream to an address of its own
# that policy routing sends out of eth0, so each request crosses TX ->
# vdpad -> RX before the guest's stack accepts it (checksums verified in
# software: vdpad offers no checksum offload). The guest reports on its
# serial console and powers off; a second guest then boots against the
# same vdpad.
#
#   guest stack --TX--> eth0 ==vhost-user==> vdpad --loopback--> RX --> stack
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root

SOCK=/tmp/xi3-vdpad.sock
MAC=52:54:00:3a:03:01
VDPAD=${VDPAD:-$BUILD/vdpad}
GUEST=${GUEST_DIR:-$BUILD/guest}
TMP=$(mktemp -d /tmp/xi3.XXXXXX)
on_exit "rm -rf $TMP"
LOG=$TMP/vdpad.log
need_guest "$GUEST" "$TMP"

# --- the guest's test program (appended to the initramfs as /guest.sh) ----
# It runs after the shared prologue (eth0 there, no IPv6, lo up) and
# tests/tools/guest-loopback-route.sh: eth0 up with 10.231.3.1, and the
# guest's own traffic to 10.231.3.2 routed out of eth0, so that only
# vdpad's loopback brings it back in.
echo "LB_NET=10.231.3" >"$TMP/vars"
cat >"$TMP/guest.sh" <<'EOF'
i=0
while [ $i -lt 50 ] && [ "$(cat $n/operstate)" != up ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "XV-CARRIER=$(cat $n/carrier)"
echo "XV-OPERSTATE=$(cat $n/operstate)"
echo "XV-MAC=$(cat $n/address)"
echo "XV-MTU=$(cat $n/mtu)"

echo "XV-ROUTE=$(ip route get 10.231.3.2 | head -1)"

tx0=$(cat $n/statistics/tx_packets)
rx0=$(cat $n/statistics/rx_packets)
pings() { # pings SIZE COUNT: prints received/transmitted
	ping -c "$2" -i 0.1 -W 2 -s "$1" 10.231.3.2 |
		awk '/transmitted/ {print $4 "/" $1}'
}
echo "XV-PING=$(pings 56 10)"
echo "XV-NEIGH=$(ip neigh show 10.231.3.2 | awk '{print $5}')"
echo "XV-PING-1472=$(pings 1472 5)"

# 512 KiB over TCP, 10.231.3.1 -> 10.231.3.2 through vdpad, compared.
# The listener's stdin stays open: busybox nc half-closes on stdin EOF,
# and the sender quits as soon as it sees that FIN.
head -c 524288 /dev/urandom >/tmp/in
sleep 30 | nc -l -p 5001 >/tmp/out &
lpid=$!
sleep 0.3
nc -w 5 10.231.3.2 5001 </tmp/in &
cpid=$!
i=0
while [ $i -lt 150 ] && kill -0 $lpid 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
kill $lpid $cpid 2>/dev/null
killall sleep 2>/dev/null
sleep 0.2 # the last frames' trip through vdpad
if cmp -s /tmp/in /tmp/out; then
	echo "XV-TCP=intact"
else
	echo "XV-TCP=bad $(wc -c </tmp/out) bytes"
fi

echo "XV-TX=$(($(cat $n/statistics/tx_packets) - tx0))"
echo "XV-RX=$(($(cat $n/statistics/rx_packets) - rx0))"
echo "XV-RX-ERRORS=$(cat $n/statistics/rx_errors)"
echo "XV-RX-DROPPED=$(cat $n/statistics/rx_dropped)"
EOF
guest_initrd "$GUEST" "$TMP/initrd" "$TMP/vars" \
	tests/tools/guest-loopback-route.sh "$TMP/guest.sh"

# --- vdpad ------------------------------------------------------------------
rm -f $SOCK
"$VDPAD" --control none --loopback $SOCK -l debug >"$LOG" 2>&1 &
VPID=$!
on_exit "kill $VPID; rm -f $SOCK"
for _ in $(seq 50); do [ -S $SOCK ] && break; sleep 0.1; done
check "vdpad listens on its vhost-user socket" test -S $SOCK

# boot_guest N: boots the guest against vdpad; console in $TMP/console.N.
# Returns QEMU's exit code (124 when the hard timeout killed it).
QPID=
# shellcheck disable=SC2016 # $QPID expands at exit: the current QEMU
on_exit 'kill $QPID'
boot_guest() {
	local n=$1
	qemu_guest "$GUEST" "$TMP/initrd" $SOCK $MAC "$TMP/console.$n" \
		"$TMP/qemu.$n.log" "" 120 &
	QPID=$! # in the background so that cleanup can stop it
	wait $QPID
}

# xv N KEY: the value of the guest's "XV-KEY=" console line of boot N.
xv() {
	sed -n "s/^XV-$2=//p" "$TMP/console.$1" | tr -d '\r' | tail -1
}

# disconnects: how many times vdpad logged a frontend disconnect.
disconnects() {
	grep -c "frontend disconnected" "$LOG"
}

# wait_disconnects N: until vdpad has logged N disconnects (5 s at most).
wait_disconnects() {
	local _
	for _ in $(seq 50); do
		[ "$(disconnects)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

show_boot() {
	echo "# boot $1: QEMU exit $2, $3 s; guest console:"
	grep -a '^XV-' "$TMP/console.$1" | tr -d '\r' | sed 's/^/#   /'
}

# --- first guest -----------------------------------------------------------
t0=$(date +%s)
boot_guest 1
rc=$?
show_boot 1 $rc $(($(date +%s) - t0))
check_eq "QEMU exited by itself (guest powered off)" 0 "$rc"
check "guest booted and ran its test program" \
	grep -aq '^XV-GUEST-EXIT=0' "$TMP/console.1"
check_eq "virtio_net bound: eth0 exists" present "$(xv 1 ETH0)"
check_eq "eth0 is driven by virtio_net" virtio_net "$(xv 1 DRIVER)"
check_eq "eth0 has carrier" 1 "$(xv 1 CARRIER)"
check_eq "eth0 operstate up" up "$(xv 1 OPERSTATE)"
check_eq "eth0 has the MAC from QEMU's command line" $MAC "$(xv 1 MAC)"
check_eq "eth0 MTU" 1500 "$(xv 1 MTU)"
check_eq "guest's own traffic to 10.231.3.2 leaves through eth0" 1 \
	"$(xv 1 ROUTE | grep -c 'dev eth0')"
check_eq "10 pings (56 B) came back through vdpad" 10/10 "$(xv 1 PING)"
check_eq "ARP through vdpad resolved 10.231.3.2 to eth0's own MAC" $MAC \
	"$(xv 1 NEIGH)"
check_eq "5 full-MTU pings (1472 B) came back through vdpad" 5/5 \
	"$(xv 1 PING-1472)"
check_eq "512 KiB TCP stream looped through vdpad arrived intact" intact \
	"$(xv 1 TCP)"
tx=$(xv 1 TX)
rx=$(xv 1 RX)
check_gt "guest transmitted frames on eth0" "$tx" 0
check_gt "guest received frames on eth0 (loopback)" "$rx" 0
check_eq "every transmitted frame came back (rx = tx)" "$tx" "$rx"
check_eq "no receive errors" 0 "$(xv 1 RX-ERRORS)"
check "vdpad logged the frontend disconnect" wait_disconnects 1
check "vdpad still running after the guest left" kill -0 $VPID

# --- second guest against the same vdpad -----------------------------------
t0=$(date +%s)
boot_guest 2
rc=$?
show_boot 2 $rc $(($(date +%s) - t0))
check_eq "second guest: QEMU exited by itself" 0 "$rc"
check_eq "second guest: eth0 has carrier" 1 "$(xv 2 CARRIER)"
check_eq "second guest: 10 pings came back through vdpad" 10/10 \
	"$(xv 2 PING)"
check_eq "second guest: TCP stream arrived intact" intact "$(xv 2 TCP)"
rx2=$(xv 2 RX)
check_gt "second guest: received frames on eth0" "$rx2" 0
check "vdpad logged the second disconnect" wait_disconnects 2
check "vdpad still running after two guests" kill -0 $VPID
check_eq "vdpad refused no vhost-user request" 0 \
	"$(grep -c 'vhost-user .* refused:' "$LOG")"

kill -TERM $VPID
wait $VPID
check_eq "vdpad exits cleanly on SIGTERM" 0 $?
# vdpad's exit summary: "DEV loopback: rx N packets ...", one per device.
looped=$(awk '/ loopback: rx / {n += $4} END {print n + 0}' "$LOG")
check "vdpad looped at least the frames both guests received" \
	test "$looped" -ge $((${rx:-0} + ${rx2:-0}))
check_fails "socket removed at exit" test -e $SOCK
echo "# guest rx: $rx then $rx2; vdpad looped $looped frames"

if [ "$T_FAIL" -gt 0 ]; then
	for f in "$TMP"/qemu.*.log; do
		echo "# --- $f"
		tail -20 "$f" | sed 's/^/#   /'
	done
	echo "# --- vdpad log (last 40 lines)"
	tail -40 "$LOG" | sed 's/^/#   /'
	echo "# --- guest 1 console (last 30 lines)"
	tail -30 "$TMP/console.1" | tr -d '\r' | sed 's/^/#   /'
fi
finish
