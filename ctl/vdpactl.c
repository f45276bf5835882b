// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpactl: manage xvdpa emulated PFs and VFs, in the style of iproute2's
 * `vdpa` and `ip link set DEV vf N ...`.
 *
 * mgmtdev and vf commands manage the eswitch directly through bpffs and
 * netlink; dev commands ask vdpad over its control socket.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"
#include "eswitch.h"
#include "log.h"
#include "util.h"
#include "vfargs.h"

struct ctl {
	bool json;
	bool pretty;
	const char *socket; /* vdpad's control socket */
};

struct ctl_cmd {
	const char *object;
	const char *verb;
	int (*run)(struct ctl *ctl, int argc, char **argv);
	const char *usage;
};

static int usage_error(const char *usage)
{
	fprintf(stderr, "Usage: vdpactl %s\n", usage);
	return -EINVAL;
}

static int emit_json(struct ctl *ctl, json_t *root)
{
	size_t flags = ctl->pretty ? JSON_INDENT(2) : JSON_COMPACT;
	int err = json_dumpf(root, stdout, flags | JSON_SORT_KEYS);

	fputc('\n', stdout);
	json_decref(root);
	return err ? -EIO : 0;
}

/* ---- mgmtdev ---- */

#define MGMTDEV_ADD_USAGE "mgmtdev add NAME uplink DEV numvfs N"

static int cmd_mgmtdev_add(struct ctl *ctl, int argc, char **argv)
{
	uint32_t numvfs;

	(void)ctl;
	if (argc != 5 || strcmp(argv[1], "uplink") || strcmp(argv[3], "numvfs"))
		return usage_error(MGMTDEV_ADD_USAGE);
	if (xv_parse_u32(argv[4], 1, XV_NUM_VFS_MAX, &numvfs)) {
		xv_err("numvfs \"%s\" invalid: 1 to %d", argv[4],
		       XV_NUM_VFS_MAX);
		return -ERANGE;
	}
	return xv_pf_create(argv[0], argv[2], numvfs);
}

static int cmd_mgmtdev_del(struct ctl *ctl, int argc, char **argv)
{
	(void)ctl;
	if (argc != 1)
		return usage_error("mgmtdev del NAME");
	return xv_pf_destroy(argv[0]);
}

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

static void mgmtdev_print(json_t *mgmtdevs)
{
	const char *name;
	json_t *m;

	json_object_foreach(mgmtdevs, name, m) {
		printf("%s: uplink %s numvfs %lld link %s\n", name,
		       json_string_value(json_object_get(m, "uplink")),
		       json_integer_value(json_object_get(m, "num_vfs")),
		       json_string_value(json_object_get(m, "uplink_link")));
	}
}

static int cmd_mgmtdev_show(struct ctl *ctl, int argc, char **argv)
{
	char names[XV_MAX_VFS][XV_PF_NAME_MAX + 1];
	json_t *all = json_object();
	int i, n, err = 0;

	if (argc > 1)
		return usage_error("mgmtdev show [NAME]");
	if (argc == 1) {
		n = 1;
		strcpy(names[0], "");
		err = mgmtdev_json(argv[0], all);
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
	if (ctl->json)
		return emit_json(ctl, json_pack("{s:o}", "mgmtdev", all));
	mgmtdev_print(all);
	json_decref(all);
	return 0;
}

/* ---- vf ---- */

#define VF_SET_USAGE                                                       \
	"vf set MGMTDEV vf N [mac M] [vlan V [qos Q]] [spoofchk on|off]\n" \
	"                [trust on|off] [state auto|enable|disable] [max_tx_rate MBPS]"

static int parse_vf_index(const char *s, uint32_t *vf)
{
	if (xv_parse_u32(s, 0, XV_MAX_VFS - 1, vf)) {
		xv_err("vf \"%s\" invalid: 0 to %d", s, XV_MAX_VFS - 1);
		return -ERANGE;
	}
	return 0;
}

static int cmd_vf_set(struct ctl *ctl, int argc, char **argv)
{
	struct xv_vf_attrs attrs;
	struct xv_pf *pf;
	char msg[160];
	uint32_t vf;
	int err;

	(void)ctl;
	if (argc < 5 || strcmp(argv[1], "vf"))
		return usage_error(VF_SET_USAGE);
	err = parse_vf_index(argv[2], &vf);
	if (err)
		return err;
	if (xv_vf_attrs_parse(argc - 3, argv + 3, &attrs, msg, sizeof(msg))) {
		xv_err("%s", msg);
		return -EINVAL;
	}
	err = xv_pf_open(argv[0], &pf);
	if (err)
		return err;
	err = xv_vf_set(pf, vf, &attrs);
	xv_pf_close(pf);
	return err;
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
		"{s:s, s:i, s:s, s:i, s:i, s:b, s:b, s:s, s:s, s:i, s:s, s:s, s:o}",
		"mgmtdev", pf, "vf", (int)vi->index, "mac", mac, "vlan",
		(int)c->vlan, "qos", (int)c->qos, "spoofchk", c->spoofchk,
		"trust", c->trust, "state",
		xv_link_state_name((enum xv_link_state)c->link_state), "link",
		vi->link_up ? "up" : "down", "max_tx_rate", (int)c->max_tx_rate,
		"representor", vi->rep, "netdev", vi->dev, "stats",
		vf_stats_json(&vi->stats));
}

static long long jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void vf_print(json_t *vf)
{
	json_t *st = json_object_get(vf, "stats");
	json_t *drops = json_object_get(st, "drops");
	const char *reason;
	json_t *v;

	printf("%s vf %lld: mac %s vlan %lld qos %lld spoofchk %s trust %s state %s link %s max_tx_rate %lld\n",
	       jstr(vf, "mgmtdev"), jint(vf, "vf"), jstr(vf, "mac"),
	       jint(vf, "vlan"), jint(vf, "qos"),
	       json_is_true(json_object_get(vf, "spoofchk")) ? "on" : "off",
	       json_is_true(json_object_get(vf, "trust")) ? "on" : "off",
	       jstr(vf, "state"), jstr(vf, "link"), jint(vf, "max_tx_rate"));
	printf("    representor %s netdev %s\n", jstr(vf, "representor"),
	       jstr(vf, "netdev"));
	printf("    rx %lld packets %lld bytes (%lld flood)  tx %lld packets %lld bytes (%lld flood)\n",
	       jint(st, "rx_packets"), jint(st, "rx_bytes"),
	       jint(st, "rx_flood"), jint(st, "tx_packets"),
	       jint(st, "tx_bytes"), jint(st, "tx_flood"));
	printf("    drops");
	json_object_foreach(drops, reason, v)
		printf(" %s %lld", reason, json_integer_value(v));
	printf("\n");
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

static int cmd_vf_show(struct ctl *ctl, int argc, char **argv)
{
	char names[XV_MAX_VFS][XV_PF_NAME_MAX + 1];
	json_t *arr = json_array(), *v;
	int i, n, err = 0;
	uint32_t vf;
	size_t k;

	if (argc == 1) {
		err = vfs_json(argv[0], 0, -1, arr);
	} else if (argc == 3 && !strcmp(argv[1], "vf")) {
		err = parse_vf_index(argv[2], &vf) ?:
			      vfs_json(argv[0], (int)vf, (int)vf, arr);
	} else if (argc == 0) {
		n = xv_pf_list(names, XV_ARRAY_SIZE(names));
		for (i = 0; i < n && !err; i++)
			err = vfs_json(names[i], 0, -1, arr);
		err = n < 0 ? n : err;
	} else {
		err = usage_error("vf show [MGMTDEV [vf N]]");
	}
	if (err) {
		json_decref(arr);
		return err;
	}
	if (ctl->json)
		return emit_json(ctl, json_pack("{s:o}", "vf", arr));
	json_array_foreach(arr, k, v)
		vf_print(v);
	json_decref(arr);
	return 0;
}

/* ---- dev (through vdpad's control socket) ---- */

/* Sends @cmd to vdpad; returns its "result" (new reference) or NULL. */
static json_t *vdpad_call(struct ctl *ctl, const char *cmd, json_t *args)
{
	json_t *resp, *result;
	char err[256];

	resp = xv_ctl_call(ctl->socket, cmd, args, err, sizeof(err));
	if (!resp) {
		fprintf(stderr, "vdpactl: %s\n", err);
		return NULL;
	}
	if (json_integer_value(json_object_get(resp, "status"))) {
		fprintf(stderr, "vdpactl: %s\n",
			json_string_value(json_object_get(resp, "error")) ?:
				"vdpad refused the request");
		json_decref(resp);
		return NULL;
	}
	result = json_incref(json_object_get(resp, "result"));
	json_decref(resp);
	return result;
}

static json_t *name_args(int argc, char **argv)
{
	return argc ? json_pack("{s:s}", "name", argv[0]) : json_object();
}

static void print_kv_line(const char *name, json_t *obj)
{
	const char *k;
	json_t *v;

	printf("%s:", name);
	json_object_foreach(obj, k, v) {
		char *t = json_is_object(v) || json_is_array(v) ?
				  NULL :
				  json_dumps(v, JSON_ENCODE_ANY);

		if (!t)
			continue;
		printf(" %s %s", k,
		       json_is_string(v) ? json_string_value(v) : t);
		free(t);
	}
	printf("\n");
}

static void print_nested(json_t *obj, int indent)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		if (json_is_object(v)) {
			printf("%*s%s:\n", indent, "", k);
			print_nested(v, indent + 2);
		} else if (json_is_array(v)) {
			size_t i;
			json_t *e;

			printf("%*s%s:", indent, "", k);
			json_array_foreach(v, i, e)
				printf(" %s", json_string_value(e));
			printf("\n");
		} else if (json_is_string(v)) {
			printf("%*s%s %s\n", indent, "", k,
			       json_string_value(v));
		} else {
			char *t = json_dumps(v, JSON_ENCODE_ANY);

			printf("%*s%s %s\n", indent, "", k, t ? t : "?");
			free(t);
		}
	}
}

/* Runs a show-like request; prints JSON or text. */
static int dev_query(struct ctl *ctl, const char *cmd, json_t *args,
		     const char *key, bool nested)
{
	json_t *result = vdpad_call(ctl, cmd, args), *all;
	const char *name;
	json_t *v;

	if (!result)
		return -EIO;
	if (ctl->json)
		return emit_json(ctl, result);
	all = json_object_get(result, key);
	json_object_foreach(all, name, v) {
		if (nested) {
			printf("%s:\n", name);
			print_nested(v, 2);
		} else {
			print_kv_line(name, v);
		}
	}
	json_decref(result);
	return 0;
}

static int cmd_dev_show(struct ctl *ctl, int argc, char **argv)
{
	if (argc > 1)
		return usage_error("dev show [NAME]");
	return dev_query(ctl, "dev show", name_args(argc, argv), "dev", false);
}

static int cmd_dev_config(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "show") || argc > 2)
		return usage_error("dev config show [NAME]");
	return dev_query(ctl, "dev config show", name_args(argc - 1, argv + 1),
			 "config", true);
}

static int cmd_dev_stats(struct ctl *ctl, int argc, char **argv)
{
	if (argc > 1)
		return usage_error("dev stats [NAME]");
	return dev_query(ctl, "dev stats", name_args(argc, argv), "stats",
			 true);
}

static int cmd_dev_vstats(struct ctl *ctl, int argc, char **argv)
{
	uint32_t qidx;

	if (argc != 4 || strcmp(argv[0], "show") || strcmp(argv[2], "qidx"))
		return usage_error("dev vstats show NAME qidx N");
	if (xv_parse_u32(argv[3], 0, 2 * 8 - 1, &qidx)) {
		xv_err("qidx \"%s\" invalid: 0 to 15", argv[3]);
		return -ERANGE;
	}
	return dev_query(ctl, "dev vstats show",
			 json_pack("{s:s, s:i}", "name", argv[1], "qidx",
				   (int)qidx),
			 "vstats", true);
}

#define DEV_ADD_USAGE                                                             \
	"dev add name NAME (mgmtdev MGMTDEV [vf N] | netdev IFNAME | loopback)\n" \
	"                socket PATH [mode server|client] [mtu N] [max_vqp N]\n"  \
	"                [device_features 0xHEX] [socket_mode OCTAL] [socket_group GROUP]"

/* KEY VALUE arguments of dev add, and whether the value is a number. */
static const struct {
	const char *key;
	bool number;
} dev_add_keys[] = {
	{ "name", false },
	{ "mgmtdev", false },
	{ "vf", true },
	{ "netdev", false },
	{ "socket", false },
	{ "mode", false },
	{ "mtu", true },
	{ "max_vqp", true },
	{ "device_features", false },
	{ "socket_mode", false },
	{ "socket_group", false },
};

static int dev_add_arg(json_t *args, const char *key, const char *val)
{
	unsigned int k;
	uint32_t n;

	for (k = 0; k < XV_ARRAY_SIZE(dev_add_keys); k++) {
		if (strcmp(key, dev_add_keys[k].key))
			continue;
		if (!dev_add_keys[k].number)
			return json_object_set_new(args, key, json_string(val));
		if (xv_parse_u32(val, 0, 65535, &n)) {
			xv_err("%s \"%s\" is not a number", key, val);
			return -EINVAL;
		}
		return json_object_set_new(args, key, json_integer(n));
	}
	xv_err("unknown dev add argument \"%s\"; try \"vdpactl dev help\"",
	       key);
	return -EINVAL;
}

static int cmd_dev_add(struct ctl *ctl, int argc, char **argv)
{
	json_t *args = json_object();
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "loopback")) {
			json_object_set_new(args, "loopback", json_true());
			continue;
		}
		if (i + 1 >= argc || dev_add_arg(args, argv[i], argv[i + 1])) {
			json_decref(args);
			return usage_error(DEV_ADD_USAGE);
		}
		i++;
	}
	if (!json_object_get(args, "name") ||
	    !json_object_get(args, "socket")) {
		json_decref(args);
		return usage_error(DEV_ADD_USAGE);
	}
	return dev_query(ctl, "dev add", args, "dev", false);
}

static int cmd_dev_del(struct ctl *ctl, int argc, char **argv)
{
	json_t *result;

	if (argc != 1)
		return usage_error("dev del NAME");
	result =
		vdpad_call(ctl, "dev del", json_pack("{s:s}", "name", argv[0]));
	if (!result)
		return -EIO;
	json_decref(result);
	return 0;
}

/* ---- dispatch ---- */

static const struct ctl_cmd commands[] = {
	{ "mgmtdev", "add", cmd_mgmtdev_add, MGMTDEV_ADD_USAGE },
	{ "mgmtdev", "del", cmd_mgmtdev_del, "mgmtdev del NAME" },
	{ "mgmtdev", "show", cmd_mgmtdev_show, "mgmtdev show [NAME]" },
	{ "vf", "set", cmd_vf_set, VF_SET_USAGE },
	{ "vf", "show", cmd_vf_show, "vf show [MGMTDEV [vf N]]" },
	{ "dev", "add", cmd_dev_add, DEV_ADD_USAGE },
	{ "dev", "del", cmd_dev_del, "dev del NAME" },
	{ "dev", "show", cmd_dev_show, "dev show [NAME]" },
	{ "dev", "config", cmd_dev_config, "dev config show [NAME]" },
	{ "dev", "stats", cmd_dev_stats, "dev stats [NAME]" },
	{ "dev", "vstats", cmd_dev_vstats, "dev vstats show NAME qidx N" },
};

static void print_help(FILE *f, const char *object)
{
	unsigned int i;

	fprintf(f,
		"Usage: vdpactl [-j] [-p] [-v] [-s SOCKET] OBJECT COMMAND [ARGS]\n");
	for (i = 0; i < XV_ARRAY_SIZE(commands); i++)
		if (!object || !strcmp(object, commands[i].object))
			fprintf(f, "       vdpactl %s\n", commands[i].usage);
	fprintf(f,
		"Options: -j JSON output, -p pretty JSON, -v verbose log,\n"
		"         -s vdpad's control socket (default $VDPAD_CONTROL or " XV_CTL_SOCKET
		")\n");
}

static int is_help(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "-h") || !strcmp(s, "--help");
}

static int dispatch(struct ctl *ctl, int argc, char **argv)
{
	unsigned int i;
	bool known = false;

	if (argc < 1 || is_help(argv[0])) {
		print_help(argc < 1 ? stderr : stdout, NULL);
		return argc < 1 ? -EINVAL : 0;
	}
	for (i = 0; i < XV_ARRAY_SIZE(commands); i++)
		known |= !strcmp(argv[0], commands[i].object);
	if (!known) {
		fprintf(stderr,
			"vdpactl: unknown object \"%s\"; try \"vdpactl help\"\n",
			argv[0]);
		return -EINVAL;
	}
	if (argc < 2 || is_help(argv[1])) {
		print_help(stdout, argv[0]);
		return 0;
	}
	for (i = 0; i < XV_ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[0], commands[i].object) &&
		    !strcmp(argv[1], commands[i].verb))
			return commands[i].run(ctl, argc - 2, argv + 2);
	fprintf(stderr,
		"vdpactl: unknown command \"%s %s\"; try \"vdpactl %s help\"\n",
		argv[0], argv[1], argv[0]);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct ctl ctl = { .socket = getenv("VDPAD_CONTROL") };
	int opt, err;

	if (!ctl.socket)
		ctl.socket = XV_CTL_SOCKET;
	xv_log_set_level(XV_LOG_ERR);
	while ((opt = getopt(argc, argv, "+jpvhs:")) != -1) {
		switch (opt) {
		case 's':
			ctl.socket = optarg;
			break;
		case 'j':
			ctl.json = true;
			break;
		case 'p':
			ctl.pretty = true;
			break;
		case 'v':
			xv_log_set_level(XV_LOG_DEBUG);
			break;
		case 'h':
			print_help(stdout, NULL);
			return 0;
		default:
			print_help(stderr, NULL);
			return 1;
		}
	}
	err = dispatch(&ctl, argc - optind, argv + optind);
	return err ? 1 : 0;
}
