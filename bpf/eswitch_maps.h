/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Map layouts shared by the eswitch BPF programs and user space.
 *
 * One emulated PF ("mgmtdev") owns one set of these maps, pinned under
 * XV_BPFFS_ROOT/<mgmtdev>/. The VF index is the key of every per-VF map.
 */
#ifndef XVDPA_ESWITCH_MAPS_H
#define XVDPA_ESWITCH_MAPS_H

#include <linux/bpf.h> /* struct bpf_spin_lock */
#include <linux/types.h>

#define XV_BPFFS_ROOT "/sys/fs/bpf/xvdpa"

/* Upper bound of VFs per emulated PF (sizes the per-VF arrays). */
#define XV_MAX_VFS 64
/* VLAN id 0 means "no port VLAN" everywhere below. */
#define XV_VLAN_NONE 0
#define XV_VLAN_MAX 4094

/*
 * Who takes a VF's frames at its device end, which decides how the
 * eswitch hands them over:
 *   XDP     an XDP program there (vdpad's AF_XDP socket, any AF_XDP
 *           application): out of the representor, whose transmit
 *           finishes segments and checksums; the default, right for
 *           every consumer.
 *   NETDEV  the kernel stack of the namespace the device end was moved
 *           into (a pod in netdev mode): straight into that namespace
 *           (bpf_redirect_peer), GSO and checksum state intact. Skips
 *           the device end's XDP hook, and needs the device end in
 *           another namespace than its representor.
 */
enum xv_vf_consumer {
	XV_VF_CONSUMER_XDP = 0,
	XV_VF_CONSUMER_NETDEV = 1,
};

enum xv_link_state {
	XV_LINK_AUTO = 0, /* follow the uplink */
	XV_LINK_ENABLE = 1,
	XV_LINK_DISABLE = 2,
};

/* Per-VF configuration, written by user space, read by the programs. */
struct xv_vf_cfg {
	__u8 mac[6];
	__u16 vlan; /* port VLAN id, host order; 0 = none */
	__u8 qos; /* 802.1p priority pushed with the port VLAN */
	__u8 spoofchk; /* 1: source MAC must be .mac */
	__u8 trust; /* 1: spoof check bypassed */
	__u8 link_state; /* enum xv_link_state */
	__u8 active; /* 1: VF exists and its representor is wired */
	__u8 consumer; /* enum xv_vf_consumer */
	__u8 pad[2];
	__u32 rep_ifindex; /* eswitch port (representor) */
	__u32 dev_ifindex; /* device end handed to the consumer */
	__u32 max_tx_rate; /* Mbit/s, 0 = unlimited */
};

/* Per-PF configuration: a single-entry array. */
struct xv_pf_cfg {
	__u32 uplink_ifindex;
	__u32 num_vfs;
	__u8 uplink_up; /* carrier of the uplink, for XV_LINK_AUTO */
	__u8 own_clsact; /* 1: the uplink's clsact qdisc was created by us */
	__u8 pad[6];
};

/* FDB: (port VLAN, MAC) -> VF index. */
struct xv_fdb_key {
	__u16 vlan; /* host order; 0 = untagged */
	__u8 mac[6];
};

/* Token bucket for max_tx_rate, one per VF (shared by all CPUs). */
struct xv_tbucket {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 tokens; /* bytes */
	__u64 last_ns;
};

enum xv_drop_reason {
	XV_DROP_SPOOF = 0, /* source MAC is not the VF's */
	XV_DROP_LINK_DOWN, /* VF link state disable (or auto, uplink down) */
	XV_DROP_RATE, /* max_tx_rate exceeded */
	XV_DROP_VLAN, /* tagged frame from a VF (VLANs are port VLANs) */
	XV_DROP_MALFORMED, /* truncated Ethernet or VLAN header */
	XV_DROP_REDIRECT, /* redirect target missing or refused */
	XV_DROP_INACTIVE, /* frame on a port with no active VF */
	XV_DROP_LOOP, /* unicast a VF addressed to its own MAC */
	XV_DROP_MAX,
};

#define XV_DROP_NAMES                                                          \
	{                                                                      \
		"spoof", "link_down", "rate", "vlan", "malformed", "redirect", \
			"inactive", "loop"                                     \
	}

/*
 * Per-VF counters, per CPU. "rx" is toward the VF (what its consumer
 * receives), "tx" is from the VF; the same sense as `ip link` on the VF.
 */
struct xv_vf_stats {
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 tx_packets;
	__u64 tx_bytes;
	__u64 rx_flood; /* broadcast/multicast copies delivered */
	__u64 tx_flood; /* broadcast/multicast sent by the VF */
	__u64 drops[XV_DROP_MAX];
};

/* Names of the pinned maps under XV_BPFFS_ROOT/<mgmtdev>/. */
#define XV_PIN_PF_CFG "pf_cfg"
#define XV_PIN_VF_CFG "vf_cfg"
#define XV_PIN_FDB "fdb"
#define XV_PIN_VF_STATS "vf_stats"
#define XV_PIN_TBUCKET "tbucket"
/* Devmaps of PFs made when the uplink switched in XDP (before the
 * eswitch was TC only); kept up to date where they are still pinned. */
#define XV_PIN_REP_PORTS "rep_ports"
#define XV_PIN_REP_INDEX "rep_index"

#define XV_FDB_SIZE (XV_MAX_VFS * 4)

#endif /* XVDPA_ESWITCH_MAPS_H */
