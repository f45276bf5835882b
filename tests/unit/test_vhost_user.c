// SPDX-License-Identifier: GPL-2.0-only
/* The vhost-user message table: validation, replies, REPLY_ACK, fds. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest_fault.h"
#include "log.h"
#include "virtio_net.h"
#include "vhost_user.h"

static struct xv_vu_dev dev;

static int setup(void **state)
{
	struct xv_vu_config cfg;

	(void)state;
	xv_log_set_level(XV_LOG_ERR);
	xv_vu_config_default(&cfg);
	xv_vu_dev_init(&dev, &cfg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	xv_vu_dev_disconnect(&dev);
	return 0;
}

static void msg_init(struct xv_vu_msg *m, uint32_t req, uint32_t size)
{
	memset(m, 0, sizeof(*m));
	m->hdr.request = req;
	m->hdr.flags = VU_VERSION;
	m->hdr.size = size;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void test_validate_header(void **state)
{
	struct xv_vu_msg m;

	(void)state;
	msg_init(&m, VU_GET_FEATURES, 0);
	assert_int_equal(xv_vu_validate(&m), 0);
	m.hdr.flags = 0x2; /* wrong version */
	assert_int_equal(xv_vu_validate(&m), -EPROTO);
	m.hdr.flags = VU_VERSION | VU_FLAG_REPLY; /* a reply sent to us */
	assert_int_equal(xv_vu_validate(&m), -EPROTO);
	msg_init(&m, 0, 0);
	assert_int_equal(xv_vu_validate(&m), -EOPNOTSUPP);
	msg_init(&m, VU_SET_LOG_FD, 8); /* known, not supported */
	assert_int_equal(xv_vu_validate(&m), -EOPNOTSUPP);
	msg_init(&m, 9999, 0);
	assert_int_equal(xv_vu_validate(&m), -EOPNOTSUPP);
	msg_init(&m, VU_SET_FEATURES, sizeof(m.p) + 1);
	assert_int_equal(xv_vu_validate(&m), -EMSGSIZE);
}

static void test_validate_sizes(void **state)
{
	static const struct {
		uint32_t req;
		uint32_t good;
	} t[] = {
		{ VU_GET_FEATURES, 0 },
		{ VU_SET_FEATURES, 8 },
		{ VU_SET_OWNER, 0 },
		{ VU_SET_VRING_NUM, sizeof(struct vu_vring_state) },
		{ VU_SET_VRING_ADDR, sizeof(struct vu_vring_addr) },
		{ VU_GET_VRING_BASE, sizeof(struct vu_vring_state) },
		{ VU_SET_VRING_KICK, 8 },
		{ VU_ADD_MEM_REG, sizeof(struct vu_mem_single) },
		{ VU_GET_STATUS, 0 },
	};
	struct xv_vu_msg m;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		msg_init(&m, t[i].req, t[i].good);
		assert_int_equal(xv_vu_validate(&m), 0);
		msg_init(&m, t[i].req, t[i].good + 4);
		assert_int_equal(xv_vu_validate(&m), -EINVAL);
		if (t[i].good) {
			msg_init(&m, t[i].req, t[i].good - 1);
			assert_int_equal(xv_vu_validate(&m), -EINVAL);
		}
	}
}

static void test_validate_mem_table(void **state)
{
	size_t base = offsetof(struct vu_mem_table, regions);
	struct xv_vu_msg m;

	(void)state;
	msg_init(&m, VU_SET_MEM_TABLE, base + 2 * sizeof(struct vu_mem_region));
	m.p.mem.nregions = 2;
	assert_int_equal(xv_vu_validate(&m), 0);
	m.p.mem.nregions = 3; /* size says 2 */
	assert_int_equal(xv_vu_validate(&m), -EINVAL);
	m.p.mem.nregions = VU_MEM_TABLE_MAX + 1;
	m.hdr.size =
		base + (VU_MEM_TABLE_MAX + 1) * sizeof(struct vu_mem_region);
	assert_int_equal(xv_vu_validate(&m), -EMSGSIZE);
	msg_init(&m, VU_SET_MEM_TABLE, 4);
	assert_int_equal(xv_vu_validate(&m), -EINVAL);
}

static void test_validate_fds(void **state)
{
	struct xv_vu_msg m;

	(void)state;
	msg_init(&m, VU_SET_VRING_KICK, 8);
	m.nfds = 1;
	assert_int_equal(xv_vu_validate(&m), 0);
	m.nfds = 2;
	assert_int_equal(xv_vu_validate(&m), -EBADF);
	msg_init(&m, VU_GET_FEATURES, 0);
	m.nfds = 1;
	assert_int_equal(xv_vu_validate(&m), -EBADF);
	m.nfds = VU_MAX_FDS + 1;
	assert_int_equal(xv_vu_validate(&m), -EMSGSIZE);
}

static void test_get_features_replies(void **state)
{
	struct xv_vu_msg m, r;
	bool send;

	(void)state;
	msg_init(&m, VU_GET_FEATURES, 0);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_true(send);
	assert_int_equal(r.hdr.flags, VU_VERSION | VU_FLAG_REPLY);
	assert_int_equal(r.hdr.request, VU_GET_FEATURES);
	assert_int_equal(r.hdr.size, 8);
	assert_true(r.p.u64 & VU_BIT(VU_F_VERSION_1));
	assert_true(r.p.u64 & VU_BIT(VU_F_MRG_RXBUF));
	assert_true(r.p.u64 & VU_BIT(VU_F_EVENT_IDX));
	assert_true(r.p.u64 & VU_BIT(VU_F_PROTOCOL_FEATURES));
}

static void test_protocol_features_offer(void **state)
{
	struct xv_vu_msg m, r;
	bool send;

	(void)state;
	msg_init(&m, VU_GET_PROTOCOL_FEATURES, 0);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_true(send);
	assert_int_equal(r.p.u64 & (VU_BIT(VU_PF_MQ) | VU_BIT(VU_PF_REPLY_ACK) |
				    VU_BIT(VU_PF_NET_MTU) |
				    VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS) |
				    VU_BIT(VU_PF_STATUS) | VU_BIT(VU_PF_RARP)),
			 VU_BIT(VU_PF_MQ) | VU_BIT(VU_PF_REPLY_ACK) |
				 VU_BIT(VU_PF_NET_MTU) |
				 VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS) |
				 VU_BIT(VU_PF_STATUS) | VU_BIT(VU_PF_RARP));
	msg_init(&m, VU_GET_MAX_MEM_SLOTS, 0);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_true(r.p.u64 > 8);
}

static void ack_protocol(uint64_t pf)
{
	struct xv_vu_msg m, r;
	bool send;

	msg_init(&m, VU_SET_PROTOCOL_FEATURES, 8);
	m.p.u64 = pf;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_false(send);
}

static void test_reply_ack(void **state)
{
	struct xv_vu_msg m, r;
	bool send;

	(void)state;
	/* NEED_REPLY without REPLY_ACK negotiated: no reply. */
	msg_init(&m, VU_SET_FEATURES, 8);
	m.hdr.flags |= VU_FLAG_NEED_REPLY;
	m.p.u64 = VU_BIT(VU_F_VERSION_1);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_false(send);
	ack_protocol(VU_BIT(VU_PF_REPLY_ACK));
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_true(send);
	assert_int_equal(r.hdr.size, 8);
	assert_int_equal(r.p.u64, 0);
	/* A refused request acks with a non-zero status. */
	m.p.u64 = VU_BIT(63);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EINVAL);
	assert_true(send);
	assert_int_not_equal(r.p.u64, 0);
	/* Even an unsupported request gets its ack. */
	msg_init(&m, 9999, 0);
	m.hdr.flags |= VU_FLAG_NEED_REPLY;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EOPNOTSUPP);
	assert_true(send);
	assert_int_not_equal(r.p.u64, 0);
	assert_int_equal(dev.stats.unsupported, 1);
}

static void test_unoffered_protocol_features(void **state)
{
	struct xv_vu_msg m, r;
	bool send;

	(void)state;
	msg_init(&m, VU_SET_PROTOCOL_FEATURES, 8);
	m.p.u64 = VU_BIT(5); /* SLAVE_REQ: not offered */
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EINVAL);
}

static void test_stray_fds_closed(void **state)
{
	struct xv_vu_msg m, r;
	bool send;
	int fd;

	(void)state;
	fd = eventfd(0, EFD_CLOEXEC);
	msg_init(&m, VU_GET_FEATURES, 0);
	m.fds[0] = fd;
	m.nfds = 1;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EBADF);
	assert_false(fd_open(fd));
	assert_int_equal(dev.stats.bad_msgs, 1);
	/* KICK with the "no fd" bit but an fd attached: fd closed. */
	fd = eventfd(0, EFD_CLOEXEC);
	msg_init(&m, VU_SET_VRING_KICK, 8);
	m.p.u64 = 0 | VU_VRING_NOFD;
	m.fds[0] = fd;
	m.nfds = 1;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_false(fd_open(fd));
	assert_int_equal(dev.stats.stray_fds, 2); /* both were closed */
}

static void test_vring_fds_kept(void **state)
{
	struct xv_vu_msg m, r;
	bool send;
	int fd = eventfd(0, EFD_CLOEXEC);

	(void)state;
	msg_init(&m, VU_SET_VRING_CALL, 8);
	m.p.u64 = 1;
	m.fds[0] = fd;
	m.nfds = 1;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_int_equal(dev.vrings[1].call_fd, fd);
	assert_true(fd_open(fd));
	assert_int_equal(dev.stats.stray_fds, 0); /* kept, not stray */
	/* Index beyond the device's queues: refused, fd closed. */
	fd = eventfd(0, EFD_CLOEXEC);
	msg_init(&m, VU_SET_VRING_CALL, 8);
	m.p.u64 = 2; /* one queue pair: indexes 0 and 1 */
	m.fds[0] = fd;
	m.nfds = 1;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EINVAL);
	assert_false(fd_open(fd));
	assert_int_equal(dev.stats.stray_fds, 1);
}

static void test_vring_num_rules(void **state)
{
	static const uint32_t bad[] = { 0, 3, 1000, 65536, 0xffffffff };
	struct xv_vu_msg m, r;
	unsigned int i;
	bool send;

	(void)state;
	msg_init(&m, VU_SET_VRING_NUM, sizeof(struct vu_vring_state));
	m.p.state.index = 0;
	m.p.state.num = 256;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_int_equal(dev.vrings[0].num, 256);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m.p.state.num = bad[i];
		assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EINVAL);
	}
	m.p.state.index = 7;
	m.p.state.num = 256;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EINVAL);
}

static void test_vring_base_round_trip(void **state)
{
	struct xv_vu_msg m, r;
	bool send;

	(void)state;
	msg_init(&m, VU_SET_VRING_BASE, sizeof(struct vu_vring_state));
	m.p.state.index = 1;
	m.p.state.num = 4242;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	msg_init(&m, VU_GET_VRING_BASE, sizeof(struct vu_vring_state));
	m.p.state.index = 1;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_true(send);
	assert_int_equal(r.p.state.index, 1);
	assert_int_equal(r.p.state.num, 4242);
	msg_init(&m, VU_SET_VRING_BASE, sizeof(struct vu_vring_state));
	m.p.state.num = 70000;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EINVAL);
}

static void test_mem_table_fd_count(void **state)
{
	struct xv_vu_msg m, r;
	bool send;
	int fd = eventfd(0, EFD_CLOEXEC);

	(void)state;
	/* Two regions announced, one fd sent: refused, fd closed. */
	msg_init(&m, VU_SET_MEM_TABLE,
		 offsetof(struct vu_mem_table, regions) +
			 2 * sizeof(struct vu_mem_region));
	m.p.mem.nregions = 2;
	m.fds[0] = fd;
	m.nfds = 1;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EINVAL);
	assert_false(fd_open(fd));
	assert_int_equal(dev.mem.nregions, 0);
}

/* A frontend that comes back to a restarted backend and gives base 0
 * (DPDK's virtio-user in server mode) while its used ring says 5: the
 * ring resumes at 5, counted, instead of being taken for an index jump. */
#define RING_UVA 0x7f0000000000ULL

static void send_ok(struct xv_vu_msg *m)
{
	struct xv_vu_msg r;
	bool send;

	assert_int_equal(xv_vu_handle(&dev, m, &r, &send), 0);
}

static void ring_setup(int memfd, uint16_t base)
{
	struct xv_vu_msg m;

	msg_init(&m, VU_SET_FEATURES, 8);
	m.p.u64 = VU_BIT(VU_F_VERSION_1);
	send_ok(&m);
	msg_init(&m, VU_SET_MEM_TABLE,
		 offsetof(struct vu_mem_table, regions) +
			 sizeof(struct vu_mem_region));
	m.p.mem.nregions = 1;
	m.p.mem.regions[0] = (struct vu_mem_region){ .gpa = 0,
						     .size = 65536,
						     .uva = RING_UVA };
	m.fds[0] = memfd;
	m.nfds = 1;
	send_ok(&m);
	msg_init(&m, VU_SET_VRING_NUM, sizeof(struct vu_vring_state));
	m.p.state.num = 256;
	send_ok(&m);
	msg_init(&m, VU_SET_VRING_BASE, sizeof(struct vu_vring_state));
	m.p.state.num = base;
	send_ok(&m);
	msg_init(&m, VU_SET_VRING_ADDR, sizeof(struct vu_vring_addr));
	m.p.addr.desc_uva = RING_UVA;
	m.p.addr.avail_uva = RING_UVA + 4096;
	m.p.addr.used_uva = RING_UVA + 8192;
	send_ok(&m);
	msg_init(&m, VU_SET_VRING_KICK, 8);
	m.fds[0] = eventfd(0, EFD_CLOEXEC);
	m.nfds = 1;
	send_ok(&m);
	msg_init(&m, VU_SET_VRING_ENABLE, sizeof(struct vu_vring_state));
	m.p.state.num = 1;
	send_ok(&m);
}

static uint32_t vring_base(void)
{
	struct xv_vu_msg m, r;
	bool send;

	msg_init(&m, VU_GET_VRING_BASE, sizeof(struct vu_vring_state));
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	return r.p.state.num;
}

static void test_vring_resumes_at_used_index(void **state)
{
	int memfd = memfd_create("guest", MFD_CLOEXEC);
	uint16_t *used_idx;
	void *mem;

	(void)state;
	assert_true(memfd >= 0 && !ftruncate(memfd, 65536));
	mem = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	assert_true(mem != MAP_FAILED);
	used_idx = (uint16_t *)((char *)mem + 8192 + 2);
	*used_idx = 5;
	ring_setup(dup(memfd), 0);
	assert_true(dev.vrings[0].started);
	assert_int_equal(dev.stats.ring_resyncs, 1);
	assert_int_equal(vring_base(), 5);
	/* Base and used index agree: nothing to resync. */
	xv_vu_dev_disconnect(&dev);
	setup(NULL);
	ring_setup(dup(memfd), 5);
	assert_true(dev.vrings[0].started);
	assert_int_equal(dev.stats.ring_resyncs, 0);
	assert_int_equal(vring_base(), 5);
	munmap(mem, 65536);
	close(memfd);
}

/* ---- guest memory: the limit, faults ---- */

static int sparse_memfd(size_t len)
{
	int fd = memfd_create("guest", MFD_CLOEXEC);

	assert_true(fd >= 0 && !ftruncate(fd, (off_t)len));
	return fd;
}

static void mem_table_msg(struct xv_vu_msg *m, unsigned int n, uint64_t size,
			  int fd)
{
	unsigned int i;

	msg_init(m, VU_SET_MEM_TABLE,
		 offsetof(struct vu_mem_table, regions) +
			 n * sizeof(struct vu_mem_region));
	m->p.mem.nregions = n;
	for (i = 0; i < n; i++) {
		m->p.mem.regions[i] =
			(struct vu_mem_region){ .gpa = i * size,
						.size = size,
						.uva = RING_UVA + i * size };
		m->fds[i] = dup(fd);
	}
	m->nfds = n;
}

/* cfg.max_mem: a table or region over it is refused, counted, and leaves
 * nothing mapped; 0 is no limit. A sparse 1 GiB memfd is the attack. */
static void test_mem_limit(void **state)
{
	struct xv_vu_msg m, r;
	int fd = sparse_memfd(1ul << 30);
	bool send;

	(void)state;
	dev.cfg.max_mem = 4ul << 20;
	mem_table_msg(&m, 1, 1ul << 30, fd);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EFBIG);
	assert_int_equal(dev.mem.nregions, 0);
	assert_int_equal(dev.mem.mapped_bytes, 0);
	assert_int_equal(dev.stats.mem_refused, 1);
	/* two regions that fit alone, not together: neither stays */
	mem_table_msg(&m, 2, 3ul << 20, fd);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EFBIG);
	assert_int_equal(dev.mem.nregions, 0);
	assert_int_equal(dev.stats.mem_refused, 2);
	/* within it */
	mem_table_msg(&m, 2, 2ul << 20, fd);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_int_equal(dev.mem.mapped_bytes, 4ul << 20);
	/* ADD_MEM_REG past it */
	msg_init(&m, VU_ADD_MEM_REG, sizeof(struct vu_mem_single));
	m.p.mem_reg.region = (struct vu_mem_region){
		.gpa = 8ul << 20, .size = 4096, .uva = RING_UVA + (8ul << 20)
	};
	m.fds[0] = dup(fd);
	m.nfds = 1;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EFBIG);
	assert_false(fd_open(m.fds[0]));
	assert_int_equal(dev.mem.nregions, 2);
	assert_int_equal(dev.stats.mem_refused, 3);
	/* no limit */
	dev.cfg.max_mem = 0;
	mem_table_msg(&m, 1, 1ul << 30, fd);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_int_equal(dev.mem.mapped_bytes, 1ul << 30);
	assert_int_equal(dev.stats.mem_refused, 3);
	close(fd);
}

/* The frontend cuts its (unsealable) memfd after the rings started; the
 * next ring start reads the used index on the control thread: it reads
 * zeros, the device is broken and counted once; a new session works. */
static void test_mem_fault_breaks_device(void **state)
{
	struct xv_vu_msg m;
	int memfd = sparse_memfd(65536);

	(void)state;
	assert_int_equal(xv_fault_install(), 0);
	ring_setup(dup(memfd), 0);
	assert_true(dev.vrings[0].started);
	assert_false(dev.broken);
	assert_int_equal(ftruncate(memfd, 0), 0);
	msg_init(&m, VU_SET_VRING_KICK, 8);
	m.fds[0] = eventfd(0, EFD_CLOEXEC);
	m.nfds = 1;
	send_ok(&m);
	assert_true(dev.broken);
	assert_true(dev.mem_faulted);
	assert_int_equal(dev.stats.mem_faults, 1);
	/* more faults in the same session count no more */
	msg_init(&m, VU_SET_VRING_KICK, 8);
	m.fds[0] = eventfd(0, EFD_CLOEXEC);
	m.nfds = 1;
	send_ok(&m);
	assert_int_equal(dev.stats.mem_faults, 1);
	/* reconnect: fresh mappings, not broken */
	xv_vu_dev_disconnect(&dev);
	assert_false(dev.broken);
	assert_false(dev.mem_faulted);
	assert_int_equal(xv_fault_count(&dev.mem.fault), 0);
	assert_int_equal(ftruncate(memfd, 65536), 0);
	ring_setup(dup(memfd), 0);
	assert_true(dev.vrings[0].started);
	assert_false(dev.broken);
	assert_int_equal(dev.stats.mem_faults, 1);
	close(memfd);
}

static void test_mtu_status_rarp(void **state)
{
	struct xv_vu_msg m, r;
	bool send;

	(void)state;
	msg_init(&m, VU_NET_SET_MTU, 8);
	m.p.u64 = 9000;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_int_equal(dev.mtu, 9000);
	m.p.u64 = 67;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EINVAL);
	msg_init(&m, VU_SET_STATUS, 8);
	m.p.u64 = 0xf;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	msg_init(&m, VU_GET_STATUS, 0);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_int_equal(r.p.u64, 0xf);
	msg_init(&m, VU_SEND_RARP, 8);
	memcpy(m.p.raw, "\x01\x00\x5e\x00\x00\x01", 6);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EINVAL);
	assert_int_equal(dev.rarp_pending, 0);
	memcpy(m.p.raw, "\x02\x00\x00\x00\x00\x01", 6);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	/* For the datapath to announce; the device's own MAC stays. */
	assert_int_equal(dev.rarp_pending, 1);
	assert_memory_equal(dev.rarp_mac, "\x02\x00\x00\x00\x00\x01", 6);
	assert_memory_not_equal(dev.cfg.mac, dev.rarp_mac, 6);
	assert_int_equal(dev.stats.rarp_requests, 1);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
	assert_int_equal(dev.rarp_pending, 2);
	xv_vu_dev_disconnect(&dev);
	assert_int_equal(dev.rarp_pending, 0);
}

/* ---- migration: the dirty log ---- */

static void ack_log_shmfd(void)
{
	struct xv_vu_msg m;

	msg_init(&m, VU_SET_PROTOCOL_FEATURES, 8);
	m.p.u64 = VU_BIT(VU_PF_LOG_SHMFD) | VU_BIT(VU_PF_REPLY_ACK);
	send_ok(&m);
}

/* SET_LOG_BASE of @size bytes at @off of @fd (dup'ed): returns the
 * handler's result, *@answer the reply's u64 (-1: no reply). The fd is
 * closed either way. */
static int set_log_base(int fd, uint64_t size, uint64_t off, int64_t *answer)
{
	struct xv_vu_msg m, r;
	bool send;
	int rc;

	msg_init(&m, VU_SET_LOG_BASE, sizeof(struct vu_log));
	m.p.log.mmap_size = size;
	m.p.log.mmap_offset = off;
	m.fds[0] = fd >= 0 ? dup(fd) : -1;
	m.nfds = fd >= 0;
	rc = xv_vu_handle(&dev, &m, &r, &send);
	if (fd >= 0)
		assert_false(fd_open(m.fds[0]));
	*answer = -1;
	if (send) {
		assert_int_equal(r.hdr.request, VU_SET_LOG_BASE);
		assert_int_equal(r.hdr.size, 8);
		*answer = (int64_t)r.p.u64;
	}
	return rc;
}

/* Mapped and answered 0 (QEMU waits for the answer); sent again, the new
 * log replaces the old. Only with LOG_SHMFD acked, and with its fd. */
static void test_set_log_base(void **state)
{
	int fd = sparse_memfd(8192);
	int64_t ans;

	(void)state;
	assert_int_equal(set_log_base(fd, 4096, 0, &ans), -EINVAL);
	assert_int_equal(ans, -1);
	assert_null(dev.log.bits);
	ack_log_shmfd();
	assert_int_equal(set_log_base(-1, 4096, 0, &ans), -EINVAL);
	assert_int_equal(set_log_base(fd, 4096, 0, &ans), 0);
	assert_int_equal(ans, 0);
	assert_non_null(dev.log.bits);
	assert_int_equal(dev.log.size, 4096);
	assert_int_equal(set_log_base(fd, 4096, 4096, &ans), 0);
	assert_int_equal(ans, 0);
	assert_int_equal(dev.log.size, 4096);
	assert_int_equal(set_log_base(fd, 8192, 0, &ans), 0);
	assert_int_equal(dev.log.size, 8192);
	assert_int_equal(dev.stats.log_bases, 3);
	assert_int_equal(dev.stats.log_refused, 0);
	assert_false(dev.broken);
	close(fd);
}

/* What a hostile frontend may send: each answered 1 (the frontend would
 * wait forever otherwise), counted, and the device broken; the log mapped
 * before stays as it was; a new session starts clean. */
static void test_set_log_base_hostile(void **state)
{
	static const struct {
		uint64_t size, off;
	} bad[] = {
		{ 0, 0 }, /* empty */
		{ 8193, 0 }, /* past the file */
		{ 4096, 8192 }, /* starts at its end */
		{ 4096, UINT64_MAX - 100 }, /* wraps */
		{ 0x1000, 0xfffffffffffff000ULL }, /* ends at 2^64 */
		{ XV_LOG_MAX_BYTES + 1, 0 }, /* over the limit */
	};
	int fd = sparse_memfd(8192), efd = eventfd(0, EFD_CLOEXEC);
	struct xv_vu_msg m, r;
	unsigned int i;
	int64_t ans;
	bool send;

	(void)state;
	ack_log_shmfd();
	assert_int_equal(set_log_base(fd, 4096, 0, &ans), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
			set_log_base(fd, bad[i].size, bad[i].off, &ans), 0);
		assert_int_equal(ans, 1);
		assert_true(dev.broken);
		assert_int_equal(dev.stats.log_refused, i + 1);
		assert_int_equal(dev.log.size, 4096);
	}
	/* An eventfd cannot be mapped. */
	assert_int_equal(set_log_base(efd, 4096, 0, &ans), 0);
	assert_int_equal(ans, 1);
	/* Two fds, a short payload: refused by the table. */
	msg_init(&m, VU_SET_LOG_BASE, sizeof(struct vu_log));
	m.fds[0] = dup(fd);
	m.fds[1] = dup(fd);
	m.nfds = 2;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EBADF);
	assert_false(fd_open(m.fds[0]) || fd_open(m.fds[1]));
	msg_init(&m, VU_SET_LOG_BASE, 8);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EINVAL);
	xv_vu_dev_disconnect(&dev);
	assert_false(dev.broken);
	assert_null(dev.log.bits);
	close(fd);
	close(efd);
}

static bool page_dirty(uint64_t gpa)
{
	uint64_t page = gpa >> XV_LOG_PAGE_SHIFT;

	return dev.log.bits[page >> 3] & (1u << (page & 7));
}

static void clear_log(void)
{
	memset(dev.log.bits, 0, dev.log.size);
}

#define RX_BUF_GPA 0x5000 /* page 5 */
#define USED_GPA 8192 /* ring_setup's used ring: page 2 */

/* The guest posts one 2 KiB receive buffer (ring_setup's layout). */
static void post_rx_buf(void *mem, uint16_t n)
{
	struct vring_desc *d = mem;
	struct vring_avail *a = (struct vring_avail *)((char *)mem + 4096);

	d[n] = (struct vring_desc){ .addr = RX_BUF_GPA + n * 2048ull,
				    .len = 2048,
				    .flags = VRING_DESC_F_WRITE };
	a->ring[n] = n;
	__atomic_store_n(&a->idx, n + 1, __ATOMIC_RELEASE);
}

static void set_features(uint64_t f)
{
	struct xv_vu_msg m;

	msg_init(&m, VU_SET_FEATURES, 8);
	m.p.u64 = VU_BIT(VU_F_VERSION_1) | f;
	send_ok(&m);
}

static int set_used_log(uint64_t flags, uint64_t log_gpa, uint64_t used_uva)
{
	struct xv_vu_msg m, r;
	bool send;

	msg_init(&m, VU_SET_VRING_ADDR, sizeof(struct vu_vring_addr));
	m.p.addr.desc_uva = RING_UVA;
	m.p.addr.avail_uva = RING_UVA + 4096;
	m.p.addr.used_uva = used_uva;
	m.p.addr.flags = (uint32_t)flags;
	m.p.addr.log_gpa = log_gpa;
	return xv_vu_handle(&dev, &m, &r, &send);
}

/* A received frame while the frontend logs: its buffer's page and the
 * used ring's are marked, after the writes; nothing once LOG_ALL is off.
 * The logging switch comes while the ring runs (as QEMU sends it). */
static void test_dirty_log_marks(void **state)
{
	int memfd = sparse_memfd(65536), logfd = sparse_memfd(4096);
	static const uint8_t frame[100] = { 0xaa };
	struct xv_net_q_stats st = { 0 };
	static struct xv_chain c;
	struct xv_vq *vq;
	int64_t ans;
	void *mem;

	(void)state;
	mem = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	assert_true(mem != MAP_FAILED);
	ring_setup(dup(memfd), 0);
	vq = &dev.vrings[0].vq;
	assert_true(dev.vrings[0].started);
	ack_log_shmfd();
	assert_int_equal(set_log_base(logfd, 4096, 0, &ans), 0);
	/* A log, LOG_ALL not acked: nothing logs. */
	assert_null(vq->log);
	set_features(VU_BIT(VU_F_LOG_ALL));
	assert_ptr_equal(vq->log, &dev.log);
	assert_false(vq->log_used);
	/* Same ring, now with its used ring logged; moving it: refused. */
	assert_int_equal(set_used_log(VU_BIT(VU_VRING_F_LOG), USED_GPA,
				      RING_UVA + 8192),
			 0);
	assert_true(vq->log_used);
	assert_int_equal(set_used_log(VU_BIT(VU_VRING_F_LOG), USED_GPA,
				      RING_UVA + 12288),
			 -EBUSY);
	assert_int_equal(set_used_log(VU_BIT(VU_VRING_F_LOG), UINT64_MAX - 8,
				      RING_UVA + 8192),
			 -EINVAL);
	assert_true(vq->log_used);

	clear_log();
	post_rx_buf(mem, 0);
	assert_int_equal(
		xv_net_rx_put(vq, false, frame, sizeof(frame), &c, &st), 1);
	vq->ops->flush(vq);
	assert_true(page_dirty(RX_BUF_GPA));
	assert_true(page_dirty(USED_GPA));
	assert_false(page_dirty(RX_BUF_GPA + 4096));
	assert_false(page_dirty(0)); /* descriptors: only read */
	assert_false(page_dirty(4096)); /* avail ring: only read */
	assert_int_equal(memcmp((char *)mem + RX_BUF_GPA + XV_NET_HDR_LEN,
				frame, sizeof(frame)),
			 0);
	assert_true(dev.log.pages >= 2);
	assert_int_equal(dev.log.outside, 0);

	/* GET_VRING_BASE: the whole used ring marked for the last sync. */
	clear_log();
	vring_base();
	assert_true(page_dirty(USED_GPA));
	assert_false(dev.vrings[0].started);

	/* LOG_ALL off: no marks. */
	set_features(0);
	assert_null(vq->log);
	clear_log();
	memset(&c, 0, sizeof(c));
	post_rx_buf(mem, 1);
	vq->ops->pop(vq, &c);
	assert_false(page_dirty(RX_BUF_GPA + 2048));
	munmap(mem, 65536);
	close(memfd);
	close(logfd);
}

/* A log too small for the guest's memory: the marks past it are not
 * made, they are counted. */
static void test_dirty_log_outside(void **state)
{
	int logfd = sparse_memfd(4096);
	int64_t ans;

	(void)state;
	ack_log_shmfd();
	assert_int_equal(set_log_base(logfd, 1, 0, &ans), 0);
	xv_log_gpa(&dev.log, 7 * 4096, 4096); /* page 7: bit 7 of byte 0 */
	assert_int_equal(dev.log.bits[0], 0x80);
	xv_log_gpa(&dev.log, 8 * 4096 - 1, 4098); /* pages 7, 8, 9 */
	assert_int_equal(dev.log.outside, 2);
	xv_log_gpa(&dev.log, UINT64_MAX - 10, 100); /* wraps */
	assert_int_equal(dev.log.outside, 3);
	assert_int_equal(dev.log.pages, 2);
	close(logfd);
}

/* The frontend shrinks its log's file under us: the mark faults, the
 * SIGBUS handler puts zeros there, and the device breaks at the next
 * check, counted once; a new session is clean. */
static void test_dirty_log_fault(void **state)
{
	int logfd = sparse_memfd(8192);
	struct xv_vu_msg m;
	int64_t ans;

	(void)state;
	assert_int_equal(xv_fault_install(), 0);
	ack_log_shmfd();
	assert_int_equal(set_log_base(logfd, 8192, 0, &ans), 0);
	assert_false(dev.log.map.sealed); /* a memfd without sealing */
	assert_int_equal(ftruncate(logfd, 0), 0);
	xv_log_gpa(&dev.log, 5 * 32768, 1); /* byte 5 of the log */
	assert_int_equal(xv_fault_count(&dev.log.fault), 1);
	msg_init(&m, VU_GET_FEATURES, 0);
	send_ok(&m);
	assert_true(dev.broken);
	assert_true(dev.mem_faulted);
	assert_int_equal(dev.stats.mem_faults, 1);
	xv_vu_dev_disconnect(&dev);
	assert_false(dev.broken);
	assert_int_equal(xv_fault_count(&dev.log.fault), 0);
	close(logfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_validate_header, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_validate_sizes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_validate_mem_table, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_validate_fds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_get_features_replies,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_protocol_features_offer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_ack, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_unoffered_protocol_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stray_fds_closed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vring_fds_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vring_num_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vring_base_round_trip,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem_table_fd_count, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_vring_resumes_at_used_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_log_base, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_log_base_hostile,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dirty_log_marks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dirty_log_outside, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dirty_log_fault, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mtu_status_rarp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mem_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mem_fault_breaks_device,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("vhost-user message table", tests,
					   NULL, NULL);
}
