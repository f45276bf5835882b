// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for vdpad's table of control connections
 * (datapath/daemon/ctl_conn.c):
 * the global and per-uid caps, root's eviction of the oldest non-root
 * client, and time-outs. No sockets: the fds are numbers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_conn.h"

static struct xv_ctl_conns c;

static int setup(void **state)
{
	(void)state;
	memset(&c, 0, sizeof(c));
	return 0;
}

static int admit(int fd, uid_t uid, uint64_t now, int *evicted)
{
	return xv_ctl_conns_admit(&c, fd, uid, now, false, evicted);
}

/* Fills the table with non-root clients, XV_CTL_CONN_PER_UID per uid
 * (uids 1000, 1001, ...), fd 100 + i accepted at time i. */
static void fill_non_root(void)
{
	int i, ev;

	for (i = 0; i < XV_CTL_CONN_MAX; i++) {
		uid_t uid = 1000 + (uid_t)(i / XV_CTL_CONN_PER_UID);

		assert_true(admit(100 + i, uid, (uint64_t)i, &ev) >= 0);
		assert_int_equal(ev, -1);
	}
	assert_int_equal(c.open, XV_CTL_CONN_MAX);
}

static void test_per_uid_cap(void **state)
{
	int i, ev;

	(void)state;
	for (i = 0; i < XV_CTL_CONN_PER_UID; i++)
		assert_true(admit(10 + i, 1000, 0, &ev) >= 0);
	assert_int_equal(admit(99, 1000, 0, &ev), -EUSERS);
	assert_int_equal(ev, -1);
	assert_int_equal(c.stats.refused_per_uid, 1);
	/* another uid, and root, are not held back by uid 1000's cap */
	assert_true(admit(50, 1001, 0, &ev) >= 0);
	for (i = 0; i < XV_CTL_CONN_PER_UID + 1; i++)
		assert_true(admit(60 + i, 0, 0, &ev) >= 0);
	assert_int_equal(xv_ctl_conns_of_uid(&c, 1000), XV_CTL_CONN_PER_UID);
	assert_int_equal(c.stats.accepted, 2 * XV_CTL_CONN_PER_UID + 2);
}

static void test_full_refuses_non_root(void **state)
{
	int ev;

	(void)state;
	fill_non_root();
	assert_int_equal(admit(500, 5000, 100, &ev), -ENOSPC);
	assert_int_equal(ev, -1);
	assert_int_equal(c.stats.refused_full, 1);
	assert_int_equal(c.stats.evicted, 0);
	assert_int_equal(c.open, XV_CTL_CONN_MAX);
}

static void test_root_evicts_oldest_non_root(void **state)
{
	int i, ev;

	(void)state;
	fill_non_root();
	i = admit(500, 0, 100, &ev);
	assert_true(i >= 0);
	assert_int_equal(ev, 100); /* accepted first, at time 0 */
	assert_int_equal(c.slot[i].fd, 500);
	assert_int_equal(c.slot[i].uid, 0);
	assert_int_equal(admit(501, 0, 101, &ev), 1);
	assert_int_equal(ev, 101); /* the next oldest */
	assert_int_equal(c.stats.evicted, 2);
	assert_int_equal(c.open, XV_CTL_CONN_MAX);
}

static void test_root_full_refuses_root(void **state)
{
	int i, ev;

	(void)state;
	for (i = 0; i < XV_CTL_CONN_MAX; i++)
		assert_true(admit(100 + i, 0, 0, &ev) >= 0);
	assert_int_equal(admit(500, 0, 1, &ev), -ENOSPC);
	assert_int_equal(ev, -1);
	assert_int_equal(admit(501, 1000, 1, &ev), -ENOSPC);
	assert_int_equal(c.stats.refused_full, 2);
	assert_int_equal(c.stats.evicted, 0);
}

static void test_timeouts(void **state)
{
	int a, b, ev;

	(void)state;
	a = admit(10, 1000, 1000, &ev);
	b = admit(11, 0, 1500, &ev);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(
		xv_ctl_conns_expire_one(&c, 1000 + XV_CTL_CONN_TIMEOUT_MS - 1),
		-1);
	assert_int_equal(
		xv_ctl_conns_expire_one(&c, 1000 + XV_CTL_CONN_TIMEOUT_MS), 10);
	assert_int_equal(
		xv_ctl_conns_expire_one(&c, 1000 + XV_CTL_CONN_TIMEOUT_MS), -1);
	assert_int_equal(c.open, 1);
	/* root's connections time out too */
	assert_int_equal(
		xv_ctl_conns_expire_one(&c, 1500 + XV_CTL_CONN_TIMEOUT_MS), 11);
	assert_int_equal(c.stats.timed_out, 2);
	assert_int_equal(c.open, 0);
	/* a clock that went backwards expires nothing */
	assert_true(admit(12, 1000, 5000, &ev) >= 0);
	assert_int_equal(xv_ctl_conns_expire_one(&c, 10), -1);
}

static void test_release(void **state)
{
	int i, ev;

	(void)state;
	i = admit(10, 1000, 0, &ev);
	assert_int_equal(xv_ctl_conns_release(&c, (unsigned int)i), 10);
	assert_int_equal(xv_ctl_conns_release(&c, (unsigned int)i), -1);
	assert_int_equal(xv_ctl_conns_release(&c, XV_CTL_CONN_MAX), -1);
	assert_int_equal(c.open, 0);
	/* the freed slot takes the next client; the per-uid count drops */
	fill_non_root();
	assert_int_equal(admit(7, 2000, 0, &ev), -ENOSPC);
	assert_int_equal(xv_ctl_conns_release(&c, 3), 103);
	assert_int_equal(admit(7, 2000, 0, &ev), 3);
	assert_int_equal(xv_ctl_conns_of_uid(&c, 1000),
			 XV_CTL_CONN_PER_UID - 1);
}

/* Fewer than XV_CTL_FD_RESERVE fds left: non-root refused, root makes
 * room by evicting the oldest non-root client, or gets a free slot. */
static void test_fds_low(void **state)
{
	int i, ev;

	(void)state;
	assert_true(admit(10, 1000, 0, &ev) >= 0);
	assert_true(admit(11, 1001, 1, &ev) >= 0);
	assert_int_equal(xv_ctl_conns_admit(&c, 12, 1002, 2, true, &ev),
			 -EMFILE);
	assert_int_equal(ev, -1);
	assert_int_equal(c.stats.refused_fds, 1);
	i = xv_ctl_conns_admit(&c, 13, 0, 3, true, &ev);
	assert_true(i >= 0);
	assert_int_equal(ev, 10); /* the oldest non-root */
	assert_int_equal(c.stats.evicted, 1);
	assert_int_equal(c.open, 2);
	/* the evicted client's slot is the one reused */
	assert_int_equal(c.slot[i].fd, 13);
	assert_true(xv_ctl_conns_admit(&c, 14, 0, 4, true, &ev) >= 0);
	assert_int_equal(ev, 11);
	assert_int_equal(c.open, 2);
	/* only root left: root still gets a free slot */
	assert_true(xv_ctl_conns_admit(&c, 15, 0, 5, true, &ev) >= 0);
	assert_int_equal(ev, -1);
	assert_int_equal(c.stats.evicted, 2);
	/* the per-uid cap is checked first */
	for (i = 0; i < XV_CTL_CONN_PER_UID; i++)
		assert_true(admit(20 + i, 2000, 6, &ev) >= 0);
	assert_int_equal(xv_ctl_conns_admit(&c, 30, 2000, 7, true, &ev),
			 -EUSERS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_per_uid_cap, setup),
		cmocka_unit_test_setup(test_full_refuses_non_root, setup),
		cmocka_unit_test_setup(test_root_evicts_oldest_non_root, setup),
		cmocka_unit_test_setup(test_root_full_refuses_root, setup),
		cmocka_unit_test_setup(test_timeouts, setup),
		cmocka_unit_test_setup(test_release, setup),
		cmocka_unit_test_setup(test_fds_low, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
