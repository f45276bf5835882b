/* SPDX-License-Identifier: GPL-2.0-only */
/* vdpad's control socket: the server side of lib/ctl_proto.h. */
#ifndef XVDPA_CTL_SERVER_H
#define XVDPA_CTL_SERVER_H

#include <jansson.h>
#include <sys/types.h>

struct vdpad;

/* Listens on @path (mode 0600, or 0660 with group @gid); v->ctl_sock
 * records it. */
int xv_ctl_listen(struct vdpad *v, const char *path, gid_t gid);
/* Accepts a client; returns its fd (*@uid: the peer's, from SO_PEERCRED;
 * (uid_t)-1 if unknown) or -errno. */
int xv_ctl_accept(struct vdpad *v, uid_t *uid);
/* Answers @fd's request, unread, with error @status and @msg. */
void xv_ctl_refuse(int fd, int status, const char *msg);
/* Reads one request from @fd, checks the peer's credentials, answers;
 * the caller then closes @fd. Returns -EAGAIN when there was nothing to
 * read yet (keep @fd), else 0. */
int xv_ctl_serve(struct vdpad *v, int fd);
/* Validates and runs one request (pure of I/O): returns the response. */
json_t *xv_ctl_dispatch(struct vdpad *v, json_t *req);

#endif /* XVDPA_CTL_SERVER_H */
