/* SPDX-License-Identifier: GPL-2.0-only */
/* The plugin's per-attachment state files and its lock. */
#ifndef XVDPA_CNI_STATE_H
#define XVDPA_CNI_STATE_H

#include <limits.h>
#include <sys/types.h>

#include "cni.h"

int cni_mkdir_p(const char *path, mode_t mode);
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
