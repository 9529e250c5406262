/* SPDX-License-Identifier: Apache-2.0 */
/* The emulated boards' port: console on UART0, flash written through to the board's file. */
#include <errno.h>

#include "boot_port.h"
#include "mps2.h"

const struct flash_dev *boot_port_init(struct boot_port *port, const struct board_profile *bp)
{
	mps2_uart_init(&port->console, MPS2_UART0_BASE);
	if (mps2_flash_open(&port->flash, bp) < 0) {
		boot_port_log(port, 'E',
			      "Flash: no flash file from the board (semihosting flash=)");
		return NULL;
	}
	return &port->flash.dev;
}

uint32_t boot_port_flash_base(const struct board_profile *bp)
{
	(void)bp;
	return MPS2_FLASH_BASE;
}

void boot_port_log(void *ctx, char level, const char *line)
{
	const struct boot_port *port = ctx;
	const char prefix[3] = {level, ':', ' '};
	mps2_uart_write(&port->console, prefix, sizeof(prefix));
	mps2_uart_puts(&port->console, line);
	mps2_uart_puts(&port->console, "\n");
}

void boot_port_halt(void)
{
	mps2_halt();
}

void boot_port_before_jump(struct boot_port *port)
{
	mps2_uart_flush(&port->console);
}

int boot_port_otp(struct boot_port *port, const struct board_profile *bp,
		  const struct flash_area **otp)
{
#if defined(BOOT_SECCNT)
	int rc = mps2_otp_open(&port->otp, bp);

	*otp = rc == 0 ? &port->otp.fa : NULL;
	return rc;
#else
	(void)port;
	(void)bp;
	*otp = NULL;
	return -ENOTSUP;
#endif
}
