#!/bin/bash
# Socket paths from control clients: vdpad (root) never creates a socket
# over, chmods, chowns or removes a file it did not make, follows no
# symlink, gives non-root members of the control group sockets only under
# its socket directory, and refuses a path in use (another device's
# socket, the control socket). Members change only what is theirs: no
# mgmtdev or VF changes, no device on an arbitrary netdev, no removal of
# another's device. Every refusal is checked from the user's
# side: vdpactl's exit code and message, and the victim file's type,
# content, mode and owner unchanged.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
need_root
command -v setpriv >/dev/null || skip_all "setpriv not installed"

P=/tmp/xia
RUN=$P-run # vdpad's socket directory in this test
CTL=$RUN/ctl.sock
STATE=$P-state.json
LOG=$(mktemp /tmp/xia-vdpad.XXXXXX)
VDPAD=${VDPAD:-$BUILD/vdpad}
GROUP=kvm
getent group $GROUP >/dev/null || GROUP=users
GID=$(getent group $GROUP | cut -d: -f3)
cleanup() {
	rm -rf $RUN $P-victim $P-victim2 $P-other $P-d $STATE $STATE.tmp $LOG
}
cleanup
on_exit cleanup

ctl() { "$VDPACTL" -s $CTL "$@"; }
# A non-root member of the control group.
member() {
	setpriv --reuid=65534 --regid=65534 --groups="$GID" \
		"$VDPACTL" -s $CTL "$@"
}
# What a file is: type, mode, owner, group and content hash.
fileinfo() { stat -c '%F %a %U %G' "$1" && sha256sum <"$1"; }
# has TEXT NEEDLE: does TEXT contain NEEDLE?
has() { grep -qF -- "$2" <<<"$1"; }
# Is someone listening on the UNIX stream socket $1?
listening() {
	python3 -c 'import socket,sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])' "$1"
}

start_vdpad() {
	"$VDPAD" --control $CTL --control-group $GROUP --socket-dir $RUN \
		--state $STATE --loopback $P-d0.sock -l info >>"$LOG" 2>&1 &
	VPID=$!
	for _ in $(seq 100); do ctl dev show >/dev/null 2>&1 && break; sleep 0.1; done
}
rm -f $P-d0.sock
start_vdpad
on_exit 'kill $VPID; rm -f $P-d0.sock'
check "vdpad serves its control socket in its socket directory" test -S $CTL
check_eq "the socket directory is root's, mode 755" "directory 755 root" \
	"$(stat -c '%F %a %U' $RUN)"

# The victims: a root-only file and a directory a symlink will point to.
echo secret >$P-victim
chmod 0600 $P-victim
mkdir -p $P-other
before=$(fileinfo $P-victim)

# --- non-root members: sockets under the socket directory only -----------
out=$(member dev add name xia1 loopback socket $P-victim 2>&1)
check_eq "member: socket on a root file: exit 1" 1 $?
check "member: told where its sockets may go" \
	has "$out" "non-root clients get sockets under $RUN only"
out=$(member dev add name xia2 loopback socket $RUN/../xia-victim 2>&1)
check_eq "member: socket DIR/../FILE: exit 1" 1 $?
ln -s $P-victim $RUN/lnk
ln -s $P-other $RUN/ldir
out=$(member dev add name xia3 loopback socket $RUN/lnk 2>&1)
check_eq "member: socket on a symlink to a root file: exit 1" 1 $?
check "member: told the path is not vdpad's to replace" \
	has "$out" "is not a stale socket"
out=$(member dev add name xia4 loopback socket $RUN/ldir/s.sock 2>&1)
check_eq "member: socket through a symlinked directory: exit 1" 1 $?
check "member: told a directory on the path is a symlink" \
	has "$out" "missing or a symlink"
check_eq "nothing was made where the symlinked directory points" "" \
	"$(ls -A $P-other)"
check_eq "the root file is untouched (type, mode, owner, content)" \
	"$before" "$(fileinfo $P-victim)"
check_eq "the symlink is untouched" "$P-victim" "$(readlink $RUN/lnk)"

# A member's own device, in the socket directory, made with its mode and
# group at once.
check "member: dev add with the default socket" \
	member dev add name xia5 loopback socket_mode 0660 socket_group $GROUP
check_eq "its socket: $RUN/xia5.sock, a socket, mode 660, group $GROUP" \
	"socket 660 root $GROUP" "$(stat -c '%F %a %U %G' $RUN/xia5.sock)"
check_eq "dev show gives that path" $RUN/xia5.sock \
	"$(ctl -j dev show xia5 | jq -r .dev.xia5.socket)"
check "member: dev add with a socket below the socket directory" \
	member dev add name xia6 loopback socket $RUN/xia6.sock
check "member: dev del" member dev del xia6
check_fails "dev del removed the socket it made" test -e $RUN/xia6.sock

# --- paths in use: for everyone, root included -----------------------------
out=$(member dev add name xia7 loopback socket $RUN/xia5.sock 2>&1)
check_eq "member: another device's socket: exit 1" 1 $?
check "member: told which device uses it" \
	has "$out" "in use by device xia5"
out=$(ctl dev add name xia8 loopback socket $P-d0.sock mode client 2>&1)
check_eq "root: a client device on a command-line device's socket: exit 1" 1 $?
check "root: told which device uses it" \
	has "$out" "in use by device dev0"
check "dev0's socket still accepts a frontend" listening $P-d0.sock
check "xia5's socket still accepts a frontend" listening $RUN/xia5.sock
out=$(member dev add name xia9 loopback socket $CTL 2>&1)
check_eq "member: the control socket's path: exit 1" 1 $?
check "member: told it is the control socket" \
	has "$out" "vdpad's control socket"
out=$(ctl dev add name xia9 loopback socket $CTL mode client 2>&1)
check_eq "root: the control socket's path, client mode: exit 1" 1 $?
check "vdpactl still reaches vdpad" ctl dev show xia5
check_eq "the control socket is still a socket, mode 660" "socket 660" \
	"$(stat -c '%F %a' $CTL)"

# --- members change only what is theirs ------------------------------------
out=$(member mgmtdev add xiapf uplink lo numvfs 1 2>&1)
check_eq "member: mgmtdev add: exit 1" 1 $?
check "member: told PF changes are root's" has "$out" "root only"
check_fails "no mgmtdev was made" test -e /sys/fs/bpf/xvdpa/xiapf
out=$(member vf set xiapf vf 0 trust on 2>&1)
check_eq "member: vf set: exit 1" 1 $?
out=$(member dev add name xia12 netdev lo 2>&1)
check_eq "member: a device on the host's netdev lo: exit 1" 1 $?
check "member: told netdev is root's" has "$out" '"netdev" is root'"'"'s'
check_eq "no XDP program went on lo" 0 "$(ip -d link show lo | grep -c xdp)"
# Raw requests, past vdpactl's own checks: a ',' that would start another
# SPEC option, and a socket path longer than any socket address.
raw() {
	setpriv --reuid=65534 --regid=65534 --groups="$GID" /usr/bin/python3 -c '
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(sys.argv[2].encode())
print(s.recv(65536).decode())' $CTL "$1"
}
out=$(raw '{"cmd": "dev add", "args": {"name": "xia13", "loopback": true, "socket_group": "'$GROUP',netdev=lo"}}')
check "member: ',' in socket_group refused" has "$out" "must not contain ','"
out=$(raw '{"cmd": "dev add", "args": {"name": "xia14", "loopback": true, "device_features": "0x0,netdev=lo"}}')
check "member: ',' in device_features refused" has "$out" "must not contain ','"
check_eq "still no XDP program on lo" 0 "$(ip -d link show lo | grep -c xdp)"
long=$RUN/$(printf 'a%.0s' $(seq 600))
out=$(raw '{"cmd": "dev add", "args": {"name": "xia15", "loopback": true, "mtu": 1500, "max_vqp": 1, "socket_mode": "0660", "socket": "'$long'"}}')
check "member: a 600-character socket path refused" has "$out" "at most 107 characters"
check "vdpad is still running" kill -0 $VPID
out=$(member dev del dev0 2>&1)
check_eq "member: dev del of root's device: exit 1" 1 $?
check "member: told it is not its device" has "$out" 'is not yours'
check "root's device is still there" ctl dev show dev0

# --- root: no clobbering and no removal of what is not vdpad's -----------
out=$(ctl dev add name xia10 loopback socket $P-victim 2>&1)
check_eq "root: socket on a regular file: exit 1" 1 $?
check "root: told the file is left as it is" \
	has "$out" "left as it is"
check_eq "the root file is still untouched" "$before" "$(fileinfo $P-victim)"
mkdir -p $P-d
check "root: dev add in a directory of its choosing" \
	ctl dev add name xia11 loopback socket $P-d/s.sock
# Someone replaces the socket by a file of their own: dev del leaves it.
mv $P-d/s.sock $P-d/moved.sock
echo mine >$P-d/s.sock
check "root: dev del" ctl dev del xia11
check_eq "dev del left the file that replaced its socket" mine \
	"$(cat $P-d/s.sock 2>&1)"
check "vdpad logged that it left it" \
	grep -q 'xia11: .*is no longer the socket vdpad made: left as it is' "$LOG"

# --- a restart from the state file: stale sockets of vdpad's replaced ---
kill -KILL $VPID
wait $VPID 2>/dev/null
check "after SIGKILL the stale control socket is still there" test -S $CTL
start_vdpad
check "restarted vdpad serves its control socket again" ctl dev show
check_eq "the saved device is back, running" true \
	"$(ctl -j dev show xia5 | jq -r .dev.xia5.running)"
check "its socket accepts a frontend" listening $RUN/xia5.sock
check "the member still owns it after the restart: dev del" \
	member dev del xia5
check_eq "the root file is still untouched" "$before" "$(fileinfo $P-victim)"
kill -TERM $VPID
wait $VPID
check_eq "vdpad exits 0 on SIGTERM" 0 $?
check_fails "vdpad removed its control socket" test -e $CTL
check_fails "vdpad removed its devices' sockets" test -e $P-d0.sock
check "vdpad left the symlinks in its directory alone" test -L $RUN/lnk
finish
