/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A virtio split-ring driver (the guest's side) for the tests: the unit
 * tests' fake guest, the fuzzer's ring builder and evil_frontend, the
 * hostile vhost-user frontend, all lay out their rings with it. Header
 * only, static inline; it depends on nothing of xvdpa's own.
 *
 * Guest memory (struct sd_mem) is the driver's own mapping (view) of the
 * memory it shares, cut into regions as a vhost-user frontend describes
 * them: gpa, size, the frontend's uva, offset in the view. A ring (struct
 * sd_ring) is a descriptor table, an avail ring and a used ring in it.
 *
 * The driver writes what it is told to: addresses, lengths, flags, next
 * indices and avail indices are never checked against memory or the ring,
 * so a test can hand the device loops, out-of-range addresses and
 * lengths, bad heads and index jumps (sd_set_desc, sd_add_loop,
 * sd_post_head, sd_set_avail_idx, sd_set_desc_bytes). What is checked is
 * the driver's own access: a gpa it must write through has to lie in one
 * region, a descriptor index in the table. Misuse calls SD_FAIL(fmt, ...)
 * if the includer defined it (the unit tests fail the test), and the call
 * returns NULL or -errno.
 */
#ifndef XVDPA_TEST_SPLIT_DRIVER_H
#define XVDPA_TEST_SPLIT_DRIVER_H

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/virtio_ring.h>

#ifndef SD_FAIL
static inline void sd_nofail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static inline void sd_nofail(const char *fmt, ...)
{
	(void)fmt;
}

#define SD_FAIL(...) sd_nofail(__VA_ARGS__)
#endif

#define SD_MAX_REGIONS 8

/* ---- guest memory ---- */

struct sd_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva; /* the frontend's address of gpa, as it tells it */
	uint64_t offset; /* of gpa in the view */
};

struct sd_mem {
	uint8_t *view; /* the driver's mapping */
	uint64_t view_len;
	unsigned int nregions;
	struct sd_region regions[SD_MAX_REGIONS];
};

/* A memfd of @len bytes, mapped shared at *@view: the fd, or -errno. */
static inline int sd_memfd(const char *name, size_t len, unsigned int flags,
			   uint8_t **view)
{
	int fd = memfd_create(name, MFD_CLOEXEC | flags), err;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len) < 0)
		goto fail;
	*view = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*view == MAP_FAILED)
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

static inline void sd_mem_init(struct sd_mem *m, uint8_t *view,
			       uint64_t view_len)
{
	memset(m, 0, sizeof(*m));
	m->view = view;
	m->view_len = view_len;
}

/* [gpa, gpa + size) at @offset of the view; -ENOSPC, -ERANGE. */
static inline int sd_mem_add(struct sd_mem *m, uint64_t gpa, uint64_t size,
			     uint64_t uva, uint64_t offset)
{
	if (m->nregions == SD_MAX_REGIONS) {
		SD_FAIL("driver: more than %d regions", SD_MAX_REGIONS);
		return -ENOSPC;
	}
	if (offset > m->view_len || size > m->view_len - offset ||
	    gpa + size < gpa) {
		SD_FAIL("driver: region 0x%llx+0x%llx outside the view",
			(unsigned long long)gpa, (unsigned long long)size);
		return -ERANGE;
	}
	m->regions[m->nregions++] =
		(struct sd_region){ gpa, size, uva, offset };
	return 0;
}

/* The region holding all of [gpa, gpa + len), or NULL (an empty range
 * may sit at a region's end). */
static inline const struct sd_region *sd_mem_find(const struct sd_mem *m,
						  uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < m->nregions; i++) {
		const struct sd_region *r = &m->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r;
	}
	return NULL;
}

/* The driver's pointer to [gpa, gpa + len), which must be in one region. */
static inline void *sd_gptr(const struct sd_mem *m, uint64_t gpa, uint64_t len)
{
	const struct sd_region *r = sd_mem_find(m, gpa, len);

	if (!r) {
		SD_FAIL("driver: gpa 0x%llx+%llu not in one region",
			(unsigned long long)gpa, (unsigned long long)len);
		return NULL;
	}
	return m->view + r->offset + (gpa - r->gpa);
}

/* The frontend's uva of @gpa (what SET_VRING_ADDR tells), or 0. */
static inline uint64_t sd_uva(const struct sd_mem *m, uint64_t gpa)
{
	const struct sd_region *r = sd_mem_find(m, gpa, 1);

	if (!r) {
		SD_FAIL("driver: gpa 0x%llx not in a region",
			(unsigned long long)gpa);
		return 0;
	}
	return r->uva + (gpa - r->gpa);
}

/*
 * Copies guest [gpa, gpa + len), which may cross region edges, to @out
 * (when @out), or from @in (when @in), or fills it with @fill. 0 or
 * -EFAULT (a byte outside every region; the bytes before it are done).
 */
static inline int sd_mem_copy(const struct sd_mem *m, uint64_t gpa,
			      uint64_t len, void *out, const void *in, int fill)
{
	uint8_t *o = out;
	const uint8_t *s = in;

	while (len) {
		const struct sd_region *r = sd_mem_find(m, gpa, 1);
		uint64_t k;
		uint8_t *p;

		if (!r) {
			SD_FAIL("driver: gpa 0x%llx not in a region",
				(unsigned long long)gpa);
			return -EFAULT;
		}
		k = r->size - (gpa - r->gpa);
		if (k > len)
			k = len;
		p = m->view + r->offset + (gpa - r->gpa);
		if (o) {
			memcpy(o, p, k);
			o += k;
		} else if (s) {
			memcpy(p, s, k);
			s += k;
		} else {
			memset(p, fill, k);
		}
		gpa += k;
		len -= k;
	}
	return 0;
}

/* ---- descriptors ---- */

/* A buffer as the driver posts it: device-writable when @wr. */
struct sd_buf {
	uint64_t gpa;
	uint32_t len;
	bool wr;
};

/* Writes one descriptor as given; @d may be unaligned (indirect tables). */
static inline void sd_put_desc(void *d, uint64_t addr, uint32_t len,
			       uint16_t flags, uint16_t next)
{
	struct vring_desc v = { .addr = htole64(addr),
				.len = htole32(len),
				.flags = htole16(flags),
				.next = htole16(next) };

	memcpy(d, &v, sizeof(v));
}

/* Descriptor @i of @b's chain of @n, linked to @next unless the last. */
static inline void sd_put_buf(void *d, const struct sd_buf *b, int i, int n,
			      uint16_t next)
{
	uint16_t flags = (b[i].wr ? VRING_DESC_F_WRITE : 0) |
			 (i + 1 < n ? VRING_DESC_F_NEXT : 0);

	sd_put_desc(d, b[i].gpa, b[i].len, flags, i + 1 < n ? next : 0);
}

/* An indirect table of @n entries for @b at @t (entry i links to i + 1). */
static inline void sd_put_table(void *t, const struct sd_buf *b, int n)
{
	uint8_t *p = t;
	int i;

	for (i = 0; i < n; i++)
		sd_put_buf(p + (size_t)i * sizeof(struct vring_desc), b, i, n,
			   (uint16_t)(i + 1));
}

/* @b's indirect table of @n entries at @gpa in @m: 0, or -EFAULT. */
static inline int sd_write_table(const struct sd_mem *m, uint64_t gpa,
				 const struct sd_buf *b, int n)
{
	void *t = sd_gptr(m, gpa, (uint64_t)n * sizeof(struct vring_desc));

	if (!t)
		return -EFAULT;
	sd_put_table(t, b, n);
	return 0;
}

/* ---- the ring ---- */

struct sd_ring {
	const struct sd_mem *mem; /* for indirect tables; may be NULL */
	uint16_t size; /* a power of two, at most 32768 */
	struct vring_desc *desc; /* NULL: not mapped (or given up) */
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t avail_idx; /* next avail entry, not yet published */
	uint16_t next_desc; /* next free descriptor, round robin */
};

/* Bytes of each part of a ring of @size, event index fields included. */
static inline size_t sd_desc_bytes(unsigned int size)
{
	return sizeof(struct vring_desc) * (size_t)size;
}

static inline size_t sd_avail_bytes(unsigned int size)
{
	return 6 + 2 * (size_t)size;
}

static inline size_t sd_used_bytes(unsigned int size)
{
	return 6 + sizeof(struct vring_used_elem) * (size_t)size;
}

/* The ring on parts the caller mapped; the driver's indices at 0. */
static inline void sd_ring_attach(struct sd_ring *r, const struct sd_mem *m,
				  uint16_t size, void *desc, void *avail,
				  void *used)
{
	memset(r, 0, sizeof(*r));
	r->mem = m;
	r->size = size;
	r->desc = desc;
	r->avail = avail;
	r->used = used;
}

/* The ring at guest addresses in @m; -EFAULT (left unmapped) if a part
 * is not inside one region. Nothing in the ring is written. */
static inline int sd_ring_map(struct sd_ring *r, const struct sd_mem *m,
			      uint16_t size, uint64_t desc_gpa,
			      uint64_t avail_gpa, uint64_t used_gpa)
{
	void *d = sd_gptr(m, desc_gpa, sd_desc_bytes(size)),
	     *a = sd_gptr(m, avail_gpa, sd_avail_bytes(size)),
	     *u = sd_gptr(m, used_gpa, sd_used_bytes(size));

	memset(r, 0, sizeof(*r));
	if (!d || !a || !u)
		return -EFAULT;
	sd_ring_attach(r, m, size, d, a, u);
	return 0;
}

/* Forgets the ring (its memory is gone): nothing of it is touched again. */
static inline void sd_ring_detach(struct sd_ring *r)
{
	memset(r, 0, sizeof(*r));
}

static inline bool sd_ring_mapped(const struct sd_ring *r)
{
	return r->desc != NULL;
}

/* Zeroes the three parts (table, avail, used, in that order) and the
 * driver's indices. */
static inline void sd_ring_clear(struct sd_ring *r)
{
	memset(r->desc, 0, sd_desc_bytes(r->size));
	memset(r->avail, 0, sd_avail_bytes(r->size));
	memset(r->used, 0, sd_used_bytes(r->size));
	r->avail_idx = 0;
	r->next_desc = 0;
}

/* A fresh ring at index @start (both rings' idx), as after a reset. */
static inline void sd_ring_reset(struct sd_ring *r, uint16_t start)
{
	sd_ring_clear(r);
	r->avail->idx = htole16(start);
	r->used->idx = htole16(start);
	r->avail_idx = start;
}

static inline uint16_t sd_mask(const struct sd_ring *r, uint32_t i)
{
	return (uint16_t)(i & (r->size - 1u));
}

/* Descriptor @i of the table, as given (raw): -ERANGE if @i is not in it. */
static inline int sd_set_desc(struct sd_ring *r, uint32_t i, uint64_t addr,
			      uint32_t len, uint16_t flags, uint16_t next)
{
	if (i >= r->size) {
		SD_FAIL("driver: descriptor %u of %u", i, r->size);
		return -ERANGE;
	}
	sd_put_desc(&r->desc[i], addr, len, flags, next);
	return 0;
}

/* Raw bytes over the descriptor table (a fuzzer's input), at most the
 * table; returns how many were copied. */
static inline size_t sd_set_desc_bytes(struct sd_ring *r, const void *p,
				       size_t len)
{
	if (len > sd_desc_bytes(r->size))
		len = sd_desc_bytes(r->size);
	memcpy(r->desc, p, len);
	return len;
}

/* Takes @n descriptors from next_desc on for @b, linked in order (round
 * robin); returns the head. Nothing is made available. */
static inline uint16_t sd_add_chain(struct sd_ring *r, const struct sd_buf *b,
				    int n)
{
	uint16_t head = r->next_desc, cur = head, nxt;
	int i;

	for (i = 0; i < n; i++) {
		nxt = sd_mask(r, cur + 1u);
		sd_put_buf(&r->desc[cur], b, i, n, nxt);
		cur = nxt;
	}
	r->next_desc = cur;
	return head;
}

/* A loop of @n descriptors from next_desc on: descriptor k holds @len
 * bytes at @gpa + k * @len with @flags | NEXT, the last links back to
 * the first. Returns the head (not made available). */
static inline uint16_t sd_add_loop(struct sd_ring *r, uint64_t gpa,
				   uint32_t len, uint16_t flags, int n)
{
	uint16_t head = r->next_desc, cur = head;
	int k;

	for (k = 0; k < n; k++) {
		uint16_t nxt = k + 1 < n ? sd_mask(r, cur + 1u) : head;

		sd_put_desc(&r->desc[cur], gpa + (uint64_t)k * len, len,
			    flags | VRING_DESC_F_NEXT, nxt);
		cur = sd_mask(r, cur + 1u);
	}
	r->next_desc = cur;
	return head;
}

/* Writes @b's indirect table at @table_gpa and one ring descriptor for
 * it: the head, or -EFAULT. Nothing is made available. */
static inline int sd_add_indirect(struct sd_ring *r, uint64_t table_gpa,
				  const struct sd_buf *b, int n)
{
	uint16_t head = r->next_desc;

	if (!r->mem) {
		SD_FAIL("driver: no guest memory for an indirect table");
		return -EFAULT;
	}
	if (sd_write_table(r->mem, table_gpa, b, n))
		return -EFAULT;
	sd_put_desc(&r->desc[head], table_gpa,
		    (uint32_t)n * sizeof(struct vring_desc),
		    VRING_DESC_F_INDIRECT, 0);
	r->next_desc = sd_mask(r, head + 1u);
	return head;
}

/* ---- avail ring ---- */

/* Puts @head (any value) in the avail ring; not yet visible. */
static inline void sd_avail(struct sd_ring *r, uint16_t head)
{
	r->avail->ring[sd_mask(r, r->avail_idx)] = htole16(head);
	r->avail_idx++;
}

/* Makes the entries put so far visible (release: entries and
 * descriptors before the index). */
static inline void sd_publish(struct sd_ring *r)
{
	__atomic_store_n(&r->avail->idx, htole16(r->avail_idx),
			 __ATOMIC_RELEASE);
}

/* Publishes avail->idx = @idx whatever was put: an index jump. */
static inline void sd_set_avail_idx(struct sd_ring *r, uint16_t idx)
{
	r->avail_idx = idx;
	sd_publish(r);
}

/* Posts the chain already written at @head (or any head at all). */
static inline void sd_post_head(struct sd_ring *r, uint16_t head)
{
	sd_avail(r, head);
	sd_publish(r);
}

static inline uint16_t sd_post(struct sd_ring *r, const struct sd_buf *b, int n)
{
	uint16_t head = sd_add_chain(r, b, n);

	sd_post_head(r, head);
	return head;
}

/* Posts one ring descriptor for an indirect table of @b at @table_gpa:
 * the head, or -EFAULT (nothing posted). */
static inline int sd_post_indirect(struct sd_ring *r, uint64_t table_gpa,
				   const struct sd_buf *b, int n)
{
	int head = sd_add_indirect(r, table_gpa, b, n);

	if (head >= 0)
		sd_post_head(r, (uint16_t)head);
	return head;
}

/* ---- used ring ---- */

/* used->idx as the device published it (acquire: entries after). */
static inline uint16_t sd_used_idx(const struct sd_ring *r)
{
	return le16toh(__atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE));
}

/* The used entry at index @slot (masked), in host order. */
static inline struct vring_used_elem sd_used_elem(const struct sd_ring *r,
						  uint32_t slot)
{
	const struct vring_used_elem *e = &r->used->ring[sd_mask(r, slot)];

	return (struct vring_used_elem){ .id = le32toh(e->id),
					 .len = le32toh(e->len) };
}

/* ---- event index (VIRTIO_RING_F_EVENT_IDX) ---- */

/* used_event, after the avail ring: the driver's "call me at". */
static inline uint16_t *sd_used_event(struct sd_ring *r)
{
	return &r->avail->ring[r->size];
}

/* avail_event, after the used ring: the device's "kick me at". */
static inline uint16_t *sd_avail_event(struct sd_ring *r)
{
	return (uint16_t *)&r->used->ring[r->size];
}

#endif /* XVDPA_TEST_SPLIT_DRIVER_H */
