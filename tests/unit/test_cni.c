// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the CNI plugin's pure parts: configuration parsing and
 * validation (cni/config.c), result and error rendering for spec 1.0.0 and
 * 1.1.0 (cni/result.c). Nothing here touches netlink, bpffs or vdpad.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cni.h"

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
	refused("{\"cniVersion\": \"1.0.0\", \"name\": \"n\"}", CNI_ERR_CONFIG,
		"\"mgmtdev\"");
	refused("{\"cniVersion\": \"1.0.0\", \"name\": \"n\","
		" \"mgmtdev\": \"waytoolongname\"}",
		CNI_ERR_CONFIG, "\"mgmtdev\"");
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
	/* DEL may come without a netns; GC and STATUS need no container. */
	set_env("DEL", "abc", NULL, "net1");
	assert_int_equal(env_result(), 0);
	set_env("GC", NULL, NULL, NULL);
	assert_int_equal(env_result(), 0);
	set_env("STATUS", NULL, NULL, NULL);
	assert_int_equal(env_result(), 0);
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
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_result_v110),
		cmocka_unit_test(test_result_v100),
		cmocka_unit_test(test_result_without_ipam),
		cmocka_unit_test(test_error_render),
		cmocka_unit_test(test_prefix_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
