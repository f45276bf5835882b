// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loopback datapath: every frame a device's frontend transmits (TX queue
 * 2n+1) comes back on its RX queue (2n). It exercises the vhost-user
 * backend and the virtqueues with real frontends; the AF_XDP datapath
 * uses the same virtio_net calls with a UMEM frame in the middle.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "loopback.h"

#define LOOPBACK_FRAME_MAX 65536

int xv_loopback_run(struct xv_vu_dev *dev, unsigned int pair,
		    struct xv_loopback_stats *st, unsigned int budget)
{
	static __thread uint8_t frame[LOOPBACK_FRAME_MAX];
	static __thread struct xv_chain c;
	struct xv_vu_vring *rx = &dev->vrings[2 * pair];
	struct xv_vu_vring *tx = &dev->vrings[2 * pair + 1];
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
