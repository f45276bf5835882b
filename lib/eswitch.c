// SPDX-License-Identifier: GPL-2.0-only
/*
 * Emulated SR-IOV PF management: creates the VF veth pairs, loads and
 * attaches the eswitch programs, pins their maps, and edits VF attributes
 * through those maps. All state lives in bpffs; nothing is cached here.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "eswitch.h"
#include "eswitch.skel.h"
#include "ethtool.h"
#include "log.h"
#include "nl.h"

#define XV_BPFFS_MOUNT "/sys/fs/bpf"
#define XV_TC_HANDLE 0x7876
#define XV_TC_PRIO 0x7876
/* Representors of PFs made before they switched in TC had an XDP link
 * pinned here; forgotten with their VF. (Such PFs' uplinks had one too,
 * "link_uplink_xdp": unpinned, like every pin, when the PF goes.) */
#define XV_PIN_LINK_REP "link_rep%u_xdp"

struct xv_pf {
	char name[XV_PF_NAME_MAX + 1];
	int fd_pf_cfg;
	int fd_vf_cfg;
	int fd_fdb;
	int fd_vf_stats;
	int fd_tbucket;
	int fd_rep_index;
};

static const char *const drop_names[XV_DROP_MAX] = XV_DROP_NAMES;
static const char *const link_state_names[] = { "auto", "enable", "disable" };
static const char *const consumer_names[] = { "xdp", "netdev" };

const char *xv_drop_reason_name(unsigned int reason)
{
	return reason < XV_DROP_MAX ? drop_names[reason] : "unknown";
}

/* @names[@i], or "unknown" past the end of the @n names. */
static const char *name_of(const char *const *names, unsigned int n,
			   unsigned int i)
{
	return i < n ? names[i] : "unknown";
}

/* The index of @s in the @n @names; -EINVAL if it is none of them. */
static int name_index(const char *const *names, unsigned int n, const char *s)
{
	unsigned int i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -EINVAL;
}

const char *xv_link_state_name(enum xv_link_state s)
{
	return name_of(link_state_names, XV_ARRAY_SIZE(link_state_names),
		       (unsigned int)s);
}

int xv_link_state_parse(const char *s, enum xv_link_state *out)
{
	int i = name_index(link_state_names, XV_ARRAY_SIZE(link_state_names),
			   s);

	if (i < 0)
		return i;
	*out = (enum xv_link_state)i;
	return 0;
}

const char *xv_vf_consumer_name(enum xv_vf_consumer c)
{
	return name_of(consumer_names, XV_ARRAY_SIZE(consumer_names),
		       (unsigned int)c);
}

int xv_vf_consumer_parse(const char *s, enum xv_vf_consumer *out)
{
	int i = name_index(consumer_names, XV_ARRAY_SIZE(consumer_names), s);

	if (i < 0)
		return i;
	*out = (enum xv_vf_consumer)i;
	return 0;
}

int xv_bpffs_check(void)
{
	struct statfs st;

	if (statfs(XV_BPFFS_MOUNT, &st) || st.f_type != BPF_FS_MAGIC) {
		xv_err("bpffs is not mounted at %s (mount -t bpf bpf %s)",
		       XV_BPFFS_MOUNT, XV_BPFFS_MOUNT);
		return -ENOTSUP;
	}
	if (mkdir(XV_BPFFS_ROOT, 0700) && errno != EEXIST) {
		xv_err("cannot create %s: %s", XV_BPFFS_ROOT, strerror(errno));
		return -errno;
	}
	return 0;
}

static int pin_path(char *buf, size_t len, const char *pf, const char *obj)
{
	int n = snprintf(buf, len, "%s/%s%s%s", XV_BPFFS_ROOT, pf,
			 obj ? "/" : "", obj ? obj : "");

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int check_pf_name(const char *name)
{
	int err = xv_validate_pf_name(name);

	if (err)
		xv_err("invalid mgmtdev name \"%s\": a letter, then letters, digits, '-' or '_', at most %d characters",
		       name ? name : "", XV_PF_NAME_MAX);
	return err;
}

/* ---- creation ---- */

static int check_names_free(const char *name, unsigned int num_vfs)
{
	char path[PATH_MAX], ifname[IF_NAMESIZE];
	unsigned int i;
	int rep;

	pin_path(path, sizeof(path), name, NULL);
	if (!access(path, F_OK)) {
		xv_err("mgmtdev %s already exists (%s)", name, path);
		return -EEXIST;
	}
	for (i = 0; i < num_vfs; i++) {
		for (rep = 0; rep < 2; rep++) {
			xv_vf_ifname(name, i, rep, ifname, sizeof(ifname));
			if (if_nametoindex(ifname)) {
				xv_err("netdev %s already exists: name %s is taken",
				       ifname, name);
				return -EEXIST;
			}
		}
	}
	return 0;
}

static int set_map_pins(struct eswitch *skel, const char *name)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	int err;

	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		err = pin_path(path, sizeof(path), name, bpf_map__name(map));
		if (!err)
			err = bpf_map__set_pin_path(map, path);
		if (err)
			return err;
	}
	return 0;
}

static int uplink_carrier(struct xv_nl *nl, int ifindex, bool *up)
{
	struct xv_link_info li;
	int err = xv_nl_link_get(nl, ifindex, &li);

	if (!err)
		*up = (li.flags & IFF_UP) && (li.flags & IFF_RUNNING);
	return err;
}

static int attach_tc(int ifindex, int prog_fd, bool *created)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XV_TC_HANDLE,
			    .priority = XV_TC_PRIO, .prog_fd = prog_fd);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	if (created)
		*created = !err;
	return bpf_tc_attach(&hook, &opts);
}

/*
 * Switch ports and fresh device ends carry no host IPv6: otherwise the
 * host's autoconfiguration (router and neighbour solicitations, MLD)
 * floods every VF. A device end moved into a pod gets that namespace's
 * defaults back.
 */
static int disable_ipv6(const char *ifname)
{
	char path[128];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* no IPv6 at all: fine */
	if (write(fd, "1", 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

/*
 * Does VF @vf's representor switch in XDP? Those of a PF made before
 * representors switched in TC do: their device ends must finish their
 * own checksums (XDP loses CHECKSUM_PARTIAL).
 */
static bool rep_has_xdp(struct xv_nl *nl, const char *pf, unsigned int vf)
{
	char rep[IF_NAMESIZE];
	struct xv_link_info li;
	int idx;

	xv_vf_ifname(pf, vf, true, rep, sizeof(rep));
	idx = (int)if_nametoindex(rep);
	return idx && !xv_nl_link_get(nl, idx, &li) && li.has_xdp;
}

/* A VF's device end back in the host (a pod gave it back) made as
 * create_vf makes it: the kernel's offloads, GRO on, no IPv6, up. */
int xv_vf_dev_reset(const char *pf, unsigned int vf)
{
	char dev[IF_NAMESIZE];
	struct xv_nl nl;
	int err, idx;

	xv_vf_ifname(pf, vf, false, dev, sizeof(dev));
	idx = (int)if_nametoindex(dev);
	if (!idx)
		return -ENODEV;
	err = xv_nl_open(&nl);
	if (err)
		return err;
	err = xv_ethtool_prepare_vf_end(dev, rep_has_xdp(&nl, pf, vf)) ?:
		      disable_ipv6(dev)				       ?:
		      xv_nl_link_set_up(&nl, idx, true);
	xv_nl_close(&nl);
	return err;
}

static int create_vf(struct xv_nl *nl, struct eswitch *skel, const char *pf,
		     unsigned int vf)
{
	char rep[IF_NAMESIZE], dev[IF_NAMESIZE];
	struct xv_vf_cfg cfg = { .spoofchk = 1, .active = 1 };
	struct xv_fdb_key key = {};
	struct xv_link_info li;
	int err, rep_idx;
	__u32 idx = vf, ifx;

	xv_vf_ifname(pf, vf, true, rep, sizeof(rep));
	xv_vf_ifname(pf, vf, false, dev, sizeof(dev));
	err = xv_nl_veth_create(nl, rep, dev);
	if (err) {
		xv_err("cannot create VF %u (%s/%s): %s", vf, rep, dev,
		       strerror(-err));
		return err;
	}
	rep_idx = (int)if_nametoindex(rep);
	cfg.rep_ifindex = (__u32)rep_idx;
	cfg.dev_ifindex = if_nametoindex(dev);
	/* The representor finishes checksums of what it sends to the
	 * device end (an AF_XDP consumer there gets whole frames). */
	err = xv_ethtool_prepare_vf_end(dev, false)	 ?:
		      xv_ethtool_set_tx_csum(rep, false) ?:
		      disable_ipv6(rep)			 ?:
							   disable_ipv6(dev);
	if (err)
		return err;
	err = xv_nl_link_get(nl, (int)cfg.dev_ifindex, &li);
	if (err)
		return err;
	memcpy(cfg.mac, li.mac, sizeof(cfg.mac));
	memcpy(key.mac, li.mac, sizeof(key.mac));
	ifx = cfg.rep_ifindex;
	if (bpf_map__update_elem(skel->maps.vf_cfg, &idx, sizeof(idx), &cfg,
				 sizeof(cfg), 0) ||
	    bpf_map__update_elem(skel->maps.rep_index, &ifx, sizeof(ifx), &idx,
				 sizeof(idx), 0) ||
	    bpf_map__update_elem(skel->maps.fdb, &key, sizeof(key), &idx,
				 sizeof(idx), BPF_NOEXIST))
		return -errno;
	/* A VF's frames enter the switch as skbs (TC, not XDP): XDP on
	 * a veth takes GSO from its peer, and the pod its TSO. */
	err = attach_tc(rep_idx, bpf_program__fd(skel->progs.xv_rep_tc_ingress),
			NULL);
	if (err) {
		xv_err("TC attach refused on %s: %s", rep, strerror(-err));
		return err;
	}
	return xv_nl_link_set_up(nl, rep_idx, true) ?:
		       xv_nl_link_set_up(nl, (int)cfg.dev_ifindex, true);
}

static int write_pf_cfg(struct eswitch *skel, const struct xv_pf_cfg *pf)
{
	__u32 zero = 0;

	if (bpf_map__update_elem(skel->maps.pf_cfg, &zero, sizeof(zero), pf,
				 sizeof(*pf), 0))
		return -errno;
	return 0;
}

/* The uplink switches in TC, like the representors: XDP there would
 * take GSO from a veth uplink's peer and lose what the external host's
 * checksum offload left unfinished. */
static int attach_uplink(struct eswitch *skel, struct xv_pf_cfg *pf)
{
	bool created = false;
	int err;

	err = attach_tc((int)pf->uplink_ifindex,
			bpf_program__fd(skel->progs.xv_uplink_tc), &created);
	pf->own_clsact = created;
	if (err == -EEXIST) {
		xv_err("the uplink already has an eswitch TC filter (another mgmtdev owns it)");
		return -EBUSY;
	}
	if (err) {
		xv_err("TC attach refused on the uplink: %s", strerror(-err));
		return err;
	}
	return write_pf_cfg(skel, pf);
}

static int check_uplink_free(int ifindex, const char *uplink)
{
	struct xv_link_info li;
	struct xv_nl nl;
	int err;

	err = xv_nl_open(&nl);
	if (err)
		return err;
	err = xv_nl_link_get(&nl, ifindex, &li);
	xv_nl_close(&nl);
	if (err)
		return err;
	/* An XDP program (another tool's, or a mgmtdev of an older
	 * xvdpa) would take frames before the eswitch sees them. */
	if (li.has_xdp) {
		xv_err("uplink %s already has an XDP program attached (another mgmtdev or tool owns it)",
		       uplink);
		return -EBUSY;
	}
	return 0;
}

static int create_validate(const char *name, const char *uplink,
			   unsigned int num_vfs, int *uplink_ifindex)
{
	int err = check_pf_name(name);

	if (err)
		return err;
	if (num_vfs < 1 || num_vfs > XV_NUM_VFS_MAX) {
		xv_err("numvfs %u out of range: 1 to %d", num_vfs,
		       XV_NUM_VFS_MAX);
		return -ERANGE;
	}
	*uplink_ifindex = (int)if_nametoindex(uplink);
	if (!*uplink_ifindex) {
		xv_err("uplink %s does not exist", uplink);
		return -ENODEV;
	}
	return xv_bpffs_check()			       ?:
		       check_names_free(name, num_vfs) ?:
		       check_uplink_free(*uplink_ifindex, uplink);
}

int xv_pf_create(const char *name, const char *uplink, unsigned int num_vfs)
{
	struct xv_pf_cfg pf = { .num_vfs = num_vfs };
	struct eswitch *skel = NULL;
	char dir[PATH_MAX];
	struct xv_nl nl;
	bool up = false;
	int err, upl;
	unsigned int i;

	err = create_validate(name, uplink, num_vfs, &upl);
	if (err)
		return err;
	err = xv_nl_open(&nl);
	if (err)
		return err;
	pin_path(dir, sizeof(dir), name, NULL);
	if (mkdir(dir, 0700)) {
		err = -errno;
		goto out_nl;
	}
	skel = eswitch__open();
	err = skel ? set_map_pins(skel, name) : -errno;
	if (err)
		goto out_destroy;
	err = eswitch__load(skel);
	if (err) {
		xv_err("cannot load the eswitch programs: %s", strerror(-err));
		goto out_destroy;
	}
	/* num_vfs is recorded first so a failed create can be undone. */
	err = write_pf_cfg(skel, &pf);
	for (i = 0; !err && i < num_vfs; i++)
		err = create_vf(&nl, skel, name, i);
	if (err)
		goto out_destroy;
	err = xv_nl_link_set_up(&nl, upl, true) ?:
						  uplink_carrier(&nl, upl, &up);
	/* From here on a rollback detaches what is on the uplink. */
	pf.uplink_ifindex = (__u32)upl;
	pf.uplink_up = up;
	if (!err)
		err = attach_uplink(skel, &pf);
	if (err)
		goto out_destroy;
	eswitch__destroy(skel);
	xv_nl_close(&nl);
	return 0;

out_destroy:
	eswitch__destroy(skel);
	xv_pf_destroy(name);
out_nl:
	xv_nl_close(&nl);
	return err;
}

/* ---- teardown ---- */

static int read_pinned_pf_cfg(const char *name, struct xv_pf_cfg *pf)
{
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, err = 0;

	pin_path(path, sizeof(path), name, XV_PIN_PF_CFG);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &zero, pf))
		err = -errno;
	close(fd);
	return err;
}

static void detach_uplink_tc(const struct xv_pf_cfg *pf)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = pf->uplink_ifindex,
			    .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XV_TC_HANDLE,
			    .priority = XV_TC_PRIO);

	if (!pf->uplink_ifindex)
		return;
	bpf_tc_detach(&hook, &opts);
	if (pf->own_clsact) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
}

static void delete_vf_netdevs(struct xv_nl *nl, const char *name,
			      unsigned int num_vfs)
{
	char rep[IF_NAMESIZE];
	unsigned int i;
	int ifindex;

	/* Deleting a representor deletes its peer, wherever it lives. */
	for (i = 0; i < num_vfs && i < XV_MAX_VFS; i++) {
		xv_vf_ifname(name, i, true, rep, sizeof(rep));
		ifindex = (int)if_nametoindex(rep);
		if (ifindex && xv_nl_link_del(nl, ifindex))
			xv_warn("cannot delete %s", rep);
	}
}

static int remove_pin_dir(const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	pin_path(dir, sizeof(dir), name, NULL);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path))
			xv_warn("cannot unpin %s: %s", path, strerror(errno));
	}
	closedir(d);
	return rmdir(dir) ? -errno : 0;
}

/*
 * Undoes everything xv_pf_create() did, as far as it got: representors
 * and their peers, TC filter, XDP links (unpinning detaches them), maps.
 * The uplink itself is left as it was.
 */
int xv_pf_destroy(const char *name)
{
	struct xv_pf_cfg pf = {};
	char dir[PATH_MAX];
	struct xv_nl nl;
	int err;

	err = check_pf_name(name);
	if (err)
		return err;
	pin_path(dir, sizeof(dir), name, NULL);
	if (access(dir, F_OK)) {
		xv_err("mgmtdev %s does not exist", name);
		return -ENOENT;
	}
	err = xv_nl_open(&nl);
	if (err)
		return err;
	if (!read_pinned_pf_cfg(name, &pf)) {
		detach_uplink_tc(&pf);
		delete_vf_netdevs(&nl, name, pf.num_vfs);
	}
	xv_nl_close(&nl);
	return remove_pin_dir(name);
}

/* ---- opening and editing ---- */

static int open_pinned(const char *pf, const char *obj)
{
	char path[PATH_MAX];
	int fd;

	pin_path(path, sizeof(path), pf, obj);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

void xv_pf_close(struct xv_pf *pf)
{
	int *fds[] = { &pf->fd_pf_cfg,	 &pf->fd_vf_cfg,  &pf->fd_fdb,
		       &pf->fd_vf_stats, &pf->fd_tbucket, &pf->fd_rep_index };
	unsigned int i;

	if (!pf)
		return;
	for (i = 0; i < XV_ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	free(pf);
}

int xv_pf_open(const char *name, struct xv_pf **out)
{
	struct {
		int *fd;
		const char *pin;
	} maps[6];
	struct xv_pf *pf;
	unsigned int i;
	int err;

	err = check_pf_name(name);
	if (err)
		return err;
	pf = calloc(1, sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	strcpy(pf->name, name);
	maps[0].fd = &pf->fd_pf_cfg, maps[0].pin = XV_PIN_PF_CFG;
	maps[1].fd = &pf->fd_vf_cfg, maps[1].pin = XV_PIN_VF_CFG;
	maps[2].fd = &pf->fd_fdb, maps[2].pin = XV_PIN_FDB;
	maps[3].fd = &pf->fd_vf_stats, maps[3].pin = XV_PIN_VF_STATS;
	maps[4].fd = &pf->fd_tbucket, maps[4].pin = XV_PIN_TBUCKET;
	maps[5].fd = &pf->fd_rep_index, maps[5].pin = XV_PIN_REP_INDEX;
	for (i = 0; i < XV_ARRAY_SIZE(maps); i++)
		*maps[i].fd = -1;
	for (i = 0; i < XV_ARRAY_SIZE(maps); i++) {
		*maps[i].fd = open_pinned(name, maps[i].pin);
		if (*maps[i].fd < 0) {
			err = *maps[i].fd;
			goto err_close;
		}
	}
	*out = pf;
	return 0;

err_close:
	if (err == -ENOENT)
		xv_err("mgmtdev %s does not exist", name);
	xv_pf_close(pf);
	return err;
}

static int pf_read_cfg(struct xv_pf *pf, struct xv_pf_cfg *cfg)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(pf->fd_pf_cfg, &zero, cfg) ? -errno : 0;
}

/* Re-reads the uplink's carrier into pf_cfg (for link state auto). */
static int pf_refresh_uplink(struct xv_pf *pf, struct xv_pf_cfg *cfg)
{
	struct xv_nl nl;
	bool up = false;
	__u32 zero = 0;
	int err;

	err = pf_read_cfg(pf, cfg) ?: xv_nl_open(&nl);
	if (err)
		return err;
	err = uplink_carrier(&nl, (int)cfg->uplink_ifindex, &up);
	xv_nl_close(&nl);
	if (err)
		return err;
	if (cfg->uplink_up != up) {
		cfg->uplink_up = up;
		if (bpf_map_update_elem(pf->fd_pf_cfg, &zero, cfg, 0))
			return -errno;
	}
	return 0;
}

int xv_pf_info(struct xv_pf *pf, struct xv_pf_info *info)
{
	struct xv_pf_cfg cfg;
	int err;

	err = pf_refresh_uplink(pf, &cfg);
	if (err)
		return err;
	memset(info, 0, sizeof(*info));
	strcpy(info->name, pf->name);
	info->uplink_ifindex = (int)cfg.uplink_ifindex;
	if (!if_indextoname(cfg.uplink_ifindex, info->uplink))
		strcpy(info->uplink, "?");
	info->num_vfs = cfg.num_vfs;
	info->uplink_up = cfg.uplink_up;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Names of existing mgmtdevs, sorted; returns how many (or -errno). */
int xv_pf_list(char (*names)[XV_PF_NAME_MAX + 1], unsigned int max)
{
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	d = opendir(XV_BPFFS_ROOT);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && n < max) {
		if (xv_validate_pf_name(de->d_name))
			continue;
		strcpy(names[n++], de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	return (int)n;
}

static int vf_read_cfg(struct xv_pf *pf, unsigned int vf, struct xv_vf_cfg *cfg)
{
	struct xv_pf_cfg pcfg;
	__u32 idx = vf;
	int err = pf_read_cfg(pf, &pcfg);

	if (err)
		return err;
	if (vf >= pcfg.num_vfs) {
		xv_err("mgmtdev %s has no vf %u (it has %u)", pf->name, vf,
		       pcfg.num_vfs);
		return -ENOENT;
	}
	return bpf_map_lookup_elem(pf->fd_vf_cfg, &idx, cfg) ? -errno : 0;
}

static int vf_read_stats(struct xv_pf *pf, unsigned int vf,
			 struct xv_vf_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xv_vf_stats *per;
	__u32 idx = vf;
	int i, j, err = 0;

	if (ncpu < 1)
		return ncpu < 0 ? ncpu : -EINVAL;
	per = calloc((size_t)ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(pf->fd_vf_stats, &idx, per)) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < ncpu; i++) {
		sum->rx_packets += per[i].rx_packets;
		sum->rx_bytes += per[i].rx_bytes;
		sum->tx_packets += per[i].tx_packets;
		sum->tx_bytes += per[i].tx_bytes;
		sum->rx_flood += per[i].rx_flood;
		sum->tx_flood += per[i].tx_flood;
		for (j = 0; j < XV_DROP_MAX; j++)
			sum->drops[j] += per[i].drops[j];
	}
out:
	free(per);
	return err;
}

int xv_vf_get(struct xv_pf *pf, unsigned int vf, struct xv_vf_info *info)
{
	struct xv_pf_cfg pcfg;
	int err;

	memset(info, 0, sizeof(*info));
	err = pf_refresh_uplink(pf, &pcfg) ?: vf_read_cfg(pf, vf, &info->cfg);
	if (err)
		return err;
	info->index = vf;
	xv_vf_ifname(pf->name, vf, true, info->rep, sizeof(info->rep));
	xv_vf_ifname(pf->name, vf, false, info->dev, sizeof(info->dev));
	info->link_up =
		info->cfg.link_state == XV_LINK_ENABLE ||
		(info->cfg.link_state == XV_LINK_AUTO && pcfg.uplink_up);
	return vf_read_stats(pf, vf, &info->stats);
}

int xv_vf_attrs_validate(const struct xv_vf_attrs *a)
{
	if ((a->set & XV_VF_SET_MAC) && !xv_mac_is_valid_unicast(a->mac)) {
		xv_err("mac must be a unicast address other than 00:00:00:00:00:00");
		return -EINVAL;
	}
	if ((a->set & XV_VF_SET_VLAN) && a->vlan > XV_VLAN_MAX) {
		xv_err("vlan %u out of range: 0 (none) to %d", a->vlan,
		       XV_VLAN_MAX);
		return -ERANGE;
	}
	if ((a->set & XV_VF_SET_VLAN) && a->qos > 7) {
		xv_err("qos %u out of range: 0 to 7", a->qos);
		return -ERANGE;
	}
	if ((a->set & XV_VF_SET_VLAN) && a->qos && !a->vlan) {
		xv_err("qos needs a vlan");
		return -EINVAL;
	}
	if ((a->set & XV_VF_SET_STATE) && (unsigned int)a->link_state > 2) {
		xv_err("state must be auto, enable or disable");
		return -EINVAL;
	}
	if ((a->set & XV_VF_SET_CONSUMER) &&
	    (unsigned int)a->consumer > XV_VF_CONSUMER_NETDEV) {
		xv_err("consumer must be xdp or netdev");
		return -EINVAL;
	}
	return 0;
}

static void fdb_key_of(const struct xv_vf_cfg *cfg, struct xv_fdb_key *key)
{
	memset(key, 0, sizeof(*key));
	key->vlan = cfg->vlan;
	memcpy(key->mac, cfg->mac, sizeof(key->mac));
}

/* Moves VF @vf's FDB entry from @old to @new's (VLAN, MAC). */
static int fdb_rekey(struct xv_pf *pf, __u32 vf, const struct xv_vf_cfg *old,
		     const struct xv_vf_cfg *new)
{
	struct xv_fdb_key ok, nk;
	char mac[XV_MAC_STR_LEN];

	fdb_key_of(old, &ok);
	fdb_key_of(new, &nk);
	if (!memcmp(&ok, &nk, sizeof(ok)))
		return 0;
	if (bpf_map_update_elem(pf->fd_fdb, &nk, &vf, BPF_NOEXIST)) {
		if (errno != EEXIST)
			return -errno;
		xv_format_mac(new->mac, mac);
		xv_err("mac %s is already used by another VF in vlan %u", mac,
		       new->vlan);
		return -EADDRINUSE;
	}
	bpf_map_delete_elem(pf->fd_fdb, &ok);
	return 0;
}

static void apply_attrs(struct xv_vf_cfg *cfg, const struct xv_vf_attrs *a)
{
	if (a->set & XV_VF_SET_MAC)
		memcpy(cfg->mac, a->mac, sizeof(cfg->mac));
	if (a->set & XV_VF_SET_VLAN) {
		cfg->vlan = a->vlan;
		cfg->qos = a->qos;
	}
	if (a->set & XV_VF_SET_SPOOFCHK)
		cfg->spoofchk = a->spoofchk;
	if (a->set & XV_VF_SET_TRUST)
		cfg->trust = a->trust;
	if (a->set & XV_VF_SET_STATE)
		cfg->link_state = (__u8)a->link_state;
	if (a->set & XV_VF_SET_RATE)
		cfg->max_tx_rate = a->max_tx_rate;
	if (a->set & XV_VF_SET_CONSUMER)
		cfg->consumer = (__u8)a->consumer;
}

/*
 * Frames for a netdev consumer go straight into the namespace its device
 * end is in, which must be another than its representor's (the kernel
 * drops them otherwise, uncounted): refused while the device end is here.
 */
static int consumer_check(struct xv_pf *pf, unsigned int vf,
			  const struct xv_vf_cfg *cfg)
{
	char dev[IF_NAMESIZE];

	if (cfg->consumer != XV_VF_CONSUMER_NETDEV)
		return 0;
	xv_vf_ifname(pf->name, vf, false, dev, sizeof(dev));
	if (if_nametoindex(dev) != cfg->dev_ifindex)
		return 0;
	xv_err("consumer netdev needs %s in a pod's network namespace: move it there first",
	       dev);
	return -EINVAL;
}

/* What a consumer of the VF sees: its MAC, and carrier off when disabled. */
static int sync_vf_netdevs(struct xv_pf *pf, unsigned int vf,
			   const struct xv_vf_cfg *cfg)
{
	char dev[IF_NAMESIZE];
	struct xv_nl nl;
	int err;

	err = xv_nl_open(&nl);
	if (err)
		return err;
	err = xv_nl_link_set_up(&nl, (int)cfg->rep_ifindex,
				cfg->link_state != XV_LINK_DISABLE);
	/* The device end may live in a pod's netns: only touch it here. */
	xv_vf_ifname(pf->name, vf, false, dev, sizeof(dev));
	if (!err && if_nametoindex(dev) == cfg->dev_ifindex)
		err = xv_nl_link_set_mac(&nl, (int)cfg->dev_ifindex, cfg->mac);
	xv_nl_close(&nl);
	return err;
}

int xv_vf_set(struct xv_pf *pf, unsigned int vf, const struct xv_vf_attrs *a)
{
	struct xv_vf_cfg old, new;
	struct xv_tbucket tb = {};
	struct xv_pf_cfg pcfg;
	__u32 idx = vf;
	int err;

	err = xv_vf_attrs_validate(a)		   ?:
		      pf_refresh_uplink(pf, &pcfg) ?:
						     vf_read_cfg(pf, vf, &old);
	if (err)
		return err;
	new = old;
	apply_attrs(&new, a);
	err = consumer_check(pf, vf, &new) ?: fdb_rekey(pf, idx, &old, &new);
	if (err)
		return err;
	if ((a->set & XV_VF_SET_RATE) &&
	    bpf_map_update_elem(pf->fd_tbucket, &idx, &tb, 0)) {
		err = -errno;
		goto err_rekey;
	}
	if (bpf_map_update_elem(pf->fd_vf_cfg, &idx, &new, 0)) {
		err = -errno;
		goto err_rekey;
	}
	return sync_vf_netdevs(pf, vf, &new);

err_rekey:
	fdb_rekey(pf, idx, &new, &old);
	return err;
}

/* Forgets VF @vf's old ports (FDB entry, representor index, link pin). */
static void vf_forget_ports(struct xv_pf *pf, unsigned int vf,
			    const struct xv_vf_cfg *old)
{
	struct xv_fdb_key key;
	char path[PATH_MAX], pin[32];
	__u32 ifx = old->rep_ifindex;

	fdb_key_of(old, &key);
	bpf_map_delete_elem(pf->fd_fdb, &key);
	bpf_map_delete_elem(pf->fd_rep_index, &ifx);
	snprintf(pin, sizeof(pin), XV_PIN_LINK_REP, vf);
	if (!pin_path(path, sizeof(path), pf->name, pin))
		unlink(path);
}

/* The skeleton's maps become the PF's pinned ones. (Not through pin
 * paths: libbpf would compare flags, and the kernel adds
 * BPF_F_RDONLY_PROG to devmaps, so a pinned devmap never matches.) */
static int reuse_pinned_maps(struct eswitch *skel, const char *name)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	int fd, err;

	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		err = pin_path(path, sizeof(path), name, bpf_map__name(map));
		if (err)
			return err;
		fd = bpf_obj_get(path);
		if (fd < 0)
			return -errno;
		err = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (err)
			return err;
	}
	return 0;
}

/* A PF made when its uplink switched in XDP redirects to representors
 * through its pinned rep_ports devmap: a rebuilt one goes in there too. */
static int legacy_rep_port_update(const char *pf, unsigned int vf)
{
	char rep[IF_NAMESIZE];
	__u32 idx = vf, ifx;
	int fd, err = 0;

	fd = open_pinned(pf, XV_PIN_REP_PORTS);
	if (fd < 0)
		return 0; /* made by this version: TC only */
	xv_vf_ifname(pf, vf, true, rep, sizeof(rep));
	ifx = if_nametoindex(rep);
	if (!ifx || bpf_map_update_elem(fd, &idx, &ifx, 0))
		err = ifx ? -errno : -ENODEV;
	close(fd);
	return err;
}

/* The VF's veth pair made again and wired as create_vf wires it, with
 * the eswitch's programs loaded afresh on the pinned maps. */
static int vf_rebuild(struct xv_pf *pf, unsigned int vf)
{
	struct eswitch *skel;
	struct xv_nl nl;
	int err;

	skel = eswitch__open();
	err = skel ? reuse_pinned_maps(skel, pf->name) : -errno;
	if (!err)
		err = eswitch__load(skel);
	if (!err)
		err = xv_nl_open(&nl);
	if (!err) {
		err = create_vf(&nl, skel, pf->name, vf);
		xv_nl_close(&nl);
	}
	eswitch__destroy(skel);
	return err ?: legacy_rep_port_update(pf->name, vf);
}

/*
 * A VF whose veth pair is gone (its device end was in a pod's namespace
 * when that was deleted, and a veth dies with its peer) is made again:
 * the same names, its representor wired to the eswitch, its attributes
 * (MAC, VLAN, ...) as they were. A VF whose representor exists is left
 * alone (its device end may be in a pod). 0, or -errno.
 */
int xv_vf_repair(const char *name, unsigned int vf)
{
	char rep[IF_NAMESIZE], dev[IF_NAMESIZE];
	struct xv_vf_attrs attrs = { 0 };
	struct xv_vf_cfg old;
	struct xv_pf *pf;
	int err;

	xv_vf_ifname(name, vf, true, rep, sizeof(rep));
	xv_vf_ifname(name, vf, false, dev, sizeof(dev));
	if (if_nametoindex(rep))
		return 0;
	if (if_nametoindex(dev))
		return -EEXIST; /* half a pair cannot be: not ours to fix */
	err = xv_pf_open(name, &pf);
	if (err)
		return err;
	err = vf_read_cfg(pf, vf, &old);
	if (err)
		goto out;
	vf_forget_ports(pf, vf, &old);
	err = vf_rebuild(pf, vf);
	if (err) {
		xv_err("cannot rebuild VF %u of %s: %s", vf, name,
		       strerror(-err));
		goto out;
	}
	attrs.set = XV_VF_SET_MAC | XV_VF_SET_VLAN | XV_VF_SET_SPOOFCHK |
		    XV_VF_SET_TRUST | XV_VF_SET_STATE | XV_VF_SET_RATE;
	memcpy(attrs.mac, old.mac, sizeof(attrs.mac));
	attrs.vlan = old.vlan;
	attrs.qos = old.qos;
	attrs.spoofchk = old.spoofchk;
	attrs.trust = old.trust;
	attrs.link_state = (enum xv_link_state)old.link_state;
	attrs.max_tx_rate = old.max_tx_rate;
	err = xv_vf_set(pf, vf, &attrs);
	if (!err)
		xv_info("VF %u of %s rebuilt (%s/%s)", vf, name, rep, dev);
out:
	xv_pf_close(pf);
	return err;
}
