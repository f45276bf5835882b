// SPDX-License-Identifier: GPL-2.0-only
#include <stddef.h>

#include "backend.h"

static const char *const dp_drop_names[XV_DP_DROP_MAX] = {
	[XV_DP_DROP_NOT_READY] = "not_ready",
	[XV_DP_DROP_BROKEN] = "broken",
	[XV_DP_DROP_OVERSIZE] = "oversize",
};

const char *xv_dp_drop_name(enum xv_dp_drop d)
{
	return (unsigned int)d < XV_DP_DROP_MAX ? dp_drop_names[d] : "unknown";
}

static void net_add(struct xv_net_q_stats *dst, const struct xv_net_q_stats *s)
{
	unsigned int r;

	dst->packets += s->packets;
	dst->bytes += s->bytes;
	for (r = 0; r < XV_NET_DROP_MAX; r++)
		dst->drops[r] += s->drops[r];
	dst->csum += s->csum;
	dst->csum_later += s->csum_later;
	dst->tso += s->tso;
	dst->tso_segs += s->tso_segs;
}

void xv_qstats_add(struct xv_qstats *sum, const struct xv_qstats *s)
{
	unsigned int r;

	net_add(&sum->rx, &s->rx);
	net_add(&sum->tx, &s->tx);
	for (r = 0; r < XV_DP_DROP_MAX; r++)
		sum->drops[r] += s->drops[r];
	sum->tx_backpressure += s->tx_backpressure;
}

const struct xv_backend_ops *xv_backend_for(const char *netdev)
{
	return netdev && netdev[0] ? &xv_afxdp_backend : &xv_loopback_backend;
}
