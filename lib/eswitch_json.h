/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mgmtdevs and VFs as JSON: what `vdpactl -j mgmtdev show` and `vf show`
 * print, the same whether vdpad or vdpactl itself reads the eswitch.
 */
#ifndef XVDPA_ESWITCH_JSON_H
#define XVDPA_ESWITCH_JSON_H

#include <jansson.h>

/* {"mgmtdev": {NAME: {...}}} for @name, or for every mgmtdev if NULL. */
int xv_mgmtdev_show_json(const char *name, json_t **out);
/* {"vf": [{...}]}: VF @vf of @pf (every VF if @vf < 0), or every VF of
 * every mgmtdev if @pf is NULL. */
int xv_vf_show_json(const char *pf, int vf, json_t **out);

#endif /* XVDPA_ESWITCH_JSON_H */
