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
# Figures, over the window: vdpad's busy time per looped frame (busy_ns
# over rx_packets of `vdpactl dev stats`), the rate (frames looped back
# per second), and the pages vdpad marked per frame. Runs alternate off
# and on; the table shows medians and the ratio on/off.
#
# Not measured: DPDK's vhost library logs the same way (a log cache
# flushed per burst), but testpmd offers no frontend that switches
# LOG_ALL on outside a real migration; bench/migration.sh measures
# whole migrations against DPDK.
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
	rm -f "$SOCK" "$CTL"
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

# counters: "busy_ns rx_packets pages" of the device now
counters() {
	"$VDPACTL" -s "$CTL" -j dev stats dev0 |
		jq -r '.stats.dev0 | "\(.datapath.busy_ns) \(.rx_packets) \(.dirty_log.pages)"'
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

declare -A NS MPPS PAGES
CELLS=""
for size in $SIZES; do CELLS+=" $size-off $size-on"; done
for RUN in $(seq "$RUNS"); do
	for cell in $CELLS; do
		read -r n m pg < <(one "${cell%-*}" "${cell#*-}")
		NS[$cell]+=" $n"
		MPPS[$cell]+=" $m"
		PAGES[$cell]+=" $pg"
		echo "run $RUN $cell: $n ns/frame, $m Mpps looped, $pg pages marked per frame" >&2
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
echo "| frame | log | vdpad ns/frame | on/off | Mpps looped | pages marked/frame | every run (ns) |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for size in $SIZES; do
	off=$(echo "${NS[$size-off]}" | median)
	for kind in off on; do
		cell=$size-$kind
		med=$(echo "${NS[$cell]}" | median)
		ratio=$(awk -v a="$med" -v b="$off" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }')
		printf '| %s B | %s | %.1f | %s | %.3f | %.2f | %s |\n' "$size" "$kind" \
			"$med" "$ratio" "$(echo "${MPPS[$cell]}" | median)" \
			"$(echo "${PAGES[$cell]}" | median)" "${NS[$cell]# }"
	done
done
echo
echo "vdpad's own counters at exit:"
grep -a ': rx .* packets' "$LOGDIR/vdpad.log" | sed 's/.*; dirty_log/  dirty_log/; s/; busy/\n  busy/'
report_tail
