// SPDX-License-Identifier: GPL-2.0-only
/*
 * Socket paths without symlinks, races on modes, or removal of what is not
 * ours. The directory is walked one component at a time with O_NOFOLLOW and
 * kept open (O_PATH); the socket is bound and reached through that
 * directory fd (/proc/self/fd/N/NAME), so a component swapped for a symlink
 * after the walk changes nothing. The mode comes from the umask and the
 * group from the thread's fsgid at bind(), so nothing is ever chmod'ed or
 * chown'ed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sockpath.h"
#include "util.h"

void xv_sock_path_init(struct xv_sock_path *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->dirfd = -1;
}

int xv_sock_path_set(struct xv_sock_path *sp, const char *path)
{
	char abs[PATH_MAX], *slash;
	int rc;

	xv_sock_path_close(sp);
	if (!path || !path[0])
		return -EINVAL;
	if (path[0] == '/') {
		if (strlen(path) >= sizeof(abs))
			return -ENAMETOOLONG;
		strcpy(abs, path);
	} else {
		if (!getcwd(abs, sizeof(abs)))
			return -errno;
		if (strlen(abs) + 1 + strlen(path) >= sizeof(abs))
			return -ENAMETOOLONG;
		strcat(abs, "/");
		strcat(abs, path);
	}
	rc = xv_path_normalize(abs, sp->canon, sizeof(sp->canon));
	if (rc)
		return rc;
	slash = strrchr(sp->canon, '/');
	if (!slash[1])
		return -EINVAL; /* "/" itself */
	strcpy(sp->name, slash + 1);
	return 0;
}

void xv_sock_path_resolve_dir(struct xv_sock_path *sp)
{
	char dir[XV_SUN_PATH_MAX], real[PATH_MAX];

	strcpy(dir, sp->canon);
	*strrchr(dir, '/') = 0;
	if (!realpath(dir[0] ? dir : "/", real))
		return;
	if (!strcmp(real, "/"))
		real[0] = 0;
	if (strlen(real) + 1 + strlen(sp->name) >= sizeof(sp->canon))
		return;
	strcpy(sp->canon, real);
	strcat(sp->canon, "/");
	strcat(sp->canon, sp->name);
}

int xv_sock_path_open_dir(struct xv_sock_path *sp)
{
	char dir[XV_SUN_PATH_MAX], *comp, *save;
	int fd, next;

	if (sp->dirfd >= 0)
		return 0;
	strcpy(dir, sp->canon);
	*strrchr(dir, '/') = 0;
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (comp = strtok_r(dir, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		next = openat(fd, comp,
			      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return errno == ELOOP ? -ENOTDIR : -errno;
		fd = next;
	}
	sp->dirfd = fd;
	return 0;
}

void xv_sock_path_close(struct xv_sock_path *sp)
{
	if (sp->dirfd >= 0)
		close(sp->dirfd);
	sp->dirfd = -1;
	sp->ino = 0;
}

/* "/proc/self/fd/N/NAME": @sp's node, reached through its open directory. */
static int via_dirfd(const struct xv_sock_path *sp, struct sockaddr_un *sa)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s",
		     sp->dirfd, sp->name);
	return n < 0 || (size_t)n >= sizeof(sa->sun_path) ? -ENAMETOOLONG : 0;
}

/* Connects @fd to the socket node open as O_PATH fd @node. */
static int connect_node(int fd, int node)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", node);
	return connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
}

/* Opens the node at @sp without following a symlink; it must be a socket. */
static int open_sock_node(const struct xv_sock_path *sp, struct stat *st)
{
	int node = openat(sp->dirfd, sp->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (node < 0)
		return -errno;
	if (fstat(node, st) || !S_ISSOCK(st->st_mode)) {
		close(node);
		return -EEXIST;
	}
	return node;
}

/* Is the socket node @node live (someone listens on it)? */
static int node_live(int node, int type)
{
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int rc;

	if (fd < 0)
		return -errno;
	rc = connect_node(fd, node);
	close(fd);
	if (rc == -ECONNREFUSED)
		return 0;
	/* Connected, backlog full (EAGAIN), or another socket type. */
	return 1;
}

/* Makes room at @sp: nothing there, or a stale socket of ours removed. */
static int clear_stale(const struct xv_sock_path *sp, int type)
{
	struct stat st, again;
	int node, live;

	if (fstatat(sp->dirfd, sp->name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
		return -EEXIST;
	node = open_sock_node(sp, &st);
	if (node < 0)
		return node;
	live = node_live(node, type);
	close(node);
	if (live)
		return live < 0 ? live : -EADDRINUSE;
	if (fstatat(sp->dirfd, sp->name, &again, AT_SYMLINK_NOFOLLOW) ||
	    again.st_ino != st.st_ino || again.st_dev != st.st_dev)
		return -EEXIST;
	return unlinkat(sp->dirfd, sp->name, 0) ? -errno : 0;
}

/* bind() with the node made @mode and group @gid from the start. */
static int bind_owned(int fd, const struct xv_sock_path *sp, mode_t mode,
		      gid_t gid)
{
	struct sockaddr_un sa;
	mode_t old_mask = 0;
	gid_t old_gid = 0;
	int rc;

	rc = via_dirfd(sp, &sa);
	if (rc)
		return rc;
	if (mode)
		old_mask = umask(~mode & 0777);
	if (gid != (gid_t)-1)
		old_gid = (gid_t)setfsgid(gid); /* this thread only */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	if (gid != (gid_t)-1)
		setfsgid(old_gid);
	if (mode)
		umask(old_mask);
	return rc;
}

/* Records the node just bound; it must be our socket, with group @gid
 * (a set-group-ID directory gives its own group: then -EPERM). */
static int record_node(struct xv_sock_path *sp, gid_t gid)
{
	struct stat st;

	if (fstatat(sp->dirfd, sp->name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
		return -EEXIST;
	sp->dev = st.st_dev;
	sp->ino = st.st_ino;
	return gid != (gid_t)-1 && st.st_gid != gid ? -EPERM : 0;
}

int xv_sock_listen(struct xv_sock_path *sp, int type, mode_t mode, gid_t gid,
		   int backlog)
{
	int fd, rc;

	rc = xv_sock_path_open_dir(sp);
	if (rc)
		return rc;
	rc = clear_stale(sp, type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK));
	if (rc)
		return rc;
	fd = socket(AF_UNIX, type, 0);
	if (fd < 0)
		return -errno;
	rc = bind_owned(fd, sp, mode, gid);
	if (rc)
		goto err_close;
	rc = record_node(sp, gid);
	if (rc == -EEXIST)
		goto err_close; /* not ours: left alone */
	if (rc)
		goto err_unlink;
	if (listen(fd, backlog)) {
		rc = -errno;
		goto err_unlink;
	}
	return fd;

err_unlink:
	xv_sock_path_unlink(sp);
err_close:
	close(fd);
	return rc;
}

int xv_sock_connect(struct xv_sock_path *sp, int type)
{
	struct stat st;
	int fd, node, rc;

	rc = xv_sock_path_open_dir(sp);
	if (rc)
		return rc;
	node = open_sock_node(sp, &st);
	if (node < 0)
		return node == -EEXIST ? -ENOTSOCK : node;
	fd = socket(AF_UNIX, type, 0);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = connect_node(fd, node);
	if (rc) {
		close(fd);
		goto out;
	}
	rc = fd;
out:
	close(node);
	return rc;
}

/* Still the node we made? A socket of another user, or anything that is
 * not a socket, never is, even where an inode number was reused. */
static bool is_our_node(const struct xv_sock_path *sp, const struct stat *st)
{
	return S_ISSOCK(st->st_mode) && st->st_uid == geteuid() &&
	       st->st_ino == sp->ino && st->st_dev == sp->dev;
}

int xv_sock_path_unlink(struct xv_sock_path *sp)
{
	struct stat st;

	if (sp->dirfd < 0 || !sp->ino)
		return 0;
	if (fstatat(sp->dirfd, sp->name, &st, AT_SYMLINK_NOFOLLOW) ||
	    !is_our_node(sp, &st)) {
		sp->ino = 0;
		return -ESTALE; /* not the node we made: not ours to remove */
	}
	sp->ino = 0;
	return unlinkat(sp->dirfd, sp->name, 0) ? -errno : 0;
}
