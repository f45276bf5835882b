// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for lib/vfargs.c (xv_vf_attrs_parse) and the pure helpers of
 * lib/eswitch.c: xv_vf_attrs_validate, link state and drop reason names.
 * Nothing here touches bpffs or netlink.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eswitch.h"
#include "vfargs.h"

#define ERRLEN 256

/* Runs the parser on a NULL-terminated list of words. */
static int parse_words(struct xv_vf_attrs *a, char *err, const char *w0, ...)
{
	char *argv[32];
	const char *w;
	va_list ap;
	int argc = 0;

	va_start(ap, w0);
	for (w = w0; w; w = va_arg(ap, const char *)) {
		assert_true(argc < (int)XV_ARRAY_SIZE(argv));
		argv[argc++] = (char *)w;
	}
	va_end(ap);
	err[0] = '\0';
	return xv_vf_attrs_parse(argc, argv, a, err, ERRLEN);
}

#define PARSE(a, err, ...) parse_words(a, err, __VA_ARGS__, NULL)

/*
 * The parse of the words in @argv fails with -EINVAL and its message
 * contains @want1 and @want2 (NULL: not checked).
 */
static void fails_with(int argc, char **argv, const char *want1,
		       const char *want2)
{
	struct xv_vf_attrs a;
	char err[ERRLEN], args[ERRLEN] = "";
	int i, rc;

	for (i = 0; i < argc; i++)
		snprintf(args + strlen(args), sizeof(args) - strlen(args),
			 "%s\"%s\"", i ? " " : "", argv[i]);
	err[0] = '\0';
	rc = xv_vf_attrs_parse(argc, argv, &a, err, sizeof(err));
	if (rc != -EINVAL)
		fail_msg("parse of %s returned %d, expected -EINVAL", args, rc);
	if (want1 && !strstr(err, want1))
		fail_msg("parse of %s: message '%s' lacks '%s'", args, err,
			 want1);
	if (want2 && !strstr(err, want2))
		fail_msg("parse of %s: message '%s' lacks '%s'", args, err,
			 want2);
}

/* "KEY VAL" fails and its message names the key and the quoted value. */
static void expect_bad(const char *key, const char *val)
{
	char *argv[] = { (char *)key, (char *)val };
	char quoted[64];

	snprintf(quoted, sizeof(quoted), "\"%s\"", val);
	fails_with(2, argv, key, quoted);
}

/* ---- xv_vf_attrs_parse: each key ---- */

static void test_parse_mac(void **state)
{
	static const uint8_t want[XV_MAC_LEN] = { 0x02, 0, 0, 0, 0, 0x01 };
	struct xv_vf_attrs a;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(&a, err, "mac", "02:00:00:00:00:01"), 0);
	assert_int_equal(a.set, XV_VF_SET_MAC);
	assert_memory_equal(a.mac, want, XV_MAC_LEN);
	assert_int_equal(PARSE(&a, err, "mac", "02:AB:cd:00:00:FF"), 0);
	assert_int_equal(a.mac[1], 0xab);
	assert_int_equal(a.mac[5], 0xff);
}

static void test_parse_mac_bad(void **state)
{
	(void)state;
	expect_bad("mac", "02:00:00:00:00");
	expect_bad("mac", "02-00-00-00-00-01");
	expect_bad("mac", "02:00:00:00:00:0g");
	expect_bad("mac", "02:00:00:00:00:01x");
	expect_bad("mac", "");
	/* Well formed but not a usable unicast address. */
	expect_bad("mac", "01:00:5e:00:00:01");
	expect_bad("mac", "33:33:00:00:00:01");
	expect_bad("mac", "00:00:00:00:00:00");
	expect_bad("mac", "ff:ff:ff:ff:ff:ff");
}

static void test_parse_vlan(void **state)
{
	struct xv_vf_attrs a;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(&a, err, "vlan", "100"), 0);
	assert_int_equal(a.set, XV_VF_SET_VLAN);
	assert_int_equal(a.vlan, 100);
	assert_int_equal(a.qos, 0);
	assert_int_equal(PARSE(&a, err, "vlan", "0"), 0);
	assert_int_equal(a.set, XV_VF_SET_VLAN);
	assert_int_equal(a.vlan, 0);
	assert_int_equal(PARSE(&a, err, "vlan", "4094"), 0);
	assert_int_equal(a.vlan, 4094);
}

static void test_parse_vlan_bad(void **state)
{
	(void)state;
	expect_bad("vlan", "4095");
	expect_bad("vlan", "65536");
	expect_bad("vlan", "-1");
	expect_bad("vlan", "+5");
	expect_bad("vlan", "0x10");
	expect_bad("vlan", "10a");
	expect_bad("vlan", "");
	expect_bad("vlan", "none");
}

static void test_parse_qos_after_vlan(void **state)
{
	struct xv_vf_attrs a;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(&a, err, "vlan", "10", "qos", "5"), 0);
	assert_int_equal(a.set, XV_VF_SET_VLAN);
	assert_int_equal(a.vlan, 10);
	assert_int_equal(a.qos, 5);
	assert_int_equal(PARSE(&a, err, "vlan", "10", "qos", "0"), 0);
	assert_int_equal(a.qos, 0);
	assert_int_equal(PARSE(&a, err, "vlan", "10", "qos", "7"), 0);
	assert_int_equal(a.qos, 7);
	/* Something else may come between vlan and qos. */
	assert_int_equal(
		PARSE(&a, err, "vlan", "10", "trust", "on", "qos", "3"), 0);
	assert_int_equal(a.set, XV_VF_SET_VLAN | XV_VF_SET_TRUST);
	assert_int_equal(a.qos, 3);
}

static void test_parse_qos_without_vlan(void **state)
{
	struct xv_vf_attrs a;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(&a, err, "qos", "3"), -EINVAL);
	assert_non_null(strstr(err, "qos"));
	assert_non_null(strstr(err, "\"3\""));
	assert_non_null(strstr(err, "vlan"));
	/* qos before vlan is rejected too. */
	assert_int_equal(PARSE(&a, err, "qos", "3", "vlan", "10"), -EINVAL);
	assert_non_null(strstr(err, "qos"));
	assert_int_equal(PARSE(&a, err, "mac", "02:00:00:00:00:01", "qos", "3"),
			 -EINVAL);
	assert_non_null(strstr(err, "qos"));
}

static void test_parse_qos_bad(void **state)
{
	static const char *const bad[] = { "8", "255", "-1", "x", "" };
	char quoted[16];
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(bad); i++) {
		char *argv[] = { "vlan", "10", "qos", (char *)bad[i] };

		snprintf(quoted, sizeof(quoted), "\"%s\"", bad[i]);
		fails_with(4, argv, "invalid qos", quoted);
	}
}

static void test_parse_bools(void **state)
{
	struct xv_vf_attrs a;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(&a, err, "spoofchk", "on"), 0);
	assert_int_equal(a.set, XV_VF_SET_SPOOFCHK);
	assert_true(a.spoofchk);
	assert_int_equal(PARSE(&a, err, "spoofchk", "off"), 0);
	assert_int_equal(a.set, XV_VF_SET_SPOOFCHK);
	assert_false(a.spoofchk);
	assert_int_equal(PARSE(&a, err, "trust", "on"), 0);
	assert_int_equal(a.set, XV_VF_SET_TRUST);
	assert_true(a.trust);
	assert_int_equal(PARSE(&a, err, "trust", "off"), 0);
	assert_int_equal(a.set, XV_VF_SET_TRUST);
	assert_false(a.trust);
}

static void test_parse_bools_bad(void **state)
{
	(void)state;
	expect_bad("spoofchk", "yes");
	expect_bad("spoofchk", "1");
	expect_bad("spoofchk", "ON");
	expect_bad("spoofchk", "");
	expect_bad("trust", "true");
	expect_bad("trust", "0");
	expect_bad("trust", "Off");
}

static void test_parse_state(void **state)
{
	struct xv_vf_attrs a;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(&a, err, "state", "auto"), 0);
	assert_int_equal(a.set, XV_VF_SET_STATE);
	assert_int_equal(a.link_state, XV_LINK_AUTO);
	assert_int_equal(PARSE(&a, err, "state", "enable"), 0);
	assert_int_equal(a.link_state, XV_LINK_ENABLE);
	assert_int_equal(PARSE(&a, err, "state", "disable"), 0);
	assert_int_equal(a.link_state, XV_LINK_DISABLE);
}

static void test_parse_state_bad(void **state)
{
	(void)state;
	expect_bad("state", "up");
	expect_bad("state", "on");
	expect_bad("state", "Auto");
	expect_bad("state", "1");
	expect_bad("state", "unknown");
	expect_bad("state", "");
}

static void test_parse_consumer(void **state)
{
	struct xv_vf_attrs a;
	char err[ERRLEN];
	json_t *o;

	(void)state;
	assert_int_equal(PARSE(&a, err, "consumer", "netdev"), 0);
	assert_int_equal(a.set, XV_VF_SET_CONSUMER);
	assert_int_equal(a.consumer, XV_VF_CONSUMER_NETDEV);
	o = xv_vf_attrs_to_json(&a);
	assert_string_equal(json_string_value(json_object_get(o, "consumer")),
			    "netdev");
	assert_int_equal(xv_vf_attrs_from_json(o, &a, err, ERRLEN), 0);
	assert_int_equal(a.set, XV_VF_SET_CONSUMER);
	assert_int_equal(a.consumer, XV_VF_CONSUMER_NETDEV);
	json_decref(o);
	assert_int_equal(PARSE(&a, err, "consumer", "xdp"), 0);
	assert_int_equal(a.consumer, XV_VF_CONSUMER_XDP);
	assert_int_equal(xv_vf_attrs_validate(&a), 0);
	a.consumer = (enum xv_vf_consumer)2;
	assert_int_equal(xv_vf_attrs_validate(&a), -EINVAL);
	assert_string_equal(xv_vf_consumer_name(XV_VF_CONSUMER_XDP), "xdp");
	assert_string_equal(xv_vf_consumer_name((enum xv_vf_consumer)2),
			    "unknown");
}

static void test_parse_consumer_bad(void **state)
{
	(void)state;
	expect_bad("consumer", "kernel");
	expect_bad("consumer", "XDP");
	expect_bad("consumer", "net");
	expect_bad("consumer", "");
	expect_bad("consumer", "1");
}

static void test_parse_rate(void **state)
{
	struct xv_vf_attrs a;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(&a, err, "max_tx_rate", "0"), 0);
	assert_int_equal(a.set, XV_VF_SET_RATE);
	assert_int_equal(a.max_tx_rate, 0);
	assert_int_equal(PARSE(&a, err, "max_tx_rate", "100"), 0);
	assert_int_equal(a.max_tx_rate, 100);
	assert_int_equal(PARSE(&a, err, "max_tx_rate", "1000000"), 0);
	assert_int_equal(a.max_tx_rate, 1000000);
}

static void test_parse_rate_bad(void **state)
{
	(void)state;
	expect_bad("max_tx_rate", "1000001");
	expect_bad("max_tx_rate", "-1");
	expect_bad("max_tx_rate", "10M");
	expect_bad("max_tx_rate", "1.5");
	expect_bad("max_tx_rate", "");
}

/* ---- xv_vf_attrs_parse: combinations and errors ---- */

static void test_parse_all(void **state)
{
	static const uint8_t want[XV_MAC_LEN] = { 0x02, 0x11, 0x22,
						  0x33, 0x44, 0x55 };
	struct xv_vf_attrs a;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(PARSE(&a, err, "mac", "02:11:22:33:44:55", "vlan",
			       "42", "qos", "6", "spoofchk", "on", "trust",
			       "off", "state", "disable", "max_tx_rate", "250"),
			 0);
	assert_int_equal(a.set, XV_VF_SET_MAC | XV_VF_SET_VLAN |
					XV_VF_SET_SPOOFCHK | XV_VF_SET_TRUST |
					XV_VF_SET_STATE | XV_VF_SET_RATE);
	assert_memory_equal(a.mac, want, XV_MAC_LEN);
	assert_int_equal(a.vlan, 42);
	assert_int_equal(a.qos, 6);
	assert_true(a.spoofchk);
	assert_false(a.trust);
	assert_int_equal(a.link_state, XV_LINK_DISABLE);
	assert_int_equal(a.max_tx_rate, 250);
	assert_int_equal(xv_vf_attrs_validate(&a), 0);
}

static void test_parse_clears_attrs(void **state)
{
	struct xv_vf_attrs a;
	char err[ERRLEN];
	static const uint8_t zero[XV_MAC_LEN];

	(void)state;
	memset(&a, 0xa5, sizeof(a));
	assert_int_equal(PARSE(&a, err, "trust", "on"), 0);
	/* Only the given key is marked; everything else starts from zero. */
	assert_int_equal(a.set, XV_VF_SET_TRUST);
	assert_memory_equal(a.mac, zero, XV_MAC_LEN);
	assert_int_equal(a.vlan, 0);
	assert_int_equal(a.qos, 0);
	assert_false(a.spoofchk);
	assert_int_equal(a.link_state, XV_LINK_AUTO);
	assert_int_equal(a.max_tx_rate, 0);
}

static void test_parse_repeated_key(void **state)
{
	struct xv_vf_attrs a;
	char err[ERRLEN];

	(void)state;
	/* The last value wins. */
	assert_int_equal(PARSE(&a, err, "vlan", "10", "vlan", "20"), 0);
	assert_int_equal(a.set, XV_VF_SET_VLAN);
	assert_int_equal(a.vlan, 20);
	assert_int_equal(PARSE(&a, err, "trust", "on", "trust", "off"), 0);
	assert_false(a.trust);
}

static void test_parse_missing_value(void **state)
{
	static const char *const keys[] = { "mac",   "vlan",  "spoofchk",
					    "trust", "state", "max_tx_rate" };
	struct xv_vf_attrs a;
	char err[ERRLEN];
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(keys); i++) {
		char *argv[] = { (char *)keys[i] };

		fails_with(1, argv, keys[i], "needs a value");
	}
	/* After a good pair, and for qos after vlan. */
	assert_int_equal(PARSE(&a, err, "trust", "on", "vlan"), -EINVAL);
	assert_non_null(strstr(err, "vlan needs a value"));
	assert_int_equal(PARSE(&a, err, "vlan", "10", "qos"), -EINVAL);
	assert_non_null(strstr(err, "qos needs a value"));
}

static void test_parse_unknown_key(void **state)
{
	static const char *const keys[] = { "bogus", "MAC",	    "Vlan",
					    "rate",  "min_tx_rate", "",
					    "mac ",  "link-state" };
	struct xv_vf_attrs a;
	char err[ERRLEN];
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(keys); i++) {
		char *argv[] = { (char *)keys[i], "1" };
		char quoted[64];

		snprintf(quoted, sizeof(quoted), "\"%s\"", keys[i]);
		fails_with(2, argv, "unknown", quoted);
	}
	/* Unknown key alone, and after a good pair. */
	assert_int_equal(PARSE(&a, err, "bogus"), -EINVAL);
	assert_non_null(strstr(err, "\"bogus\""));
	assert_int_equal(PARSE(&a, err, "trust", "on", "bogus", "1"), -EINVAL);
	assert_non_null(strstr(err, "\"bogus\""));
	/* A value is not taken as a key: "on" is unknown, not "trust". */
	assert_int_equal(PARSE(&a, err, "on", "trust"), -EINVAL);
	assert_non_null(strstr(err, "\"on\""));
}

static void test_parse_nothing(void **state)
{
	struct xv_vf_attrs a;
	char err[ERRLEN];

	(void)state;
	err[0] = '\0';
	assert_int_equal(xv_vf_attrs_parse(0, NULL, &a, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "nothing to set"));
}

static void test_parse_error_message(void **state)
{
	struct xv_vf_attrs a;
	char err[ERRLEN];

	(void)state;
	/* The message names the key, quotes the value, says what is expected. */
	assert_int_equal(PARSE(&a, err, "vlan", "5000"), -EINVAL);
	assert_non_null(strstr(err, "vlan"));
	assert_non_null(strstr(err, "\"5000\""));
	assert_non_null(strstr(err, "4094"));
	assert_int_equal(PARSE(&a, err, "mac", "01:00:00:00:00:01"), -EINVAL);
	assert_non_null(strstr(err, "mac"));
	assert_non_null(strstr(err, "\"01:00:00:00:00:01\""));
	assert_non_null(strstr(err, "unicast"));
	assert_int_equal(PARSE(&a, err, "state", "up"), -EINVAL);
	assert_non_null(strstr(err, "\"up\""));
	assert_non_null(strstr(err, "auto, enable or disable"));
	/* The first bad pair is reported, even after good ones. */
	assert_int_equal(PARSE(&a, err, "trust", "on", "spoofchk", "maybe",
			       "vlan", "9999"),
			 -EINVAL);
	assert_non_null(strstr(err, "spoofchk"));
	assert_non_null(strstr(err, "\"maybe\""));
	assert_null(strstr(err, "9999"));
}

static void test_parse_error_truncated(void **state)
{
	struct xv_vf_attrs a;
	char *argv[] = { "vlan", "5000" };
	char err[8];

	(void)state;
	memset(err, 'Z', sizeof(err));
	assert_int_equal(xv_vf_attrs_parse(2, argv, &a, err, 6), -EINVAL);
	assert_int_equal(strlen(err), 5);
	assert_int_equal(err[6], 'Z');
}

/* ---- xv_vf_attrs_validate ---- */

static void test_validate_empty(void **state)
{
	struct xv_vf_attrs a;

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(xv_vf_attrs_validate(&a), 0);
	/* Fields that are not marked in .set are not looked at. */
	a.vlan = 9999;
	a.qos = 200;
	a.link_state = (enum xv_link_state)7;
	a.mac[0] = 0x01;
	assert_int_equal(xv_vf_attrs_validate(&a), 0);
}

static void test_validate_vlan(void **state)
{
	struct xv_vf_attrs a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.set = XV_VF_SET_VLAN;
	a.vlan = 0;
	assert_int_equal(xv_vf_attrs_validate(&a), 0);
	a.vlan = 1;
	assert_int_equal(xv_vf_attrs_validate(&a), 0);
	a.vlan = XV_VLAN_MAX;
	assert_int_equal(xv_vf_attrs_validate(&a), 0);
	a.vlan = 4095;
	assert_int_equal(xv_vf_attrs_validate(&a), -ERANGE);
	a.vlan = 65535;
	assert_int_equal(xv_vf_attrs_validate(&a), -ERANGE);
}

static void test_validate_qos(void **state)
{
	struct xv_vf_attrs a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.set = XV_VF_SET_VLAN;
	a.vlan = 100;
	a.qos = 7;
	assert_int_equal(xv_vf_attrs_validate(&a), 0);
	a.qos = 8;
	assert_int_equal(xv_vf_attrs_validate(&a), -ERANGE);
	a.qos = 255;
	assert_int_equal(xv_vf_attrs_validate(&a), -ERANGE);
	/* A priority needs a VLAN tag to carry it. */
	a.vlan = 0;
	a.qos = 1;
	assert_int_equal(xv_vf_attrs_validate(&a), -EINVAL);
	a.qos = 0;
	assert_int_equal(xv_vf_attrs_validate(&a), 0);
}

static void test_validate_qos_vlan0_from_parse(void **state)
{
	struct xv_vf_attrs a;
	char err[ERRLEN];

	(void)state;
	/* The parser takes "vlan 0 qos 3"; validation refuses it. */
	assert_int_equal(PARSE(&a, err, "vlan", "0", "qos", "3"), 0);
	assert_int_equal(xv_vf_attrs_validate(&a), -EINVAL);
}

static void test_validate_mac(void **state)
{
	static const uint8_t good[XV_MAC_LEN] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t mcast[XV_MAC_LEN] = { 0x01, 0x00, 0x5e,
						   0x00, 0x00, 0x01 };
	static const uint8_t bcast[XV_MAC_LEN] = { 0xff, 0xff, 0xff,
						   0xff, 0xff, 0xff };
	struct xv_vf_attrs a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.set = XV_VF_SET_MAC;
	memcpy(a.mac, good, XV_MAC_LEN);
	assert_int_equal(xv_vf_attrs_validate(&a), 0);
	memcpy(a.mac, mcast, XV_MAC_LEN);
	assert_int_equal(xv_vf_attrs_validate(&a), -EINVAL);
	memcpy(a.mac, bcast, XV_MAC_LEN);
	assert_int_equal(xv_vf_attrs_validate(&a), -EINVAL);
	memset(a.mac, 0, XV_MAC_LEN);
	assert_int_equal(xv_vf_attrs_validate(&a), -EINVAL);
}

static void test_validate_state(void **state)
{
	struct xv_vf_attrs a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.set = XV_VF_SET_STATE;
	a.link_state = XV_LINK_AUTO;
	assert_int_equal(xv_vf_attrs_validate(&a), 0);
	a.link_state = XV_LINK_ENABLE;
	assert_int_equal(xv_vf_attrs_validate(&a), 0);
	a.link_state = XV_LINK_DISABLE;
	assert_int_equal(xv_vf_attrs_validate(&a), 0);
	a.link_state = (enum xv_link_state)3;
	assert_int_equal(xv_vf_attrs_validate(&a), -EINVAL);
	a.link_state = (enum xv_link_state) - 1;
	assert_int_equal(xv_vf_attrs_validate(&a), -EINVAL);
}

/* ---- link state and drop reason names ---- */

static void test_link_state_names(void **state)
{
	static const struct {
		enum xv_link_state s;
		const char *name;
	} map[] = {
		{ XV_LINK_AUTO, "auto" },
		{ XV_LINK_ENABLE, "enable" },
		{ XV_LINK_DISABLE, "disable" },
	};
	enum xv_link_state s;
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(map); i++) {
		assert_string_equal(xv_link_state_name(map[i].s), map[i].name);
		s = (enum xv_link_state)99;
		assert_int_equal(xv_link_state_parse(map[i].name, &s), 0);
		assert_int_equal(s, map[i].s);
		/* name -> state -> name */
		assert_string_equal(xv_link_state_name(s), map[i].name);
	}
}

static void test_link_state_unknown(void **state)
{
	enum xv_link_state s = XV_LINK_ENABLE;

	(void)state;
	assert_string_equal(xv_link_state_name((enum xv_link_state)3),
			    "unknown");
	assert_string_equal(xv_link_state_name((enum xv_link_state) - 1),
			    "unknown");
	assert_int_equal(xv_link_state_parse("unknown", &s), -EINVAL);
	assert_int_equal(xv_link_state_parse("", &s), -EINVAL);
	assert_int_equal(xv_link_state_parse("AUTO", &s), -EINVAL);
	assert_int_equal(xv_link_state_parse("enabled", &s), -EINVAL);
	assert_int_equal(xv_link_state_parse("dis", &s), -EINVAL);
	assert_int_equal(xv_link_state_parse(NULL, &s), -EINVAL);
	assert_int_equal(s, XV_LINK_ENABLE); /* untouched */
}

static void test_drop_reason_names(void **state)
{
	static const char *const want[] = {
		[XV_DROP_SPOOF] = "spoof",
		[XV_DROP_LINK_DOWN] = "link_down",
		[XV_DROP_RATE] = "rate",
		[XV_DROP_VLAN] = "vlan",
		[XV_DROP_MALFORMED] = "malformed",
		[XV_DROP_REDIRECT] = "redirect",
		[XV_DROP_INACTIVE] = "inactive",
		[XV_DROP_LOOP] = "loop",
	};
	unsigned int i, j;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(want); i++)
		assert_string_equal(xv_drop_reason_name(i), want[i]);
	/* Every reason has its own non-empty name. */
	for (i = 0; i < XV_DROP_MAX; i++) {
		const char *n = xv_drop_reason_name(i);

		if (!n || !n[0])
			fail_msg("drop reason %u has no name", i);
		assert_string_not_equal(n, "unknown");
		for (j = 0; j < i; j++)
			assert_string_not_equal(n, xv_drop_reason_name(j));
	}
}

static void test_drop_reason_unknown(void **state)
{
	(void)state;
	assert_string_equal(xv_drop_reason_name(XV_DROP_MAX), "unknown");
	assert_string_equal(xv_drop_reason_name(XV_DROP_MAX + 1), "unknown");
	assert_string_equal(xv_drop_reason_name(1000), "unknown");
	assert_string_equal(xv_drop_reason_name(UINT32_MAX), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_mac),
		cmocka_unit_test(test_parse_mac_bad),
		cmocka_unit_test(test_parse_vlan),
		cmocka_unit_test(test_parse_vlan_bad),
		cmocka_unit_test(test_parse_qos_after_vlan),
		cmocka_unit_test(test_parse_qos_without_vlan),
		cmocka_unit_test(test_parse_qos_bad),
		cmocka_unit_test(test_parse_bools),
		cmocka_unit_test(test_parse_bools_bad),
		cmocka_unit_test(test_parse_state),
		cmocka_unit_test(test_parse_state_bad),
		cmocka_unit_test(test_parse_consumer),
		cmocka_unit_test(test_parse_consumer_bad),
		cmocka_unit_test(test_parse_rate),
		cmocka_unit_test(test_parse_rate_bad),
		cmocka_unit_test(test_parse_all),
		cmocka_unit_test(test_parse_clears_attrs),
		cmocka_unit_test(test_parse_repeated_key),
		cmocka_unit_test(test_parse_missing_value),
		cmocka_unit_test(test_parse_unknown_key),
		cmocka_unit_test(test_parse_nothing),
		cmocka_unit_test(test_parse_error_message),
		cmocka_unit_test(test_parse_error_truncated),
		cmocka_unit_test(test_validate_empty),
		cmocka_unit_test(test_validate_vlan),
		cmocka_unit_test(test_validate_qos),
		cmocka_unit_test(test_validate_qos_vlan0_from_parse),
		cmocka_unit_test(test_validate_mac),
		cmocka_unit_test(test_validate_state),
		cmocka_unit_test(test_link_state_names),
		cmocka_unit_test(test_link_state_unknown),
		cmocka_unit_test(test_drop_reason_names),
		cmocka_unit_test(test_drop_reason_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
