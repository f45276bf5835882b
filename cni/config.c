// SPDX-License-Identifier: GPL-2.0-only
/* The plugin's network configuration and environment: parsed, validated,
 * every invalid value reported as error 7 with its key named. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "ctl_proto.h"
#include "vfargs.h"

int cni_fail(struct cni_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

bool cni_version_supported(const char *v)
{
	static const char *const versions[] = { CNI_VERSIONS_SUPPORTED };
	unsigned int i;

	for (i = 0; v && i < XV_ARRAY_SIZE(versions); i++)
		if (!strcmp(v, versions[i]))
			return true;
	return false;
}

/* The spec's pattern ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$, 1 to @max chars. */
bool cni_id_valid(const char *s, size_t max)
{
	size_t i;

	if (!s || !isalnum((unsigned char)s[0]))
		return false;
	for (i = 0; s[i]; i++)
		if (i >= max ||
		    !(isalnum((unsigned char)s[i]) || strchr("_.-", s[i])))
			return false;
	return true;
}

/* The spec's interface name: 1 to 15 characters, not "." or "..", no
 * '/', ':' or whitespace: the C locale's, and 0xa0, which the kernel's
 * isspace() counts too (it refuses such a name). */
bool cni_ifname_valid(const char *s)
{
	size_t i;

	if (!s || !s[0] || strlen(s) > CNI_IFNAME_MAX || !strcmp(s, ".") ||
	    !strcmp(s, ".."))
		return false;
	for (i = 0; s[i]; i++)
		if (s[i] == '/' || s[i] == ':' ||
		    isspace((unsigned char)s[i]) || (unsigned char)s[i] == 0xa0)
			return false;
	return true;
}

/* An absolute path with no "." or ".." component. */
bool cni_path_valid(const char *path)
{
	const char *p = path;
	size_t n;

	if (!p || p[0] != '/' || strlen(p) >= PATH_MAX)
		return false;
	while (*p) {
		p += strspn(p, "/");
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
	}
	return true;
}

uint64_t cni_fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	return h;
}

void cni_sock_leaf(const char *socket_dir, const char *cid, char *buf,
		   size_t len)
{
	if (strlen(socket_dir) + 1 + strlen(cid) + 1 + CNI_SOCK_NAME_MAX <=
	    CNI_SUN_PATH_MAX)
		snprintf(buf, len, "%s", cid);
	else
		snprintf(buf, len, "_%016llx",
			 (unsigned long long)cni_fnv1a64(cid));
}

/* An optional string key; a non-string is an error naming it. */
static int opt_string(json_t *o, const char *key, const char **out,
		      struct cni_err *e)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return cni_fail(e, CNI_ERR_CONFIG, "\"%s\" must be a string",
				key);
	*out = json_string_value(v);
	return 0;
}

/* The VF keys of the config and the vdpactl keyword each maps to. */
static const struct {
	const char *key;
	const char *vfarg;
} vf_keys[] = {
	{ "mac", "mac" },
	{ "vlan", "vlan" },
	{ "vlanQoS", "qos" },
	{ "spoofchk", "spoofchk" },
	{ "trust", "trust" },
	{ "link_state", "state" },
	{ "max_tx_rate", "max_tx_rate" },
};

/* JSON scalar -> the text vdpactl would take. */
static int vf_value_text(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "on" : "off");
	else
		return -EINVAL;
	return 0;
}

static int parse_vf_attrs(json_t *root, const char *rt_mac,
			  struct xv_vf_attrs *a, struct cni_err *e)
{
	char vals[XV_ARRAY_SIZE(vf_keys)][64], msg[200];
	char *argv[2 * XV_ARRAY_SIZE(vf_keys)];
	unsigned int k;
	int argc = 0;
	json_t *v;

	memset(a, 0, sizeof(*a));
	for (k = 0; k < XV_ARRAY_SIZE(vf_keys); k++) {
		v = json_object_get(root, vf_keys[k].key);
		if (k == 0 && rt_mac)
			v = json_string(rt_mac); /* runtimeConfig.mac wins */
		else if (v)
			json_incref(v);
		if (!v || json_is_null(v)) {
			json_decref(v);
			continue;
		}
		if (vf_value_text(v, vals[k], sizeof(vals[k]))) {
			json_decref(v);
			return cni_fail(e, CNI_ERR_CONFIG,
					"\"%s\" must be a string or a number",
					vf_keys[k].key);
		}
		json_decref(v);
		argv[argc] = (char *)vf_keys[k].vfarg;
		argv[argc + 1] = vals[k];
		/* Each key alone (qos needs its vlan), to name the bad one. */
		if (xv_vf_attrs_parse(k == 2 ? argc + 2 : 2,
				      k == 2 ? argv : argv + argc, a, msg,
				      sizeof(msg)))
			return cni_fail(e, CNI_ERR_CONFIG, "\"%s\": %s",
					vf_keys[k].key, msg);
		argc += 2;
	}
	if (!argc)
		return 0;
	if (xv_vf_attrs_parse(argc, argv, a, msg, sizeof(msg)))
		return cni_fail(e, CNI_ERR_CONFIG, "%s", msg);
	return 0;
}

static int parse_uint(json_t *root, const char *key, unsigned int min,
		      unsigned int max, unsigned int *out, struct cni_err *e)
{
	json_t *v = json_object_get(root, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return cni_fail(e, CNI_ERR_CONFIG,
				"\"%s\" must be an integer from %u to %u", key,
				min, max);
	*out = (unsigned int)json_integer_value(v);
	return 0;
}

/* deviceID as a device plugin or Multus gives it: "MGMTDEV/N" or the
 * VF's device-end netdev name "MGMTDEVvN". */
static int parse_device_id(struct cni_conf *c, const char *id,
			   struct cni_err *e)
{
	size_t n = strlen(c->mgmtdev);
	const char *num = NULL;
	char *end;
	long vf;

	if (!strncmp(id, c->mgmtdev, n) && (id[n] == '/' || id[n] == 'v'))
		num = id + n + 1;
	if (!num || !*num)
		goto bad;
	vf = strtol(num, &end, 10);
	if (*end || vf < 0 || vf >= XV_MAX_VFS)
		goto bad;
	c->vf_index = (int)vf;
	return 0;
bad:
	return cni_fail(
		e, CNI_ERR_CONFIG,
		"\"deviceID\" \"%s\" names no VF of mgmtdev %s: use %s/N or %svN",
		id, c->mgmtdev, c->mgmtdev, c->mgmtdev);
}

static int parse_mode(struct cni_conf *c, struct cni_err *e)
{
	const char *mode = "vhostuser", *smode = "server";

	if (opt_string(c->root, "mode", &mode, e) ||
	    opt_string(c->root, "socketMode", &smode, e))
		return -EINVAL;
	if (!strcmp(mode, "vhostuser"))
		c->mode = CNI_MODE_VHOSTUSER;
	else if (!strcmp(mode, "netdev"))
		c->mode = CNI_MODE_NETDEV;
	else
		return cni_fail(
			e, CNI_ERR_CONFIG,
			"\"mode\" must be \"vhostuser\" or \"netdev\", not \"%s\"",
			mode);
	if (strcmp(smode, "server") && strcmp(smode, "client"))
		return cni_fail(
			e, CNI_ERR_CONFIG,
			"\"socketMode\" must be \"server\" or \"client\", not \"%s\"",
			smode);
	c->vdpad_client = !strcmp(smode, "client");
	return 0;
}

/* A path key of the configuration: absolute, no "." or ".." in it. */
static int check_path(const char *key, const char *path, struct cni_err *e)
{
	if (path && !cni_path_valid(path))
		return cni_fail(
			e, CNI_ERR_CONFIG,
			"\"%s\" must be an absolute path without \".\" or \"..\" components",
			key);
	return 0;
}

static int parse_paths(struct cni_conf *c, struct cni_err *e)
{
	c->socket_dir = CNI_DEFAULT_SOCKET_DIR;
	c->state_dir = CNI_DEFAULT_STATE_DIR;
	c->vdpad_socket = XV_CTL_SOCKET;
	if (opt_string(c->root, "socketDir", &c->socket_dir, e) ||
	    opt_string(c->root, "socketGroup", &c->socket_group, e) ||
	    opt_string(c->root, "vdpadSocket", &c->vdpad_socket, e) ||
	    opt_string(c->root, "stateDir", &c->state_dir, e) ||
	    opt_string(c->root, "logFile", &c->log_file, e) ||
	    opt_string(c->root, "logLevel", &c->log_level, e))
		return -EINVAL;
	if (check_path("socketDir", c->socket_dir, e) ||
	    check_path("stateDir", c->state_dir, e) ||
	    check_path("logFile", c->log_file, e))
		return -EINVAL;
	/* <socketDir>/_<16 hex>/<ifname>.sock, the longest a socket gets */
	if (strlen(c->socket_dir) > CNI_SOCKET_DIR_MAX)
		return cni_fail(
			e, CNI_ERR_CONFIG,
			"\"socketDir\" is too long for a socket path (at most %d characters)",
			CNI_SOCKET_DIR_MAX);
	return 0;
}

static int parse_runtime(struct cni_conf *c, const char **rt_mac,
			 struct cni_err *e)
{
	json_t *rt = json_object_get(c->root, "runtimeConfig");

	if (!rt || json_is_null(rt))
		return 0;
	if (!json_is_object(rt))
		return cni_fail(e, CNI_ERR_CONFIG,
				"\"runtimeConfig\" must be an object");
	if (opt_string(rt, "mac", rt_mac, e) ||
	    opt_string(rt, "CNIDeviceInfoFile", &c->device_info_file, e) ||
	    check_path("CNIDeviceInfoFile", c->device_info_file, e))
		return -EINVAL;
	return 0;
}

static int parse_common(struct cni_conf *c, struct cni_err *e)
{
	const char *v = NULL;

	if (opt_string(c->root, "cniVersion", &v, e))
		return -EINVAL;
	if (!v)
		return cni_fail(e, CNI_ERR_CONFIG, "\"cniVersion\" is missing");
	snprintf(c->version, sizeof(c->version), "%s", v);
	if (!cni_version_supported(v))
		return cni_fail(
			e, CNI_ERR_VERSION,
			"cniVersion \"%s\" is not supported: use 1.0.0 or 1.1.0",
			v);
	if (opt_string(c->root, "name", &c->name, e) ||
	    opt_string(c->root, "mgmtdev", &c->mgmtdev, e))
		return -EINVAL;
	if (!c->name || !c->name[0])
		return cni_fail(e, CNI_ERR_CONFIG,
				"\"name\" (the network name) is missing");
	if (!cni_id_valid(c->name, CNI_NET_NAME_MAX))
		return cni_fail(
			e, CNI_ERR_CONFIG,
			"\"name\" must be 1 to %d letters, digits, '_', '.' and '-', starting with a letter or digit",
			CNI_NET_NAME_MAX);
	if (!c->mgmtdev || xv_validate_pf_name(c->mgmtdev))
		return cni_fail(
			e, CNI_ERR_CONFIG,
			"\"mgmtdev\" must name an emulated PF (1 to %d characters)",
			XV_PF_NAME_MAX);
	return 0;
}

/* deviceOptions: passed through to vdpad's "dev add", each key one the
 * device table allows here, each value checked as vdpad checks it. */
static int parse_dev_opts(struct cni_conf *c, struct cni_err *e)
{
	json_t *o = json_object_get(c->root, "deviceOptions");
	char msg[200], keys[200];

	xv_dev_cfg_default(&c->dev_opts);
	if (!o || json_is_null(o))
		return 0;
	if (!json_is_object(o))
		return cni_fail(e, CNI_ERR_CONFIG,
				"\"deviceOptions\" must be an object");
	if (c->mode != CNI_MODE_VHOSTUSER && json_object_size(o))
		return cni_fail(
			e, CNI_ERR_CONFIG,
			"\"deviceOptions\" are vdpad's: for \"mode\" \"vhostuser\" only");
	if (xv_dev_cfg_from_json(&c->dev_opts, o, XV_DEV_F_CNI, msg,
				 sizeof(msg))) {
		if (xv_dev_cfg_keys(keys, sizeof(keys), XV_DEV_F_CNI) < 0)
			keys[0] = 0;
		return cni_fail(e, CNI_ERR_CONFIG,
				"\"deviceOptions\": %s (it takes %s)", msg,
				keys);
	}
	return 0;
}

static int parse_objects(struct cni_conf *c, struct cni_err *e)
{
	c->ipam = json_object_get(c->root, "ipam");
	if (c->ipam && json_is_null(c->ipam))
		c->ipam = NULL;
	if (c->ipam && (!json_is_object(c->ipam) ||
			!json_is_string(json_object_get(c->ipam, "type"))))
		return cni_fail(e, CNI_ERR_CONFIG,
				"\"ipam\" must be an object with a \"type\"");
	if (c->ipam &&
	    !cni_id_valid(json_string_value(json_object_get(c->ipam, "type")),
			  NAME_MAX))
		return cni_fail(e, CNI_ERR_CONFIG,
				"\"ipam\".\"type\" must be a plugin name");
	c->prev_result = json_object_get(c->root, "prevResult");
	if (c->prev_result && !json_is_object(c->prev_result))
		return cni_fail(e, CNI_ERR_CONFIG,
				"\"prevResult\" must be an object");
	c->valid_attachments =
		json_object_get(c->root, "cni.dev/valid-attachments");
	if (c->valid_attachments && !json_is_array(c->valid_attachments))
		return cni_fail(
			e, CNI_ERR_CONFIG,
			"\"cni.dev/valid-attachments\" must be an array");
	return 0;
}

int cni_conf_parse(const char *text, size_t len, struct cni_conf *c,
		   struct cni_err *e)
{
	const char *rt_mac = NULL, *dev_id = NULL;
	json_error_t jerr;

	memset(c, 0, sizeof(*c));
	c->vf_index = -1;
	c->root = json_loadb(text, len, 0, &jerr);
	if (!c->root || !json_is_object(c->root))
		return cni_fail(
			e, CNI_ERR_DECODE,
			"the network configuration is not a JSON object: %s (line %d)",
			c->root ? "not an object" : jerr.text, jerr.line);
	if (parse_common(c, e) || parse_mode(c, e) || parse_paths(c, e) ||
	    parse_runtime(c, &rt_mac, e) ||
	    parse_vf_attrs(c->root, rt_mac, &c->vf, e) ||
	    parse_uint(c->root, "mtu", XV_DEV_MTU_MIN, XV_DEV_MTU_MAX, &c->mtu,
		       e) ||
	    parse_dev_opts(c, e) ||
	    opt_string(c->root, "deviceID", &dev_id, e) ||
	    (dev_id && parse_device_id(c, dev_id, e)) || parse_objects(c, e))
		return -EINVAL;
	return 0;
}

void cni_conf_free(struct cni_conf *c)
{
	json_decref(c->root);
	c->root = NULL;
}

/* CNI_ARGS "K=V;K=V": MAC= (how podman passes --mac-address) counts unless
 * runtimeConfig.mac was given; other keys are not ours and are ignored. */
int cni_conf_apply_args(struct cni_conf *c, const char *args, struct cni_err *e)
{
	json_t *rt = json_object_get(c->root, "runtimeConfig");
	const char *p = args;
	char mac[32];
	size_t n;

	if (json_is_string(json_object_get(rt, "mac")))
		return 0;
	while (p && *p) {
		n = strcspn(p, ";");
		if (n > 4 && !strncmp(p, "MAC=", 4)) {
			snprintf(mac, sizeof(mac), "%.*s", (int)(n - 4), p + 4);
			if (xv_parse_mac(mac, c->vf.mac) ||
			    !xv_mac_is_valid_unicast(c->vf.mac))
				return cni_fail(
					e, CNI_ERR_CONFIG,
					"CNI_ARGS MAC=\"%s\" is not a unicast MAC address",
					mac);
			c->vf.set |= XV_VF_SET_MAC;
		}
		p += n + (p[n] == ';');
	}
	return 0;
}

int cni_env_read(struct cni_env *env, struct cni_err *e)
{
	memset(env, 0, sizeof(*env));
	env->command = getenv("CNI_COMMAND");
	env->container_id = getenv("CNI_CONTAINERID");
	env->netns = getenv("CNI_NETNS");
	env->ifname = getenv("CNI_IFNAME");
	env->args = getenv("CNI_ARGS");
	env->path = getenv("CNI_PATH");
	if (!env->command || !env->command[0])
		return cni_fail(e, CNI_ERR_ENV, "CNI_COMMAND is not set");
	return 0;
}

/* What each command needs (SPEC.md, "Parameters"). */
int cni_env_check(const struct cni_env *env, struct cni_err *e)
{
	bool add = !strcmp(env->command, "ADD") ||
		   !strcmp(env->command, "CHECK");
	bool del = !strcmp(env->command, "DEL");

	if (!add && !del)
		return 0;
	if (!cni_id_valid(env->container_id, CNI_CONTAINER_ID_MAX))
		return cni_fail(
			e, CNI_ERR_ENV,
			"CNI_CONTAINERID is missing or not 1 to %d letters, digits, '_', '.' and '-' starting with a letter or digit",
			CNI_CONTAINER_ID_MAX);
	if (!cni_ifname_valid(env->ifname))
		return cni_fail(
			e, CNI_ERR_ENV,
			"CNI_IFNAME is missing or not a valid interface name (1 to %d characters, not \".\" or \"..\", no '/', ':' or whitespace)",
			CNI_IFNAME_MAX);
	if (add && (!env->netns || env->netns[0] != '/'))
		return cni_fail(e, CNI_ERR_ENV,
				"CNI_NETNS is missing or not an absolute path");
	return 0;
}
