// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpad's control server: one handler table of requests, each validated
 * (known command, argument types and ranges) before it runs. Runs on the
 * control thread; reads the datapath's counters without stopping it.
 */
#include <errno.h>
#include <stdarg.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "ctl_server.h"
#include "sockpath.h"
#include "cycles.h"
#include "eswitch.h"
#include "eswitch_json.h"
#include "log.h"
#include "util.h"
#include "vdpad.h"
#include "vfargs.h"

typedef json_t *(*ctl_fn)(struct vdpad *v, json_t *args, int *status, char *err,
			  size_t errlen);

struct ctl_handler {
	const char *cmd;
	ctl_fn fn;
	bool root_only; /* changes the host (PFs, VFs): not for the group */
};

static const struct {
	unsigned int bit;
	const char *name;
} feature_names[] = {
	{ VU_F_CSUM, "CSUM" },
	{ VU_F_GUEST_CSUM, "GUEST_CSUM" },
	{ VU_F_MTU, "MTU" },
	{ VU_F_HOST_TSO4, "HOST_TSO4" },
	{ VU_F_HOST_TSO6, "HOST_TSO6" },
	{ VU_F_HOST_ECN, "HOST_ECN" },
	{ VU_F_MAC, "MAC" },
	{ VU_F_MRG_RXBUF, "MRG_RXBUF" },
	{ VU_F_STATUS, "STATUS" },
	{ VU_F_CTRL_VQ, "CTRL_VQ" },
	{ VU_F_GUEST_ANNOUNCE, "GUEST_ANNOUNCE" },
	{ VU_F_MQ, "MQ" },
	{ VU_F_NOTIFY_ON_EMPTY, "NOTIFY_ON_EMPTY" },
	{ VU_F_LOG_ALL, "LOG_ALL" },
	{ VU_F_INDIRECT_DESC, "INDIRECT_DESC" },
	{ VU_F_EVENT_IDX, "EVENT_IDX" },
	{ VU_F_PROTOCOL_FEATURES, "PROTOCOL_FEATURES" },
	{ VU_F_VERSION_1, "VERSION_1" },
};

static json_t *features_json(uint64_t f)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < XV_ARRAY_SIZE(feature_names); i++)
		if (f & VU_BIT(feature_names[i].bit))
			json_array_append_new(
				a, json_string(feature_names[i].name));
	return a;
}

/* Every argument must be one of @keys (or a VF attribute): a typo is an
 * error, not a silently ignored option. */
static int check_keys(json_t *args, const char *const *keys, bool vf_attrs,
		      char *err, size_t errlen)
{
	const char *k;
	unsigned int i;
	json_t *val;

	json_object_foreach(args, k, val) {
		for (i = 0; keys[i] && strcmp(k, keys[i]); i++)
			;
		if (keys[i] || (vf_attrs && xv_vf_attr_known(k)))
			continue;
		snprintf(err, errlen, "unknown argument \"%s\"", k);
		return -EINVAL;
	}
	return 0;
}

/* Optional "name" argument: NULL means every device. */
static int arg_dev(struct vdpad *v, json_t *args, struct xv_dev **d, char *err,
		   size_t errlen)
{
	json_t *n = json_object_get(args, "name");

	*d = NULL;
	if (!n)
		return 0;
	if (!json_is_string(n)) {
		snprintf(err, errlen, "\"name\" must be a string");
		return -EINVAL;
	}
	*d = xv_dev_find(&v->devs, json_string_value(n));
	if (!*d) {
		snprintf(err, errlen, "no device \"%s\"", json_string_value(n));
		return -ENOENT;
	}
	return 0;
}

static bool dev_link_up(const struct xv_dev *d)
{
	return d->conn_fd >= 0 && d->vu.vrings[xv_rxq(0)].started &&
	       d->vu.vrings[xv_txq(0)].started && !d->vu.broken;
}

/* The device's configuration as the table shows it (devcfg.h), with the
 * socket as served (the canonical path) and what it is doing now. */
static json_t *dev_show_one(const struct xv_dev *d)
{
	json_t *o = xv_dev_cfg_to_json(&d->cfg, XV_DEV_F_SHOW);

	json_object_set_new(o, xv_dev_fields[XV_DEVF_SOCKET].key,
			    json_string(d->sock.canon));
	json_object_set_new(o, "backend", json_string(d->be.ops->name));
	json_object_set_new(o, "running", json_boolean(d->running));
	json_object_set_new(o, "connected", json_boolean(d->conn_fd >= 0));
	json_object_set_new(o, "broken", json_boolean(d->vu.broken));
	if (!d->running)
		json_object_set_new(o, "error", json_string(d->start_err));
	return o;
}

/* The frontend's memory as mapped now (the control thread maps it), and
 * what was refused or faulted. */
static json_t *guest_memory_json(const struct xv_dev *d)
{
	const struct xv_guest_mem *m = &d->vu.mem;

	return json_pack("{s:i, s:I, s:i, s:I, s:I, s:I}", "regions",
			 (int)m->nregions, "mapped_bytes",
			 (json_int_t)m->mapped_bytes, "unsealed_regions",
			 (int)xv_mem_unsealed(m),
			 xv_dev_fields[XV_DEVF_MAX_MEM].key,
			 (json_int_t)d->vu.cfg.max_mem, "faults",
			 (json_int_t)d->vu.stats.mem_faults, "refused",
			 (json_int_t)d->vu.stats.mem_refused);
}

/* The frontend's dirty log (migration): mapped, and logged into now. */
static json_t *dirty_log_json(const struct xv_dev *d)
{
	const struct xv_vu_dev *vu = &d->vu;

	return json_pack("{s:b, s:I, s:b, s:I, s:I}", "mapped",
			 vu->log.bits != NULL, "bytes",
			 (json_int_t)vu->log.size, "logging",
			 vu->log.bits && (vu->features & VU_BIT(VU_F_LOG_ALL)),
			 "log_bases", (json_int_t)vu->stats.log_bases,
			 "refused", (json_int_t)vu->stats.log_refused);
}

static json_t *dev_config_one(const struct xv_dev *d)
{
	char mac[XV_MAC_STR_LEN];

	xv_format_mac(d->vu.cfg.mac, mac);
	return json_pack(
		"{s:s, s:i, s:s, s:i, s:o, s:o, s:{s:b, s:s, s:i, s:o, s:i, s:I, s:I, s:I, s:I, s:I, s:o}, s:o}",
		"mac", mac, xv_dev_fields[XV_DEVF_MTU].key,
		(int)(d->vu.mtu ? d->vu.mtu : d->vu.cfg.mtu), "link",
		dev_link_up(d) ? "up" : "down", "max_vq_pairs",
		(int)d->vu.cfg.max_queue_pairs, "negotiated_features",
		features_json(d->vu.features), "offered_features",
		features_json(d->vu.cfg.features), "vhost_user", "connected",
		d->conn_fd >= 0, xv_dev_fields[XV_DEVF_MODE].key,
		xv_dev_fields[XV_DEVF_MODE].words[d->cfg.client], "status",
		(int)d->vu.status, "protocol_features",
		json_integer((json_int_t)d->vu.protocol_features),
		"broken_sessions", (int)d->broken_sessions, "msgs",
		(json_int_t)d->vu.stats.msgs, "bad_msgs",
		(json_int_t)d->vu.stats.bad_msgs, "unsupported",
		(json_int_t)d->vu.stats.unsupported, "stray_fds",
		(json_int_t)d->vu.stats.stray_fds, "ring_resyncs",
		(json_int_t)d->vu.stats.ring_resyncs, "dirty_log",
		dirty_log_json(d), "guest_memory", guest_memory_json(d));
}

static json_t *net_drops_json(const struct xv_net_q_stats *s)
{
	json_t *o = json_object();
	unsigned int r;

	for (r = 0; r < XV_NET_DROP_MAX; r++)
		json_object_set_new(o, xv_net_drop_name(r),
				    json_integer((json_int_t)s->drops[r]));
	return o;
}

/* What vdpad did for the guest's transmit offload requests. */
static json_t *offloads_json(const struct xv_net_q_stats *tx)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "tx_csum",
			 (json_int_t)tx->csum, "tx_csum_by_kernel",
			 (json_int_t)tx->csum_later, "tx_tso",
			 (json_int_t)tx->tso, "tx_tso_segments",
			 (json_int_t)tx->tso_segs);
}

static json_t *queue_json(const struct xv_dev *d, unsigned int qidx)
{
	const struct xv_qstats *s = &d->qs[xv_q_pair(qidx)];
	bool tx = xv_q_is_tx(qidx);
	const struct xv_net_q_stats *q = tx ? &s->tx : &s->rx;
	json_t *o, *drops, *errs;
	unsigned int r;

	drops = net_drops_json(q);
	for (r = 0; r < XV_DP_DROP_MAX && !tx; r++)
		json_object_set_new(drops, xv_dp_drop_name(r),
				    json_integer((json_int_t)s->drops[r]));
	o = json_pack("{s:i, s:s, s:I, s:I, s:o}", "qidx", (int)qidx, "type",
		      tx ? "tx" : "rx", "packets", (json_int_t)q->packets,
		      "bytes", (json_int_t)q->bytes, "drops", drops);
	if (tx) {
		json_object_set_new(
			o, "tx_backpressure",
			json_integer((json_int_t)s->tx_backpressure));
		json_object_set_new(o, "offloads", offloads_json(q));
	}
	errs = json_object();
	for (r = 0; r < XV_VQ_ERR_MAX; r++)
		if (d->vu.vrings[qidx].vq.errors[r])
			json_object_set_new(
				errs, xv_vq_error_name(r),
				json_integer((json_int_t)d->vu.vrings[qidx]
						     .vq.errors[r]));
	json_object_set_new(o, "started",
			    json_boolean(d->vu.vrings[qidx].started));
	json_object_set_new(o, "ring_errors", errs);
	return o;
}

/* What the device costs its datapath thread: busy polls and their time,
 * and the kernel TX wakeups (sendto) it made. */
static json_t *datapath_json(const struct xv_dev *d,
			     const struct xv_backend_stats *bs,
			     const struct xv_qstats *sum)
{
	return json_pack(
		"{s:I, s:I, s:I, s:I}", "busy_polls",
		(json_int_t)__atomic_load_n(&d->busy_polls, __ATOMIC_RELAXED),
		"busy_ns",
		(json_int_t)xv_cycles_to_ns(
			__atomic_load_n(&d->busy_cycles, __ATOMIC_RELAXED)),
		"tx_wakeups", (json_int_t)bs->tx_wakeups, "tx_backpressure",
		(json_int_t)sum->tx_backpressure);
}

/* What the kernel dropped on the device's AF_XDP sockets, named as in
 * vdpad's exit summary; not its fill-ring-empty count, which is part of
 * xsk_rx_dropped (every drop is counted once). Loopback: none. */
static void xsk_drops_json(const struct xv_backend_stats *bs, json_t *drops)
{
	if (!bs->kernel)
		return;
	json_object_set_new(drops, "xsk_rx_dropped",
			    json_integer((json_int_t)bs->k.rx_dropped));
	json_object_set_new(drops, "xsk_rx_ring_full",
			    json_integer((json_int_t)bs->k.rx_ring_full));
	json_object_set_new(drops, "xsk_tx_invalid",
			    json_integer((json_int_t)bs->k.tx_invalid_descs));
	json_object_set_new(drops, "xsk_rx_invalid",
			    json_integer((json_int_t)bs->k.rx_invalid_descs));
}

/* Guest pages the datapath marked dirty for a migrating frontend, and
 * the marks a too small log could not take. */
static json_t *dirty_log_stats_json(const struct xv_dev *d)
{
	return json_pack("{s:I, s:I}", "pages",
			 (json_int_t)__atomic_load_n(&d->vu.log.pages,
						     __ATOMIC_RELAXED),
			 "outside",
			 (json_int_t)__atomic_load_n(&d->vu.log.outside,
						     __ATOMIC_RELAXED));
}

/* SEND_RARP requests, and the RARP frames sent for them. */
static json_t *announce_json(const struct xv_dev *d)
{
	return json_pack("{s:I, s:I}", "rarp_requests",
			 (json_int_t)d->vu.stats.rarp_requests, "rarp_sent",
			 (json_int_t)__atomic_load_n(&d->vu.stats.rarp_sent,
						     __ATOMIC_RELAXED));
}

static json_t *dev_stats_one(const struct xv_dev *d)
{
	struct xv_backend_stats bs;
	struct xv_qstats sum;
	unsigned int r;
	json_t *drops;

	xv_dev_qstats(d, &sum);
	d->be.ops->stats(&d->be, &bs);
	drops = json_object();
	for (r = 0; r < XV_NET_DROP_MAX; r++) {
		char k[32];

		snprintf(k, sizeof(k), "rx_%s", xv_net_drop_name(r));
		json_object_set_new(drops, k,
				    json_integer((json_int_t)sum.rx.drops[r]));
		snprintf(k, sizeof(k), "tx_%s", xv_net_drop_name(r));
		json_object_set_new(drops, k,
				    json_integer((json_int_t)sum.tx.drops[r]));
	}
	for (r = 0; r < XV_DP_DROP_MAX; r++)
		json_object_set_new(drops, xv_dp_drop_name(r),
				    json_integer((json_int_t)sum.drops[r]));
	xsk_drops_json(&bs, drops);
	return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}",
			 "rx_packets", (json_int_t)sum.rx.packets, "rx_bytes",
			 (json_int_t)sum.rx.bytes, "tx_packets",
			 (json_int_t)sum.tx.packets, "tx_bytes",
			 (json_int_t)sum.tx.bytes, "drops", drops, "datapath",
			 datapath_json(d, &bs, &sum), "offloads",
			 offloads_json(&sum.tx), "dirty_log",
			 dirty_log_stats_json(d), "announce", announce_json(d));
}

/* Runs @one on the named device, or on each; keyed by device name. */
static json_t *per_dev(struct vdpad *v, json_t *args, const char *key,
		       json_t *(*one)(const struct xv_dev *), int *status,
		       char *err, size_t errlen)
{
	static const char *const keys[] = { "name", NULL };
	json_t *all;
	struct xv_dev *d;
	unsigned int i;

	*status = check_keys(args, keys, false, err, errlen) ?:
			  arg_dev(v, args, &d, err, errlen);
	if (*status)
		return NULL;
	all = json_object();
	for (i = 0; i < v->devs.ndevs; i++)
		if (v->devs.dev[i].used && (!d || d == &v->devs.dev[i]))
			json_object_set_new(all, v->devs.dev[i].name,
					    one(&v->devs.dev[i]));
	return json_pack("{s:o}", key, all);
}

static json_t *h_dev_show(struct vdpad *v, json_t *args, int *status, char *err,
			  size_t errlen)
{
	return per_dev(v, args, "dev", dev_show_one, status, err, errlen);
}

static json_t *h_dev_config(struct vdpad *v, json_t *args, int *status,
			    char *err, size_t errlen)
{
	return per_dev(v, args, "config", dev_config_one, status, err, errlen);
}

static json_t *h_dev_stats(struct vdpad *v, json_t *args, int *status,
			   char *err, size_t errlen)
{
	return per_dev(v, args, "stats", dev_stats_one, status, err, errlen);
}

static json_t *h_dev_vstats(struct vdpad *v, json_t *args, int *status,
			    char *err, size_t errlen)
{
	static const char *const keys[] = { "name", "qidx", NULL };
	json_t *q = json_object_get(args, "qidx");
	struct xv_dev *d;
	json_int_t qidx;

	*status = check_keys(args, keys, false, err, errlen) ?:
			  arg_dev(v, args, &d, err, errlen);
	if (!*status && !d) {
		snprintf(err, errlen, "\"name\" is required");
		*status = -EINVAL;
	}
	if (*status)
		return NULL;
	qidx = json_is_integer(q) ? json_integer_value(q) : -1;
	if (qidx < 0 ||
	    qidx >= (json_int_t)xv_nqueues(d->vu.cfg.max_queue_pairs)) {
		snprintf(err, errlen,
			 "\"qidx\" must be an integer from 0 to %d for %s",
			 xv_nqueues(d->vu.cfg.max_queue_pairs) - 1, d->name);
		*status = -ERANGE;
		return NULL;
	}
	return json_pack("{s:{s:o}}", "vstats", d->name,
			 queue_json(d, (unsigned int)qidx));
}

/* ---- dev add / dev del ---- */

static int opt_uint(json_t *args, const char *key, json_int_t min,
		    json_int_t max, json_int_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		snprintf(err, errlen,
			 "\"%s\" must be an integer from %lld to %lld", key,
			 (long long)min, (long long)max);
		return -EINVAL;
	}
	*out = json_integer_value(v);
	return 1;
}

/* A device end of an emulated PF that no device uses yet. */
static int pick_vf(struct vdpad *v, const char *mgmtdev, int32_t *vf,
		   char *ifname, char *err, size_t errlen)
{
	struct xv_pf_info info;
	struct xv_pf *pf;
	unsigned int i;
	int rc;

	rc = xv_pf_open(mgmtdev, &pf);
	if (rc) {
		snprintf(err, errlen, "no mgmtdev \"%s\"", mgmtdev);
		return rc;
	}
	rc = xv_pf_info(pf, &info);
	xv_pf_close(pf);
	if (rc)
		return rc;
	for (i = 0; i < info.num_vfs; i++) {
		if (*vf >= 0 && (int32_t)i != *vf)
			continue;
		xv_vf_ifname(mgmtdev, i, false, ifname, IF_NAMESIZE);
		if (if_nametoindex(ifname) &&
		    !xv_netdev_in_use(&v->devs, ifname)) {
			*vf = (int32_t)i;
			return 0;
		}
	}
	if (*vf >= 0)
		snprintf(err, errlen, "vf %lld of %s is missing or in use",
			 (long long)*vf, mgmtdev);
	else
		snprintf(err, errlen, "every VF of %s is in use", mgmtdev);
	return -EBUSY;
}

/* The device's AF_XDP socket takes the VF's frames: the eswitch sends
 * them out of its representor, through the device end's XDP hook (a
 * stale netdev, left by a pod, would skip it). */
static int vf_consumer_xdp(const char *mgmtdev, unsigned int vf, char *err,
			   size_t errlen)
{
	struct xv_vf_attrs a = { .set = XV_VF_SET_CONSUMER,
				 .consumer = XV_VF_CONSUMER_XDP };
	struct xv_pf *pf;
	int rc;

	rc = xv_pf_open(mgmtdev, &pf);
	if (!rc) {
		rc = xv_vf_set(pf, vf, &a);
		xv_pf_close(pf);
	}
	if (rc)
		snprintf(err, errlen, "vf %u of %s: consumer xdp: %s", vf,
			 mgmtdev, strerror(-rc));
	return rc;
}

/* A mgmtdev's free VF (or the one asked for) becomes the device's
 * netdev. */
static int dev_pick_vf(struct vdpad *v, struct xv_dev_cfg *cfg, char *err,
		       size_t errlen)
{
	char ifname[IF_NAMESIZE];
	int rc;

	if (!cfg->mgmtdev[0])
		return 0;
	rc = pick_vf(v, cfg->mgmtdev, &cfg->vf, ifname, err, errlen) ?:
		     vf_consumer_xdp(cfg->mgmtdev, (unsigned int)cfg->vf, err,
				     errlen);
	return rc    ?:
		       xv_dev_cfg_set_str(cfg, XV_DEVF_NETDEV, ifname, err,
					  errlen);
}

static int dev_name_check(struct vdpad *v, const char *name, char *err,
			  size_t errlen)
{
	if (xv_validate_dev_name(name)) {
		snprintf(
			err, errlen,
			"\"name\" is required: 1 to %d letters, digits, '-', '_' or '.', not starting with '.' or '-'",
			XV_DEV_NAME_MAX);
		return -EINVAL;
	}
	if (xv_dev_find(&v->devs, name)) {
		snprintf(err, errlen, "device \"%s\" exists already", name);
		return -EEXIST;
	}
	return 0;
}

/* What a non-root member of the control group may not ask for: a device
 * on any netdev (the host's own, another tenant's). VFs of a mgmtdev and
 * loopback devices are theirs to have. */
static int member_dev_check(struct vdpad *v, const struct xv_dev_cfg *cfg,
			    char *err, size_t errlen)
{
	if (v->ctl_peer_uid == 0 || !cfg->netdev[0])
		return 0;
	snprintf(
		err, errlen,
		"\"netdev\" is root's: non-root clients get VFs of a mgmtdev (\"mgmtdev\") or loopback devices");
	return -EPERM;
}

/* Without "socket": the socket directory's NAME.sock. */
static int default_socket(struct vdpad *v, struct xv_dev_cfg *cfg, char *err,
			  size_t errlen)
{
	char path[XV_SUN_PATH_MAX];

	if (cfg->set & XV_DEV_BIT(XV_DEVF_SOCKET))
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.sock", v->devs.sock_dir,
			     cfg->name) >= sizeof(path)) {
		snprintf(err, errlen, "%s/%s.sock is too long for a socket",
			 v->devs.sock_dir, cfg->name);
		return -ENAMETOOLONG;
	}
	return xv_dev_cfg_set_str(cfg, XV_DEVF_SOCKET, path, err, errlen);
}

/* "mac" gives the device's VF that MAC (through vf set, so it is saved);
 * *@old gets the VF's MAC before, to put back if the device fails. */
static int dev_mac_apply(struct vdpad *v, const struct xv_dev_cfg *cfg,
			 struct xv_vf_attrs *old, char *err, size_t errlen)
{
	struct xv_vf_attrs a = { .set = XV_VF_SET_MAC };
	struct xv_vf_info info;
	struct xv_pf *pf;
	int rc;

	if (!(cfg->set & XV_DEV_BIT(XV_DEVF_MAC)))
		return 0;
	memcpy(a.mac, cfg->mac, sizeof(a.mac));
	rc = xv_pf_open(cfg->mgmtdev, &pf);
	if (!rc) {
		rc = xv_vf_get(pf, (unsigned int)cfg->vf, &info);
		xv_pf_close(pf);
	}
	if (rc)
		return rc;
	*old = (struct xv_vf_attrs){ .set = XV_VF_SET_MAC };
	memcpy(old->mac, info.cfg.mac, sizeof(old->mac));
	return vdpad_vf_set(v, cfg->mgmtdev, (unsigned int)cfg->vf, &a, err,
			    errlen);
}

/* The request's arguments, checked by the device table, made whole: a
 * name, a socket, a netdev for a mgmtdev's VF. */
static int dev_add_cfg(struct vdpad *v, json_t *args, struct xv_dev_cfg *cfg,
		       char *err, size_t errlen)
{
	int rc;

	xv_dev_cfg_default(cfg);
	rc = xv_dev_cfg_from_json(cfg, args, XV_DEV_F_REQ, err, errlen);
	if (rc)
		return rc;
	return member_dev_check(v, cfg, err, errlen)		 ?:
		       dev_name_check(v, cfg->name, err, errlen) ?:
		       xv_dev_cfg_check(cfg, err, errlen)	 ?:
		       default_socket(v, cfg, err, errlen)	 ?:
		       dev_pick_vf(v, cfg, err, errlen);
}

static json_t *h_dev_add(struct vdpad *v, json_t *args, int *status, char *err,
			 size_t errlen)
{
	struct xv_dev_req req = { .persist = true };
	struct xv_vf_attrs old = { 0 };
	struct xv_dev_cfg cfg;
	char ignore[64];
	struct xv_dev *d;

	*status = dev_add_cfg(v, args, &cfg, err, errlen) ?:
			  dev_mac_apply(v, &cfg, &old, err, errlen);
	if (*status)
		return NULL;
	req.cfg = &cfg;
	req.privileged = v->ctl_peer_uid == 0;
	req.owner = v->ctl_peer_uid;
	*status = xv_dev_add(&v->devs, &req, &d, err, errlen);
	/* A device that cannot be saved is not kept: nothing half-done. */
	if (!*status) {
		*status = vdpad_state_save(v, err, errlen);
		if (*status)
			xv_dev_del(&v->devs, d);
	}
	if (*status && old.set)
		vdpad_vf_set(v, cfg.mgmtdev, (unsigned int)cfg.vf, &old, ignore,
			     sizeof(ignore));
	return *status ?
		       NULL :
		       json_pack("{s:{s:o}}", "dev", d->name, dev_show_one(d));
}

static json_t *h_dev_del(struct vdpad *v, json_t *args, int *status, char *err,
			 size_t errlen)
{
	static const char *const keys[] = { "name", NULL };
	struct xv_dev *d;

	*status = check_keys(args, keys, false, err, errlen) ?:
			  arg_dev(v, args, &d, err, errlen);
	if (!*status && !d) {
		snprintf(err, errlen, "\"name\" is required");
		*status = -EINVAL;
	}
	if (!*status && v->ctl_peer_uid != 0 && d->owner != v->ctl_peer_uid) {
		snprintf(
			err, errlen,
			"device \"%s\" is not yours: a member removes only the devices it added",
			d->name);
		*status = -EPERM;
	}
	if (*status)
		return NULL;
	*status = xv_dev_del(&v->devs, d);
	if (!*status)
		*status = vdpad_state_save(v, err, errlen);
	return *status ? NULL : json_object();
}

/* ---- mgmtdev and vf ---- */

/* Refuses arguments other than @keys (and VF attributes if @vf_attrs). */
/* A required string argument. */
static int req_str(json_t *args, const char *key, const char **out, char *err,
		   size_t errlen)
{
	json_t *val = json_object_get(args, key);

	if (!json_is_string(val) || !json_string_value(val)[0]) {
		snprintf(err, errlen, "\"%s\" (a string) is required", key);
		return -EINVAL;
	}
	*out = json_string_value(val);
	return 0;
}

/* A required integer argument from @min to @max. */
static int req_uint(json_t *args, const char *key, json_int_t min,
		    json_int_t max, json_int_t *out, char *err, size_t errlen)
{
	int rc = opt_uint(args, key, min, max, out, err, errlen);

	if (rc < 0)
		return rc;
	if (!rc) {
		snprintf(err, errlen,
			 "\"%s\" (an integer from %lld to %lld) is required",
			 key, (long long)min, (long long)max);
		return -EINVAL;
	}
	return 0;
}

static json_t *h_mgmtdev_add(struct vdpad *v, json_t *args, int *status,
			     char *err, size_t errlen)
{
	static const char *const keys[] = { "name", "uplink", "numvfs", NULL };
	const char *name, *uplink;
	json_t *out = NULL;
	json_int_t n;

	*status = check_keys(args, keys, false, err, errlen)		?:
			  req_str(args, "name", &name, err, errlen)	?:
			  req_str(args, "uplink", &uplink, err, errlen) ?:
			  req_uint(args, "numvfs", 1, XV_NUM_VFS_MAX, &n, err,
				   errlen);
	if (!*status)
		*status = vdpad_pf_add(v, name, uplink, (unsigned int)n, err,
				       errlen);
	if (!*status)
		*status = xv_mgmtdev_show_json(name, &out);
	return out;
}

static json_t *h_mgmtdev_del(struct vdpad *v, json_t *args, int *status,
			     char *err, size_t errlen)
{
	static const char *const keys[] = { "name", NULL };
	const char *name;

	*status = check_keys(args, keys, false, err, errlen) ?:
			  req_str(args, "name", &name, err, errlen);
	if (!*status)
		*status = vdpad_pf_del(v, name, err, errlen);
	return *status ? NULL : json_object();
}

/* A saved PF that is not up (its uplink is missing): what the file has. */
static json_t *pf_down_json(const struct vpf *p)
{
	return json_pack("{s:s, s:i, s:b, s:b, s:s}", "uplink", p->uplink,
			 "numvfs", (int)p->numvfs, "saved", 1, "up", 0, "error",
			 p->error);
}

static json_t *h_mgmtdev_show(struct vdpad *v, json_t *args, int *status,
			      char *err, size_t errlen)
{
	static const char *const keys[] = { "name", NULL };
	const char *name = NULL, *k;
	json_t *out = NULL, *m;
	struct vpf *p;
	unsigned int i;

	*status = check_keys(args, keys, false, err, errlen);
	if (!*status && json_object_get(args, "name"))
		*status = req_str(args, "name", &name, err, errlen);
	if (*status)
		return NULL;
	p = name ? vdpad_pf_find(v, name) : NULL;
	if (p && !p->up)
		return json_pack("{s:{s:o}}", "mgmtdev", name, pf_down_json(p));
	*status = xv_mgmtdev_show_json(name, &out);
	if (*status)
		return NULL;
	/* Which of them vdpad saves and restores. */
	json_object_foreach(json_object_get(out, "mgmtdev"), k, m) {
		json_object_set_new(m, "saved",
				    json_boolean(vdpad_pf_find(v, k)));
		json_object_set_new(m, "up", json_true());
	}
	for (i = 0; !name && i < MAX_PFS; i++)
		if (v->pfs[i].used && !v->pfs[i].up)
			json_object_set_new(json_object_get(out, "mgmtdev"),
					    v->pfs[i].name,
					    pf_down_json(&v->pfs[i]));
	return out;
}

static json_t *h_vf_set(struct vdpad *v, json_t *args, int *status, char *err,
			size_t errlen)
{
	static const char *const keys[] = { "mgmtdev", "vf", NULL };
	struct xv_vf_attrs a;
	const char *pf;
	json_t *out = NULL;
	json_int_t vf;

	*status =
		check_keys(args, keys, true, err, errlen)	   ?:
			req_str(args, "mgmtdev", &pf, err, errlen) ?:
			req_uint(args, "vf", 0, XV_MAX_VFS - 1, &vf, err, errlen) ?:
			xv_vf_attrs_from_json(args, &a, err, errlen);
	if (!*status)
		*status =
			vdpad_vf_set(v, pf, (unsigned int)vf, &a, err, errlen);
	if (!*status)
		*status = xv_vf_show_json(pf, (int)vf, &out);
	return out;
}

static json_t *h_vf_show(struct vdpad *v, json_t *args, int *status, char *err,
			 size_t errlen)
{
	static const char *const keys[] = { "mgmtdev", "vf", NULL };
	const char *pf = NULL;
	json_t *out = NULL;
	json_int_t vf = -1;

	(void)v;
	*status = check_keys(args, keys, false, err, errlen);
	if (!*status && json_object_get(args, "mgmtdev"))
		*status = req_str(args, "mgmtdev", &pf, err, errlen);
	if (!*status && json_object_get(args, "vf")) {
		*status = req_uint(args, "vf", 0, XV_MAX_VFS - 1, &vf, err,
				   errlen);
		if (!*status && !pf) {
			snprintf(err, errlen, "\"vf\" needs \"mgmtdev\"");
			*status = -EINVAL;
		}
	}
	if (!*status)
		*status = xv_vf_show_json(pf, (int)vf, &out);
	return out;
}

/* ---- daemon ---- */

/* What the daemon holds for its clients: control connections and fds. */
static json_t *h_daemon_show(struct vdpad *v, json_t *args, int *status,
			     char *err, size_t errlen)
{
	static const char *const keys[] = { NULL };
	const struct xv_ctl_conns *c = &v->ctl_conns;
	struct rlimit rl = {};

	*status = check_keys(args, keys, false, err, errlen);
	if (*status)
		return NULL;
	getrlimit(RLIMIT_NOFILE, &rl);
	return json_pack(
		"{s:{s:{s:i, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:i, s:I}}}",
		"daemon", "control", "open", (int)c->open, "max",
		XV_CTL_CONN_MAX, "max_per_uid", XV_CTL_CONN_PER_UID,
		"timeout_ms", XV_CTL_CONN_TIMEOUT_MS, "accepted",
		(json_int_t)c->stats.accepted, "refused_full",
		(json_int_t)c->stats.refused_full, "refused_per_uid",
		(json_int_t)c->stats.refused_per_uid, "refused_fds",
		(json_int_t)c->stats.refused_fds, "evicted",
		(json_int_t)c->stats.evicted, "timed_out",
		(json_int_t)c->stats.timed_out, "fds", "limit",
		(json_int_t)rl.rlim_cur, "reserve", XV_CTL_FD_RESERVE,
		"accept_emfile", (json_int_t)v->devs.accept_emfile);
}

/* The one table of control requests. */
static const struct ctl_handler ctl_handlers[] = {
	{ "mgmtdev add", h_mgmtdev_add, true },
	{ "mgmtdev del", h_mgmtdev_del, true },
	{ "mgmtdev show", h_mgmtdev_show, false },
	{ "vf set", h_vf_set, true },
	{ "vf show", h_vf_show, false },
	{ "dev show", h_dev_show, false },
	{ "dev config show", h_dev_config, false },
	{ "dev stats", h_dev_stats, false },
	{ "dev vstats show", h_dev_vstats, false },
	{ "dev add", h_dev_add, false },
	{ "dev del", h_dev_del, false },
	{ "daemon show", h_daemon_show, false },
};

static json_t *error_response(int status, const char *msg)
{
	return json_pack("{s:i, s:s}", "status", status, "error", msg);
}

json_t *xv_ctl_dispatch(struct vdpad *v, json_t *req)
{
	json_t *cmd = json_object_get(req, "cmd");
	json_t *args = json_object_get(req, "args");
	char err[256] = "";
	json_t *result;
	unsigned int i;
	int status = 0;

	if (!json_is_string(cmd) || (args && !json_is_object(args)))
		return error_response(
			-EINVAL,
			"a request is {\"cmd\": STRING, \"args\": OBJECT}");
	for (i = 0; i < XV_ARRAY_SIZE(ctl_handlers); i++)
		if (!strcmp(json_string_value(cmd), ctl_handlers[i].cmd))
			break;
	if (i == XV_ARRAY_SIZE(ctl_handlers)) {
		snprintf(err, sizeof(err), "unknown command \"%s\"",
			 json_string_value(cmd));
		return error_response(-EOPNOTSUPP, err);
	}
	if (ctl_handlers[i].root_only && v->ctl_peer_uid != 0) {
		snprintf(err, sizeof(err),
			 "\"%s\" changes the host's interfaces: root only",
			 ctl_handlers[i].cmd);
		return error_response(-EPERM, err);
	}
	/* A library's error message (logged) is the client's too. */
	xv_log_capture(err, sizeof(err));
	result = ctl_handlers[i].fn(v, args, &status, err, sizeof(err));
	xv_log_capture(NULL, 0);
	if (status || !result) {
		json_decref(result);
		return error_response(status ? status : -EIO,
				      err[0] ? err : strerror(-status));
	}
	return json_pack("{s:i, s:o}", "status", 0, "result", result);
}

/* ---- socket ---- */

int xv_ctl_listen(struct vdpad *v, const char *path, gid_t gid)
{
	char dir[XV_SUN_PATH_MAX];
	int rc = xv_sock_path_set(&v->ctl_sock, path);

	if (rc)
		return rc;
	strcpy(dir, v->ctl_sock.canon);
	*strrchr(dir, '/') = 0;
	if (dir[0] && mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return xv_sock_listen(&v->ctl_sock,
			      SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
			      gid == (gid_t)-1 ? 0600 : 0660, gid, 16);
}

/* Is @gid among the supplementary groups of process @pid? */
static bool pid_in_group(pid_t pid, gid_t gid)
{
	char path[64], line[1024], *tok, *save;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Groups:", 7))
			continue;
		for (tok = strtok_r(line + 7, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save))
			found |= (gid_t)strtoul(tok, NULL, 10) == gid;
	}
	fclose(f);
	return found;
}

static bool peer_allowed(const struct vdpad *v, int fd, uid_t *uid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return false;
	*uid = cr.uid;
	if (cr.uid == 0)
		return true;
	if (v->ctl_gid == (gid_t)-1)
		return false;
	return cr.gid == v->ctl_gid || pid_in_group(cr.pid, v->ctl_gid);
}

int xv_ctl_accept(struct vdpad *v, uid_t *uid)
{
	int fd = accept4(v->ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (fd < 0)
		return -errno;
	/* Unknown credentials count as a non-root peer's. */
	*uid = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) ? (uid_t)-1 :
								    cr.uid;
	return fd;
}

void xv_ctl_refuse(int fd, int status, const char *msg)
{
	json_t *resp = error_response(status, msg);
	char *out = json_dumps(resp, JSON_COMPACT);

	json_decref(resp);
	if (out && send(fd, out, strlen(out), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		xv_dbg("control: client went away before its refusal");
	free(out);
}

int xv_ctl_serve(struct vdpad *v, int fd)
{
	char *buf = malloc(XV_CTL_MSG_MAX), *out = NULL;
	json_t *req = NULL, *resp;
	json_error_t jerr;
	uid_t uid = (uid_t)-1;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	n = recv(fd, buf, XV_CTL_MSG_MAX, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		free(buf);
		return -EAGAIN; /* nothing yet (a stale event): keep waiting */
	}
	if (n <= 0)
		goto out;
	req = json_loadb(buf, (size_t)n, 0, &jerr);
	/* Credentials are checked once the request is read, so the refusal
	 * reaches the client instead of a reset connection. */
	if (!peer_allowed(v, fd, &uid)) {
		xv_warn("control: refused a client without permission");
		resp = error_response(
			-EACCES,
			"permission denied: root or the control group only");
	} else if (!req || !json_is_object(req))
		resp = error_response(-EBADMSG, "request is not a JSON object");
	else {
		v->ctl_peer_uid = uid; /* what its handlers may do */
		resp = xv_ctl_dispatch(v, req);
		v->ctl_peer_uid = 0;
	}
	out = json_dumps(resp, JSON_COMPACT);
	json_decref(resp);
	if (out && send(fd, out, strlen(out), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		xv_dbg("control: client went away before its answer");
out:
	json_decref(req);
	free(out);
	free(buf);
	return 0;
}
