/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtqueues as seen by the device (vdpad). Ring operations go through
 * struct xv_vq_ops so the packed layout can join the split one later;
 * the split ring is implemented in virtq_split.c.
 *
 * Every index, descriptor, address and length read from guest memory is
 * validated. A violation marks the queue broken (counted by reason); a
 * broken queue processes nothing until it is reset.
 */
#ifndef XVDPA_VIRTQ_H
#define XVDPA_VIRTQ_H

#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "dirty_log.h"
#include "guest_mem.h"

#define XV_VQ_MAX_SIZE 32768
/* Segments a chain may map to (descriptors, split further at region
 * edges). A longer chain is refused as XV_VQ_ERR_TOO_MANY_SEGS. */
#define XV_CHAIN_MAX_IOV 256

enum xv_vq_error {
	XV_VQ_ERR_IDX_JUMP = 0, /* avail->idx moved by more than the size */
	XV_VQ_ERR_HEAD_RANGE, /* head index >= queue size */
	XV_VQ_ERR_NEXT_RANGE, /* next index >= queue (or table) size */
	XV_VQ_ERR_LOOP, /* chain longer than the queue: a loop */
	XV_VQ_ERR_INDIRECT_LEN, /* indirect table length bad */
	XV_VQ_ERR_NESTED_INDIRECT, /* indirect inside indirect */
	XV_VQ_ERR_INDIRECT_NEXT, /* INDIRECT and NEXT together */
	XV_VQ_ERR_ADDR, /* buffer or table outside guest memory */
	XV_VQ_ERR_LEN_OVERFLOW, /* chain length over UINT32_MAX */
	XV_VQ_ERR_ORDER, /* device-readable after device-writable */
	XV_VQ_ERR_TOO_MANY_SEGS, /* more than XV_CHAIN_MAX_IOV segments */
	XV_VQ_ERR_RING_ADDR, /* ring not inside guest memory */
	XV_VQ_ERR_INDIRECT_FEATURE, /* INDIRECT without INDIRECT_DESC */
	XV_VQ_ERR_MAX,
};

/* A descriptor chain mapped to host memory. */
struct xv_chain {
	uint16_t head; /* returned to the used ring */
	uint16_t ndesc; /* descriptors consumed (for statistics) */
	uint32_t nout; /* iov[0..nout) are device-readable (driver → device) */
	uint32_t nin; /* iov[nout..nout+nin) are device-writable */
	uint64_t out_len; /* bytes readable */
	uint64_t in_len; /* bytes writable */
	struct iovec iov[XV_CHAIN_MAX_IOV];
};

struct xv_vq;

struct xv_vq_ops {
	/* 1: @c filled; 0: ring empty; <0: queue broken (-EIO). */
	int (*pop)(struct xv_vq *vq, struct xv_chain *c);
	/* Puts (head, written) in the used ring; not visible until flush. */
	void (*push)(struct xv_vq *vq, uint16_t head, uint32_t written);
	/* Publishes pushed entries (release barrier + used->idx store). */
	void (*flush)(struct xv_vq *vq);
	/* After a flush: does the driver want an interrupt (call)? */
	bool (*need_call)(struct xv_vq *vq);
	/* Ask the driver for kicks (true) or suppress them (false). */
	void (*enable_kicks)(struct xv_vq *vq, bool on);
	/* Gives back the last @n chains popped and not pushed: the next
	 * pops return them again (vhost's discard). */
	void (*unpop)(struct xv_vq *vq, uint16_t n);
};

struct xv_vq {
	const struct xv_vq_ops *ops;
	const struct xv_guest_mem *mem;
	uint16_t size; /* SET_VRING_NUM: power of two, <= XV_VQ_MAX_SIZE */
	bool event_idx; /* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect; /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	bool broken;
	/* split ring, host addresses (validated at setup) */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail_idx; /* next avail entry to pop */
	/* avail->idx as last read: entries up to it need no new read of
	 * that line, which the driver keeps writing. Whoever moves
	 * last_avail_idx other than pop/unpop sets it equal. */
	uint16_t avail_shadow;
	uint16_t used_idx; /* next used entry to fill (shadow) */
	uint16_t signalled_used; /* used idx at the last call */
	bool signalled_used_valid;
	/* Dirty logging while the frontend migrates (set under the device
	 * lock, vhost_user.c): NULL when it does not log. */
	struct xv_dirty_log *log;
	bool log_used; /* the used ring's writes too (VHOST_VRING_F_LOG) */
	uint16_t log_flushed; /* used_idx at the last flush: entries after
			       * it are marked at the next one */
	uint64_t log_used_gpa; /* the used ring's guest address */
	uint64_t errors[XV_VQ_ERR_MAX];
};

/* Clears @vq (no ring, not broken, counters zero). */
void xv_vq_init(struct xv_vq *vq);
/*
 * Binds @vq to a split ring at the frontend's user addresses (as
 * SET_VRING_ADDR gives them): each part must lie inside one region of
 * @mem and be aligned as virtio requires (desc 16, avail 2, used 4);
 * @size must be a power of two <= XV_VQ_MAX_SIZE. Sets ops, pointers and
 * size; keeps last_avail_idx/used_idx (SET_VRING_BASE sets those).
 * Returns 0, -EINVAL (size, alignment) or -EFAULT (XV_VQ_ERR_RING_ADDR).
 */
int xv_vq_split_map(struct xv_vq *vq, const struct xv_guest_mem *mem,
		    uint16_t size, uint64_t desc_uva, uint64_t avail_uva,
		    uint64_t used_uva);

extern const struct xv_vq_ops xv_vq_split_ops;

/* virtio's vring_need_event(), wrap-around safe. */
static inline bool xv_vring_need_event(uint16_t event_idx, uint16_t new_idx,
				       uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) <
	       (uint16_t)(new_idx - old_idx);
}

const char *xv_vq_error_name(enum xv_vq_error e);

/* After writing the first @len bytes of @iov (device-writable buffers of
 * a chain): their pages are marked dirty while the frontend logs. */
static inline void xv_vq_log_iov(const struct xv_vq *vq,
				 const struct iovec *iov, unsigned int n,
				 uint64_t len)
{
	if (__builtin_expect(vq->log != NULL, 0))
		xv_log_iov(vq->log, vq->mem, iov, n, len);
}

#endif /* XVDPA_VIRTQ_H */
