/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host-only: the virtual board's emulated one-time-programmable area, which
 * holds its security counter (dfukit/security_counter.h). It is a dfukit
 * flash file of its own beside the board's flash, FLASH.otp, of
 * BOARD_OTP_SIZE bytes with the board's write block: writes only clear
 * bits (the flash simulator's NOR rule) and nothing can erase it (erase is
 * refused), so like fuses it survives every reset, power cut and reflash of
 * the board's flash. Library dfukit_board_otp.
 */
#ifndef DFUKIT_HOST_BOARD_OTP_H
#define DFUKIT_HOST_BOARD_OTP_H

#include <dfukit/board_profile.h>
#include <dfukit/host/flash_file.h>
#include <dfukit/security_counter.h>

#define BOARD_OTP_SIZE 4096u

struct board_otp {
	struct flash_geometry geo;
	struct flash_file file;
	struct flash_dev dev; /* the file's device, erase refused */
	struct flash_area fa;
	struct boot_otp_counter counter;
	struct boot_security_counter store;
};

/*
 * Open (create when missing) flash_path + ".otp" for board bp; otp->store
 * is then the bootloader's security counter store. 0 or a negative errno.
 */
int board_otp_open(struct board_otp *otp, const char *flash_path, const struct board_profile *bp);
void board_otp_close(struct board_otp *otp);

#endif /* DFUKIT_HOST_BOARD_OTP_H */
