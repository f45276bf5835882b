// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of datapath/engine/net_offload.c: the guest's transmit
 * offload requests (checksum, TSO over IPv4 and IPv6) checked and done.
 * Every segment is verified as a receiver would: lengths, IDs, sequence
 * numbers, flags, both checksums summed to zero, payload reassembled.
 */
#include <endian.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "net_offload.h"
#include "tcp_frame.h"

#define MTU_SEG (1500 + 18)
#define ALL_TXO XV_TXO_FEATURES

static enum xv_txo_err parse(const struct gso_frame *f, uint64_t features,
			     uint32_t max_seg, struct xv_txo *o)
{
	uint32_t head = f->len < XV_TXO_HDR_MAX ? f->len : XV_TXO_HDR_MAX;

	return xv_txo_parse(&f->vh, f->b, head, f->len, features, max_seg, o);
}

/* The checksum of @len bytes at @p plus the pseudo header: 0 if valid. */
static uint16_t l4_check(const uint8_t *ip, bool v6, const uint8_t *l4,
			 uint32_t len, uint8_t proto)
{
	uint16_t w[2] = { htobe16(proto), htobe16((uint16_t)len) };
	uint32_t sum = v6 ? xv_csum_add(ip + 8, 32, 0) :
			    xv_csum_add(ip + 12, 8, 0);

	sum = xv_csum_add(w, 4, sum);
	return xv_csum_fold(xv_csum_add(l4, len, sum));
}

/* Segments @f and checks every segment against it. */
static void segment_and_check(const struct gso_frame *f, bool v6,
			      uint32_t want_segs)
{
	static uint8_t seg[MTU_SEG], joined[FRAME_MAX];
	const uint8_t *oth = f->b + f->l4;
	uint32_t i, plen, off = 0, seglen;
	struct xv_txo o;

	assert_int_equal(parse(f, ALL_TXO, MTU_SEG, &o), XV_TXO_OK);
	assert_int_equal(o.kind, v6 ? XV_TXO_TSO6 : XV_TXO_TSO4);
	assert_int_equal(o.hdr_len, f->hdr_len);
	assert_int_equal(o.nsegs, want_segs);
	for (i = 0; i < o.nsegs; i++) {
		const uint8_t *ip = seg + f->l3, *th = seg + f->l4;

		plen = xv_txo_seg_payload(&o, f->len, i);
		memcpy(seg, f->b, o.hdr_len);
		memcpy(seg + o.hdr_len, f->b + o.hdr_len + off, plen);
		xv_txo_seg_finish(&o, seg, i, plen);
		seglen = o.hdr_len + plen;
		assert_true(seglen <= MTU_SEG);
		if (v6) {
			assert_int_equal(get16(ip + 4), seglen - f->l4);
		} else {
			assert_int_equal(get16(ip + 2), seglen - f->l3);
			assert_int_equal(get16(ip + 4), 0x1234 + i);
			assert_int_equal(get16(ip + 6), 0x4000);
			assert_int_equal(xv_csum_fold(xv_csum_add(ip, 20, 0)),
					 0);
		}
		assert_int_equal(get32(th + 4), get32(oth + 4) + off);
		assert_int_equal(th[13] & 0x09, /* FIN, PSH */
				 i + 1 == o.nsegs ? oth[13] & 0x09 : 0);
		assert_int_equal(th[13] & 0x80, /* CWR */
				 i ? 0 : oth[13] & 0x80);
		assert_int_equal(th[13] & 0x10, oth[13] & 0x10); /* ACK */
		assert_int_equal(l4_check(ip, v6, th, seglen - f->l4, 6), 0);
		memcpy(joined + off, seg + o.hdr_len, plen);
		off += plen;
	}
	assert_int_equal(off, f->len - f->hdr_len);
	assert_memory_equal(joined, f->b + f->hdr_len, off);
}

static struct gso_frame fr;

static void test_csum_rfc1071(void **state)
{
	const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint16_t c;

	(void)state;
	/* RFC 1071's example: the sum is 0xddf2 in network order. */
	c = xv_csum_fold(xv_csum_add(b, sizeof(b), 0));
	assert_int_equal(be16toh(c), (uint16_t)~0xddf2);
	/* An odd length pads with a zero byte. */
	c = xv_csum_fold(xv_csum_add(b, 3, 0));
	assert_int_equal(be16toh(c), (uint16_t) ~(0x0001 + 0xf200));
}

/* The word-at-a-time sum against the textbook one, every length and
 * alignment up to 300 bytes, then long buffers; and the odd-offset rule. */
static uint16_t naive(const uint8_t *p, uint32_t len)
{
	uint32_t s = 0, i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void test_csum_matches_naive(void **state)
{
	static uint8_t b[9100];
	uint32_t i, len, off, sum;

	(void)state;
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 131 + (i >> 7) * 17 + 0xfe);
	for (off = 0; off < 8; off++)
		for (len = 0; len < 300; len++)
			assert_int_equal(be16toh(xv_csum_fold(
						 xv_csum_add(b + off, len, 0))),
					 naive(b + off, len));
	for (len = 8000; len < 9090; len += 7)
		assert_int_equal(
			be16toh(xv_csum_fold(xv_csum_add(b + 3, len, 0))),
			naive(b + 3, len));
	/* Pieces at odd offsets of the range add up to the whole. */
	for (off = 1; off < 40; off += 3) {
		sum = xv_csum_add_at(b, off, 0, 0);
		sum = xv_csum_add_at(b + off, 9000 - off, sum, off);
		assert_int_equal(be16toh(xv_csum_fold(sum)), naive(b, 9000));
	}
}

static void test_plain_frame_needs_nothing(void **state)
{
	struct xv_txo o;

	(void)state;
	mk_tcp(&fr, false, false, 100, 1448, 0x18);
	fr.vh.flags = 0;
	fr.vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	assert_int_equal(parse(&fr, 0, MTU_SEG, &o), XV_TXO_OK);
	assert_int_equal(o.kind, XV_TXO_NONE);
}

static void test_csum_finish_udp(void **state)
{
	uint8_t *ip, *uh;
	struct xv_txo o;
	uint32_t i, sum;
	uint16_t w[2], part;

	(void)state;
	memset(&fr, 0, sizeof(fr));
	put16(fr.b + 12, 0x0800);
	ip = fr.b + 14;
	ip[0] = 0x45;
	ip[9] = 17;
	memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	uh = ip + 20;
	put16(uh + 4, 8 + 333);
	for (i = 0; i < 333; i++)
		uh[8 + i] = (uint8_t)(i ^ 0x5a);
	fr.len = 14 + 20 + 8 + 333;
	/* What a guest leaves: the pseudo header's sum, not complemented. */
	w[0] = htobe16(17);
	w[1] = htobe16(8 + 333);
	sum = xv_csum_add(w, 4, xv_csum_add(ip + 12, 8, 0));
	part = (uint16_t)~xv_csum_fold(sum);
	memcpy(uh + 6, &part, 2);
	fr.vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	fr.vh.csum_start = htole16(34);
	fr.vh.csum_offset = htole16(6);
	assert_int_equal(parse(&fr, XV_TXO_F_CSUM, MTU_SEG, &o), XV_TXO_OK);
	assert_int_equal(o.kind, XV_TXO_CSUM);
	xv_txo_csum_finish(&o, fr.b, fr.len);
	assert_int_equal(l4_check(ip, false, uh, 8 + 333, 17), 0);
	assert_int_not_equal(get16(uh + 6), 0);
}

static void test_csum_refused(void **state)
{
	struct xv_txo o;

	(void)state;
	mk_tcp(&fr, false, false, 100, 1448, 0x18);
	fr.vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	/* not negotiated */
	assert_int_equal(parse(&fr, 0, MTU_SEG, &o), XV_TXO_BAD_CSUM);
	/* start at the end, offset past it, both at the very edge */
	fr.vh.csum_start = htole16((uint16_t)fr.len);
	assert_int_equal(parse(&fr, ALL_TXO, MTU_SEG, &o), XV_TXO_BAD_CSUM);
	fr.vh.csum_start = htole16((uint16_t)(fr.len - 1));
	fr.vh.csum_offset = 0;
	assert_int_equal(parse(&fr, ALL_TXO, MTU_SEG, &o), XV_TXO_BAD_CSUM);
	fr.vh.csum_start = htole16((uint16_t)(fr.len - 2));
	assert_int_equal(parse(&fr, ALL_TXO, MTU_SEG, &o), XV_TXO_OK);
	fr.vh.csum_offset = htole16(1);
	assert_int_equal(parse(&fr, ALL_TXO, MTU_SEG, &o), XV_TXO_BAD_CSUM);
	fr.vh.csum_start = htole16(34);
	fr.vh.csum_offset = htole16(0xffff);
	assert_int_equal(parse(&fr, ALL_TXO, MTU_SEG, &o), XV_TXO_BAD_CSUM);
}

static void test_tso4_segments(void **state)
{
	(void)state;
	mk_tcp(&fr, false, false, 10000, 1448, 0x19); /* ACK PSH FIN */
	segment_and_check(&fr, false, 7);
	mk_tcp(&fr, false, false, 1448 * 3, 1448, 0x90); /* ACK CWR */
	segment_and_check(&fr, false, 3);
	mk_tcp(&fr, false, false, 100, 1448, 0x18); /* one segment */
	segment_and_check(&fr, false, 1);
}

static void test_tso4_64k(void **state)
{
	(void)state;
	mk_tcp(&fr, false, false, 65535 - 20 - 32, 1448, 0x18);
	segment_and_check(&fr, false, 46);
}

static void test_tso6_segments(void **state)
{
	(void)state;
	mk_tcp(&fr, true, false, 20000, 1428, 0x19);
	segment_and_check(&fr, true, 15);
}

/* The partial form: what the consumer's "checksum from csum_start"
 * then makes of it is the right checksum. */
static void test_tso_partial_finished_later(void **state)
{
	static uint8_t seg[MTU_SEG];
	uint32_t plen, sum, len;
	struct xv_txo o;
	uint16_t c;

	(void)state;
	mk_tcp(&fr, false, false, 3000, 1448, 0x18);
	assert_int_equal(parse(&fr, ALL_TXO, MTU_SEG, &o), XV_TXO_OK);
	plen = xv_txo_seg_payload(&o, fr.len, 1);
	memcpy(seg, fr.b, o.hdr_len);
	memcpy(seg + o.hdr_len, fr.b + o.hdr_len + 1448, plen);
	sum = xv_txo_seg_headers(&o, seg, 1, plen);
	xv_txo_seg_csum_partial(&o, seg, sum);
	len = o.hdr_len + plen;
	c = xv_csum_fold(xv_csum_add(seg + o.l4_off, len - o.l4_off, 0));
	memcpy(seg + o.l4_off + 16, &c, 2); /* skb_checksum_help's work */
	assert_int_equal(l4_check(seg + o.l3_off, false, seg + o.l4_off,
				  len - o.l4_off, 6),
			 0);
}

static void test_tso_vlan_tagged(void **state)
{
	(void)state;
	mk_tcp(&fr, false, true, 5000, 1448, 0x18);
	segment_and_check(&fr, false, 4);
}

static void test_tso_ecn_needs_feature(void **state)
{
	struct xv_txo o;

	(void)state;
	mk_tcp(&fr, false, false, 5000, 1448, 0x98);
	fr.vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	assert_int_equal(parse(&fr, ALL_TXO & ~XV_TXO_F_ECN, MTU_SEG, &o),
			 XV_TXO_BAD_GSO);
	segment_and_check(&fr, false, 4);
}

/* Each mutation of a good TSO frame is refused as bad_gso. */
static void refused(const char *what, uint64_t features, uint32_t max_seg)
{
	struct xv_txo o;

	if (parse(&fr, features, max_seg, &o) != XV_TXO_BAD_GSO)
		fail_msg("%s: accepted", what);
}

static void test_tso_hostile(void **state)
{
	(void)state;
	mk_tcp(&fr, false, false, 5000, 0, 0x18);
	refused("gso_size 0", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, false, false, 5000, 1448, 0x18);
	refused("TSO4 not negotiated", ALL_TXO & ~XV_TXO_F_TSO4, MTU_SEG);
	refused("mss over the MTU", ALL_TXO, 1448 + 66 - 1);
	fr.vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	refused("UFO", ALL_TXO, MTU_SEG);
	fr.vh.gso_type = 5; /* UDP_L4 */
	refused("UDP_L4", ALL_TXO, MTU_SEG);
	fr.vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	refused("TCPV6 on an IPv4 frame", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, false, false, 5000, 1448, 0x18);
	fr.b[14 + 9] = 17;
	refused("GSO TCP on UDP", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, false, false, 5000, 1448, 0x18);
	fr.b[14] = 0x44;
	refused("IHL 4", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, false, false, 5000, 1448, 0x18);
	fr.b[14] = 0x55;
	refused("IPv5", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, false, false, 5000, 1448, 0x18);
	put16(fr.b + 14 + 6, 0x2000);
	refused("a fragment (MF)", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, false, false, 5000, 1448, 0x18);
	fr.b[34 + 12] = 4 << 4;
	refused("TCP data offset 4", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, false, false, 0, 1448, 0x18);
	refused("no payload", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, false, false, 5000, 1448, 0x18);
	fr.vh.hdr_len = htole16((uint16_t)(fr.len + 1));
	refused("hdr_len past the frame", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, false, false, 5000, 1448, 0x18);
	fr.len = 14 + 20 + 10;
	refused("headers past the frame", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, false, false, 65535 - 20 - 32 + 1, 1448, 0x18);
	refused("an IP packet over 64 KB", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, false, false, 60000, 200, 0x18);
	refused("300 segments", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, true, false, 5000, 1448, 0x18);
	fr.b[14 + 6] = 0; /* hop-by-hop options */
	refused("IPv6 extension header", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, true, false, 5000, 1448, 0x18);
	fr.b[14] = 0x40;
	refused("IPv4 version in an IPv6 frame", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, false, false, 5000, 1448, 0x18);
	put16(fr.b + 12, 0x8100);
	put16(fr.b + 16, 0x8100);
	refused("two VLAN tags", ALL_TXO, MTU_SEG);
	mk_tcp(&fr, false, false, 5000, 1448, 0x18);
	fr.len = 12;
	refused("a runt", ALL_TXO, MTU_SEG);
}

static void test_tso_segment_count_edges(void **state)
{
	(void)state;
	mk_tcp(&fr, false, false, 256 * 100, 100, 0x18);
	segment_and_check(&fr, false, XV_TXO_MAX_SEGS);
	mk_tcp(&fr, false, false, 256 * 100 + 1, 100, 0x18);
	refused("257 segments", ALL_TXO, MTU_SEG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_rfc1071),
		cmocka_unit_test(test_csum_matches_naive),
		cmocka_unit_test(test_plain_frame_needs_nothing),
		cmocka_unit_test(test_csum_finish_udp),
		cmocka_unit_test(test_csum_refused),
		cmocka_unit_test(test_tso4_segments),
		cmocka_unit_test(test_tso4_64k),
		cmocka_unit_test(test_tso6_segments),
		cmocka_unit_test(test_tso_vlan_tagged),
		cmocka_unit_test(test_tso_partial_finished_later),
		cmocka_unit_test(test_tso_ecn_needs_feature),
		cmocka_unit_test(test_tso_hostile),
		cmocka_unit_test(test_tso_segment_count_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
