// SPDX-License-Identifier: GPL-2.0-only
/*
 * Selftests of the eswitch programs (bpf/eswitch.bpf.c: xv_uplink_tc and
 * xv_rep_tc_ingress, the policy of bpf/eswitch_policy.h) and of the AF_XDP
 * redirect program (bpf/xsk_redirect.bpf.c), run through BPF_PROG_TEST_RUN.
 *
 * Every test loads a fresh, unpinned skeleton and fills its maps directly.
 * Every port (uplink, representors) is the loopback device: a TC test run
 * returns TC_ACT_REDIRECT (bpf_redirect, bpf_redirect_peer) without
 * transmitting, and the clones of a flood (bpf_clone_redirect), which are
 * sent, are looped back to a stack that has no handler for their ethertype.
 *
 * What a TC test run cannot show a program: a frame shorter than an
 * Ethernet header (nor an IPv4/IPv6 ethertype without its header), and a
 * VLAN tag outside the frame (an skb's accelerated tag), in or out. A tag a
 * program pushes is the skb's, so the bytes the test run gives back are the
 * frame without it; tagged frames arriving carry their tag in the frame,
 * which the programs take as well.
 */
#include <errno.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_xdp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cmocka.h>

#include "eswitch_maps.h"
#include "eswitch.skel.h"
#include "xsk_redirect.skel.h"

#define FRAME_MAX 2048
#define TB_MIN_BURST (32 * 1024) /* XV_TB_MIN_BURST of eswitch.bpf.c */
#define NONEXISTENT_IFINDEX 999999
#define VF_OUT_OF_RANGE 100 /* >= XV_MAX_VFS */

struct fx {
	struct eswitch *skel;
	__u32 lo;
	int ncpu;
};

struct frame {
	__u8 b[FRAME_MAX];
	__u32 len;
};

struct run {
	__u32 retval;
	__u32 len; /* of data_out */
	__u32 duration;
	__u8 data[4096];
};

static const __u8 mac_bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const __u8 mac_mcast4[ETH_ALEN] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
static const __u8 mac_mcast6[ETH_ALEN] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
/* Hosts behind the uplink. */
static const __u8 mac_ext[ETH_ALEN] = { 0x02, 0xee, 0x00, 0x00, 0x00, 0x01 };
static const __u8 mac_ext2[ETH_ALEN] = { 0x02, 0xee, 0x00, 0x00, 0x00, 0x02 };

static const char *const drop_names[XV_DROP_MAX] = XV_DROP_NAMES;

/* ---- maps ---- */

static void map_put_sz(struct bpf_map *map, const void *key, size_t ksz,
		       const void *val, size_t vsz)
{
	assert_int_equal(bpf_map__update_elem(map, key, ksz, val, vsz, BPF_ANY),
			 0);
}

#define map_put(map, key, val) \
	map_put_sz((map), &(key), sizeof(key), &(val), sizeof(val))

static void set_pf(struct fx *f, __u32 uplink_ifindex, __u8 uplink_up)
{
	struct xv_pf_cfg pf = {
		.uplink_ifindex = uplink_ifindex,
		.num_vfs = 8,
		.uplink_up = uplink_up,
	};
	__u32 zero = 0;

	map_put(f->skel->maps.pf_cfg, zero, pf);
}

static void vf_mac(__u32 vf, __u8 *mac)
{
	static const __u8 base[ETH_ALEN] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x10
	};

	memcpy(mac, base, ETH_ALEN);
	mac[5] += vf;
}

/* An active VF, link auto, spoofchk on, no rate limit, on port VLAN @vlan,
 * its frames taken by an XDP program (the default consumer). */
static struct xv_vf_cfg vf_std(const struct fx *f, __u32 vf, __u16 vlan)
{
	struct xv_vf_cfg c;

	memset(&c, 0, sizeof(c));
	vf_mac(vf, c.mac);
	c.vlan = vlan;
	c.spoofchk = 1;
	c.link_state = XV_LINK_AUTO;
	c.active = 1;
	c.consumer = XV_VF_CONSUMER_XDP;
	c.rep_ifindex = f->lo;
	c.dev_ifindex = f->lo;
	return c;
}

static void vf_put(struct fx *f, __u32 vf, const struct xv_vf_cfg *c)
{
	map_put_sz(f->skel->maps.vf_cfg, &vf, sizeof(vf), c, sizeof(*c));
}

static void fdb_put(struct fx *f, __u16 vlan, const __u8 *mac, __u32 vf)
{
	struct xv_fdb_key key = { .vlan = vlan };

	memcpy(key.mac, mac, ETH_ALEN);
	map_put(f->skel->maps.fdb, key, vf);
}

/* What the management library does for a VF: its config, its FDB entry. */
static void vf_add(struct fx *f, __u32 vf, const struct xv_vf_cfg *c)
{
	vf_put(f, vf, c);
	fdb_put(f, c->vlan, c->mac, vf);
}

static struct xv_vf_cfg vf_add_std(struct fx *f, __u32 vf, __u16 vlan)
{
	struct xv_vf_cfg c = vf_std(f, vf, vlan);

	vf_add(f, vf, &c);
	return c;
}

/* Frames "arrive" on lo: make lo the representor of @vf. */
static void rep_bind(struct fx *f, __u32 vf)
{
	map_put(f->skel->maps.rep_index, f->lo, vf);
}

static void tb_put(struct fx *f, __u32 vf, __u64 tokens, __u64 last_ns)
{
	struct xv_tbucket tb;

	memset(&tb, 0, sizeof(tb));
	tb.tokens = tokens;
	tb.last_ns = last_ns;
	map_put(f->skel->maps.tbucket, vf, tb);
}

static struct xv_tbucket tb_get(struct fx *f, __u32 vf)
{
	struct xv_tbucket tb;

	memset(&tb, 0, sizeof(tb));
	assert_int_equal(bpf_map__lookup_elem(f->skel->maps.tbucket, &vf,
					      sizeof(vf), &tb, sizeof(tb), 0),
			 0);
	return tb;
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* ---- counters ---- */

static void stats_get(const struct fx *f, __u32 vf, struct xv_vf_stats *sum)
{
	struct xv_vf_stats *pc = calloc(f->ncpu, sizeof(*pc));
	size_t n = sizeof(*sum) / sizeof(__u64);
	__u64 *s = (__u64 *)sum;
	int cpu, err;
	size_t i;

	assert_non_null(pc);
	err = bpf_map__lookup_elem(f->skel->maps.vf_stats, &vf, sizeof(vf), pc,
				   f->ncpu * sizeof(*pc), 0);
	memset(sum, 0, sizeof(*sum));
	for (cpu = 0; !err && cpu < f->ncpu; cpu++) {
		const __u64 *v = (const __u64 *)&pc[cpu];

		for (i = 0; i < n; i++)
			s[i] += v[i];
	}
	free(pc);
	assert_int_equal(err, 0);
}

static int stat_cmp(__u32 vf, const char *name, __u64 got, __u64 want)
{
	if (got == want)
		return 0;
	print_error("vf %u %s: got %llu, want %llu\n", vf, name,
		    (unsigned long long)got, (unsigned long long)want);
	return 1;
}

/* Every counter of @vf, summed over the CPUs, must equal @want. */
static void assert_vf_stats_at(const struct fx *f, __u32 vf,
			       const struct xv_vf_stats *want, const char *file,
			       int line)
{
	struct xv_vf_stats got;
	int bad = 0, i;

	stats_get(f, vf, &got);
	bad |= stat_cmp(vf, "rx_packets", got.rx_packets, want->rx_packets);
	bad |= stat_cmp(vf, "rx_bytes", got.rx_bytes, want->rx_bytes);
	bad |= stat_cmp(vf, "tx_packets", got.tx_packets, want->tx_packets);
	bad |= stat_cmp(vf, "tx_bytes", got.tx_bytes, want->tx_bytes);
	bad |= stat_cmp(vf, "rx_flood", got.rx_flood, want->rx_flood);
	bad |= stat_cmp(vf, "tx_flood", got.tx_flood, want->tx_flood);
	for (i = 0; i < XV_DROP_MAX; i++)
		bad |= stat_cmp(vf, drop_names[i], got.drops[i],
				want->drops[i]);
	if (bad)
		_fail(file, line);
}

#define assert_vf_stats(f, vf, ...)                                    \
	assert_vf_stats_at((f), (vf),                                  \
			   &(const struct xv_vf_stats){ __VA_ARGS__ }, \
			   __FILE__, __LINE__)

/* No counter of any VF moved. */
#define assert_no_stats(f)                             \
	do {                                           \
		__u32 vf_;                             \
		for (vf_ = 0; vf_ < XV_MAX_VFS; vf_++) \
			assert_vf_stats((f), vf_);     \
	} while (0)

/* ---- frames ---- */

static __u16 ip_csum(const __u8 *p, size_t len)
{
	__u32 sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/*
 * @len bytes: Ethernet, an 802.1Q/802.1ad tag if @tpid, ethertype @proto;
 * for ETH_P_IP an IPv4/UDP header (192.0.2.1:1234 -> 192.0.2.2:9). The
 * payload bytes depend only on their offset from the L3 header, so a frame
 * and its tagged twin carry the same L3 bytes.
 */
static void mk_frame(struct frame *fr, const __u8 *dst, const __u8 *src,
		     __u16 tpid, __u16 tci, __u16 proto, __u32 len)
{
	__u32 l3 = ETH_HLEN + (tpid ? 4 : 0), i;
	__u8 *b = fr->b;

	assert_true(len <= FRAME_MAX && len >= l3 + 28);
	memset(fr, 0, sizeof(*fr));
	memcpy(b, dst, ETH_ALEN);
	memcpy(b + ETH_ALEN, src, ETH_ALEN);
	if (tpid) {
		put16(b + 12, tpid);
		put16(b + 14, tci);
	}
	put16(b + l3 - 2, proto);
	for (i = l3; i < len; i++)
		b[i] = (__u8)((i - l3) * 7 + 3);
	if (proto == ETH_P_IP) {
		__u8 *ip = b + l3, *udp = ip + 20;

		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, len - l3);
		put16(ip + 4, 0x1234);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = 17; /* UDP */
		put16(ip + 10, 0);
		memcpy(ip + 12, (const __u8[]){ 192, 0, 2, 1 }, 4);
		memcpy(ip + 16, (const __u8[]){ 192, 0, 2, 2 }, 4);
		put16(ip + 10, ip_csum(ip, 20));
		put16(udp, 1234);
		put16(udp + 2, 9);
		put16(udp + 4, len - l3 - 20);
		put16(udp + 6, 0);
	}
	fr->len = len;
}

static void mk_ip(struct frame *fr, const __u8 *dst, const __u8 *src, __u32 len)
{
	mk_frame(fr, dst, src, 0, 0, ETH_P_IP, len);
}

static void mk_tagged(struct frame *fr, const __u8 *dst, const __u8 *src,
		      __u16 tpid, __u16 tci, __u32 len)
{
	mk_frame(fr, dst, src, tpid, tci, ETH_P_IP, len);
}

/*
 * Frames that TC programs clone to lo: an ethertype nobody handles, so the
 * looped-back copies die quietly instead of reaching the IP stack.
 */
static void mk_l2(struct frame *fr, const __u8 *dst, const __u8 *src, __u32 len)
{
	mk_frame(fr, dst, src, 0, 0, ETH_P_802_EX1, len);
}

/* An 802.1Q/802.1ad tag (@tpid, @tci) put into @fr after its MAC addresses. */
static void frame_tag(struct frame *fr, __u16 tpid, __u16 tci)
{
	assert_true(fr->len >= ETH_HLEN && fr->len + 4 <= FRAME_MAX);
	memmove(fr->b + 16, fr->b + 12, fr->len - 12);
	put16(fr->b + 12, tpid);
	put16(fr->b + 14, tci);
	fr->len += 4;
}

/*
 * @len bytes of IPv4 (or IPv6 if @v6) carrying TCP with a header of
 * @doff words (5 to 15), or UDP if @doff is 0. Returns the L2-L4 header
 * length: what every segment of the super-packet repeats.
 */
static __u32 mk_l4(struct frame *fr, const __u8 *dst, const __u8 *src, int v6,
		   __u32 doff, __u32 len)
{
	__u32 l3 = v6 ? 40 : 20, l4 = doff ? doff * 4 : 8, i;
	__u8 *ip = fr->b + ETH_HLEN, *th = ip + l3;

	assert_true(len <= FRAME_MAX && len >= ETH_HLEN + l3 + l4);
	memset(fr, 0, sizeof(*fr));
	memcpy(fr->b, dst, ETH_ALEN);
	memcpy(fr->b + ETH_ALEN, src, ETH_ALEN);
	put16(fr->b + 12, v6 ? ETH_P_IPV6 : ETH_P_IP);
	if (v6) {
		ip[0] = 0x60;
		put16(ip + 4, len - ETH_HLEN - l3);
		ip[6] = doff ? 6 : 17;
		ip[7] = 64;
		ip[23] = 1;
		ip[39] = 2;
	} else {
		ip[0] = 0x45;
		put16(ip + 2, len - ETH_HLEN);
		ip[8] = 64;
		ip[9] = doff ? 6 : 17;
		memcpy(ip + 12, (const __u8[]){ 192, 0, 2, 1 }, 4);
		memcpy(ip + 16, (const __u8[]){ 192, 0, 2, 2 }, 4);
		put16(ip + 10, ip_csum(ip, 20));
	}
	put16(th, 40000);
	put16(th + 2, 5201);
	if (doff)
		th[12] = (__u8)(doff << 4);
	else
		put16(th + 4, len - ETH_HLEN - l3);
	for (i = ETH_HLEN + l3 + l4; i < len; i++)
		fr->b[i] = (__u8)i;
	fr->len = len;
	return ETH_HLEN + l3 + l4;
}

static void assert_frame(const struct run *r, const struct frame *want)
{
	assert_int_equal(r->len, want->len);
	assert_memory_equal(r->data, want->b, want->len);
}

/* ---- test runs ---- */

/*
 * One XDP test run (of xv_xsk_redirect) of @len bytes at @data arriving on
 * @ifindex, queue @rxq.
 * Only the first @linear bytes (all if 0) are in the linear part the
 * program sees; the kernel puts the rest in a fragment.
 */
static void xdp_run_rxq(int prog_fd, __u32 ifindex, __u32 rxq, const void *data,
			__u32 len, __u32 linear, __u32 repeat, struct run *r)
{
	struct xdp_md ctx = {
		.data = 0,
		.data_end = linear ? linear : len,
		.ingress_ifindex = ifindex,
		.rx_queue_index = rxq,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data,
		    .data_size_in = len, .data_out = r->data,
		    .data_size_out = sizeof(r->data), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);
	int err;

	memset(r, 0, sizeof(*r));
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		print_error("xdp test run: %s\n", strerror(-err));
	assert_int_equal(err, 0);
	r->retval = opts.retval;
	r->len = opts.data_size_out;
	r->duration = opts.duration;
}

static void xdp_run_raw(int prog_fd, __u32 ifindex, const void *data, __u32 len,
			__u32 linear, __u32 repeat, struct run *r)
{
	xdp_run_rxq(prog_fd, ifindex, 0, data, len, linear, repeat, r);
}

/*
 * A TC test run of @len bytes at @data arriving on @ingress_ifindex, @repeat
 * times, as an skb of a GSO super-packet: @segs segments (0: the kernel's
 * "not counted yet") of @mss payload bytes. The test run takes frames up to
 * a page, so a super-packet's segment count and size are set apart from its
 * bytes; the programs only read them. Both 0: an ordinary skb. Returns the
 * test run's error.
 */
static int tc_try_run(int prog_fd, __u32 ingress_ifindex, const void *data,
		      __u32 len, __u32 segs, __u32 mss, __u32 repeat,
		      struct run *r)
{
	struct __sk_buff ctx;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data,
		    .data_size_in = len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);
	int err;

	memset(r, 0, sizeof(*r));
	memset(&ctx, 0, sizeof(ctx));
	ctx.ingress_ifindex = ingress_ifindex;
	ctx.gso_segs = segs;
	ctx.gso_size = mss;
	opts.data_out = r->data;
	opts.data_size_out = sizeof(r->data);
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	r->retval = opts.retval;
	r->len = opts.data_size_out;
	r->duration = opts.duration;
	return err;
}

static __u32 tc_run_raw(int prog_fd, __u32 ingress_ifindex,
			const struct frame *fr, __u32 segs, __u32 mss,
			__u32 repeat, struct run *r)
{
	struct run tmp;
	int err;

	if (!r)
		r = &tmp;
	err = tc_try_run(prog_fd, ingress_ifindex, fr->b, fr->len, segs, mss,
			 repeat, r);
	if (err)
		print_error("tc test run: %s\n", strerror(-err));
	assert_int_equal(err, 0);
	return r->retval;
}

static int uplink_fd(const struct fx *f)
{
	return bpf_program__fd(f->skel->progs.xv_uplink_tc);
}

static int rep_fd(const struct fx *f)
{
	return bpf_program__fd(f->skel->progs.xv_rep_tc_ingress);
}

/* A test run of xv_uplink_tc on lo; see tc_try_run(). */
static __u32 uplink_tc_gso(const struct fx *f, const struct frame *fr,
			   __u32 segs, __u32 mss, struct run *r)
{
	return tc_run_raw(uplink_fd(f), f->lo, fr, segs, mss, 1, r);
}

static __u32 uplink_tc(const struct fx *f, const struct frame *fr,
		       struct run *r)
{
	return uplink_tc_gso(f, fr, 0, 0, r);
}

/* A test run of xv_rep_tc_ingress on lo; see tc_try_run(). */
static __u32 rep_tc_gso(const struct fx *f, const struct frame *fr, __u32 segs,
			__u32 mss, struct run *r)
{
	return tc_run_raw(rep_fd(f), f->lo, fr, segs, mss, 1, r);
}

static __u32 rep_tc(const struct fx *f, const struct frame *fr, struct run *r)
{
	return rep_tc_gso(f, fr, 0, 0, r);
}

/* The uplink is not wired yet: the PF's uplink_ifindex is 0. */
static void uplink_gone(struct fx *f)
{
	set_pf(f, 0, 1);
}

/* VF @vf's representor is not wired: its config's rep_ifindex is 0. */
static void rep_port_gone(struct fx *f, __u32 vf, struct xv_vf_cfg *c)
{
	c->rep_ifindex = 0;
	vf_put(f, vf, c);
}

/* ---- fixture ---- */

static int setup(void **state)
{
	struct xv_pf_cfg pf = { .num_vfs = 8, .uplink_up = 1 };
	struct fx *f = calloc(1, sizeof(*f));
	__u32 zero = 0;
	int err = -1;

	if (!f)
		return -1;
	f->lo = if_nametoindex("lo");
	f->ncpu = libbpf_num_possible_cpus();
	f->skel = eswitch__open_and_load();
	/* The uplink is lo, and up. */
	pf.uplink_ifindex = f->lo;
	if (f->lo && f->ncpu > 0 && f->skel)
		err = bpf_map__update_elem(f->skel->maps.pf_cfg, &zero,
					   sizeof(zero), &pf, sizeof(pf),
					   BPF_ANY);
	if (err) {
		print_error("setup: lo %u, cpus %d, skeleton %s, maps %d\n",
			    f->lo, f->ncpu, f->skel ? "loaded" : "not loaded",
			    err);
		eswitch__destroy(f->skel);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f) {
		eswitch__destroy(f->skel);
		free(f);
	}
	*state = NULL;
	return 0;
}

/* ======================= xv_uplink_tc ======================= */

/*
 * Less than an Ethernet header goes to the host stack, but a test run takes
 * no frame that short (nor an IP ethertype without its header): if it ever
 * does, the program passes it.
 */
static void uplink_runt(const struct fx *f, const struct frame *fr, __u32 len)
{
	struct run r;
	int err;

	err = tc_try_run(uplink_fd(f), f->lo, fr->b, len, 0, 0, 1, &r);
	if (err)
		assert_int_equal(err, -EINVAL);
	else
		assert_int_equal(r.retval, TC_ACT_OK);
}

/* The shortest frames, and tags cut short. */
static void test_uplink_runt_passes(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_add_std(f, 0, 0);
	struct xv_vf_cfg c2 = vf_add_std(f, 2, 100);
	struct frame fr, want;
	struct run r;

	mk_l2(&fr, c0.mac, mac_ext, 64);
	uplink_runt(f, &fr, ETH_HLEN - 1);
	uplink_runt(f, &fr, 10);
	assert_no_stats(f);

	/* Just an Ethernet header, to a known MAC: switched. */
	fr.len = ETH_HLEN;
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr);
	assert_vf_stats(f, 0, .rx_packets = 1, .rx_bytes = ETH_HLEN);

	/* Tagged, to a known (VLAN, MAC), but the TCI is cut short: read as
	 * untagged, which VF 2's MAC is not. */
	mk_l2(&fr, c2.mac, mac_ext, 64);
	frame_tag(&fr, ETH_P_8021Q, 100);
	fr.len = ETH_HLEN;
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_OK);
	assert_frame(&r, &fr);
	fr.len = ETH_HLEN + 1;
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_OK);
	assert_frame(&r, &fr);
	assert_vf_stats(f, 2);

	/* The TCI is there, the ethertype after it is not: the tag cannot
	 * be taken off, so the frame is malformed for VF 2. */
	fr.len = ETH_HLEN + 2;
	assert_int_equal(uplink_tc(f, &fr, NULL), TC_ACT_SHOT);
	fr.len = ETH_HLEN + 3;
	assert_int_equal(uplink_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 2, .drops[XV_DROP_MALFORMED] = 2);

	/* The full tag is enough to be switched: what is left is a header. */
	fr.len = ETH_HLEN + 4;
	want = fr;
	memmove(want.b + 12, want.b + 16, 2);
	want.len = ETH_HLEN;
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &want);
	assert_vf_stats(f, 2, .rx_packets = 1, .rx_bytes = ETH_HLEN,
			.drops[XV_DROP_MALFORMED] = 2);
	assert_vf_stats(f, 0, .rx_packets = 1, .rx_bytes = ETH_HLEN);
}

/*
 * Group addresses are flooded to the VFs of the frame's VLAN, even if the
 * FDB had them, and go on to the host stack. A tag taken off for the VFs
 * goes back as the skb's tag: the bytes given back are the untagged frame.
 */
static void test_uplink_multicast_floods_passes(void **state)
{
	const __u8 *dsts[] = { mac_bcast, mac_mcast4, mac_mcast6 };
	struct fx *f = *state;
	struct frame fr, want;
	struct run r;
	size_t i;

	vf_add_std(f, 0, 0);
	vf_add_std(f, 1, 100);
	vf_add_std(f, 2, 200);
	fdb_put(f, 0, mac_mcast4, 2);
	fdb_put(f, 100, mac_bcast, 2);
	for (i = 0; i < sizeof(dsts) / sizeof(dsts[0]); i++) {
		mk_l2(&fr, dsts[i], mac_ext, 64);
		assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_OK);
		assert_frame(&r, &fr);
		mk_l2(&want, dsts[i], mac_ext, 64);
		fr = want;
		frame_tag(&fr, ETH_P_8021Q, 3 << 13 | 100);
		assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_OK);
		assert_frame(&r, &want);
	}
	assert_vf_stats(f, 0, .rx_packets = 3, .rx_bytes = 3 * 64,
			.rx_flood = 3);
	assert_vf_stats(f, 1, .rx_packets = 3, .rx_bytes = 3 * 64,
			.rx_flood = 3);
	assert_vf_stats(f, 2);
}

static void test_uplink_broadcast_floods(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c;
	struct frame fr;
	struct run r;

	vf_add_std(f, 0, 0);
	vf_add_std(f, 1, 0);
	vf_add_std(f, 2, 100); /* another VLAN */
	c = vf_std(f, 3, 0);
	c.active = 0;
	vf_add(f, 3, &c);
	c = vf_std(f, 4, 0);
	c.link_state = XV_LINK_DISABLE;
	vf_add(f, 4, &c);
	c = vf_std(f, 5, 0);
	c.rep_ifindex = NONEXISTENT_IFINDEX;
	vf_add(f, 5, &c);

	mk_l2(&fr, mac_bcast, mac_ext, 60);
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_OK);
	assert_frame(&r, &fr); /* the host gets it unchanged */
	mk_l2(&fr, mac_mcast4, mac_ext, 100);
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_OK);
	assert_frame(&r, &fr);

	assert_vf_stats(f, 0, .rx_packets = 2, .rx_bytes = 160, .rx_flood = 2);
	assert_vf_stats(f, 1, .rx_packets = 2, .rx_bytes = 160, .rx_flood = 2);
	assert_vf_stats(f, 2);
	assert_vf_stats(f, 3);
	assert_vf_stats(f, 4, .drops[XV_DROP_LINK_DOWN] = 2);
	assert_vf_stats(f, 5, .drops[XV_DROP_REDIRECT] = 2);
	assert_vf_stats(f, 6);

	/* Link auto VFs follow the uplink. */
	set_pf(f, f->lo, 0);
	mk_l2(&fr, mac_bcast, mac_ext, 60);
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_OK);
	assert_vf_stats(f, 0, .rx_packets = 2, .rx_bytes = 160, .rx_flood = 2,
			.drops[XV_DROP_LINK_DOWN] = 1);
	assert_vf_stats(f, 1, .rx_packets = 2, .rx_bytes = 160, .rx_flood = 2,
			.drops[XV_DROP_LINK_DOWN] = 1);
}

static void test_uplink_unknown_unicast_passes(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c1 = vf_std(f, 1, 0);
	struct frame fr;
	struct run r;

	vf_add_std(f, 0, 0);
	mk_ip(&fr, mac_ext2, mac_ext, 98);
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_OK);
	assert_frame(&r, &fr);
	/* A configured VF whose MAC is not in the FDB is not reachable. */
	vf_put(f, 1, &c1);
	mk_ip(&fr, c1.mac, mac_ext, 98);
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_OK);
	assert_frame(&r, &fr);
	assert_no_stats(f);
}

static void test_uplink_known_untagged_redirects(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_add_std(f, 0, 0);
	struct frame fr;
	struct run r;

	vf_add_std(f, 1, 0);
	mk_ip(&fr, c0.mac, mac_ext, 98);
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr);
	assert_vf_stats(f, 0, .rx_packets = 1, .rx_bytes = 98);
	mk_ip(&fr, c0.mac, mac_ext2, 1500);
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr);
	assert_vf_stats(f, 0, .rx_packets = 2, .rx_bytes = 98 + 1500);
	assert_vf_stats(f, 1);
}

static void test_uplink_tagged_pops_vlan(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_std(f, 2, 100);
	struct frame in, want;
	struct run r;

	c.qos = 3; /* egress priority only: irrelevant toward the VF */
	vf_add(f, 2, &c);
	vf_add_std(f, 0, 0);

	mk_tagged(&in, c.mac, mac_ext, ETH_P_8021Q, 5 << 13 | 100, 102);
	mk_ip(&want, c.mac, mac_ext, 98);
	assert_int_equal(uplink_tc(f, &in, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &want);
	assert_vf_stats(f, 2, .rx_packets = 1, .rx_bytes = 98);

	/* DEI set, 802.1ad TPID: the VID still selects VLAN 100. */
	mk_tagged(&in, c.mac, mac_ext2, ETH_P_8021AD, 7 << 13 | 1 << 12 | 100,
		  200);
	mk_ip(&want, c.mac, mac_ext2, 196);
	assert_int_equal(uplink_tc(f, &in, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &want);
	assert_vf_stats(f, 2, .rx_packets = 2, .rx_bytes = 98 + 196);
	assert_vf_stats(f, 0);
}

/* VID 0 is "untagged" for the FDB: a priority tag reaches the VF as is. */
static void test_uplink_priority_tag_kept(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_add_std(f, 0, 0);
	struct frame fr;
	struct run r;

	mk_tagged(&fr, c.mac, mac_ext, ETH_P_8021Q, 3 << 13, 102);
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr);
	assert_vf_stats(f, 0, .rx_packets = 1, .rx_bytes = 102);
}

static void test_uplink_wrong_vlan_passes(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_add_std(f, 0, 0);
	struct xv_vf_cfg c2 = vf_add_std(f, 2, 100);
	struct frame fr;
	struct run r;

	/* The port-VLAN VF's MAC in another VLAN, or untagged. */
	mk_tagged(&fr, c2.mac, mac_ext, ETH_P_8021Q, 200, 102);
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_OK);
	assert_frame(&r, &fr);
	mk_ip(&fr, c2.mac, mac_ext, 98);
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_OK);
	assert_frame(&r, &fr);
	/* The untagged VF's MAC, tagged. */
	mk_tagged(&fr, c0.mac, mac_ext, ETH_P_8021Q, 100, 102);
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_OK);
	assert_frame(&r, &fr);
	assert_no_stats(f);
}

static void test_uplink_inactive_vf_drops(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_std(f, 3, 0);
	struct frame fr;

	c.active = 0;
	vf_add(f, 3, &c);
	mk_ip(&fr, c.mac, mac_ext, 98);
	assert_int_equal(uplink_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 3, .drops[XV_DROP_INACTIVE] = 1);

	/* An FDB entry naming a VF index beyond the table: dropped. */
	fdb_put(f, 0, mac_ext2, VF_OUT_OF_RANGE);
	mk_ip(&fr, mac_ext2, mac_ext, 98);
	assert_int_equal(uplink_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 3, .drops[XV_DROP_INACTIVE] = 1);
}

static void test_uplink_link_disable_drops(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_std(f, 1, 100);
	struct frame fr;

	c.link_state = XV_LINK_DISABLE;
	vf_add(f, 1, &c);
	mk_tagged(&fr, c.mac, mac_ext, ETH_P_8021Q, 100, 102);
	assert_int_equal(uplink_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 1, .drops[XV_DROP_LINK_DOWN] = 1);
}

static void test_uplink_link_auto_follows_uplink(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_add_std(f, 0, 0);
	struct frame fr;
	struct run r;

	mk_ip(&fr, c.mac, mac_ext, 98);
	set_pf(f, f->lo, 0);
	assert_int_equal(uplink_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .drops[XV_DROP_LINK_DOWN] = 1);
	set_pf(f, f->lo, 1);
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr);
	assert_vf_stats(f, 0, .rx_packets = 1, .rx_bytes = 98,
			.drops[XV_DROP_LINK_DOWN] = 1);
}

static void test_uplink_link_enable_ignores_uplink(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_std(f, 0, 0);
	struct frame fr;
	struct run r;

	c.link_state = XV_LINK_ENABLE;
	vf_add(f, 0, &c);
	set_pf(f, f->lo, 0);
	mk_ip(&fr, c.mac, mac_ext, 98);
	assert_int_equal(uplink_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr);
	assert_vf_stats(f, 0, .rx_packets = 1, .rx_bytes = 98);
}

/* A VF whose representor is not wired (rep_ifindex 0), whoever its
 * consumer is: dropped, counted as a redirect that could not be made. */
static void test_uplink_no_rep_port_drops(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_add_std(f, 0, 0);
	struct xv_vf_cfg c2 = vf_add_std(f, 2, 100);
	struct frame fr;

	rep_port_gone(f, 0, &c0);
	c2.consumer = XV_VF_CONSUMER_NETDEV;
	rep_port_gone(f, 2, &c2);
	mk_ip(&fr, c0.mac, mac_ext, 98);
	assert_int_equal(uplink_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .drops[XV_DROP_REDIRECT] = 1);
	mk_tagged(&fr, c2.mac, mac_ext, ETH_P_8021Q, 100, 102);
	assert_int_equal(uplink_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 2, .drops[XV_DROP_REDIRECT] = 1);
}

/*
 * A GSO skb from the wire counts as the segments it is: packets, and each
 * one's headers. A tag comes off first: the VF's segments are untagged.
 */
static void test_uplink_gso_counts_wire(void **state)
{
	static const struct {
		int v6;
		__u32 doff, len, segs, mss, want_segs;
		__u16 tci; /* in-frame 802.1Q tag; 0: none */
	} cases[] = {
		{ 0, 5, 2000, 10, 200, 10, 0 }, /* IPv4/TCP, 54-byte headers */
		{ 0, 8, 2000, 7, 300, 7, 0 }, /* TCP options: 66 */
		{ 1, 5, 2000, 20, 100, 20, 0 }, /* IPv6/TCP: 74 */
		{ 0, 0, 2000, 3, 700, 3, 0 }, /* IPv4/UDP (USO): 42 */
		{ 0, 5, 2000, 0, 1000, 2,
		  0 }, /* gso_segs unset: from the mss */
		{ 0, 5, 2000, 1, 4000, 1, 0 }, /* one segment: the skb itself */
		{ 0, 5, 2000, 10, 200, 10, 100 }, /* tagged: popped, then 54 */
		{ 1, 5, 2000, 0, 500, 4, 5 << 13 | 100 }, /* and from the mss */
	};
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_add_std(f, 0, 0);
	struct xv_vf_cfg c1 = vf_add_std(f, 1, 100);
	__u64 pkts[2] = { 0, 0 }, bytes[2] = { 0, 0 };
	struct frame fr, want;
	struct run r;
	__u32 hdr, vf;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vf = cases[i].tci ? 1 : 0;
		hdr = mk_l4(&want, vf ? c1.mac : c0.mac, mac_ext, cases[i].v6,
			    cases[i].doff, cases[i].len);
		fr = want;
		if (cases[i].tci)
			frame_tag(&fr, ETH_P_8021Q, cases[i].tci);
		assert_int_equal(uplink_tc_gso(f, &fr, cases[i].segs,
					       cases[i].mss, &r),
				 TC_ACT_REDIRECT);
		assert_frame(&r, &want);
		pkts[vf] += cases[i].want_segs;
		bytes[vf] +=
			cases[i].len + (__u64)(cases[i].want_segs - 1) * hdr;
		assert_vf_stats(f, 0, .rx_packets = pkts[0],
				.rx_bytes = bytes[0]);
		assert_vf_stats(f, 1, .rx_packets = pkts[1],
				.rx_bytes = bytes[1]);
	}
}

/* ================= vf_deliver: both consumers ================= */

/*
 * However a VF takes its frames (enum xv_vf_consumer), a unicast from the
 * uplink and a hairpin from another VF are redirected (bpf_redirect_peer
 * or bpf_redirect: the test run cannot tell them apart) and counted once:
 * the receive on the destination, the send on the source.
 */
static void test_deliver_consumers_count_once(void **state)
{
	static const __u8 consumers[] = {
		XV_VF_CONSUMER_XDP,
		XV_VF_CONSUMER_NETDEV,
	};
	struct fx *f = *state;
	struct frame in, want;
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(consumers) / sizeof(consumers[0]); i++) {
		__u32 a = 2 * i, b = 2 * i + 1, u = 10 + i;
		struct xv_vf_cfg ca = vf_std(f, a, 100);
		struct xv_vf_cfg cb = vf_std(f, b, 100);
		struct xv_vf_cfg cu = vf_std(f, u, 0);

		ca.consumer = consumers[i];
		cb.consumer = consumers[i];
		cu.consumer = consumers[i];
		vf_add(f, a, &ca);
		vf_add(f, b, &cb);
		vf_add(f, u, &cu);

		/* From the wire, tagged and untagged. */
		mk_tagged(&in, cb.mac, mac_ext, ETH_P_8021Q, 100, 102);
		mk_ip(&want, cb.mac, mac_ext, 98);
		assert_int_equal(uplink_tc(f, &in, &r), TC_ACT_REDIRECT);
		assert_frame(&r, &want);
		assert_vf_stats(f, b, .rx_packets = 1, .rx_bytes = 98);
		mk_ip(&in, cu.mac, mac_ext, 300);
		assert_int_equal(uplink_tc(f, &in, &r), TC_ACT_REDIRECT);
		assert_frame(&r, &in);
		assert_vf_stats(f, u, .rx_packets = 1, .rx_bytes = 300);

		/* A hairpin from a to b. */
		rep_bind(f, a);
		mk_ip(&in, cb.mac, ca.mac, 200);
		assert_int_equal(rep_tc(f, &in, &r), TC_ACT_REDIRECT);
		assert_frame(&r, &in);
		assert_vf_stats(f, a, .tx_packets = 1, .tx_bytes = 200);
		assert_vf_stats(f, b, .rx_packets = 2, .rx_bytes = 98 + 200);
		assert_vf_stats(f, u, .rx_packets = 1, .rx_bytes = 300);
	}
	/* Nothing counted twice, nor on the VFs of the other consumer. */
	for (i = 0; i < 2; i++) {
		assert_vf_stats(f, 2 * i, .tx_packets = 1, .tx_bytes = 200);
		assert_vf_stats(f, 2 * i + 1, .rx_packets = 2,
				.rx_bytes = 98 + 200);
		assert_vf_stats(f, 10 + i, .rx_packets = 1, .rx_bytes = 300);
	}
}
/* ============ xv_rep_tc_ingress: the policy of eswitch_policy.h ============ */

static void test_rep_unknown_port_drops(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_add_std(f, 0, 0);
	struct frame fr;

	mk_ip(&fr, mac_ext, c.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT); /* no rep_index */
	mk_ip(&fr, mac_bcast, c.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	mk_l2(&fr, mac_bcast, c.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	map_put(f->skel->maps.rep_index, f->lo, (__u32){ VF_OUT_OF_RANGE });
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	mk_ip(&fr, mac_bcast, c.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_no_stats(f);
}

static void test_rep_inactive_drops(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_std(f, 0, 0);
	struct frame fr;

	c.active = 0;
	vf_add(f, 0, &c);
	rep_bind(f, 0);
	mk_ip(&fr, mac_ext, c.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .drops[XV_DROP_INACTIVE] = 1);
}

static void test_rep_link_state(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_std(f, 0, 0);
	struct frame fr;
	struct run r;

	rep_bind(f, 0);
	mk_ip(&fr, mac_ext, c.mac, 98);

	c.link_state = XV_LINK_DISABLE;
	vf_add(f, 0, &c);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .drops[XV_DROP_LINK_DOWN] = 1);

	c.link_state = XV_LINK_AUTO;
	vf_put(f, 0, &c);
	set_pf(f, f->lo, 0);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .drops[XV_DROP_LINK_DOWN] = 2);

	c.link_state = XV_LINK_ENABLE;
	vf_put(f, 0, &c);
	assert_int_equal(rep_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr);
	assert_vf_stats(f, 0, .tx_packets = 1, .tx_bytes = 98,
			.drops[XV_DROP_LINK_DOWN] = 2);

	c.link_state = XV_LINK_AUTO;
	vf_put(f, 0, &c);
	set_pf(f, f->lo, 1);
	assert_int_equal(rep_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_vf_stats(f, 0, .tx_packets = 2, .tx_bytes = 2 * 98,
			.drops[XV_DROP_LINK_DOWN] = 2);
}

/* VLANs are port VLANs: a VF's tags are dropped. The test run shows the
 * program no tag outside the frame, nor (XV_DROP_MALFORMED) a frame shorter
 * than an Ethernet header; tags in the frame it does. */
static void test_rep_tagged_frame_drops_vlan(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_add_std(f, 0, 100);
	struct xv_vf_cfg c1 = vf_add_std(f, 1, 0);
	struct frame fr;

	rep_bind(f, 0);
	mk_tagged(&fr, mac_ext, c0.mac, ETH_P_8021Q, 100, 102);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	mk_tagged(&fr, mac_ext, c0.mac, ETH_P_8021AD, 200, 102);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	mk_tagged(&fr, mac_bcast, c0.mac, ETH_P_8021Q, 100, 102);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .drops[XV_DROP_VLAN] = 3);

	/* A VF without a port VLAN may not tag either (VST only). */
	rep_bind(f, 1);
	mk_tagged(&fr, mac_ext, c1.mac, ETH_P_8021Q, 100, 102);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 1, .drops[XV_DROP_VLAN] = 1);
}

static void test_rep_spoof_drops(void **state)
{
	struct fx *f = *state;
	struct frame fr;

	vf_add_std(f, 0, 0);
	rep_bind(f, 0);
	mk_ip(&fr, mac_ext2, mac_ext, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	mk_ip(&fr, mac_bcast, mac_ext, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	mk_l2(&fr, mac_bcast, mac_ext, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .drops[XV_DROP_SPOOF] = 3);
}

/* Trusted, or with spoofchk off: any source. */
static void test_rep_spoof_allowed_forwards(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_std(f, 0, 0);
	struct frame fr;
	struct run r;

	c.trust = 1;
	vf_add(f, 0, &c);
	rep_bind(f, 0);
	mk_ip(&fr, mac_ext2, mac_ext, 98);
	assert_int_equal(rep_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr);
	assert_vf_stats(f, 0, .tx_packets = 1, .tx_bytes = 98);

	c.trust = 0;
	c.spoofchk = 0;
	vf_put(f, 0, &c);
	assert_int_equal(rep_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr);
	assert_vf_stats(f, 0, .tx_packets = 2, .tx_bytes = 2 * 98);
}

static void test_rep_to_uplink_untagged(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_add_std(f, 0, 0);
	struct frame fr;
	struct run r;

	vf_add_std(f, 1, 0);
	rep_bind(f, 0);
	mk_ip(&fr, mac_ext, c.mac, 98);
	assert_int_equal(rep_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr);
	mk_ip(&fr, mac_ext2, c.mac, 1500);
	assert_int_equal(rep_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr);
	assert_vf_stats(f, 0, .tx_packets = 2, .tx_bytes = 98 + 1500);
	assert_vf_stats(f, 1);
}

/* The port VLAN is pushed as the skb's tag, outside the bytes the test run
 * gives back: the frame goes to the uplink unchanged. */
static void test_rep_to_uplink_pushes_vlan(void **state)
{
	static const struct {
		__u16 vid;
		__u8 qos;
	} cases[] = {
		{ 100, 5 },
		{ 4094, 7 },
		{ 1, 0 },
		{ 100, 0xff }, /* only 3 bits of qos */
	};
	struct fx *f = *state;
	struct frame in;
	struct run r;
	size_t i;

	rep_bind(f, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xv_vf_cfg c = vf_std(f, 0, cases[i].vid);

		c.qos = cases[i].qos;
		vf_add(f, 0, &c);
		mk_ip(&in, mac_ext, c.mac, 98);
		assert_int_equal(rep_tc(f, &in, &r), TC_ACT_REDIRECT);
		assert_frame(&r, &in);
		assert_vf_stats(f, 0, .tx_packets = i + 1,
				.tx_bytes = (i + 1) * 98);
	}
}

static void test_rep_no_uplink_drops(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_add_std(f, 0, 0);
	struct xv_vf_cfg c1 = vf_add_std(f, 1, 100);
	struct frame fr;

	uplink_gone(f);
	rep_bind(f, 0);
	mk_ip(&fr, mac_ext, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	/* Counted as sent by the VF, then lost on the way out. */
	assert_vf_stats(f, 0, .tx_packets = 1, .tx_bytes = 98,
			.drops[XV_DROP_REDIRECT] = 1);
	rep_bind(f, 1);
	mk_ip(&fr, mac_ext, c1.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 1, .tx_packets = 1, .tx_bytes = 98,
			.drops[XV_DROP_REDIRECT] = 1);
}

static void test_rep_hairpin_same_vlan(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_add_std(f, 0, 100);
	struct xv_vf_cfg c1 = vf_add_std(f, 1, 100);
	struct xv_vf_cfg c2 = vf_add_std(f, 2, 0);
	struct xv_vf_cfg c3 = vf_add_std(f, 3, 0);
	struct frame fr;
	struct run r;

	/* Hairpins never go through the uplink: take it away. */
	uplink_gone(f);

	rep_bind(f, 0);
	mk_ip(&fr, c1.mac, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr); /* no tag pushed */
	assert_vf_stats(f, 0, .tx_packets = 1, .tx_bytes = 98);
	assert_vf_stats(f, 1, .rx_packets = 1, .rx_bytes = 98);

	rep_bind(f, 1);
	mk_ip(&fr, c0.mac, c1.mac, 200);
	assert_int_equal(rep_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr);
	assert_vf_stats(f, 0, .tx_packets = 1, .tx_bytes = 98, .rx_packets = 1,
			.rx_bytes = 200);
	assert_vf_stats(f, 1, .rx_packets = 1, .rx_bytes = 98, .tx_packets = 1,
			.tx_bytes = 200);

	/* Untagged VFs hairpin among themselves. */
	rep_bind(f, 2);
	mk_ip(&fr, c3.mac, c2.mac, 64);
	assert_int_equal(rep_tc(f, &fr, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &fr);
	assert_vf_stats(f, 2, .tx_packets = 1, .tx_bytes = 64);
	assert_vf_stats(f, 3, .rx_packets = 1, .rx_bytes = 64);

	/* VF 0 (VLAN 100) to VF 3's MAC: another VLAN, so the uplink's,
	 * and there is none. */
	rep_bind(f, 0);
	mk_ip(&fr, c3.mac, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .tx_packets = 2, .tx_bytes = 2 * 98,
			.rx_packets = 1, .rx_bytes = 200,
			.drops[XV_DROP_REDIRECT] = 1);
	assert_vf_stats(f, 3, .rx_packets = 1, .rx_bytes = 64);
}

static void test_rep_other_vlan_goes_uplink(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_add_std(f, 0, 100);
	struct xv_vf_cfg c1 = vf_std(f, 1, 200);
	struct xv_vf_cfg c2 = vf_add_std(f, 2, 0);
	struct frame in;
	struct run r;

	/* VF 1 on VLAN 200 has the MAC VF 2 (untagged) has too. */
	memcpy(c1.mac, c2.mac, ETH_ALEN);
	vf_add(f, 1, &c1);

	rep_bind(f, 0);
	mk_ip(&in, c1.mac, c0.mac, 98);
	assert_int_equal(rep_tc(f, &in, &r), TC_ACT_REDIRECT);
	assert_frame(&r, &in); /* VLAN 100 pushed (the skb's): the uplink */
	assert_vf_stats(f, 0, .tx_packets = 1, .tx_bytes = 98);
	assert_vf_stats(f, 1);
	assert_vf_stats(f, 2);

	/* Without an uplink port, the same frame is dropped, not hairpinned */
	uplink_gone(f);
	assert_int_equal(rep_tc(f, &in, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .tx_packets = 2, .tx_bytes = 2 * 98,
			.drops[XV_DROP_REDIRECT] = 1);
	assert_vf_stats(f, 1);
	assert_vf_stats(f, 2);
}

static void test_rep_hairpin_dst_link_down(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_std(f, 0, 100);
	struct xv_vf_cfg c1 = vf_std(f, 1, 100);
	struct frame fr;

	c0.link_state = XV_LINK_ENABLE;
	vf_add(f, 0, &c0);
	c1.link_state = XV_LINK_DISABLE;
	vf_add(f, 1, &c1);
	rep_bind(f, 0);
	mk_ip(&fr, c1.mac, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .tx_packets = 1, .tx_bytes = 98);
	assert_vf_stats(f, 1, .drops[XV_DROP_LINK_DOWN] = 1);

	/* Link auto follows the uplink on the destination too. */
	c1.link_state = XV_LINK_AUTO;
	vf_put(f, 1, &c1);
	set_pf(f, f->lo, 0);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .tx_packets = 2, .tx_bytes = 2 * 98);
	assert_vf_stats(f, 1, .drops[XV_DROP_LINK_DOWN] = 2);
}

static void test_rep_hairpin_dst_inactive(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_add_std(f, 0, 0);
	struct xv_vf_cfg c1 = vf_std(f, 1, 0);
	struct frame fr;

	c1.active = 0;
	vf_add(f, 1, &c1);
	rep_bind(f, 0);
	mk_ip(&fr, c1.mac, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .tx_packets = 1, .tx_bytes = 98);
	assert_vf_stats(f, 1, .drops[XV_DROP_INACTIVE] = 1);

	/* An FDB entry beyond the VF table: dropped. */
	fdb_put(f, 0, mac_ext2, VF_OUT_OF_RANGE);
	mk_ip(&fr, mac_ext2, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .tx_packets = 2, .tx_bytes = 2 * 98);
	assert_vf_stats(f, 1, .drops[XV_DROP_INACTIVE] = 1);
}

/*
 * A hairpin to a VF whose representor is not wired (rep_ifindex 0), whoever
 * its consumer is: sent by the source, dropped on the destination as a
 * redirect that could not be made (vf_deliver), never received.
 */
static void test_rep_hairpin_dst_no_rep_port(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_add_std(f, 0, 0);
	struct xv_vf_cfg c1 = vf_add_std(f, 1, 0);
	struct xv_vf_cfg c2 = vf_std(f, 2, 0);
	struct frame fr;

	rep_port_gone(f, 1, &c1);
	c2.consumer = XV_VF_CONSUMER_NETDEV;
	vf_add(f, 2, &c2);
	rep_port_gone(f, 2, &c2);
	rep_bind(f, 0);
	mk_ip(&fr, c1.mac, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .tx_packets = 1, .tx_bytes = 98);
	assert_vf_stats(f, 1, .drops[XV_DROP_REDIRECT] = 1);
	mk_ip(&fr, c2.mac, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .tx_packets = 2, .tx_bytes = 2 * 98);
	assert_vf_stats(f, 1, .drops[XV_DROP_REDIRECT] = 1);
	assert_vf_stats(f, 2, .drops[XV_DROP_REDIRECT] = 1);
}

/* Every refusal of a hairpin's destination, one VF each, in one state. */
static void test_rep_hairpin_dst_refused(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_std(f, 0, 0);
	struct xv_vf_cfg c1 = vf_std(f, 1, 0);
	struct xv_vf_cfg c2 = vf_std(f, 2, 0);
	struct xv_vf_cfg c3 = vf_add_std(f, 3, 0);
	struct frame fr;

	c0.link_state = XV_LINK_ENABLE;
	vf_add(f, 0, &c0);
	c1.link_state = XV_LINK_DISABLE;
	vf_add(f, 1, &c1);
	c2.active = 0;
	vf_add(f, 2, &c2);
	rep_port_gone(f, 3, &c3);
	fdb_put(f, 0, mac_ext2, VF_OUT_OF_RANGE);
	rep_bind(f, 0);

	mk_ip(&fr, c1.mac, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	mk_ip(&fr, c2.mac, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	mk_ip(&fr, c3.mac, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	mk_ip(&fr, mac_ext2, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	mk_ip(&fr, c0.mac, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .tx_packets = 5, .tx_bytes = 5 * 98,
			.drops[XV_DROP_LOOP] = 1);
	assert_vf_stats(f, 1, .drops[XV_DROP_LINK_DOWN] = 1);
	assert_vf_stats(f, 2, .drops[XV_DROP_INACTIVE] = 1);
	assert_vf_stats(f, 3, .drops[XV_DROP_REDIRECT] = 1);

	/* Link auto follows the uplink on the destination too. */
	c1.link_state = XV_LINK_AUTO;
	vf_put(f, 1, &c1);
	set_pf(f, f->lo, 0);
	mk_ip(&fr, c1.mac, c0.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 1, .drops[XV_DROP_LINK_DOWN] = 2);
}

/*
 * A frame to the VF's own MAC is never looped back. DESIGN.md: "Nothing is
 * lost silently: every drop has a counter with a reason", so the drop must
 * show up in one of the VF's drop counters.
 */
static void test_rep_to_own_mac_drops_counted(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_add_std(f, 0, 100);
	struct xv_vf_stats st;
	__u64 drops = 0;
	struct frame fr;
	int i;

	rep_bind(f, 0);
	mk_ip(&fr, c.mac, c.mac, 98);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	stats_get(f, 0, &st);
	assert_int_equal(st.tx_packets, 1);
	assert_int_equal(st.tx_bytes, 98);
	assert_int_equal(st.rx_packets, 0);
	assert_int_equal(st.rx_bytes, 0);
	for (i = 0; i < XV_DROP_MAX; i++)
		drops += st.drops[i];
	if (drops != 1)
		print_error("frame to own MAC dropped with no drop counter\n");
	assert_int_equal(drops, 1);
}

static void test_rep_rate_limit_burst(void **state)
{
	enum { N = 40, LEN = 1500, FIRST = TB_MIN_BURST / LEN };
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_std(f, 0, 0);
	__u32 verdict[N], passed = 0, dropped = 0, i;
	__u64 t0, slack;
	struct frame fr;

	c.max_tx_rate = 1; /* Mbit/s: a burst of the 32 KiB minimum */
	vf_add(f, 0, &c);
	rep_bind(f, 0);
	mk_ip(&fr, mac_ext, c.mac, LEN);
	t0 = mono_ns();
	for (i = 0; i < N; i++)
		verdict[i] = rep_tc(f, &fr, NULL);
	/* Refill while the loop ran: 1 Mbit/s is 1 byte per 8000 ns. */
	slack = (mono_ns() - t0) / 8000;

	for (i = 0; i < N; i++) {
		if (verdict[i] == TC_ACT_REDIRECT)
			passed++;
		else if (verdict[i] == TC_ACT_SHOT)
			dropped++;
	}
	assert_int_equal(passed + dropped, N);
	/* A full bucket: the first 21 frames (31500 bytes) pass. */
	for (i = 0; i < FIRST; i++)
		assert_int_equal(verdict[i], TC_ACT_REDIRECT);
	assert_true(passed >= FIRST);
	/* Then no more than the burst and what came in meanwhile. */
	assert_true((__u64)passed * LEN <= TB_MIN_BURST + slack);
	assert_true(dropped > 0);
	assert_vf_stats(f, 0, .tx_packets = passed,
			.tx_bytes = (__u64)passed * LEN,
			.drops[XV_DROP_RATE] = dropped);
}

/* The bucket holds 10 ms of the rate, at least 32 KiB. */
static void test_rep_rate_limit_depth(void **state)
{
	static const struct {
		__u32 rate;
		__u64 burst;
	} cases[] = {
		/* Mbit/s, bytes: 26 Mbit/s is 32500 bytes per 10 ms */
		{ 1, TB_MIN_BURST }, { 26, TB_MIN_BURST }, { 27, 33750 },
		{ 100, 125000 },     { 10000, 12500000 },
	};
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_std(f, 0, 0);
	struct xv_tbucket tb;
	struct frame fr;
	size_t i;

	rep_bind(f, 0);
	mk_ip(&fr, mac_ext, c.mac, 1500);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c.max_tx_rate = cases[i].rate;
		vf_add(f, 0, &c);
		tb_put(f, 0, 1ULL << 40, mono_ns());
		assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_REDIRECT);
		tb = tb_get(f, 0);
		assert_int_equal(tb.tokens, cases[i].burst - 1500);
	}
}

static void test_rep_rate_limit_refill(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_std(f, 0, 0);
	struct xv_tbucket tb;
	struct frame fr;
	__u64 t;

	c.max_tx_rate = 1;
	vf_add(f, 0, &c);
	rep_bind(f, 0);
	mk_ip(&fr, mac_ext, c.mac, 1500);

	/* Empty, 3 ms ago: 375 bytes came in, not enough. */
	t = mono_ns() - 3000000;
	tb_put(f, 0, 0, t);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	tb = tb_get(f, 0);
	assert_true(tb.tokens >= 375 && tb.tokens < 1500);
	assert_true(tb.last_ns >= t + 3000000);

	/* Empty, 12 ms ago: 1500 bytes, exactly one frame. */
	t = mono_ns() - 12000000;
	tb_put(f, 0, 0, t);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_REDIRECT);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);

	/* A timestamp in the future adds nothing (and no wrap-around). */
	t = mono_ns() + 10000000000ULL;
	tb_put(f, 0, 1500, t);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_REDIRECT);
	tb = tb_get(f, 0);
	assert_int_equal(tb.tokens, 0);
	assert_true(tb.last_ns < t);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);

	assert_vf_stats(f, 0, .tx_packets = 2, .tx_bytes = 2 * 1500,
			.drops[XV_DROP_RATE] = 3);
}

static void test_rep_rate_unlimited(void **state)
{
	enum { N = 1000, LEN = 1500 };
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_add_std(f, 0, 0);
	struct xv_tbucket tb;
	struct frame fr;
	struct run r;

	rep_bind(f, 0);
	mk_ip(&fr, mac_ext, c.mac, LEN);
	assert_int_equal(tc_run_raw(rep_fd(f), f->lo, &fr, 0, 0, N, &r),
			 TC_ACT_REDIRECT);
	assert_vf_stats(f, 0, .tx_packets = N, .tx_bytes = (__u64)N * LEN);
	tb = tb_get(f, 0); /* never touched */
	assert_int_equal(tb.tokens, 0);
	assert_int_equal(tb.last_ns, 0);
}

/*
 * Under a flood (frames far closer together than the time one byte of the
 * rate takes: 8 us at 1 Mbit/s) a rate-limited VF must still get its rate:
 * the bytes due over the wall-clock time of the run. The test run reports
 * the time it spent running frames (cpu), which excludes the time it gave
 * the CPU away (it may, between frames, when others need it); the due bytes
 * of the cpu time alone are what a bucket losing the time between close
 * frames would miss, so ask for all of the wall time but half of that.
 */
static void test_rep_rate_limit_sustained_under_flood(void **state)
{
	enum { N = 500000, LEN = 64 };
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_std(f, 0, 0);
	__u64 t0, t1, due, due_cpu, want;
	struct xv_tbucket tb;
	struct xv_vf_stats st;
	struct frame fr;
	struct run r;

	c.max_tx_rate = 1;
	vf_add(f, 0, &c);
	rep_bind(f, 0);
	mk_ip(&fr, mac_ext, c.mac, LEN);
	t0 = mono_ns();
	tb_put(f, 0, 0, t0); /* empty bucket: no initial burst */
	tc_run_raw(rep_fd(f), f->lo, &fr, 0, 0, N, &r);
	/*
	 * Up to the last frame: the bucket's own clock, as this process may
	 * wait for a CPU before it reads the time (bounded by it, though).
	 */
	t1 = mono_ns();
	tb = tb_get(f, 0);
	assert_true(tb.last_ns > t0 && tb.last_ns <= t1);
	due = (tb.last_ns - t0) / 8000 + 1; /* 1 Mbit/s: 1 byte per 8 us */
	due_cpu = (__u64)r.duration * N / 8000;
	want = due > due_cpu / 2 + 2 * LEN ? due - due_cpu / 2 - 2 * LEN : 0;
	stats_get(f, 0, &st);
	assert_int_equal(st.tx_packets + st.drops[XV_DROP_RATE], N);
	assert_int_equal(st.tx_bytes, st.tx_packets * LEN);
	if (st.tx_bytes < want)
		print_error(
			"max_tx_rate 1 Mbit/s, %u frames of %u bytes in "
			"%llu us (%llu us running them): %llu bytes passed, "
			"%llu were due\n",
			N, LEN, (unsigned long long)due * 8,
			(unsigned long long)due_cpu * 8,
			(unsigned long long)st.tx_bytes,
			(unsigned long long)due);
	assert_true(due_cpu >= 16 * LEN); /* enough frames to tell */
	assert_true(st.tx_bytes >= want);
	assert_true(st.tx_bytes <= due + LEN);
}

/*
 * Broadcast/multicast a VF sends: a clone to every other VF of its VLAN
 * that can take it, and one to the uplink; the frame itself is dropped.
 * What a VF cannot take is counted on it; an inactive VF is no port at all.
 */
static void test_rep_broadcast_floods(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_std(f, 0, 100);
	struct xv_vf_cfg c;
	struct frame fr;

	c0.qos = 4;
	vf_add(f, 0, &c0);
	vf_add_std(f, 1, 100);
	vf_add_std(f, 2, 0); /* another VLAN */
	c = vf_std(f, 3, 100);
	c.link_state = XV_LINK_DISABLE;
	vf_add(f, 3, &c);
	c = vf_std(f, 4, 100);
	c.rep_ifindex = NONEXISTENT_IFINDEX;
	vf_add(f, 4, &c);
	c = vf_std(f, 5, 100);
	c.active = 0;
	vf_add(f, 5, &c);
	c = vf_std(f, 6, 100);
	c.consumer = XV_VF_CONSUMER_NETDEV;
	vf_add(f, 6, &c);
	rep_port_gone(f, 6, &c);
	rep_bind(f, 0);

	mk_l2(&fr, mac_bcast, c0.mac, 60);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	mk_l2(&fr, mac_mcast6, c0.mac, 80);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	/* Sent, and its uplink clones went out (no drop counted). */
	assert_vf_stats(f, 0, .tx_packets = 2, .tx_bytes = 140, .tx_flood = 2);
	assert_vf_stats(f, 1, .rx_packets = 2, .rx_bytes = 140, .rx_flood = 2);
	assert_vf_stats(f, 2);
	assert_vf_stats(f, 3, .drops[XV_DROP_LINK_DOWN] = 2);
	assert_vf_stats(f, 4, .drops[XV_DROP_REDIRECT] = 2);
	assert_vf_stats(f, 5);
	assert_vf_stats(f, 6, .drops[XV_DROP_REDIRECT] = 2);

	/* No uplink: the clone to it is refused and counted. */
	set_pf(f, NONEXISTENT_IFINDEX, 1);
	mk_l2(&fr, mac_bcast, c0.mac, 60);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .tx_packets = 3, .tx_bytes = 200, .tx_flood = 3,
			.drops[XV_DROP_REDIRECT] = 1);
	assert_vf_stats(f, 1, .rx_packets = 3, .rx_bytes = 200, .rx_flood = 3);

	/* A port-VLAN VF alone in VLAN 300: only the uplink clone, refused. */
	c = vf_std(f, 7, 300);
	vf_add(f, 7, &c);
	rep_bind(f, 7);
	mk_l2(&fr, mac_bcast, c.mac, 60);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 7, .tx_packets = 1, .tx_bytes = 60, .tx_flood = 1,
			.drops[XV_DROP_REDIRECT] = 1);
	assert_vf_stats(f, 1, .rx_packets = 3, .rx_bytes = 200, .rx_flood = 3);
}

/* A flood stays in the sender's VLAN, untagged (VLAN 0) being one too. */
static void test_rep_broadcast_floods_by_vlan(void **state)
{
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_add_std(f, 0, 100);
	struct xv_vf_cfg c3 = vf_add_std(f, 3, 0);
	struct frame fr;

	vf_add_std(f, 1, 100);
	vf_add_std(f, 2, 100);
	vf_add_std(f, 4, 200);
	vf_add_std(f, 5, 0);
	rep_bind(f, 0);

	mk_l2(&fr, mac_bcast, c0.mac, 60);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	mk_l2(&fr, mac_mcast6, c0.mac, 80);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	/* Not to itself; its uplink clones went out. */
	assert_vf_stats(f, 0, .tx_packets = 2, .tx_bytes = 140, .tx_flood = 2);
	assert_vf_stats(f, 1, .rx_packets = 2, .rx_bytes = 140, .rx_flood = 2);
	assert_vf_stats(f, 2, .rx_packets = 2, .rx_bytes = 140, .rx_flood = 2);
	assert_vf_stats(f, 3);
	assert_vf_stats(f, 4);
	assert_vf_stats(f, 5);

	/* From an untagged VF: to the other untagged VFs only. */
	rep_bind(f, 3);
	mk_l2(&fr, mac_mcast4, c3.mac, 64);
	assert_int_equal(rep_tc(f, &fr, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 3, .tx_packets = 1, .tx_bytes = 64, .tx_flood = 1);
	assert_vf_stats(f, 5, .rx_packets = 1, .rx_bytes = 64, .rx_flood = 1);
	assert_vf_stats(f, 0, .tx_packets = 2, .tx_bytes = 140, .tx_flood = 2);
	assert_vf_stats(f, 1, .rx_packets = 2, .rx_bytes = 140, .rx_flood = 2);
	assert_vf_stats(f, 2, .rx_packets = 2, .rx_bytes = 140, .rx_flood = 2);
	assert_vf_stats(f, 4);
}

/* A GSO skb counts as its segments: packets, and each one's headers. */
static void test_rep_gso_counts_wire(void **state)
{
	static const struct {
		int v6;
		__u32 doff, len, segs, mss, want_segs;
	} cases[] = {
		{ 0, 5, 2000, 10, 200, 10 }, /* IPv4/TCP, 54-byte headers */
		{ 0, 8, 2000, 7, 300, 7 }, /* TCP options: 66 */
		{ 1, 5, 2000, 20, 100, 20 }, /* IPv6/TCP: 74 */
		{ 0, 0, 2000, 3, 700, 3 }, /* IPv4/UDP (USO): 42 */
		{ 0, 5, 2000, 0, 1000, 2 }, /* gso_segs unset: from the mss */
		{ 0, 5, 2000, 1, 4000, 1 }, /* one segment: the skb itself */
	};
	struct fx *f = *state;
	struct xv_vf_cfg c0 = vf_add_std(f, 0, 0);
	struct xv_vf_cfg c1 = vf_add_std(f, 1, 0);
	__u64 pkts = 0, bytes = 0, hp = 0, hb = 0, w;
	struct frame fr;
	struct run r;
	__u32 hdr;
	size_t i;

	rep_bind(f, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hdr = mk_l4(&fr, mac_ext, c0.mac, cases[i].v6, cases[i].doff,
			    cases[i].len);
		w = cases[i].len + (__u64)(cases[i].want_segs - 1) * hdr;
		assert_int_equal(rep_tc_gso(f, &fr, cases[i].segs, cases[i].mss,
					    &r),
				 TC_ACT_REDIRECT);
		assert_frame(&r, &fr);
		pkts += cases[i].want_segs;
		bytes += w;
		assert_vf_stats(f, 0, .tx_packets = pkts, .tx_bytes = bytes);
	}
	/* A hairpinned one: the destination receives as many. */
	hdr = mk_l4(&fr, c1.mac, c0.mac, 0, 5, 2000);
	assert_int_equal(rep_tc_gso(f, &fr, 20, 100, NULL), TC_ACT_REDIRECT);
	hp = 20;
	hb = 2000 + 19 * hdr;
	assert_vf_stats(f, 0, .tx_packets = pkts + hp, .tx_bytes = bytes + hb);
	assert_vf_stats(f, 1, .rx_packets = hp, .rx_bytes = hb);
}

/*
 * max_tx_rate takes a GSO skb's bytes on the wire: it passes when the
 * bucket holds them, and one larger than the whole bucket passes a full
 * bucket and leaves it in debt, so the rate still holds. At 1 Mbit/s a
 * byte comes in every 8 us: every margin below is milliseconds wide, and
 * what came in during a step is bounded by the time it took.
 */
static void test_rep_rate_limit_gso(void **state)
{
	enum { LEN = 2000, SEGS = 30, BIG = 700 };
	struct fx *f = *state;
	struct xv_vf_cfg c = vf_std(f, 0, 0);
	__u64 w, wbig, t, slack;
	struct xv_tbucket tb;
	struct frame fr, small;
	__u32 hdr;

	c.max_tx_rate = 1; /* 32 KiB bucket, 1 byte per 8 us */
	vf_add(f, 0, &c);
	rep_bind(f, 0);
	hdr = mk_l4(&fr, mac_ext, c.mac, 0, 5, LEN);
	w = LEN + (SEGS - 1) * hdr;
	wbig = LEN + (__u64)(BIG - 1) * hdr;
	assert_true(w < TB_MIN_BURST && wbig > TB_MIN_BURST + 4000);
	mk_ip(&small, mac_ext, c.mac, 64);

	/* Holds more than the skb's bytes, far less than its segments'. */
	tb_put(f, 0, LEN + 1, mono_ns());
	assert_int_equal(rep_tc_gso(f, &fr, SEGS, 300, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .drops[XV_DROP_RATE] = 1);

	/* Holds them: exactly that much is taken. */
	t = mono_ns();
	tb_put(f, 0, w + 1000, t);
	assert_int_equal(rep_tc_gso(f, &fr, SEGS, 300, NULL), TC_ACT_REDIRECT);
	tb = tb_get(f, 0);
	slack = (mono_ns() - t) / 8000 + 1;
	assert_true(tb.tokens >= 1000 && tb.tokens <= 1000 + slack);
	assert_vf_stats(f, 0, .tx_packets = SEGS, .tx_bytes = w,
			.drops[XV_DROP_RATE] = 1);

	/* Larger than the bucket, bucket not full: refused. */
	tb_put(f, 0, TB_MIN_BURST - 2000, mono_ns());
	assert_int_equal(rep_tc_gso(f, &fr, BIG, 4, NULL), TC_ACT_SHOT);
	/* Bucket full: passes, and leaves the rest as debt. */
	t = mono_ns();
	tb_put(f, 0, TB_MIN_BURST, t);
	assert_int_equal(rep_tc_gso(f, &fr, BIG, 4, NULL), TC_ACT_REDIRECT);
	tb = tb_get(f, 0);
	slack = (mono_ns() - t) / 8000 + 1;
	assert_true((__s64)tb.tokens >= TB_MIN_BURST - (__s64)wbig);
	assert_true((__s64)tb.tokens <=
		    TB_MIN_BURST - (__s64)wbig + (__s64)slack);
	/* Nothing passes until the debt is paid (some 55 ms of it). */
	assert_int_equal(rep_tc(f, &small, NULL), TC_ACT_SHOT);
	assert_vf_stats(f, 0, .tx_packets = SEGS + BIG, .tx_bytes = w + wbig,
			.drops[XV_DROP_RATE] = 3);
	/* Paid: the debt and a frame came in since (plus 1 ms). */
	tb_put(f, 0, (__u64)(TB_MIN_BURST - (__s64)wbig),
	       mono_ns() - (wbig - TB_MIN_BURST + 64) * 8000 - 1000000);
	assert_int_equal(rep_tc(f, &small, NULL), TC_ACT_REDIRECT);
}
/* ======================= xv_xsk_redirect ======================= */

static int xsk_setup(void **state)
{
	struct xsk_redirect *skel = xsk_redirect__open_and_load();

	if (!skel) {
		print_error("xsk_redirect: %s\n", strerror(errno));
		return -1;
	}
	*state = skel;
	return 0;
}

static int xsk_teardown(void **state)
{
	xsk_redirect__destroy(*state);
	*state = NULL;
	return 0;
}

static void test_xsk_redirect_empty_map_passes(void **state)
{
	struct xsk_redirect *skel = *state;
	int fd = bpf_program__fd(skel->progs.xv_xsk_redirect);
	__u32 lo = if_nametoindex("lo");
	struct frame fr;
	struct run r;

	assert_int_not_equal(lo, 0);
	mk_ip(&fr, mac_ext, mac_ext2, 98);
	xdp_run_raw(fd, lo, fr.b, fr.len, 0, 1, &r);
	assert_int_equal(r.retval, XDP_PASS);
	assert_frame(&r, &fr);
}

/* A veth with two queues, and a bound AF_XDP socket on queue @queue. */
#define XSK_VETH "x4bpfmq"
#define XSK_UMEM_LEN (16 * 4096)

static int xsk_socket_on(__u32 ifindex, __u32 queue, void **umem)
{
	struct sockaddr_xdp sxdp = { .sxdp_family = AF_XDP,
				     .sxdp_ifindex = ifindex,
				     .sxdp_queue_id = queue };
	struct xdp_umem_reg reg = { .len = XSK_UMEM_LEN, .chunk_size = 4096 };
	int fd, rc, n = 64;

	*umem = mmap(NULL, XSK_UMEM_LEN, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(*umem != MAP_FAILED);
	reg.addr = (uintptr_t)*umem;
	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(
		setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)), 0);
	assert_int_equal(
		setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)), 0);
	assert_int_equal(setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n,
				    sizeof(n)),
			 0);
	assert_int_equal(setsockopt(fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n)),
			 0);
	rc = bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp));
	if (rc)
		print_error("AF_XDP bind to queue %u: %s\n", queue,
			    strerror(errno));
	assert_int_equal(rc, 0);
	return fd;
}

static int xsk_mq_teardown(void **state)
{
	if (system("ip link del " XSK_VETH " 2>/dev/null")) {
		/* already gone */
	}
	return xsk_teardown(state);
}

/*
 * Multi-queue: the frame goes to the socket of the queue it arrived on
 * (vdpad's queue pair p is netdev queue p), and a queue without a socket
 * passes to the stack, even when another queue has one.
 */
static void test_xsk_redirect_keyed_by_rx_queue(void **state)
{
	struct xsk_redirect *skel = *state;
	int prog = bpf_program__fd(skel->progs.xv_xsk_redirect);
	__u32 ifindex, key = 1;
	struct frame fr;
	struct run r;
	void *umem;
	int xfd;

	if (system("ip link del " XSK_VETH " 2>/dev/null")) {
		/* none left from an earlier run */
	}
	assert_int_equal(system("ip link add " XSK_VETH " numtxqueues 2 "
				"numrxqueues 2 type veth peer name " XSK_VETH
				"p numtxqueues 2 numrxqueues 2"),
			 0);
	ifindex = if_nametoindex(XSK_VETH);
	assert_int_not_equal(ifindex, 0);
	xfd = xsk_socket_on(ifindex, 1, &umem);
	map_put(skel->maps.xsks, key, xfd);
	mk_ip(&fr, mac_ext, mac_ext2, 98);
	xdp_run_rxq(prog, ifindex, 1, fr.b, fr.len, 0, 1, &r);
	assert_int_equal(r.retval, XDP_REDIRECT);
	xdp_run_rxq(prog, ifindex, 0, fr.b, fr.len, 0, 1, &r);
	assert_int_equal(r.retval, XDP_PASS);
	assert_frame(&r, &fr);
	close(xfd);
	munmap(umem, XSK_UMEM_LEN);
}

#define ESW_TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
	const struct CMUnitTest eswitch_tests[] = {
		ESW_TEST(test_uplink_runt_passes),
		ESW_TEST(test_uplink_multicast_floods_passes),
		ESW_TEST(test_uplink_broadcast_floods),
		ESW_TEST(test_uplink_unknown_unicast_passes),
		ESW_TEST(test_uplink_known_untagged_redirects),
		ESW_TEST(test_uplink_tagged_pops_vlan),
		ESW_TEST(test_uplink_priority_tag_kept),
		ESW_TEST(test_uplink_wrong_vlan_passes),
		ESW_TEST(test_uplink_inactive_vf_drops),
		ESW_TEST(test_uplink_link_disable_drops),
		ESW_TEST(test_uplink_link_auto_follows_uplink),
		ESW_TEST(test_uplink_link_enable_ignores_uplink),
		ESW_TEST(test_uplink_no_rep_port_drops),
		ESW_TEST(test_uplink_gso_counts_wire),
		ESW_TEST(test_deliver_consumers_count_once),
		ESW_TEST(test_rep_unknown_port_drops),
		ESW_TEST(test_rep_inactive_drops),
		ESW_TEST(test_rep_link_state),
		ESW_TEST(test_rep_tagged_frame_drops_vlan),
		ESW_TEST(test_rep_spoof_drops),
		ESW_TEST(test_rep_spoof_allowed_forwards),
		ESW_TEST(test_rep_to_uplink_untagged),
		ESW_TEST(test_rep_to_uplink_pushes_vlan),
		ESW_TEST(test_rep_no_uplink_drops),
		ESW_TEST(test_rep_hairpin_same_vlan),
		ESW_TEST(test_rep_other_vlan_goes_uplink),
		ESW_TEST(test_rep_hairpin_dst_link_down),
		ESW_TEST(test_rep_hairpin_dst_inactive),
		ESW_TEST(test_rep_hairpin_dst_no_rep_port),
		ESW_TEST(test_rep_hairpin_dst_refused),
		ESW_TEST(test_rep_to_own_mac_drops_counted),
		ESW_TEST(test_rep_rate_limit_burst),
		ESW_TEST(test_rep_rate_limit_depth),
		ESW_TEST(test_rep_rate_limit_refill),
		ESW_TEST(test_rep_rate_unlimited),
		ESW_TEST(test_rep_rate_limit_sustained_under_flood),
		ESW_TEST(test_rep_broadcast_floods),
		ESW_TEST(test_rep_broadcast_floods_by_vlan),
		ESW_TEST(test_rep_gso_counts_wire),
		ESW_TEST(test_rep_rate_limit_gso),
	};
	const struct CMUnitTest xsk_tests[] = {
		cmocka_unit_test_setup_teardown(
			test_xsk_redirect_empty_map_passes, xsk_setup,
			xsk_teardown),
		cmocka_unit_test_setup_teardown(
			test_xsk_redirect_keyed_by_rx_queue, xsk_setup,
			xsk_mq_teardown),
	};
	struct xsk_redirect *probe;
	int failed;

	/* Without the privilege to load BPF there is nothing to test. */
	probe = xsk_redirect__open_and_load();
	if (!probe && (errno == EPERM || errno == EACCES)) {
		printf("skip: loading BPF programs needs root (CAP_BPF, "
		       "CAP_NET_ADMIN)\n");
		return 77;
	}
	xsk_redirect__destroy(probe);

	failed = cmocka_run_group_tests_name(
		"eswitch.bpf.c programs (BPF_PROG_TEST_RUN)", eswitch_tests,
		NULL, NULL);
	failed += cmocka_run_group_tests_name(
		"xsk_redirect.bpf.c program (BPF_PROG_TEST_RUN)", xsk_tests,
		NULL, NULL);
	return failed ? 1 : 0;
}
