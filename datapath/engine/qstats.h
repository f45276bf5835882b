/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Queues of a virtio-net device: queue pair p is RX queue 2p (backend ->
 * guest) and TX queue 2p+1 (guest -> backend). The index arithmetic is
 * here only; and the one type of per-pair counters every backend keeps.
 */
#ifndef XVDPA_QSTATS_H
#define XVDPA_QSTATS_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio_net.h"

/* RX (backend -> guest) queue of pair @p. */
static inline unsigned int xv_rxq(unsigned int p)
{
	return 2 * p;
}

/* TX (guest -> backend) queue of pair @p. */
static inline unsigned int xv_txq(unsigned int p)
{
	return 2 * p + 1;
}

/* The pair queue @q belongs to. */
static inline unsigned int xv_q_pair(unsigned int q)
{
	return q / 2;
}

/* Is queue @q a TX queue? */
static inline bool xv_q_is_tx(unsigned int q)
{
	return q & 1;
}

/* Queues of @pairs queue pairs. */
static inline unsigned int xv_nqueues(unsigned int pairs)
{
	return 2 * pairs;
}

/* Frames a backend dropped besides the virtio-net ones. */
enum xv_dp_drop {
	XV_DP_DROP_NOT_READY = 0, /* rings not started (no frontend, stopped) */
	XV_DP_DROP_BROKEN, /* the device was marked broken */
	XV_DP_DROP_OVERSIZE, /* guest frame larger than the MTU allows */
	XV_DP_DROP_MAX,
};

/* Counters of one queue pair, whatever its backend. */
struct xv_qstats {
	struct xv_net_q_stats rx; /* backend -> guest (and its drops) */
	struct xv_net_q_stats tx; /* guest -> backend (and its drops) */
	uint64_t drops[XV_DP_DROP_MAX];
	uint64_t tx_backpressure; /* rounds stopped for lack of UMEM/ring */
};

const char *xv_dp_drop_name(enum xv_dp_drop d);

/* Adds @s to @sum. */
void xv_qstats_add(struct xv_qstats *sum, const struct xv_qstats *s);

#endif /* XVDPA_QSTATS_H */
