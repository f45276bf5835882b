/* SPDX-License-Identifier: GPL-2.0-only */
/* Parses "mac M vlan V qos Q spoofchk on ..." into struct xv_vf_attrs. */
#ifndef XVDPA_VFARGS_H
#define XVDPA_VFARGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "eswitch.h"

int xv_vf_attrs_parse(int argc, char **argv, struct xv_vf_attrs *a, char *err,
		      size_t errlen);

/* The same attributes as a control request's JSON: "mac" string, "vlan",
 * "qos", "max_tx_rate" integers, "spoofchk", "trust" booleans, "state"
 * and "consumer" strings. to_json writes only the attributes that are set. */
json_t *xv_vf_attrs_to_json(const struct xv_vf_attrs *a);
int xv_vf_attrs_from_json(json_t *o, struct xv_vf_attrs *a, char *err,
			  size_t errlen);
bool xv_vf_attr_known(const char *key);

#endif /* XVDPA_VFARGS_H */
