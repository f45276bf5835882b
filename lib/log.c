// SPDX-License-Identifier: GPL-2.0-only
/* Control-path logging to stderr. Never called per packet. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static enum xv_log_level current_level = XV_LOG_WARN;
static const char *const level_names[] = { "error", "warn", "info", "debug" };

void xv_log_set_level(enum xv_log_level level)
{
	current_level = level;
}

enum xv_log_level xv_log_get_level(void)
{
	return current_level;
}

int xv_log_parse_level(const char *s, enum xv_log_level *out)
{
	unsigned int i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (!strcmp(s, level_names[i])) {
			*out = (enum xv_log_level)i;
			return 0;
		}
	}
	return -1;
}

void xv_log(enum xv_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > current_level)
		return;
	fprintf(stderr, "%s: ", level_names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
