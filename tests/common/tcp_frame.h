/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TCP frames with a guest's GSO request, for the unit tests of transmit
 * offloads (header-only): Ethernet (optionally one VLAN tag), IPv4 or
 * IPv6, TCP with 12 bytes of options, a payload whose byte i is
 * i * 7 + 3, and the virtio_net_hdr a Linux guest would write.
 */
#ifndef XVDPA_TESTS_TCP_FRAME_H
#define XVDPA_TESTS_TCP_FRAME_H

#include <endian.h>
#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define FRAME_MAX 70000

struct gso_frame {
	uint8_t b[FRAME_MAX];
	uint32_t len;
	uint32_t l3, l4, hdr_len;
	struct virtio_net_hdr vh;
};

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/*
 * A TCP frame of @payload bytes (byte i of the payload is i * 7 + 3),
 * over IPv4 (@v6 false) or IPv6, with @vlan a tag before it, TCP with 12
 * bytes of options, flags @flags, and a GSO header for @mss.
 */
static inline void mk_tcp(struct gso_frame *f, bool v6, bool vlan,
			  uint32_t payload, uint16_t mss, uint8_t flags)
{
	uint8_t *p = f->b, *ip, *th;
	uint32_t i, l4len;

	memset(f, 0, sizeof(*f));
	memcpy(p, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	f->l3 = 14;
	if (vlan) {
		put16(p + 12, 0x8100);
		put16(p + 14, 100);
		f->l3 = 18;
	}
	put16(p + f->l3 - 2, v6 ? 0x86dd : 0x0800);
	ip = p + f->l3;
	if (v6) {
		ip[0] = 0x60;
		ip[6] = 6; /* TCP */
		ip[7] = 64;
		for (i = 0; i < 16; i++) {
			ip[8 + i] = (uint8_t)(0x20 + i);
			ip[24 + i] = (uint8_t)(0x40 + i);
		}
		f->l4 = f->l3 + 40;
	} else {
		ip[0] = 0x45;
		put16(ip + 4, 0x1234); /* ID */
		put16(ip + 10, 0x5555); /* header checksum: redone */
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
		f->l4 = f->l3 + 20;
	}
	th = p + f->l4;
	put16(th, 40000);
	put16(th + 2, 5201);
	memcpy(th + 4, "\xff\xff\xf0\x00", 4); /* wraps while segmenting */
	th[12] = 8 << 4; /* 32 bytes: 12 of options */
	th[13] = flags;
	put16(th + 14, 65535);
	put16(th + 16, 0xabcd); /* what the guest left: never trusted */
	memset(th + 20, 1, 12); /* NOPs */
	f->hdr_len = f->l4 + 32;
	for (i = 0; i < payload; i++)
		p[f->hdr_len + i] = (uint8_t)(i * 7 + 3);
	f->len = f->hdr_len + payload;
	l4len = f->len - f->l4;
	if (v6)
		put16(ip + 4, (uint16_t)l4len);
	else
		put16(ip + 2, (uint16_t)(f->len - f->l3));
	f->vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	f->vh.gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
			      VIRTIO_NET_HDR_GSO_TCPV4;
	f->vh.gso_size = htole16(mss);
	f->vh.hdr_len = htole16((uint16_t)f->hdr_len);
	f->vh.csum_start = htole16((uint16_t)f->l4);
	f->vh.csum_offset = htole16(16);
}

#endif /* XVDPA_TESTS_TCP_FRAME_H */
