/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * UNIX socket paths that a root daemon handles for unprivileged clients:
 * opened without following any symlink, created with their mode and group
 * in one step (no chmod or chown of a path afterwards), and removed only
 * when the node is still the one this process created.
 */
#ifndef XVDPA_SOCKPATH_H
#define XVDPA_SOCKPATH_H

#include <stdbool.h>
#include <sys/types.h>
#include <sys/un.h>

#define XV_SUN_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

struct xv_sock_path {
	char canon[XV_SUN_PATH_MAX]; /* absolute and normalised */
	char name[XV_SUN_PATH_MAX]; /* its last component */
	int dirfd; /* O_PATH, its directory; -1: not open */
	dev_t dev; /* the node this process created (ino 0: none) */
	ino_t ino;
};

void xv_sock_path_init(struct xv_sock_path *sp);
/* Normalises @path (relative to the working directory if not absolute)
 * into sp->canon without touching the file system. */
int xv_sock_path_set(struct xv_sock_path *sp, const char *path);
/* Replaces sp->canon's directory by its real path (symlinks resolved),
 * for paths from a trusted source; a missing directory is left as it is. */
void xv_sock_path_resolve_dir(struct xv_sock_path *sp);
/* Opens sp->canon's directory one component at a time, refusing any
 * component that is a symlink or not a directory (-ENOTDIR). */
int xv_sock_path_open_dir(struct xv_sock_path *sp);
void xv_sock_path_close(struct xv_sock_path *sp);

/*
 * Binds and listens a socket of @type (SOCK_STREAM, SOCK_SEQPACKET; with
 * SOCK_CLOEXEC/SOCK_NONBLOCK as wanted) at sp, created with @mode (0:
 * the umask's) and group @gid ((gid_t)-1: ours). Whatever is at the path
 * stays untouched (-EEXIST) unless it is a socket we own that nobody
 * listens on (a stale one of ours, replaced). A live socket: -EADDRINUSE.
 * Records the node for xv_sock_path_unlink. Returns the fd or -errno.
 */
int xv_sock_listen(struct xv_sock_path *sp, int type, mode_t mode, gid_t gid,
		   int backlog);
/* Connects a socket of @type to the socket at sp without following a
 * symlink at its last component. Returns the fd or -errno. */
int xv_sock_connect(struct xv_sock_path *sp, int type);
/* Removes the node xv_sock_listen made, if it is still that node. */
int xv_sock_path_unlink(struct xv_sock_path *sp);

#endif /* XVDPA_SOCKPATH_H */
