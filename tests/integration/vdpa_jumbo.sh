#!/bin/bash
# MTU 9000 end to end on the vDPA path, through the eswitch: a QEMU guest
# (virtio-net, TSO on) on a vdpad device (mtu=9000) bound to VF 0 of an
# emulated PF whose uplink, representor, device end and wire end all have
# MTU 9000. vdpad's AF_XDP sockets are multi-buffer (a 9014-byte frame is
# five 2 KiB UMEM frames) under a frags-aware XDP program. The guest pings
# the external host with 8972-byte payloads (9000-byte packets, one frame
# each way: the wire sees them whole) and sends and receives 1 MB over TCP
# (sha256); with TSO the guest's GSO frames are cut into 8948-byte
# segments. Then DPDK testpmd (virtio-user, mbufs of 10 KiB) on the same
# device: 9000-byte frames from the wire all arrive (rxonly), and its own
# 9000-byte frames reach the wire whole (txonly). Last, a GSO frame whose
# segments would be over the MTU is refused and counted, and vdpad goes
# on.
#
#   guest ==vhost-user== vdpad ==AF_XDP== xj2pfv0 | xj2pfr0 -- eswitch --
#   uplink xj2u ==[veth]== xj2w in xj2x (10.232.0.100)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
command -v tcpdump >/dev/null || skip_all "tcpdump not installed (make deps)"

PF=xj2pf
UPL=xj2u
WIRE=xj2w
EXT=xj2x
SOCK=/tmp/xj2.sock
MAC=52:54:00:3a:0d:01
EXT_MAC=02:0d:00:00:00:64
NET=10.232.0
VDPAD=${VDPAD:-$BUILD/vdpad}
EVIL=$BUILD/tools/evil_frontend
GUEST=${GUEST_DIR:-$BUILD/guest}
TMP=$(mktemp -d /tmp/xj2.XXXXXX)
LOG=$TMP/vdpad.log
BG_PIDS=()

teardown_all() {
	local p
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	"$VDPACTL" mgmtdev del $PF
	ip link del $UPL
	rm -rf "$TMP" $SOCK
}
on_exit teardown_all
"$VDPACTL" mgmtdev del $PF >/dev/null 2>&1
ip link del $UPL 2>/dev/null
need_guest "$GUEST" "$TMP"

# --- the PF at MTU 9000 -------------------------------------------------------
ns_add $EXT
ip link add $UPL mtu 9000 type veth peer name $WIRE mtu 9000
ip link set $WIRE netns $EXT
sysctl -qw net.ipv6.conf.$UPL.disable_ipv6=1
ip -n $EXT link set $WIRE address $EXT_MAC
ip -n $EXT addr add $NET.100/24 dev $WIRE
ip -n $EXT link set $WIRE up
ip link set $UPL up
check "mgmtdev add on an uplink with MTU 9000" \
	"$VDPACTL" mgmtdev add $PF uplink $UPL numvfs 1
check "VF 0 to MTU 9000 (representor and device end)" \
	sh -c "ip link set ${PF}r0 mtu 9000 && ip link set ${PF}v0 mtu 9000"
check "vf 0 gets the guest's MAC" "$VDPACTL" vf set $PF vf 0 mac $MAC

LIBXDP_SKIP_DISPATCHER=1 "$VDPAD" --control $TMP/ctl.sock \
	--dev "$SOCK,netdev=${PF}v0,mtu=9000" -l info >"$LOG" 2>&1 &
VPID=$!
BG_PIDS+=("$VPID")
for _ in $(seq 50); do [ -S $SOCK ] && break; sleep 0.1; done
check "vdpad serves the device" test -S $SOCK
check "its AF_XDP socket is multi-buffer (no fallback logged)" \
	sh -c "! grep -q 'no multi-buffer' $LOG"
check_eq "the device end keeps MTU 9000 under vdpad's XDP program" 9000 \
	"$(cat /sys/class/net/${PF}v0/mtu)"

# --- the guest ------------------------------------------------------------------
head -c 1048576 /dev/urandom >"$TMP/ext.tx"
ip netns exec $EXT timeout 120 nc -l -p 5001 </dev/null >"$TMP/ext.rx" &
BG_PIDS+=("$!")
ip netns exec $EXT timeout 120 nc -l -N -p 5002 <"$TMP/ext.tx" >/dev/null &
BG_PIDS+=("$!")
ip netns exec $EXT timeout 120 tcpdump -lnni $WIRE "greater 9000" \
	>"$TMP/wire.big" 2>/dev/null &
BG_PIDS+=("$!")
echo "EXT=$NET.100 EXT_MAC=$EXT_MAC ME=$NET.1" >"$TMP/vars"
cat >"$TMP/guest.sh" <<'EOF'
ip link set eth0 mtu 9000
echo "XV-MTU=$(cat $n/mtu)"
ip addr add $ME/24 dev eth0
arp -i eth0 -s $EXT $EXT_MAC
ip link set eth0 up
i=0
while [ $i -lt 50 ] && [ "$(cat $n/operstate)" != up ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "XV-PING=$(ping -c 5 -i 0.2 -W 2 -s 8972 $EXT | awk '/transmitted/ {print $4 "/" $1}')"
# stdin held open while receiving: nc would hang up at its EOF
mkfifo /tmp/hold
exec 8<>/tmp/hold
dd if=/dev/urandom of=/tmp/tx bs=65536 count=16 2>/dev/null
echo "XV-TX-SHA=$(sha256sum </tmp/tx | cut -d' ' -f1)"
timeout 60 nc $EXT 5001 </tmp/tx
echo "XV-TCP-TX-RC=$?"
timeout 60 nc $EXT 5002 </tmp/hold >/tmp/rx
echo "XV-TCP-RX-RC=$?"
echo "XV-RX-SHA=$(sha256sum </tmp/rx | cut -d' ' -f1)"
echo "XV-RX-ERRORS=$(cat $n/statistics/rx_errors)"
echo "XV-DONE"
EOF
guest_initrd "$GUEST" "$TMP/initrd" "$TMP/vars" "$TMP/guest.sh"
qemu_guest "$GUEST" "$TMP/initrd" $SOCK $MAC "$TMP/console" "$TMP/qemu.log" &
QPID=$!
BG_PIDS+=("$QPID")
xv() { sed -n "s/^XV-$1=//p" "$TMP/console" | tr -d '\r' | tail -1; }
deadline=$(($(date +%s) + 120))
while [ "$(date +%s)" -lt $deadline ] && ! grep -qa '^XV-DONE' "$TMP/console" &&
	kill -0 $QPID 2>/dev/null; do
	sleep 0.5
done
grep -a '^XV-' "$TMP/console" | tr -d '\r' | sed 's/^/# guest: /'
check_eq "guest: eth0 takes MTU 9000 (VIRTIO_NET_F_MTU 9000)" 9000 "$(xv MTU)"
check_eq "guest -> external: 5 pings of 8972 bytes, all replies" 5/5 "$(xv PING)"
check_eq "TCP guest -> external: nc exit 0" 0 "$(xv TCP-TX-RC)"
check_eq "TCP guest -> external: 1 MB intact (sha256)" "$(xv TX-SHA)" \
	"$(sha256sum <"$TMP/ext.rx" | cut -d' ' -f1)"
check_eq "TCP external -> guest: 1 MB intact (sha256)" \
	"$(sha256sum <"$TMP/ext.tx" | cut -d' ' -f1)" "$(xv RX-SHA)"
check_eq "guest: no receive errors" 0 "$(xv RX-ERRORS)"
sleep 0.5
check_gt "the wire saw frames over 9000 bytes (tcpdump 'greater 9000')" \
	"$(grep -c ' IP ' "$TMP/wire.big")" 0

stats() { "$VDPACTL" -s $TMP/ctl.sock -j dev stats dev0 | jq -r ".stats.dev0.$1"; }
kill $QPID 2>/dev/null
wait $QPID 2>/dev/null
sleep 0.5
tso0=$(stats offloads.tx_tso)

# --- DPDK virtio-user at MTU 9000 -----------------------------------------------
if command -v dpdk-testpmd >/dev/null; then
	# testpmd_run NAME SECONDS ARGS...: prints "RX TX" of port 0.
	testpmd_run() {
		local name=$1 secs=$2
		shift 2
		timeout -s INT "$secs" dpdk-testpmd --no-pci --file-prefix=xj2$name \
			-m 512 --single-file-segments --lcores 0@0,1@0 \
			--vdev net_virtio_user0,path=$SOCK,queues=1,mac=$MAC -- \
			--mbuf-size=10240 --max-pkt-len=9018 --stats-period 1 -a \
			"$@" >"$TMP/tp.$name" 2>&1
		awk '/Forward statistics for port 0/ {p=1}
			p && /RX-packets/ {rx=$2}
			p && /TX-packets/ {tx=$2; p=0}
			END {print rx+0, tx+0}' "$TMP/tp.$name"
	}
	started() { grep -c "dev0: vring 1 started" "$LOG"; }
	rx_drops() { # every drop vdpad counts on the way to the frontend
		"$VDPACTL" -s $TMP/ctl.sock -j dev stats dev0 |
			jq '[.stats.dev0.drops | to_entries[] |
				select(.key | test("^rx_|not_ready|broken|oversize|xsk_rx")) |
				.value] | add'
	}
	d0=$(rx_drops)
	n0=$(started)
	testpmd_run rx 12 --forward-mode=rxonly >"$TMP/tp.rx.out" &
	TP=$!
	for _ in $(seq 150); do [ "$(started)" -gt "$n0" ] && break; sleep 0.1; done
	sleep 2 # its RX ring filled (a frame before that is counted, not lost)
	sent=$(ip netns exec $EXT /usr/bin/python3 tests/tools/rawsend.py $WIRE \
		$EXT_MAC $MAC 200 9000 1000)
	wait $TP
	read -r rx _ <"$TMP/tp.rx.out"
	drops=$(($(rx_drops) - d0))
	echo "# rxonly: sent $sent, testpmd received $rx, vdpad dropped $drops"
	check_eq "the wire sent 200 frames of 9000 bytes" 200 "$sent"
	check_eq "testpmd (virtio-user) received them all, or vdpad counted why not" \
		200 $((rx + drops))
	check_gt "testpmd received 9000-byte frames" "$rx" 0
	b0=$(ip netns exec $EXT cat /sys/class/net/$WIRE/statistics/rx_bytes)
	p0=$(ip netns exec $EXT cat /sys/class/net/$WIRE/statistics/rx_packets)
	read -r _ tx <<<"$(testpmd_run tx 4 --forward-mode=txonly \
		--txpkts=9000 --eth-peer=0,$EXT_MAC)"
	sleep 0.5
	b1=$(ip netns exec $EXT cat /sys/class/net/$WIRE/statistics/rx_bytes)
	p1=$(ip netns exec $EXT cat /sys/class/net/$WIRE/statistics/rx_packets)
	echo "# txonly: testpmd sent $tx, the wire got $((p1 - p0)) frames, $((b1 - b0)) bytes"
	check_gt "txonly: testpmd's 9000-byte frames reached the wire" $((p1 - p0)) 1000
	check_eq "... whole: 9000 bytes each on average" 9000 \
		$(((b1 - b0) / (p1 - p0 ? p1 - p0 : 1)))
else
	not_ok "dpdk-testpmd not installed (make deps): DPDK at MTU 9000 not checked"
fi

# --- over the MTU: refused and counted ---------------------------------------
check_gt "the guest's GSO frames were segmented at MTU 9000" "$tso0" 0
EVIL_DST_MAC=$EXT_MAC EVIL_TSO_FRAMES=1 EVIL_TSO_MSS=9000 \
	"$EVIL" $SOCK tso >"$TMP/evil.log" 2>&1
check_eq "a GSO frame whose segments would be over MTU 9000: tx_bad_gso" 1 \
	"$(stats drops.tx_bad_gso)"
check "vdpad still runs" kill -0 $VPID
kill -TERM $VPID
wait $VPID
check_eq "vdpad exits cleanly" 0 $?
finish
