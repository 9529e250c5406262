/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the Cortex-M bootloader needs from the chip it runs on. Two ports:
 * port_null.c (link-only, for the size report) and port_mps2.c (the emulated
 * boards, which run it).
 */
#ifndef DFUKIT_BOOT_PORT_H
#define DFUKIT_BOOT_PORT_H

#include <stdint.h>

#include "dfukit/board_profile.h"
#include "dfukit/flash.h"
/* struct boot_port: the port's state, owned by main (null/ or mps2/). */
#include "boot_port_state.h"

/* Bring up the console and the flash; NULL if the flash cannot be used. */
const struct flash_dev *boot_port_init(struct boot_port *port, const struct board_profile *bp);
/* Bus address of flash offset 0 on this chip. */
uint32_t boot_port_flash_base(const struct board_profile *bp);
/* One console line (boot_log_fn). */
void boot_port_log(void *ctx, char level, const char *line);
/* Nothing to boot: stop here until reset. */
__attribute__((noreturn)) void boot_port_halt(void);
/* Last words before the jump: drain the console. */
void boot_port_before_jump(struct boot_port *port);
/*
 * The one-time-programmable area the security counter lives in
 * (BOOT_SECCNT): 0 with *otp set, or a negative errno (none on this chip).
 */
int boot_port_otp(struct boot_port *port, const struct board_profile *bp,
		  const struct flash_area **otp);

#endif /* DFUKIT_BOOT_PORT_H */
