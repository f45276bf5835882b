#!/bin/bash
# make bench, part "dirty_log" (issue 15): what dirty logging costs the
# datapath while a guest migrates. With LOG_ALL on, vdpad marks in the
# frontend's log every guest page it writes (received buffers, used
# rings), one atomic OR per page, after the write.
# Runs on its own (bench/dirty_log.sh, as root) or from bench/run.sh
# (BENCH_PARTS=dirty_log).
#
# Topology: no kernel, no network. vdpad --loopback on CPU 1: every frame
# the guest transmits comes back on its receive ring, so each frame is one
# TX read and one RX write (with its used-ring entries) for vdpad. The
# guest is tests/tools/evil_frontend in its log_stream mode on CPU 0: it
# keeps 256 frames posted on TX and reposts its receive buffers as they
# come back, with the log on (SET_LOG_BASE, LOG_ALL, used rings logged:
# what QEMU sends when a migration starts) or off.
# The reference: DPDK's vhost library (testpmd --vdev net_vhost0, io
# forwarding on one port looped to itself, --lcores 0@1,1@1 on CPU 1) with
# the same frontend; it logs into a cache it flushes per burst.
# Figures: the forwarder's busy time per looped frame: vdpad's busy_ns
# over rx_packets (`vdpactl dev stats`, over the window), testpmd's
# --record-core-cycles "CPU cycles/packet" at its TSC clock (its whole
# run: warm-up included); the rate (vdpad: rx_packets over the window;
# DPDK: the frontend's count over its run); the pages vdpad marked per
# frame. Runs alternate vdpad/DPDK and off/on; the table shows medians and
# the ratios on/off.
#
# Environment (shared with run.sh): BENCH_RUNS (3), BENCH_SECONDS (5, after
# 2 s warm-up), BENCH_QUICK=1 (1 run, 2 s), BENCH_KEEP=0.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BENCH_TAG="bench dirty_log"
# shellcheck source=bench/lib.sh
. bench/lib.sh

BUILD=${BUILD:-build}
VDPAD=$(realpath "$BUILD/vdpad" 2>/dev/null || echo "$BUILD/vdpad")
VDPACTL=$(realpath "$BUILD/vdpactl" 2>/dev/null || echo "$BUILD/vdpactl")
EVIL=$(realpath "$BUILD/tools/evil_frontend" 2>/dev/null || echo "$BUILD/tools/evil_frontend")
bench_windows
P=xl$$
SOCK=/tmp/$P.sock
CTL=/tmp/$P-ctl.sock
LOGDIR=$BUILD/bench/dirty_log
SIZES=${BENCH_SIZES:-64 1500}
PIDS=()
NOTES=()

[ "$(id -u)" -eq 0 ] || die "needs root"
[ -x "$VDPAD" ] || die "$VDPAD missing (make)"
[ -x "$EVIL" ] || die "$EVIL missing (make tests)"
command -v jq >/dev/null || die "jq missing (make deps)"
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR" || die "cannot create $LOGDIR"

cleanup() {
	local pid
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	rm -f "$SOCK" "$CTL" "$DSOCK"
	[ "${BENCH_KEEP:-1}" = 0 ] && rm -rf "$LOGDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_ts=$(date +%s)
load_warn
"$VDPAD" --control "$CTL" --state none --loopback "$SOCK" --cpus 1 -l warn \
	>"$LOGDIR/vdpad.log" 2>&1 &
VPID=$!
PIDS+=("$VPID")
for _ in $(seq 50); do [ -S "$SOCK" ] && [ -S "$CTL" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || die "vdpad did not start (see $LOGDIR/vdpad.log)"
DSOCK=/tmp/$P-dpdk.sock
KINDS=${BENCH_KINDS:-vdpad dpdk}
command -v dpdk-testpmd >/dev/null || KINDS=vdpad

# counters: "busy_ns rx_packets pages" of the device now
counters() {
	"$VDPACTL" -s "$CTL" -j dev stats dev0 |
		jq -r '.stats.dev0 | "\(.datapath.busy_ns) \(.rx_packets) \(.dirty_log.pages)"'
}

# one_dpdk SIZE off|on: "ns/frame Mpps" of testpmd's whole run
one_dpdk() {
	local size=$1 kind=$2 log=0 tp fe tlog=$LOGDIR/dpdk-$1-$2-r$RUN.log
	[ "$kind" = on ] && log=1
	rm -f "$DSOCK"
	taskset -c 1 stdbuf -oL dpdk-testpmd --no-pci -m 256 --single-file-segments \
		--file-prefix=${P}f --lcores 0@1,1@1 \
		--vdev net_vhost0,iface=$DSOCK,queues=1 -- --port-topology=loop \
		--forward-mode=io --stats-period 1 -a --record-core-cycles \
		>"$tlog" 2>&1 &
	tp=$!
	PIDS+=("$tp")
	for _ in $(seq 100); do [ -S "$DSOCK" ] && break; sleep 0.1; done
	EVIL_LOG=$log EVIL_FRAME_LEN=$size taskset -c 0 "$EVIL" "$DSOCK" \
		log_stream $(((WARM + SECS) * 1000)) >"$tlog.fe" 2>&1 &
	fe=$!
	PIDS+=("$fe")
	wait "$fe" || NOTES+=("run $RUN DPDK $size B log $kind: the frontend failed ($(tail -1 "$tlog.fe"))")
	forget_pid "$fe"
	kill -INT "$tp"
	wait "$tp"
	forget_pid "$tp"
	sed -n 's/.*CPU cycles\/packet=\([0-9.]*\) .* at \([0-9]*\) MHz.*/\1 \2/p' "$tlog" |
		tail -1 | awk -v f="$(sed -n 's/.*: \([0-9]*\) frames of .*/\1/p' "$tlog.fe")" \
			-v s=$((WARM + SECS)) \
			'$2 > 0 { printf "%.1f %.3f\n", $1 * 1000 / $2, f / s / 1e6; found = 1 }
			 END { if (!found) print "nan nan" }'
}

# one SIZE off|on: "ns/frame Mpps pages/frame" over the window
one() {
	local size=$1 kind=$2 log=0 fe b0 r0 p0 b1 r1 p1
	[ "$kind" = on ] && log=1
	EVIL_LOG=$log EVIL_FRAME_LEN=$size taskset -c 0 "$EVIL" "$SOCK" \
		log_stream $(((WARM + SECS) * 1000 + 500)) \
		>"$LOGDIR/$size-$kind-r$RUN.log" 2>&1 &
	fe=$!
	PIDS+=("$fe")
	sleep "$WARM"
	read -r b0 r0 p0 < <(counters)
	sleep "$SECS"
	read -r b1 r1 p1 < <(counters)
	wait "$fe" || NOTES+=("run $RUN $size B log $kind: the frontend failed ($(tail -1 "$LOGDIR/$size-$kind-r$RUN.log"))")
	forget_pid "$fe"
	awk -v b=$((b1 - b0)) -v r=$((r1 - r0)) -v p=$((p1 - p0)) -v s="$SECS" \
		'BEGIN { if (!r) { print "nan nan nan"; exit }
			 printf "%.1f %.3f %.2f\n", b / r, r / s / 1e6, p / r }'
}

declare -A NS MPPS PAGES DNS DMPPS
CELLS=""
for size in $SIZES; do CELLS+=" $size-off $size-on"; done
for RUN in $(seq "$RUNS"); do
	for cell in $CELLS; do
		for k in $KINDS; do
			if [ "$k" = dpdk ]; then
				read -r n m < <(one_dpdk "${cell%-*}" "${cell#*-}")
				DNS[$cell]+=" $n"
				DMPPS[$cell]+=" $m"
				echo "run $RUN $cell DPDK: $n ns/frame, $m Mpps looped" >&2
				continue
			fi
			read -r n m pg < <(one "${cell%-*}" "${cell#*-}")
			NS[$cell]+=" $n"
			MPPS[$cell]+=" $m"
			PAGES[$cell]+=" $pg"
			echo "run $RUN $cell vdpad: $n ns/frame, $m Mpps looped, $pg pages marked per frame" >&2
		done
	done
done
kill -TERM "$VPID"
wait "$VPID"
forget_pid "$VPID"

echo
echo "xvdpa bench dirty_log: the datapath's cost of dirty logging (LOG_ALL"
echo "on vs off), vdpad --loopback on CPU 1, the frontend on CPU 0; medians"
echo "of $RUNS alternating run(s), ${SECS} s windows; a frame is one guest"
echo "TX read and one RX write"
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
echo "| frame | log | vdpad ns/frame | on/off | DPDK ns/frame | on/off | DPDK/vdpad | vdpad Mpps | DPDK Mpps | vdpad pages marked/frame |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for size in $SIZES; do
	off=$(echo "${NS[$size-off]:-}" | median)
	doff=$(echo "${DNS[$size-off]:-}" | median)
	for kind in off on; do
		cell=$size-$kind
		med=$(echo "${NS[$cell]:-}" | median)
		dmed=$(echo "${DNS[$cell]:-}" | median)
		printf '| %s B | %s | %.1f | %s | %.1f | %s | %s | %.3f | %.3f | %.2f |\n' \
			"$size" "$kind" "$med" "$(ratio "$med" "$off")" "$dmed" \
			"$(ratio "$dmed" "$doff")" "$(ratio "$dmed" "$med")" \
			"$(echo "${MPPS[$cell]:-}" | median)" \
			"$(echo "${DMPPS[$cell]:-}" | median)" \
			"$(echo "${PAGES[$cell]:-}" | median)"
	done
done
echo
echo "Every run, ns/frame (vdpad; DPDK):"
for cell in $CELLS; do
	echo "- $cell: ${NS[$cell]# }; ${DNS[$cell]:- n/a}"
done
echo
echo "vdpad's own counters at exit:"
grep -a ': rx .* packets' "$LOGDIR/vdpad.log" | sed 's/.*; dirty_log/  dirty_log/; s/; busy/\n  busy/'
report_tail
