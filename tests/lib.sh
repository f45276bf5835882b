#!/bin/bash
# Shared helpers for xvdpa's integration tests (sourced, not run).
#
# Each test script picks a unique name prefix, registers cleanup steps with
# on_exit, records checks with ok/check, and ends with `finish`, whose exit
# code is non-zero when any check failed. Exit code 77 means skipped.

: "${BUILD:=build}"
VDPACTL=${VDPACTL:-$BUILD/vdpactl}
T_PASS=0
T_FAIL=0
T_CLEANUP=()

on_exit() {
	T_CLEANUP=("$*" "${T_CLEANUP[@]}")
}

run_cleanup() {
	local c
	for c in "${T_CLEANUP[@]}"; do
		eval "$c" >/dev/null 2>&1 || true
	done
	T_CLEANUP=()
}
trap run_cleanup EXIT

ok() {
	T_PASS=$((T_PASS + 1))
	echo "ok - $*"
}

not_ok() {
	T_FAIL=$((T_FAIL + 1))
	echo "not ok - $*"
}

# check "description" command...: passes when the command exits 0.
check() {
	local desc=$1
	shift
	if "$@" >/tmp/xv-check.$$ 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/#   /' /tmp/xv-check.$$ | tail -20
	fi
	rm -f /tmp/xv-check.$$
}

# check_fails "description" command...: passes when the command fails.
check_fails() {
	local desc=$1
	shift
	if "$@" >/tmp/xv-check.$$ 2>&1; then
		not_ok "$desc (it succeeded)"
		sed 's/^/#   /' /tmp/xv-check.$$ | tail -20
	else
		ok "$desc"
	fi
	rm -f /tmp/xv-check.$$
}

# check_eq "description" expected actual
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1: expected '$2', got '$3'"
	fi
}

# check_gt "description" value floor: value > floor (integers)
check_gt() {
	if [ "$2" -gt "$3" ] 2>/dev/null; then
		ok "$1 ($2 > $3)"
	else
		not_ok "$1: expected more than $3, got '$2'"
	fi
}

skip_all() {
	echo "skip - $*"
	exit 77
}

finish() {
	echo "# $T_PASS checks passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
}

# Counter of a VF from vdpactl's JSON: vf_stat PF VF JQPATH
vf_stat() {
	"$VDPACTL" -j vf show "$1" vf "$2" | jq -r ".vf[0].$3"
}

# Receive counter of a netdev inside a namespace.
ns_rx_packets() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"
}

# ns_add NAME: a namespace with lo up, deleted at exit.
ns_add() {
	ip netns del "$1" 2>/dev/null || true
	ip netns add "$1"
	ip -n "$1" link set lo up
	# No IPv6: its background multicast (ND, MLD) would blur counters.
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	on_exit ip netns del "$1"
}

# ns_ping NS ADDR [count]: quiet ping that must get every reply.
ns_ping() {
	ip netns exec "$1" ping -q -c "${3:-3}" -i 0.2 -W 1 "$2"
}

# tcp_transfer SRC_NS DST_NS DST_ADDR PORT BYTES: sends random bytes over
# TCP and compares what arrived.
tcp_transfer() {
	local src=$1 dst=$2 addr=$3 port=$4 bytes=$5
	local in out
	in=$(mktemp /tmp/xv-tcp-in.XXXXXX)
	out=$(mktemp /tmp/xv-tcp-out.XXXXXX)
	head -c "$bytes" /dev/urandom >"$in"
	ip netns exec "$dst" timeout 20 nc -l -N -p "$port" >"$out" &
	local lpid=$!
	local i
	for i in $(seq 50); do
		ip netns exec "$dst" ss -ltn "sport = :$port" | grep -q LISTEN && break
		sleep 0.1
	done
	ip netns exec "$src" timeout 20 nc -N -w 5 "$addr" "$port" <"$in"
	wait "$lpid"
	cmp "$in" "$out"
	local rc=$?
	rm -f "$in" "$out"
	return $rc
}

# ext_uplink NS UPLINK ADDR/LEN: an "external host" namespace NS whose eth0
# is the wire end of the veth UPLINK (left in the host for a mgmtdev),
# with the kernel's offloads (the eswitch switches skbs: nothing to turn
# off).
ext_uplink() {
	ns_add "$1"
	ip link add "$2" type veth peer name eth0 netns "$1"
	ip -n "$1" addr add "$3" dev eth0
	ip -n "$1" link set eth0 up
	ip link set "$2" up
}

# need_guest GUESTDIR LOGDIR: QEMU, and a test guest that
# tests/tools/mkguest.sh builds in GUESTDIR; else the test is skipped,
# with mkguest's log.
need_guest() {
	command -v qemu-system-x86_64 >/dev/null ||
		skip_all "qemu-system-x86_64 not installed (make deps)"
	if ! tests/tools/mkguest.sh "$1" >"$2/mkguest.log" 2>&1; then
		sed 's/^/# /' "$2/mkguest.log"
		skip_all "cannot build the guest (tests/tools/mkguest.sh)"
	fi
}

# qemu_guest GUESTDIR INITRD SOCK MAC CONSOLE LOG [CHARDEV_OPTS [TIMEOUT]]:
# boots a test guest under TCG (256 MB of memfd memory shared with the
# vhost-user backend) with one virtio-net NIC on SOCK (MSI-X off: QEMU 7.2
# with TCG needs it), its console in CONSOLE, QEMU's output in LOG, killed
# after TIMEOUT s (150). Run it in the background (`qemu_guest ... &`): it
# execs, so $! is the QEMU side's pid.
qemu_guest() {
	QEMU_MEM=256M qemu_guest_with "$1" "$2" "$3" "$4" "$5" "$6" "${7:-}" "${8:-150}" \
		-monitor none
}

# qemu_guest_with GUESTDIR INITRD SOCK MAC CONSOLE LOG CHARDEV_OPTS TIMEOUT
# QEMU_ARG...: qemu_guest with every argument given (CHARDEV_OPTS may be
# "") and QEMU_ARGs at the end of QEMU's command line instead of
# "-monitor none": e.g. "-monitor unix:MON,server,nowait" for hmp and
# qemu_migrate, "-incoming unix:PATH" for a migration's destination (same
# arguments otherwise, as QEMU wants). QEMU_MEM, if set, is the guest's
# memory size instead of 256M (a QEMU size: 262152K).
qemu_guest_with() {
	local guest=$1 initrd=$2 sock=$3 mac=$4 console=$5 log=$6
	local copts=$7 secs=$8
	shift 8
	: >"$console"
	local mem=${QEMU_MEM:-256M}
	exec timeout -k 5 "$secs" qemu-system-x86_64 -accel tcg -nodefaults \
		-nographic -no-reboot -m "$mem" -smp 1 \
		-object "memory-backend-memfd,id=mem,size=$mem,share=on" \
		-machine pc,memory-backend=mem \
		-chardev "socket,id=c0,path=$sock$copts" \
		-netdev vhost-user,id=n0,chardev=c0 \
		-device "virtio-net-pci,netdev=n0,mac=$mac,vectors=0,romfile=" \
		-kernel "$guest/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=4" \
		-serial file:"$console" "$@" </dev/null >"$log" 2>&1
}

# hmp MONITOR COMMAND...: each COMMAND's output from the QEMU human monitor
# on the unix socket MONITOR (tests/tools/hmp.py).
hmp() {
	python3 tests/tools/hmp.py "$@"
}

# qemu_migrate MONITOR URI [TIMEOUT]: tells the QEMU on MONITOR to migrate
# to URI (a destination started with "-incoming URI") and polls
# "info migrate" until it completed or failed, at most TIMEOUT s (60).
# Sets MIG_STATUS (completed, failed, ... or "no reply"), MIG_ERROR (what
# QEMU said when it refused or failed), MIG_TOTAL_MS, MIG_DOWNTIME_MS,
# MIG_SETUP_MS and MIG_RAM_KB ("" if not printed). Returns 0 on
# "completed".
qemu_migrate() {
	local mon=$1 uri=$2 secs=${3:-60} out deadline
	MIG_STATUS="no reply" MIG_ERROR="" MIG_TOTAL_MS="" MIG_DOWNTIME_MS=""
	MIG_SETUP_MS="" MIG_RAM_KB=""
	out=$(hmp "$mon" "migrate -d $uri" 2>&1) || {
		MIG_ERROR=$out
		return 1
	}
	if [ -n "$out" ]; then # migrate -d prints nothing when it starts
		MIG_STATUS=refused
		MIG_ERROR=$(echo "$out" | tr '\n' ' ')
		return 1
	fi
	deadline=$(($(date +%s) + secs))
	while :; do
		out=$(hmp "$mon" "info migrate" 2>&1)
		MIG_STATUS=$(echo "$out" | sed -n 's/^Migration status: \([a-z-]*\).*/\1/p')
		case $MIG_STATUS in
		# QEMU says "completed" a moment before it has set the times.
		completed) echo "$out" | grep -q '^total time: [1-9]' && break ;;
		failed | cancelled) break ;;
		esac
		if [ "$(date +%s)" -ge "$deadline" ]; then
			MIG_ERROR="still ${MIG_STATUS:-unknown} after $secs s"
			return 1
		fi
		sleep 0.2
	done
	MIG_ERROR=$(echo "$out" | sed -n 's/^Migration status: [a-z-]* (\(.*\))$/\1/p')
	MIG_TOTAL_MS=$(echo "$out" | sed -n 's/^total time: \([0-9]*\) ms.*/\1/p')
	MIG_DOWNTIME_MS=$(echo "$out" | sed -n 's/^downtime: \([0-9]*\) ms.*/\1/p')
	MIG_SETUP_MS=$(echo "$out" | sed -n 's/^setup: \([0-9]*\) ms.*/\1/p')
	MIG_RAM_KB=$(echo "$out" | sed -n 's/^transferred ram: \([0-9]*\) kbytes.*/\1/p')
	[ "$MIG_STATUS" = completed ]
}

# guest_initrd GUESTDIR OUT SCRIPT...: an initramfs OUT for a QEMU test
# guest built by tests/tools/mkguest.sh, whose /guest.sh is the shared
# prologue (tests/tools/guest-prologue.sh) followed by the SCRIPTs.
guest_initrd() {
	local guest=$1 out=$2 dir
	shift 2
	dir=$(mktemp -d /tmp/xv-initrd.XXXXXX)
	cat tests/tools/guest-prologue.sh "$@" >"$dir/guest.sh"
	(cd "$dir" && echo guest.sh | cpio -o -H newc -R 0:0 --quiet) \
		>"$dir/guest.cpio"
	# Uncompressed archive first: the kernel finds the next archive's
	# magic right after a newc trailer, not after a gzip stream.
	cat "$dir/guest.cpio" "$guest/initrd.gz" >"$out"
	rm -rf "$dir"
}
