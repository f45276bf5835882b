/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fake guest for the unit tests: a memfd as guest memory and a split-ring
 * virtio driver writing descriptors, avail and used rings into it, the way
 * a frontend would. Shared by test_virtq_split.c and test_virtio_net.c.
 *
 * A test includes this header, defines struct fx with FAKE_DRIVER_FIELDS
 * (plus a struct xv_guest_mem mem and a struct xv_vq vq), its region table
 * reg[NREG] whose first region holds the rings, and DESC_GPA, AVAIL_GPA,
 * USED_GPA and DATA_GPA in it; then it includes fake_driver_ops.h, the
 * driver itself. Everything is static inline: a test uses what it needs.
 */
#ifndef XVDPA_TEST_FAKE_DRIVER_H
#define XVDPA_TEST_FAKE_DRIVER_H

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "virtq.h"

#define F_NEXT VRING_DESC_F_NEXT
#define F_WRITE VRING_DESC_F_WRITE
#define F_INDIRECT VRING_DESC_F_INDIRECT

#define FAKE_DRIVER_FIELDS                                            \
	int fd;                                                       \
	uint8_t *view; /* the driver's own mapping of the whole fd */ \
	uint16_t size;                                                \
	struct vring_desc *desc;                                      \
	struct vring_avail *avail;                                    \
	struct vring_used *used;                                      \
	uint16_t avail_idx; /* next avail entry, not yet published */ \
	uint16_t next_desc; /* next free descriptor, round robin */   \
	uint64_t data_next /* bump allocator from DATA_GPA */

/* A buffer as the driver posts it. */
struct buf {
	uint64_t gpa;
	uint32_t len;
	bool wr;
};

/* Guest memory: a memfd of @len bytes, mapped for the driver at *@view. */
static inline int fake_memfd(size_t len, uint8_t **view)
{
	int fd = memfd_create("xv-guest", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, (off_t)len) < 0)
		fail_msg("memfd: %s", strerror(errno));
	*view = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(*view != MAP_FAILED);
	return fd;
}

#endif /* XVDPA_TEST_FAKE_DRIVER_H */
