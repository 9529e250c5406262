/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The factory programmer's part: the bootloader in the board's boot
 * partition, exactly, written through the flash file's NOR rules. Nothing
 * outside the boot partition is read or written.
 */
#ifndef DFUKIT_EMU_BOOTPROG_H
#define DFUKIT_EMU_BOOTPROG_H

#include <stdbool.h>

#include "dfukit/board_profile.h"

/*
 * If the boot partition of the flash file at flash_path does not hold
 * exactly the image at image_path (then erased bytes to its end), erase the
 * partition and program the image. *programmed says whether it did.
 * Returns 0 or a negative errno, with a message on stderr.
 */
int emu_program_boot(const struct board_profile *bp, const char *flash_path, const char *image_path,
		     bool *programmed);

#endif /* DFUKIT_EMU_BOOTPROG_H */
