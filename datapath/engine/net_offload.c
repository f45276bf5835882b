// SPDX-License-Identifier: GPL-2.0-only
#include <endian.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <string.h>

#include "net_offload.h"

#define IP4_MIN_HLEN 20
#define IP6_HLEN 40
#define TCP_MIN_HLEN 20
#define VLAN_HLEN 4
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80
#define IP4_FRAG_MASK 0x3fff /* MF and the fragment offset */

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)get_be16(p) << 16 | get_be16(p + 2);
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

/*
 * Sums 16-bit words as they lie in memory (host order): the one's
 * complement sum does not care about byte order as long as the result
 * goes back the same way. A trailing odd byte is padded with a zero, so
 * only the last piece of a chained sum may have an odd length.
 */
uint32_t xv_csum_add(const void *buf, uint32_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	unsigned __int128 wide = 0; /* 64-bit words, carries kept above */
	uint64_t acc = sum, q[4];
	uint32_t w;
	uint16_t h = 0;

	for (; len >= 32; p += 32, len -= 32) {
		memcpy(q, p, 32);
		wide += (unsigned __int128)q[0] + q[1] + q[2] + q[3];
	}
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(q, p, 8);
		wide += q[0];
	}
	/* 2^64 is 1 in one's complement arithmetic mod 2^16 - 1 as well. */
	wide = (uint64_t)wide + (wide >> 64);
	wide = (uint64_t)wide + (wide >> 64);
	acc += (uint32_t)wide;
	acc += (uint64_t)wide >> 32;
	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w, p, 4);
		acc += w;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		acc += h;
		p += 2;
		len -= 2;
	}
	if (len) {
		h = 0;
		memcpy(&h, p, 1);
		acc += h;
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint32_t xv_csum_add_at(const void *buf, uint32_t len, uint32_t sum,
			uint32_t off)
{
	uint32_t s = xv_csum_add(buf, len, 0);

	if (off & 1)
		s = s >> 8 |
		    s << 24; /* the same as swapping each word's bytes */
	return xv_csum_add(&s, sizeof(s), sum);
}

uint16_t xv_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* NEEDS_CSUM without GSO: the range must lie inside the frame. */
static enum xv_txo_err parse_csum(const struct virtio_net_hdr *vh,
				  uint32_t flen, uint64_t features,
				  struct xv_txo *o)
{
	uint32_t start = le16toh(vh->csum_start);
	uint32_t off = le16toh(vh->csum_offset);

	if (!(features & XV_TXO_F_CSUM) || start >= flen || flen - start < 2 ||
	    off > flen - start - 2)
		return XV_TXO_BAD_CSUM;
	o->kind = XV_TXO_CSUM;
	o->csum_start = (uint16_t)start;
	o->csum_offset = (uint16_t)off;
	return XV_TXO_OK;
}

/* The GSO type, checked against what was negotiated. */
static enum xv_txo_err gso_kind(uint8_t type, uint64_t features,
				enum xv_txo_kind *kind)
{
	if ((type & VIRTIO_NET_HDR_GSO_ECN) && !(features & XV_TXO_F_ECN))
		return XV_TXO_BAD_GSO;
	switch (type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		*kind = XV_TXO_TSO4;
		return features & XV_TXO_F_TSO4 ? XV_TXO_OK : XV_TXO_BAD_GSO;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		*kind = XV_TXO_TSO6;
		return features & XV_TXO_F_TSO6 ? XV_TXO_OK : XV_TXO_BAD_GSO;
	default: /* UDP, UDP_L4, anything else: not offered */
		return XV_TXO_BAD_GSO;
	}
}

/* The IP header at @off, of the family @kind says: its length into
 * *@ihl; no options on IPv6 (extension headers), no fragments. */
static enum xv_txo_err parse_ip(const uint8_t *h, uint32_t head_len,
				uint32_t off, uint32_t flen,
				enum xv_txo_kind kind, uint32_t *ihl)
{
	const uint8_t *ip = h + off;

	if (kind == XV_TXO_TSO4) {
		if (head_len < off + IP4_MIN_HLEN || ip[0] >> 4 != 4)
			return XV_TXO_BAD_GSO;
		*ihl = (uint32_t)(ip[0] & 0x0f) * 4;
		if (*ihl < IP4_MIN_HLEN || head_len < off + *ihl ||
		    ip[9] != IPPROTO_TCP ||
		    (get_be16(ip + 6) & IP4_FRAG_MASK) ||
		    flen - off > XV_TXO_IP_MAX)
			return XV_TXO_BAD_GSO;
		return XV_TXO_OK;
	}
	*ihl = IP6_HLEN;
	if (head_len < off + IP6_HLEN || ip[0] >> 4 != 6 ||
	    ip[6] != IPPROTO_TCP || flen - off - IP6_HLEN > XV_TXO_IP_MAX)
		return XV_TXO_BAD_GSO;
	return XV_TXO_OK;
}

/* L2 header length and the ethertype after at most one VLAN tag. */
static enum xv_txo_err parse_l2(const uint8_t *h, uint32_t head_len,
				uint32_t *off, uint16_t *proto)
{
	if (head_len < ETH_HLEN)
		return XV_TXO_BAD_GSO;
	*off = ETH_HLEN;
	*proto = get_be16(h + 12);
	if (*proto == ETH_P_8021Q || *proto == ETH_P_8021AD) {
		if (head_len < ETH_HLEN + VLAN_HLEN)
			return XV_TXO_BAD_GSO;
		*proto = get_be16(h + 16);
		*off += VLAN_HLEN;
	}
	return XV_TXO_OK;
}

static enum xv_txo_err parse_gso(const struct virtio_net_hdr *vh,
				 const uint8_t *h, uint32_t head_len,
				 uint32_t flen, uint64_t features,
				 uint32_t max_seg, struct xv_txo *o)
{
	uint32_t l3, ihl, l4, hlen, mss = le16toh(vh->gso_size), nsegs;
	enum xv_txo_kind kind = XV_TXO_NONE;
	uint16_t proto;

	if (head_len > flen)
		head_len = flen;
	/* hdr_len is only the guest's hint (headers are parsed here), but
	 * one past the frame is a lie the kernel refuses too. */
	if (le16toh(vh->hdr_len) > flen ||
	    gso_kind(vh->gso_type, features, &kind) || !mss ||
	    parse_l2(h, head_len, &l3, &proto) ||
	    proto != (kind == XV_TXO_TSO4 ? ETH_P_IP : ETH_P_IPV6) ||
	    parse_ip(h, head_len, l3, flen, kind, &ihl))
		return XV_TXO_BAD_GSO;
	l4 = l3 + ihl;
	if (head_len < l4 + TCP_MIN_HLEN)
		return XV_TXO_BAD_GSO;
	hlen = l4 + (uint32_t)(h[l4 + 12] >> 4) * 4;
	if (hlen < l4 + TCP_MIN_HLEN || hlen > head_len ||
	    hlen > XV_TXO_HDR_MAX || flen <= hlen || hlen + mss > max_seg)
		return XV_TXO_BAD_GSO;
	nsegs = (flen - hlen + mss - 1) / mss;
	if (nsegs > XV_TXO_MAX_SEGS)
		return XV_TXO_BAD_GSO;
	o->kind = kind;
	o->l3_off = (uint16_t)l3;
	o->l4_off = (uint16_t)l4;
	o->hdr_len = (uint16_t)hlen;
	o->mss = (uint16_t)mss;
	o->nsegs = (uint16_t)nsegs;
	return XV_TXO_OK;
}

enum xv_txo_err xv_txo_parse(const struct virtio_net_hdr *vh,
			     const uint8_t *head, uint32_t head_len,
			     uint32_t flen, uint64_t features, uint32_t max_seg,
			     struct xv_txo *o)
{
	memset(o, 0, sizeof(*o));
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return parse_gso(vh, head, head_len, flen, features, max_seg,
				 o);
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return parse_csum(vh, flen, features, o);
	return XV_TXO_OK;
}

void xv_txo_csum_finish(const struct xv_txo *o, uint8_t *f, uint32_t flen)
{
	uint16_t c = xv_csum_fold(
		xv_csum_add(f + o->csum_start, flen - o->csum_start, 0));

	if (!c)
		c = 0xffff; /* UDP: 0 would mean "no checksum" */
	memcpy(f + o->csum_start + o->csum_offset, &c, sizeof(c));
}

/* The IPv4 header of a segment: length, ID, checksum; returns the
 * pseudo-header's sum. */
static uint32_t seg_ip4(const struct xv_txo *o, uint8_t *ip, uint32_t i,
			uint32_t l4len)
{
	uint32_t ihl = (uint32_t)(o->l4_off - o->l3_off);
	uint16_t c;

	put_be16(ip + 2, (uint16_t)(ihl + l4len));
	put_be16(ip + 4, (uint16_t)(get_be16(ip + 4) + i));
	memset(ip + 10, 0, 2);
	c = xv_csum_fold(xv_csum_add(ip, ihl, 0));
	memcpy(ip + 10, &c, sizeof(c));
	return xv_csum_add(ip + 12, 8, 0);
}

/* The IPv6 header of a segment: payload length; returns the
 * pseudo-header's sum. */
static uint32_t seg_ip6(uint8_t *ip, uint32_t l4len)
{
	put_be16(ip + 4, (uint16_t)l4len);
	return xv_csum_add(ip + 8, 32, 0);
}

uint32_t xv_txo_seg_headers(const struct xv_txo *o, uint8_t *seg, uint32_t i,
			    uint32_t plen)
{
	uint8_t *ip = seg + o->l3_off, *th = seg + o->l4_off;
	uint32_t l4len = (uint32_t)(o->hdr_len - o->l4_off) + plen, sum;
	uint16_t word;

	sum = o->kind == XV_TXO_TSO4 ? seg_ip4(o, ip, i, l4len) :
				       seg_ip6(ip, l4len);
	word = htons(IPPROTO_TCP);
	sum = xv_csum_add(&word, 2, sum);
	word = htons((uint16_t)l4len);
	sum = xv_csum_add(&word, 2, sum);
	put_be32(th + 4, get_be32(th + 4) + i * (uint32_t)o->mss);
	if (i + 1 < o->nsegs)
		th[13] &= (uint8_t) ~(TCP_FIN | TCP_PSH);
	if (i)
		th[13] &= (uint8_t)~TCP_CWR;
	memset(th + 16, 0, 2);
	return sum;
}

void xv_txo_seg_csum(const struct xv_txo *o, uint8_t *seg, uint32_t sum)
{
	uint16_t c = xv_csum_fold(sum);

	memcpy(seg + o->l4_off + 16, &c, sizeof(c));
}

void xv_txo_seg_csum_partial(const struct xv_txo *o, uint8_t *seg, uint32_t sum)
{
	uint16_t c = (uint16_t)~xv_csum_fold(sum);

	memcpy(seg + o->l4_off + 16, &c, sizeof(c));
}

void xv_txo_seg_finish(const struct xv_txo *o, uint8_t *seg, uint32_t i,
		       uint32_t plen)
{
	uint32_t l4len = (uint32_t)(o->hdr_len - o->l4_off) + plen;
	uint32_t sum = xv_txo_seg_headers(o, seg, i, plen);

	xv_txo_seg_csum(o, seg, xv_csum_add(seg + o->l4_off, l4len, sum));
}
