#!/bin/bash
# make bench, part "pod" (issue 13): ordinary pods' traffic through the
# eswitch in netdev mode against the Linux bridge the default CNI builds
# and against a bare veth pair (the upper bound). Runs on its own
# (bench/pod.sh, as root) or from bench/run.sh (BENCH_PARTS=pod).
#
# Three topologies, each in namespaces of its own, all built once and kept
# while the runs alternate between them:
#
#   netdev  ext:eth0 ==[uplink veth]== eswitch (vdpactl mgmtdev add PF
#           uplink UPL numvfs 2) == VF 0 -> pod a, VF 1 -> pod b, each
#           then "vdpactl vf set PF vf N consumer netdev" (what the CNI
#           plugin does in netdev mode). No vdpad: vdpactl sets the kernel
#           up itself.
#   bridge  ext:eth0 ==[uplink veth]== Linux bridge == veth -> pod a,
#           veth -> pod b (what the default CNI, the bridge plugin, builds).
#   veth    ext:eth0 ==[one veth pair]== pod a; pod->pod: a second veth
#           pair between pod a and pod b.
#
# Every end keeps the kernel's offloads: the wire end (ext:eth0, unless
# BENCH_POD_WIRE says otherwise), the bridge's and veth's pods, and the
# VF device ends (vdpactl gives them TX checksum, TSO, GSO and GRO on).
# Every device's offloads are printed with the table.
#
# Cells: iperf3 TCP pod->external, external->pod, pod->pod (Gbit/s the
# receiver counted, iperf3's sum_received), and 64 B UDP pod->external
# (iperf3 -u -l 18 -b 0: 18 B payload = 64 B frames with FCS), as the
# datagrams the receiver's UDP stack delivered to its socket per second
# (UdpInDatagrams of the receiving namespace over the window; what the
# sender offered is logged beside it). iperf3 client (the sender) on CPU 0,
# server on CPU 1. Each run measures a cell on netdev, bridge, veth in
# turn; the table shows medians of the uncontended runs.
#
# Environment (shared with run.sh):
#   BENCH_RUNS=N      runs per cell (3)
#   BENCH_SECONDS=S   the measuring window (5 s, after BENCH_WARM=2 s)
#   BENCH_QUICK=1     smoke test: 1 run, 2 s windows, 1 s warm-up
#   BENCH_POD_WIRE    ethtool -K arguments for every topology's wire end
#                     ("", the kernel's defaults; e.g. "tx off gro on",
#                     what the tests needed before the eswitch was TC only)
#   BENCH_POD_CONSUMER  the VFs' consumer in the netdev topology: netdev
#                     (default, as the CNI plugin sets it) or xdp (frames
#                     out of the representor, segmented and checksummed
#                     there: what an AF_XDP consumer gets)
#   BENCH_POD_CELLS   development: some of "p2e e2p p2p udp"
#   BENCH_POD_TOPOS   development: some of "netdev bridge veth"
#   BENCH_KEEP=0      delete the logs at exit (default: kept in
#                     $BUILD/bench/pod)
#
# Exit status: 0 when every run produced a figure (targets met or not:
# they are reported, never asserted); 1 when the bench could not run or a
# measurement produced no figure at all (a failed iperf3).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BENCH_TAG="bench pod"
# shellcheck source=bench/lib.sh
. bench/lib.sh

BUILD=${BUILD:-build}
VDPACTL=$(realpath "$BUILD/vdpactl" 2>/dev/null || echo "$BUILD/vdpactl")
bench_windows
WIRE_K=${BENCH_POD_WIRE-}
CONSUMER=${BENCH_POD_CONSUMER:-netdev}
CELLS=${BENCH_POD_CELLS:-p2e e2p p2p udp}
TOPOS=${BENCH_POD_TOPOS:-netdev bridge veth}
PORT=5201
CONTENDED_ABOVE=10 # % of a core other users' processes may take in a window

P=xp$$
PF=${P}n # the emulated PF (at most 12 characters: xp + pid + n)
LOGDIR=$BUILD/bench/pod


[ "$(id -u)" -eq 0 ] || die "needs root"
for c in iperf3 jq ethtool ip taskset timeout ss; do
	command -v $c >/dev/null || die "$c not installed (make deps)"
done
[ -x "$VDPACTL" ] || die "$VDPACTL missing (make)"
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs"
[ "$RUNS" -ge 1 ] || die "BENCH_RUNS must be at least 1"

rm -rf "$LOGDIR"
mkdir -p "$LOGDIR" || die "cannot create $LOGDIR"
LOGDIR=$(realpath "$LOGDIR")

# ---- names ------------------------------------------------------------------
# Namespaces: $P-<topology letter><role>, roles x (external), a, b (pods).
ns() { echo "$P-${1:0:1}$2"; }
# addresses: pods .1 and .2, external .100; the veth topology's pod->pod
# pair has a subnet of its own.
declare -A NET=([netdev]=10.233.1 [bridge]=10.233.2 [veth]=10.233.3)
NET_VV=10.233.4
ROLE=(a b) # VF / pod index -> role

# ---- cleanup ------------------------------------------------------------------

PIDS=()
cleanup_prefix() { # cleanup_prefix PREFIX: everything one run made
	local p=$1 n
	"$VDPACTL" mgmtdev del "${p}n" >/dev/null 2>&1
	for n in nu bu br ba bb; do
		ip link del "$p$n" 2>/dev/null
	done
	for n in $(ip netns list 2>/dev/null | awk -v p="$p-" 'index($1, p) == 1 { print $1 }'); do
		ip netns del "$n" 2>/dev/null
	done
}
cleanup() {
	local pid
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	cleanup_prefix $P
	if [ "${BENCH_KEEP:-1}" = 0 ]; then
		rm -rf "$LOGDIR"
	else
		echo "Logs (iperf3's JSON of every run, per-second rates): $LOGDIR" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Leftovers of an earlier run that was killed: our prefix, its process gone.
for p in $(ip netns list 2>/dev/null | grep -o '^xp[0-9]*-' | sort -u); do
	pid=${p#xp}
	pid=${pid%-}
	kill -0 "$pid" 2>/dev/null && continue
	cleanup_prefix "xp$pid"
done

# ---- topologies -----------------------------------------------------------------

ns_new() {
	ip netns add "$1" || return 1
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}
host_noipv6() { sysctl -qw net.ipv6.conf."$1".disable_ipv6=1 2>/dev/null; }

# ext_wire TOPO HOSTDEV: the external namespace, its eth0 the wire end of
# a veth whose other end HOSTDEV stays in the host.
ext_wire() {
	local x
	x=$(ns "$1" x)
	ns_new "$x" || return 1
	ip link add "$2" type veth peer name eth0 netns "$x" || return 1
	if [ -n "$WIRE_K" ]; then
		# shellcheck disable=SC2086 # ethtool's words
		ip netns exec "$x" ethtool -K eth0 $WIRE_K >/dev/null || return 1
	fi
	host_noipv6 "$2"
	ip -n "$x" addr add "${NET[$1]}.100/24" dev eth0 &&
		ip -n "$x" link set eth0 up && ip link set "$2" up
}

# pod_ip NS DEV ADDR: address and up.
pod_ip() {
	ip -n "$1" addr add "$3/24" dev "$2" && ip -n "$1" link set "$2" up
}

setup_netdev() {
	local i pod out
	ext_wire netdev ${P}nu || return 1
	out=$("$VDPACTL" mgmtdev add $PF uplink ${P}nu numvfs 2 2>&1) || {
		echo "$out" >&2
		return 1
	}
	echo "$out" >"$LOGDIR/vdpactl-mgmtdev-add.log"
	for i in 0 1; do
		pod=$(ns netdev "${ROLE[$i]}")
		ns_new "$pod" || return 1
		ip link set ${PF}v$i netns "$pod" || return 1
		pod_ip "$pod" ${PF}v$i "${NET[netdev]}.$((i + 1))" || return 1
		"$VDPACTL" vf set $PF vf $i consumer "$CONSUMER" \
			>>"$LOGDIR/vdpactl-mgmtdev-add.log" 2>&1 || return 1
	done
}

setup_bridge() {
	local i pod h
	ext_wire bridge ${P}bu || return 1
	ip link add ${P}br type bridge || return 1
	host_noipv6 ${P}br
	ip link set ${P}bu master ${P}br || return 1
	for i in 0 1; do
		pod=$(ns bridge "${ROLE[$i]}")
		h=${P}b${ROLE[$i]}
		ns_new "$pod" || return 1
		ip link add "$h" type veth peer name eth0 netns "$pod" || return 1
		host_noipv6 "$h"
		ip link set "$h" master ${P}br && ip link set "$h" up || return 1
		pod_ip "$pod" eth0 "${NET[bridge]}.$((i + 1))" || return 1
	done
	ip link set ${P}br up
}

setup_veth() {
	local x a b
	x=$(ns veth x)
	a=$(ns veth a)
	b=$(ns veth b)
	ns_new "$x" && ns_new "$a" && ns_new "$b" || return 1
	ip link add eth0 netns "$a" type veth peer name eth0 netns "$x" || return 1
	if [ -n "$WIRE_K" ]; then
		# shellcheck disable=SC2086
		ip netns exec "$x" ethtool -K eth0 $WIRE_K >/dev/null || return 1
	fi
	ip -n "$x" addr add "${NET[veth]}.100/24" dev eth0 &&
		ip -n "$x" link set eth0 up || return 1
	pod_ip "$a" eth0 "${NET[veth]}.1" || return 1
	# pod->pod: a pair of its own between the two pods
	ip link add eth1 netns "$a" type veth peer name eth0 netns "$b" || return 1
	pod_ip "$a" eth1 "$NET_VV.1" && pod_ip "$b" eth0 "$NET_VV.2"
}

# ---- the cells ------------------------------------------------------------------

# cell_ends CELL TOPO: "SRC_NS DST_NS DST_ADDR" for that cell.
cell_ends() {
	local n=${NET[$2]} b
	b=$n.2
	[ "$2" = veth ] && b=$NET_VV.2
	case $1 in
	p2e | udp) echo "$(ns "$2" a) $(ns "$2" x) $n.100" ;;
	e2p) echo "$(ns "$2" x) $(ns "$2" a) $n.1" ;;
	p2p) echo "$(ns "$2" a) $(ns "$2" b) $b" ;;
	esac
}
cell_name() {
	case $1 in
	p2e) echo "TCP pod->external, Gbit/s" ;;
	e2p) echo "TCP external->pod, Gbit/s" ;;
	p2p) echo "TCP pod->pod, Gbit/s" ;;
	udp) echo "UDP 64 B pod->external, kpps received" ;;
	udpdev) echo "  the same, kpps at the receiving device" ;;
	esac
}

# Every topology must carry traffic both ways before anything is measured.
reach() { # reach SRC_NS ADDR
	ip netns exec "$1" ping -q -c 2 -i 0.2 -W 2 "$2" >/dev/null ||
		ip netns exec "$1" ping -q -c 3 -i 0.3 -W 2 "$2" >/dev/null
}
check_topo() {
	local c s d a
	for c in p2e e2p p2p; do
		read -r s d a <<<"$(cell_ends $c "$1")"
		reach "$s" "$a" || { echo "bench pod: $1: $s cannot reach $a" >&2; return 1; }
	done
}

# Contention: CPU time over the window of user processes outside our own
# process group (somebody else's build, QEMU...); kernel threads are left
# out (they include our own softirq work).
PGID=$(($(ps -o pgid= $$)))
proc_ticks() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v pg="$PGID" '{
		pid = $1; sub(/^.*\) /, "")
		if ($21 > 0 && $3 != pg) print pid, $12 + $13 }'
}
HZ=$(getconf CLK_TCK)
others_mark() {
	MARK_T=$(date +%s.%N)
	proc_ticks >"$LOGDIR/.ticks0"
}
others_pct() { # % of a core others used since others_mark
	local t
	t=$(date +%s.%N)
	proc_ticks | awk -v t0="$MARK_T" -v t1="$t" -v hz="$HZ" '
		NR == FNR { before[$1] = $2; next }
		{ d += ($1 in before) ? $2 - before[$1] : $2 }
		END { printf "%.0f", d * 100 / hz / (t1 - t0) }' "$LOGDIR/.ticks0" -
}

snmp() { # snmp NS Udp|... FIELD: a counter of /proc/net/snmp in NS
	ip netns exec "$1" awk -v g="$2:" -v f="$3" '
		$1 == g && !n { for (i = 2; i <= NF; i++) h[$i] = i; n = 1; next }
		$1 == g && n { print $h[f]; exit }' /proc/net/snmp
}

# dev_rx NS ADDR: rx_packets of the device that holds ADDR in NS.
dev_rx() {
	local dev
	dev=$(ip -n "$1" -j addr show | jq -r --arg a "$2" '.[] | select(any(.addr_info[]; .local == $a)) | .ifname')
	ip netns exec "$1" cat "/sys/class/net/$dev/statistics/rx_packets"
}
# kpps A B T0 T1: (B - A) / (T1 - T0) / 1000.
kpps() { awk -v a="$1" -v b="$2" -v t="$3" -v u="$4" 'BEGIN { printf "%.1f", (b - a) / (u - t) / 1e3 }'; }

# server_start NS TAG: a one-off iperf3 server on CPU 1; SRV_PID.
server_start() {
	local i
	ip netns exec "$1" taskset -c 1 iperf3 -s -1 -p $PORT -J \
		>"$LOGDIR/$2.server.json" 2>"$LOGDIR/$2.server.err" &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	for i in $(seq 100); do
		ip netns exec "$1" ss -Htln "sport = :$PORT" | grep -q . && return 0
		sleep 0.05
	done
	return 1
}
server_stop() {
	local i
	for i in $(seq 30); do
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	forget_pid "$SRV_PID"
}

NOTES=()
FAILED=0
# measure CELL TOPO TAG: OUT (Gbit/s or kpps, or empty), OUT_INFO, OUT_OTHERS.
measure() {
	local cell=$1 topo=$2 tag=$3 s d a cpid rc key in0 in1 out0 out1 buf0 buf1 dev0 dev1 t0 t1 series
	read -r s d a <<<"$(cell_ends "$cell" "$topo")"
	OUT=""
	OUT_INFO=""
	server_start "$d" "$tag" || {
		NOTES+=("$tag: the iperf3 server did not start (see $tag.server.err)")
		server_stop
		return 1
	}
	others_mark
	if [ "$cell" = udp ]; then
		ip netns exec "$s" taskset -c 0 timeout --foreground $((WARM + SECS + 30)) \
			iperf3 -c "$a" -p $PORT -u -l 18 -b 0 -t $((SECS + 2)) \
			-O "$WARM" -J >"$LOGDIR/$tag.json" 2>"$LOGDIR/$tag.err" &
		cpid=$!
		PIDS+=("$cpid")
		sleep "$(awk -v w="$WARM" 'BEGIN { print w + 0.5 }')"
		in0=$(snmp "$d" Udp InDatagrams)
		out0=$(snmp "$s" Udp OutDatagrams)
		buf0=$(snmp "$d" Udp RcvbufErrors)
		dev0=$(dev_rx "$d" "$a")
		t0=$(date +%s.%N)
		sleep "$SECS"
		in1=$(snmp "$d" Udp InDatagrams)
		out1=$(snmp "$s" Udp OutDatagrams)
		buf1=$(snmp "$d" Udp RcvbufErrors)
		dev1=$(dev_rx "$d" "$a")
		t1=$(date +%s.%N)
		OUT_OTHERS=$(others_pct)
		wait "$cpid"
		rc=$?
	else
		ip netns exec "$s" taskset -c 0 timeout --foreground $((WARM + SECS + 30)) \
			iperf3 -c "$a" -p $PORT -t "$SECS" -O "$WARM" -J \
			>"$LOGDIR/$tag.json" 2>"$LOGDIR/$tag.err" &
		cpid=$!
		PIDS+=("$cpid")
		wait "$cpid" # (wait, unlike a foreground job, lets a signal in)
		rc=$?
		OUT_OTHERS=$(others_pct)
	fi
	forget_pid "$cpid"
	server_stop
	key=.end.sum_received
	[ "$cell" = udp ] && key=.end.sum
	if [ $rc -ne 0 ] || ! jq -e $key >/dev/null 2>&1 <"$LOGDIR/$tag.json"; then
		NOTES+=("$tag: iperf3 failed (exit $rc): $(jq -r '.error // empty' "$LOGDIR/$tag.json" 2>/dev/null | head -1)$(head -c 200 "$LOGDIR/$tag.err")")
		FAILED=$((FAILED + 1))
		return 1
	fi
	# Per second as the receiver saw it (the server's intervals; the
	# client's first interval after -O spans a wrong time in iperf3 3.12),
	# without the last fraction of a second.
	series=$(jq -r '[.intervals[] | select((.sum.omitted | not) and .sum.seconds > 0.5) | .sum.bits_per_second / 1e9 | . * 100 | round / 100] | join(" ")' "$LOGDIR/$tag.server.json" 2>/dev/null)
	if [ "$cell" = udp ]; then
		OUT=$(kpps "$in0" "$in1" "$t0" "$t1")
		OUT_DEV=$(kpps "$dev0" "$dev1" "$t0" "$t1")
		OUT_INFO="offered $(kpps "$out0" "$out1" "$t0" "$t1") kpps, receiving device got $OUT_DEV kpps, socket buffer full $(kpps "$buf0" "$buf1" "$t0" "$t1") kpps"
		OUT_INFO+=", iperf3's receiver loss $(jq -r '.end.sum.lost_percent // "n/a" | if type == "number" then (. * 10 | round / 10 | tostring) + " %" else . end' "$LOGDIR/$tag.json")"
	else
		OUT=$(jq -r '.end.sum_received.bits_per_second / 1e9 | . * 1000 | round / 1000' "$LOGDIR/$tag.json")
		OUT_INFO="retransmits $(jq -r '.end.sum_sent.retransmits // "n/a"' "$LOGDIR/$tag.json"), receiver Gbit/s per second: $series"
		# A window whose slowest second fell below a quarter of its
		# median second: TCP stalled (issue 13 saw 0 Gbit/s stalls).
		if echo "$series" | tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 }
			END { exit !(NR && v[1] < 0.25 * v[int((NR + 1) / 2)]) }'; then
			NOTES+=("$tag: TCP stalled during the window (Gbit/s per second: $series)")
		fi
	fi
	return 0
}

# ---- settings, printed -------------------------------------------------------------

# in_ns NS CMD...: CMD in namespace NS, or in the host when NS is "".
in_ns() {
	local n=$1
	shift
	if [ -n "$n" ]; then
		ip netns exec "$n" "$@"
	else
		"$@"
	fi
}
# feats NS DEV: "tx-csum T tso T gso T gro T" of one device.
feats() {
	in_ns "$1" ethtool -k "$2" 2>/dev/null | awk '
		/^tx-checksumming:/ { tx = $2 }
		/^tcp-segmentation-offload:/ { tso = $2 }
		/^generic-segmentation-offload:/ { gso = $2 }
		/^generic-receive-offload:/ { gro = $2 }
		END { printf "tx-csum %s, tso %s, gso %s, gro %s", tx, tso, gso, gro }'
}
xdp_of() { # xdp_of NS DEV: ", xdp" when a program is attached
	in_ns "$1" ip -j link show "$2" 2>/dev/null | jq -r 'if .[0].xdp then ", xdp " + ({"1": "drv", "2": "skb", "3": "hw", "4": "multi"}[.[0].xdp.mode | tostring] // (.[0].xdp.mode | tostring)) else "" end'
}
devline() { # devline LABEL NS DEV
	printf "  %-44s %s%s\n" "$1 ($3):" "$(feats "$2" "$3")" "$(xdp_of "$2" "$3")"
}
settings() {
	echo "Device settings (ethtool -k as the runs saw them; MTU 1500 everywhere):"
	if [[ " $TOPOS " == *" netdev "* ]]; then
		echo "- netdev:"
		devline "external wire end" "$(ns netdev x)" eth0
		devline "uplink, host end" "" ${P}nu
		devline "VF 0 representor" "" ${PF}r0
		devline "VF 0 device end, pod a" "$(ns netdev a)" ${PF}v0
		devline "VF 1 device end, pod b" "$(ns netdev b)" ${PF}v1
		echo "  (VFs' consumer: $CONSUMER)"
	fi
	if [[ " $TOPOS " == *" bridge "* ]]; then
		echo "- bridge (bridge-nf-call-iptables=$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo n/a)):"
		devline "external wire end" "$(ns bridge x)" eth0
		devline "uplink, host end (bridge port)" "" ${P}bu
		devline "pod a's veth, host end" "" ${P}ba
		devline "pod a" "$(ns bridge a)" eth0
		devline "pod b" "$(ns bridge b)" eth0
	fi
	if [[ " $TOPOS " == *" veth "* ]]; then
		echo "- veth:"
		devline "external wire end" "$(ns veth x)" eth0
		devline "pod a, to external" "$(ns veth a)" eth0
		devline "pod a, to pod b" "$(ns veth a)" eth1
		devline "pod b" "$(ns veth b)" eth0
	fi
}

# ---- run ------------------------------------------------------------------------

start_ts=$(date +%s)
load_warn
[ "$RUNS" -lt 3 ] && [ "${BENCH_QUICK:-0}" != 1 ] &&
	echo "bench pod: warning: $RUNS run(s); the issue asks for medians of at least 3" >&2

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || die "no bpffs"
for t in $TOPOS; do
	"setup_$t" || die "cannot set up the $t topology"
done
sleep 1
for t in $TOPOS; do
	check_topo "$t" || die "the $t topology does not carry traffic"
done
echo "xvdpa bench pod: $RUNS run(s) of cells $CELLS on $TOPOS, ${SECS} s windows after ${WARM} s warm-up; logs in $LOGDIR" >&2

declare -A R # R[cell,topo] = "v1 v2 ..." (a "*" marks a contended run)
for RUN in $(seq "$RUNS"); do
	for cell in $CELLS; do
		for topo in $TOPOS; do
			tag=$cell-$topo-$RUN
			measure "$cell" "$topo" "$tag" || continue
			mark=""
			[ "${OUT_OTHERS:-0}" -gt $CONTENDED_ABOVE ] && mark="*"
			R[$cell,$topo]+=" $OUT$mark"
			[ "$cell" = udp ] && R[udpdev,$topo]+=" $OUT_DEV$mark"
			echo "run $RUN $cell $topo: $OUT $( [ "$cell" = udp ] && echo kpps || echo Gbit/s) ($OUT_INFO; others' CPU $OUT_OTHERS % of a core; load $(cut -d' ' -f1 /proc/loadavg))" >&2
			sleep 0.5
		done
	done
done

# ---- report ---------------------------------------------------------------------

fmt() {
	local s=""
	[[ $1 == *\* ]] && s="*"
	awk -v x="${1%\*}" -v s="$s" -v d="$2" 'BEGIN { if (x == "nan" || x == "") print "n/a"; else printf "%.*f%s", d, x, s }'
}
ratio() { awk -v a="${1%\*}" -v b="${2%\*}" 'BEGIN { if (a != "nan" && b != "nan" && a != "" && b != "" && b > 0) printf "%.2fx", a / b; else print "n/a" }'; }

ROWS=$CELLS
[[ " $CELLS " == *" udp "* ]] && ROWS+=" udpdev"
declare -A M
for cell in $ROWS; do
	for topo in netdev bridge veth; do
		M[$cell,$topo]=$(echo "${R[$cell,$topo]:-}" | median_clean)
	done
done

echo
echo "## xvdpa bench, pods: netdev mode vs the Linux bridge vs a bare veth pair"
echo
echo "Host: $(nproc) CPUs, kernel $(uname -r), $(iperf3 --version 2>/dev/null | head -1 | awk '{print $1, $2}');"
echo "load average at the start: $LOAD_START. Medians of $RUNS run(s) alternating"
echo "netdev, bridge, veth for every cell, each iperf3 test ${SECS} s after ${WARM} s"
echo "omitted (-O). Sender (iperf3 client) on CPU 0, receiver (server) on CPU 1."
echo "TCP: Gbit/s the receiver counted (iperf3 sum_received), one stream. UDP:"
echo "iperf3 -u -l 18 -b 0 (64 B frames with FCS), thousands of datagrams per"
echo "second delivered to the receiver's socket (its namespace's UdpInDatagrams"
echo "over the window), not what was offered (in the run lines); the row below"
echo "it counts them where the datapath hands them over (rx_packets of the"
echo "receiving device): the difference is the receiver's full socket buffer."
echo
echo "| cell | netdev | bridge | veth | netdev/bridge | netdev/veth |"
echo "| --- | --- | --- | --- | --- | --- |"
for cell in $ROWS; do
	d=2
	[[ $cell == udp* ]] && d=0
	n=${M[$cell,netdev]}
	b=${M[$cell,bridge]}
	w=${M[$cell,veth]}
	echo "| $(cell_name "$cell") | $(fmt "$n" $d) | $(fmt "$b" $d) | $(fmt "$w" $d) | $(ratio "$n" "$b") | $(ratio "$n" "$w") |"
done
echo
echo "\"*\": every run of that cell was contended (other users' processes took"
echo "more than ${CONTENDED_ABOVE} % of a core during its window); the median is then of all"
echo "of them and not conclusive. Every run (netdev / bridge / veth):"
for cell in $ROWS; do
	printf "  %-42s [%s ] [%s ] [%s ]\n" "$(cell_name "$cell"):" \
		"${R[$cell,netdev]:-}" "${R[$cell,bridge]:-}" "${R[$cell,veth]:-}"
done
echo
settings
echo
echo "Targets (issue 13: netdev >= 1.0x bridge in every TCP cell, >= 0.9x the"
echo "bare veth pair in every TCP cell, >= 1.5x bridge at 64 B UDP):"
missed=0
target() { # target CELL VS WANT
	local n=${M[$1,netdev]} o=${M[$1,$2]} line
	line=$(awk -v n="${n%\*}" -v o="${o%\*}" -v w="$3" -v vs="$2" \
		-v name="$(cell_name "$1")" -v u="$([ "$1" = udp ] && echo kpps || echo Gbit/s)" 'BEGIN {
		if (n == "nan" || o == "nan" || o <= 0) { printf "- %s, netdev/%s >= %.1fx: not measured\n", name, vs, w; exit }
		r = n / o
		s = sprintf("- %s, netdev/%s >= %.1fx: %.2fx (netdev %.2f, %s %.2f): ", name, vs, w, r, n, vs, o)
		if (r >= w) s = s "met"
		else s = s sprintf("missed by %.2fx (%.0f %% short; netdev needs +%.2f %s)", w - r, (w - r) / w * 100, w * o - n, u)
		print s }')
	[[ "$n$o" == *\** ]] && line+=" [contended runs only: not conclusive]"
	echo "$line"
	[[ $line == *missed* ]] && missed=$((missed + 1))
	return 0
}
for cell in $CELLS; do
	if [ "$cell" = udp ]; then
		target udp bridge 1.5
	else
		target "$cell" bridge 1.0
		target "$cell" veth 0.9
	fi
done
echo "$missed target line(s) missed (reported, not asserted)."
report_tail
[ "$FAILED" -eq 0 ] || die "$FAILED measurement(s) produced no figure (see the notes)"
exit 0
