/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Transmit offloads a guest may ask for in its virtio_net_hdr, done in
 * software while vdpad copies the frame anyway: the checksum it left
 * (VIRTIO_NET_F_CSUM, NEEDS_CSUM) and TCP segmentation (HOST_TSO4/6,
 * HOST_ECN). The header is the guest's and may be hostile: nothing in it
 * is trusted; headers are parsed from the frame itself.
 *
 * Pure functions over buffers (no ring, no allocation, no syscall), so
 * that the unit tests and the fuzzer drive them directly.
 */
#ifndef XVDPA_NET_OFFLOAD_H
#define XVDPA_NET_OFFLOAD_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stdint.h>

/* Headers a GSO frame may have (Ethernet + VLAN + IPv6 or IPv4 with
 * options + TCP with options); the parser reads at most this many. */
#define XV_TXO_HDR_MAX 256
/* Segments one GSO frame may become: a 64 KB frame down to an MSS of
 * 256 bytes. More is refused (bad_gso). */
#define XV_TXO_MAX_SEGS 256
/* The largest IP packet a GSO frame may carry (its length fields are
 * 16 bits: no BIG TCP). */
#define XV_TXO_IP_MAX 65535

enum xv_txo_kind {
	XV_TXO_NONE = 0, /* nothing to do: copy as it is */
	XV_TXO_CSUM, /* finish the checksum at csum_start + csum_offset */
	XV_TXO_TSO4, /* segment: TCP over IPv4 */
	XV_TXO_TSO6, /* segment: TCP over IPv6 */
};

/* Why a frame's offload request is refused (the caller counts it). */
enum xv_txo_err {
	XV_TXO_OK = 0,
	XV_TXO_BAD_CSUM, /* csum_start/offset outside the frame, or not offered */
	XV_TXO_BAD_GSO, /* gso type, size, headers or length impossible */
};

/* The virtio features that enable these offloads. */
#define XV_TXO_F_CSUM (1ULL << VIRTIO_NET_F_CSUM)
#define XV_TXO_F_TSO4 (1ULL << VIRTIO_NET_F_HOST_TSO4)
#define XV_TXO_F_TSO6 (1ULL << VIRTIO_NET_F_HOST_TSO6)
#define XV_TXO_F_ECN (1ULL << VIRTIO_NET_F_HOST_ECN)
#define XV_TXO_FEATURES \
	(XV_TXO_F_CSUM | XV_TXO_F_TSO4 | XV_TXO_F_TSO6 | XV_TXO_F_ECN)

/* A checked request: what to do with the frame, and where. */
struct xv_txo {
	enum xv_txo_kind kind;
	uint16_t csum_start; /* CSUM */
	uint16_t csum_offset;
	uint16_t l3_off; /* TSO: the IP header */
	uint16_t l4_off; /* TSO: the TCP header */
	uint16_t hdr_len; /* TSO: every header, copied to each segment */
	uint16_t mss; /* TSO: payload bytes per segment (the last: fewer) */
	uint16_t nsegs; /* TSO: segments the frame becomes */
};

/*
 * Checks the request of @vh for a frame of @flen bytes whose first
 * @head_len bytes (at least min(@flen, XV_TXO_HDR_MAX)) are @head,
 * against the @features negotiated and @max_seg, the largest frame that
 * may leave (MTU plus Ethernet and VLAN headers). On XV_TXO_OK, @o says
 * what to do.
 */
enum xv_txo_err xv_txo_parse(const struct virtio_net_hdr *vh,
			     const uint8_t *head, uint32_t head_len,
			     uint32_t flen, uint64_t features, uint32_t max_seg,
			     struct xv_txo *o);

/* Finishes the checksum of the whole frame @f (XV_TXO_CSUM), in place. */
void xv_txo_csum_finish(const struct xv_txo *o, uint8_t *f, uint32_t flen);

/* The payload bytes of segment @i of a frame of @flen bytes. */
static inline uint32_t xv_txo_seg_payload(const struct xv_txo *o, uint32_t flen,
					  uint32_t i)
{
	uint32_t done = (uint32_t)i * o->mss, total = flen - o->hdr_len;

	return total - done < o->mss ? total - done : o->mss;
}

/*
 * Segment @i's headers, in @seg (its first hdr_len bytes, a copy of the
 * frame's): IP length, ID and header checksum, TCP sequence number and
 * flags, the TCP checksum field zeroed. Returns the TCP pseudo header's
 * sum, to which the caller adds the TCP header and payload
 * (xv_txo_seg_finish, or piecewise for a segment spread over frames) and
 * then stores with xv_txo_seg_csum.
 */
uint32_t xv_txo_seg_headers(const struct xv_txo *o, uint8_t *seg, uint32_t i,
			    uint32_t plen);
void xv_txo_seg_csum(const struct xv_txo *o, uint8_t *seg, uint32_t sum);
/* Or, for whoever finishes it (NEEDS_CSUM style): the pseudo header's
 * sum @sum, folded and not complemented, in the TCP checksum field. */
void xv_txo_seg_csum_partial(const struct xv_txo *o, uint8_t *seg,
			     uint32_t sum);

/*
 * Makes @seg segment @i of the frame: @seg holds the frame's headers
 * (its first hdr_len bytes) followed by that segment's payload (@plen
 * bytes). Fixes the IP length and ID (IPv4: the frame's ID plus @i) and
 * header checksum, the TCP sequence number and flags (FIN and PSH only
 * on the last segment, CWR only on the first), and the TCP checksum.
 */
void xv_txo_seg_finish(const struct xv_txo *o, uint8_t *seg, uint32_t i,
		       uint32_t plen);

/* The Internet checksum's running sum over @len bytes of @buf. */
uint32_t xv_csum_add(const void *buf, uint32_t len, uint32_t sum);
/* The folded, complemented checksum of @sum, as it goes on the wire. */
uint16_t xv_csum_fold(uint32_t sum);
/* @sum plus the sum of @len bytes at @buf that lie @off bytes into the
 * checksummed range: with an odd @off their bytes sit the other way round
 * in its 16-bit words. */
uint32_t xv_csum_add_at(const void *buf, uint32_t len, uint32_t sum,
			uint32_t off);

#endif /* XVDPA_NET_OFFLOAD_H */
