// SPDX-License-Identifier: GPL-2.0-only
/* One attachment: which VF it took, its attributes before, and the
 * mode-specific parts (the netdev in the pod, or vdpad's device and its
 * socket). Every step has its undo, used by ADD's rollback, DEL and GC. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach.h"
#include "cni_state.h"
#include "ctl_proto.h"
#include "devcfg.h"
#include "log.h"
#include "vfargs.h"

/* vdpad's device name: "cni" + 12 hex digits of the attachment's key. */
#define DEV_NAME_LEN 15

static bool dev_name_valid(const char *name)
{
	return strlen(name) == DEV_NAME_LEN && !strncmp(name, "cni", 3) &&
	       strspn(name + 3, "0123456789abcdef") == DEV_NAME_LEN - 3;
}

static void dev_name(const struct cni_attach *a, char *buf, size_t len)
{
	const char *parts[] = { a->conf->name, a->cid, a->ifname };
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned int i;
	const char *p;

	for (i = 0; i < XV_ARRAY_SIZE(parts); i++) {
		for (p = parts[i]; *p; p++)
			h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
		h = (h ^ '/') * 0x100000001b3ULL;
	}
	snprintf(buf, len, "cni%012llx",
		 (unsigned long long)(h & 0xffffffffffffULL));
}

static int vf_read(const char *mgmtdev, unsigned int vf,
		   struct xv_vf_info *info)
{
	struct xv_pf *pf;
	int err;

	err = xv_pf_open(mgmtdev, &pf);
	if (err)
		return err;
	err = xv_vf_get(pf, vf, info);
	xv_pf_close(pf);
	return err;
}

static void attrs_of(const struct xv_vf_cfg *cfg, struct xv_vf_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->set = XV_VF_SET_MAC | XV_VF_SET_VLAN | XV_VF_SET_SPOOFCHK |
		 XV_VF_SET_TRUST | XV_VF_SET_STATE | XV_VF_SET_RATE;
	memcpy(a->mac, cfg->mac, sizeof(a->mac));
	a->vlan = cfg->vlan;
	a->qos = cfg->qos;
	a->spoofchk = cfg->spoofchk;
	a->trust = cfg->trust;
	a->link_state = (enum xv_link_state)cfg->link_state;
	a->max_tx_rate = cfg->max_tx_rate;
}

static int vf_set_direct(const char *mgmtdev, unsigned int vf,
			 const struct xv_vf_attrs *attrs)
{
	struct xv_pf *pf;
	int err;

	err = xv_pf_open(mgmtdev, &pf);
	if (err)
		return err;
	err = xv_vf_set(pf, vf, attrs);
	xv_pf_close(pf);
	return err;
}

/* Who takes the VF's frames now (enum xv_vf_consumer): straight into the
 * maps, not through vdpad, which does not keep it (it is where the device
 * end is, not configuration). */
int cni_vf_consumer(const struct cni_attach *a, enum xv_vf_consumer c)
{
	struct xv_vf_attrs attrs = { .set = XV_VF_SET_CONSUMER, .consumer = c };

	return vf_set_direct(a->conf->mgmtdev, (unsigned int)a->vf, &attrs);
}

/* Through vdpad when it runs, so it saves and restores the attributes;
 * straight into the eswitch when it does not (netdev mode needs no vdpad). */
static int vf_set(const struct cni_attach *a, const struct xv_vf_attrs *attrs,
		  char *err, size_t errlen)
{
	json_t *args = xv_vf_attrs_to_json(attrs), *resp;
	int rc;

	json_object_set_new(args, "mgmtdev", json_string(a->conf->mgmtdev));
	json_object_set_new(args, "vf", json_integer(a->vf));
	rc = xv_ctl_request(a->conf->vdpad_socket, "vf set", args, &resp, err,
			    errlen);
	if (rc == -ENOENT || rc == -ECONNREFUSED) {
		rc = vf_set_direct(a->conf->mgmtdev, (unsigned int)a->vf,
				   attrs);
		snprintf(err, errlen, "%s", strerror(-rc));
		return rc;
	}
	if (!rc && json_integer_value(json_object_get(resp, "status"))) {
		rc = (int)json_integer_value(json_object_get(resp, "status"));
		snprintf(err, errlen, "vdpad: %s",
			 json_string_value(json_object_get(resp, "error")) ?:
				 strerror(-rc));
	}
	json_decref(resp);
	return rc;
}

/* Remembers the VF's attributes, applies the config's, reads the MAC. */
int cni_vf_claim(struct cni_attach *a, struct cni_err *e)
{
	struct xv_vf_info info;
	char msg[200] = "";
	int err;

	err = vf_read(a->conf->mgmtdev, (unsigned int)a->vf, &info);
	if (err)
		return cni_fail(e, CNI_ERR_IO, "reading VF %d of %s: %s", a->vf,
				a->conf->mgmtdev, strerror(-err));
	attrs_of(&info.cfg, &a->orig);
	a->orig_saved = true;
	if (a->conf->vf.set) {
		err = vf_set(a, &a->conf->vf, msg, sizeof(msg));
		if (!err)
			err = vf_read(a->conf->mgmtdev, (unsigned int)a->vf,
				      &info);
		if (err)
			return cni_fail(e, CNI_ERR_IO,
					"setting VF %d of %s: %s", a->vf,
					a->conf->mgmtdev, msg);
	}
	xv_format_mac(info.cfg.mac, a->mac);
	return 0;
}

void cni_vf_release(struct cni_attach *a)
{
	char msg[200] = "";

	if (!a->orig_saved || a->vf < 0)
		return;
	if (vf_set(a, &a->orig, msg, sizeof(msg)))
		xv_warn("cannot restore VF %d of %s: %s", a->vf,
			a->conf->mgmtdev, msg);
}

/* netdev mode: the named VF, or the first whose device end is still in
 * the host and not bound to vdpad (XDP attached). */
int cni_vf_pick(struct cni_attach *a, struct cni_err *e)
{
	struct xv_pf_info info;
	struct xv_link_info li;
	struct xv_nl nl;
	struct xv_pf *pf;
	unsigned int i;
	int err;

	err = xv_pf_open(a->conf->mgmtdev, &pf);
	if (err)
		return cni_fail(e, CNI_ERR_CONFIG, "no mgmtdev \"%s\": %s",
				a->conf->mgmtdev, strerror(-err));
	err = xv_pf_info(pf, &info);
	xv_pf_close(pf);
	if (!err)
		err = xv_nl_open(&nl);
	if (err)
		return cni_fail(e, CNI_ERR_IO, "%s: %s", a->conf->mgmtdev,
				strerror(-err));
	for (i = 0; i < info.num_vfs; i++) {
		if (a->conf->vf_index >= 0 && (int)i != a->conf->vf_index)
			continue;
		xv_vf_ifname(a->conf->mgmtdev, i, false, a->host_name,
			     sizeof(a->host_name));
		if (!xv_nl_link_get_by_name(&nl, a->host_name, &li) &&
		    !li.has_xdp) {
			a->vf = (int)i;
			break;
		}
	}
	xv_nl_close(&nl);
	if (a->vf >= 0)
		return 0;
	if (a->conf->vf_index >= 0)
		return cni_fail(e, CNI_ERR_IN_USE,
				"VF %d of %s does not exist or is in use",
				a->conf->vf_index, a->conf->mgmtdev);
	return cni_fail(e, CNI_ERR_IN_USE, "every VF of %s is in use",
			a->conf->mgmtdev);
}

/* The owner file in a pod's socket directory: its container ID. */
#define OWNER_FILE ".container-id"

/* 0: the owner file names @cid; -ENOENT: there is none; -EBADMSG: it
 * names another container, or is no regular file. */
static int owner_is(int dfd, const char *cid)
{
	char buf[CNI_CONTAINER_ID_MAX + 2];
	ssize_t n;
	int fd, err;

	err = cni_file_open(dfd, OWNER_FILE, &fd);
	if (err)
		return err == -ENOENT ? -ENOENT : -EBADMSG;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EBADMSG;
	buf[n] = '\0';
	return strlen(cid) + 1 == (size_t)n && !strncmp(buf, cid, n - 1) &&
			       buf[n - 1] == '\n' ?
		       0 :
		       -EBADMSG;
}

/* How many entries @dfd holds besides the owner file; -errno. */
static int dir_others(int dfd)
{
	int fd = dup(dfd), n = 0;
	struct dirent *de;
	DIR *d;

	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	rewinddir(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		     strcmp(de->d_name, OWNER_FILE);
	closedir(d);
	return n;
}

static int owner_write(int dfd, const char *cid)
{
	int fd = openat(dfd, OWNER_FILE,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			0644);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (dprintf(fd, "%s\n", cid) < 0)
		err = -EIO;
	close(fd);
	if (err)
		unlinkat(dfd, OWNER_FILE, 0);
	return err;
}

/* <socketDir>/<leaf> and <socketDir>/<leaf>/<ifname>.sock (cni.h). */
static int socket_paths(struct cni_attach *a, const char *socket_dir)
{
	char leaf[CNI_SOCK_LEAF_MAX];

	cni_sock_leaf(socket_dir, a->cid, leaf, sizeof(leaf));
	if (snprintf(a->sock_dir, sizeof(a->sock_dir), "%s/%s", socket_dir,
		     leaf) >= (int)sizeof(a->sock_dir) ||
	    snprintf(a->socket, sizeof(a->socket), "%s/%s.sock", a->sock_dir,
		     a->ifname) >= (int)sizeof(a->socket))
		return -ENAMETOOLONG;
	return 0;
}

/* The directory @dfd is the container's: its owner file says so, or it
 * is empty and is made so. */
static int sock_dir_own(struct cni_attach *a, int dfd, struct cni_err *e)
{
	int err = owner_is(dfd, a->cid), others;

	if (err == -ENOENT) {
		others = dir_others(dfd);
		if (others > 0)
			return cni_fail(
				e, CNI_ERR_IN_USE,
				"socket directory %s exists, with files of no container: remove it",
				a->sock_dir);
		err = others ?: owner_write(dfd, a->cid);
		if (err)
			return cni_fail(e, CNI_ERR_IO,
					"socket directory %s: %s", a->sock_dir,
					strerror(-err));
		return 0;
	}
	if (err)
		return cni_fail(
			e, CNI_ERR_IN_USE,
			"socket directory %s belongs to another container (its %s does not name %s)",
			a->sock_dir, OWNER_FILE, a->cid);
	return 0;
}

/* The pod's directory under socketDir (cni.h), made without following a
 * symlink, owned by the container; group-owned and group-writable when
 * socketGroup is set. */
static int make_socket_dir(struct cni_attach *a, gid_t gid, struct cni_err *e)
{
	const struct cni_conf *c = a->conf;
	int pfd, dfd, err;
	const char *leaf;

	if (socket_paths(a, c->socket_dir)) {
		cni_fail(e, CNI_ERR_CONFIG,
			 "\"socketDir\" is too long for a socket path");
		goto not_ours;
	}
	leaf = strrchr(a->sock_dir, '/') + 1;
	err = cni_dir_open(c->socket_dir, 0755, true, &pfd);
	if (err) {
		cni_fail(e, CNI_ERR_IO, "\"socketDir\" %s: %s", c->socket_dir,
			 strerror(-err));
		goto not_ours;
	}
	err = cni_subdir_open(pfd, leaf, 0700, true, NULL, &dfd);
	close(pfd);
	if (err) {
		cni_fail(
			e, CNI_ERR_IO,
			"socket directory %s: %s (a symlink or another's is not used)",
			a->sock_dir, strerror(-err));
		goto not_ours;
	}
	err = sock_dir_own(a, dfd, e);
	if (err) {
		close(dfd);
		goto not_ours;
	}
	if (c->socket_group ? fchown(dfd, 0, gid) || fchmod(dfd, 02770) :
			      fchmod(dfd, 0755))
		err = cni_fail(e, CNI_ERR_IO, "socket directory %s: %s",
			       a->sock_dir, strerror(errno));
	close(dfd);
	return err;

not_ours: /* nothing in it is the attachment's to undo */
	a->sock_dir[0] = a->socket[0] = '\0';
	return -EINVAL;
}

/* The socket and the directory go, only if the directory is the
 * container's: its name is what this container ID gives under its parent
 * and its owner file names the container. The directory goes when nothing
 * else is left in it. A directory of the earlier layout (12 characters of
 * the ID, maybe shared) is removed only if empty. */
static void sock_dir_release(const struct cni_attach *a)
{
	char parent[sizeof(a->sock_dir)], sock[CNI_SOCK_NAME_MAX + 1];
	struct cni_attach want = *a;
	const char *leaf;
	struct stat sb;
	int pfd, dfd;

	snprintf(parent, sizeof(parent), "%s", a->sock_dir);
	if (!strrchr(parent, '/') || strrchr(parent, '/') == parent)
		return;
	*strrchr(parent, '/') = '\0';
	leaf = a->sock_dir + strlen(parent) + 1;
	if (cni_dir_open(parent, 0, false, &pfd))
		return;
	if (socket_paths(&want, parent) || strcmp(want.sock_dir, a->sock_dir) ||
	    strcmp(want.socket, a->socket)) {
		if (cni_id_valid(leaf, CNI_CONTAINER_ID_MAX))
			unlinkat(pfd, leaf, AT_REMOVEDIR);
		close(pfd);
		return;
	}
	if (cni_subdir_open(pfd, leaf, 0, false, NULL, &dfd)) {
		close(pfd);
		return;
	}
	snprintf(sock, sizeof(sock), "%s.sock", a->ifname);
	switch (owner_is(dfd, a->cid)) {
	case -ENOENT: /* the earlier layout's, for an ID of 12 or less */
		unlinkat(pfd, leaf, AT_REMOVEDIR);
		break;
	case -EBADMSG:
		xv_warn("%s is not container %s's: left alone", a->sock_dir,
			a->cid);
		break;
	default:
		if (!fstatat(dfd, sock, &sb, AT_SYMLINK_NOFOLLOW) &&
		    S_ISSOCK(sb.st_mode) && unlinkat(dfd, sock, 0))
			xv_warn("cannot remove %s: %s", a->socket,
				strerror(errno));
		if (!dir_others(dfd) && !unlinkat(dfd, OWNER_FILE, 0) &&
		    unlinkat(pfd, leaf, AT_REMOVEDIR))
			xv_warn("cannot remove %s: %s", a->sock_dir,
				strerror(errno));
	}
	close(dfd);
	close(pfd);
}

static int group_id(const char *name, gid_t *gid, struct cni_err *e)
{
	struct group *g = getgrnam(name);

	if (!g)
		return cni_fail(e, CNI_ERR_CONFIG,
				"\"socketGroup\": no group \"%s\"", name);
	*gid = g->gr_gid;
	return 0;
}

/* The "dev add" request, through the device table: the attachment's
 * name, VF, socket and mode, the network's mtu and socketGroup (with
 * socket_mode 0660), then its deviceOptions (which win). */
int cni_dev_add_args(const struct cni_attach *a, json_t **out,
		     struct cni_err *e)
{
	const struct cni_conf *c = a->conf;
	struct xv_dev_cfg d;
	char msg[200];
	unsigned int i;
	int err;

	xv_dev_cfg_default(&d);
	err = xv_dev_cfg_set_str(&d, XV_DEVF_NAME, a->dev, msg, sizeof(msg)) ?:
		      xv_dev_cfg_set_str(&d, XV_DEVF_MGMTDEV, c->mgmtdev, msg, sizeof(msg)) ?:
		      xv_dev_cfg_set_str(&d, XV_DEVF_SOCKET, a->socket, msg, sizeof(msg)) ?:
		      xv_dev_cfg_set_uint(&d, XV_DEVF_MODE, c->vdpad_client,
					  msg, sizeof(msg));
	if (!err && c->vf_index >= 0)
		err = xv_dev_cfg_set_uint(&d, XV_DEVF_VF,
					  (unsigned int)c->vf_index, msg,
					  sizeof(msg));
	if (!err && c->mtu)
		err = xv_dev_cfg_set_uint(&d, XV_DEVF_MTU, c->mtu, msg,
					  sizeof(msg));
	if (!err && c->socket_group)
		err = xv_dev_cfg_set_str(&d, XV_DEVF_SOCKET_GROUP, c->socket_group, msg, sizeof(msg)) ?:
			      xv_dev_cfg_set_uint(&d, XV_DEVF_SOCKET_MODE, 0660,
						  msg, sizeof(msg));
	if (err)
		return cni_fail(e, CNI_ERR_CONFIG, "%s", msg);
	for (i = 0; i < XV_DEVF_COUNT; i++)
		if (c->dev_opts.set & XV_DEV_BIT(i))
			xv_dev_cfg_copy_field(&d, &c->dev_opts, i);
	*out = xv_dev_cfg_to_json(&d, XV_DEV_F_REQ);
	return *out ? 0 : cni_fail(e, CNI_ERR_INTERNAL, "out of memory");
}

/* vdpad's answer: its status, and which VF's device end it bound. */
static int dev_add_answer(struct cni_attach *a, json_t *resp, struct cni_err *e)
{
	json_t *st = json_object_get(resp, "status");
	const char *netdev;
	unsigned int i;

	if (!json_is_integer(st) || json_integer_value(st))
		return cni_fail(
			e,
			json_integer_value(st) == -EBUSY ? CNI_ERR_IN_USE :
							   CNI_ERR_CONFIG,
			"vdpad refused the device: %s",
			json_string_value(json_object_get(resp, "error")) ?:
				"no reason given");
	netdev = json_string_value(json_object_get(
		json_object_get(json_object_get(json_object_get(resp, "result"),
						"dev"),
				a->dev),
		xv_dev_fields[XV_DEVF_NETDEV].key)); /* dev show's */
	for (i = 0; netdev && i < XV_MAX_VFS; i++) {
		xv_vf_ifname(a->conf->mgmtdev, i, false, a->host_name,
			     sizeof(a->host_name));
		if (!strcmp(a->host_name, netdev)) {
			a->vf = (int)i;
			return 0;
		}
	}
	return cni_fail(e, CNI_ERR_INTERNAL,
			"vdpad bound %s, which is no VF of %s",
			netdev ? netdev : "nothing", a->conf->mgmtdev);
}

int cni_vdpad_unreachable(int rc, const char *path, const char *err,
			  struct cni_err *e)
{
	(void)err; /* says the same, with vdpactl's hints */
	return cni_fail(
		e, CNI_ERR_TRY_LATER,
		"vdpad is not reachable at %s: %s (is it running? \"vdpadSocket\" names its control socket)",
		path, strerror(-rc));
}

/* vhostuser mode: vdpad takes a free VF and serves it on the pod's socket. */
int cni_vhost_add(struct cni_attach *a, struct cni_err *e)
{
	char err[256] = "";
	json_t *resp, *args;
	gid_t gid = 0;
	int rc;

	dev_name(a, a->dev, sizeof(a->dev));
	if ((a->conf->socket_group &&
	     group_id(a->conf->socket_group, &gid, e)) ||
	    make_socket_dir(a, gid, e))
		return -EINVAL;
	if (cni_dev_add_args(a, &args, e)) {
		sock_dir_release(a);
		return -EINVAL;
	}
	rc = xv_ctl_request(a->conf->vdpad_socket, "dev add", args, &resp, err,
			    sizeof(err));
	if (rc) {
		sock_dir_release(a);
		return cni_vdpad_unreachable(rc, a->conf->vdpad_socket, err, e);
	}
	rc = dev_add_answer(a, resp, e);
	json_decref(resp);
	if (rc) {
		sock_dir_release(a);
		return rc;
	}
	a->dev_added = true;
	return 0;
}

/* A device vdpad could not be asked to remove (it was down, and will
 * re-create it from its state file): remembered in <stateDir>/pending/
 * and removed by the next command that finds vdpad up. */
void cni_vhost_del_later(const struct cni_conf *c, const char *dev,
			 const char *why)
{
	int sfd, dfd, fd;

	xv_warn("vdpad unreachable (%s): device %s will be removed later", why,
		dev);
	if (!dev_name_valid(dev) || cni_state_dir_open(c, true, &sfd))
		return;
	if (!cni_subdir_open(sfd, "pending", 0700, true, NULL, &dfd)) {
		fd = openat(dfd, dev,
			    O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		close(dfd);
	}
	close(sfd);
}

void cni_vhost_del_pending(const struct cni_conf *c)
{
	struct dirent *de;
	int sfd, dfd, fd;
	char err[256];
	json_t *resp;
	DIR *d;

	if (cni_state_dir_open(c, false, &sfd))
		return;
	if (cni_subdir_open(sfd, "pending", 0, false, NULL, &dfd)) {
		close(sfd);
		return;
	}
	fd = dup(dfd);
	d = fd < 0 ? NULL : fdopendir(fd);
	while (d && (de = readdir(d))) {
		if (!dev_name_valid(de->d_name))
			continue;
		if (xv_ctl_request(c->vdpad_socket, "dev del",
				   json_pack("{s:s}", "name", de->d_name),
				   &resp, err, sizeof(err)))
			break; /* still down: next time */
		xv_info("removed device %s, pending since vdpad was down",
			de->d_name);
		json_decref(resp);
		unlinkat(dfd, de->d_name, 0);
	}
	if (d)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	close(dfd);
	unlinkat(sfd, "pending", AT_REMOVEDIR);
	close(sfd);
}

/* Gone already and vdpad down are both fine: the state goes anyway. */
void cni_vhost_del(struct cni_attach *a)
{
	char err[256] = "";
	json_t *resp = NULL;
	int rc;

	if (a->dev[0] && a->dev_added) {
		rc = xv_ctl_request(a->conf->vdpad_socket, "dev del",
				    json_pack("{s:s}", "name", a->dev), &resp,
				    err, sizeof(err));
		if (rc)
			cni_vhost_del_later(a->conf, a->dev, err);
		else if (json_integer_value(json_object_get(resp, "status")))
			xv_info("vdpad: %s",
				json_string_value(json_object_get(resp, "error")) ?:
					"dev del failed");
		json_decref(resp);
	}
	if (a->sock_dir[0])
		sock_dir_release(a);
}

/* The directory of a device-info file (the runtime's, made if missing)
 * and the file's name in it. */
static int devinfo_dir(const char *path, bool create, int *fd,
		       const char **name)
{
	char dir[PATH_MAX];

	if (!cni_path_valid(path) ||
	    snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -EINVAL;
	*strrchr(dir, '/') = '\0';
	*name = strrchr(path, '/') + 1;
	if (!**name)
		return -EISDIR;
	return cni_dir_open(dir[0] ? dir : "/", 0755, create, fd);
}

/* The device-info file (device-info-spec 1.1.0) a runtime asked for,
 * written through a temporary file renamed over it, never through a
 * symlink. "mode" is the pod's side: vdpad serving means the pod is the
 * client. */
int cni_devinfo_write(const struct cni_attach *a, struct cni_err *e)
{
	const char *path = a->conf->device_info_file, *name;
	char tmp[NAME_MAX + 1];
	int dfd, fd, err;
	json_t *info;

	if (!path || a->conf->mode != CNI_MODE_VHOSTUSER)
		return 0;
	err = devinfo_dir(path, true, &dfd, &name);
	if (err)
		return cni_fail(e, CNI_ERR_IO, "device-info file %s: %s", path,
				strerror(-err));
	info = json_pack("{s:s, s:s, s:{s:s, s:s}}", "type", "vhost-user",
			 "version", "1.1.0", "vhost-user", "mode",
			 a->conf->vdpad_client ? "server" : "client", "path",
			 a->socket);
	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int)sizeof(tmp))
		err = -ENAMETOOLONG;
	if (!err) {
		unlinkat(dfd, tmp, 0);
		fd = openat(dfd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC,
			    0644);
		err = fd < 0 ? -errno : 0;
	}
	if (!err) {
		err = json_dumpfd(info, fd, JSON_INDENT(2)) ? -EIO : 0;
		close(fd);
		if (!err && renameat(dfd, tmp, dfd, name))
			err = -errno;
		if (err)
			unlinkat(dfd, tmp, 0);
	}
	json_decref(info);
	close(dfd);
	if (err)
		return cni_fail(e, CNI_ERR_IO, "device-info file %s: %s", path,
				strerror(-err));
	return 0;
}

/* Only a regular file goes (a symlink there was not ours: it stays). */
void cni_devinfo_remove(const char *path)
{
	const char *name;
	struct stat sb;
	int dfd;

	if (!path || devinfo_dir(path, false, &dfd, &name))
		return;
	if (!fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) &&
	    S_ISREG(sb.st_mode))
		unlinkat(dfd, name, 0);
	close(dfd);
}

json_t *cni_attach_to_json(const struct cni_attach *a)
{
	return json_pack(
		"{s:s, s:s, s:s?, s:s, s:s, s:i, s:s, s:s, s:s?, s:s?, s:s?,"
		" s:s?, s:i, s:o, s:O}",
		"containerID", a->cid, "ifname", a->ifname, "netns", a->netns,
		"mode",
		a->conf->mode == CNI_MODE_NETDEV ? "netdev" : "vhostuser",
		"mgmtdev", a->conf->mgmtdev, "vf", a->vf, "hostName",
		a->host_name, "mac", a->mac, "dev", a->dev[0] ? a->dev : NULL,
		"socket", a->socket[0] ? a->socket : NULL, "socketDir",
		a->sock_dir[0] ? a->sock_dir : NULL, "deviceInfoFile",
		a->conf->device_info_file, "hostMtu", a->host_mtu, "origVf",
		xv_vf_attrs_to_json(&a->orig), "config", a->conf->root);
}

static void copy_str(json_t *st, const char *key, char *buf, size_t len)
{
	const char *s = json_string_value(json_object_get(st, key));

	snprintf(buf, len, "%s", s ? s : "");
}

/* Only what undoing the attachment needs; the rest is for CHECK. */
void cni_attach_from_json(struct cni_attach *a, json_t *st)
{
	json_t *vf = json_object_get(st, "vf");
	char err[200];

	a->vf = json_is_integer(vf) ? (int)json_integer_value(vf) : -1;
	copy_str(st, "hostName", a->host_name, sizeof(a->host_name));
	copy_str(st, "mac", a->mac, sizeof(a->mac));
	copy_str(st, "dev", a->dev, sizeof(a->dev));
	a->dev_added = a->dev[0] != '\0';
	copy_str(st, "socket", a->socket, sizeof(a->socket));
	copy_str(st, "socketDir", a->sock_dir, sizeof(a->sock_dir));
	a->host_mtu = (unsigned int)json_integer_value(
		json_object_get(st, "hostMtu"));
	a->orig_saved = !xv_vf_attrs_from_json(json_object_get(st, "origVf"),
					       &a->orig, err, sizeof(err));
	if (!a->orig_saved)
		xv_warn("VF %d: saved attributes unreadable (%s), left as they are",
			a->vf, err);
}
