// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpad: the xvdpa daemon.
 *
 * Each device is a vhost-user socket (server mode: vdpad listens; client
 * mode: vdpad connects and reconnects with backoff) joined either to a
 * netdev queue through AF_XDP (--dev) or to itself (--loopback: what the
 * frontend transmits comes back on its receive queue).
 *
 * Threads: the main thread runs the control path (sockets, vhost-user
 * messages, reconnects). Datapath threads each poll a set of devices: they
 * busy-poll while traffic flows and sleep on the kick eventfds and XSK fds
 * when idle. A device's rings and memory change only under its lock; the
 * datapath only ever try-locks it, so a control message never stalls other
 * devices and never races the datapath.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "ctl_proto.h"
#include "ctl_server.h"
#include "cycles.h"
#include "ethtool.h"
#include "guest_fault.h"
#include "log.h"
#include "util.h"
#include "vdpad.h"

static volatile sig_atomic_t stop_requested;
static atomic_bool dp_stop;
static struct vdpad *the_daemon;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t now_ms(void)
{
	return xv_mono_ns() / 1000000;
}

static int ep_add(int epfd, int fd, struct ep_tag *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* ---- rings start and stop (vhost-user handlers, under dev->lock) ---- */

static void on_ring(struct xv_vu_dev *vu, unsigned int qidx, bool started,
		    void *opaque)
{
	struct vdev *d = opaque;
	int fd = vu->vrings[qidx].kick_fd;

	if (d->kick_in_ep[qidx] >= 0) {
		epoll_ctl(d->dpt->epfd, EPOLL_CTL_DEL, d->kick_in_ep[qidx],
			  NULL);
		d->kick_in_ep[qidx] = -1;
	}
	if (started && fd >= 0 && !ep_add(d->dpt->epfd, fd, &d->tag_kick[qidx]))
		d->kick_in_ep[qidx] = fd;
	xv_info("%s: vring %u %s", d->name, qidx,
		started ? "started" : "stopped");
}

/* ---- datapath threads ---- */

/* The frontend shrank a file behind its memory (or left a hugetlbfs hole
 * without pages): what the ring checks then saw were the zeros put in its
 * place, so the fault is the one reason logged. */
static void log_mem_fault(const struct vdev *d)
{
	uintptr_t a = __atomic_load_n(&d->vu.mem.fault.addr, __ATOMIC_RELAXED);
	const struct xv_mem_region *r = xv_mem_find_hva(&d->vu.mem, a);
	uint64_t off = r ? a - (uintptr_t)r->hva : 0;

	if (!r) {
		xv_warn("%s: device broken: guest memory fault", d->name);
		return;
	}
	xv_warn("%s: device broken: guest memory fault at gpa 0x%llx (region 0x%llx, %llu bytes, file %s): its memory now reads as zeros until the frontend reconnects",
		d->name,
		(unsigned long long)(r->gpa + (off < r->size ? off : 0)),
		(unsigned long long)r->gpa, (unsigned long long)r->size,
		r->sealed ? "sealed" : "not sealed against shrinking");
}

static void log_broken(struct vdev *d)
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
static void set_kicks(struct vdev *d, unsigned int pair, bool on)
{
	struct xv_vu_vring *rx = &d->vu.vrings[2 * pair];
	struct xv_vu_vring *tx = &d->vu.vrings[2 * pair + 1];

	if (rx->started && tx->started && !d->vu.broken) {
		tx->vq.ops->enable_kicks(&tx->vq, on);
		rx->vq.ops->enable_kicks(&rx->vq, on);
	}
}

/* What one poll of a device did besides moving frames. */
struct poll_extra {
	bool pending; /* work left: completions awaited, bad chains dropped */
	bool woke; /* a TX wakeup (sendto) was made */
};

/* Polls queue pair @p once; returns the frames it moved. */
static int poll_pair(struct dp_thread *t, struct vdev *d, unsigned int p,
		     struct poll_extra *e)
{
	const struct xv_vq *txq = &d->vu.vrings[2 * p + 1].vq;
	uint16_t tx_used = txq->used_idx;
	struct xv_xsk *x = &d->port.q[p];
	uint64_t woke = x->tx_wakeups;
	int n;

	if (!d->netdev[0]) {
		n = xv_loopback_run(&d->vu, p, &d->lb[p], LOOP_BUDGET);
		n = n > 0 ? n : 0;
	} else if (p < d->port.nqueues) {
		n = xv_afxdp_rx(&d->vu, p, x, &t->chain, &d->qs[p]);
		n += xv_afxdp_tx(&d->vu, p, x, &t->chain, &d->qs[p]);
		e->pending |= x->tx_outstanding != 0;
		e->woke |= x->tx_wakeups != woke;
	} else {
		return 0;
	}
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
static int poll_dev(struct dp_thread *t, struct vdev *d, bool kicks)
{
	struct poll_extra e = { false, false };
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
		struct vdev *d = __atomic_load_n(&t->devs[i], __ATOMIC_ACQUIRE);

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
	unsigned int i, q, ndevs = __atomic_load_n(&t->ndevs, __ATOMIC_ACQUIRE);

	for (i = 0; i < ndevs; i++) {
		struct vdev *d = __atomic_load_n(&t->devs[i], __ATOMIC_ACQUIRE);

		if (!d || !d->netdev[0] || d->port.watched == on ||
		    __atomic_load_n(&d->dying, __ATOMIC_ACQUIRE))
			continue;
		for (q = 0; q < d->port.nqueues; q++) {
			if (on)
				ep_add(t->epfd, d->port.q[q].fd, &d->tag_xsk);
			else
				epoll_ctl(t->epfd, EPOLL_CTL_DEL,
					  d->port.q[q].fd, NULL);
		}
		d->port.watched = on;
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
	while (!atomic_load_explicit(&dp_stop, memory_order_relaxed)) {
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

static int dp_threads_start(struct vdpad *v)
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

static void dp_threads_stop(struct vdpad *v)
{
	unsigned int i;

	atomic_store(&dp_stop, true);
	for (i = 0; i < v->nthreads; i++)
		if (v->threads[i].tid)
			pthread_join(v->threads[i].tid, NULL);
}

/* ---- accepting while out of fds ---- */

/*
 * An accept that fails for lack of fds leaves the connection pending and
 * its listening socket readable: polling it again at once would spin. So
 * every listening socket (fds run out for the whole process) is left out
 * of the poll for ACCEPT_PAUSE_MS, then put back from the loop's tick.
 * Logged once per episode (until an accept succeeds), counted each time.
 */
#define ACCEPT_PAUSE_MS 150

static uint64_t accept_paused_until; /* 0: accepting */
static bool accept_starved; /* in an episode, logged */

static void listeners_poll(struct vdpad *v, bool on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0 };
	unsigned int i;

	if (v->ctl_fd >= 0) {
		ev.data.ptr = &v->tag_ctl;
		epoll_ctl(v->epfd, EPOLL_CTL_MOD, v->ctl_fd, &ev);
	}
	for (i = 0; i < v->ndevs; i++) {
		struct vdev *d = &v->devs[i];

		if (!d->used || d->listen_fd < 0)
			continue;
		ev.data.ptr = &d->tag_listen;
		epoll_ctl(v->epfd, EPOLL_CTL_MOD, d->listen_fd, &ev);
	}
}

static void accept_failed(struct vdpad *v, int err, const char *what)
{
	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM)
		return;
	v->ctl_conns.stats.accept_emfile++;
	if (!accept_starved)
		xv_warn("%s: cannot accept a connection: %s; not accepting for %d ms at a time until fds are free (%u control connections open)",
			what, strerror(err), ACCEPT_PAUSE_MS,
			v->ctl_conns.open);
	accept_starved = true;
	accept_paused_until = now_ms() + ACCEPT_PAUSE_MS;
	listeners_poll(v, false);
}

static void accept_succeeded(void)
{
	if (accept_starved)
		xv_info("accepting connections again");
	accept_starved = false;
}

static void accept_resume(struct vdpad *v, uint64_t now)
{
	if (!accept_paused_until || now < accept_paused_until)
		return;
	accept_paused_until = 0;
	listeners_poll(v, true);
}

/* ---- connections (control thread) ---- */

static void schedule_reconnect(struct vdev *d)
{
	d->next_connect_ms = now_ms() + d->backoff_ms;
	d->backoff_ms *= 2;
	if (d->backoff_ms > BACKOFF_MAX_MS)
		d->backoff_ms = BACKOFF_MAX_MS;
}

static void drop_conn(struct vdev *d)
{
	unsigned int i;

	if (d->conn_fd < 0)
		return;
	pthread_mutex_lock(&d->lock);
	xv_vu_dev_disconnect(&d->vu);
	for (i = 0; i < VU_MAX_VQS; i++)
		d->kick_in_ep[i] = -1; /* closed fds leave epoll */
	d->broken_logged = false;
	pthread_mutex_unlock(&d->lock);
	close(d->conn_fd);
	d->conn_fd = -1;
	xv_vu_rxbuf_reset(&d->rxbuf);
	xv_info("%s: frontend disconnected", d->name);
	if (d->client)
		schedule_reconnect(d);
}

static int attach_conn(struct vdev *d, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	/* Non-blocking: half a message or unread replies stall nobody. */
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK)) {
		close(fd);
		return -errno;
	}
	xv_vu_rxbuf_init(&d->rxbuf);
	d->conn_fd = fd;
	if (ep_add(the_daemon->epfd, fd, &d->tag_conn)) {
		close(fd);
		d->conn_fd = -1;
		return -EIO;
	}
	d->backoff_ms = BACKOFF_MIN_MS;
	xv_info("%s: frontend connected", d->name);
	return 0;
}

static void try_connect(struct vdev *d)
{
	int fd = xv_sock_connect(&d->sock, SOCK_STREAM | SOCK_CLOEXEC);

	if (fd < 0) {
		/* The frontend may make its directory anew: walk it again. */
		xv_sock_path_close(&d->sock);
		schedule_reconnect(d);
		return;
	}
	attach_conn(d, fd);
}

static int listen_on(struct vdev *d)
{
	int fd = xv_sock_listen(&d->sock, SOCK_STREAM | SOCK_CLOEXEC, d->mode,
				d->gid, 4);

	if (fd < 0)
		return fd;
	d->listen_fd = fd;
	return ep_add(the_daemon->epfd, fd, &d->tag_listen);
}

static void on_listen(struct vdev *d)
{
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		accept_failed(the_daemon, errno, d->name);
		return;
	}
	accept_succeeded();
	if (d->conn_fd >= 0) {
		xv_warn("%s: refusing a second frontend", d->name);
		close(fd);
		return;
	}
	attach_conn(d, fd);
}

static int handle_msg(struct vdev *d, struct xv_vu_msg *msg)
{
	struct xv_vu_msg reply;
	bool send_reply;
	int err;

	xv_dbg("%s: vhost-user %s", d->name,
	       xv_vu_request_name(msg->hdr.request));
	pthread_mutex_lock(&d->lock);
	err = xv_vu_handle(&d->vu, msg, &reply, &send_reply);
	pthread_mutex_unlock(&d->lock);
	if (err)
		xv_warn("%s: vhost-user %s (%u) refused: %s", d->name,
			xv_vu_request_name(msg->hdr.request), msg->hdr.request,
			strerror(-err));
	if (!send_reply)
		return 0;
	err = xv_vu_send(d->conn_fd, &reply);
	if (err)
		xv_warn("%s: frontend does not take its replies: %s", d->name,
			strerror(-err));
	return err;
}

static void on_conn(struct vdev *d)
{
	struct xv_vu_msg msg;
	int ret;

	/* Every whole message that is there; a partial one waits. */
	while ((ret = xv_vu_recv(d->conn_fd, &d->rxbuf, &msg)) > 0) {
		if (handle_msg(d, &msg)) {
			drop_conn(d);
			return;
		}
	}
	if (ret < 0) {
		if (ret != -ECONNRESET)
			xv_warn("%s: bad vhost-user stream: %s", d->name,
				strerror(-ret));
		drop_conn(d);
	}
}

/* ---- control socket ---- */

/* Epoll tags of the control connections, one per slot of v->ctl_conns. */
static struct ep_tag ctl_tags[XV_CTL_CONN_MAX];

/* Refusals, evictions and time-outs: logged at most every 10 s, with
 * the totals so far. */
static void ctl_log_pressure(const struct vdpad *v)
{
	static uint64_t last_ms;
	const struct xv_ctl_conn_stats *s = &v->ctl_conns.stats;
	uint64_t now = now_ms();

	if (last_ms && now - last_ms < 10000)
		return;
	last_ms = now;
	xv_warn("control: clients refused %llu (table full %llu, per-uid cap %llu, fds low %llu), evicted for root %llu, closed without a request in %d ms %llu; %u open",
		(unsigned long long)(s->refused_full + s->refused_per_uid +
				     s->refused_fds),
		(unsigned long long)s->refused_full,
		(unsigned long long)s->refused_per_uid,
		(unsigned long long)s->refused_fds,
		(unsigned long long)s->evicted, XV_CTL_CONN_TIMEOUT_MS,
		(unsigned long long)s->timed_out, v->ctl_conns.open);
}

/* fds are handed out lowest first: a new one numbered within
 * XV_CTL_FD_RESERVE of the limit means fewer than that are left. */
static bool fds_low(int fd)
{
	struct rlimit rl;

	return !getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	       (rlim_t)fd + XV_CTL_FD_RESERVE >= rl.rlim_cur;
}

static void ctl_refuse(int fd, int err, uid_t uid)
{
	char msg[128];

	if (err == -EMFILE)
		snprintf(msg, sizeof(msg),
			 "vdpad is low on file descriptors; try again");
	else if (err == -EUSERS)
		snprintf(
			msg, sizeof(msg),
			"too many control connections from uid %u (%d open); try again",
			(unsigned int)uid, XV_CTL_CONN_PER_UID);
	else
		snprintf(msg, sizeof(msg),
			 "too many control connections (%d open); try again",
			 XV_CTL_CONN_MAX);
	xv_ctl_refuse(fd, err, msg);
	close(fd);
}

static void on_ctl_accept(struct vdpad *v)
{
	int fd, i, evicted;
	uid_t uid;

	fd = xv_ctl_accept(v, &uid);
	if (fd < 0) {
		accept_failed(v, -fd, "control socket");
		return;
	}
	accept_succeeded();
	i = xv_ctl_conns_admit(&v->ctl_conns, fd, uid, now_ms(), fds_low(fd),
			       &evicted);
	if (evicted >= 0)
		close(evicted); /* closing takes it out of the poll */
	if (i < 0 || evicted >= 0)
		ctl_log_pressure(v);
	if (i < 0) {
		ctl_refuse(fd, i, uid);
		return;
	}
	ctl_tags[i] = (struct ep_tag){ .kind = TAG_CTL_CONN,
				       .qidx = (unsigned int)i,
				       .fd = fd };
	if (ep_add(v->epfd, fd, &ctl_tags[i]))
		close(xv_ctl_conns_release(&v->ctl_conns, (unsigned int)i));
}

/* One request per connection: answer it and hang up. An event for a slot
 * closed earlier in this batch is dropped; one for a slot reused since
 * finds nothing to read yet, and the connection waits. */
static void on_ctl_conn(struct vdpad *v, struct ep_tag *t)
{
	if (!v->ctl_conns.slot[t->qidx].used ||
	    xv_ctl_serve(v, v->ctl_conns.slot[t->qidx].fd) == -EAGAIN)
		return;
	close(xv_ctl_conns_release(&v->ctl_conns, t->qidx));
}

/* Closes the control connections that sent nothing in time. */
static void ctl_expire(struct vdpad *v, uint64_t now)
{
	int fd, n = 0;

	while ((fd = xv_ctl_conns_expire_one(&v->ctl_conns, now)) >= 0) {
		close(fd);
		n++;
	}
	if (n)
		ctl_log_pressure(v);
}

static void print_ctl_stats(const struct vdpad *v)
{
	const struct xv_ctl_conn_stats *s = &v->ctl_conns.stats;

	printf("control: accepted %llu refused_full %llu refused_per_uid %llu refused_fds %llu evicted %llu timed_out %llu; accept_emfile %llu\n",
	       (unsigned long long)s->accepted,
	       (unsigned long long)s->refused_full,
	       (unsigned long long)s->refused_per_uid,
	       (unsigned long long)s->refused_fds,
	       (unsigned long long)s->evicted, (unsigned long long)s->timed_out,
	       (unsigned long long)s->accept_emfile);
}

/* Refuses to take over the socket of a vdpad that is still running, and
 * anything at the path that is not a stale socket of vdpad's. */
static int ctl_start(struct vdpad *v)
{
	if (!v->ctl_path)
		return 0;
	v->ctl_fd = xv_ctl_listen(v, v->ctl_path, v->ctl_gid);
	if (v->ctl_fd == -EADDRINUSE)
		xv_err("another vdpad serves %s (use --control PATH or none)",
		       v->ctl_path);
	else if (v->ctl_fd == -EEXIST)
		xv_err("%s exists and is not a stale socket of vdpad's: left as it is",
		       v->ctl_path);
	else if (v->ctl_fd < 0)
		xv_err("cannot serve the control socket %s: %s", v->ctl_path,
		       strerror(-v->ctl_fd));
	if (v->ctl_fd < 0)
		return v->ctl_fd;
	v->tag_ctl = (struct ep_tag){ .kind = TAG_CTL, .fd = v->ctl_fd };
	xv_info("control socket %s", v->ctl_sock.canon);
	return ep_add(v->epfd, v->ctl_fd, &v->tag_ctl);
}

static void ctl_stop(struct vdpad *v)
{
	unsigned int i;

	for (i = 0; i < XV_CTL_CONN_MAX; i++)
		if (v->ctl_conns.slot[i].used)
			close(xv_ctl_conns_release(&v->ctl_conns, i));
	if (v->ctl_fd < 0)
		return;
	close(v->ctl_fd);
	xv_sock_path_unlink(&v->ctl_sock);
	xv_sock_path_close(&v->ctl_sock);
	v->ctl_fd = -1;
}

static void on_event(struct ep_tag *t)
{
	/* An event queued for a device removed earlier in this batch. */
	if (t->dev &&
	    (!t->dev->used || (t->kind == TAG_CONN && t->dev->conn_fd < 0)))
		return;
	switch (t->kind) {
	case TAG_LISTEN:
		on_listen(t->dev);
		break;
	case TAG_CONN:
		on_conn(t->dev);
		break;
	case TAG_CTL:
		on_ctl_accept(the_daemon);
		break;
	case TAG_CTL_CONN:
		on_ctl_conn(the_daemon, t);
		break;
	case TAG_KICK:
	case TAG_XSK:
	case TAG_WAKE:
		break; /* datapath threads' business */
	}
}

static void on_tick(struct vdpad *v)
{
	uint64_t now = now_ms();
	unsigned int i;

	for (i = 0; i < v->ndevs; i++) {
		struct vdev *d = &v->devs[i];

		if (d->used && d->running && d->client && d->conn_fd < 0 &&
		    now >= d->next_connect_ms)
			try_connect(d);
	}
	if (now >= v->next_retry_ms) {
		v->next_retry_ms = now + RETRY_MS;
		vdpad_retry_stopped(v);
	}
	ctl_expire(v, now);
	accept_resume(v, now);
}

static void run(struct vdpad *v)
{
	struct epoll_event evs[32];
	int i, n;

	while (!stop_requested) {
		n = epoll_wait(v->epfd, evs, 32, 50);
		for (i = 0; i < n; i++)
			on_event(evs[i].data.ptr);
		on_tick(v);
	}
}

/* ---- setup ---- */

static int parse_hex_features(struct vdev *d, const char *s)
{
	unsigned long long f;
	char *end;

	f = strtoull(s, &end, 16);
	if (*end || (f & ~d->vu.cfg.features))
		return -EINVAL;
	d->vu.cfg.features = f;
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	*out = strtoul(s, &end, 0);
	return *end || !*out || *out > max ? -EINVAL : 0;
}

static int parse_group(const char *name, gid_t *gid)
{
	struct group *g = getgrnam(name);

	if (!g) {
		xv_err("no group \"%s\"", name);
		return -ENOENT;
	}
	*gid = g->gr_gid;
	return 0;
}

static int parse_spec_opt(struct vdev *d, const char *opt)
{
	unsigned long n;

	if (!strcmp(opt, "client") || !strcmp(opt, "server")) {
		d->client = !strcmp(opt, "client");
	} else if (!strncmp(opt, "mode=", 5)) {
		if (parse_uint(opt + 5, 0777, &n) || opt[5] != '0')
			return -EINVAL;
		d->mode = (mode_t)n;
	} else if (!strncmp(opt, "mq=", 3)) {
		if (parse_uint(opt + 3, VU_MAX_QUEUE_PAIRS, &n))
			return -EINVAL;
		d->vu.cfg.max_queue_pairs = (uint16_t)n;
	} else if (!strncmp(opt, "mtu=", 4)) {
		if (parse_uint(opt + 4, 9000, &n) || n < 68)
			return -EINVAL;
		d->vu.cfg.mtu = (uint16_t)n;
	} else if (!strncmp(opt, "features=", 9)) {
		return parse_hex_features(d, opt + 9);
	} else if (!strncmp(opt, "netdev=", 7)) {
		if (strlen(opt + 7) >= sizeof(d->netdev) || !opt[7])
			return -EINVAL;
		strcpy(d->netdev, opt + 7);
	} else if (!strncmp(opt, "group=", 6)) {
		return parse_group(opt + 6, &d->gid);
	} else if (!strncmp(opt, "max_mem=", 8)) {
		return xv_parse_size(opt + 8, &d->vu.cfg.max_mem) ? -EINVAL : 0;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* SPEC: PATH[,server|client][,mode=OCTAL][,group=NAME][,mq=N][,mtu=N]
 *       [,features=HEX][,netdev=IFNAME][,max_mem=SIZE] */
static int parse_spec(struct vdev *d, const char *spec)
{
	char buf[512], *opt, *save;
	int err;

	if (strlen(spec) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, spec);
	opt = strtok_r(buf, ",", &save);
	err = opt ? xv_sock_path_set(&d->sock, opt) : -EINVAL;
	if (err) {
		xv_err("bad socket path \"%s\": %s", opt ? opt : "",
		       strerror(-err));
		return err;
	}
	while ((opt = strtok_r(NULL, ",", &save))) {
		err = parse_spec_opt(d, opt);
		if (err) {
			xv_err("bad device option \"%s\" in \"%s\"", opt, spec);
			return err;
		}
	}
	return 0;
}

static void vdev_init(struct vdev *d, unsigned int idx)
{
	struct xv_vu_config cfg;
	unsigned int q;

	memset(d, 0, sizeof(*d));
	xv_sock_path_init(&d->sock);
	snprintf(d->name, sizeof(d->name), "dev%u", idx);
	d->listen_fd = d->conn_fd = -1;
	d->gid = (gid_t)-1;
	d->backoff_ms = BACKOFF_MIN_MS;
	pthread_mutex_init(&d->lock, NULL);
	xv_vu_config_default(&cfg);
	xv_vu_dev_init(&d->vu, &cfg);
	memcpy(d->vu.name, d->name, sizeof(d->vu.name));
	d->vu.ring_cb = on_ring;
	d->vu.cb_opaque = d;
	d->tag_listen = (struct ep_tag){ TAG_LISTEN, 0, d, -1 };
	d->tag_conn = (struct ep_tag){ TAG_CONN, 0, d, -1 };
	d->tag_xsk = (struct ep_tag){ TAG_XSK, 0, d, -1 };
	for (q = 0; q < VU_MAX_VQS; q++) {
		d->tag_kick[q] = (struct ep_tag){ TAG_KICK, q, d, -1 };
		d->kick_in_ep[q] = -1;
	}
}

static int vdev_bind_netdev(struct vdev *d)
{
	int err;

	if (!d->netdev[0])
		return 0;
	/* Queue pair p <-> the XSK on netdev queue p (mq=N: N of them);
	 * the datapath thread watches their fds itself (xsk_watch). */
	err = xv_xsk_port_open(&d->port, d->netdev, d->vu.cfg.max_queue_pairs);
	if (err)
		return err;
	xv_info("%s: bound to %s through AF_XDP (%u queue%s)", d->name,
		d->netdev, d->port.nqueues, d->port.nqueues == 1 ? "" : "s");
	return 0;
}

/* Why @d's netdev could not be bound, for the log and the client. */
static void bind_error(const struct vdev *d, int rc, char *err, size_t errlen)
{
	unsigned int have;

	if (!if_nametoindex(d->netdev))
		snprintf(err, errlen, "netdev %s does not exist", d->netdev);
	else if (rc == -ERANGE && !xv_ethtool_rx_queues(d->netdev, &have))
		snprintf(
			err, errlen,
			"netdev %s has %u queue%s: mq=%u needs %u (one per queue pair)",
			d->netdev, have, have == 1 ? "" : "s",
			d->vu.cfg.max_queue_pairs, d->vu.cfg.max_queue_pairs);
	else
		snprintf(err, errlen, "cannot bind %s: %s", d->netdev,
			 strerror(-rc));
}

/* Why @d's socket could not be served. */
static void listen_error(const struct vdev *d, int rc, char *err, size_t errlen)
{
	const char *p = d->sock.canon;

	if (rc == -EEXIST)
		snprintf(
			err, errlen,
			"%s exists and is not a stale socket of vdpad's: left as it is",
			p);
	else if (rc == -EADDRINUSE)
		snprintf(err, errlen, "another process listens on %s", p);
	else if (rc == -ENOTDIR || rc == -ENOENT)
		snprintf(
			err, errlen,
			"socket %s: a directory on its path is missing or a symlink",
			p);
	else if (rc == -EPERM)
		snprintf(
			err, errlen,
			"socket %s: its set-group-ID directory gives it another group than socket_group",
			p);
	else
		snprintf(err, errlen, "cannot listen on %s: %s", p,
			 strerror(-rc));
}

/* Binds the netdev and serves (or connects) the socket; @err says why
 * not. Whatever it did is undone by vdev_stop. */
static int vdev_start(struct vdev *d, char *err, size_t errlen)
{
	int rc = vdev_bind_netdev(d);

	if (rc) {
		bind_error(d, rc, err, errlen);
		return rc;
	}
	if (d->client) {
		try_connect(d);
		xv_info("%s: vhost-user client of %s", d->name, d->sock.canon);
		return 0;
	}
	rc = listen_on(d);
	if (rc)
		listen_error(d, rc, err, errlen);
	else
		xv_info("%s: vhost-user server on %s", d->name, d->sock.canon);
	return rc;
}

static void vdev_stop(struct vdev *d)
{
	drop_conn(d);
	if (d->listen_fd >= 0) {
		epoll_ctl(the_daemon->epfd, EPOLL_CTL_DEL, d->listen_fd, NULL);
		close(d->listen_fd);
		d->listen_fd = -1;
		if (xv_sock_path_unlink(&d->sock) == -ESTALE)
			xv_warn("%s: %s is no longer the socket vdpad made: left as it is",
				d->name, d->sock.canon);
	}
	xv_xsk_port_close(&d->port);
}

static void sum_net(struct xv_net_q_stats *dst, const struct xv_net_q_stats *s)
{
	unsigned int r;

	dst->packets += s->packets;
	dst->bytes += s->bytes;
	for (r = 0; r < XV_NET_DROP_MAX; r++)
		dst->drops[r] += s->drops[r];
}

/* Drops the kernel counted on our AF_XDP sockets. */
static void print_kernel_drops(const struct vdev *d)
{
	struct xv_xsk_kstats sum;

	if (!d->netdev[0])
		return;
	xv_xsk_port_kstats(&d->port, &sum);
	printf(" xsk_rx_dropped %llu xsk_rx_ring_full %llu xsk_fill_empty %llu xsk_tx_invalid %llu",
	       (unsigned long long)sum.rx_dropped,
	       (unsigned long long)sum.rx_ring_full,
	       (unsigned long long)sum.rx_fill_ring_empty,
	       (unsigned long long)sum.tx_invalid_descs);
}

static void print_stats(const struct vdev *d)
{
	struct xv_dp_qstats s = {};
	unsigned int p, r;

	for (p = 0; p < VU_MAX_QUEUE_PAIRS; p++) {
		sum_net(&s.rx, d->netdev[0] ? &d->qs[p].rx : &d->lb[p].rx);
		sum_net(&s.tx, d->netdev[0] ? &d->qs[p].tx : &d->lb[p].tx);
		for (r = 0; r < XV_DP_DROP_MAX; r++)
			s.drops[r] += d->qs[p].drops[r];
	}
	printf("%s %s: rx %llu packets %llu bytes, tx %llu packets %llu bytes; drops:",
	       d->name, d->netdev[0] ? d->netdev : "loopback",
	       (unsigned long long)s.rx.packets, (unsigned long long)s.rx.bytes,
	       (unsigned long long)s.tx.packets,
	       (unsigned long long)s.tx.bytes);
	for (r = 0; r < XV_NET_DROP_MAX; r++)
		printf(" rx_%s %llu tx_%s %llu", xv_net_drop_name(r),
		       (unsigned long long)s.rx.drops[r], xv_net_drop_name(r),
		       (unsigned long long)s.tx.drops[r]);
	for (r = 0; r < XV_DP_DROP_MAX; r++)
		printf(" %s %llu", xv_dp_drop_name(r),
		       (unsigned long long)s.drops[r]);
	print_kernel_drops(d);
	printf("; mem_faults %llu mem_refused %llu",
	       (unsigned long long)d->vu.stats.mem_faults,
	       (unsigned long long)d->vu.stats.mem_refused);
	printf("; busy %llu polls %llu ns; broken_sessions %u; broken %s\n",
	       (unsigned long long)d->busy_polls,
	       (unsigned long long)xv_cycles_to_ns(d->busy_cycles),
	       d->broken_sessions, d->broken_logged ? "yes" : "no");
}

/* ---- devices added and removed at run time (control thread) ---- */

/* Waits until @t has passed two loop boundaries: whatever it read before
 * the caller's last store, it no longer uses. */
static void dp_quiesce(struct dp_thread *t)
{
	unsigned long e = __atomic_load_n(&t->epoch, __ATOMIC_ACQUIRE);
	uint64_t one = 1;
	int i;

	if (!t->tid)
		return; /* threads not started yet */
	for (i = 0; i < 2000; i++) {
		if (__atomic_load_n(&t->epoch, __ATOMIC_ACQUIRE) >= e + 2)
			return;
		if (write(t->wake_fd, &one, sizeof(one)) < 0)
			break;
		usleep(1000);
	}
	xv_warn("datapath thread did not quiesce");
}

static struct dp_thread *least_loaded(struct vdpad *v)
{
	struct dp_thread *best = &v->threads[0];
	unsigned int i;

	for (i = 1; i < v->nthreads; i++)
		if (v->threads[i].ndevs < best->ndevs)
			best = &v->threads[i];
	return best;
}

static struct vdev *free_slot(struct vdpad *v, unsigned int *idx)
{
	unsigned int i;

	for (i = 0; i < MAX_DEVS; i++) {
		if (!v->devs[i].used) {
			*idx = i;
			return &v->devs[i];
		}
	}
	return NULL;
}

bool vdpad_netdev_in_use(const struct vdpad *v, const char *ifname)
{
	unsigned int i;

	for (i = 0; i < v->ndevs; i++)
		if (v->devs[i].used && !strcmp(v->devs[i].netdev, ifname))
			return true;
	return false;
}

/* The checks every new device gets, from the control socket, the state
 * file or the command line alike. */
static int dev_req_check(struct vdpad *v, const struct vdpad_dev_req *req,
			 char *err, size_t errlen)
{
	if (xv_validate_dev_name(req->name)) {
		snprintf(
			err, errlen,
			"invalid device name: 1 to %d letters, digits, '-', '_' or '.', not starting with '.' or '-'",
			XV_DEV_NAME_MAX);
		return -EINVAL;
	}
	if (vdpad_dev_find(v, req->name)) {
		snprintf(err, errlen, "device \"%s\" exists already",
			 req->name);
		return -EEXIST;
	}
	if (!req->spec || strlen(req->spec) >= sizeof(v->devs[0].spec)) {
		snprintf(err, errlen, "device options too long");
		return -ENAMETOOLONG;
	}
	return 0;
}

/*
 * Where @d's socket may be: not another device's socket, not the control
 * socket, and for a request from a non-root client only under the socket
 * directory, reached without a symlink (the walk refuses them).
 */
static int dev_path_check(struct vdpad *v, struct vdev *d, bool privileged,
			  char *err, size_t errlen)
{
	const char *p = d->sock.canon;
	unsigned int i;

	if (privileged)
		xv_sock_path_resolve_dir(&d->sock);
	else if (!xv_path_is_under(p, v->sock_dir)) {
		snprintf(
			err, errlen,
			"socket %s: non-root clients get sockets under %s only",
			p, v->sock_dir);
		return -EPERM;
	}
	if (v->ctl_path && !strcmp(p, v->ctl_sock.canon)) {
		snprintf(err, errlen, "socket %s is vdpad's control socket", p);
		return -EADDRINUSE;
	}
	for (i = 0; i < v->ndevs; i++) {
		if (v->devs[i].used && &v->devs[i] != d &&
		    !strcmp(v->devs[i].sock.canon, p)) {
			snprintf(err, errlen,
				 "socket %s is in use by device %s", p,
				 v->devs[i].name);
			return -EADDRINUSE;
		}
	}
	return 0;
}

/* Hands a started device to its datapath thread. */
static void dev_publish(struct vdev *d)
{
	struct dp_thread *t = d->dpt;
	unsigned int n = t->ndevs;

	t->devs[n] = d;
	__atomic_store_n(&t->ndevs, n + 1, __ATOMIC_RELEASE);
}

/* Parses and checks @req into slot @d; nothing is started. */
static int dev_configure(struct vdpad *v, struct vdev *d,
			 const struct vdpad_dev_req *req, char *err,
			 size_t errlen)
{
	int rc = parse_spec(d, req->spec);

	if (!rc && req->loopback != !d->netdev[0])
		rc = -EINVAL;
	if (rc) {
		snprintf(err, errlen, "invalid device options \"%s\"",
			 req->spec);
		return -EINVAL;
	}
	if (d->netdev[0] && vdpad_netdev_in_use(v, d->netdev)) {
		snprintf(err, errlen, "netdev %s is bound by another device",
			 d->netdev);
		return -EBUSY;
	}
	return dev_path_check(v, d, req->privileged, err, errlen);
}

/* A device that did not start: kept, not running, retried later. */
static void dev_keep_stopped(struct vdev *d, const char *why)
{
	d->running = false;
	snprintf(d->start_err, sizeof(d->start_err), "%s", why);
	d->next_start_ms = now_ms() + RETRY_MS;
	xv_warn("%s: not running (retried when possible): %s", d->name, why);
}

int vdpad_dev_add(struct vdpad *v, const struct vdpad_dev_req *req,
		  struct vdev **out, char *err, size_t errlen)
{
	unsigned int idx;
	struct vdev *d;
	int rc;

	rc = dev_req_check(v, req, err, errlen);
	if (rc)
		return rc;
	d = free_slot(v, &idx);
	if (!d) {
		snprintf(err, errlen, "vdpad serves %d devices already",
			 MAX_DEVS);
		return -ENOSPC;
	}
	vdev_init(d, idx);
	strcpy(d->name, req->name);
	memcpy(d->vu.name, d->name, sizeof(d->vu.name));
	rc = dev_configure(v, d, req, err, errlen);
	if (rc)
		goto err_destroy;
	d->dpt = least_loaded(v);
	rc = vdev_start(d, err, errlen);
	if (rc) {
		xv_err("%s: %s", d->name, err);
		vdev_stop(d);
		if (!req->keep_stopped)
			goto err_destroy;
		dev_keep_stopped(d, err);
	} else {
		d->running = true;
		dev_publish(d);
	}
	d->used = true;
	d->persist = req->persist;
	d->owner = req->owner;
	strcpy(d->spec, req->spec);
	if (idx >= v->ndevs)
		v->ndevs = idx + 1;
	*out = d;
	xv_info("%s: added", d->name);
	return 0;

err_destroy:
	xv_sock_path_close(&d->sock);
	pthread_mutex_destroy(&d->lock);
	return rc;
}

static void dev_unpublish(struct vdev *d)
{
	struct dp_thread *t = d->dpt;
	unsigned int i, n = t->ndevs;

	__atomic_store_n(&d->dying, true, __ATOMIC_RELEASE);
	dp_quiesce(t);
	for (i = 0; i < n && t->devs[i] != d; i++)
		;
	if (i < n) {
		__atomic_store_n(&t->devs[i], t->devs[n - 1], __ATOMIC_RELEASE);
		__atomic_store_n(&t->ndevs, n - 1, __ATOMIC_RELEASE);
	}
	dp_quiesce(t);
}

int vdpad_dev_del(struct vdpad *v, struct vdev *d)
{
	(void)v;
	if (d->running)
		dev_unpublish(d);
	vdev_stop(d);
	xv_sock_path_close(&d->sock);
	pthread_mutex_destroy(&d->lock);
	xv_info("%s: removed", d->name);
	d->used = false;
	return 0;
}

/* One stopped device: started if it can be now. */
static void dev_retry(struct vdev *d)
{
	char why[sizeof(d->start_err)];
	int rc;

	d->next_start_ms = now_ms() + RETRY_MS;
	if (d->netdev[0] && !if_nametoindex(d->netdev)) {
		snprintf(why, sizeof(why), "netdev %s does not exist",
			 d->netdev);
		rc = -ENODEV;
	} else {
		rc = vdev_start(d, why, sizeof(why));
		if (rc)
			vdev_stop(d);
	}
	if (!rc) {
		xv_info("%s: running (was: %s)", d->name, d->start_err);
		d->start_err[0] = 0;
		d->running = true;
		dev_publish(d);
	} else if (strcmp(why, d->start_err)) {
		xv_warn("%s: still not running: %s", d->name, why);
		strcpy(d->start_err, why);
	}
}

void vdpad_retry_stopped(struct vdpad *v)
{
	uint64_t now = now_ms();
	unsigned int i;

	vdpad_pfs_retry(v);
	for (i = 0; i < v->ndevs; i++) {
		struct vdev *d = &v->devs[i];

		if (d->used && !d->running && now >= d->next_start_ms)
			dev_retry(d);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vdpad (--dev SPEC | --loopback SPEC)... [--cpus LIST] [-l LEVEL]\n"
		"  --dev SPEC         a vhost-user device bound to a netdev through AF_XDP;\n"
		"                     SPEC = PATH,netdev=IFNAME[,server|client][,mode=OCTAL]\n"
		"                            [,group=NAME][,mq=N][,mtu=N][,features=HEX]\n"
		"                            [,max_mem=SIZE]  (guest memory limit, e.g. 2G)\n"
		"  --loopback SPEC    a vhost-user device whose TX returns on its RX\n"
		"                     (SPEC as above, without netdev=)\n"
		"  --control PATH     control socket (default " XV_CTL_SOCKET
		"),\n"
		"                     or none\n"
		"  --control-group G  members of group G may use the control socket\n"
		"                     (default: root only)\n"
		"  --state FILE       devices added at run time are saved here and\n"
		"                     re-created at start (default: none)\n"
		"  --socket-dir DIR   default sockets go here, and non-root control\n"
		"                     clients get sockets only under it (default\n"
		"                     " XV_RUN_DIR
		"; owned by root, not writable by others)\n"
		"  --cpus LIST        datapath threads, one per CPU: e.g. 1 or 0,1\n"
		"                     (default: one unpinned thread)\n"
		"  -l, --log-level L  error, warn, info (default) or debug\n");
}

static int parse_cpus(struct vdpad *v, const char *list)
{
	char buf[128], *tok, *save;
	unsigned long cpu;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	v->nthreads = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;

		cpu = strtoul(tok, &end, 10);
		if (*end || cpu >= CPU_SETSIZE || v->nthreads == MAX_DP_THREADS)
			return -EINVAL;
		v->threads[v->nthreads++].cpu = (int)cpu;
	}
	return v->nthreads ? 0 : -EINVAL;
}

static int add_dev(struct vdpad *v, const char *spec, bool loopback)
{
	struct vdev *d;

	if (v->ndevs == MAX_DEVS)
		return -E2BIG;
	d = &v->devs[v->ndevs];
	vdev_init(d, v->ndevs);
	if (parse_spec(d, spec))
		return -EINVAL;
	if (loopback != !d->netdev[0]) {
		xv_err("%s needs %s", loopback ? "--loopback" : "--dev",
		       loopback ? "no netdev=" : "netdev=IFNAME");
		return -EINVAL;
	}
	d->used = true;
	v->ndevs++;
	return 0;
}

static int parse_args(int argc, char **argv, struct vdpad *v)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'D' },
		{ "loopback", required_argument, NULL, 'L' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "control", required_argument, NULL, 'C' },
		{ "control-group", required_argument, NULL, 'G' },
		{ "state", required_argument, NULL, 'S' },
		{ "socket-dir", required_argument, NULL, 'R' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	enum xv_log_level lvl;
	int c;

	while ((c = getopt_long(argc, argv, "l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
		case 'L':
			if (add_dev(v, optarg, c == 'L'))
				return -EINVAL;
			break;
		case 'c':
			if (parse_cpus(v, optarg))
				return -EINVAL;
			break;
		case 'C':
			v->ctl_path = strcmp(optarg, "none") ? optarg : NULL;
			break;
		case 'G':
			if (parse_group(optarg, &v->ctl_gid))
				return -EINVAL;
			break;
		case 'S':
			v->state_path = strcmp(optarg, "none") ? optarg : NULL;
			break;
		case 'R':
			if (strlen(optarg) >= sizeof(v->sock_dir))
				return -ENAMETOOLONG;
			strcpy(v->sock_dir, optarg);
			break;
		case 'l':
			if (xv_log_parse_level(optarg, &lvl))
				return -EINVAL;
			xv_log_set_level(lvl);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
	}
	/* No device at all is fine when they can be added at run time. */
	return (v->ndevs || v->ctl_path) && optind == argc ? 0 : -EINVAL;
}

static int setup_threads(struct vdpad *v)
{
	unsigned int i;

	if (!v->nthreads) {
		v->nthreads = 1;
		v->threads[0].cpu = -1;
	}
	for (i = 0; i < v->nthreads; i++) {
		struct dp_thread *t = &v->threads[i];

		t->epfd = epoll_create1(EPOLL_CLOEXEC);
		t->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (t->epfd < 0 || t->wake_fd < 0)
			return -errno;
		t->tag_wake =
			(struct ep_tag){ .kind = TAG_WAKE, .fd = t->wake_fd };
		if (ep_add(t->epfd, t->wake_fd, &t->tag_wake))
			return -errno;
	}
	for (i = 0; i < v->ndevs; i++) {
		struct dp_thread *t = &v->threads[i % v->nthreads];

		v->devs[i].dpt = t;
		t->devs[t->ndevs++] = &v->devs[i];
	}
	return 0;
}

/*
 * The socket directory: made if missing (0755), and it must be root's and
 * not writable by others, since non-root clients' sockets go there.
 */
static int sock_dir_setup(struct vdpad *v)
{
	char real[PATH_MAX];
	struct stat st;

	if (mkdir(v->sock_dir, 0755) && errno != EEXIST) {
		xv_err("cannot make the socket directory %s: %s", v->sock_dir,
		       strerror(errno));
		return -errno;
	}
	if (!realpath(v->sock_dir, real) || stat(real, &st) ||
	    !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) ||
	    strlen(real) >= sizeof(v->sock_dir)) {
		xv_err("socket directory %s must be a directory of vdpad's user, not writable by group or others",
		       v->sock_dir);
		return -EPERM;
	}
	strcpy(v->sock_dir, real);
	return 0;
}

/* A command-line device: its socket checked as a root request's. */
static int cmdline_dev_start(struct vdpad *v, struct vdev *d)
{
	char err[256];
	int rc = dev_path_check(v, d, true, err, sizeof(err));

	if (!rc)
		rc = vdev_start(d, err, sizeof(err));
	if (rc)
		xv_err("%s: %s", d->name, err);
	d->running = !rc;
	return rc;
}

/*
 * Tells the service manager (systemd Type=notify, $NOTIFY_SOCKET) that the
 * command-line devices and whatever the state file held are up, so units
 * ordered after vdpad (VMs, kubelet) find their sockets. Without a service
 * manager this does nothing.
 */
static void notify_ready(const struct vdpad *v)
{
	unsigned int i, ndevs = 0, npfs = 0;
	int rc;

	for (i = 0; i < v->ndevs; i++)
		ndevs += v->devs[i].used;
	for (i = 0; i < MAX_PFS; i++)
		npfs += v->pfs[i].used;
	rc = sd_notifyf(0, "READY=1\nSTATUS=%u device(s), %u mgmtdev(s)", ndevs,
			npfs);
	if (rc < 0)
		xv_warn("cannot notify the service manager: %s", strerror(-rc));
	else
		xv_info("ready: %u device(s), %u mgmtdev(s)", ndevs, npfs);
}

/* Control clients and frontends each hold fds: the soft limit (often
 * 1024) goes up to the hard one. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			xv_warn("cannot raise the fd limit: %s",
				strerror(errno));
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	xv_dbg("fd limit %llu (hard %llu)", (unsigned long long)rl.rlim_cur,
	       (unsigned long long)rl.rlim_max);
}

int main(int argc, char **argv)
{
	static struct vdpad v;
	unsigned int i;
	int err = 0;

	the_daemon = &v;
	v.ctl_fd = -1;
	v.ctl_path = XV_CTL_SOCKET;
	v.ctl_gid = (gid_t)-1;
	xv_sock_path_init(&v.ctl_sock);
	strcpy(v.sock_dir, XV_RUN_DIR);
	xv_log_set_level(XV_LOG_INFO);
	xv_cycles_calibrate();
	if (parse_args(argc, argv, &v)) {
		usage(stderr);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	/* A frontend that shrinks its memory's file breaks its device only. */
	if (xv_fault_install())
		return 1;
	v.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (v.epfd < 0 || sock_dir_setup(&v) || setup_threads(&v) ||
	    ctl_start(&v))
		return 1;
	/* Command-line devices first, then the ones the state file saved. */
	for (i = 0; i < v.ndevs && !err; i++)
		err = cmdline_dev_start(&v, &v.devs[i]);
	if (!err && v.state_path)
		err = vdpad_state_load(&v);
	if (!err)
		err = dp_threads_start(&v);
	if (!err) {
		notify_ready(&v);
		run(&v);
	}
	sd_notify(0, "STOPPING=1");
	dp_threads_stop(&v);
	ctl_stop(&v);
	for (i = 0; i < v.ndevs; i++) {
		if (!v.devs[i].used)
			continue;
		print_stats(&v.devs[i]);
		vdev_stop(&v.devs[i]);
	}
	print_ctl_stats(&v);
	return err ? 1 : 0;
}
