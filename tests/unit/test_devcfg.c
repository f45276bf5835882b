// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for lib/devcfg.c: the device configuration's one table read
 * and written as a SPEC string, as JSON ("dev add", state file, CNI
 * deviceOptions) and as vdpactl keywords: every field's range edges, the
 * old SPEC names, round trips, unknown keys, ',' and over-long values,
 * the defaults and the help text.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "devcfg.h"

_Static_assert(XV_DEV_MAX_VQP == 8, "VU_MAX_QUEUE_PAIRS is 8");
_Static_assert(XV_DEV_MTU_MIN == 68 && XV_DEV_MTU_MAX == 9000, "MTU range");
_Static_assert(XV_DEVF_COUNT <= 32, "set is a 32-bit mask");

static char err[256];

static int spec(struct xv_dev_cfg *c, const char *s)
{
	xv_dev_cfg_default(c);
	err[0] = 0;
	return xv_dev_cfg_parse_spec(c, s, err, sizeof(err));
}

static int js(struct xv_dev_cfg *c, const char *text, unsigned int where)
{
	json_error_t jerr;
	json_t *o = json_loads(text, 0, &jerr);
	int rc;

	if (!o)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	xv_dev_cfg_default(c);
	err[0] = 0;
	rc = xv_dev_cfg_from_json(c, o, where, err, sizeof(err));
	json_decref(o);
	return rc;
}

static int cli(struct xv_dev_cfg *c, const char *key, const char *val)
{
	xv_dev_cfg_default(c);
	err[0] = 0;
	return xv_dev_cfg_set_text(c, key, val, XV_DEV_F_CLI, err, sizeof(err));
}

static void err_has(const char *needle)
{
	if (!strstr(err, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err, needle);
}

static void err_is(const char *want)
{
	assert_string_equal(err, want);
}

/* @c as JSON of @where, compact with sorted keys. */
static void json_is(const struct xv_dev_cfg *c, unsigned int where,
		    const char *want)
{
	json_t *o = xv_dev_cfg_to_json(c, where);
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	assert_string_equal(s, want);
	free(s);
	json_decref(o);
}

static void spec_is(const struct xv_dev_cfg *c, const char *want)
{
	char buf[XV_DEV_SPEC_MAX];

	assert_int_equal(xv_dev_cfg_render_spec(c, buf, sizeof(buf)),
			 (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_defaults(void **state)
{
	struct xv_dev_cfg c;

	(void)state;
	xv_dev_cfg_default(&c);
	assert_int_equal(c.set, 0);
	assert_string_equal(c.name, "");
	assert_string_equal(c.socket, "");
	assert_string_equal(c.netdev, "");
	assert_string_equal(c.mgmtdev, "");
	assert_string_equal(c.socket_group, "");
	assert_int_equal(c.vf, -1);
	assert_false(c.loopback);
	assert_false(c.client);
	assert_int_equal(c.mtu, 1500);
	assert_int_equal(c.max_vqp, 1);
	assert_int_equal(c.device_features, 0);
	assert_int_equal(c.socket_mode, 0);
	assert_int_equal(c.max_mem, 0);
	assert_int_equal(c.gid, (gid_t)-1);
	/* Nothing set: nothing in a request or the state; show has all. */
	json_is(&c, XV_DEV_F_REQ, "{}");
	json_is(&c, XV_DEV_F_STATE, "{}");
	json_is(&c, XV_DEV_F_SHOW,
		"{\"max_mem\":0,\"max_vqp\":1,\"mode\":\"server\",\"mtu\":1500}");
	/* No socket: no SPEC. */
	assert_int_equal(xv_dev_cfg_render_spec(&c, err, sizeof(err)), -EINVAL);
}

/* The SPEC vdpad takes: the path first, bare server|client, KEY=VALUE. */
static void test_spec(void **state)
{
	struct xv_dev_cfg c;

	(void)state;
	assert_int_equal(spec(&c, "/run/d0.sock"), 0);
	assert_string_equal(c.socket, "/run/d0.sock");
	assert_int_equal(c.set, XV_DEV_BIT(XV_DEVF_SOCKET));
	assert_int_equal(spec(&c, "/run/d0.sock,client,netdev=eth1,mtu=9000,"
				  "max_vqp=4,device_features=0x100000000,"
				  "socket_mode=0660,socket_group=kvm,"
				  "max_mem=2147483648"),
			 0);
	assert_true(c.client);
	assert_string_equal(c.netdev, "eth1");
	assert_int_equal(c.mtu, 9000);
	assert_int_equal(c.max_vqp, 4);
	assert_int_equal(c.device_features, 0x100000000ULL);
	assert_int_equal(c.socket_mode, 0660);
	assert_string_equal(c.socket_group, "kvm");
	assert_int_equal(c.max_mem, 2147483648ULL);
	assert_int_equal(c.gid, (gid_t)-1); /* not resolved here */
	/* A relative path, as vdpad resolves it against its directory;
	 * empty elements skipped; a later option wins; server again. */
	assert_int_equal(spec(&c, ",,rel/d.sock,,mtu=2000,,mtu=3000,client,"
				  "server"),
			 0);
	assert_string_equal(c.socket, "rel/d.sock");
	assert_int_equal(c.mtu, 3000);
	assert_false(c.client);
	/* Numbers in C notation, as strtoul(0) read them: */
	assert_int_equal(spec(&c, "/s,mtu=0x5dc,max_vqp=010"), 0);
	assert_int_equal(c.mtu, 1500);
	assert_int_equal(c.max_vqp, 8);
	/* features= is hex with or without 0x */
	assert_int_equal(spec(&c, "/s,features=ff"), 0);
	assert_int_equal(c.device_features, 0xff);
	/* mode= is the socket's: "0" first, then C notation */
	assert_int_equal(spec(&c, "/s,mode=0x1b0"), 0);
	assert_int_equal(c.socket_mode, 0660);
	/* Refused: */
	assert_int_equal(spec(&c, ""), -EINVAL);
	err_has("bad socket path");
	assert_int_equal(spec(&c, ",,,"), -EINVAL);
	assert_int_equal(spec(&c, "/s,loopback"), -EINVAL);
	err_is("bad device option \"loopback\"");
	assert_int_equal(spec(&c, "/s,foo=1"), -EINVAL);
	err_is("bad device option \"foo=1\"");
	assert_int_equal(spec(&c, "/s,mode=client"), -EINVAL);
	err_has("socket_mode must be an octal mode from 01 to 0777");
	assert_int_equal(spec(&c, "/s,netdev="), -EINVAL);
	assert_int_equal(spec(&c, "/s,mtu=+1500"), -EINVAL);
	assert_int_equal(spec(&c, "/s,mtu= 1500"), -EINVAL);
	assert_int_equal(spec(&c, "/s,mtu=1500x"), -EINVAL);
	assert_int_equal(spec(&c, "/s,features="), -EINVAL);
	assert_int_equal(spec(&c, "/s,features=-1"), -EINVAL);
	assert_int_equal(spec(&c, "/s,max_mem=2GB"), -EINVAL);
	assert_int_equal(spec(&c, "/s,mac=02:00:00:00:00:01"), -EINVAL);
	assert_int_equal(spec(&c, "/s,name=x"), -EINVAL);
	assert_int_equal(spec(&c, "/s,mgmtdev=pf0"), -EINVAL);
	assert_int_equal(spec(&c, "/s\n,mtu=1500"), -EINVAL);
	assert_int_equal(xv_dev_cfg_parse_spec(&c, NULL, err, sizeof(err)),
			 -EINVAL);
}

/* mq=, mode=, group=, features=: what SPECs and state files have. */
static void test_spec_aliases(void **state)
{
	struct xv_dev_cfg a, b;

	(void)state;
	assert_int_equal(spec(&a, "/s,netdev=e,mq=4,mode=0660,group=kvm,"
				  "features=0x130000000"),
			 0);
	assert_int_equal(spec(&b,
			      "/s,netdev=e,max_vqp=4,socket_mode=0660,"
			      "socket_group=kvm,device_features=0x130000000"),
			 0);
	assert_true(xv_dev_cfg_equal(&a, &b, XV_DEV_F_STATE));
	assert_int_equal(a.max_vqp, 4);
	assert_int_equal(a.socket_mode, 0660);
	assert_string_equal(a.socket_group, "kvm");
	assert_int_equal(a.device_features, 0x130000000ULL);
	/* What ctl_server's add_spec wrote into state files. */
	assert_int_equal(spec(&a, "/run/xvdpa/d.sock,client,netdev=pf0v1,"
				  "mtu=9000,mq=2,features=0x1,mode=0660,"
				  "group=kvm,max_mem=4096"),
			 0);
	assert_true(a.client);
	assert_int_equal(a.max_mem, 4096);
	/* Rendered with the long names. */
	spec_is(&a, "/run/xvdpa/d.sock,netdev=pf0v1,client,mtu=9000,"
		    "max_vqp=2,device_features=0x1,socket_mode=0660,"
		    "socket_group=kvm,max_mem=4096");
}

/* Each number's edges, as SPEC, JSON and vdpactl text. */
static void test_ranges(void **state)
{
	struct xv_dev_cfg c;

	(void)state;
	assert_int_equal(spec(&c, "/s,mtu=67"), -EINVAL);
	err_is("bad device option \"mtu=67\": mtu must be an integer from 68 to 9000");
	assert_int_equal(spec(&c, "/s,mtu=68"), 0);
	assert_int_equal(spec(&c, "/s,mtu=9000"), 0);
	assert_int_equal(spec(&c, "/s,mtu=9001"), -EINVAL);
	assert_int_equal(spec(&c, "/s,mq=0"), -EINVAL);
	assert_int_equal(spec(&c, "/s,mq=1"), 0);
	assert_int_equal(spec(&c, "/s,mq=8"), 0);
	assert_int_equal(spec(&c, "/s,mq=9"), -EINVAL);
	assert_int_equal(spec(&c, "/s,mode=0"), -EINVAL);
	assert_int_equal(spec(&c, "/s,mode=01"), 0);
	assert_int_equal(spec(&c, "/s,mode=0777"), 0);
	assert_int_equal(spec(&c, "/s,mode=01000"), -EINVAL);
	assert_int_equal(spec(&c, "/s,mode=660"), -EINVAL);
	assert_int_equal(spec(&c, "/s,mode=0669"), -EINVAL);
	assert_int_equal(spec(&c, "/s,features=0xffffffffffffffff"), 0);
	assert_int_equal(c.device_features, UINT64_MAX);
	assert_int_equal(spec(&c, "/s,features=0x10000000000000000"), -EINVAL);
	assert_int_equal(spec(&c, "/s,max_mem=0"), 0);
	assert_int_equal(spec(&c, "/s,max_mem=9223372036854775807"), 0);
	assert_int_equal(spec(&c, "/s,max_mem=9223372036854775808"), -EINVAL);
	assert_int_equal(spec(&c, "/s,max_mem=8191P"), -EINVAL);
	assert_int_equal(spec(&c, "/s,max_mem=8388607T"), 0);
	assert_int_equal(spec(&c, "/s,max_mem=8388608T"), -EINVAL);

	assert_int_equal(js(&c, "{\"mtu\": 67}", XV_DEV_F_REQ), -EINVAL);
	err_is("\"mtu\" must be an integer from 68 to 9000");
	assert_int_equal(js(&c, "{\"mtu\": 68}", XV_DEV_F_REQ), 0);
	assert_int_equal(js(&c, "{\"mtu\": 9000}", XV_DEV_F_REQ), 0);
	assert_int_equal(js(&c, "{\"mtu\": 9001}", XV_DEV_F_REQ), -EINVAL);
	assert_int_equal(js(&c, "{\"mtu\": \"1500\"}", XV_DEV_F_REQ), -EINVAL);
	assert_int_equal(js(&c, "{\"mtu\": 1500.0}", XV_DEV_F_REQ), -EINVAL);
	assert_int_equal(js(&c, "{\"max_vqp\": 0}", XV_DEV_F_REQ), -EINVAL);
	err_is("\"max_vqp\" must be an integer from 1 to 8");
	assert_int_equal(js(&c, "{\"max_vqp\": 8}", XV_DEV_F_REQ), 0);
	assert_int_equal(js(&c, "{\"max_vqp\": 9}", XV_DEV_F_REQ), -EINVAL);
	assert_int_equal(js(&c, "{\"vf\": -1}", XV_DEV_F_REQ), -EINVAL);
	err_is("\"vf\" must be an integer from 0 to 63");
	assert_int_equal(js(&c, "{\"vf\": 0}", XV_DEV_F_REQ), 0);
	assert_int_equal(c.vf, 0);
	assert_int_equal(js(&c, "{\"vf\": 63}", XV_DEV_F_REQ), 0);
	assert_int_equal(js(&c, "{\"vf\": 64}", XV_DEV_F_REQ), -EINVAL);
	assert_int_equal(js(&c, "{\"max_mem\": -1}", XV_DEV_F_REQ), -EINVAL);
	err_is("\"max_mem\" must be an integer from 0 to 9223372036854775807");
	assert_int_equal(
		js(&c, "{\"max_mem\": 9223372036854775807}", XV_DEV_F_REQ), 0);
	assert_int_equal(js(&c, "{\"socket_mode\": \"0\"}", XV_DEV_F_REQ),
			 -EINVAL);
	err_is("\"socket_mode\" must be an octal mode from 01 to 0777");
	assert_int_equal(js(&c, "{\"socket_mode\": \"0777\"}", XV_DEV_F_REQ),
			 0);
	assert_int_equal(js(&c, "{\"socket_mode\": 438}", XV_DEV_F_REQ),
			 -EINVAL);
	err_is("\"socket_mode\" must be a string");
	assert_int_equal(js(&c, "{\"device_features\": \"xyz\"}", XV_DEV_F_REQ),
			 -EINVAL);
	err_is("\"device_features\" must be a feature mask in hex (0xHEX)");
	assert_int_equal(js(&c, "{\"loopback\": 1}", XV_DEV_F_REQ), -EINVAL);
	err_is("\"loopback\" must be true or false");
	assert_int_equal(js(&c, "{\"loopback\": false}", XV_DEV_F_REQ), 0);
	assert_false(c.loopback);
	assert_int_equal(js(&c, "{\"mode\": \"both\"}", XV_DEV_F_REQ), -EINVAL);
	err_is("\"mode\" must be server or client");

	assert_int_equal(cli(&c, "mtu", "67"), -ERANGE);
	err_is("mtu \"67\" invalid: 68 to 9000");
	assert_int_equal(cli(&c, "mtu", "9000"), 0);
	assert_int_equal(cli(&c, "mtu", "0x5dc"), -ERANGE); /* decimal here */
	assert_int_equal(cli(&c, "max_vqp", "9"), -ERANGE);
	err_is("max_vqp \"9\" invalid: 1 to 8");
	assert_int_equal(cli(&c, "vf", "63"), 0);
	assert_int_equal(cli(&c, "vf", "64"), -ERANGE);
	err_is("vf \"64\" invalid: 0 to 63");
	assert_int_equal(cli(&c, "max_mem", "2G"), 0);
	assert_int_equal(c.max_mem, 2ULL << 30);
	assert_int_equal(cli(&c, "max_mem", "-1"), -ERANGE);
	err_is("max_mem \"-1\" invalid: bytes, or a number with K, M, G or T");
	assert_int_equal(cli(&c, "socket_mode", "0660"), 0);
	assert_int_equal(cli(&c, "socket_mode", "660"), -ERANGE);
	assert_int_equal(cli(&c, "mac", "01:00:5e:00:00:01"), -ERANGE);
	err_is("mac \"01:00:5e:00:00:01\" invalid: a unicast MAC address");
	assert_int_equal(cli(&c, "loopback", NULL), 0);
	assert_true(c.loopback);
	assert_int_equal(cli(&c, "mtu", NULL), -EINVAL);
	err_is("mtu needs a value");
}

/* Strings: their longest, ',' and what else each refuses. */
static void test_strings(void **state)
{
	char path[XV_DEV_PATH_MAX + 8], grp[XV_DEV_GROUP_MAX + 8], text[400];
	struct xv_dev_cfg c;

	(void)state;
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[XV_DEV_PATH_MAX] = 0;
	snprintf(text, sizeof(text), "%s,mtu=1500", path);
	assert_int_equal(spec(&c, text), 0);
	path[XV_DEV_PATH_MAX] = 'p';
	path[XV_DEV_PATH_MAX + 1] = 0;
	snprintf(text, sizeof(text), "%s", path);
	assert_int_equal(spec(&c, text), -EINVAL);
	snprintf(text, sizeof(text), "{\"socket\": \"%s\"}", path);
	assert_int_equal(js(&c, text, XV_DEV_F_REQ), -EINVAL);
	err_is("\"socket\" must be a path of at most 107 characters, no commas");
	assert_int_equal(js(&c, "{\"socket\": \"/a,netdev=lo\"}", XV_DEV_F_REQ),
			 -EINVAL);
	err_is("\"socket\" must be a path of at most 107 characters, no commas");
	assert_int_equal(js(&c, "{\"socket\": \"\"}", XV_DEV_F_REQ), -EINVAL);

	memset(grp, 'g', sizeof(grp));
	grp[XV_DEV_GROUP_MAX] = 0;
	snprintf(text, sizeof(text), "/s,group=%s", grp);
	assert_int_equal(spec(&c, text), 0);
	grp[XV_DEV_GROUP_MAX] = 'g';
	grp[XV_DEV_GROUP_MAX + 1] = 0;
	snprintf(text, sizeof(text), "/s,group=%s", grp);
	assert_int_equal(spec(&c, text), -EINVAL);
	assert_int_equal(spec(&c, "/s,group="), -EINVAL);

	assert_int_equal(spec(&c, "/s,netdev=abcdefghijklmno"), 0);
	assert_int_equal(spec(&c, "/s,netdev=abcdefghijklmnop"), -EINVAL);
	assert_int_equal(js(&c, "{\"netdev\": \"abcdefghijklmnop\"}",
			    XV_DEV_F_REQ),
			 -EINVAL);
	err_is("\"netdev\" must be 1 to 15 characters, no commas");

	/* ',' would start another SPEC option: ctl_server's message. */
	assert_int_equal(js(&c, "{\"socket_group\": \"kvm,netdev=lo\"}",
			    XV_DEV_F_REQ),
			 -EINVAL);
	err_is("\"socket_group\" must not contain ','");
	assert_int_equal(js(&c, "{\"device_features\": \"0x0,netdev=lo\"}",
			    XV_DEV_F_REQ),
			 -EINVAL);
	err_is("\"device_features\" must not contain ','");
	assert_int_equal(js(&c, "{\"netdev\": \"a,b\"}", XV_DEV_F_REQ),
			 -EINVAL);
	err_is("\"netdev\" must not contain ','");
	assert_int_equal(cli(&c, "socket_group", "a,b"), -ERANGE);
	assert_int_equal(cli(&c, "socket", "/a,b"), -ERANGE);
	assert_int_equal(js(&c, "{\"netdev\": 5}", XV_DEV_F_REQ), -EINVAL);
	err_is("\"netdev\" must be a string");
	assert_int_equal(js(&c, "{\"netdev\": null}", XV_DEV_F_REQ), -EINVAL);

	assert_int_equal(
		js(&c, "{\"name\": \"abcdefghijklmno\"}", XV_DEV_F_REQ), 0);
	assert_int_equal(js(&c, "{\"name\": \"abcdefghijklmnop\"}",
			    XV_DEV_F_REQ),
			 -EINVAL);
	err_is("\"name\" is required: 1 to 15 letters, digits, '-', '_' or '.', not starting with '.' or '-'");
	assert_int_equal(js(&c, "{\"name\": \".x\"}", XV_DEV_F_REQ), -EINVAL);
	assert_int_equal(js(&c, "{\"name\": \"a/b\"}", XV_DEV_F_REQ), -EINVAL);
	assert_int_equal(
		js(&c, "{\"mgmtdev\": \"abcdefghijkl\"}", XV_DEV_F_REQ), 0);
	assert_int_equal(js(&c, "{\"mgmtdev\": \"abcdefghijklm\"}",
			    XV_DEV_F_REQ),
			 -EINVAL);
	assert_int_equal(
		js(&c, "{\"mac\": \"02:00:00:00:00:01\"}", XV_DEV_F_REQ), 0);
	assert_int_equal(js(&c, "{\"mac\": \"00:00:00:00:00:00\"}",
			    XV_DEV_F_REQ),
			 -EINVAL);
	err_is("\"mac\" must be a unicast MAC address");

	/* A SPEC of XV_DEV_SPEC_MAX or more is refused whole. */
	memset(text, 'x', sizeof(text));
	text[0] = '/';
	text[sizeof(text) - 1] = 0;
	{
		char big[XV_DEV_SPEC_MAX + 1];

		memset(big, ',', sizeof(big));
		big[0] = '/';
		big[1] = 's';
		big[sizeof(big) - 1] = 0;
		assert_int_equal(spec(&c, big), -ENAMETOOLONG);
		big[sizeof(big) - 2] = 0; /* 511: fits */
		assert_int_equal(spec(&c, big), 0);
	}
}

static void test_unknown_keys(void **state)
{
	struct xv_dev_cfg c;

	(void)state;
	assert_int_equal(js(&c, "{\"name\": \"d\", \"sock\": \"/s\"}",
			    XV_DEV_F_REQ),
			 -EINVAL);
	err_is("unknown argument \"sock\"");
	/* The old SPEC names are SPEC's only. */
	assert_int_equal(js(&c, "{\"mq\": 2}", XV_DEV_F_REQ), -EINVAL);
	assert_int_equal(js(&c, "[]", XV_DEV_F_REQ), -EINVAL);
	/* The state has no request-only keys, the CNI only its four. */
	assert_int_equal(js(&c, "{\"mgmtdev\": \"pf0\"}", XV_DEV_F_STATE),
			 -EINVAL);
	assert_int_equal(js(&c, "{\"mtu\": 1500}", XV_DEV_F_CNI), -EINVAL);
	err_is("unknown argument \"mtu\"");
	assert_int_equal(js(&c, "{\"socket\": \"/s\"}", XV_DEV_F_CNI), -EINVAL);
	assert_int_equal(js(&c,
			    "{\"max_vqp\": 2, \"device_features\": \"0x1\","
			    " \"socket_mode\": \"0600\", \"max_mem\": 1}",
			    XV_DEV_F_CNI),
			 0);
	assert_int_equal(cli(&c, "sock", "/s"), -ENOENT);
	assert_int_equal(cli(&c, "mq", "2"), -ENOENT);
	assert_null(xv_dev_field_find("mq", XV_DEV_F_CLI | XV_DEV_F_REQ));
	assert_non_null(xv_dev_field_find("max_vqp", XV_DEV_F_CNI));
	assert_null(xv_dev_field_find("mtu", XV_DEV_F_CNI));
}

static void fill(struct xv_dev_cfg *c)
{
	static const char *const cmd[][2] = {
		{ "name", "d0" },
		{ "mgmtdev", "pf0" },
		{ "vf", "3" },
		{ "socket", "/run/x/d0.sock" },
		{ "mac", "02:00:00:00:00:07" },
		{ "mode", "client" },
		{ "mtu", "9000" },
		{ "max_vqp", "4" },
		{ "device_features", "0x130008000" },
		{ "socket_mode", "0640" },
		{ "socket_group", "kvm" },
		{ "max_mem", "1G" },
	};
	unsigned int i;

	xv_dev_cfg_default(c);
	for (i = 0; i < XV_ARRAY_SIZE(cmd); i++)
		assert_int_equal(xv_dev_cfg_set_text(c, cmd[i][0], cmd[i][1],
						     XV_DEV_F_CLI, err,
						     sizeof(err)),
				 0);
}

static void test_spec_round_trip(void **state)
{
	static const char *const specs[] = {
		"/s",
		"/run/d.sock,server",
		"rel.sock,netdev=eth0,client,mtu=68,max_vqp=8,"
		"device_features=0xffffffffffffffff,socket_mode=01,"
		"socket_group=g,max_mem=9223372036854775807",
		"/a=b,netdev=x=y,socket_group=wheel",
	};
	char buf[XV_DEV_SPEC_MAX];
	struct xv_dev_cfg a, b;
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(specs); i++) {
		assert_int_equal(spec(&a, specs[i]), 0);
		assert_true(xv_dev_cfg_render_spec(&a, buf, sizeof(buf)) > 0);
		assert_string_equal(buf, specs[i]); /* canonical already */
		assert_int_equal(spec(&b, buf), 0);
		assert_true(xv_dev_cfg_equal(&a, &b, XV_DEV_F_SPEC));
	}
	fill(&a);
	assert_true(xv_dev_cfg_render_spec(&a, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "/run/x/d0.sock,client,mtu=9000,max_vqp=4,"
				 "device_features=0x130008000,socket_mode=0640,"
				 "socket_group=kvm,max_mem=1073741824");
	assert_int_equal(spec(&b, buf), 0);
	assert_true(xv_dev_cfg_equal(&a, &b, XV_DEV_F_SPEC));
	assert_false(xv_dev_cfg_equal(&a, &b, XV_DEV_F_REQ)); /* name... */
	/* Too small a buffer says so. */
	assert_int_equal(xv_dev_cfg_render_spec(&a, buf, 10), -ENOSPC);
	assert_int_equal(strlen(buf), 9);
}

static void test_json_round_trip(void **state)
{
	struct xv_dev_cfg a, b;
	char *s;
	json_t *o;

	(void)state;
	fill(&a);
	json_is(&a, XV_DEV_F_REQ,
		"{\"device_features\":\"0x130008000\",\"mac\":\"02:00:00:00:00:07\","
		"\"max_mem\":1073741824,\"max_vqp\":4,\"mgmtdev\":\"pf0\","
		"\"mode\":\"client\",\"mtu\":9000,\"name\":\"d0\","
		"\"socket\":\"/run/x/d0.sock\",\"socket_group\":\"kvm\","
		"\"socket_mode\":\"0640\",\"vf\":3}");
	o = xv_dev_cfg_to_json(&a, XV_DEV_F_REQ);
	xv_dev_cfg_default(&b);
	assert_int_equal(
		xv_dev_cfg_from_json(&b, o, XV_DEV_F_REQ, err, sizeof(err)), 0);
	json_decref(o);
	assert_true(xv_dev_cfg_equal(&a, &b, XV_DEV_F_REQ));
	/* The state keeps what makes the device, not how it was asked. */
	json_is(&a, XV_DEV_F_STATE,
		"{\"device_features\":\"0x130008000\",\"max_mem\":1073741824,"
		"\"max_vqp\":4,\"mode\":\"client\",\"mtu\":9000,"
		"\"socket\":\"/run/x/d0.sock\",\"socket_group\":\"kvm\","
		"\"socket_mode\":\"0640\"}");
	/* A loopback device from an old state entry's SPEC, saved typed. */
	assert_int_equal(spec(&a, "/run/lb.sock,mq=2"), 0);
	assert_int_equal(xv_dev_cfg_set_uint(&a, XV_DEVF_LOOPBACK, 1, err,
					     sizeof(err)),
			 0);
	json_is(&a, XV_DEV_F_STATE,
		"{\"loopback\":true,\"max_vqp\":2,\"socket\":\"/run/lb.sock\"}");
	o = xv_dev_cfg_to_json(&a, XV_DEV_F_STATE);
	s = json_dumps(o, 0);
	json_decref(o);
	assert_int_equal(js(&b, s, XV_DEV_F_STATE), 0);
	free(s);
	assert_true(xv_dev_cfg_equal(&a, &b, XV_DEV_F_STATE));
	/* show: every field it has, set or not. */
	json_is(&a, XV_DEV_F_SHOW,
		"{\"max_mem\":0,\"max_vqp\":2,\"mode\":\"server\",\"mtu\":1500,"
		"\"socket\":\"/run/lb.sock\"}");
}

/* The state file: typed entries, and the SPEC ones written before. */
static void test_state_entries(void **state)
{
	struct xv_dev_cfg a, b;
	json_error_t jerr;
	json_t *e;
	char *s;

	(void)state;
	/* What ctl_server saved for a mgmtdev device and a loopback one. */
	e = json_loads("{\"name\": \"d0\", \"owner\": 0, \"loopback\": false,"
		       " \"spec\": \"/run/xvdpa/d0.sock,client,netdev=pf0v1,"
		       "mtu=9000,mq=2,features=0x130000000,mode=0660,"
		       "group=kvm,max_mem=4096\"}",
		       0, &jerr);
	xv_dev_cfg_default(&a);
	assert_int_equal(xv_dev_cfg_from_state(&a, e, err, sizeof(err)), 0);
	json_decref(e);
	assert_false(a.loopback);
	assert_true(a.client);
	assert_string_equal(a.netdev, "pf0v1");
	assert_int_equal(a.max_vqp, 2);
	assert_int_equal(a.socket_mode, 0660);
	/* saved again, typed; read back the same */
	e = xv_dev_cfg_state_json(&a);
	s = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
		s, "{\"config\":{\"device_features\":\"0x130000000\","
		   "\"max_mem\":4096,\"max_vqp\":2,\"mode\":\"client\","
		   "\"mtu\":9000,\"netdev\":\"pf0v1\","
		   "\"socket\":\"/run/xvdpa/d0.sock\",\"socket_group\":\"kvm\","
		   "\"socket_mode\":\"0660\"}}");
	free(s);
	xv_dev_cfg_default(&b);
	assert_int_equal(xv_dev_cfg_from_state(&b, e, err, sizeof(err)), 0);
	json_decref(e);
	assert_true(xv_dev_cfg_equal(&a, &b, XV_DEV_F_STATE));

	e = json_loads("{\"name\": \"lb\", \"loopback\": true,"
		       " \"spec\": \"/run/lb.sock\"}",
		       0, &jerr);
	xv_dev_cfg_default(&a);
	assert_int_equal(xv_dev_cfg_from_state(&a, e, err, sizeof(err)), 0);
	json_decref(e);
	assert_true(a.loopback);
	assert_int_equal(xv_dev_cfg_check(&a, err, sizeof(err)), 0);

	e = json_loads("{\"name\": \"x\"}", 0, &jerr);
	assert_int_equal(xv_dev_cfg_from_state(&a, e, err, sizeof(err)),
			 -EINVAL);
	json_decref(e);
	e = json_loads("{\"config\": {\"mgmtdev\": \"pf0\"}}", 0, &jerr);
	assert_int_equal(xv_dev_cfg_from_state(&a, e, err, sizeof(err)),
			 -EINVAL);
	err_is("unknown argument \"mgmtdev\"");
	json_decref(e);
	e = json_loads("{\"spec\": \"/s,mq=9\"}", 0, &jerr);
	assert_int_equal(xv_dev_cfg_from_state(&a, e, err, sizeof(err)),
			 -EINVAL);
	json_decref(e);
}

static void test_setters(void **state)
{
	struct xv_dev_cfg c;

	(void)state;
	xv_dev_cfg_default(&c);
	assert_int_equal(xv_dev_cfg_set_uint(&c, XV_DEVF_MTU, 67, err,
					     sizeof(err)),
			 -ERANGE);
	err_is("\"mtu\" must be an integer from 68 to 9000");
	assert_int_equal(xv_dev_cfg_set_uint(&c, XV_DEVF_MTU, 9000, err,
					     sizeof(err)),
			 0);
	assert_int_equal(xv_dev_cfg_set_uint(&c, XV_DEVF_SOCKET_MODE, 01000,
					     err, sizeof(err)),
			 -ERANGE);
	assert_int_equal(xv_dev_cfg_set_uint(&c, XV_DEVF_NETDEV, 1, err,
					     sizeof(err)),
			 -ERANGE);
	assert_int_equal(xv_dev_cfg_set_str(&c, XV_DEVF_SOCKET_GROUP, "a,b",
					    err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(xv_dev_cfg_set_str(&c, XV_DEVF_MODE, "client", err,
					    sizeof(err)),
			 0);
	assert_true(c.client);
	assert_int_equal(xv_dev_cfg_set_str(&c, XV_DEVF_COUNT, "x", err,
					    sizeof(err)),
			 -EINVAL);
	assert_int_equal(c.set,
			 XV_DEV_BIT(XV_DEVF_MTU) | XV_DEV_BIT(XV_DEVF_MODE));
}

static void test_check_resolve(void **state)
{
	struct xv_dev_cfg c;

	(void)state;
	assert_int_equal(js(&c, "{\"name\": \"d\"}", XV_DEV_F_REQ), 0);
	assert_int_equal(xv_dev_cfg_check(&c, err, sizeof(err)), -EINVAL);
	err_is("give exactly one of \"mgmtdev\", \"netdev\" or \"loopback\"");
	assert_int_equal(js(&c, "{\"loopback\": true, \"netdev\": \"lo\"}",
			    XV_DEV_F_REQ),
			 0);
	assert_int_equal(xv_dev_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_int_equal(js(&c,
			    "{\"loopback\": true, \"mac\": "
			    "\"02:00:00:00:00:01\"}",
			    XV_DEV_F_REQ),
			 0);
	assert_int_equal(xv_dev_cfg_check(&c, err, sizeof(err)), -EINVAL);
	err_is("\"mac\" needs \"mgmtdev\" (it is the VF's)");
	assert_int_equal(js(&c,
			    "{\"mgmtdev\": \"pf0\", \"mac\": "
			    "\"02:00:00:00:00:01\"}",
			    XV_DEV_F_REQ),
			 0);
	assert_int_equal(xv_dev_cfg_check(&c, err, sizeof(err)), 0);

	/* The group is the daemon's to resolve, as are its features. */
	assert_int_equal(spec(&c, "/s,group=root"), 0);
	assert_int_equal(xv_dev_cfg_resolve(&c, 0xff, err, sizeof(err)), 0);
	assert_int_equal(c.gid, 0);
	assert_int_equal(c.device_features, 0xff);
	assert_int_equal(spec(&c, "/s,group=xv-no-such-group"), 0);
	assert_int_equal(xv_dev_cfg_resolve(&c, 0xff, err, sizeof(err)),
			 -ENOENT);
	err_is("no group \"xv-no-such-group\"");
	assert_int_equal(spec(&c, "/s,features=0x100"), 0);
	assert_int_equal(xv_dev_cfg_resolve(&c, 0xff, err, sizeof(err)),
			 -EINVAL);
	err_has("0x100");
	assert_int_equal(spec(&c, "/s,features=0x0f"), 0);
	assert_int_equal(xv_dev_cfg_resolve(&c, 0xff, err, sizeof(err)), 0);
	assert_int_equal(c.device_features, 0x0f);
	assert_int_equal(c.gid, (gid_t)-1);
}

static void test_help(void **state)
{
	char buf[2048];

	(void)state;
	/* vdpactl's usage as it was written by hand. */
	assert_true(xv_dev_cfg_usage(buf, sizeof(buf), XV_DEV_F_CLI,
				     "                ", 72) > 0);
	assert_string_equal(
		buf,
		"name NAME (mgmtdev MGMTDEV [vf N] | netdev IFNAME | loopback)\n"
		"                [socket PATH] [mac M] [mode server|client] [mtu N]\n"
		"                [max_vqp N] [device_features 0xHEX] [socket_mode OCTAL]\n"
		"                [socket_group GROUP] [max_mem SIZE]");
	assert_true(xv_dev_cfg_usage(buf, sizeof(buf), XV_DEV_F_SPEC, "  ",
				     80) > 0);
	assert_string_equal(
		buf,
		"PATH[,netdev=IFNAME][,server|client][,mtu=N][,max_vqp=N]\n"
		"  [,device_features=0xHEX][,socket_mode=OCTAL][,socket_group=GROUP]\n"
		"  [,max_mem=SIZE]");
	assert_true(xv_dev_cfg_help(buf, sizeof(buf), XV_DEV_F_SPEC, "  ") > 0);
	if (!strstr(buf, "max_vqp=N") ||
	    !strstr(buf, "(default: all; also features=)") ||
	    !strstr(buf, "(1 to 8, default 1; also mq=)"))
		fail_msg("SPEC help lacks max_vqp: %s", buf);
	assert_true(xv_dev_cfg_help(buf, sizeof(buf), XV_DEV_F_CLI, "") > 0);
	if (!strstr(buf, "mtu N") || !strstr(buf, "(68 to 9000, default 1500)"))
		fail_msg("help lacks mtu: %s", buf);
	assert_int_equal(xv_dev_cfg_help(buf, 20, XV_DEV_F_CLI, ""), -ENOSPC);
	assert_int_equal(xv_dev_cfg_keys(buf, sizeof(buf), XV_DEV_F_CNI),
			 (int)strlen("max_vqp, device_features, socket_mode, "
				     "max_mem"));
	assert_string_equal(buf,
			    "max_vqp, device_features, socket_mode, max_mem");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_spec_aliases),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_spec_round_trip),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_state_entries),
		cmocka_unit_test(test_setters),
		cmocka_unit_test(test_check_resolve),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
