// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for lib/util.c: MAC, number, bool and name helpers. */
#include <errno.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

static const char *errname(int rc)
{
	const char *n = rc < 0 ? strerrorname_np(-rc) : NULL;

	return rc == 0 ? "0" : n ? n : "?";
}

/* Like assert_int_equal, but says which input of a table broke. */
static void rc_is(int got, int want, const char *fn, const char *arg)
{
	if (got != want)
		fail_msg("%s(\"%s\") returned %d (%s), expected %d (%s)", fn,
			 arg ? arg : "NULL", got, errname(got), want,
			 errname(want));
}

/* ---- xv_parse_mac ---- */

static void test_parse_mac_lower(void **state)
{
	static const uint8_t want[XV_MAC_LEN] = { 0x02, 0x0a, 0xbc,
						  0xde, 0xf0, 0x19 };
	uint8_t mac[XV_MAC_LEN];

	(void)state;
	assert_int_equal(xv_parse_mac("02:0a:bc:de:f0:19", mac), 0);
	assert_memory_equal(mac, want, XV_MAC_LEN);
}

static void test_parse_mac_upper_and_mixed(void **state)
{
	static const uint8_t want[XV_MAC_LEN] = { 0xaa, 0xbb, 0xcc,
						  0xdd, 0xee, 0xff };
	uint8_t mac[XV_MAC_LEN];

	(void)state;
	assert_int_equal(xv_parse_mac("AA:BB:CC:DD:EE:FF", mac), 0);
	assert_memory_equal(mac, want, XV_MAC_LEN);
	memset(mac, 0, sizeof(mac));
	assert_int_equal(xv_parse_mac("aA:Bb:cC:Dd:eE:Ff", mac), 0);
	assert_memory_equal(mac, want, XV_MAC_LEN);
}

static void test_parse_mac_extremes(void **state)
{
	static const uint8_t zero[XV_MAC_LEN];
	static const uint8_t ones[XV_MAC_LEN] = { 0xff, 0xff, 0xff,
						  0xff, 0xff, 0xff };
	uint8_t mac[XV_MAC_LEN];

	(void)state;
	/* Parsing is syntax only: validity is xv_mac_is_valid_unicast's. */
	assert_int_equal(xv_parse_mac("00:00:00:00:00:00", mac), 0);
	assert_memory_equal(mac, zero, XV_MAC_LEN);
	assert_int_equal(xv_parse_mac("ff:ff:ff:ff:ff:ff", mac), 0);
	assert_memory_equal(mac, ones, XV_MAC_LEN);
}

static void test_parse_mac_wrong_length(void **state)
{
	static const char *const bad[] = {
		"",
		"0",
		"02:00:00:00:00",
		"02:00:00:00:00:0",
		"02:00:00:00:00:001",
		"02:00:00:00:00:01:",
		"02:00:00:00:00:01:02",
		"2:0:0:0:0:1",
		"020000000001",
	};
	uint8_t mac[XV_MAC_LEN];
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(bad); i++) {
		rc_is(xv_parse_mac(bad[i], mac), -EINVAL, "xv_parse_mac",
		      bad[i]);
	}
}

static void test_parse_mac_bad_separators(void **state)
{
	/* 17 characters unless noted, so only the separators are wrong. */
	static const char *const bad[] = {
		"02-00-00-00-00-01", /* '-' separators */
		"02:00:00:00:00-01", /* one '-' */
		"02.00.00.00.00.01",  "02 00 00 00 00 01",
		"0200:00:00:00:001", /* missing colon, shifted */
		"020000000000000001", /* missing colons (18 chars) */
		"02000000000000001", /* missing colons (17 chars) */
		":02:00:00:00:00:0", /* leading colon */
		"02::00:00:00:00:0",
	};
	uint8_t mac[XV_MAC_LEN];
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(bad); i++) {
		rc_is(xv_parse_mac(bad[i], mac), -EINVAL, "xv_parse_mac",
		      bad[i]);
	}
}

static void test_parse_mac_non_hex(void **state)
{
	static const char *const bad[] = {
		"g2:00:00:00:00:01",
		"02:00:00:00:00:0g",
		"02:00:0x:00:00:01",
		"02:00:00:00:00:0 ",
		" 2:00:00:00:00:01",
		"02:00:+1:00:00:01",
		"02:00:-1:00:00:01",
		"02:00:00:00:00:0:",
		"02:00:00:00:00:\xff"
		"1",
	};
	uint8_t mac[XV_MAC_LEN];
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(bad); i++) {
		rc_is(xv_parse_mac(bad[i], mac), -EINVAL, "xv_parse_mac",
		      bad[i]);
	}
}

static void test_parse_mac_trailing(void **state)
{
	uint8_t mac[XV_MAC_LEN];

	(void)state;
	assert_int_equal(xv_parse_mac("02:00:00:00:00:01 ", mac), -EINVAL);
	assert_int_equal(xv_parse_mac("02:00:00:00:00:01\n", mac), -EINVAL);
	assert_int_equal(xv_parse_mac("02:00:00:00:00:01x", mac), -EINVAL);
	assert_int_equal(xv_parse_mac("02:00:00:00:00:01/24", mac), -EINVAL);
}

static void test_parse_mac_null(void **state)
{
	uint8_t mac[XV_MAC_LEN];

	(void)state;
	assert_int_equal(xv_parse_mac(NULL, mac), -EINVAL);
}

/* ---- xv_format_mac ---- */

static void test_format_mac(void **state)
{
	static const uint8_t mac[XV_MAC_LEN] = { 0x02, 0x0a, 0xbc,
						 0xde, 0xf0, 0x09 };
	char buf[XV_MAC_STR_LEN];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	xv_format_mac(mac, buf);
	/* Lower case, zero padded, NUL terminated within the buffer. */
	assert_string_equal(buf, "02:0a:bc:de:f0:09");
	assert_int_equal(strlen(buf), XV_MAC_STR_LEN - 1);
}

static void test_format_mac_round_trip(void **state)
{
	static const char *const macs[] = {
		"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01",
		"12:34:56:78:9a:bc", "fe:dc:ba:98:76:54", "01:80:c2:00:00:0e",
	};
	uint8_t mac[XV_MAC_LEN], again[XV_MAC_LEN];
	char buf[XV_MAC_STR_LEN];
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(macs); i++) {
		assert_int_equal(xv_parse_mac(macs[i], mac), 0);
		xv_format_mac(mac, buf);
		assert_string_equal(buf, macs[i]);
		assert_int_equal(xv_parse_mac(buf, again), 0);
		assert_memory_equal(mac, again, XV_MAC_LEN);
	}
	/* Upper case input comes back lower case. */
	assert_int_equal(xv_parse_mac("DE:AD:BE:EF:00:0A", mac), 0);
	xv_format_mac(mac, buf);
	assert_string_equal(buf, "de:ad:be:ef:00:0a");
}

static void test_format_mac_all_bytes(void **state)
{
	uint8_t mac[XV_MAC_LEN], again[XV_MAC_LEN];
	char buf[XV_MAC_STR_LEN];
	unsigned int b, i;

	(void)state;
	for (b = 0; b < 256; b++) {
		for (i = 0; i < XV_MAC_LEN; i++)
			mac[i] = (uint8_t)(b + i * 37);
		xv_format_mac(mac, buf);
		assert_int_equal(strlen(buf), XV_MAC_STR_LEN - 1);
		assert_int_equal(xv_parse_mac(buf, again), 0);
		assert_memory_equal(mac, again, XV_MAC_LEN);
	}
}

/* ---- xv_mac_is_valid_unicast ---- */

static void test_mac_unicast(void **state)
{
	static const uint8_t ok1[XV_MAC_LEN] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t ok2[XV_MAC_LEN] = { 0x00, 0, 0, 0, 0, 0x01 };
	static const uint8_t ok3[XV_MAC_LEN] = { 0xfe, 0xff, 0xff,
						 0xff, 0xff, 0xff };
	static const uint8_t ok4[XV_MAC_LEN] = { 0x02, 0, 0, 0, 0, 0x00 };
	static const uint8_t ok5[XV_MAC_LEN] = { 0x10, 0, 0, 0, 0, 0 };

	(void)state;
	assert_true(xv_mac_is_valid_unicast(ok1));
	assert_true(xv_mac_is_valid_unicast(ok2));
	assert_true(xv_mac_is_valid_unicast(ok3));
	assert_true(xv_mac_is_valid_unicast(ok4));
	/* Non-zero only in the first byte, group bit clear. */
	assert_true(xv_mac_is_valid_unicast(ok5));
}

static void test_mac_multicast(void **state)
{
	static const uint8_t mc1[XV_MAC_LEN] = { 0x01, 0, 0, 0, 0, 0 };
	static const uint8_t mc2[XV_MAC_LEN] = { 0x01, 0x00, 0x5e,
						 0x00, 0x00, 0x01 };
	static const uint8_t mc3[XV_MAC_LEN] = { 0x33, 0x33, 0, 0, 0, 0x01 };
	static const uint8_t mc4[XV_MAC_LEN] = { 0x03, 0, 0, 0, 0, 0x01 };

	(void)state;
	assert_false(xv_mac_is_valid_unicast(mc1));
	assert_false(xv_mac_is_valid_unicast(mc2));
	assert_false(xv_mac_is_valid_unicast(mc3));
	assert_false(xv_mac_is_valid_unicast(mc4));
}

static void test_mac_zero_and_broadcast(void **state)
{
	static const uint8_t zero[XV_MAC_LEN];
	static const uint8_t bcast[XV_MAC_LEN] = { 0xff, 0xff, 0xff,
						   0xff, 0xff, 0xff };

	(void)state;
	assert_false(xv_mac_is_valid_unicast(zero));
	assert_false(xv_mac_is_valid_unicast(bcast));
}

/* ---- xv_parse_size ---- */

static void test_size(void **state)
{
	uint64_t v = 1;

	(void)state;
	assert_int_equal(xv_parse_size("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(xv_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(xv_parse_size("512K", &v), 0);
	assert_int_equal(v, 512 << 10);
	assert_int_equal(xv_parse_size("4M", &v), 0);
	assert_int_equal(v, 4 << 20);
	assert_int_equal(xv_parse_size("16G", &v), 0);
	assert_int_equal(v, 16ull << 30);
	assert_int_equal(xv_parse_size("2T", &v), 0);
	assert_int_equal(v, 2ull << 40);
	assert_int_equal(xv_parse_size("8388607T", &v), 0);
	assert_int_equal(xv_parse_size("8388608T", &v), -ERANGE);
	assert_int_equal(xv_parse_size("99999999999999999999", &v), -ERANGE);
	v = 7;
	assert_int_equal(xv_parse_size("", &v), -EINVAL);
	assert_int_equal(xv_parse_size("M", &v), -EINVAL);
	assert_int_equal(xv_parse_size("-1", &v), -EINVAL);
	assert_int_equal(xv_parse_size(" 1", &v), -EINVAL);
	assert_int_equal(xv_parse_size("4m", &v), -EINVAL);
	assert_int_equal(xv_parse_size("4MB", &v), -EINVAL);
	assert_int_equal(xv_parse_size("4 M", &v), -EINVAL);
	assert_int_equal(xv_parse_size("1.5G", &v), -EINVAL);
	assert_int_equal(xv_parse_size(NULL, &v), -EINVAL);
	assert_int_equal(v, 7);
}

/* ---- xv_parse_u32 ---- */

static void test_u32_simple(void **state)
{
	uint32_t v = 0;

	(void)state;
	assert_int_equal(xv_parse_u32("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(xv_parse_u32("7", 0, 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(xv_parse_u32("4094", 0, 4094, &v), 0);
	assert_int_equal(v, 4094);
	/* Leading zeros are still decimal, not octal. */
	assert_int_equal(xv_parse_u32("010", 0, 100, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(xv_parse_u32("0009", 0, 100, &v), 0);
	assert_int_equal(v, 9);
}

static void test_u32_bounds_inclusive(void **state)
{
	uint32_t v = 0;

	(void)state;
	assert_int_equal(xv_parse_u32("1", 1, 64, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(xv_parse_u32("64", 1, 64, &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(xv_parse_u32("5", 5, 5, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(xv_parse_u32("4294967295", 0, UINT32_MAX, &v), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_int_equal(xv_parse_u32("4294967295", UINT32_MAX, UINT32_MAX, &v),
			 0);
	assert_int_equal(v, UINT32_MAX);
}

static void test_u32_out_of_range(void **state)
{
	uint32_t v = 12345;

	(void)state;
	assert_int_equal(xv_parse_u32("0", 1, 64, &v), -ERANGE);
	assert_int_equal(xv_parse_u32("65", 1, 64, &v), -ERANGE);
	assert_int_equal(xv_parse_u32("4095", 0, 4094, &v), -ERANGE);
	assert_int_equal(xv_parse_u32("8", 0, 7, &v), -ERANGE);
	assert_int_equal(xv_parse_u32("4", 5, 5, &v), -ERANGE);
	assert_int_equal(xv_parse_u32("6", 5, 5, &v), -ERANGE);
	/* Beyond u32 but within unsigned long long. */
	assert_int_equal(xv_parse_u32("4294967296", 0, UINT32_MAX, &v),
			 -ERANGE);
	assert_int_equal(xv_parse_u32("18446744073709551615", 0, UINT32_MAX,
				      &v),
			 -ERANGE);
	/* Would wrap to 0 or 1 if truncated to 32 bits before the check. */
	assert_int_equal(xv_parse_u32("4294967296", 0, 10, &v), -ERANGE);
	assert_int_equal(xv_parse_u32("4294967297", 0, 10, &v), -ERANGE);
	/* The output is untouched on failure. */
	assert_int_equal(v, 12345);
}

static void test_u32_overflow_ull(void **state)
{
	uint32_t v = 12345;

	(void)state;
	/* 2^64 and beyond overflow strtoull itself. */
	assert_int_equal(xv_parse_u32("18446744073709551616", 0, UINT32_MAX,
				      &v),
			 -EINVAL);
	assert_int_equal(xv_parse_u32("99999999999999999999999999", 0,
				      UINT32_MAX, &v),
			 -EINVAL);
	assert_int_equal(v, 12345);
}

static void test_u32_syntax(void **state)
{
	static const char *const bad[] = {
		"",    "-1",  "-0",   "+1",    " 1",	       "1 ",
		"\t1", "1\n", "0x10", "0X10",  "x10",	       "ff",
		"1a",  "1.0", "1e3",  "1,000", "1_000",	       "--1",
		"+",   "-",   " ",    "one",   "\xef\xbc\x91", "1\xff",
	};
	uint32_t v = 12345;
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(bad); i++) {
		rc_is(xv_parse_u32(bad[i], 0, UINT32_MAX, &v), -EINVAL,
		      "xv_parse_u32", bad[i]);
	}
	assert_int_equal(xv_parse_u32(NULL, 0, UINT32_MAX, &v), -EINVAL);
	assert_int_equal(v, 12345);
}

/* ---- xv_parse_bool ---- */

static void test_bool(void **state)
{
	static const char *const bad[] = {
		"",    "1",   "0",   "true", "false", "yes", "no",     "ON",
		"Off", "on ", " on", "of",   "onn",   "o",   "enable",
	};
	unsigned int i;
	bool b;

	(void)state;
	b = false;
	assert_int_equal(xv_parse_bool("on", &b), 0);
	assert_true(b);
	assert_int_equal(xv_parse_bool("off", &b), 0);
	assert_false(b);

	for (i = 0; i < XV_ARRAY_SIZE(bad); i++) {
		b = true;
		rc_is(xv_parse_bool(bad[i], &b), -EINVAL, "xv_parse_bool",
		      bad[i]);
		assert_true(b); /* untouched */
	}
	assert_int_equal(xv_parse_bool(NULL, &b), -EINVAL);
}

/* ---- xv_validate_pf_name ---- */

static void test_pf_name_ok(void **state)
{
	static const char *const ok[] = {
		"p",	     "pf0",	     "eth-pf",	     "pf_0",
		"A",	     "Z9",	     "x-",	     "y_",
		"a-b_c-d_e", "abcdefghijkl", "ABCDEFGHIJKL", "a12345678901",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(ok); i++) {
		rc_is(xv_validate_pf_name(ok[i]), 0, "xv_validate_pf_name",
		      ok[i]);
	}
}

static void test_pf_name_length(void **state)
{
	(void)state;
	assert_int_equal(strlen("abcdefghijkl"), XV_PF_NAME_MAX);
	assert_int_equal(xv_validate_pf_name("abcdefghijkl"), 0);
	assert_int_equal(xv_validate_pf_name("abcdefghijklm"), -ENAMETOOLONG);
	assert_int_equal(xv_validate_pf_name("a1234567890123456789"),
			 -ENAMETOOLONG);
}

static void test_pf_name_empty(void **state)
{
	(void)state;
	/*
	 * An empty name is malformed (it lacks the leading letter), not too
	 * long: -EINVAL, like every other malformed name.
	 */
	rc_is(xv_validate_pf_name(""), -EINVAL, "xv_validate_pf_name", "");
}

static void test_pf_name_null(void **state)
{
	(void)state;
	assert_int_equal(xv_validate_pf_name(NULL), -EINVAL);
}

static void test_pf_name_bad(void **state)
{
	static const char *const bad[] = {
		"0pf", "9",   "-pf",   "_pf",	"pf/0", "pf.0", "pf 0",
		" pf", "pf ", "pf:0",  "pf@0",	"pf\t", "pf\n", ".",
		"..",  "/",   "p\xe9", "\xe9t", "pf%d", "pf*",	"a/..",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(bad); i++) {
		rc_is(xv_validate_pf_name(bad[i]), -EINVAL,
		      "xv_validate_pf_name", bad[i]);
	}
}

/* ---- xv_vf_ifname ---- */

static void test_vf_ifname(void **state)
{
	char buf[IFNAMSIZ];

	(void)state;
	assert_int_equal(xv_vf_ifname("pf0", 3, true, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "pf0r3");
	assert_int_equal(xv_vf_ifname("pf0", 3, false, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "pf0v3");
	assert_int_equal(xv_vf_ifname("pf0", 0, true, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "pf0r0");
	assert_int_equal(xv_vf_ifname("x", 63, false, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "xv63");
}

static void test_vf_ifname_longest_fits(void **state)
{
	char buf[IFNAMSIZ];

	(void)state;
	assert_int_equal(IFNAMSIZ, 16);
	assert_int_equal(xv_validate_pf_name("abcdefghijkl"), 0);
	assert_int_equal(
		xv_vf_ifname("abcdefghijkl", 63, true, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "abcdefghijklr63");
	assert_int_equal(
		xv_vf_ifname("abcdefghijkl", 63, false, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "abcdefghijklv63");
	assert_int_equal(strlen(buf), IFNAMSIZ - 1);
}

static void test_vf_ifname_too_small(void **state)
{
	char buf[IFNAMSIZ];

	(void)state;
	/* "pf0r3" needs 6 bytes with its NUL. */
	assert_int_equal(xv_vf_ifname("pf0", 3, true, buf, 6), 0);
	assert_string_equal(buf, "pf0r3");
	assert_int_equal(xv_vf_ifname("pf0", 3, true, buf, 5), -ENAMETOOLONG);
	assert_int_equal(xv_vf_ifname("pf0", 3, true, buf, 1), -ENAMETOOLONG);
	assert_int_equal(xv_vf_ifname("pf0", 3, true, NULL, 0), -ENAMETOOLONG);
	/* 13 characters plus "r63" no longer fit in IFNAMSIZ. */
	assert_int_equal(xv_vf_ifname("abcdefghijklm", 63, true, buf,
				      sizeof(buf)),
			 -ENAMETOOLONG);
	/* Nor does a 12-character name with a 3-digit VF number. */
	assert_int_equal(xv_vf_ifname("abcdefghijkl", 100, false, buf,
				      sizeof(buf)),
			 -ENAMETOOLONG);
}

static void test_vf_ifname_no_overflow(void **state)
{
	char buf[8 + 4];

	(void)state;
	/* Truncated output stays inside the given length, NUL terminated. */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(xv_vf_ifname("abcdefghijkl", 1, true, buf, 8),
			 -ENAMETOOLONG);
	assert_int_equal(buf[7], '\0');
	assert_int_equal(buf[8], 'Z');
}

static void test_dev_name(void **state)
{
	static const char *const good[] = { "dev0", "a", "vm-1_net.0",
					    "123456789012345", "0" };
	static const char *const bad[] = {
		"", ".", "..", ".x", "-x", "a/b", "a b", "a,b", "a\n", "p\xe9"
	};
	char big[64];
	unsigned int i;

	(void)state;
	for (i = 0; i < XV_ARRAY_SIZE(good); i++)
		rc_is(xv_validate_dev_name(good[i]), 0, "xv_validate_dev_name",
		      good[i]);
	for (i = 0; i < XV_ARRAY_SIZE(bad); i++)
		rc_is(xv_validate_dev_name(bad[i]), -EINVAL,
		      "xv_validate_dev_name", bad[i]);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(xv_validate_dev_name(big), -ENAMETOOLONG);
	big[XV_DEV_NAME_MAX] = 0;
	assert_int_equal(xv_validate_dev_name(big), 0);
	assert_int_equal(xv_validate_dev_name(NULL), -EINVAL);
}

static void norm_is(const char *in, const char *want)
{
	char out[108];

	assert_int_equal(xv_path_normalize(in, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_path_normalize(void **state)
{
	char small[8], big[300];

	(void)state;
	norm_is("/", "/");
	norm_is("//", "/");
	norm_is("/run/xvdpa/a.sock", "/run/xvdpa/a.sock");
	norm_is("/run//xvdpa/./a.sock", "/run/xvdpa/a.sock");
	norm_is("/run/xvdpa/", "/run/xvdpa");
	norm_is("/run/xvdpa/../etc/shadow", "/run/etc/shadow");
	norm_is("/run/xvdpa/../../../../etc", "/etc");
	norm_is("/..", "/");
	norm_is("/a/b/..", "/a");
	norm_is("/a/.../b", "/a/.../b");
	assert_int_equal(xv_path_normalize("run/x", small, sizeof(small)),
			 -EINVAL);
	assert_int_equal(xv_path_normalize("", small, sizeof(small)), -EINVAL);
	assert_int_equal(xv_path_normalize("/abcdefgh", small, sizeof(small)),
			 -ENAMETOOLONG);
	assert_int_equal(xv_path_normalize("/abcdef", small, sizeof(small)), 0);
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = 0;
	assert_int_equal(xv_path_normalize(big, small, sizeof(small)),
			 -ENAMETOOLONG);
}

static void test_path_is_under(void **state)
{
	(void)state;
	assert_true(xv_path_is_under("/run/xvdpa/a.sock", "/run/xvdpa"));
	assert_true(xv_path_is_under("/run/xvdpa/cni/x/a.sock", "/run/xvdpa"));
	assert_false(xv_path_is_under("/run/xvdpa", "/run/xvdpa"));
	assert_false(xv_path_is_under("/run/xvdpa2/a", "/run/xvdpa"));
	assert_false(xv_path_is_under("/run/xvdp", "/run/xvdpa"));
	assert_false(xv_path_is_under("/etc/shadow", "/run/xvdpa"));
	assert_true(xv_path_is_under("/a", "/"));
	assert_false(xv_path_is_under("/", "/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_mac_lower),
		cmocka_unit_test(test_parse_mac_upper_and_mixed),
		cmocka_unit_test(test_parse_mac_extremes),
		cmocka_unit_test(test_parse_mac_wrong_length),
		cmocka_unit_test(test_parse_mac_bad_separators),
		cmocka_unit_test(test_parse_mac_non_hex),
		cmocka_unit_test(test_parse_mac_trailing),
		cmocka_unit_test(test_parse_mac_null),
		cmocka_unit_test(test_format_mac),
		cmocka_unit_test(test_format_mac_round_trip),
		cmocka_unit_test(test_format_mac_all_bytes),
		cmocka_unit_test(test_mac_unicast),
		cmocka_unit_test(test_mac_multicast),
		cmocka_unit_test(test_mac_zero_and_broadcast),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_u32_simple),
		cmocka_unit_test(test_u32_bounds_inclusive),
		cmocka_unit_test(test_u32_out_of_range),
		cmocka_unit_test(test_u32_overflow_ull),
		cmocka_unit_test(test_u32_syntax),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_pf_name_ok),
		cmocka_unit_test(test_pf_name_length),
		cmocka_unit_test(test_pf_name_empty),
		cmocka_unit_test(test_pf_name_null),
		cmocka_unit_test(test_pf_name_bad),
		cmocka_unit_test(test_vf_ifname),
		cmocka_unit_test(test_vf_ifname_longest_fits),
		cmocka_unit_test(test_vf_ifname_too_small),
		cmocka_unit_test(test_vf_ifname_no_overflow),
		cmocka_unit_test(test_dev_name),
		cmocka_unit_test(test_path_normalize),
		cmocka_unit_test(test_path_is_under),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
