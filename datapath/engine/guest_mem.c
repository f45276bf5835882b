// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest memory: the regions a vhost-user frontend shared with us, mapped
 * and kept sorted by guest physical address. Lookups are binary searches;
 * every translation checks that the whole range lies in guest memory.
 *
 * Invariants kept by xv_mem_add_region(): size > 0, neither gpa + size nor
 * uva + size wraps (so "end" values below never overflow), no two regions
 * overlap in gpa space or in uva space.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "guest_mem.h"

void xv_mem_init(struct xv_guest_mem *mem)
{
	mem->nregions = 0;
	mem->hot = 0;
	mem->max_bytes = 0;
	mem->mapped_bytes = 0;
	xv_fault_clear(&mem->fault);
}

/* Points the translations' fast path at the largest region. */
static void pick_hot(struct xv_guest_mem *mem)
{
	unsigned int i;

	mem->hot = 0;
	for (i = 1; i < mem->nregions; i++)
		if (mem->regions[i].size > mem->regions[mem->hot].size)
			mem->hot = i;
}

/* True when [a, a + alen) and [b, b + blen) share a byte (no wrap). */
static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * True when [start, start + len) wraps, for len > 0. A range ending
 * exactly at 2^64 counts as wrapping: its end is not representable.
 */
static bool range_wraps(uint64_t start, uint64_t len)
{
	return start + len < start;
}

/* Index of the first region whose gpa is greater than @gpa. */
static unsigned int upper_bound(const struct xv_guest_mem *mem, uint64_t gpa)
{
	unsigned int lo = 0, hi = mem->nregions;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (mem->regions[mid].gpa <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int check_desc(const struct xv_mem_region_desc *d)
{
	if (!d->size || range_wraps(d->gpa, d->size) ||
	    range_wraps(d->uva, d->size) ||
	    range_wraps(d->mmap_offset, d->size))
		return -EINVAL;
	return 0;
}

/* -EINVAL if @d overlaps an existing region in gpa or uva space. */
static int check_overlap(const struct xv_guest_mem *mem,
			 const struct xv_mem_region_desc *d)
{
	unsigned int i;

	for (i = 0; i < mem->nregions; i++) {
		const struct xv_mem_region *r = &mem->regions[i];

		if (ranges_overlap(r->gpa, r->size, d->gpa, d->size) ||
		    ranges_overlap(r->uva, r->size, d->uva, d->size))
			return -EINVAL;
	}
	return 0;
}

/*
 * A region that reaches past the end of its file would fault (SIGBUS) on
 * first touch: refuse it up front rather than let the frontend crash us.
 */
static int check_fd_size(int fd, uint64_t end)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < end)
		return -EINVAL;
	return 0;
}

/*
 * Seals @fd against shrinking if it can be: true when the file cannot
 * shrink any more (already sealed so, or sealed now). Memfds made with
 * MFD_ALLOW_SEALING take seals; other tmpfs and hugetlbfs files carry
 * F_SEAL_SEAL, and files elsewhere have no seals at all.
 */
static bool seal_shrink(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	if (seals < 0)
		return false;
	if (seals & F_SEAL_SHRINK)
		return true;
	if (seals & F_SEAL_SEAL)
		return false;
	return !fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK);
}

/* The page size of @fd's mappings: the huge page size on hugetlbfs. */
static uint64_t fd_page_size(int fd)
{
	long page = sysconf(_SC_PAGESIZE);
	struct statfs fs;

	if (!fstatfs(fd, &fs) && fs.f_type == HUGETLBFS_MAGIC &&
	    fs.f_bsize > page)
		return (uint64_t)fs.f_bsize;
	return page > 0 ? (uint64_t)page : 4096;
}

/* What to map for [offset, offset + len): whole pages of the file. */
struct map_plan {
	uint64_t off; /* file offset of the first page */
	uint64_t len; /* whole pages */
};

static int plan_map(int fd, uint64_t offset, uint64_t len, struct map_plan *p)
{
	uint64_t page = fd_page_size(fd), end;

	if (!len || range_wraps(offset, len))
		return -EINVAL;
	end = offset + len;
	p->off = offset & ~(page - 1);
	if (end > UINT64_MAX - (page - 1))
		return -EINVAL;
	p->len = ((end + page - 1) & ~(page - 1)) - p->off;
	return 0;
}

uint64_t xv_fd_map_len(int fd, uint64_t offset, uint64_t len)
{
	struct map_plan p;

	return plan_map(fd, offset, len, &p) ? 0 : p.len;
}

int xv_fd_map(int fd, uint64_t offset, uint64_t len, struct xv_mem_fault *owner,
	      struct xv_fd_map *m)
{
	struct map_plan p;
	void *base;
	int rc;

	rc = plan_map(fd, offset, len, &p);
	if (rc)
		return rc;
	/* Sealed first: a file that can still shrink could do so between
	 * the size check and the mapping. */
	m->sealed = seal_shrink(fd);
	rc = check_fd_size(fd, offset + len);
	if (rc)
		return rc;
	base = mmap(NULL, p.len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)p.off);
	if (base == MAP_FAILED)
		return -errno;
	m->fault_slot = xv_fault_register(base, p.len, owner);
	if (m->fault_slot < 0) {
		munmap(base, p.len);
		return m->fault_slot;
	}
	m->base = base;
	m->len = p.len;
	m->at = (uint8_t *)base + (offset - p.off);
	return 0;
}

void xv_fd_unmap(struct xv_fd_map *m)
{
	if (!m->base)
		return;
	xv_fault_unregister(m->fault_slot);
	munmap(m->base, m->len);
	m->base = NULL;
	m->len = 0;
}

static int check_limit(const struct xv_guest_mem *mem, uint64_t len)
{
	if (mem->max_bytes &&
	    (len > mem->max_bytes || mem->mapped_bytes > mem->max_bytes - len))
		return -EFBIG;
	return 0;
}

int xv_mem_add_region(struct xv_guest_mem *mem,
		      const struct xv_mem_region_desc *d, int fd)
{
	struct xv_mem_region *r, nr;
	unsigned int pos;
	uint64_t len;
	int rc;

	rc = check_desc(d);
	if (!rc)
		rc = check_overlap(mem, d);
	if (rc)
		return rc;
	if (mem->nregions >= XV_MEM_MAX_REGIONS)
		return -ENOSPC;
	len = xv_fd_map_len(fd, d->mmap_offset, d->size);
	if (!len)
		return -EINVAL;
	rc = check_limit(mem, len);
	if (!rc)
		rc = xv_fd_map(fd, d->mmap_offset, d->size, &mem->fault,
			       &nr.map);
	if (rc)
		return rc;
	nr.gpa = d->gpa;
	nr.size = d->size;
	nr.uva = d->uva;
	nr.hva = nr.map.at;

	pos = upper_bound(mem, d->gpa);
	r = &mem->regions[pos];
	memmove(r + 1, r, (mem->nregions - pos) * sizeof(*r));
	*r = nr;
	mem->nregions++;
	mem->mapped_bytes += nr.map.len;
	pick_hot(mem);
	return 0;
}

int xv_mem_remove_region(struct xv_guest_mem *mem,
			 const struct xv_mem_region_desc *d)
{
	unsigned int pos = upper_bound(mem, d->gpa);
	struct xv_mem_region *r;

	if (!pos)
		return -ENOENT;
	r = &mem->regions[pos - 1];
	if (r->gpa != d->gpa || r->size != d->size || r->uva != d->uva)
		return -ENOENT;
	mem->mapped_bytes -= r->map.len;
	xv_fd_unmap(&r->map);
	memmove(r, r + 1, (mem->nregions - pos) * sizeof(*r));
	mem->nregions--;
	pick_hot(mem);
	return 0;
}

void xv_mem_clear(struct xv_guest_mem *mem)
{
	unsigned int i;

	for (i = 0; i < mem->nregions; i++)
		xv_fd_unmap(&mem->regions[i].map);
	mem->nregions = 0;
	mem->hot = 0;
	mem->mapped_bytes = 0;
	xv_fault_clear(&mem->fault); /* nothing of the old mappings is left */
}

const struct xv_mem_region *xv_mem_find_hva(const struct xv_guest_mem *mem,
					    uintptr_t addr)
{
	unsigned int i;

	for (i = 0; i < mem->nregions; i++) {
		const struct xv_mem_region *r = &mem->regions[i];

		if (addr - (uintptr_t)r->map.base < r->map.len)
			return r;
	}
	return NULL;
}

unsigned int xv_mem_unsealed(const struct xv_guest_mem *mem)
{
	unsigned int i, n = 0;

	for (i = 0; i < mem->nregions; i++)
		n += !mem->regions[i].map.sealed;
	return n;
}

/* Index of the region holding @gpa, or -1. */
static int find_idx(const struct xv_guest_mem *mem, uint64_t gpa)
{
	unsigned int pos = upper_bound(mem, gpa);
	const struct xv_mem_region *r;

	if (!pos)
		return -1;
	r = &mem->regions[pos - 1];
	return gpa - r->gpa < r->size ? (int)pos - 1 : -1;
}

const struct xv_mem_region *xv_mem_find(const struct xv_guest_mem *mem,
					uint64_t gpa)
{
	int i = find_idx(mem, gpa);

	return i < 0 ? NULL : &mem->regions[i];
}

void *xv_gpa_to_hva_search(const struct xv_guest_mem *mem, uint64_t gpa,
			   uint64_t len)
{
	const struct xv_mem_region *r = xv_mem_find(mem, gpa);
	uint64_t off;

	if (!r || !len)
		return NULL;
	off = gpa - r->gpa;
	if (len > r->size - off)
		return NULL;
	return r->hva + off;
}

/*
 * The rest of [gpa, gpa + len), from region @i on, after the iovecs ran
 * out: -EFAULT if it leaves guest memory (the worse fault), else -ENOBUFS.
 */
static int iov_overflow(const struct xv_guest_mem *mem, unsigned int i,
			uint64_t gpa, uint64_t len)
{
	for (; i < mem->nregions; i++) {
		const struct xv_mem_region *r = &mem->regions[i];
		uint64_t rest;

		if (r->gpa > gpa)
			return -EFAULT;
		rest = r->size - (gpa - r->gpa);
		if (len <= rest)
			return -ENOBUFS;
		gpa += rest;
		len -= rest;
	}
	return -EFAULT;
}

int xv_gpa_to_iov_search(const struct xv_guest_mem *mem, uint64_t gpa,
			 uint64_t len, struct iovec *iov, int max)
{
	const struct xv_mem_region *r;
	uint64_t chunk;
	unsigned int i;
	int idx, n = 0;

	if (!len)
		return 0;
	idx = find_idx(mem, gpa);
	if (idx < 0 || range_wraps(gpa, len))
		return -EFAULT;
	for (i = idx; len; i++, n++) {
		if (i >= mem->nregions || mem->regions[i].gpa > gpa)
			return -EFAULT;
		if (n >= max)
			return iov_overflow(mem, i, gpa, len);
		r = &mem->regions[i];
		chunk = r->size - (gpa - r->gpa);
		if (chunk > len)
			chunk = len;
		iov[n].iov_base = r->hva + (gpa - r->gpa);
		iov[n].iov_len = chunk;
		gpa += chunk;
		len -= chunk;
	}
	return n;
}

void *xv_uva_to_hva(const struct xv_guest_mem *mem, uint64_t uva, uint64_t len)
{
	unsigned int i;

	if (!len)
		return NULL;
	for (i = 0; i < mem->nregions; i++) {
		const struct xv_mem_region *r = &mem->regions[i];
		uint64_t off = uva - r->uva;

		if (uva >= r->uva && off < r->size)
			return len <= r->size - off ? r->hva + off : NULL;
	}
	return NULL;
}
