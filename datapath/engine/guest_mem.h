/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest memory as the vhost-user frontend shared it: regions mapped from
 * the fds of SET_MEM_TABLE / ADD_MEM_REG, kept sorted by guest physical
 * address. Every translation is bounds-checked; nothing the guest wrote
 * is trusted.
 */
#ifndef XVDPA_GUEST_MEM_H
#define XVDPA_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "guest_fault.h"

/* Regions per device: CONFIGURE_MEM_SLOTS lets frontends use many. */
#define XV_MEM_MAX_REGIONS 128

/* A region as the frontend describes it (vhost-user memory region). */
struct xv_mem_region_desc {
	uint64_t gpa; /* guest physical address */
	uint64_t size;
	uint64_t uva; /* the frontend's own virtual address of gpa */
	uint64_t mmap_offset; /* offset of gpa in the fd */
};

/* A shared mapping of part of a frontend's file (xv_fd_map). */
struct xv_fd_map {
	void *base; /* what mmap returned: the page holding the offset */
	uint64_t len; /* whole pages of the file (huge pages: hugetlbfs) */
	uint8_t *at; /* our address of the offset asked for */
	int fault_slot; /* in the SIGBUS registry (guest_fault.h) */
	bool sealed; /* the file cannot shrink (F_SEAL_SHRINK) */
};

struct xv_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint8_t *hva; /* our address of gpa */
	struct xv_fd_map map;
};

struct xv_guest_mem {
	unsigned int nregions;
	unsigned int hot; /* the largest region: translations try it first */
	uint64_t max_bytes; /* limit on the sum of map.len; 0: none */
	uint64_t mapped_bytes; /* the sum of map.len */
	/* Set by the SIGBUS handler when it replaced one of these mappings
	 * by zeros; cleared with the mappings (xv_mem_clear). */
	struct xv_mem_fault fault;
	struct xv_mem_region regions[XV_MEM_MAX_REGIONS]; /* sorted by gpa */
};

/*
 * Maps [@offset, @offset + @len) of a file a frontend sent (whole pages
 * around it, shared, read-write) into @m: sealed against shrinking first
 * where the file takes seals, refused (-EINVAL) when the file is shorter
 * or the range is empty or wraps, and put in the SIGBUS registry for
 * @owner. Does not take @fd.
 */
int xv_fd_map(int fd, uint64_t offset, uint64_t len, struct xv_mem_fault *owner,
	      struct xv_fd_map *m);
/* The whole pages xv_fd_map would map, or 0 when it would refuse. */
uint64_t xv_fd_map_len(int fd, uint64_t offset, uint64_t len);
void xv_fd_unmap(struct xv_fd_map *m);

void xv_mem_init(struct xv_guest_mem *mem);
/*
 * Maps @fd (the pages holding [mmap_offset, mmap_offset + size), shared)
 * and inserts the region. Refuses (-EINVAL) zero size, wrap-around,
 * overlap with an existing region in gpa or uva space, a file shorter
 * than the region; -ENOSPC when full; -EFBIG when the mapping would take
 * the mapped bytes past max_bytes. Before it maps, it seals the file
 * against shrinking where the file takes seals (memfds made with
 * MFD_ALLOW_SEALING); other files are covered by the SIGBUS handler.
 * Does not take @fd.
 */
int xv_mem_add_region(struct xv_guest_mem *mem,
		      const struct xv_mem_region_desc *d, int fd);
/* Removes and unmaps the region matching gpa, size and uva; -ENOENT. */
int xv_mem_remove_region(struct xv_guest_mem *mem,
			 const struct xv_mem_region_desc *d);
/* Unmaps every region. */
void xv_mem_clear(struct xv_guest_mem *mem);

/* The region whose mapping holds host address @addr, or NULL. */
const struct xv_mem_region *xv_mem_find_hva(const struct xv_guest_mem *mem,
					    uintptr_t addr);
/* Regions whose file could not be sealed against shrinking. */
unsigned int xv_mem_unsealed(const struct xv_guest_mem *mem);

/* Region holding @gpa (binary search), or NULL. */
const struct xv_mem_region *xv_mem_find(const struct xv_guest_mem *mem,
					uint64_t gpa);

void *xv_gpa_to_hva_search(const struct xv_guest_mem *mem, uint64_t gpa,
			   uint64_t len);
int xv_gpa_to_iov_search(const struct xv_guest_mem *mem, uint64_t gpa,
			 uint64_t len, struct iovec *iov, int max);

/*
 * The data path's fast case, inline: [gpa, gpa + len), len > 0, inside the
 * largest region (with one or two regions, nearly every buffer). NULL
 * otherwise; the binary search then decides. Regions never overlap, so a
 * hit is the answer the search would give.
 */
static inline void *xv_gpa_hot(const struct xv_guest_mem *mem, uint64_t gpa,
			       uint64_t len)
{
	const struct xv_mem_region *r;
	uint64_t off;

	if (!mem->nregions || !len)
		return NULL;
	r = &mem->regions[mem->hot];
	off = gpa - r->gpa;
	if (off >= r->size || len > r->size - off)
		return NULL;
	return r->hva + off;
}

/* Host address of [gpa, gpa + len) when it lies inside ONE region, else
 * NULL (also for len == 0 overflow cases such as gpa + len wrapping). */
static inline void *xv_gpa_to_hva(const struct xv_guest_mem *mem, uint64_t gpa,
				  uint64_t len)
{
	void *p = xv_gpa_hot(mem, gpa, len);

	return p ? p : xv_gpa_to_hva_search(mem, gpa, len);
}

/* Splits [gpa, gpa + len) into host iovecs, one per region it crosses.
 * Returns the number of iovecs used, -EFAULT if any byte lies outside
 * guest memory (or the range wraps), -ENOBUFS if @max is too small. */
static inline int xv_gpa_to_iov(const struct xv_guest_mem *mem, uint64_t gpa,
				uint64_t len, struct iovec *iov, int max)
{
	void *p = max > 0 ? xv_gpa_hot(mem, gpa, len) : NULL;

	if (!p)
		return xv_gpa_to_iov_search(mem, gpa, len, iov, max);
	iov[0].iov_base = p;
	iov[0].iov_len = len;
	return 1;
}

/* Host address of the frontend's user address range (vring addresses in
 * SET_VRING_ADDR are frontend virtual addresses), inside one region. */
void *xv_uva_to_hva(const struct xv_guest_mem *mem, uint64_t uva, uint64_t len);

#endif /* XVDPA_GUEST_MEM_H */
