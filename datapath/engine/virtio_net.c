// SPDX-License-Identifier: GPL-2.0-only
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "net_offload.h"
#include "virtio_net.h"

static const char *const drop_names[XV_NET_DROP_MAX] = {
	[XV_NET_DROP_NO_BUFFER] = "no_buffer",
	[XV_NET_DROP_TOO_BIG] = "too_big",
	[XV_NET_DROP_SHORT] = "short",
	[XV_NET_DROP_BROKEN] = "broken",
	[XV_NET_DROP_BAD_CSUM] = "bad_csum",
	[XV_NET_DROP_BAD_GSO] = "bad_gso",
};

const char *xv_net_drop_name(enum xv_net_drop d)
{
	return (unsigned int)d < XV_NET_DROP_MAX ? drop_names[d] : "unknown";
}

/* Copies @len bytes between @buf and the iovecs, from byte @off of the
 * iovecs on: into them when @to_iov, out of them otherwise. */
static void iov_xfer(const struct iovec *iov, uint32_t n, uint64_t off,
		     uint8_t *buf, uint64_t len, bool to_iov)
{
	uint32_t i;

	for (i = 0; i < n && len; i++) {
		uint64_t seg = iov[i].iov_len;
		uint8_t *base = (uint8_t *)iov[i].iov_base;
		uint64_t k;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		k = seg - off < len ? seg - off : len;
		if (to_iov)
			memcpy(base + off, buf, k);
		else
			memcpy(buf, base + off, k);
		buf += k;
		len -= k;
		off = 0;
	}
}

static void iov_write(const struct iovec *iov, uint32_t n, uint64_t off,
		      const uint8_t *src, uint64_t len)
{
	iov_xfer(iov, n, off, (uint8_t *)src, len, true);
}

static void iov_read(const struct iovec *iov, uint32_t n, uint64_t off,
		     uint8_t *dst, uint64_t len)
{
	iov_xfer(iov, n, off, dst, len, false);
}

/*
 * Did the guest memory vanish under this frame? The SIGBUS handler put
 * zeros in its place (guest_fault.h): a frame read from or written to
 * them is neither sent nor delivered, it is dropped as broken.
 */
static inline bool mem_faulted(const struct xv_vq *vq)
{
	return vq->mem && xv_fault_count(&vq->mem->fault);
}

static int fault_drop(struct xv_vq *vq, struct xv_net_q_stats *st)
{
	vq->broken = true;
	st->drops[XV_NET_DROP_BROKEN]++;
	return -EIO;
}

static int rx_drop(struct xv_vq *vq, uint16_t popped, enum xv_net_drop why,
		   struct xv_net_q_stats *st)
{
	vq->ops->unpop(vq, popped); /* the buffers stay the guest's */
	st->drops[why]++;
	return 0;
}

/* Fast path: the frame and its header fit the first chain, so
 * num_buffers is 1 and known up front and everything is written in
 * place, straight from the frame (no iovec copy, no second pass). */
static void rx_put_one(const struct xv_chain *c, const uint8_t *frame,
		       uint32_t len)
{
	const struct virtio_net_hdr_mrg_rxbuf hdr = { .num_buffers =
							      htole16(1) };
	const struct iovec *iov = &c->iov[c->nout];

	if (iov[0].iov_len >= (uint64_t)len + XV_NET_HDR_LEN) {
		memcpy(iov[0].iov_base, &hdr, XV_NET_HDR_LEN);
		memcpy((uint8_t *)iov[0].iov_base + XV_NET_HDR_LEN, frame, len);
		return;
	}
	iov_write(iov, c->nin, 0, (const uint8_t *)&hdr, XV_NET_HDR_LEN);
	iov_write(iov, c->nin, XV_NET_HDR_LEN, frame, len);
}

/* Slow path: @c (popped) is too small for the frame: spread it over
 * more buffers when MRG_RXBUF allows, the header last. */
static int rx_put_spread(struct xv_vq *vq, bool mrg, const uint8_t *frame,
			 uint32_t len, struct xv_chain *c,
			 struct xv_net_q_stats *st)
{
	struct virtio_net_hdr_mrg_rxbuf hdr = { .num_buffers = 0 };
	uint16_t heads[XV_NET_RX_MAX_BUFS];
	uint32_t lens[XV_NET_RX_MAX_BUFS];
	uint64_t total = (uint64_t)len + XV_NET_HDR_LEN, done = 0, k;
	/* The header's 12 bytes span at most 12 non-empty segments. */
	struct iovec first[XV_NET_HDR_LEN];
	uint32_t nfirst;
	uint16_t n = 0, i;
	int ret;

	if (!mrg || c->in_len < XV_NET_HDR_LEN)
		return rx_drop(vq, 1, XV_NET_DROP_TOO_BIG, st);
	nfirst = c->nin < XV_NET_HDR_LEN ? c->nin : XV_NET_HDR_LEN;
	memcpy(first, &c->iov[c->nout], nfirst * sizeof(first[0]));
	for (;;) {
		k = total - done < c->in_len ? total - done : c->in_len;
		if (!n)
			iov_write(&c->iov[c->nout], c->nin, XV_NET_HDR_LEN,
				  frame, k - XV_NET_HDR_LEN);
		else
			iov_write(&c->iov[c->nout], c->nin, 0,
				  frame + (done - XV_NET_HDR_LEN), k);
		xv_vq_log_iov(vq, &c->iov[c->nout], c->nin, k);
		heads[n] = c->head;
		lens[n++] = (uint32_t)k;
		done += k;
		if (done == total)
			break;
		if (n == XV_NET_RX_MAX_BUFS)
			return rx_drop(vq, n, XV_NET_DROP_TOO_BIG, st);
		ret = vq->ops->pop(vq, c);
		if (ret < 0) {
			st->drops[XV_NET_DROP_BROKEN]++;
			return ret;
		}
		if (!ret)
			return rx_drop(vq, n, XV_NET_DROP_NO_BUFFER, st);
	}
	hdr.num_buffers = htole16(n);
	iov_write(first, nfirst, 0, (const uint8_t *)&hdr, XV_NET_HDR_LEN);
	xv_vq_log_iov(vq, first, nfirst, XV_NET_HDR_LEN);
	if (mem_faulted(vq))
		return fault_drop(vq, st);
	for (i = 0; i < n; i++)
		vq->ops->push(vq, heads[i], lens[i]);
	return 1;
}

int xv_net_rx_put(struct xv_vq *vq, bool mrg, const void *frame, uint32_t len,
		  struct xv_chain *c, struct xv_net_q_stats *st)
{
	uint64_t total = (uint64_t)len + XV_NET_HDR_LEN;
	int ret = vq->ops->pop(vq, c);

	if (ret < 0) {
		st->drops[XV_NET_DROP_BROKEN]++;
		return ret;
	}
	if (!ret)
		return rx_drop(vq, 0, XV_NET_DROP_NO_BUFFER, st);
	if (c->in_len >= total) {
		rx_put_one(c, frame, len);
		xv_vq_log_iov(vq, &c->iov[c->nout], c->nin, total);
		if (mem_faulted(vq))
			return fault_drop(vq, st);
		vq->ops->push(vq, c->head, (uint32_t)total);
	} else {
		ret = rx_put_spread(vq, mrg, frame, len, c, st);
		if (ret <= 0)
			return ret;
	}
	st->packets++;
	st->bytes += len;
	return 1;
}

/* The next chain the guest posted on TX queue @vq: 1, 0 when there is
 * none, -EIO when the ring is broken or the chain was read from zeros. */
static int tx_pop(struct xv_vq *vq, struct xv_chain *c,
		  struct xv_net_q_stats *st)
{
	int ret = vq->ops->pop(vq, c);

	if (ret < 0)
		st->drops[XV_NET_DROP_BROKEN]++;
	if (ret <= 0)
		return ret;
	if (mem_faulted(vq)) /* a chain read from zeros */
		return fault_drop(vq, st);
	return 1;
}

/* The chain's frame (after the virtio-net header) from byte @off on. */
static inline void frame_read(const struct xv_chain *c, uint64_t off,
			      uint8_t *dst, uint64_t len)
{
	if (c->iov[0].iov_len >= XV_NET_HDR_LEN + off + len)
		memcpy(dst,
		       (uint8_t *)c->iov[0].iov_base + XV_NET_HDR_LEN + off,
		       len);
	else
		iov_read(c->iov, c->nout, XV_NET_HDR_LEN + off, dst, len);
}

/* Frames a packet of @len bytes takes: one, or with multi-buffer as many
 * as it fills. */
static inline uint32_t frames_for(const struct xv_net_tx_out *out, uint32_t len)
{
	if (!out->sg || len <= out->cap)
		return 1;
	return (len + out->cap - 1) / out->cap;
}

/*
 * One packet of @len bytes into the frames from out->bufs[*@k] on: its
 * first @pre bytes from @prefix, the rest from the chain's frame at @coff.
 * Every frame but the last is full and marked contd.
 */
static void put_packet(struct xv_net_tx_out *out, uint32_t *k,
		       const uint8_t *prefix, uint32_t pre,
		       const struct xv_chain *c, uint64_t coff, uint32_t len)
{
	uint32_t done = 0, w, fl;

	if (!pre && len <= out->cap) { /* the common case: one frame */
		frame_read(c, coff, out->bufs[*k], len);
		out->lens[*k] = len;
		out->contd[*k] = false;
		if (out->csum_later)
			out->csum[*k].on = false;
		(*k)++;
		return;
	}
	while (done < len) {
		uint8_t *b = out->bufs[*k];

		fl = len - done < out->cap ? len - done : out->cap;
		w = done < pre ? (pre - done < fl ? pre - done : fl) : 0;
		if (w)
			memcpy(b, prefix + done, w);
		if (w < fl)
			frame_read(c, coff + (done + w - pre), b + w, fl - w);
		out->lens[*k] = fl;
		out->contd[*k] = done + fl < len;
		if (out->csum_later)
			out->csum[*k].on = false;
		done += fl;
		(*k)++;
	}
}

/* The checksum sum over bytes [@from, @len) of a packet spread over
 * @bufs, @cap bytes each (every one full but the last). */
static uint32_t csum_frames(uint8_t *const *bufs, uint32_t cap, uint32_t len,
			    uint32_t from, uint32_t sum)
{
	uint32_t off = from, k;

	while (off < len) {
		k = cap - off % cap < len - off ? cap - off % cap : len - off;
		sum = xv_csum_add_at(bufs[off / cap] + off % cap, k, sum,
				     off - from);
		off += k;
	}
	return sum;
}

/* NEEDS_CSUM: the packet's checksum, even when it spans frames (and the
 * field two of them). */
static void csum_finish_frames(const struct xv_txo *o, uint8_t *const *bufs,
			       uint32_t cap, uint32_t len)
{
	uint16_t c =
		xv_csum_fold(csum_frames(bufs, cap, len, o->csum_start, 0));
	uint32_t at = (uint32_t)o->csum_start + o->csum_offset;
	uint8_t b[2];

	if (!c)
		c = 0xffff; /* UDP: 0 would mean "no checksum" */
	memcpy(b, &c, sizeof(b));
	bufs[at / cap][at % cap] = b[0];
	bufs[(at + 1) / cap][(at + 1) % cap] = b[1];
}

/* Leaves the checksum from @start, into @offset from it, to the
 * consumer: the packet's first frame says so. */
static void csum_leave(struct xv_net_tx_out *out, uint32_t first,
		       uint16_t start, uint16_t offset,
		       struct xv_net_q_stats *st)
{
	out->csum[first] = (struct xv_net_tx_csum){ true, start, offset };
	st->csum_later++;
}

/* Every segment of the GSO frame in @c, headers from @head; each may
 * span frames (MTU 9000), its headers always in its first. The TCP
 * checksum is summed here, or left to the consumer with the pseudo
 * header's sum in its place (as a guest leaves it). */
static void tx_segment(const struct xv_chain *c, const struct xv_txo *o,
		       const uint8_t *head, uint32_t flen,
		       struct xv_net_tx_out *out, uint32_t *k,
		       struct xv_net_q_stats *st)
{
	uint32_t i, plen, sum, first;

	for (i = 0; i < o->nsegs; i++) {
		plen = xv_txo_seg_payload(o, flen, i);
		first = *k;
		put_packet(out, k, head, o->hdr_len, c,
			   (uint64_t)o->hdr_len + (uint64_t)i * o->mss,
			   o->hdr_len + plen);
		sum = xv_txo_seg_headers(o, out->bufs[first], i, plen);
		if (out->csum_later) {
			xv_txo_seg_csum_partial(o, out->bufs[first], sum);
			csum_leave(out, first, o->l4_off, 16, st);
			continue;
		}
		sum = csum_frames(out->bufs + first, out->cap,
				  o->hdr_len + plen, o->l4_off, sum);
		xv_txo_seg_csum(o, out->bufs[first], sum);
	}
}

/* Frames the segments of @o take. */
static uint32_t tso_frames(const struct xv_net_tx_out *out,
			   const struct xv_txo *o, uint32_t flen)
{
	uint32_t i, n = 0;

	if (!out->sg)
		return o->nsegs;
	for (i = 0; i < o->nsegs; i++)
		n += frames_for(out,
				o->hdr_len + xv_txo_seg_payload(o, flen, i));
	return n;
}

/* A frame with no request, or one whose checksum is to be finished. */
static int tx_whole(const struct xv_chain *c, const struct xv_txo *o,
		    uint32_t flen, struct xv_net_tx_out *out, uint32_t *n,
		    struct xv_net_q_stats *st)
{
	if (!out->sg && flen > out->cap)
		return XV_NET_DROP_TOO_BIG;
	if (frames_for(out, flen) > XV_NET_TX_MAX_FRAMES)
		return XV_NET_DROP_TOO_BIG;
	if (flen > out->max_seg) {
		/* Over the MTU: not copied, only reported (length and one
		 * frame) for the caller to drop as oversize. */
		out->lens[0] = flen;
		out->contd[0] = false;
		out->pkts = 1;
		*n = 1;
		return -1;
	}
	out->need = frames_for(out, flen);
	if (out->need > out->nbufs)
		return -2;
	put_packet(out, n, NULL, 0, c, 0, flen);
	out->pkts = 1;
	if (!o || o->kind != XV_TXO_CSUM)
		return -1;
	st->csum++;
	/* The consumer takes a request inside the packet's first frame. */
	if (out->csum_later &&
	    (uint32_t)o->csum_start + o->csum_offset + 2 <= out->lens[0])
		csum_leave(out, 0, o->csum_start, o->csum_offset, st);
	else
		csum_finish_frames(o, out->bufs, out->cap, flen);
	return -1;
}

/* What the frame in @c becomes in @out: a drop reason (< 0: none, and
 * *@n frames filled), or -2 when it needs more room than @out has. */
static int tx_frame(const struct xv_chain *c, uint32_t flen,
		    struct xv_net_tx_out *out, uint32_t *n,
		    struct xv_net_q_stats *st)
{
	struct virtio_net_hdr vh;
	uint8_t head[XV_TXO_HDR_MAX];
	uint32_t head_len = flen < XV_TXO_HDR_MAX ? flen : XV_TXO_HDR_MAX;
	uint32_t max_seg = out->sg || out->max_seg < out->cap ? out->max_seg :
								out->cap;
	struct xv_txo o;

	*n = 0;
	out->need = 1;
	if (!out->nbufs)
		return -2;
	if (c->iov[0].iov_len >= sizeof(vh))
		memcpy(&vh, c->iov[0].iov_base, sizeof(vh));
	else
		iov_read(c->iov, c->nout, 0, (uint8_t *)&vh, sizeof(vh));
	if (vh.gso_type == VIRTIO_NET_HDR_GSO_NONE &&
	    !(vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return tx_whole(c, NULL, flen, out, n, st);
	frame_read(c, 0, head, head_len);
	switch (xv_txo_parse(&vh, head, head_len, flen, out->features, max_seg,
			     &o)) {
	case XV_TXO_BAD_CSUM:
		return XV_NET_DROP_BAD_CSUM;
	case XV_TXO_BAD_GSO:
		return XV_NET_DROP_BAD_GSO;
	case XV_TXO_OK:
		break;
	}
	if (o.kind != XV_TXO_TSO4 && o.kind != XV_TXO_TSO6)
		return tx_whole(c, &o, flen, out, n, st);
	out->need = tso_frames(out, &o, flen);
	if (out->need > XV_NET_TX_MAX_FRAMES)
		return XV_NET_DROP_BAD_GSO;
	if (out->need > out->nbufs)
		return -2;
	tx_segment(c, &o, head, flen, out, n, st);
	out->pkts = o.nsegs;
	st->tso++;
	st->tso_segs += o.nsegs;
	return -1;
}

int xv_net_tx_take(struct xv_vq *vq, struct xv_net_tx_out *out,
		   struct xv_chain *c, struct xv_net_q_stats *st)
{
	unsigned int dropped;
	uint32_t n = 0;
	uint64_t flen;
	int ret, why;

	out->no_room = false;
	out->pkts = 0;
	for (dropped = 0; dropped < XV_NET_TX_MAX_DROPS; dropped++) {
		ret = tx_pop(vq, c, st);
		if (ret <= 0)
			return ret;
		if (c->out_len <= XV_NET_HDR_LEN) {
			vq->ops->push(vq, c->head, 0);
			st->drops[XV_NET_DROP_SHORT]++;
			continue;
		}
		flen = c->out_len - XV_NET_HDR_LEN;
		why = flen > UINT32_MAX - XV_TXO_HDR_MAX ?
			      XV_NET_DROP_TOO_BIG :
			      tx_frame(c, (uint32_t)flen, out, &n, st);
		if (why == -2) {
			vq->ops->unpop(vq, 1); /* the next round takes it */
			out->no_room = true;
			return 0;
		}
		vq->ops->push(vq, c->head, 0);
		if (mem_faulted(vq))
			return fault_drop(vq, st);
		if (why >= 0) {
			st->drops[why]++;
			continue;
		}
		st->packets++;
		st->bytes += flen;
		return (int)n;
	}
	return 0; /* the rest at the next call */
}

int xv_net_tx_get(struct xv_vq *vq, void *buf, uint32_t cap, struct xv_chain *c,
		  struct xv_net_q_stats *st)
{
	uint8_t *bufs[1] = { buf };
	uint32_t len = 0;
	bool contd;
	struct xv_net_tx_out out = {
		.bufs = bufs,
		.nbufs = 1,
		.cap = cap > INT32_MAX ? INT32_MAX :
					 cap, /* returned as an int */
		.lens = &len,
		.contd = &contd,
	};
	int n;

	out.max_seg = out.cap;
	n = xv_net_tx_take(vq, &out, c, st);
	return n > 0 ? (int)len : n;
}
