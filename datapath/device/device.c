// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpad's devices: made from a SPEC, started (backend bound, socket
 * served or connected), added and removed at run time (handed to and
 * taken from a datapath thread with the quiescence protocol), their
 * frontends' connections and their counters. Control thread only.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cycles.h"
#include "net_offload.h"
#include "device.h"
#include "ethtool.h"
#include "log.h"
#include "util.h"

int xv_ep_add(int epfd, int fd, struct ep_tag *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* ---- rings start and stop (vhost-user handlers, under dev->lock) ---- */

static void on_ring(struct xv_vu_dev *vu, unsigned int qidx, bool started,
		    void *opaque)
{
	struct xv_dev *d = opaque;
	int fd = vu->vrings[qidx].kick_fd;

	if (d->kick_in_ep[qidx] >= 0) {
		epoll_ctl(d->dpt->epfd, EPOLL_CTL_DEL, d->kick_in_ep[qidx],
			  NULL);
		d->kick_in_ep[qidx] = -1;
	}
	if (started && fd >= 0 &&
	    !xv_ep_add(d->dpt->epfd, fd, &d->tag_kick[qidx]))
		d->kick_in_ep[qidx] = fd;
	xv_info("%s: vring %u %s", d->name, qidx,
		started ? "started" : "stopped");
}

/* ---- accepting while out of fds ---- */

/* Every listening socket left out of the poll (@on false) or put back.
 * Logged once per episode (until an accept succeeds), counted each time. */
static void listeners_poll(struct xv_devs *v, bool on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0 };
	unsigned int i;

	if (v->extra_listen_fd >= 0) {
		ev.data.ptr = v->extra_listen_tag;
		epoll_ctl(v->epfd, EPOLL_CTL_MOD, v->extra_listen_fd, &ev);
	}
	for (i = 0; i < v->ndevs; i++) {
		struct xv_dev *d = &v->dev[i];

		if (!d->used || d->listen_fd < 0)
			continue;
		ev.data.ptr = &d->tag_listen;
		epoll_ctl(v->epfd, EPOLL_CTL_MOD, d->listen_fd, &ev);
	}
}

void xv_devs_accept_failed(struct xv_devs *v, int err, const char *what)
{
	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM)
		return;
	v->accept_emfile++;
	if (!v->accept_starved)
		xv_warn("%s: cannot accept a connection: %s; not accepting for %d ms at a time until fds are free (%u control connections open)",
			what, strerror(err), ACCEPT_PAUSE_MS,
			v->conns_open ? *v->conns_open : 0);
	v->accept_starved = true;
	v->accept_paused_until = xv_now_ms() + ACCEPT_PAUSE_MS;
	listeners_poll(v, false);
}

void xv_devs_accept_succeeded(struct xv_devs *v)
{
	if (v->accept_starved)
		xv_info("accepting connections again");
	v->accept_starved = false;
}

void xv_devs_accept_resume(struct xv_devs *v, uint64_t now)
{
	if (!v->accept_paused_until || now < v->accept_paused_until)
		return;
	v->accept_paused_until = 0;
	listeners_poll(v, true);
}

/* ---- connections (control thread) ---- */

static void schedule_reconnect(struct xv_dev *d)
{
	d->next_connect_ms = xv_now_ms() + d->backoff_ms;
	d->backoff_ms *= 2;
	if (d->backoff_ms > BACKOFF_MAX_MS)
		d->backoff_ms = BACKOFF_MAX_MS;
}

static void drop_conn(struct xv_dev *d)
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
	if (d->cfg.client)
		schedule_reconnect(d);
}

static int attach_conn(struct xv_dev *d, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	/* Non-blocking: half a message or unread replies stall nobody. */
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK)) {
		close(fd);
		return -errno;
	}
	xv_vu_rxbuf_init(&d->rxbuf);
	d->conn_fd = fd;
	if (xv_ep_add(d->set->epfd, fd, &d->tag_conn)) {
		close(fd);
		d->conn_fd = -1;
		return -EIO;
	}
	d->backoff_ms = BACKOFF_MIN_MS;
	xv_info("%s: frontend connected", d->name);
	return 0;
}

static void try_connect(struct xv_dev *d)
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

static int listen_on(struct xv_dev *d)
{
	int fd = xv_sock_listen(&d->sock, SOCK_STREAM | SOCK_CLOEXEC,
				(mode_t)d->cfg.socket_mode, d->cfg.gid, 4);

	if (fd < 0)
		return fd;
	d->listen_fd = fd;
	return xv_ep_add(d->set->epfd, fd, &d->tag_listen);
}

static void on_listen(struct xv_dev *d)
{
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		xv_devs_accept_failed(d->set, errno, d->name);
		return;
	}
	xv_devs_accept_succeeded(d->set);
	if (d->conn_fd >= 0) {
		xv_warn("%s: refusing a second frontend", d->name);
		close(fd);
		return;
	}
	attach_conn(d, fd);
}

static int handle_msg(struct xv_dev *d, struct xv_vu_msg *msg)
{
	struct xv_vu_msg reply;
	bool send_reply;
	int err;

	xv_dbg("%s: vhost-user %s", d->name,
	       xv_vu_request_name(msg->hdr.request));
	pthread_mutex_lock(&d->lock);
	err = xv_vu_handle(&d->vu, msg, &reply, &send_reply);
	/* An announcement to send (SEND_RARP): now, not at the next wakeup. */
	if (d->vu.rarp_pending && d->dpt)
		xv_dp_wake(d->dpt);
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

static void on_conn(struct xv_dev *d)
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

/* ---- setup ---- */

static void vdev_init(struct xv_devs *s, struct xv_dev *d, unsigned int idx)
{
	struct xv_vu_config cfg;
	unsigned int q;

	memset(d, 0, sizeof(*d));
	xv_sock_path_init(&d->sock);
	snprintf(d->name, sizeof(d->name), "dev%u", idx);
	d->listen_fd = d->conn_fd = -1;
	xv_dev_cfg_default(&d->cfg);
	d->backoff_ms = BACKOFF_MIN_MS;
	d->set = s;
	d->be.ops = &xv_loopback_backend;
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

/* The features vdpad offers a guest of @d's backend: the engine's, less
 * the transmit offloads the backend does not do (loopback). */
static uint64_t backend_features(const struct xv_dev *d)
{
	return d->vu.cfg.features &
	       ~(XV_TXO_FEATURES & ~d->be.ops->tx_features);
}

/*
 * The one place a device's configuration becomes its state: the socket
 * path, the group (resolved now), the engine's limits and features, the
 * backend (a netdev's AF_XDP, or loopback).
 */
static int dev_apply_cfg(struct xv_dev *d, const struct xv_dev_cfg *cfg,
			 char *err, size_t errlen)
{
	int rc;

	d->cfg = *cfg;
	d->be.ops = xv_backend_for(d->cfg.netdev);
	rc = xv_dev_cfg_resolve(&d->cfg, backend_features(d), err, errlen);
	if (rc)
		return rc;
	rc = xv_sock_path_set(&d->sock, d->cfg.socket);
	if (rc) {
		snprintf(err, errlen, "bad socket path \"%s\": %s",
			 d->cfg.socket, strerror(-rc));
		return rc;
	}
	d->vu.cfg.max_queue_pairs = (uint16_t)d->cfg.max_vqp;
	d->vu.cfg.mtu = (uint16_t)d->cfg.mtu;
	d->vu.cfg.features = d->cfg.device_features;
	d->vu.cfg.max_mem = d->cfg.max_mem;
	return 0;
}

static int vdev_bind_netdev(struct xv_dev *d)
{
	/* Queue pair p <-> netdev queue p (mq=N: N of them); the datapath
	 * thread watches the backend's fds itself (xsk_watch). */
	int err = d->be.ops->start(&d->be, d->cfg.netdev,
				   d->vu.cfg.max_queue_pairs);

	if (err || !xv_dev_has_netdev(d))
		return err;
	xv_info("%s: bound to %s through AF_XDP (%u queue%s)", d->name,
		d->cfg.netdev, d->be.port.nqueues,
		d->be.port.nqueues == 1 ? "" : "s");
	return 0;
}

/* Why @d's netdev could not be bound, for the log and the client. */
static void bind_error(const struct xv_dev *d, int rc, char *err, size_t errlen)
{
	unsigned int have;

	if (!if_nametoindex(d->cfg.netdev))
		snprintf(err, errlen, "netdev %s does not exist",
			 d->cfg.netdev);
	else if (rc == -ERANGE && !xv_ethtool_rx_queues(d->cfg.netdev, &have))
		snprintf(
			err, errlen,
			"netdev %s has %u queue%s: %s %u needs %u (one per queue pair)",
			d->cfg.netdev, have, have == 1 ? "" : "s",
			xv_dev_fields[XV_DEVF_MAX_VQP].key,
			d->vu.cfg.max_queue_pairs, d->vu.cfg.max_queue_pairs);
	else
		snprintf(err, errlen, "cannot bind %s: %s", d->cfg.netdev,
			 strerror(-rc));
}

/* Why @d's socket could not be served. */
static void listen_error(const struct xv_dev *d, int rc, char *err,
			 size_t errlen)
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
static int vdev_start(struct xv_dev *d, char *err, size_t errlen)
{
	int rc = vdev_bind_netdev(d);

	if (rc) {
		bind_error(d, rc, err, errlen);
		return rc;
	}
	if (d->cfg.client) {
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

static void vdev_stop(struct xv_dev *d)
{
	drop_conn(d);
	if (d->listen_fd >= 0) {
		epoll_ctl(d->set->epfd, EPOLL_CTL_DEL, d->listen_fd, NULL);
		close(d->listen_fd);
		d->listen_fd = -1;
		if (xv_sock_path_unlink(&d->sock) == -ESTALE)
			xv_warn("%s: %s is no longer the socket vdpad made: left as it is",
				d->name, d->sock.canon);
	}
	d->be.ops->stop(&d->be);
}

void xv_dev_qstats(const struct xv_dev *d, struct xv_qstats *sum)
{
	unsigned int p;

	memset(sum, 0, sizeof(*sum));
	for (p = 0; p < d->vu.cfg.max_queue_pairs; p++)
		xv_qstats_add(sum, &d->qs[p]);
}

/* What the backend counted itself: the kernel's drops on its AF_XDP
 * sockets, its TX wakeups. */
static void print_backend_stats(const struct xv_dev *d)
{
	struct xv_backend_stats bs;

	d->be.ops->stats(&d->be, &bs);
	if (!bs.kernel)
		return;
	printf(" xsk_rx_dropped %llu xsk_rx_ring_full %llu xsk_fill_empty %llu xsk_tx_invalid %llu xsk_rx_invalid %llu",
	       (unsigned long long)bs.k.rx_dropped,
	       (unsigned long long)bs.k.rx_ring_full,
	       (unsigned long long)bs.k.rx_fill_ring_empty,
	       (unsigned long long)bs.k.tx_invalid_descs,
	       (unsigned long long)bs.k.rx_invalid_descs);
	printf("; tx_wakeups %llu", (unsigned long long)bs.tx_wakeups);
}

static void print_stats(const struct xv_dev *d)
{
	const struct xv_vu_stats *vs = &d->vu.stats;
	struct xv_qstats s;
	unsigned int r;

	xv_dev_qstats(d, &s);
	printf("%s %s: rx %llu packets %llu bytes, tx %llu packets %llu bytes; drops:",
	       d->name, xv_dev_has_netdev(d) ? d->cfg.netdev : "loopback",
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
	print_backend_stats(d);
	printf("; tx_backpressure %llu", (unsigned long long)s.tx_backpressure);
	printf("; offloads tx_csum %llu tx_csum_by_kernel %llu tx_tso %llu tx_tso_segments %llu",
	       (unsigned long long)s.tx.csum,
	       (unsigned long long)s.tx.csum_later,
	       (unsigned long long)s.tx.tso, (unsigned long long)s.tx.tso_segs);
	printf("; mem_faults %llu mem_refused %llu",
	       (unsigned long long)vs->mem_faults,
	       (unsigned long long)vs->mem_refused);
	printf("; vhost_user msgs %llu bad_msgs %llu unsupported %llu stray_fds %llu ring_resyncs %llu",
	       (unsigned long long)vs->msgs, (unsigned long long)vs->bad_msgs,
	       (unsigned long long)vs->unsupported,
	       (unsigned long long)vs->stray_fds,
	       (unsigned long long)vs->ring_resyncs);
	printf("; dirty_log pages %llu outside %llu log_bases %llu log_refused %llu; rarp requests %llu sent %llu",
	       (unsigned long long)d->vu.log.pages,
	       (unsigned long long)d->vu.log.outside,
	       (unsigned long long)vs->log_bases,
	       (unsigned long long)vs->log_refused,
	       (unsigned long long)vs->rarp_requests,
	       (unsigned long long)vs->rarp_sent);
	printf("; busy %llu polls %llu ns; broken_sessions %u; broken %s\n",
	       (unsigned long long)d->busy_polls,
	       (unsigned long long)xv_cycles_to_ns(d->busy_cycles),
	       d->broken_sessions, d->broken_logged ? "yes" : "no");
}

/* ---- devices added and removed at run time (control thread) ---- */

static struct dp_thread *least_loaded(struct xv_devs *v)
{
	struct dp_thread *best = &v->threads[0];
	unsigned int i;

	for (i = 1; i < v->nthreads; i++)
		if (v->threads[i].ndevs < best->ndevs)
			best = &v->threads[i];
	return best;
}

static struct xv_dev *free_slot(struct xv_devs *v, unsigned int *idx)
{
	unsigned int i;

	for (i = 0; i < MAX_DEVS; i++) {
		if (!v->dev[i].used) {
			*idx = i;
			return &v->dev[i];
		}
	}
	return NULL;
}

bool xv_netdev_in_use(const struct xv_devs *v, const char *ifname)
{
	unsigned int i;

	for (i = 0; i < v->ndevs; i++)
		if (v->dev[i].used && !strcmp(v->dev[i].cfg.netdev, ifname))
			return true;
	return false;
}

/* The checks every new device gets, from the control socket, the state
 * file or the command line alike. */
static int dev_req_check(struct xv_devs *v, const struct xv_dev_req *req,
			 char *err, size_t errlen)
{
	const char *name = req->cfg->name;

	if (xv_validate_dev_name(name)) {
		snprintf(
			err, errlen,
			"invalid device name: 1 to %d letters, digits, '-', '_' or '.', not starting with '.' or '-'",
			XV_DEV_NAME_MAX);
		return -EINVAL;
	}
	if (xv_dev_find(v, name)) {
		snprintf(err, errlen, "device \"%s\" exists already", name);
		return -EEXIST;
	}
	return 0;
}

/*
 * Where @d's socket may be: not another device's socket, not the control
 * socket, and for a request from a non-root client only under the socket
 * directory, reached without a symlink (the walk refuses them).
 */
static int dev_path_check(struct xv_devs *v, struct xv_dev *d, bool privileged,
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
	if (v->reserved_sock && !strcmp(p, v->reserved_sock)) {
		snprintf(err, errlen, "socket %s is vdpad's control socket", p);
		return -EADDRINUSE;
	}
	for (i = 0; i < v->ndevs; i++) {
		if (v->dev[i].used && &v->dev[i] != d &&
		    !strcmp(v->dev[i].sock.canon, p)) {
			snprintf(err, errlen,
				 "socket %s is in use by device %s", p,
				 v->dev[i].name);
			return -EADDRINUSE;
		}
	}
	return 0;
}

/* Hands a started device to its datapath thread. */
static void dev_publish(struct xv_dev *d)
{
	struct dp_thread *t = d->dpt;
	unsigned int n = t->ndevs;

	t->devs[n] = d;
	__atomic_store_n(&t->ndevs, n + 1, __ATOMIC_RELEASE);
}

/* Parses and checks @req into slot @d; nothing is started. */
static int dev_configure(struct xv_devs *v, struct xv_dev *d,
			 const struct xv_dev_req *req, char *err, size_t errlen)
{
	int rc = dev_apply_cfg(d, req->cfg, err, errlen);

	if (rc)
		return rc;
	if (xv_dev_has_netdev(d) && xv_netdev_in_use(v, d->cfg.netdev)) {
		snprintf(err, errlen, "netdev %s is bound by another device",
			 d->cfg.netdev);
		return -EBUSY;
	}
	return dev_path_check(v, d, req->privileged, err, errlen);
}

/* A device that did not start: kept, not running, retried later. */
static void dev_keep_stopped(struct xv_dev *d, const char *why)
{
	d->running = false;
	snprintf(d->start_err, sizeof(d->start_err), "%s", why);
	d->next_start_ms = xv_now_ms() + RETRY_MS;
	xv_warn("%s: not running (retried when possible): %s", d->name, why);
}

int xv_dev_add(struct xv_devs *v, const struct xv_dev_req *req,
	       struct xv_dev **out, char *err, size_t errlen)
{
	unsigned int idx;
	struct xv_dev *d;
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
	vdev_init(v, d, idx);
	strcpy(d->name, req->cfg->name);
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

static void dev_unpublish(struct xv_dev *d)
{
	struct dp_thread *t = d->dpt;
	unsigned int i, n = t->ndevs;

	__atomic_store_n(&d->dying, true, __ATOMIC_RELEASE);
	xv_dp_quiesce(t);
	for (i = 0; i < n && t->devs[i] != d; i++)
		;
	if (i < n) {
		__atomic_store_n(&t->devs[i], t->devs[n - 1], __ATOMIC_RELEASE);
		__atomic_store_n(&t->ndevs, n - 1, __ATOMIC_RELEASE);
	}
	xv_dp_quiesce(t);
}

int xv_dev_del(struct xv_devs *v, struct xv_dev *d)
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
static void dev_retry(struct xv_dev *d)
{
	char why[sizeof(d->start_err)];
	int rc;

	d->next_start_ms = xv_now_ms() + RETRY_MS;
	if (xv_dev_has_netdev(d) && !if_nametoindex(d->cfg.netdev)) {
		snprintf(why, sizeof(why), "netdev %s does not exist",
			 d->cfg.netdev);
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

void xv_devs_retry_stopped(struct xv_devs *v)
{
	uint64_t now = xv_now_ms();
	unsigned int i;

	for (i = 0; i < v->ndevs; i++) {
		struct xv_dev *d = &v->dev[i];

		if (d->used && !d->running && now >= d->next_start_ms)
			dev_retry(d);
	}
}

int xv_devs_add_cmdline(struct xv_devs *v, const char *spec, bool loopback)
{
	struct xv_dev_cfg cfg;
	struct xv_dev *d;
	char err[256];
	int rc;

	if (v->ndevs == MAX_DEVS)
		return -E2BIG;
	d = &v->dev[v->ndevs];
	vdev_init(v, d, v->ndevs);
	xv_dev_cfg_default(&cfg);
	strcpy(cfg.name, d->name);
	cfg.loopback = loopback;
	rc = xv_dev_cfg_parse_spec(&cfg, spec, err, sizeof(err));
	if (!rc && loopback == !!cfg.netdev[0]) {
		snprintf(err, sizeof(err),
			 "%s needs %s%s=", loopback ? "--loopback" : "--dev",
			 loopback ? "no " : "",
			 xv_dev_fields[XV_DEVF_NETDEV].spec);
		rc = -EINVAL;
	}
	if (!rc)
		rc = dev_apply_cfg(d, &cfg, err, sizeof(err));
	if (rc) {
		xv_err("device \"%s\": %s", spec, err);
		return rc;
	}
	d->used = true;
	v->ndevs++;
	return 0;
}

int xv_devs_setup_threads(struct xv_devs *v)
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
		if (xv_ep_add(t->epfd, t->wake_fd, &t->tag_wake))
			return -errno;
	}
	for (i = 0; i < v->ndevs; i++) {
		struct dp_thread *t = &v->threads[i % v->nthreads];

		v->dev[i].dpt = t;
		t->devs[t->ndevs++] = &v->dev[i];
	}
	return 0;
}

/* A command-line device: its socket checked as a root request's. */
static int cmdline_dev_start(struct xv_devs *v, struct xv_dev *d)
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

int xv_devs_start_cmdline(struct xv_devs *v)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < v->ndevs && !err; i++)
		err = cmdline_dev_start(v, &v->dev[i]);
	return err;
}

struct xv_dev *xv_dev_find(struct xv_devs *v, const char *name)
{
	unsigned int i;

	for (i = 0; i < v->ndevs; i++)
		if (v->dev[i].used && !strcmp(v->dev[i].name, name))
			return &v->dev[i];
	return NULL;
}

void xv_devs_init(struct xv_devs *v)
{
	memset(v, 0, sizeof(*v));
	v->epfd = -1;
	v->extra_listen_fd = -1;
}

void xv_dev_on_event(struct ep_tag *t)
{
	/* An event queued for a device removed earlier in this batch. */
	if (!t->dev->used || (t->kind == TAG_CONN && t->dev->conn_fd < 0))
		return;
	if (t->kind == TAG_LISTEN)
		on_listen(t->dev);
	else if (t->kind == TAG_CONN)
		on_conn(t->dev);
}

void xv_devs_tick(struct xv_devs *v, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < v->ndevs; i++) {
		struct xv_dev *d = &v->dev[i];

		if (d->used && d->running && d->cfg.client && d->conn_fd < 0 &&
		    now >= d->next_connect_ms)
			try_connect(d);
	}
}

void xv_devs_shutdown(struct xv_devs *v)
{
	unsigned int i;

	for (i = 0; i < v->ndevs; i++) {
		if (!v->dev[i].used)
			continue;
		print_stats(&v->dev[i]);
		vdev_stop(&v->dev[i]);
	}
}
