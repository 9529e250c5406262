/* SPDX-License-Identifier: Apache-2.0 */
/* The link-only port: null flash, no console (what a chip port replaces). */
#include <errno.h>

#include "boot_port.h"
#include "null_udc.h"

const struct flash_dev *boot_port_init(struct boot_port *port, const struct board_profile *bp)
{
	port->flash = (struct flash_dev){.ops = &null_flash_ops, .ctx = NULL, .geo = &bp->flash};
	return &port->flash;
}

uint32_t boot_port_flash_base(const struct board_profile *bp)
{
	return bp->flash_base;
}

void boot_port_log(void *ctx, char level, const char *line)
{
	(void)ctx;
	(void)level;
	(void)line;
}

void boot_port_halt(void)
{
	for (;;) {
	}
}

void boot_port_before_jump(struct boot_port *port)
{
	(void)port;
}

/* A real chip's OTP fuses are its port's; link-only: the calls are there, the area is not. */
int boot_port_otp(struct boot_port *port, const struct board_profile *bp,
		  const struct flash_area **otp)
{
	(void)port;
	(void)bp;
	*otp = NULL;
	return -ENOTSUP;
}
