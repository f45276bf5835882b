/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vhost-user protocol, backend side (QEMU docs/interop/vhost-user.rst).
 *
 * Every message is checked against one table (vhost_user.c: vu_handlers)
 * before its handler runs: payload size, number of fds, whether a reply
 * is sent. Fds a message may not carry are closed.
 */
#ifndef XVDPA_VHOST_USER_H
#define XVDPA_VHOST_USER_H

#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "devcfg.h"
#include "dirty_log.h"
#include "guest_mem.h"
#include "virtq.h"

enum xv_vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_LOG_BASE = 6,
	VU_SET_LOG_FD = 7,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_SEND_RARP = 19,
	VU_NET_SET_MTU = 20,
	VU_GET_MAX_MEM_SLOTS = 36,
	VU_ADD_MEM_REG = 37,
	VU_REM_MEM_REG = 38,
	VU_SET_STATUS = 39,
	VU_GET_STATUS = 40,
	VU_REQUEST_MAX = 41,
};

/* Protocol feature bits. */
#define VU_PF_MQ 0
#define VU_PF_LOG_SHMFD 1
#define VU_PF_RARP 2
#define VU_PF_REPLY_ACK 3
#define VU_PF_NET_MTU 4
#define VU_PF_CONFIGURE_MEM_SLOTS 15
#define VU_PF_STATUS 16

/* virtio feature bits used here. */
#define VU_F_CSUM 0
#define VU_F_GUEST_CSUM 1
#define VU_F_MTU 3
#define VU_F_MAC 5
#define VU_F_HOST_TSO4 11
#define VU_F_HOST_TSO6 12
#define VU_F_HOST_ECN 13
#define VU_F_MRG_RXBUF 15
#define VU_F_STATUS 16
#define VU_F_CTRL_VQ 17
#define VU_F_GUEST_ANNOUNCE 21
#define VU_F_MQ 22
#define VU_F_NOTIFY_ON_EMPTY 24
#define VU_F_LOG_ALL 26
#define VU_F_INDIRECT_DESC 28
#define VU_F_EVENT_IDX 29
#define VU_F_PROTOCOL_FEATURES 30
#define VU_F_VERSION_1 32

#define VU_BIT(b) (1ULL << (b))

/* Header flags. */
#define VU_VERSION 0x1
#define VU_VERSION_MASK 0x3
#define VU_FLAG_REPLY (1u << 2)
#define VU_FLAG_NEED_REPLY (1u << 3)

#define VU_MAX_FDS 8
#define VU_RARP_PENDING_MAX 8
#define VU_MEM_TABLE_MAX 8 /* regions in one SET_MEM_TABLE */
/* The device table's limit (lib/devcfg.h): what a device may be given. */
#define VU_MAX_QUEUE_PAIRS XV_DEV_MAX_VQP
#define VU_MAX_VQS (2 * VU_MAX_QUEUE_PAIRS)
/* Low bits of SET_VRING_KICK/CALL/ERR's u64: index, and "no fd". */
#define VU_VRING_IDX_MASK 0xff
#define VU_VRING_NOFD (1ULL << 8)
/* SET_VRING_ADDR's flags: log_gpa is valid, the used ring is logged. */
#define VU_VRING_F_LOG 0

struct vu_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_uva;
	uint64_t used_uva;
	uint64_t avail_uva;
	uint64_t log_gpa;
};

struct vu_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t mmap_offset;
};

struct vu_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vu_mem_region regions[VU_MEM_TABLE_MAX];
};

/* SET_LOG_BASE: where the dirty log is in the fd that comes with it. */
struct vu_log {
	uint64_t mmap_size;
	uint64_t mmap_offset;
};

struct vu_mem_single {
	uint64_t padding;
	struct vu_mem_region region;
};

struct xv_vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size; /* payload bytes that follow */
} __attribute__((packed));

union xv_vu_payload {
	uint64_t u64;
	struct vu_vring_state state;
	struct vu_vring_addr addr;
	struct vu_mem_table mem;
	struct vu_mem_single mem_reg;
	struct vu_log log;
	uint8_t raw[sizeof(struct vu_mem_table)];
};

struct xv_vu_msg {
	struct xv_vu_hdr hdr;
	union xv_vu_payload p;
	int fds[VU_MAX_FDS];
	unsigned int nfds;
};

/* Per-virtqueue state the protocol controls. */
struct xv_vu_vring {
	struct xv_vq vq;
	int kick_fd;
	int call_fd;
	int err_fd;
	uint32_t num;
	struct vu_vring_addr addr;
	bool addr_set;
	bool enabled; /* SET_VRING_ENABLE (or kick without protocol features) */
	bool started; /* kick received, ring mapped; stopped by GET_VRING_BASE */
};

struct xv_vu_stats {
	uint64_t msgs;
	uint64_t bad_msgs; /* refused by validation */
	uint64_t unsupported; /* requests we do not implement */
	uint64_t stray_fds; /* fds closed because the message takes none */
	uint64_t ring_resyncs; /* rings resumed at the used index, not the base */
	uint64_t mem_faults; /* sessions broken by a guest memory fault */
	uint64_t mem_refused; /* regions refused: over cfg.max_mem */
	uint64_t log_bases; /* dirty logs mapped (SET_LOG_BASE) */
	uint64_t log_refused; /* SET_LOG_BASE refused: the device broke */
	uint64_t rarp_requests; /* SEND_RARP received */
	uint64_t rarp_sent; /* RARP frames the datapath sent (datapath) */
};

/* Configuration of one vhost-user device (what vdpactl dev add sets). */
struct xv_vu_config {
	uint64_t features; /* virtio features offered */
	uint64_t protocol_features; /* protocol features offered */
	uint16_t max_queue_pairs;
	uint16_t mtu;
	uint8_t mac[6];
	/* Bytes of guest memory the frontend may have mapped (the sum of its
	 * regions, in whole pages of their files); 0: no limit. */
	uint64_t max_mem;
};

struct xv_vu_dev;

/* Called (control thread) when a ring starts or stops, so the datapath
 * can pick it up or let it go. */
typedef void (*xv_vu_ring_cb)(struct xv_vu_dev *dev, unsigned int qidx,
			      bool started, void *opaque);

struct xv_vu_dev {
	char name[16]; /* for log lines */
	struct xv_vu_config cfg;
	uint64_t features; /* acked by SET_FEATURES */
	uint64_t protocol_features; /* acked */
	bool owned;
	bool broken; /* guest did something we refused; logged once */
	bool mem_faulted; /* broken by a guest memory fault (SIGBUS) */
	uint8_t status; /* SET_STATUS */
	uint16_t mtu; /* NET_SET_MTU */
	struct xv_guest_mem mem;
	/* The frontend's dirty log (migration); the rings log into it while
	 * LOG_ALL is acked and it is mapped. */
	struct xv_dirty_log log;
	/* SEND_RARP: the datapath announces @rarp_mac once per request
	 * (requests not sent yet, up to VU_RARP_PENDING_MAX). */
	uint8_t rarp_pending;
	uint8_t rarp_mac[6];
	struct xv_vu_vring vrings[VU_MAX_VQS];
	struct xv_vu_stats stats;
	xv_vu_ring_cb ring_cb;
	void *cb_opaque;
};

/* Interrupts the frontend after a flush, if the ring's rules ask for it
 * (EVENT_IDX or NO_INTERRUPT). Data path: one write per batch at most. */
static inline void xv_vu_vring_call(struct xv_vu_vring *vr)
{
	uint64_t one = 1;

	if (vr->call_fd >= 0 && vr->vq.ops->need_call(&vr->vq) &&
	    write(vr->call_fd, &one, sizeof(one)) < 0)
		return; /* the frontend may poll instead */
}

/*
 * Publishes the used entries pushed since @used_before and interrupts the
 * driver if it asked for it. A round that pushed nothing stores nothing:
 * a store to used->idx, even of the same value, takes that line from the
 * driver polling it, and need_call costs a fence.
 */
static inline void xv_vu_vring_publish(struct xv_vu_vring *vr,
				       uint16_t used_before)
{
	if (vr->vq.used_idx == used_before)
		return;
	vr->vq.ops->flush(&vr->vq);
	xv_vu_vring_call(vr);
}

void xv_vu_mem_fault(struct xv_vu_dev *dev);

/*
 * Breaks the device once the SIGBUS handler replaced part of its memory
 * (guest_fault.h). Under the device lock: by the datapath after a poll
 * and by xv_vu_handle after each message (either may have faulted).
 */
static inline void xv_vu_check_mem(struct xv_vu_dev *dev)
{
	if (!dev->mem_faulted && (xv_fault_count(&dev->mem.fault) ||
				  xv_fault_count(&dev->log.fault)))
		xv_vu_mem_fault(dev);
}

/* The default offer for a virtio-net device. */
void xv_vu_config_default(struct xv_vu_config *cfg);
void xv_vu_dev_init(struct xv_vu_dev *dev, const struct xv_vu_config *cfg);
/* Frontend gone: stop rings, unmap memory, close fds; keeps ring bases
 * so a reconnecting frontend resumes where it stopped. */
void xv_vu_dev_disconnect(struct xv_vu_dev *dev);

/*
 * Validates @msg against the handler table, runs its handler and fills
 * @reply (when *@send_reply is set on return). Takes ownership of the
 * message's fds: kept by the device or closed. Returns 0, or -errno for a
 * message that was refused (the caller may drop the connection).
 */
int xv_vu_handle(struct xv_vu_dev *dev, struct xv_vu_msg *msg,
		 struct xv_vu_msg *reply, bool *send_reply);
/* Validation only (pure): 0 or -errno. */
int xv_vu_validate(const struct xv_vu_msg *msg);
const char *xv_vu_request_name(uint32_t request);

/*
 * Socket I/O on a non-blocking connection, so that a frontend that sends
 * half a message, or stops reading replies, stalls nobody else.
 */
struct xv_vu_rxbuf {
	uint8_t buf[sizeof(struct xv_vu_hdr) + sizeof(union xv_vu_payload)];
	size_t have;
	int fds[VU_MAX_FDS];
	unsigned int nfds;
};

void xv_vu_rxbuf_init(struct xv_vu_rxbuf *rb);
/* Closes fds of a partly received message. */
void xv_vu_rxbuf_reset(struct xv_vu_rxbuf *rb);
/* Reads what is there: 1 when @msg holds a whole message (and its fds),
 * 0 when more bytes are needed, -ECONNRESET on EOF, -EPROTO on a stream
 * that cannot be parsed, other -errno. */
int xv_vu_recv(int sock, struct xv_vu_rxbuf *rb, struct xv_vu_msg *msg);
/* 0, or -EAGAIN when the frontend does not read its replies. */
int xv_vu_send(int sock, const struct xv_vu_msg *msg);

#endif /* XVDPA_VHOST_USER_H */
