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
	msg_init(&m, VU_SET_LOG_BASE, 16); /* known, not supported */
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
	m.p.u64 = VU_BIT(1); /* LOG_SHMFD: not offered */
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
	/* Index beyond the device's queues: refused, fd closed. */
	fd = eventfd(0, EFD_CLOEXEC);
	msg_init(&m, VU_SET_VRING_CALL, 8);
	m.p.u64 = 2; /* one queue pair: indexes 0 and 1 */
	m.fds[0] = fd;
	m.nfds = 1;
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), -EINVAL);
	assert_false(fd_open(fd));
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
	memcpy(m.p.raw, "\x02\x00\x00\x00\x00\x01", 6);
	assert_int_equal(xv_vu_handle(&dev, &m, &r, &send), 0);
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
