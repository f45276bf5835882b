// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpactl's command line: OBJECT COMMAND [ARGS] into a control request.
 * Every command's arguments are KEY VALUE pairs after its positional
 * ones; keywords are whole words (no prefix matching), a keyword given
 * twice or not known is an error that names it.
 */
#include <errno.h>
#include <string.h>

#include "args.h"
#include "ctl_proto.h"
#include "devcfg.h"
#include "eswitch.h"
#include "util.h"
#include "vfargs.h"

#define USAGE_ERR (-EINVAL)

/* Optional NAME: {"name": NAME} or {}. */
static int parse_opt_name(int argc, char **argv, json_t *args, const char *key)
{
	if (argc > 1)
		return USAGE_ERR;
	if (argc == 1)
		json_object_set_new(args, key, json_string(argv[0]));
	return 0;
}

static int parse_u32_arg(const char *key, const char *val, uint32_t min,
			 uint32_t max, json_t *args, char *err, size_t errlen)
{
	uint32_t n;

	if (xv_parse_u32(val, min, max, &n)) {
		snprintf(err, errlen, "%s \"%s\" invalid: %u to %u", key, val,
			 min, max);
		return -ERANGE;
	}
	json_object_set_new(args, key, json_integer(n));
	return 0;
}

/* KEY VALUE pairs, each key one of @keys, numbers within their range. */
enum kv_kind {
	KV_STR,
	KV_U32, /* from min to max */
};

struct kv_key {
	const char *key;
	enum kv_kind kind;
	uint32_t min, max;
};

static int parse_pairs(int argc, char **argv, const struct kv_key *keys,
		       unsigned int nkeys, const char *what, json_t *args,
		       char *err, size_t errlen)
{
	unsigned int k;
	int i;

	for (i = 0; i < argc; i += 2) {
		for (k = 0; k < nkeys && strcmp(argv[i], keys[k].key); k++)
			;
		if (k == nkeys) {
			snprintf(
				err, errlen,
				"unknown %s argument \"%s\"; try \"vdpactl %s help\"",
				what, argv[i], what);
			return -EINVAL;
		}
		if (json_object_get(args, argv[i])) {
			snprintf(err, errlen, "%s given twice", argv[i]);
			return -EINVAL;
		}
		if (i + 1 >= argc) {
			snprintf(err, errlen, "%s needs a value", argv[i]);
			return -EINVAL;
		}
		if (keys[k].kind == KV_STR)
			json_object_set_new(args, argv[i],
					    json_string(argv[i + 1]));
		else if (parse_u32_arg(argv[i], argv[i + 1], keys[k].min,
				       keys[k].max, args, err, errlen))
			return -ERANGE;
	}
	return 0;
}

static int need_keys(json_t *args, const char *const *keys, char *err,
		     size_t errlen)
{
	for (; *keys; keys++) {
		if (!json_object_get(args, *keys)) {
			snprintf(err, errlen, "%s is required", *keys);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- mgmtdev ---- */

static int p_mgmtdev_add(int argc, char **argv, json_t *args, char *err,
			 size_t errlen)
{
	static const struct kv_key keys[] = {
		{ "uplink", KV_STR, 0, 0 },
		{ "numvfs", KV_U32, 1, XV_NUM_VFS_MAX },
	};
	static const char *const required[] = { "uplink", "numvfs", NULL };

	if (argc < 1)
		return USAGE_ERR;
	json_object_set_new(args, "name", json_string(argv[0]));
	return parse_pairs(argc - 1, argv + 1, keys, XV_ARRAY_SIZE(keys), "mgmtdev add", args, err, errlen) ?:
		       need_keys(args, required, err, errlen);
}

static int p_mgmtdev_del(int argc, char **argv, json_t *args, char *err,
			 size_t errlen)
{
	(void)err;
	(void)errlen;
	return argc == 1 ? parse_opt_name(argc, argv, args, "name") : USAGE_ERR;
}

static int p_name_opt(int argc, char **argv, json_t *args, char *err,
		      size_t errlen)
{
	(void)err;
	(void)errlen;
	return parse_opt_name(argc, argv, args, "name");
}

/* ---- vf ---- */

static int p_vf_set(int argc, char **argv, json_t *args, char *err,
		    size_t errlen)
{
	struct xv_vf_attrs a;
	json_t *o;
	int rc;

	if (argc < 3 || strcmp(argv[1], "vf"))
		return USAGE_ERR;
	json_object_set_new(args, "mgmtdev", json_string(argv[0]));
	rc = parse_u32_arg("vf", argv[2], 0, XV_MAX_VFS - 1, args, err, errlen);
	if (rc)
		return rc;
	if (xv_vf_attrs_parse(argc - 3, argv + 3, &a, err, errlen))
		return -EINVAL;
	o = xv_vf_attrs_to_json(&a);
	json_object_update(args, o);
	json_decref(o);
	return 0;
}

static int p_vf_show(int argc, char **argv, json_t *args, char *err,
		     size_t errlen)
{
	if (argc == 2 || argc > 3 || (argc == 3 && strcmp(argv[1], "vf")))
		return USAGE_ERR;
	if (argc >= 1)
		json_object_set_new(args, "mgmtdev", json_string(argv[0]));
	if (argc == 3)
		return parse_u32_arg("vf", argv[2], 0, XV_MAX_VFS - 1, args,
				     err, errlen);
	return 0;
}

/* ---- dev ---- */

/* The keywords, values and help of dev add are the device table's
 * (lib/devcfg.c); a bool keyword (loopback) takes no value. */
static int p_dev_add(int argc, char **argv, json_t *args, char *err,
		     size_t errlen)
{
	const struct xv_dev_field *f;
	struct xv_dev_cfg c;
	unsigned int bit, i;
	bool has_val;
	json_t *o;
	int a, rc;

	xv_dev_cfg_default(&c);
	for (a = 0; a < argc; a++) {
		f = xv_dev_field_find(argv[a], XV_DEV_F_CLI);
		if (!f) {
			snprintf(
				err, errlen,
				"unknown dev add argument \"%s\"; try \"vdpactl dev add help\"",
				argv[a]);
			return -EINVAL;
		}
		has_val = xv_dev_field_takes_value(f);
		bit = XV_DEV_BIT(f - xv_dev_fields);
		if (has_val && (c.set & bit)) {
			snprintf(err, errlen, "%s given twice", f->key);
			return -EINVAL;
		}
		if (has_val && a + 1 >= argc) {
			snprintf(err, errlen, "%s needs a value", f->key);
			return -EINVAL;
		}
		rc = xv_dev_cfg_set_text(&c, f->key, has_val ? argv[++a] : NULL,
					 XV_DEV_F_CLI, err, errlen);
		if (rc)
			return rc;
	}
	for (i = 0; i < XV_DEVF_COUNT; i++) {
		f = &xv_dev_fields[i];
		if ((f->where & XV_DEV_F_CLI) &&
		    (f->where & XV_DEV_F_REQUIRED) &&
		    !(c.set & XV_DEV_BIT(i))) {
			snprintf(err, errlen, "%s is required", f->key);
			return -EINVAL;
		}
	}
	o = xv_dev_cfg_to_json(&c, XV_DEV_F_REQ);
	if (!o)
		return -ENOMEM;
	json_object_update(args, o);
	json_decref(o);
	return 0;
}

static int p_dev_del(int argc, char **argv, json_t *args, char *err,
		     size_t errlen)
{
	return argc == 1 ? p_name_opt(argc, argv, args, err, errlen) :
			   USAGE_ERR;
}

static int p_dev_config(int argc, char **argv, json_t *args, char *err,
			size_t errlen)
{
	if (argc < 1 || strcmp(argv[0], "show"))
		return USAGE_ERR;
	return p_name_opt(argc - 1, argv + 1, args, err, errlen);
}

static int p_dev_vstats(int argc, char **argv, json_t *args, char *err,
			size_t errlen)
{
	if (argc != 4 || strcmp(argv[0], "show") || strcmp(argv[2], "qidx"))
		return USAGE_ERR;
	json_object_set_new(args, "name", json_string(argv[1]));
	return parse_u32_arg("qidx", argv[3], 0, 2 * XV_DEV_MAX_VQP - 1, args,
			     err, errlen);
}

/* ---- daemon ---- */

static int p_none(int argc, char **argv, json_t *args, char *err, size_t errlen)
{
	(void)argv;
	(void)args;
	(void)err;
	(void)errlen;
	return argc ? USAGE_ERR : 0;
}

#define VF_SET_USAGE                                                       \
	"vf set MGMTDEV vf N [mac M] [vlan V [qos Q]] [spoofchk on|off]\n" \
	"                [trust on|off] [state auto|enable|disable] "      \
	"[max_tx_rate MBPS]\n"                                             \
	"                [consumer xdp|netdev]"
/* "dev add " and the device table's synopsis (usage_init). */
static char dev_add_usage[640] = "dev add";
#define DEV_ADD_INDENT "                "
#define USAGE_WIDTH 72

static const struct vdpactl_cmd commands[] = {
	{ "mgmtdev", "add", "mgmtdev add",
	  "mgmtdev add NAME uplink DEV numvfs N", p_mgmtdev_add, true, true,
	  NULL },
	{ "mgmtdev", "del", "mgmtdev del", "mgmtdev del NAME", p_mgmtdev_del,
	  true, true, NULL },
	{ "mgmtdev", "show", "mgmtdev show", "mgmtdev show [NAME]", p_name_opt,
	  false, true, "mgmtdev" },
	{ "vf", "set", "vf set", VF_SET_USAGE, p_vf_set, true, true, NULL },
	{ "vf", "show", "vf show", "vf show [MGMTDEV [vf N]]", p_vf_show, false,
	  true, "vf" },
	{ "dev", "add", "dev add", dev_add_usage, p_dev_add, true, false,
	  "dev" },
	{ "dev", "del", "dev del", "dev del NAME", p_dev_del, true, false,
	  NULL },
	{ "dev", "show", "dev show", "dev show [NAME]", p_name_opt, false,
	  false, "dev" },
	{ "dev", "config", "dev config show", "dev config show [NAME]",
	  p_dev_config, false, false, "config" },
	{ "dev", "stats", "dev stats", "dev stats [NAME]", p_name_opt, false,
	  false, "stats" },
	{ "dev", "vstats", "dev vstats show", "dev vstats show NAME qidx N",
	  p_dev_vstats, false, false, "vstats" },
	{ "daemon", "show", "daemon show", "daemon show", p_none, false, false,
	  "daemon" },
};

static void usage_init(void)
{
	static const char head[] = "dev add ";
	static bool done;

	if (done)
		return;
	done = true;
	memcpy(dev_add_usage, head, sizeof(head));
	if (xv_dev_cfg_usage(dev_add_usage + sizeof(head) - 1,
			     sizeof(dev_add_usage) - sizeof(head) + 1,
			     XV_DEV_F_CLI, DEV_ADD_INDENT, USAGE_WIDTH) < 0)
		snprintf(dev_add_usage, sizeof(dev_add_usage),
			 "dev add name NAME ...");
}

/* What each of dev add's keywords is, from the device table. */
static void dev_add_help(FILE *f)
{
	char buf[4096];

	if (xv_dev_cfg_help(buf, sizeof(buf), XV_DEV_F_CLI, "  ") >= 0)
		fprintf(f, "%s", buf);
}

void vdpactl_help(FILE *f, const char *object, const struct vdpactl_cmd *cmd)
{
	unsigned int i;

	usage_init();
	if (cmd) {
		fprintf(f, "Usage: vdpactl %s\n", cmd->usage);
		if (cmd->parse == p_dev_add)
			dev_add_help(f);
		return;
	}
	fprintf(f,
		"Usage: vdpactl [-j] [-p] [-v] [-s SOCKET] OBJECT COMMAND [ARGS]\n");
	for (i = 0; i < XV_ARRAY_SIZE(commands); i++)
		if (!object || !strcmp(object, commands[i].object))
			fprintf(f, "       vdpactl %s\n", commands[i].usage);
	fprintf(f,
		"Options: -j JSON output, -p pretty JSON, -v verbose log,\n"
		"         -s vdpad's control socket (default $VDPAD_CONTROL or " XV_CTL_SOCKET
		")\n"
		"mgmtdev and vf commands go through vdpad, which saves them; without\n"
		"a vdpad they change the kernel directly (not saved).\n");
}

static bool is_help(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "-h") || !strcmp(s, "--help");
}

static const struct vdpactl_cmd *find_cmd(const char *object, const char *verb,
					  bool *object_known)
{
	unsigned int i;

	*object_known = false;
	for (i = 0; i < XV_ARRAY_SIZE(commands); i++) {
		if (strcmp(object, commands[i].object))
			continue;
		*object_known = true;
		if (verb && !strcmp(verb, commands[i].verb))
			return &commands[i];
	}
	return NULL;
}

int vdpactl_parse(int argc, char **argv, struct vdpactl_req *req, char *err,
		  size_t errlen)
{
	const struct vdpactl_cmd *cmd;
	bool known;
	int rc;

	memset(req, 0, sizeof(*req));
	err[0] = 0;
	usage_init();
	if (argc < 1) {
		snprintf(err, errlen, "no object given; try \"vdpactl help\"");
		return -EINVAL;
	}
	if (is_help(argv[0]))
		return 0;
	cmd = find_cmd(argv[0], argc > 1 ? argv[1] : NULL, &known);
	if (!known) {
		snprintf(err, errlen,
			 "unknown object \"%s\"; try \"vdpactl help\"",
			 argv[0]);
		return -EINVAL;
	}
	if (argc < 2 || is_help(argv[1])) {
		req->help_object = argv[0];
		return 0;
	}
	if (!cmd) {
		snprintf(err, errlen,
			 "unknown command \"%s %s\"; try \"vdpactl %s help\"",
			 argv[0], argv[1], argv[0]);
		return -EINVAL;
	}
	if (argc > 2 && is_help(argv[2])) {
		req->help_cmd = cmd;
		return 0;
	}
	req->args = json_object();
	rc = cmd->parse(argc - 2, argv + 2, req->args, err, errlen);
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "Usage: vdpactl %s", cmd->usage);
		json_decref(req->args);
		req->args = NULL;
		return -EINVAL;
	}
	req->cmd = cmd;
	return 0;
}
