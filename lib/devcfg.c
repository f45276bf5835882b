// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vdpad device's configuration from its one table: the SPEC string, the
 * "dev add" request and the state file's JSON, vdpactl's keywords and the
 * help text are all read and written from xv_dev_fields[].
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devcfg.h"
#include "eswitch_maps.h" /* XV_MAX_VFS */

#define AT(m)                                  \
	.off = offsetof(struct xv_dev_cfg, m), \
	.size = sizeof(((struct xv_dev_cfg *)0)->m)

/* Where a value came from: its parsing rules and its message's form. */
enum ctx {
	CTX_SPEC, /* vdpad's SPEC: numbers in C notation */
	CTX_CLI, /* vdpactl: decimal numbers */
	CTX_JSON, /* a JSON string, or a typed setter */
};

const struct xv_dev_field xv_dev_fields[XV_DEVF_COUNT] = {
	[XV_DEVF_NAME] = {
		.key = "name", .type = XV_DEV_T_NAME,
		.where = XV_DEV_F_REQ | XV_DEV_F_CLI | XV_DEV_F_REQUIRED,
		.max = XV_DEV_NAME_MAX, AT(name), .metavar = "NAME",
		.help = "the device's name",
	},
	[XV_DEVF_MGMTDEV] = {
		.key = "mgmtdev", .type = XV_DEV_T_STRING,
		.where = XV_DEV_F_REQ | XV_DEV_F_CLI | XV_DEV_F_BACKEND,
		.max = XV_PF_NAME_MAX, AT(mgmtdev), .metavar = "MGMTDEV",
		.help = "bind a free VF of this emulated PF",
	},
	[XV_DEVF_VF] = {
		.key = "vf", .type = XV_DEV_T_UINT,
		.where = XV_DEV_F_REQ | XV_DEV_F_CLI | XV_DEV_F_BACKEND_OPT,
		.min = 0, .max = XV_MAX_VFS - 1, .def = (uint64_t)-1, AT(vf),
		.metavar = "N", .help = "with mgmtdev: this VF, not any free one",
	},
	[XV_DEVF_NETDEV] = {
		.key = "netdev", .spec = "netdev", .type = XV_DEV_T_IFNAME,
		.where = XV_DEV_F_SPEC | XV_DEV_F_REQ | XV_DEV_F_STATE |
			 XV_DEV_F_SHOW | XV_DEV_F_CLI | XV_DEV_F_BACKEND,
		.max = XV_DEV_IFNAME_MAX, AT(netdev), .metavar = "IFNAME",
		.help = "bind this netdev through AF_XDP (root only)",
	},
	[XV_DEVF_LOOPBACK] = {
		.key = "loopback", .type = XV_DEV_T_BOOL,
		.where = XV_DEV_F_REQ | XV_DEV_F_STATE | XV_DEV_F_CLI |
			 XV_DEV_F_BACKEND,
		.max = 1, AT(loopback),
		.help = "no netdev: what the guest sends comes back to it",
	},
	[XV_DEVF_SOCKET] = {
		.key = "socket", .type = XV_DEV_T_PATH,
		.where = XV_DEV_F_SPEC | XV_DEV_F_REQ | XV_DEV_F_STATE |
			 XV_DEV_F_SHOW | XV_DEV_F_CLI,
		.max = XV_DEV_PATH_MAX, AT(socket), .metavar = "PATH",
		.help = "the vhost-user socket (dev add: NAME.sock in vdpad's socket directory if not given)",
	},
	[XV_DEVF_MAC] = {
		.key = "mac", .type = XV_DEV_T_MAC,
		.where = XV_DEV_F_REQ | XV_DEV_F_CLI, AT(mac), .metavar = "M",
		.help = "with mgmtdev: give the VF this MAC address",
	},
	[XV_DEVF_MODE] = {
		.key = "mode", .type = XV_DEV_T_CHOICE,
		.where = XV_DEV_F_SPEC | XV_DEV_F_REQ | XV_DEV_F_STATE |
			 XV_DEV_F_SHOW | XV_DEV_F_CLI,
		.max = 1, .words = { "server", "client" }, AT(client),
		.metavar = "server|client",
		.help = "vhost-user server (vdpad listens) or client (it connects)",
	},
	[XV_DEVF_MTU] = {
		.key = "mtu", .spec = "mtu", .type = XV_DEV_T_UINT,
		.where = XV_DEV_F_SPEC | XV_DEV_F_REQ | XV_DEV_F_STATE |
			 XV_DEV_F_SHOW | XV_DEV_F_CLI,
		.min = XV_DEV_MTU_MIN, .max = XV_DEV_MTU_MAX,
		.def = XV_DEV_MTU_DEFAULT, AT(mtu), .metavar = "N",
		.help = "the MTU offered to the guest",
	},
	[XV_DEVF_MAX_VQP] = {
		.key = "max_vqp", .spec = "max_vqp", .alias = "mq",
		.type = XV_DEV_T_UINT,
		.where = XV_DEV_F_SPEC | XV_DEV_F_REQ | XV_DEV_F_STATE |
			 XV_DEV_F_SHOW | XV_DEV_F_CNI | XV_DEV_F_CLI,
		.min = 1, .max = XV_DEV_MAX_VQP, .def = 1, AT(max_vqp),
		.metavar = "N",
		.help = "queue pairs, one per netdev queue",
	},
	[XV_DEVF_FEATURES] = {
		.key = "device_features", .spec = "device_features",
		.alias = "features", .type = XV_DEV_T_HEX,
		.where = XV_DEV_F_SPEC | XV_DEV_F_REQ | XV_DEV_F_STATE |
			 XV_DEV_F_CNI | XV_DEV_F_CLI,
		.max = UINT64_MAX, AT(device_features), .metavar = "0xHEX",
		.help = "the virtio features offered, a subset of vdpad's (default: all)",
	},
	[XV_DEVF_SOCKET_MODE] = {
		.key = "socket_mode", .spec = "socket_mode", .alias = "mode",
		.type = XV_DEV_T_OCTAL,
		.where = XV_DEV_F_SPEC | XV_DEV_F_REQ | XV_DEV_F_STATE |
			 XV_DEV_F_CNI | XV_DEV_F_CLI,
		.min = 01, .max = 0777, AT(socket_mode), .metavar = "OCTAL",
		.help = "the socket's permissions, instead of the umask's",
	},
	[XV_DEVF_SOCKET_GROUP] = {
		.key = "socket_group", .spec = "socket_group", .alias = "group",
		.type = XV_DEV_T_GROUP,
		.where = XV_DEV_F_SPEC | XV_DEV_F_REQ | XV_DEV_F_STATE |
			 XV_DEV_F_CLI,
		.max = XV_DEV_GROUP_MAX, AT(socket_group), .metavar = "GROUP",
		.help = "the socket's group, instead of vdpad's",
	},
	[XV_DEVF_MAX_MEM] = {
		.key = "max_mem", .spec = "max_mem", .type = XV_DEV_T_SIZE,
		.where = XV_DEV_F_SPEC | XV_DEV_F_REQ | XV_DEV_F_STATE |
			 XV_DEV_F_SHOW | XV_DEV_F_CNI | XV_DEV_F_CLI,
		.max = INT64_MAX, AT(max_mem), .metavar = "SIZE",
		.help = "guest memory the frontend may map, e.g. 2G (default: no limit)",
	},
};

static int __attribute__((format(printf, 4, 5)))
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static bool is_string(const struct xv_dev_field *f)
{
	switch (f->type) {
	case XV_DEV_T_STRING:
	case XV_DEV_T_IFNAME:
	case XV_DEV_T_GROUP:
	case XV_DEV_T_PATH:
	case XV_DEV_T_NAME:
		return true;
	default:
		return false;
	}
}

/* Held as a number (UINT, OCTAL, HEX, SIZE, BOOL, CHOICE)? */
static bool is_number(const struct xv_dev_field *f)
{
	return !is_string(f) && f->type != XV_DEV_T_MAC;
}

static uint64_t get_num(const struct xv_dev_cfg *c,
			const struct xv_dev_field *f)
{
	const char *p = (const char *)c + f->off;
	uint64_t v64;
	uint32_t v32;
	bool b;

	switch (f->size) {
	case sizeof(bool):
		memcpy(&b, p, sizeof(b));
		return b;
	case sizeof(uint32_t):
		memcpy(&v32, p, sizeof(v32));
		return v32;
	default:
		memcpy(&v64, p, sizeof(v64));
		return v64;
	}
}

static void put_num(struct xv_dev_cfg *c, const struct xv_dev_field *f,
		    uint64_t v)
{
	char *p = (char *)c + f->off;
	uint32_t v32 = (uint32_t)v;
	bool b = v;

	switch (f->size) {
	case sizeof(bool):
		memcpy(p, &b, sizeof(b));
		break;
	case sizeof(uint32_t):
		memcpy(p, &v32, sizeof(v32));
		break;
	default:
		memcpy(p, &v, sizeof(v));
	}
}

static const char *get_str(const struct xv_dev_cfg *c,
			   const struct xv_dev_field *f)
{
	return (const char *)c + f->off;
}

static enum xv_dev_field_id id_of(const struct xv_dev_field *f)
{
	return (enum xv_dev_field_id)(f - xv_dev_fields);
}

const struct xv_dev_field *xv_dev_field_find(const char *key,
					     unsigned int where)
{
	unsigned int i;

	for (i = 0; key && i < XV_DEVF_COUNT; i++)
		if ((xv_dev_fields[i].where & where) &&
		    !strcmp(xv_dev_fields[i].key, key))
			return &xv_dev_fields[i];
	return NULL;
}

bool xv_dev_field_takes_value(const struct xv_dev_field *f)
{
	return f->type != XV_DEV_T_BOOL;
}

void xv_dev_cfg_default(struct xv_dev_cfg *c)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < XV_DEVF_COUNT; i++)
		if (is_number(&xv_dev_fields[i]))
			put_num(c, &xv_dev_fields[i], xv_dev_fields[i].def);
	c->gid = (gid_t)-1;
}

/* What a value of @f must be, for messages. */
static void describe(const struct xv_dev_field *f, char *buf, size_t len)
{
	switch (f->type) {
	case XV_DEV_T_BOOL:
		snprintf(buf, len, "true or false");
		break;
	case XV_DEV_T_UINT:
		snprintf(buf, len, "an integer from %llu to %llu",
			 (unsigned long long)f->min,
			 (unsigned long long)f->max);
		break;
	case XV_DEV_T_OCTAL:
		snprintf(buf, len, "an octal mode from 0%llo to 0%llo",
			 (unsigned long long)f->min,
			 (unsigned long long)f->max);
		break;
	case XV_DEV_T_HEX:
		snprintf(buf, len, "a feature mask in hex (0xHEX)");
		break;
	case XV_DEV_T_SIZE:
		snprintf(buf, len, "bytes, or a number with K, M, G or T");
		break;
	case XV_DEV_T_PATH:
		snprintf(buf, len,
			 "a path of at most %llu characters, no commas",
			 (unsigned long long)f->max);
		break;
	case XV_DEV_T_NAME:
		snprintf(
			buf, len,
			"1 to %llu letters, digits, '-', '_' or '.', not starting with '.' or '-'",
			(unsigned long long)f->max);
		break;
	case XV_DEV_T_CHOICE:
		snprintf(buf, len, "%s or %s", f->words[0], f->words[1]);
		break;
	case XV_DEV_T_MAC:
		snprintf(buf, len, "a unicast MAC address");
		break;
	default:
		snprintf(buf, len, "1 to %llu characters, no commas",
			 (unsigned long long)f->max);
	}
}

/* A number in C notation (SPEC): what strtoul with base 0 takes, but
 * starting with a digit (no sign, no blank). */
static int parse_c_number(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno)
		return -ERANGE;
	*out = v;
	return 0;
}

/* A string that JSON can hold and a log line can show: UTF-8, no
 * control characters. */
static bool text_ok(const char *s)
{
	const unsigned char *p;
	json_t *t;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	t = json_string(s);
	json_decref(t);
	return t;
}

/* Text @s into field @f of @c, by @ctx's rules; no message. */
static int store_text(struct xv_dev_cfg *c, const struct xv_dev_field *f,
		      const char *s, enum ctx ctx)
{
	uint8_t mac[XV_MAC_LEN];
	unsigned long long h;
	uint64_t v = 0;
	uint32_t v32;
	size_t n;
	char *end;
	bool b;
	int rc;

	if (!s)
		return -EINVAL;
	switch (f->type) {
	case XV_DEV_T_BOOL:
		if (!strcmp(s, "true") || !strcmp(s, "false"))
			b = !strcmp(s, "true");
		else if (xv_parse_bool(s, &b))
			return -EINVAL;
		v = b;
		break;
	case XV_DEV_T_UINT:
		if (ctx == CTX_SPEC) {
			rc = parse_c_number(s, &v);
			if (rc)
				return rc;
		} else {
			rc = xv_parse_u32(s, 0, UINT32_MAX, &v32);
			if (rc)
				return rc == -ERANGE ? -ERANGE : -EINVAL;
			v = v32;
		}
		if (v < f->min || v > f->max)
			return -ERANGE;
		break;
	case XV_DEV_T_OCTAL:
		/* "0" first, then as C reads it: 0660, and 0x1b0 too */
		if (s[0] != '0')
			return -EINVAL;
		rc = parse_c_number(s, &v);
		if (rc)
			return rc;
		if (v < f->min || v > f->max)
			return -ERANGE;
		break;
	case XV_DEV_T_HEX:
		if (!isxdigit((unsigned char)s[0]))
			return -EINVAL;
		errno = 0;
		h = strtoull(s, &end, 16);
		if (*end)
			return -EINVAL;
		if (errno || h > f->max)
			return -ERANGE;
		v = h;
		break;
	case XV_DEV_T_SIZE:
		rc = xv_parse_size(s, &v);
		if (rc)
			return rc;
		if (v > f->max)
			return -ERANGE;
		break;
	case XV_DEV_T_CHOICE:
		if (!strcmp(s, f->words[0]))
			v = 0;
		else if (!strcmp(s, f->words[1]))
			v = 1;
		else
			return -EINVAL;
		break;
	case XV_DEV_T_MAC:
		if (xv_parse_mac(s, mac) || !xv_mac_is_valid_unicast(mac))
			return -EINVAL;
		memcpy((char *)c + f->off, mac, sizeof(mac));
		c->set |= XV_DEV_BIT(id_of(f));
		return 0;
	default: /* the strings */
		n = strnlen(s, f->max + 1);
		if (!n || strchr(s, ','))
			return -EINVAL;
		if (n > f->max)
			return -ENAMETOOLONG;
		if (!text_ok(s))
			return -EINVAL;
		if (f->type == XV_DEV_T_NAME && xv_validate_dev_name(s))
			return -EINVAL;
		memcpy((char *)c + f->off, s, n + 1);
		c->set |= XV_DEV_BIT(id_of(f));
		return 0;
	}
	put_num(c, f, v);
	c->set |= XV_DEV_BIT(id_of(f));
	return 0;
}

/* The value of @f as text, as store_text reads it back. */
static void fmt_value(const struct xv_dev_cfg *c, const struct xv_dev_field *f,
		      char *buf, size_t len)
{
	unsigned long long v = is_number(f) ? get_num(c, f) : 0;

	switch (f->type) {
	case XV_DEV_T_BOOL:
		snprintf(buf, len, "%s", v ? "true" : "false");
		break;
	case XV_DEV_T_OCTAL:
		snprintf(buf, len, "0%llo", v);
		break;
	case XV_DEV_T_HEX:
		snprintf(buf, len, "0x%llx", v);
		break;
	case XV_DEV_T_CHOICE:
		snprintf(buf, len, "%s", f->words[v ? 1 : 0]);
		break;
	case XV_DEV_T_MAC:
		if (len >= XV_MAC_STR_LEN)
			xv_format_mac((const uint8_t *)c + f->off, buf);
		break;
	case XV_DEV_T_UINT:
	case XV_DEV_T_SIZE:
		snprintf(buf, len, "%llu", v);
		break;
	default:
		snprintf(buf, len, "%s", get_str(c, f));
	}
}

/* ---- SPEC ---- */

static const struct xv_dev_field *spec_field(const char *key)
{
	const struct xv_dev_field *f;
	unsigned int i;

	for (i = 0; i < XV_DEVF_COUNT; i++) {
		f = &xv_dev_fields[i];
		if (!(f->where & XV_DEV_F_SPEC) || !f->spec)
			continue;
		if (!strcmp(f->spec, key) ||
		    (f->alias && !strcmp(f->alias, key)))
			return f;
	}
	return NULL;
}

/* A bare word: a choice's (server, client). */
static const struct xv_dev_field *spec_word(const char *word, uint64_t *v)
{
	const struct xv_dev_field *f;
	unsigned int i, w;

	for (i = 0; i < XV_DEVF_COUNT; i++) {
		f = &xv_dev_fields[i];
		if (!(f->where & XV_DEV_F_SPEC) || f->type != XV_DEV_T_CHOICE)
			continue;
		for (w = 0; w < 2; w++)
			if (!strcmp(f->words[w], word)) {
				*v = w;
				return f;
			}
	}
	return NULL;
}

static int spec_opt(struct xv_dev_cfg *c, char *opt, char *err, size_t errlen)
{
	const struct xv_dev_field *f;
	char *eq = strchr(opt, '='), what[128];
	uint64_t w;

	if (!eq) {
		f = spec_word(opt, &w);
		if (!f)
			return fail(err, errlen, -EINVAL,
				    "bad device option \"%s\"", opt);
		put_num(c, f, w);
		c->set |= XV_DEV_BIT(id_of(f));
		return 0;
	}
	*eq = 0;
	f = spec_field(opt);
	*eq = '=';
	if (!f)
		return fail(err, errlen, -EINVAL, "bad device option \"%s\"",
			    opt);
	if (store_text(c, f, eq + 1, CTX_SPEC)) {
		describe(f, what, sizeof(what));
		return fail(err, errlen, -EINVAL,
			    "bad device option \"%s\": %s must be %s", opt,
			    f->key, what);
	}
	return 0;
}

int xv_dev_cfg_parse_spec(struct xv_dev_cfg *c, const char *spec, char *err,
			  size_t errlen)
{
	const struct xv_dev_field *path = &xv_dev_fields[XV_DEVF_SOCKET];
	char buf[XV_DEV_SPEC_MAX], what[128], *opt, *save;
	int rc;

	if (!spec)
		return fail(err, errlen, -EINVAL, "no device options");
	if (strlen(spec) >= sizeof(buf))
		return fail(err, errlen, -ENAMETOOLONG,
			    "device options too long (at most %zu characters)",
			    sizeof(buf) - 1);
	strcpy(buf, spec);
	opt = strtok_r(buf, ",", &save);
	if (!opt || store_text(c, path, opt, CTX_SPEC)) {
		describe(path, what, sizeof(what));
		return fail(err, errlen, -EINVAL,
			    "bad socket path \"%s\": it must be %s",
			    opt ? opt : "", what);
	}
	while ((opt = strtok_r(NULL, ",", &save))) {
		rc = spec_opt(c, opt, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/* Appends to a buffer while it fits; remembers it did not. */
struct sbuf {
	char *buf;
	size_t len, n;
	bool over;
};

static void __attribute__((format(printf, 2, 3)))
sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(b->n < b->len ? b->buf + b->n : NULL,
		      b->n < b->len ? b->len - b->n : 0, fmt, ap);
	va_end(ap);
	if (k < 0) {
		b->over = true;
		return;
	}
	b->n += (size_t)k;
	if (b->n >= b->len)
		b->over = true;
}

static int sb_end(struct sbuf *b)
{
	if (b->len && b->over)
		b->buf[b->len - 1] = 0;
	return b->over ? -ENOSPC : (int)b->n;
}

int xv_dev_cfg_render_spec(const struct xv_dev_cfg *c, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0, false };
	const struct xv_dev_field *f;
	char val[XV_DEV_SPEC_MAX];
	unsigned int i;

	if (!len)
		return -ENOSPC;
	buf[0] = 0;
	if (!(c->set & XV_DEV_BIT(XV_DEVF_SOCKET)) || !c->socket[0])
		return -EINVAL;
	sb_add(&b, "%s", c->socket);
	for (i = 0; i < XV_DEVF_COUNT; i++) {
		f = &xv_dev_fields[i];
		if (!(f->where & XV_DEV_F_SPEC) || !(c->set & XV_DEV_BIT(i)) ||
		    i == XV_DEVF_SOCKET)
			continue;
		fmt_value(c, f, val, sizeof(val));
		if (f->spec)
			sb_add(&b, ",%s=%s", f->spec, val);
		else
			sb_add(&b, ",%s", val);
	}
	return sb_end(&b);
}

/* ---- JSON ---- */

static int json_value(struct xv_dev_cfg *c, const struct xv_dev_field *f,
		      json_t *v, char *err, size_t errlen)
{
	char what[128];
	const char *s;
	json_int_t n;

	describe(f, what, sizeof(what));
	if (f->type == XV_DEV_T_BOOL) {
		if (!json_is_boolean(v))
			return fail(err, errlen, -EINVAL,
				    "\"%s\" must be true or false", f->key);
		put_num(c, f, json_is_true(v));
		c->set |= XV_DEV_BIT(id_of(f));
		return 0;
	}
	if (f->type == XV_DEV_T_UINT || f->type == XV_DEV_T_SIZE) {
		n = json_is_integer(v) ? json_integer_value(v) : -1;
		if (n < 0 || (uint64_t)n < f->min || (uint64_t)n > f->max)
			return fail(
				err, errlen, -EINVAL,
				"\"%s\" must be an integer from %llu to %llu",
				f->key, (unsigned long long)f->min,
				(unsigned long long)f->max);
		put_num(c, f, (uint64_t)n);
		c->set |= XV_DEV_BIT(id_of(f));
		return 0;
	}
	if (!json_is_string(v))
		return fail(err, errlen, -EINVAL, "\"%s\" must be a string",
			    f->key);
	s = json_string_value(v);
	/* A ',' would start another SPEC option: said as such. */
	if (f->type != XV_DEV_T_PATH && strchr(s, ','))
		return fail(err, errlen, -EINVAL, "\"%s\" must not contain ','",
			    f->key);
	if (store_text(c, f, s, CTX_JSON))
		return fail(err, errlen, -EINVAL,
			    f->type == XV_DEV_T_NAME ?
				    "\"%s\" is required: %s" :
				    "\"%s\" must be %s",
			    f->key, what);
	return 0;
}

int xv_dev_cfg_from_json(struct xv_dev_cfg *c, json_t *o, unsigned int where,
			 char *err, size_t errlen)
{
	const struct xv_dev_field *f;
	const char *k;
	json_t *v;
	int rc;

	if (!json_is_object(o))
		return fail(err, errlen, -EINVAL,
			    "the device's options must be an object");
	json_object_foreach(o, k, v) {
		f = xv_dev_field_find(k, where);
		if (!f)
			return fail(err, errlen, -EINVAL,
				    "unknown argument \"%s\"", k);
		rc = json_value(c, f, v, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

json_t *xv_dev_cfg_to_json(const struct xv_dev_cfg *c, unsigned int where)
{
	char val[XV_DEV_SPEC_MAX];
	const struct xv_dev_field *f;
	json_t *o = json_object(), *v;
	unsigned int i;

	for (i = 0; o && i < XV_DEVF_COUNT; i++) {
		f = &xv_dev_fields[i];
		if (!(f->where & where))
			continue;
		if (!(where & XV_DEV_F_SHOW) && !(c->set & XV_DEV_BIT(i)))
			continue;
		if (is_string(f) && !get_str(c, f)[0])
			continue;
		if (f->type == XV_DEV_T_BOOL)
			v = json_boolean(get_num(c, f));
		else if (f->type == XV_DEV_T_UINT || f->type == XV_DEV_T_SIZE)
			v = json_integer((json_int_t)get_num(c, f));
		else {
			fmt_value(c, f, val, sizeof(val));
			v = json_string(val);
		}
		json_object_set_new(o, f->key, v);
	}
	return o;
}

/* A state file's device: its typed configuration, or (written before
 * it) the SPEC it was made from. */
#define STATE_CONFIG "config"
#define STATE_SPEC "spec"

int xv_dev_cfg_from_state(struct xv_dev_cfg *c, json_t *entry, char *err,
			  size_t errlen)
{
	const struct xv_dev_field *lb = &xv_dev_fields[XV_DEVF_LOOPBACK];
	json_t *cfg = json_object_get(entry, STATE_CONFIG);
	json_t *spec = json_object_get(entry, STATE_SPEC);
	json_t *loop = json_object_get(entry, lb->key);
	int rc;

	if (cfg)
		return xv_dev_cfg_from_json(c, cfg, XV_DEV_F_STATE, err,
					    errlen);
	if (!json_is_string(spec) || (loop && !json_is_boolean(loop)))
		return fail(err, errlen, -EINVAL,
			    "a device with neither \"%s\" nor \"%s\"",
			    STATE_CONFIG, STATE_SPEC);
	rc = xv_dev_cfg_parse_spec(c, json_string_value(spec), err, errlen);
	if (!rc && json_is_true(loop))
		rc = xv_dev_cfg_set_uint(c, XV_DEVF_LOOPBACK, 1, err, errlen);
	return rc;
}

json_t *xv_dev_cfg_state_json(const struct xv_dev_cfg *c)
{
	json_t *o = json_object(), *cfg = xv_dev_cfg_to_json(c, XV_DEV_F_STATE);

	if (!o || !cfg || json_object_set_new(o, STATE_CONFIG, cfg)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- text (vdpactl) and typed setters ---- */

int xv_dev_cfg_set_text(struct xv_dev_cfg *c, const char *key, const char *val,
			unsigned int where, char *err, size_t errlen)
{
	const struct xv_dev_field *f = xv_dev_field_find(key, where);
	char what[128];
	int rc;

	if (!f)
		return fail(err, errlen, -ENOENT, "unknown argument \"%s\"",
			    key ? key : "");
	if (f->type == XV_DEV_T_BOOL && !val)
		val = "true";
	if (!val)
		return fail(err, errlen, -EINVAL, "%s needs a value", f->key);
	rc = store_text(c, f, val, CTX_CLI);
	if (!rc)
		return 0;
	if (f->type == XV_DEV_T_UINT)
		snprintf(what, sizeof(what), "%llu to %llu",
			 (unsigned long long)f->min,
			 (unsigned long long)f->max);
	else
		describe(f, what, sizeof(what));
	return fail(err, errlen, -ERANGE, "%s \"%s\" invalid: %s", f->key, val,
		    what);
}

int xv_dev_cfg_set_str(struct xv_dev_cfg *c, enum xv_dev_field_id id,
		       const char *val, char *err, size_t errlen)
{
	const struct xv_dev_field *f;
	char what[128];

	if ((unsigned int)id >= XV_DEVF_COUNT)
		return -EINVAL;
	f = &xv_dev_fields[id];
	if (!store_text(c, f, val, CTX_JSON))
		return 0;
	describe(f, what, sizeof(what));
	return fail(err, errlen, -EINVAL, "\"%s\" must be %s", f->key, what);
}

int xv_dev_cfg_set_uint(struct xv_dev_cfg *c, enum xv_dev_field_id id,
			uint64_t val, char *err, size_t errlen)
{
	const struct xv_dev_field *f;
	char what[128];

	if ((unsigned int)id >= XV_DEVF_COUNT)
		return -EINVAL;
	f = &xv_dev_fields[id];
	if (!is_number(f) || val < f->min || val > f->max) {
		describe(f, what, sizeof(what));
		return fail(err, errlen, -ERANGE, "\"%s\" must be %s", f->key,
			    what);
	}
	put_num(c, f, val);
	c->set |= XV_DEV_BIT(id);
	return 0;
}

/* ---- the whole ---- */

void xv_dev_cfg_copy_field(struct xv_dev_cfg *dst, const struct xv_dev_cfg *src,
			   enum xv_dev_field_id id)
{
	const struct xv_dev_field *f;

	if ((unsigned int)id >= XV_DEVF_COUNT)
		return;
	f = &xv_dev_fields[id];
	memcpy((char *)dst + f->off, (const char *)src + f->off, f->size);
	dst->set |= XV_DEV_BIT(id);
}

int xv_dev_cfg_check(const struct xv_dev_cfg *c, char *err, size_t errlen)
{
	const struct xv_dev_field *m = &xv_dev_fields[XV_DEVF_MGMTDEV];
	bool has_m = c->mgmtdev[0], has_n = c->netdev[0];

	if (c->loopback + has_m + has_n != 1)
		return fail(err, errlen, -EINVAL,
			    "give exactly one of \"%s\", \"%s\" or \"%s\"",
			    m->key, xv_dev_fields[XV_DEVF_NETDEV].key,
			    xv_dev_fields[XV_DEVF_LOOPBACK].key);
	if ((c->set & XV_DEV_BIT(XV_DEVF_MAC)) && !has_m)
		return fail(err, errlen, -EINVAL,
			    "\"%s\" needs \"%s\" (it is the VF's)",
			    xv_dev_fields[XV_DEVF_MAC].key, m->key);
	return 0;
}

int xv_dev_cfg_resolve(struct xv_dev_cfg *c, uint64_t offered, char *err,
		       size_t errlen)
{
	struct group *g;

	c->gid = (gid_t)-1;
	if (c->socket_group[0]) {
		g = getgrnam(c->socket_group);
		if (!g)
			return fail(err, errlen, -ENOENT, "no group \"%s\"",
				    c->socket_group);
		c->gid = g->gr_gid;
	}
	if (!(c->set & XV_DEV_BIT(XV_DEVF_FEATURES)))
		c->device_features = offered;
	else if (c->device_features & ~offered)
		return fail(
			err, errlen, -EINVAL,
			"\"%s\" 0x%llx asks for features vdpad does not have (it offers 0x%llx)",
			xv_dev_fields[XV_DEVF_FEATURES].key,
			(unsigned long long)c->device_features,
			(unsigned long long)offered);
	return 0;
}

bool xv_dev_cfg_equal(const struct xv_dev_cfg *a, const struct xv_dev_cfg *b,
		      unsigned int where)
{
	const struct xv_dev_field *f;
	uint32_t mask = 0;
	unsigned int i;

	for (i = 0; i < XV_DEVF_COUNT; i++) {
		f = &xv_dev_fields[i];
		if (!(f->where & where))
			continue;
		mask |= XV_DEV_BIT(i);
		if (is_number(f) && get_num(a, f) != get_num(b, f))
			return false;
		if (is_string(f) && strcmp(get_str(a, f), get_str(b, f)))
			return false;
		if (f->type == XV_DEV_T_MAC &&
		    memcmp((const char *)a + f->off, (const char *)b + f->off,
			   f->size))
			return false;
	}
	return !((a->set ^ b->set) & mask);
}

/* ---- help ---- */

/* One usage item of @f: "[key VALUE]", "[,key=VALUE]" ... */
static void usage_item(const struct xv_dev_field *f, unsigned int where,
		       bool brackets, char *buf, size_t len)
{
	const char *mv = f->metavar ? f->metavar : "";

	if (where & XV_DEV_F_SPEC) {
		if (f->spec)
			snprintf(buf, len, "[,%s=%s]", f->spec, mv);
		else
			snprintf(buf, len, "[,%s]", mv);
	} else if (!xv_dev_field_takes_value(f)) {
		snprintf(buf, len, brackets ? "[%s]" : "%s", f->key);
	} else {
		snprintf(buf, len, brackets ? "[%s %s]" : "%s %s", f->key, mv);
	}
}

/* The first line of vdpactl's usage: required keys, then the backends. */
static void usage_head(struct sbuf *b)
{
	const struct xv_dev_field *f;
	char item[64];
	bool first = true, group = false;
	unsigned int i;

	for (i = 0; i < XV_DEVF_COUNT; i++) {
		f = &xv_dev_fields[i];
		if (!(f->where & XV_DEV_F_CLI))
			continue;
		if (f->where & XV_DEV_F_REQUIRED) {
			usage_item(f, XV_DEV_F_CLI, false, item, sizeof(item));
			sb_add(b, "%s%s", first ? "" : " ", item);
			first = false;
		} else if (f->where & XV_DEV_F_BACKEND) {
			usage_item(f, XV_DEV_F_CLI, false, item, sizeof(item));
			sb_add(b, "%s%s",
			       group ? " | " :
			       first ? "(" :
				       " (",
			       item);
			first = false;
			group = true;
		} else if (f->where & XV_DEV_F_BACKEND_OPT) {
			usage_item(f, XV_DEV_F_CLI, true, item, sizeof(item));
			sb_add(b, " %s", item);
		}
	}
	if (group)
		sb_add(b, ")");
}

int xv_dev_cfg_usage(char *buf, size_t len, unsigned int where,
		     const char *indent, unsigned int width)
{
	struct sbuf b = { buf, len, 0, false };
	bool spec = where & XV_DEV_F_SPEC, any;
	const struct xv_dev_field *f;
	size_t col, need;
	char item[64];
	unsigned int i;

	if (!len)
		return -ENOSPC;
	buf[0] = 0;
	if (spec) {
		/* after the caller's prefix, as wide as @indent */
		sb_add(&b, "%s", xv_dev_fields[XV_DEVF_SOCKET].metavar);
		col = strlen(indent) + b.n;
		any = true;
	} else {
		usage_head(&b);
		sb_add(&b, "\n%s", indent);
		col = strlen(indent);
		any = false;
	}
	for (i = 0; i < XV_DEVF_COUNT; i++) {
		f = &xv_dev_fields[i];
		if (!(f->where & where) || (spec && i == XV_DEVF_SOCKET) ||
		    (!spec &&
		     (f->where & (XV_DEV_F_REQUIRED | XV_DEV_F_BACKEND |
				  XV_DEV_F_BACKEND_OPT))))
			continue;
		usage_item(f, where, true, item, sizeof(item));
		need = (any && !spec) + strlen(item);
		if (any && col + need > width) {
			sb_add(&b, "\n%s", indent);
			col = strlen(indent);
			any = false;
			need = strlen(item);
		}
		sb_add(&b, "%s%s", any && !spec ? " " : "", item);
		col += need;
		any = true;
	}
	return sb_end(&b);
}

int xv_dev_cfg_help(char *buf, size_t len, unsigned int where,
		    const char *indent)
{
	struct sbuf b = { buf, len, 0, false };
	const struct xv_dev_field *f;
	char name[64], alias[64];
	size_t help_len;
	unsigned int i;

	if (!len)
		return -ENOSPC;
	buf[0] = 0;
	for (i = 0; i < XV_DEVF_COUNT; i++) {
		f = &xv_dev_fields[i];
		if (!(f->where & where))
			continue;
		alias[0] = 0;
		if ((where & XV_DEV_F_SPEC) && !f->spec)
			snprintf(name, sizeof(name), "%s", f->metavar);
		else if (where & XV_DEV_F_SPEC)
			snprintf(name, sizeof(name), "%s=%s", f->spec,
				 f->metavar);
		else if (xv_dev_field_takes_value(f))
			snprintf(name, sizeof(name), "%s %s", f->key,
				 f->metavar);
		else
			snprintf(name, sizeof(name), "%s", f->key);
		if ((where & XV_DEV_F_SPEC) && f->alias)
			snprintf(alias, sizeof(alias), "; also %s=", f->alias);
		help_len = strlen(f->help);
		sb_add(&b, "%s%-24s %s", indent, name, f->help);
		if (f->type == XV_DEV_T_UINT && f->def != (uint64_t)-1)
			sb_add(&b, " (%llu to %llu, default %llu%s)",
			       (unsigned long long)f->min,
			       (unsigned long long)f->max,
			       (unsigned long long)f->def, alias);
		else if (f->type == XV_DEV_T_UINT)
			sb_add(&b, " (%llu to %llu%s)",
			       (unsigned long long)f->min,
			       (unsigned long long)f->max, alias);
		else if (f->type == XV_DEV_T_OCTAL)
			sb_add(&b, " (0%llo to 0%llo%s)",
			       (unsigned long long)f->min,
			       (unsigned long long)f->max, alias);
		else if (alias[0] && help_len && f->help[help_len - 1] == ')') {
			b.n--; /* into its parentheses */
			sb_add(&b, "%s)", alias);
		} else if (alias[0])
			sb_add(&b, " (%s)", alias + 2);
		sb_add(&b, "\n");
	}
	return sb_end(&b);
}

int xv_dev_cfg_keys(char *buf, size_t len, unsigned int where)
{
	struct sbuf b = { buf, len, 0, false };
	unsigned int i;

	if (!len)
		return -ENOSPC;
	buf[0] = 0;
	for (i = 0; i < XV_DEVF_COUNT; i++)
		if (xv_dev_fields[i].where & where)
			sb_add(&b, "%s%s", b.n ? ", " : "",
			       xv_dev_fields[i].key);
	return sb_end(&b);
}
