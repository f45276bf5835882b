// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dirty log's mapping, and the marks of written buffers (dirty_log.h).
 */
#include <errno.h>
#include <string.h>

#include "dirty_log.h"

void xv_log_init(struct xv_dirty_log *log)
{
	memset(log, 0, sizeof(*log));
	log->map.fault_slot = -1;
}

int xv_log_map(struct xv_dirty_log *log, int fd, uint64_t size, uint64_t offset)
{
	struct xv_fd_map m = { .fault_slot = -1 };
	int rc;

	if (!size || size > XV_LOG_MAX_BYTES)
		return -EINVAL;
	rc = xv_fd_map(fd, offset, size, &log->fault, &m);
	if (rc)
		return rc;
	xv_log_unmap(log);
	log->map = m;
	log->bits = m.at;
	log->size = size;
	return 0;
}

void xv_log_unmap(struct xv_dirty_log *log)
{
	xv_fd_unmap(&log->map);
	log->map.fault_slot = -1;
	log->bits = NULL;
	log->size = 0;
	xv_fault_clear(&log->fault); /* nothing of the old mapping is left */
}

/* The region whose host view holds @p: the largest first (as
 * translations try it), then the others. */
static const struct xv_mem_region *region_at(const struct xv_guest_mem *mem,
					     const uint8_t *p)
{
	const struct xv_mem_region *r;
	unsigned int i;

	if (!mem->nregions)
		return NULL;
	r = &mem->regions[mem->hot];
	if ((uintptr_t)(p - r->hva) < r->size)
		return r;
	for (i = 0; i < mem->nregions; i++) {
		r = &mem->regions[i];
		if ((uintptr_t)(p - r->hva) < r->size)
			return r;
	}
	return NULL;
}

void xv_log_iov(struct xv_dirty_log *log, const struct xv_guest_mem *mem,
		const struct iovec *iov, unsigned int n, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < n && len; i++) {
		const uint8_t *p = iov[i].iov_base;
		uint64_t k = iov[i].iov_len < len ? iov[i].iov_len : len;
		const struct xv_mem_region *r = region_at(mem, p);

		/* Chains are split at region edges: one region holds it. */
		if (r && k)
			xv_log_gpa(log, r->gpa + (uint64_t)(p - r->hva), k);
		len -= k;
	}
}
