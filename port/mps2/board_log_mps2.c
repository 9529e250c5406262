/* SPDX-License-Identifier: Apache-2.0 */
/* board_log.h on the emulated boards: the clock, and the console UART (UART0) for the lines. */
#include "dfukit/port/board_log.h"
#include "mps2.h"
#include "uart.h"

#define FPGAIO_CLK100HZ (*(volatile uint32_t *)(MPS2_FPGAIO_BASE + 0x14u))
#define TICKS_PER_10MS  (MPS2_COUNTER_HZ / 100u)

/*
 * Time since reset from two registers that run on the same clock: the
 * 100 Hz one gives the 10 ms interval (it never wraps in practice), the
 * SYSCLK counter the ticks within it (it wraps every 172 s or more, but the whole
 * count is the one in that interval congruent to it mod 2^32). No state.
 */
uint64_t board_uptime_us(void)
{
	uint32_t t10, ticks;
	do {
		t10 = FPGAIO_CLK100HZ;
		ticks = MPS2_FPGAIO_COUNTER;
	} while (FPGAIO_CLK100HZ != t10);
	uint64_t base = (uint64_t)t10 * TICKS_PER_10MS;
	uint64_t total = base + (uint32_t)(ticks - (uint32_t)base);
	return total / (MPS2_COUNTER_HZ / 1000000u);
}

void board_log_write(const char *line, size_t len)
{
	const struct mps2_uart con = {MPS2_UART0_BASE};
	mps2_uart_write(&con, line, (uint32_t)len);
}
