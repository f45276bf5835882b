/* SPDX-License-Identifier: GPL-2.0-only */
/* The daemon: its devices (device/), control socket, PFs and state file,
 * shared by its main loop, control server, mgmt.c and state.c. */
#ifndef XVDPA_VDPAD_H
#define XVDPA_VDPAD_H

#include <net/if.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ctl_conn.h"
#include "device.h"
#include "eswitch.h"
#include "sockpath.h"
#include "util.h"

#include <jansson.h>

#define MAX_PFS 16

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
	struct xv_devs devs; /* devices, datapath threads, the poll (epfd) */
	int ctl_fd; /* control socket, -1 when none */
	const char *ctl_path;
	struct xv_sock_path ctl_sock;
	uid_t ctl_peer_uid; /* the uid of the control request being served */
	uint64_t next_retry_ms; /* stopped devices and PFs: next attempt */
	const char *state_path; /* NULL: nothing is saved */
	gid_t ctl_gid; /* (gid_t)-1: root only */
	struct ep_tag tag_ctl;
	struct xv_ctl_conns ctl_conns; /* the control socket's clients */
	struct ep_tag ctl_tags[XV_CTL_CONN_MAX]; /* one per ctl_conns slot */
	uint64_t ctl_pressure_ms; /* refusals last logged */
	struct vpf pfs[MAX_PFS];
};

/* The control socket (daemon/ctl_socket.c): served, its clients
 * accepted (or refused) and expired, closed. */
int vdpad_ctl_start(struct vdpad *v);
void vdpad_ctl_stop(struct vdpad *v);
void vdpad_ctl_on_accept(struct vdpad *v);
void vdpad_ctl_on_conn(struct vdpad *v, struct ep_tag *t);
void vdpad_ctl_expire(struct vdpad *v, uint64_t now);
void vdpad_ctl_print_stats(const struct vdpad *v);

/* Emulated PFs (daemon/mgmt.c), for the control server and the state
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
struct xv_dev *vdpad_pf_user(struct vdpad *v, const char *pf,
			     unsigned int numvfs);
json_t *vdpad_pfs_json(const struct vdpad *v);
/* Brings up the saved PFs that are not up yet, when their uplink exists. */
void vdpad_pfs_retry(struct vdpad *v);
/* Restores saved PFs: adopts those still pinned (same uplink and numvfs),
 * re-creates the missing, re-applies VF attributes. One that cannot be
 * brought up is kept (and retried); an invalid entry is counted in
 * *@rejected and left out. */
int vdpad_pfs_restore(struct vdpad *v, json_t *pfs, unsigned int *rejected);

/* The state file (daemon/state.c): PFs and devices added at run time. */
int vdpad_state_save(struct vdpad *v, char *err, size_t errlen);
int vdpad_state_load(struct vdpad *v);

#endif /* XVDPA_VDPAD_H */
