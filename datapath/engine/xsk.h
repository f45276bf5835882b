/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One AF_XDP socket on one netdev queue, with its own UMEM: half of the
 * frames feed the fill ring (receive), half are a free list for transmit.
 * The redirect program (bpf/xsk_redirect.bpf.c) is loaded and attached by
 * xv_xsk_port_open(), without libxdp's dispatcher, so it works where
 * freplace programs cannot load.
 *
 * Multi-queue: queue pair p of a device is the XSK on netdev queue p, each
 * with a UMEM of its own rather than one shared UMEM with per-queue fill
 * and completion rings. Each queue's frames, rings and free list then
 * belong to one socket only: no frame ever moves between queues, so
 * nothing needs a lock or an atomic if queues are later spread over
 * threads, and a queue that leaks or stalls cannot starve the others. The
 * cost is memory (8 MiB per queue), not copies: copy mode (the only mode
 * on veth) copies into and out of the UMEM either way.
 */
#ifndef XVDPA_XSK_H
#define XVDPA_XSK_H

#include <stdbool.h>
#include <stdint.h>
#include <xdp/xsk.h>

#define XV_XSK_FRAME_SIZE 2048
/* Multi-buffer AF_XDP (Linux 6.6): a packet over several UMEM frames, each
 * descriptor but the last marked XDP_PKT_CONTD. Debian 12's uapi headers
 * predate it. */
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)
#endif
/* The largest packet vdpad takes in or out of a multi-buffer socket: MTU
 * 9000 and an Ethernet header with a VLAN tag, in whole frames. */
#define XV_XSK_PKT_MAX (5 * XV_XSK_FRAME_SIZE)
/* TX metadata (Linux 6.8): struct xsk_tx_metadata, right before a TX
 * frame's data, asks the kernel to finish a checksum. Debian 12's uapi
 * headers predate it. With it, transmit data starts XV_XSK_TX_DATA_OFF
 * bytes into each UMEM frame (a cache line: copies stay aligned), the
 * metadata just before. */
#define XV_XSK_TXMD_LEN 24
#define XV_XSK_TX_DATA_OFF 64
#ifndef XDP_TX_METADATA
#define XDP_TX_METADATA (1 << 1)
#endif
#define XV_TXMD_FLAGS_CHECKSUM (1 << 1)
struct xv_tx_metadata {
	__u64 flags;
	__u16 csum_start; /* from the frame's data */
	__u16 csum_offset; /* from csum_start */
	__u32 pad;
	__u64 launch_time;
};
_Static_assert(sizeof(struct xv_tx_metadata) == XV_XSK_TXMD_LEN,
	       "struct xsk_tx_metadata is 24 bytes");
#define XV_XSK_NUM_FRAMES 4096
#define XV_XSK_RING_SIZE 2048
#define XV_XSK_BATCH 64 /* transmit: frames per round */
#define XV_XSK_RX_BATCH 128 /* receive: frames per round and fill refill */
/* Copy mode sends at most this many frames per wakeup (the kernel's
 * XDP_MAX_TX_SKB_BUDGET, 6.17 on; older kernels keep 32). */
#define XV_XSK_TX_BUDGET 128

struct xsk_redirect;

struct xv_xsk {
	void *maps[4]; /* the rings' mappings (xsk_sock.c) */
	size_t map_lens[4];
	struct xsk_ring_prod fq;
	struct xsk_ring_cons cq;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	uint8_t *area;
	uint64_t area_len;
	uint64_t free_frames[XV_XSK_NUM_FRAMES / 2]; /* for transmit */
	uint32_t nfree;
	uint32_t tx_outstanding; /* submitted, completion not yet seen */
	bool sg; /* bound with XDP_USE_SG: packets may span frames */
	bool txmd; /* TX metadata: the kernel finishes checksums asked for */
	uint32_t rx_part; /* RX: bytes of a packet that spans frames, so far */
	uint8_t rx_pkt[XV_XSK_PKT_MAX]; /* ... gathered here */
	uint64_t tx_wakeups; /* sendto calls that woke the kernel's TX */
	int fd;
};

/* The netdev side of a device: the program and one XSK per queue. */
struct xv_xsk_port {
	char ifname[16];
	int ifindex;
	unsigned int nqueues;
	struct xsk_redirect *prog;
	struct bpf_link *link;
	struct xv_xsk q[8];
};

/* Receive queues of @ifname (ethtool channels: combined + rx-only; sysfs
 * when the driver has no channels). */
/* Binds queues 0..@nqueues-1 of @ifname; refuses (-ERANGE, logged) more
 * queues than the netdev has. */
int xv_xsk_port_open(struct xv_xsk_port *port, const char *ifname,
		     unsigned int nqueues);
void xv_xsk_port_close(struct xv_xsk_port *port);

/* Returns completed transmit frames to the free list. */
static inline void xv_xsk_reclaim(struct xv_xsk *x)
{
	uint32_t idx, n, i;

	if (!x->tx_outstanding)
		return;
	n = xsk_ring_cons__peek(&x->cq, XV_XSK_RING_SIZE, &idx);
	/* The frame's start: data began XV_XSK_TX_DATA_OFF into it (txmd). */
	for (i = 0; i < n; i++)
		x->free_frames[x->nfree++] =
			*xsk_ring_cons__comp_addr(&x->cq, idx + i) &
			~(uint64_t)(XV_XSK_FRAME_SIZE - 1);
	xsk_ring_cons__release(&x->cq, n);
	x->tx_outstanding -= n;
}

/* Descriptors in the TX ring the kernel has not taken yet. */
static inline uint32_t xv_xsk_tx_pending(const struct xv_xsk *x)
{
	return *x->tx.producer -
	       __atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE);
}

void xv_xsk_wake_tx(struct xv_xsk *x);

/* The socket, UMEM (x->area) and rings on @ifindex queue @queue, with
 * multi-buffer (@sg) and TX metadata (@txmd) or without. */
int xv_xsk_sock_open(struct xv_xsk *x, int ifindex, unsigned int queue, bool sg,
		     bool txmd);
void xv_xsk_sock_close(struct xv_xsk *x);

/* Tells the kernel to transmit: only when it asked for it and something
 * is in the ring (frames it took but has not completed need no wakeup). */
static inline void xv_xsk_kick_tx(struct xv_xsk *x)
{
	if (xsk_ring_prod__needs_wakeup(&x->tx) && xv_xsk_tx_pending(x))
		xv_xsk_wake_tx(x);
}

/* What the kernel dropped on this socket's rings (XDP_STATISTICS). */
struct xv_xsk_kstats {
	uint64_t rx_dropped; /* no room in the UMEM / fill ring empty */
	uint64_t rx_ring_full; /* we did not drain the RX ring in time */
	uint64_t rx_fill_ring_empty;
	uint64_t rx_invalid_descs;
	uint64_t tx_invalid_descs;
};

int xv_xsk_kstats(const struct xv_xsk *x, struct xv_xsk_kstats *st);
/* The kernel's counters summed over @port's queues (zeros: none open). */
void xv_xsk_port_kstats(const struct xv_xsk_port *port,
			struct xv_xsk_kstats *sum);

#endif /* XVDPA_XSK_H */
