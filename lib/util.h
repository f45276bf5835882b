/* SPDX-License-Identifier: GPL-2.0-only */
/* Pure helpers: parsing and naming. No I/O, unit tested. */
#ifndef XVDPA_UTIL_H
#define XVDPA_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XV_MAC_LEN 6
#define XV_MAC_STR_LEN 18 /* "aa:bb:cc:dd:ee:ff" + NUL */
/* Longest mgmtdev name: leaves room for "r63"/"v63" in IFNAMSIZ. */
#define XV_PF_NAME_MAX 12

#define XV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

int xv_parse_mac(const char *s, uint8_t mac[XV_MAC_LEN]);
void xv_format_mac(const uint8_t mac[XV_MAC_LEN], char buf[XV_MAC_STR_LEN]);
bool xv_mac_is_valid_unicast(const uint8_t mac[XV_MAC_LEN]);

int xv_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
int xv_parse_bool(const char *s, bool *out);
/* A byte count: decimal digits, then K, M, G or T (powers of 1024) or
 * nothing (bytes). -EINVAL if malformed, -ERANGE over 2^63 - 1. */
int xv_parse_size(const char *s, uint64_t *out);

int xv_validate_pf_name(const char *name);
/* Longest vdpad device name (without the NUL). */
#define XV_DEV_NAME_MAX 15
/* A vdpad device name: 1 to XV_DEV_NAME_MAX of letters, digits, '-', '_'
 * and '.', not starting with '.' or '-'. */
int xv_validate_dev_name(const char *name);

/*
 * Lexically normalises absolute @path into @out: "//" and "/./" collapse,
 * ".." removes the component before it (never above "/"), no trailing
 * '/'. With no symlink on the way (the callers refuse them), the result
 * names the same file. -EINVAL for a relative or empty path,
 * -ENAMETOOLONG when @out is too small.
 */
int xv_path_normalize(const char *path, char *out, size_t len);
/* Is normalised @path strictly inside normalised directory @dir? */
bool xv_path_is_under(const char *path, const char *dir);
int xv_vf_ifname(const char *pf, unsigned int vf, bool rep, char *buf,
		 size_t len);

#endif /* XVDPA_UTIL_H */
