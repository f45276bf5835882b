/* SPDX-License-Identifier: GPL-2.0-only */
/* The plugin's per-attachment state files and its lock. */
#ifndef XVDPA_CNI_STATE_H
#define XVDPA_CNI_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cni.h"

int cni_mkdir_p(const char *path, mode_t mode);
/* A directory the configuration names (made if @create): symlinks in it
 * are the administrator's and followed. */
int cni_dir_open(const char *path, mode_t mode, bool create, int *fd);
/* @name in @parent (made if @create, *@made says whether it was): never
 * through a symlink (-ELOOP), and ours (-EPERM otherwise). */
int cni_subdir_open(int parent, const char *name, mode_t mode, bool create,
		    bool *made, int *fd);
/* @name in @dir for reading: a regular file (-EBADMSG otherwise), never
 * through a symlink (-ELOOP), without blocking on a FIFO. */
int cni_file_open(int dir, const char *name, int *fd);
int cni_state_dir_open(const struct cni_conf *c, bool create, int *fd);
int cni_state_lock(const struct cni_conf *c, int *fd);
int cni_state_save(const struct cni_conf *c, const char *cid,
		   const char *ifname, json_t *st);
int cni_state_load(const struct cni_conf *c, const char *cid,
		   const char *ifname, json_t **st);
int cni_state_remove(const struct cni_conf *c, const char *cid,
		     const char *ifname);
int cni_state_foreach(const struct cni_conf *c,
		      int (*fn)(json_t *st, void *data), void *data);

#endif /* XVDPA_CNI_STATE_H */
