// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nl.h"

int xv_nl_open(struct xv_nl *nl)
{
	int err;

	nl->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

void xv_nl_close(struct xv_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/* Sends @nlh and runs @cb on every reply until the ACK; 0 or -errno. */
static int nl_talk(struct xv_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = ++nl->seq;
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, nl->portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags,
				 int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	return nlh;
}

int xv_nl_veth_create(struct xv_nl *nl, const char *name, const char *peer)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *linkinfo, *data, *peer_attr;
	struct nlmsghdr *nlh;
	struct ifinfomsg *pifm;

	nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer_attr = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifm));
	memset(pifm, 0, sizeof(*pifm));
	pifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_nest_end(nlh, peer_attr);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nl_talk(nl, nlh, NULL, NULL);
}

int xv_nl_link_del(struct xv_nl *nl, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	return nl_talk(nl, link_msg(buf, RTM_DELLINK, 0, ifindex), NULL, NULL);
}

int xv_nl_link_set_up(struct xv_nl *nl, int ifindex, bool up)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = up ? IFF_UP : 0;
	return nl_talk(nl, nlh, NULL, NULL);
}

int xv_nl_link_set_mac(struct xv_nl *nl, int ifindex, const uint8_t mac[6])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return nl_talk(nl, nlh, NULL, NULL);
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct xv_link_info *info = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			strncpy(info->name, mnl_attr_get_str(attr),
				sizeof(info->name) - 1);
		break;
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(attr) == 6)
			memcpy(info->mac, mnl_attr_get_payload(attr), 6);
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			info->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_XDP:
		info->has_xdp = true; /* refined below by its nested attrs */
		break;
	}
	return MNL_CB_OK;
}

static int xdp_attr_cb(const struct nlattr *attr, void *data)
{
	struct xv_link_info *info = data;

	if (mnl_attr_get_type(attr) == IFLA_XDP_ATTACHED &&
	    mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
		info->has_xdp = mnl_attr_get_u8(attr) != XDP_ATTACHED_NONE;
	return MNL_CB_OK;
}

static int link_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct xv_link_info *info = data;
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct nlattr *xdp;

	info->ifindex = ifm->ifi_index;
	info->flags = ifm->ifi_flags;
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, info);
	xdp = NULL;
	mnl_attr_for_each(xdp, nlh, sizeof(*ifm)) {
		if (mnl_attr_get_type(xdp) == IFLA_XDP)
			mnl_attr_parse_nested(xdp, xdp_attr_cb, info);
	}
	return MNL_CB_OK;
}

int xv_nl_link_get(struct xv_nl *nl, int ifindex, struct xv_link_info *info)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	memset(info, 0, sizeof(*info));
	return nl_talk(nl, link_msg(buf, RTM_GETLINK, 0, ifindex), link_msg_cb,
		       info);
}

/* A netlink socket bound to the namespace @netns_fd: sockets keep the
 * namespace they were created in, so enter it only to create one. */
int xv_nl_open_in_netns(struct xv_nl *nl, int netns_fd)
{
	int self, err, back;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		err = -errno;
		close(self);
		return err;
	}
	err = xv_nl_open(nl);
	back = setns(self, CLONE_NEWNET);
	close(self);
	if (back < 0) {
		/* Stranded in the other namespace: nothing else is safe. */
		abort();
	}
	return err;
}

int xv_nl_link_get_by_name(struct xv_nl *nl, const char *name,
			   struct xv_link_info *info)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, 0);

	if (strlen(name) >= IF_NAMESIZE)
		return -ENAMETOOLONG;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	memset(info, 0, sizeof(*info));
	return nl_talk(nl, nlh, link_msg_cb, info);
}

int xv_nl_link_set_netns(struct xv_nl *nl, int ifindex, int netns_fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	return nl_talk(nl, nlh, NULL, NULL);
}

int xv_nl_link_set_name(struct xv_nl *nl, int ifindex, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);

	if (strlen(name) >= IF_NAMESIZE)
		return -ENAMETOOLONG;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nl_talk(nl, nlh, NULL, NULL);
}

int xv_nl_link_set_mtu(struct xv_nl *nl, int ifindex, uint32_t mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nl_talk(nl, nlh, NULL, NULL);
}

static size_t prefix_bytes(const struct xv_nl_prefix *p)
{
	return p->family == AF_INET ? 4 : 16;
}

int xv_nl_addr_add(struct xv_nl *nl, int ifindex, const struct xv_nl_prefix *p)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)p->family;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_index = (uint32_t)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, prefix_bytes(p), p->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, prefix_bytes(p), p->addr);
	return nl_talk(nl, nlh, NULL, NULL);
}

struct addr_find {
	const struct xv_nl_prefix *want;
	int ifindex;
	bool found;
};

static int addr_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_find *f = data;
	struct nlattr *a;

	if (ifa->ifa_family != f->want->family ||
	    (int)ifa->ifa_index != f->ifindex ||
	    ifa->ifa_prefixlen != f->want->len)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(a) == IFA_ADDRESS &&
		    mnl_attr_get_payload_len(a) == prefix_bytes(f->want) &&
		    !memcmp(mnl_attr_get_payload(a), f->want->addr,
			    prefix_bytes(f->want)))
			f->found = true;
	}
	return MNL_CB_OK;
}

/* 0 when @ifindex has address @p, -ENOENT when not. */
int xv_nl_addr_find(struct xv_nl *nl, int ifindex, const struct xv_nl_prefix *p)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct addr_find f = { .want = p, .ifindex = ifindex };
	struct ifaddrmsg *ifa;
	int err;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)p->family;
	err = nl_talk(nl, nlh, addr_msg_cb, &f);
	if (err)
		return err;
	return f.found ? 0 : -ENOENT;
}

int xv_nl_route_add(struct xv_nl *nl, int ifindex,
		    const struct xv_nl_prefix *dst, const uint8_t *gw)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)dst->family;
	rtm->rtm_dst_len = dst->len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (dst->len)
		mnl_attr_put(nlh, RTA_DST, prefix_bytes(dst), dst->addr);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, prefix_bytes(dst), gw);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return nl_talk(nl, nlh, NULL, NULL);
}
