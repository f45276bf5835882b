// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <jansson.h>
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

static int arg_consumer(const char *val, struct xv_vf_attrs *a)
{
	a->set |= XV_VF_SET_CONSUMER;
	return xv_vf_consumer_parse(val, &a->consumer);
}

/* The JSON type each attribute takes in a control request. */
enum vf_arg_type { VF_ARG_STRING, VF_ARG_INT, VF_ARG_BOOL };

static const struct {
	const char *key;
	vf_arg_fn parse;
	const char *expect;
	enum vf_arg_type type;
} vf_args[] = {
	{ "mac", arg_mac, "a unicast MAC address like 02:00:00:00:00:01",
	  VF_ARG_STRING },
	{ "vlan", arg_vlan, "a VLAN id from 0 (none) to 4094", VF_ARG_INT },
	{ "qos", arg_qos, "a priority from 0 to 7, after vlan", VF_ARG_INT },
	{ "spoofchk", arg_spoofchk, "on or off", VF_ARG_BOOL },
	{ "trust", arg_trust, "on or off", VF_ARG_BOOL },
	{ "state", arg_state, "auto, enable or disable", VF_ARG_STRING },
	{ "max_tx_rate", arg_rate, "a rate in Mbit/s, 0 for none", VF_ARG_INT },
	{ "consumer", arg_consumer,
	  "xdp (an XDP/AF_XDP program on the device end) or netdev (a pod's kernel stack)",
	  VF_ARG_STRING },
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

bool xv_vf_attr_known(const char *key)
{
	unsigned int k;

	for (k = 0; k < XV_ARRAY_SIZE(vf_args); k++)
		if (!strcmp(key, vf_args[k].key))
			return true;
	return false;
}

json_t *xv_vf_attrs_to_json(const struct xv_vf_attrs *a)
{
	json_t *o = json_object();
	char mac[XV_MAC_STR_LEN];

	if (a->set & XV_VF_SET_MAC) {
		xv_format_mac(a->mac, mac);
		json_object_set_new(o, "mac", json_string(mac));
	}
	if (a->set & XV_VF_SET_VLAN) {
		json_object_set_new(o, "vlan", json_integer(a->vlan));
		json_object_set_new(o, "qos", json_integer(a->qos));
	}
	if (a->set & XV_VF_SET_SPOOFCHK)
		json_object_set_new(o, "spoofchk", json_boolean(a->spoofchk));
	if (a->set & XV_VF_SET_TRUST)
		json_object_set_new(o, "trust", json_boolean(a->trust));
	if (a->set & XV_VF_SET_STATE)
		json_object_set_new(
			o, "state",
			json_string(xv_link_state_name(a->link_state)));
	if (a->set & XV_VF_SET_RATE)
		json_object_set_new(o, "max_tx_rate",
				    json_integer(a->max_tx_rate));
	if (a->set & XV_VF_SET_CONSUMER)
		json_object_set_new(
			o, "consumer",
			json_string(xv_vf_consumer_name(a->consumer)));
	return o;
}

/* The text form of @v, if it has the JSON type attribute @k takes. */
static int json_arg_text(json_t *v, enum vf_arg_type type, char *buf,
			 size_t len)
{
	switch (type) {
	case VF_ARG_STRING:
		if (!json_is_string(v))
			return -EINVAL;
		snprintf(buf, len, "%s", json_string_value(v));
		return 0;
	case VF_ARG_INT:
		if (!json_is_integer(v))
			return -EINVAL;
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return 0;
	case VF_ARG_BOOL:
		if (!json_is_boolean(v))
			return -EINVAL;
		snprintf(buf, len, "%s", json_is_true(v) ? "on" : "off");
		return 0;
	}
	return -EINVAL;
}

static const char *const type_names[] = { "a string", "an integer",
					  "true or false" };

/* Reads the attributes present in @o (other keys are the caller's);
 * on error writes what was wrong into @err. */
int xv_vf_attrs_from_json(json_t *o, struct xv_vf_attrs *a, char *err,
			  size_t errlen)
{
	char text[64];
	unsigned int k;
	json_t *v;

	memset(a, 0, sizeof(*a));
	for (k = 0; k < XV_ARRAY_SIZE(vf_args); k++) {
		v = json_object_get(o, vf_args[k].key);
		if (!v)
			continue;
		if (json_arg_text(v, vf_args[k].type, text, sizeof(text))) {
			snprintf(err, errlen, "\"%s\" must be %s: %s",
				 vf_args[k].key, type_names[vf_args[k].type],
				 vf_args[k].expect);
			return -EINVAL;
		}
		if (vf_args[k].parse(text, a)) {
			snprintf(err, errlen, "invalid %s \"%s\": expected %s",
				 vf_args[k].key, text, vf_args[k].expect);
			return -EINVAL;
		}
	}
	if (!a->set) {
		snprintf(err, errlen, "nothing to set");
		return -EINVAL;
	}
	return 0;
}
