/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The unit tests' fake guest: a memfd as guest memory, and the shared
 * split-ring driver (tests/common/split_driver.h) writing descriptors,
 * avail and used rings into it, the way a frontend would. Any misuse of
 * the driver (a gpa outside the regions, a descriptor outside the table)
 * fails the test. Included after <cmocka.h> by test_virtq_split.c,
 * test_virtio_net.c and test_guest_mem.c.
 */
#ifndef XVDPA_TEST_FAKE_DRIVER_H
#define XVDPA_TEST_FAKE_DRIVER_H

#include <errno.h>
#include <string.h>

#define SD_FAIL(...) fail_msg(__VA_ARGS__)
#include "split_driver.h"

#define F_NEXT VRING_DESC_F_NEXT
#define F_WRITE VRING_DESC_F_WRITE
#define F_INDIRECT VRING_DESC_F_INDIRECT

/* Guest memory: a memfd of @len bytes, mapped for the driver at *@view. */
static inline int fake_memfd(size_t len, uint8_t **view)
{
	int fd = sd_memfd("xv-guest", len, 0, view);

	if (fd < 0)
		fail_msg("memfd: %s", strerror(-fd));
	return fd;
}

#endif /* XVDPA_TEST_FAKE_DRIVER_H */
