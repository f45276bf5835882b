#!/bin/bash
# vdpad's control socket under idle clients (connections that never send a
# request), from non-root members of the control group, one uid per child
# of tests/tools/ctl_idle_flood.py:
#  1. 1000 of them, replaced as vdpad closes them: vdpactl (root) is still
#     served, vdpad's fds stay bounded (64 control connections at most),
#     refusals (8 per uid) and evictions (for root) are counted;
#  2. 20 of them, within every cap: each is closed by vdpad after its 2 s
#     and counted as timed out;
#  3. a vdpad with 64 fds (prlimit) and 100 of them: vdpactl is served, a
#     vhost-user frontend (evil_frontend good) still sets up and loops
#     frames, vdpad does not spin; then with the fd limit pulled below what
#     vdpad holds (every accept fails with EMFILE) a pending vdpactl does
#     not make it spin either, and is served once fds are back.
# CPU bounds are behaviour checks against a 100 % accept spin, not speed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root
command -v prlimit >/dev/null || skip_all "prlimit not installed"

VDPAD=${VDPAD:-$BUILD/vdpad}
DIR=$(mktemp -d /tmp/xcf.XXXXXX)
chmod 755 "$DIR" # the flood's uids reach the control sockets in it
FLOOD=tests/tools/ctl_idle_flood.py
EVIL=$BUILD/tools/evil_frontend # built by make tests
GROUP=kvm
getent group $GROUP >/dev/null || GROUP=users
GID=$(getent group $GROUP | cut -d: -f3)
HZ=$(getconf CLK_TCK)
on_exit "rm -rf $DIR"

if [ ! -x "$EVIL" ]; then
	not_ok "evil_frontend is built ($EVIL: make tests)"
	finish
	exit
fi

fds() { ls "/proc/$1/fd" | wc -l; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# cpu_share PID: vdpad's CPU use over 2 s, in % of one core.
cpu_share() {
	local t0 t1
	t0=$(cpu_ticks "$1")
	sleep 2
	t1=$(cpu_ticks "$1")
	echo $(((t1 - t0) * 100 / (2 * HZ)))
}
# daemon CTL JQ: a field of `vdpactl -j daemon show` ("" if no answer).
daemon() { timeout 10 "$VDPACTL" -s "$1" -j daemon show | jq -r "$2"; }
# start_vdpad NAME [PRLIMIT ARGS...]: a vdpad with a loopback device on
# $DIR/NAME-d0.sock and its control socket $DIR/NAME.sock; sets VPID.
start_vdpad() {
	local name=$1
	shift
	"$@" "$VDPAD" --control "$DIR/$name.sock" --control-group $GROUP \
		--loopback "$DIR/$name-d0.sock" -l info >"$DIR/$name.log" 2>&1 &
	VPID=$!
	on_exit "kill $VPID"
	for _ in $(seq 50); do [ -S "$DIR/$name.sock" ] && break; sleep 0.1; done
}
# flood CTL UID0 NUIDS PER_UID HOLD [sustain]: in the background, result
# in $DIR/flood.json; returns once every child has connected.
flood() {
	local ctl=$1 uid0=$2 nuids=$3 per=$4 hold=$5
	shift 5
	rm -f "$DIR/ready"
	python3 $FLOOD "$ctl" "$GID" "$uid0" "$nuids" "$per" "$hold" "$@" \
		"$DIR/ready" >"$DIR/flood.json" &
	FPID=$!
	on_exit "kill $FPID"
	for _ in $(seq 150); do [ -e "$DIR/ready" ] && break; sleep 0.1; done
}
flood_result() {
	wait "$FPID"
	echo "# flood: $(cat "$DIR/flood.json")"
}
fj() { jq -r "$1" "$DIR/flood.json"; }

# --- 1. 1000 idle clients, 50 from each of 20 uids, kept up ----------------
start_vdpad a
A=$VPID
CTL=$DIR/a.sock
check "vdpad serves $CTL" test -S "$CTL"
check_eq "daemon show: at most 64 control connections" 64 \
	"$(daemon "$CTL" .daemon.control.max)"
check_eq "daemon show: at most 8 per non-root uid" 8 \
	"$(daemon "$CTL" .daemon.control.max_per_uid)"
check_eq "daemon show: 2000 ms for a request" 2000 \
	"$(daemon "$CTL" .daemon.control.timeout_ms)"
BASE=$(fds $A)
flood "$CTL" 61000 20 50 8 sustain
max=0
served=0
for i in $(seq 10); do
	n=$(fds $A)
	[ "$n" -gt "$max" ] && max=$n
	timeout 10 "$VDPACTL" -s "$CTL" dev show dev0 >/dev/null && served=$((served + 1))
	[ "$i" -ge 3 ] && [ "$(daemon "$CTL" .daemon.control.evicted)" -gt 0 ] 2>/dev/null && break
	sleep 0.3
done
check_eq "1000 idle clients: vdpactl dev show answers every time ($i of $i)" \
	"$i" "$served"
check "1000 idle clients: vdpad holds at most $((BASE + 64 + 8)) fds (max seen $max, $BASE before)" \
	test "$max" -le $((BASE + 64 + 8))
check_gt "1000 idle clients: root's requests evicted the oldest non-root clients" \
	"$(daemon "$CTL" .daemon.control.evicted)" 0
check_gt "1000 idle clients: refused past 8 per uid" \
	"$(daemon "$CTL" .daemon.control.refused_per_uid)" 0
check "1000 idle clients: at most 64 control connections open" \
	test "$(daemon "$CTL" .daemon.control.open)" -le 64
flood_result
check_eq "flood: every child reported" 20 "$(fj .reported)"
check_eq "flood: no connect failed" 0 "$(fj .connect_errors)"
check "flood: 1000 connections made" test "$(fj .connected)" -ge 1000
check_gt "flood: vdpad closed idle clients" "$(fj .closed_by_peer)" 0
check_gt "flood: refused clients were told why" "$(fj .refused)" 0
check_gt "daemon show: idle clients timed out" \
	"$(daemon "$CTL" .daemon.control.timed_out)" 0

# --- 2. 20 idle clients within the caps: each closed after 2 s -------------
t0=$(daemon "$CTL" .daemon.control.timed_out)
flood "$CTL" 61100 4 5 6
flood_result
check_eq "20 idle clients connected" 20 "$(fj .connected)"
check_eq "20 idle clients: every one closed by vdpad within 6 s" 20 \
	"$(fj .closed_by_peer)"
check_eq "20 idle clients: none refused (within the caps)" 0 "$(fj .refused)"
check_eq "20 idle clients: none still open" 0 "$(fj .open)"
t1=$(daemon "$CTL" .daemon.control.timed_out)
check "daemon show: 20 more timed out ($t0 -> $t1)" \
	test "$((t1 - ${t0:-0}))" -ge 20

# --- 3. 64 fds and 100 idle clients ------------------------------------------
start_vdpad b prlimit --nofile=64:64
B=$VPID
CTL2=$DIR/b.sock
check "vdpad with 64 fds serves $CTL2" test -S "$CTL2"
check_eq "daemon show: fd limit 64 (the hard limit)" 64 \
	"$(daemon "$CTL2" .daemon.fds.limit)"
flood "$CTL2" 61200 20 5 10 sustain
cpu=$(cpu_share $B)
check "64 fds, 100 idle clients: vdpad uses ${cpu} % of a core (< 50 %)" \
	test "$cpu" -lt 50
check "64 fds, 100 idle clients: vdpactl dev show answers" \
	timeout 10 "$VDPACTL" -s "$CTL2" dev show dev0
check "64 fds, 100 idle clients: a vhost-user frontend sets up and loops frames" \
	timeout 20 "$EVIL" "$DIR/b-d0.sock" good
check "64 fds, 100 idle clients: vdpad holds at most 64 fds" \
	test "$(fds $B)" -le 64
check_gt "daemon show: refused while fds were low" \
	"$(daemon "$CTL2" .daemon.control.refused_fds)" 0
flood_result
check_eq "flood on 64 fds: every child reported" 20 "$(fj .reported)"

# The limit below what vdpad holds: every accept fails (EMFILE).
l0=$(wc -l <"$DIR/b.log")
prlimit --pid $B --nofile=4:64
timeout 15 "$VDPACTL" -s "$CTL2" dev show dev0 >"$DIR/late.out" 2>&1 &
LATE=$!
sleep 0.5
cpu=$(cpu_share $B)
check "fds exhausted, a client pending: vdpad uses ${cpu} % of a core (< 50 %)" \
	test "$cpu" -lt 50
prlimit --pid $B --nofile=64:64
wait $LATE
check_eq "fds back: the pending vdpactl is served" 0 $?
check_gt "daemon show: accepts that failed for lack of fds counted" \
	"$(daemon "$CTL2" .daemon.fds.accept_emfile)" 0
check_eq "the EMFILE episode was logged once" 1 \
	"$(tail -n +$((l0 + 1)) "$DIR/b.log" | grep -c 'cannot accept a connection')"

for v in $A $B; do
	kill -TERM $v
	wait $v
	check_eq "vdpad $v exits 0 on SIGTERM" 0 $?
done
check "exit summary counts the timed-out clients" \
	grep -qE '^control: accepted [0-9]+ .*timed_out [1-9]' "$DIR/a.log"
grep -E '^control:' "$DIR/a.log" "$DIR/b.log" | sed 's/^/# /'
finish
