// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpad's datapath threads. Each polls a set of devices: it busy-polls
 * while traffic flows and sleeps on the kick eventfds and the backends'
 * fds when idle. A device's rings and memory change only under its lock;
 * the datapath only ever try-locks it, so a control message never stalls
 * other devices and never races the datapath.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "cycles.h"
#include "device.h"
#include "log.h"

/* The frontend shrank a file behind its memory (or left a hugetlbfs hole
 * without pages): what the ring checks then saw were the zeros put in its
 * place, so the fault is the one reason logged. */
static void log_mem_fault(const struct xv_dev *d)
{
	uintptr_t a = __atomic_load_n(&d->vu.mem.fault.addr, __ATOMIC_RELAXED);
	const struct xv_mem_region *r = xv_mem_find_hva(&d->vu.mem, a);
	uint64_t off = r ? a - (uintptr_t)r->hva : 0;

	if (xv_fault_count(&d->vu.log.fault)) {
		xv_warn("%s: device broken: fault in the dirty log (the frontend shrank its file): the migration it logged for is void",
			d->name);
		return;
	}
	if (!r) {
		xv_warn("%s: device broken: guest memory fault", d->name);
		return;
	}
	xv_warn("%s: device broken: guest memory fault at gpa 0x%llx (region 0x%llx, %llu bytes, file %s): its memory now reads as zeros until the frontend reconnects",
		d->name,
		(unsigned long long)(r->gpa + (off < r->size ? off : 0)),
		(unsigned long long)r->gpa, (unsigned long long)r->size,
		r->map.sealed ? "sealed" : "not sealed against shrinking");
}

static void log_broken(struct xv_dev *d)
{
	unsigned int q, e;

	if (d->broken_logged)
		return;
	d->broken_logged = true;
	d->broken_sessions++;
	if (d->vu.mem_faulted) {
		log_mem_fault(d);
		return;
	}
	for (q = 0; q < VU_MAX_VQS; q++)
		for (e = 0; e < XV_VQ_ERR_MAX; e++)
			if (d->vu.vrings[q].vq.errors[e])
				xv_warn("%s: device broken: vring %u: %s",
					d->name, q, xv_vq_error_name(e));
}

/*
 * Guest kicks are wanted only by a sleeping thread: while it busy-polls,
 * they cost the guest a syscall per batch and us an eventfd read.
 */
static void set_kicks(struct xv_dev *d, unsigned int pair, bool on)
{
	struct xv_vu_vring *rx = &d->vu.vrings[xv_rxq(pair)];
	struct xv_vu_vring *tx = &d->vu.vrings[xv_txq(pair)];

	if (rx->started && tx->started && !d->vu.broken) {
		tx->vq.ops->enable_kicks(&tx->vq, on);
		rx->vq.ops->enable_kicks(&rx->vq, on);
	}
}

/* Polls queue pair @p once through the device's backend; returns the
 * frames it moved. */
static int poll_pair(struct dp_thread *t, struct xv_dev *d, unsigned int p,
		     struct xv_poll_extra *e)
{
	const struct xv_vq *txq = &d->vu.vrings[xv_txq(p)].vq;
	uint16_t tx_used = txq->used_idx;
	int n = d->be.ops->poll(&d->be, &d->vu, p, &t->chain, &d->qs[p], e);

	/* Chains taken only to be dropped are work too: a round drops a
	 * bounded number, and the thread stays busy until none are left. */
	e->pending |= txq->used_idx != tx_used;
	return n;
}

/*
 * Polls every queue pair of @d once; returns the work done. With @kicks
 * the guest is asked to kick again (the thread may sleep next). A poll
 * that moved frames or woke the kernel counts as busy, and its cycles go
 * to the device's busy time (DPDK's testpmd --record-core-cycles counts
 * its bursts that received frames the same way).
 */
static int poll_dev(struct dp_thread *t, struct xv_dev *d, bool kicks)
{
	struct xv_poll_extra e = { false, false };
	uint64_t c0 = xv_cycles();
	unsigned int p;
	int n = 0;

	if (pthread_mutex_trylock(&d->lock))
		return 1; /* the control path is at it: come back soon */
	for (p = 0; p < d->vu.cfg.max_queue_pairs; p++) {
		set_kicks(d, p, kicks);
		n += poll_pair(t, d, p, &e);
	}
	if (n || e.woke) { /* the control thread reads them */
		__atomic_store_n(&d->busy_cycles,
				 d->busy_cycles + (xv_cycles() - c0),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&d->busy_polls, d->busy_polls + 1,
				 __ATOMIC_RELAXED);
	}
	xv_vu_check_mem(&d->vu);
	if (d->vu.broken)
		log_broken(d);
	pthread_mutex_unlock(&d->lock);
	return n + e.pending;
}

static void drain_event(struct ep_tag *tag)
{
	uint64_t v;
	int fd;

	if (tag->kind == TAG_WAKE && read(tag->fd, &v, sizeof(v)) < 0)
		return;
	if (tag->kind != TAG_KICK)
		return; /* XSK: its rings are polled below */
	fd = tag->dev->vu.vrings[tag->qidx].kick_fd;
	if (fd >= 0 && read(fd, &v, sizeof(v)) < 0)
		return;
}

static void pin_thread(const struct dp_thread *t)
{
	cpu_set_t set;

	if (t->cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		xv_warn("cannot pin a datapath thread to CPU %d", t->cpu);
}

/* Polls every live device of @t once. */
static int poll_all(struct dp_thread *t, bool kicks)
{
	unsigned int i, ndevs = __atomic_load_n(&t->ndevs, __ATOMIC_ACQUIRE);
	int work = 0;

	for (i = 0; i < ndevs; i++) {
		struct xv_dev *d =
			__atomic_load_n(&t->devs[i], __ATOMIC_ACQUIRE);

		if (d && !__atomic_load_n(&d->dying, __ATOMIC_ACQUIRE))
			work += poll_dev(t, d, kicks);
	}
	__atomic_fetch_add(&t->epoch, 1, __ATOMIC_RELEASE);
	return work;
}

/* Busy and without work for BUSY_POLL_NS (time, not rounds: a round's
 * length depends on the devices the thread has)? The clock is read every
 * CLOCK_EVERY idle rounds only: on a VM it cost 8 % of a profile. */
#define CLOCK_EVERY 32

static bool busy_expired(uint64_t *idle_since, unsigned int *idle_rounds)
{
	uint64_t now;

	if (*idle_rounds && ++*idle_rounds % CLOCK_EVERY)
		return false;
	now = xv_mono_ns();
	if (!*idle_since) {
		*idle_since = now;
		*idle_rounds = 1;
		return false;
	}
	return now - *idle_since >= BUSY_POLL_NS;
}

/*
 * Busy: poll with guest kicks off, and look at the fds only every
 * EPOLL_EVERY rounds (their rings are polled anyway; an fd left readable
 * only makes the next sleep return at once). Before sleeping:
 * kicks back on, then one more poll, so that nothing posted in between is
 * left waiting for a kick that will not come.
 */
#define EPOLL_EVERY 1024

/*
 * The XSK fds are in the thread's epoll set only while it sleeps. While
 * they are in one, every transmit completion (sock_wfree, per frame)
 * wakes the socket's wait queue: an irq-saving lock and an epoll callback
 * per frame, which a profile showed as the largest cost vdpad had and
 * DPDK had not. Adding a ready fd reports it at once: nothing is missed.
 */
static void xsk_watch(struct dp_thread *t, bool on)
{
	unsigned int i, q, n,
		ndevs = __atomic_load_n(&t->ndevs, __ATOMIC_ACQUIRE);
	int fds[VU_MAX_QUEUE_PAIRS];

	for (i = 0; i < ndevs; i++) {
		struct xv_dev *d =
			__atomic_load_n(&t->devs[i], __ATOMIC_ACQUIRE);

		if (!d || d->be.watched == on ||
		    __atomic_load_n(&d->dying, __ATOMIC_ACQUIRE))
			continue;
		n = d->be.ops->fds(&d->be, fds, XV_ARRAY_SIZE(fds));
		if (!n)
			continue;
		for (q = 0; q < n; q++) {
			if (on)
				xv_ep_add(t->epfd, fds[q], &d->tag_xsk);
			else
				epoll_ctl(t->epfd, EPOLL_CTL_DEL, fds[q], NULL);
		}
		d->be.watched = on;
	}
}

static void *dp_thread_main(void *arg)
{
	struct dp_thread *t = arg;
	struct epoll_event evs[32];
	unsigned int rounds = 0, idle_rounds = 0, i;
	uint64_t idle_since = 0;
	bool busy = false;
	int n;

	pin_thread(t);
	while (!__atomic_load_n(&t->stop, __ATOMIC_RELAXED)) {
		if (!busy || ++rounds % EPOLL_EVERY == 0) {
			n = epoll_wait(t->epfd, evs, 32,
				       busy ? 0 : IDLE_WAIT_MS);
			for (i = 0; n > 0 && i < (unsigned int)n; i++)
				drain_event(evs[i].data.ptr);
		}
		if (poll_all(t, false)) {
			if (!busy)
				xsk_watch(t, false);
			busy = true;
			idle_since = 0;
			idle_rounds = 0;
			continue;
		}
		if (busy && !busy_expired(&idle_since, &idle_rounds))
			continue;
		/* Going to sleep, or woken while idle: kicks armed. */
		busy = poll_all(t, true) != 0;
		idle_since = 0;
		idle_rounds = 0;
		xsk_watch(t, !busy);
	}
	return NULL;
}

int xv_dp_threads_start(struct xv_devs *v)
{
	unsigned int i;
	int err;

	for (i = 0; i < v->nthreads; i++) {
		err = pthread_create(&v->threads[i].tid, NULL, dp_thread_main,
				     &v->threads[i]);
		if (err)
			return -err;
	}
	return 0;
}

void xv_dp_threads_stop(struct xv_devs *v)
{
	unsigned int i;

	for (i = 0; i < v->nthreads; i++)
		__atomic_store_n(&v->threads[i].stop, true, __ATOMIC_RELAXED);
	for (i = 0; i < v->nthreads; i++)
		if (v->threads[i].tid)
			pthread_join(v->threads[i].tid, NULL);
}

int xv_dp_wake(struct dp_thread *t)
{
	uint64_t one = 1;

	return write(t->wake_fd, &one, sizeof(one)) < 0 ? -errno : 0;
}

void xv_dp_quiesce(struct dp_thread *t)
{
	unsigned long e = __atomic_load_n(&t->epoch, __ATOMIC_ACQUIRE);
	int i;

	if (!t->tid)
		return; /* threads not started yet */
	for (i = 0; i < 2000; i++) {
		if (__atomic_load_n(&t->epoch, __ATOMIC_ACQUIRE) >= e + 2)
			return;
		if (xv_dp_wake(t))
			break;
		usleep(1000);
	}
	xv_warn("datapath thread did not quiesce");
}
