// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SIGBUS handler for guest memory and its registry (guest_fault.h).
 * The handler does only async-signal-safe things: atomic loads and
 * stores, mmap and sigaction; no locks, no allocation, no logging.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_fault.h"

struct fault_slot {
	unsigned long seq; /* odd while the slot is being written */
	uintptr_t start;
	size_t len; /* 0: free */
	struct xv_mem_fault *owner;
};

static struct fault_slot slots[XV_FAULT_SLOTS];
static unsigned int slots_used; /* every live slot is below (atomic) */
static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction previous; /* what SIGBUS did before */

/* Seqlock write; the caller holds @writer. */
static void slot_write(struct fault_slot *s, uintptr_t start, size_t len,
		       struct xv_mem_fault *owner)
{
	unsigned long seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);

	__atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&s->start, start, __ATOMIC_RELAXED);
	__atomic_store_n(&s->len, len, __ATOMIC_RELAXED);
	__atomic_store_n(&s->owner, owner, __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
}

/* Seqlock read: false when the slot changed under us (or is changing). */
static bool slot_read(const struct fault_slot *s, struct fault_slot *out)
{
	unsigned long seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);

	if (seq & 1)
		return false;
	out->start = __atomic_load_n(&s->start, __ATOMIC_RELAXED);
	out->len = __atomic_load_n(&s->len, __ATOMIC_RELAXED);
	out->owner = __atomic_load_n(&s->owner, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq;
}

int xv_fault_register(void *start, size_t len, struct xv_mem_fault *owner)
{
	unsigned int i, used;
	int slot = -ENOSPC;

	pthread_mutex_lock(&writer);
	used = __atomic_load_n(&slots_used, __ATOMIC_RELAXED);
	for (i = 0; i < XV_FAULT_SLOTS && slot < 0; i++)
		if (!__atomic_load_n(&slots[i].len, __ATOMIC_RELAXED))
			slot = (int)i;
	if (slot >= 0) {
		slot_write(&slots[slot], (uintptr_t)start, len, owner);
		if ((unsigned int)slot >= used)
			__atomic_store_n(&slots_used, slot + 1,
					 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&writer);
	return slot;
}

void xv_fault_unregister(int slot)
{
	if (slot < 0 || slot >= XV_FAULT_SLOTS)
		return;
	pthread_mutex_lock(&writer);
	slot_write(&slots[slot], 0, 0, NULL);
	pthread_mutex_unlock(&writer);
}

/* The live slot holding @addr, copied into @out. */
static bool lookup(uintptr_t addr, struct fault_slot *out)
{
	unsigned int i, n = __atomic_load_n(&slots_used, __ATOMIC_ACQUIRE);

	for (i = 0; i < n && i < XV_FAULT_SLOTS; i++)
		if (slot_read(&slots[i], out) && out->len &&
		    addr - out->start < out->len)
			return true;
	return false;
}

static void record(struct xv_mem_fault *f, uintptr_t addr)
{
	uintptr_t none = 0;

	__atomic_compare_exchange_n(&f->addr, &none, addr, false,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	__atomic_fetch_add(&f->count, 1, __ATOMIC_RELEASE);
}

/*
 * Zero memory in place of the whole mapping: a hugetlb mapping can only
 * be replaced whole-page, and the registered range is the whole mapping,
 * rounded to its page size by guest_mem.c.
 */
static bool replace(const struct fault_slot *s)
{
	void *p = mmap((void *)s->start, s->len, PROT_READ | PROT_WRITE,
		       MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);

	return p == (void *)s->start;
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t addr = (uintptr_t)si->si_addr;
	struct fault_slot s;
	int saved = errno;

	(void)sig, (void)uc;
	/* BUS_ADRERR: past the end of the file, or no huge page for it.
	 * Hardware memory errors (BUS_MCEERR_*) keep their own handling. */
	if (si->si_code == BUS_ADRERR && lookup(addr, &s) && replace(&s)) {
		record(s.owner, addr);
		errno = saved;
		return; /* the access retries on zeros */
	}
	/* Not guest memory: a bug. The access faults again, and what was
	 * there before (the default: a core dump) takes it. */
	sigaction(SIGBUS, &previous, NULL);
	errno = saved;
}

int xv_fault_install(void)
{
	struct sigaction sa;

	/* Ours already? (A test harness may have put its own in between.) */
	if (sigaction(SIGBUS, NULL, &sa))
		return -errno;
	if ((sa.sa_flags & SA_SIGINFO) && sa.sa_sigaction == on_sigbus)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, &previous) ? -errno : 0;
}
