// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for what vdpad makes of socket paths and device names
 * from control clients and the state file: lexical normalisation, the
 * "inside the socket directory" test and the device name check. The
 * invariants: a normalised path is absolute, has no empty, "." or ".."
 * component and no trailing '/', normalising it again changes nothing,
 * and a path inside a directory starts with that directory and a '/'.
 */
#include <assert.h>
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_normal(const char *p)
{
	const char *c = p + 1, *end;
	char again[108];

	assert(p[0] == '/');
	if (!p[1])
		return;
	for (; *c; c = *end ? end + 1 : end) {
		end = strchr(c, '/');
		if (!end)
			end = c + strlen(c);
		assert(end > c); /* no "//", no trailing '/' */
		assert(!(end - c == 1 && c[0] == '.'));
		assert(!(end - c == 2 && c[0] == '.' && c[1] == '.'));
	}
	assert(xv_path_normalize(p, again, sizeof(again)) == 0);
	assert(!strcmp(p, again));
}

static void check_under(const char *p)
{
	static const char dir[] = "/run/xvdpa";

	if (xv_path_is_under(p, dir))
		assert(!strncmp(p, dir, sizeof(dir) - 1) &&
		       p[sizeof(dir) - 1] == '/' && p[sizeof(dir)]);
}

static void check_dev_name(const char *s)
{
	size_t i, n;

	if (xv_validate_dev_name(s))
		return;
	n = strlen(s);
	assert(n >= 1 && n <= XV_DEV_NAME_MAX && s[0] != '.' && s[0] != '-');
	for (i = 0; i < n; i++)
		assert(isalnum((unsigned char)s[i]) || strchr("-_.", s[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[108];

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if (!xv_path_normalize(s, out, sizeof(out))) {
		check_normal(out);
		check_under(out);
	}
	check_dev_name(s);
	free(s);
	return 0;
}
