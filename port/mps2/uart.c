/* SPDX-License-Identifier: Apache-2.0 */
#include "uart.h"

#include <string.h>

/* Register offsets and bits (CMSDK APB UART, ARM DDI 0479). */
enum {
	UART_DATA = 0x00,
	UART_STATE = 0x04,
	UART_CTRL = 0x08,
	UART_BAUDDIV = 0x10,
};
#define UART_STATE_TX_FULL 0x1u
#define UART_CTRL_TX_EN    0x1u
#define UART_CTRL_RX_EN    0x2u
/* The smallest divider the UART accepts; QEMU sends at once whatever it is. */
#define UART_BAUDDIV_MIN   16u

static volatile uint32_t *reg(const struct mps2_uart *u, uint32_t off)
{
	return (volatile uint32_t *)(u->base + off);
}

void mps2_uart_init(struct mps2_uart *u, uintptr_t base)
{
	u->base = base;
	*reg(u, UART_BAUDDIV) = UART_BAUDDIV_MIN;
	*reg(u, UART_CTRL) = UART_CTRL_TX_EN | UART_CTRL_RX_EN;
}

void mps2_uart_write(const struct mps2_uart *u, const void *buf, uint32_t len)
{
	const uint8_t *p = buf;
	for (uint32_t i = 0; i < len; i++) {
		while ((*reg(u, UART_STATE) & UART_STATE_TX_FULL) != 0u) {
		}
		*reg(u, UART_DATA) = p[i];
	}
}

void mps2_uart_puts(const struct mps2_uart *u, const char *s)
{
	mps2_uart_write(u, s, (uint32_t)strlen(s));
}

void mps2_uart_put_hex(const struct mps2_uart *u, uint32_t v)
{
	char out[10] = {'0', 'x'};
	for (unsigned i = 0; i < 8u; i++) {
		out[2u + i] = "0123456789abcdef"[(v >> (28u - 4u * i)) & 0xFu];
	}
	mps2_uart_write(u, out, sizeof(out));
}

void mps2_uart_flush(const struct mps2_uart *u)
{
	while ((*reg(u, UART_STATE) & UART_STATE_TX_FULL) != 0u) {
	}
}
