// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The xvdpa eswitch: turns an uplink netdev plus N veth pairs into an
 * emulated SR-IOV PF with N VFs.
 *
 *   uplink XDP     unicast (VLAN, dst MAC) -> VF representor, VLAN popped;
 *                  broadcast/multicast and unknown unicast -> host stack.
 *   uplink TC      broadcast/multicast -> every VF of that VLAN (clones),
 *                  then on to the host stack.
 *   rep TC ingress frames sent by a VF (skbs, offloads intact): link
 *                  state, VLAN, spoof check, rate limit (on wire bytes),
 *                  then local VF (hairpin) or uplink with the port VLAN
 *                  pushed; broadcast/multicast -> the other VFs of its
 *                  VLAN and the uplink (clones). What lib/eswitch.c
 *                  attaches to representors.
 *   rep XDP        the same policy on XDP frames, broadcast/multicast
 *                  passed up to rep TC (the flood half of the above).
 *
 * The policy itself (one source for both) is in eswitch_policy.h.
 */
#include "eswitch_policy.h"

/* Remove the 802.1Q tag that follows the MAC addresses. */
static __always_inline int xdp_vlan_pop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 macs[12];

	if (data + ETH_HLEN + VLAN_HLEN > data_end)
		return -1;
	__builtin_memcpy(macs, data, sizeof(macs));
	if (bpf_xdp_adjust_head(ctx, VLAN_HLEN))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(macs) > data_end)
		return -1;
	__builtin_memcpy(data, macs, sizeof(macs));
	return 0;
}

/* Insert an 802.1Q tag (vid, pcp) after the MAC addresses. */
static __always_inline int xdp_vlan_push(struct xdp_md *ctx, __u16 vid,
					 __u8 pcp)
{
	void *data, *data_end;
	struct vlan_hdr *vh;
	__be16 *proto;
	__u8 macs[12];

	if (bpf_xdp_adjust_head(ctx, -VLAN_HLEN))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + ETH_HLEN + VLAN_HLEN > data_end)
		return -1;
	__builtin_memcpy(macs, data + VLAN_HLEN, sizeof(macs));
	__builtin_memcpy(data, macs, sizeof(macs));
	proto = data + 12;
	vh = data + 14;
	/* The original ethertype already sits where encap_proto goes. */
	*proto = bpf_htons(ETH_P_8021Q);
	vh->tci = bpf_htons((__u16)(pcp & 7) << 13 | (vid & VLAN_VID_MASK));
	return 0;
}

/* XDP's view of a frame: its linear bytes, one segment. */
static __always_inline void xdp_wire(struct xdp_md *ctx, struct xv_wire *w)
{
	w->bytes = ctx->data_end - ctx->data;
	w->pkts = 1;
}

SEC("xdp")
int xv_uplink_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct xv_fdb_key key = {};
	struct xv_vf_cfg *cfg;
	struct xv_wire w;
	__u32 *vfp, vf;
	long ret;
	int why;

	if (data + ETH_HLEN > data_end)
		return XDP_PASS; /* the host stack's business */
	if (is_multicast(eth->h_dest))
		return XDP_PASS; /* flooded by xv_uplink_tc */
	if (is_vlan_proto(eth->h_proto)) {
		struct vlan_hdr *vh = data + ETH_HLEN;

		if ((void *)(vh + 1) > data_end)
			return XDP_PASS;
		key.vlan = bpf_ntohs(vh->tci) & VLAN_VID_MASK;
	}
	__builtin_memcpy(key.mac, eth->h_dest, ETH_ALEN);
	vfp = bpf_map_lookup_elem(&fdb, &key);
	if (!vfp)
		return XDP_PASS; /* unknown unicast: host stack */
	vf = *vfp;
	cfg = bpf_map_lookup_elem(&vf_cfg, &vf);
	why = vf_rx_refused(cfg);
	if (why >= 0) {
		count_drop(vf, why);
		return XDP_DROP;
	}
	if (key.vlan && xdp_vlan_pop(ctx)) {
		count_drop(vf, XV_DROP_MALFORMED);
		return XDP_DROP;
	}
	ret = bpf_redirect_map(&rep_ports, vf, 0);
	if (ret != XDP_REDIRECT) {
		count_drop(vf, XV_DROP_REDIRECT);
		return XDP_DROP;
	}
	xdp_wire(ctx, &w);
	count_rx(vf, &w, 0);
	return XDP_REDIRECT;
}

SEC("xdp")
int xv_rep_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct xv_rep_fwd fwd = {};
	struct xv_vf_cfg *cfg;
	struct xv_wire w;
	__u32 vf;

	if (rep_vf_of(ctx->ingress_ifindex, &vf, &cfg))
		return XDP_DROP; /* not one of our ports */
	if ((void *)(eth + 1) > data_end)
		eth = NULL;
	xdp_wire(ctx, &w);
	switch (rep_policy(vf, cfg, eth, 0, 0, &w, &fwd)) {
	case XV_REP_FLOOD:
		return XDP_PASS; /* flooded by xv_rep_tc */
	case XV_REP_HAIRPIN:
		if (bpf_redirect_map(&rep_ports, fwd.dst_vf, 0) !=
		    XDP_REDIRECT) {
			count_drop(fwd.dst_vf, XV_DROP_REDIRECT);
			return XDP_DROP;
		}
		count_rx(fwd.dst_vf, &w, 0);
		return XDP_REDIRECT;
	case XV_REP_UPLINK:
		break;
	default:
		return XDP_DROP;
	}
	if (cfg->vlan && xdp_vlan_push(ctx, cfg->vlan, cfg->qos)) {
		count_drop(vf, XV_DROP_MALFORMED);
		return XDP_DROP;
	}
	if (bpf_redirect_map(&uplink_port, 0, 0) != XDP_REDIRECT) {
		count_drop(vf, XV_DROP_REDIRECT);
		return XDP_DROP;
	}
	return XDP_REDIRECT;
}

/* ---- TC ---- */

static __always_inline int skb_dst_is_multicast(struct __sk_buff *skb)
{
	__u8 dst0;

	if (bpf_skb_load_bytes(skb, 0, &dst0, 1))
		return 0;
	return dst0 & 1;
}

SEC("tc")
int xv_uplink_tc(struct __sk_buff *skb)
{
	struct xv_wire w;
	__u16 vlan = 0;
	__u16 tci = 0;

	if (!skb_dst_is_multicast(skb))
		return TC_ACT_OK;
	if (skb->vlan_present) {
		tci = skb->vlan_tci;
		vlan = tci & VLAN_VID_MASK;
		if (bpf_skb_vlan_pop(skb))
			return TC_ACT_OK;
	}
	skb_wire(skb, &w);
	flood_to_vfs(skb, vlan, XV_MAX_VFS, &w);
	if (vlan)
		bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), tci);
	return TC_ACT_OK; /* the host gets its copy too */
}

/* Broadcast/multicast that xv_rep_xdp passed up (checked, counted). */
SEC("tc")
int xv_rep_tc(struct __sk_buff *skb)
{
	struct xv_vf_cfg *cfg;
	struct xv_wire w;
	__u32 vf;

	if (rep_vf_of(skb->ingress_ifindex, &vf, &cfg) ||
	    !skb_dst_is_multicast(skb))
		return TC_ACT_SHOT;
	skb_wire(skb, &w);
	rep_flood(skb, vf, cfg, &w);
	return TC_ACT_SHOT; /* representors have no stack of their own */
}

/*
 * Every frame a VF sends, as the skb its device end made: GSO and
 * checksum offload state intact, so a pod keeps TSO. The same policy as
 * xv_rep_xdp; unicast is redirected (egress) to the uplink or to the
 * destination's representor, whose transmit segments and checksums
 * what that port cannot take (a device end bound by AF_XDP).
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
		if (!fwd.dst->rep_ifindex) {
			count_drop(fwd.dst_vf, XV_DROP_REDIRECT);
			return TC_ACT_SHOT;
		}
		count_rx(fwd.dst_vf, &w, 0);
		return bpf_redirect(fwd.dst->rep_ifindex, 0);
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
