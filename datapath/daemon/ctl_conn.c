// SPDX-License-Identifier: GPL-2.0-only
/* vdpad's table of control connections (see ctl_conn.h). */
#include <errno.h>

#include "ctl_conn.h"

unsigned int xv_ctl_conns_of_uid(const struct xv_ctl_conns *c, uid_t uid)
{
	unsigned int i, n = 0;

	for (i = 0; i < XV_CTL_CONN_MAX; i++)
		n += c->slot[i].used && c->slot[i].uid == uid;
	return n;
}

static int free_slot(const struct xv_ctl_conns *c)
{
	unsigned int i;

	for (i = 0; i < XV_CTL_CONN_MAX; i++)
		if (!c->slot[i].used)
			return (int)i;
	return -1;
}

/* The non-root connection accepted first, or -1. */
static int oldest_non_root(const struct xv_ctl_conns *c)
{
	int i, best = -1;

	for (i = 0; i < XV_CTL_CONN_MAX; i++) {
		const struct xv_ctl_slot *s = &c->slot[i];

		if (s->used && s->uid != 0 &&
		    (best < 0 || s->since_ms < c->slot[best].since_ms))
			best = i;
	}
	return best;
}

/* Room for root: the oldest non-root client's slot, else a free one. */
static int make_room(struct xv_ctl_conns *c, int *evicted_fd)
{
	int i = oldest_non_root(c);

	if (i < 0)
		return free_slot(c);
	*evicted_fd = xv_ctl_conns_release(c, (unsigned int)i);
	c->stats.evicted++;
	return i;
}

int xv_ctl_conns_admit(struct xv_ctl_conns *c, int fd, uid_t uid,
		       uint64_t now_ms, bool fds_low, int *evicted_fd)
{
	int i = fds_low ? -1 : free_slot(c);

	*evicted_fd = -1;
	if (uid != 0 && xv_ctl_conns_of_uid(c, uid) >= XV_CTL_CONN_PER_UID) {
		c->stats.refused_per_uid++;
		return -EUSERS;
	}
	if (i < 0 && uid == 0)
		i = make_room(c, evicted_fd);
	if (i < 0 && fds_low && uid != 0) {
		c->stats.refused_fds++;
		return -EMFILE;
	}
	if (i < 0) {
		c->stats.refused_full++;
		return -ENOSPC;
	}
	c->slot[i] = (struct xv_ctl_slot){ true, fd, uid, now_ms };
	c->open++;
	c->stats.accepted++;
	return i;
}

int xv_ctl_conns_release(struct xv_ctl_conns *c, unsigned int i)
{
	int fd;

	if (i >= XV_CTL_CONN_MAX || !c->slot[i].used)
		return -1;
	fd = c->slot[i].fd;
	c->slot[i].used = false;
	c->open--;
	return fd;
}

int xv_ctl_conns_expire_one(struct xv_ctl_conns *c, uint64_t now_ms)
{
	unsigned int i;

	for (i = 0; i < XV_CTL_CONN_MAX; i++) {
		const struct xv_ctl_slot *s = &c->slot[i];

		if (s->used && now_ms >= s->since_ms + XV_CTL_CONN_TIMEOUT_MS) {
			c->stats.timed_out++;
			return xv_ctl_conns_release(c, i);
		}
	}
	return -1;
}
