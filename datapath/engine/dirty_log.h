/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dirty log of a migrating guest (VHOST_F_LOG_ALL with
 * PROTOCOL_F_LOG_SHMFD): a bitmap the frontend shares through
 * SET_LOG_BASE, one bit per 4 KiB guest page, bit (gpa / 4096) % 8 of
 * byte gpa / 32768. While the frontend has LOG_ALL on, every guest page
 * vdpad writes (received frames, used rings) gets its bit set, after the
 * write, so the frontend copies it again; the frontend clears bits as it
 * copies (atomically), so bits are set atomically too.
 *
 * The bitmap is the frontend's own memory and it may lie about its size:
 * the mapping is checked against the file and put in the SIGBUS registry
 * (a shrunk file breaks only its device), and a page past the bitmap is
 * not marked but counted (@outside).
 */
#ifndef XVDPA_DIRTY_LOG_H
#define XVDPA_DIRTY_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "guest_fault.h"
#include "guest_mem.h"

#define XV_LOG_PAGE_SHIFT 12 /* VHOST_LOG_PAGE: 4 KiB */
/* The largest bitmap taken: 1 GiB covers 32 TiB of guest addresses. */
#define XV_LOG_MAX_BYTES (1ULL << 30)

struct xv_dirty_log {
	uint8_t *bits; /* NULL: no log mapped */
	uint64_t size; /* bytes of bitmap */
	struct xv_fd_map map;
	struct xv_mem_fault fault; /* the SIGBUS handler's record of it */
	/* Written under the device lock, read relaxed by the control thread. */
	uint64_t pages; /* page bits set by vdpad */
	uint64_t outside; /* pages past the bitmap: not marked */
};

void xv_log_init(struct xv_dirty_log *log);
/*
 * Maps the bitmap SET_LOG_BASE gives: @size bytes at @offset of @fd, and
 * unmaps the one before. -EINVAL for a size of 0 or over
 * XV_LOG_MAX_BYTES, a range that wraps or a file shorter than it; then
 * the log before is kept. Does not take @fd.
 */
int xv_log_map(struct xv_dirty_log *log, int fd, uint64_t size,
	       uint64_t offset);
void xv_log_unmap(struct xv_dirty_log *log);

/* Marks the guest pages of [gpa, gpa + len) dirty. */
static inline void xv_log_gpa(struct xv_dirty_log *log, uint64_t gpa,
			      uint64_t len)
{
	uint64_t page, last;

	if (!len)
		return;
	if (len - 1 > UINT64_MAX - gpa) { /* wraps: a hostile log_gpa */
		log->outside++;
		return;
	}
	page = gpa >> XV_LOG_PAGE_SHIFT;
	last = (gpa + len - 1) >> XV_LOG_PAGE_SHIFT;
	for (; page <= last; page++) {
		if ((page >> 3) >= log->size) {
			log->outside += last - page + 1;
			return;
		}
		__atomic_fetch_or(&log->bits[page >> 3],
				  (uint8_t)(1u << (page & 7)),
				  __ATOMIC_RELEASE);
		log->pages++;
	}
}

/* Marks the guest pages behind the first @len bytes of @iov (host
 * addresses inside @mem's regions, as chains hold them). */
void xv_log_iov(struct xv_dirty_log *log, const struct xv_guest_mem *mem,
		const struct iovec *iov, unsigned int n, uint64_t len);

#endif /* XVDPA_DIRTY_LOG_H */
