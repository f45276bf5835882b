# Part of a QEMU test guest's /guest.sh (after the prologue; $LB_NET, a
# /24 such as 10.231.3, set before it): eth0 up with $LB_NET.1, and traffic
# to $LB_NET.2, an address of the guest's own, routed out of eth0 (rule 10,
# before the local table). Only a loopback device on the backend (vdpad
# --loopback) brings it back in, where the local table delivers it
# (accept_local: its source is ours too). Replies to $LB_NET.1 stay on lo;
# even ARP crosses the backend (the guest answers its own looped-back
# request, so $LB_NET.2 resolves to eth0's own MAC).
ip link set eth0 up
ip addr add $LB_NET.1/24 dev eth0
ip addr add $LB_NET.2/32 dev lo
sysctl -qw net.ipv4.conf.all.accept_local=1
sysctl -qw net.ipv4.conf.eth0.accept_local=1
ip route add $LB_NET.2 dev eth0 src $LB_NET.1 table 100
ip rule add pref 10 iif lo to $LB_NET.2 table 100
ip rule add pref 1000 table local
ip rule del pref 0
