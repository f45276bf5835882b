// SPDX-License-Identifier: GPL-2.0-only
/*
 * Emulated PFs managed by vdpad: created, removed and edited through the
 * control socket, saved in the state file with the VF attributes set
 * through vdpad, and restored at start. A PF still pinned in bpffs from
 * before (vdpad was killed) is adopted, not created twice.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "vdpad.h"
#include "vfargs.h"

struct vpf *vdpad_pf_find(struct vdpad *v, const char *name)
{
	unsigned int i;

	for (i = 0; i < MAX_PFS; i++)
		if (v->pfs[i].used && !strcmp(v->pfs[i].name, name))
			return &v->pfs[i];
	return NULL;
}

static struct vpf *pf_slot(struct vdpad *v)
{
	unsigned int i;

	for (i = 0; i < MAX_PFS; i++)
		if (!v->pfs[i].used)
			return &v->pfs[i];
	return NULL;
}

static bool pf_pinned(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", XV_BPFFS_ROOT, name);
	return !access(path, F_OK);
}

struct xv_dev *vdpad_pf_user(struct vdpad *v, const char *pf,
			     unsigned int numvfs)
{
	char ifname[IF_NAMESIZE];
	unsigned int i, k;

	for (i = 0; i < numvfs && i < XV_MAX_VFS; i++) {
		xv_vf_ifname(pf, i, false, ifname, sizeof(ifname));
		for (k = 0; k < v->devs.ndevs; k++)
			if (v->devs.dev[k].used &&
			    !strcmp(v->devs.dev[k].cfg.netdev, ifname))
				return &v->devs.dev[k];
	}
	return NULL;
}

static int pf_name_check(const char *name, char *err, size_t errlen)
{
	if (!xv_validate_pf_name(name))
		return 0;
	snprintf(
		err, errlen,
		"invalid mgmtdev name \"%s\": a letter, then letters, digits, '-' or '_', at most %d characters",
		name ? name : "", XV_PF_NAME_MAX);
	return -EINVAL;
}

static int pf_add_check(struct vdpad *v, const char *name, const char *uplink,
			unsigned int numvfs, char *err, size_t errlen)
{
	int rc = pf_name_check(name, err, errlen);

	if (rc)
		return rc;
	if (numvfs < 1 || numvfs > XV_NUM_VFS_MAX) {
		snprintf(err, errlen, "numvfs %u out of range: 1 to %d", numvfs,
			 XV_NUM_VFS_MAX);
		return -ERANGE;
	}
	if (!uplink || strlen(uplink) >= IF_NAMESIZE ||
	    !if_nametoindex(uplink)) {
		snprintf(err, errlen, "uplink %s does not exist",
			 uplink ? uplink : "(none)");
		return -ENODEV;
	}
	if (vdpad_pf_find(v, name) || pf_pinned(name)) {
		snprintf(err, errlen, "mgmtdev %s exists already", name);
		return -EEXIST;
	}
	if (!pf_slot(v)) {
		snprintf(err, errlen, "vdpad manages %d mgmtdevs already",
			 MAX_PFS);
		return -ENOSPC;
	}
	return 0;
}

static void pf_record(struct vpf *p, const char *name, const char *uplink,
		      unsigned int numvfs)
{
	memset(p, 0, sizeof(*p));
	p->used = true;
	p->up = true;
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->uplink, sizeof(p->uplink), "%s", uplink);
	p->numvfs = numvfs;
}

int vdpad_pf_add(struct vdpad *v, const char *name, const char *uplink,
		 unsigned int numvfs, char *err, size_t errlen)
{
	struct vpf *p;
	int rc;

	rc = pf_add_check(v, name, uplink, numvfs, err, errlen);
	if (rc)
		return rc;
	rc = xv_pf_create(name, uplink, numvfs);
	if (rc)
		return rc;
	p = pf_slot(v);
	pf_record(p, name, uplink, numvfs);
	/* A mgmtdev that cannot be saved is not kept: nothing half-done. */
	rc = vdpad_state_save(v, err, errlen);
	if (rc) {
		xv_pf_destroy(name);
		p->used = false;
		return rc;
	}
	xv_info("mgmtdev %s added (uplink %s, %u VFs)", name, uplink, numvfs);
	return 0;
}

/* How many VFs @name has: from the table, else from its pinned maps. */
static int pf_numvfs(struct vdpad *v, const char *name, unsigned int *n)
{
	struct vpf *p = vdpad_pf_find(v, name);
	struct xv_pf_info info;
	struct xv_pf *pf;
	int rc;

	if (p) {
		*n = p->numvfs;
		return 0;
	}
	if (!pf_pinned(name))
		return -ENOENT;
	rc = xv_pf_open(name, &pf);
	if (rc)
		return rc;
	rc = xv_pf_info(pf, &info);
	xv_pf_close(pf);
	*n = info.num_vfs;
	return rc;
}

int vdpad_pf_del(struct vdpad *v, const char *name, char *err, size_t errlen)
{
	struct vpf *p = vdpad_pf_find(v, name);
	struct xv_dev *d;
	unsigned int n;
	int rc;

	rc = pf_name_check(name, err, errlen);
	if (rc)
		return rc;
	rc = pf_numvfs(v, name, &n);
	if (rc == -ENOENT) {
		snprintf(err, errlen, "mgmtdev %s does not exist", name);
		return rc;
	}
	if (rc)
		return rc;
	d = vdpad_pf_user(v, name, n);
	if (d) {
		snprintf(
			err, errlen,
			"mgmtdev %s is in use: device %s is bound to %s (run \"vdpactl dev del %s\" first)",
			name, d->name, d->cfg.netdev, d->name);
		return -EBUSY;
	}
	if (pf_pinned(name)) {
		rc = xv_pf_destroy(name);
		if (rc)
			return rc;
	}
	if (p)
		p->used = false;
	xv_info("mgmtdev %s removed", name);
	return vdpad_state_save(v, err, errlen);
}

static void attrs_merge(struct xv_vf_attrs *dst, const struct xv_vf_attrs *a)
{
	if (a->set & XV_VF_SET_MAC)
		memcpy(dst->mac, a->mac, sizeof(dst->mac));
	if (a->set & XV_VF_SET_VLAN) {
		dst->vlan = a->vlan;
		dst->qos = a->qos;
	}
	if (a->set & XV_VF_SET_SPOOFCHK)
		dst->spoofchk = a->spoofchk;
	if (a->set & XV_VF_SET_TRUST)
		dst->trust = a->trust;
	if (a->set & XV_VF_SET_STATE)
		dst->link_state = a->link_state;
	if (a->set & XV_VF_SET_RATE)
		dst->max_tx_rate = a->max_tx_rate;
	dst->set |= a->set & ~XV_VF_SET_CONSUMER; /* not configuration */
}

/* Every attribute of VF @vf as it is now, to undo a change with. */
static int vf_current(struct xv_pf *pf, unsigned int vf, struct xv_vf_attrs *a)
{
	struct xv_vf_info vi;
	int rc = xv_vf_get(pf, vf, &vi);

	if (rc)
		return rc;
	memset(a, 0, sizeof(*a));
	a->set = XV_VF_SET_MAC | XV_VF_SET_VLAN | XV_VF_SET_SPOOFCHK |
		 XV_VF_SET_TRUST | XV_VF_SET_STATE | XV_VF_SET_RATE;
	memcpy(a->mac, vi.cfg.mac, sizeof(a->mac));
	a->vlan = vi.cfg.vlan;
	a->qos = vi.cfg.qos;
	a->spoofchk = vi.cfg.spoofchk;
	a->trust = vi.cfg.trust;
	a->link_state = (enum xv_link_state)vi.cfg.link_state;
	a->max_tx_rate = vi.cfg.max_tx_rate;
	return 0;
}

/* The table entry of @pf, adopting a PF made without vdpad. */
static struct vpf *pf_entry(struct vdpad *v, struct xv_pf *pf, const char *name,
			    char *err, size_t errlen)
{
	struct vpf *p = vdpad_pf_find(v, name);
	struct xv_pf_info info;

	if (p)
		return p;
	p = pf_slot(v);
	if (!p) {
		snprintf(err, errlen, "vdpad manages %d mgmtdevs already",
			 MAX_PFS);
		return NULL;
	}
	if (xv_pf_info(pf, &info))
		return NULL;
	pf_record(p, name, info.uplink, info.num_vfs);
	p->used = false; /* the caller commits it */
	return p;
}

int vdpad_vf_set(struct vdpad *v, const char *name, unsigned int vf,
		 const struct xv_vf_attrs *a, char *err, size_t errlen)
{
	struct xv_vf_attrs old, rec;
	struct xv_pf *pf;
	bool was_used;
	struct vpf *p;
	int rc;

	rc = pf_name_check(name, err, errlen) ?: xv_vf_attrs_validate(a);
	if (rc)
		return rc;
	if (vf >= XV_MAX_VFS) {
		snprintf(err, errlen, "vf %u out of range: 0 to %d", vf,
			 XV_MAX_VFS - 1);
		return -ERANGE;
	}
	if (!pf_pinned(name)) {
		snprintf(err, errlen, "mgmtdev %s does not exist", name);
		return -ENOENT;
	}
	rc = xv_pf_open(name, &pf);
	if (rc)
		return rc;
	p = pf_entry(v, pf, name, err, errlen);
	rc = p ? vf_current(pf, vf, &old) : -ENOSPC;
	if (!rc)
		rc = xv_vf_set(pf, vf, a);
	if (rc)
		goto out;
	rec = p->vf[vf];
	was_used = p->used;
	attrs_merge(&p->vf[vf], a);
	p->used = true;
	rc = vdpad_state_save(v, err, errlen);
	if (rc) {
		/* Not saved: not kept either. */
		xv_vf_set(pf, vf, &old);
		p->vf[vf] = rec;
		p->used = was_used;
	}
out:
	xv_pf_close(pf);
	return rc;
}

/* ---- the state file's "mgmtdevs" ---- */

json_t *vdpad_pfs_json(const struct vdpad *v)
{
	json_t *arr = json_array(), *vfs, *o;
	unsigned int i, k;

	for (i = 0; i < MAX_PFS; i++) {
		const struct vpf *p = &v->pfs[i];

		if (!p->used)
			continue;
		vfs = json_array();
		for (k = 0; k < p->numvfs && k < XV_MAX_VFS; k++) {
			if (!p->vf[k].set)
				continue;
			o = xv_vf_attrs_to_json(&p->vf[k]);
			json_object_set_new(o, "vf", json_integer(k));
			json_array_append_new(vfs, o);
		}
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:i, s:o}", "name", p->name,
				       "uplink", p->uplink, "numvfs",
				       (int)p->numvfs, "vfs", vfs));
	}
	return arr;
}

static int pf_parse(struct vdpad *v, json_t *e, struct vpf *p)
{
	const char *name, *uplink;
	char err[256];
	json_t *vfs, *o;
	int numvfs, vf;
	size_t i;

	if (json_unpack(e, "{s:s, s:s, s:i, s:o}", "name", &name, "uplink",
			&uplink, "numvfs", &numvfs, "vfs", &vfs) ||
	    xv_validate_pf_name(name) || numvfs < 1 ||
	    numvfs > XV_NUM_VFS_MAX || strlen(uplink) >= IF_NAMESIZE ||
	    !json_is_array(vfs)) {
		xv_err("state: a mgmtdev without a valid name, uplink, numvfs and vfs: not restored");
		return -EINVAL;
	}
	if (vdpad_pf_find(v, name)) {
		xv_err("state: mgmtdev %s appears twice: the second is not restored",
		       name);
		return -EEXIST;
	}
	pf_record(p, name, uplink, (unsigned int)numvfs);
	p->up = false;
	json_array_foreach(vfs, i, o) {
		if (json_unpack(o, "{s:i}", "vf", &vf) || vf < 0 ||
		    vf >= numvfs ||
		    xv_vf_attrs_from_json(o, &p->vf[vf], err, sizeof(err))) {
			xv_err("state: mgmtdev %s: a bad VF entry", name);
			return -EINVAL;
		}
	}
	return 0;
}

/* Are the pinned PF @name and its VF netdevs what @p describes? */
static int pf_matches(const struct vpf *p, bool *reps_ok)
{
	char rep[IF_NAMESIZE];
	struct xv_pf_info info;
	struct xv_pf *pf;
	unsigned int i;
	int rc;

	rc = xv_pf_open(p->name, &pf);
	if (rc)
		return rc;
	rc = xv_pf_info(pf, &info);
	xv_pf_close(pf);
	if (rc)
		return rc;
	if (strcmp(info.uplink, p->uplink) || info.num_vfs != p->numvfs) {
		xv_err("state: mgmtdev %s is pinned with uplink %s and %u VFs, the state file says %s and %u: left as it is",
		       p->name, info.uplink, info.num_vfs, p->uplink,
		       p->numvfs);
		return -EEXIST;
	}
	*reps_ok = true;
	for (i = 0; i < p->numvfs; i++) {
		xv_vf_ifname(p->name, i, true, rep, sizeof(rep));
		*reps_ok &= !!if_nametoindex(rep);
	}
	return 0;
}

/* Rebuilds the VFs whose veth pair is gone, leaving the others (and
 * their pods and devices) alone. */
static int pf_repair_vfs(const struct vpf *p)
{
	unsigned int i;
	int rc;

	for (i = 0; i < p->numvfs; i++) {
		rc = xv_vf_repair(p->name, i);
		if (rc)
			return rc;
	}
	return 0;
}

/* Adopts the pinned PF, or (re-)creates it. */
static int pf_bring_up(const struct vpf *p)
{
	bool reps_ok = false;
	int rc;

	if (pf_pinned(p->name)) {
		rc = pf_matches(p, &reps_ok);
		if (rc)
			return rc;
		if (reps_ok) {
			xv_info("state: adopted mgmtdev %s", p->name);
			return 0;
		}
		if (!pf_repair_vfs(p)) {
			xv_info("state: adopted mgmtdev %s, lost VFs rebuilt",
				p->name);
			return 0;
		}
		xv_warn("state: mgmtdev %s lost VF netdevs: re-creating it",
			p->name);
		xv_pf_destroy(p->name);
	}
	rc = xv_pf_create(p->name, p->uplink, p->numvfs);
	if (rc)
		xv_err("state: cannot re-create mgmtdev %s: %s", p->name,
		       strerror(-rc));
	else
		xv_info("state: re-created mgmtdev %s", p->name);
	return rc;
}

static void pf_apply_vfs(const struct vpf *p)
{
	struct xv_pf *pf;
	unsigned int i;

	if (xv_pf_open(p->name, &pf))
		return;
	for (i = 0; i < p->numvfs; i++)
		if (p->vf[i].set && xv_vf_set(pf, i, &p->vf[i]))
			xv_err("state: cannot re-apply the attributes of %s vf %u",
			       p->name, i);
	xv_pf_close(pf);
}

/* A PF that cannot be brought up stays in the table (and the file), so
 * that its configuration is not lost; the error says why. */
/* Brings @p up and re-applies its VF attributes; kept as down (and
 * retried) when it cannot be, e.g. while its uplink is missing. */
static void pf_try_up(struct vpf *p)
{
	int rc;

	if (!if_nametoindex(p->uplink))
		rc = -ENODEV;
	else
		rc = pf_bring_up(p);
	if (!rc) {
		pf_apply_vfs(p);
		if (p->error[0])
			xv_info("mgmtdev %s: up (was: %s)", p->name, p->error);
		p->up = true;
		p->error[0] = 0;
		return;
	}
	if (!p->error[0])
		xv_warn("mgmtdev %s: saved but not up (retried when its uplink %s exists): %s",
			p->name, p->uplink, strerror(-rc));
	snprintf(p->error, sizeof(p->error), "%s%s",
		 rc == -ENODEV ? "uplink missing: " : "", strerror(-rc));
}

int vdpad_pfs_restore(struct vdpad *v, json_t *pfs, unsigned int *rejected)
{
	struct vpf *p;
	json_t *e;
	size_t i;
	int rc = 0;

	if (!pfs)
		return 0;
	if (!json_is_array(pfs))
		return -EINVAL;
	if (json_array_size(pfs) && xv_bpffs_check())
		return -ENOTSUP;
	json_array_foreach(pfs, i, e) {
		p = pf_slot(v);
		if (!p) {
			xv_err("state: more than %d mgmtdevs: the rest are not restored",
			       MAX_PFS);
			*rejected += (unsigned int)(json_array_size(pfs) - i);
			break;
		}
		rc = pf_parse(v, e, p);
		if (rc) {
			p->used = false;
			*rejected += 1;
			continue;
		}
		pf_try_up(p);
	}
	return 0;
}

void vdpad_pfs_retry(struct vdpad *v)
{
	unsigned int i;

	for (i = 0; i < MAX_PFS; i++) {
		struct vpf *p = &v->pfs[i];

		if (p->used && !p->up && if_nametoindex(p->uplink))
			pf_try_up(p);
	}
}
