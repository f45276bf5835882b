/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XVDPA_LOOPBACK_H
#define XVDPA_LOOPBACK_H

#include "vhost_user.h"
#include "virtio_net.h"

/* Per queue pair: what was taken from TX and delivered to RX. */
struct xv_loopback_stats {
	struct xv_net_q_stats tx;
	struct xv_net_q_stats rx;
};

/* Moves up to @budget frames TX -> RX on queue pair @pair (one copy per
 * frame through a frame buffer, as the AF_XDP path will); flushes and
 * signals. Returns frames moved, or -EIO when a ring is broken. */
int xv_loopback_run(struct xv_vu_dev *dev, unsigned int pair,
		    struct xv_loopback_stats *st, unsigned int budget);

#endif /* XVDPA_LOOPBACK_H */
