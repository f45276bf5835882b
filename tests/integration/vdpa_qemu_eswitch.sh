#!/bin/bash
# The whole datapath with real virtio-net guests: two QEMU (TCG) guests
# whose virtio_net drivers talk over vhost-user to one vdpad, which joins
# each device through AF_XDP to a VF of an emulated PF; the eswitch
# switches between the VFs and the uplink, whose wire end sits in an
# "external" namespace. VF 2's device end sits in a promiscuous "pod"
# namespace as an isolation witness.
#
#   guest 0 ==vhost-user==> vdpad --AF_XDP--> [xi6pfv0]==xi6pfr0 --.
#   guest 1 ==vhost-user==> vdpad --AF_XDP--> [xi6pfv1]==xi6pfr1 --+ eswitch
#   xi6pod (promisc)                          [xi6pfv2]==xi6pfr2 --+ (XDP/TC)
#   xi6ext [xi6e]=====================================[xi6u] uplink-'
#
# Guest 0 pings the external host, moves 4 MB to it and 4 MB back over
# TCP (sha256 compared), both guests ping each other and guest 0 sends
# 1 MB to guest 1 over TCP: the eswitch hairpins that between the VFs, so
# the wire must see none of it and the pod none of the unicast.
#
# No frame may reach a guest before its driver is up (vdpad would count it
# not_ready, legitimately): everybody has static neighbours (no ARP
# broadcast), IPv6 is off everywhere, and the guests wait for a "go": an
# echo reply from an address the external host takes only once both
# consoles said XV-UP. Only then does any traffic flow toward a guest. So not_ready must
# stay 0. vdpad is stopped while both guests are still connected (its exit
# line's "broken" is that of the live connection); the guests see their
# carrier drop, print their final counters, and power off.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
for t in python3 jq ethtool; do
	command -v $t >/dev/null || skip_all "$t not installed (make deps)"
done

PF=xi6pf
UPL=xi6u
WIRE=xi6e
EXT=xi6ext
POD=xi6pod
NET=10.236.0
EXT_IP=$NET.100
EXT_MAC=02:36:00:00:01:00
GO_IP=$NET.101 # the external host takes it once both guests are up
G_IP=("$NET.10" "$NET.11")
SOCK=(/tmp/xi6-g0.sock /tmp/xi6-g1.sock)
MB=4 # guest 0 <-> external, each way
VDPAD=${VDPAD:-$BUILD/vdpad}
GUEST=${GUEST_DIR:-$BUILD/guest}
TMP=$(mktemp -d /tmp/xi6-test.XXXXXX)
on_exit "rm -rf $TMP"
LOG=$TMP/vdpad.log
T_START=$(date +%s)

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

need_guest "$GUEST" "$TMP"

teardown_all() {
	"$VDPACTL" mgmtdev del $PF
	ip link del $UPL
	rm -f "${SOCK[@]}"
}
on_exit teardown_all
teardown_all >/dev/null 2>&1

# Background processes, stopped at exit (each by its own pid).
BG_PIDS=()
# shellcheck disable=SC2016 # expands at exit
on_exit 'for p in "${BG_PIDS[@]}"; do kill $p; done; sleep 0.2; for p in "${BG_PIDS[@]}"; do kill -9 $p; done'

# --- topology -------------------------------------------------------------
ns_add $EXT
ns_add $POD
ip link add $UPL type veth peer name $WIRE
sysctl -qw net.ipv6.conf.$UPL.disable_ipv6=1
ip link set $WIRE netns $EXT
# The wire end plays the external host's NIC with the kernel's offloads
# (TX checksum, TSO): what it leaves to offload, the representor's
# transmit finishes before the guest's AF_XDP socket sees it.
ip -n $EXT link set $WIRE address $EXT_MAC
ip -n $EXT link set $WIRE up
ip -n $EXT addr add $EXT_IP/24 dev $WIRE
ip link set $UPL up

check "mgmtdev add: emulated PF with 3 VFs on $UPL" \
	"$VDPACTL" mgmtdev add $PF uplink $UPL numvfs 3
G_MAC=("$(vf_stat $PF 0 mac)" "$(vf_stat $PF 1 mac)")
echo "# vf 0 mac ${G_MAC[0]}, vf 1 mac ${G_MAC[1]}"
for i in 0 1; do
	ip link set ${PF}v$i up
	# The external host never needs ARP for the guests.
	ip -n $EXT neigh replace "${G_IP[$i]}" lladdr "${G_MAC[$i]}" \
		dev $WIRE nud permanent
done
ip link set ${PF}v2 netns $POD
ip -n $POD addr add $NET.3/24 dev ${PF}v2
ip -n $POD link set ${PF}v2 promisc on
ip -n $POD link set ${PF}v2 up

# --- captures: the wire and the pod see everything ------------------------
# A raw-socket sniffer: one line per frame received on DEV, "KIND DST SRC
# ETHERTYPE IPSRC IPDST IPPROTO LENGTH", KIND being host|bcast|mcast|other
# (unicast for another MAC, seen in promiscuous mode). At SIGTERM it writes them to OUT, and the
# frames its socket dropped to OUT.drops.
cat >"$TMP/sniff.py" <<'EOF'
import signal, socket, struct, sys
ifname, out, ready = sys.argv[1:4]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)  # SO_RCVBUFFORCE
s.bind((ifname, 0))
def stop(*_):
    raise SystemExit(0)
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
open(ready, "w").close()
KIND = {0: "host", 1: "bcast", 2: "mcast", 3: "other"}
mac = lambda b: ":".join("%02x" % x for x in b)
rows = []
buf = bytearray(256)
try:
    while True:
        n, a = s.recvfrom_into(buf, 256, socket.MSG_TRUNC)
        f = bytes(buf[:min(n, 256)])
        if a[0] != ifname or a[2] == 4:  # PACKET_OUTGOING: our own
            continue
        et = struct.unpack("!H", f[12:14])[0]
        ip = "- - -"
        if et == 0x0800 and len(f) >= 34:
            ip = "%s %s %d" % (socket.inet_ntoa(f[26:30]),
                               socket.inet_ntoa(f[30:34]), f[23])
        rows.append("%s %s %s %04x %s %d" % (KIND.get(a[2], a[2]),
                                             mac(f[0:6]), mac(f[6:12]), et,
                                             ip, n))
finally:
    # PACKET_STATISTICS: struct tpacket_stats { packets, drops }
    _, drops = struct.unpack("II", s.getsockopt(263, 6, 8))
    with open(out, "w") as o:
        o.write("".join(r + "\n" for r in rows))
    with open(out + ".drops", "w") as o:
        o.write("%d\n" % drops)
EOF
capture() { # capture NS DEV NAME: frames in $TMP/NAME.frames once stopped
	ip netns exec "$1" python3 "$TMP/sniff.py" "$2" "$TMP/$3.frames" \
		"$TMP/$3.ready" 2>"$TMP/$3.err" &
	BG_PIDS+=("$!")
	eval "CAP_$3=$!"
	local _
	for _ in $(seq 50); do
		[ -e "$TMP/$3.ready" ] && return 0
		sleep 0.1
	done
	return 1
}
check "sniffer on the wire end ($EXT/$WIRE)" capture $EXT $WIRE wire
check "sniffer in the pod (${PF}v2, promiscuous)" capture $POD ${PF}v2 pod
# fcount NAME AWK-CONDITION: frames of that capture matching the condition
# ($1 kind, $2 dst MAC, $3 src MAC, $4 ethertype, $5 $6 IPs, $7 protocol,
# $8 length).
fcount() {
	awk "$2" "$TMP/$1.frames" | wc -l
}

# --- the external host's side of the transfers ------------------------------
head -c $((MB << 20)) /dev/urandom >"$TMP/ext.tx"
EXT_TX_SHA=$(sha256sum <"$TMP/ext.tx" | cut -d' ' -f1)
# 5001: what guest 0 sends (stdin /dev/null, no -N: the listener never
# half-closes first). 5002: what guest 0 receives, then FIN (-N).
ip netns exec $EXT timeout 150 nc -l -p 5001 </dev/null >"$TMP/ext.rx" &
BG_PIDS+=("$!")
ip netns exec $EXT timeout 150 nc -l -N -p 5002 <"$TMP/ext.tx" >/dev/null &
BG_PIDS+=("$!")

# --- guests -------------------------------------------------------------------
# Both run the same program after a header of their own; guest 0 is the
# active one. Console lines "XV-KEY=VALUE" are read back with xv().
cat >"$TMP/guest-body.sh" <<'EOF'
ip addr add $ME/24 dev eth0
# Static neighbours: no ARP broadcast reaches a guest that is not up yet.
arp -i eth0 -s $PEER $PEER_MAC
arp -i eth0 -s $EXT $EXT_MAC
ip link set eth0 up
i=0
while [ $i -lt 100 ] && [ "$(cat $n/operstate)" != up ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "XV-CARRIER=$(cat $n/carrier)"
echo "XV-MAC=$(cat $n/address)"
echo "XV-UP"

# Rendezvous: the external host answers on $GO once both guests are up
# (until then it drops those echo requests: not its address, no forwarding).
arp -i eth0 -s $GO $EXT_MAC
i=0
go=timeout
while [ $i -lt 90 ]; do
	ping -c 1 -W 1 $GO >/dev/null 2>&1 && go=ok && break
	i=$((i + 1))
done
echo "XV-GO=$go"
echo "XV-GO-TRIES=$i"

pings() { # pings ADDR COUNT: prints received/transmitted
	ping -c "$2" -i 0.1 -W 2 "$1" | awk '/transmitted/ {print $4 "/" $1}'
}
sha() { sha256sum <"$1" | cut -d' ' -f1; }
# A stdin that never ends: busybox nc half-closes on stdin EOF, and a
# busybox nc quits when it sees the peer's FIN.
mkfifo /tmp/hold
exec 8<>/tmp/hold

if [ $ID = 0 ]; then
	echo "XV-PING-EXT=$(pings $EXT 10)"
	# One ARP through vdpad and the eswitch (broadcast, flooded).
	arp -i eth0 -d $EXT
	echo "XV-PING-EXT-ARP=$(pings $EXT 3)"
	echo "XV-NEIGH-EXT=$(ip neigh show $EXT | awk '{print $5}')"

	dd if=/dev/urandom of=/tmp/tx bs=65536 count=$((MB * 16)) 2>/dev/null
	echo "XV-TX-SHA=$(sha /tmp/tx)"
	t=$(date +%s)
	timeout 60 nc $EXT 5001 </tmp/tx
	echo "XV-TCP-TX-RC=$?"
	echo "XV-TCP-TX-SECS=$(($(date +%s) - t))"

	t=$(date +%s)
	timeout 60 nc $EXT 5002 </tmp/hold >/tmp/rx
	echo "XV-TCP-RX-RC=$?"
	echo "XV-TCP-RX-SECS=$(($(date +%s) - t))"
	echo "XV-RX-BYTES=$(wc -c </tmp/rx)"
	echo "XV-RX-SHA=$(sha /tmp/rx)"

	echo "XV-PING-PEER=$(pings $PEER 20)"

	# Guest 1 listens since its "go" (retried only while refused).
	dd if=/dev/urandom of=/tmp/hp bs=65536 count=16 2>/dev/null
	echo "XV-HP-SHA=$(sha /tmp/hp)"
	i=0
	until timeout 30 nc $PEER 6001 </tmp/hp; do
		i=$((i + 1))
		[ $i -ge 5 ] && break
		sleep 0.5
	done
	echo "XV-HP-TX-TRIES=$i"
else
	nc -l -p 6001 </tmp/hold >/tmp/hp &
	lpid=$!
	echo "XV-PING-PEER=$(pings $PEER 20)"
	i=0
	while [ $i -lt 900 ] && kill -0 $lpid 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	kill $lpid 2>/dev/null
	echo "XV-HP-BYTES=$(wc -c </tmp/hp)"
	echo "XV-HP-SHA=$(sha /tmp/hp)"
fi
exec 8>&-
echo "XV-RX-ERRORS=$(cat $n/statistics/rx_errors)"
echo "XV-DONE"

# The test now stops vdpad; QEMU then takes the link down. Everything has
# been sent, so the counters below are final.
i=0
while [ $i -lt 600 ] && [ "$(cat $n/carrier)" = 1 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "XV-CARRIER-END=$(cat $n/carrier)"
echo "XV-TX=$(cat $n/statistics/tx_packets)"
echo "XV-RX=$(cat $n/statistics/rx_packets)"
echo "XV-RX-DROPPED=$(cat $n/statistics/rx_dropped)"
EOF

mkinitrd() { # mkinitrd ID: $TMP/initrd.ID with that guest's /guest.sh
	local id=$1 peer=$((1 - $1))
	{
		echo "ID=$id ME=${G_IP[$id]} PEER=${G_IP[$peer]} MB=$MB"
		echo "PEER_MAC=${G_MAC[$peer]} EXT=$EXT_IP EXT_MAC=$EXT_MAC GO=$GO_IP"
	} >"$TMP/g$id.vars"
	guest_initrd "$GUEST" "$TMP/initrd.$id" "$TMP/g$id.vars" \
		"$TMP/guest-body.sh"
}
mkinitrd 0
mkinitrd 1

# --- counters before ----------------------------------------------------------
vf_unicast_rx() { # rx_packets minus flooded copies
	echo $(($(vf_stat $PF "$1" stats.rx_packets) - $(vf_stat $PF "$1" stats.rx_flood)))
}
for i in 0 1; do
	VF_TX0[i]=$(vf_stat $PF $i stats.tx_packets)
	VF_RX0[i]=$(vf_stat $PF $i stats.rx_packets)
done
VF2_UC0=$(vf_unicast_rx 2)
POD_RX0=$(ns_rx_packets $POD ${PF}v2)

# --- vdpad ------------------------------------------------------------------
rm -f "${SOCK[@]}"
LIBXDP_SKIP_DISPATCHER=1 "$VDPAD" --control none --dev "${SOCK[0]},netdev=${PF}v0" \
	--dev "${SOCK[1]},netdev=${PF}v1" -l info >"$LOG" 2>&1 &
VPID=$!
BG_PIDS+=("$VPID")
for _ in $(seq 50); do
	[ -S "${SOCK[0]}" ] && [ -S "${SOCK[1]}" ] && break
	sleep 0.1
done
check "vdpad listens on both vhost-user sockets" \
	test -S "${SOCK[0]}" -a -S "${SOCK[1]}"

# --- boot both guests -----------------------------------------------------------
QPID=()
for i in 0 1; do
	qemu_guest "$GUEST" "$TMP/initrd.$i" "${SOCK[$i]}" "${G_MAC[$i]}" \
		"$TMP/console.$i" "$TMP/qemu.$i.log" &
	QPID[i]=$!
	BG_PIDS+=("$!")
done

# xv ID KEY: the value of guest ID's "XV-KEY=" console line.
xv() {
	sed -n "s/^XV-$2=//p" "$TMP/console.$1" | tr -d '\r' | tail -1
}
# wait_marker ID LINE DEADLINE: until guest ID's console has LINE, at the
# latest until DEADLINE (date +%s), or until that QEMU has exited.
wait_marker() {
	while [ "$(date +%s)" -lt "$3" ]; do
		tr -d '\r' <"$TMP/console.$1" | grep -qx -- "$2" && return 0
		kill -0 "${QPID[$1]}" 2>/dev/null || break
		sleep 0.2
	done
	tr -d '\r' <"$TMP/console.$1" | grep -qx -- "$2"
}
secs() { echo $(($(date +%s) - T_START)); }

up=1
deadline=$(($(date +%s) + 60))
for i in 0 1; do
	wait_marker $i XV-UP $deadline || up=0
done
echo "# both guests up: $up at $(secs) s"
check_eq "both guests booted, eth0 up (XV-UP)" 1 $up
ip -n $EXT addr add $GO_IP/32 dev $WIRE # the go

done_ok=1
deadline=$(($(date +%s) + 60))
for i in 0 1; do
	wait_marker $i XV-DONE $deadline || done_ok=0
done
echo "# both guests done: $done_ok at $(secs) s"
check_eq "both guests ran their program to the end (XV-DONE)" 1 $done_ok

# --- counters after, then stop vdpad while the guests are connected -------------
for i in 0 1; do
	VF_TX1[i]=$(vf_stat $PF $i stats.tx_packets)
	VF_RX1[i]=$(vf_stat $PF $i stats.rx_packets)
done
VF2_UC1=$(vf_unicast_rx 2)
POD_RX1=$(ns_rx_packets $POD ${PF}v2)
VF_SHOW=$("$VDPACTL" -j vf show $PF)
LINKS=$(ip -s link show ${PF}v0; ip -s link show ${PF}v1
	ip -s link show $UPL; ip -n $EXT -s link show $WIRE
	ip -n $POD -s link show ${PF}v2)

kill -TERM $VPID
wait $VPID
check_eq "vdpad exits cleanly on SIGTERM" 0 $?
deadline=$(($(date +%s) + 20))
for i in 0 1; do
	while kill -0 "${QPID[$i]}" 2>/dev/null &&
		[ "$(date +%s)" -lt $deadline ]; do
		sleep 0.2
	done
	kill "${QPID[$i]}" 2>/dev/null
	wait "${QPID[$i]}" 2>/dev/null
done
for c in wire pod; do
	kill -TERM "$(eval echo \$CAP_$c)"
	wait "$(eval echo \$CAP_$c)" 2>/dev/null
done
echo "# guests off, vdpad stopped at $(secs) s"

for i in 0 1; do
	echo "# guest $i console:"
	grep -a '^XV-' "$TMP/console.$i" | tr -d '\r' | sed 's/^/#   /'
done
echo "# vdpad exit lines:"
grep -a ': rx .* packets' "$LOG" | sed 's/^/#   /'

# --- guest 0 <-> external -------------------------------------------------------
for i in 0 1; do
	check_eq "guest $i: eth0 driven by virtio_net" virtio_net "$(xv $i DRIVER)"
	check_eq "guest $i: MAC is VF $i's MAC" "${G_MAC[$i]}" "$(xv $i MAC)"
	check_eq "guest $i: carrier" 1 "$(xv $i CARRIER)"
	check_eq "guest $i: got the go (both up)" ok "$(xv $i GO)"
done
check_eq "guest 0 -> external: 10 pings, all replies" 10/10 "$(xv 0 PING-EXT)"
check_eq "guest 0 -> external after ARP: 3 pings, all replies" 3/3 \
	"$(xv 0 PING-EXT-ARP)"
check_eq "guest 0 resolved the external MAC by ARP" $EXT_MAC \
	"$(xv 0 NEIGH-EXT)"
check_eq "TCP guest 0 -> external: nc exit 0" 0 "$(xv 0 TCP-TX-RC)"
check_eq "TCP guest 0 -> external: $MB MB arrived" $((MB << 20)) \
	"$(wc -c <"$TMP/ext.rx")"
check_eq "TCP guest 0 -> external: content intact (sha256)" "$(xv 0 TX-SHA)" \
	"$(sha256sum <"$TMP/ext.rx" | cut -d' ' -f1)"
check_eq "TCP external -> guest 0: nc exit 0" 0 "$(xv 0 TCP-RX-RC)"
check_eq "TCP external -> guest 0: $MB MB arrived" $((MB << 20)) \
	"$(xv 0 RX-BYTES)"
check_eq "TCP external -> guest 0: content intact (sha256)" "$EXT_TX_SHA" \
	"$(xv 0 RX-SHA)"
echo "# TCP $MB MB: guest->ext $(xv 0 TCP-TX-SECS) s, ext->guest $(xv 0 TCP-RX-SECS) s"
# The guest's virtio_net negotiated CSUM and HOST_TSO4: it sent GSO frames,
# which vdpad cut into segments no larger than the MTU, checksummed.
tso0=$(grep -a 'dev0 ' "$LOG" | sed -n 's/.* tx_tso \([0-9]*\) tx_tso_segments \([0-9]*\).*/\1 \2/p')
echo "# guest 0: GSO frames segmented, segments: ${tso0:-none}"
check_gt "guest 0's GSO frames were segmented by vdpad (tx_tso)" "${tso0%% *}" 0
check_eq "the wire saw no frame from guest 0 over 1514 bytes" 0 \
	"$(fcount wire '$3 == "'"${G_MAC[0]}"'" && $8 > 1514')"
check_gt "... and full-sized segments from it (1514 bytes)" \
	"$(fcount wire '$3 == "'"${G_MAC[0]}"'" && $8 == 1514')" 0
check_eq "the external host's TCP found no checksum error" 0 \
	"$(ip netns exec $EXT nstat -az TcpInCsumErrors | awk '/TcpInCsumErrors/ {print $2}')"

# --- guest 0 <-> guest 1: hairpinned in the eswitch -----------------------------
check_eq "guest 0 -> guest 1: 20 pings, all replies" 20/20 "$(xv 0 PING-PEER)"
check_eq "guest 1 -> guest 0: 20 pings, all replies" 20/20 "$(xv 1 PING-PEER)"
check_eq "TCP guest 0 -> guest 1: 1 MB arrived" 1048576 "$(xv 1 HP-BYTES)"
hp_sha=$(xv 0 HP-SHA)
check_eq "TCP guest 0 -> guest 1: content intact (sha256)" "${hp_sha:-none}" \
	"$(xv 1 HP-SHA)"
for i in 0 1; do
	check_eq "guest $i: no receive errors" 0 "$(xv $i RX-ERRORS)"
done
for c in wire pod; do
	check_eq "sniffer ($c) lost no frames" 0 "$(cat "$TMP/$c.frames.drops")"
done
pair() { # pair FIELD FIELD VALUE VALUE: awk condition, either direction
	echo "(\$$1 == \"$3\" && \$$2 == \"$4\") || (\$$1 == \"$4\" && \$$2 == \"$3\")"
}
check_eq "the wire saw none of the guest <-> guest frames (IP or MAC)" 0 \
	"$(fcount wire "$(pair 5 6 "${G_IP[@]}") || $(pair 2 3 "${G_MAC[@]}")")"
check_gt "the wire saw guest 0's pings to external (capture works)" \
	"$(fcount wire "\$7 == 1 && \$5 == \"${G_IP[0]}\" && \$6 == \"$EXT_IP\"")" 0
# shellcheck disable=SC2016 # awk's fields
check_eq "the promiscuous pod received no unicast frame at all" 0 \
	"$(fcount pod '$1 == "host" || $1 == "other"')"
# shellcheck disable=SC2016 # awk's fields
check_gt "the pod received the flooded ARP broadcast (capture works)" \
	"$(fcount pod '$1 == "bcast" && $4 == "0806"')" 0
check_eq "pod's eswitch unicast rx counter (rx - flood) unchanged" \
	"$VF2_UC0" "$VF2_UC1"
echo "# pod rx_packets $POD_RX0 -> $POD_RX1 (broadcasts only)"

# --- counters ---------------------------------------------------------------------
for i in 0 1; do
	echo "# vf $i eswitch: tx ${VF_TX0[$i]} -> ${VF_TX1[$i]}, rx ${VF_RX0[$i]} -> ${VF_RX1[$i]}"
done
check_gt "vf 0 tx_packets grew by more than ${MB} MB of segments" \
	$((VF_TX1[0] - VF_TX0[0])) $(((MB << 20) / 1500))
check_gt "vf 0 rx_packets grew by more than ${MB} MB of segments" \
	$((VF_RX1[0] - VF_RX0[0])) $(((MB << 20) / 1500))
check_gt "vf 1 tx_packets grew" $((VF_TX1[1] - VF_TX0[1])) 20
check_gt "vf 1 rx_packets grew by more than 1 MB of segments" \
	$((VF_RX1[1] - VF_RX0[1])) $((1048576 / 1500))

# dstat IFNAME FIELD: a number from vdpad's exit line for IFNAME; FIELD is
# rx|tx (packets) or a drop name (rx_no_buffer, not_ready, oversize, ...).
dstat() {
	grep -a " $1: rx " "$LOG" | tail -1 | tr -d ',;' | awk -v f="$2" '
		{ for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); exit } }'
}
for i in 0 1; do
	d=${PF}v$i
	line=$(grep -a " $d: rx " "$LOG" | tail -1)
	check "vdpad printed an exit line for $d" test -n "$line"
	check_gt "vdpad $d: rx packets (to guest $i)" "$(dstat $d rx)" 0
	check_gt "vdpad $d: tx packets (from guest $i)" "$(dstat $d tx)" 0
	check_eq "vdpad $d: broken no (guest still connected at exit)" \
		1 "$(echo "$line" | grep -c 'broken no$')"
	for k in not_ready oversize broken rx_broken tx_broken rx_too_big \
		tx_too_big tx_short xsk_tx_invalid; do
		check_eq "vdpad $d: no $k drops" 0 "$(dstat $d $k)"
	done
	# All traffic was over when the guests read their counters (after
	# vdpad stopped): every frame the guest sent was taken by vdpad.
	if [ "$(xv $i CARRIER-END)" = 0 ]; then
		gtx=$(xv $i TX)
		check_eq "vdpad $d took every frame guest $i sent" \
			"${gtx:-none}" "$(dstat $d tx)"
		r=$(xv $i RX)
		rd=$(xv $i RX-DROPPED)
		grx=$((${r:-0} + ${rd:-0}))
		check_eq "guest $i's driver got every frame vdpad delivered" \
			"$(dstat $d rx)" "$grx"
	else
		echo "# guest $i kept its carrier after vdpad stopped: no final counters"
	fi
	# Accounting only (not asserted): frames the eswitch sent to the VF
	# were delivered or counted as a drop by vdpad or its AF_XDP socket.
	acc=0
	for k in rx rx_no_buffer rx_too_big rx_broken not_ready broken \
		xsk_rx_dropped xsk_rx_ring_full xsk_fill_empty; do
		v=$(dstat $d $k)
		acc=$((acc + ${v:-0}))
	done
	echo "# $d: eswitch rx $((VF_RX1[i] - VF_RX0[i])), vdpad delivered $(dstat $d rx) + drops = $acc (rx_no_buffer $(dstat $d rx_no_buffer)); eswitch tx $((VF_TX1[i] - VF_TX0[i])), vdpad tx $(dstat $d tx)"
done
check_eq "vdpad logged no broken device" 0 "$(grep -c 'device broken' "$LOG")"
check_eq "vdpad refused no vhost-user request" 0 "$(grep -c 'vhost-user .* refused:' "$LOG")"
check_fails "vdpad removed its sockets at exit" \
	test -e "${SOCK[0]}" -o -e "${SOCK[1]}"

if [ "$T_FAIL" -gt 0 ]; then
	echo "# --- vdpactl vf show (at XV-DONE)"
	echo "$VF_SHOW" | jq -c '.vf[] | {vf, mac, stats}' 2>/dev/null | sed 's/^/#   /'
	echo "# --- ip -s link (at XV-DONE)"
	echo "$LINKS" | sed 's/^/#   /'
	echo "# --- vdpad log (last 40 lines)"
	tail -40 "$LOG" | sed 's/^/#   /'
	for i in 0 1; do
		echo "# --- qemu $i"
		tail -10 "$TMP/qemu.$i.log" | sed 's/^/#   /'
		echo "# --- guest $i console (last 30 lines)"
		tail -30 "$TMP/console.$i" | tr -d '\r' | sed 's/^/#   /'
	done
fi
echo "# runtime $(secs) s"
finish
