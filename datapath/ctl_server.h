/* SPDX-License-Identifier: GPL-2.0-only */
/* vdpad's control socket: the server side of lib/ctl_proto.h. */
#ifndef XVDPA_CTL_SERVER_H
#define XVDPA_CTL_SERVER_H

#include <jansson.h>

struct vdpad;

/* Listens on @path (mode 0600, or 0660 with group @gid); v->ctl_sock
 * records it. */
int xv_ctl_listen(struct vdpad *v, const char *path, gid_t gid);
/* Accepts a client; returns its fd or -errno. */
int xv_ctl_accept(struct vdpad *v);
/* Reads one request from @fd, checks the peer's credentials, answers;
 * the caller closes @fd. */
void xv_ctl_serve(struct vdpad *v, int fd);
/* Validates and runs one request (pure of I/O): returns the response. */
json_t *xv_ctl_dispatch(struct vdpad *v, json_t *req);

#endif /* XVDPA_CTL_SERVER_H */
