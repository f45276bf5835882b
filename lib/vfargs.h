/* SPDX-License-Identifier: GPL-2.0-only */
/* Parses "mac M vlan V qos Q spoofchk on ..." into struct xv_vf_attrs. */
#ifndef XVDPA_VFARGS_H
#define XVDPA_VFARGS_H

#include <stddef.h>

#include "eswitch.h"

int xv_vf_attrs_parse(int argc, char **argv, struct xv_vf_attrs *a, char *err,
		      size_t errlen);

#endif /* XVDPA_VFARGS_H */
