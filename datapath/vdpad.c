// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpad: the xvdpa daemon.
 *
 * This stage serves vhost-user devices in loopback mode: a frontend's
 * transmitted frames come back on its receive queue. It shows the
 * vhost-user backend and the virtqueue engine working with real frontends
 * (DPDK virtio-user, QEMU) before the AF_XDP datapath joins. Each device
 * has its own socket, in server mode (vdpad listens) or client mode (vdpad
 * connects, and reconnects with backoff when the frontend goes away).
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loopback.h"
#include "vhost_user.h"

#define MAX_DEVS 16
#define LOOP_BUDGET 256
#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 2000

enum tag_kind { TAG_LISTEN, TAG_CONN, TAG_KICK };

struct vdev;

struct ep_tag {
	enum tag_kind kind;
	unsigned int qidx;
	struct vdev *dev;
};

struct vdev {
	char name[16];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool client;
	mode_t mode; /* 0: leave as umask made it */
	gid_t gid; /* (gid_t)-1: leave */
	int listen_fd;
	int conn_fd;
	uint64_t next_connect_ms;
	unsigned int backoff_ms;
	struct xv_vu_dev vu;
	struct xv_loopback_stats lb[VU_MAX_QUEUE_PAIRS];
	struct ep_tag tag_listen, tag_conn, tag_kick[VU_MAX_VQS];
	int kick_in_ep[VU_MAX_VQS];
	bool broken_logged;
};

struct vdpad {
	int epfd;
	unsigned int ndevs;
	struct vdev devs[MAX_DEVS];
};

static volatile sig_atomic_t stop_requested;
static struct vdpad *the_daemon;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int ep_add(int fd, struct ep_tag *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(the_daemon->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* ---- rings start and stop (called from the vhost-user handlers) ---- */

static void on_ring(struct xv_vu_dev *vu, unsigned int qidx, bool started,
		    void *opaque)
{
	struct vdev *d = opaque;
	int fd = vu->vrings[qidx].kick_fd;

	if (d->kick_in_ep[qidx] >= 0) {
		epoll_ctl(the_daemon->epfd, EPOLL_CTL_DEL, d->kick_in_ep[qidx],
			  NULL);
		d->kick_in_ep[qidx] = -1;
	}
	if (started && fd >= 0 && !ep_add(fd, &d->tag_kick[qidx]))
		d->kick_in_ep[qidx] = fd;
	xv_info("%s: vring %u %s", d->name, qidx,
		started ? "started" : "stopped");
}

/* ---- connections ---- */

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
	xv_vu_dev_disconnect(&d->vu);
	for (i = 0; i < VU_MAX_VQS; i++)
		d->kick_in_ep[i] = -1; /* closed fds leave epoll */
	close(d->conn_fd);
	d->conn_fd = -1;
	d->broken_logged = false;
	xv_info("%s: frontend disconnected", d->name);
	if (d->client)
		schedule_reconnect(d);
}

static int attach_conn(struct vdev *d, int fd)
{
	d->conn_fd = fd;
	if (ep_add(fd, &d->tag_conn)) {
		close(fd);
		d->conn_fd = -1;
		return -EIO;
	}
	d->backoff_ms = BACKOFF_MIN_MS;
	xv_info("%s: frontend connected", d->name);
	return 0;
}

static int sock_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

static void try_connect(struct vdev *d)
{
	struct sockaddr_un sa;
	int fd;

	if (sock_addr(d->path, &sa))
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		schedule_reconnect(d);
		return;
	}
	attach_conn(d, fd);
}

static int set_socket_perms(const struct vdev *d)
{
	if (d->mode && chmod(d->path, d->mode))
		return -errno;
	if (d->gid != (gid_t)-1 && chown(d->path, (uid_t)-1, d->gid))
		return -errno;
	return 0;
}

static int listen_on(struct vdev *d)
{
	struct sockaddr_un sa;
	int fd, err;

	err = sock_addr(d->path, &sa);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(d->path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		err = -errno;
		goto err_close;
	}
	err = set_socket_perms(d);
	if (err)
		goto err_close;
	d->listen_fd = fd;
	return ep_add(fd, &d->tag_listen);

err_close:
	close(fd);
	return err;
}

static void on_listen(struct vdev *d)
{
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (d->conn_fd >= 0) {
		xv_warn("%s: refusing a second frontend", d->name);
		close(fd);
		return;
	}
	attach_conn(d, fd);
}

static void on_conn(struct vdev *d)
{
	struct xv_vu_msg msg, reply;
	bool send_reply;
	int err;

	err = xv_vu_recv(d->conn_fd, &msg);
	if (err) {
		if (err != -ECONNRESET)
			xv_warn("%s: bad vhost-user stream: %s", d->name,
				strerror(-err));
		drop_conn(d);
		return;
	}
	xv_dbg("%s: vhost-user %s", d->name,
	       xv_vu_request_name(msg.hdr.request));
	err = xv_vu_handle(&d->vu, &msg, &reply, &send_reply);
	if (err)
		xv_warn("%s: vhost-user %s (%u) refused: %s", d->name,
			xv_vu_request_name(msg.hdr.request), msg.hdr.request,
			strerror(-err));
	if (send_reply && xv_vu_send(d->conn_fd, &reply))
		drop_conn(d);
}

/* ---- datapath (loopback) ---- */

static void log_broken(struct vdev *d)
{
	unsigned int q, e;

	if (d->broken_logged)
		return;
	d->broken_logged = true;
	for (q = 0; q < VU_MAX_VQS; q++)
		for (e = 0; e < XV_VQ_ERR_MAX; e++)
			if (d->vu.vrings[q].vq.errors[e])
				xv_warn("%s: device broken: vring %u: %s",
					d->name, q, xv_vq_error_name(e));
}

static void run_pair(struct vdev *d, unsigned int pair)
{
	struct xv_vu_vring *rx = &d->vu.vrings[2 * pair];
	struct xv_vu_vring *tx = &d->vu.vrings[2 * pair + 1];
	int n;

	do {
		n = xv_loopback_run(&d->vu, pair, &d->lb[pair], LOOP_BUDGET);
		if (n < 0) {
			log_broken(d);
			return;
		}
		if (!rx->started || !tx->started)
			return;
		tx->vq.ops->enable_kicks(&tx->vq, true);
		rx->vq.ops->enable_kicks(&rx->vq, true);
	} while (n > 0);
}

static void on_kick(struct vdev *d, unsigned int qidx)
{
	uint64_t v;

	if (read(d->vu.vrings[qidx].kick_fd, &v, sizeof(v)) < 0 &&
	    errno != EAGAIN)
		return;
	run_pair(d, qidx / 2);
}

static void on_event(struct ep_tag *t)
{
	switch (t->kind) {
	case TAG_LISTEN:
		on_listen(t->dev);
		break;
	case TAG_CONN:
		on_conn(t->dev);
		break;
	case TAG_KICK:
		on_kick(t->dev, t->qidx);
		break;
	}
}

/* Timers: client reconnects, and a sweep for kicks a frontend skipped. */
static void on_tick(struct vdpad *v)
{
	uint64_t now = now_ms();
	unsigned int i, p;

	for (i = 0; i < v->ndevs; i++) {
		struct vdev *d = &v->devs[i];

		if (d->client && d->conn_fd < 0 && now >= d->next_connect_ms)
			try_connect(d);
		for (p = 0; d->conn_fd >= 0 && p < d->vu.cfg.max_queue_pairs;
		     p++)
			run_pair(d, p);
	}
}

static void run(struct vdpad *v)
{
	struct epoll_event evs[32];
	uint64_t last_tick = 0;
	int i, n;

	while (!stop_requested) {
		n = epoll_wait(v->epfd, evs, 32, 50);
		for (i = 0; i < n; i++)
			on_event(evs[i].data.ptr);
		if (now_ms() - last_tick >= 50) {
			on_tick(v);
			last_tick = now_ms();
		}
	}
}

/* ---- setup ---- */

static int parse_spec_opt(struct vdev *d, const char *opt)
{
	struct group *g;
	char *end;

	if (!strcmp(opt, "client")) {
		d->client = true;
	} else if (!strcmp(opt, "server")) {
		d->client = false;
	} else if (!strncmp(opt, "mode=", 5)) {
		d->mode = (mode_t)strtoul(opt + 5, &end, 8);
		if (*end || !d->mode || d->mode > 0777)
			return -EINVAL;
	} else if (!strncmp(opt, "mq=", 3)) {
		unsigned long n = strtoul(opt + 3, &end, 10);

		if (*end || !n || n > VU_MAX_QUEUE_PAIRS)
			return -EINVAL;
		d->vu.cfg.max_queue_pairs = (uint16_t)n;
	} else if (!strncmp(opt, "features=", 9)) {
		/* The virtio features offered: a subset of what vdpad has. */
		unsigned long long f = strtoull(opt + 9, &end, 16);

		if (*end || (f & ~d->vu.cfg.features))
			return -EINVAL;
		d->vu.cfg.features = f;
	} else if (!strncmp(opt, "group=", 6)) {
		g = getgrnam(opt + 6);
		if (!g)
			return -ENOENT;
		d->gid = g->gr_gid;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* SPEC: PATH[,server|client][,mode=OCTAL][,group=NAME][,mq=N][,features=HEX] */
static int parse_spec(struct vdev *d, const char *spec)
{
	char buf[256], *opt, *save;
	int err;

	if (strlen(spec) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, spec);
	opt = strtok_r(buf, ",", &save);
	if (!opt || strlen(opt) >= sizeof(d->path))
		return -ENAMETOOLONG;
	strcpy(d->path, opt);
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
	snprintf(d->name, sizeof(d->name), "dev%u", idx);
	d->listen_fd = d->conn_fd = -1;
	d->gid = (gid_t)-1;
	d->backoff_ms = BACKOFF_MIN_MS;
	xv_vu_config_default(&cfg);
	xv_vu_dev_init(&d->vu, &cfg);
	d->vu.ring_cb = on_ring;
	d->vu.cb_opaque = d;
	d->tag_listen = (struct ep_tag){ TAG_LISTEN, 0, d };
	d->tag_conn = (struct ep_tag){ TAG_CONN, 0, d };
	for (q = 0; q < VU_MAX_VQS; q++) {
		d->tag_kick[q] = (struct ep_tag){ TAG_KICK, q, d };
		d->kick_in_ep[q] = -1;
	}
}

static int vdev_start(struct vdev *d)
{
	int err;

	if (d->client) {
		try_connect(d);
		xv_info("%s: vhost-user client of %s", d->name, d->path);
		return 0;
	}
	err = listen_on(d);
	if (err)
		xv_err("%s: cannot listen on %s: %s", d->name, d->path,
		       strerror(-err));
	else
		xv_info("%s: vhost-user server on %s", d->name, d->path);
	return err;
}

static void vdev_stop(struct vdev *d)
{
	drop_conn(d);
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		unlink(d->path);
	}
}

static void print_stats(const struct vdev *d)
{
	struct xv_loopback_stats s = {};
	unsigned int p, r;

	for (p = 0; p < VU_MAX_QUEUE_PAIRS; p++) {
		s.rx.packets += d->lb[p].rx.packets;
		s.rx.bytes += d->lb[p].rx.bytes;
		for (r = 0; r < XV_NET_DROP_MAX; r++) {
			s.rx.drops[r] += d->lb[p].rx.drops[r];
			s.tx.drops[r] += d->lb[p].tx.drops[r];
		}
	}
	printf("%s loopback: %llu packets %llu bytes; dropped rx no_buffer %llu too_big %llu; tx short %llu too_big %llu; broken %s\n",
	       d->name, (unsigned long long)s.rx.packets,
	       (unsigned long long)s.rx.bytes,
	       (unsigned long long)s.rx.drops[XV_NET_DROP_NO_BUFFER],
	       (unsigned long long)s.rx.drops[XV_NET_DROP_TOO_BIG],
	       (unsigned long long)s.tx.drops[XV_NET_DROP_SHORT],
	       (unsigned long long)s.tx.drops[XV_NET_DROP_TOO_BIG],
	       d->broken_logged ? "yes" : "no");
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vdpad --loopback SPEC [--loopback SPEC ...] [-l LEVEL]\n"
		"  --loopback SPEC    a vhost-user device whose TX returns on RX;\n"
		"                     SPEC = PATH[,server|client][,mode=OCTAL][,group=NAME]\n"
		"                            [,mq=N][,features=HEX]\n"
		"  -l, --log-level L  error, warn, info (default) or debug\n");
}

static int parse_args(int argc, char **argv, struct vdpad *v)
{
	static const struct option opts[] = {
		{ "loopback", required_argument, NULL, 'L' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	enum xv_log_level lvl;
	int c;

	while ((c = getopt_long(argc, argv, "l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'L':
			if (v->ndevs == MAX_DEVS)
				return -E2BIG;
			vdev_init(&v->devs[v->ndevs], v->ndevs);
			if (parse_spec(&v->devs[v->ndevs], optarg))
				return -EINVAL;
			v->ndevs++;
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
	return v->ndevs && optind == argc ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	static struct vdpad v;
	unsigned int i;
	int err = 0;

	the_daemon = &v;
	xv_log_set_level(XV_LOG_INFO);
	if (parse_args(argc, argv, &v)) {
		usage(stderr);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	v.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (v.epfd < 0)
		return 1;
	for (i = 0; i < v.ndevs && !err; i++)
		err = vdev_start(&v.devs[i]);
	if (!err)
		run(&v);
	for (i = 0; i < v.ndevs; i++) {
		vdev_stop(&v.devs[i]);
		print_stats(&v.devs[i]);
	}
	return err ? 1 : 0;
}
