/* SPDX-License-Identifier: GPL-2.0-only */
/* vdpad's devices and threads, shared by its main loop and control server. */
#ifndef XVDPA_VDPAD_H
#define XVDPA_VDPAD_H

#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/un.h>

#include "afxdp.h"
#include "ctl_conn.h"
#include "eswitch.h"
#include "loopback.h"
#include "sockpath.h"
#include "util.h"
#include "vhost_user.h"

#include <jansson.h>

#define MAX_DEVS 16
#define MAX_PFS 16
#define MAX_DP_THREADS 8
#define LOOP_BUDGET 256
#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 2000
/* How long a busy datapath thread polls without work before it sleeps. */
#define BUSY_POLL_NS 500000ull
#define IDLE_WAIT_MS 100
/* Devices and PFs that could not start are retried this often. */
#define RETRY_MS 1000

enum tag_kind {
	TAG_LISTEN,
	TAG_CONN,
	TAG_KICK,
	TAG_XSK,
	TAG_CTL,
	TAG_CTL_CONN,
	TAG_WAKE
};

struct vdev;

struct ep_tag {
	enum tag_kind kind;
	unsigned int qidx;
	struct vdev *dev;
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
	unsigned int ndevs; /* published with __atomic (release/acquire) */
	struct vdev *devs[MAX_DEVS];
	unsigned long epoch; /* loop iterations, for quiescence */
	struct ep_tag tag_wake;
	struct xv_chain chain; /* scratch, this thread only */
};

struct vdev {
	bool used; /* slot holds a device */
	bool persist; /* added at run time: saved in the state file */
	uid_t owner; /* the control client that added it (0: root) */
	char spec[512]; /* how it was made (--dev/--loopback SPEC) */
	bool dying; /* being removed: the datapath skips it */
	char name[XV_DEV_NAME_MAX + 1];
	struct xv_sock_path sock; /* its vhost-user socket (canon: the path) */
	/* Not running: kept (and saved) but not started, e.g. a saved device
	 * whose netdev is not there yet; retried from the main loop. */
	bool running;
	char start_err[160]; /* why it is not running */
	uint64_t next_start_ms;
	char netdev[IF_NAMESIZE]; /* empty: loopback */
	bool client;
	mode_t mode; /* 0: leave as umask made it */
	gid_t gid; /* (gid_t)-1: leave */
	int listen_fd;
	int conn_fd;
	struct xv_vu_rxbuf rxbuf; /* a message still arriving */
	uint64_t next_connect_ms;
	unsigned int backoff_ms;
	pthread_mutex_t lock; /* rings, memory: control vs datapath */
	struct xv_vu_dev vu;
	struct xv_xsk_port port;
	struct dp_thread *dpt;
	struct xv_loopback_stats lb[VU_MAX_QUEUE_PAIRS];
	struct xv_dp_qstats qs[VU_MAX_QUEUE_PAIRS];
	struct ep_tag tag_listen, tag_conn, tag_kick[VU_MAX_VQS], tag_xsk;
	int kick_in_ep[VU_MAX_VQS];
	bool broken_logged; /* this session's breakage was logged */
	unsigned int broken_sessions; /* frontend sessions that broke */
	/* Datapath polls that moved frames or woke the kernel, and the
	 * cycles they took (cycles.h); written by the datapath thread only. */
	uint64_t busy_polls;
	uint64_t busy_cycles;
};

/* An emulated PF that vdpad manages: made or adopted by it, saved in its
 * state file with the VF attributes set through it. */
struct vpf {
	bool used;
	char name[XV_PF_NAME_MAX + 1];
	char uplink[IF_NAMESIZE];
	unsigned int numvfs;
	struct xv_vf_attrs vf[XV_MAX_VFS]; /* .set: what was set */
	bool up; /* made or adopted; false: saved, waiting for its uplink */
	char error[160]; /* why it is not up */
};

struct vdpad {
	int epfd;
	int ctl_fd; /* control socket, -1 when none */
	const char *ctl_path;
	struct xv_sock_path ctl_sock;
	/* Where non-root control clients may have sockets, and where default
	 * sockets go: a directory vdpad owns (root, not writable by others). */
	char sock_dir[XV_SUN_PATH_MAX];
	uid_t ctl_peer_uid; /* the uid of the control request being served */
	uint64_t next_retry_ms; /* stopped devices and PFs: next attempt */
	const char *state_path; /* NULL: nothing is saved */
	gid_t ctl_gid; /* (gid_t)-1: root only */
	struct ep_tag tag_ctl;
	struct xv_ctl_conns ctl_conns; /* the control socket's clients */
	unsigned int ndevs;
	struct vdev devs[MAX_DEVS];
	unsigned int nthreads;
	struct dp_thread threads[MAX_DP_THREADS];
	struct vpf pfs[MAX_PFS];
};

/* Runtime device management (control thread), for the control server. */
struct vdpad_dev_req {
	const char *name;
	const char *spec; /* as --dev/--loopback take it */
	bool loopback;
	bool persist; /* save it in the state file */
	bool privileged; /* from root: its socket may be anywhere */
	uid_t owner; /* who asked for it (0: root, the command line) */
	/* Kept, as not running, when it cannot start (saved devices). */
	bool keep_stopped;
};

int vdpad_dev_add(struct vdpad *v, const struct vdpad_dev_req *req,
		  struct vdev **out, char *err, size_t errlen);
int vdpad_dev_del(struct vdpad *v, struct vdev *d);
/* Starts the devices that are not running whose netdev is there now;
 * also the saved PFs that could not be brought up (control thread). */
void vdpad_retry_stopped(struct vdpad *v);
/* The device named @name, or NULL. */
struct vdev *vdpad_dev_find(struct vdpad *v, const char *name);
/* Is netdev @ifname already bound by a device? */
bool vdpad_netdev_in_use(const struct vdpad *v, const char *ifname);

/* Emulated PFs (datapath/mgmt.c), for the control server and the state
 * file. Each validates before it changes anything; @err says why not. */
struct vpf *vdpad_pf_find(struct vdpad *v, const char *name);
int vdpad_pf_add(struct vdpad *v, const char *name, const char *uplink,
		 unsigned int numvfs, char *err, size_t errlen);
/* Refuses while a device uses one of its VFs. */
int vdpad_pf_del(struct vdpad *v, const char *name, char *err, size_t errlen);
/* Sets @a on VF @vf and remembers it (adopting a PF made without vdpad);
 * undone if the state cannot be saved. */
int vdpad_vf_set(struct vdpad *v, const char *name, unsigned int vf,
		 const struct xv_vf_attrs *a, char *err, size_t errlen);
/* The device bound to one of @pf's VFs, or NULL. */
struct vdev *vdpad_pf_user(struct vdpad *v, const char *pf,
			   unsigned int numvfs);
json_t *vdpad_pfs_json(const struct vdpad *v);
/* Brings up the saved PFs that are not up yet, when their uplink exists. */
void vdpad_pfs_retry(struct vdpad *v);
/* Restores saved PFs: adopts those still pinned (same uplink and numvfs),
 * re-creates the missing, re-applies VF attributes. One that cannot be
 * brought up is kept (and retried); an invalid entry is counted in
 * *@rejected and left out. */
int vdpad_pfs_restore(struct vdpad *v, json_t *pfs, unsigned int *rejected);

/* The state file (datapath/state.c): PFs and devices added at run time. */
int vdpad_state_save(struct vdpad *v, char *err, size_t errlen);
int vdpad_state_load(struct vdpad *v);

#endif /* XVDPA_VDPAD_H */
