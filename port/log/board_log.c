/* SPDX-License-Identifier: Apache-2.0 */
/*
 * board_log.h's line, written once for every port: the port supplies the
 * clock (board_uptime_us) and where a finished line goes (board_log_write).
 */
#include "dfukit/port/board_log.h"

#include <stdio.h>

/*
 * Room for the stamp, level and module and about 510 bytes of text (what the
 * host board always printed); on the stack, so no port needs a static buffer.
 */
#define LINE_MAX_BYTES 576u

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The line, cut to fit but always ending in '\n'; returns its length. */
static size_t format_line(char *line, size_t size, uint64_t uptime_us, const char *level,
			  const char *module, const char *fmt, va_list ap)
{
	const size_t most = size - 2u; /* room for '\n' and the terminating NUL */
	uint64_t ms = uptime_us / 1000u;
	size_t len = 0;
	int n = snprintf(line, most + 1u,
			 "[%02u:%02u:%02u.%03u,%03u] <%s> %s: ", (unsigned)(ms / 3600000u),
			 (unsigned)(ms / 60000u % 60u), (unsigned)(ms / 1000u % 60u),
			 (unsigned)(ms % 1000u), (unsigned)(uptime_us % 1000u), level, module);
	if (n > 0) {
		len = min_size((size_t)n, most);
	}
	n = vsnprintf(line + len, most + 1u - len, fmt, ap);
	if (n > 0) {
		len += min_size((size_t)n, most - len);
	}
	line[len++] = '\n';
	line[len] = '\0';
	return len;
}

void board_vlog(const char *level, const char *module, const char *fmt, va_list ap)
{
	char line[LINE_MAX_BYTES];
	size_t len = format_line(line, sizeof(line), board_uptime_us(), level, module, fmt, ap);
	board_log_write(line, len);
}

void board_log(const char *level, const char *module, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	board_vlog(level, module, fmt, ap);
	va_end(ap);
}
