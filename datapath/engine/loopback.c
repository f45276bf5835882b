// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loopback datapath: every frame a device's frontend transmits (TX queue
 * 2n+1) comes back on its RX queue (2n). It exercises the vhost-user
 * backend and the virtqueues with real frontends; the AF_XDP datapath
 * uses the same virtio_net calls with a UMEM frame in the middle.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "loopback.h"

#define LOOPBACK_FRAME_MAX 65536

int xv_loopback_run(struct xv_vu_dev *dev, unsigned int pair,
		    struct xv_qstats *st, unsigned int budget)
{
	static __thread uint8_t frame[LOOPBACK_FRAME_MAX];
	static __thread struct xv_chain c;
	struct xv_vu_vring *rx = &dev->vrings[xv_rxq(pair)];
	struct xv_vu_vring *tx = &dev->vrings[xv_txq(pair)];
	bool mrg = dev->features & VU_BIT(VU_F_MRG_RXBUF);
	unsigned int done = 0;
	uint16_t tx_before, rx_before;
	int len = 0, ret = 0;

	if (!tx->started || !rx->started || dev->broken)
		return 0;
	tx_before = tx->vq.used_idx;
	rx_before = rx->vq.used_idx;
	while (done < budget) {
		len = xv_net_tx_get(&tx->vq, frame, sizeof(frame), &c, &st->tx);
		if (len <= 0)
			break;
		ret = xv_net_rx_put(&rx->vq, mrg, frame, (uint32_t)len, &c,
				    &st->rx);
		if (ret < 0)
			break;
		done++;
	}
	xv_vu_vring_publish(tx, tx_before);
	xv_vu_vring_publish(rx, rx_before);
	if (len < 0 || ret < 0) {
		dev->broken = true;
		return -EIO;
	}
	return (int)done;
}

/* ---- the backend: nothing to bind, nothing to watch ---- */

static int loopback_start(struct xv_backend *b, const char *netdev,
			  unsigned int npairs)
{
	(void)b;
	(void)netdev;
	(void)npairs;
	return 0;
}

static void loopback_stop(struct xv_backend *b)
{
	(void)b;
}

static int loopback_poll(struct xv_backend *b, struct xv_vu_dev *vu,
			 unsigned int p, struct xv_chain *c,
			 struct xv_qstats *st, struct xv_poll_extra *e)
{
	int n = xv_loopback_run(vu, p, st, XV_LOOPBACK_BUDGET);

	(void)b;
	(void)c;
	(void)e;
	return n > 0 ? n : 0;
}

static void loopback_stats(const struct xv_backend *b,
			   struct xv_backend_stats *st)
{
	(void)b;
	memset(st, 0, sizeof(*st));
}

static unsigned int loopback_fds(const struct xv_backend *b, int *fds,
				 unsigned int max)
{
	(void)b;
	(void)fds;
	(void)max;
	return 0;
}

const struct xv_backend_ops xv_loopback_backend = {
	.name = "loopback",
	.uses_netdev = false,
	.start = loopback_start,
	.stop = loopback_stop,
	.poll = loopback_poll,
	.stats = loopback_stats,
	.fds = loopback_fds,
};
