#!/bin/bash
# vdpad as the vhost-user client: the frontend (DPDK testpmd's virtio-user
# with server=1) owns the socket and vdpad connects to it, retrying with
# backoff until it appears, and reconnecting by itself when the frontend
# restarts. Also checks socket permissions of a server-mode device.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
command -v dpdk-testpmd >/dev/null || skip_all "dpdk-testpmd not installed (make deps)"

CSOCK=/tmp/xi5-client.sock
SSOCK=/tmp/xi5-server.sock
LOG=$(mktemp /tmp/xi5-vdpad.XXXXXX)
VDPAD=${VDPAD:-$BUILD/vdpad}
GROUP=$(getent group 0 | cut -d: -f1)
for g in kvm disk users; do getent group $g >/dev/null && GROUP=$g && break; done
rm -f $CSOCK $SSOCK

# vdpad first: the frontend's socket does not exist yet.
"$VDPAD" --control none --loopback $CSOCK,client --loopback $SSOCK,server,mode=0660,group=$GROUP \
	-l info >"$LOG" 2>&1 &
VPID=$!
on_exit "kill $VPID; rm -f $CSOCK $SSOCK $LOG $LOG.testpmd"
for i in $(seq 50); do [ -S $SSOCK ] && break; sleep 0.1; done
check_eq "server socket has mode 660 and group $GROUP" "660 $GROUP" \
	"$(stat -c '%a %G' $SSOCK)"
sleep 1
check "vdpad keeps running while the frontend is absent" kill -0 $VPID

# testpmd_server SECONDS: a virtio-user frontend listening on $CSOCK;
# prints "RX TX" of port 0 at exit.
testpmd_server() {
	local out
	out=$(timeout -s INT "$1" dpdk-testpmd --no-pci --file-prefix=xi5 \
		-m 256 --single-file-segments --lcores 0@0,1@1 \
		--vdev net_virtio_user0,path=$CSOCK,server=1,queues=1 -- \
		--forward-mode=io --tx-first --stats-period 1 -a 2>&1)
	echo "$out" >>"$LOG.testpmd"
	echo "$out" | awk '/Forward statistics for port 0/ {p=1}
		p && /RX-packets/ {rx=$2} p && /TX-packets/ {tx=$2; p=0}
		END {print rx+0, tx+0}'
}

read -r rx1 tx1 <<<"$(testpmd_server 6)"
check_gt "vdpad connected to the frontend: frames looped (RX)" "$rx1" 1000
check "every sent frame but one burst came back" \
	test $((tx1 - rx1)) -le 64 -a $((tx1 - rx1)) -ge 0
check "vdpad saw the frontend go away" \
	grep -q "dev0: frontend disconnected" "$LOG"

read -r rx2 tx2 <<<"$(testpmd_server 6)"
check_gt "vdpad reconnected to the restarted frontend by itself" "$rx2" 1000
check_eq "two connections made" 2 "$(grep -c 'dev0: frontend connected' "$LOG")"

kill -TERM $VPID
wait $VPID
check_eq "vdpad exits cleanly on SIGTERM" 0 $?
check_fails "server-mode socket removed at exit" test -e $SSOCK
echo "# rx/tx $rx1/$tx1 then $rx2/$tx2"
finish
