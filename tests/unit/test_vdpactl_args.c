// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for ctl/args.c: vdpactl's command line into control
 * requests. Every object's keywords, help at every level, no prefix
 * matching, bad values with the documented message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../ctl/args.h"
#include "util.h"
#include "vfargs.h"

static char err[256];
static struct vdpactl_req req;

/* Parses a NULL-terminated list of words into the global @req. */
static int parse(const char *w0, ...)
{
	char *argv[40];
	const char *w;
	va_list ap;
	int argc = 0;

	json_decref(req.args);
	memset(&req, 0, sizeof(req));
	va_start(ap, w0);
	for (w = w0; w; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	return vdpactl_parse(argc, argv, &req, err, sizeof(err));
}

/* The request as compact JSON with sorted keys, for exact comparison. */
static void assert_args(const char *request, const char *json)
{
	char *s;

	assert_non_null(req.cmd);
	assert_string_equal(req.cmd->request, request);
	s = json_dumps(req.args, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, json);
	free(s);
}

static void assert_error(const char *needle)
{
	assert_null(req.cmd);
	assert_null(req.args);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err, needle);
}

static int teardown(void **state)
{
	(void)state;
	json_decref(req.args);
	memset(&req, 0, sizeof(req));
	return 0;
}

static void test_mgmtdev_add(void **state)
{
	(void)state;
	assert_int_equal(parse("mgmtdev", "add", "pf0", "uplink", "eth1",
			       "numvfs", "4", NULL),
			 0);
	assert_args("mgmtdev add",
		    "{\"name\":\"pf0\",\"numvfs\":4,\"uplink\":\"eth1\"}");
	assert_true(req.cmd->changes);
	assert_true(req.cmd->local);
	/* Keywords in any order. */
	assert_int_equal(parse("mgmtdev", "add", "pf0", "numvfs", "1", "uplink",
			       "eth1", NULL),
			 0);
	assert_args("mgmtdev add",
		    "{\"name\":\"pf0\",\"numvfs\":1,\"uplink\":\"eth1\"}");
}

static void test_mgmtdev_add_errors(void **state)
{
	(void)state;
	assert_int_equal(parse("mgmtdev", "add", "pf0", "uplink", "eth1",
			       "numvfs", "65", NULL),
			 -EINVAL);
	assert_error("numvfs \"65\" invalid: 1 to 64");
	assert_int_equal(parse("mgmtdev", "add", "pf0", "uplink", "eth1",
			       "numvfs", "0", NULL),
			 -EINVAL);
	assert_error("numvfs \"0\" invalid: 1 to 64");
	assert_int_equal(parse("mgmtdev", "add", "pf0", "uplink", "eth1",
			       "numvfs", "x", NULL),
			 -EINVAL);
	assert_error("numvfs \"x\" invalid");
	assert_int_equal(parse("mgmtdev", "add", "pf0", "uplink", "eth1", NULL),
			 -EINVAL);
	assert_error("numvfs is required");
	assert_int_equal(parse("mgmtdev", "add", "pf0", "numvfs", "2", NULL),
			 -EINVAL);
	assert_error("uplink is required");
	assert_int_equal(parse("mgmtdev", "add", "pf0", "uplink", NULL),
			 -EINVAL);
	assert_error("uplink needs a value");
	assert_int_equal(parse("mgmtdev", "add", "pf0", "uplink", "a", "uplink",
			       "b", "numvfs", "1", NULL),
			 -EINVAL);
	assert_error("uplink given twice");
	assert_int_equal(parse("mgmtdev", "add", NULL), -EINVAL);
	assert_error("Usage: vdpactl mgmtdev add NAME uplink DEV numvfs N");
}

static void test_no_prefix_matching(void **state)
{
	(void)state;
	assert_int_equal(parse("mgmt", "show", NULL), -EINVAL);
	assert_error("unknown object \"mgmt\"; try \"vdpactl help\"");
	assert_int_equal(parse("mgmtdev", "sh", NULL), -EINVAL);
	assert_error(
		"unknown command \"mgmtdev sh\"; try \"vdpactl mgmtdev help\"");
	assert_int_equal(parse("mgmtdev", "add", "pf0", "up", "eth1", "numvfs",
			       "1", NULL),
			 -EINVAL);
	assert_error("unknown mgmtdev add argument \"up\"");
	assert_int_equal(parse("vf", "set", "pf0", "vf", "0", "sp", "on", NULL),
			 -EINVAL);
	assert_error("unknown VF attribute \"sp\"");
	assert_int_equal(parse("dev", "add", "name", "d", "sock", "/s",
			       "loopback", NULL),
			 -EINVAL);
	assert_error("unknown dev add argument \"sock\"");
	assert_int_equal(parse("dev", "conf", "show", NULL), -EINVAL);
	assert_error("unknown command \"dev conf\"");
	assert_int_equal(parse("dev", "vstats", "sh", "d", "qidx", "0", NULL),
			 -EINVAL);
	assert_error("Usage: vdpactl dev vstats show NAME qidx N");
}

static void test_mgmtdev_del_show(void **state)
{
	(void)state;
	assert_int_equal(parse("mgmtdev", "del", "pf0", NULL), 0);
	assert_args("mgmtdev del", "{\"name\":\"pf0\"}");
	assert_int_equal(parse("mgmtdev", "del", NULL), -EINVAL);
	assert_error("Usage: vdpactl mgmtdev del NAME");
	assert_int_equal(parse("mgmtdev", "del", "a", "b", NULL), -EINVAL);
	assert_int_equal(parse("mgmtdev", "show", NULL), 0);
	assert_args("mgmtdev show", "{}");
	assert_false(req.cmd->changes);
	assert_string_equal(req.cmd->key, "mgmtdev");
	assert_int_equal(parse("mgmtdev", "show", "pf0", NULL), 0);
	assert_args("mgmtdev show", "{\"name\":\"pf0\"}");
	assert_int_equal(parse("mgmtdev", "show", "a", "b", NULL), -EINVAL);
	assert_error("Usage: vdpactl mgmtdev show [NAME]");
}

static void test_vf_set(void **state)
{
	(void)state;
	assert_int_equal(parse("vf", "set", "pf0", "vf", "3", "mac",
			       "02:00:00:00:00:07", "vlan", "100", "qos", "5",
			       "spoofchk", "off", "trust", "on", "state",
			       "disable", "max_tx_rate", "250", NULL),
			 0);
	assert_args(
		"vf set",
		"{\"mac\":\"02:00:00:00:00:07\",\"max_tx_rate\":250,\"mgmtdev\":\"pf0\",\"qos\":5,\"spoofchk\":false,\"state\":\"disable\",\"trust\":true,\"vf\":3,\"vlan\":100}");
	assert_int_equal(
		parse("vf", "set", "pf0", "vf", "0", "state", "auto", NULL), 0);
	assert_args("vf set",
		    "{\"mgmtdev\":\"pf0\",\"state\":\"auto\",\"vf\":0}");
}

static void test_vf_set_errors(void **state)
{
	(void)state;
	assert_int_equal(parse("vf", "set", "pf0", "vf", "64", "trust", "on",
			       NULL),
			 -EINVAL);
	assert_error("vf \"64\" invalid: 0 to 63");
	assert_int_equal(parse("vf", "set", "pf0", "vf", "0", "vlan", "4095",
			       NULL),
			 -EINVAL);
	assert_error(
		"invalid vlan \"4095\": expected a VLAN id from 0 (none) to 4094");
	assert_int_equal(parse("vf", "set", "pf0", "vf", "0", "mac",
			       "01:00:5e:00:00:01", NULL),
			 -EINVAL);
	assert_error("invalid mac \"01:00:5e:00:00:01\"");
	assert_int_equal(parse("vf", "set", "pf0", "vf", "0", "qos", "1", NULL),
			 -EINVAL);
	assert_error(
		"invalid qos \"1\": expected a priority from 0 to 7, after vlan");
	assert_int_equal(parse("vf", "set", "pf0", "vf", "0", "trust", "yes",
			       NULL),
			 -EINVAL);
	assert_error("invalid trust \"yes\": expected on or off");
	assert_int_equal(parse("vf", "set", "pf0", "vf", "0", NULL), -EINVAL);
	assert_error("nothing to set");
	assert_int_equal(parse("vf", "set", "pf0", "0", "trust", "on", NULL),
			 -EINVAL);
	assert_error("Usage: vdpactl vf set MGMTDEV vf N");
}

static void test_vf_show(void **state)
{
	(void)state;
	assert_int_equal(parse("vf", "show", NULL), 0);
	assert_args("vf show", "{}");
	assert_int_equal(parse("vf", "show", "pf0", NULL), 0);
	assert_args("vf show", "{\"mgmtdev\":\"pf0\"}");
	assert_int_equal(parse("vf", "show", "pf0", "vf", "2", NULL), 0);
	assert_args("vf show", "{\"mgmtdev\":\"pf0\",\"vf\":2}");
	assert_int_equal(parse("vf", "show", "pf0", "vf", NULL), -EINVAL);
	assert_error("Usage: vdpactl vf show [MGMTDEV [vf N]]");
	assert_int_equal(parse("vf", "show", "pf0", "vfs", "1", NULL), -EINVAL);
	assert_error("Usage: vdpactl vf show");
	assert_int_equal(parse("vf", "show", "pf0", "vf", "-1", NULL), -EINVAL);
	assert_error("vf \"-1\" invalid: 0 to 63");
}

static void test_dev_add(void **state)
{
	(void)state;
	assert_int_equal(parse("dev", "add", "name", "d0", "mgmtdev", "pf0",
			       "vf", "2", "socket", "/run/d0.sock", "mode",
			       "client", "mtu", "9000", "max_vqp", "2",
			       "device_features", "0x1", "socket_mode", "0660",
			       "socket_group", "kvm", NULL),
			 0);
	assert_args(
		"dev add",
		"{\"device_features\":\"0x1\",\"max_vqp\":2,\"mgmtdev\":\"pf0\",\"mode\":\"client\",\"mtu\":9000,\"name\":\"d0\",\"socket\":\"/run/d0.sock\",\"socket_group\":\"kvm\",\"socket_mode\":\"0660\",\"vf\":2}");
	assert_false(req.cmd->local);
	assert_int_equal(parse("dev", "add", "name", "lb", "loopback", "socket",
			       "/s", NULL),
			 0);
	assert_args("dev add",
		    "{\"loopback\":true,\"name\":\"lb\",\"socket\":\"/s\"}");
	/* Without a socket, vdpad picks /run/xvdpa/NAME.sock. */
	assert_int_equal(parse("dev", "add", "name", "lb", "loopback", NULL),
			 0);
	assert_args("dev add", "{\"loopback\":true,\"name\":\"lb\"}");
	assert_int_equal(parse("dev", "add", "name", "d1", "mgmtdev", "pf0",
			       "mac", "02:00:00:00:00:05", NULL),
			 0);
	assert_args(
		"dev add",
		"{\"mac\":\"02:00:00:00:00:05\",\"mgmtdev\":\"pf0\",\"name\":\"d1\"}");
	assert_int_equal(parse("dev", "add", "loopback", NULL), -EINVAL);
	assert_error("name is required");
	assert_int_equal(parse("dev", "add", "name", "lb", "socket", "/s",
			       "mtu", "67", "loopback", NULL),
			 -EINVAL);
	assert_error("mtu \"67\" invalid: 68 to 9000");
	assert_int_equal(parse("dev", "add", "name", "lb", "socket", "/s",
			       "max_vqp", "9", "loopback", NULL),
			 -EINVAL);
	assert_error("max_vqp \"9\" invalid: 1 to 8");
	assert_int_equal(parse("dev", "add", "name", "lb", "socket", NULL),
			 -EINVAL);
	assert_error("socket needs a value");
}

/* A guest memory limit: bytes, or K/M/G/T (powers of 1024), as bytes. */
static void test_dev_add_max_mem(void **state)
{
	(void)state;
	assert_int_equal(parse("dev", "add", "name", "p0", "loopback",
			       "max_mem", "2G", NULL),
			 0);
	assert_args(
		"dev add",
		"{\"loopback\":true,\"max_mem\":2147483648,\"name\":\"p0\"}");
	assert_int_equal(parse("dev", "add", "name", "p0", "loopback",
			       "max_mem", "512M", NULL),
			 0);
	assert_args(
		"dev add",
		"{\"loopback\":true,\"max_mem\":536870912,\"name\":\"p0\"}");
	assert_int_equal(parse("dev", "add", "name", "p0", "loopback",
			       "max_mem", "4096", NULL),
			 0);
	assert_args("dev add",
		    "{\"loopback\":true,\"max_mem\":4096,\"name\":\"p0\"}");
	/* 0: no limit, as when it is not given */
	assert_int_equal(parse("dev", "add", "name", "p0", "loopback",
			       "max_mem", "0", NULL),
			 0);
	assert_args("dev add",
		    "{\"loopback\":true,\"max_mem\":0,\"name\":\"p0\"}");
	assert_int_equal(parse("dev", "add", "name", "p0", "loopback",
			       "max_mem", "2GB", NULL),
			 -EINVAL);
	assert_error(
		"max_mem \"2GB\" invalid: bytes, or a number with K, M, G or T");
	assert_int_equal(parse("dev", "add", "name", "p0", "loopback",
			       "max_mem", "-1", NULL),
			 -EINVAL);
	assert_error("max_mem \"-1\" invalid");
	assert_int_equal(parse("dev", "add", "name", "p0", "loopback",
			       "max_mem", "9000000T", NULL),
			 -EINVAL);
	assert_error("max_mem \"9000000T\" invalid");
	assert_int_equal(parse("dev", "add", "name", "p0", "loopback",
			       "max_mem", NULL),
			 -EINVAL);
	assert_error("max_mem needs a value");
}

static void test_dev_others(void **state)
{
	(void)state;
	assert_int_equal(parse("dev", "del", "d0", NULL), 0);
	assert_args("dev del", "{\"name\":\"d0\"}");
	assert_int_equal(parse("dev", "del", NULL), -EINVAL);
	assert_error("Usage: vdpactl dev del NAME");
	assert_int_equal(parse("dev", "show", NULL), 0);
	assert_args("dev show", "{}");
	assert_int_equal(parse("dev", "config", "show", "d0", NULL), 0);
	assert_args("dev config show", "{\"name\":\"d0\"}");
	assert_int_equal(parse("dev", "config", NULL), -EINVAL);
	assert_error("Usage: vdpactl dev config show [NAME]");
	assert_int_equal(parse("dev", "stats", "d0", NULL), 0);
	assert_args("dev stats", "{\"name\":\"d0\"}");
	assert_int_equal(
		parse("dev", "vstats", "show", "d0", "qidx", "3", NULL), 0);
	assert_args("dev vstats show", "{\"name\":\"d0\",\"qidx\":3}");
	assert_int_equal(parse("dev", "vstats", "show", "d0", "qidx", "16",
			       NULL),
			 -EINVAL);
	assert_error("qidx \"16\" invalid: 0 to 15");
}

static void test_daemon_show(void **state)
{
	(void)state;
	assert_int_equal(parse("daemon", "show", NULL), 0);
	assert_args("daemon show", "{}");
	assert_string_equal(req.cmd->key, "daemon");
	assert_int_equal(parse("daemon", "show", "x", NULL), -EINVAL);
	assert_error("Usage: vdpactl daemon show");
}

static void test_help(void **state)
{
	(void)state;
	assert_int_equal(parse("help", NULL), 0);
	assert_null(req.cmd);
	assert_null(req.help_object);
	assert_null(req.help_cmd);
	assert_int_equal(parse("vf", "help", NULL), 0);
	assert_null(req.cmd);
	assert_string_equal(req.help_object, "vf");
	assert_int_equal(parse("dev", NULL), 0);
	assert_string_equal(req.help_object, "dev");
	assert_int_equal(parse("mgmtdev", "add", "help", NULL), 0);
	assert_null(req.cmd);
	assert_non_null(req.help_cmd);
	assert_string_equal(req.help_cmd->request, "mgmtdev add");
	assert_int_equal(parse("dev", "vstats", "--help", NULL), 0);
	assert_string_equal(req.help_cmd->request, "dev vstats show");
	assert_int_equal(vdpactl_parse(0, NULL, &req, err, sizeof(err)),
			 -EINVAL);
	assert_error("no object given");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_mgmtdev_add, teardown),
		cmocka_unit_test_teardown(test_mgmtdev_add_errors, teardown),
		cmocka_unit_test_teardown(test_no_prefix_matching, teardown),
		cmocka_unit_test_teardown(test_mgmtdev_del_show, teardown),
		cmocka_unit_test_teardown(test_vf_set, teardown),
		cmocka_unit_test_teardown(test_vf_set_errors, teardown),
		cmocka_unit_test_teardown(test_vf_show, teardown),
		cmocka_unit_test_teardown(test_dev_add, teardown),
		cmocka_unit_test_teardown(test_dev_add_max_mem, teardown),
		cmocka_unit_test_teardown(test_dev_others, teardown),
		cmocka_unit_test_teardown(test_daemon_show, teardown),
		cmocka_unit_test_teardown(test_help, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
