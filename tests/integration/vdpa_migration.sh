#!/bin/bash
# Live migration of QEMU (TCG) guests whose virtio-net runs on vdpad: two
# emulated PFs stand for two hosts, their uplinks' wire ends bridged in one
# external namespace (one L2 segment); one vdpad serves a device on each
# PF with the same guest MAC; QEMU migrates the running guest from one
# device to the other (-incoming on the destination, "migrate -d" on the
# source's monitor), while the guest keeps two TCP streams up with the
# external host.
#
#   xm1ext: xm1br (bridge, the external host's $EXT_IP)
#            |- xm1wa ==== xm1ua: PF xm1pa -- VF 0 = vdpad dev xm1a (MAC $MAC)
#            '- xm1wb ==== xm1ub: PF xm1pb -- VF 0 = vdpad dev xm1b (MAC $MAC)
#                                          '- VF 1 = DPDK (net_af_xdp)
#
# Guest 1 (vdpad's default features, GUEST_ANNOUNCE among them) boots on
# xm1a and goes xm1a -> xm1b -> xm1a (a fresh destination QEMU on xm1a
# once the first source quit). Guest 2 boots on xm1a re-added with the
# virtio features DPDK's net_vhost offers too, without GUEST_ANNOUNCE, and
# goes to DPDK testpmd (net_vhost + net_af_xdp, io) on PF B's VF 1 (given
# the guest's MAC), then back to xm1a: without GUEST_ANNOUNCE, QEMU asks
# the backend for a RARP (VHOST_USER_SEND_RARP) after each migration. A
# destination must offer every feature the guest negotiated at boot (QEMU
# refuses the migration otherwise): hence guest 2's smaller set from the
# start.
#
# Each guest streams 1 MiB blocks ("XM1 %06d\n" + the same random block,
# whose sha256 it prints) to a sink in xm1ext and hashes a seeded stream
# the external host sends it, across its migrations; both end when the
# test says so. After each migration: QEMU's downtime and total time
# (printed, not asserted), both streams move again, the external host's
# pings get replies, the destination has the guest's rings started, the
# source device's dirty-page log grew during the migration, and the
# guest's announcement reached the bridge from the new uplink (a
# gratuitous ARP from the guest, or a RARP from the backend). At the end
# of each guest: both streams intact (sha256 and byte counts), and every
# frame the guest sent taken by one backend and every frame the backends
# delivered received by the guest (the guest's counters against the sum of
# its backends'); every drop counter of both vdpad devices printed, and
# those that may grow explained: not_ready while a device has no running
# guest (frames the bridge still sends to the uplink the guest left,
# broadcasts flooded to both PFs), rx_no_buffer when the TCG guest is too
# slow to refill its RX ring. Nothing else may drop.
#
# XM1_PHASE1=dpdk (development): guest 1 migrates between two testpmds on
# the PFs' VF 0 instead of vdpad's devices, and guest 2 is left out.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root
for t in python3 jq dpdk-testpmd; do
	command -v $t >/dev/null || skip_all "$t not installed (make deps)"
done

EXT=xm1ext
BR=xm1br
NET=10.237.0
EXT_IP=$NET.100
EXT_MAC=02:37:00:00:01:00
G_IP=$NET.10
MAC=02:37:00:00:00:10
OTHER_MAC=02:37:00:00:00:20
CTL=/tmp/xm1-ctl.sock
SOCK_A=/tmp/xm1-a.sock
SOCK_B=/tmp/xm1-b.sock
SOCK_D=/tmp/xm1-dpdk.sock
PHASE1=${XM1_PHASE1:-vdpad}
VDPAD=${VDPAD:-$BUILD/vdpad}
# Guest memory of 256 MiB + 8 KiB, not a multiple of 256 KiB: QEMU 7.2
# then syncs its dirty bitmap page by page. Its fast path for aligned
# blocks forgets to re-arm TCG's dirty tracking (fixed upstream in 9.0,
# "physmem: Fix migration dirty bitmap coherency with TCG memory access",
# not in Debian's 7.2.22): guest stores after a sync are lost and the
# destination's kernel oopses now and then, whatever the NIC's backend
# (seen with -netdev user too).
QEMU_MEM=262152K
GUEST=${GUEST_DIR:-$BUILD/guest}
TMP=$(mktemp -d /tmp/xm1-test.XXXXXX)
# XM1_KEEP=1 (development): $TMP and its logs are left
[ "${XM1_KEEP:-0}" = 1 ] || on_exit "rm -rf $TMP"
LOG=$TMP/vdpad.log
T_START=$(date +%s)
ctl() { "$VDPACTL" -s $CTL "$@"; }
secs() { echo $(($(date +%s) - T_START)); }

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
need_guest "$GUEST" "$TMP"
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "${free:-0}" -ge 256 ] || skip_all "only ${free:-0} free hugepages (2 testpmd x 256 MB)"

teardown_all() {
	"$VDPACTL" -s /tmp/xm1-none.sock mgmtdev del xm1pa
	"$VDPACTL" -s /tmp/xm1-none.sock mgmtdev del xm1pb
	ip link del xm1ua
	ip link del xm1ub
	rm -f $CTL $SOCK_A $SOCK_B $SOCK_D
}
on_exit teardown_all
teardown_all >/dev/null 2>&1

# Background processes, stopped at exit (each by its own pid).
BG_PIDS=()
# shellcheck disable=SC2016 # expands at exit
on_exit 'for p in "${BG_PIDS[@]}"; do kill $p; done; sleep 0.3; for p in "${BG_PIDS[@]}"; do kill -9 $p; done'

# --- topology ----------------------------------------------------------------
ns_add $EXT
ip -n $EXT link add $BR type bridge
ip -n $EXT link set $BR address $EXT_MAC
ip -n $EXT addr add $EXT_IP/24 dev $BR
ip -n $EXT link set $BR up
# The external host never needs ARP for the guest.
ip -n $EXT neigh replace $G_IP lladdr $MAC dev $BR nud permanent
for p in a b; do
	ip link add xm1u$p type veth peer name xm1w$p
	sysctl -qw net.ipv6.conf.xm1u$p.disable_ipv6=1
	ip link set xm1w$p netns $EXT
	ip -n $EXT link set xm1w$p master $BR
	ip -n $EXT link set xm1w$p up
	ip link set xm1u$p up
	check "mgmtdev add xm1p$p: emulated PF with 2 VFs on xm1u$p" \
		"$VDPACTL" -s /tmp/xm1-none.sock mgmtdev add xm1p$p uplink xm1u$p numvfs 2
done

LIBXDP_SKIP_DISPATCHER=1 "$VDPAD" --control $CTL --cpus 1 -l info >"$LOG" 2>&1 &
VPID=$!
BG_PIDS+=("$VPID")
for _ in $(seq 50); do [ -S $CTL ] && break; sleep 0.1; done
check "vdpad listens on its control socket" test -S $CTL

# --- the external host: who announced the guest, from which uplink --------
# A raw-socket sniffer on both bridge ports, one line per ARP or RARP
# frame that came in from an uplink, written at once: "PORT SRC DST
# ETHERTYPE OP SENDER_IP TARGET_IP".
cat >"$TMP/sniff.py" <<'EOF'
import select, socket, struct, sys
out, ready, ports = sys.argv[1], sys.argv[2], sys.argv[3:]
socks = {}
for p in ports:
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE
    s.bind((p, 0))
    socks[s] = p
open(ready, "w").close()
mac = lambda b: ":".join("%02x" % x for x in b)
o = open(out, "w", buffering=1)
while True:
    for s in select.select(list(socks), [], [])[0]:
        f, a = s.recvfrom(256)
        if a[2] == 4:  # PACKET_OUTGOING: the bridge's, not the uplink's
            continue
        et = struct.unpack("!H", f[12:14])[0]
        if et not in (0x0806, 0x8035) or len(f) < 42:
            continue
        op = struct.unpack("!H", f[20:22])[0]
        o.write("%s %s %s %04x %d %s %s\n" % (socks[s], mac(f[6:12]),
                mac(f[0:6]), et, op, socket.inet_ntoa(f[28:32]),
                socket.inet_ntoa(f[38:42])))
EOF
ip netns exec $EXT python3 "$TMP/sniff.py" "$TMP/announce" "$TMP/sniff.ready" \
	xm1wa xm1wb 2>"$TMP/sniff.err" &
BG_PIDS+=("$!")
for _ in $(seq 50); do [ -e "$TMP/sniff.ready" ] && break; sleep 0.1; done
check "ARP/RARP sniffer on the bridge ports" test -e "$TMP/sniff.ready"
# announced PORT ETHERTYPE FROM: such frames from the guest's MAC that
# came in through PORT, from line FROM of the capture on.
announced() {
	tail -n +"$3" "$TMP/announce" | awk -v p="$1" -v e="$2" -v m="$MAC" \
		'$1 == p && $2 == m && $4 == e' | wc -l
}
capture_lines() { echo $(($(wc -l <"$TMP/announce") + 1)); }

# --- the guest program -------------------------------------------------------
cat >"$TMP/guest-body.sh" <<'EOF'
trap '' PIPE
ip addr add $ME/24 dev eth0
arp -i eth0 -s $EXT $EXT_MAC
ip link set eth0 up
i=0
while [ $i -lt 100 ] && [ "$(cat $n/operstate)" != up ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "XV-CARRIER=$(cat $n/carrier)"
echo "XV-FEATURES=$(cat $n/device/features)"
echo "XV-UP"
echo "XV-PING-EXT=$(ping -c 3 -i 0.2 -W 2 $EXT | awk '/transmitted/ {print $4 "/" $1}')"

dd if=/dev/urandom of=/tmp/blk bs=65536 count=16 2>/dev/null
echo "XV-BLK-SHA=$(sha256sum </tmp/blk | cut -d' ' -f1)"
mkfifo /tmp/hold /tmp/up
exec 8<>/tmp/hold
# network -> guest: hashed as it comes, until the external host closes.
(nc $EXT 5002 </tmp/hold | sha256sum | cut -d' ' -f1 >/tmp/down.sha) &
down=$!
# guest -> network: blocks until the external host writes "S" back.
nc $EXT 5001 </tmp/up >/tmp/reply &
up=$!
exec 9>/tmp/up
echo "XV-STREAMING"
i=0
while [ ! -s /tmp/reply ]; do
	printf 'XM1 %06d\n' $i >&9 || break
	cat /tmp/blk >&9 || break
	i=$((i + 1))
done
exec 9>&-
echo "XV-UP-BLOCKS=$i"
wait $up
echo "XV-UP-RC=$?"
wait $down
echo "XV-DOWN-SHA=$(cat /tmp/down.sha)"
exec 8>&-
echo "XV-RX-ERRORS=$(cat $n/statistics/rx_errors)"
echo "XV-DONE"
# The test now takes the link down (QEMU's set_link): every frame has been
# sent, so the counters below are final.
i=0
while [ $i -lt 1200 ] && [ "$(cat $n/carrier)" = 1 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "XV-CARRIER-END=$(cat $n/carrier)"
echo "XV-TX=$(cat $n/statistics/tx_packets)"
echo "XV-RX=$(cat $n/statistics/rx_packets)"
echo "XV-RX-DROPPED=$(cat $n/statistics/rx_dropped)"
EOF
echo "ME=$G_IP EXT=$EXT_IP EXT_MAC=$EXT_MAC" >"$TMP/guest.vars"
guest_initrd "$GUEST" "$TMP/initrd" "$TMP/guest.vars" "$TMP/guest-body.sh"

# --- QEMU instances ------------------------------------------------------------
# Instance K: console $TMP/console.K, monitor $TMP/mon.K, QPID[K]; a
# destination listens for the migration on $TMP/mig.K.
QPID=()
# qemu_start K SOCK [incoming]
qemu_start() {
	local k=$1 sock=$2 inc=()
	[ "${3:-}" = incoming ] && inc=(-incoming "unix:$TMP/mig.$k")
	qemu_guest_with "$GUEST" "$TMP/initrd" "$sock" $MAC "$TMP/console.$k" \
		"$TMP/qemu.$k.log" "" 300 \
		-monitor "unix:$TMP/mon.$k,server,nowait" "${inc[@]}" &
	QPID[k]=$!
	BG_PIDS+=("$!")
	local _
	for _ in $(seq 100); do
		[ -S "$TMP/mon.$k" ] && { [ ${#inc[@]} -eq 0 ] || [ -S "$TMP/mig.$k" ]; } &&
			return 0
		kill -0 "${QPID[$k]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "# qemu $k did not start:"
	sed 's/^/#   /' "$TMP/qemu.$k.log"
	return 1
}
# qemu_quit K: "quit" on its monitor; waits for it to exit.
qemu_quit() {
	local _
	hmp "$TMP/mon.$1" quit >/dev/null 2>&1
	for _ in $(seq 100); do
		kill -0 "${QPID[$1]}" 2>/dev/null || break
		sleep 0.1
	done
	kill "${QPID[$1]}" 2>/dev/null
	wait "${QPID[$1]}" 2>/dev/null
}
# The consoles of the current guest, in order (a guest's console moves
# with it to each destination).
CONSOLES=()
# xv KEY: the current guest's last "XV-KEY=" console line.
xv() {
	cat "${CONSOLES[@]}" | tr -d '\r' | sed -n "s/^XV-$1=//p" | tail -1
}
# wait_marker LINE SECS: until a console of the current guest has LINE.
wait_marker() {
	local end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -lt $end ]; do
		cat "${CONSOLES[@]}" | tr -d '\r' | grep -qx -- "$1" && return 0
		sleep 0.2
	done
	return 1
}

# --- backends --------------------------------------------------------------------
# dpdk_start TAG SOCK IFACE CPU: testpmd, net_vhost0 (server) on SOCK and
# net_af_xdp0 on IFACE, io forwarding, its forwarding lcore on CPU.
declare -A TP_PID
dpdk_start() {
	local tag=$1 sock=$2 ifc=$3 cpu=$4 _
	rm -f "$sock"
	LIBXDP_SKIP_DISPATCHER=1 stdbuf -oL dpdk-testpmd --no-pci --in-memory \
		--file-prefix="xm1$tag" -m 256 --single-file-segments \
		--lcores "0@$cpu,1@$cpu" \
		--vdev "net_vhost0,iface=$sock,queues=1,client=0" \
		--vdev "net_af_xdp0,iface=$ifc,start_queue=0,queue_count=1" -- \
		--forward-mode=io --stats-period 1 -a </dev/null \
		>"$TMP/tp.$tag.log" 2>&1 &
	TP_PID[$tag]=$!
	BG_PIDS+=("$!")
	for _ in $(seq 150); do
		[ -S "$sock" ] && grep -q "packet forwarding" "$TMP/tp.$tag.log" &&
			return 0
		kill -0 "${TP_PID[$tag]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "# testpmd $tag did not start:"
	tail -20 "$TMP/tp.$tag.log" | sed 's/^/#   /'
	return 1
}
# dpdk_stop TAG: SIGINT; testpmd prints its forward statistics.
dpdk_stop() {
	local pid=${TP_PID[$1]} _
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
# tp_stat TAG PORT FIELD: from testpmd's last "Forward statistics for port
# PORT": RX-packets RX-dropped TX-packets TX-dropped.
tp_stat() {
	awk -v port="$2" -v f="$3" '
		/Forward statistics for port/ { p = ($0 ~ ("for port " port " ")) }
		p && /RX-packets/ { v["RX-packets"] = $2; v["RX-dropped"] = $4 }
		p && /TX-packets/ { v["TX-packets"] = $2; v["TX-dropped"] = $4; p = 0 }
		END { print v[f] + 0 }' "$TMP/tp.$1.log"
}
# dev_stat NAME JQ: from vdpactl dev stats (e.g. .rx_packets, .drops.not_ready)
dev_stat() { ctl -j dev stats "$1" | jq -r ".stats[\"$1\"]$2"; }
dev_conf() { ctl -j dev config show "$1" | jq -r ".config[\"$1\"]$2"; }
# dev_drops NAME: "reason=count ..." of the non-zero drop counters ("" if
# none)
dev_drops() {
	ctl -j dev stats "$1" | jq -r ".stats[\"$1\"].drops | to_entries |
		map(select(.value != 0) | \"\(.key)=\(.value)\") | join(\" \")"
}
# esw_drops: the eswitch's non-zero drop counters, per PF and VF
esw_drops() {
	local pf
	for pf in xm1pa xm1pb; do
		ctl -j vf show $pf | jq -r --arg pf $pf '.vf[] | "\($pf) vf \(.vf): " +
			(.stats.drops | to_entries | map(select(.value != 0) |
			"\(.key)=\(.value)") | join(" "))'
	done
}
# dev_drop_sum NAME [REASON...]: the drops of NAME, but those REASONs
dev_drop_sum() {
	local d=$1
	shift
	ctl -j dev stats "$d" | jq -r --args ".stats[\"$d\"].drops |
		to_entries | map(select(.key as \$k | \$ARGS.positional |
		index(\$k) | not) | .value) | add // 0" "$@"
}
dirty_pages() { dev_stat "$1" .dirty_log.pages; }
# The guest's device counts no not_ready drop while the guest runs on it,
# from the moment it settled there (pings answered, streams moving) to
# the next migration: steady_mark DEV, then steady_check DEV.
declare -A STEADY_NR
steady_mark() { STEADY_NR[$1]=$(dev_stat "$1" .drops.not_ready); }
steady_check() {
	check_eq "$1: no not_ready drop while the guest ran on it" \
		"${STEADY_NR[$1]}" "$(dev_stat "$1" .drops.not_ready)"
}
rings_started() { grep -c "$1: vring 1 started" "$LOG"; }
# rings_state NAME: "RX TX", each true when vdpad has that ring started
rings_state() {
	echo "$(ctl -j dev vstats show "$1" qidx 0 | jq ".vstats[\"$1\"].started")" \
		"$(ctl -j dev vstats show "$1" qidx 1 | jq ".vstats[\"$1\"].started")"
}

# --- the external host's streams -----------------------------------------------
# streams_start TAG: the sink (port 5001) and the source (5002) for the
# next guest; streams_stop TAG ends them.
streams_start() {
	local _
	ip netns exec $EXT python3 tests/tools/mig_stream.py sink $EXT_IP 5001 \
		"$TMP/stop.$1" "$TMP/up.$1" 1048576 2>"$TMP/up.$1.err" &
	BG_PIDS+=("$!")
	ip netns exec $EXT python3 tests/tools/mig_stream.py source $EXT_IP 5002 \
		"$TMP/stop.$1" "$TMP/down.$1" 37 2>"$TMP/down.$1.err" &
	BG_PIDS+=("$!")
	for _ in $(seq 50); do
		[ "$(ip netns exec $EXT ss -Hltn 'sport = :5001 or sport = :5002' | wc -l)" = 2 ] &&
			return 0
		sleep 0.1
	done
	return 1
}
stream_bytes() { cat "$TMP/$1.bytes" 2>/dev/null || echo 0; }
# streams_moved TAG MIN SECS: both streams carried MIN more bytes (within
# SECS s); prints how many each did.
streams_moved() {
	local u0 d0 u d end=$(($(date +%s) + $3))
	u0=$(stream_bytes "up.$1")
	d0=$(stream_bytes "down.$1")
	while :; do
		u=$(($(stream_bytes "up.$1") - u0))
		d=$(($(stream_bytes "down.$1") - d0))
		[ $u -ge "$2" ] && [ $d -ge "$2" ] && break
		[ "$(date +%s)" -lt $end ] || break
		sleep 0.2
	done
	echo "guest->ext $u bytes, ext->guest $d bytes"
	[ $u -ge "$2" ] && [ $d -ge "$2" ]
}

# --- one migration ------------------------------------------------------------
# ping_resumes: the external host pings the guest until it answers (30
# tries, 1 s each), then 10 times; prints "TRIES REPLIES".
ping_resumes() {
	local i
	for i in $(seq 30); do
		ip netns exec $EXT ping -q -c 1 -W 1 $G_IP >/dev/null && break
		i=$((i + 1))
	done
	echo "$i $(ip netns exec $EXT ping -q -c 10 -i 0.1 -W 2 $G_IP |
		sed -n 's/.*transmitted, \([0-9]*\) received.*/\1/p')"
}

# migrate N FROM TO TO_SOCK TO_KIND TO_NAME FROM_KIND FROM_NAME: migration N
# of the current guest, QEMU instance FROM -> TO (started here on
# TO_SOCK, backend TO_KIND vdpad|dpdk, device or testpmd TO_NAME).
MIG_SUMMARY=()
declare -A MIG_T
migrate() {
	local n=$1 from=$2 to=$3 sock=$4 kind=$5 name=$6 fkind=$7 fname=$8
	local what="migration $n ($fkind $fname -> $kind $name)"
	local r0 dp0 dp1
	r0=0
	[ "$kind" = vdpad ] && r0=$(rings_started "$name")
	local lb0 nr0 l0 dl=()
	l0=$(capture_lines)
	if [ "$fkind" = vdpad ]; then
		steady_check "$fname"
		nr0=$(dev_stat "$fname" .drops.not_ready)
		dp0=$(dirty_pages "$fname")
		lb0=$(dev_conf "$fname" .vhost_user.dirty_log.log_bases)
	fi
	check "$what: destination QEMU starts (-incoming)" qemu_start "$to" "$sock" incoming
	CONSOLES+=("$TMP/console.$to")
	if [ "$kind" = vdpad ]; then
		check_eq "$what: destination connected to $name before" true \
			"$(dev_conf "$name" .vhost_user.connected)"
	fi
	if [ "$fkind" = vdpad ]; then
		# What the source's dirty log looked like while it ran.
		(while [ ! -e "$TMP/mig.$n.done" ]; do
			dev_conf "$fname" .vhost_user.dirty_log | jq -c .
			sleep 0.05
		done) >"$TMP/dlog.$n" 2>&1 &
		dl=($!)
	fi
	MIG_T[$n]=$(date +%s.%N)
	qemu_migrate "$TMP/mon.$from" "unix:$TMP/mig.$to" 90
	local rc=$?
	touch "$TMP/mig.$n.done"
	[ ${#dl[@]} -gt 0 ] && wait "${dl[0]}"
	echo "# $what: status $MIG_STATUS, total time ${MIG_TOTAL_MS:-?} ms, downtime ${MIG_DOWNTIME_MS:-?} ms, setup ${MIG_SETUP_MS:-?} ms, ${MIG_RAM_KB:-?} kB of RAM"
	MIG_SUMMARY+=("$what: total ${MIG_TOTAL_MS:-?} ms, downtime ${MIG_DOWNTIME_MS:-?} ms")
	check_eq "$what: QEMU completed it${MIG_ERROR:+ ($MIG_ERROR)}" 0 $rc
	# The source says "completed" once it sent everything: the
	# destination may still refuse what it got.
	local st=""
	if [ $rc -eq 0 ]; then
		for _ in $(seq 50); do
			st=$(hmp "$TMP/mon.$to" 'info status' 2>/dev/null |
				sed -n 's/^VM status: //p')
			[ "$st" = running ] && break
			kill -0 "${QPID[$to]}" 2>/dev/null || break
			sleep 0.2
		done
		check_eq "$what: the destination runs" running "$st"
	fi
	if [ $rc -ne 0 ] || [ "$st" != running ]; then
		echo "# --- source QEMU log (last 15 lines)"
		tail -15 "$TMP/qemu.$from.log" | sed 's/^/#   /'
		echo "# --- destination QEMU log (last 15 lines)"
		tail -15 "$TMP/qemu.$to.log" | sed 's/^/#   /'
		return 1
	fi
	[ "$fkind" = vdpad ] && dp1=$(dirty_pages "$fname")
	qemu_quit "$from"
	if [ "$fkind" = vdpad ]; then
		check_eq "$what: $fname stopped the rings once the source quit" \
			"false false" "$(rings_state "$fname")"
	fi
	if [ "$fkind" = vdpad ]; then
		echo "# $what: $fname dirty-log pages $dp0 -> $dp1; while migrating, $fname's log was: $(sort "$TMP/dlog.$n" | uniq -c | sort -rn | tr '\n' ' ')"
		check_gt "$what: $fname logged the pages it dirtied (dirty_log.pages)" \
			$((${dp1:-0} - ${dp0:-0})) 0
		check_gt "$what: QEMU gave $fname a log (SET_LOG_BASE, log_bases)" \
			"$(dev_conf "$fname" .vhost_user.dirty_log.log_bases)" "$lb0"
		check_eq "$what: $fname's log took every mark (dirty_log.outside)" \
			0 "$(dev_stat "$fname" .dirty_log.outside)"
		check_eq "$what: $fname refused no log" \
			0 "$(dev_conf "$fname" .vhost_user.dirty_log.refused)"
	fi
	if [ "$kind" = vdpad ]; then
		for _ in $(seq 50); do
			[ "$(rings_state "$name")" = "true true" ] && break
			sleep 0.1
		done
		check_eq "$what: $name has the guest's RX and TX rings started" \
			"true true" "$(rings_state "$name")"
		check_gt "$what: ... started anew (vdpad's log)" \
			"$(rings_started "$name")" "$r0"
	fi
	local tries replies
	read -r tries replies < <(ping_resumes)
	echo "# $what: the external host's pings: first reply at try $tries, then $replies of 10"
	check "$what: the external host's pings get replies again" \
		test "$tries" -le 30
	# Not all 10: the TCG guest may leave its RX ring empty for a moment
	# (vdpad counts rx_no_buffer), the streams keep it busy.
	check_gt "$what: ... then most of 10 more (8 at least)" "${replies:-0}" 7
	check "$what: both streams move on (512 KiB each)" \
		streams_moved "$GTAG" 524288 60
	[ "$kind" = vdpad ] && steady_mark "$name"
	[ "$kind" = vdpad ] && echo "# $name, the guest's now: drops $(dev_drops "$name" | sed 's/^$/none/')"
	if [ "$fkind" = vdpad ]; then
		local port=xm1wb nb # the destination's PF's port
		[ "$name" = xm1a ] && port=xm1wa
		nb=$(($(announced $port 0806 "$l0") + $(announced $port 8035 "$l0")))
		echo "# $fname, left by the guest: not_ready +$(($(dev_stat "$fname" .drops.not_ready) - nr0)) since the migration began (legitimate: the bridge flooded here the $nb announcements that came in from the new port, and sent unicast for the guest here until it learned that port); all drops: $(dev_drops "$fname" | sed 's/^$/none/')"
	fi
	return 0
}

# stall JSON T END: a stream's longest pause that ended after T, before
# END and within 20 s
declare -A MIG_DONE
stall() {
	echo "$1" | jq --argjson t "$2" --argjson e "$3" '.start as $s |
		[.gaps_ms[]? | ($s + .[1] / 1000) as $at |
		select($at >= $t and $at <= $e and $at <= $t + 20) | .[0]] |
		max // 0'
}

# guest_end N TAG: stops the streams, lets the guest finish (instance N),
# takes its link down for its final counters; checks the streams.
guest_end() {
	local k=$1 tag=$2 up down
	touch "$TMP/stop.$tag"
	check "$tag: the guest ran its program to the end (XV-DONE)" \
		wait_marker XV-DONE 90
	for _ in $(seq 100); do
		[ -e "$TMP/up.$tag" ] && [ -e "$TMP/down.$tag" ] && break
		sleep 0.1
	done
	hmp "$TMP/mon.$k" "set_link n0 off" >/dev/null
	wait_marker "XV-RX-DROPPED=.*" 30
	up=$(cat "$TMP/up.$tag" 2>/dev/null || echo '{}')
	down=$(cat "$TMP/down.$tag" 2>/dev/null || echo '{}')
	echo "# $tag: guest->ext $(echo "$up" | jq -c '{bytes, blocks, bad_headers, trailing, stop_sent, gaps_ms, error}')"
	echo "# $tag: ext->guest $(echo "$down" | jq -c '{bytes, gaps_ms, error}')"
	# The streams' longest pause after each migration's start, until the
	# next one's (at most 20 s; figures: TCP's retransmission timer shows
	# in them).
	local n end
	for n in $(printf '%s\n' "${!MIG_T[@]}" | sort -n); do
		[ -n "${MIG_DONE[$n]:-}" ] && continue
		MIG_DONE[$n]=1
		end=${MIG_T[$((n + 1))]:-$(date +%s.%N)}
		echo "# migration $n: the streams' longest pause guest->ext $(stall "$up" "${MIG_T[$n]}" "$end") ms, ext->guest $(stall "$down" "${MIG_T[$n]}" "$end") ms"
	done
	check_eq "$tag: guest->ext: nc exit 0" 0 "$(xv UP-RC)"
	local blocks
	blocks=$(xv UP-BLOCKS)
	check_gt "$tag: guest->ext: blocks sent" "${blocks:-0}" 2
	check_eq "$tag: guest->ext: every block arrived" "${blocks:-?}" \
		"$(echo "$up" | jq .blocks)"
	check_eq "$tag: guest->ext: byte count" $((${blocks:-0} * (1048576 + 11))) \
		"$(echo "$up" | jq .bytes)"
	check_eq "$tag: guest->ext: every block intact (sha256)" "[\"$(xv BLK-SHA)\"]" \
		"$(echo "$up" | jq -c .sha256)"
	check_eq "$tag: guest->ext: every block in order" 0 \
		"$(echo "$up" | jq .bad_headers)"
	check_gt "$tag: ext->guest: bytes sent" "$(echo "$down" | jq '.bytes // 0')" 1048576
	check_eq "$tag: ext->guest: what the guest got is what was sent (sha256)" \
		"$(echo "$down" | jq -r .sha256)" "$(xv DOWN-SHA)"
	check_eq "$tag: guest saw no receive errors" 0 "$(xv RX-ERRORS)"
	check_eq "$tag: the guest saw its link go down" 0 "$(xv CARRIER-END)"
	echo "# eswitch drops (not asserted: what no VF could take):"
	esw_drops | sed 's/^/#   /'
}

# account TAG TX_TAKEN RX_DELIVERED: every frame the guest sent was taken
# by one of its backends, every frame they delivered reached its driver.
account() {
	local gtx grx r rd
	gtx=$(xv TX)
	r=$(xv RX)
	rd=$(xv RX-DROPPED)
	grx=$((${r:-0} + ${rd:-0}))
	echo "# $1: guest tx $gtx, rx $(xv RX) + dropped $(xv RX-DROPPED); backends took $2, delivered $3"
	check_eq "$1: the backends took every frame the guest sent" "$gtx" "$2"
	check_eq "$1: the guest got every frame the backends delivered" "$3" "$grx"
}

# dump_all: every QEMU's log and console end (on failure)
dump_all() {
	local k
	for k in "${!QPID[@]}"; do
		echo "# --- qemu $k log (last 10 lines)"
		tail -10 "$TMP/qemu.$k.log" | sed 's/^/#   /'
		echo "# --- qemu $k console (last 60 lines)"
		tr -d '\r' <"$TMP/console.$k" | tail -60 | sed 's/^/#   /'
	done
}

# bail: after a failed migration, what the guest and the backends said;
# the remaining migrations are left out.
bail() {
	for t in "${!TP_PID[@]}"; do dpdk_stop "$t"; done
	echo "# --- vdpad log (last 30 lines)"
	grep -v 'refusing a second frontend' "$LOG" | tail -30 | sed 's/^/#   /'
	dump_all
	for m in "${MIG_SUMMARY[@]}"; do echo "# $m"; done
	echo "# runtime $(secs) s"
	not_ok "the remaining migrations (left out after the failure above)"
	finish
	exit
}

# features_hex NAME...: the virtio feature bits so named, as 0xHEX
declare -A FEATURE_BIT=([CSUM]=0 [GUEST_CSUM]=1 [CTRL_GUEST_OFFLOADS]=2
	[MTU]=3 [MAC]=5 [GUEST_TSO4]=7 [GUEST_TSO6]=8 [GUEST_ECN]=9
	[GUEST_UFO]=10 [HOST_TSO4]=11 [HOST_TSO6]=12 [HOST_ECN]=13
	[HOST_UFO]=14 [MRG_RXBUF]=15 [STATUS]=16 [CTRL_VQ]=17 [CTRL_RX]=18
	[CTRL_VLAN]=19 [GUEST_ANNOUNCE]=21 [MQ]=22 [CTRL_MAC_ADDR]=23
	[NOTIFY_ON_EMPTY]=24 [LOG_ALL]=26 [ANY_LAYOUT]=27 [INDIRECT_DESC]=28
	[EVENT_IDX]=29 [PROTOCOL_FEATURES]=30 [VERSION_1]=32
	[ACCESS_PLATFORM]=33 [RING_PACKED]=34 [IN_ORDER]=35)
features_hex() {
	local f v=0
	for f in "$@"; do
		[ -n "${FEATURE_BIT[$f]:-}" ] || {
			echo "unknown feature $f" >&2
			return 1
		}
		v=$((v | (1 << FEATURE_BIT[$f])))
	done
	printf '0x%x\n' $v
}
# guest_has_feature BIT: the current guest negotiated feature BIT
guest_has_feature() { [ "$(xv FEATURES | cut -c$(($1 + 1)))" = 1 ]; }

# === guest 1: vdpad PF A -> PF B -> PF A ==========================================
GTAG=g1
if [ "$PHASE1" = dpdk ]; then
	check "vf set xm1pa vf 0 mac $MAC" ctl vf set xm1pa vf 0 mac $MAC
	check "vf set xm1pb vf 0 mac $MAC" ctl vf set xm1pb vf 0 mac $MAC
	ip link set xm1pav0 up
	ip link set xm1pbv0 up
	check "testpmd on PF A VF 0" dpdk_start a $SOCK_A xm1pav0 0
	check "testpmd on PF B VF 0" dpdk_start b $SOCK_B xm1pbv0 1
	KIND=dpdk NAME_A=a NAME_B=b
else
	check "dev add xm1a (PF A, MAC $MAC)" \
		ctl dev add name xm1a mgmtdev xm1pa vf 0 mac $MAC socket $SOCK_A
	check "dev add xm1b (PF B, the same MAC)" \
		ctl dev add name xm1b mgmtdev xm1pb vf 0 mac $MAC socket $SOCK_B
	KIND=vdpad NAME_A=xm1a NAME_B=xm1b
	OFFERED=$(dev_conf xm1a '.offered_features[]')
	echo "# vdpad offers: $(echo "$OFFERED" | tr '\n' ' ')"
fi
check "external streams listen" streams_start g1
check "guest 1 boots on $NAME_A" qemu_start 0 $SOCK_A
CONSOLES=("$TMP/console.0")
check "guest 1: eth0 up (XV-UP)" wait_marker XV-UP 90
check_eq "guest 1: eth0 driven by virtio_net" virtio_net "$(xv DRIVER)"
echo "# guest 1 features: $(xv FEATURES)"
check "guest 1 streams (XV-STREAMING)" wait_marker XV-STREAMING 60
check_eq "guest 1 -> external: 3 pings, all replies" 3/3 "$(xv PING-EXT)"
check "guest 1 negotiated GUEST_ANNOUNCE (it announces itself)" \
	guest_has_feature 21
check "guest 1: both streams carry 512 KiB before the migration" \
	streams_moved g1 524288 60
[ "$KIND" = vdpad ] && steady_mark xm1a
l1=$(capture_lines)
migrate 1 0 1 $SOCK_B $KIND $NAME_B $KIND $NAME_A || bail
check_gt "migration 1: the guest's gratuitous ARP came in from PF B's uplink" \
	"$(announced xm1wb 0806 "$l1")" 0
l2=$(capture_lines)
migrate 2 1 2 $SOCK_A $KIND $NAME_A $KIND $NAME_B || bail
check_gt "migration 2: the guest's gratuitous ARP came in from PF A's uplink" \
	"$(announced xm1wa 0806 "$l2")" 0
check_eq "guest 1 (GUEST_ANNOUNCE): no RARP from a backend" 0 \
	$(($(announced xm1wa 8035 1) + $(announced xm1wb 8035 1)))
[ "$KIND" = vdpad ] && steady_check xm1a
guest_end 2 g1
if [ "$KIND" = vdpad ]; then
	tx=0 rx=0
	for d in xm1a xm1b; do
		tx=$((tx + $(dev_stat $d .tx_packets)))
		rx=$((rx + $(dev_stat $d .rx_packets)))
		echo "# $d: announce $(ctl -j dev stats $d | jq -c ".stats.$d.announce")"
	done
	account "guest 1" $tx $rx
	for d in xm1a xm1b; do
		echo "# $d drops: $(dev_drops $d | sed 's/^$/none/')"
		check_eq "$d: no drops but not_ready and rx_no_buffer" 0 \
			"$(dev_drop_sum $d not_ready rx_no_buffer)"
	done
fi
qemu_quit 2
if [ "$PHASE1" = dpdk ]; then
	for t in a b; do dpdk_stop $t; done
	for t in a b; do
		echo "# testpmd $t: port 0 (vhost) rx $(tp_stat $t 0 RX-packets) tx $(tp_stat $t 0 TX-packets) tx-dropped $(tp_stat $t 0 TX-dropped); port 1 (af_xdp) rx $(tp_stat $t 1 RX-packets) tx $(tp_stat $t 1 TX-packets) tx-dropped $(tp_stat $t 1 TX-dropped)"
	done
	account "guest 1" $(($(tp_stat a 0 RX-packets) + $(tp_stat b 0 RX-packets))) \
		$(($(tp_stat a 0 TX-packets) + $(tp_stat b 0 TX-packets)))
	for m in "${MIG_SUMMARY[@]}"; do echo "# $m"; done
	echo "# runtime $(secs) s"
	[ "$T_FAIL" -eq 0 ] || dump_all
	finish
	exit
fi

# === guest 2: vdpad PF A -> DPDK on PF B -> vdpad PF A ==============================
# Before the same MAC can go to PF B's VF 1 (the eswitch refuses a MAC
# twice in a VLAN), xm1b goes; xm1a comes back with the features DPDK's
# net_vhost offers too (not HOST_TSO4/6: no tso=1, which AF_XDP could
# not take), and without GUEST_ANNOUNCE.
GTAG=g2
check "dev del xm1a" ctl dev del xm1a
check "dev del xm1b" ctl dev del xm1b
# shellcheck disable=SC2046 # one name a word
F2=$(features_hex $(echo "$OFFERED" | grep -vx 'HOST_TSO4\|HOST_TSO6\|GUEST_ANNOUNCE'))
check "guest 2's device_features: vdpad's but HOST_TSO4/6, GUEST_ANNOUNCE ($F2)" \
	test -n "$F2"
check "dev add xm1a again, device_features $F2 (no HOST_TSO4/6, no GUEST_ANNOUNCE)" \
	ctl dev add name xm1a mgmtdev xm1pa vf 0 mac $MAC socket $SOCK_A \
	device_features "$F2"
echo "# xm1a offers: $(dev_conf xm1a '.offered_features | join(" ")')"
check_eq "xm1a does not offer GUEST_ANNOUNCE" 0 \
	"$(dev_conf xm1a .offered_features | jq '[.[] | select(. == "GUEST_ANNOUNCE")] | length')"
# (dev del leaves the VF's MAC as it was)
check "vf set xm1pb vf 0 mac $OTHER_MAC (the guest's MAC leaves VF 0)" \
	ctl vf set xm1pb vf 0 mac $OTHER_MAC
check "vf set xm1pb vf 1 mac $MAC (DPDK's VF)" ctl vf set xm1pb vf 1 mac $MAC
ip link set xm1pbv1 up
check "external streams listen (guest 2)" streams_start g2
check "guest 2 boots on xm1a" qemu_start 3 $SOCK_A
CONSOLES=("$TMP/console.3")
check "guest 2: eth0 up (XV-UP)" wait_marker XV-UP 90
echo "# guest 2 features: $(xv FEATURES)"
check "guest 2 streams (XV-STREAMING)" wait_marker XV-STREAMING 60
check_eq "guest 2 -> external: 3 pings, all replies" 3/3 "$(xv PING-EXT)"
check_fails "guest 2 did not negotiate GUEST_ANNOUNCE" guest_has_feature 21
check "guest 2: both streams carry 512 KiB before the migration" \
	streams_moved g2 524288 60
steady_mark xm1a
check "testpmd (net_vhost + net_af_xdp on xm1pbv1)" dpdk_start d $SOCK_D xm1pbv1 0
l3=$(capture_lines)
migrate 3 3 4 $SOCK_D dpdk d vdpad xm1a || bail
check_gt "migration 3: DPDK's RARP came in from PF B's uplink" \
	"$(announced xm1wb 8035 "$l3")" 0
r0=$(dev_stat xm1a .announce.rarp_sent)
l4=$(capture_lines)
migrate 4 4 5 $SOCK_A vdpad xm1a dpdk d || bail
dpdk_stop d
check_gt "migration 4: vdpad's RARP came in from PF A's uplink" \
	"$(announced xm1wa 8035 "$l4")" 0
# QEMU asks for a RARP once per announcement round (5, within a second):
# until the counts settle.
for _ in $(seq 50); do
	r1=$(dev_stat xm1a .announce.rarp_sent)
	[ "$(announced xm1wa 8035 "$l4")" = $((r1 - r0)) ] &&
		[ "$(dev_stat xm1a .announce.rarp_requests)" = "$r1" ] && break
	sleep 0.1
done
echo "# xm1a rarp_sent $r0 -> $r1, rarp_requests $(dev_stat xm1a .announce.rarp_requests)"
check_gt "migration 4: xm1a counted the RARPs it sent" $((r1 - r0)) 0
check_eq "xm1a sent a RARP for each SEND_RARP" \
	"$(dev_stat xm1a .announce.rarp_requests)" "$r1"
check_eq "xm1a sent as many RARPs as came in from PF A's uplink" \
	"$(announced xm1wa 8035 "$l4")" $((r1 - r0))
check_eq "guest 2: no gratuitous ARP from the guest itself" 0 \
	"$(($(announced xm1wa 0806 "$l3") + $(announced xm1wb 0806 "$l3")))"
steady_check xm1a
guest_end 5 g2
dpdk_rarps=$(announced xm1wb 8035 "$l3")
echo "# testpmd d: port 0 (vhost) rx $(tp_stat d 0 RX-packets) (of which $dpdk_rarps its RARPs) tx $(tp_stat d 0 TX-packets) tx-dropped $(tp_stat d 0 TX-dropped) (no room in the guest's RX ring: testpmd's count, not delivered); port 1 (af_xdp) rx $(tp_stat d 1 RX-packets) tx $(tp_stat d 1 TX-packets) tx-dropped $(tp_stat d 1 TX-dropped)"
account "guest 2" \
	$(($(dev_stat xm1a .tx_packets) + $(tp_stat d 0 RX-packets) - dpdk_rarps)) \
	$(($(dev_stat xm1a .rx_packets) + $(tp_stat d 0 TX-packets)))
echo "# xm1a drops: $(dev_drops xm1a | sed 's/^$/none/')"
check_eq "xm1a: no drops but not_ready and rx_no_buffer" 0 \
	"$(dev_drop_sum xm1a not_ready rx_no_buffer)"
qemu_quit 5

kill -TERM $VPID
wait $VPID
check_eq "vdpad exits cleanly on SIGTERM" 0 $?
echo "# vdpad exit lines:"
grep -a ': rx .* packets' "$LOG" | sed 's/^/#   /'
check_eq "vdpad logged no broken device" 0 "$(grep -c 'device broken' "$LOG")"
echo "# runtime $(secs) s"
for m in "${MIG_SUMMARY[@]}"; do echo "# $m"; done
if [ "$T_FAIL" -gt 0 ]; then
	echo "# --- vdpad log (last 30 lines)"
	grep -v 'refusing a second frontend' "$LOG" | tail -30 | sed 's/^/#   /'
	dump_all
fi
finish
