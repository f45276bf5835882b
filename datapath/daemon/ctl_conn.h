/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vdpad's control connections: a fixed table of client slots (fd, peer
 * uid, accept time). Bounded: at most XV_CTL_CONN_MAX open, at most
 * XV_CTL_CONN_PER_UID per non-root uid, each closed if it has not sent its
 * request within XV_CTL_CONN_TIMEOUT_MS, and none while the process has
 * fewer than XV_CTL_FD_RESERVE fds left (frontends' connections, memory
 * and eventfds need them). Root is never refused because non-root clients
 * filled the table or the fds: the oldest non-root one makes room.
 * Pure bookkeeping (no I/O): the caller closes the fds it is handed.
 */
#ifndef XVDPA_CTL_CONN_H
#define XVDPA_CTL_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define XV_CTL_CONN_MAX 64
#define XV_CTL_CONN_PER_UID 8
#define XV_CTL_CONN_TIMEOUT_MS 2000
#define XV_CTL_FD_RESERVE 32

struct xv_ctl_slot {
	bool used;
	int fd;
	uid_t uid;
	uint64_t since_ms; /* accepted at */
};

/* What the table did, for `vdpactl daemon show` and the exit summary. */
struct xv_ctl_conn_stats {
	uint64_t accepted; /* given a slot */
	uint64_t refused_full; /* table full of root or of the newcomer's peers */
	uint64_t refused_per_uid; /* the peer's uid had its XV_CTL_CONN_PER_UID */
	uint64_t refused_fds; /* fewer than XV_CTL_FD_RESERVE fds were left */
	uint64_t evicted; /* closed to make room for root */
	uint64_t timed_out; /* no request within XV_CTL_CONN_TIMEOUT_MS */
};

/* All zero is an empty table. */
struct xv_ctl_conns {
	struct xv_ctl_slot slot[XV_CTL_CONN_MAX];
	unsigned int open;
	struct xv_ctl_conn_stats stats;
};

/*
 * Gives connection @fd from @uid, accepted at @now_ms, a slot; @fds_low:
 * the process has fewer than XV_CTL_FD_RESERVE fds left. Returns the
 * slot's index, or (counted) -EUSERS (its uid is at the per-uid cap),
 * -EMFILE (fds low) or -ENOSPC (table full). For root, the oldest non-root
 * connection makes room when the table is full or fds are low:
 * *@evicted_fd gets its fd (counted; the caller closes it), else -1.
 */
int xv_ctl_conns_admit(struct xv_ctl_conns *c, int fd, uid_t uid,
		       uint64_t now_ms, bool fds_low, int *evicted_fd);
/* Frees slot @i (the connection was served); returns its fd or -1. */
int xv_ctl_conns_release(struct xv_ctl_conns *c, unsigned int i);
/* Frees one slot whose connection is older than the timeout at @now_ms
 * (counted) and returns its fd; -1 when there is none. */
int xv_ctl_conns_expire_one(struct xv_ctl_conns *c, uint64_t now_ms);
/* Open connections of @uid. */
unsigned int xv_ctl_conns_of_uid(const struct xv_ctl_conns *c, uid_t uid);

#endif /* XVDPA_CTL_CONN_H */
