/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the virtual board hands the firmware it starts (host only): the
 * board's identity, the USB/IP socket that survives every reset (the hub's
 * hand-off socket, see usbip.h, or a listening socket), the busid to export
 * and the flash file. Passed in environment variables across exec().
 */
#ifndef DFUKIT_BOARD_ENV_H
#define DFUKIT_BOARD_ENV_H

#include <stdint.h>

#include "dfukit/port/board_log.h"
#include "dfukit/host/flash_file.h" /* the board firmware's flash */

#define BOARD_ENV_ID           "DFUKIT_BOARD"
#define BOARD_ENV_USBIP_FD     "DFUKIT_USBIP_FD"
#define BOARD_ENV_FLASH        "DFUKIT_FLASH"
#define BOARD_ENV_SERIAL       "DFUKIT_SERIAL"
#define BOARD_ENV_FIRMWARE_DIR "DFUKIT_FIRMWARE_DIR"
#define BOARD_ENV_BOOT_NS      "DFUKIT_BOOT_NS"
#define BOARD_ENV_BUSID        "DFUKIT_BUSID"
#define BOARD_DEFAULT_BUSID    "1-1"

/* The bootloader's upgrade strategy (boot_mode_name(): "move", "overwrite-only")
 * and, when "1", MCUboot's downgrade prevention (overwrite-only only). */
#define BOARD_ENV_BOOT_MODE            "DFUKIT_BOOT_MODE"
#define BOARD_ENV_DOWNGRADE_PREVENTION "DFUKIT_DOWNGRADE_PREVENTION"
/* "1": hardware rollback protection, the security counter in FLASH.otp (board_otp.h). */
#define BOARD_ENV_SECURITY_COUNTER     "DFUKIT_SECURITY_COUNTER"
/* The slot the bootloader started the image from, "0" or "1" (direct-xip: either). */
#define BOARD_ENV_BOOT_SLOT            "DFUKIT_BOOT_SLOT"

struct board_env {
	const char *board_id;     /* profile id, e.g. "reel_board" */
	const char *zephyr_board; /* as the firmware prints it */
	const char *usb_manufacturer;
	const char *usb_product;
	const char *serial;
	const char *flash_path;   /* NULL: no flash */
	const char *firmware_dir; /* where the board's firmware executables live */
	int usbip_fd;
	const char *busid; /* USB/IP busid to export: "1-1" unless the board says */
};

/* Read the environment the board set; -ENOENT with a message if not run by a board. */
int board_env_load(struct board_env *env, const char *program);

#endif /* DFUKIT_BOARD_ENV_H */
