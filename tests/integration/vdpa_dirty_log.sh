#!/bin/bash
# vdpad's side of a live migration, driven by a frontend of our own
# (tests/tools/evil_frontend: QEMU cannot be told to send a bad log):
#   - dirty logging on a loopback device: SET_LOG_BASE answered, LOG_ALL
#     switched on while the rings run, the pages of received buffers and
#     used rings marked (and those only read not), a second log replacing
#     the first, GET_VRING_BASE answering what the used rings say;
#   - hostile logs (not negotiated, size 0, past the file, wrapping, over
#     the limit, an eventfd; a log file cut under the datapath): each
#     breaks only that device, counted and logged once per session; the
#     next session and the other device work;
#   - SEND_RARP on an AF_XDP device: the RARPs reach the wire, from the MAC
#     asked for, and are counted.
# The migration of real QEMU guests is vdpa_migration.sh.
#
#   vdpad --loopback xl1-d0 (attacked), --loopback xl1-d1 (witness),
#         --dev netdev=xl1v ==[veth]== xl1p in namespace xl1n (the wire)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
for t in jq tcpdump; do
	command -v $t >/dev/null || skip_all "$t not installed (make deps)"
done

NS=xl1n
DEV=xl1v
PEER=xl1p
S0=/tmp/xl1-d0.sock
S1=/tmp/xl1-d1.sock
S2=/tmp/xl1-d2.sock
CTL=/tmp/xl1-ctl.sock
TMP=$(mktemp -d /tmp/xl1-test.XXXXXX)
LOG=$TMP/vdpad.log
VDPAD=${VDPAD:-$BUILD/vdpad}
EVIL=$BUILD/tools/evil_frontend
RARP_MAC=02:1e:00:00:00:07
on_exit "rm -rf $TMP"

teardown_all() {
	ip link del $DEV
	rm -f $S0 $S1 $S2 $CTL
}
on_exit teardown_all
teardown_all >/dev/null 2>&1
[ -x "$EVIL" ] || skip_all "$EVIL missing (make tests)"

ns_add $NS
ip link add $DEV type veth peer name $PEER
ip link set $PEER netns $NS
sysctl -qw net.ipv6.conf.$DEV.disable_ipv6=1
ip link set $DEV up
ip -n $NS link set $PEER up

"$VDPAD" --control $CTL --state none --loopback $S0 --loopback $S1 \
	--dev $S2,netdev=$DEV -l info >"$LOG" 2>&1 &
VPID=$!
on_exit "kill $VPID 2>/dev/null"
for _ in $(seq 50); do [ -S $S2 ] && [ -S $CTL ] && break; sleep 0.1; done
check "vdpad serves three devices" test -S $S2

cfg() { "$VDPACTL" -s $CTL -j dev config show "$1" | jq -r ".config.$1.$2"; }
stat() { "$VDPACTL" -s $CTL -j dev stats "$1" | jq -r ".stats.$1.$2"; }
fe() { # fe SOCK MODE [HOLD_MS] [ENV...]: the frontend, its output kept
	local sock=$1 mode=$2 hold=${3:-300}
	shift 3 2>/dev/null || shift $#
	env "$@" "$EVIL" "$sock" "$mode" "$hold" >"$TMP/fe.$mode" 2>&1
	local rc=$?
	sed 's/^/# /' "$TMP/fe.$mode"
	return $rc
}
# wait_gone DEV: until vdpad saw the frontend go (its counters reset then).
wait_gone() {
	for _ in $(seq 50); do
		[ "$(cfg "$1" vhost_user.connected)" = false ] && return 0
		sleep 0.1
	done
	return 1
}

check "offered: LOG_ALL and GUEST_ANNOUNCE" \
	test "$(cfg dev0 'offered_features | map(select(. == "LOG_ALL" or . == "GUEST_ANNOUNCE")) | length')" = 2

# --- the dirty log, as a migration uses it ---------------------------------------
check "dirty_log: pages of RX buffers and used rings marked, read-only pages not, GET_VRING_BASE at the used index" \
	fe $S0 dirty_log
check "dirty_log: pages marked counted" test "$(stat dev0 dirty_log.pages)" -ge 10
check_eq "dirty_log: no mark outside the log" 0 "$(stat dev0 dirty_log.outside)"
check_eq "dirty_log: two logs mapped (the second replaced the first)" \
	2 "$(cfg dev0 vhost_user.dirty_log.log_bases)"
check_eq "dirty_log: SEND_RARP counted" 1 "$(stat dev0 announce.rarp_requests)"
check_eq "dirty_log: a loopback device sends no RARP" \
	0 "$(stat dev0 announce.rarp_sent)"
check "dirty_log: frontend gone" wait_gone dev0
check_eq "dirty_log: log unmapped with the session" \
	false "$(cfg dev0 vhost_user.dirty_log.mapped)"
check_eq "dirty_log: device not broken" 0 "$(cfg dev0 vhost_user.broken_sessions)"

# --- hostile logs ------------------------------------------------------------------
check "log_hostile: unnegotiated log unanswered, 6 bad logs answered 1, device broken, connection kept" \
	fe $S0 log_hostile
check_eq "log_hostile: 6 refused logs counted" \
	6 "$(cfg dev0 vhost_user.dirty_log.refused)"
check_eq "log_hostile: no log mapped" false "$(cfg dev0 vhost_user.dirty_log.mapped)"
check_eq "log_hostile: logged once" \
	1 "$(grep -c 'dirty log of .* refused' "$LOG")"
check "log_hostile: frontend gone" wait_gone dev0
check_eq "log_hostile: one broken session" 1 "$(cfg dev0 vhost_user.broken_sessions)"
check "log_hostile: the other device works meanwhile" fe $S1 good
check "log_hostile: the next session on the device works" fe $S0 good

check "log_truncate: log cut under the datapath: the device breaks, the connection stays" \
	fe $S0 log_truncate 500
check "log_truncate: vdpad alive" kill -0 $VPID
check_eq "log_truncate: fault in the log logged once" \
	1 "$(grep -c 'fault in the dirty log' "$LOG")"
check_eq "log_truncate: counted as a memory fault" \
	1 "$(cfg dev0 guest_memory.faults)"
check "log_truncate: frontend gone" wait_gone dev0
check "log_truncate: the other device works" fe $S1 good
check "log_truncate: the next session on the device works" fe $S0 good

# --- SEND_RARP on an AF_XDP device ------------------------------------------------
ip netns exec $NS timeout 20 tcpdump -i $PEER -n -e -l -c 3 \
	"ether proto 0x8035" >"$TMP/rarp.txt" 2>"$TMP/rarp.err" &
TPID=$!
for _ in $(seq 50); do grep -q "listening" "$TMP/rarp.err" && break; sleep 0.1; done
check "rarp: 3 SEND_RARP taken" fe $S2 rarp 500 EVIL_RARP_MAC=$RARP_MAC
wait $TPID
sed 's/^/# /' "$TMP/rarp.txt"
check_eq "rarp: 3 RARPs on the wire" 3 "$(grep -c 'ethertype Reverse ARP' "$TMP/rarp.txt")"
check_eq "rarp: from the guest's MAC, broadcast" \
	3 "$(grep -c "$RARP_MAC > ff:ff:ff:ff:ff:ff" "$TMP/rarp.txt")"
check_eq "rarp: counted as sent" 3 "$(stat dev2 announce.rarp_sent)"
check_eq "rarp: and as requested" 3 "$(stat dev2 announce.rarp_requests)"

kill $VPID
wait $VPID
check "vdpad's exit summary has the dirty log and RARP counters" \
	grep -q "dirty_log pages .* rarp requests 3 sent 3" "$LOG"
finish
