/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulated boards' one-time-programmable area, for the bootloader's
 * security counter (dfukit/security_counter.h, boot_otp_counter): MPS2_OTP_SIZE
 * bytes in a file the board names on the command line ("otp=PATH", made
 * all 0xff by whoever creates it). Reads and programs go through the
 * portable flash simulation (NOR rules: bits only go from 1 to 0) over a RAM
 * copy, each program written through to the file with semihosting; erasing
 * is refused (-EPERM), as on the chips' OTP. Like the virtual board's
 * FLASH.otp (dfukit/host/board_otp.h).
 */
#ifndef DFUKIT_OTP_MPS2_H
#define DFUKIT_OTP_MPS2_H

#include <stdint.h>

#include "dfukit/board_profile.h"
#include "dfukit/flash.h"

#define MPS2_OTP_SIZE 1024u

struct mps2_otp {
	uint8_t mem[MPS2_OTP_SIZE];
	struct flash_geometry geo;
	struct flash_sim sim;
	/* Hand &fa to users: the simulation plus the write-through, erase refused. */
	struct flash_dev dev;
	struct flash_area fa;
	int fd;
};

/* 0, or -ENOENT (no otp= argument, or no such file), -EINVAL, -EIO. */
int mps2_otp_open(struct mps2_otp *o, const struct board_profile *bp);

#endif /* DFUKIT_OTP_MPS2_H */
