/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XVDPA_LOG_H
#define XVDPA_LOG_H

enum xv_log_level {
	XV_LOG_ERR = 0,
	XV_LOG_WARN,
	XV_LOG_INFO,
	XV_LOG_DEBUG,
};

#include <stdio.h>

void xv_log_set_file(FILE *f);
void xv_log_set_level(enum xv_log_level level);
enum xv_log_level xv_log_get_level(void);
int xv_log_parse_level(const char *s, enum xv_log_level *out);
/* Until called again with NULL, the first error this thread logs is also
 * copied into @buf (emptied now): how a server hands a library's error
 * message to its client. */
void xv_log_capture(char *buf, size_t len);
void xv_log(enum xv_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define xv_err(...) xv_log(XV_LOG_ERR, __VA_ARGS__)
#define xv_warn(...) xv_log(XV_LOG_WARN, __VA_ARGS__)
#define xv_info(...) xv_log(XV_LOG_INFO, __VA_ARGS__)
#define xv_dbg(...) xv_log(XV_LOG_DEBUG, __VA_ARGS__)

#endif /* XVDPA_LOG_H */
