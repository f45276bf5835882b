// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
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
