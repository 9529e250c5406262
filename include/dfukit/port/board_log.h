/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board's console log, in Zephyr's format: "[hh:mm:ss.mmm,uuu] <inf>
 * module: text". Declared here for portable code. The line is made in one
 * place (port/log); each platform supplies the two functions below it:
 * port/board (host processes, stdout) and port/mps2 (the emulated boards' UART0).
 */
#ifndef DFUKIT_BOARD_LOG_H
#define DFUKIT_BOARD_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void board_log(const char *level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void board_vlog(const char *level, const char *module, const char *fmt, va_list ap);

/* Each port: microseconds since the board last came out of reset. */
uint64_t board_uptime_us(void);
/* Each port: put one finished line (len bytes, '\n' included) on the console. */
void board_log_write(const char *line, size_t len);

#endif /* DFUKIT_BOARD_LOG_H */
