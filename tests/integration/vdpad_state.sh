#!/bin/bash
# vdpad's state file is input too. Saved devices and mgmtdevs that cannot
# start at boot (netdev or uplink missing) are kept, shown as not running
# with the reason, saved again unchanged and started once their netdev
# appears. Entries that a control request would be refused for (a name
# too long, 3 MB long, with '/', a duplicate, a socket on the control
# socket) are left out with a message, vdpad stays up, and the file as
# read is kept beside it.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
command -v jq >/dev/null || skip_all "jq not installed (make deps)"

P=/tmp/xib
CTL=$P-ctl.sock
STATE=$P-state.json
LOG=$(mktemp /tmp/xib-vdpad.XXXXXX)
VDPAD=${VDPAD:-$BUILD/vdpad}
ctl() { "$VDPACTL" -s $CTL "$@"; }
has() { grep -qF -- "$2" <<<"$1"; }
teardown() {
	"$VDPACTL" mgmtdev del xibpf
	ip link del xibup
	ip link del xibv0
	rm -f $P-*.sock $STATE $STATE.tmp $STATE.rejected
}
teardown >/dev/null 2>&1
on_exit "teardown; rm -f $LOG"

# A state file as an operator's host might have it after a reboot: a PF
# whose uplink is not there yet, a device on a netdev not there yet, a
# good device, and entries no control request would have made.
long40=$(printf 'n%.0s' $(seq 40))
python3 - "$STATE" "$CTL" "$long40" <<'EOF'
import json, sys
state, ctl, long40 = sys.argv[1:4]
good = lambda name, sock: {"name": name, "spec": sock, "loopback": True}
json.dump({"version": 2,
	   "mgmtdevs": [{"name": "xibpf", "uplink": "xibup", "numvfs": 2,
			 "vfs": [{"vf": 1, "vlan": 7}]},
			{"name": "xibpf", "uplink": "xibup", "numvfs": 3,
			 "vfs": []}],
	   "devices": [good("good0", "/tmp/xib-good0.sock"),
		       {"name": "wait0", "spec": "/tmp/xib-wait0.sock,netdev=xibv0",
			"loopback": False},
		       good(long40, "/tmp/xib-long.sock"),
		       good("x" * (3 << 20), "/tmp/xib-huge.sock"),
		       good("a/b", "/tmp/xib-slash.sock"),
		       good("good0", "/tmp/xib-dup.sock"),
		       good("onctl", ctl)]},
	  open(state, "w"), indent=2)
EOF
cp $STATE $P-orig.json
on_exit "rm -f $P-orig.json"

"$VDPAD" --control $CTL --state $STATE -l info >"$LOG" 2>&1 &
VPID=$!
on_exit 'kill $VPID'
for _ in $(seq 100); do ctl dev show >/dev/null 2>&1 && break; sleep 0.1; done
check "vdpad is up and answers" ctl dev show
check "vdpad is still running" kill -0 $VPID
j=$(ctl -j dev show)
check_eq "the good device runs" true "$(echo "$j" | jq -r .dev.good0.running)"
check_eq "wait0 is kept, not running" false \
	"$(echo "$j" | jq -r .dev.wait0.running)"
check "wait0 says why: its netdev is missing" has "$(echo "$j" | jq -r .dev.wait0.error)" xibv0
check_eq "only good0 and wait0 were taken" "good0 wait0" \
	"$(echo "$j" | jq -r '.dev | keys | join(" ")')"
check_eq "good0 kept its own socket, not the duplicate's" /tmp/xib-good0.sock \
	"$(echo "$j" | jq -r .dev.good0.socket)"
check "the 40-character name was left out, with the reason" \
	grep -q "state: device \"nnnn.*left out: .*name.*letters, digits" "$LOG"
check "the 3 MB name was left out" \
	grep -q 'state: device "xxxx.*\.\.\.".*left out' "$LOG"
check "the name with '/' was left out" \
	grep -q 'state: device "a/b" left out' "$LOG"
check "the duplicate was left out" \
	grep -q 'state: device "good0" left out: device "good0" exists already' "$LOG"
check "the device on the control socket was left out" \
	grep -q "state: device \"onctl\" left out: socket $CTL is vdpad's control socket" "$LOG"
check "the duplicate mgmtdev was left out" \
	grep -q 'mgmtdev xibpf appears twice' "$LOG"
check "the mgmtdev waits for its uplink" \
	grep -q 'mgmtdev xibpf: saved but not up' "$LOG"
m=$(ctl -j mgmtdev show xibpf)
check_eq "mgmtdev show: xibpf saved, not up, uplink xibup" "true false xibup" \
	"$(echo "$m" | jq -r '.mgmtdev.xibpf | "\(.saved) \(.up) \(.uplink)"')"
check "mgmtdev show: it says the uplink is missing" \
	has "$(echo "$m" | jq -r .mgmtdev.xibpf.error)" "uplink missing"
check "the file as read is kept as .rejected" cmp $P-orig.json $STATE.rejected
check "vdpactl still reaches vdpad (control socket not taken)" ctl dev show good0

# A change is saved: what is waiting stays in the file.
check "dev add (the state is saved)" ctl dev add name more0 loopback \
	socket $P-more0.sock
s=$(cat $STATE)
check_eq "the saved file still has wait0 with its netdev" \
	"/tmp/xib-wait0.sock xibv0" \
	"$(echo "$s" | jq -r '.devices[] | select(.name == "wait0") | .config | "\(.socket) \(.netdev)"')"
check_eq "the saved file still has mgmtdev xibpf, VF 1 on VLAN 7" \
	"xibup 2 7" \
	"$(echo "$s" | jq -r '.mgmtdevs[] | select(.name == "xibpf") | "\(.uplink) \(.numvfs) \(.vfs[0].vlan)"')"
check_eq "the saved file has good0, wait0 and more0" "good0 more0 wait0" \
	"$(echo "$s" | jq -r '[.devices[].name[0:20]] | sort | join(" ")')"

# The netdev appears: wait0 starts by itself.
ip link add xibv0 type veth peer name xibv0p
ip link set xibv0p up
ip link set xibv0 up
for _ in $(seq 100); do
	[ "$(ctl -j dev show wait0 | jq -r .dev.wait0.running)" = true ] && break
	sleep 0.1
done
check_eq "wait0 runs once xibv0 exists" true \
	"$(ctl -j dev show wait0 | jq -r .dev.wait0.running)"
check "wait0 listens on its socket" test -S $P-wait0.sock
check "vdpad logged that wait0 runs now" grep -q 'wait0: running (was:' "$LOG"

# The uplink appears: the mgmtdev comes up with its VF attributes.
ip link add xibup type veth peer name xibupw
ip link set xibupw up
ip link set xibup up
for _ in $(seq 100); do
	[ "$(ctl -j mgmtdev show xibpf | jq -r .mgmtdev.xibpf.up)" = true ] && break
	sleep 0.1
done
check_eq "mgmtdev xibpf is up once its uplink exists" true \
	"$(ctl -j mgmtdev show xibpf | jq -r .mgmtdev.xibpf.up)"
check_eq "its VF 1 got VLAN 7 back" 7 \
	"$(ctl -j vf show xibpf vf 1 | jq -r '.. | .vlan? // empty' | head -1)"

check "vdpad never stopped" kill -0 $VPID
kill -TERM $VPID
wait $VPID
check_eq "vdpad exits 0" 0 $?
finish
