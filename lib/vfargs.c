// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vfargs.h"

typedef int (*vf_arg_fn)(const char *val, struct xv_vf_attrs *a);

static int arg_mac(const char *val, struct xv_vf_attrs *a)
{
	a->set |= XV_VF_SET_MAC;
	if (xv_parse_mac(val, a->mac))
		return -EINVAL;
	return xv_mac_is_valid_unicast(a->mac) ? 0 : -EINVAL;
}

static int arg_vlan(const char *val, struct xv_vf_attrs *a)
{
	uint32_t v;
	int err = xv_parse_u32(val, 0, XV_VLAN_MAX, &v);

	a->set |= XV_VF_SET_VLAN;
	if (!err)
		a->vlan = (uint16_t)v;
	return err;
}

static int arg_qos(const char *val, struct xv_vf_attrs *a)
{
	uint32_t v;
	int err = xv_parse_u32(val, 0, 7, &v);

	if (!(a->set & XV_VF_SET_VLAN))
		return -ENOENT; /* qos only after vlan */
	if (!err)
		a->qos = (uint8_t)v;
	return err;
}

static int arg_spoofchk(const char *val, struct xv_vf_attrs *a)
{
	a->set |= XV_VF_SET_SPOOFCHK;
	return xv_parse_bool(val, &a->spoofchk);
}

static int arg_trust(const char *val, struct xv_vf_attrs *a)
{
	a->set |= XV_VF_SET_TRUST;
	return xv_parse_bool(val, &a->trust);
}

static int arg_state(const char *val, struct xv_vf_attrs *a)
{
	a->set |= XV_VF_SET_STATE;
	return xv_link_state_parse(val, &a->link_state);
}

static int arg_rate(const char *val, struct xv_vf_attrs *a)
{
	a->set |= XV_VF_SET_RATE;
	return xv_parse_u32(val, 0, 1000000, &a->max_tx_rate);
}

static const struct {
	const char *key;
	vf_arg_fn parse;
	const char *expect;
} vf_args[] = {
	{ "mac", arg_mac, "a unicast MAC address like 02:00:00:00:00:01" },
	{ "vlan", arg_vlan, "a VLAN id from 0 (none) to 4094" },
	{ "qos", arg_qos, "a priority from 0 to 7, after vlan" },
	{ "spoofchk", arg_spoofchk, "on or off" },
	{ "trust", arg_trust, "on or off" },
	{ "state", arg_state, "auto, enable or disable" },
	{ "max_tx_rate", arg_rate, "a rate in Mbit/s, 0 for none" },
};

/* Parses KEY VALUE pairs; on error writes what was wrong into @err. */
int xv_vf_attrs_parse(int argc, char **argv, struct xv_vf_attrs *a, char *err,
		      size_t errlen)
{
	unsigned int k;
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i += 2) {
		for (k = 0; k < XV_ARRAY_SIZE(vf_args); k++)
			if (!strcmp(argv[i], vf_args[k].key))
				break;
		if (k == XV_ARRAY_SIZE(vf_args)) {
			snprintf(err, errlen, "unknown VF attribute \"%s\"",
				 argv[i]);
			return -EINVAL;
		}
		if (i + 1 >= argc) {
			snprintf(err, errlen, "%s needs a value: %s", argv[i],
				 vf_args[k].expect);
			return -EINVAL;
		}
		if (vf_args[k].parse(argv[i + 1], a)) {
			snprintf(err, errlen, "invalid %s \"%s\": expected %s",
				 argv[i], argv[i + 1], vf_args[k].expect);
			return -EINVAL;
		}
	}
	if (!a->set) {
		snprintf(err, errlen, "nothing to set");
		return -EINVAL;
	}
	return 0;
}
