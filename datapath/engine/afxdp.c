// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "afxdp.h"
#include "backend.h"
#include "net_offload.h"

/* Ethernet header plus one VLAN tag on top of the MTU. */
#define XV_L2_OVERHEAD 18
/* UMEM frames one transmit round may fill: a whole GSO frame's worth. */
#define XV_AFXDP_TX_MAX XV_NET_TX_MAX_FRAMES
/* Frame pointers made ready at a time for ordinary frames. */
#define XV_AFXDP_TX_FILL 16

static inline bool pair_ready(const struct xv_vu_dev *dev, unsigned int pair)
{
	return dev->vrings[xv_rxq(pair)].started &&
	       dev->vrings[xv_txq(pair)].started && !dev->broken;
}

/* Gives the RX frames back to the kernel through the fill ring. */
static inline void refill(struct xv_xsk *x, uint32_t rx_idx, uint32_t n)
{
	uint32_t fidx, i;

	/* We hold exactly these n frames: the fill ring has room. */
	while (xsk_ring_prod__reserve(&x->fq, n, &fidx) != n)
		;
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&x->rx, rx_idx + i);

		*xsk_ring_prod__fill_addr(&x->fq, fidx + i) =
			xsk_umem__extract_addr(d->addr);
	}
	xsk_ring_prod__submit(&x->fq, n);
	xsk_ring_cons__release(&x->rx, n);
}

/*
 * A packet over several frames (multi-buffer): each piece is copied into
 * the socket's packet buffer as it comes, its frame given back at once, so
 * a packet may straddle two rounds. Returns 0 with @frame/@len the whole
 * packet once its last piece is in, 1 while more is to come (or the
 * packet, larger than any MTU allows, is being dropped: counted once).
 */
#define XV_RX_PART_DROPPING UINT32_MAX
static int rx_gather(struct xv_xsk *x, const struct xdp_desc *d,
		     const uint8_t **frame, uint32_t *len, struct xv_qstats *st)
{
	bool last = !(d->options & XDP_PKT_CONTD);

	if (x->rx_part != XV_RX_PART_DROPPING) {
		if (x->rx_part + d->len <= XV_XSK_PKT_MAX) {
			memcpy(x->rx_pkt + x->rx_part, *frame, d->len);
			x->rx_part += d->len;
		} else {
			st->drops[XV_DP_DROP_OVERSIZE]++;
			x->rx_part = XV_RX_PART_DROPPING;
		}
	}
	if (!last)
		return 1;
	if (x->rx_part == XV_RX_PART_DROPPING) {
		x->rx_part = 0;
		return 1;
	}
	*frame = x->rx_pkt;
	*len = x->rx_part;
	x->rx_part = 0;
	return 0;
}

int xv_afxdp_rx(struct xv_vu_dev *dev, unsigned int pair, struct xv_xsk *x,
		struct xv_chain *c, struct xv_qstats *st)
{
	struct xv_vu_vring *rx = &dev->vrings[xv_rxq(pair)];
	bool mrg = dev->features & VU_BIT(VU_F_MRG_RXBUF);
	bool ready = pair_ready(dev, pair);
	uint16_t used_before = rx->vq.used_idx;
	uint32_t idx, n, i;

	n = xsk_ring_cons__peek(&x->rx, XV_XSK_RX_BATCH, &idx);
	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&x->rx, idx + i);
		const uint8_t *frame = xsk_umem__get_data(x->area, d->addr);
		uint32_t len = d->len;

		if (i + 1 < n)
			__builtin_prefetch(xsk_umem__get_data(
				x->area,
				xsk_ring_cons__rx_desc(&x->rx, idx + i + 1)
					->addr));
		if (((d->options & XDP_PKT_CONTD) || x->rx_part) &&
		    rx_gather(x, d, &frame, &len, st))
			continue; /* more of it to come, or dropped */
		if (!ready) {
			st->drops[dev->broken ? XV_DP_DROP_BROKEN :
						XV_DP_DROP_NOT_READY]++;
			continue;
		}
		if (xv_net_rx_put(&rx->vq, mrg, frame, len, c, &st->rx) < 0) {
			dev->broken = true;
			ready = false;
		}
	}
	refill(x, idx, n);
	if (rx->started)
		xv_vu_vring_publish(rx, used_before);
	return (int)n;
}

/* The length of the packet in @n frames. */
static inline uint32_t pkt_len(const uint32_t *lens, uint32_t n)
{
	uint32_t i, len = 0;

	for (i = 0; i < n; i++)
		len += lens[i];
	return len;
}

/* Where transmit data starts in a UMEM frame: after the TX metadata. */
static inline uint32_t tx_off(const struct xv_xsk *x)
{
	return x->txmd ? XV_XSK_TX_DATA_OFF : 0;
}

/* Free UMEM frames @from..@to-1, from the top of the free list down. */
static inline void fill_bufs(const struct xv_xsk *x, uint8_t **bufs,
			     uint32_t from, uint32_t to)
{
	uint32_t i;

	for (i = from; i < to; i++)
		bufs[i] =
			x->area + x->free_frames[x->nfree - 1 - i] + tx_off(x);
}

/* The checksum the kernel is to finish, in the metadata before @d. */
static inline void tx_csum_request(struct xv_xsk *x, struct xdp_desc *d,
				   const struct xv_net_tx_csum *cs)
{
	struct xv_tx_metadata *md =
		(struct xv_tx_metadata *)(x->area + d->addr - XV_XSK_TXMD_LEN);

	md->flags = XV_TXMD_FLAGS_CHECKSUM;
	md->csum_start = cs->start;
	md->csum_offset = cs->offset;
	d->options |= XDP_TX_METADATA;
}

/*
 * Guest frames out through the XSK: each goes into free UMEM frames, as
 * itself or (TSO) as its segments. A round takes up to XV_XSK_BATCH
 * guest frames into as many UMEM frames as the TX ring and the free list
 * have, up to XV_AFXDP_TX_MAX: one GSO frame may need that many.
 */
int xv_afxdp_tx(struct xv_vu_dev *dev, unsigned int pair, struct xv_xsk *x,
		struct xv_chain *c, struct xv_qstats *st)
{
	struct xv_vu_vring *tx = &dev->vrings[xv_txq(pair)];
	uint8_t *bufs[XV_AFXDP_TX_MAX];
	uint32_t lens[XV_AFXDP_TX_MAX];
	bool contd[XV_AFXDP_TX_MAX];
	struct xv_net_tx_csum csum[XV_AFXDP_TX_MAX];
	struct xv_net_tx_out out = {
		.bufs = bufs,
		.cap = XV_XSK_FRAME_SIZE - tx_off(x),
		.max_seg = (uint32_t)dev->cfg.mtu + XV_L2_OVERHEAD,
		.sg = x->sg,
		.csum_later = x->txmd,
		.features = dev->features,
		.lens = lens,
		.contd = contd,
		.csum = csum,
	};
	uint32_t budget, filled, n = 0, tidx = 0, tries = 0, k;
	uint16_t used_before = tx->vq.used_idx;
	int got;

	xv_xsk_reclaim(x);
	/* The kernel may leave part of the TX ring for the next wakeup:
	 * keep waking it until everything submitted has completed. */
	if (x->tx_outstanding)
		xv_xsk_kick_tx(x);
	if (!pair_ready(dev, pair))
		return 0;
	budget = xsk_prod_nb_free(&x->tx, XV_AFXDP_TX_MAX);
	if (budget > XV_AFXDP_TX_MAX)
		budget = XV_AFXDP_TX_MAX;
	if (budget > x->nfree)
		budget = x->nfree;
	/* Frame pointers for a few ordinary frames, more as they are taken,
	 * all of them only when a GSO frame needs them. */
	filled = budget < XV_AFXDP_TX_FILL ? budget : XV_AFXDP_TX_FILL;
	fill_bufs(x, bufs, 0, filled);
	/* Oversize frames are dropped but count as tries: a round ends. */
	while (n < budget && tries++ < XV_XSK_BATCH) {
		out.bufs = bufs + n;
		out.nbufs = filled - n;
		out.lens = lens + n;
		out.contd = contd + n;
		out.csum = csum + n;
		got = xv_net_tx_take(&tx->vq, &out, c, &st->tx);
		if (got < 0)
			dev->broken = true;
		if (!got && out.no_room && filled < budget) {
			k = n + out.need > filled + XV_AFXDP_TX_FILL ?
				    n + out.need :
				    filled + XV_AFXDP_TX_FILL;
			if (k > budget)
				k = budget;
			fill_bufs(x, bufs, filled, k);
			filled = k;
			continue;
		}
		if (got <= 0)
			break;
		if (out.pkts == 1 &&
		    pkt_len(lens + n, (uint32_t)got) > out.max_seg) {
			st->drops[XV_DP_DROP_OVERSIZE]++;
			continue; /* the frames stay free */
		}
		n += (uint32_t)got;
	}
	if (out.no_room || (n == budget && budget < XV_AFXDP_TX_MAX))
		st->tx_backpressure++;
	if (n) {
		xsk_ring_prod__reserve(&x->tx, n, &tidx); /* n <= free */
		for (k = 0; k < n; k++) {
			struct xdp_desc *d =
				xsk_ring_prod__tx_desc(&x->tx, tidx + k);

			d->addr = x->free_frames[x->nfree - 1 - k] + tx_off(x);
			d->len = lens[k];
			d->options = contd[k] ? XDP_PKT_CONTD : 0;
			if (x->txmd && csum[k].on)
				tx_csum_request(x, d, &csum[k]);
		}
		xsk_ring_prod__submit(&x->tx, n);
		x->nfree -= n;
		x->tx_outstanding += n;
		xv_xsk_kick_tx(x);
	}
	xv_vu_vring_publish(tx, used_before);
	return (int)n;
}

/*
 * The RARP that tells the network where a migrated guest is now (what
 * QEMU sends for a guest without GUEST_ANNOUNCE, and DPDK's vhost): a
 * broadcast from the guest's MAC, "reverse request" for itself.
 */
#define XV_RARP_LEN 60 /* the minimum frame, zero padded */
static void rarp_build(uint8_t *f, const uint8_t mac[6])
{
	static const uint8_t arp_head[8] = { 0, 1, 8, 0, 6, 4, 0, 3 };

	memset(f, 0, XV_RARP_LEN);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x80; /* ETH_P_RARP */
	f[13] = 0x35;
	memcpy(f + 14, arp_head, sizeof(arp_head)); /* Ethernet, IPv4, op 3 */
	memcpy(f + 22, mac, 6); /* sender: the guest, no IP */
	memcpy(f + 32, mac, 6); /* target: itself, no IP */
}

/* Sends the RARP a SEND_RARP asked for, when a frame and a TX slot are
 * free (else next round). */
static void announce(struct xv_vu_dev *dev, struct xv_xsk *x)
{
	struct xdp_desc *d;
	uint32_t tidx;

	if (!x->nfree || xsk_ring_prod__reserve(&x->tx, 1, &tidx) != 1)
		return;
	d = xsk_ring_prod__tx_desc(&x->tx, tidx);
	d->addr = x->free_frames[--x->nfree] + tx_off(x);
	d->len = XV_RARP_LEN;
	d->options = 0;
	rarp_build(xsk_umem__get_data(x->area, d->addr), dev->rarp_mac);
	xsk_ring_prod__submit(&x->tx, 1);
	x->tx_outstanding++;
	xv_xsk_kick_tx(x);
	dev->rarp_pending--;
	dev->stats.rarp_sent++;
}

/* ---- the backend: queue pair p <-> the XSK on netdev queue p ---- */

static int afxdp_start(struct xv_backend *b, const char *netdev,
		       unsigned int npairs)
{
	return xv_xsk_port_open(&b->port, netdev, npairs);
}

static void afxdp_stop(struct xv_backend *b)
{
	xv_xsk_port_close(&b->port);
}

static int afxdp_poll(struct xv_backend *b, struct xv_vu_dev *vu,
		      unsigned int p, struct xv_chain *c, struct xv_qstats *st,
		      struct xv_poll_extra *e)
{
	struct xv_xsk *x = &b->port.q[p];
	uint64_t woke = x->tx_wakeups;
	int n;

	if (p >= b->port.nqueues)
		return 0;
	if (__builtin_expect(vu->rarp_pending, 0) && !p)
		announce(vu, x);
	n = xv_afxdp_rx(vu, p, x, c, st);
	n += xv_afxdp_tx(vu, p, x, c, st);
	e->pending |= x->tx_outstanding != 0;
	e->woke |= x->tx_wakeups != woke;
	return n;
}

static void afxdp_stats(const struct xv_backend *b, struct xv_backend_stats *st)
{
	unsigned int q;

	st->kernel = true;
	xv_xsk_port_kstats(&b->port, &st->k);
	st->tx_wakeups = 0;
	for (q = 0; q < b->port.nqueues; q++)
		st->tx_wakeups += __atomic_load_n(&b->port.q[q].tx_wakeups,
						  __ATOMIC_RELAXED);
}

static unsigned int afxdp_fds(const struct xv_backend *b, int *fds,
			      unsigned int max)
{
	unsigned int q;

	for (q = 0; q < b->port.nqueues && q < max; q++)
		fds[q] = b->port.q[q].fd;
	return q;
}

const struct xv_backend_ops xv_afxdp_backend = {
	.name = "afxdp",
	.uses_netdev = true,
	.tx_features = XV_TXO_FEATURES,
	.start = afxdp_start,
	.stop = afxdp_stop,
	.poll = afxdp_poll,
	.stats = afxdp_stats,
	.fds = afxdp_fds,
};
