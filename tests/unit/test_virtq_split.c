// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for datapath/engine/virtq_split.c. A fake guest: memfd regions
 * shared as a frontend would (two of them adjacent in gpa space but not
 * in host memory, a hole, an unrelated one), and a "driver" in this file
 * that lays out desc/avail/used through its own mapping of the fd and
 * publishes chains, well-formed or hostile.
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

#include "virtq.h"

#define FD_LEN 0x150000

enum { R0, R1, R2, R3, NREG };

static const struct xv_mem_region_desc reg[NREG] = {
	/* rings, buffers and indirect tables */
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
	/* after a hole */
	[R3] = { .gpa = 0x200000,
		 .size = 0x10000,
		 .uva = 0x7f3000000000,
		 .mmap_offset = 0x130000 },
};

#define HOLE_GPA 0x180000
#define DESC_GPA 0x0 /* room for 32768 descriptors */
#define AVAIL_GPA 0x80000
#define USED_GPA 0x90000
#define DATA_GPA 0xe0000 /* 128 KiB for buffers and tables */
#define DATA_END 0x100000
#define QSZ 256

struct fx {
	int fd;
	uint8_t *view; /* the driver's own mapping of the whole fd */
	struct sd_mem gm; /* the regions, as the driver sees them */
	struct sd_ring drv; /* the driver's side of the queue */
	uint64_t data_next; /* bump allocator from DATA_GPA, below DATA_END */
	int bigfd; /* a 2 GiB sparse region, for length overflows */
	struct xv_guest_mem mem;
	struct xv_vq vq;
	struct xv_chain c;
};

/* ---- the driver ---- */

/* A data buffer of @len bytes holding @data (or zeros). */
static uint64_t drv_alloc(struct fx *f, const void *data, uint32_t len)
{
	uint64_t gpa = f->data_next;

	assert_true(gpa + len <= DATA_END);
	f->data_next = (gpa + len + 15) & ~15ull;
	if (len)
		memset(sd_gptr(&f->gm, gpa, len), 0, len);
	if (data && len)
		memcpy(sd_gptr(&f->gm, gpa, len), data, len);
	return gpa;
}

/* ---- fixture ---- */

/* Maps f->vq on the driver's rings after its flags were set. */
static void vq_map(struct fx *f)
{
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, f->drv.size,
					 sd_uva(&f->gm, DESC_GPA),
					 sd_uva(&f->gm, AVAIL_GPA),
					 sd_uva(&f->gm, USED_GPA)),
			 0);
}

/* A fresh queue of @size at idx @start; the rings are zeroed. */
static void vq_setup(struct fx *f, uint16_t size, bool event_idx, bool indirect,
		     uint16_t start)
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
	f->vq.event_idx = event_idx;
	f->vq.indirect = indirect;
	vq_map(f);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	int i;

	assert_non_null(f);
	f->bigfd = -1;
	f->fd = fake_memfd(FD_LEN, &f->view);
	sd_mem_init(&f->gm, f->view, FD_LEN);
	xv_mem_init(&f->mem);
	for (i = 0; i < NREG; i++) {
		sd_mem_add(&f->gm, reg[i].gpa, reg[i].size, reg[i].uva,
			   reg[i].mmap_offset);
		assert_int_equal(xv_mem_add_region(&f->mem, &reg[i], f->fd), 0);
	}
	vq_setup(f, QSZ, false, true, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	xv_mem_clear(&f->mem);
	munmap(f->view, FD_LEN);
	close(f->fd);
	if (f->bigfd >= 0)
		close(f->bigfd);
	free(f);
	return 0;
}

static int pop(struct fx *f)
{
	return f->vq.ops->pop(&f->vq, &f->c);
}

static uint64_t total_errors(const struct xv_vq *vq)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < XV_VQ_ERR_MAX; i++)
		n += vq->errors[i];
	return n;
}

/* The next pop breaks the queue for exactly one reason: @e. */
static void expect_broken(struct fx *f, enum xv_vq_error e)
{
	uint16_t last = f->vq.last_avail_idx;
	char got[512] = "";
	int rc, i;

	rc = pop(f);
	for (i = 0; i < XV_VQ_ERR_MAX; i++)
		if (f->vq.errors[i])
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
				 " %s=%llu", xv_vq_error_name(i),
				 (unsigned long long)f->vq.errors[i]);
	if (rc != -EIO || f->vq.errors[e] != 1 || total_errors(&f->vq) != 1)
		fail_msg("pop returned %d, errors:%s; expected -EIO and %s=1",
			 rc, got, xv_vq_error_name(e));
	assert_true(f->vq.broken);
	assert_int_equal(f->vq.last_avail_idx, last);
}

/* The iovec @i is the device's view of [gpa, gpa + len). */
static void iov_is(struct fx *f, int i, uint64_t gpa, uint64_t len)
{
	assert_ptr_equal(f->c.iov[i].iov_base,
			 xv_gpa_to_hva(&f->mem, gpa, len));
	assert_int_equal(f->c.iov[i].iov_len, len);
}

/* ---- xv_vq_split_map ---- */

static void test_map_ok(void **state)
{
	struct fx *f = *state;
	static const uint16_t sizes[] = { 1, 2, 256, 1024, XV_VQ_MAX_SIZE };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint16_t n = sizes[i];

		vq_setup(f, n, false, false, 0);
		assert_ptr_equal(f->vq.ops, &xv_vq_split_ops);
		assert_ptr_equal(f->vq.mem, &f->mem);
		assert_int_equal(f->vq.size, n);
		assert_ptr_equal(f->vq.desc,
				 xv_gpa_to_hva(&f->mem, DESC_GPA, 16 * n));
		assert_ptr_equal(f->vq.avail,
				 xv_gpa_to_hva(&f->mem, AVAIL_GPA, 6 + 2 * n));
		assert_ptr_equal(f->vq.used,
				 xv_gpa_to_hva(&f->mem, USED_GPA, 6 + 8 * n));
		assert_false(f->vq.broken);
		assert_int_equal(total_errors(&f->vq), 0);
	}
}

static void test_map_bad_size(void **state)
{
	struct fx *f = *state;
	/* Not powers of two; none above 32768 is. */
	static const uint16_t bad[] = {
		0, 3, 6, 100, 255, 257, 32767, 32769, 49152, 65535,
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		xv_vq_init(&f->vq);
		assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, bad[i],
						 sd_uva(&f->gm, DESC_GPA),
						 sd_uva(&f->gm, AVAIL_GPA),
						 sd_uva(&f->gm, USED_GPA)),
				 -EINVAL);
		assert_null(f->vq.ops);
		assert_int_equal(total_errors(&f->vq), 0);
	}
}

static void test_map_misaligned(void **state)
{
	struct fx *f = *state;
	uint64_t d = sd_uva(&f->gm, DESC_GPA), a = sd_uva(&f->gm, AVAIL_GPA),
		 u = sd_uva(&f->gm, USED_GPA);

	xv_vq_init(&f->vq);
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, QSZ, d + 8, a, u),
			 -EINVAL);
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, QSZ, d + 1, a, u),
			 -EINVAL);
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, QSZ, d, a + 1, u),
			 -EINVAL);
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, QSZ, d, a, u + 2),
			 -EINVAL);
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, QSZ, d, a, u + 1),
			 -EINVAL);
	assert_null(f->vq.ops);
	assert_int_equal(total_errors(&f->vq), 0);
	/* avail needs only 2, used only 4. */
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, QSZ, d, a + 2, u + 4),
			 0);
}

static void test_map_outside_memory(void **state)
{
	struct fx *f = *state;
	uint64_t d = sd_uva(&f->gm, DESC_GPA), a = sd_uva(&f->gm, AVAIL_GPA),
		 u = sd_uva(&f->gm, USED_GPA),
		 r0_end = reg[R0].uva + reg[R0].size;
	struct {
		uint16_t size;
		uint64_t d, a, u;
	} cases[] = {
		/* not in any region */
		{ QSZ, 0x7e0000000000, a, u },
		{ QSZ, d, 0x1000, u },
		{ QSZ, d, a, reg[R0].gpa + USED_GPA },
		/* running off the end of a region by a few bytes */
		{ QSZ, r0_end - 16 * QSZ + 16, a, u },
		{ QSZ, d, r0_end - 6 - 2 * QSZ + 2, u },
		{ QSZ, d, a, r0_end - 6 - 8 * QSZ + 2 },
		/* R1 and R2 are adjacent in gpa, not in uva */
		{ QSZ, reg[R1].uva + reg[R1].size - 16 * QSZ / 2, a, u },
		/* a big queue does not fit where a small one does */
		{ XV_VQ_MAX_SIZE, reg[R3].uva, a, u },
	};
	size_t i;

	/* Up to the region's end is fine (used can only get 2 bytes near). */
	xv_vq_init(&f->vq);
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, QSZ,
					 r0_end - 16 * QSZ, a, u),
			 0);
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, QSZ, d,
					 r0_end - 6 - 2 * QSZ, u),
			 0);
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, QSZ, d, a,
					 r0_end - 6 - 8 * QSZ - 2),
			 0);
	assert_int_equal(total_errors(&f->vq), 0);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xv_vq_init(&f->vq);
		if (xv_vq_split_map(&f->vq, &f->mem, cases[i].size, cases[i].d,
				    cases[i].a, cases[i].u) != -EFAULT)
			fail_msg("case %zu: not -EFAULT", i);
		assert_int_equal(f->vq.errors[XV_VQ_ERR_RING_ADDR], 1);
		assert_int_equal(total_errors(&f->vq), 1);
		assert_null(f->vq.ops);
		assert_null(f->vq.desc);
	}
}

/* A frontend whose mmap_offset is not aligned like its uva. */
static void test_map_misaligned_host(void **state)
{
	struct fx *f = *state;
	const struct xv_mem_region_desc odd = { .gpa = 0x300000,
						.size = 0x8000,
						.uva = 0x7f5000000000,
						.mmap_offset = 0x140008 };

	assert_int_equal(xv_mem_add_region(&f->mem, &odd, f->fd), 0);
	xv_vq_init(&f->vq);
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, QSZ, odd.uva,
					 sd_uva(&f->gm, AVAIL_GPA),
					 sd_uva(&f->gm, USED_GPA)),
			 -EINVAL);
	assert_null(f->vq.ops);
	/* avail only needs 2-byte alignment: fine there. */
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, QSZ,
					 sd_uva(&f->gm, DESC_GPA), odd.uva,
					 sd_uva(&f->gm, USED_GPA)),
			 0);
}

static void test_map_keeps_indices(void **state)
{
	struct fx *f = *state;

	xv_vq_init(&f->vq);
	f->vq.last_avail_idx = 1234;
	f->vq.used_idx = 4321;
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, QSZ,
					 sd_uva(&f->gm, DESC_GPA),
					 sd_uva(&f->gm, AVAIL_GPA),
					 sd_uva(&f->gm, USED_GPA)),
			 0);
	assert_int_equal(f->vq.last_avail_idx, 1234);
	assert_int_equal(f->vq.used_idx, 4321);
}

/* ---- well-formed chains ---- */

static void test_pop_empty(void **state)
{
	struct fx *f = *state;

	assert_int_equal(pop(f), 0);
	assert_int_equal(pop(f), 0);
	assert_int_equal(f->vq.last_avail_idx, 0);
	assert_false(f->vq.broken);
	/* Put in the ring but not published: still empty. */
	sd_avail(&f->drv,
		 sd_add_chain(&f->drv, &(struct sd_buf){ DATA_GPA, 1, false },
			      1));
	assert_int_equal(pop(f), 0);
	sd_publish(&f->drv);
	assert_int_equal(pop(f), 1);
	assert_int_equal(pop(f), 0);
}

static void test_pop_single_out(void **state)
{
	struct fx *f = *state;
	static const char pkt[] = "a packet from the guest";
	struct sd_buf b = { drv_alloc(f, pkt, sizeof(pkt)), sizeof(pkt),
			    false };
	uint16_t head;

	f->drv.next_desc = 7;
	head = sd_post(&f->drv, &b, 1);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.head, head);
	assert_int_equal(f->c.head, 7);
	assert_int_equal(f->c.ndesc, 1);
	assert_int_equal(f->c.nout, 1);
	assert_int_equal(f->c.nin, 0);
	assert_int_equal(f->c.out_len, sizeof(pkt));
	assert_int_equal(f->c.in_len, 0);
	iov_is(f, 0, b.gpa, b.len);
	assert_memory_equal(f->c.iov[0].iov_base, pkt, sizeof(pkt));
	assert_int_equal(f->vq.last_avail_idx, 1);
	assert_int_equal(pop(f), 0);
}

static void test_pop_chain_out_in(void **state)
{
	struct fx *f = *state;
	struct sd_buf b[4] = {
		{ drv_alloc(f, "hdr-", 4), 4, false },
		{ drv_alloc(f, "payload", 7), 7, false },
		{ drv_alloc(f, NULL, 12), 12, true },
		{ drv_alloc(f, NULL, 1000), 1000, true },
	};
	int i;

	sd_post(&f->drv, b, 4);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.head, 0);
	assert_int_equal(f->c.ndesc, 4);
	assert_int_equal(f->c.nout, 2);
	assert_int_equal(f->c.nin, 2);
	assert_int_equal(f->c.out_len, 11);
	assert_int_equal(f->c.in_len, 1012);
	for (i = 0; i < 4; i++)
		iov_is(f, i, b[i].gpa, b[i].len);
	assert_memory_equal(f->c.iov[1].iov_base, "payload", 7);
	/* What the device writes, the driver reads. */
	memcpy(f->c.iov[3].iov_base, "reply", 5);
	assert_memory_equal(sd_gptr(&f->gm, b[3].gpa, 5), "reply", 5);
}

static void test_pop_in_only(void **state)
{
	struct fx *f = *state;
	struct sd_buf b[2] = { { drv_alloc(f, NULL, 2048), 2048, true },
			       { drv_alloc(f, NULL, 10), 10, true } };

	sd_post(&f->drv, b, 2);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.nout, 0);
	assert_int_equal(f->c.nin, 2);
	assert_int_equal(f->c.out_len, 0);
	assert_int_equal(f->c.in_len, 2058);
	iov_is(f, 0, b[0].gpa, 2048);
	iov_is(f, 1, b[1].gpa, 10);
}

static void test_pop_zero_len_desc(void **state)
{
	struct fx *f = *state;
	/* A zero-length descriptor maps to nothing, even at gpa 0xdead. */
	struct sd_buf b[3] = { { HOLE_GPA, 0, false },
			       { drv_alloc(f, "x", 1), 1, false },
			       { HOLE_GPA, 0, true } };

	sd_post(&f->drv, b, 3);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.ndesc, 3);
	assert_int_equal(f->c.nout, 1);
	assert_int_equal(f->c.nin, 0);
	assert_int_equal(f->c.out_len, 1);
	iov_is(f, 0, b[1].gpa, 1);
}

static void test_pop_indirect(void **state)
{
	struct fx *f = *state;
	struct sd_buf b[3] = { { drv_alloc(f, "hdr", 3), 3, false },
			       { drv_alloc(f, NULL, 100), 100, true },
			       { drv_alloc(f, NULL, 200), 200, true } };
	uint64_t table = drv_alloc(f, NULL, 3 * 16);
	uint16_t head;
	int i;

	f->drv.next_desc = 42;
	head = sd_post_indirect(&f->drv, table, b, 3);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.head, head);
	assert_int_equal(f->c.ndesc, 1);
	assert_int_equal(f->c.nout, 1);
	assert_int_equal(f->c.nin, 2);
	assert_int_equal(f->c.out_len, 3);
	assert_int_equal(f->c.in_len, 300);
	for (i = 0; i < 3; i++)
		iov_is(f, i, b[i].gpa, b[i].len);
}

static void test_pop_indirect_unaligned_table(void **state)
{
	struct fx *f = *state;
	struct sd_buf b[2] = { { drv_alloc(f, "ab", 2), 2, false },
			       { drv_alloc(f, NULL, 5), 5, true } };
	uint64_t table = drv_alloc(f, NULL, 2 * 16 + 8) + 5;

	sd_post_indirect(&f->drv, table, b, 2);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.nout, 1);
	assert_int_equal(f->c.nin, 1);
	iov_is(f, 0, b[0].gpa, 2);
	iov_is(f, 1, b[1].gpa, 5);
}

static void test_pop_direct_then_indirect(void **state)
{
	struct fx *f = *state;
	struct sd_buf out = { drv_alloc(f, "hdr", 3), 3, false };
	struct sd_buf in[2] = { { drv_alloc(f, NULL, 64), 64, true },
				{ drv_alloc(f, NULL, 64), 64, true } };
	uint64_t table = drv_alloc(f, NULL, 2 * 16);

	sd_write_table(&f->gm, table, in, 2);
	sd_set_desc(&f->drv, 10, out.gpa, out.len, F_NEXT, 11);
	sd_set_desc(&f->drv, 11, table, 32, F_INDIRECT, 0);
	sd_post_head(&f->drv, 10);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.head, 10);
	assert_int_equal(f->c.ndesc, 2);
	assert_int_equal(f->c.nout, 1);
	assert_int_equal(f->c.nin, 2);
	assert_int_equal(f->c.in_len, 128);
	iov_is(f, 0, out.gpa, 3);
	iov_is(f, 2, in[1].gpa, 64);
}

static void test_pop_cross_region(void **state)
{
	struct fx *f = *state;
	uint64_t gpa = reg[R2].gpa - 100;
	struct sd_buf b[2] = { { drv_alloc(f, "h", 1), 1, false },
			       { gpa, 300, false } };
	uint8_t *a = sd_gptr(&f->gm, gpa, 100),
		*z = sd_gptr(&f->gm, reg[R2].gpa, 200);
	int i;

	for (i = 0; i < 100; i++)
		a[i] = i;
	for (i = 0; i < 200; i++)
		z[i] = 100 + i;
	sd_post(&f->drv, b, 2);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.ndesc, 2);
	assert_int_equal(f->c.nout, 3);
	assert_int_equal(f->c.out_len, 301);
	iov_is(f, 1, gpa, 100);
	iov_is(f, 2, reg[R2].gpa, 200);
	assert_ptr_not_equal((uint8_t *)f->c.iov[1].iov_base + 100,
			     f->c.iov[2].iov_base);
	for (i = 0; i < 300; i++) {
		const struct iovec *v = &f->c.iov[i < 100 ? 1 : 2];

		assert_int_equal(
			((uint8_t *)v->iov_base)[i < 100 ? i : i - 100],
			(uint8_t)i);
	}
	/* Device-writable across the same edge. */
	b[1].wr = true;
	sd_post(&f->drv, b, 2);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.nout, 1);
	assert_int_equal(f->c.nin, 2);
	assert_int_equal(f->c.in_len, 300);
}

static void test_pop_batch(void **state)
{
	struct fx *f = *state;
	uint16_t heads[16];
	int i;

	for (i = 0; i < 16; i++) {
		struct sd_buf b[2] = { { drv_alloc(f, NULL, 10), 10, false },
				       { drv_alloc(f, NULL, 20), 20, true } };

		heads[i] = sd_post(&f->drv, b, 1 + i % 2);
	}
	for (i = 0; i < 16; i++) {
		assert_int_equal(pop(f), 1);
		assert_int_equal(f->c.head, heads[i]);
		assert_int_equal(f->c.ndesc, 1 + i % 2);
	}
	assert_int_equal(pop(f), 0);
	assert_int_equal(f->vq.last_avail_idx, 16);
	assert_false(f->vq.broken);
}

static void test_pop_full_ring(void **state)
{
	struct fx *f = *state;
	struct sd_buf b = { DATA_GPA, 64, true };
	int i;

	/* Exactly size entries pending is legal. */
	vq_setup(f, 8, false, false, 0);
	for (i = 0; i < 8; i++)
		sd_post(&f->drv, &b, 1);
	for (i = 0; i < 8; i++) {
		assert_int_equal(pop(f), 1);
		assert_int_equal(f->c.head, i);
	}
	assert_int_equal(pop(f), 0);
}

static void test_pop_chain_of_queue_size(void **state)
{
	struct fx *f = *state;
	struct sd_buf b[4] = { { DATA_GPA, 1, false },
			       { DATA_GPA + 1, 1, false },
			       { DATA_GPA + 2, 1, true },
			       { DATA_GPA + 3, 1, true } };

	vq_setup(f, 4, false, false, 0);
	f->drv.next_desc = 2; /* 2 → 3 → 0 → 1 */
	sd_post(&f->drv, b, 4);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.head, 2);
	assert_int_equal(f->c.ndesc, 4);
	assert_int_equal(f->c.nout, 2);
	assert_int_equal(f->c.nin, 2);
	iov_is(f, 3, DATA_GPA + 3, 1);
}

static void test_max_segs_ok(void **state)
{
	struct fx *f = *state;
	static struct sd_buf b[XV_CHAIN_MAX_IOV + 1];
	uint64_t table = drv_alloc(f, NULL, sizeof(b) * 16 / sizeof(b[0]));
	int i;

	/* 256 one-byte entries, then a zero-length one: 256 segments. */
	for (i = 0; i < XV_CHAIN_MAX_IOV; i++)
		b[i] = (struct sd_buf){ DATA_GPA + 8192 + i, 1, i >= 100 };
	b[XV_CHAIN_MAX_IOV] = (struct sd_buf){ DATA_GPA, 0, true };
	sd_post_indirect(&f->drv, table, b, XV_CHAIN_MAX_IOV + 1);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.nout, 100);
	assert_int_equal(f->c.nin, XV_CHAIN_MAX_IOV - 100);
	iov_is(f, XV_CHAIN_MAX_IOV - 1, DATA_GPA + 8192 + 255, 1);

	/* 254 descriptors and one that crosses R1/R2: 256 segments. */
	vq_setup(f, 512, false, false, 0);
	for (i = 0; i < XV_CHAIN_MAX_IOV - 2; i++)
		b[i] = (struct sd_buf){ DATA_GPA + i, 1, false };
	b[i] = (struct sd_buf){ reg[R2].gpa - 1, 2, false };
	sd_post(&f->drv, b, XV_CHAIN_MAX_IOV - 1);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.nout, XV_CHAIN_MAX_IOV);
	assert_int_equal(f->c.ndesc, XV_CHAIN_MAX_IOV - 1);
}

/* ---- used ring ---- */

static void test_push_flush_visible(void **state)
{
	struct fx *f = *state;
	struct sd_buf b = { DATA_GPA, 1500, true };
	static const uint32_t lens[3] = { 60, 0, 1500 };
	uint16_t heads[3];
	int i;

	for (i = 0; i < 3; i++)
		sd_post(&f->drv, &b, 1);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pop(f), 1);
		heads[i] = f->c.head;
	}
	for (i = 0; i < 3; i++)
		f->vq.ops->push(&f->vq, heads[i], lens[i]);
	assert_int_equal(f->vq.used_idx, 3);
	/* Not visible before the flush. */
	assert_int_equal(sd_used_idx(&f->drv), 0);
	f->vq.ops->flush(&f->vq);
	assert_int_equal(sd_used_idx(&f->drv), 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(le32toh(f->drv.used->ring[i].id), heads[i]);
		assert_int_equal(le32toh(f->drv.used->ring[i].len), lens[i]);
	}
	/* Out of order completion is the device's right. */
	f->vq.ops->push(&f->vq, 200, 7);
	f->vq.ops->flush(&f->vq);
	assert_int_equal(sd_used_idx(&f->drv), 4);
	assert_int_equal(le32toh(f->drv.used->ring[3].id), 200);
	assert_int_equal(le32toh(f->drv.used->ring[3].len), 7);
}

static void test_idx_wrap(void **state)
{
	struct fx *f = *state;
	struct sd_buf b = { DATA_GPA, 64, true };
	uint16_t heads[4];
	int i;

	vq_setup(f, 8, false, false, 65534);
	for (i = 0; i < 4; i++)
		heads[i] = sd_post(&f->drv, &b, 1);
	assert_int_equal(le16toh(f->drv.avail->idx), 2);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pop(f), 1);
		assert_int_equal(f->c.head, heads[i]);
	}
	assert_int_equal(pop(f), 0);
	assert_int_equal(f->vq.last_avail_idx, 2);
	for (i = 0; i < 4; i++)
		f->vq.ops->push(&f->vq, heads[i], i);
	f->vq.ops->flush(&f->vq);
	assert_int_equal(sd_used_idx(&f->drv), 2);
	/* Slots 65534 & 7 = 6, 7, then 0, 1. */
	assert_int_equal(le32toh(f->drv.used->ring[6].id), heads[0]);
	assert_int_equal(le32toh(f->drv.used->ring[7].id), heads[1]);
	assert_int_equal(le32toh(f->drv.used->ring[0].id), heads[2]);
	assert_int_equal(le32toh(f->drv.used->ring[1].len), 3);
	assert_false(f->vq.broken);
}

/* Two full trips of the 16-bit index, a few entries at a time. */
static void test_idx_many_wraps(void **state)
{
	struct fx *f = *state;
	struct sd_buf b = { DATA_GPA, 64, false };
	uint32_t n;
	int i;

	vq_setup(f, 4, false, false, 0);
	for (n = 0; n < 2 * 65536 + 10; n += 3) {
		for (i = 0; i < 3; i++)
			sd_post(&f->drv, &b, 1);
		for (i = 0; i < 3; i++) {
			assert_int_equal(pop(f), 1);
			f->vq.ops->push(&f->vq, f->c.head, 0);
		}
		assert_int_equal(pop(f), 0);
		f->vq.ops->flush(&f->vq);
		assert_int_equal(sd_used_idx(&f->drv), (uint16_t)(n + 3));
	}
	assert_int_equal(total_errors(&f->vq), 0);
}

static void test_unpop(void **state)
{
	struct fx *f = *state;
	struct sd_buf b = { DATA_GPA, 64, true };
	uint16_t heads[3];
	int i;

	vq_setup(f, 8, false, false, 65535);
	for (i = 0; i < 3; i++)
		heads[i] = sd_post(&f->drv, &b, 1);
	for (i = 0; i < 3; i++)
		assert_int_equal(pop(f), 1);
	assert_int_equal(f->vq.last_avail_idx, 2);
	/* The last two go back, across the wrap, and come out again. */
	f->vq.ops->unpop(&f->vq, 2);
	assert_int_equal(f->vq.last_avail_idx, 0);
	for (i = 1; i < 3; i++) {
		assert_int_equal(pop(f), 1);
		assert_int_equal(f->c.head, heads[i]);
	}
	assert_int_equal(pop(f), 0);
	f->vq.ops->unpop(&f->vq, 0);
	assert_int_equal(pop(f), 0);
}

/* ---- hostile rings: one reason each ---- */

static void test_bad_idx_jump(void **state)
{
	struct fx *f = *state;
	static const uint16_t jumps[] = { QSZ + 1, 1000, 32768, 65535 };
	size_t i;

	for (i = 0; i < sizeof(jumps) / sizeof(jumps[0]); i++) {
		vq_setup(f, QSZ, false, true, 65000);
		f->drv.avail->idx = htole16((uint16_t)(65000 + jumps[i]));
		expect_broken(f, XV_VQ_ERR_IDX_JUMP);
	}
}

/* avail->idx is read once for what it covers: entries it published are
 * popped without reading it again, and a jump written meanwhile is caught
 * at the next read. A ring mapped anew forgets the old index. */
static void test_avail_shadow(void **state)
{
	struct fx *f = *state;
	struct sd_buf b = { DATA_GPA, 64, false };

	sd_post(&f->drv, &b, 1);
	sd_post(&f->drv, &b, 1);
	sd_post(&f->drv, &b, 1);
	assert_int_equal(pop(f), 1);
	f->drv.avail->idx = htole16(3 + 1000); /* hostile, after the read */
	assert_int_equal(pop(f), 1);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->vq.last_avail_idx, 3);
	expect_broken(f, XV_VQ_ERR_IDX_JUMP);

	/* 2 of 2 popped on one ring, then a fresh ring at index 0 with
	 * nothing published: nothing to pop, not 2 stale entries. */
	vq_setup(f, QSZ, false, true, 0);
	sd_post(&f->drv, &b, 1);
	sd_post(&f->drv, &b, 1);
	assert_int_equal(pop(f), 1);
	f->vq.ops->unpop(&f->vq, 1); /* unpop keeps the shadow right */
	assert_int_equal(pop(f), 1);
	assert_int_equal(pop(f), 1);
	assert_int_equal(pop(f), 0);
	/* The ring given anew at index 0 (as SET_VRING_BASE 0 and the
	 * next map do): the shadow of 2 must not survive the map. */
	f->drv.avail->idx = 0;
	f->vq.last_avail_idx = 0;
	f->vq.used_idx = 0;
	vq_map(f);
	assert_int_equal(pop(f), 0);
	assert_int_equal(total_errors(&f->vq), 0);
}

static void test_bad_head_range(void **state)
{
	struct fx *f = *state;

	sd_post_head(&f->drv, QSZ);
	expect_broken(f, XV_VQ_ERR_HEAD_RANGE);
	vq_setup(f, QSZ, false, true, 0);
	sd_post_head(&f->drv, 0xffff);
	expect_broken(f, XV_VQ_ERR_HEAD_RANGE);
}

/* The pop of the good chain prefetches the next chain's descriptor: a
 * hostile head there is masked for the hint and refused when popped. */
static void test_bad_head_after_good(void **state)
{
	struct fx *f = *state;
	struct sd_buf b = { DATA_GPA, 64, false };

	sd_post(&f->drv, &b, 1);
	sd_post_head(&f->drv, QSZ + 5);
	assert_int_equal(pop(f), 1);
	expect_broken(f, XV_VQ_ERR_HEAD_RANGE);
	assert_int_equal(f->vq.last_avail_idx, 1);
}

static void test_bad_next_range(void **state)
{
	struct fx *f = *state;

	sd_set_desc(&f->drv, 0, DATA_GPA, 1, F_NEXT, QSZ);
	sd_post_head(&f->drv, 0);
	expect_broken(f, XV_VQ_ERR_NEXT_RANGE);
	vq_setup(f, QSZ, false, true, 0);
	sd_set_desc(&f->drv, 0, DATA_GPA, 1, F_NEXT, 1);
	sd_set_desc(&f->drv, 1, DATA_GPA, 1, F_NEXT, 0xffff);
	sd_post_head(&f->drv, 0);
	expect_broken(f, XV_VQ_ERR_NEXT_RANGE);
}

static void test_bad_loop(void **state)
{
	struct fx *f = *state;

	sd_set_desc(&f->drv, 0, DATA_GPA, 0, F_NEXT, 0);
	sd_post_head(&f->drv, 0);
	expect_broken(f, XV_VQ_ERR_LOOP);

	vq_setup(f, QSZ, false, true, 0);
	sd_set_desc(&f->drv, 3, DATA_GPA, 0, F_NEXT, 4);
	sd_set_desc(&f->drv, 4, DATA_GPA, 0, F_NEXT, 3);
	sd_post_head(&f->drv, 3);
	expect_broken(f, XV_VQ_ERR_LOOP);

	/*
	 * Queue size 4: 0 → 1 → 2 → 3 → 0 is one too many, found before
	 * descriptor 0 is read again (which would be an ORDER error).
	 */
	vq_setup(f, 4, false, true, 0);
	sd_set_desc(&f->drv, 0, DATA_GPA, 1, F_NEXT, 1);
	sd_set_desc(&f->drv, 1, DATA_GPA, 1, F_NEXT, 2);
	sd_set_desc(&f->drv, 2, DATA_GPA, 1, F_NEXT, 3);
	sd_set_desc(&f->drv, 3, DATA_GPA, 1, F_NEXT | F_WRITE, 0);
	sd_post_head(&f->drv, 0);
	expect_broken(f, XV_VQ_ERR_LOOP);
}

/* A loop of writable zero-length buffers never reaches the iov limit. */
static void test_bad_loop_big_queue(void **state)
{
	struct fx *f = *state;
	uint32_t i;

	vq_setup(f, XV_VQ_MAX_SIZE, false, true, 0);
	for (i = 0; i < XV_VQ_MAX_SIZE; i++)
		sd_set_desc(&f->drv, i, DATA_GPA, 0, F_NEXT | F_WRITE,
			    (i + 1) % XV_VQ_MAX_SIZE);
	sd_post_head(&f->drv, 123);
	expect_broken(f, XV_VQ_ERR_LOOP);
}

static void test_bad_indirect_feature(void **state)
{
	struct fx *f = *state;
	struct sd_buf b = { DATA_GPA, 1, false };

	vq_setup(f, QSZ, false, false, 0);
	sd_post_indirect(&f->drv, DATA_GPA + 4096, &b, 1);
	expect_broken(f, XV_VQ_ERR_INDIRECT_FEATURE);
}

static void test_bad_indirect_len(void **state)
{
	struct fx *f = *state;
	static const uint32_t lens[] = { 0, 8, 24, 17, 15 };
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		vq_setup(f, QSZ, false, true, 0);
		sd_set_desc(&f->drv, 0, DATA_GPA, lens[i], F_INDIRECT, 0);
		sd_post_head(&f->drv, 0);
		expect_broken(f, XV_VQ_ERR_INDIRECT_LEN);
	}
}

static void test_bad_indirect_next(void **state)
{
	struct fx *f = *state;
	struct sd_buf b = { DATA_GPA, 1, false };

	sd_write_table(&f->gm, DATA_GPA + 4096, &b, 1);
	sd_set_desc(&f->drv, 0, DATA_GPA + 4096, 16, F_INDIRECT | F_NEXT, 1);
	sd_set_desc(&f->drv, 1, DATA_GPA, 1, 0, 0);
	sd_post_head(&f->drv, 0);
	expect_broken(f, XV_VQ_ERR_INDIRECT_NEXT);
}

static void test_bad_nested_indirect(void **state)
{
	struct fx *f = *state;
	struct vring_desc *t = sd_gptr(&f->gm, DATA_GPA + 4096, 64);

	sd_put_desc(&t[0], DATA_GPA, 1, F_NEXT, 1);
	sd_put_desc(&t[1], DATA_GPA + 4096 + 32, 32, F_INDIRECT, 0);
	sd_put_desc(&t[2], DATA_GPA, 1, 0, 0);
	sd_set_desc(&f->drv, 0, DATA_GPA + 4096, 48, F_INDIRECT, 0);
	sd_post_head(&f->drv, 0);
	expect_broken(f, XV_VQ_ERR_NESTED_INDIRECT);
}

static void test_bad_indirect_next_range(void **state)
{
	struct fx *f = *state;
	struct vring_desc *t = sd_gptr(&f->gm, DATA_GPA + 4096, 64);

	/* Entry 2 exists in memory but not in this 2-entry table. */
	sd_put_desc(&t[0], DATA_GPA, 1, F_NEXT, 2);
	sd_put_desc(&t[1], DATA_GPA, 1, 0, 0);
	sd_put_desc(&t[2], DATA_GPA, 1, 0, 0);
	sd_set_desc(&f->drv, 0, DATA_GPA + 4096, 32, F_INDIRECT, 0);
	sd_post_head(&f->drv, 0);
	expect_broken(f, XV_VQ_ERR_NEXT_RANGE);
}

static void test_bad_indirect_loop(void **state)
{
	struct fx *f = *state;
	struct vring_desc *t = sd_gptr(&f->gm, DATA_GPA + 4096, 48);

	/* Found before entry 0 is read again (an ORDER error). */
	sd_put_desc(&t[0], DATA_GPA, 1, F_NEXT, 1);
	sd_put_desc(&t[1], DATA_GPA, 1, F_NEXT | F_WRITE, 0);
	sd_set_desc(&f->drv, 0, DATA_GPA + 4096, 32, F_INDIRECT, 0);
	sd_post_head(&f->drv, 0);
	expect_broken(f, XV_VQ_ERR_LOOP);

	/* Self loop of zero-length entries in a 3-entry table. */
	vq_setup(f, QSZ, false, true, 0);
	sd_put_desc(&t[0], DATA_GPA, 1, F_NEXT, 2);
	sd_put_desc(&t[2], DATA_GPA, 0, F_NEXT, 2);
	sd_set_desc(&f->drv, 0, DATA_GPA + 4096, 48, F_INDIRECT, 0);
	sd_post_head(&f->drv, 0);
	expect_broken(f, XV_VQ_ERR_LOOP);
}

static void test_bad_indirect_addr(void **state)
{
	struct fx *f = *state;
	const uint64_t tables[][2] = {
		{ HOLE_GPA, 16 }, /* in the hole */
		{ reg[R3].gpa + reg[R3].size - 16, 32 }, /* off R3's end */
		{ reg[R2].gpa - 16, 32 }, /* across R1/R2: two pieces */
		{ UINT64_MAX - 15, 32 }, /* wraps */
		{ reg[R0].gpa, 0xfffffff0 }, /* far larger than memory */
	};
	size_t i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		vq_setup(f, QSZ, false, true, 0);
		sd_set_desc(&f->drv, 0, tables[i][0], tables[i][1], F_INDIRECT,
			    0);
		sd_post_head(&f->drv, 0);
		expect_broken(f, XV_VQ_ERR_ADDR);
	}
}

static void test_bad_addr(void **state)
{
	struct fx *f = *state;
	const struct sd_buf bad[] = {
		{ HOLE_GPA, 1, false },
		{ HOLE_GPA - 1, 1, true },
		{ reg[R3].gpa - 1, 2, false }, /* starts in the hole */
		{ reg[R3].gpa + reg[R3].size - 10, 11, false }, /* 1 too far */
		{ reg[R2].gpa + reg[R2].size - 1, 2, true }, /* into hole */
		{ UINT64_MAX - 3, 16, false }, /* wraps */
		{ UINT64_MAX, 1, true },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sd_buf b[2] = { { DATA_GPA, 1, false }, bad[i] };

		vq_setup(f, QSZ, false, true, 0);
		sd_post(&f->drv, b, 2);
		expect_broken(f, XV_VQ_ERR_ADDR);
	}
	/* Inside an indirect table too. */
	vq_setup(f, QSZ, false, true, 0);
	sd_post_indirect(&f->drv, DATA_GPA + 4096, bad, 1);
	expect_broken(f, XV_VQ_ERR_ADDR);
	/* And the last byte of R3 is fine. */
	vq_setup(f, QSZ, false, true, 0);
	sd_post(&f->drv,
		&(struct sd_buf){ reg[R3].gpa + reg[R3].size - 10, 10, false },
		1);
	assert_int_equal(pop(f), 1);
}

static void test_bad_too_many_segs(void **state)
{
	struct fx *f = *state;
	static struct sd_buf b[XV_CHAIN_MAX_IOV + 1];
	int i;

	/* 257 one-byte entries in an indirect table. */
	for (i = 0; i <= XV_CHAIN_MAX_IOV; i++)
		b[i] = (struct sd_buf){ DATA_GPA + i, 1, false };
	sd_post_indirect(&f->drv, DATA_GPA + 8192, b, XV_CHAIN_MAX_IOV + 1);
	expect_broken(f, XV_VQ_ERR_TOO_MANY_SEGS);

	/* 255 ring descriptors and one that crosses R1/R2: 257. */
	vq_setup(f, 512, false, true, 0);
	b[XV_CHAIN_MAX_IOV - 1] = (struct sd_buf){ reg[R2].gpa - 1, 2, false };
	sd_post(&f->drv, b, XV_CHAIN_MAX_IOV);
	expect_broken(f, XV_VQ_ERR_TOO_MANY_SEGS);

	/* 256 in the ring, then an indirect table adds one more. */
	vq_setup(f, 512, false, true, 0);
	sd_write_table(&f->gm, DATA_GPA + 8192, b, 1);
	for (i = 0; i < XV_CHAIN_MAX_IOV; i++)
		sd_set_desc(&f->drv, i, DATA_GPA + i, 1, F_NEXT, i + 1);
	sd_set_desc(&f->drv, i, DATA_GPA + 8192, 16, F_INDIRECT, 0);
	sd_post_head(&f->drv, 0);
	expect_broken(f, XV_VQ_ERR_TOO_MANY_SEGS);
}

static void test_bad_order(void **state)
{
	struct fx *f = *state;
	const struct sd_buf in_out[2] = { { DATA_GPA, 10, true },
					  { DATA_GPA, 10, false } };
	const struct sd_buf empty_in_out[3] = { { DATA_GPA, 10, false },
						{ DATA_GPA, 0, true },
						{ DATA_GPA, 10, false } };

	sd_post(&f->drv, in_out, 2);
	expect_broken(f, XV_VQ_ERR_ORDER);

	vq_setup(f, QSZ, false, true, 0);
	sd_post(&f->drv, empty_in_out, 3);
	expect_broken(f, XV_VQ_ERR_ORDER);

	/* Within an indirect table. */
	vq_setup(f, QSZ, false, true, 0);
	sd_post_indirect(&f->drv, DATA_GPA + 4096, in_out, 2);
	expect_broken(f, XV_VQ_ERR_ORDER);

	/* A writable ring descriptor, then a table with a readable one. */
	vq_setup(f, QSZ, false, true, 0);
	sd_write_table(&f->gm, DATA_GPA + 4096, &in_out[1], 1);
	sd_set_desc(&f->drv, 0, DATA_GPA, 10, F_WRITE | F_NEXT, 1);
	sd_set_desc(&f->drv, 1, DATA_GPA + 4096, 16, F_INDIRECT, 0);
	sd_post_head(&f->drv, 0);
	expect_broken(f, XV_VQ_ERR_ORDER);
}

/* Adds a 2 GiB sparse region at 4 GiB: big lengths, no real memory. */
static uint64_t add_big_region(struct fx *f)
{
	const struct xv_mem_region_desc big = { .gpa = 0x100000000,
						.size = 0x80000000,
						.uva = 0x7f8000000000 };

	f->bigfd = memfd_create("xv-big", MFD_CLOEXEC);
	assert_true(f->bigfd >= 0);
	assert_int_equal(ftruncate(f->bigfd, big.size), 0);
	assert_int_equal(xv_mem_add_region(&f->mem, &big, f->bigfd), 0);
	return big.gpa;
}

static void test_bad_len_overflow(void **state)
{
	struct fx *f = *state;
	uint64_t big = add_big_region(f);
	struct sd_buf b[3] = { { big, 0x80000000, false },
			       { big, 0x80000000, false },
			       { big, 1, true } };

	sd_post(&f->drv, b, 2);
	expect_broken(f, XV_VQ_ERR_LEN_OVERFLOW);

	vq_setup(f, QSZ, false, true, 0);
	b[0].wr = b[1].wr = true;
	sd_post(&f->drv, b, 3);
	expect_broken(f, XV_VQ_ERR_LEN_OVERFLOW);

	/* 0xffffffff + 1 through an indirect table. */
	vq_setup(f, QSZ, false, true, 0);
	b[0] = (struct sd_buf){ big, 0x80000000, false };
	b[1] = (struct sd_buf){ big, 0x7fffffff, false };
	b[2] = (struct sd_buf){ big, 1, false };
	sd_post_indirect(&f->drv, DATA_GPA + 4096, b, 3);
	expect_broken(f, XV_VQ_ERR_LEN_OVERFLOW);
}

static void test_len_max_ok(void **state)
{
	struct fx *f = *state;
	uint64_t big = add_big_region(f);
	struct sd_buf b[4] = { { big, 0x80000000, false },
			       { big, 0x7fffffff, false },
			       { big, 0x80000000, true },
			       { big, 0x7fffffff, true } };

	/* UINT32_MAX each way is the limit, counted apart. */
	sd_post(&f->drv, b, 4);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.out_len, UINT32_MAX);
	assert_int_equal(f->c.in_len, UINT32_MAX);
	assert_int_equal(f->c.nout, 2);
	assert_int_equal(f->c.nin, 2);
}

/*
 * A table far larger than a 16-bit next can reach: the walk is bounded by
 * 65536 entries, and a chain of exactly 65536 entries is no loop.
 */
static void test_indirect_huge_table(void **state)
{
	struct fx *f = *state;
	uint64_t big = add_big_region(f);
	struct vring_desc *t = xv_gpa_to_hva(&f->mem, big, 65536 * 16);
	uint32_t i;

	assert_non_null(t);
	for (i = 0; i < 65536; i++)
		sd_put_desc(&t[i], HOLE_GPA, 0, i < 65535 ? F_NEXT : 0,
			    (i + 1) & 0xffff);
	sd_set_desc(&f->drv, 0, big, 0x80000000, F_INDIRECT, 0);
	sd_post_head(&f->drv, 0);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->c.ndesc, 1);
	assert_int_equal(f->c.nout + f->c.nin, 0);

	/* Now the last entry goes back to the first. */
	sd_put_desc(&t[65535], HOLE_GPA, 0, F_NEXT | F_WRITE, 0);
	sd_post_head(&f->drv, 0);
	expect_broken(f, XV_VQ_ERR_LOOP);
}

/* ---- broken stays broken ---- */

static void test_broken_stays_broken(void **state)
{
	struct fx *f = *state;
	const struct xv_mem_region *r0 = xv_mem_find(&f->mem, reg[R0].gpa);
	struct sd_buf b = { DATA_GPA, 64, false };

	sd_post_head(&f->drv, QSZ);
	expect_broken(f, XV_VQ_ERR_HEAD_RANGE);
	/* The driver repairs its ring: too late. */
	f->drv.avail->ring[0] = htole16(0);
	sd_post(&f->drv, &b, 1);
	assert_int_equal(pop(f), -EIO);
	assert_int_equal(pop(f), -EIO);
	assert_int_equal(f->vq.errors[XV_VQ_ERR_HEAD_RANGE], 1);
	assert_int_equal(total_errors(&f->vq), 1);
	assert_int_equal(f->vq.last_avail_idx, 0);
	/* Not even a look at the rings: they may be gone. */
	assert_int_equal(mprotect(r0->map.base, r0->map.len, PROT_NONE), 0);
	assert_int_equal(pop(f), -EIO);
	assert_int_equal(
		mprotect(r0->map.base, r0->map.len, PROT_READ | PROT_WRITE), 0);
	/* A reset (init + map) brings it back. */
	vq_setup(f, QSZ, false, true, 0);
	sd_post(&f->drv, &b, 1);
	assert_int_equal(pop(f), 1);
	assert_int_equal(total_errors(&f->vq), 0);
}

/* ---- notifications ---- */

static void test_need_event_arith(void **state)
{
	static const struct {
		uint16_t event, new_idx, old_idx;
		bool want;
	} cases[] = {
		{ 0, 1, 0, true },
		{ 1, 1, 0, false },
		{ 4, 5, 0, true },
		{ 5, 5, 0, false },
		{ 0, 5, 1, false }, /* event already passed before old */
		{ 5, 5, 5, false }, /* nothing new */
		{ 65535, 0, 65535, true }, /* new wrapped past event */
		{ 65535, 0, 65534, true },
		{ 65534, 0, 65535, false }, /* event just before old */
		{ 65535, 1, 65534, true },
		{ 0, 0, 65535, false },
		{ 0, 1, 65535, true },
		{ 65535, 65535, 65534, false },
		{ 10, 20, 65530, true }, /* old far behind, across 0 */
		{ 30, 20, 65530, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (xv_vring_need_event(cases[i].event, cases[i].new_idx,
					cases[i].old_idx) != cases[i].want)
			fail_msg("need_event(%u, %u, %u) != %d", cases[i].event,
				 cases[i].new_idx, cases[i].old_idx,
				 cases[i].want);
}

static void push_flush(struct fx *f, int n)
{
	while (n--)
		f->vq.ops->push(&f->vq, 0, 0);
	f->vq.ops->flush(&f->vq);
}

static bool need_call(struct fx *f)
{
	return f->vq.ops->need_call(&f->vq);
}

static void test_need_call_no_event_idx(void **state)
{
	struct fx *f = *state;

	vq_setup(f, QSZ, false, false, 0);
	*sd_used_event(&f->drv) = htole16(1000); /* ignored */
	assert_true(need_call(f));
	push_flush(f, 1);
	assert_true(need_call(f));
	assert_true(need_call(f));
	f->drv.avail->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT);
	push_flush(f, 1);
	assert_false(need_call(f));
	f->drv.avail->flags = 0;
	assert_true(need_call(f));
}

static void test_need_call_event_idx(void **state)
{
	struct fx *f = *state;

	vq_setup(f, QSZ, true, false, 0);
	*sd_used_event(&f->drv) = htole16(1000);
	/* First call after setup: always. */
	assert_true(need_call(f));
	assert_false(need_call(f));
	push_flush(f, 1); /* used 1 */
	*sd_used_event(&f->drv) = htole16(0);
	assert_true(need_call(f));
	push_flush(f, 1); /* used 2 */
	*sd_used_event(&f->drv) = htole16(5);
	assert_false(need_call(f));
	push_flush(f, 3); /* used 5: entry 5 not yet used */
	assert_false(need_call(f));
	push_flush(f, 1); /* used 6 */
	assert_true(need_call(f));
	assert_false(need_call(f));
	/* NO_INTERRUPT means nothing with EVENT_IDX. */
	f->drv.avail->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT);
	*sd_used_event(&f->drv) = htole16(6);
	push_flush(f, 1);
	assert_true(need_call(f));
	/* A batch that jumps over used_event still calls. */
	*sd_used_event(&f->drv) = htole16(9);
	push_flush(f, 10);
	assert_true(need_call(f));
}

static void test_need_call_event_idx_wrap(void **state)
{
	struct fx *f = *state;

	vq_setup(f, 8, true, false, 65533);
	*sd_used_event(&f->drv) = htole16(65535);
	assert_true(need_call(f)); /* first */
	push_flush(f, 2); /* used 65535 */
	assert_false(need_call(f));
	push_flush(f, 1); /* used 0 */
	assert_int_equal(sd_used_idx(&f->drv), 0);
	assert_true(need_call(f));
	*sd_used_event(&f->drv) = htole16(1);
	push_flush(f, 2); /* used 2 */
	assert_true(need_call(f));
	*sd_used_event(&f->drv) = htole16(65534); /* stale, behind */
	push_flush(f, 1);
	assert_false(need_call(f));
}

static void test_need_call_after_remap(void **state)
{
	struct fx *f = *state;

	vq_setup(f, QSZ, true, false, 0);
	*sd_used_event(&f->drv) = htole16(500);
	assert_true(need_call(f));
	assert_false(need_call(f));
	assert_int_equal(xv_vq_split_map(&f->vq, &f->mem, QSZ,
					 sd_uva(&f->gm, DESC_GPA),
					 sd_uva(&f->gm, AVAIL_GPA),
					 sd_uva(&f->gm, USED_GPA)),
			 0);
	assert_true(need_call(f));
	assert_false(need_call(f));
}

static void test_enable_kicks_no_event_idx(void **state)
{
	struct fx *f = *state;

	vq_setup(f, QSZ, false, false, 0);
	*sd_avail_event(&f->drv) = htole16(0xabcd);
	f->vq.ops->enable_kicks(&f->vq, false);
	assert_int_equal(le16toh(f->drv.used->flags), VRING_USED_F_NO_NOTIFY);
	f->vq.ops->enable_kicks(&f->vq, false);
	assert_int_equal(le16toh(f->drv.used->flags), VRING_USED_F_NO_NOTIFY);
	f->vq.ops->enable_kicks(&f->vq, true);
	assert_int_equal(le16toh(f->drv.used->flags), 0);
	assert_int_equal(le16toh(*sd_avail_event(&f->drv)), 0xabcd);
}

static void test_enable_kicks_event_idx(void **state)
{
	struct fx *f = *state;
	struct sd_buf b = { DATA_GPA, 64, false };
	int i;

	vq_setup(f, QSZ, true, false, 0);
	*sd_avail_event(&f->drv) = htole16(0xabcd);
	for (i = 0; i < 3; i++)
		sd_post(&f->drv, &b, 1);
	for (i = 0; i < 3; i++)
		assert_int_equal(pop(f), 1);
	f->vq.ops->enable_kicks(&f->vq, true);
	assert_int_equal(le16toh(*sd_avail_event(&f->drv)), 3);
	assert_int_equal(le16toh(f->drv.used->flags), 0);
	sd_post(&f->drv, &b, 1);
	assert_int_equal(pop(f), 1);
	f->vq.ops->enable_kicks(&f->vq, false);
	assert_int_equal(le16toh(*sd_avail_event(&f->drv)), 3);
	assert_int_equal(le16toh(f->drv.used->flags), 0);
	f->vq.ops->enable_kicks(&f->vq, true);
	assert_int_equal(le16toh(*sd_avail_event(&f->drv)), 4);

	/* Across the wrap. */
	vq_setup(f, QSZ, true, false, 65535);
	sd_post(&f->drv, &b, 1);
	sd_post(&f->drv, &b, 1);
	assert_int_equal(pop(f), 1);
	assert_int_equal(pop(f), 1);
	f->vq.ops->enable_kicks(&f->vq, true);
	assert_int_equal(le16toh(*sd_avail_event(&f->drv)), 1);
}

static void test_error_names(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < XV_VQ_ERR_MAX; i++) {
		const char *n = xv_vq_error_name(i);

		assert_non_null(n);
		assert_true(n[0]);
		assert_string_not_equal(n, "unknown");
		for (j = 0; j < i; j++)
			assert_string_not_equal(n, xv_vq_error_name(j));
	}
	assert_string_equal(xv_vq_error_name(XV_VQ_ERR_MAX), "unknown");
	assert_string_equal(xv_vq_error_name((enum xv_vq_error) - 1),
			    "unknown");
	assert_string_equal(xv_vq_error_name(XV_VQ_ERR_LOOP), "loop");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_map_ok),
		T(test_map_bad_size),
		T(test_map_misaligned),
		T(test_map_outside_memory),
		T(test_map_misaligned_host),
		T(test_map_keeps_indices),
		T(test_pop_empty),
		T(test_pop_single_out),
		T(test_pop_chain_out_in),
		T(test_pop_in_only),
		T(test_pop_zero_len_desc),
		T(test_pop_indirect),
		T(test_pop_indirect_unaligned_table),
		T(test_pop_direct_then_indirect),
		T(test_pop_cross_region),
		T(test_pop_batch),
		T(test_pop_full_ring),
		T(test_pop_chain_of_queue_size),
		T(test_max_segs_ok),
		T(test_len_max_ok),
		T(test_push_flush_visible),
		T(test_idx_wrap),
		T(test_idx_many_wraps),
		T(test_unpop),
		T(test_bad_idx_jump),
		T(test_avail_shadow),
		T(test_bad_head_range),
		T(test_bad_head_after_good),
		T(test_bad_next_range),
		T(test_bad_loop),
		T(test_bad_loop_big_queue),
		T(test_bad_indirect_feature),
		T(test_bad_indirect_len),
		T(test_bad_indirect_next),
		T(test_bad_nested_indirect),
		T(test_bad_indirect_next_range),
		T(test_bad_indirect_loop),
		T(test_indirect_huge_table),
		T(test_bad_indirect_addr),
		T(test_bad_addr),
		T(test_bad_too_many_segs),
		T(test_bad_order),
		T(test_bad_len_overflow),
		T(test_broken_stays_broken),
		T(test_need_event_arith),
		T(test_need_call_no_event_idx),
		T(test_need_call_event_idx),
		T(test_need_call_event_idx_wrap),
		T(test_need_call_after_remap),
		T(test_enable_kicks_no_event_idx),
		T(test_enable_kicks_event_idx),
		T(test_error_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
