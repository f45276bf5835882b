// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for vdpad's control requests (datapath/daemon/ctl_server.c):
 * the handler table's dispatcher called with JSON, no socket, on the real
 * device code. Requests that fail validation get an answer that says why,
 * and nothing changed (no PF or device in vdpad's tables, no state file,
 * nothing pinned); a loopback device is added, shown and removed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl_server.h"
#include "vdpad.h"

#define STATE "/tmp/x5-unit-state.json"

static struct vdpad vd;

static int setup(void **state)
{
	(void)state;
	memset(&vd, 0, sizeof(vd));
	xv_devs_init(&vd.devs);
	vd.devs.epfd = epoll_create1(EPOLL_CLOEXEC);
	assert_true(vd.devs.epfd >= 0);
	/* One datapath thread's poll, the thread not started: a device is
	 * handed to it and taken back without waiting for it. */
	assert_int_equal(xv_devs_setup_threads(&vd.devs), 0);
	vd.ctl_fd = -1;
	vd.ctl_gid = (gid_t)-1;
	vd.state_path = STATE;
	unlink(STATE);
	return 0;
}

static int teardown(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < vd.devs.nthreads; i++) {
		close(vd.devs.threads[i].epfd);
		close(vd.devs.threads[i].wake_fd);
	}
	close(vd.devs.epfd);
	unlink(STATE);
	return 0;
}

static void assert_unchanged(void)
{
	unsigned int i;

	for (i = 0; i < MAX_PFS; i++)
		assert_false(vd.pfs[i].used);
	for (i = 0; i < MAX_DEVS; i++)
		assert_false(vd.devs.dev[i].used);
	assert_int_not_equal(access(STATE, F_OK), 0);
	assert_int_not_equal(access(XV_BPFFS_ROOT "/x5u", F_OK), 0);
}

/* Sends @json; expects @status and an error containing @needle. */
static void expect_refused(const char *json, int status, const char *needle)
{
	json_error_t jerr;
	json_t *req = json_loads(json, 0, &jerr), *resp;
	const char *msg;

	if (!req)
		fail_msg("bad test JSON %s: %s", json, jerr.text);
	resp = xv_ctl_dispatch(&vd, req);
	json_decref(req);
	assert_non_null(resp);
	assert_int_equal(json_integer_value(json_object_get(resp, "status")),
			 status);
	assert_null(json_object_get(resp, "result"));
	msg = json_string_value(json_object_get(resp, "error"));
	assert_non_null(msg);
	if (!strstr(msg, needle))
		fail_msg("%s: error \"%s\" lacks \"%s\"", json, msg, needle);
	json_decref(resp);
	assert_unchanged();
}

static void test_envelope(void **state)
{
	(void)state;
	expect_refused("{}", -EINVAL, "a request is {\"cmd\"");
	expect_refused("{\"cmd\": 1}", -EINVAL, "a request is");
	expect_refused("{\"cmd\": \"dev show\", \"args\": []}", -EINVAL,
		       "a request is");
	expect_refused("{\"cmd\": \"mgmtdev ad\"}", -EOPNOTSUPP,
		       "unknown command \"mgmtdev ad\"");
	expect_refused("{\"cmd\": \"mgmtdev\"}", -EOPNOTSUPP,
		       "unknown command");
}

static void test_mgmtdev_add(void **state)
{
	(void)state;
	expect_refused("{\"cmd\": \"mgmtdev add\", \"args\": {}}", -EINVAL,
		       "\"name\" (a string) is required");
	expect_refused(
		"{\"cmd\": \"mgmtdev add\", \"args\": {\"name\": \"x5u\", \"numvfs\": 2}}",
		-EINVAL, "\"uplink\" (a string) is required");
	expect_refused(
		"{\"cmd\": \"mgmtdev add\", \"args\": {\"name\": \"x5u\", \"uplink\": \"lo\"}}",
		-EINVAL, "\"numvfs\" (an integer from 1 to 64) is required");
	expect_refused(
		"{\"cmd\": \"mgmtdev add\", \"args\": {\"name\": \"x5u\", \"uplink\": \"lo\", \"numvfs\": 65}}",
		-EINVAL, "\"numvfs\" must be an integer from 1 to 64");
	expect_refused(
		"{\"cmd\": \"mgmtdev add\", \"args\": {\"name\": \"x5u\", \"uplink\": \"lo\", \"numvfs\": \"2\"}}",
		-EINVAL, "\"numvfs\" must be an integer");
	expect_refused(
		"{\"cmd\": \"mgmtdev add\", \"args\": {\"name\": \"5bad\", \"uplink\": \"lo\", \"numvfs\": 2}}",
		-EINVAL, "invalid mgmtdev name \"5bad\"");
	expect_refused(
		"{\"cmd\": \"mgmtdev add\", \"args\": {\"name\": \"x5ulongername\", \"uplink\": \"lo\", \"numvfs\": 2}}",
		-EINVAL, "at most 12 characters");
	expect_refused(
		"{\"cmd\": \"mgmtdev add\", \"args\": {\"name\": \"x5u\", \"uplink\": \"x5nosuch\", \"numvfs\": 2}}",
		-ENODEV, "uplink x5nosuch does not exist");
	expect_refused(
		"{\"cmd\": \"mgmtdev add\", \"args\": {\"name\": \"x5u\", \"uplink\": \"lo\", \"numvfs\": 2, \"numvf\": 3}}",
		-EINVAL, "unknown argument \"numvf\"");
}

static void test_mgmtdev_del_show(void **state)
{
	(void)state;
	expect_refused("{\"cmd\": \"mgmtdev del\"}", -EINVAL,
		       "\"name\" (a string) is required");
	expect_refused(
		"{\"cmd\": \"mgmtdev del\", \"args\": {\"name\": \"x5u\"}}",
		-ENOENT, "mgmtdev x5u does not exist");
	expect_refused(
		"{\"cmd\": \"mgmtdev del\", \"args\": {\"name\": \"a/b\"}}",
		-EINVAL, "invalid mgmtdev name");
	expect_refused("{\"cmd\": \"mgmtdev show\", \"args\": {\"name\": 3}}",
		       -EINVAL, "\"name\" (a string) is required");
	expect_refused(
		"{\"cmd\": \"mgmtdev show\", \"args\": {\"names\": \"x\"}}",
		-EINVAL, "unknown argument \"names\"");
}

#define VF_SET(args) "{\"cmd\": \"vf set\", \"args\": {" args "}}"

static void test_vf_set(void **state)
{
	(void)state;
	expect_refused(VF_SET("\"vf\": 0, \"trust\": true"), -EINVAL,
		       "\"mgmtdev\" (a string) is required");
	expect_refused(VF_SET("\"mgmtdev\": \"x5u\", \"trust\": true"), -EINVAL,
		       "\"vf\" (an integer from 0 to 63) is required");
	expect_refused(
		VF_SET("\"mgmtdev\": \"x5u\", \"vf\": 64, \"trust\": true"),
		-EINVAL, "\"vf\" must be an integer from 0 to 63");
	expect_refused(VF_SET("\"mgmtdev\": \"x5u\", \"vf\": 0"), -EINVAL,
		       "nothing to set");
	expect_refused(
		VF_SET("\"mgmtdev\": \"x5u\", \"vf\": 0, \"trust\": \"on\""),
		-EINVAL, "\"trust\" must be true or false");
	expect_refused(
		VF_SET("\"mgmtdev\": \"x5u\", \"vf\": 0, \"vlan\": 4095"),
		-EINVAL,
		"invalid vlan \"4095\": expected a VLAN id from 0 (none) to 4094");
	expect_refused(VF_SET("\"mgmtdev\": \"x5u\", \"vf\": 0, \"qos\": 3"),
		       -EINVAL, "invalid qos \"3\"");
	expect_refused(
		VF_SET("\"mgmtdev\": \"x5u\", \"vf\": 0, \"mac\": \"01:00:5e:00:00:01\""),
		-EINVAL, "invalid mac \"01:00:5e:00:00:01\"");
	expect_refused(
		VF_SET("\"mgmtdev\": \"x5u\", \"vf\": 0, \"state\": \"up\""),
		-EINVAL, "invalid state \"up\"");
	expect_refused(
		VF_SET("\"mgmtdev\": \"x5u\", \"vf\": 0, \"max_tx_rate\": -1"),
		-EINVAL, "invalid max_tx_rate \"-1\"");
	expect_refused(
		VF_SET("\"mgmtdev\": \"x5u\", \"vf\": 0, \"spoofcheck\": true"),
		-EINVAL, "unknown argument \"spoofcheck\"");
	expect_refused(
		VF_SET("\"mgmtdev\": \"x5u\", \"vf\": 0, \"trust\": true"),
		-ENOENT, "mgmtdev x5u does not exist");
	expect_refused("{\"cmd\": \"vf show\", \"args\": {\"vf\": 1}}", -EINVAL,
		       "\"vf\" needs \"mgmtdev\"");
}

#define DEV_ADD(args) "{\"cmd\": \"dev add\", \"args\": {" args "}}"

static void test_dev(void **state)
{
	(void)state;
	expect_refused(
		DEV_ADD("\"socket\": \"/tmp/x5.sock\", \"loopback\": true"),
		-EINVAL, "\"name\" is required");
	expect_refused(
		DEV_ADD("\"name\": \"d0\", \"socket\": \"/a,b\", \"loopback\": true"),
		-EINVAL,
		"\"socket\" must be a path of at most 107 characters, no commas");
	expect_refused(
		DEV_ADD("\"name\": \"d0\", \"socket\": \"/tmp/x5.sock\", \"loopback\": true, \"mac\": \"02:00:00:00:00:01\""),
		-EINVAL, "\"mac\" needs \"mgmtdev\"");
	expect_refused(
		DEV_ADD("\"name\": \"d0\", \"socket\": \"/tmp/x5.sock\", \"loopback\": true, \"mac\": \"01:00:00:00:00:01\""),
		-EINVAL, "\"mac\" must be a unicast MAC address");
	expect_refused(
		DEV_ADD("\"name\": \"d0\", \"socket\": \"/tmp/x5.sock\", \"loopback\": true, \"netdev\": \"lo\""),
		-EINVAL, "give exactly one of");
	expect_refused(
		DEV_ADD("\"name\": \"d0\", \"socket\": \"/tmp/x5.sock\", \"loopback\": true, \"mtu\": 67"),
		-EINVAL, "\"mtu\" must be an integer from 68 to 9000");
	expect_refused(
		DEV_ADD("\"name\": \"d0\", \"socket\": \"/tmp/x5.sock\", \"mode\": \"both\", \"loopback\": true"),
		-EINVAL, "\"mode\" must be server or client");
	expect_refused(
		DEV_ADD("\"name\": \"d0\", \"socket\": \"/tmp/x5.sock\", \"mgmtdev\": \"x5u\""),
		-ENOENT, "no mgmtdev \"x5u\"");
	expect_refused(
		DEV_ADD("\"name\": \"d0\", \"socket\": \"/tmp/x5.sock\", \"loopback\": true, \"mtus\": 1500"),
		-EINVAL, "unknown argument \"mtus\"");
	expect_refused("{\"cmd\": \"dev show\", \"args\": {\"nam\": \"d0\"}}",
		       -EINVAL, "unknown argument \"nam\"");
	expect_refused(
		"{\"cmd\": \"dev vstats show\", \"args\": {\"name\": \"d0\", \"q\": 0}}",
		-EINVAL, "unknown argument \"q\"");
	expect_refused(
		"{\"cmd\": \"dev del\", \"args\": {\"name\": \"d0\", \"force\": true}}",
		-EINVAL, "unknown argument \"force\"");
	expect_refused("{\"cmd\": \"dev del\", \"args\": {}}", -EINVAL,
		       "\"name\" is required");
	expect_refused("{\"cmd\": \"dev del\", \"args\": {\"name\": \"d0\"}}",
		       -ENOENT, "no device \"d0\"");
	expect_refused(
		"{\"cmd\": \"dev vstats show\", \"args\": {\"qidx\": 0}}",
		-EINVAL, "\"name\" is required");
}

/* daemon show: the control table's limits and counters, as they are. */
static void test_daemon_show(void **state)
{
	json_t *req = json_pack("{s:s}", "cmd", "daemon show"), *resp, *c;

	(void)state;
	expect_refused("{\"cmd\": \"daemon show\", \"args\": {\"x\": 1}}",
		       -EINVAL, "unknown argument \"x\"");
	vd.ctl_conns.open = 3;
	vd.ctl_conns.stats.refused_per_uid = 992;
	vd.ctl_conns.stats.evicted = 2;
	vd.ctl_conns.stats.timed_out = 20;
	vd.devs.accept_emfile = 5;
	resp = xv_ctl_dispatch(&vd, req);
	json_decref(req);
	assert_int_equal(json_integer_value(json_object_get(resp, "status")),
			 0);
	c = json_object_get(json_object_get(json_object_get(resp, "result"),
					    "daemon"),
			    "control");
	assert_int_equal(json_integer_value(json_object_get(c, "open")), 3);
	assert_int_equal(json_integer_value(json_object_get(c, "max")),
			 XV_CTL_CONN_MAX);
	assert_int_equal(json_integer_value(json_object_get(c, "max_per_uid")),
			 XV_CTL_CONN_PER_UID);
	assert_int_equal(json_integer_value(json_object_get(c, "timeout_ms")),
			 XV_CTL_CONN_TIMEOUT_MS);
	assert_int_equal(
		json_integer_value(json_object_get(c, "refused_per_uid")), 992);
	assert_int_equal(json_integer_value(json_object_get(c, "evicted")), 2);
	assert_int_equal(json_integer_value(json_object_get(c, "timed_out")),
			 20);
	assert_int_equal(
		json_integer_value(json_object_get(
			json_object_get(
				json_object_get(json_object_get(resp, "result"),
						"daemon"),
				"fds"),
			"accept_emfile")),
		5);
	json_decref(resp);
}

/* Sends @json; expects success and returns the result (the caller puts
 * the response back with json_decref(*@resp)). */
static json_t *expect_ok(const char *json, json_t **resp)
{
	json_error_t jerr;
	json_t *req = json_loads(json, 0, &jerr);

	if (!req)
		fail_msg("bad test JSON %s: %s", json, jerr.text);
	*resp = xv_ctl_dispatch(&vd, req);
	json_decref(req);
	assert_non_null(*resp);
	if (json_integer_value(json_object_get(*resp, "status")))
		fail_msg("%s: %s", json,
			 json_string_value(json_object_get(*resp, "error")));
	assert_non_null(json_object_get(*resp, "result"));
	return json_object_get(*resp, "result");
}

/* A loopback device (no netdev, no root needed): added through the
 * handler table, saved, shown with its counters, removed. */
static void test_dev_add_del_loopback(void **state)
{
	char dir[] = "/tmp/x5u-sock.XXXXXX", sock[128], req[512];
	json_t *resp, *r, *o;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/lb0.sock", dir);
	snprintf(
		req, sizeof(req),
		"{\"cmd\": \"dev add\", \"args\": {\"name\": \"lb0\", \"socket\": \"%s\", \"loopback\": true, \"max_vqp\": 2}}",
		sock);
	r = expect_ok(req, &resp);
	o = json_object_get(json_object_get(r, "dev"), "lb0");
	assert_string_equal(json_string_value(json_object_get(o, "backend")),
			    "loopback");
	assert_true(json_is_true(json_object_get(o, "running")));
	assert_true(json_is_null(json_object_get(o, "netdev")) ||
		    !json_object_get(o, "netdev"));
	json_decref(resp);
	assert_int_equal(stat(sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(access(STATE, F_OK), 0);
	assert_non_null(xv_dev_find(&vd.devs, "lb0"));
	assert_int_equal(vd.devs.threads[0].ndevs, 1);

	/* Shown, with every counter vdpad keeps (all zero: no frontend). */
	r = expect_ok("{\"cmd\": \"dev show\"}", &resp);
	assert_non_null(json_object_get(json_object_get(r, "dev"), "lb0"));
	json_decref(resp);
	r = expect_ok("{\"cmd\": \"dev stats\", \"args\": {\"name\": \"lb0\"}}",
		      &resp);
	o = json_object_get(json_object_get(r, "stats"), "lb0");
	assert_int_equal(json_integer_value(json_object_get(o, "tx_packets")),
			 0);
	assert_true(json_is_integer(json_object_get(
		json_object_get(o, "datapath"), "tx_backpressure")));
	assert_null(
		json_object_get(json_object_get(o, "drops"), "xsk_rx_dropped"));
	json_decref(resp);
	r = expect_ok(
		"{\"cmd\": \"dev config show\", \"args\": {\"name\": \"lb0\"}}",
		&resp);
	o = json_object_get(json_object_get(json_object_get(r, "config"),
					    "lb0"),
			    "vhost_user");
	assert_true(json_is_integer(json_object_get(o, "bad_msgs")));
	assert_true(json_is_integer(json_object_get(o, "stray_fds")));
	assert_true(json_is_integer(json_object_get(o, "ring_resyncs")));
	json_decref(resp);
	r = expect_ok(
		"{\"cmd\": \"dev vstats show\", \"args\": {\"name\": \"lb0\", \"qidx\": 3}}",
		&resp);
	o = json_object_get(json_object_get(r, "vstats"), "lb0");
	assert_string_equal(json_string_value(json_object_get(o, "type")),
			    "tx");
	assert_true(json_is_integer(json_object_get(o, "tx_backpressure")));
	json_decref(resp);

	/* Removed: gone from the table, the thread and the file system. */
	expect_ok("{\"cmd\": \"dev del\", \"args\": {\"name\": \"lb0\"}}",
		  &resp);
	json_decref(resp);
	r = expect_ok("{\"cmd\": \"dev show\"}", &resp);
	assert_int_equal(json_object_size(json_object_get(r, "dev")), 0);
	json_decref(resp);
	assert_null(xv_dev_find(&vd.devs, "lb0"));
	assert_int_equal(vd.devs.threads[0].ndevs, 0);
	assert_int_not_equal(access(sock, F_OK), 0);
	unlink(STATE);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_envelope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mgmtdev_add, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mgmtdev_del_show, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vf_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_show, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dev_add_del_loopback,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
