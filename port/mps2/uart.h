/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CMSDK APB UART of the mps2 machines, polled. UART0 carries the console
 * (a text log in the native board's format); UART1 will carry the USB link.
 */
#ifndef DFUKIT_MPS2_UART_H
#define DFUKIT_MPS2_UART_H

#include <stdint.h>

struct mps2_uart {
	uintptr_t base;
};

void mps2_uart_init(struct mps2_uart *u, uintptr_t base);
void mps2_uart_write(const struct mps2_uart *u, const void *buf, uint32_t len);
void mps2_uart_puts(const struct mps2_uart *u, const char *s);
/* "0x" and 8 hex digits. */
void mps2_uart_put_hex(const struct mps2_uart *u, uint32_t v);
/* Wait until every byte has left the transmitter (before a jump or exit). */
void mps2_uart_flush(const struct mps2_uart *u);

#endif /* DFUKIT_MPS2_UART_H */
