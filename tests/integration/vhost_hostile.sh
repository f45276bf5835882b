#!/bin/bash
# Hostile vhost-user input breaks only the device it targets.
#
# One vdpad serves three loopback devices. DPDK testpmd (virtio-user, io
# forwarding) runs on dev2 for the whole test as the datapath witness.
# tests/tools/evil_frontend attacks dev0, then dev1, with one hostile mode
# after another. While devV is attacked, a `good` evil_frontend session on
# the other device must set up and loop frames promptly (its control path
# must not wait for devV's) and testpmd's RX counter must grow. After
# each attack: vdpad is alive; ring attacks were logged as
# "devV: device broken: vring 1: REASON" exactly once (the attacker kicks
# every 100 ms); refused messages were logged; the attacker's disconnect
# was seen; a fresh good session on devV works again; vdpad's fds and
# mappings are back where they were. At the end a `loop` attacker stays
# connected to dev1 while vdpad gets SIGTERM: exit 0 and one summary line
# per device, dev1's saying "broken yes".
#
# Guest memory: the truncate_* modes shrink the file behind the memory
# table (memfd, tmpfs, hugetlbfs) after vdpad mapped it. A memfd that
# takes seals must be sealed (the cut is refused, the device works); any
# other is cut, and the device must be broken by a "guest memory fault",
# logged once and counted (dev config show .guest_memory.faults, the exit
# summary's mem_faults) instead of vdpad dying of SIGBUS. dev3, added
# through the control socket with max_mem 4M, must refuse mem_limit's
# sparse 1 GiB table (counted as refused, nothing mapped) and serve a good
# frontend.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root
command -v dpdk-testpmd >/dev/null || skip_all "dpdk-testpmd not installed (make deps)"
mountpoint -q /dev/hugepages || skip_all "no hugetlbfs at /dev/hugepages (scripts/host-setup.sh)"

P=/tmp/xi4
CTL=$P-ctl.sock
VDPAD=${VDPAD:-$BUILD/vdpad}
EVIL=$BUILD/tools/evil_frontend # built by make tests
HOLD_MS=700
WITNESS_MS=400 # a good session sets up in a few ms
LOG=$(mktemp /tmp/xi4-vdpad.XXXXXX)
TPOUT=$(mktemp /tmp/xi4-testpmd.XXXXXX)
EOUT=$(mktemp -d /tmp/xi4-evil.XXXXXX)
FIFO=$P-testpmd.fifo
on_exit "rm -rf $LOG $TPOUT $EOUT $FIFO /var/run/dpdk/xi4; rm -f /dev/hugepages/xi4map_*"
# (evil_frontend unlinks its files at once; these would be left by a crash)
on_exit "rm -f /dev/hugepages/xi4-evil-* /dev/shm/xi4-evil-*"
START=$SECONDS

if [ ! -x "$EVIL" ]; then
	not_ok "evil_frontend is built ($EVIL: make tests)"
	finish
	exit
fi
ok "evil_frontend is built"

"$VDPAD" --control $CTL --state none --loopback $P-dev0.sock \
	--loopback $P-dev1.sock --loopback $P-dev2.sock -l info >"$LOG" 2>&1 &
VPID=$!
on_exit "kill $VPID; rm -f $P-dev0.sock $P-dev1.sock $P-dev2.sock $P-dev3.sock $CTL"
for _ in $(seq 50); do [ -S $P-dev2.sock ] && [ -S $CTL ] && break; sleep 0.1; done
check "vdpad listens on three vhost-user sockets" \
	test -S $P-dev0.sock -a -S $P-dev1.sock -a -S $P-dev2.sock
check "dev add: dev3, loopback, guest memory limited to 4 MiB" \
	"$VDPACTL" -s $CTL dev add name dev3 loopback socket $P-dev3.sock \
	max_mem 4M
check_eq "dev show: dev3's max_mem" 4194304 \
	"$("$VDPACTL" -s $CTL -j dev show dev3 | jq -r .dev.dev3.max_mem)"

# mem_count D KEY: dev D's guest_memory.KEY (faults, refused) now.
mem_count() {
	"$VDPACTL" -s $CTL -j dev config show dev$1 2>/dev/null |
		jq -r ".config.dev$1.guest_memory.$2 // empty"
}

# testpmd, interactive, reading commands from a fifo so its counters can
# be sampled at known times; stdout line-buffered so answers show at once.
rm -f $FIFO
mkfifo $FIFO
stdbuf -oL dpdk-testpmd --no-pci --file-prefix=xi4 -m 256 \
	--single-file-segments --lcores 0@0,1@1 \
	--vdev net_virtio_user0,path=$P-dev2.sock,queues=1 -- \
	-i --forward-mode=io <$FIFO >"$TPOUT" 2>&1 &
TPID=$!
on_exit "kill -INT $TPID && sleep 0.5 && kill -KILL $TPID"
exec 7>$FIFO
on_exit "exec 7>&-"
echo "start tx_first" >&7

# tp_rx: testpmd's RX-packets on port 0 now ("" if it does not answer).
tp_rx() {
	local n
	n=$(grep -c "NIC statistics for port 0" "$TPOUT")
	echo "show port stats 0" >&7
	for _ in $(seq 100); do
		[ "$(grep -c "NIC statistics for port 0" "$TPOUT")" -gt "$n" ] &&
			grep -A1 "NIC statistics for port 0" "$TPOUT" |
			awk '/RX-packets:/ {v=$2} END {print v}' && return
		sleep 0.02
	done
}

# Lines the vdpad log has now, and what it logged after line $1.
log_lines() { wc -l <"$LOG"; }
log_since() { tail -n +$(($1 + 1)) "$LOG"; }
# wait_log SINCE TEXT: up to 3 s for TEXT to be logged after line SINCE.
wait_log() {
	for _ in $(seq 60); do
		log_since "$1" | grep -qF -- "$2" && return 0
		sleep 0.05
	done
	return 1
}
# window SINCE: what vdpad logged after line SINCE, into WIN; count TEXT:
# how often TEXT occurs in WIN, into N. Builtins only (the machine may be
# busy), and occurrences rather than lines: vdpad's two threads log
# without a lock, so two messages can share a line.
window() {
	local -a l
	local IFS=$'\n'
	mapfile -t -s "$1" l <"$LOG"
	WIN="${l[*]}"
}
count() {
	local t=${WIN//"$1"/}
	N=$(((${#WIN} - ${#t}) / ${#1}))
}
vdpad_fds() { ls /proc/$VPID/fd | wc -l; }
vdpad_evil_maps() { grep -c xi4-evil /proc/$VPID/maps; }
# show_file FILE: a file's lines as TAP comments.
show_file() { sed 's/^/#   /' "$1"; }

sleep 1
rx=$(tp_rx)
check_gt "testpmd passes traffic through dev2" "${rx:-0}" 1000
[ "${rx:-0}" -gt 1000 ] || tail -20 "$TPOUT" | sed 's/^/#   /'
check "vdpad is still running after testpmd connected" kill -0 $VPID
FDS0=$(vdpad_fds)

ring_reason() {
	case $1 in
	loop | idx_jump | nested_indirect) echo "$1" ;;
	oob_addr) echo addr ;;
	ring_outside) echo ring_addr ;;
	esac
}

# Modes whose cut memory must break the device as a guest memory fault.
mem_fault_mode() {
	case $1 in
	truncate_unsealed | truncate_early | truncate_half | truncate_tmpfs | \
		truncate_hugetlbfs) return 0 ;;
	esac
	return 1
}
MEM_FAULT_MODES="truncate_unsealed truncate_early truncate_half truncate_tmpfs
	truncate_hugetlbfs"
# What vdpad must have logged for a refused message (one per line).
refusal_logs() {
	case $1 in
	bad_size) echo "vhost-user SET_VRING_NUM (8) refused" ;;
	huge_size | garbage) echo "bad vhost-user stream" ;;
	region_past_eof) echo "vhost-user SET_MEM_TABLE (5) refused" ;;
	# (200 fds: vdpad may refuse the message or drop the connection)
	fd_flood) echo "vhost-user SET_VRING_CALL (13) refused: Bad file descriptor" ;;
	mem_limit)
		echo "vhost-user SET_MEM_TABLE (5) refused: File too large"
		echo "guest memory region of 1073741824 bytes at gpa 0x40000000 refused: the device's guest memory would exceed its limit (max_mem 4194304 bytes)"
		;;
	esac
}

declare -A LOOPED=([0]=0 [1]=0 [3]=0) # frames looped for good runs

# good_start D: a good session on devD in the background (output in
# $EOUT/good$D); good_end D LABEL: checks it worked and left cleanly, and
# sets SETUP_MS: how long its setup took. good D LABEL: both.
good_start() {
	GBASE=$(log_lines)
	"$EVIL" $P-dev$1.sock good >"$EOUT/good$1" 2>&1 &
	GPID=$!
}
good_end() {
	local d=$1 label=$2 rc
	wait $GPID
	rc=$?
	SETUP_MS=$(sed -n 's/.*control path: \([0-9]*\) ms/\1/p' "$EOUT/good$d")
	[ $rc -eq 0 ] && LOOPED[$d]=$((LOOPED[$d] + 16))
	check_eq "$label: dev$d loops frames for a good frontend" 0 $rc
	[ $rc -eq 0 ] || show_file "$EOUT/good$d"
	check "$label: dev$d good session disconnected" \
		wait_log "$GBASE" "dev$d: frontend disconnected"
	window "$GBASE"
	count "dev$d: device broken"
	check_eq "$label: dev$d good session: no device broken" 0 "$N"
}
good() {
	good_start "$1"
	good_end "$@"
}

# attack_one MODE V [O]: MODE against devV; meanwhile a good session on
# devO (default: the other of dev0/dev1; its control path and datapath
# must not wait for devV's) and testpmd on dev2 (its RX counter must grow
# while devV is attacked).
attack_one() {
	local mode=$1 v=$2 o=${3:-$((1 - $2))} reason rc base pid rx_a rx_b pat
	local t0 left hold=$HOLD_MS broken faults0 refused0 want_f=0 want_r=0
	# a stalled control path shows as a witness setup of about hold - 0.2 s
	case $mode in stall | reply_flood) hold=$((HOLD_MS + 500)) ;; esac
	reason=$(ring_reason "$mode")
	broken=${reason:+"device broken: vring 1: $reason"}
	if mem_fault_mode "$mode"; then
		broken="device broken: guest memory fault at gpa"
		want_f=1
	fi
	[ "$mode" = mem_limit ] && want_r=1
	faults0=$(mem_count $v faults)
	refused0=$(mem_count $v refused)
	base=$(log_lines)
	t0=${EPOCHREALTIME/./}
	"$EVIL" $P-dev$v.sock "$mode" $hold >"$EOUT/$mode$v" 2>&1 &
	pid=$!
	sleep 0.2
	good_start $o
	rx_a=$(tp_rx)
	good_end $o "$mode on dev$v"
	check_eq "$mode on dev$v: dev$o set up within $WITNESS_MS ms (took ${SETUP_MS:-?} ms)" \
		yes "$([ "${SETUP_MS:-99999}" -lt $WITNESS_MS ] && echo yes)"
	# the refused table is not mapped while its frontend is connected
	[ "$mode" = mem_limit ] &&
		check_eq "$mode on dev$v: nothing of the attacker mapped while it is connected" \
			"0 yes" "$(vdpad_evil_maps) $(kill -0 $pid && echo yes)"
	# the second sample while the attacker (if it holds) is still there
	left=$((hold - 200 - (${EPOCHREALTIME/./} - t0) / 1000))
	[ $left -gt 0 ] && sleep "$(printf '0.%03d' $left)"
	rx_b=$(tp_rx)
	wait $pid
	rc=$?
	check_eq "$mode on dev$v: the attacker saw what it expected" 0 $rc
	[ $rc -eq 0 ] || show_file "$EOUT/$mode$v"
	# good, bad_size and truncate_memfd loop 16 frames when they pass
	case $mode in good | bad_size | truncate_memfd)
		[ $rc -eq 0 ] && LOOPED[$v]=$((LOOPED[$v] + 16)) ;;
	esac
	check_eq "$mode on dev$v: vdpad still running" yes \
		"$(kill -0 $VPID && echo yes)"
	check_gt "$mode on dev$v: testpmd on dev2 kept receiving" \
		"${rx_b:-0}" "${rx_a:-0}"
	check "$mode on dev$v: attacker's disconnect seen" \
		wait_log "$base" "dev$v: frontend disconnected"
	window "$base"
	count "dev$v: device broken"
	if [ -n "$broken" ]; then
		check_eq "$mode on dev$v: device broken logged once" 1 "$N"
		count "dev$v: $broken"
		check_eq "$mode on dev$v: the reason is \"$broken\"" 1 "$N"
	else
		check_eq "$mode on dev$v: no device broken" 0 "$N"
	fi
	check_eq "$mode on dev$v: guest memory faults counted" \
		"$((${faults0:-0} + want_f))" "$(mem_count $v faults)"
	check_eq "$mode on dev$v: guest memory tables refused counted" \
		"$((${refused0:-0} + want_r))" "$(mem_count $v refused)"
	while read -r pat; do
		[ -n "$pat" ] || continue
		count "dev$v: $pat"
		check_gt "$mode on dev$v: logged \"$pat\"" "$N" 0
	done <<<"$(refusal_logs "$mode")"
	count "dev2:"
	check_eq "$mode on dev$v: no log line about dev2" 0 "$N"
}

# attack MODE: dev0 attacked (dev1 the witness), then dev1 (dev0, just
# attacked, the witness: it must work again), then dev1 must work again.
attack() {
	local mode=$1 fail0=$T_FAIL base
	echo "# --- $mode (at $((SECONDS - START)) s)"
	base=$(log_lines)
	attack_one "$mode" 0
	attack_one "$mode" 1
	good 1 "after $mode"
	check_eq "after $mode: vdpad's fds back to where they were" "$FDS0" \
		"$(vdpad_fds)"
	check_eq "after $mode: no attacker memory left mapped in vdpad" 0 \
		"$(vdpad_evil_maps)"
	if [ "$T_FAIL" -ne "$fail0" ]; then
		echo "# vdpad log during $mode:"
		log_since "$base" | sed 's/^/#   /'
	fi
}

# vdpad_died MODE: if vdpad is gone, says so and ends the test.
vdpad_died() {
	kill -0 $VPID 2>/dev/null && return
	wait $VPID
	not_ok "vdpad died during $1 (exit status $?); its log ends:"
	tail -20 "$LOG" | sed 's/^/#   /'
	finish
	exit
}

for mode in good bad_size huge_size garbage region_past_eof fd_flood \
	loop idx_jump oob_addr nested_indirect ring_outside stall reply_flood \
	tx_flood truncate_memfd $MEM_FAULT_MODES; do
	attack "$mode"
	vdpad_died "$mode"
done

echo "# --- mem_limit on dev3 (max_mem 4M)"
base=$(log_lines)
fail0=$T_FAIL
attack_one mem_limit 3 0
vdpad_died mem_limit
good 3 "after mem_limit"
check_eq "after mem_limit: vdpad's fds back to where they were" "$FDS0" \
	"$(vdpad_fds)"
check_eq "after mem_limit: no attacker memory left mapped in vdpad" 0 \
	"$(vdpad_evil_maps)"
if [ "$T_FAIL" -ne "$fail0" ]; then
	echo "# vdpad log during mem_limit:"
	log_since "$base" | sed 's/^/#   /'
fi

echo "# --- exit with an attacker connected"
base=$(log_lines)
"$EVIL" $P-dev1.sock loop 20000 >"$EOUT/final" 2>&1 &
EPID=$!
on_exit "kill $EPID"
check "final loop attacker breaks dev1" \
	wait_log "$base" "dev1: device broken: vring 1: loop"

# testpmd stops first, so its totals are final.
echo "stop" >&7
echo "quit" >&7
exec 7>&-
for _ in $(seq 50); do kill -0 $TPID 2>/dev/null || break; sleep 0.1; done
wait $TPID
check_eq "testpmd exits cleanly" 0 $?
tp_total=$(awk '/Accumulated forward statistics/ {p=1}
	p && /RX-packets/ {print $2; exit}' "$TPOUT")
check_gt "testpmd forwarded frames through dev2 the whole time" \
	"${tp_total:-0}" 100000

kill -TERM $VPID
wait $VPID
check_eq "vdpad exits 0 on SIGTERM" 0 $?
wait $EPID 2>/dev/null
summary() { grep "^dev$1 loopback: " "$LOG"; }
for d in 0 1 2 3; do
	check_eq "dev$d: one summary line" 1 "$(summary $d | wc -l)"
done
# frames delivered on RX: "loopback: rx N packets" (or "loopback: N packets")
looped() { summary "$1" | grep -oE 'loopback: (rx )?[0-9]+' | grep -oE '[0-9]+'; }
for d in 0 1 3; do
	check_eq "dev$d: summary counts the frames good sessions looped" \
		"${LOOPED[$d]}" "$(looped $d)"
done
# one guest memory fault per fault mode, on each of dev0 and dev1
memc() { summary "$1" | grep -oE "$2 [0-9]+" | grep -oE '[0-9]+'; }
nfault=$(echo $MEM_FAULT_MODES | wc -w)
for d in 0 1; do
	check_eq "dev$d summary: mem_faults $nfault, mem_refused 0" \
		"$nfault 0" "$(memc $d mem_faults) $(memc $d mem_refused)"
done
check_eq "dev2 summary: mem_faults 0" 0 "$(memc 2 mem_faults)"
check_eq "dev3 summary: mem_refused 1, mem_faults 0" "1 0" \
	"$(memc 3 mem_refused) $(memc 3 mem_faults)"
check "dev2: summary counts at least what testpmd received" \
	test "$(looped 2)" -ge "${tp_total:-0}"
# tx_flood's header-only frames: dropped as short and counted, not sent
short() { summary "$1" | grep -oE 'tx_short [0-9]+' | grep -oE '[0-9]+'; }
check_gt "dev0 summary: tx_flood's frames counted as tx_short" "$(short 0)" 1000
check_gt "dev1 summary: tx_flood's frames counted as tx_short" "$(short 1)" 1000
check_eq "dev0 summary: broken no (idle at exit)" "broken no" \
	"$(summary 0 | grep -o 'broken [a-z]*$')"
check_eq "dev1 summary: broken yes (attacker connected at exit)" \
	"broken yes" "$(summary 1 | grep -o 'broken [a-z]*$')"
check_eq "dev2 summary: broken no" "broken no" \
	"$(summary 2 | grep -o 'broken [a-z]*$')"
check_fails "sockets removed at exit" \
	test -e $P-dev0.sock -o -e $P-dev1.sock -o -e $P-dev2.sock -o \
	-e $P-dev3.sock
echo "# summary lines:"
grep " loopback: " "$LOG" | sed 's/^/#   /'
echo "# testpmd RX total $tp_total; runtime $((SECONDS - START)) s"
finish
