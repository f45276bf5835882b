// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The xvdpa eswitch: turns an uplink netdev plus N veth pairs into an
 * emulated SR-IOV PF with N VFs. Both programs are TC ingress programs:
 * frames are skbs all the way through, GSO and checksum-offload state
 * intact, so neither a pod nor the external peer gives up its offloads.
 *
 *   uplink  unicast (VLAN, dst MAC) -> that VF, VLAN popped;
 *           broadcast/multicast -> every VF of that VLAN (clones), and
 *           on to the host stack; unknown unicast -> the host stack.
 *   rep     frames a VF sends: link state, VLAN, spoof check, rate limit
 *           (on wire bytes), then another VF (hairpin) or the uplink
 *           with the port VLAN pushed; broadcast/multicast -> the other
 *           VFs of its VLAN and the uplink (clones).
 *
 * How a VF takes its frames (into its pod's namespace, or out of its
 * representor to an XDP program) is vf_deliver's; the policy itself is
 * eswitch_policy.h.
 */
#include "eswitch_policy.h"

/* The VLAN tag of a frame the uplink received: the skb's accelerated
 * tag, or one still in the frame. */
struct uplink_tag {
	__be16 tpid; /* 0: untagged */
	__u16 tci;
};

static __always_inline void uplink_tag_of(struct __sk_buff *skb,
					  const struct ethhdr *eth,
					  struct uplink_tag *t)
{
	__be16 tci;

	t->tpid = 0;
	t->tci = 0;
	if (skb->vlan_present) {
		t->tpid = (__be16)skb->vlan_proto;
		t->tci = (__u16)skb->vlan_tci;
	} else if (is_vlan_proto(eth->h_proto) &&
		   !bpf_skb_load_bytes(skb, ETH_HLEN, &tci, sizeof(tci))) {
		t->tpid = eth->h_proto;
		t->tci = bpf_ntohs(tci);
	}
}

/* Broadcast/multicast from the wire: a copy to every VF of its VLAN;
 * the host stack gets the frame with the tag it came with (or not at
 * all, should that tag not go back on). */
static __always_inline int uplink_flood(struct __sk_buff *skb,
					const struct uplink_tag *t)
{
	__u16 vlan = t->tci & VLAN_VID_MASK;
	struct xv_wire w;

	if (vlan && bpf_skb_vlan_pop(skb))
		return TC_ACT_OK;
	skb_wire(skb, &w);
	flood_to_vfs(skb, vlan, XV_MAX_VFS, &w);
	if (vlan && bpf_skb_vlan_push(skb, t->tpid, t->tci))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

SEC("tc")
int xv_uplink_tc(struct __sk_buff *skb)
{
	struct xv_fdb_key key = {};
	struct xv_vf_cfg *cfg;
	struct ethhdr eth;
	struct xv_wire w;
	struct uplink_tag tag;
	__u32 *vfp, vf;
	int why;

	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)))
		return TC_ACT_OK; /* the host stack's business */
	uplink_tag_of(skb, &eth, &tag);
	if (is_multicast(eth.h_dest))
		return uplink_flood(skb, &tag);
	key.vlan = tag.tci & VLAN_VID_MASK;
	__builtin_memcpy(key.mac, eth.h_dest, ETH_ALEN);
	vfp = bpf_map_lookup_elem(&fdb, &key);
	if (!vfp)
		return TC_ACT_OK; /* unknown unicast: host stack */
	vf = *vfp;
	cfg = bpf_map_lookup_elem(&vf_cfg, &vf);
	why = vf_rx_refused(cfg);
	if (why >= 0 || !cfg) {
		count_drop(vf, why);
		return TC_ACT_SHOT;
	}
	/* A priority tag (VLAN 0) stays: the VF's stack reads it as none. */
	if (key.vlan && bpf_skb_vlan_pop(skb)) {
		count_drop(vf, XV_DROP_MALFORMED);
		return TC_ACT_SHOT;
	}
	skb_wire(skb, &w);
	return (int)vf_deliver(skb, vf, cfg, &w);
}

/*
 * Every frame a VF sends, as the skb its device end made. Unicast goes
 * to the destination VF (vf_deliver) or out of the uplink; what the
 * uplink cannot take (segments, checksums) its transmit finishes.
 */
SEC("tc")
int xv_rep_tc_ingress(struct __sk_buff *skb)
{
	struct xv_rep_fwd fwd = {};
	struct xv_vf_cfg *cfg;
	struct xv_pf_cfg *pf;
	/* The source MAC 8-byte aligned: the stack takes no unaligned
	 * loads (mac_equal reads it in words). */
	struct {
		__u16 pad;
		struct ethhdr eth;
	} __attribute__((aligned(8))) h = {};
	struct xv_wire w;
	__u32 vf, zero = 0;
	int runt;

	if (rep_vf_of(skb->ingress_ifindex, &vf, &cfg))
		return TC_ACT_SHOT; /* not one of our ports */
	runt = bpf_skb_load_bytes(skb, 0, &h.eth, sizeof(h.eth)) != 0;
	skb_wire(skb, &w);
	switch (rep_policy(vf, cfg, &h.eth, runt, skb->vlan_present, &w,
			   &fwd)) {
	case XV_REP_FLOOD:
		rep_flood(skb, vf, cfg, &w);
		return TC_ACT_SHOT;
	case XV_REP_HAIRPIN:
		return (int)vf_deliver(skb, fwd.dst_vf, fwd.dst, &w);
	case XV_REP_UPLINK:
		break;
	default:
		return TC_ACT_SHOT;
	}
	pf = bpf_map_lookup_elem(&pf_cfg, &zero);
	if (!pf || !pf->uplink_ifindex) {
		count_drop(vf, XV_DROP_REDIRECT);
		return TC_ACT_SHOT;
	}
	if (cfg->vlan && bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q),
					   port_vlan_tci(cfg))) {
		count_drop(vf, XV_DROP_MALFORMED);
		return TC_ACT_SHOT;
	}
	return bpf_redirect(pf->uplink_ifindex, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
