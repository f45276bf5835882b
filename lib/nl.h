/* SPDX-License-Identifier: GPL-2.0-only */
/* rtnetlink through libmnl: the few link operations xvdpa needs. */
#ifndef XVDPA_NL_H
#define XVDPA_NL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

struct mnl_socket;

struct xv_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
};

struct xv_link_info {
	int ifindex;
	char name[IF_NAMESIZE];
	unsigned int flags; /* IFF_* */
	uint8_t mac[6];
	uint32_t mtu;
	bool has_xdp;
};

int xv_nl_open(struct xv_nl *nl);
void xv_nl_close(struct xv_nl *nl);

int xv_nl_veth_create(struct xv_nl *nl, const char *name, const char *peer);
int xv_nl_link_del(struct xv_nl *nl, int ifindex);
int xv_nl_link_set_up(struct xv_nl *nl, int ifindex, bool up);
int xv_nl_link_set_mac(struct xv_nl *nl, int ifindex, const uint8_t mac[6]);
int xv_nl_link_get(struct xv_nl *nl, int ifindex, struct xv_link_info *info);

/* Network namespaces and addressing (the CNI plugin's netdev mode). */
int xv_nl_open_in_netns(struct xv_nl *nl, int netns_fd);
int xv_nl_link_get_by_name(struct xv_nl *nl, const char *name,
			   struct xv_link_info *info);
int xv_nl_link_set_netns(struct xv_nl *nl, int ifindex, int netns_fd);
int xv_nl_link_set_name(struct xv_nl *nl, int ifindex, const char *name);
int xv_nl_link_set_mtu(struct xv_nl *nl, int ifindex, uint32_t mtu);

struct xv_nl_prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t len; /* prefix length */
};

int xv_nl_addr_add(struct xv_nl *nl, int ifindex, const struct xv_nl_prefix *p);
int xv_nl_addr_find(struct xv_nl *nl, int ifindex,
		    const struct xv_nl_prefix *p);
int xv_nl_route_add(struct xv_nl *nl, int ifindex,
		    const struct xv_nl_prefix *dst, const uint8_t *gw);

#endif /* XVDPA_NL_H */
