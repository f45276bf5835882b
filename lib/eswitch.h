/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emulated SR-IOV PFs ("mgmtdevs"): an uplink netdev, N veth-pair VFs and
 * the eswitch programs, with all state pinned in bpffs so any process
 * (vdpactl, vdpad, a restarted vdpad) can open and manage it.
 */
#ifndef XVDPA_ESWITCH_H
#define XVDPA_ESWITCH_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "eswitch_maps.h"
#include "util.h"

enum xv_vf_attr_bits {
	XV_VF_SET_MAC = 1u << 0,
	XV_VF_SET_VLAN = 1u << 1, /* vlan and qos together */
	XV_VF_SET_SPOOFCHK = 1u << 2,
	XV_VF_SET_TRUST = 1u << 3,
	XV_VF_SET_STATE = 1u << 4,
	XV_VF_SET_RATE = 1u << 5,
	/* Where the device end is now, not configuration: vdpad does not
	 * save it, a rebuilt VF starts at XV_VF_CONSUMER_XDP. */
	XV_VF_SET_CONSUMER = 1u << 6,
};

struct xv_vf_attrs {
	unsigned int set; /* enum xv_vf_attr_bits: which fields apply */
	uint8_t mac[XV_MAC_LEN];
	uint16_t vlan;
	uint8_t qos;
	bool spoofchk;
	bool trust;
	enum xv_link_state link_state;
	uint32_t max_tx_rate; /* Mbit/s */
	enum xv_vf_consumer consumer;
};

struct xv_pf_info {
	char name[XV_PF_NAME_MAX + 1];
	char uplink[IF_NAMESIZE];
	int uplink_ifindex;
	unsigned int num_vfs;
	bool uplink_up;
};

struct xv_vf_info {
	unsigned int index;
	char rep[IF_NAMESIZE];
	char dev[IF_NAMESIZE];
	struct xv_vf_cfg cfg;
	struct xv_vf_stats stats; /* summed over CPUs */
	bool link_up; /* what the VF's consumer sees */
};

struct xv_pf;

/* Upper bound of a mgmtdev's VFs accepted at creation. */
#define XV_NUM_VFS_MAX XV_MAX_VFS

int xv_bpffs_check(void);
int xv_pf_create(const char *name, const char *uplink, unsigned int num_vfs);
int xv_pf_destroy(const char *name);
int xv_pf_open(const char *name, struct xv_pf **out);
void xv_pf_close(struct xv_pf *pf);
int xv_pf_info(struct xv_pf *pf, struct xv_pf_info *info);
int xv_pf_list(char (*names)[XV_PF_NAME_MAX + 1], unsigned int max);

int xv_vf_attrs_validate(const struct xv_vf_attrs *a);
int xv_vf_set(struct xv_pf *pf, unsigned int vf, const struct xv_vf_attrs *a);
int xv_vf_get(struct xv_pf *pf, unsigned int vf, struct xv_vf_info *info);
int xv_vf_dev_reset(const char *pf, unsigned int vf);
int xv_vf_repair(const char *name, unsigned int vf);

const char *xv_drop_reason_name(unsigned int reason);
const char *xv_link_state_name(enum xv_link_state s);
int xv_link_state_parse(const char *s, enum xv_link_state *out);
const char *xv_vf_consumer_name(enum xv_vf_consumer c);
int xv_vf_consumer_parse(const char *s, enum xv_vf_consumer *out);

#endif /* XVDPA_ESWITCH_H */
