// SPDX-License-Identifier: GPL-2.0-only
/*
 * vhost-user backend: message validation, the handler table, device state.
 * Runs on the control thread; the datapath learns about ring start/stop
 * through dev->ring_cb.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "vhost_user.h"

/* How a request's payload size is checked. */
enum vu_size_rule {
	VU_SZ_NONE, /* exactly 0 */
	VU_SZ_U64,
	VU_SZ_STATE,
	VU_SZ_ADDR,
	VU_SZ_MEM_TABLE, /* 8 + nregions * region, nregions <= 8 */
	VU_SZ_MEM_SINGLE,
	VU_SZ_LOG,
};

typedef int (*vu_handler_fn)(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			     struct xv_vu_msg *reply);

struct vu_handler {
	const char *name;
	vu_handler_fn fn;
	enum vu_size_rule size;
	uint8_t max_fds;
	bool reply; /* always answers with a payload */
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_msg_fds(struct xv_vu_msg *msg)
{
	unsigned int i;

	for (i = 0; i < msg->nfds && i < VU_MAX_FDS; i++)
		close_fd(&msg->fds[i]);
	msg->nfds = 0;
}

/* Takes the message's first fd (the rest, if any, are stray). */
static int take_fd(struct xv_vu_msg *msg)
{
	int fd = msg->nfds ? msg->fds[0] : -1;

	if (msg->nfds)
		msg->fds[0] = -1;
	return fd;
}

static void reply_u64(struct xv_vu_msg *reply, uint64_t v)
{
	reply->hdr.size = sizeof(uint64_t);
	reply->p.u64 = v;
}

static struct xv_vu_vring *vring_of(struct xv_vu_dev *dev, uint32_t index)
{
	if (index >= 2u * dev->cfg.max_queue_pairs || index >= VU_MAX_VQS)
		return NULL;
	return &dev->vrings[index];
}

static void vring_notify(struct xv_vu_dev *dev, struct xv_vu_vring *vr,
			 bool started)
{
	if (dev->ring_cb)
		dev->ring_cb(dev, (unsigned int)(vr - dev->vrings), started,
			     dev->cb_opaque);
}

static void vring_stop(struct xv_vu_dev *dev, struct xv_vu_vring *vr)
{
	if (!vr->started)
		return;
	vr->started = false;
	vring_notify(dev, vr, false);
}

/* A used ring's bytes: flags, idx, the entries and avail_event. */
static uint64_t used_ring_bytes(uint32_t num)
{
	return offsetof(struct vring_used, ring) +
	       sizeof(struct vring_used_elem) * (uint64_t)num + 2;
}

/*
 * Points every ring at the dirty log while the frontend logs: LOG_ALL
 * acked and a log mapped; the used ring too where SET_VRING_ADDR asked
 * for it (VHOST_VRING_F_LOG), at its log_guest_addr.
 */
static void log_apply(struct xv_vu_dev *dev)
{
	bool on = (dev->features & VU_BIT(VU_F_LOG_ALL)) && dev->log.bits;
	unsigned int i;

	for (i = 0; i < VU_MAX_VQS; i++) {
		struct xv_vu_vring *vr = &dev->vrings[i];

		vr->vq.log = on ? &dev->log : NULL;
		vr->vq.log_used = on && vr->addr_set &&
				  (vr->addr.flags & VU_BIT(VU_VRING_F_LOG));
		vr->vq.log_used_gpa = vr->addr.log_gpa;
		vr->vq.log_flushed = vr->vq.used_idx; /* all published */
	}
}

/*
 * A frontend that resumes its rings with a new backend may give a base
 * that is not where its rings are: DPDK's virtio-user in server mode says
 * 0 after the backend restarted. The used ring tells where the device
 * stopped (everything vdpad took it also returned), so a ring whose used
 * index differs from the base resumes there, as DPDK's vhost library does.
 * Any value is a valid start; the avail checks still apply after it.
 */
static void vring_resync(struct xv_vu_dev *dev, struct xv_vu_vring *vr)
{
	struct xv_vq *vq = &vr->vq;
	uint16_t used = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);

	if (used == vq->used_idx)
		return;
	xv_warn("%s: vring %td resumes at used index %u, not at base %u",
		dev->name, vr - dev->vrings, used, vq->used_idx);
	vq->last_avail_idx = used;
	vq->avail_shadow = used;
	vq->used_idx = used;
	vq->signalled_used_valid = false;
	dev->stats.ring_resyncs++;
}

/* Maps the ring if we know its size, addresses and the memory. */
static int vring_map(struct xv_vu_dev *dev, struct xv_vu_vring *vr)
{
	struct xv_vq *vq = &vr->vq;
	int err;

	if (!vr->addr_set || !vr->num || !dev->mem.nregions)
		return -EAGAIN;
	err = xv_vq_split_map(vq, &dev->mem, (uint16_t)vr->num,
			      vr->addr.desc_uva, vr->addr.avail_uva,
			      vr->addr.used_uva);
	if (err) {
		if (!dev->broken)
			xv_warn("%s: vring %td placed outside guest memory",
				dev->name, vr - dev->vrings);
		dev->broken = true;
		return err;
	}
	vq->event_idx = dev->features & VU_BIT(VU_F_EVENT_IDX);
	vq->indirect = dev->features & VU_BIT(VU_F_INDIRECT_DESC);
	vring_resync(dev, vr);
	return 0;
}

static void vring_try_start(struct xv_vu_dev *dev, struct xv_vu_vring *vr)
{
	if (vr->started || vr->kick_fd < 0 || !vr->enabled)
		return;
	if (vring_map(dev, vr))
		return;
	vr->started = true;
	vring_notify(dev, vr, true);
}

/* ---- handlers: one per request, each small ---- */

static int h_get_features(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			  struct xv_vu_msg *reply)
{
	(void)msg;
	reply_u64(reply, dev->cfg.features);
	return 0;
}

static int h_set_features(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			  struct xv_vu_msg *reply)
{
	uint64_t f = msg->p.u64;
	unsigned int i;

	(void)reply;
	if (f & ~dev->cfg.features) {
		xv_warn("%s: frontend acked features 0x%llx not offered",
			dev->name,
			(unsigned long long)(f & ~dev->cfg.features));
		return -EINVAL;
	}
	if (!(f & VU_BIT(VU_F_VERSION_1))) {
		/* Legacy (pre-1.0) layouts are not supported: the header
		 * would be 10 bytes and the rings guest-endian. */
		xv_warn("%s: frontend did not ack VERSION_1", dev->name);
		return -EINVAL;
	}
	dev->features = f;
	for (i = 0; i < VU_MAX_VQS; i++) {
		dev->vrings[i].vq.event_idx = f & VU_BIT(VU_F_EVENT_IDX);
		dev->vrings[i].vq.indirect = f & VU_BIT(VU_F_INDIRECT_DESC);
	}
	log_apply(dev); /* LOG_ALL comes and goes with migration */
	return 0;
}

static int h_set_owner(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
		       struct xv_vu_msg *reply)
{
	(void)msg, (void)reply;
	dev->owned = true;
	return 0;
}

static int h_reset_owner(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			 struct xv_vu_msg *reply)
{
	(void)msg, (void)reply;
	xv_vu_dev_disconnect(dev);
	dev->features = 0;
	log_apply(dev);
	return 0;
}

static void stop_all_rings(struct xv_vu_dev *dev)
{
	unsigned int i;

	for (i = 0; i < VU_MAX_VQS; i++)
		vring_stop(dev, &dev->vrings[i]);
}

/* After the memory changed: re-map and restart what was running. */
static void remap_rings(struct xv_vu_dev *dev, const bool *was_started)
{
	unsigned int i;

	for (i = 0; i < VU_MAX_VQS; i++)
		if (was_started[i])
			vring_try_start(dev, &dev->vrings[i]);
}

static void snapshot_started(struct xv_vu_dev *dev, bool *was)
{
	unsigned int i;

	for (i = 0; i < VU_MAX_VQS; i++)
		was[i] = dev->vrings[i].started;
}

/* Maps one region, within the device's limit (logged and counted). */
static int mem_add(struct xv_vu_dev *dev, const struct vu_mem_region *r, int fd)
{
	struct xv_mem_region_desc d = { r->gpa, r->size, r->uva,
					r->mmap_offset };
	int err;

	dev->mem.max_bytes = dev->cfg.max_mem;
	err = xv_mem_add_region(&dev->mem, &d, fd);
	if (err == -EFBIG) {
		xv_warn("%s: guest memory region of %llu bytes at gpa 0x%llx refused: the device's guest memory would exceed its limit (max_mem %llu bytes)",
			dev->name, (unsigned long long)r->size,
			(unsigned long long)r->gpa,
			(unsigned long long)dev->cfg.max_mem);
		dev->stats.mem_refused++;
	}
	return err;
}

static int h_set_mem_table(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			   struct xv_vu_msg *reply)
{
	const struct vu_mem_table *t = &msg->p.mem;
	bool was[VU_MAX_VQS];
	uint32_t i;
	int err = 0;

	(void)reply;
	if (t->nregions != msg->nfds)
		return -EINVAL;
	snapshot_started(dev, was);
	stop_all_rings(dev);
	xv_mem_clear(&dev->mem);
	for (i = 0; i < t->nregions && !err; i++)
		err = mem_add(dev, &t->regions[i], msg->fds[i]);
	close_msg_fds(msg); /* mappings keep the memory */
	if (err) {
		xv_warn("%s: memory table refused: %s", dev->name,
			strerror(-err));
		xv_mem_clear(&dev->mem);
		return err;
	}
	remap_rings(dev, was);
	return 0;
}

static int h_add_mem_reg(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			 struct xv_vu_msg *reply)
{
	int err;

	(void)reply;
	if (msg->nfds != 1)
		return -EINVAL;
	err = mem_add(dev, &msg->p.mem_reg.region, msg->fds[0]);
	close_msg_fds(msg);
	return err;
}

static int h_rem_mem_reg(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			 struct xv_vu_msg *reply)
{
	const struct vu_mem_region *r = &msg->p.mem_reg.region;
	struct xv_mem_region_desc d = { r->gpa, r->size, r->uva,
					r->mmap_offset };
	bool was[VU_MAX_VQS];
	int err;

	(void)reply;
	close_msg_fds(msg);
	snapshot_started(dev, was);
	stop_all_rings(dev);
	err = xv_mem_remove_region(&dev->mem, &d);
	remap_rings(dev, was);
	return err;
}

static int h_get_max_mem_slots(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			       struct xv_vu_msg *reply)
{
	(void)dev, (void)msg;
	reply_u64(reply, XV_MEM_MAX_REGIONS);
	return 0;
}

static int h_set_vring_num(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			   struct xv_vu_msg *reply)
{
	struct xv_vu_vring *vr = vring_of(dev, msg->p.state.index);
	uint32_t num = msg->p.state.num;

	(void)reply;
	if (!vr || !num || num > XV_VQ_MAX_SIZE || (num & (num - 1)))
		return -EINVAL;
	if (vr->started)
		return -EBUSY;
	vr->num = num;
	return 0;
}

static bool same_ring(const struct vu_vring_addr *a,
		      const struct vu_vring_addr *b)
{
	return a->desc_uva == b->desc_uva && a->avail_uva == b->avail_uva &&
	       a->used_uva == b->used_uva;
}

/*
 * The ring's addresses, or (on a running ring, same addresses) whether
 * its used ring is logged: the frontend switches that on and off while
 * the ring runs, when a migration starts and ends.
 */
static int h_set_vring_addr(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			    struct xv_vu_msg *reply)
{
	const struct vu_vring_addr *a = &msg->p.addr;
	struct xv_vu_vring *vr = vring_of(dev, a->index);

	(void)reply;
	if (!vr)
		return -EINVAL;
	if ((a->flags & VU_BIT(VU_VRING_F_LOG)) &&
	    a->log_gpa > UINT64_MAX - used_ring_bytes(XV_VQ_MAX_SIZE))
		return -EINVAL;
	if (vr->started && !same_ring(&vr->addr, a))
		return -EBUSY;
	vr->addr = *a;
	vr->addr_set = true;
	log_apply(dev);
	return 0;
}

static int h_set_vring_base(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			    struct xv_vu_msg *reply)
{
	struct xv_vu_vring *vr = vring_of(dev, msg->p.state.index);

	(void)reply;
	if (!vr || msg->p.state.num > UINT16_MAX)
		return -EINVAL;
	if (vr->started)
		return -EBUSY;
	vr->vq.last_avail_idx = (uint16_t)msg->p.state.num;
	vr->vq.avail_shadow = vr->vq.last_avail_idx;
	vr->vq.used_idx = (uint16_t)msg->p.state.num;
	vr->vq.signalled_used_valid = false;
	return 0;
}

static int h_get_vring_base(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			    struct xv_vu_msg *reply)
{
	struct xv_vu_vring *vr = vring_of(dev, msg->p.state.index);

	if (!vr)
		return -EINVAL;
	/* Its work is complete: the datapath polls only under the device
	 * lock, which this handler holds, and each poll returns and
	 * publishes every chain it took before it lets the lock go. */
	vring_stop(dev, vr);
	close_fd(&vr->kick_fd);
	vr->enabled = false;
	/* The frontend syncs the log after this answer: all of the used
	 * ring is marked, whatever the marks before missed. */
	if (vr->vq.log_used && vr->vq.used)
		xv_log_gpa(vr->vq.log, vr->vq.log_used_gpa,
			   used_ring_bytes(vr->vq.size));
	reply->hdr.size = sizeof(reply->p.state);
	reply->p.state.index = msg->p.state.index;
	reply->p.state.num = vr->vq.last_avail_idx;
	return 0;
}

/* KICK/CALL/ERR carry the index in the low byte and maybe no fd. */
static int vring_fd_msg(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			struct xv_vu_vring **vrp, int *fd)
{
	uint64_t v = msg->p.u64;

	*vrp = vring_of(dev, (uint32_t)(v & VU_VRING_IDX_MASK));
	if (!*vrp || (v & ~(VU_VRING_IDX_MASK | VU_VRING_NOFD)))
		return -EINVAL;
	if (v & VU_VRING_NOFD) {
		if (msg->nfds)
			dev->stats.stray_fds += msg->nfds;
		close_msg_fds(msg);
		*fd = -1;
		return 0;
	}
	if (msg->nfds != 1)
		return -EINVAL;
	*fd = take_fd(msg);
	return 0;
}

static int h_set_vring_kick(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			    struct xv_vu_msg *reply)
{
	struct xv_vu_vring *vr;
	int fd, err;

	(void)reply;
	err = vring_fd_msg(dev, msg, &vr, &fd);
	if (err)
		return err;
	vring_stop(dev, vr);
	close_fd(&vr->kick_fd);
	vr->kick_fd = fd;
	/* Without protocol features a kicked ring is enabled at once. */
	if (!(dev->features & VU_BIT(VU_F_PROTOCOL_FEATURES)))
		vr->enabled = true;
	vring_try_start(dev, vr);
	return 0;
}

/* CALL and ERR: replace the ring's eventfd at @offset in the vring. */
static int replace_vring_fd(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			    size_t offset)
{
	struct xv_vu_vring *vr;
	int fd, err, *slot;

	err = vring_fd_msg(dev, msg, &vr, &fd);
	if (err)
		return err;
	slot = (int *)((char *)vr + offset);
	close_fd(slot);
	*slot = fd;
	return 0;
}

static int h_set_vring_call(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			    struct xv_vu_msg *reply)
{
	(void)reply;
	return replace_vring_fd(dev, msg,
				offsetof(struct xv_vu_vring, call_fd));
}

static int h_set_vring_err(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			   struct xv_vu_msg *reply)
{
	(void)reply;
	return replace_vring_fd(dev, msg, offsetof(struct xv_vu_vring, err_fd));
}

static int h_get_protocol_features(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
				   struct xv_vu_msg *reply)
{
	(void)msg;
	reply_u64(reply, dev->cfg.protocol_features);
	return 0;
}

static int h_set_protocol_features(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
				   struct xv_vu_msg *reply)
{
	(void)reply;
	if (msg->p.u64 & ~dev->cfg.protocol_features)
		return -EINVAL;
	dev->protocol_features = msg->p.u64;
	return 0;
}

static int h_get_queue_num(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			   struct xv_vu_msg *reply)
{
	(void)msg;
	reply_u64(reply, dev->cfg.max_queue_pairs);
	return 0;
}

static int h_set_vring_enable(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			      struct xv_vu_msg *reply)
{
	struct xv_vu_vring *vr = vring_of(dev, msg->p.state.index);

	(void)reply;
	if (!vr || msg->p.state.num > 1)
		return -EINVAL;
	vr->enabled = msg->p.state.num;
	if (vr->enabled)
		vring_try_start(dev, vr);
	else
		vring_stop(dev, vr);
	return 0;
}

/*
 * SET_LOG_BASE: the dirty log, in the fd that comes with it. The
 * frontend waits for the answer (QEMU reads it and checks only its
 * request). One that cannot be mapped breaks the device: it could not
 * migrate correctly. Sent again (memory grew), it replaces the old log.
 */
static int h_set_log_base(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			  struct xv_vu_msg *reply)
{
	const struct vu_log *l = &msg->p.log;
	int fd, err;

	if (!(dev->protocol_features & VU_BIT(VU_PF_LOG_SHMFD)) ||
	    msg->nfds != 1)
		return -EINVAL;
	fd = take_fd(msg);
	err = xv_log_map(&dev->log, fd, l->mmap_size, l->mmap_offset);
	close(fd);
	if (err) {
		if (!dev->broken)
			xv_warn("%s: dirty log of %llu bytes at offset %llu refused: %s; device broken until the frontend reconnects",
				dev->name, (unsigned long long)l->mmap_size,
				(unsigned long long)l->mmap_offset,
				strerror(-err));
		dev->stats.log_refused++;
		dev->broken = true;
		reply_u64(reply, 1);
		return 0;
	}
	dev->stats.log_bases++;
	log_apply(dev);
	reply_u64(reply, 0);
	return 0;
}

static int h_send_rarp(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
		       struct xv_vu_msg *reply)
{
	(void)reply;
	/* The announcement itself is the datapath's (after a migration,
	 * so that the network learns where the guest is now); the MAC
	 * must be a unicast one. */
	if (msg->p.raw[0] & 1)
		return -EINVAL;
	memcpy(dev->rarp_mac, msg->p.raw, sizeof(dev->rarp_mac));
	if (dev->rarp_pending < VU_RARP_PENDING_MAX)
		dev->rarp_pending++;
	dev->stats.rarp_requests++;
	return 0;
}

static int h_net_set_mtu(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			 struct xv_vu_msg *reply)
{
	(void)reply;
	if (msg->p.u64 < XV_DEV_MTU_MIN || msg->p.u64 > XV_DEV_MTU_MAX)
		return -EINVAL;
	dev->mtu = (uint16_t)msg->p.u64;
	return 0;
}

static int h_set_status(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			struct xv_vu_msg *reply)
{
	(void)reply;
	if (msg->p.u64 > UINT8_MAX)
		return -EINVAL;
	dev->status = (uint8_t)msg->p.u64;
	return 0;
}

static int h_get_status(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
			struct xv_vu_msg *reply)
{
	(void)msg;
	reply_u64(reply, dev->status);
	return 0;
}

#define VU_H(req, f, sz, fds, rep)     \
	[VU_##req] = { .name = #req,   \
		       .fn = f,        \
		       .size = sz,     \
		       .max_fds = fds, \
		       .reply = rep }

/* The one table: every request vdpad accepts, and how it is checked. */
static const struct vu_handler vu_handlers[VU_REQUEST_MAX] = {
	VU_H(GET_FEATURES, h_get_features, VU_SZ_NONE, 0, true),
	VU_H(SET_FEATURES, h_set_features, VU_SZ_U64, 0, false),
	VU_H(SET_OWNER, h_set_owner, VU_SZ_NONE, 0, false),
	VU_H(RESET_OWNER, h_reset_owner, VU_SZ_NONE, 0, false),
	VU_H(SET_MEM_TABLE, h_set_mem_table, VU_SZ_MEM_TABLE, VU_MEM_TABLE_MAX,
	     false),
	VU_H(SET_LOG_BASE, h_set_log_base, VU_SZ_LOG, 1, true),
	VU_H(SET_VRING_NUM, h_set_vring_num, VU_SZ_STATE, 0, false),
	VU_H(SET_VRING_ADDR, h_set_vring_addr, VU_SZ_ADDR, 0, false),
	VU_H(SET_VRING_BASE, h_set_vring_base, VU_SZ_STATE, 0, false),
	VU_H(GET_VRING_BASE, h_get_vring_base, VU_SZ_STATE, 0, true),
	VU_H(SET_VRING_KICK, h_set_vring_kick, VU_SZ_U64, 1, false),
	VU_H(SET_VRING_CALL, h_set_vring_call, VU_SZ_U64, 1, false),
	VU_H(SET_VRING_ERR, h_set_vring_err, VU_SZ_U64, 1, false),
	VU_H(GET_PROTOCOL_FEATURES, h_get_protocol_features, VU_SZ_NONE, 0,
	     true),
	VU_H(SET_PROTOCOL_FEATURES, h_set_protocol_features, VU_SZ_U64, 0,
	     false),
	VU_H(GET_QUEUE_NUM, h_get_queue_num, VU_SZ_NONE, 0, true),
	VU_H(SET_VRING_ENABLE, h_set_vring_enable, VU_SZ_STATE, 0, false),
	VU_H(SEND_RARP, h_send_rarp, VU_SZ_U64, 0, false),
	VU_H(NET_SET_MTU, h_net_set_mtu, VU_SZ_U64, 0, false),
	VU_H(GET_MAX_MEM_SLOTS, h_get_max_mem_slots, VU_SZ_NONE, 0, true),
	VU_H(ADD_MEM_REG, h_add_mem_reg, VU_SZ_MEM_SINGLE, 1, false),
	VU_H(REM_MEM_REG, h_rem_mem_reg, VU_SZ_MEM_SINGLE, 1, false),
	VU_H(SET_STATUS, h_set_status, VU_SZ_U64, 0, false),
	VU_H(GET_STATUS, h_get_status, VU_SZ_NONE, 0, true),
};

const char *xv_vu_request_name(uint32_t request)
{
	if (request < VU_REQUEST_MAX && vu_handlers[request].name)
		return vu_handlers[request].name;
	return "UNKNOWN";
}

static int check_size(enum vu_size_rule rule, const struct xv_vu_msg *msg)
{
	uint32_t sz = msg->hdr.size;

	switch (rule) {
	case VU_SZ_NONE:
		return sz == 0 ? 0 : -EINVAL;
	case VU_SZ_U64:
		return sz == sizeof(uint64_t) ? 0 : -EINVAL;
	case VU_SZ_STATE:
		return sz == sizeof(struct vu_vring_state) ? 0 : -EINVAL;
	case VU_SZ_ADDR:
		return sz == sizeof(struct vu_vring_addr) ? 0 : -EINVAL;
	case VU_SZ_MEM_SINGLE:
		return sz == sizeof(struct vu_mem_single) ? 0 : -EINVAL;
	case VU_SZ_LOG:
		return sz == sizeof(struct vu_log) ? 0 : -EINVAL;
	case VU_SZ_MEM_TABLE:
		if (sz < offsetof(struct vu_mem_table, regions) ||
		    msg->p.mem.nregions > VU_MEM_TABLE_MAX)
			return -EINVAL;
		return sz == offsetof(struct vu_mem_table, regions) +
					       msg->p.mem.nregions *
						       sizeof(struct vu_mem_region) ?
			       0 :
			       -EINVAL;
	}
	return -EINVAL;
}

int xv_vu_validate(const struct xv_vu_msg *msg)
{
	const struct vu_handler *h;

	if ((msg->hdr.flags & VU_VERSION_MASK) != VU_VERSION ||
	    (msg->hdr.flags & VU_FLAG_REPLY))
		return -EPROTO;
	if (msg->hdr.size > sizeof(msg->p) || msg->nfds > VU_MAX_FDS)
		return -EMSGSIZE;
	if (msg->hdr.request >= VU_REQUEST_MAX ||
	    !vu_handlers[msg->hdr.request].fn)
		return -EOPNOTSUPP;
	h = &vu_handlers[msg->hdr.request];
	if (msg->nfds > h->max_fds)
		return -EBADF;
	return check_size(h->size, msg);
}

/* The fds the handler did not keep (taken ones are -1). */
static unsigned int untaken_fds(const struct xv_vu_msg *msg)
{
	unsigned int i, n = 0;

	for (i = 0; i < msg->nfds && i < VU_MAX_FDS; i++)
		n += msg->fds[i] >= 0;
	return n;
}

static bool wants_ack(const struct xv_vu_dev *dev, const struct xv_vu_msg *m)
{
	return (m->hdr.flags & VU_FLAG_NEED_REPLY) &&
	       (dev->protocol_features & VU_BIT(VU_PF_REPLY_ACK));
}

int xv_vu_handle(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
		 struct xv_vu_msg *reply, bool *send_reply)
{
	const struct vu_handler *h = NULL;
	int err;

	dev->stats.msgs++;
	memset(&reply->hdr, 0, sizeof(reply->hdr));
	reply->hdr.request = msg->hdr.request;
	reply->hdr.flags = VU_VERSION | VU_FLAG_REPLY;
	reply->nfds = 0;
	err = xv_vu_validate(msg);
	if (err) {
		if (err == -EOPNOTSUPP)
			dev->stats.unsupported++;
		else
			dev->stats.bad_msgs++;
		xv_dbg("%s: refused %s (%u): %s", dev->name,
		       xv_vu_request_name(msg->hdr.request), msg->hdr.request,
		       strerror(-err));
	} else {
		h = &vu_handlers[msg->hdr.request];
		err = h->fn(dev, msg, reply);
		xv_vu_check_mem(dev); /* e.g. a ring's used index read */
	}
	dev->stats.stray_fds += untaken_fds(msg);
	close_msg_fds(msg);
	*send_reply = h && h->reply && !err;
	if (!*send_reply && wants_ack(dev, msg)) {
		reply_u64(reply, err ? 1 : 0);
		*send_reply = true;
	}
	return err;
}

void xv_vu_mem_fault(struct xv_vu_dev *dev)
{
	dev->mem_faulted = true;
	dev->broken = true;
	dev->stats.mem_faults++;
}

static void vu_vring_reset(struct xv_vu_vring *vr)
{
	memset(vr, 0, sizeof(*vr));
	xv_vq_init(&vr->vq);
	vr->kick_fd = vr->call_fd = vr->err_fd = -1;
}

void xv_vu_config_default(struct xv_vu_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->features = VU_BIT(VU_F_VERSION_1) | VU_BIT(VU_F_MRG_RXBUF) |
			VU_BIT(VU_F_EVENT_IDX) | VU_BIT(VU_F_INDIRECT_DESC) |
			VU_BIT(VU_F_MTU) | VU_BIT(VU_F_MAC) | VU_BIT(VU_F_MQ) |
			VU_BIT(VU_F_STATUS) | VU_BIT(VU_F_PROTOCOL_FEATURES) |
			VU_BIT(VU_F_CSUM) | VU_BIT(VU_F_HOST_TSO4) |
			VU_BIT(VU_F_HOST_TSO6) | VU_BIT(VU_F_HOST_ECN) |
			VU_BIT(VU_F_LOG_ALL) | VU_BIT(VU_F_GUEST_ANNOUNCE);
	cfg->protocol_features = VU_BIT(VU_PF_MQ) | VU_BIT(VU_PF_REPLY_ACK) |
				 VU_BIT(VU_PF_LOG_SHMFD) |
				 VU_BIT(VU_PF_NET_MTU) |
				 VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS) |
				 VU_BIT(VU_PF_STATUS) | VU_BIT(VU_PF_RARP);
	cfg->max_queue_pairs = 1;
	cfg->mtu = XV_DEV_MTU_DEFAULT;
}

void xv_vu_dev_init(struct xv_vu_dev *dev, const struct xv_vu_config *cfg)
{
	unsigned int i;

	memset(dev, 0, sizeof(*dev));
	strcpy(dev->name, "vhost-user");
	dev->cfg = *cfg;
	if (!dev->cfg.max_queue_pairs ||
	    dev->cfg.max_queue_pairs > VU_MAX_QUEUE_PAIRS)
		dev->cfg.max_queue_pairs = 1;
	xv_mem_init(&dev->mem);
	xv_log_init(&dev->log);
	for (i = 0; i < VU_MAX_VQS; i++)
		vu_vring_reset(&dev->vrings[i]);
}

void xv_vu_dev_disconnect(struct xv_vu_dev *dev)
{
	unsigned int i;

	for (i = 0; i < VU_MAX_VQS; i++) {
		struct xv_vu_vring *vr = &dev->vrings[i];

		vring_stop(dev, vr);
		close_fd(&vr->kick_fd);
		close_fd(&vr->call_fd);
		close_fd(&vr->err_fd);
		vr->enabled = false;
		vr->addr_set = false;
		/* A new frontend starts with clean rings. */
		vr->vq.broken = false;
		memset(vr->vq.errors, 0, sizeof(vr->vq.errors));
	}
	xv_mem_clear(&dev->mem);
	xv_log_unmap(&dev->log);
	log_apply(dev);
	dev->rarp_pending = 0;
	dev->owned = false;
	dev->broken = false;
	dev->mem_faulted = false; /* the mappings went with xv_mem_clear */
	dev->protocol_features = 0;
}

/* ---- socket I/O ---- */

void xv_vu_rxbuf_init(struct xv_vu_rxbuf *rb)
{
	rb->have = 0;
	rb->nfds = 0;
}

void xv_vu_rxbuf_reset(struct xv_vu_rxbuf *rb)
{
	unsigned int i;

	for (i = 0; i < rb->nfds; i++)
		close(rb->fds[i]);
	xv_vu_rxbuf_init(rb);
}

/* Keeps the fds that came with the bytes; closes what does not fit. */
static void take_cmsg_fds(struct msghdr *mh, struct xv_vu_rxbuf *rb)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t i, nfd;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (rb->nfds < VU_MAX_FDS)
				rb->fds[rb->nfds++] = fd;
			else
				close(fd); /* counted as too many by validation */
		}
	}
}

static ssize_t recv_some(int sock, struct xv_vu_rxbuf *rb, size_t want)
{
	char cbuf[CMSG_SPACE(2 * VU_MAX_FDS * sizeof(int))];
	struct iovec iov = { rb->buf + rb->have, want };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	take_cmsg_fds(&mh, rb);
	return mh.msg_flags & MSG_CTRUNC ? -EPROTO : n;
}

int xv_vu_recv(int sock, struct xv_vu_rxbuf *rb, struct xv_vu_msg *msg)
{
	const size_t hlen = sizeof(struct xv_vu_hdr);
	struct xv_vu_hdr hdr;
	size_t total = hlen;
	ssize_t n;

	for (;;) {
		if (rb->have >= hlen) {
			memcpy(&hdr, rb->buf, hlen);
			if (hdr.size > sizeof(union xv_vu_payload))
				return -EPROTO; /* cannot resynchronise */
			total = hlen + hdr.size;
		}
		if (rb->have == total)
			break;
		n = recv_some(sock, rb, total - rb->have);
		if (n == 0)
			return -ECONNRESET;
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return 0; /* the rest comes later */
		if (n < 0)
			return (int)n;
		rb->have += (size_t)n;
	}
	memcpy(&msg->hdr, rb->buf, hlen);
	memcpy(&msg->p, rb->buf + hlen, msg->hdr.size);
	memcpy(msg->fds, rb->fds, rb->nfds * sizeof(int));
	msg->nfds = rb->nfds;
	xv_vu_rxbuf_init(rb); /* the fds now belong to @msg */
	return 1;
}

int xv_vu_send(int sock, const struct xv_vu_msg *msg)
{
	size_t len = sizeof(msg->hdr) + msg->hdr.size;
	uint8_t buf[sizeof(msg->hdr) + sizeof(msg->p)];
	ssize_t n;

	memcpy(buf, &msg->hdr, sizeof(msg->hdr));
	memcpy(buf + sizeof(msg->hdr), &msg->p, msg->hdr.size);
	n = send(sock, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EAGAIN;
}
