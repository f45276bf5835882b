// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The xvdpa eswitch: turns an uplink netdev plus N veth pairs into an
 * emulated SR-IOV PF with N VFs.
 *
 *   uplink XDP     unicast (VLAN, dst MAC) -> VF representor, VLAN popped;
 *                  broadcast/multicast and unknown unicast -> host stack.
 *   uplink TC      broadcast/multicast -> every VF of that VLAN (clones),
 *                  then on to the host stack.
 *   rep XDP        frames sent by a VF: link state, VLAN, spoof check,
 *                  rate limit, then local VF (hairpin) or uplink with the
 *                  port VLAN pushed; broadcast/multicast -> rep TC.
 *   rep TC         broadcast/multicast from a VF -> the other VFs of its
 *                  VLAN and the uplink.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "eswitch_maps.h"

#define VLAN_HLEN 4
#define VLAN_VID_MASK 0x0fff
#define NSEC_PER_SEC 1000000000ULL
/* Bucket depth: 10 ms of the configured rate, at least this many bytes. */
#define XV_TB_MIN_BURST (32 * 1024)

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xv_pf_cfg);
} pf_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XV_MAX_VFS);
	__type(key, __u32);
	__type(value, struct xv_vf_cfg);
} vf_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XV_FDB_SIZE);
	__type(key, struct xv_fdb_key);
	__type(value, __u32);
} fdb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XV_MAX_VFS);
	__type(key, __u32); /* representor ifindex */
	__type(value, __u32); /* VF index */
} rep_index SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XV_MAX_VFS);
	__type(key, __u32);
	__type(value, struct xv_vf_stats);
} vf_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XV_MAX_VFS);
	__type(key, __u32);
	__type(value, struct xv_tbucket);
} tbucket SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, XV_MAX_VFS);
	__type(key, __u32);
	__type(value, __u32);
} rep_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} uplink_port SEC(".maps");

static __always_inline struct xv_vf_stats *vf_stats_of(__u32 vf)
{
	return bpf_map_lookup_elem(&vf_stats, &vf);
}

static __always_inline void count_drop(__u32 vf, enum xv_drop_reason why)
{
	struct xv_vf_stats *st = vf_stats_of(vf);

	if (st && why < XV_DROP_MAX)
		st->drops[why]++;
}

static __always_inline void count_rx(__u32 vf, __u64 bytes, int flood)
{
	struct xv_vf_stats *st = vf_stats_of(vf);

	if (!st)
		return;
	st->rx_packets++;
	st->rx_bytes += bytes;
	if (flood)
		st->rx_flood++;
}

static __always_inline void count_tx(__u32 vf, __u64 bytes, int flood)
{
	struct xv_vf_stats *st = vf_stats_of(vf);

	if (!st)
		return;
	st->tx_packets++;
	st->tx_bytes += bytes;
	if (flood)
		st->tx_flood++;
}

static __always_inline int is_multicast(const __u8 *mac)
{
	return mac[0] & 1;
}

static __always_inline int mac_equal(const __u8 *a, const __u8 *b)
{
	return *(const __u32 *)a == *(const __u32 *)b &&
	       *(const __u16 *)(a + 4) == *(const __u16 *)(b + 4);
}

/* Is the VF's link up, as its consumer would see it? */
static __always_inline int vf_link_up(const struct xv_vf_cfg *cfg)
{
	__u32 zero = 0;
	struct xv_pf_cfg *pf;

	if (cfg->link_state == XV_LINK_ENABLE)
		return 1;
	if (cfg->link_state == XV_LINK_DISABLE)
		return 0;
	pf = bpf_map_lookup_elem(&pf_cfg, &zero);
	return pf && pf->uplink_up;
}

static __always_inline int is_vlan_proto(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) ||
	       proto == bpf_htons(ETH_P_8021AD);
}

/* Token bucket: 1 if @bytes may pass at the VF's max_tx_rate. */
static __always_inline int rate_allows(__u32 vf, __u32 rate_mbps, __u64 bytes)
{
	struct xv_tbucket *tb = bpf_map_lookup_elem(&tbucket, &vf);
	__u64 now = bpf_ktime_get_ns();
	__u64 burst, elapsed, fill;
	int ok = 0;

	if (!rate_mbps)
		return 1;
	if (!tb)
		return 0;
	/* rate_mbps Mbit/s = rate_mbps * 125000 bytes/s; 10 ms of it: */
	burst = (__u64)rate_mbps * 1250;
	if (burst < XV_TB_MIN_BURST)
		burst = XV_TB_MIN_BURST;
	bpf_spin_lock(&tb->lock);
	elapsed = now - tb->last_ns;
	if (now < tb->last_ns) {
		tb->last_ns = now; /* a stamp from the future earns nothing */
	} else if (elapsed > NSEC_PER_SEC) {
		tb->tokens = burst; /* idle for long: a full bucket */
		tb->last_ns = now;
	} else {
		/* bytes per ns = Mbit/s / 8000; time not yet worth a whole
		 * byte stays on the clock for the next frame. */
		fill = elapsed * rate_mbps / 8000;
		tb->tokens += fill;
		tb->last_ns += fill * 8000 / rate_mbps;
	}
	if (tb->tokens > burst)
		tb->tokens = burst;
	if (tb->tokens >= bytes) {
		tb->tokens -= bytes;
		ok = 1;
	}
	bpf_spin_unlock(&tb->lock);
	return ok;
}

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

SEC("xdp")
int xv_uplink_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct xv_fdb_key key = {};
	struct xv_vf_cfg *cfg;
	__u32 *vfp, vf;
	long ret;

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
	if (!cfg || !cfg->active) {
		count_drop(vf, XV_DROP_INACTIVE);
		return XDP_DROP;
	}
	if (!vf_link_up(cfg)) {
		count_drop(vf, XV_DROP_LINK_DOWN);
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
	count_rx(vf, ctx->data_end - ctx->data, 0);
	return XDP_REDIRECT;
}

/* Checks every frame a VF sends must pass; returns a drop reason or -1. */
static __always_inline int rep_ingress_check(struct xdp_md *ctx, __u32 vf,
					     const struct xv_vf_cfg *cfg)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if (!cfg->active)
		return XV_DROP_INACTIVE;
	if (!vf_link_up(cfg))
		return XV_DROP_LINK_DOWN;
	if (data + ETH_HLEN > data_end)
		return XV_DROP_MALFORMED;
	/* VLANs are port VLANs (VST): a VF never sends its own tags. */
	if (is_vlan_proto(eth->h_proto))
		return XV_DROP_VLAN;
	if (cfg->spoofchk && !cfg->trust && !mac_equal(eth->h_source, cfg->mac))
		return XV_DROP_SPOOF;
	if (!rate_allows(vf, cfg->max_tx_rate, data_end - data))
		return XV_DROP_RATE;
	return -1;
}

static __always_inline int rep_hairpin(struct xdp_md *ctx, __u32 vf,
				       __u32 dst_vf)
{
	struct xv_vf_cfg *dst = bpf_map_lookup_elem(&vf_cfg, &dst_vf);
	__u64 bytes = ctx->data_end - ctx->data;

	if (dst_vf == vf) {
		count_drop(vf, XV_DROP_LOOP); /* never loop a frame back */
		return XDP_DROP;
	}
	if (!dst || !dst->active) {
		count_drop(dst_vf, XV_DROP_INACTIVE);
		return XDP_DROP;
	}
	if (!vf_link_up(dst)) {
		count_drop(dst_vf, XV_DROP_LINK_DOWN);
		return XDP_DROP;
	}
	if (bpf_redirect_map(&rep_ports, dst_vf, 0) != XDP_REDIRECT) {
		count_drop(dst_vf, XV_DROP_REDIRECT);
		return XDP_DROP;
	}
	count_rx(dst_vf, bytes, 0);
	return XDP_REDIRECT;
}

SEC("xdp")
int xv_rep_xdp(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex;
	struct xv_fdb_key key = {};
	struct xv_vf_cfg *cfg;
	__u32 *vfp, vf, *dst_vf;
	struct ethhdr *eth;
	int why;

	vfp = bpf_map_lookup_elem(&rep_index, &ifindex);
	if (!vfp)
		return XDP_DROP; /* not one of our ports */
	vf = *vfp;
	cfg = bpf_map_lookup_elem(&vf_cfg, &vf);
	if (!cfg)
		return XDP_DROP;
	why = rep_ingress_check(ctx, vf, cfg);
	if (why >= 0) {
		count_drop(vf, why);
		return XDP_DROP;
	}
	eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	if (is_multicast(eth->h_dest)) {
		count_tx(vf, ctx->data_end - ctx->data, 1);
		return XDP_PASS; /* flooded by xv_rep_tc */
	}
	count_tx(vf, ctx->data_end - ctx->data, 0);
	key.vlan = cfg->vlan;
	__builtin_memcpy(key.mac, eth->h_dest, ETH_ALEN);
	dst_vf = bpf_map_lookup_elem(&fdb, &key);
	if (dst_vf)
		return rep_hairpin(ctx, vf, *dst_vf);
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

/* ---- flooding (TC): broadcast and multicast are rare, clones are fine ---- */

static __always_inline int skb_dst_is_multicast(struct __sk_buff *skb)
{
	__u8 dst0;

	if (bpf_skb_load_bytes(skb, 0, &dst0, 1))
		return 0;
	return dst0 & 1;
}

/* Clone @skb to every active, linked-up VF on @vlan except @skip. */
static __always_inline void flood_to_vfs(struct __sk_buff *skb, __u16 vlan,
					 __u32 skip)
{
	__u32 i;

	for (i = 0; i < XV_MAX_VFS; i++) {
		__u32 key = i; /* keeps i in a register for the verifier */
		struct xv_vf_cfg *cfg = bpf_map_lookup_elem(&vf_cfg, &key);

		if (!cfg || !cfg->active || cfg->vlan != vlan || i == skip)
			continue;
		if (!vf_link_up(cfg)) {
			count_drop(i, XV_DROP_LINK_DOWN);
			continue;
		}
		if (bpf_clone_redirect(skb, cfg->rep_ifindex, 0)) {
			count_drop(i, XV_DROP_REDIRECT);
			continue;
		}
		count_rx(i, skb->len, 1);
	}
}

SEC("tc")
int xv_uplink_tc(struct __sk_buff *skb)
{
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
	flood_to_vfs(skb, vlan, XV_MAX_VFS);
	if (vlan)
		bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), tci);
	return TC_ACT_OK; /* the host gets its copy too */
}

SEC("tc")
int xv_rep_tc(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ingress_ifindex;
	struct xv_vf_cfg *cfg;
	struct xv_pf_cfg *pf;
	__u32 *vfp, vf, zero = 0;
	__u16 tci;

	/* Only frames xv_rep_xdp passed up (checked, counted) get here. */
	vfp = bpf_map_lookup_elem(&rep_index, &ifindex);
	if (!vfp || !skb_dst_is_multicast(skb))
		return TC_ACT_SHOT;
	vf = *vfp;
	cfg = bpf_map_lookup_elem(&vf_cfg, &vf);
	pf = bpf_map_lookup_elem(&pf_cfg, &zero);
	if (!cfg || !pf)
		return TC_ACT_SHOT;
	flood_to_vfs(skb, cfg->vlan, vf);
	if (cfg->vlan) {
		tci = (__u16)(cfg->qos & 7) << 13 | cfg->vlan;
		if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), tci)) {
			count_drop(vf, XV_DROP_MALFORMED);
			return TC_ACT_SHOT;
		}
	}
	if (bpf_clone_redirect(skb, pf->uplink_ifindex, 0))
		count_drop(vf, XV_DROP_REDIRECT);
	return TC_ACT_SHOT; /* representors have no stack of their own */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
