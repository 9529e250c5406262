/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr's hello_world for the emulated boards: the Cortex-M image the seed
 * downloads to SLOT-1. It never confirms itself, so the bootloader reverts
 * it at the next reset, as in the seed.
 */
#include "dfukit/board_profile.h"
#include "mps2.h"
#include "uart.h"

#ifndef HELLO_BOARD
#error "HELLO_BOARD (a struct board_profile) must be defined"
#endif

int main(void)
{
#ifdef HELLO_BOOT_CLOCK
	/* bench/cm: how long the bootloader took, read before anything else runs. */
	uint32_t ticks = MPS2_FPGAIO_COUNTER;
#endif
	struct mps2_uart con;
	mps2_uart_init(&con, MPS2_UART0_BASE);
#ifdef HELLO_BOOT_CLOCK
	mps2_uart_puts(&con, "boot-clock: ");
	mps2_uart_put_hex(&con, ticks);
	mps2_uart_puts(&con, " ticks of the SYSCLK counter since reset\n");
#endif
	mps2_uart_puts(&con, "*** Booting dfukit hello_world v" DFUKIT_VERSION " ***\n");
	mps2_uart_puts(&con, "Hello World! ");
	mps2_uart_puts(&con, HELLO_BOARD.zephyr_board);
	mps2_uart_puts(&con, "\n");
	mps2_uart_flush(&con);
	for (;;) {
		/* Zephyr's main returns into an idle thread: nothing more happens. */
		__asm__ volatile("wfi");
	}
}
