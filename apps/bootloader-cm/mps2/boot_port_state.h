/* SPDX-License-Identifier: Apache-2.0 */
#ifndef DFUKIT_BOOT_PORT_STATE_H
#define DFUKIT_BOOT_PORT_STATE_H
#include "flash_mps2.h"
#include "otp_mps2.h"
#include "uart.h"
struct boot_port {
	struct mps2_flash flash;
	struct mps2_uart console;
#if defined(BOOT_SECCNT)
	struct mps2_otp otp; /* the security counter's store */
#endif
};
#endif
