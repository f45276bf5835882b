// SPDX-License-Identifier: GPL-2.0-only
/* AF_XDP sockets for vdpad: setup and teardown (control path). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ethtool.h"
#include "log.h"
#include "xsk.h"
#include "xsk_redirect.skel.h"

#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9 /* linux/if_xdp.h, 6.17 */
#endif
/* Copy-mode skbs in flight count against the socket's send buffer. */
#define XV_XSK_SNDBUF (4 << 20)

/*
 * Copy mode sends at most its budget per call and answers EAGAIN while
 * more is queued (or while the send buffer is full): go on while the
 * kernel takes descriptors, and stop as soon as it takes none.
 */
void xv_xsk_wake_tx(struct xv_xsk *x)
{
	uint32_t before = xv_xsk_tx_pending(x), now;

	while (before) {
		/* read by the control thread */
		__atomic_store_n(&x->tx_wakeups, x->tx_wakeups + 1,
				 __ATOMIC_RELAXED);
		if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0 ||
		    errno != EAGAIN)
			return;
		now = xv_xsk_tx_pending(x);
		if (now >= before)
			return;
		before = now;
	}
}

int xv_xsk_kstats(const struct xv_xsk *x, struct xv_xsk_kstats *st)
{
	struct xdp_statistics ks = {};
	socklen_t len = sizeof(ks);

	memset(st, 0, sizeof(*st));
	if (x->fd < 0 || getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, &ks, &len))
		return -errno;
	st->rx_dropped = ks.rx_dropped;
	st->rx_ring_full = ks.rx_ring_full;
	st->rx_fill_ring_empty = ks.rx_fill_ring_empty_descs;
	st->rx_invalid_descs = ks.rx_invalid_descs;
	st->tx_invalid_descs = ks.tx_invalid_descs;
	return 0;
}

void xv_xsk_port_kstats(const struct xv_xsk_port *port,
			struct xv_xsk_kstats *sum)
{
	struct xv_xsk_kstats k;
	unsigned int q;

	memset(sum, 0, sizeof(*sum));
	for (q = 0; q < port->nqueues; q++) {
		if (xv_xsk_kstats(&port->q[q], &k))
			continue;
		sum->rx_dropped += k.rx_dropped;
		sum->rx_ring_full += k.rx_ring_full;
		sum->rx_fill_ring_empty += k.rx_fill_ring_empty;
		sum->tx_invalid_descs += k.tx_invalid_descs;
	}
}

static int fill_rx_frames(struct xv_xsk *x)
{
	uint32_t idx, i, n = XV_XSK_NUM_FRAMES / 2;

	if (xsk_ring_prod__reserve(&x->fq, n, &idx) != n)
		return -ENOSPC;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&x->fq, idx + i) =
			(uint64_t)i * XV_XSK_FRAME_SIZE;
	xsk_ring_prod__submit(&x->fq, n);
	/* The other half is for transmit. */
	for (i = 0; i < XV_XSK_NUM_FRAMES / 2; i++)
		x->free_frames[i] = (uint64_t)(n + i) * XV_XSK_FRAME_SIZE;
	x->nfree = XV_XSK_NUM_FRAMES / 2;
	return 0;
}

/* Fewer wakeups per frame where the kernel allows it; best effort. */
static void tune_tx(struct xv_xsk *x)
{
	unsigned int budget = XV_XSK_TX_BUDGET;
	int sndbuf = XV_XSK_SNDBUF;

	if (setsockopt(x->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget,
		       sizeof(budget)))
		xv_dbg("AF_XDP: no XDP_MAX_TX_SKB_BUDGET (%s)",
		       strerror(errno));
	if (setsockopt(x->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
		       sizeof(sndbuf)))
		xv_dbg("AF_XDP: SO_SNDBUFFORCE: %s", strerror(errno));
}

static void xsk_close(struct xv_xsk *x)
{
	xv_xsk_sock_close(x);
	if (x->area)
		munmap(x->area, x->area_len);
	memset(x, 0, sizeof(*x));
	x->fd = -1;
}

static int area_map(struct xv_xsk *x)
{
	x->area_len = (uint64_t)XV_XSK_NUM_FRAMES * XV_XSK_FRAME_SIZE;
	/* Huge pages when there are some: 4 TLB entries for the UMEM instead
	 * of 2048; plain pages otherwise. */
	x->area = mmap(NULL, x->area_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_HUGETLB,
		       -1, 0);
	if (x->area == MAP_FAILED)
		x->area = mmap(NULL, x->area_len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1,
			       0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		return -errno;
	}
	return 0;
}

/*
 * The best socket the kernel gives: TX metadata and multi-buffer (6.8 on),
 * then multi-buffer alone (6.6), then neither: one frame per packet and
 * checksums in software. Each try starts afresh (a failed bind leaves the
 * UMEM registered on its socket).
 */
static int xsk_open_once(struct xv_xsk *x, const char *ifname,
			 unsigned int queue)
{
	static const struct {
		bool sg, txmd;
	} tries[] = { { true, true }, { true, false }, { false, false } };
	int ifindex = (int)if_nametoindex(ifname), err = -ENODEV;
	unsigned int t;

	memset(x, 0, sizeof(*x));
	x->fd = -1;
	if (!ifindex)
		return -ENODEV;
	err = area_map(x);
	for (t = 0; !err && t < sizeof(tries) / sizeof(tries[0]); t++) {
		err = xv_xsk_sock_open(x, ifindex, queue, tries[t].sg,
				       tries[t].txmd);
		if (err != -EINVAL && err != -EOPNOTSUPP)
			break;
	}
	if (!err && t)
		xv_info("%s queue %u: %s", ifname, queue,
			x->sg ? "no AF_XDP TX metadata: checksums in software" :
				"no multi-buffer AF_XDP: frames up to 2048 bytes");
	if (!err)
		err = fill_rx_frames(x);
	if (err) {
		xsk_close(x);
		return err;
	}
	tune_tx(x);
	return 0;
}

/*
 * A queue's previous AF_XDP socket lets go of it in a kernel work item
 * after its owner closed it, so a bind right after another process (or an
 * earlier vdpad) exited can meet EBUSY for a few milliseconds: wait for
 * that, up to XV_XSK_BUSY_WAIT_MS for all the port's queues together. A
 * queue that stays taken is refused.
 * Each try starts afresh: libxdp's failed bind leaves the UMEM's rings
 * set up on its socket.
 */
#define XV_XSK_BUSY_WAIT_MS 2000
#define XV_XSK_BUSY_STEP_MS 20
_Static_assert(XV_XSK_BUSY_WAIT_MS % XV_XSK_BUSY_STEP_MS == 0,
	       "the wait is counted down in whole steps");

/* @wait_ms: what is left of the port's whole wait (the control thread
 * waits here, so the wait is bounded per port, not per queue). */
static int xsk_open(struct xv_xsk *x, const char *ifname, unsigned int queue,
		    unsigned int *wait_ms)
{
	bool told = false;
	int err;

	while ((err = xsk_open_once(x, ifname, queue)) == -EBUSY && *wait_ms) {
		if (!told)
			xv_info("%s queue %u is busy: waiting for its last "
				"AF_XDP socket to go",
				ifname, queue);
		told = true;
		usleep(XV_XSK_BUSY_STEP_MS * 1000);
		*wait_ms -= XV_XSK_BUSY_STEP_MS;
	}
	return err; /* the caller says which queue failed, and why */
}

/* mq=N needs N receive queues on the netdev: say so clearly. */
static int check_queues(const char *ifname, unsigned int nqueues)
{
	unsigned int have;
	int err = xv_ethtool_rx_queues(ifname, &have);

	if (err) {
		xv_err("cannot count the queues of %s: %s", ifname,
		       strerror(-err));
		return err;
	}
	if (nqueues <= have)
		return 0;
	xv_err("netdev %s has %u queue%s: mq=%u needs %u (one per queue pair)",
	       ifname, have, have == 1 ? "" : "s", nqueues, nqueues);
	return -ERANGE;
}

void xv_xsk_port_close(struct xv_xsk_port *port)
{
	unsigned int i;

	for (i = 0; i < port->nqueues; i++)
		xsk_close(&port->q[i]);
	bpf_link__destroy(port->link);
	xsk_redirect__destroy(port->prog);
	port->link = NULL;
	port->prog = NULL;
	port->nqueues = 0;
}

int xv_xsk_port_open(struct xv_xsk_port *port, const char *ifname,
		     unsigned int nqueues)
{
	unsigned int i, wait_ms = XV_XSK_BUSY_WAIT_MS;
	__u32 key;
	int err, fd;

	memset(port, 0, sizeof(*port));
	if (!nqueues || nqueues > sizeof(port->q) / sizeof(port->q[0]) ||
	    strlen(ifname) >= sizeof(port->ifname))
		return -EINVAL;
	strcpy(port->ifname, ifname);
	port->ifindex = (int)if_nametoindex(ifname);
	if (!port->ifindex) {
		xv_err("netdev %s does not exist", ifname);
		return -ENODEV;
	}
	err = check_queues(ifname, nqueues);
	if (err)
		return err;
	port->prog = xsk_redirect__open_and_load();
	if (!port->prog)
		return -errno;
	port->link = bpf_program__attach_xdp(port->prog->progs.xv_xsk_redirect,
					     port->ifindex);
	if (!port->link) {
		err = -errno;
		xv_err("XDP attach refused on %s: %s", ifname, strerror(-err));
		goto err_close;
	}
	for (i = 0; i < nqueues; i++) {
		err = xsk_open(&port->q[i], ifname, i, &wait_ms);
		if (err) {
			xv_err("AF_XDP socket on %s queue %u: %s", ifname, i,
			       strerror(-err));
			goto err_close;
		}
		port->nqueues = i + 1;
		key = i;
		fd = port->q[i].fd;
		if (bpf_map__update_elem(port->prog->maps.xsks, &key,
					 sizeof(key), &fd, sizeof(fd), 0)) {
			err = -errno;
			goto err_close;
		}
	}
	return 0;

err_close:
	xv_xsk_port_close(port);
	return err;
}
