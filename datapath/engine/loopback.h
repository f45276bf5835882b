/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XVDPA_LOOPBACK_H
#define XVDPA_LOOPBACK_H

#include "qstats.h"
#include "vhost_user.h"
#include "virtio_net.h"

/* Moves up to @budget frames TX -> RX on queue pair @pair (one copy per
 * frame through a frame buffer, as the AF_XDP path will); flushes and
 * signals. Returns frames moved, or -EIO when a ring is broken. */
int xv_loopback_run(struct xv_vu_dev *dev, unsigned int pair,
		    struct xv_qstats *st, unsigned int budget);

/* Frames one poll of a queue pair moves at most. */
#define XV_LOOPBACK_BUDGET 256

#endif /* XVDPA_LOOPBACK_H */
