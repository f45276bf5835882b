// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for datapath/engine/virtio_net.c. The fake guest is the one of
 * test_virtq_split.c, cut down: memfd regions shared as a frontend would
 * (two of them adjacent in gpa space but swapped in the fd, so a buffer
 * across their edge maps to two iovecs), and a "driver" that lays out a
 * split ring through its own mapping of the fd and posts chains. The
 * device side is the real split ring (virtq_split.c).
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_driver.h"
#include "tcp_frame.h"

#include "net_offload.h"
#include "virtio_net.h"

_Static_assert(sizeof(struct virtio_net_hdr_mrg_rxbuf) == 12,
	       "VERSION_1 virtio-net header is 12 bytes");

#define FD_LEN 0x130000

enum { R0, R1, R2, NREG };

static const struct xv_mem_region_desc reg[NREG] = {
	/* rings and buffers */
	[R0] = { .gpa = 0x0,
		 .size = 0x100000,
		 .uva = 0x7f0000000000,
		 .mmap_offset = 0x0 },
	/* R1 and R2: adjacent in gpa, swapped in the fd */
	[R1] = { .gpa = 0x100000,
		 .size = 0x10000,
		 .uva = 0x7f1000000000,
		 .mmap_offset = 0x120000 },
	[R2] = { .gpa = 0x110000,
		 .size = 0x10000,
		 .uva = 0x7f2000000000,
		 .mmap_offset = 0x100000 },
};

#define DESC_GPA 0x0
#define AVAIL_GPA 0x80000
#define USED_GPA 0x90000
#define DATA_GPA 0xa0000 /* 384 KiB for buffers */
#define DATA_END 0x100000
#define EDGE_GPA 0x110000 /* the R1 | R2 edge */
#define QSZ 256

#define HDR XV_NET_HDR_LEN
#define POISON 0xaa /* what guest RX buffers hold before the device writes */
#define BUF_POISON 0x55 /* what the caller's TX buffer holds */

struct fx {
	int fd;
	uint8_t *view; /* the driver's own mapping of the whole fd */
	struct sd_mem gm; /* the regions, as the driver sees them */
	struct sd_ring drv; /* the driver's side of the queue */
	uint64_t data_next; /* bump allocator from DATA_GPA, below DATA_END */
	struct xv_guest_mem mem;
	struct xv_vq vq;
	struct xv_chain c;
	struct xv_net_q_stats st;
};

/* ---- the driver ---- */

/* A data buffer of @len bytes holding @data, or POISON. */
static uint64_t drv_alloc(struct fx *f, const void *data, uint32_t len)
{
	uint64_t gpa = f->data_next;

	assert_true(gpa + len <= DATA_END);
	f->data_next = (gpa + len + 15) & ~15ull;
	if (len)
		sd_mem_copy(&f->gm, gpa, len, NULL, data, POISON);
	return gpa;
}

/* ---- fixture ---- */

/* A fresh queue of @size at idx @start (rings zeroed), stats cleared. */
static void vq_setup(struct fx *f, uint16_t size, uint16_t start)
{
	assert_int_equal(sd_ring_map(&f->drv, &f->gm, size, DESC_GPA, AVAIL_GPA,
				     USED_GPA),
			 0);
	sd_ring_reset(&f->drv, start);
	f->data_next = DATA_GPA;
	xv_vq_init(&f->vq);
	f->vq.last_avail_idx = start;
	f->vq.avail_shadow = start;
	f->vq.used_idx = start;
	memset(&f->st, 0, sizeof(f->st));
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, size,
					 sd_uva(&f->gm, DESC_GPA),
					 sd_uva(&f->gm, AVAIL_GPA),
					 sd_uva(&f->gm, USED_GPA)),
			 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	int i;

	assert_non_null(f);
	f->fd = fake_memfd(FD_LEN, &f->view);
	sd_mem_init(&f->gm, f->view, FD_LEN);
	xv_mem_init(&f->mem);
	for (i = 0; i < NREG; i++) {
		sd_mem_add(&f->gm, reg[i].gpa, reg[i].size, reg[i].uva,
			   reg[i].mmap_offset);
		assert_int_equal(xv_mem_add_region(&f->mem, &reg[i], f->fd), 0);
	}
	vq_setup(f, QSZ, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	xv_mem_clear(&f->mem);
	munmap(f->view, FD_LEN);
	close(f->fd);
	free(f);
	return 0;
}

/* ---- helpers ---- */

static int rx(struct fx *f, bool mrg, const void *frame, uint32_t len)
{
	return xv_net_rx_put(&f->vq, mrg, frame, len, &f->c, &f->st);
}

static int tx(struct fx *f, void *buf, uint32_t cap)
{
	return xv_net_tx_get(&f->vq, buf, cap, &f->c, &f->st);
}

static void flush(struct fx *f)
{
	f->vq.ops->flush(&f->vq);
}

static void pattern(uint8_t *p, uint32_t len, uint8_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 13 + (i >> 8));
}

/* A writable (RX) buffer of @len POISON bytes. */
static struct sd_buf wbuf(struct fx *f, uint32_t len)
{
	struct sd_buf b = { drv_alloc(f, NULL, len), len, true };

	return b;
}

/* Posts a one-descriptor RX buffer of @len bytes. */
static uint16_t post_rx(struct fx *f, uint32_t len, struct sd_buf *out)
{
	struct sd_buf b = wbuf(f, len);

	if (out)
		*out = b;
	return sd_post(&f->drv, &b, 1);
}

/* Concatenates the guest bytes of @b[0..n) into @out; returns the count. */
static uint32_t gather(struct fx *f, const struct sd_buf *b, int n,
		       uint8_t *out)
{
	uint32_t off = 0;
	int i;

	for (i = 0; i < n; i++) {
		sd_mem_copy(&f->gm, b[i].gpa, b[i].len, out + off, NULL, 0);
		off += b[i].len;
	}
	return off;
}

/* What the device should write: a zeroed header, num_buffers, the frame. */
static void expected_rx(uint8_t *out, uint16_t nbufs, const uint8_t *frame,
			uint32_t len)
{
	struct virtio_net_hdr_mrg_rxbuf h = { .num_buffers = htole16(nbufs) };

	memcpy(out, &h, HDR);
	memcpy(out + HDR, frame, len);
}

/* @p holds a header as the device writes it, with @nbufs buffers. */
static void hdr_is(const uint8_t *p, uint16_t nbufs)
{
	static const uint8_t zero[10];
	uint16_t got;

	memcpy(&got, p + offsetof(struct virtio_net_hdr_mrg_rxbuf, num_buffers),
	       sizeof(got));
	if (le16toh(got) != nbufs)
		fail_msg("num_buffers is %u (0x%04x), expected %u",
			 le16toh(got), le16toh(got), nbufs);
	assert_memory_equal(p, zero, sizeof(zero));
}

/* Used ring entry at idx @slot (after a flush). */
static void used_is(struct fx *f, uint16_t slot, uint16_t head, uint32_t len)
{
	struct vring_used_elem e = sd_used_elem(&f->drv, slot);

	assert_int_equal(e.id, head);
	assert_int_equal(e.len, len);
}

static void drops_are(struct fx *f, uint64_t no_buffer, uint64_t too_big,
		      uint64_t shrt, uint64_t broken)
{
	assert_int_equal(f->st.drops[XV_NET_DROP_NO_BUFFER], no_buffer);
	assert_int_equal(f->st.drops[XV_NET_DROP_TOO_BIG], too_big);
	assert_int_equal(f->st.drops[XV_NET_DROP_SHORT], shrt);
	assert_int_equal(f->st.drops[XV_NET_DROP_BROKEN], broken);
}

static void stats_are(struct fx *f, uint64_t packets, uint64_t bytes)
{
	assert_int_equal(f->st.packets, packets);
	assert_int_equal(f->st.bytes, bytes);
}

/* Nothing popped for good, nothing pushed, nothing published. */
static void untouched(struct fx *f, uint16_t start)
{
	assert_int_equal(f->vq.last_avail_idx, start);
	assert_int_equal(f->vq.used_idx, start);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), start);
}

/* A loop: 0 → 1 → 0, writable or not. */
static void post_loop(struct fx *f, bool wr)
{
	uint64_t gpa = drv_alloc(f, NULL, 64);

	sd_post_head(&f->drv,
		     sd_add_loop(&f->drv, gpa, 32, wr ? F_WRITE : 0, 2));
}

/* ---- RX: one buffer ---- */

static void test_rx_one_big_buffer(void **state)
{
	struct fx *f = *state;
	uint8_t frame[100];
	int mrg;

	pattern(frame, sizeof(frame), 1);
	for (mrg = 0; mrg < 2; mrg++) {
		struct sd_buf b;
		uint16_t h;
		uint8_t *p;

		vq_setup(f, QSZ, 0);
		h = post_rx(f, 2048, &b);
		post_rx(f, 2048, NULL); /* must stay the guest's */
		assert_int_equal(rx(f, mrg, frame, sizeof(frame)), 1);
		/* Pushed, not yet visible: the caller flushes. */
		assert_int_equal(f->vq.used_idx, 1);
		assert_int_equal(sd_used_idx(&f->drv), 0);
		flush(f);
		assert_int_equal(sd_used_idx(&f->drv), 1);
		used_is(f, 0, h, HDR + sizeof(frame));
		assert_int_equal(f->vq.last_avail_idx, 1);

		p = sd_gptr(&f->gm, b.gpa, b.len);
		hdr_is(p, 1);
		assert_memory_equal(p + HDR, frame, sizeof(frame));
		assert_int_equal(p[HDR + sizeof(frame)], POISON);
		stats_are(f, 1, sizeof(frame));
		drops_are(f, 0, 0, 0, 0);
	}
}

/* The buffer is exactly header + frame; a frame of 0 bytes. */
static void test_rx_exact_fit(void **state)
{
	struct fx *f = *state;
	uint8_t frame[60], want[HDR + 60], got[HDR + 60];
	struct sd_buf b, b0;
	uint16_t h, h0;

	pattern(frame, sizeof(frame), 2);
	h = post_rx(f, HDR + sizeof(frame), &b);
	h0 = post_rx(f, HDR, &b0);
	assert_int_equal(rx(f, false, frame, sizeof(frame)), 1);
	assert_int_equal(rx(f, false, frame, 0), 1);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), 2);
	used_is(f, 0, h, HDR + sizeof(frame));
	used_is(f, 1, h0, HDR);

	expected_rx(want, 1, frame, sizeof(frame));
	gather(f, &b, 1, got);
	assert_memory_equal(got, want, sizeof(want));
	hdr_is(sd_gptr(&f->gm, b0.gpa, HDR), 1);
	stats_are(f, 2, sizeof(frame));
	drops_are(f, 0, 0, 0, 0);
}

/* The device writes only the writable part of a chain. */
static void test_rx_skips_readable(void **state)
{
	struct fx *f = *state;
	uint8_t frame[50], want[HDR + 50], ro[16], got[128];
	struct sd_buf b[2];
	uint16_t h;

	pattern(frame, sizeof(frame), 3);
	pattern(ro, sizeof(ro), 99);
	b[0] = (struct sd_buf){ drv_alloc(f, ro, sizeof(ro)), sizeof(ro),
				false };
	b[1] = wbuf(f, 128);
	h = sd_post(&f->drv, b, 2);
	assert_int_equal(rx(f, true, frame, sizeof(frame)), 1);
	flush(f);
	used_is(f, 0, h, HDR + sizeof(frame));
	assert_memory_equal(sd_gptr(&f->gm, b[0].gpa, sizeof(ro)), ro,
			    sizeof(ro));
	expected_rx(want, 1, frame, sizeof(frame));
	gather(f, &b[1], 1, got);
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(got[sizeof(want)], POISON);
}

/* ---- RX: the single-buffer fast path ---- */

/*
 * Hostile: the guest aims an RX buffer at its own descriptor table, and
 * the next chain's head at the descriptors the frame overwrites. The
 * frame is delivered where the guest asked (its memory, its business),
 * the used entry is the popped chain's, and the garbage the frame left
 * in the table is refused when it is walked, not followed.
 */
static void test_rx_fast_buffer_aliases_desc_table(void **state)
{
	struct fx *f = *state;
	struct sd_buf b = { DESC_GPA + 16 * 8, 1024, true };
	uint8_t frame[200];
	uint16_t h;
	uint8_t *p;

	memset(frame, 0xff, sizeof(frame));
	h = sd_post(&f->drv, &b, 1);
	sd_post_head(&f->drv, 8);
	assert_int_equal(rx(f, true, frame, sizeof(frame)), 1);
	flush(f);
	used_is(f, 0, h, HDR + sizeof(frame));
	p = sd_gptr(&f->gm, b.gpa, HDR + sizeof(frame));
	hdr_is(p, 1);
	assert_memory_equal(p + HDR, frame, sizeof(frame));

	assert_int_equal(rx(f, true, frame, sizeof(frame)), -EIO);
	assert_true(f->vq.broken);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), 1);
	stats_are(f, 1, sizeof(frame));
	drops_are(f, 0, 0, 0, 1);
}

/* A zero-length writable descriptor first: the frame and its header go
 * whole into the next one. */
static void test_rx_fast_zero_len_first_desc(void **state)
{
	struct fx *f = *state;
	uint8_t frame[300], want[HDR + 300], got[1024];
	struct sd_buf b[2] = { { DATA_GPA, 0, true }, wbuf(f, 1024) };
	uint16_t h;
	int mrg;

	pattern(frame, sizeof(frame), 31);
	for (mrg = 0; mrg < 2; mrg++) {
		h = sd_post(&f->drv, b, 2);
		assert_int_equal(rx(f, mrg, frame, sizeof(frame)), 1);
		flush(f);
		used_is(f, (uint16_t)mrg, h, HDR + sizeof(frame));
		expected_rx(want, 1, frame, sizeof(frame));
		gather(f, &b[1], 1, got);
		assert_memory_equal(got, want, sizeof(want));
	}
	stats_are(f, 2, 2 * sizeof(frame));
	drops_are(f, 0, 0, 0, 0);
}

/* Fast, spread, fast: used entries in order, num_buffers right each time
 * (the fast path's header never leaks into the spread frame's). */
static void test_rx_fast_spread_fast(void **state)
{
	struct fx *f = *state;
	uint8_t frame[100], want[HDR + 100], got[2048];
	struct sd_buf b[4];
	uint16_t h[4];
	int i;

	pattern(frame, sizeof(frame), 32);
	h[0] = post_rx(f, 2048, &b[0]);
	h[1] = post_rx(f, 40, &b[1]);
	h[2] = post_rx(f, 40, &b[2]);
	h[3] = post_rx(f, 2048, &b[3]);
	assert_int_equal(rx(f, true, frame, 100), 1);
	assert_int_equal(rx(f, true, frame, 60), 1);
	assert_int_equal(rx(f, true, frame, 100), 1);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), 4);
	used_is(f, 0, h[0], HDR + 100);
	used_is(f, 1, h[1], 40);
	used_is(f, 2, h[2], HDR + 60 - 40);
	used_is(f, 3, h[3], HDR + 100);
	for (i = 0; i < 4; i += 3) {
		expected_rx(want, 1, frame, 100);
		gather(f, &b[i], 1, got);
		assert_memory_equal(got, want, sizeof(want));
	}
	expected_rx(want, 2, frame, 60);
	gather(f, &b[1], 2, got);
	assert_memory_equal(got, want, HDR + 60);
	stats_are(f, 3, 260);
	drops_are(f, 0, 0, 0, 0);
}

/* ---- RX: header or first buffer over several descriptors/iovecs ---- */

/* 5 then 64 writable bytes in one chain: the header spans both. */
static void test_rx_hdr_spans_two_descs(void **state)
{
	struct fx *f = *state;
	uint8_t frame[80], want[HDR + 80], got[128];
	static const uint32_t lens[] = { 50, 57 }; /* 57: exactly 69 */
	unsigned int i;
	int mrg;

	pattern(frame, sizeof(frame), 4);
	for (mrg = 0; mrg < 2; mrg++) {
		for (i = 0; i < 2; i++) {
			struct sd_buf b[2];
			uint16_t h;

			vq_setup(f, QSZ, 0);
			b[0] = wbuf(f, 5);
			b[1] = wbuf(f, 64);
			h = sd_post(&f->drv, b, 2);
			assert_int_equal(rx(f, mrg, frame, lens[i]), 1);
			assert_int_equal(f->c.nin, 2);
			flush(f);
			used_is(f, 0, h, HDR + lens[i]);
			expected_rx(want, 1, frame, lens[i]);
			gather(f, b, 2, got);
			hdr_is(got, 1);
			assert_memory_equal(got, want, HDR + lens[i]);
			if (HDR + lens[i] < 69)
				assert_int_equal(got[HDR + lens[i]], POISON);
			stats_are(f, 1, lens[i]);
			drops_are(f, 0, 0, 0, 0);
		}
	}

	/* The same first buffer, and the frame goes on in a second one. */
	{
		struct sd_buf b[3];
		uint16_t h0, h1;

		vq_setup(f, QSZ, 0);
		b[0] = wbuf(f, 5);
		b[1] = wbuf(f, 64);
		h0 = sd_post(&f->drv, b, 2);
		b[2] = wbuf(f, 32);
		h1 = sd_post(&f->drv, &b[2], 1);
		assert_int_equal(rx(f, true, frame, 80), 1);
		flush(f);
		used_is(f, 0, h0, 69);
		used_is(f, 1, h1, HDR + 80 - 69);
		expected_rx(want, 2, frame, 80);
		gather(f, b, 3, got);
		assert_memory_equal(got, want, sizeof(want));
		assert_int_equal(got[sizeof(want)], POISON);
	}
}

/* The first buffer is three descriptors, the second two. */
static void test_rx_mrg_first_multi_desc(void **state)
{
	struct fx *f = *state;
	uint8_t frame[100], want[HDR + 100], got[128];
	struct sd_buf a[3], b[2];
	uint16_t ha, hb;

	pattern(frame, sizeof(frame), 5);
	a[0] = wbuf(f, 8); /* header: 8 here, 4 in the next */
	a[1] = wbuf(f, 10);
	a[2] = wbuf(f, 30);
	ha = sd_post(&f->drv, a, 3);
	b[0] = wbuf(f, 16);
	b[1] = wbuf(f, 48);
	hb = sd_post(&f->drv, b, 2);
	assert_int_equal(rx(f, true, frame, sizeof(frame)), 1);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), 2);
	used_is(f, 0, ha, 48);
	used_is(f, 1, hb, 64);
	expected_rx(want, 2, frame, sizeof(frame));
	assert_int_equal(gather(f, a, 3, got), 48);
	assert_memory_equal(got, want, 48);
	assert_int_equal(gather(f, b, 2, got), 64);
	assert_memory_equal(got, want + 48, 64);
	stats_are(f, 1, sizeof(frame));
	drops_are(f, 0, 0, 0, 0);
}

/* One descriptor across a region edge: two iovecs, the header split. */
static void test_rx_first_buffer_cross_region(void **state)
{
	struct fx *f = *state;
	uint8_t frame[100], want[HDR + 100], got[128];
	struct sd_buf b[2] = { { EDGE_GPA - 6, 64, true } };
	uint16_t h0, h1;

	pattern(frame, sizeof(frame), 6);
	sd_mem_copy(&f->gm, b[0].gpa, b[0].len, NULL, NULL, POISON);
	h0 = sd_post(&f->drv, b, 1);
	h1 = post_rx(f, 64, &b[1]);
	assert_int_equal(rx(f, true, frame, sizeof(frame)), 1);
	flush(f);
	used_is(f, 0, h0, 64);
	used_is(f, 1, h1, HDR + sizeof(frame) - 64);
	expected_rx(want, 2, frame, sizeof(frame));
	gather(f, b, 2, got);
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(got[sizeof(want)], POISON);

	/* Without MRG_RXBUF, the same buffer alone. */
	vq_setup(f, QSZ, 0);
	sd_mem_copy(&f->gm, b[0].gpa, b[0].len, NULL, NULL, POISON);
	h0 = sd_post(&f->drv, b, 1);
	assert_int_equal(rx(f, false, frame, 40), 1);
	assert_int_equal(f->c.nin, 2);
	flush(f);
	used_is(f, 0, h0, HDR + 40);
	expected_rx(want, 1, frame, 40);
	gather(f, b, 1, got);
	assert_memory_equal(got, want, HDR + 40);
}

/*
 * The header over nine segments: eight 1-byte descriptors, then 64 bytes.
 * Any layout is legal (VERSION_1 implies ANY_LAYOUT); the whole header
 * must be written.
 */
static void test_rx_hdr_over_nine_segments(void **state)
{
	struct fx *f = *state;
	uint8_t frame[20], want[HDR + 20], got[72];
	struct sd_buf b[9];
	uint16_t h;
	int i;

	pattern(frame, sizeof(frame), 7);
	for (i = 0; i < 8; i++)
		b[i] = wbuf(f, 1);
	b[8] = wbuf(f, 64);
	h = sd_post(&f->drv, b, 9);
	assert_int_equal(rx(f, true, frame, sizeof(frame)), 1);
	assert_int_equal(f->c.nin, 9);
	flush(f);
	used_is(f, 0, h, HDR + sizeof(frame));
	gather(f, b, 9, got);
	hdr_is(got, 1);
	expected_rx(want, 1, frame, sizeof(frame));
	assert_memory_equal(got, want, sizeof(want));
}

/* ---- RX: MRG_RXBUF over several buffers ---- */

static void check_spread(struct fx *f, uint16_t start)
{
	uint8_t frame[200], want[HDR + 200];
	static const uint32_t used_len[] = { 64, 64, 64, 20 };
	struct sd_buf b[5];
	uint16_t h[5];
	unsigned int i;

	vq_setup(f, QSZ, start);
	for (i = 0; i < 5; i++)
		h[i] = post_rx(f, 64, &b[i]);
	pattern(frame, sizeof(frame), 8);
	assert_int_equal(rx(f, true, frame, sizeof(frame)), 1);
	assert_int_equal(f->vq.last_avail_idx, (uint16_t)(start + 4));
	assert_int_equal(f->vq.used_idx, (uint16_t)(start + 4));
	assert_int_equal(sd_used_idx(&f->drv), start);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), (uint16_t)(start + 4));

	expected_rx(want, 4, frame, sizeof(frame));
	hdr_is(sd_gptr(&f->gm, b[0].gpa, HDR), 4);
	for (i = 0; i < 4; i++) {
		uint32_t off = 64 * i;

		used_is(f, start + i, h[i], used_len[i]);
		/* Only the first buffer has a header. */
		assert_memory_equal(sd_gptr(&f->gm, b[i].gpa, used_len[i]),
				    want + off, used_len[i]);
	}
	assert_int_equal(*(uint8_t *)sd_gptr(&f->gm, b[3].gpa + 20, 1), POISON);
	assert_int_equal(*(uint8_t *)sd_gptr(&f->gm, b[4].gpa, 1), POISON);
	stats_are(f, 1, sizeof(frame));
	drops_are(f, 0, 0, 0, 0);
}

static void test_rx_mrg_spread(void **state)
{
	check_spread(*state, 0);
}

/* The same with the ring indices wrapping during the frame. */
static void test_rx_mrg_spread_idx_wrap(void **state)
{
	check_spread(*state, 0xfffe);
}

/* 64 buffers is the most a frame may take; 65 is too big. */
static void test_rx_mrg_max_bufs(void **state)
{
	struct fx *f = *state;
	uint8_t frame[XV_NET_RX_MAX_BUFS * 16], four[4] = { 1, 2, 3, 4 };
	uint32_t max = XV_NET_RX_MAX_BUFS * 16 - HDR;
	struct sd_buf b[XV_NET_RX_MAX_BUFS + 1];
	uint16_t h[XV_NET_RX_MAX_BUFS + 1];
	unsigned int i;

	for (i = 0; i <= XV_NET_RX_MAX_BUFS; i++)
		h[i] = post_rx(f, 16, &b[i]);
	pattern(frame, sizeof(frame), 9);
	assert_int_equal(rx(f, true, frame, max + 1), 0);
	drops_are(f, 0, 1, 0, 0);
	untouched(f, 0);

	assert_int_equal(rx(f, true, frame, max), 1);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), XV_NET_RX_MAX_BUFS);
	hdr_is(sd_gptr(&f->gm, b[0].gpa, HDR), XV_NET_RX_MAX_BUFS);
	assert_memory_equal(sd_gptr(&f->gm, b[0].gpa + HDR, 16 - HDR), frame,
			    16 - HDR);
	for (i = 0; i < XV_NET_RX_MAX_BUFS; i++)
		used_is(f, i, h[i], 16);
	for (i = 1; i < XV_NET_RX_MAX_BUFS; i++)
		assert_memory_equal(sd_gptr(&f->gm, b[i].gpa, 16),
				    frame + 16 * i - HDR, 16);

	/* The 65th buffer is still there. */
	assert_int_equal(rx(f, true, four, sizeof(four)), 1);
	flush(f);
	used_is(f, XV_NET_RX_MAX_BUFS, h[XV_NET_RX_MAX_BUFS], HDR + 4);
	stats_are(f, 2, max + 4);
	drops_are(f, 0, 1, 0, 0);
}

/* ---- RX: drops ---- */

/* No MRG_RXBUF: a frame larger than the buffer is dropped, buffer kept. */
static void test_rx_no_mrg_too_small(void **state)
{
	struct fx *f = *state;
	uint8_t frame[100], want[HDR + 30];
	struct sd_buf b;
	uint16_t h;

	pattern(frame, sizeof(frame), 10);
	h = post_rx(f, 50, &b);
	assert_int_equal(rx(f, false, frame, sizeof(frame)), 0);
	drops_are(f, 0, 1, 0, 0);
	stats_are(f, 0, 0);
	untouched(f, 0);

	/* A smaller frame still gets that buffer. */
	assert_int_equal(rx(f, false, frame, 30), 1);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), 1);
	used_is(f, 0, h, HDR + 30);
	expected_rx(want, 1, frame, 30);
	assert_memory_equal(sd_gptr(&f->gm, b.gpa, sizeof(want)), want,
			    sizeof(want));
	stats_are(f, 1, 30);
	drops_are(f, 0, 1, 0, 0);

	/* Too big even with more buffers posted: never spread. */
	vq_setup(f, QSZ, 0);
	post_rx(f, 50, NULL);
	post_rx(f, 2048, NULL);
	assert_int_equal(rx(f, false, frame, sizeof(frame)), 0);
	drops_are(f, 0, 1, 0, 0);
	untouched(f, 0);

	/* One byte over, and exactly right. */
	vq_setup(f, QSZ, 0);
	h = post_rx(f, 50, NULL);
	assert_int_equal(rx(f, false, frame, 50 - HDR + 1), 0);
	drops_are(f, 0, 1, 0, 0);
	untouched(f, 0);
	assert_int_equal(rx(f, false, frame, 50 - HDR), 1);
	flush(f);
	used_is(f, 0, h, 50);
}

/* MRG_RXBUF, too few buffers: all given back, nothing pushed. */
static void test_rx_mrg_no_buffer(void **state)
{
	struct fx *f = *state;
	uint8_t frame[200], want[HDR + 200];
	struct sd_buf b[4];
	uint16_t h[4];
	unsigned int i;

	pattern(frame, sizeof(frame), 11);
	h[0] = post_rx(f, 64, &b[0]);
	h[1] = post_rx(f, 64, &b[1]);
	assert_int_equal(rx(f, true, frame, sizeof(frame)), 0);
	drops_are(f, 1, 0, 0, 0);
	stats_are(f, 0, 0);
	untouched(f, 0);

	/* Two more: the frame goes in the same buffers, in order. */
	h[2] = post_rx(f, 64, &b[2]);
	h[3] = post_rx(f, 64, &b[3]);
	assert_int_equal(rx(f, true, frame, sizeof(frame)), 1);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), 4);
	expected_rx(want, 4, frame, sizeof(frame));
	for (i = 0; i < 4; i++) {
		uint32_t len = i < 3 ? 64 : HDR + 200 - 3 * 64;

		used_is(f, i, h[i], len);
		assert_memory_equal(sd_gptr(&f->gm, b[i].gpa, len),
				    want + 64 * i, len);
	}
	stats_are(f, 1, sizeof(frame));
	drops_are(f, 1, 0, 0, 0);
}

static void test_rx_empty_ring(void **state)
{
	struct fx *f = *state;
	uint8_t frame[10] = { 0 };

	assert_int_equal(rx(f, false, frame, sizeof(frame)), 0);
	drops_are(f, 1, 0, 0, 0);
	assert_int_equal(rx(f, true, frame, sizeof(frame)), 0);
	drops_are(f, 2, 0, 0, 0);
	stats_are(f, 0, 0);
	untouched(f, 0);
}

/* A first buffer that cannot hold the header: too big, buffer kept. */
static void test_rx_first_smaller_than_hdr(void **state)
{
	struct fx *f = *state;
	uint8_t frame[10] = { 0 };
	struct sd_buf b[2];
	int mrg;

	for (mrg = 0; mrg < 2; mrg++) {
		vq_setup(f, QSZ, 0);
		post_rx(f, HDR - 1, NULL);
		post_rx(f, 2048, NULL);
		assert_int_equal(rx(f, mrg, frame, sizeof(frame)), 0);
		drops_are(f, 0, 1, 0, 0);
		untouched(f, 0);
		assert_int_equal(rx(f, mrg, frame, 0), 0);
		drops_are(f, 0, 2, 0, 0);
		untouched(f, 0);
		stats_are(f, 0, 0);
	}

	/* Split over two descriptors, 5 + 6. */
	vq_setup(f, QSZ, 0);
	b[0] = wbuf(f, 5);
	b[1] = wbuf(f, 6);
	sd_post(&f->drv, b, 2);
	assert_int_equal(rx(f, true, frame, sizeof(frame)), 0);
	drops_are(f, 0, 1, 0, 0);
	untouched(f, 0);

	/* Nothing writable at all. */
	vq_setup(f, QSZ, 0);
	b[0] = (struct sd_buf){ drv_alloc(f, NULL, 64), 64, false };
	sd_post(&f->drv, b, 1);
	assert_int_equal(rx(f, true, frame, sizeof(frame)), 0);
	drops_are(f, 0, 1, 0, 0);
	untouched(f, 0);
}

static void test_rx_broken(void **state)
{
	struct fx *f = *state;
	uint8_t frame[200] = { 0 };

	post_loop(f, true);
	assert_int_equal(rx(f, true, frame, 10), -EIO);
	assert_true(f->vq.broken);
	assert_int_equal(f->vq.errors[XV_VQ_ERR_LOOP], 1);
	drops_are(f, 0, 0, 0, 1);
	assert_int_equal(rx(f, false, frame, 10), -EIO);
	drops_are(f, 0, 0, 0, 2);
	stats_are(f, 0, 0);
	assert_int_equal(f->vq.used_idx, 0);

	/* Broken at the second buffer of a frame: nothing pushed. */
	vq_setup(f, QSZ, 0);
	post_rx(f, 64, NULL);
	post_loop(f, true);
	assert_int_equal(rx(f, true, frame, sizeof(frame)), -EIO);
	drops_are(f, 0, 0, 0, 1);
	stats_are(f, 0, 0);
	assert_int_equal(f->vq.used_idx, 0);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), 0);
}

static void test_rx_counters(void **state)
{
	struct fx *f = *state;
	static const uint32_t lens[] = { 60, 1500, 0, 1 };
	uint8_t frame[1500];
	uint64_t bytes = 0;
	unsigned int i;

	pattern(frame, sizeof(frame), 12);
	for (i = 0; i < 4; i++) {
		post_rx(f, 2048, NULL);
		assert_int_equal(rx(f, i & 1, frame, lens[i]), 1);
		bytes += lens[i];
		stats_are(f, i + 1, bytes);
	}
	/* Drops count no packet nor byte. */
	assert_int_equal(rx(f, true, frame, 100), 0);
	post_rx(f, 20, NULL);
	assert_int_equal(rx(f, false, frame, 100), 0);
	stats_are(f, 4, bytes);
	drops_are(f, 1, 1, 0, 0);
	/* Spread over two buffers: one packet. */
	post_rx(f, 2048, NULL);
	assert_int_equal(rx(f, true, frame, 1500), 1);
	stats_are(f, 5, bytes + 1500);
}

/* ---- TX ---- */

/* A packet as the guest sends it: a header that asks for nothing (its
 * num_buffers, which TX ignores, non-zero), then the frame. */
static void make_pkt(uint8_t *pkt, uint32_t flen, uint8_t seed)
{
	memset(pkt, 0, HDR);
	memset(pkt + HDR - 2, 0xee, 2);
	pattern(pkt + HDR, flen, seed);
}

/* Posts @pkt split over readable descriptors of @lens[0..n). */
static uint16_t post_tx(struct fx *f, const uint8_t *pkt, const uint32_t *lens,
			int n)
{
	struct sd_buf b[16];
	uint32_t off = 0;
	int i;

	assert_true(n <= 16);
	for (i = 0; i < n; i++) {
		b[i] = (struct sd_buf){ drv_alloc(f, pkt + off, lens[i]),
					lens[i], false };
		off += lens[i];
	}
	return sd_post(&f->drv, b, n);
}

/* Posts a one-descriptor packet of @flen frame bytes. */
static uint16_t post_tx1(struct fx *f, uint8_t *pkt, uint32_t flen,
			 uint8_t seed)
{
	uint32_t len = HDR + flen;

	make_pkt(pkt, flen, seed);
	return post_tx(f, pkt, &len, 1);
}

/* Posts @pkt, header as it is, in one descriptor. */
static uint16_t post_tx1_raw(struct fx *f, const uint8_t *pkt, uint32_t flen)
{
	uint32_t len = HDR + flen;

	return post_tx(f, pkt, &len, 1);
}

/* tx() returns the frame of @pkt and pushes @head with 0. */
static void tx_gets(struct fx *f, const uint8_t *pkt, uint32_t flen,
		    uint16_t head)
{
	uint8_t buf[2048];
	uint16_t before = f->vq.used_idx;

	assert_true(flen < sizeof(buf));
	memset(buf, BUF_POISON, sizeof(buf));
	assert_int_equal(tx(f, buf, sizeof(buf)), flen);
	assert_memory_equal(buf, pkt + HDR, flen);
	assert_int_equal(buf[flen], BUF_POISON);
	assert_int_equal(f->vq.used_idx, (uint16_t)(before + 1));
	flush(f);
	used_is(f, before, head, 0);
}

static void test_tx_hdr_own_desc(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[HDR + 100];
	static const uint32_t lens[] = { HDR, 100 };
	uint16_t h;

	make_pkt(pkt, 100, 20);
	h = post_tx(f, pkt, lens, 2);
	tx_gets(f, pkt, 100, h);
	assert_int_equal(f->vq.last_avail_idx, 1);
	assert_int_equal(sd_used_idx(&f->drv), 1);
	stats_are(f, 1, 100);
	drops_are(f, 0, 0, 0, 0);
	/* And then the ring is empty. */
	assert_int_equal(tx(f, pkt, sizeof(pkt)), 0);
}

static void test_tx_hdr_and_frame_one_desc(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[HDR + 100];
	uint16_t h;

	h = post_tx1(f, pkt, 100, 21);
	tx_gets(f, pkt, 100, h);
	stats_are(f, 1, 100);
	drops_are(f, 0, 0, 0, 0);
}

/* One segment (the fast path): a frame of exactly @cap is taken, one
 * byte more is dropped as too big and the next one is taken. */
static void test_tx_one_segment_cap(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[HDR + 100], big[HDR + 101], buf[128];

	post_tx1(f, big, 101, 33);
	post_tx1(f, pkt, 100, 34);
	memset(buf, BUF_POISON, sizeof(buf));
	assert_int_equal(tx(f, buf, 100), 100);
	assert_memory_equal(buf, pkt + HDR, 100);
	assert_int_equal(buf[100], BUF_POISON);
	stats_are(f, 1, 100);
	drops_are(f, 0, 1, 0, 0);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), 2);
}

static void test_tx_frame_many_descs(void **state)
{
	struct fx *f = *state;
	static const uint32_t l0[] = { HDR, 30, 40, 30 };
	static const uint32_t l1[] = { 5, 20, 87 }; /* header split */
	static const uint32_t l2[] = { HDR, 1, 1, 98 };
	static const uint32_t l3[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100 };
	static const uint32_t l4[] = { HDR + 50, 0, 50 }; /* empty desc */
	static const struct {
		const uint32_t *lens;
		int n;
	} v[] = { { l0, 4 }, { l1, 3 }, { l2, 4 }, { l3, 13 }, { l4, 3 } };
	uint8_t pkt[HDR + 100];
	unsigned int i;
	uint16_t h;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		make_pkt(pkt, 100, 22 + i);
		h = post_tx(f, pkt, v[i].lens, v[i].n);
		tx_gets(f, pkt, 100, h);
	}
	stats_are(f, i, 100 * i);
	drops_are(f, 0, 0, 0, 0);
}

/* One descriptor across the region edge, the header split by it. */
static void test_tx_cross_region(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[HDR + 100];
	struct sd_buf b = { EDGE_GPA - 7, sizeof(pkt), false };
	uint16_t h;

	make_pkt(pkt, 100, 30);
	sd_mem_copy(&f->gm, b.gpa, b.len, NULL, pkt, 0);
	h = sd_post(&f->drv, &b, 1);
	tx_gets(f, pkt, 100, h);
	assert_int_equal(f->c.nout, 2);
}

/* Readable then writable descriptors: only the readable part counts. */
static void test_tx_ignores_writable(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[HDR + 50];
	struct sd_buf b[2];
	uint16_t h;

	make_pkt(pkt, 50, 31);
	b[0] = (struct sd_buf){ drv_alloc(f, pkt, sizeof(pkt)), sizeof(pkt),
				false };
	b[1] = wbuf(f, 64);
	h = sd_post(&f->drv, b, 2);
	tx_gets(f, pkt, 50, h);
}

/* Chains shorter than the header are dropped; the next frame comes. */
static void test_tx_short_then_next(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[HDR + 60], junk[HDR] = { 0 };
	static const uint32_t l_short[] = { HDR - 1 };
	static const uint32_t l_split[] = { 4, 4 };
	struct sd_buf z;
	uint16_t h0, h1, h2, h3;

	h0 = post_tx(f, junk, l_short, 1);
	h1 = post_tx(f, junk, l_split, 2);
	z = (struct sd_buf){ drv_alloc(f, NULL, 0), 0, false };
	h2 = sd_post(&f->drv, &z, 1); /* zero bytes */
	h3 = post_tx1(f, pkt, 60, 40);
	{
		uint8_t buf[2048];

		memset(buf, BUF_POISON, sizeof(buf));
		assert_int_equal(tx(f, buf, sizeof(buf)), 60);
		assert_memory_equal(buf, pkt + HDR, 60);
		assert_int_equal(buf[60], BUF_POISON);
	}
	drops_are(f, 0, 0, 3, 0);
	stats_are(f, 1, 60);
	assert_int_equal(f->vq.last_avail_idx, 4);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), 4);
	used_is(f, 0, h0, 0);
	used_is(f, 1, h1, 0);
	used_is(f, 2, h2, 0);
	used_is(f, 3, h3, 0);
}

/* A guest that posts frame after bad frame cannot hold one call for ever:
 * each call drops at most XV_NET_TX_MAX_DROPS, the next goes on. */
static void test_tx_drops_bounded(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[HDR + 60], junk[HDR] = { 0 }, buf[2048];
	static const uint32_t l_short[] = { HDR - 1 };
	unsigned int i, nbad = XV_NET_TX_MAX_DROPS + 36;

	memset(pkt, 0x5a, sizeof(pkt));
	for (i = 0; i < nbad; i++)
		post_tx(f, junk, l_short, 1);
	post_tx1(f, pkt, 60, 40);
	assert_int_equal(tx(f, buf, sizeof(buf)), 0);
	drops_are(f, 0, 0, XV_NET_TX_MAX_DROPS, 0);
	assert_int_equal(f->vq.last_avail_idx, XV_NET_TX_MAX_DROPS);
	assert_int_equal(tx(f, buf, sizeof(buf)), 60);
	assert_memory_equal(buf, pkt + HDR, 60);
	drops_are(f, 0, 0, nbad, 0);
	stats_are(f, 1, 60);
	assert_int_equal(tx(f, buf, sizeof(buf)), 0);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), nbad + 1);
}

/* A chain of just the header (a 0-byte frame) counts as short too. */
static void test_tx_hdr_only_then_next(void **state)
{
	struct fx *f = *state;
	uint8_t hdr_only[HDR], pkt[HDR + 60], buf[2048];
	uint16_t h0, h1;
	int ret;

	h0 = post_tx1(f, hdr_only, 0, 41);
	h1 = post_tx1(f, pkt, 60, 42);
	memset(buf, BUF_POISON, sizeof(buf));
	ret = tx(f, buf, sizeof(buf));
	if (ret != 60)
		fail_msg("header-only chain then a 60-byte frame: tx_get "
			 "returned %d (expected 60); drops short=%llu, "
			 "packets=%llu, last_avail_idx=%u",
			 ret,
			 (unsigned long long)f->st.drops[XV_NET_DROP_SHORT],
			 (unsigned long long)f->st.packets,
			 f->vq.last_avail_idx);
	assert_memory_equal(buf, pkt + HDR, 60);
	drops_are(f, 0, 0, 1, 0);
	stats_are(f, 1, 60);
	flush(f);
	used_is(f, 0, h0, 0);
	used_is(f, 1, h1, 0);
}

/* Larger than cap: dropped, the next one comes; cap itself fits. */
static void test_tx_too_big_then_next(void **state)
{
	struct fx *f = *state;
	uint8_t p0[HDR + 65], p1[HDR + 64], p2[HDR + 100], buf[128];
	uint16_t h0, h1, h2;

	h0 = post_tx1(f, p0, 65, 50);
	h1 = post_tx1(f, p1, 64, 51);
	memset(buf, BUF_POISON, sizeof(buf));
	assert_int_equal(tx(f, buf, 64), 64);
	assert_memory_equal(buf, p1 + HDR, 64);
	assert_int_equal(buf[64], BUF_POISON);
	drops_are(f, 0, 1, 0, 0);
	stats_are(f, 1, 64);

	/* Too big and then nothing: 0, both dropped frames returned. */
	h2 = post_tx1(f, p2, 100, 52);
	memset(buf, BUF_POISON, sizeof(buf));
	assert_int_equal(tx(f, buf, 64), 0);
	assert_int_equal(buf[0], BUF_POISON);
	drops_are(f, 0, 2, 0, 0);
	stats_are(f, 1, 64);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), 3);
	used_is(f, 0, h0, 0);
	used_is(f, 1, h1, 0);
	used_is(f, 2, h2, 0);
	assert_int_equal(f->vq.last_avail_idx, 3);
}

/* Without offloads negotiated (loopback), a frame asking for one is
 * dropped and counted, and the next is taken. */
static void test_tx_offload_not_negotiated(void **state)
{
	struct fx *f = *state;
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM };
	uint8_t csum[HDR + 100], gso[HDR + 100], pkt[HDR + 100], buf[256];
	uint16_t h;

	make_pkt(csum, 100, 60);
	memcpy(csum, &vh, sizeof(vh));
	post_tx1_raw(f, csum, 100);
	make_pkt(gso, 100, 61);
	vh.flags = 0;
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	memcpy(gso, &vh, sizeof(vh));
	post_tx1_raw(f, gso, 100);
	h = post_tx1(f, pkt, 100, 62);
	memset(buf, BUF_POISON, sizeof(buf));
	assert_int_equal(tx(f, buf, sizeof(buf)), 100);
	assert_memory_equal(buf, pkt + HDR, 100);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), 3);
	used_is(f, 2, h, 0);
	assert_int_equal(f->st.drops[XV_NET_DROP_BAD_CSUM], 1);
	assert_int_equal(f->st.drops[XV_NET_DROP_BAD_GSO], 1);
	stats_are(f, 1, 100);
}

static void test_tx_empty(void **state)
{
	struct fx *f = *state;
	uint8_t buf[64];

	memset(buf, BUF_POISON, sizeof(buf));
	assert_int_equal(tx(f, buf, sizeof(buf)), 0);
	assert_int_equal(buf[0], BUF_POISON);
	drops_are(f, 0, 0, 0, 0);
	stats_are(f, 0, 0);
	untouched(f, 0);
}

static void test_tx_broken(void **state)
{
	struct fx *f = *state;
	uint8_t buf[256], junk[4] = { 0 };
	static const uint32_t l_short[] = { 4 };
	uint16_t h;

	post_loop(f, false);
	assert_int_equal(tx(f, buf, sizeof(buf)), -EIO);
	assert_true(f->vq.broken);
	assert_int_equal(f->vq.errors[XV_VQ_ERR_LOOP], 1);
	drops_are(f, 0, 0, 0, 1);
	assert_int_equal(tx(f, buf, sizeof(buf)), -EIO);
	drops_are(f, 0, 0, 0, 2);
	stats_are(f, 0, 0);
	assert_int_equal(f->vq.used_idx, 0);

	/* A short chain, then the loop, in one call. */
	vq_setup(f, QSZ, 0);
	h = post_tx(f, junk, l_short, 1);
	post_loop(f, false);
	assert_int_equal(tx(f, buf, sizeof(buf)), -EIO);
	drops_are(f, 0, 0, 1, 1);
	stats_are(f, 0, 0);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), 1);
	used_is(f, 0, h, 0);
}

/* ---- TX with offloads (xv_net_tx_take) ---- */

#define TAKE_MAX 16
static uint8_t take_frames[TAKE_MAX][2048];
static uint8_t *take_bufs[TAKE_MAX];
static uint32_t take_lens[TAKE_MAX];
static bool take_contd[TAKE_MAX];
static struct xv_net_tx_csum take_csum[TAKE_MAX];

/* An output of @n 2 KiB frames, MTU 1500, every offload negotiated. */
static struct xv_net_tx_out take_out(uint32_t n)
{
	unsigned int i;

	for (i = 0; i < TAKE_MAX; i++) {
		take_bufs[i] = take_frames[i];
		memset(take_frames[i], BUF_POISON, sizeof(take_frames[i]));
	}
	return (struct xv_net_tx_out){ .bufs = take_bufs,
				       .nbufs = n,
				       .cap = sizeof(take_frames[0]),
				       .max_seg = 1518,
				       .features = XV_TXO_FEATURES,
				       .lens = take_lens,
				       .contd = take_contd,
				       .csum = take_csum };
}

static int take(struct fx *f, struct xv_net_tx_out *o)
{
	return xv_net_tx_take(&f->vq, o, &f->c, &f->st);
}

/* @g as the guest posts it: header and frame over descriptors of
 * @lens[0..n) (the last takes the rest). */
static uint16_t post_gso(struct fx *f, const struct gso_frame *g,
			 const uint32_t *lens, int n)
{
	static uint8_t pkt[HDR + FRAME_MAX];
	uint32_t l[16], total = HDR + g->len, used = 0;
	int i;

	memset(pkt, 0, HDR);
	memcpy(pkt, &g->vh, sizeof(g->vh));
	memcpy(pkt + HDR, g->b, g->len);
	for (i = 0; i < n - 1; i++)
		used += l[i] = lens[i];
	l[n - 1] = total - used;
	return post_tx(f, pkt, l, n);
}

static void test_tx_take_gso_over_descs(void **state)
{
	static const uint32_t lens[] = { 5, HDR + 20, 17, 1000, 0 };
	struct fx *f = *state;
	struct xv_net_tx_out o = take_out(8);
	static struct gso_frame g;
	uint32_t i, off = 0;
	uint16_t h;

	/* The header split across descriptors, headers and payload too. */
	mk_tcp(&g, false, false, 5000, 1448, 0x18);
	h = post_gso(f, &g, lens, 5);
	assert_int_equal(take(f, &o), 4);
	for (i = 0; i < 4; i++) {
		uint32_t plen = i < 3 ? 1448 : 5000 - 3 * 1448;

		assert_int_equal(take_lens[i], g.hdr_len + plen);
		assert_memory_equal(take_frames[i] + g.hdr_len,
				    g.b + g.hdr_len + off, plen);
		assert_int_equal(take_frames[i][g.hdr_len + plen], BUF_POISON);
		off += plen;
	}
	assert_int_equal(f->st.tso, 1);
	assert_int_equal(f->st.tso_segs, 4);
	stats_are(f, 1, g.len);
	flush(f);
	used_is(f, 0, h, 0);
	assert_int_equal(take(f, &o), 0);
	assert_false(o.no_room);
}

/* A frame that needs more frames than there are stays in the ring. */
static void test_tx_take_no_room_keeps_frame(void **state)
{
	static const uint32_t lens[] = { HDR + 100 };
	struct fx *f = *state;
	struct xv_net_tx_out o = take_out(3);
	static struct gso_frame g;

	mk_tcp(&g, true, false, 5000, 1428, 0x18); /* IPv6: 4 segments */
	post_gso(f, &g, lens, 2);
	assert_int_equal(take(f, &o), 0);
	assert_true(o.no_room);
	assert_int_equal(f->vq.used_idx, 0);
	stats_are(f, 0, 0);
	o = take_out(0);
	assert_int_equal(take(f, &o), 0);
	assert_true(o.no_room);
	o = take_out(4);
	assert_int_equal(take(f, &o), 4);
	assert_false(o.no_room);
	assert_int_equal(f->st.tso_segs, 4);
	assert_int_equal(f->vq.used_idx, 1);
}

/* Bad requests are dropped, counted, given back; the next frame goes. */
static void test_tx_take_bad_then_next(void **state)
{
	static const uint32_t one[] = { HDR + 54 };
	static const uint32_t plain = HDR + 100;
	struct fx *f = *state;
	struct xv_net_tx_out o = take_out(8);
	static struct gso_frame g;
	uint8_t pkt[HDR + 100];
	uint16_t h;

	mk_tcp(&g, false, false, 3000, 0, 0x18); /* gso_size 0 */
	post_gso(f, &g, one, 2);
	mk_tcp(&g, false, false, 300, 1448, 0x18);
	g.vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	g.vh.csum_start = htole16((uint16_t)g.len); /* past the frame */
	post_gso(f, &g, one, 2);
	make_pkt(pkt, 100, 40);
	memset(pkt, 0, HDR); /* a plain frame: no request */
	h = post_tx(f, pkt, &plain, 1);
	assert_int_equal(take(f, &o), 1);
	assert_memory_equal(take_frames[0], pkt + HDR, 100);
	assert_int_equal(take_lens[0], 100);
	assert_int_equal(f->st.drops[XV_NET_DROP_BAD_GSO], 1);
	assert_int_equal(f->st.drops[XV_NET_DROP_BAD_CSUM], 1);
	stats_are(f, 1, 100);
	flush(f);
	assert_int_equal(sd_used_idx(&f->drv), 3);
	used_is(f, 2, h, 0);
}

/* NEEDS_CSUM without GSO: one frame, its checksum finished. */
static void test_tx_take_csum(void **state)
{
	static const uint32_t one[] = { HDR + 10 };
	struct fx *f = *state;
	struct xv_net_tx_out o = take_out(8);
	static struct gso_frame g;
	const uint8_t *ip, *th;
	uint16_t w[2];
	uint32_t sum;

	mk_tcp(&g, false, false, 700, 1448, 0x18);
	g.vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	/* The guest leaves the pseudo header's sum in the field. */
	w[0] = htobe16(6);
	w[1] = htobe16((uint16_t)(g.len - g.l4));
	sum = xv_csum_add(w, 4, xv_csum_add(g.b + g.l3 + 12, 8, 0));
	w[0] = (uint16_t)~xv_csum_fold(sum);
	memcpy(g.b + g.l4 + 16, &w[0], 2);
	post_gso(f, &g, one, 2);
	assert_int_equal(take(f, &o), 1);
	assert_int_equal(take_lens[0], g.len);
	assert_int_equal(f->st.csum, 1);
	ip = take_frames[0] + g.l3;
	th = take_frames[0] + g.l4;
	w[1] = htobe16((uint16_t)(g.len - g.l4));
	w[0] = htobe16(6);
	sum = xv_csum_add(w, 4, xv_csum_add(ip + 12, 8, 0));
	assert_int_equal(xv_csum_fold(xv_csum_add(th, g.len - g.l4, sum)), 0);
}

/* Checksums left to the consumer: the request in each packet's first
 * frame, the field as a guest would leave it (the pseudo header's sum). */
static void test_tx_take_csum_later(void **state)
{
	static const uint32_t one[] = { HDR + 100 };
	struct fx *f = *state;
	struct xv_net_tx_out o = take_out(TAKE_MAX);
	static struct gso_frame g;
	uint8_t *th;
	uint32_t i, sum, len;
	uint16_t c, w[2];

	o.csum_later = true;
	mk_tcp(&g, false, false, 3000, 1448, 0x18);
	post_gso(f, &g, one, 2);
	assert_int_equal(take(f, &o), 3);
	for (i = 0; i < 3; i++) {
		assert_true(take_csum[i].on);
		assert_int_equal(take_csum[i].start, g.l4);
		assert_int_equal(take_csum[i].offset, 16);
		/* What the kernel then does: sum from csum_start, fold in. */
		len = take_lens[i];
		th = take_frames[i] + g.l4;
		c = xv_csum_fold(xv_csum_add(th, len - g.l4, 0));
		memcpy(th + 16, &c, 2);
		w[0] = htobe16(6);
		w[1] = htobe16((uint16_t)(len - g.l4));
		sum = xv_csum_add(
			w, 4, xv_csum_add(take_frames[i] + g.l3 + 12, 8, 0));
		assert_int_equal(xv_csum_fold(xv_csum_add(th, len - g.l4, sum)),
				 0);
	}
	assert_int_equal(f->st.csum_later, 3);
	/* A NEEDS_CSUM frame: its own request, its field untouched. */
	mk_tcp(&g, false, false, 500, 1448, 0x18);
	g.vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	post_gso(f, &g, one, 2);
	assert_int_equal(take(f, &o), 1);
	assert_true(take_csum[0].on);
	assert_int_equal(take_csum[0].start, g.l4);
	assert_memory_equal(take_frames[0], g.b, g.len);
	assert_int_equal(f->st.csum_later, 4);
	assert_int_equal(f->st.csum, 1);
}

/* ---- multi-buffer: packets over several frames (MTU 9000) ---- */

static struct xv_net_tx_out take_out_sg(uint32_t n)
{
	struct xv_net_tx_out o = take_out(n);

	o.sg = true;
	o.max_seg = 9018;
	return o;
}

/* Frames @k..@k+@n-1 joined into @out; each full but the last, the
 * last alone not contd. Returns the packet's length. */
static uint32_t joined(uint32_t k, uint32_t n, uint8_t *out)
{
	uint32_t i, len = 0;

	for (i = k; i < k + n; i++) {
		if (i + 1 < k + n) {
			assert_int_equal(take_lens[i], 2048);
			assert_true(take_contd[i]);
		} else {
			assert_false(take_contd[i]);
		}
		memcpy(out + len, take_frames[i], take_lens[i]);
		len += take_lens[i];
	}
	return len;
}

static void test_tx_take_sg_plain(void **state)
{
	static const uint32_t lens[] = { HDR + 3000, 4000 };
	struct fx *f = *state;
	struct xv_net_tx_out o = take_out_sg(TAKE_MAX);
	static uint8_t pkt[HDR + 9000], got[9000];

	make_pkt(pkt, 9000, 50);
	memset(pkt, 0, HDR);
	post_tx(f, pkt, (const uint32_t[]){ lens[0], lens[1], 2000 }, 3);
	assert_int_equal(take(f, &o), 5);
	assert_int_equal(o.pkts, 1);
	assert_int_equal(joined(0, 5, got), 9000);
	assert_memory_equal(got, pkt + HDR, 9000);
	/* Without multi-buffer the same frame is too big. */
	post_tx(f, pkt, (const uint32_t[]){ HDR + 9000 }, 1);
	o = take_out(TAKE_MAX);
	assert_int_equal(take(f, &o), 0);
	assert_int_equal(f->st.drops[XV_NET_DROP_TOO_BIG], 1);
}

/* NEEDS_CSUM at an odd offset, the field across two frames: the spread
 * packet's checksum is what the whole one would get. */
static void test_tx_take_sg_csum_odd(void **state)
{
	struct fx *f = *state;
	struct xv_net_tx_out o = take_out_sg(TAKE_MAX);
	static uint8_t pkt[HDR + 6000], got[6000], want[6000];
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM };
	struct xv_txo t = { .kind = XV_TXO_CSUM };

	make_pkt(pkt, 6000, 51);
	t.csum_start = 1001;
	t.csum_offset = 2047 - 1001; /* the field: bytes 2047 and 2048 */
	vh.csum_start = htole16(t.csum_start);
	vh.csum_offset = htole16(t.csum_offset);
	memset(pkt, 0, HDR);
	memcpy(pkt, &vh, sizeof(vh));
	post_tx(f, pkt, (const uint32_t[]){ HDR + 6000 }, 1);
	assert_int_equal(take(f, &o), 3);
	assert_int_equal(f->st.csum, 1);
	assert_int_equal(joined(0, 3, got), 6000);
	memcpy(want, pkt + HDR, 6000);
	xv_txo_csum_finish(&t, want, 6000);
	assert_memory_equal(got, want, 6000);
}

/* TSO at MTU 9000: every segment spans frames, each verifies. */
static void test_tx_take_sg_tso(void **state)
{
	static const uint32_t one[] = { HDR + 100 };
	struct fx *f = *state;
	struct xv_net_tx_out o = take_out_sg(TAKE_MAX);
	static struct gso_frame g;
	static uint8_t seg[9100];
	uint32_t i, k = 0, len, plen, off = 0, sum;
	const uint32_t nfr[] = { 5, 5, 2 };
	uint16_t w[2];

	mk_tcp(&g, false, false, 20000, 9000 - 20 - 32, 0x19);
	post_gso(f, &g, one, 2);
	assert_int_equal(take(f, &o), 12);
	assert_int_equal(o.pkts, 3);
	for (i = 0; i < 3; i++) {
		plen = i < 2 ? 8948 : 20000 - 2 * 8948;
		len = joined(k, nfr[i], seg);
		k += nfr[i];
		assert_int_equal(len, g.hdr_len + plen);
		assert_memory_equal(seg + g.hdr_len, g.b + g.hdr_len + off,
				    plen);
		w[0] = htobe16(6);
		w[1] = htobe16((uint16_t)(len - g.l4));
		sum = xv_csum_add(w, 4, xv_csum_add(seg + g.l3 + 12, 8, 0));
		assert_int_equal(
			xv_csum_fold(xv_csum_add(seg + g.l4, len - g.l4, sum)),
			0);
		assert_int_equal(xv_csum_fold(xv_csum_add(seg + g.l3, 20, 0)),
				 0);
		off += plen;
	}
	assert_int_equal(f->st.tso_segs, 3);
	/* Fewer frames than it needs: it waits. */
	post_gso(f, &g, one, 2);
	o = take_out_sg(11);
	assert_int_equal(take(f, &o), 0);
	assert_true(o.no_room);
}

/* ---- names ---- */

static void test_drop_names(void **state)
{
	(void)state;
	assert_string_equal(xv_net_drop_name(XV_NET_DROP_NO_BUFFER),
			    "no_buffer");
	assert_string_equal(xv_net_drop_name(XV_NET_DROP_TOO_BIG), "too_big");
	assert_string_equal(xv_net_drop_name(XV_NET_DROP_SHORT), "short");
	assert_string_equal(xv_net_drop_name(XV_NET_DROP_BROKEN), "broken");
	assert_string_equal(xv_net_drop_name(XV_NET_DROP_BAD_CSUM), "bad_csum");
	assert_string_equal(xv_net_drop_name(XV_NET_DROP_BAD_GSO), "bad_gso");
	assert_string_equal(xv_net_drop_name(XV_NET_DROP_MAX), "unknown");
	assert_string_equal(xv_net_drop_name((enum xv_net_drop)1000),
			    "unknown");
	assert_string_equal(xv_net_drop_name((enum xv_net_drop) - 1),
			    "unknown");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rx_one_big_buffer),
		T(test_rx_exact_fit),
		T(test_rx_skips_readable),
		T(test_rx_fast_buffer_aliases_desc_table),
		T(test_rx_fast_zero_len_first_desc),
		T(test_rx_fast_spread_fast),
		T(test_rx_hdr_spans_two_descs),
		T(test_rx_mrg_first_multi_desc),
		T(test_rx_first_buffer_cross_region),
		T(test_rx_hdr_over_nine_segments),
		T(test_rx_mrg_spread),
		T(test_rx_mrg_spread_idx_wrap),
		T(test_rx_mrg_max_bufs),
		T(test_rx_no_mrg_too_small),
		T(test_rx_mrg_no_buffer),
		T(test_rx_empty_ring),
		T(test_rx_first_smaller_than_hdr),
		T(test_rx_broken),
		T(test_rx_counters),
		T(test_tx_hdr_own_desc),
		T(test_tx_hdr_and_frame_one_desc),
		T(test_tx_one_segment_cap),
		T(test_tx_frame_many_descs),
		T(test_tx_cross_region),
		T(test_tx_ignores_writable),
		T(test_tx_short_then_next),
		T(test_tx_hdr_only_then_next),
		T(test_tx_drops_bounded),
		T(test_tx_too_big_then_next),
		T(test_tx_offload_not_negotiated),
		T(test_tx_empty),
		T(test_tx_broken),
		T(test_tx_take_gso_over_descs),
		T(test_tx_take_no_room_keeps_frame),
		T(test_tx_take_bad_then_next),
		T(test_tx_take_csum),
		T(test_tx_take_csum_later),
		T(test_tx_take_sg_plain),
		T(test_tx_take_sg_csum_odd),
		T(test_tx_take_sg_tso),
		T(test_drop_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
