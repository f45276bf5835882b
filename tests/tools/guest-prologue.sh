# The start of every QEMU test guest's /guest.sh (tests/lib.sh guest_initrd
# puts it first): eth0 must be there, bound to a driver; no IPv6 chatter
# (DAD, router solicitations, MLD), so counters hold only the test's frames.
n=/sys/class/net/eth0
if [ ! -e $n ]; then
	echo "XV-ETH0=missing"
	ls /sys/class/net
	exit 1
fi
echo "XV-ETH0=present"
echo "XV-DRIVER=$(basename "$(readlink $n/device/driver)")"
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
sysctl -qw net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1 2>/dev/null
ip link set lo up
