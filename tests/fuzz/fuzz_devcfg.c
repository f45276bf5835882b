// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for lib/devcfg.c: the first byte picks the parser, the
 * rest is its input. 'S': a --dev/--loopback SPEC string; 'R', 'T', 'C':
 * a JSON object of "dev add" arguments, a state file's device
 * configuration, a CNI deviceOptions; 'E': a state file's device entry
 * (typed, or the SPEC of earlier versions). Whatever it is, parsing ends in 0 or -errno with a
 * message; what is accepted renders, and what it renders parses back to
 * the same configuration (SPEC and JSON alike), within XV_DEV_SPEC_MAX.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @c through JSON of @where and back, and through SPEC and back. */
static void round_trips(const struct xv_dev_cfg *c, unsigned int where)
{
	char spec[XV_DEV_SPEC_MAX], err[256];
	struct xv_dev_cfg back;
	json_t *o;
	int n;

	o = xv_dev_cfg_to_json(c, where);
	if (!o)
		abort();
	xv_dev_cfg_default(&back);
	if (xv_dev_cfg_from_json(&back, o, where, err, sizeof(err)) ||
	    !xv_dev_cfg_equal(c, &back, where))
		abort();
	json_decref(o);
	/* Every option fits in a SPEC of XV_DEV_SPEC_MAX. */
	n = xv_dev_cfg_render_spec(c, spec, sizeof(spec));
	if (n == -EINVAL && !(c->set & XV_DEV_BIT(XV_DEVF_SOCKET)))
		return;
	if (n < 0 || (size_t)n != strlen(spec))
		abort();
	xv_dev_cfg_default(&back);
	if (xv_dev_cfg_parse_spec(&back, spec, err, sizeof(err)) ||
	    !xv_dev_cfg_equal(c, &back, XV_DEV_F_SPEC))
		abort();
	/* show: never fails, whatever is set */
	json_decref(xv_dev_cfg_to_json(c, XV_DEV_F_SHOW));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xv_dev_cfg c;
	char err[256], *s;
	unsigned int where;
	json_error_t jerr;
	json_t *o;
	int rc;

	if (size < 1 || size > 4096)
		return 0;
	xv_dev_cfg_default(&c);
	err[0] = 0;
	if (data[0] == 'S') {
		s = malloc(size);
		if (!s)
			return 0;
		memcpy(s, data + 1, size - 1);
		s[size - 1] = 0;
		rc = xv_dev_cfg_parse_spec(&c, s, err, sizeof(err));
		free(s);
		if (rc && (rc > 0 || !err[0]))
			abort();
		if (!rc)
			round_trips(&c, XV_DEV_F_STATE);
		return 0;
	}
	where = data[0] == 'T' ? XV_DEV_F_STATE :
		data[0] == 'C' ? XV_DEV_F_CNI :
				 XV_DEV_F_REQ;
	o = json_loadb((const char *)data + 1, size - 1, 0, &jerr);
	if (!o)
		return 0;
	if (data[0] == 'E') {
		where = XV_DEV_F_STATE;
		rc = xv_dev_cfg_from_state(&c, o, err, sizeof(err));
	} else {
		rc = xv_dev_cfg_from_json(&c, o, where, err, sizeof(err));
	}
	json_decref(o);
	if (rc && (rc > 0 || !err[0]))
		abort();
	if (!rc) {
		round_trips(&c, where);
		xv_dev_cfg_check(&c, err, sizeof(err));
	}
	return 0;
}
