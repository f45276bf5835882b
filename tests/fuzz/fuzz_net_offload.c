// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the guest's transmit offload requests
 * (datapath/engine/net_offload.c): a virtio_net_hdr, the negotiated
 * features and a frame, all from the input. Whatever the parser accepts
 * must come out right: a checksum finished inside the frame; for TSO,
 * segments that each fit the largest frame allowed, whose payloads add up
 * to the frame's, and whose IPv4 header and TCP checksums verify. Each
 * segment is built in a buffer of exactly that size, so ASan sees any
 * byte written past it.
 *
 * Input layout:
 *   [0] flags  [1] gso_type  [2..3] gso_size  [4..5] csum_start
 *   [6..7] csum_offset (little endian, as the guest writes them)
 *   [8] features: bit 0 CSUM, 1 HOST_TSO4, 2 HOST_TSO6, 3 HOST_ECN
 *   [9..10] the largest frame (60 + value mod 9000)
 *   then the frame.
 */
#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_offload.h"

#define IN_HDR 11

#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c)) {                                                \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, \
				#c);                                       \
			abort();                                           \
		}                                                          \
	} while (0)

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint64_t features_of(uint8_t b)
{
	return ((b & 1) ? XV_TXO_F_CSUM : 0) | ((b & 2) ? XV_TXO_F_TSO4 : 0) |
	       ((b & 4) ? XV_TXO_F_TSO6 : 0) | ((b & 8) ? XV_TXO_F_ECN : 0);
}

/* Segment @seg of @len bytes verifies as a receiver checks it. */
static void check_seg(const struct xv_txo *o, const uint8_t *seg, uint32_t len)
{
	const uint8_t *ip = seg + o->l3_off, *th = seg + o->l4_off;
	uint32_t l4len = len - o->l4_off, sum;
	uint16_t w[2] = { htobe16(6), htobe16((uint16_t)l4len) };

	if (o->kind == XV_TXO_TSO4) {
		CHECK(be16(ip + 2) == len - o->l3_off);
		CHECK(!xv_csum_fold(xv_csum_add(ip, o->l4_off - o->l3_off, 0)));
		sum = xv_csum_add(ip + 12, 8, 0);
	} else {
		CHECK(be16(ip + 4) == l4len);
		sum = xv_csum_add(ip + 8, 32, 0);
	}
	sum = xv_csum_add(w, 4, sum);
	CHECK(!xv_csum_fold(xv_csum_add(th, l4len, sum)));
}

static void run_tso(const struct xv_txo *o, const uint8_t *f, uint32_t flen,
		    uint32_t max_seg)
{
	uint32_t i, plen, done = 0;
	uint8_t *seg;

	CHECK(o->hdr_len < flen && o->hdr_len <= XV_TXO_HDR_MAX);
	CHECK(o->l3_off < o->l4_off && o->l4_off < o->hdr_len);
	CHECK(o->mss && o->hdr_len + o->mss <= max_seg);
	CHECK(o->nsegs >= 1 && o->nsegs <= XV_TXO_MAX_SEGS);
	for (i = 0; i < o->nsegs; i++) {
		plen = xv_txo_seg_payload(o, flen, i);
		CHECK(plen >= 1 && plen <= o->mss);
		seg = malloc(o->hdr_len + plen);
		CHECK(seg);
		memcpy(seg, f, o->hdr_len);
		memcpy(seg + o->hdr_len, f + o->hdr_len + done, plen);
		xv_txo_seg_finish(o, seg, i, plen);
		check_seg(o, seg, o->hdr_len + plen);
		CHECK(!memcmp(seg + o->hdr_len, f + o->hdr_len + done, plen));
		free(seg);
		done += plen;
	}
	CHECK(done == flen - o->hdr_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr vh = { 0 };
	uint32_t flen, max_seg, head;
	struct xv_txo o;
	uint8_t *f;

	if (size < IN_HDR || size - IN_HDR > 70000)
		return 0;
	vh.flags = data[0];
	vh.gso_type = data[1];
	memcpy(&vh.gso_size, data + 2, 2);
	memcpy(&vh.csum_start, data + 4, 2);
	memcpy(&vh.csum_offset, data + 6, 2);
	max_seg = 60 + (uint32_t)(data[9] | data[10] << 8) % 9000;
	flen = (uint32_t)(size - IN_HDR);
	/* The frame in a buffer of its own size: ASan sees reads past it. */
	f = malloc(flen ? flen : 1);
	CHECK(f);
	memcpy(f, data + IN_HDR, flen);
	head = flen < XV_TXO_HDR_MAX ? flen : XV_TXO_HDR_MAX;
	switch (xv_txo_parse(&vh, f, head, flen, features_of(data[8]), max_seg,
			     &o)) {
	case XV_TXO_OK:
		if (o.kind == XV_TXO_CSUM) {
			CHECK(o.csum_start + o.csum_offset + 2u <= flen);
			xv_txo_csum_finish(&o, f, flen);
		} else if (o.kind != XV_TXO_NONE) {
			run_tso(&o, f, flen, max_seg);
		}
		break;
	case XV_TXO_BAD_CSUM:
	case XV_TXO_BAD_GSO:
		break;
	}
	free(f);
	return 0;
}
