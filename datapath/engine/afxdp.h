/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The AF_XDP datapath: joins one virtio queue pair of a vhost-user device
 * to one AF_XDP socket. Exactly one copy per packet per direction (UMEM
 * frame <-> guest buffer); batches; no allocation, lock or syscall per
 * packet (the only syscall is the transmit wakeup, once per batch and
 * only when the kernel asks for it).
 */
#ifndef XVDPA_AFXDP_H
#define XVDPA_AFXDP_H

#include "qstats.h"
#include "vhost_user.h"
#include "virtio_net.h"
#include "xsk.h"

/* Network -> guest: up to a batch from the XSK RX ring into the guest's
 * RX queue of @pair. Returns frames taken from the XSK (0: none). */
int xv_afxdp_rx(struct xv_vu_dev *dev, unsigned int pair, struct xv_xsk *x,
		struct xv_chain *c, struct xv_qstats *st);
/* Guest -> network: up to a batch from the guest's TX queue into the XSK
 * TX ring. Returns frames sent. */
int xv_afxdp_tx(struct xv_vu_dev *dev, unsigned int pair, struct xv_xsk *x,
		struct xv_chain *c, struct xv_qstats *st);

#endif /* XVDPA_AFXDP_H */
