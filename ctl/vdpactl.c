// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpactl: manage xvdpa emulated PFs, VFs and vDPA devices, in the style of
 * iproute2's `vdpa` and `ip link set DEV vf N ...`.
 *
 * Every command is a request to vdpad over its control socket (ctl/args.c
 * builds it). When no vdpad listens there, mgmtdev and vf commands manage
 * the eswitch directly through bpffs and netlink, as they would without
 * the daemon, and say that the change is not saved.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "ctl_proto.h"
#include "eswitch.h"
#include "eswitch_json.h"
#include "log.h"
#include "util.h"
#include "vfargs.h"

struct ctl {
	bool json;
	bool pretty;
	const char *socket; /* vdpad's control socket */
};

static int emit_json(struct ctl *ctl, json_t *root)
{
	size_t flags = ctl->pretty ? JSON_INDENT(2) : JSON_COMPACT;
	int err = json_dumpf(root, stdout, flags | JSON_SORT_KEYS);

	fputc('\n', stdout);
	return err ? -EIO : 0;
}

/* ---- text output ---- */

static void mgmtdev_print(json_t *mgmtdevs)
{
	const char *name;
	json_t *m, *saved;

	json_object_foreach(mgmtdevs, name, m) {
		saved = json_object_get(m, "saved");
		printf("%s: uplink %s numvfs %lld link %s%s\n", name,
		       json_string_value(json_object_get(m, "uplink")),
		       json_integer_value(json_object_get(m, "num_vfs")),
		       json_string_value(json_object_get(m, "uplink_link")),
		       !saved		   ? "" :
		       json_is_true(saved) ? " saved" :
					     " unsaved");
	}
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

static void print_kv_line(const char *name, json_t *obj)
{
	const char *k;
	json_t *v;

	printf("%s:", name);
	json_object_foreach(obj, k, v) {
		char *t = json_is_object(v) || json_is_array(v) ||
					  json_is_null(v) ?
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

/* ---- without vdpad: the eswitch directly ---- */

static const char *arg_s(json_t *args, const char *k)
{
	return json_string_value(json_object_get(args, k));
}

static int local_mgmtdev_add(json_t *args, json_t **out)
{
	const char *name = arg_s(args, "name");
	int rc = xv_pf_create(name, arg_s(args, "uplink"),
			      (unsigned int)json_integer_value(
				      json_object_get(args, "numvfs")));

	return rc ?: xv_mgmtdev_show_json(name, out);
}

static int local_vf_set(json_t *args, json_t **out)
{
	int vf = (int)json_integer_value(json_object_get(args, "vf"));
	struct xv_vf_attrs a;
	struct xv_pf *pf;
	char msg[160];
	int rc;

	if (xv_vf_attrs_from_json(args, &a, msg, sizeof(msg))) {
		xv_err("%s", msg);
		return -EINVAL;
	}
	rc = xv_pf_open(arg_s(args, "mgmtdev"), &pf);
	if (rc)
		return rc;
	rc = xv_vf_set(pf, (unsigned int)vf, &a);
	xv_pf_close(pf);
	return rc ?: xv_vf_show_json(arg_s(args, "mgmtdev"), vf, out);
}

static int run_local(const struct vdpactl_cmd *cmd, json_t *args, json_t **out)
{
	json_t *vf = json_object_get(args, "vf");

	*out = NULL;
	if (!strcmp(cmd->request, "mgmtdev add"))
		return local_mgmtdev_add(args, out);
	if (!strcmp(cmd->request, "mgmtdev del")) {
		*out = json_object();
		return xv_pf_destroy(arg_s(args, "name"));
	}
	if (!strcmp(cmd->request, "mgmtdev show"))
		return xv_mgmtdev_show_json(arg_s(args, "name"), out);
	if (!strcmp(cmd->request, "vf set"))
		return local_vf_set(args, out);
	return xv_vf_show_json(arg_s(args, "mgmtdev"),
			       vf ? (int)json_integer_value(vf) : -1, out);
}

/* ---- through vdpad ---- */

/* vdpad's answer to @cmd, or (mgmtdev, vf) the eswitch's own when no vdpad
 * listens. Returns 0 with the result in @out, or -errno (reported). */
static int run(struct ctl *ctl, const struct vdpactl_cmd *cmd, json_t *args,
	       json_t **out)
{
	json_t *resp;
	char err[256];
	int rc;

	rc = xv_ctl_request(ctl->socket, cmd->request, json_incref(args), &resp,
			    err, sizeof(err));
	if (cmd->local && (rc == -ENOENT || rc == -ECONNREFUSED)) {
		rc = run_local(cmd, args, out);
		if (!rc && cmd->changes)
			fprintf(stderr,
				"vdpactl: no vdpad at %s: changed directly, not saved (lost when the host restarts)\n",
				ctl->socket);
		return rc;
	}
	if (rc) {
		fprintf(stderr, "vdpactl: %s\n", err);
		return rc;
	}
	rc = (int)json_integer_value(json_object_get(resp, "status"));
	if (rc) {
		fprintf(stderr, "vdpactl: %s\n",
			json_string_value(json_object_get(resp, "error")) ?:
				"vdpad refused the request");
	} else {
		*out = json_incref(json_object_get(resp, "result"));
		rc = *out ? 0 : -EPROTO;
	}
	json_decref(resp);
	return rc;
}

static void print_text(const struct vdpactl_cmd *cmd, json_t *result)
{
	json_t *all = json_object_get(result, cmd->key), *v;
	const char *name;
	size_t i;

	if (!strcmp(cmd->key, "mgmtdev")) {
		mgmtdev_print(all);
		return;
	}
	if (!strcmp(cmd->key, "vf")) {
		json_array_foreach(all, i, v)
			vf_print(v);
		return;
	}
	json_object_foreach(all, name, v) {
		if (!strcmp(cmd->key, "dev")) {
			print_kv_line(name, v);
			continue;
		}
		printf("%s:\n", name);
		print_nested(v, 2);
	}
}

static int execute(struct ctl *ctl, const struct vdpactl_req *req)
{
	json_t *result = NULL;
	int rc = run(ctl, req->cmd, req->args, &result);

	if (!rc && ctl->json && json_object_size(result))
		rc = emit_json(ctl, result);
	else if (!rc && req->cmd->key)
		print_text(req->cmd, result);
	json_decref(result);
	return rc;
}

static int dispatch(struct ctl *ctl, int argc, char **argv)
{
	struct vdpactl_req req;
	char err[256];
	int rc;

	rc = vdpactl_parse(argc, argv, &req, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s%s\n",
			strncmp(err, "Usage:", 6) ? "vdpactl: " : "", err);
		return rc;
	}
	if (!req.cmd) {
		vdpactl_help(stdout, req.help_object, req.help_cmd);
		return 0;
	}
	rc = execute(ctl, &req);
	json_decref(req.args);
	return rc;
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
			vdpactl_help(stdout, NULL, NULL);
			return 0;
		default:
			vdpactl_help(stderr, NULL, NULL);
			return 1;
		}
	}
	err = dispatch(&ctl, argc - optind, argv + optind);
	return err ? 1 : 0;
}
