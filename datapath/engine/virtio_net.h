/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-net on top of a virtqueue: frames in and out of guest buffers,
 * with the virtio_net_hdr (VERSION_1 layout: 12 bytes) and MRG_RXBUF.
 * Data-path code: no allocation, no syscall, no logging; every frame that
 * does not make it is counted by reason.
 */
#ifndef XVDPA_VIRTIO_NET_H
#define XVDPA_VIRTIO_NET_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtq.h"

#define XV_NET_HDR_LEN ((uint32_t)sizeof(struct virtio_net_hdr_mrg_rxbuf))
/* Guest buffers one received frame may be spread over (MRG_RXBUF). */
#define XV_NET_RX_MAX_BUFS 64

enum xv_net_drop {
	XV_NET_DROP_NO_BUFFER = 0, /* RX: the guest posted too few buffers */
	XV_NET_DROP_TOO_BIG, /* RX: frame larger than buffers; TX: > cap */
	XV_NET_DROP_SHORT, /* TX: chain shorter than the virtio-net header */
	XV_NET_DROP_BROKEN, /* the ring is broken: nothing moves */
	XV_NET_DROP_BAD_CSUM, /* TX: NEEDS_CSUM outside the frame, or not offered */
	XV_NET_DROP_BAD_GSO, /* TX: a GSO request that cannot be (net_offload.h) */
	XV_NET_DROP_MAX,
};

struct xv_net_q_stats {
	uint64_t packets; /* frames as the guest sent or got them */
	uint64_t bytes;
	uint64_t drops[XV_NET_DROP_MAX];
	uint64_t csum; /* TX: checksums finished for the guest */
	uint64_t csum_later; /* TX: ... of them left to the kernel to finish */
	uint64_t tso; /* TX: GSO frames segmented */
	uint64_t tso_segs; /* TX: the segments they became */
};

/*
 * Delivers @frame to the guest through RX queue @vq: a zeroed header with
 * num_buffers, then the frame, over as many buffers as MRG_RXBUF (@mrg)
 * allows. Returns 1 delivered, 0 dropped (counted, buffers left to the
 * guest), -EIO when the ring is broken. Pushes; the caller flushes.
 */
int xv_net_rx_put(struct xv_vq *vq, bool mrg, const void *frame, uint32_t len,
		  struct xv_chain *c, struct xv_net_q_stats *st);

/*
 * Takes the next frame the guest transmitted on TX queue @vq into @buf
 * (without the header): returns its length, 0 when the ring is empty,
 * -EIO when broken. xv_net_tx_take with one buffer and no offloads
 * negotiated: a frame that cannot be taken (header only or shorter,
 * larger than @cap, an offload request) is counted, returned to the
 * guest, and the next one is tried, up to XV_NET_TX_MAX_DROPS of them:
 * then 0, so that a guest that keeps posting bad frames cannot keep the
 * caller (and the device lock) for ever.
 */
#define XV_NET_TX_MAX_DROPS 64
int xv_net_tx_get(struct xv_vq *vq, void *buf, uint32_t cap, struct xv_chain *c,
		  struct xv_net_q_stats *st);

/* Frames one guest frame may become: its segments, each of them over as
 * many frames as it fills. A caller offers this many at most. */
#define XV_NET_TX_MAX_FRAMES 256

/* A checksum the frame's consumer (the kernel, through AF_XDP TX
 * metadata) is to finish: from @start to the packet's end, into @offset
 * from @start, the field holding the pseudo header's sum. */
struct xv_net_tx_csum {
	bool on;
	uint16_t start;
	uint16_t offset;
};

/* Where xv_net_tx_take puts what one guest frame becomes. */
struct xv_net_tx_out {
	uint8_t *const *bufs; /* frames to fill, @cap bytes each */
	uint32_t nbufs;
	uint32_t cap;
	uint32_t max_seg; /* the largest frame that may leave (MTU + L2) */
	bool sg; /* a packet may span frames (multi-buffer AF_XDP) */
	bool csum_later; /* checksums may be left to the consumer (@csum) */
	uint64_t features; /* negotiated: which offloads the guest may ask */
	uint32_t *lens; /* out: each frame's length */
	bool *contd; /* out: more frames of the same packet follow */
	struct xv_net_tx_csum *csum; /* out, with @csum_later: per packet,
				      * in its first frame */
	uint32_t pkts; /* out: packets written (segments of a GSO frame) */
	bool no_room; /* out: the next frame needs more than @nbufs... */
	uint32_t need; /* ... this many */
};

/*
 * Takes the next frame the guest transmitted on TX queue @vq into
 * @out->bufs, doing the offloads its header asks for (net_offload.h):
 * one packet, its checksum finished if NEEDS_CSUM; or, for GSO, every
 * segment it becomes. With @out->sg, a packet larger than a frame spans
 * several (contd marks all but its last); without, it is too big. A
 * frame over @max_seg is not copied: it comes back as one frame of its
 * length, for the caller to drop (oversize). Returns how many frames were filled; 0 when the
 * ring is empty, or when the next frame needs more frames than @out has
 * (then @out->no_room is set and the frame stays in the ring); -EIO when
 * the ring is broken. Bad frames are dropped and counted as
 * xv_net_tx_get's, and the next one tried, up to XV_NET_TX_MAX_DROPS.
 */
int xv_net_tx_take(struct xv_vq *vq, struct xv_net_tx_out *out,
		   struct xv_chain *c, struct xv_net_q_stats *st);

const char *xv_net_drop_name(enum xv_net_drop d);

#endif /* XVDPA_VIRTIO_NET_H */
