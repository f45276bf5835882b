/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a device's queue pairs are joined to: one table of operations per
 * kind (AF_XDP: afxdp.c, loopback: loopback.c). The datapath calls them
 * once per queue pair and batch, never per frame.
 */
#ifndef XVDPA_BACKEND_H
#define XVDPA_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "qstats.h"
#include "vhost_user.h"
#include "xsk.h"

struct xv_backend;

/* What one poll of a queue pair did besides moving frames. */
struct xv_poll_extra {
	bool pending; /* work left: completions awaited, bad chains dropped */
	bool woke; /* a TX wakeup (sendto) was made */
};

/* The backend's own counters, besides the per-pair xv_qstats. */
struct xv_backend_stats {
	bool kernel; /* @k holds the kernel's counters (AF_XDP) */
	struct xv_xsk_kstats k;
	uint64_t tx_wakeups; /* syscalls that woke the kernel's TX */
};

struct xv_backend_ops {
	const char *name; /* "afxdp", "loopback" */
	bool uses_netdev; /* bound to a netdev (SPEC netdev=IFNAME) */
	/* The transmit offloads it does (of XV_TXO_FEATURES): not offered
	 * to the guests of a backend without them. */
	uint64_t tx_features;
	/* Binds @netdev's queues 0..@npairs-1 (control thread). */
	int (*start)(struct xv_backend *b, const char *netdev,
		     unsigned int npairs);
	/* Undoes start; harmless when not started. */
	void (*stop)(struct xv_backend *b);
	/* Queue pair @p once, backend -> guest and guest -> backend, under
	 * the device's lock (datapath thread); returns frames moved. */
	int (*poll)(struct xv_backend *b, struct xv_vu_dev *vu, unsigned int p,
		    struct xv_chain *c, struct xv_qstats *st,
		    struct xv_poll_extra *e);
	/* Fills @st (any thread: counters are read relaxed). */
	void (*stats)(const struct xv_backend *b, struct xv_backend_stats *st);
	/* The fds a sleeping datapath thread waits on besides the guest's
	 * kicks, at most @max; returns how many. */
	unsigned int (*fds)(const struct xv_backend *b, int *fds,
			    unsigned int max);
};

struct xv_backend {
	const struct xv_backend_ops *ops;
	struct xv_xsk_port port; /* AF_XDP's */
	bool watched; /* its fds are in the datapath thread's epoll set */
};

extern const struct xv_backend_ops xv_afxdp_backend;
extern const struct xv_backend_ops xv_loopback_backend;

/* The backend of a device bound to @netdev ("" or NULL: loopback). */
const struct xv_backend_ops *xv_backend_for(const char *netdev);

#endif /* XVDPA_BACKEND_H */
