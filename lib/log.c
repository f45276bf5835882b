// SPDX-License-Identifier: GPL-2.0-only
/* Control-path logging to stderr (or a file). Never called per packet. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static enum xv_log_level current_level = XV_LOG_WARN;
static FILE *log_file; /* NULL: stderr */
static const char *const level_names[] = { "error", "warn", "info", "debug" };
/* This thread's error capture (xv_log_capture): the first error logged. */
static __thread char *capture_buf;
static __thread size_t capture_len;

void xv_log_capture(char *buf, size_t len)
{
	capture_buf = len ? buf : NULL;
	capture_len = len;
	if (capture_buf)
		capture_buf[0] = 0;
}

/* Where lines go from now on (NULL: back to stderr); not closed here. */
void xv_log_set_file(FILE *f)
{
	log_file = f;
}

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

/* One write per line, so lines from several threads never interleave. */
void xv_log(enum xv_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (level > current_level)
		return;
	n = snprintf(line, sizeof(line), "%s: ", level_names[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (level == XV_LOG_ERR && capture_buf && !capture_buf[0])
		snprintf(capture_buf, capture_len, "%s", line + n);
	n = (int)strlen(line);
	line[n++] = '\n';
	fwrite(line, 1, (size_t)n, log_file ? log_file : stderr);
	if (log_file)
		fflush(log_file);
}
