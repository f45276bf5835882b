// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpad's control socket: served, its clients accepted into the table of
 * control connections (or refused, with the reason), one request each
 * (ctl_server.c), and closed when they send nothing in time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ctl_server.h"
#include "device.h"
#include "log.h"
#include "vdpad.h"

/* Refusals, evictions and time-outs: logged at most every 10 s, with
 * the totals so far. */
static void ctl_log_pressure(struct vdpad *v)
{
	const struct xv_ctl_conn_stats *s = &v->ctl_conns.stats;
	uint64_t now = xv_now_ms();

	if (v->ctl_pressure_ms && now - v->ctl_pressure_ms < 10000)
		return;
	v->ctl_pressure_ms = now;
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

void vdpad_ctl_on_accept(struct vdpad *v)
{
	int fd, i, evicted;
	uid_t uid;

	fd = xv_ctl_accept(v, &uid);
	if (fd < 0) {
		xv_devs_accept_failed(&v->devs, -fd, "control socket");
		return;
	}
	xv_devs_accept_succeeded(&v->devs);
	i = xv_ctl_conns_admit(&v->ctl_conns, fd, uid, xv_now_ms(), fds_low(fd),
			       &evicted);
	if (evicted >= 0)
		close(evicted); /* closing takes it out of the poll */
	if (i < 0 || evicted >= 0)
		ctl_log_pressure(v);
	if (i < 0) {
		ctl_refuse(fd, i, uid);
		return;
	}
	v->ctl_tags[i] = (struct ep_tag){ .kind = TAG_CTL_CONN,
					  .qidx = (unsigned int)i,
					  .fd = fd };
	if (xv_ep_add(v->devs.epfd, fd, &v->ctl_tags[i]))
		close(xv_ctl_conns_release(&v->ctl_conns, (unsigned int)i));
}

/* One request per connection: answer it and hang up. An event for a slot
 * closed earlier in this batch is dropped; one for a slot reused since
 * finds nothing to read yet, and the connection waits. */
void vdpad_ctl_on_conn(struct vdpad *v, struct ep_tag *t)
{
	if (!v->ctl_conns.slot[t->qidx].used ||
	    xv_ctl_serve(v, v->ctl_conns.slot[t->qidx].fd) == -EAGAIN)
		return;
	close(xv_ctl_conns_release(&v->ctl_conns, t->qidx));
}

/* Closes the control connections that sent nothing in time. */
void vdpad_ctl_expire(struct vdpad *v, uint64_t now)
{
	int fd, n = 0;

	while ((fd = xv_ctl_conns_expire_one(&v->ctl_conns, now)) >= 0) {
		close(fd);
		n++;
	}
	if (n)
		ctl_log_pressure(v);
}

void vdpad_ctl_print_stats(const struct vdpad *v)
{
	const struct xv_ctl_conn_stats *s = &v->ctl_conns.stats;

	printf("control: accepted %llu refused_full %llu refused_per_uid %llu refused_fds %llu evicted %llu timed_out %llu; accept_emfile %llu\n",
	       (unsigned long long)s->accepted,
	       (unsigned long long)s->refused_full,
	       (unsigned long long)s->refused_per_uid,
	       (unsigned long long)s->refused_fds,
	       (unsigned long long)s->evicted, (unsigned long long)s->timed_out,
	       (unsigned long long)v->devs.accept_emfile);
}

/* Refuses to take over the socket of a vdpad that is still running, and
 * anything at the path that is not a stale socket of vdpad's. */
int vdpad_ctl_start(struct vdpad *v)
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
	/* No device takes its path; it pauses with theirs when fds run out. */
	v->devs.reserved_sock = v->ctl_sock.canon;
	v->devs.extra_listen_fd = v->ctl_fd;
	v->devs.extra_listen_tag = &v->tag_ctl;
	v->devs.conns_open = &v->ctl_conns.open;
	return xv_ep_add(v->devs.epfd, v->ctl_fd, &v->tag_ctl);
}

void vdpad_ctl_stop(struct vdpad *v)
{
	unsigned int i;

	for (i = 0; i < XV_CTL_CONN_MAX; i++)
		if (v->ctl_conns.slot[i].used)
			close(xv_ctl_conns_release(&v->ctl_conns, i));
	if (v->ctl_fd < 0)
		return;
	close(v->ctl_fd);
	v->devs.extra_listen_fd = -1;
	xv_sock_path_unlink(&v->ctl_sock);
	xv_sock_path_close(&v->ctl_sock);
	v->devs.reserved_sock = NULL;
	v->ctl_fd = -1;
}
