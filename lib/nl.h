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

#endif /* XVDPA_NL_H */
