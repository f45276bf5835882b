#!/bin/bash
# vdpad's vhost-user backend with a real frontend: DPDK testpmd's
# net_virtio_user connects to vdpad (server mode), negotiates, and frames
# cross the virtqueues both ways: vdpad's loopback device returns every
# frame testpmd transmits on its RX queue, and testpmd (io mode, seeded
# with --tx-first) sends them out again. Then the frontend restarts and
# the device works again without restarting vdpad.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
command -v dpdk-testpmd >/dev/null || skip_all "dpdk-testpmd not installed (make deps)"

SOCK=/tmp/xi2-vdpad.sock
LOG=$(mktemp /tmp/xi2-vdpad.XXXXXX)
VDPAD=${VDPAD:-$BUILD/vdpad}

"$VDPAD" --control none --loopback $SOCK -l info >"$LOG" 2>&1 &
VPID=$!
on_exit "kill $VPID; rm -f $SOCK $LOG"
for i in $(seq 50); do [ -S $SOCK ] && break; sleep 0.1; done
check "vdpad listens on its vhost-user socket" test -S $SOCK

# testpmd_run SECONDS: prints "RX TX" of port 0 at exit.
testpmd_run() {
	local out
	out=$(timeout -s INT "$1" dpdk-testpmd --no-pci --file-prefix=xi2 \
		-m 256 --single-file-segments --lcores 0@0,1@1 \
		--vdev net_virtio_user0,path=$SOCK,queues=1 -- \
		--forward-mode=io --tx-first --stats-period 1 -a 2>&1)
	echo "$out" >>"$LOG.testpmd"
	echo "$out" | awk '/Forward statistics for port 0/ {p=1}
		p && /RX-packets/ {rx=$2} p && /TX-packets/ {tx=$2; p=0}
		END {print rx+0, tx+0}'
}
on_exit "rm -f $LOG.testpmd"

read -r rx1 tx1 <<<"$(testpmd_run 5)"
check_gt "first frontend: frames returned by vdpad (RX)" "$rx1" 1000
check_gt "first frontend: frames sent (TX)" "$tx1" 1000
check "first frontend: every sent frame but one burst came back" \
	test $((tx1 - rx1)) -le 64 -a $((tx1 - rx1)) -ge 0
check "vdpad saw the frontend disconnect" \
	grep -q "frontend disconnected" "$LOG"

read -r rx2 tx2 <<<"$(testpmd_run 5)"
check_gt "restarted frontend: frames returned by vdpad (RX)" "$rx2" 1000
check "restarted frontend: every sent frame but one burst came back" \
	test $((tx2 - rx2)) -le 64 -a $((tx2 - rx2)) -ge 0
check "vdpad still running after two frontends" kill -0 $VPID

# Multi-queue: a second device with two queue pairs, testpmd with two;
# this device offers neither MRG_RXBUF nor EVENT_IDX (features=), so the
# single-buffer RX path and plain notification flags run too.
MQSOCK=/tmp/xi2-vdpad-mq.sock
NO_MRG_NO_EVIDX=0x150410028
"$VDPAD" --control none --loopback $MQSOCK,mq=2,features=$NO_MRG_NO_EVIDX -l info >"$LOG.mq" 2>&1 &
MQPID=$!
on_exit "kill $MQPID; rm -f $MQSOCK $LOG.mq"
for i in $(seq 50); do [ -S $MQSOCK ] && break; sleep 0.1; done
mq_out=$(timeout -s INT 5 dpdk-testpmd --no-pci --file-prefix=xi2mq -m 256 \
	--single-file-segments --lcores 0@0,1@1 \
	--vdev net_virtio_user0,path=$MQSOCK,queues=2 -- --rxq=2 --txq=2 \
	--forward-mode=io --tx-first --stats-period 1 -a 2>&1)
mq_rx=$(echo "$mq_out" | awk '/Forward statistics for port 0/ {p=1}
	p && /RX-packets/ {print $2; exit}')
check_gt "two queue pairs: frames returned by vdpad" "${mq_rx:-0}" 1000
check "two queue pairs: both TX rings ran in vdpad" \
	grep -q "vring 3 started" "$LOG.mq"
kill -TERM $MQPID
wait $MQPID
mq_looped=$(awk '/ loopback: / {print $4}' "$LOG.mq")
check "two queue pairs: vdpad looped at least what testpmd received" \
	test "${mq_looped:-0}" -ge "${mq_rx:-1}"

kill -TERM $VPID
wait $VPID
check_eq "vdpad exits cleanly on SIGTERM" 0 $?
looped=$(awk '/ loopback: / {print $4}' "$LOG")
check "vdpad counted at least the frames testpmd received" \
	test "${looped:-0}" -ge $((rx1 + rx2))
check_fails "socket removed at exit" test -e $SOCK
echo "# testpmd rx/tx: $rx1/$tx1 then $rx2/$tx2; vdpad looped $looped"
finish
