// SPDX-License-Identifier: GPL-2.0-only
/*
 * The split virtqueue, device side.
 *
 * Everything read from guest memory is read once (descriptors are copied
 * before they are checked) and validated before use: indices against the
 * queue or table size, chain lengths against loops, buffers and tables
 * against guest memory. Any violation marks the queue broken and counts
 * the reason; a broken queue pops nothing until it is reset.
 *
 * Hot path: no allocation, no syscall, no logging.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "virtq.h"

/* A descriptor copied out of guest memory stays what was copied. */
#define XV_COMPILER_BARRIER() __asm__ __volatile__("" ::: "memory")

/* Reachable entries of an indirect table: next is 16 bits wide. */
#define XV_INDIRECT_REACH 65536u

static const char *const vq_error_names[XV_VQ_ERR_MAX] = {
	[XV_VQ_ERR_IDX_JUMP] = "idx_jump",
	[XV_VQ_ERR_HEAD_RANGE] = "head_range",
	[XV_VQ_ERR_NEXT_RANGE] = "next_range",
	[XV_VQ_ERR_LOOP] = "loop",
	[XV_VQ_ERR_INDIRECT_LEN] = "indirect_len",
	[XV_VQ_ERR_NESTED_INDIRECT] = "nested_indirect",
	[XV_VQ_ERR_INDIRECT_NEXT] = "indirect_next",
	[XV_VQ_ERR_ADDR] = "addr",
	[XV_VQ_ERR_LEN_OVERFLOW] = "len_overflow",
	[XV_VQ_ERR_ORDER] = "order",
	[XV_VQ_ERR_TOO_MANY_SEGS] = "too_many_segs",
	[XV_VQ_ERR_RING_ADDR] = "ring_addr",
	[XV_VQ_ERR_INDIRECT_FEATURE] = "indirect_feature",
};

const char *xv_vq_error_name(enum xv_vq_error e)
{
	if ((unsigned int)e >= XV_VQ_ERR_MAX || !vq_error_names[e])
		return "unknown";
	return vq_error_names[e];
}

void xv_vq_init(struct xv_vq *vq)
{
	memset(vq, 0, sizeof(*vq));
}

/* Host address of one ring part: aligned, inside one region. */
static int ring_part(const struct xv_guest_mem *mem, uint64_t uva, uint64_t len,
		     uintptr_t align, void **hva)
{
	*hva = xv_uva_to_hva(mem, uva, len);
	if (!*hva)
		return -EFAULT;
	/* The frontend's mmap_offset could misalign our view of it. */
	return (uintptr_t)*hva & (align - 1) ? -EINVAL : 0;
}

static int split_ring_parts(const struct xv_guest_mem *mem, uint16_t size,
			    const uint64_t uva[3], void *hva[3])
{
	static const uintptr_t align[3] = { VRING_DESC_ALIGN_SIZE,
					    VRING_AVAIL_ALIGN_SIZE,
					    VRING_USED_ALIGN_SIZE };
	const uint64_t len[3] = {
		sizeof(struct vring_desc) * (uint64_t)size,
		offsetof(struct vring_avail, ring) + 2 * ((uint64_t)size + 1),
		offsetof(struct vring_used, ring) +
			sizeof(struct vring_used_elem) * (uint64_t)size + 2,
	};
	int i, rc;

	for (i = 0; i < 3; i++)
		if (uva[i] & (align[i] - 1))
			return -EINVAL;
	for (i = 0; i < 3; i++) {
		rc = ring_part(mem, uva[i], len[i], align[i], &hva[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int xv_vq_split_map(struct xv_vq *vq, const struct xv_guest_mem *mem,
		    uint16_t size, uint64_t desc_uva, uint64_t avail_uva,
		    uint64_t used_uva)
{
	const uint64_t uva[3] = { desc_uva, avail_uva, used_uva };
	void *hva[3];
	int rc;

	if (!size || size > XV_VQ_MAX_SIZE || (size & (size - 1)))
		return -EINVAL;
	rc = split_ring_parts(mem, size, uva, hva);
	if (rc == -EFAULT)
		vq->errors[XV_VQ_ERR_RING_ADDR]++;
	if (rc)
		return rc;
	vq->ops = &xv_vq_split_ops;
	vq->mem = mem;
	vq->size = size;
	vq->desc = hva[0];
	vq->avail = hva[1];
	vq->used = hva[2];
	vq->avail_shadow = vq->last_avail_idx;
	vq->signalled_used_valid = false;
	return 0;
}

/* ---- hot path ---- */

/* State of one chain walk. */
struct walk {
	struct xv_vq *vq;
	struct xv_chain *c;
	bool in; /* a device-writable descriptor was seen */
};

/* A violation breaks the queue. It is counted unless the guest memory
 * faulted (guest_fault.h): then what we read were the zeros put in its
 * place, and the fault is the reason. */
static int vq_fail(struct xv_vq *vq, enum xv_vq_error e)
{
	if (!vq->mem || !xv_fault_count(&vq->mem->fault))
		vq->errors[e]++;
	vq->broken = true;
	return -EIO;
}

/* One snapshot of a descriptor (tables need not be aligned). */
static inline void desc_load(struct vring_desc *d, const void *src)
{
	memcpy(d, src, sizeof(*d));
	XV_COMPILER_BARRIER();
}

static inline uint16_t *used_event(struct xv_vq *vq)
{
	return &vq->avail->ring[vq->size];
}

static inline uint16_t *avail_event(struct xv_vq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->size];
}

/* Maps one buffer descriptor into the chain. */
static int add_buf(struct walk *w, const struct vring_desc *d)
{
	struct xv_chain *c = w->c;
	bool wr = le16toh(d->flags) & VRING_DESC_F_WRITE;
	uint64_t *total = wr ? &c->in_len : &c->out_len;
	uint32_t len = le32toh(d->len), used = c->nout + c->nin;
	int n;

	if (!wr && w->in)
		return vq_fail(w->vq, XV_VQ_ERR_ORDER);
	w->in = wr;
	if (*total + len > UINT32_MAX)
		return vq_fail(w->vq, XV_VQ_ERR_LEN_OVERFLOW);
	n = xv_gpa_to_iov(w->vq->mem, le64toh(d->addr), len, &c->iov[used],
			  XV_CHAIN_MAX_IOV - used);
	if (n < 0)
		return vq_fail(w->vq, n == -ENOBUFS ? XV_VQ_ERR_TOO_MANY_SEGS :
						      XV_VQ_ERR_ADDR);
	*total += len;
	if (wr)
		c->nin += n;
	else
		c->nout += n;
	return 0;
}

/* Checks the indirect descriptor @ind and finds its table. */
static int indirect_table(struct xv_vq *vq, const struct vring_desc *ind,
			  const uint8_t **table)
{
	uint32_t len = le32toh(ind->len);

	if (!vq->indirect)
		return vq_fail(vq, XV_VQ_ERR_INDIRECT_FEATURE);
	if (le16toh(ind->flags) & VRING_DESC_F_NEXT)
		return vq_fail(vq, XV_VQ_ERR_INDIRECT_NEXT);
	if (!len || len % sizeof(struct vring_desc))
		return vq_fail(vq, XV_VQ_ERR_INDIRECT_LEN);
	*table = xv_gpa_to_hva(vq->mem, le64toh(ind->addr), len);
	return *table ? 0 : vq_fail(vq, XV_VQ_ERR_ADDR);
}

/* Walks the indirect table of @ind; it ends the chain. */
static int walk_indirect(struct walk *w, const struct vring_desc *ind)
{
	uint32_t entries, reach, n;
	const uint8_t *table;
	struct vring_desc d;
	uint16_t idx = 0;
	int rc;

	rc = indirect_table(w->vq, ind, &table);
	if (rc)
		return rc;
	entries = le32toh(ind->len) / sizeof(d);
	reach = entries < XV_INDIRECT_REACH ? entries : XV_INDIRECT_REACH;
	for (n = 1;; n++) {
		desc_load(&d, table + (size_t)idx * sizeof(d));
		if (le16toh(d.flags) & VRING_DESC_F_INDIRECT)
			return vq_fail(w->vq, XV_VQ_ERR_NESTED_INDIRECT);
		rc = add_buf(w, &d);
		if (rc || !(le16toh(d.flags) & VRING_DESC_F_NEXT))
			return rc;
		idx = le16toh(d.next);
		if (idx >= entries)
			return vq_fail(w->vq, XV_VQ_ERR_NEXT_RANGE);
		if (n >= reach)
			return vq_fail(w->vq, XV_VQ_ERR_LOOP);
	}
}

/* Walks the chain at @head in the descriptor table. */
static int walk_ring(struct walk *w, uint16_t head)
{
	struct xv_vq *vq = w->vq;
	struct vring_desc d;
	uint16_t idx = head;
	unsigned int n;
	int rc;

	for (n = 1;; n++) {
		desc_load(&d, &vq->desc[idx]);
		if (le16toh(d.flags) & VRING_DESC_F_INDIRECT)
			rc = walk_indirect(w, &d);
		else
			rc = add_buf(w, &d);
		if (rc)
			return rc;
		/* An indirect descriptor with NEXT was refused above. */
		if (!(le16toh(d.flags) & VRING_DESC_F_NEXT))
			break;
		idx = le16toh(d.next);
		if (idx >= vq->size)
			return vq_fail(vq, XV_VQ_ERR_NEXT_RANGE);
		if (n >= vq->size)
			return vq_fail(vq, XV_VQ_ERR_LOOP);
	}
	w->c->ndesc = n;
	return 0;
}

/*
 * While the chain just popped is copied: start loading the next chain's
 * head descriptor and first buffer (the driver's CPU wrote both last).
 * A hint only: the index is masked into the ring, the address goes
 * through the region table, nothing read here is trusted or kept; the
 * next pop reads and checks it all again.
 */
static void prefetch_next(struct xv_vq *vq)
{
	uint16_t mask = vq->size - 1, head;
	struct vring_desc d;
	const void *p;

	head = le16toh(__atomic_load_n(
		       &vq->avail->ring[vq->last_avail_idx & mask],
		       __ATOMIC_RELAXED)) &
	       mask;
	desc_load(&d, &vq->desc[head]);
	if (!d.len || (le16toh(d.flags) & VRING_DESC_F_INDIRECT))
		return;
	p = xv_gpa_to_hva(vq->mem, le64toh(d.addr), 1);
	if (p)
		__builtin_prefetch(p, 1);
}

static int split_pop(struct xv_vq *vq, struct xv_chain *c)
{
	struct walk w = { .vq = vq, .c = c };
	uint16_t pending, head;
	int rc;

	if (vq->broken)
		return -EIO;
	/* avail->idx is read again only when what it said is used up (or
	 * the shadow is out of range: a base set behind our back). */
	pending = vq->avail_shadow - vq->last_avail_idx;
	if (!pending || pending > vq->size) {
		vq->avail_shadow = le16toh(
			__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));
		pending = vq->avail_shadow - vq->last_avail_idx;
		if (!pending)
			return 0;
		if (pending > vq->size)
			return vq_fail(vq, XV_VQ_ERR_IDX_JUMP);
	}
	head = le16toh(__atomic_load_n(
		&vq->avail->ring[vq->last_avail_idx & (vq->size - 1)],
		__ATOMIC_RELAXED));
	if (head >= vq->size)
		return vq_fail(vq, XV_VQ_ERR_HEAD_RANGE);
	c->head = head;
	c->nout = c->nin = 0;
	c->out_len = c->in_len = 0;
	rc = walk_ring(&w, head);
	if (rc)
		return rc;
	vq->last_avail_idx++;
	if (pending > 1)
		prefetch_next(vq);
	return 1;
}

/* After a write of @len bytes at @off into the used ring: its page is
 * marked dirty while the frontend logs it (migration). */
static inline void log_used(const struct xv_vq *vq, uint64_t off, uint64_t len)
{
	if (__builtin_expect(vq->log != NULL, 0) && vq->log_used)
		xv_log_gpa(vq->log, vq->log_used_gpa + off, len);
}

static void split_push(struct xv_vq *vq, uint16_t head, uint32_t written)
{
	struct vring_used_elem *e =
		&vq->used->ring[vq->used_idx & (vq->size - 1)];

	e->id = htole32(head);
	e->len = htole32(written);
	vq->used_idx++;
}

/* The used entries pushed since the last flush, marked once per batch:
 * [from, used_idx) of the ring, in one piece or two where it wraps. */
static void log_used_entries(struct xv_vq *vq)
{
	uint16_t n = vq->used_idx - vq->log_flushed;
	uint16_t from = vq->log_flushed & (vq->size - 1), first;
	const uint64_t ring = offsetof(struct vring_used, ring);
	const uint64_t esz = sizeof(struct vring_used_elem);

	vq->log_flushed = vq->used_idx;
	if (n > vq->size)
		n = vq->size;
	first = vq->size - from < n ? vq->size - from : n;
	log_used(vq, ring + from * esz, first * esz);
	log_used(vq, ring, (uint64_t)(n - first) * esz);
}

static void split_flush(struct xv_vq *vq)
{
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx),
			 __ATOMIC_RELEASE);
	if (__builtin_expect(vq->log != NULL, 0) && vq->log_used) {
		log_used_entries(vq);
		log_used(vq, offsetof(struct vring_used, idx),
			 sizeof(vq->used->idx));
	}
}

static bool split_need_call(struct xv_vq *vq)
{
	uint16_t old = vq->signalled_used, new = vq->used_idx, event;
	bool valid = vq->signalled_used_valid;

	/* Our used->idx store before the driver's flags / used_event. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(le16toh(__atomic_load_n(&vq->avail->flags,
						 __ATOMIC_RELAXED)) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	vq->signalled_used = new;
	vq->signalled_used_valid = true;
	if (!valid)
		return true;
	event = le16toh(__atomic_load_n(used_event(vq), __ATOMIC_RELAXED));
	return xv_vring_need_event(event, new, old);
}

/* Stores only what changes: a busy thread calls this every round, and a
 * store to the used ring's first line, even of the same value, takes
 * that line away from the driver polling used->idx next to it. */
static inline void store_changed(struct xv_vq *vq, uint16_t *p, uint16_t v)
{
	if (__atomic_load_n(p, __ATOMIC_RELAXED) == v)
		return;
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
	log_used(vq, (uint64_t)((uint8_t *)p - (uint8_t *)vq->used),
		 sizeof(*p));
}

static void split_enable_kicks(struct xv_vq *vq, bool on)
{
	if (vq->event_idx) {
		if (on)
			store_changed(vq, avail_event(vq),
				      htole16(vq->last_avail_idx));
	} else {
		store_changed(vq, &vq->used->flags,
			      htole16(on ? 0 : VRING_USED_F_NO_NOTIFY));
	}
	/* The caller re-checks avail->idx after this: order it after. */
	if (on)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void split_unpop(struct xv_vq *vq, uint16_t n)
{
	vq->last_avail_idx -= n;
}

const struct xv_vq_ops xv_vq_split_ops = {
	.pop = split_pop,
	.push = split_push,
	.flush = split_flush,
	.need_call = split_need_call,
	.enable_kicks = split_enable_kicks,
	.unpop = split_unpop,
};
