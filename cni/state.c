// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the plugin remembers of each attachment, so DEL, CHECK and GC can
 * undo or verify it: <stateDir>/<network>/<containerID>:<ifname>.json
 * (':' is in neither a container ID nor an interface name, so the name is
 * the attachment's alone), written atomically, all changes under one lock
 * file. Files of earlier versions, <containerID>-<ifname>.json, are still
 * found, but only when what they say they are is the attachment asked for.
 *
 * stateDir is the administrator's; everything below it is opened relative
 * to its directory and never through a symlink.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cni_state.h"
#include "log.h"

int cni_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

int cni_dir_open(const char *path, mode_t mode, bool create, int *fd)
{
	int err = create ? cni_mkdir_p(path, mode) : 0;

	if (err)
		return err;
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

int cni_subdir_open(int parent, const char *name, mode_t mode, bool create,
		    bool *made, int *fd)
{
	struct stat sb;

	if (made)
		*made = false;
	if (create && mkdirat(parent, name, mode)) {
		if (errno != EEXIST)
			return -errno;
	} else if (create && made) {
		*made = true;
	}
	*fd = openat(parent, name,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return errno == ENOTDIR ? -ELOOP : -errno;
	if (fstat(*fd, &sb) || sb.st_uid != geteuid()) {
		close(*fd);
		*fd = -1;
		return -EPERM;
	}
	return 0;
}

int cni_file_open(int dir, const char *name, int *fd)
{
	struct stat sb;

	*fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	if (fstat(*fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(*fd);
		*fd = -1;
		return -EBADMSG;
	}
	return 0;
}

int cni_state_dir_open(const struct cni_conf *c, bool create, int *fd)
{
	return cni_dir_open(c->state_dir, 0700, create, fd);
}

/* <stateDir>/<network>; *@sfd is stateDir's (for removing it). */
static int net_dir_open(const struct cni_conf *c, bool create, int *sfd,
			int *dfd)
{
	int err;

	*dfd = -1;
	err = cni_state_dir_open(c, create, sfd);
	if (err)
		return err;
	err = cni_subdir_open(*sfd, c->name, 0700, create, NULL, dfd);
	if (err) {
		close(*sfd);
		*sfd = -1;
	}
	return err;
}

static int state_name(const char *cid, const char *ifname, bool legacy,
		      char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%c%s.json", cid, legacy ? '-' : ':',
			 ifname);

	return n < (int)len ? 0 : -ENAMETOOLONG;
}

static bool state_is_of(json_t *st, const char *cid, const char *ifname)
{
	const char *c = json_string_value(json_object_get(st, "containerID"));
	const char *i = json_string_value(json_object_get(st, "ifname"));

	return c && i && !strcmp(c, cid) && !strcmp(i, ifname);
}

/* 0 with *@st an object; -ENOENT; -EBADMSG for what is no regular file
 * (a symlink too) or no JSON object. */
static int load_at(int dir, const char *name, json_t **st)
{
	json_error_t jerr;
	int fd, err;

	*st = NULL;
	err = cni_file_open(dir, name, &fd);
	if (err == -ELOOP)
		err = -EBADMSG;
	if (err)
		return err;
	*st = json_loadfd(fd, 0, &jerr);
	close(fd);
	if (json_is_object(*st))
		return 0;
	xv_err("attachment state %s is unreadable: %s", name, jerr.text);
	json_decref(*st);
	*st = NULL;
	return -EBADMSG;
}

/* One lock for every attachment of every network: VF choice and release
 * are serialised, so parallel ADDs never take the same VF. */
int cni_state_lock(const struct cni_conf *c, int *fd)
{
	int sfd, err;

	err = cni_state_dir_open(c, true, &sfd);
	if (err)
		return err;
	*fd = openat(sfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	err = *fd < 0 ? -errno : 0;
	close(sfd);
	while (!err && flock(*fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			err = -errno;
			close(*fd);
		}
	}
	return err;
}

static int write_at(int dir, const char *name, json_t *st)
{
	char tmp[NAME_MAX + 1];
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/* A crash's leftover: removed as the name it is, never followed. */
	unlinkat(dir, tmp, 0);
	fd = openat(dir, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (json_dumpfd(st, fd, JSON_INDENT(1)) || fsync(fd)) {
		err = errno ? -errno : -EIO;
		close(fd);
		unlinkat(dir, tmp, 0);
		return err;
	}
	close(fd);
	if (renameat(dir, tmp, dir, name)) {
		err = -errno;
		unlinkat(dir, tmp, 0);
		return err;
	}
	return 0;
}

int cni_state_save(const struct cni_conf *c, const char *cid,
		   const char *ifname, json_t *st)
{
	char name[NAME_MAX + 1];
	int sfd, dfd, err;

	err = state_name(cid, ifname, false, name, sizeof(name));
	if (err)
		return err;
	err = net_dir_open(c, true, &sfd, &dfd);
	if (err)
		return err;
	err = write_at(dfd, name, st);
	close(dfd);
	close(sfd);
	return err;
}

/* The attachment's file name and the name it had before (legacy). */
static int state_names(const char *cid, const char *ifname,
		       char name[NAME_MAX + 1], char legacy[NAME_MAX + 1])
{
	return state_name(cid, ifname, false, name, NAME_MAX + 1) ?:
		       state_name(cid, ifname, true, legacy, NAME_MAX + 1);
}

/* 0 with *@st set, -ENOENT when there is no such attachment, -EBADMSG
 * when what is saved under its name is unreadable or another's. */
int cni_state_load(const struct cni_conf *c, const char *cid,
		   const char *ifname, json_t **st)
{
	char name[NAME_MAX + 1], legacy[NAME_MAX + 1];
	int sfd, dfd, err;

	*st = NULL;
	err = state_names(cid, ifname, name, legacy);
	if (err)
		return err;
	err = net_dir_open(c, false, &sfd, &dfd);
	if (err)
		return err == -ENOENT ? -ENOENT : -EBADMSG;
	err = load_at(dfd, name, st);
	if (!err && !state_is_of(*st, cid, ifname))
		err = -EBADMSG;
	if (err == -ENOENT) {
		err = load_at(dfd, legacy, st);
		/* "a-b" + "c" and "a" + "b-c" had the same legacy name */
		if (err || !state_is_of(*st, cid, ifname))
			err = -ENOENT;
	}
	if (err) {
		json_decref(*st);
		*st = NULL;
	}
	close(dfd);
	close(sfd);
	return err;
}

/* The file under the attachment's name goes (a symlink as the link);
 * the legacy name only if it is this attachment's. */
static void remove_at(int dfd, const char *name, const char *legacy,
		      const char *cid, const char *ifname)
{
	struct stat sb;
	json_t *st;

	if (!fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW)) {
		if (S_ISREG(sb.st_mode) || S_ISLNK(sb.st_mode))
			unlinkat(dfd, name, 0);
		else
			xv_warn("attachment state %s is no file: left alone",
				name);
	}
	if (!load_at(dfd, legacy, &st) && state_is_of(st, cid, ifname))
		unlinkat(dfd, legacy, 0);
	json_decref(st);
}

int cni_state_remove(const struct cni_conf *c, const char *cid,
		     const char *ifname)
{
	char name[NAME_MAX + 1], legacy[NAME_MAX + 1];
	int sfd, dfd, err;

	err = state_names(cid, ifname, name, legacy);
	if (err)
		return err;
	err = net_dir_open(c, false, &sfd, &dfd);
	if (err)
		return err == -ENOENT ? 0 : err;
	remove_at(dfd, name, legacy, cid, ifname);
	close(dfd);
	unlinkat(sfd, c->name, AT_REMOVEDIR); /* the last one of the network */
	close(sfd);
	return 0;
}

/* A saved attachment is the one its file is named for, with a valid
 * container ID and interface name. */
static bool entry_is_state(const char *file, json_t *st)
{
	const char *cid = json_string_value(json_object_get(st, "containerID"));
	const char *ifn = json_string_value(json_object_get(st, "ifname"));
	char name[NAME_MAX + 1];

	if (!cni_id_valid(cid, CNI_CONTAINER_ID_MAX) || !cni_ifname_valid(ifn))
		return false;
	return (!state_name(cid, ifn, false, name, sizeof(name)) &&
		!strcmp(name, file)) ||
	       (!state_name(cid, ifn, true, name, sizeof(name)) &&
		!strcmp(name, file));
}

/* Calls @fn for every saved attachment of the network. */
int cni_state_foreach(const struct cni_conf *c,
		      int (*fn)(json_t *st, void *data), void *data)
{
	int sfd, dfd, fd, err;
	struct dirent *de;
	json_t *st;
	DIR *d;

	err = net_dir_open(c, false, &sfd, &dfd);
	if (err)
		return err == -ENOENT ? 0 : err;
	close(sfd);
	fd = dup(dfd);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		close(dfd);
		return err;
	}
	while (!err && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		if (load_at(dfd, de->d_name, &st))
			xv_warn("skipping unreadable %s/%s/%s", c->state_dir,
				c->name, de->d_name);
		else if (!entry_is_state(de->d_name, st))
			xv_warn("skipping %s/%s/%s: not the attachment it is named for",
				c->state_dir, c->name, de->d_name);
		else
			err = fn(st, data);
		json_decref(st);
	}
	closedir(d);
	close(dfd);
	return err;
}
