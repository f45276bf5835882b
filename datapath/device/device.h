/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vdpad's devices: each a vhost-user socket (server: vdpad listens;
 * client: vdpad connects, and reconnects with backoff) joined to a
 * backend (engine/backend.h), and the datapath threads that poll them
 * (dpthread.c). Everything a device needs it reaches through its own
 * structs: its set (struct xv_devs) and its thread (struct dp_thread).
 */
#ifndef XVDPA_DEVICE_H
#define XVDPA_DEVICE_H

#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "backend.h"
#include "cycles.h"
#include "devcfg.h"
#include "qstats.h"
#include "sockpath.h"
#include "util.h"
#include "vhost_user.h"

#define MAX_DEVS 16
#define MAX_DP_THREADS 8
#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 2000
/* How long a busy datapath thread polls without work before it sleeps. */
#define BUSY_POLL_NS 500000ull
#define IDLE_WAIT_MS 100
/* Devices (and the daemon's PFs) that could not start are retried this
 * often. */
#define RETRY_MS 1000
/*
 * An accept that fails for lack of fds leaves the connection pending and
 * its listening socket readable: polling it again at once would spin. So
 * every listening socket (fds run out for the whole process) is left out
 * of the poll for ACCEPT_PAUSE_MS, then put back from the loop's tick.
 */
#define ACCEPT_PAUSE_MS 150

enum tag_kind {
	TAG_LISTEN,
	TAG_CONN,
	TAG_KICK,
	TAG_XSK,
	TAG_CTL,
	TAG_CTL_CONN,
	TAG_WAKE
};

struct xv_dev;

struct ep_tag {
	enum tag_kind kind;
	unsigned int qidx;
	struct xv_dev *dev;
	int fd; /* TAG_CTL_CONN: the client's connection */
};

/*
 * A datapath thread. The control thread adds a device by filling a slot
 * and then publishing the count (release); it removes one by marking it
 * dying, waiting for the thread to pass two loop boundaries (epoch), then
 * unpublishing it and waiting again before tearing it down.
 */
struct dp_thread {
	pthread_t tid;
	int epfd;
	int wake_fd; /* eventfd: the control thread wakes a sleeping loop */
	int cpu; /* -1: not pinned */
	bool stop; /* set (__atomic) to end the thread */
	unsigned int ndevs; /* published with __atomic (release/acquire) */
	struct xv_dev *devs[MAX_DEVS];
	unsigned long epoch; /* loop iterations, for quiescence */
	struct ep_tag tag_wake;
	struct xv_chain chain; /* scratch, this thread only */
};

struct xv_devs;

struct xv_dev {
	bool used; /* slot holds a device */
	bool persist; /* added at run time: saved in the state file */
	uid_t owner; /* the control client that added it (0: root) */
	/* How it was made (lib/devcfg.h): socket, mode, netdev, limits;
	 * what the state file saves and dev show shows. */
	struct xv_dev_cfg cfg;
	bool dying; /* being removed: the datapath skips it */
	char name[XV_DEV_NAME_MAX + 1];
	struct xv_sock_path sock; /* its vhost-user socket (canon: the path) */
	/* Not running: kept (and saved) but not started, e.g. a saved device
	 * whose netdev is not there yet; retried from the main loop. */
	bool running;
	char start_err[160]; /* why it is not running */
	uint64_t next_start_ms;
	int listen_fd;
	int conn_fd;
	struct xv_vu_rxbuf rxbuf; /* a message still arriving */
	uint64_t next_connect_ms;
	unsigned int backoff_ms;
	pthread_mutex_t lock; /* rings, memory: control vs datapath */
	struct xv_vu_dev vu;
	struct xv_backend be; /* what its queue pairs are joined to */
	struct xv_devs *set; /* the set it belongs to */
	struct dp_thread *dpt;
	struct xv_qstats qs[VU_MAX_QUEUE_PAIRS];
	struct ep_tag tag_listen, tag_conn, tag_kick[VU_MAX_VQS], tag_xsk;
	int kick_in_ep[VU_MAX_VQS];
	bool broken_logged; /* this session's breakage was logged */
	unsigned int broken_sessions; /* frontend sessions that broke */
	/* Datapath polls that moved frames or woke the kernel, and the
	 * cycles they took (cycles.h); written by the datapath thread only. */
	uint64_t busy_polls;
	uint64_t busy_cycles;
};

/* Every device, the datapath threads, and the control thread's poll. */
struct xv_devs {
	int epfd; /* the control thread's: listening sockets, frontends */
	/* Where non-root control clients may have sockets, and where default
	 * sockets go: a directory vdpad owns (root, not writable by others). */
	char sock_dir[XV_SUN_PATH_MAX];
	const char *reserved_sock; /* no device's (the control socket) */
	/* Another listening socket paused with the devices' when fds run
	 * out (the control socket; -1: none), and its tag. */
	int extra_listen_fd;
	struct ep_tag *extra_listen_tag;
	const unsigned int *conns_open; /* control connections, for the log */
	uint64_t accept_paused_until; /* 0: accepting */
	bool accept_starved; /* in an episode, logged */
	uint64_t accept_emfile; /* accepts that failed for lack of fds */
	unsigned int ndevs;
	struct xv_dev dev[MAX_DEVS];
	unsigned int nthreads;
	struct dp_thread threads[MAX_DP_THREADS];
};

/* Runtime device management (control thread). */
struct xv_dev_req {
	/* Checked with xv_dev_cfg_check; its name is the device's. Group
	 * and features are resolved by xv_dev_add. */
	const struct xv_dev_cfg *cfg;
	bool persist; /* save it in the state file */
	bool privileged; /* from root: its socket may be anywhere */
	uid_t owner; /* who asked for it (0: root, the command line) */
	/* Kept, as not running, when it cannot start (saved devices). */
	bool keep_stopped;
};

static inline uint64_t xv_now_ms(void)
{
	return xv_mono_ns() / 1000000;
}

int xv_ep_add(int epfd, int fd, struct ep_tag *tag);

/* An empty set: no device, no thread, no poll, no socket directory yet. */
void xv_devs_init(struct xv_devs *s);
/* A command-line device: --dev SPEC (netdev=) or --loopback SPEC (the
 * SPEC of lib/devcfg.h; logged when bad), started by
 * xv_devs_start_cmdline. */
int xv_devs_add_cmdline(struct xv_devs *s, const char *spec, bool loopback);
/* Makes the datapath threads' polls (one thread unless threads[].cpu
 * were set) and gives them the command-line devices. */
int xv_devs_setup_threads(struct xv_devs *s);
int xv_devs_start_cmdline(struct xv_devs *s);

int xv_dev_add(struct xv_devs *s, const struct xv_dev_req *req,
	       struct xv_dev **out, char *err, size_t errlen);
int xv_dev_del(struct xv_devs *s, struct xv_dev *d);
/* The device named @name, or NULL. */
struct xv_dev *xv_dev_find(struct xv_devs *s, const char *name);
/* Is netdev @ifname already bound by a device? */
bool xv_netdev_in_use(const struct xv_devs *s, const char *ifname);
/* Is @d joined to a netdev (not loopback)? */
static inline bool xv_dev_has_netdev(const struct xv_dev *d)
{
	return d->be.ops->uses_netdev;
}
/* @d's counters summed over its queue pairs. */
void xv_dev_qstats(const struct xv_dev *d, struct xv_qstats *sum);

/* The control thread's poll: a listening socket or a frontend. */
void xv_dev_on_event(struct ep_tag *t);
/* Periodic (control thread): client devices reconnect when due. */
void xv_devs_tick(struct xv_devs *s, uint64_t now);
/* Starts the devices that are not running whose netdev is there now. */
void xv_devs_retry_stopped(struct xv_devs *s);
/* An accept failed with @err: out of fds pauses every listener. */
void xv_devs_accept_failed(struct xv_devs *s, int err, const char *what);
void xv_devs_accept_succeeded(struct xv_devs *s);
/* The listeners paused for ACCEPT_PAUSE_MS are polled again. */
void xv_devs_accept_resume(struct xv_devs *s, uint64_t now);
/* At exit: every device's counters printed, then it is stopped. */
void xv_devs_shutdown(struct xv_devs *s);

/* The datapath threads (dpthread.c). */
int xv_dp_threads_start(struct xv_devs *s);
void xv_dp_threads_stop(struct xv_devs *s);
/* Wakes @t if it sleeps: it polls its devices at once. */
int xv_dp_wake(struct dp_thread *t);
/* Waits until @t has passed two loop boundaries: whatever it read before
 * the caller's last store, it no longer uses. */
void xv_dp_quiesce(struct dp_thread *t);

#endif /* XVDPA_DEVICE_H */
