// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the vhost-user message handler: the input is a
 * stream of messages (12-byte header, one byte saying how many fds to
 * attach, then the payload) fed to one device, as a hostile frontend
 * would send them. Fds are fresh memfds (for memory messages and the
 * dirty log) or eventfds; the device must close or keep each, never leak
 * or crash, and never map more guest memory than its limit (max_mem). A
 * dirty log it took must be within its file: both of its ends are
 * marked, and its used rings are marked as vdpad would.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "vhost_user.h"

#define FUZZ_MEMFD_SIZE (1 << 20)
/* Some regions fit, some do not, some only next to others. */
#define FUZZ_MAX_MEM (FUZZ_MEMFD_SIZE / 2)
/* A dirty log's file: some sizes and offsets fit, some do not. */
#define FUZZ_LOGFD_SIZE 16384

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int make_fd(uint32_t request)
{
	off_t len = request == VU_SET_LOG_BASE ? FUZZ_LOGFD_SIZE :
						 FUZZ_MEMFD_SIZE;
	int fd;

	if (request != VU_SET_MEM_TABLE && request != VU_ADD_MEM_REG &&
	    request != VU_SET_LOG_BASE)
		return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fd = memfd_create("fuzz-guest", MFD_CLOEXEC);
	if (fd >= 0 && ftruncate(fd, len)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Takes one message off the input; returns bytes used, 0 at the end. */
static size_t next_msg(const uint8_t *data, size_t size, struct xv_vu_msg *m)
{
	size_t need = sizeof(m->hdr) + 1, plen;
	unsigned int i, nfds;

	if (size < need)
		return 0;
	memset(m, 0, sizeof(*m));
	memcpy(&m->hdr, data, sizeof(m->hdr));
	nfds = data[sizeof(m->hdr)] % 4;
	plen = size - need;
	if (plen > m->hdr.size)
		plen = m->hdr.size;
	if (plen > sizeof(m->p))
		plen = sizeof(m->p);
	memcpy(&m->p, data + need, plen);
	for (i = 0; i < nfds; i++) {
		m->fds[i] = make_fd(m->hdr.request);
		if (m->fds[i] < 0)
			break;
		m->nfds = i + 1;
	}
	return need + plen;
}

/* The mapped bytes are the regions' and within the limit. */
static void check_mem(const struct xv_guest_mem *mem)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < mem->nregions; i++)
		sum += mem->regions[i].map.len;
	if (sum != mem->mapped_bytes || sum > FUZZ_MAX_MEM)
		__builtin_trap();
}

/* A log taken lies in its file: its first and last page bits can be set
 * (a mapping too short would fault), and so can every ring's used ring
 * marks, wherever the frontend said it was. */
static void check_log(struct xv_vu_dev *dev)
{
	struct xv_dirty_log *log = &dev->log;
	unsigned int i;

	if (!log->bits)
		return;
	if (log->size > FUZZ_LOGFD_SIZE)
		__builtin_trap();
	xv_log_gpa(log, 0, 1);
	xv_log_gpa(log, ((log->size << 3) - 1) << XV_LOG_PAGE_SHIFT, 1);
	for (i = 0; i < VU_MAX_VQS; i++) {
		const struct xv_vq *vq = &dev->vrings[i].vq;

		if (vq->log && vq->log != log)
			__builtin_trap();
		if (vq->log_used)
			xv_log_gpa(log, vq->log_used_gpa, 4096 * 3);
	}
}

/* The lowest free fd: unchanged across a run unless an fd leaked. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd_before = lowest_free_fd();
	static struct xv_vu_dev dev;
	struct xv_vu_config cfg;
	struct xv_vu_msg msg, reply;
	bool send;
	size_t used;

	xv_log_set_level(XV_LOG_ERR);
	xv_vu_config_default(&cfg);
	cfg.max_queue_pairs = 2;
	cfg.max_mem = FUZZ_MAX_MEM;
	xv_vu_dev_init(&dev, &cfg);
	while ((used = next_msg(data, size, &msg))) {
		xv_vu_handle(&dev, &msg, &reply, &send);
		check_mem(&dev.mem);
		check_log(&dev);
		if (send && reply.hdr.size > sizeof(reply.p))
			__builtin_trap(); /* a reply larger than its payload */
		data += used;
		size -= used;
	}
	xv_vu_dev_disconnect(&dev);
	if (lowest_free_fd() != fd_before)
		__builtin_trap(); /* an fd from a message leaked */
	return 0;
}
