#!/bin/bash
# make bench, part "migration": live migration of a QEMU (TCG) guest that
# streams TCP to the external host, between two emulated PFs (two "hosts"
# whose uplinks are bridged in one external namespace), with vdpad as the
# vhost-user backend and, in the same run, with DPDK testpmd (net_vhost +
# net_af_xdp, io) as the reference. Figures only, no targets: QEMU's
# "info migrate" total time and downtime, and the longest pause of the
# guest's stream around each migration (the external receiver's view).
# Runs on its own (bash bench/migration.sh, as root) or from bench/run.sh
# (BENCH_PARTS=migration).
#
#   ext: bridge (10.238.0.100) -- PF A uplink -- VF 0: vdpad device, MAC Mv
#                              |              '- VF 1: testpmd, MAC Md
#                              '- PF B uplink -- VF 0: vdpad device, MAC Mv
#                                             '- VF 1: testpmd, MAC Md
#
# One vdpad (CPU 1) serves both vdpad devices; two testpmds (their
# forwarding lcores on CPU 0 and CPU 1) stand for DPDK on each host.
# The vdpad guest boots on PF A and goes A -> B -> A ... (BENCH_RUNS
# migrations, alternating); then the testpmds start and the DPDK guest does
# the same between them (the vdpad devices idle meanwhile). Each guest
# streams 1 MiB blocks to a sink in the external namespace until its last
# migration is over; a destination QEMU (-incoming unix:) is started for
# each migration on the other PF's socket, and the source quits once the
# destination runs. The stream is checked at the end (every block intact):
# a run whose stream broke is reported in the notes.
#
# Exit status: 0 when both backends produced figures (whatever they are),
# 1 when the bench could not run or a backend produced none (see Notes).
#
# Environment (shared with run.sh): BENCH_RUNS (3 migrations per backend),
# BENCH_QUICK=1 (1 each), BENCH_KEEP=0 (delete the logs; default: kept in
# $BUILD/bench/migration), GUEST_DIR (the test guest of
# tests/tools/mkguest.sh, default $BUILD/guest; built if missing).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BENCH_TAG="bench migration"
# shellcheck source=bench/lib.sh
. bench/lib.sh
# qemu_guest_with, guest_initrd, hmp, qemu_migrate
# shellcheck source=tests/lib.sh
. tests/lib.sh
trap - EXIT

BUILD=${BUILD:-build}
VDPAD=$(realpath "$BUILD/vdpad" 2>/dev/null || echo "$BUILD/vdpad")
VDPACTL=$(realpath "$BUILD/vdpactl" 2>/dev/null || echo "$BUILD/vdpactl")
GUEST=${GUEST_DIR:-$BUILD/guest}
# 256 MiB + 8 KiB of guest memory: see tests/integration/vdpa_migration.sh
# (QEMU 7.2 under TCG loses guest stores across a migration otherwise).
QEMU_MEM=262152K
bench_windows
P=xg$$
EXT=${P}x
BR=${P}br
NET=10.238.0
EXT_IP=$NET.100
EXT_MAC=02:38:00:00:01:00
declare -A GIP=([vdpad]=$NET.10 [dpdk]=$NET.11)
declare -A GMAC=([vdpad]=02:38:00:00:00:10 [dpdk]=02:38:00:00:00:11)
declare -A PORT=([vdpad]=5101 [dpdk]=5102)
CTL=/tmp/$P-ctl.sock
LOGDIR=$BUILD/bench/migration
PIDS=()
NOTES=()

[ "$(id -u)" -eq 0 ] || die "needs root"
[ -x "$VDPAD" ] || die "$VDPAD missing (make)"
for c in qemu-system-x86_64 dpdk-testpmd python3 jq stdbuf; do
	command -v $c >/dev/null || die "$c not installed (make deps)"
done
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR" || die "cannot create $LOGDIR"
LOGDIR=$(realpath "$LOGDIR")
tests/tools/mkguest.sh "$GUEST" >"$LOGDIR/mkguest.log" 2>&1 ||
	die "cannot build the guest (see $LOGDIR/mkguest.log)"
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "${free:-0}" -ge 256 ] || die "only ${free:-0} free hugepages; need 256 (2 testpmd x 256 MB)"

cleanup() {
	local pid
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	sleep 0.3
	for pid in "${PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	"$VDPACTL" -s /tmp/$P-none.sock mgmtdev del ${P}a >/dev/null 2>&1
	"$VDPACTL" -s /tmp/$P-none.sock mgmtdev del ${P}b >/dev/null 2>&1
	ip link del ${P}ua 2>/dev/null
	ip link del ${P}ub 2>/dev/null
	ip netns del $EXT 2>/dev/null
	rm -f /tmp/$P-*
	[ "${BENCH_KEEP:-1}" = 0 ] && rm -rf "$LOGDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# bgp CMD...: in the background, its pid kept for cleanup; BGP is it.
bgp() {
	"$@" &
	BGP=$!
	PIDS+=("$BGP")
}

# --- topology ------------------------------------------------------------------
ip netns add $EXT || die "cannot make namespace $EXT"
ip netns exec $EXT sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1
ip -n $EXT link set lo up
ip -n $EXT link add $BR type bridge
ip -n $EXT link set $BR address $EXT_MAC
ip -n $EXT addr add $EXT_IP/24 dev $BR
ip -n $EXT link set $BR up
for k in vdpad dpdk; do
	ip -n $EXT neigh replace "${GIP[$k]}" lladdr "${GMAC[$k]}" dev $BR nud permanent
done
for p in a b; do
	ip link add ${P}u$p type veth peer name ${P}w$p || die "cannot make veth"
	sysctl -qw net.ipv6.conf.${P}u$p.disable_ipv6=1
	ip link set ${P}w$p netns $EXT
	ip -n $EXT link set ${P}w$p master $BR
	ip -n $EXT link set ${P}w$p up
	ip link set ${P}u$p up
	"$VDPACTL" -s /tmp/$P-none.sock mgmtdev add ${P}$p uplink ${P}u$p numvfs 2 \
		>>"$LOGDIR/setup.log" 2>&1 || die "mgmtdev add ${P}$p failed (see $LOGDIR/setup.log)"
done

start_ts=$(date +%s)
load_warn
bgp env LIBXDP_SKIP_DISPATCHER=1 "$VDPAD" --control $CTL --cpus 1 -l info \
	>"$LOGDIR/vdpad.log" 2>&1
for _ in $(seq 50); do [ -S $CTL ] && break; sleep 0.1; done
[ -S $CTL ] || die "vdpad did not start (see $LOGDIR/vdpad.log)"
ctl() { "$VDPACTL" -s $CTL "$@"; }
for p in a b; do
	ctl dev add name ${P}d$p mgmtdev ${P}$p vf 0 mac "${GMAC[vdpad]}" \
		socket /tmp/$P-v$p.sock >/dev/null ||
		die "dev add on ${P}$p failed (see $LOGDIR/vdpad.log)"
	ctl vf set ${P}$p vf 1 mac "${GMAC[dpdk]}" >/dev/null ||
		die "vf set ${P}$p vf 1 failed"
	ip link set ${P}${p}v1 up
done

# --- the guest -----------------------------------------------------------------
cat >"$LOGDIR/guest-body.sh" <<'EOF'
trap '' PIPE
ip addr add $ME/24 dev eth0
arp -i eth0 -s $EXT $EXT_MAC
ip link set eth0 up
i=0
while [ $i -lt 100 ] && [ "$(cat $n/operstate)" != up ]; do
	sleep 0.1
	i=$((i + 1))
done
dd if=/dev/urandom of=/tmp/blk bs=65536 count=16 2>/dev/null
echo "XV-BLK-SHA=$(sha256sum </tmp/blk | cut -d' ' -f1)"
mkfifo /tmp/up
nc $EXT $PORT </tmp/up >/tmp/reply &
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
echo "XV-DONE"
EOF
for k in vdpad dpdk; do
	echo "ME=${GIP[$k]} EXT=$EXT_IP EXT_MAC=$EXT_MAC PORT=${PORT[$k]}" >"$LOGDIR/$k.vars"
	guest_initrd "$GUEST" "$LOGDIR/$k.initrd" "$LOGDIR/$k.vars" "$LOGDIR/guest-body.sh"
done

# qemu_start KIND N SOCK [incoming]: QEMU instance N of guest KIND
# (console, monitor and QEMU log in $LOGDIR); QPID.
declare -A QPIDS
qemu_start() {
	local k=$1 n=$2 sock=$3 inc=() _
	[ "${4:-}" = incoming ] && inc=(-incoming "unix:/tmp/$P-mig.$k$n")
	bgp qemu_guest_with "$GUEST" "$LOGDIR/$k.initrd" "$sock" "${GMAC[$k]}" \
		"$LOGDIR/$k.console.$n" "$LOGDIR/$k.qemu.$n.log" "" 900 \
		-monitor "unix:/tmp/$P-mon.$k$n,server,nowait" "${inc[@]}"
	QPIDS[$k$n]=$BGP
	for _ in $(seq 100); do
		[ -S "/tmp/$P-mon.$k$n" ] &&
			{ [ ${#inc[@]} -eq 0 ] || [ -S "/tmp/$P-mig.$k$n" ]; } && return 0
		kill -0 "$BGP" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}
qemu_quit() {
	local pid=${QPIDS[$1$2]} _
	hmp "/tmp/$P-mon.$1$2" quit >/dev/null 2>&1
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	forget_pid "$pid"
}
# console_has KIND LINE SECS
console_has() {
	local end=$(($(date +%s) + $3))
	while [ "$(date +%s)" -lt $end ]; do
		cat "$LOGDIR/$1".console.* | tr -d '\r' | grep -qx -- "$2" && return 0
		sleep 0.2
	done
	return 1
}
xv() { cat "$LOGDIR/$1".console.* | tr -d '\r' | sed -n "s/^XV-$2=//p" | tail -1; }
sink_bytes() { cat "$LOGDIR/$1.sink.bytes" 2>/dev/null || echo 0; }
# moved KIND BYTES: until the stream carried BYTES more (at most 60 s)
moved() {
	local b0 end=$(($(date +%s) + 60))
	b0=$(sink_bytes "$1")
	while [ $(($(sink_bytes "$1") - b0)) -lt "$2" ]; do
		[ "$(date +%s)" -lt $end ] || return 1
		sleep 0.2
	done
}

# --- backends --------------------------------------------------------------------
declare -A SOCKS=([vdpada]=/tmp/$P-va.sock [vdpadb]=/tmp/$P-vb.sock
	[dpdka]=/tmp/$P-da.sock [dpdkb]=/tmp/$P-db.sock)
declare -A TPIDS
dpdk_start() { # dpdk_start PF CPU
	local _
	bgp env LIBXDP_SKIP_DISPATCHER=1 stdbuf -oL dpdk-testpmd --no-pci \
		--in-memory --file-prefix="$P$1" -m 256 --single-file-segments \
		--lcores "0@$2,1@$2" \
		--vdev "net_vhost0,iface=${SOCKS[dpdk$1]},queues=1,client=0" \
		--vdev "net_af_xdp0,iface=${P}${1}v1,start_queue=0,queue_count=1" \
		-- --forward-mode=io --stats-period 1 -a </dev/null \
		>"$LOGDIR/testpmd.$1.log" 2>&1
	TPIDS[$1]=$BGP
	for _ in $(seq 150); do
		[ -S "${SOCKS[dpdk$1]}" ] && grep -q "packet forwarding" \
			"$LOGDIR/testpmd.$1.log" && return 0
		kill -0 "$BGP" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}
dpdk_stop() {
	local pid=${TPIDS[$1]} _
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	forget_pid "$pid"
}

# --- runs ------------------------------------------------------------------------
# series KIND: boots guest KIND on PF A, RUNS migrations A <-> B; appends
# to TOTAL[KIND], DOWN[KIND], SETUP[KIND], STALL[KIND].
declare -A TOTAL DOWN SETUP STALL RAM
series() {
	local k=$1 n=0 pf=a to run t_mig=() res
	bgp ip netns exec $EXT python3 tests/tools/mig_stream.py sink $EXT_IP \
		"${PORT[$k]}" "/tmp/$P-stop.$k" "$LOGDIR/$k.sink" 1048576
	local sink=$BGP
	for _ in $(seq 50); do
		ip netns exec $EXT ss -Hltn "sport = :${PORT[$k]}" | grep -q . && break
		sleep 0.1
	done
	if ! qemu_start "$k" 0 "${SOCKS[$k$pf]}" ||
		! console_has "$k" XV-STREAMING 120 || ! moved "$k" 1048576; then
		NOTES+=("$k: the guest did not start streaming (see $LOGDIR/$k.*); no figures")
		return 1
	fi
	for run in $(seq "$RUNS"); do
		to=$([ "$pf" = a ] && echo b || echo a)
		if ! qemu_start "$k" $((n + 1)) "${SOCKS[$k$to]}" incoming; then
			NOTES+=("$k run $run: the destination QEMU did not start; series ends")
			break
		fi
		t_mig+=("$(date +%s.%N)")
		if ! qemu_migrate "/tmp/$P-mon.$k$n" "unix:/tmp/$P-mig.$k$((n + 1))" 120; then
			NOTES+=("$k run $run: migration $MIG_STATUS: $MIG_ERROR; series ends")
			break
		fi
		local st="" _
		for _ in $(seq 50); do
			st=$(hmp "/tmp/$P-mon.$k$((n + 1))" 'info status' 2>/dev/null |
				sed -n 's/^VM status: //p')
			[ "$st" = running ] && break
			sleep 0.2
		done
		if [ "$st" != running ]; then
			NOTES+=("$k run $run: the destination is '$st' after QEMU said completed ($(tail -1 "$LOGDIR/$k.qemu.$((n + 1)).log")); series ends")
			break
		fi
		qemu_quit "$k" $n
		n=$((n + 1))
		pf=$to
		TOTAL[$k]+=" $MIG_TOTAL_MS"
		DOWN[$k]+=" $MIG_DOWNTIME_MS"
		SETUP[$k]+=" $MIG_SETUP_MS"
		RAM[$k]+=" $MIG_RAM_KB"
		echo "$k run $run ($([ "$pf" = b ] && echo "A -> B" || echo "B -> A")): total $MIG_TOTAL_MS ms, downtime $MIG_DOWNTIME_MS ms, setup $MIG_SETUP_MS ms, $MIG_RAM_KB kB" >&2
		moved "$k" 1048576 ||
			NOTES+=("$k run $run: the stream did not move on after the migration")
	done
	touch "/tmp/$P-stop.$k"
	console_has "$k" XV-DONE 60 || NOTES+=("$k: the guest did not end its stream")
	for _ in $(seq 100); do
		[ -e "$LOGDIR/$k.sink" ] && break
		sleep 0.1
	done
	qemu_quit "$k" $n
	wait "$sink" 2>/dev/null
	forget_pid "$sink"
	res=$(cat "$LOGDIR/$k.sink" 2>/dev/null || echo '{}')
	local blocks
	blocks=$(xv "$k" UP-BLOCKS)
	[ "$(echo "$res" | jq -c '[.blocks, .bad_headers, .sha256]')" = \
		"[${blocks:-0},0,[\"$(xv "$k" BLK-SHA)\"]]" ] ||
		NOTES+=("$k: the stream arrived damaged: guest sent ${blocks:-?} blocks, sink $(echo "$res" | jq -c '{blocks, bad_headers, sha256, error}')")
	# The stream's longest pause that ended after each migration started,
	# before the next one did and within 20 s.
	local i e
	t_mig+=("$(date +%s.%N)")
	for i in $(seq 0 $((n - 1))); do
		e=${t_mig[$((i + 1))]}
		STALL[$k]+=" $(echo "$res" | jq --argjson t "${t_mig[$i]}" --argjson e "$e" '
			.start as $s | [.gaps_ms[]? | ($s + .[1] / 1000) as $at |
			select($at >= $t and $at <= $e and $at <= $t + 20) | .[0]] |
			max // 0')"
	done
}

series vdpad
if dpdk_start a 0 && dpdk_start b 1; then
	series dpdk
else
	NOTES+=("DPDK: testpmd did not start (see $LOGDIR/testpmd.*.log); no reference")
fi
for p in a b; do [ -n "${TPIDS[$p]:-}" ] && dpdk_stop $p; done

kill -TERM "${PIDS[0]}"
wait "${PIDS[0]}"
forget_pid "${PIDS[0]}"

# med VALUES: their median, rounded
med() { echo "$1" | median | awk '$1 == "nan" { print; next } { printf "%.0f\n", $1 }'; }
declare -A MT MD MS MR MP
for k in vdpad dpdk; do
	MT[$k]=$(med "${TOTAL[$k]:-}")
	MD[$k]=$(med "${DOWN[$k]:-}")
	MS[$k]=$(med "${SETUP[$k]:-}")
	MR[$k]=$(med "${RAM[$k]:-}")
	MP[$k]=$(med "${STALL[$k]:-}")
done
echo
echo "xvdpa bench migration: a QEMU TCG guest (256 MiB, 1 vCPU) streaming TCP"
echo "to the external host, live-migrated between two emulated PFs on this"
echo "host (QEMU 7.2, unix: transport); medians of $RUNS migration(s) each,"
echo "alternating PF A -> B and B -> A"
echo
echo "| backend | total time ms | downtime ms | setup ms | RAM sent kB | stream pause ms | every run (total/downtime ms) |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for k in vdpad dpdk; do
	case $k in
	vdpad) what="vdpad (one daemon, a device on each PF)" ;;
	dpdk) what="DPDK testpmd net_vhost + net_af_xdp (reference)" ;;
	esac
	every=$(paste -d/ <(echo "${TOTAL[$k]:-}" | tr ' ' '\n' | grep .) \
		<(echo "${DOWN[$k]:-}" | tr ' ' '\n' | grep .) | tr '\n' ' ')
	echo "| $what | ${MT[$k]} | ${MD[$k]} | ${MS[$k]} | ${MR[$k]} | ${MP[$k]} | ${every% } |"
done
echo
awk -v vt="${MT[vdpad]}" -v dt="${MT[dpdk]}" -v vd="${MD[vdpad]}" -v dd="${MD[dpdk]}" 'BEGIN {
	printf "vdpad / DPDK: total time %s, downtime %s\n",
		(dt > 0 && vt != "nan" ? sprintf("%.2fx", vt / dt) : "n/a"),
		(dd > 0 && vd != "nan" ? sprintf("%.2fx", vd / dd) : "n/a")
}'
echo "(stream pause: the longest gap over 200 ms between two receives at the"
echo "external sink after a migration's start, before the next one's and"
echo "within 20 s, 0 if none; TCP's retransmission timer shows in it)"
echo "vdpad's counters at exit:"
grep -a ': rx .* packets' "$LOGDIR/vdpad.log" | sed 's/^/  /'
report_tail
[ -n "${TOTAL[vdpad]:-}" ] && [ -n "${TOTAL[dpdk]:-}" ]
