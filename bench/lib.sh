# Shared by bench/run.sh, pod.sh and offload.sh (sourced): messages, the
# process list, medians of runs marked contended ("*"), and the report's end.
# The sourcing script sets BENCH_TAG ("bench", "bench pod"), PIDS, NOTES and
# start_ts.

die() {
	echo "$BENCH_TAG: $*" >&2
	exit 1
}

forget_pid() {
	local keep=() p
	for p in "${PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# median: of the numbers on stdin (blank-separated); nan without any.
median() {
	tr ' ' '\n' | grep -v '^$' | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (!NR) { print "nan"; exit }
			if (NR % 2) print v[(NR + 1) / 2];
			else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

# median_clean: of the runs not marked contended ("*"), or of all of them
# with a "*" when every one was.
median_clean() {
	local v x clean="" all=""
	read -r -a v
	for x in "${v[@]}"; do
		all+=" ${x%\*}"
		[[ $x == *\* ]] || clean+=" $x"
	done
	if [ -n "$clean" ]; then
		echo "$clean" | median
	elif [ -n "$all" ]; then
		echo "$(echo "$all" | median)*"
	else
		echo nan
	fi
}

# bench_windows: RUNS, SECS and WARM from BENCH_RUNS, BENCH_SECONDS and
# BENCH_WARM (3 runs of 5 s after 2 s), or BENCH_QUICK=1's smoke figures
# (1 run of 2 s after 1 s).
bench_windows() {
	if [ "${BENCH_QUICK:-0}" = 1 ]; then
		RUNS=${BENCH_RUNS:-1}
		SECS=${BENCH_SECONDS:-2}
		WARM=${BENCH_WARM:-1}
	else
		RUNS=${BENCH_RUNS:-3}
		SECS=${BENCH_SECONDS:-5}
		WARM=${BENCH_WARM:-2}
	fi
}

# load_warn: the load average now (LOAD_START), and a warning when it is 1
# or more.
load_warn() {
	LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
	awk -v l="${LOAD_START%% *}" 'BEGIN { exit !(l >= 1) }' &&
		echo "$BENCH_TAG: warning: load average $LOAD_START: other work will disturb the figures" >&2
	return 0
}

# report_tail: the notes gathered during the runs, the time it took.
report_tail() {
	local n
	if [ ${#NOTES[@]} -gt 0 ]; then
		echo
		echo "Notes:"
		for n in "${NOTES[@]}"; do
			echo "- $n"
		done
	fi
	echo
	echo "Total time $(($(date +%s) - start_ts)) s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
}
