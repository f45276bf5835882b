// SPDX-License-Identifier: GPL-2.0-only
/*
 * An AF_XDP socket, its UMEM and its four rings, made here rather than by
 * libxdp: Debian 12's libxdp (1.3) registers a UMEM with the 6.1 layout of
 * struct xdp_umem_reg, which has no tx_metadata_len, so its sockets cannot
 * carry TX metadata (the checksum request, Linux 6.8 on). The steps are
 * libxdp's (xsk_umem__create, xsk_socket__create); the rings are filled in
 * as libxdp fills them, so its inline ring helpers work on them.
 */
#include <errno.h>
#include <linux/if_xdp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xsk.h"

#ifndef XDP_UMEM_TX_METADATA_LEN
#define XDP_UMEM_TX_METADATA_LEN (1 << 2)
#endif

/* struct xdp_umem_reg as of Linux 6.8 (the field Debian 12's lacks). */
struct xv_umem_reg {
	__u64 addr;
	__u64 len;
	__u32 chunk_size;
	__u32 headroom;
	__u32 flags;
	__u32 tx_metadata_len;
};

enum { MAP_FILL, MAP_COMP, MAP_RX, MAP_TX, NMAPS };

static int ring_map(struct xv_xsk *x, int which, __u64 pgoff,
		    const struct xdp_ring_offset *o, size_t entry)
{
	size_t len = o->desc + (size_t)XV_XSK_RING_SIZE * entry;
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, x->fd, (off_t)pgoff);

	if (m == MAP_FAILED)
		return -errno;
	x->maps[which] = m;
	x->map_lens[which] = len;
	return 0;
}

/* What libxdp sets: the ring's fields from its mapping @m; a producer's
 * cached consumer is ahead by the ring's size (its room), a consumer's is
 * where the kernel's is. (xsk_ring_prod and xsk_ring_cons are one layout
 * with two names.) */
#define RING_INIT(r, m, o, room)                                        \
	do {                                                            \
		(r)->mask = XV_XSK_RING_SIZE - 1;                       \
		(r)->size = XV_XSK_RING_SIZE;                           \
		(r)->producer = (__u32 *)((char *)(m) + (o)->producer); \
		(r)->consumer = (__u32 *)((char *)(m) + (o)->consumer); \
		(r)->flags = (__u32 *)((char *)(m) + (o)->flags);       \
		(r)->ring = (char *)(m) + (o)->desc;                    \
		(r)->cached_prod = *(r)->producer;                      \
		(r)->cached_cons = *(r)->consumer + (room);             \
	} while (0)

static int umem_reg(struct xv_xsk *x, bool txmd)
{
	struct xv_umem_reg mr = {
		.addr = (uintptr_t)x->area,
		.len = x->area_len,
		.chunk_size = XV_XSK_FRAME_SIZE,
		.flags = txmd ? XDP_UMEM_TX_METADATA_LEN : 0,
		.tx_metadata_len = txmd ? XV_XSK_TXMD_LEN : 0,
	};
	int n = XV_XSK_RING_SIZE;

	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n,
		       sizeof(n)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n)) ||
	    setsockopt(x->fd, SOL_XDP, XDP_TX_RING, &n, sizeof(n)))
		return -errno;
	return 0;
}

static int rings_map(struct xv_xsk *x)
{
	struct xdp_mmap_offsets off;
	socklen_t len = sizeof(off);
	int err;

	if (getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len))
		return -errno;
	err = ring_map(x, MAP_FILL, XDP_UMEM_PGOFF_FILL_RING, &off.fr, sizeof(__u64)) ?:
		      ring_map(x, MAP_COMP, XDP_UMEM_PGOFF_COMPLETION_RING, &off.cr, sizeof(__u64)) ?:
		      ring_map(x, MAP_RX, XDP_PGOFF_RX_RING, &off.rx, sizeof(struct xdp_desc)) ?:
		      ring_map(x, MAP_TX, XDP_PGOFF_TX_RING, &off.tx,
			       sizeof(struct xdp_desc));
	if (err)
		return err;
	RING_INIT(&x->fq, x->maps[MAP_FILL], &off.fr, XV_XSK_RING_SIZE);
	RING_INIT(&x->cq, x->maps[MAP_COMP], &off.cr, 0);
	RING_INIT(&x->rx, x->maps[MAP_RX], &off.rx, 0);
	RING_INIT(&x->tx, x->maps[MAP_TX], &off.tx, XV_XSK_RING_SIZE);
	return 0;
}

void xv_xsk_sock_close(struct xv_xsk *x)
{
	unsigned int i;

	for (i = 0; i < NMAPS; i++) {
		if (x->maps[i])
			munmap(x->maps[i], x->map_lens[i]);
		x->maps[i] = NULL;
	}
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
}

int xv_xsk_sock_open(struct xv_xsk *x, int ifindex, unsigned int queue, bool sg,
		     bool txmd)
{
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_flags = XDP_USE_NEED_WAKEUP | (sg ? XDP_USE_SG : 0),
		.sxdp_ifindex = (__u32)ifindex,
		.sxdp_queue_id = queue,
	};
	int err;

	x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (x->fd < 0)
		return -errno;
	err = umem_reg(x, txmd) ?: rings_map(x);
	if (!err && bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)))
		err = -errno;
	if (err) {
		xv_xsk_sock_close(x);
		return err;
	}
	x->sg = sg;
	x->txmd = txmd;
	return 0;
}
