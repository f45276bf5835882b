/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SIGBUS from guest memory. A frontend that shrinks the file behind a
 * region it shared (ftruncate) or leaves a hugetlbfs hole the pool cannot
 * fill turns our next access there into SIGBUS. Guest memory is mapped
 * only through guest_mem.c, which registers every mapping here; the
 * process-wide handler looks the faulting address up, puts anonymous
 * zero memory in place of that whole mapping (the access then retries
 * and reads zeros, which every ring check already copes with), records
 * the fault for the mapping's owner and returns. The owner's device is
 * then broken by its datapath or control thread (vhost_user.h:
 * xv_vu_check_mem), logged once by vdpad. A SIGBUS anywhere else goes to
 * the disposition there was before (the default: a core dump).
 *
 * The registry is a fixed array written by mapping code (one writer at a
 * time, under a mutex) with a sequence count per slot; the handler only
 * reads it, without locks. A mapping is unregistered before it is
 * unmapped, and only by the thread that owns its device's lock, so no
 * thread can fault in it then.
 */
#ifndef XVDPA_GUEST_FAULT_H
#define XVDPA_GUEST_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest mappings the handler knows: MAX_DEVS (16) devices with
 * XV_MEM_MAX_REGIONS (128) regions each fit twice. */
#define XV_FAULT_SLOTS 4096

/* What the handler records for the owner of the mappings it replaced. */
struct xv_mem_fault {
	unsigned int count; /* faults handled (atomic) */
	uintptr_t addr; /* the first faulting address (atomic), 0: none */
};

/* Installs the SIGBUS handler, unless it is installed already. */
int xv_fault_install(void);
/* Registers [start, start + len) for @owner: a slot number, or -ENOSPC. */
int xv_fault_register(void *start, size_t len, struct xv_mem_fault *owner);
/* Forgets slot @slot (a number xv_fault_register returned; < 0: none). */
void xv_fault_unregister(int slot);

/* Faults recorded for @f since it was cleared. */
static inline unsigned int xv_fault_count(const struct xv_mem_fault *f)
{
	return __atomic_load_n(&f->count, __ATOMIC_ACQUIRE);
}

static inline void xv_fault_clear(struct xv_mem_fault *f)
{
	__atomic_store_n(&f->addr, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&f->count, 0, __ATOMIC_RELEASE);
}

#endif /* XVDPA_GUEST_FAULT_H */
