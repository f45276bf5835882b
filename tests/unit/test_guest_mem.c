// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for datapath/engine/guest_mem.c: a fake guest memory made of
 * memfd regions (adjacent ones, holes, unrelated uvas, odd mmap offsets),
 * as a vhost-user frontend would share it.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_driver.h"

#include "guest_mem.h"

#define FD_LEN 0x40000

/*
 * A, B, C are adjacent in gpa space (A's and B's uvas too) but not in the
 * fd, so not in host memory; D sits after a hole at an odd fd offset.
 */
enum { RA, RB, RC, RD, NREG };

static const struct xv_mem_region_desc reg[NREG] = {
	[RA] = { .gpa = 0x10000,
		 .size = 0x4000,
		 .uva = 0x7f0000100000,
		 .mmap_offset = 0x0 },
	[RB] = { .gpa = 0x14000,
		 .size = 0x2000,
		 .uva = 0x7f0000104000,
		 .mmap_offset = 0x8000 },
	[RC] = { .gpa = 0x16000,
		 .size = 0x1000,
		 .uva = 0x7f0000200000,
		 .mmap_offset = 0x4000 },
	[RD] = { .gpa = 0x40000,
		 .size = 0x3000,
		 .uva = 0x7f0000500000,
		 .mmap_offset = 0x10800 },
};

struct fx {
	int fd;
	uint8_t *view; /* a second, independent mapping of the whole fd */
	struct xv_guest_mem mem;
};

/* What the fd holds at @off before any test writes to it. */
static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 8) + 1);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	size_t i;

	assert_non_null(f);
	f->fd = fake_memfd(FD_LEN, &f->view);
	for (i = 0; i < FD_LEN; i++)
		f->view[i] = pattern(i);
	xv_mem_init(&f->mem);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	xv_mem_clear(&f->mem);
	if (f->view)
		munmap(f->view, FD_LEN);
	close(f->fd);
	free(f);
	return 0;
}

static void add_all(struct fx *f)
{
	int i;

	for (i = 0; i < NREG; i++)
		assert_int_equal(xv_mem_add_region(&f->mem, &reg[i], f->fd), 0);
}

/* Host address of reg[r] + off, as the device must compute it. */
static uint8_t *hva_of(struct fx *f, int r, uint64_t off)
{
	const struct xv_mem_region *m = xv_mem_find(&f->mem, reg[r].gpa);

	assert_non_null(m);
	assert_int_equal(m->gpa, reg[r].gpa);
	return m->hva + off;
}

static bool is_mapped(void *addr)
{
	return msync(addr, 1, MS_ASYNC) == 0;
}

static void assert_sorted(const struct xv_guest_mem *mem)
{
	unsigned int i;

	for (i = 1; i < mem->nregions; i++)
		assert_true(mem->regions[i - 1].gpa +
				    mem->regions[i - 1].size <=
			    mem->regions[i].gpa);
}

/* ---- add ---- */

static void test_empty(void **state)
{
	struct fx *f = *state;
	struct iovec iov[2];

	assert_int_equal(f->mem.nregions, 0);
	assert_null(xv_mem_find(&f->mem, 0));
	assert_null(xv_mem_find(&f->mem, reg[RA].gpa));
	assert_null(xv_gpa_to_hva(&f->mem, reg[RA].gpa, 1));
	assert_int_equal(xv_gpa_to_iov(&f->mem, 0, 0, iov, 2), 0);
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RA].gpa, 1, iov, 2),
			 -EFAULT);
	assert_null(xv_uva_to_hva(&f->mem, reg[RA].uva, 1));
	assert_int_equal(xv_mem_remove_region(&f->mem, &reg[RA]), -ENOENT);
	xv_mem_clear(&f->mem);
	assert_int_equal(f->mem.nregions, 0);
}

static void test_add_one(void **state)
{
	struct fx *f = *state;
	const struct xv_mem_region *r;

	assert_int_equal(xv_mem_add_region(&f->mem, &reg[RD], f->fd), 0);
	assert_int_equal(f->mem.nregions, 1);
	r = &f->mem.regions[0];
	assert_int_equal(r->gpa, reg[RD].gpa);
	assert_int_equal(r->size, reg[RD].size);
	assert_int_equal(r->uva, reg[RD].uva);
	/* Whole pages around [mmap_offset, mmap_offset + size): 0x10800 is
	 * 0x800 into the page at 0x10000, and 0x13800 ends in the next. */
	assert_int_equal(r->map.len, 0x4000);
	assert_int_equal(f->mem.mapped_bytes, 0x4000);
	assert_ptr_equal(r->hva, (uint8_t *)r->map.base + 0x800);
	/* The region shows the fd's bytes from mmap_offset on. */
	assert_int_equal(r->hva[0], pattern(reg[RD].mmap_offset));
	assert_int_equal(r->hva[reg[RD].size - 1],
			 pattern(reg[RD].mmap_offset + reg[RD].size - 1));
}

static void test_add_sorted_any_order(void **state)
{
	struct fx *f = *state;
	int perm[NREG], i, j, n;

	/* Every one of the 24 insertion orders ends sorted. */
	for (n = 0; n < 24; n++) {
		int pool[NREG] = { RA, RB, RC, RD }, left = NREG, k = n;

		for (i = 0; i < NREG; i++, left--) {
			int pick = k % left;

			k /= left;
			perm[i] = pool[pick];
			for (j = pick; j < left - 1; j++)
				pool[j] = pool[j + 1];
		}
		for (i = 0; i < NREG; i++)
			assert_int_equal(xv_mem_add_region(
						 &f->mem, &reg[perm[i]], f->fd),
					 0);
		assert_int_equal(f->mem.nregions, NREG);
		for (i = 0; i < NREG; i++) {
			assert_int_equal(f->mem.regions[i].gpa, reg[i].gpa);
			assert_int_equal(f->mem.regions[i].uva, reg[i].uva);
		}
		for (i = 0; i < NREG; i++)
			assert_int_equal(*hva_of(f, i, 0),
					 pattern(reg[i].mmap_offset));
		xv_mem_clear(&f->mem);
	}
}

/* @d is refused with -EINVAL and leaves the table as it was. */
static void refused(struct fx *f, const struct xv_mem_region_desc *d,
		    const char *what)
{
	struct xv_mem_region before[XV_MEM_MAX_REGIONS];
	unsigned int n = f->mem.nregions;
	int rc;

	memcpy(before, f->mem.regions, sizeof(before));
	rc = xv_mem_add_region(&f->mem, d, f->fd);
	if (rc != -EINVAL)
		fail_msg("%s: add returned %d, expected -EINVAL", what, rc);
	assert_int_equal(f->mem.nregions, n);
	assert_memory_equal(before, f->mem.regions, n * sizeof(before[0]));
}

static void test_add_refuses_bad_ranges(void **state)
{
	struct fx *f = *state;
	struct xv_mem_region_desc d;

	d = (struct xv_mem_region_desc){ .gpa = 0x1000,
					 .size = 0,
					 .uva = 0x1000 };
	refused(f, &d, "zero size");
	d = (struct xv_mem_region_desc){ .gpa = UINT64_MAX - 0xfff,
					 .size = 0x2000,
					 .uva = 0x1000 };
	refused(f, &d, "gpa wrap");
	d.size = 0x1000;
	refused(f, &d, "gpa end at 2^64");
	d = (struct xv_mem_region_desc){ .gpa = 0x1000,
					 .size = 0x2000,
					 .uva = UINT64_MAX - 0xfff };
	refused(f, &d, "uva wrap");
	d = (struct xv_mem_region_desc){ .gpa = 0x1000,
					 .size = 0x2000,
					 .uva = 0x1000,
					 .mmap_offset = UINT64_MAX - 0xfff };
	refused(f, &d, "mmap_offset wrap");
	d = (struct xv_mem_region_desc){ .gpa = 0x1000,
					 .size = UINT64_MAX,
					 .uva = 0x1000 };
	refused(f, &d, "huge size");
	assert_int_equal(f->mem.nregions, 0);
}

static void test_add_refuses_overlap(void **state)
{
	struct fx *f = *state;
	const struct xv_mem_region_desc *a = &reg[RA];
	struct xv_mem_region_desc d;
	/* gpa ranges that share at least one byte with A. */
	static const struct {
		uint64_t gpa, size;
		const char *what;
	} gpa_cases[] = {
		{ 0x10000, 0x4000, "same" },
		{ 0xf000, 0x1001, "last byte on A's first" },
		{ 0x13fff, 0x1000, "first byte on A's last" },
		{ 0x11000, 0x1000, "inside" },
		{ 0x8000, 0x10000, "around" },
		{ 0x10000, 0x1, "first byte" },
	};
	size_t i;

	assert_int_equal(xv_mem_add_region(&f->mem, a, f->fd), 0);
	for (i = 0; i < sizeof(gpa_cases) / sizeof(gpa_cases[0]); i++) {
		d = (struct xv_mem_region_desc){ .gpa = gpa_cases[i].gpa,
						 .size = gpa_cases[i].size,
						 .uva = 0x7f00ff000000 };
		refused(f, &d, gpa_cases[i].what);
	}
	/* Same uva range under another gpa: one byte is enough. */
	d = (struct xv_mem_region_desc){ .gpa = 0x90000,
					 .size = 0x1000,
					 .uva = a->uva + a->size - 1 };
	refused(f, &d, "uva overlap at end");
	d.uva = a->uva - 0xfff;
	refused(f, &d, "uva overlap at start");
	d.uva = a->uva;
	refused(f, &d, "uva same");
	/* Touching ranges are fine, below and above, in both spaces. */
	d = (struct xv_mem_region_desc){ .gpa = a->gpa - 0x1000,
					 .size = 0x1000,
					 .uva = a->uva - 0x1000 };
	assert_int_equal(xv_mem_add_region(&f->mem, &d, f->fd), 0);
	d = (struct xv_mem_region_desc){ .gpa = a->gpa + a->size,
					 .size = 0x1000,
					 .uva = a->uva + a->size };
	assert_int_equal(xv_mem_add_region(&f->mem, &d, f->fd), 0);
	assert_int_equal(f->mem.nregions, 3);
	assert_sorted(&f->mem);
}

static void test_add_bad_fd(void **state)
{
	struct fx *f = *state;

	assert_int_equal(xv_mem_add_region(&f->mem, &reg[RA], -1), -EBADF);
	assert_int_equal(f->mem.nregions, 0);
	assert_null(xv_mem_find(&f->mem, reg[RA].gpa));
}

static void test_add_capacity(void **state)
{
	struct fx *f = *state;
	struct xv_mem_region_desc d = { .size = 0x1000 };
	unsigned int i;

	/* Inserted from the top down: each one goes in front. */
	for (i = XV_MEM_MAX_REGIONS; i-- > 0;) {
		d.gpa = 0x100000 + i * 0x2000ull;
		d.uva = 0x7f0000000000 + i * 0x1000ull;
		d.mmap_offset = (i % 16) * 0x1000ull;
		assert_int_equal(xv_mem_add_region(&f->mem, &d, f->fd), 0);
	}
	assert_int_equal(f->mem.nregions, XV_MEM_MAX_REGIONS);
	assert_sorted(&f->mem);
	d.gpa = 0x10000;
	d.uva = 0x10000;
	assert_int_equal(xv_mem_add_region(&f->mem, &d, f->fd), -ENOSPC);
	/* A bad region is still -EINVAL, even when full. */
	d.size = 0;
	assert_int_equal(xv_mem_add_region(&f->mem, &d, f->fd), -EINVAL);
	assert_int_equal(f->mem.nregions, XV_MEM_MAX_REGIONS);
	/* The binary search over a full table, every edge. */
	for (i = 0; i < XV_MEM_MAX_REGIONS; i++) {
		uint64_t gpa = 0x100000 + i * 0x2000ull;

		assert_ptr_equal(xv_mem_find(&f->mem, gpa), &f->mem.regions[i]);
		assert_ptr_equal(xv_mem_find(&f->mem, gpa + 0xfff),
				 &f->mem.regions[i]);
		assert_null(xv_mem_find(&f->mem, gpa + 0x1000));
		assert_null(xv_mem_find(&f->mem, gpa - 1));
		assert_int_equal(*(uint8_t *)xv_gpa_to_hva(&f->mem, gpa, 1),
				 pattern((i % 16) * 0x1000));
	}
}

/* ---- lookups ---- */

static void test_find(void **state)
{
	struct fx *f = *state;
	int i;

	add_all(f);
	for (i = 0; i < NREG; i++) {
		const struct xv_mem_region *r = &f->mem.regions[i];

		assert_ptr_equal(xv_mem_find(&f->mem, reg[i].gpa), r);
		assert_ptr_equal(
			xv_mem_find(&f->mem, reg[i].gpa + reg[i].size - 1), r);
	}
	/* One past A, B is the next region; one past C, D is a hole. */
	assert_ptr_equal(xv_mem_find(&f->mem, reg[RA].gpa + reg[RA].size),
			 &f->mem.regions[RB]);
	assert_null(xv_mem_find(&f->mem, reg[RC].gpa + reg[RC].size));
	assert_null(xv_mem_find(&f->mem, reg[RD].gpa + reg[RD].size));
	assert_null(xv_mem_find(&f->mem, reg[RA].gpa - 1));
	assert_null(xv_mem_find(&f->mem, 0));
	assert_null(xv_mem_find(&f->mem, UINT64_MAX));
}

static void test_gpa_to_hva_edges(void **state)
{
	struct fx *f = *state;
	const struct xv_mem_region_desc *d = &reg[RD];
	uint8_t *base;

	add_all(f);
	base = hva_of(f, RD, 0);
	assert_ptr_equal(xv_gpa_to_hva(&f->mem, d->gpa, 1), base);
	assert_ptr_equal(xv_gpa_to_hva(&f->mem, d->gpa, d->size), base);
	assert_ptr_equal(xv_gpa_to_hva(&f->mem, d->gpa + d->size - 1, 1),
			 base + d->size - 1);
	assert_ptr_equal(xv_gpa_to_hva(&f->mem, d->gpa + 0x100,
				       d->size - 0x100),
			 base + 0x100);
	assert_int_equal(*(uint8_t *)xv_gpa_to_hva(&f->mem,
						   d->gpa + d->size - 1, 1),
			 pattern(d->mmap_offset + d->size - 1));
	/* One byte too far, from the start, the middle and the end. */
	assert_null(xv_gpa_to_hva(&f->mem, d->gpa, d->size + 1));
	assert_null(xv_gpa_to_hva(&f->mem, d->gpa + 0x100, d->size - 0xff));
	assert_null(xv_gpa_to_hva(&f->mem, d->gpa + d->size - 1, 2));
	assert_null(xv_gpa_to_hva(&f->mem, d->gpa + d->size, 1));
	assert_null(xv_gpa_to_hva(&f->mem, d->gpa - 1, 2));
	/* Nothing to translate is no translation. */
	assert_null(xv_gpa_to_hva(&f->mem, d->gpa, 0));
	/* Lengths that wrap the address space. */
	assert_null(xv_gpa_to_hva(&f->mem, d->gpa, UINT64_MAX));
	assert_null(xv_gpa_to_hva(&f->mem, d->gpa + 1, UINT64_MAX));
	assert_null(xv_gpa_to_hva(&f->mem, d->gpa + 1, -d->gpa));
	/* Adjacent regions are still two regions for gpa_to_hva. */
	assert_null(xv_gpa_to_hva(&f->mem, reg[RB].gpa - 1, 2));
	assert_non_null(xv_gpa_to_hva(&f->mem, reg[RB].gpa - 1, 1));
}

static void test_gpa_to_iov_one_region(void **state)
{
	struct fx *f = *state;
	struct iovec iov[4];

	add_all(f);
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RD].gpa + 8, 100, iov, 4),
			 1);
	assert_ptr_equal(iov[0].iov_base, hva_of(f, RD, 8));
	assert_int_equal(iov[0].iov_len, 100);
	/* Ending exactly at the region's end. */
	assert_int_equal(
		xv_gpa_to_iov(&f->mem, reg[RD].gpa, reg[RD].size, iov, 1), 1);
	assert_int_equal(iov[0].iov_len, reg[RD].size);
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RD].gpa, 0, NULL, 0), 0);
	assert_int_equal(xv_gpa_to_iov(&f->mem, 0x12345678, 0, iov, 4), 0);
}

static void test_gpa_to_iov_adjacent(void **state)
{
	struct fx *f = *state;
	uint64_t gpa = reg[RB].gpa - 0x10;
	struct iovec iov[4];
	size_t i;

	add_all(f);
	/* A's last 16 bytes, all of B, C's first 16 bytes: 3 pieces. */
	assert_int_equal(xv_gpa_to_iov(&f->mem, gpa, 0x10 + reg[RB].size + 0x10,
				       iov, 4),
			 3);
	assert_ptr_equal(iov[0].iov_base, hva_of(f, RA, reg[RA].size - 0x10));
	assert_int_equal(iov[0].iov_len, 0x10);
	assert_ptr_equal(iov[1].iov_base, hva_of(f, RB, 0));
	assert_int_equal(iov[1].iov_len, reg[RB].size);
	assert_ptr_equal(iov[2].iov_base, hva_of(f, RC, 0));
	assert_int_equal(iov[2].iov_len, 0x10);
	/* Really different places of the fd, not one contiguous block. */
	assert_ptr_not_equal((uint8_t *)iov[0].iov_base + iov[0].iov_len,
			     iov[1].iov_base);
	for (i = 0; i < iov[1].iov_len; i++)
		assert_int_equal(((uint8_t *)iov[1].iov_base)[i],
				 pattern(reg[RB].mmap_offset + i));
	/* All of A, B and C exactly. */
	assert_int_equal(
		xv_gpa_to_iov(&f->mem, reg[RA].gpa,
			      reg[RA].size + reg[RB].size + reg[RC].size, iov,
			      3),
		3);
	/* Just crossing A/B: two pieces of one byte. */
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RB].gpa - 1, 2, iov, 2), 2);
	assert_int_equal(iov[0].iov_len, 1);
	assert_int_equal(iov[1].iov_len, 1);
}

static void test_gpa_to_iov_faults(void **state)
{
	struct fx *f = *state;
	uint64_t abc_end = reg[RC].gpa + reg[RC].size;
	struct iovec iov[4];

	add_all(f);
	/* Into the hole after C, by one byte. */
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RA].gpa,
				       abc_end - reg[RA].gpa + 1, iov, 4),
			 -EFAULT);
	/* Starting in the hole, before the first region. */
	assert_int_equal(xv_gpa_to_iov(&f->mem, abc_end, 1, iov, 4), -EFAULT);
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RD].gpa - 1, 2, iov, 4),
			 -EFAULT);
	assert_int_equal(xv_gpa_to_iov(&f->mem, 0, 1, iov, 4), -EFAULT);
	/* Past the last region. */
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RD].gpa, reg[RD].size + 1,
				       iov, 4),
			 -EFAULT);
	/* Wrapping lengths. */
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RD].gpa, UINT64_MAX, iov,
				       4),
			 -EFAULT);
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RD].gpa, -reg[RD].gpa, iov,
				       4),
			 -EFAULT);
}

static void test_gpa_to_iov_nobufs(void **state)
{
	struct fx *f = *state;
	uint64_t abc_len = reg[RA].size + reg[RB].size + reg[RC].size;
	struct iovec iov[4];

	add_all(f);
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RA].gpa, abc_len, iov, 2),
			 -ENOBUFS);
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RA].gpa, abc_len, iov, 0),
			 -ENOBUFS);
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RA].gpa + 1, 1, iov, 0),
			 -ENOBUFS);
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RA].gpa, abc_len, iov, 3),
			 3);
	/* A hole beyond the last iovec is still a fault, not a shortage. */
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RA].gpa, abc_len + 1, iov,
				       2),
			 -EFAULT);
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RA].gpa + 1, abc_len, iov,
				       0),
			 -EFAULT);
}

static void test_uva_to_hva(void **state)
{
	struct fx *f = *state;
	int i;

	add_all(f);
	for (i = 0; i < NREG; i++) {
		const struct xv_mem_region_desc *d = &reg[i];

		assert_ptr_equal(xv_uva_to_hva(&f->mem, d->uva, d->size),
				 hva_of(f, i, 0));
		assert_ptr_equal(xv_uva_to_hva(&f->mem, d->uva + d->size - 1,
					       1),
				 hva_of(f, i, d->size - 1));
		assert_null(xv_uva_to_hva(&f->mem, d->uva, d->size + 1));
		assert_null(xv_uva_to_hva(&f->mem, d->uva, 0));
		assert_null(xv_uva_to_hva(&f->mem, d->uva + 1, UINT64_MAX));
		if (i != RB) /* B's uva follows A's */
			assert_null(xv_uva_to_hva(&f->mem, d->uva - 1, 1));
	}
	assert_ptr_equal(xv_uva_to_hva(&f->mem, reg[RB].uva - 1, 1),
			 hva_of(f, RA, reg[RA].size - 1));
	/* A and B touch in uva space but are two regions. */
	assert_null(xv_uva_to_hva(&f->mem, reg[RB].uva - 1, 2));
	assert_null(xv_uva_to_hva(&f->mem, reg[RC].uva + reg[RC].size, 1));
	/* A gpa is not a uva. */
	assert_null(xv_uva_to_hva(&f->mem, reg[RA].gpa, 1));
}

static void test_mapping_is_shared(void **state)
{
	struct fx *f = *state;
	const struct xv_mem_region_desc *d = &reg[RD];
	static const char msg[] = "written by the device";
	uint8_t *hva, *other;

	add_all(f);
	hva = xv_gpa_to_hva(&f->mem, d->gpa + 0x123, sizeof(msg));
	assert_non_null(hva);
	memcpy(hva, msg, sizeof(msg));
	/* The fd at mmap_offset + 0x123, through another mapping. */
	assert_memory_equal(f->view + d->mmap_offset + 0x123, msg, sizeof(msg));
	other = mmap(NULL, FD_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd,
		     0);
	assert_true(other != MAP_FAILED);
	assert_memory_equal(other + d->mmap_offset + 0x123, msg, sizeof(msg));
	/* And the other way round. */
	memcpy(other + d->mmap_offset + d->size - 4, "drv", 4);
	assert_memory_equal(xv_gpa_to_hva(&f->mem, d->gpa + d->size - 4, 4),
			    "drv", 4);
	munmap(other, FD_LEN);
}

/* ---- remove, clear ---- */

static void test_remove(void **state)
{
	struct fx *f = *state;
	struct xv_mem_region_desc d = reg[RB];
	struct iovec iov[4];
	void *base;

	add_all(f);
	base = f->mem.regions[RB].map.base;
	/* Only an exact match is removed. */
	d.size++;
	assert_int_equal(xv_mem_remove_region(&f->mem, &d), -ENOENT);
	d = reg[RB];
	d.uva += 0x1000;
	assert_int_equal(xv_mem_remove_region(&f->mem, &d), -ENOENT);
	d = reg[RB];
	d.gpa += 0x1000;
	d.size -= 0x1000;
	assert_int_equal(xv_mem_remove_region(&f->mem, &d), -ENOENT);
	d = reg[RB];
	d.gpa = 0x30000;
	assert_int_equal(xv_mem_remove_region(&f->mem, &d), -ENOENT);
	d.gpa = 0;
	assert_int_equal(xv_mem_remove_region(&f->mem, &d), -ENOENT);
	assert_int_equal(f->mem.nregions, NREG);
	assert_true(is_mapped(base));

	assert_int_equal(xv_mem_remove_region(&f->mem, &reg[RB]), 0);
	assert_int_equal(f->mem.nregions, NREG - 1);
	assert_false(is_mapped(base));
	assert_int_equal(f->mem.regions[0].gpa, reg[RA].gpa);
	assert_int_equal(f->mem.regions[1].gpa, reg[RC].gpa);
	assert_int_equal(f->mem.regions[2].gpa, reg[RD].gpa);
	assert_null(xv_mem_find(&f->mem, reg[RB].gpa));
	assert_null(xv_uva_to_hva(&f->mem, reg[RB].uva, 1));
	assert_ptr_equal(xv_mem_find(&f->mem, reg[RC].gpa), &f->mem.regions[1]);
	/* A is no longer continued by B. */
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RB].gpa - 1, 2, iov, 4),
			 -EFAULT);
	assert_int_equal(xv_mem_remove_region(&f->mem, &reg[RB]), -ENOENT);

	/* Its place can be taken again. */
	assert_int_equal(xv_mem_add_region(&f->mem, &reg[RB], f->fd), 0);
	assert_int_equal(f->mem.regions[RB].gpa, reg[RB].gpa);
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RB].gpa - 1, 2, iov, 4), 2);

	/* First and last. */
	assert_int_equal(xv_mem_remove_region(&f->mem, &reg[RA]), 0);
	assert_int_equal(xv_mem_remove_region(&f->mem, &reg[RD]), 0);
	assert_int_equal(f->mem.nregions, 2);
	assert_int_equal(f->mem.regions[0].gpa, reg[RB].gpa);
	assert_int_equal(f->mem.regions[1].gpa, reg[RC].gpa);
}

static void test_clear(void **state)
{
	struct fx *f = *state;
	void *base[NREG];
	int i;

	add_all(f);
	for (i = 0; i < NREG; i++) {
		base[i] = f->mem.regions[i].map.base;
		assert_true(is_mapped(base[i]));
	}
	xv_mem_clear(&f->mem);
	assert_int_equal(f->mem.nregions, 0);
	for (i = 0; i < NREG; i++) {
		assert_false(is_mapped(base[i]));
		assert_null(xv_mem_find(&f->mem, reg[i].gpa));
	}
	add_all(f);
	assert_int_equal(f->mem.nregions, NREG);
}

/* The inline fast path tries the largest region first: it must give what
 * the search gives, fall back for the others, and follow removals. */
static void test_hot_region(void **state)
{
	struct fx *f = *state;
	struct iovec iov[4];
	uint64_t end_a = reg[RA].gpa + reg[RA].size;

	add_all(f);
	assert_int_equal(f->mem.regions[f->mem.hot].gpa, reg[RA].gpa);
	/* hot hits, at both ends of A */
	assert_ptr_equal(xv_gpa_to_hva(&f->mem, reg[RA].gpa, 1),
			 hva_of(f, RA, 0));
	assert_ptr_equal(xv_gpa_to_hva(&f->mem, end_a - 16, 16),
			 hva_of(f, RA, reg[RA].size - 16));
	/* one byte past A is B's: not one region, two iovecs */
	assert_null(xv_gpa_to_hva(&f->mem, end_a - 16, 17));
	assert_int_equal(xv_gpa_to_iov(&f->mem, end_a - 16, 17, iov, 4), 2);
	assert_ptr_equal(iov[1].iov_base, hva_of(f, RB, 0));
	/* other regions through the search */
	assert_ptr_equal(xv_gpa_to_hva(&f->mem, reg[RD].gpa + 0x10, 16),
			 hva_of(f, RD, 0x10));
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RC].gpa, 8, iov, 1), 1);
	assert_ptr_equal(iov[0].iov_base, hva_of(f, RC, 0));
	/* no room for an iovec: the fast path must not write one */
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RA].gpa, 8, iov, 0),
			 -ENOBUFS);
	/* zero length is not a hit */
	assert_null(xv_gpa_to_hva(&f->mem, reg[RA].gpa, 0));
	assert_int_equal(xv_gpa_to_iov(&f->mem, reg[RA].gpa, 0, iov, 4), 0);

	assert_int_equal(xv_mem_remove_region(&f->mem, &reg[RA]), 0);
	assert_int_equal(f->mem.regions[f->mem.hot].gpa, reg[RD].gpa);
	assert_null(xv_gpa_to_hva(&f->mem, reg[RA].gpa, 1));
	assert_ptr_equal(xv_gpa_to_hva(&f->mem, reg[RD].gpa, 8),
			 hva_of(f, RD, 0));
	xv_mem_clear(&f->mem);
	assert_int_equal(f->mem.hot, 0);
	assert_null(xv_gpa_to_hva(&f->mem, reg[RD].gpa, 8));
}

/* ---- what is mapped: pages, seals, the limit ---- */

/* A region far into a big (sparse) file maps its own pages only, not the
 * file from offset 0 on. */
static void test_add_maps_region_pages_only(void **state)
{
	struct xv_mem_region_desc d = { .gpa = 0x100000,
					.size = 0x2000,
					.uva = 0x7f0000900000,
					.mmap_offset = (1ull << 30) + 0x1000 };
	struct fx *f = *state;
	uint8_t *view;
	int fd = fake_memfd((1ul << 30) + 0x4000, &view);

	(void)view; /* sparse: never touched */
	assert_int_equal(xv_mem_add_region(&f->mem, &d, fd), 0);
	assert_int_equal(f->mem.regions[0].map.len, 0x2000);
	assert_int_equal(f->mem.mapped_bytes, 0x2000);
	f->mem.regions[0].hva[0] = 0xab;
	assert_int_equal(view[(1ul << 30) + 0x1000], 0xab);
	xv_mem_clear(&f->mem);
	munmap(view, (1ul << 30) + 0x4000);
	close(fd);
}

static int seals_of(int fd)
{
	return fcntl(fd, F_GET_SEALS);
}

static int sealable_memfd(size_t len, unsigned int seals)
{
	int fd = memfd_create("xv-sealable", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)len), 0);
	if (seals)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, seals), 0);
	return fd;
}

/* A memfd that takes seals is sealed against shrinking before it is
 * mapped; one sealed already (as QEMU's memfd backend does) stays as it
 * was; one that takes none (no MFD_ALLOW_SEALING) is mapped unsealed. */
static void test_add_seals_shrink(void **state)
{
	const unsigned int qemu = F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL;
	struct fx *f = *state;
	struct xv_mem_region_desc d = reg[RA];
	int fd = sealable_memfd(FD_LEN, 0), qfd = sealable_memfd(FD_LEN, qemu);

	assert_int_equal(seals_of(fd), 0);
	assert_int_equal(xv_mem_add_region(&f->mem, &d, fd), 0);
	assert_true(f->mem.regions[0].map.sealed);
	assert_int_equal(seals_of(fd), F_SEAL_SHRINK);
	assert_int_equal(ftruncate(fd, 0), -1);
	assert_int_equal(errno, EPERM);
	/* growing is the frontend's business */
	assert_int_equal(ftruncate(fd, 2 * FD_LEN), 0);

	d = reg[RB];
	assert_int_equal(xv_mem_add_region(&f->mem, &d, qfd), 0);
	assert_true(f->mem.regions[1].map.sealed);
	assert_int_equal(seals_of(qfd), (int)qemu);

	d = reg[RD];
	assert_int_equal(xv_mem_add_region(&f->mem, &d, f->fd), 0);
	assert_false(f->mem.regions[2].map.sealed);
	assert_int_equal(seals_of(f->fd), F_SEAL_SEAL);
	assert_int_equal(xv_mem_unsealed(&f->mem), 1);
	xv_mem_clear(&f->mem);
	close(fd);
	close(qfd);
}

/* max_bytes bounds the bytes mapped (whole pages); a region over it is
 * refused before anything is sealed or mapped. */
static void test_add_limit(void **state)
{
	struct fx *f = *state;
	int fd = sealable_memfd(FD_LEN, 0);

	f->mem.max_bytes = 0x6000;
	assert_int_equal(xv_mem_add_region(&f->mem, &reg[RA], f->fd), 0);
	assert_int_equal(xv_mem_add_region(&f->mem, &reg[RB], f->fd), 0);
	assert_int_equal(f->mem.mapped_bytes, 0x6000);
	assert_int_equal(xv_mem_add_region(&f->mem, &reg[RC], fd), -EFBIG);
	assert_int_equal(seals_of(fd), 0);
	assert_int_equal(f->mem.nregions, 2);
	assert_null(xv_mem_find(&f->mem, reg[RC].gpa));
	/* RD's 0x3000 bytes take 4 pages (its odd offset): over as well */
	assert_int_equal(xv_mem_remove_region(&f->mem, &reg[RB]), 0);
	assert_int_equal(f->mem.mapped_bytes, 0x4000);
	assert_int_equal(xv_mem_add_region(&f->mem, &reg[RD], f->fd), -EFBIG);
	assert_int_equal(xv_mem_add_region(&f->mem, &reg[RC], fd), 0);
	assert_int_equal(f->mem.mapped_bytes, 0x5000);
	/* a size that would wrap the sum is refused too */
	f->mem.max_bytes = UINT64_MAX;
	f->mem.mapped_bytes = UINT64_MAX - 0x1000;
	assert_int_equal(xv_mem_add_region(&f->mem, &reg[RB], f->fd), -EFBIG);
	f->mem.mapped_bytes = 0x5000;
	/* 0: no limit */
	f->mem.max_bytes = 0;
	assert_int_equal(xv_mem_add_region(&f->mem, &reg[RB], f->fd), 0);
	assert_int_equal(xv_mem_add_region(&f->mem, &reg[RD], f->fd), 0);
	assert_int_equal(f->mem.nregions, NREG);
	xv_mem_clear(&f->mem);
	assert_int_equal(f->mem.mapped_bytes, 0);
	close(fd);
}

/* ---- SIGBUS: a frontend shrinks the file behind a region ---- */

/* The file behind RA (unsealable, as fake_memfd makes it) is cut to 0:
 * a read there gives zeros instead of SIGBUS, the owner is flagged with
 * where it faulted, and another owner's memory is untouched. */
static void test_sigbus_truncated_reads_zeros(void **state)
{
	struct fx *f = *state;
	struct xv_guest_mem *other = calloc(1, sizeof(*other));
	uint8_t *oview, *p, *q;
	int ofd = fake_memfd(FD_LEN, &oview);
	const struct xv_mem_region *r;

	assert_non_null(other);
	assert_int_equal(xv_fault_install(), 0);
	xv_mem_init(other);
	memset(oview, 0x5a, FD_LEN);
	assert_int_equal(xv_mem_add_region(other, &reg[RA], ofd), 0);
	assert_int_equal(xv_mem_add_region(&f->mem, &reg[RA], f->fd), 0);
	assert_int_equal(xv_mem_add_region(&f->mem, &reg[RD], f->fd), 0);
	p = xv_gpa_to_hva(&f->mem, reg[RA].gpa + 0x100, 1);
	q = xv_gpa_to_hva(&f->mem, reg[RD].gpa, 1);
	assert_int_equal(*p, pattern(0x100));
	assert_int_equal(xv_fault_count(&f->mem.fault), 0);

	munmap(f->view, FD_LEN); /* ours would fault too */
	f->view = NULL;
	assert_int_equal(ftruncate(f->fd, 0), 0);
	assert_int_equal(*(volatile uint8_t *)p, 0);
	assert_int_equal(xv_fault_count(&f->mem.fault), 1);
	assert_int_equal(f->mem.fault.addr, (uintptr_t)p);
	r = xv_mem_find_hva(&f->mem, f->mem.fault.addr);
	assert_non_null(r);
	assert_int_equal(r->gpa, reg[RA].gpa);
	/* the whole region reads zeros now and takes writes */
	assert_int_equal(r->hva[0], 0);
	r->hva[reg[RA].size - 1] = 7;
	assert_int_equal(r->hva[reg[RA].size - 1], 7);
	assert_int_equal(xv_fault_count(&f->mem.fault), 1);
	/* RD (its own mapping of the same file) faults on its own */
	assert_int_equal(*(volatile uint8_t *)q, 0);
	assert_int_equal(xv_fault_count(&f->mem.fault), 2);
	assert_int_equal(f->mem.fault.addr, (uintptr_t)p);
	/* the other owner saw nothing */
	assert_int_equal(xv_fault_count(&other->fault), 0);
	assert_int_equal(*(uint8_t *)xv_gpa_to_hva(other, reg[RA].gpa, 1),
			 0x5a);
	/* cleared with the mappings, which go away as usual */
	p = f->mem.regions[0].map.base;
	xv_mem_clear(&f->mem);
	assert_int_equal(xv_fault_count(&f->mem.fault), 0);
	assert_false(is_mapped(p));
	xv_mem_clear(other);
	munmap(oview, FD_LEN);
	close(ofd);
	free(other);
}

/* The same on hugetlbfs: the whole huge-page mapping is replaced. */
static void test_sigbus_hugetlb(void **state)
{
	const size_t huge = 2ul << 20;
	struct xv_mem_region_desc d = { .gpa = 0x200000,
					.size = 2 * huge - 0x1000,
					.uva = 0x7f0000a00000,
					.mmap_offset = 0x1000 };
	struct fx *f = *state;
	uint8_t *p;
	int fd = memfd_create("xv-huge", MFD_CLOEXEC | MFD_HUGETLB);

	if (fd < 0 || ftruncate(fd, 2 * huge)) {
		if (fd >= 0)
			close(fd);
		skip(); /* no hugetlbfs: scripts/host-setup.sh */
	}
	assert_int_equal(xv_fault_install(), 0);
	assert_int_equal(xv_mem_add_region(&f->mem, &d, fd), 0);
	assert_int_equal(f->mem.regions[0].map.len, 2 * huge);
	assert_int_equal((uintptr_t)f->mem.regions[0].map.base % huge, 0);
	p = xv_gpa_to_hva(&f->mem, d.gpa + huge, 1);
	*p = 3;
	assert_int_equal(ftruncate(fd, huge), 0);
	assert_int_equal(*(volatile uint8_t *)p, 0);
	assert_int_equal(xv_fault_count(&f->mem.fault), 1);
	/* the half the file kept reads zeros too: all of it was replaced */
	assert_int_equal(f->mem.regions[0].hva[0], 0);
	p = f->mem.regions[0].map.base;
	xv_mem_clear(&f->mem);
	assert_false(is_mapped(p));
	close(fd);
}

/* A SIGBUS outside guest memory is a bug: the process still dies. */
static void test_sigbus_elsewhere_still_kills(void **state)
{
	int fd, status;
	uint8_t *p;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		/* the default before ours, not the test harness's handler */
		signal(SIGBUS, SIG_DFL);
		if (xv_fault_install())
			_exit(2);
		fd = memfd_create("xv-not-guest", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, 4096))
			_exit(2);
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED || ftruncate(fd, 0))
			_exit(2);
		_exit(*(volatile uint8_t *)p == 0 ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGBUS);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty),
		T(test_add_one),
		T(test_add_sorted_any_order),
		T(test_add_refuses_bad_ranges),
		T(test_add_refuses_overlap),
		T(test_add_bad_fd),
		T(test_add_capacity),
		T(test_find),
		T(test_gpa_to_hva_edges),
		T(test_gpa_to_iov_one_region),
		T(test_gpa_to_iov_adjacent),
		T(test_gpa_to_iov_faults),
		T(test_gpa_to_iov_nobufs),
		T(test_uva_to_hva),
		T(test_mapping_is_shared),
		T(test_remove),
		T(test_clear),
		T(test_hot_region),
		T(test_add_maps_region_pages_only),
		T(test_add_seals_shrink),
		T(test_add_limit),
		T(test_sigbus_truncated_reads_zeros),
		T(test_sigbus_hugetlb),
		T(test_sigbus_elsewhere_still_kills),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
