/* SPDX-License-Identifier: Apache-2.0 */
/* The boards' consoles: what each firmware prints, line by line, with its prefix. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "board.h"

int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One console line, with the board's prefix (b NULL: the hub's own line). */
__attribute__((format(printf, 2, 3))) void say(const struct board_slot *b, const char *fmt, ...)
{
	va_list ap;
	fputs(b ? b->prefix : "", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static void emit_line(struct board_slot *b)
{
	fwrite(b->prefix, 1, strlen(b->prefix), stdout);
	fwrite(b->line, 1, b->line_len, stdout);
	fputc('\n', stdout);
	b->line_len = 0;
}

/*
 * Copy what the firmware printed to the console, whole lines with the prefix.
 * until_eof: the firmware is dead, take everything and close the pipe.
 */
void pump_console(struct board_slot *b, bool until_eof)
{
	char buf[4096];
	while (b->out >= 0) {
		ssize_t n = read(b->out, buf, sizeof(buf));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !until_eof) {
				break;
			}
			/* End of file (or the firmware is gone): flush a last partial line. */
			if (b->line_len) {
				emit_line(b);
			}
			close(b->out);
			b->out = -1;
			break;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				emit_line(b);
			} else if (b->line_len == sizeof(b->line)) {
				emit_line(b); /* an overlong line is cut, not lost */
				b->line[b->line_len++] = buf[i];
			} else {
				b->line[b->line_len++] = buf[i];
			}
		}
	}
	fflush(stdout);
}
