// SPDX-License-Identifier: GPL-2.0-only
/* What the plugin remembers of each attachment, so DEL, CHECK and GC can
 * undo or verify it: <stateDir>/<network>/<containerID>-<ifname>.json,
 * written atomically, all changes under one lock file. */
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

static int net_dir(const struct cni_conf *c, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", c->state_dir, c->name);

	return n < (int)len ? 0 : -ENAMETOOLONG;
}

static int state_path(const struct cni_conf *c, const char *cid,
		      const char *ifname, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s/%s-%s.json", c->state_dir, c->name,
			 cid, ifname);

	return n < (int)len ? 0 : -ENAMETOOLONG;
}

/* One lock for every attachment of every network: VF choice and release
 * are serialised, so parallel ADDs never take the same VF. */
int cni_state_lock(const struct cni_conf *c, int *fd)
{
	char path[PATH_MAX];
	int err;

	err = cni_mkdir_p(c->state_dir, 0700);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/lock", c->state_dir);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return -errno;
	while (flock(*fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			err = -errno;
			close(*fd);
			return err;
		}
	}
	return 0;
}

int cni_state_save(const struct cni_conf *c, const char *cid,
		   const char *ifname, json_t *st)
{
	char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX + 8];
	int fd, err;

	err = net_dir(c, dir, sizeof(dir))   ?:
		      cni_mkdir_p(dir, 0700) ?:
		      state_path(c, cid, ifname, path, sizeof(path));
	if (err)
		return err;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (json_dumpfd(st, fd, JSON_INDENT(1)) || fsync(fd)) {
		err = errno ? -errno : -EIO;
		close(fd);
		unlink(tmp);
		return err;
	}
	close(fd);
	if (rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	return 0;
}

/* 0 with *@st set, -ENOENT when there is no such attachment. */
int cni_state_load(const struct cni_conf *c, const char *cid,
		   const char *ifname, json_t **st)
{
	char path[PATH_MAX];
	json_error_t jerr;
	int err;

	*st = NULL;
	err = state_path(c, cid, ifname, path, sizeof(path));
	if (err)
		return err;
	if (access(path, F_OK))
		return -errno;
	*st = json_load_file(path, 0, &jerr);
	if (!json_is_object(*st)) {
		xv_err("attachment state %s is unreadable: %s", path,
		       jerr.text);
		json_decref(*st);
		*st = NULL;
		return -EBADMSG;
	}
	return 0;
}

int cni_state_remove(const struct cni_conf *c, const char *cid,
		     const char *ifname)
{
	char path[PATH_MAX], dir[PATH_MAX];

	if (state_path(c, cid, ifname, path, sizeof(path)))
		return -ENAMETOOLONG;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	if (!net_dir(c, dir, sizeof(dir)))
		rmdir(dir); /* the last one of the network */
	return 0;
}

/* Calls @fn for every saved attachment of the network. */
int cni_state_foreach(const struct cni_conf *c,
		      int (*fn)(json_t *st, void *data), void *data)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *de;
	json_t *st;
	DIR *d;
	int err = 0;

	if (net_dir(c, dir, sizeof(dir)))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		st = json_load_file(path, 0, NULL);
		if (json_is_object(st))
			err = fn(st, data);
		else
			xv_warn("skipping unreadable %s", path);
		json_decref(st);
	}
	closedir(d);
	return err;
}
