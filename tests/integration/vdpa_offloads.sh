#!/bin/bash
# Transmit offloads over AF_XDP: vdpad offers VIRTIO_NET_F_CSUM and
# HOST_TSO4/6 (+ECN) on a netdev device, and does in software what the
# frontend leaves: checksums of NEEDS_CSUM frames, segmentation of GSO
# frames. The checksums vdpad leaves to the kernel (AF_XDP TX metadata);
# here the device end has TX checksum offload off, so the kernel finishes
# them before the wire (with it on, as by default, they would travel on
# unfinished, as a local stack's do, to whoever takes them). The frontend is tests/tools/evil_frontend (a real vhost-user
# frontend of our own: DPDK's testpmd cannot make TCP GSO frames without a
# TCP source). What leaves is checked as a receiver would, on the wire
# end, by tests/tools/tcp_sink.py: every frame at most 1514 bytes, IPv4
# and TCP checksums right, the byte stream whole. Hostile GSO headers are
# dropped and counted by reason, and the device goes on. A device whose
# device_features leave the offloads out negotiates none of them.
#
#   vdpad --dev netdev=xo1v  ==[veth]==  xo1p in namespace xo1n (the wire)
#   (dev add xo1d2 on xo1w   ==[veth]==  xo1x, for device_features)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root

NS=xo1n
DEV=xo1v
PEER=xo1p
SOCK=/tmp/xo1.sock
SOCK2=/tmp/xo1-2.sock
CTL=/tmp/xo1-ctl.sock
LOG=$(mktemp /tmp/xo1-vdpad.XXXXXX)
VDPAD=${VDPAD:-$BUILD/vdpad}
EVIL=$BUILD/tools/evil_frontend
PEER_MAC=02:0f:00:00:00:02

teardown_all() {
	ip link del $DEV
	ip link del xo1w
	rm -f $SOCK $SOCK2 $CTL
}
on_exit teardown_all
teardown_all >/dev/null 2>&1
[ -x "$EVIL" ] || skip_all "$EVIL missing (make tests)"

ns_add $NS
ip link add $DEV type veth peer name $PEER
ip link set $PEER netns $NS
sysctl -qw net.ipv6.conf.$DEV.disable_ipv6=1
ip -n $NS link set $PEER address $PEER_MAC
ethtool -K $DEV tx off >/dev/null
ip link set $DEV up
ip -n $NS link set $PEER up
ip link add xo1w type veth peer name xo1x
ip link set xo1x netns $NS
sysctl -qw net.ipv6.conf.xo1w.disable_ipv6=1
ip link set xo1w up
ip -n $NS link set xo1x up

"$VDPAD" --control $CTL --dev $SOCK,netdev=$DEV --cpus 1 -l info >"$LOG" 2>&1 &
VPID=$!
on_exit "kill $VPID; rm -f $LOG"
for i in $(seq 50); do [ -S $SOCK ] && [ -S $CTL ] && break; sleep 0.1; done
check "vdpad serves the device" test -S $SOCK

stat() { "$VDPACTL" -s $CTL -j dev stats dev0 | jq -r ".stats.dev0.$1"; }
feats() { "$VDPACTL" -s $CTL -j dev config show dev0 | jq -r "$1"; }

# sink_run SECONDS BYTES FRONTEND_MODE [ENV...]: the sink on the wire end
# (until it saw BYTES of the stream, at most SECONDS), then the frontend;
# prints the sink's JSON.
sink_run() {
	local secs=$1 bytes=$2 mode=$3 out
	shift 3
	out=$(mktemp /tmp/xo1-sink.XXXXXX)
	ip netns exec $NS /usr/bin/python3 tests/tools/tcp_sink.py $PEER "$secs" \
		"$bytes" >"$out" 2>"$out.err" &
	local spid=$!
	for i in $(seq 50); do grep -q ready "$out.err" && break; sleep 0.1; done
	env EVIL_DST_MAC=$PEER_MAC "$@" "$EVIL" $SOCK "$mode" >"$out.fe" 2>&1 ||
		sed 's/^/# frontend: /' "$out.fe"
	wait $spid
	cat "$out"
	rm -f "$out" "$out.err" "$out.fe"
}
js() { echo "$1" | jq -r ".$2"; }

# --- TSO: 8 GSO frames of 64000 bytes (the frontend's MSS 1448) ------------
r=$(sink_run 20 512000 tso)
echo "# sink: $r"
# (negotiated too: vdpad segments only for a guest that acked HOST_TSO4)
check_eq "offered: CSUM, HOST_TSO4, HOST_TSO6, HOST_ECN" "true true true true" \
	"$(feats '.config.dev0.offered_features | (index("CSUM") != null), (index("HOST_TSO4") != null), (index("HOST_TSO6") != null), (index("HOST_ECN") != null)' | xargs)"
check_eq "TSO: the whole 512000-byte stream reached the wire" 512000 "$(js "$r" bytes)"
check_eq "TSO: 8 x 45 segments, none twice" "360 0" \
	"$(js "$r" frames) $(js "$r" duplicates)"
check_eq "TSO: the longest frame is an MSS one (1448 + 54 bytes)" 1502 "$(js "$r" longest)"
check_eq "TSO: every IPv4 and TCP checksum right, every byte in place" \
	"0 0 0 0" \
	"$(js "$r" bad_ip_csum) $(js "$r" bad_tcp_csum) $(js "$r" bad_payload) $(js "$r" too_long)"
check_eq "TSO: PSH and FIN only on the stream's last segment" 25 "$(js "$r" last_flags)"
check_eq "vdpad counted 8 GSO frames segmented into 360" "8 360" \
	"$(stat offloads.tx_tso) $(stat offloads.tx_tso_segments)"
check_eq "... and left their 360 TCP checksums to the kernel (TX metadata)" \
	360 "$(stat offloads.tx_csum_by_kernel)"
check_eq "tx_packets counts the guest's frames" 8 "$(stat tx_packets)"

# --- an MSS the MTU cannot carry -------------------------------------------
r=$(sink_run 2 64000 tso EVIL_TSO_FRAMES=1 EVIL_TSO_MSS=65000)
check_eq "a GSO frame whose MSS is over the MTU is refused: nothing leaves" \
	"0" "$(js "$r" frames)"
check_eq "... and counted as tx_bad_gso" 1 "$(stat drops.tx_bad_gso)"

# --- a plain frame over the MTU: refused, counted, the frontend goes on -----
fe=$(EVIL_DST_MAC=$PEER_MAC EVIL_TSO=0 EVIL_TSO_MSS=3000 "$EVIL" $SOCK tcp_stream 300 2>&1)
n=$(echo "$fe" | sed -n 's/.*mss, \([0-9]*\) frames.*/\1/p')
check_gt "3054-byte frames posted at MTU 1500" "${n:-0}" 0
check_eq "every one of them dropped as oversize" "${n:-0}" "$(stat drops.oversize)"

# --- hostile GSO and checksum requests --------------------------------------
csum0=$(stat offloads.tx_csum)
r=$(sink_run 20 3500 gso_hostile)
echo "# sink: $r"
check_eq "hostile: 7 bad GSO frames counted (tx_bad_gso)" 8 "$(stat drops.tx_bad_gso)"
check_eq "hostile: 2 bad checksum requests counted (tx_bad_csum)" 2 "$(stat drops.tx_bad_csum)"
check_eq "hostile: the good frames after them arrived whole (3000 + 500 bytes)" \
	"3500 0 0" "$(js "$r" bytes) $(js "$r" bad_tcp_csum) $(js "$r" bad_payload)"
check_eq "hostile: the NEEDS_CSUM frame's checksum was finished" \
	$((csum0 + 1)) "$(stat offloads.tx_csum)"
check_eq "hostile: the device is not broken" false \
	"$("$VDPACTL" -s $CTL -j dev show dev0 | jq -r '.dev.dev0.broken')"
check "vdpad still runs" kill -0 $VPID

# --- device_features without the offloads: none negotiated, refused ------
check "dev add with device_features leaving the offloads out" \
	"$VDPACTL" -s $CTL dev add name xo1d2 netdev xo1w socket $SOCK2 \
	device_features 0x170418028
check_eq "... it offers none of them" "[]" \
	"$("$VDPACTL" -s $CTL -j dev config show xo1d2 | jq -c '[.config.xo1d2.offered_features[] | select(test("CSUM|TSO|ECN"))]')"
out=$("$EVIL" $SOCK2 tso 2>&1)
check_eq "a frontend that needs TSO is told the backend does not offer it" 1 \
	"$(echo "$out" | grep -c 'backend offers')"
check "dev del" "$VDPACTL" -s $CTL dev del xo1d2

kill -TERM $VPID
wait $VPID
check "the exit summary reports the offloads" \
	grep -q "offloads tx_csum 1 tx_csum_by_kernel 364 tx_tso 9 tx_tso_segments 363" "$LOG"
finish
