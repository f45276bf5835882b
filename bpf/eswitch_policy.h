/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The eswitch's policy, one source for every program that switches a
 * frame: the maps, the per-VF counters, link state, spoof check, VLAN
 * rules, the max_tx_rate token bucket, hairpin checks and flooding.
 *
 * Every program that switches is a TC (skb) program, so a frame keeps
 * its GSO and checksum-offload state through the switch; where its
 * bytes come from (the uplink, a representor) is the glue in
 * eswitch.bpf.c, every decision is here. A frame's size is what it takes
 * on the wire (struct xv_wire): a GSO super-packet counts as the segments
 * it becomes.
 */
#ifndef XVDPA_ESWITCH_POLICY_H
#define XVDPA_ESWITCH_POLICY_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
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

/* What a frame is on the wire: its segments and their bytes. */
struct xv_wire {
	__u64 bytes;
	__u32 pkts;
};

/* ---- maps (the layout user space sees is in eswitch_maps.h) ---- */

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

/* ---- counters ---- */

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

static __always_inline void count_rx(__u32 vf, const struct xv_wire *w,
				     int flood)
{
	struct xv_vf_stats *st = vf_stats_of(vf);

	if (!st)
		return;
	st->rx_packets += w->pkts;
	st->rx_bytes += w->bytes;
	if (flood)
		st->rx_flood += w->pkts;
}

static __always_inline void count_tx(__u32 vf, const struct xv_wire *w,
				     int flood)
{
	struct xv_vf_stats *st = vf_stats_of(vf);

	if (!st)
		return;
	st->tx_packets += w->pkts;
	st->tx_bytes += w->bytes;
	if (flood)
		st->tx_flood += w->pkts;
}

/* ---- frames ---- */

static __always_inline int is_multicast(const __u8 *mac)
{
	return mac[0] & 1;
}

static __always_inline int mac_equal(const __u8 *a, const __u8 *b)
{
	return *(const __u32 *)a == *(const __u32 *)b &&
	       *(const __u16 *)(a + 4) == *(const __u16 *)(b + 4);
}

static __always_inline int is_vlan_proto(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) ||
	       proto == bpf_htons(ETH_P_8021AD);
}

static __always_inline __u16 port_vlan_tci(const struct xv_vf_cfg *cfg)
{
	return (__u16)(cfg->qos & 7) << 13 | (cfg->vlan & VLAN_VID_MASK);
}

/* ---- link state ---- */

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

/* Why VF @cfg (NULL: none) cannot take a frame now: a drop reason, or -1. */
static __always_inline int vf_rx_refused(const struct xv_vf_cfg *cfg)
{
	if (!cfg || !cfg->active)
		return XV_DROP_INACTIVE;
	if (!vf_link_up(cfg))
		return XV_DROP_LINK_DOWN;
	return -1;
}

/* ---- max_tx_rate ---- */

/*
 * Token bucket: 1 if @bytes may pass at the VF's max_tx_rate. A frame
 * passes when the bucket holds its bytes; a super-packet larger than the
 * whole bucket passes when the bucket is full, and leaves it in debt
 * (tokens below zero, as a signed count) until the rate has paid for it.
 */
static __always_inline int rate_allows(__u32 vf, __u32 rate_mbps, __u64 bytes)
{
	struct xv_tbucket *tb = bpf_map_lookup_elem(&tbucket, &vf);
	__u64 now = bpf_ktime_get_ns();
	__u64 burst, elapsed, fill;
	__s64 tokens, need;
	int ok = 0;

	if (!rate_mbps)
		return 1;
	if (!tb)
		return 0;
	/* rate_mbps Mbit/s = rate_mbps * 125000 bytes/s; 10 ms of it: */
	burst = (__u64)rate_mbps * 1250;
	if (burst < XV_TB_MIN_BURST)
		burst = XV_TB_MIN_BURST;
	need = bytes < burst ? (__s64)bytes : (__s64)burst;
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
	tokens = (__s64)tb->tokens;
	if (tokens > (__s64)burst)
		tokens = (__s64)burst;
	if (tokens >= need) {
		tokens -= (__s64)bytes;
		ok = 1;
	}
	tb->tokens = (__u64)tokens;
	bpf_spin_unlock(&tb->lock);
	return ok;
}

/* ---- a VF's frames entering the switch ---- */

/* The VF behind representor @ifindex; 0, or -1 when it is not a port. */
static __always_inline int rep_vf_of(__u32 ifindex, __u32 *vf,
				     struct xv_vf_cfg **cfg)
{
	__u32 *vfp = bpf_map_lookup_elem(&rep_index, &ifindex);

	if (!vfp)
		return -1;
	*vf = *vfp;
	*cfg = bpf_map_lookup_elem(&vf_cfg, vf);
	return *cfg ? 0 : -1;
}

/*
 * Checks every frame a VF sends must pass; returns a drop reason or -1.
 * @eth is NULL, or @runt set, for a frame shorter than an Ethernet
 * header; @tagged says a VLAN tag travels outside the frame (an skb's
 * accelerated tag).
 */
static __always_inline int rep_ingress_check(__u32 vf,
					     const struct xv_vf_cfg *cfg,
					     const struct ethhdr *eth, int runt,
					     int tagged,
					     const struct xv_wire *w)
{
	if (!cfg->active)
		return XV_DROP_INACTIVE;
	if (!vf_link_up(cfg))
		return XV_DROP_LINK_DOWN;
	if (runt || !eth)
		return XV_DROP_MALFORMED;
	/* VLANs are port VLANs (VST): a VF never sends its own tags. */
	if (tagged || is_vlan_proto(eth->h_proto))
		return XV_DROP_VLAN;
	if (cfg->spoofchk && !cfg->trust && !mac_equal(eth->h_source, cfg->mac))
		return XV_DROP_SPOOF;
	if (!rate_allows(vf, cfg->max_tx_rate, w->bytes))
		return XV_DROP_RATE;
	return -1;
}

enum xv_rep_verdict {
	XV_REP_DROP, /* dropped and counted */
	XV_REP_FLOOD, /* broadcast/multicast: to the VLAN's VFs and uplink */
	XV_REP_HAIRPIN, /* unicast to another VF: .dst_vf, .dst */
	XV_REP_UPLINK, /* unicast out of the uplink, port VLAN pushed */
};

struct xv_rep_fwd {
	__u32 dst_vf;
	struct xv_vf_cfg *dst;
};

/*
 * Where a frame from VF @vf goes, every policy applied and the VF's
 * transmit (or drop) counted. For a hairpin, the destination's receive
 * counter is vf_deliver's.
 */
static __always_inline enum xv_rep_verdict
rep_policy(__u32 vf, const struct xv_vf_cfg *cfg, const struct ethhdr *eth,
	   int runt, int tagged, const struct xv_wire *w,
	   struct xv_rep_fwd *fwd)
{
	struct xv_fdb_key key = {};
	__u32 *dst_vf;
	int why;

	why = rep_ingress_check(vf, cfg, eth, runt, tagged, w);
	if (why >= 0) {
		count_drop(vf, why);
		return XV_REP_DROP;
	}
	if (is_multicast(eth->h_dest)) {
		count_tx(vf, w, 1);
		return XV_REP_FLOOD;
	}
	count_tx(vf, w, 0);
	key.vlan = cfg->vlan;
	__builtin_memcpy(key.mac, eth->h_dest, ETH_ALEN);
	dst_vf = bpf_map_lookup_elem(&fdb, &key);
	if (!dst_vf)
		return XV_REP_UPLINK;
	fwd->dst_vf = *dst_vf;
	if (fwd->dst_vf == vf) {
		count_drop(vf, XV_DROP_LOOP); /* never loop a frame back */
		return XV_REP_DROP;
	}
	fwd->dst = bpf_map_lookup_elem(&vf_cfg, &fwd->dst_vf);
	why = vf_rx_refused(fwd->dst);
	if (why >= 0 || !fwd->dst) {
		count_drop(fwd->dst_vf, why);
		return XV_REP_DROP;
	}
	return XV_REP_HAIRPIN;
}

/* ---- sizes of skbs on the wire ---- */

/* L2 to L4 header length of the segments of a GSO skb; 0 if unknown. */
static __always_inline __u32 skb_gso_hdr_len(struct __sk_buff *skb)
{
	__u32 off = ETH_HLEN, l4;
	__u8 ip[40], th[14];
	__be16 proto;

	if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)))
		return 0;
	if (proto == bpf_htons(ETH_P_IP)) {
		if (bpf_skb_load_bytes(skb, off, ip, 20))
			return 0;
		l4 = ip[9];
		off += (ip[0] & 0x0f) * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		if (bpf_skb_load_bytes(skb, off, ip, 40))
			return 0;
		l4 = ip[6]; /* extension headers: counted as payload */
		off += 40;
	} else {
		return 0;
	}
	if (l4 == IPPROTO_UDP)
		return off + 8;
	if (l4 != IPPROTO_TCP || bpf_skb_load_bytes(skb, off, th, sizeof(th)))
		return off;
	return off + (th[12] >> 4) * 4;
}

/*
 * @skb on the wire: its length, or for a GSO super-packet the segments
 * it becomes (gso_segs, or its payload over gso_size when not set), each
 * with its own copy of the headers.
 */
static __always_inline void skb_wire(struct __sk_buff *skb, struct xv_wire *w)
{
	__u32 segs = skb->gso_segs, mss = skb->gso_size, hdr;

	w->bytes = skb->len;
	w->pkts = 1;
	if (!mss)
		return;
	hdr = skb_gso_hdr_len(skb);
	if (!hdr || hdr >= skb->len)
		return;
	if (!segs)
		segs = (skb->len - hdr + mss - 1) / mss;
	if (segs < 2)
		return;
	w->pkts = segs;
	w->bytes += (__u64)(segs - 1) * hdr;
}

/* ---- delivery ---- */

/*
 * Hands @skb to VF @vf, which can take it (vf_rx_refused said so), and
 * counts it. A pod's kernel stack gets it in its own namespace, as a veth
 * peer would (offloads intact, no queue between); any other consumer
 * gets it out of the representor, whose transmit segments and checksums
 * what an XDP program cannot take. enum xv_vf_consumer says which.
 */
static __always_inline long vf_deliver(struct __sk_buff *skb, __u32 vf,
				       const struct xv_vf_cfg *cfg,
				       const struct xv_wire *w)
{
	if (!cfg->rep_ifindex) {
		count_drop(vf, XV_DROP_REDIRECT);
		return TC_ACT_SHOT;
	}
	count_rx(vf, w, 0);
	if (cfg->consumer == XV_VF_CONSUMER_NETDEV)
		return bpf_redirect_peer(cfg->rep_ifindex, 0);
	return bpf_redirect(cfg->rep_ifindex, 0);
}

/* ---- flooding (TC): broadcast and multicast are rare, clones are fine ---- */

/* Clone @skb to every active, linked-up VF on @vlan except @skip. */
static __always_inline void flood_to_vfs(struct __sk_buff *skb, __u16 vlan,
					 __u32 skip, const struct xv_wire *w)
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
		count_rx(i, w, 1);
	}
}

/*
 * Broadcast/multicast that VF @vf sent (checked and counted): to the
 * other VFs of its VLAN, and out of the uplink with the port VLAN pushed.
 * @skb is left tagged: the caller drops it.
 */
static __always_inline void rep_flood(struct __sk_buff *skb, __u32 vf,
				      const struct xv_vf_cfg *cfg,
				      const struct xv_wire *w)
{
	struct xv_pf_cfg *pf;
	__u32 zero = 0;

	pf = bpf_map_lookup_elem(&pf_cfg, &zero);
	if (!pf)
		return;
	flood_to_vfs(skb, cfg->vlan, vf, w);
	if (cfg->vlan && bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q),
					   port_vlan_tci(cfg))) {
		count_drop(vf, XV_DROP_MALFORMED);
		return;
	}
	if (bpf_clone_redirect(skb, pf->uplink_ifindex, 0))
		count_drop(vf, XV_DROP_REDIRECT);
}

#endif /* XVDPA_ESWITCH_POLICY_H */
