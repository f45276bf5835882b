// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parses exactly "xx:xx:xx:xx:xx:xx" (hex, either case). */
int xv_parse_mac(const char *s, uint8_t mac[XV_MAC_LEN])
{
	int i, hi, lo;

	if (!s || strlen(s) != XV_MAC_STR_LEN - 1)
		return -EINVAL;
	for (i = 0; i < XV_MAC_LEN; i++) {
		const char *p = s + i * 3;

		hi = hex_nibble(p[0]);
		lo = hex_nibble(p[1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < XV_MAC_LEN - 1 && p[2] != ':')
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void xv_format_mac(const uint8_t mac[XV_MAC_LEN], char buf[XV_MAC_STR_LEN])
{
	snprintf(buf, XV_MAC_STR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
}

bool xv_mac_is_valid_unicast(const uint8_t mac[XV_MAC_LEN])
{
	static const uint8_t zero[XV_MAC_LEN];

	return !(mac[0] & 1) && memcmp(mac, zero, XV_MAC_LEN) != 0;
}

/* Decimal only, no sign, no trailing garbage, within [min, max]. */
int xv_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int xv_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;
	int shift = 0;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end) {
		u = strchr(units, *end);
		if (!u || end[1])
			return -EINVAL;
		shift = 10 * (int)(u - units + 1);
	}
	if (v > (unsigned long long)INT64_MAX >> shift)
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

int xv_parse_bool(const char *s, bool *out)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "on")) {
		*out = true;
		return 0;
	}
	if (!strcmp(s, "off")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

/*
 * A mgmtdev name becomes part of netdev names and a bpffs path: a letter,
 * then letters, digits, '-' or '_', at most XV_PF_NAME_MAX characters.
 */
int xv_validate_pf_name(const char *name)
{
	size_t i, len;

	if (!name)
		return -EINVAL;
	len = strlen(name);
	if (len == 0)
		return -EINVAL;
	if (len > XV_PF_NAME_MAX)
		return -ENAMETOOLONG;
	if (!isalpha((unsigned char)name[0]))
		return -EINVAL;
	for (i = 1; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isalnum(c) && c != '-' && c != '_')
			return -EINVAL;
	}
	return 0;
}

/* "<pf>r<N>" is VF N's representor, "<pf>v<N>" its device end. */
int xv_vf_ifname(const char *pf, unsigned int vf, bool rep, char *buf,
		 size_t len)
{
	int n = snprintf(buf, len, "%s%c%u", pf, rep ? 'r' : 'v', vf);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int xv_validate_dev_name(const char *name)
{
	size_t i, len;

	if (!name)
		return -EINVAL;
	len = strnlen(name, XV_DEV_NAME_MAX + 1);
	if (len == 0)
		return -EINVAL;
	if (len > XV_DEV_NAME_MAX)
		return -ENAMETOOLONG;
	if (name[0] == '.' || name[0] == '-')
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
			return -EINVAL;
	}
	return 0;
}

/* Appends component @c (@n bytes) to @out (length *@o), or pops one for
 * "..". */
static int path_push(char *out, size_t len, size_t *o, const char *c, size_t n)
{
	if (n == 1 && c[0] == '.')
		return 0;
	if (n == 2 && c[0] == '.' && c[1] == '.') {
		while (*o > 0 && out[*o - 1] != '/')
			(*o)--;
		if (*o > 0)
			(*o)--; /* the '/' before it */
		return 0;
	}
	if (*o + 1 + n >= len)
		return -ENAMETOOLONG;
	out[(*o)++] = '/';
	memcpy(out + *o, c, n);
	*o += n;
	return 0;
}

int xv_path_normalize(const char *path, char *out, size_t len)
{
	const char *p, *end;
	size_t o = 0;
	int rc;

	if (!path || path[0] != '/' || len < 2)
		return -EINVAL;
	for (p = path; *p; p = end) {
		while (*p == '/')
			p++;
		for (end = p; *end && *end != '/'; end++)
			;
		if (end == p)
			break;
		rc = path_push(out, len, &o, p, (size_t)(end - p));
		if (rc)
			return rc;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = 0;
	return 0;
}

bool xv_path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return path[0] == '/' && path[1] != 0;
	return !strncmp(path, dir, n) && path[n] == '/' && path[n + 1] != 0;
}
