// SPDX-License-Identifier: GPL-2.0-only
/* mgmtdevs and VFs as JSON, read from the pinned eswitch maps. */
#include <errno.h>
#include <string.h>

#include "eswitch.h"
#include "eswitch_json.h"

static int mgmtdev_json(const char *name, json_t *out)
{
	struct xv_pf_info info;
	struct xv_pf *pf;
	int err;

	err = xv_pf_open(name, &pf);
	if (err)
		return err;
	err = xv_pf_info(pf, &info);
	xv_pf_close(pf);
	if (err)
		return err;
	json_object_set_new(out, name,
			    json_pack("{s:s, s:i, s:i, s:s}", "uplink",
				      info.uplink, "uplink_ifindex",
				      info.uplink_ifindex, "num_vfs",
				      (int)info.num_vfs, "uplink_link",
				      info.uplink_up ? "up" : "down"));
	return 0;
}

int xv_mgmtdev_show_json(const char *name, json_t **out)
{
	char names[XV_MAX_VFS][XV_PF_NAME_MAX + 1];
	json_t *all = json_object();
	int i, n, err = 0;

	if (name) {
		err = mgmtdev_json(name, all);
	} else {
		n = xv_pf_list(names, XV_ARRAY_SIZE(names));
		for (i = 0; i < n && !err; i++)
			err = mgmtdev_json(names[i], all);
		err = n < 0 ? n : err;
	}
	if (err) {
		json_decref(all);
		return err;
	}
	*out = json_pack("{s:o}", "mgmtdev", all);
	return 0;
}

static json_t *vf_stats_json(const struct xv_vf_stats *st)
{
	json_t *drops = json_object();
	unsigned int i;

	for (i = 0; i < XV_DROP_MAX; i++)
		json_object_set_new(drops, xv_drop_reason_name(i),
				    json_integer((json_int_t)st->drops[i]));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "rx_packets",
			 (json_int_t)st->rx_packets, "rx_bytes",
			 (json_int_t)st->rx_bytes, "tx_packets",
			 (json_int_t)st->tx_packets, "tx_bytes",
			 (json_int_t)st->tx_bytes, "rx_flood",
			 (json_int_t)st->rx_flood, "tx_flood",
			 (json_int_t)st->tx_flood, "drops", drops);
}

static json_t *vf_json(const char *pf, const struct xv_vf_info *vi)
{
	const struct xv_vf_cfg *c = &vi->cfg;
	char mac[XV_MAC_STR_LEN];

	xv_format_mac(c->mac, mac);
	return json_pack(
		"{s:s, s:i, s:s, s:i, s:i, s:b, s:b, s:s, s:s, s:i, s:s, s:s, s:s, s:o}",
		"mgmtdev", pf, "vf", (int)vi->index, "mac", mac, "vlan",
		(int)c->vlan, "qos", (int)c->qos, "spoofchk", c->spoofchk,
		"trust", c->trust, "state",
		xv_link_state_name((enum xv_link_state)c->link_state), "link",
		vi->link_up ? "up" : "down", "max_tx_rate", (int)c->max_tx_rate,
		"representor", vi->rep, "netdev", vi->dev, "consumer",
		xv_vf_consumer_name((enum xv_vf_consumer)c->consumer), "stats",
		vf_stats_json(&vi->stats));
}

/* Appends VF @first..@last of @name to @arr (all of them if @last < 0). */
static int vfs_json(const char *name, int first, int last, json_t *arr)
{
	struct xv_pf_info info;
	struct xv_vf_info vi;
	struct xv_pf *pf;
	int i, err;

	err = xv_pf_open(name, &pf);
	if (err)
		return err;
	err = xv_pf_info(pf, &info);
	if (last < 0)
		last = (int)info.num_vfs - 1;
	for (i = first; !err && i <= last; i++) {
		err = xv_vf_get(pf, (unsigned int)i, &vi);
		if (!err)
			json_array_append_new(arr, vf_json(name, &vi));
	}
	xv_pf_close(pf);
	return err;
}

int xv_vf_show_json(const char *pf, int vf, json_t **out)
{
	char names[XV_MAX_VFS][XV_PF_NAME_MAX + 1];
	json_t *arr = json_array();
	int i, n, err = 0;

	if (pf) {
		err = vfs_json(pf, vf < 0 ? 0 : vf, vf, arr);
	} else {
		n = xv_pf_list(names, XV_ARRAY_SIZE(names));
		for (i = 0; i < n && !err; i++)
			err = vfs_json(names[i], 0, -1, arr);
		err = n < 0 ? n : err;
	}
	if (err) {
		json_decref(arr);
		return err;
	}
	*out = json_pack("{s:o}", "vf", arr);
	return 0;
}
