// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the split virtqueue's descriptor walker: the input
 * becomes a guest's rings (queue size, indices, features, avail entries,
 * descriptor table, and a data area indirect tables can point to), and the
 * device pops until the ring is empty or broken, pushing what it popped.
 *
 * Guest memory (one memfd, built once): A [0, 1 MiB) holds the rings and
 * the data area; B and C follow A directly in gpa space but sit elsewhere
 * in the fd; D lies after a hole. The guest's side is the tests' split-ring
 * driver (tests/common/split_driver.h), told to write whatever the input
 * says. Every chain popped is checked: each iovec inside one region's host
 * mapping, lengths adding up, limits kept.
 *
 * Input layout:
 *   [0] log2 of the queue size (mod 16)
 *   [1] bit 0 INDIRECT_DESC, bit 1 EVENT_IDX, bit 2 virtio-net mode
 *       (bit 3: TX, else RX), bits 4-7 used_idx lag
 *   In virtio-net mode, the chains feed xv_net_rx_put (MRG_RXBUF when
 *   bit 0 of [6]; frames of 40 * [7] bytes, capped at 9000) or
 *   xv_net_tx_get, whose fast and slow paths must hold up as well; or,
 *   when bit 1 of [6] is set, xv_net_tx_take with every transmit offload
 *   negotiated (the guest's virtio-net headers come from the input too).
 *   Bit 2 of [6]: the frontend logs (migration): every page vdpad writes
 *   is marked in a dirty log sized for exactly the guest's addresses, so
 *   that a mark computed wrong lands outside it (ASan) or is counted.
 *   [2..3] avail->idx - last_avail_idx   [4..5] last_avail_idx
 *   [6..7] used_event
 *   then up to 64 avail entries (2 bytes each, at most the pending count),
 *   then the descriptor table, also copied to the data area.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net_offload.h"
#include "split_driver.h"
#include "virtio_net.h"
#include "virtq.h"

#define FD_LEN 0x320000
#define DESC_GPA 0x0
#define AVAIL_GPA 0x80000
#define USED_GPA 0x90000
#define DATA_GPA 0xe0000
#define DATA_LEN 0x20000
#define HDR_LEN 8
#define MAX_AVAIL_IN 64

enum { RA, RB, RC, RD, NREG };

static const struct xv_mem_region_desc regs[NREG] = {
	[RA] = { .gpa = 0x0,
		 .size = 0x100000,
		 .uva = 0x7f0000000000,
		 .mmap_offset = 0x0 },
	[RB] = { .gpa = 0x100000,
		 .size = 0x10000,
		 .uva = 0x7f1000000000,
		 .mmap_offset = 0x200000 },
	[RC] = { .gpa = 0x110000,
		 .size = 0x1000,
		 .uva = 0x7f2000000000,
		 .mmap_offset = 0x180000 },
	[RD] = { .gpa = 0x200000,
		 .size = 0x10000,
		 .uva = 0x7f3000000000,
		 .mmap_offset = 0x300000 },
};

static struct xv_guest_mem mem;
static struct sd_mem gm; /* the driver's own mapping of the fd */
static struct sd_ring ring; /* the driver's side of the queue */
static struct xv_vq vq;
static struct xv_chain chain;
static struct xv_dirty_log dlog; /* bits: heap, exactly the guest's pages */

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

static void guest_init(void)
{
	uint8_t *view;
	int fd = sd_memfd("xv-fuzz-guest", FD_LEN, 0, &view), i;

	CHECK(fd >= 0);
	sd_mem_init(&gm, view, FD_LEN);
	xv_mem_init(&mem);
	for (i = 0; i < NREG; i++) {
		CHECK(sd_mem_add(&gm, regs[i].gpa, regs[i].size, regs[i].uva,
				 regs[i].mmap_offset) == 0);
		CHECK(xv_mem_add_region(&mem, &regs[i], fd) == 0);
	}
	close(fd);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Lays the input out as the guest's rings; returns 0 or -1 (skip). */
static int guest_setup(const uint8_t *data, size_t len)
{
	uint16_t size, pending, last, navail, i;

	if (len < HDR_LEN)
		return -1;
	size = (uint16_t)(1u << (data[0] % 16));
	pending = get16(data + 2);
	last = get16(data + 4);
	CHECK(sd_ring_map(&ring, &gm, size, DESC_GPA, AVAIL_GPA, USED_GPA) ==
	      0);
	sd_ring_clear(&ring);
	sd_mem_copy(&gm, DATA_GPA, DATA_LEN, NULL, NULL, 0);
	*sd_used_event(&ring) = htole16(get16(data + 6));
	data += HDR_LEN;
	len -= HDR_LEN;

	/* Heads as given from last_avail_idx on; the index says pending. */
	navail = pending < size ? pending : size;
	if (navail > MAX_AVAIL_IN)
		navail = MAX_AVAIL_IN;
	if (navail > len / 2)
		navail = (uint16_t)(len / 2);
	ring.avail_idx = last;
	for (i = 0; i < navail; i++)
		sd_avail(&ring, get16(data + 2 * i));
	sd_set_avail_idx(&ring, (uint16_t)(last + pending));
	data += 2 * navail;
	len -= 2 * navail;

	sd_set_desc_bytes(&ring, data, len);
	sd_mem_copy(&gm, DATA_GPA, len < DATA_LEN ? len : DATA_LEN, NULL, data,
		    0);
	return 0;
}

static void vq_setup(const uint8_t *data)
{
	xv_vq_init(&vq);
	vq.indirect = data[1] & 1;
	vq.event_idx = data[1] & 2;
	vq.last_avail_idx = get16(data + 4);
	vq.used_idx = (uint16_t)(vq.last_avail_idx - (data[1] >> 4));
	CHECK(xv_vq_split_map(&vq, &mem, ring.size, sd_uva(&gm, DESC_GPA),
			      sd_uva(&gm, AVAIL_GPA),
			      sd_uva(&gm, USED_GPA)) == 0);
	if (!(data[6] & 4))
		return;
	if (!dlog.bits) {
		/* Up to the end of region D, the highest. */
		dlog.size = ((regs[RD].gpa + regs[RD].size) >> 15) + 1;
		dlog.bits = malloc(dlog.size);
		CHECK(dlog.bits);
	}
	memset(dlog.bits, 0, dlog.size);
	dlog.outside = 0;
	vq.log = &dlog;
	vq.log_used = true;
	vq.log_used_gpa = USED_GPA;
	vq.log_flushed = vq.used_idx;
}

/* A frontend that logs: every mark was inside its log. */
static void check_log(void)
{
	if (vq.log)
		CHECK(dlog.outside == 0);
}

/* [p, p + len) lies inside one region's host mapping. */
static void check_in_guest(const uint8_t *p, size_t len)
{
	unsigned int i;

	for (i = 0; i < mem.nregions; i++) {
		const struct xv_mem_region *r = &mem.regions[i];

		if (p >= r->hva && p < r->hva + r->size) {
			CHECK(len <= (size_t)(r->hva + r->size - p));
			return;
		}
	}
	CHECK(!"iovec outside guest memory");
}

static void check_chain(const struct xv_chain *c)
{
	volatile const uint8_t *b;
	uint64_t out = 0, in = 0;
	uint32_t i;

	CHECK(c->head < vq.size);
	CHECK(c->ndesc >= 1 && c->ndesc <= vq.size);
	CHECK(c->nout + c->nin <= XV_CHAIN_MAX_IOV);
	for (i = 0; i < c->nout + c->nin; i++) {
		const struct iovec *v = &c->iov[i];

		CHECK(v->iov_len > 0);
		check_in_guest(v->iov_base, v->iov_len);
		b = v->iov_base;
		(void)b[0];
		(void)b[v->iov_len - 1];
		if (i < c->nout)
			out += v->iov_len;
		else
			in += v->iov_len;
	}
	CHECK(out == c->out_len && out <= UINT32_MAX);
	CHECK(in == c->in_len && in <= UINT32_MAX);
}

static uint64_t total_errors(void)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < XV_VQ_ERR_MAX; i++)
		n += vq.errors[i];
	return n;
}

static void run(void)
{
	uint16_t start = vq.last_avail_idx;
	uint32_t popped = 0;
	int rc;

	vq.ops->enable_kicks(&vq, false);
	while ((rc = vq.ops->pop(&vq, &chain)) == 1) {
		check_chain(&chain);
		vq.ops->push(&vq, chain.head, (uint32_t)chain.in_len);
		popped++;
		CHECK(popped <= vq.size);
		if (popped % 8 == 0)
			vq.ops->flush(&vq);
	}
	vq.ops->flush(&vq);
	(void)vq.ops->need_call(&vq);
	vq.ops->enable_kicks(&vq, true);
	CHECK((uint16_t)(vq.last_avail_idx - start) == popped);
	if (rc == 0) {
		CHECK(!vq.broken && total_errors() == 0);
		return;
	}
	CHECK(rc == -EIO && vq.broken && total_errors() == 1);
	CHECK(vq.ops->pop(&vq, &chain) == -EIO && total_errors() == 1);
}

#define NET_FRAME_MAX 9000

/* RX: frames into whatever buffers the guest posted. A drop leaves the
 * buffers to the guest, so the same chains come again: bounded tries. */
static void run_net_rx(bool mrg, uint32_t len)
{
	static uint8_t frame[NET_FRAME_MAX];
	struct xv_net_q_stats st = {};
	unsigned int i, tries = 2u * vq.size + 4;
	int rc = 0;

	for (i = 0; i < tries; i++) {
		rc = xv_net_rx_put(&vq, mrg, frame, len, &chain, &st);
		CHECK(rc == 1 || rc == 0 || rc == -EIO);
		if (rc < 0)
			break;
		if (rc == 1)
			check_chain(&chain);
	}
	vq.ops->flush(&vq);
	CHECK(st.packets <= i);
	CHECK(rc != -EIO || (vq.broken && total_errors() == 1));
	CHECK(rc == -EIO || (!vq.broken && total_errors() == 0));
}

/* TX: every chain taken, dropped or not, until empty or broken. */
static void run_net_tx(void)
{
	static uint8_t buf[NET_FRAME_MAX];
	struct xv_net_q_stats st = {};
	unsigned int i;
	int rc = 1;

	for (i = 0; i <= vq.size && rc > 0; i++) {
		rc = xv_net_tx_get(&vq, buf, sizeof(buf), &chain, &st);
		CHECK(rc >= -EIO && rc <= NET_FRAME_MAX);
		CHECK(rc != -EIO || vq.broken);
	}
	vq.ops->flush(&vq);
	CHECK(rc <= 0);
	CHECK(st.packets <= vq.size);
}

/* TX with offloads: frames and segments into eight 2 KiB frames. */
static void run_net_tx_take(void)
{
	static uint8_t frames[8][2048];
	uint8_t *bufs[8];
	uint32_t lens[8];
	bool contd[8];
	struct xv_net_tx_out out = {
		.bufs = bufs,
		.nbufs = 8,
		.cap = sizeof(frames[0]),
		.max_seg = 9018,
		.sg = true,
		.features = XV_TXO_FEATURES,
		.lens = lens,
		.contd = contd,
	};
	struct xv_net_q_stats st = {};
	unsigned int i, k;
	int rc = 1;

	for (k = 0; k < 8; k++)
		bufs[k] = frames[k];
	for (i = 0; i <= vq.size && rc > 0; i++) {
		rc = xv_net_tx_take(&vq, &out, &chain, &st);
		CHECK(rc >= -EIO && rc <= 8);
		CHECK(rc != -EIO || vq.broken);
		for (k = 0; rc > 0 && k < (unsigned int)rc; k++)
			CHECK((lens[k] <= out.cap &&
			       (!contd[k] || lens[k] == out.cap)) ||
			      (rc == 1 && lens[0] > out.max_seg));
		CHECK(rc <= 0 || !contd[rc - 1]);
		CHECK(!out.no_room || rc == 0);
	}
	vq.ops->flush(&vq);
	CHECK(st.packets <= vq.size);
	CHECK(st.tso_segs <= 8 * st.tso);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;

	if (!ready) {
		guest_init();
		ready = true;
	}
	if (guest_setup(data, size))
		return 0;
	vq_setup(data);
	if (!(data[1] & 4)) {
		run();
	} else if ((data[1] & 8) && (data[6] & 2)) {
		run_net_tx_take();
	} else if (data[1] & 8) {
		run_net_tx();
	} else {
		uint32_t len = 40u * data[7];

		run_net_rx(data[6] & 1,
			   len < NET_FRAME_MAX ? len : NET_FRAME_MAX);
	}
	check_log();
	return 0;
}
