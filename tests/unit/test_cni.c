// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the CNI plugin's pure parts: configuration parsing and
 * validation (cni/config.c), result and error rendering for spec 1.0.0 and
 * 1.1.0 (cni/result.c), the checks of runtime input that ends up in paths,
 * CNI_NETNS's check (netdev.c), the state files (state.c) in a directory of
 * their own under /tmp. Nothing here touches netlink, bpffs or vdpad.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "attach.h"
#include "cni.h"
#include "cni_state.h"

#define BASE                                                                 \
	"\"cniVersion\": \"1.1.0\", \"name\": \"net\", \"type\": \"vdpa\", " \
	"\"mgmtdev\": \"pf0\""

static int parse(const char *text, struct cni_conf *c, struct cni_err *e)
{
	memset(e, 0, sizeof(*e));
	return cni_conf_parse(text, strlen(text), c, e);
}

/* @text is refused with @code and a message containing @want. */
static void refused(const char *text, int code, const char *want)
{
	struct cni_conf c;
	struct cni_err e;

	if (!parse(text, &c, &e))
		fail_msg("accepted: %s", text);
	cni_conf_free(&c);
	if (e.code != code)
		fail_msg("%s: code %d, expected %d (%s)", text, e.code, code,
			 e.msg);
	if (!strstr(e.msg, want))
		fail_msg("%s: message \"%s\" lacks \"%s\"", text, e.msg, want);
}

static void test_minimal_defaults(void **state)
{
	struct cni_conf c;
	struct cni_err e;

	(void)state;
	assert_int_equal(parse("{" BASE "}", &c, &e), 0);
	assert_string_equal(c.version, "1.1.0");
	assert_string_equal(c.name, "net");
	assert_string_equal(c.mgmtdev, "pf0");
	assert_int_equal(c.mode, CNI_MODE_VHOSTUSER);
	assert_false(c.vdpad_client);
	assert_string_equal(c.socket_dir, CNI_DEFAULT_SOCKET_DIR);
	assert_string_equal(c.state_dir, CNI_DEFAULT_STATE_DIR);
	assert_string_equal(c.vdpad_socket, "/run/xvdpa/vdpad.sock");
	assert_int_equal(c.vf_index, -1);
	assert_int_equal(c.vf.set, 0);
	assert_int_equal(c.mtu, 0);
	assert_null(c.ipam);
	assert_null(c.device_info_file);
	cni_conf_free(&c);
}

static void test_full_config(void **state)
{
	struct cni_conf c;
	struct cni_err e;
	const char *text =
		"{" BASE
		", \"mode\": \"netdev\", \"mac\": \"02:00:00:00:00:09\","
		" \"vlan\": 100, \"vlanQoS\": 3, \"spoofchk\": \"off\","
		" \"trust\": true, \"link_state\": \"enable\","
		" \"max_tx_rate\": 500, \"mtu\": 1400,"
		" \"socketDir\": \"/run/s\", \"socketMode\": \"client\","
		" \"socketGroup\": \"kvm\", \"deviceID\": \"pf0/3\","
		" \"ipam\": {\"type\": \"host-local\"},"
		" \"futureKey\": {\"ignored\": true},"
		" \"runtimeConfig\": {\"CNIDeviceInfoFile\": \"/x/y.json\"}}";

	(void)state;
	assert_int_equal(parse(text, &c, &e), 0);
	assert_int_equal(c.mode, CNI_MODE_NETDEV);
	assert_true(c.vdpad_client);
	assert_string_equal(c.socket_dir, "/run/s");
	assert_string_equal(c.socket_group, "kvm");
	assert_int_equal(c.vf_index, 3);
	assert_int_equal(c.mtu, 1400);
	assert_int_equal(c.vf.set, XV_VF_SET_MAC | XV_VF_SET_VLAN |
					   XV_VF_SET_SPOOFCHK |
					   XV_VF_SET_TRUST | XV_VF_SET_STATE |
					   XV_VF_SET_RATE);
	assert_int_equal(c.vf.mac[5], 9);
	assert_int_equal(c.vf.vlan, 100);
	assert_int_equal(c.vf.qos, 3);
	assert_false(c.vf.spoofchk);
	assert_true(c.vf.trust);
	assert_int_equal(c.vf.link_state, XV_LINK_ENABLE);
	assert_int_equal(c.vf.max_tx_rate, 500);
	assert_non_null(c.ipam);
	assert_string_equal(c.device_info_file, "/x/y.json");
	cni_conf_free(&c);
}

static void test_runtime_mac_wins(void **state)
{
	struct cni_conf c;
	struct cni_err e;

	(void)state;
	assert_int_equal(parse("{" BASE ", \"mac\": \"02:00:00:00:00:01\","
			       " \"runtimeConfig\": {\"mac\": "
			       "\"02:00:00:00:00:02\"}}",
			       &c, &e),
			 0);
	assert_int_equal(c.vf.mac[5], 2);
	cni_conf_free(&c);
}

static void test_cni_args_mac(void **state)
{
	struct cni_conf c;
	struct cni_err e;

	(void)state;
	assert_int_equal(
		parse("{" BASE ", \"mac\": \"02:00:00:00:00:01\"}", &c, &e), 0);
	assert_int_equal(cni_conf_apply_args(&c,
					     "IgnoreUnknown=1;K8S_POD_NAME=p;"
					     "MAC=02:00:00:00:00:07",
					     &e),
			 0);
	assert_int_equal(c.vf.mac[5], 7);
	assert_int_equal(cni_conf_apply_args(&c, "MAC=03:00:00:00:00:07", &e),
			 -EINVAL);
	assert_int_equal(e.code, CNI_ERR_CONFIG);
	assert_non_null(strstr(e.msg, "CNI_ARGS MAC"));
	assert_int_equal(cni_conf_apply_args(&c, NULL, &e), 0);
	assert_int_equal(cni_conf_apply_args(&c, "FOO=1;;BAR", &e), 0);
	assert_int_equal(c.vf.mac[5], 7);
	cni_conf_free(&c);
	/* runtimeConfig.mac outranks CNI_ARGS. */
	assert_int_equal(parse("{" BASE ", \"runtimeConfig\": {\"mac\": "
			       "\"02:00:00:00:00:02\"}}",
			       &c, &e),
			 0);
	assert_int_equal(cni_conf_apply_args(&c, "MAC=02:00:00:00:00:09", &e),
			 0);
	assert_int_equal(c.vf.mac[5], 2);
	cni_conf_free(&c);
}

static void test_device_id_forms(void **state)
{
	struct cni_conf c;
	struct cni_err e;

	(void)state;
	assert_int_equal(parse("{" BASE ", \"deviceID\": \"pf0v7\"}", &c, &e),
			 0);
	assert_int_equal(c.vf_index, 7);
	cni_conf_free(&c);
	refused("{" BASE ", \"deviceID\": \"pf1/2\"}", CNI_ERR_CONFIG,
		"\"deviceID\"");
	refused("{" BASE ", \"deviceID\": \"pf0/\"}", CNI_ERR_CONFIG,
		"\"deviceID\"");
	refused("{" BASE ", \"deviceID\": \"pf0/x1\"}", CNI_ERR_CONFIG,
		"\"deviceID\"");
	refused("{" BASE ", \"deviceID\": \"pf0/99999\"}", CNI_ERR_CONFIG,
		"\"deviceID\"");
}

static void test_decode_and_version_errors(void **state)
{
	(void)state;
	refused("{\"cniVersion\": ", CNI_ERR_DECODE, "not a JSON object");
	refused("[1, 2]", CNI_ERR_DECODE, "not a JSON object");
	refused("", CNI_ERR_DECODE, "not a JSON object");
	refused("{\"name\": \"n\", \"mgmtdev\": \"pf0\"}", CNI_ERR_CONFIG,
		"\"cniVersion\"");
	refused("{\"cniVersion\": \"0.4.0\", \"name\": \"n\"}", CNI_ERR_VERSION,
		"0.4.0");
	refused("{\"cniVersion\": 1}", CNI_ERR_CONFIG, "\"cniVersion\"");
}

/* Every invalid value is error 7 and names its key. */
/* deviceOptions: the device table's CNI keys, checked when parsed. */
static void test_device_options(void **state)
{
	struct cni_conf c;
	struct cni_err e;

	(void)state;
	assert_int_equal(parse("{" BASE ", \"deviceOptions\": {\"max_vqp\": 4,"
			       " \"device_features\": \"0x130000000\","
			       " \"socket_mode\": \"0600\","
			       " \"max_mem\": 1073741824}}",
			       &c, &e),
			 0);
	assert_int_equal(c.dev_opts.max_vqp, 4);
	assert_int_equal(c.dev_opts.device_features, 0x130000000ULL);
	assert_int_equal(c.dev_opts.socket_mode, 0600);
	assert_int_equal(c.dev_opts.max_mem, 1ULL << 30);
	assert_int_equal(c.dev_opts.set,
			 XV_DEV_BIT(XV_DEVF_MAX_VQP) |
				 XV_DEV_BIT(XV_DEVF_FEATURES) |
				 XV_DEV_BIT(XV_DEVF_SOCKET_MODE) |
				 XV_DEV_BIT(XV_DEVF_MAX_MEM));
	cni_conf_free(&c);
	assert_int_equal(parse("{" BASE ", \"deviceOptions\": {}}", &c, &e), 0);
	assert_int_equal(c.dev_opts.set, 0);
	cni_conf_free(&c);
	assert_int_equal(parse("{" BASE ", \"deviceOptions\": null}", &c, &e),
			 0);
	cni_conf_free(&c);
	refused("{" BASE ", \"deviceOptions\": {\"mtu\": 1500}}",
		CNI_ERR_CONFIG,
		"\"deviceOptions\": unknown argument \"mtu\" (it takes max_vqp, device_features, socket_mode, max_mem)");
	refused("{" BASE ", \"deviceOptions\": {\"socket\": \"/x\"}}",
		CNI_ERR_CONFIG, "unknown argument \"socket\"");
	refused("{" BASE ", \"deviceOptions\": {\"mq\": 2}}", CNI_ERR_CONFIG,
		"unknown argument \"mq\"");
	refused("{" BASE ", \"deviceOptions\": {\"max_vqp\": 9}}",
		CNI_ERR_CONFIG,
		"\"deviceOptions\": \"max_vqp\" must be an integer from 1 to 8");
	refused("{" BASE ", \"deviceOptions\": {\"max_vqp\": 0}}",
		CNI_ERR_CONFIG, "\"max_vqp\" must be an integer from 1 to 8");
	refused("{" BASE ", \"deviceOptions\": {\"socket_mode\": \"0x\"}}",
		CNI_ERR_CONFIG,
		"\"socket_mode\" must be an octal mode from 01 to 0777");
	refused("{" BASE ", \"deviceOptions\": {\"socket_mode\": 384}}",
		CNI_ERR_CONFIG, "\"socket_mode\" must be a string");
	refused("{" BASE ", \"deviceOptions\": {\"device_features\":"
		" \"0x1,netdev=lo\"}}",
		CNI_ERR_CONFIG, "\"device_features\" must not contain ','");
	refused("{" BASE ", \"deviceOptions\": {\"max_mem\": \"2G\"}}",
		CNI_ERR_CONFIG, "\"max_mem\" must be an integer from 0 to");
	refused("{" BASE ", \"deviceOptions\": [1]}", CNI_ERR_CONFIG,
		"\"deviceOptions\" must be an object");
	refused("{" BASE ", \"mode\": \"netdev\", \"deviceOptions\":"
		" {\"max_vqp\": 2}}",
		CNI_ERR_CONFIG, "for \"mode\" \"vhostuser\" only");
}

/* The request vdpad gets: the attachment's, the network's, then
 * deviceOptions over them. */
static void test_dev_add_args(void **state)
{
	struct cni_attach a = { .vf = -1 };
	struct cni_conf c;
	struct cni_err e;
	json_t *args;
	char *s;

	(void)state;
	assert_int_equal(parse("{" BASE "}", &c, &e), 0);
	a.conf = &c;
	strcpy(a.dev, "cni0123456789ab");
	strcpy(a.socket, "/run/xvdpa/cni/c1/net1.sock");
	assert_int_equal(cni_dev_add_args(&a, &args, &e), 0);
	s = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
		s,
		"{\"mgmtdev\":\"pf0\",\"mode\":\"server\",\"name\":\"cni0123456789ab\","
		"\"socket\":\"/run/xvdpa/cni/c1/net1.sock\"}");
	free(s);
	json_decref(args);
	cni_conf_free(&c);

	assert_int_equal(parse("{" BASE ", \"socketMode\": \"client\","
			       " \"mtu\": 9000, \"deviceID\": \"pf0/2\","
			       " \"socketGroup\": \"kvm\","
			       " \"deviceOptions\": {\"socket_mode\": \"0600\","
			       " \"max_vqp\": 2, \"max_mem\": 4096}}",
			       &c, &e),
			 0);
	a.conf = &c;
	assert_int_equal(cni_dev_add_args(&a, &args, &e), 0);
	s = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
		s,
		"{\"max_mem\":4096,\"max_vqp\":2,\"mgmtdev\":\"pf0\",\"mode\":\"client\","
		"\"mtu\":9000,\"name\":\"cni0123456789ab\","
		"\"socket\":\"/run/xvdpa/cni/c1/net1.sock\","
		"\"socket_group\":\"kvm\",\"socket_mode\":\"0600\",\"vf\":2}");
	free(s);
	json_decref(args);
	cni_conf_free(&c);

	/* socketGroup alone: the socket is the group's (0660). */
	assert_int_equal(parse("{" BASE ", \"socketGroup\": \"kvm\"}", &c, &e),
			 0);
	a.conf = &c;
	assert_int_equal(cni_dev_add_args(&a, &args, &e), 0);
	assert_string_equal(
		json_string_value(json_object_get(args, "socket_mode")),
		"0660");
	json_decref(args);
	cni_conf_free(&c);

	/* A group vdpad could not take is said so, as invalid config. */
	assert_int_equal(parse("{" BASE ", \"socketGroup\": \"a,b\"}", &c, &e),
			 0);
	a.conf = &c;
	assert_int_equal(cni_dev_add_args(&a, &args, &e), -EINVAL);
	assert_int_equal(e.code, CNI_ERR_CONFIG);
	if (!strstr(e.msg, "\"socket_group\""))
		fail_msg("message \"%s\" lacks socket_group", e.msg);
	cni_conf_free(&c);
}

static void test_invalid_values_name_their_key(void **state)
{
	static const struct {
		const char *json;
		const char *key;
	} cases[] = {
		{ "\"mode\": \"sriov\"", "\"mode\"" },
		{ "\"mode\": 3", "\"mode\"" },
		{ "\"socketMode\": \"both\"", "\"socketMode\"" },
		{ "\"mac\": \"01:00:00:00:00:01\"", "\"mac\"" },
		{ "\"mac\": \"zz\"", "\"mac\"" },
		{ "\"mac\": [1]", "\"mac\"" },
		{ "\"vlan\": 4095", "\"vlan\"" },
		{ "\"vlan\": -1", "\"vlan\"" },
		{ "\"vlanQoS\": 3", "\"vlanQoS\"" },
		{ "\"vlan\": 5, \"vlanQoS\": 8", "\"vlanQoS\"" },
		{ "\"spoofchk\": \"maybe\"", "\"spoofchk\"" },
		{ "\"trust\": 2", "\"trust\"" },
		{ "\"link_state\": \"up\"", "\"link_state\"" },
		{ "\"max_tx_rate\": \"fast\"", "\"max_tx_rate\"" },
		{ "\"mtu\": 67", "\"mtu\"" },
		{ "\"mtu\": 9001", "\"mtu\"" },
		{ "\"mtu\": \"1500\"", "\"mtu\"" },
		{ "\"socketDir\": \"relative\"", "\"socketDir\"" },
		{ "\"socketDir\": \"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
		  "\"socketDir\"" },
		{ "\"socketGroup\": 5", "\"socketGroup\"" },
		{ "\"stateDir\": \"x\"", "\"stateDir\"" },
		{ "\"vdpadSocket\": false", "\"vdpadSocket\"" },
		{ "\"ipam\": \"host-local\"", "\"ipam\"" },
		{ "\"ipam\": {\"subnet\": \"10.0.0.0/8\"}", "\"ipam\"" },
		{ "\"ipam\": {\"type\": \"../../bin/sh\"}", "\"ipam\"" },
		{ "\"runtimeConfig\": 1", "\"runtimeConfig\"" },
		{ "\"runtimeConfig\": {\"mac\": 1}", "\"mac\"" },
		{ "\"prevResult\": []", "\"prevResult\"" },
		{ "\"cni.dev/valid-attachments\": {}",
		  "\"cni.dev/valid-attachments\"" },
		{ "\"deviceID\": 3", "\"deviceID\"" },
		/* Paths: absolute, no "." or ".." component. */
		{ "\"socketDir\": \"/run/../etc\"", "\"socketDir\"" },
		{ "\"socketDir\": \"/run/x/.\"", "\"socketDir\"" },
		{ "\"stateDir\": \"/var/lib/./cni\"", "\"stateDir\"" },
		{ "\"stateDir\": \"/var/lib/cni/..\"", "\"stateDir\"" },
		{ "\"logFile\": \"plugin.log\"", "\"logFile\"" },
		{ "\"logFile\": \"/var/log/../../etc/x\"", "\"logFile\"" },
		{ "\"runtimeConfig\": {\"CNIDeviceInfoFile\": \"d.json\"}",
		  "\"CNIDeviceInfoFile\"" },
		{ "\"runtimeConfig\": {\"CNIDeviceInfoFile\": \"/a/../b\"}",
		  "\"CNIDeviceInfoFile\"" },
		{ "\"ipam\": {\"type\": \"..\"}", "\"ipam\"" },
		{ "\"ipam\": {\"type\": \".\"}", "\"ipam\"" },
	};
	char text[512];
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text), "{" BASE ", %s}", cases[i].json);
		refused(text, CNI_ERR_CONFIG, cases[i].key);
	}
	refused("{\"cniVersion\": \"1.0.0\", \"mgmtdev\": \"pf0\"}",
		CNI_ERR_CONFIG, "\"name\"");
	refused("{\"cniVersion\": \"1.0.0\", \"mgmtdev\": \"pf0\", \"name\": \"\"}",
		CNI_ERR_CONFIG, "\"name\"");
	refused("{\"cniVersion\": \"1.0.0\", \"name\": \"n\"}", CNI_ERR_CONFIG,
		"\"mgmtdev\"");
	refused("{\"cniVersion\": \"1.0.0\", \"name\": \"n\","
		" \"mgmtdev\": \"waytoolongname\"}",
		CNI_ERR_CONFIG, "\"mgmtdev\"");
}

/* The network name is a path component: the spec's pattern or error 7. */
static void test_network_name(void **state)
{
	static const char *const bad[] = { "..", "../x", "a/b", ".",   "-a",
					   "_a", ".a",	 "a b", "a:b", "/" };
	char text[512], name[CNI_NET_NAME_MAX + 2];
	struct cni_conf c;
	struct cni_err e;
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text),
			 "{\"cniVersion\": \"1.1.0\", \"mgmtdev\": \"pf0\","
			 " \"name\": \"%s\"}",
			 bad[i]);
		refused(text, CNI_ERR_CONFIG, "\"name\"");
	}
	assert_int_equal(parse("{\"cniVersion\": \"1.1.0\", \"mgmtdev\": "
			       "\"pf0\", \"name\": \"Net-1.a_b\"}",
			       &c, &e),
			 0);
	assert_string_equal(c.name, "Net-1.a_b");
	cni_conf_free(&c);
	memset(name, 'n', CNI_NET_NAME_MAX + 1);
	name[CNI_NET_NAME_MAX + 1] = '\0';
	snprintf(text, sizeof(text),
		 "{\"cniVersion\": \"1.1.0\", \"mgmtdev\": \"pf0\","
		 " \"name\": \"%s\"}",
		 name);
	refused(text, CNI_ERR_CONFIG, "\"name\"");
	name[CNI_NET_NAME_MAX] = '\0';
	snprintf(text, sizeof(text),
		 "{\"cniVersion\": \"1.1.0\", \"mgmtdev\": \"pf0\","
		 " \"name\": \"%s\"}",
		 name);
	assert_int_equal(parse(text, &c, &e), 0);
	cni_conf_free(&c);
}

static void test_id_valid(void **state)
{
	char id[CNI_CONTAINER_ID_MAX + 2];

	(void)state;
	assert_true(cni_id_valid("a", 10));
	assert_true(cni_id_valid("0a-B_c.d", 10));
	assert_true(cni_id_valid("a..", 10));
	assert_false(cni_id_valid(NULL, 10));
	assert_false(cni_id_valid("", 10));
	assert_false(cni_id_valid(".", 10));
	assert_false(cni_id_valid("..", 10));
	assert_false(cni_id_valid("-a", 10));
	assert_false(cni_id_valid("_a", 10));
	assert_false(cni_id_valid("a/b", 10));
	assert_false(cni_id_valid("a:b", 10));
	assert_false(cni_id_valid("a b", 10));
	assert_false(cni_id_valid("a\n", 10));
	assert_false(cni_id_valid("\xc3\xa9", 10));
	memset(id, 'f', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	assert_false(cni_id_valid(id, CNI_CONTAINER_ID_MAX));
	id[CNI_CONTAINER_ID_MAX] = '\0';
	assert_true(cni_id_valid(id, CNI_CONTAINER_ID_MAX));
}

static void test_ifname_valid(void **state)
{
	(void)state;
	assert_true(cni_ifname_valid("eth0"));
	assert_true(cni_ifname_valid("net1"));
	assert_true(cni_ifname_valid("a.b-c_d@e"));
	assert_true(cni_ifname_valid(".x"));
	assert_true(cni_ifname_valid("0123456789abcde"));
	assert_false(cni_ifname_valid("0123456789abcdef"));
	assert_false(cni_ifname_valid(NULL));
	assert_false(cni_ifname_valid(""));
	assert_false(cni_ifname_valid("."));
	assert_false(cni_ifname_valid(".."));
	assert_false(cni_ifname_valid("a/b"));
	assert_false(cni_ifname_valid("a:b"));
	assert_false(cni_ifname_valid("a b"));
	assert_false(cni_ifname_valid("a\tb"));
	assert_false(cni_ifname_valid("ab\n"));
	assert_false(cni_ifname_valid("a\xc2\xa0"));
}

static void test_path_valid(void **state)
{
	(void)state;
	assert_true(cni_path_valid("/"));
	assert_true(cni_path_valid("/run/xvdpa/cni"));
	assert_true(cni_path_valid("/run//x/"));
	assert_true(cni_path_valid("/a/.b/..c/c..")); /* names, not dots */
	assert_false(cni_path_valid(NULL));
	assert_false(cni_path_valid(""));
	assert_false(cni_path_valid("run/x"));
	assert_false(cni_path_valid("/run/.."));
	assert_false(cni_path_valid("/run/../etc"));
	assert_false(cni_path_valid("/./run"));
	assert_false(cni_path_valid("/run/."));
	assert_false(cni_path_valid("/run//../x"));
}

static void test_socket_dir_limit(void **state)
{
	char text[512], dir[CNI_SOCKET_DIR_MAX + 2];
	struct cni_conf c;
	struct cni_err e;

	(void)state;
	memset(dir, 'd', sizeof(dir) - 1);
	dir[0] = '/';
	dir[CNI_SOCKET_DIR_MAX] = '\0';
	snprintf(text, sizeof(text), "{" BASE ", \"socketDir\": \"%s\"}", dir);
	assert_int_equal(parse(text, &c, &e), 0);
	cni_conf_free(&c);
	dir[CNI_SOCKET_DIR_MAX] = 'd';
	dir[CNI_SOCKET_DIR_MAX + 1] = '\0';
	snprintf(text, sizeof(text), "{" BASE ", \"socketDir\": \"%s\"}", dir);
	refused(text, CNI_ERR_CONFIG, "\"socketDir\"");
}

/* FNV-1a 64 of the reference vectors, and the socket directory's name. */
static void test_socket_leaf(void **state)
{
	char leaf[CNI_SOCK_LEAF_MAX], want[32], id[CNI_CONTAINER_ID_MAX + 1];
	char dir[CNI_SOCKET_DIR_MAX + 1], path[512];
	size_t n;

	(void)state;
	assert_true(cni_fnv1a64("") == 0xcbf29ce484222325ULL);
	assert_true(cni_fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
	assert_true(cni_fnv1a64("foobar") == 0x85944171f73967e8ULL);
	/* The whole ID; two sharing 12 characters get two directories. */
	cni_sock_leaf("/run/xvdpa/cni", "0123456789ab-one", leaf, sizeof(leaf));
	assert_string_equal(leaf, "0123456789ab-one");
	cni_sock_leaf("/run/xvdpa/cni", "0123456789ab-two", leaf, sizeof(leaf));
	assert_string_equal(leaf, "0123456789ab-two");
	/* A 64-character ID fits under the default socketDir. */
	memset(id, 'c', 64);
	id[64] = '\0';
	cni_sock_leaf(CNI_DEFAULT_SOCKET_DIR, id, leaf, sizeof(leaf));
	assert_string_equal(leaf, id);
	/* The longest that fits for every ifname, and one more: the hash. */
	n = CNI_SUN_PATH_MAX - 1 - 1 - CNI_SOCK_NAME_MAX -
	    strlen(CNI_DEFAULT_SOCKET_DIR);
	memset(id, 'c', n + 1);
	id[n] = '\0';
	cni_sock_leaf(CNI_DEFAULT_SOCKET_DIR, id, leaf, sizeof(leaf));
	assert_string_equal(leaf, id);
	snprintf(path, sizeof(path), "%s/%s/0123456789abcde.sock",
		 CNI_DEFAULT_SOCKET_DIR, leaf);
	assert_int_equal(strlen(path), CNI_SUN_PATH_MAX);
	id[n] = 'c';
	id[n + 1] = '\0';
	cni_sock_leaf(CNI_DEFAULT_SOCKET_DIR, id, leaf, sizeof(leaf));
	snprintf(want, sizeof(want), "_%016llx",
		 (unsigned long long)cni_fnv1a64(id));
	assert_string_equal(leaf, want);
	assert_int_equal(strlen(leaf), CNI_SOCK_HASH_LEAF_LEN);
	/* The longest socketDir, the longest ID: still fits. */
	memset(dir, 'd', CNI_SOCKET_DIR_MAX);
	dir[0] = '/';
	dir[CNI_SOCKET_DIR_MAX] = '\0';
	memset(id, 'c', CNI_CONTAINER_ID_MAX);
	id[CNI_CONTAINER_ID_MAX] = '\0';
	cni_sock_leaf(dir, id, leaf, sizeof(leaf));
	snprintf(path, sizeof(path), "%s/%s/0123456789abcde.sock", dir, leaf);
	assert_int_equal(strlen(path), CNI_SUN_PATH_MAX);
	assert_int_equal(leaf[0], '_');
	assert_false(cni_id_valid(leaf, CNI_CONTAINER_ID_MAX)); /* no ID's */
}

static void set_env(const char *cmd, const char *cid, const char *netns,
		    const char *ifname)
{
	const char *names[] = { "CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS",
				"CNI_IFNAME" };
	const char *vals[] = { cmd, cid, netns, ifname };
	unsigned int i;

	for (i = 0; i < XV_ARRAY_SIZE(names); i++) {
		if (vals[i])
			setenv(names[i], vals[i], 1);
		else
			unsetenv(names[i]);
	}
}

static int env_result(void)
{
	struct cni_env env;
	struct cni_err e = { 0 };

	if (cni_env_read(&env, &e) || cni_env_check(&env, &e))
		return e.code;
	return 0;
}

static void test_environment(void **state)
{
	(void)state;
	set_env("ADD", "abc", "/run/netns/x", "net1");
	assert_int_equal(env_result(), 0);
	set_env(NULL, "abc", "/run/netns/x", "net1");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	set_env("ADD", NULL, "/run/netns/x", "net1");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	set_env("ADD", "a/b", "/run/netns/x", "net1");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	set_env("ADD", "abc", NULL, "net1");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	set_env("ADD", "abc", "/run/netns/x", "aninterfacename17");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	set_env("CHECK", "abc", "relative", "net1");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	/* Container IDs: the spec's pattern. */
	set_env("ADD", "..", "/run/netns/x", "net1");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	set_env("DEL", ".", NULL, "net1");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	set_env("ADD", "-abc", "/run/netns/x", "net1");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	set_env("ADD", "a:b", "/run/netns/x", "net1");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	set_env("ADD", "a.b_c-D9", "/run/netns/x", "net1");
	assert_int_equal(env_result(), 0);
	/* Interface names: the spec's rules. */
	set_env("ADD", "abc", "/run/netns/x", ".");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	set_env("DEL", "abc", NULL, "..");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	set_env("ADD", "abc", "/run/netns/x", "a:b");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	set_env("ADD", "abc", "/run/netns/x", "a b");
	assert_int_equal(env_result(), CNI_ERR_ENV);
	set_env("ADD", "abc", "/run/netns/x", "0123456789abcde");
	assert_int_equal(env_result(), 0);
	/* DEL may come without a netns; GC and STATUS need no container. */
	set_env("DEL", "abc", NULL, "net1");
	assert_int_equal(env_result(), 0);
	set_env("GC", NULL, NULL, NULL);
	assert_int_equal(env_result(), 0);
	set_env("STATUS", NULL, NULL, NULL);
	assert_int_equal(env_result(), 0);
}

static int netns_code(const char *path)
{
	struct cni_err e = { 0 };

	if (!cni_netns_check(path, &e))
		return 0;
	assert_true(e.msg[0] != '\0');
	return e.code;
}

/* CNI_NETNS: a network namespace, and not the plugin's own. */
static void test_netns_check(void **state)
{
	char other[64];
	int self;

	(void)state;
	assert_int_equal(netns_code("/proc/self/ns/net"), CNI_ERR_ENV);
	assert_int_equal(netns_code("/proc/thread-self/ns/net"), CNI_ERR_ENV);
	assert_int_equal(netns_code("/proc/self/ns/mnt"), CNI_ERR_ENV);
	assert_int_equal(netns_code("/proc/self/status"), CNI_ERR_ENV);
	assert_int_equal(netns_code("/"), CNI_ERR_ENV);
	assert_int_equal(netns_code(NULL), CNI_ERR_ENV);
	assert_int_equal(netns_code("/nonexistent/netns"),
			 CNI_ERR_UNKNOWN_CONTAINER);
	/* In a namespace of its own, the one it left is another's. */
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(self >= 0);
	if (unshare(CLONE_NEWNET))
		fail_msg("unshare(CLONE_NEWNET): %s (the test needs root)",
			 strerror(errno));
	snprintf(other, sizeof(other), "/proc/self/fd/%d", self);
	assert_int_equal(netns_code(other), 0);
	assert_int_equal(netns_code("/proc/self/ns/net"), CNI_ERR_ENV);
	assert_int_equal(setns(self, CLONE_NEWNET), 0);
	assert_int_equal(netns_code(other), CNI_ERR_ENV);
	close(self);
}

/* A stateDir of the test's own, removed with what is in it. */
struct state_dir {
	char path[64];
	struct cni_conf conf;
};

static void state_dir_make(struct state_dir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/test_cni.XXXXXX");
	assert_non_null(mkdtemp(d->path));
	memset(&d->conf, 0, sizeof(d->conf));
	d->conf.state_dir = d->path;
	d->conf.name = "net";
}

static void state_dir_remove(struct state_dir *d)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", d->path);
	assert_int_equal(system(cmd), 0);
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void put_link(const char *dir, const char *name, const char *target)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(symlink(target, path), 0);
}

static char *file_text(const char *dir, const char *name)
{
	static char buf[256];
	char path[256];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static json_t *attachment(const char *cid, const char *ifname)
{
	return json_pack("{s:s, s:s}", "containerID", cid, "ifname", ifname);
}

static int count_one(json_t *st, void *data)
{
	(void)st;
	++*(int *)data;
	return 0;
}

/* "a-b" + "c" and "a" + "b-c": two attachments, two files. */
static void test_state_names_unique(void **state)
{
	struct state_dir d;
	json_t *st, *st2;
	int n = 0;

	(void)state;
	state_dir_make(&d);
	st = attachment("a-b", "c");
	assert_int_equal(cni_state_save(&d.conf, "a-b", "c", st), 0);
	json_decref(st);
	st = attachment("a", "b-c");
	assert_int_equal(cni_state_save(&d.conf, "a", "b-c", st), 0);
	json_decref(st);
	assert_int_equal(cni_state_load(&d.conf, "a-b", "c", &st), 0);
	assert_int_equal(cni_state_load(&d.conf, "a", "b-c", &st2), 0);
	assert_string_equal(
		json_string_value(json_object_get(st, "containerID")), "a-b");
	assert_string_equal(
		json_string_value(json_object_get(st2, "containerID")), "a");
	json_decref(st);
	json_decref(st2);
	assert_int_equal(cni_state_foreach(&d.conf, count_one, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(cni_state_remove(&d.conf, "a", "b-c"), 0);
	assert_int_equal(cni_state_load(&d.conf, "a", "b-c", &st), -ENOENT);
	assert_int_equal(cni_state_load(&d.conf, "a-b", "c", &st), 0);
	json_decref(st);
	state_dir_remove(&d);
}

/* An earlier version's file is found, and only for its own attachment. */
static void test_state_legacy_name(void **state)
{
	char net[128];
	struct state_dir d;
	json_t *st;

	(void)state;
	state_dir_make(&d);
	snprintf(net, sizeof(net), "%s/net", d.path);
	assert_int_equal(mkdir(net, 0700), 0);
	put_file(net, "a-b-c.json",
		 "{\"containerID\": \"a-b\", \"ifname\": \"c\"}");
	assert_int_equal(cni_state_load(&d.conf, "a-b", "c", &st), 0);
	json_decref(st);
	assert_int_equal(cni_state_load(&d.conf, "a", "b-c", &st), -ENOENT);
	assert_null(st);
	assert_int_equal(cni_state_remove(&d.conf, "a", "b-c"), 0);
	assert_non_null(file_text(net, "a-b-c.json"));
	assert_int_equal(cni_state_remove(&d.conf, "a-b", "c"), 0);
	assert_null(file_text(net, "a-b-c.json"));
	state_dir_remove(&d);
}

/* Symlinks planted in the state directory are never followed. */
static void test_state_symlinks(void **state)
{
	char net[128], victim[128], vdir[128];
	struct state_dir d;
	json_t *st;
	int n = 0;

	(void)state;
	state_dir_make(&d);
	snprintf(net, sizeof(net), "%s/net", d.path);
	snprintf(victim, sizeof(victim), "%s/victim", d.path);
	snprintf(vdir, sizeof(vdir), "%s/vdir", d.path);
	assert_int_equal(mkdir(net, 0700), 0);
	assert_int_equal(mkdir(vdir, 0700), 0);
	put_file(d.path, "victim", "precious");
	/* at the temporary file's path: replaced, the target untouched */
	put_link(net, "c1:net1.json.tmp", victim);
	st = attachment("c1", "net1");
	assert_int_equal(cni_state_save(&d.conf, "c1", "net1", st), 0);
	json_decref(st);
	assert_string_equal(file_text(d.path, "victim"), "precious");
	assert_int_equal(cni_state_load(&d.conf, "c1", "net1", &st), 0);
	json_decref(st);
	/* at the state file's path: unreadable; removed as the link */
	put_link(net, "c2:net1.json", victim);
	assert_int_equal(cni_state_load(&d.conf, "c2", "net1", &st), -EBADMSG);
	assert_int_equal(cni_state_foreach(&d.conf, count_one, &n), 0);
	assert_int_equal(n, 1); /* c1's only */
	assert_int_equal(cni_state_remove(&d.conf, "c2", "net1"), 0);
	assert_string_equal(file_text(d.path, "victim"), "precious");
	assert_null(file_text(net, "c2:net1.json"));
	/* as the network's directory: not used */
	d.conf.name = "linked";
	put_link(d.path, "linked", vdir);
	st = attachment("c3", "net1");
	assert_int_equal(cni_state_save(&d.conf, "c3", "net1", st), -ELOOP);
	json_decref(st);
	assert_int_equal(cni_state_load(&d.conf, "c3", "net1", &st), -EBADMSG);
	assert_null(file_text(vdir, "c3:net1.json"));
	assert_null(file_text(vdir, "c3:net1.json.tmp"));
	state_dir_remove(&d);
}

static json_t *ipam_result(void)
{
	return json_loads(
		"{\"cniVersion\": \"1.0.0\", \"ips\": [{\"address\": "
		"\"10.1.0.5/24\", \"gateway\": \"10.1.0.1\", \"interface\": 7}],"
		" \"routes\": [{\"dst\": \"0.0.0.0/0\", \"gw\": \"10.1.0.1\","
		" \"mtu\": 1400, \"priority\": 5}], \"dns\": {\"nameservers\":"
		" [\"10.1.0.53\"]}}",
		0, NULL);
}

static void test_result_v110(void **state)
{
	struct cni_iface ifc = { .name = "net1",
				 .mac = "02:00:00:00:00:01",
				 .socket_path = "/run/x/net1.sock",
				 .mtu = 1400 };
	json_t *ipam = ipam_result(), *r, *i0, *ip0, *rt0;

	(void)state;
	r = cni_result_render("1.1.0", &ifc, ipam);
	assert_string_equal(json_string_value(json_object_get(r, "cniVersion")),
			    "1.1.0");
	i0 = json_array_get(json_object_get(r, "interfaces"), 0);
	assert_string_equal(json_string_value(json_object_get(i0, "name")),
			    "net1");
	assert_string_equal(json_string_value(json_object_get(i0, "mac")),
			    "02:00:00:00:00:01");
	assert_string_equal(
		json_string_value(json_object_get(i0, "socketPath")),
		"/run/x/net1.sock");
	assert_int_equal(json_integer_value(json_object_get(i0, "mtu")), 1400);
	assert_null(json_object_get(i0, "sandbox"));
	ip0 = json_array_get(json_object_get(r, "ips"), 0);
	assert_string_equal(json_string_value(json_object_get(ip0, "address")),
			    "10.1.0.5/24");
	assert_int_equal(json_integer_value(json_object_get(ip0, "interface")),
			 0);
	rt0 = json_array_get(json_object_get(r, "routes"), 0);
	assert_int_equal(json_integer_value(json_object_get(rt0, "mtu")), 1400);
	assert_int_equal(json_integer_value(json_object_get(rt0, "priority")),
			 5);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(r, "dns"),
						    "nameservers"),
				    0)),
			    "10.1.0.53");
	json_decref(r);
	json_decref(ipam);
}

/* 1.0.0 has no socketPath, interface mtu or route mtu/priority. */
static void test_result_v100(void **state)
{
	struct cni_iface ifc = { .name = "eth1",
				 .mac = "02:00:00:00:00:02",
				 .sandbox = "/run/netns/p",
				 .socket_path = "/run/x/s.sock",
				 .mtu = 1400 };
	json_t *ipam = ipam_result(), *r, *i0, *rt0;

	(void)state;
	r = cni_result_render("1.0.0", &ifc, ipam);
	assert_string_equal(json_string_value(json_object_get(r, "cniVersion")),
			    "1.0.0");
	i0 = json_array_get(json_object_get(r, "interfaces"), 0);
	assert_string_equal(json_string_value(json_object_get(i0, "sandbox")),
			    "/run/netns/p");
	assert_null(json_object_get(i0, "socketPath"));
	assert_null(json_object_get(i0, "mtu"));
	rt0 = json_array_get(json_object_get(r, "routes"), 0);
	assert_string_equal(json_string_value(json_object_get(rt0, "gw")),
			    "10.1.0.1");
	assert_null(json_object_get(rt0, "mtu"));
	assert_null(json_object_get(rt0, "priority"));
	json_decref(r);
	json_decref(ipam);
}

static void test_result_without_ipam(void **state)
{
	struct cni_iface ifc = { .name = "n", .mac = "02:00:00:00:00:03" };
	json_t *r;

	(void)state;
	r = cni_result_render("1.1.0", &ifc, NULL);
	assert_int_equal(json_array_size(json_object_get(r, "ips")), 0);
	assert_int_equal(json_array_size(json_object_get(r, "routes")), 0);
	assert_true(json_is_object(json_object_get(r, "dns")));
	json_decref(r);
}

static void test_error_render(void **state)
{
	struct cni_err e = { 0 };
	json_t *o;

	(void)state;
	cni_fail(&e, CNI_ERR_TRY_LATER, "vdpad is %s", "down");
	o = cni_error_render("1.0.0", &e);
	assert_string_equal(json_string_value(json_object_get(o, "cniVersion")),
			    "1.0.0");
	assert_int_equal(json_integer_value(json_object_get(o, "code")), 11);
	assert_string_equal(json_string_value(json_object_get(o, "msg")),
			    "vdpad is down");
	assert_null(json_object_get(o, "details"));
	json_decref(o);
	/* No config version yet (a decode error): the newest we speak. */
	snprintf(e.details, sizeof(e.details), "more");
	o = cni_error_render("", &e);
	assert_string_equal(json_string_value(json_object_get(o, "cniVersion")),
			    "1.1.0");
	assert_string_equal(json_string_value(json_object_get(o, "details")),
			    "more");
	json_decref(o);
}

static void test_prefix_parse(void **state)
{
	struct xv_nl_prefix p;

	(void)state;
	assert_int_equal(cni_prefix_parse("10.1.2.3/24", &p), 0);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.len, 24);
	assert_int_equal(p.addr[3], 3);
	assert_int_equal(cni_prefix_parse("fd00::5/64", &p), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.addr[15], 5);
	assert_int_equal(cni_prefix_parse("10.1.2.3", &p), -EINVAL);
	assert_int_equal(cni_prefix_parse("10.1.2.3/33", &p), -EINVAL);
	assert_int_equal(cni_prefix_parse("10.1.2.3/", &p), -EINVAL);
	assert_int_equal(cni_prefix_parse("10.1.2/8", &p), -EINVAL);
	assert_int_equal(cni_prefix_parse("fd00::1/129", &p), -EINVAL);
	assert_int_equal(cni_prefix_parse("/8", &p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_runtime_mac_wins),
		cmocka_unit_test(test_cni_args_mac),
		cmocka_unit_test(test_device_id_forms),
		cmocka_unit_test(test_decode_and_version_errors),
		cmocka_unit_test(test_invalid_values_name_their_key),
		cmocka_unit_test(test_device_options),
		cmocka_unit_test(test_dev_add_args),
		cmocka_unit_test(test_network_name),
		cmocka_unit_test(test_id_valid),
		cmocka_unit_test(test_ifname_valid),
		cmocka_unit_test(test_path_valid),
		cmocka_unit_test(test_socket_dir_limit),
		cmocka_unit_test(test_socket_leaf),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_netns_check),
		cmocka_unit_test(test_state_names_unique),
		cmocka_unit_test(test_state_legacy_name),
		cmocka_unit_test(test_state_symlinks),
		cmocka_unit_test(test_result_v110),
		cmocka_unit_test(test_result_v100),
		cmocka_unit_test(test_result_without_ipam),
		cmocka_unit_test(test_error_render),
		cmocka_unit_test(test_prefix_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
