/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfu-sample-stack (bench/cm/CMakeLists.txt): the DFU sample with a painted
 * stack that reports its high-water mark on the console. The link wraps
 * dfu_flash_service(), which the sample's main loop calls once a turn, after
 * serving a USB link message: after it, the mark covers everything the loop
 * did so far. A line is printed only when the mark has gone deeper; the
 * deepest line of a run is the figure (bench/cm/stack-usage.sh).
 */
#include <stdint.h>

#include "dfukit/dfu_flash.h"
#include "mps2.h"
#include "stack_mark.h"
#include "uart.h"

uint64_t __real_dfu_flash_service(struct dfu_flash *df);
uint64_t __wrap_dfu_flash_service(struct dfu_flash *df);

static uint32_t reported;

uint64_t __wrap_dfu_flash_service(struct dfu_flash *df)
{
	uint64_t r = __real_dfu_flash_service(df);
	uint32_t used = bench_stack_used();
	if (used > reported) {
		struct mps2_uart con;
		reported = used;
		mps2_uart_init(&con, MPS2_UART0_BASE);
		mps2_uart_puts(&con, "stack-mark: ");
		mps2_uart_put_hex(&con, used);
		mps2_uart_puts(&con, " bytes of ");
		mps2_uart_put_hex(&con, bench_stack_painted());
		mps2_uart_puts(&con, " painted\n");
	}
	return r;
}
