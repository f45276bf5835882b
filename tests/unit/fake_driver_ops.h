/* SPDX-License-Identifier: GPL-2.0-only */
/* The fake guest's split-ring driver: see fake_driver.h. Included after the
 * test's struct fx and region table. */
#ifndef XVDPA_TEST_FAKE_DRIVER_OPS_H
#define XVDPA_TEST_FAKE_DRIVER_OPS_H

/* The driver's pointer to [gpa, gpa + len), which must be in one region. */
static inline void *gptr(struct fx *f, uint64_t gpa, uint64_t len)
{
	int i;

	for (i = 0; i < NREG; i++)
		if (gpa >= reg[i].gpa && gpa + len <= reg[i].gpa + reg[i].size)
			return f->view + reg[i].mmap_offset +
			       (gpa - reg[i].gpa);
	fail_msg("driver: gpa 0x%llx+%llu not in one region",
		 (unsigned long long)gpa, (unsigned long long)len);
	return NULL;
}

static inline uint64_t ring_uva(uint64_t gpa)
{
	return reg[0].uva + gpa - reg[0].gpa;
}

/* Indirect tables may be unaligned: write through a copy. */
static inline void put_desc(struct vring_desc *d, uint64_t addr, uint32_t len,
			    uint16_t flags, uint16_t next)
{
	struct vring_desc v = { .addr = htole64(addr),
				.len = htole32(len),
				.flags = htole16(flags),
				.next = htole16(next) };

	memcpy(d, &v, sizeof(v));
}

static inline void set_desc(struct fx *f, uint16_t i, uint64_t addr,
			    uint32_t len, uint16_t flags, uint16_t next)
{
	assert_true(i < f->size);
	put_desc(&f->desc[i], addr, len, flags, next);
}

/* Descriptor @i of @b's chain of @n, linked to @next. */
static inline void put_buf(struct vring_desc *d, const struct buf *b, int i,
			   int n, uint16_t next)
{
	uint16_t flags = (b[i].wr ? F_WRITE : 0) | (i + 1 < n ? F_NEXT : 0);

	put_desc(d, b[i].gpa, b[i].len, flags, i + 1 < n ? next : 0);
}

/* Takes @n ring descriptors for @b, linked in order; returns the head. */
static inline uint16_t drv_chain(struct fx *f, const struct buf *b, int n)
{
	uint16_t head = f->next_desc, cur = head, nxt;
	int i;

	for (i = 0; i < n; i++) {
		nxt = (cur + 1) & (f->size - 1);
		put_buf(&f->desc[cur], b, i, n, nxt);
		cur = nxt;
	}
	f->next_desc = cur;
	return head;
}

/* Puts @head in the avail ring (not yet visible). */
static inline void drv_avail(struct fx *f, uint16_t head)
{
	f->avail->ring[f->avail_idx & (f->size - 1)] = htole16(head);
	f->avail_idx++;
}

static inline void drv_publish(struct fx *f)
{
	__atomic_store_n(&f->avail->idx, htole16(f->avail_idx),
			 __ATOMIC_RELEASE);
}

/* Posts the chain already written at @head. */
static inline void drv_post_head(struct fx *f, uint16_t head)
{
	drv_avail(f, head);
	drv_publish(f);
}

static inline uint16_t drv_post(struct fx *f, const struct buf *b, int n)
{
	uint16_t head = drv_chain(f, b, n);

	drv_post_head(f, head);
	return head;
}

static inline uint16_t used_idx_seen(struct fx *f)
{
	return le16toh(__atomic_load_n(&f->used->idx, __ATOMIC_ACQUIRE));
}

/* Fresh, zeroed rings of @size at index @start, and the device's queue
 * (f->vq) mapped on them at the same index. */
static inline void drv_rings_reset(struct fx *f, uint16_t size, uint16_t start)
{
	f->size = size;
	f->desc = gptr(f, DESC_GPA, 16 * size);
	f->avail = gptr(f, AVAIL_GPA, 6 + 2 * size);
	f->used = gptr(f, USED_GPA, 6 + 8 * size);
	memset(f->desc, 0, 16 * size);
	memset(f->avail, 0, 6 + 2 * size);
	memset(f->used, 0, 6 + 8 * size);
	f->avail->idx = htole16(start);
	f->used->idx = htole16(start);
	f->avail_idx = start;
	f->next_desc = 0;
	f->data_next = DATA_GPA;
	xv_vq_init(&f->vq);
	f->vq.last_avail_idx = start;
	f->vq.avail_shadow = start;
	f->vq.used_idx = start;
}

/* Maps f->vq on the rings after its flags were set. */
static inline void drv_map(struct fx *f)
{
	assert_int_equal(
		xv_vq_split_map(&f->vq, &f->mem, f->size, ring_uva(DESC_GPA),
				ring_uva(AVAIL_GPA), ring_uva(USED_GPA)),
		0);
}

#endif /* XVDPA_TEST_FAKE_DRIVER_OPS_H */
