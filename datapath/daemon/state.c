// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpad's state file: the emulated PFs (with the VF attributes set
 * through vdpad) and the devices added at run time, written atomically
 * (temporary file, fsync, rename) after every change and read at start,
 * so that a vdpad killed and started again has the same PFs and serves the
 * same devices, and their frontends reconnect.
 *
 *   {"version": 3,
 *    "mgmtdevs": [{"name", "uplink", "numvfs", "vfs": [{"vf", ...}]}],
 *    "devices": [{"name", "owner", "config": {...}}]}
 *
 * A device's "config" holds the device table's state fields (devcfg.h).
 * Version 2 files (a device's "spec" string and "loopback") and version 1
 * files (devices only) are read too.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "vdpad.h"

#define STATE_VERSION 3

static json_t *state_json(const struct vdpad *v)
{
	json_t *devs = json_array(), *e;
	unsigned int i;

	for (i = 0; i < v->devs.ndevs; i++) {
		const struct xv_dev *d = &v->devs.dev[i];

		if (!d->used || !d->persist)
			continue;
		e = xv_dev_cfg_state_json(&d->cfg);
		json_object_set_new(e, "name", json_string(d->name));
		json_object_set_new(e, "owner", json_integer(d->owner));
		json_array_append_new(devs, e);
	}
	return json_pack("{s:i, s:o, s:o}", "version", STATE_VERSION,
			 "mgmtdevs", vdpad_pfs_json(v), "devices", devs);
}

int vdpad_state_save(struct vdpad *v, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	json_t *st;
	int fd, rc = 0;

	if (!v->state_path)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", v->state_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
			 strerror(errno));
		return -errno;
	}
	st = state_json(v);
	if (json_dumpfd(st, fd, JSON_INDENT(2)) || write(fd, "\n", 1) != 1 ||
	    fsync(fd))
		rc = -EIO;
	json_decref(st);
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, v->state_path))
		rc = -errno;
	if (rc) {
		snprintf(err, errlen, "cannot save %s: %s", v->state_path,
			 strerror(-rc));
		unlink(tmp);
	}
	return rc;
}

/* One saved device, checked as a control request would be. One that
 * cannot start now (its netdev is missing) is kept as not running and
 * retried; an invalid one is left out (-EINVAL). */
static int load_one(struct vdpad *v, json_t *e)
{
	struct xv_dev_req req = { .persist = true,
				  .privileged = true,
				  .keep_stopped = true };
	json_int_t owner = 0;
	struct xv_dev_cfg cfg;
	const char *name;
	char err[256];
	struct xv_dev *d;
	int rc;

	xv_dev_cfg_default(&cfg);
	if (json_unpack(e, "{s:s, s?I}", "name", &name, "owner", &owner) ||
	    owner < 0 || owner > (json_int_t)UINT32_MAX - 1) {
		xv_err("state: an entry without a name or with a bad owner: left out");
		return -EINVAL;
	}
	rc = xv_dev_cfg_set_str(&cfg, XV_DEVF_NAME, name, err, sizeof(err)) ?:
		     xv_dev_cfg_from_state(&cfg, e, err, sizeof(err))	    ?:
		     xv_dev_cfg_check(&cfg, err, sizeof(err));
	if (!rc) {
		req.cfg = &cfg;
		req.owner = (uid_t)owner;
		rc = xv_dev_add(&v->devs, &req, &d, err, sizeof(err));
	}
	if (rc)
		xv_err("state: device \"%.32s%s\" left out: %s", name,
		       strlen(name) > 32 ? "..." : "", err);
	else if (d->running)
		xv_info("state: re-created %s", name);
	return rc;
}

/* The file as read is kept beside it when entries were left out, so the
 * next save loses nothing an operator might want back. */
static void keep_rejected(const struct vdpad *v, unsigned int n)
{
	char keep[PATH_MAX];

	snprintf(keep, sizeof(keep), "%s.rejected", v->state_path);
	unlink(keep);
	if (link(v->state_path, keep))
		xv_err("state: %u entr%s left out; cannot keep a copy as %s: %s",
		       n, n == 1 ? "y" : "ies", keep, strerror(errno));
	else
		xv_err("state: %u entr%s left out; the file as read is kept as %s",
		       n, n == 1 ? "y" : "ies", keep);
}

/* Restores the saved PFs, then re-creates the saved devices; a missing
 * file means none. Devices and PFs that cannot start yet are kept, shown
 * as not running and retried; invalid entries are left out (and the file
 * as read kept). */
int vdpad_state_load(struct vdpad *v)
{
	unsigned int rejected = 0;
	json_t *st, *devs, *e;
	json_error_t jerr;
	json_int_t ver;
	size_t i;
	int rc;

	if (access(v->state_path, F_OK))
		return 0;
	st = json_load_file(v->state_path, 0, &jerr);
	if (!st) {
		xv_err("state file %s: %s (line %d)", v->state_path, jerr.text,
		       jerr.line);
		return -EINVAL;
	}
	devs = json_object_get(st, "devices");
	ver = json_integer_value(json_object_get(st, "version"));
	if (ver < 1 || ver > STATE_VERSION || !json_is_array(devs)) {
		xv_err("state file %s: not a version 1 to %d state",
		       v->state_path, STATE_VERSION);
		json_decref(st);
		return -EINVAL;
	}
	rc = vdpad_pfs_restore(v, json_object_get(st, "mgmtdevs"), &rejected);
	if (rc) {
		xv_err("state file %s: cannot restore its mgmtdevs: %s",
		       v->state_path, strerror(-rc));
		json_decref(st);
		return rc;
	}
	json_array_foreach(devs, i, e)
		rejected += !!load_one(v, e);
	json_decref(st);
	if (rejected)
		keep_rejected(v, rejected);
	return 0;
}
