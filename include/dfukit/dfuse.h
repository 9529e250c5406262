/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DfuSe (ST's DFU extension, bcdDFUVersion 0x011A; UM0424, AN3156) for one
 * flash area exposed at a bus address: a DFU backend (struct
 * dfu_backend_ops) that speaks DfuSe's addressing instead of the plain
 * class's device-counted offsets. It is its own object (library
 * dfukit_dfuse): a device without DfuSe alternates links none of it.
 *
 *   DNLOAD block 0   a command: 0x21 A  set the address pointer to A
 *                               0x41 A  erase the page that contains A
 *                               0x41    "mass erase": erases the exposed area
 *                                       only, never flash outside it
 *                               0x92    read unprotect: refused, errTARGET
 *                                       (no read protection to remove)
 *                    other codes or lengths: errSTALLEDPKT
 *   DNLOAD block 1   refused (errSTALLEDPKT)
 *   DNLOAD block n   written at pointer + (n - 2) * stride
 *   DNLOAD length 0  "leave DFU": on_leave() (e.g. request the MCUboot
 *                    upgrade), then the device reports dfuMANIFEST until it
 *                    resets
 *   UPLOAD block 0   the supported commands: 0x00 0x21 0x41
 *   UPLOAD block 1   refused (errSTALLEDPKT)
 *   UPLOAD block n   read at pointer + (n - 2) * stride; a short (or empty)
 *                    reply at the end of the area ends the upload
 *
 * The stride is DfuSe's wTransferSize, taken from the transfer itself: the
 * wLength of the first data block after the pointer was set (or after
 * dfuIDLE). A host using the descriptor's wTransferSize gets exactly
 * DfuSe's rule; a host that picked a smaller size (dfu-util -t) is followed;
 * dfu-util's short last upload request is at the right address. A later
 * block longer than the stride is refused (errSTALLEDPKT).
 *
 * Addresses are checked against the area: a pointer, erase or block outside
 * it is refused with errADDRESS, as is a write that does not start on a
 * write block. Erase and program time follow the dfu_flash timing model
 * (struct dfu_flash_timing) when one is set, and are reported honestly as
 * bwPollTimeout; the first GETSTATUS after a command always reports
 * dfuDNBUSY (DfuSe's rule, which dfu-util checks).
 */
#ifndef DFUKIT_DFUSE_H
#define DFUKIT_DFUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/dfu.h"
#include "dfukit/dfu_flash.h" /* struct dfu_flash_timing (type only) */
#include "dfukit/flash.h"

#define DFUSE_BCD_DFU_VERSION 0x011au

enum dfuse_command {
	DFUSE_CMD_GET_COMMANDS = 0x00,
	DFUSE_CMD_SET_ADDRESS = 0x21,
	DFUSE_CMD_ERASE = 0x41,
	DFUSE_CMD_READ_UNPROTECT = 0x92,
};

struct dfuse {
	const struct flash_area *area;
	uint32_t base;    /* bus address of area offset 0 */
	uint32_t pointer; /* the address pointer (a bus address) */
	uint16_t stride;  /* bytes per wBlockNum step; 0: the next data block sets it */
	bool busy_once;   /* a command was issued: the next poll reports dfuDNBUSY */
	bool leaving;     /* on_leave() accepted: dfuMANIFEST until the reset */
	bool written;     /* erased or programmed since init or the last leave */
	const struct dfu_flash_timing *timing; /* NULL: flash operations are instant */
	uint64_t ready_at;                     /* when the flash is done (timing clock) */
	/*
	 * "Leave DFU" (zero-length DNLOAD): written says whether the area was
	 * changed. 0 accepts (the application then resets or starts the
	 * firmware); a negative errno refuses with its DFU status.
	 */
	int (*on_leave)(void *ctx, bool written);
	void *ctx;
};

extern const struct dfu_backend_ops dfuse_ops;

/*
 * Expose area at bus address base on the alternate whose backend context is
 * df. -EINVAL if the area's write block is larger than
 * DFU_FLASH_MAX_WRITE_BLOCK or base + size overflows.
 */
int dfuse_init(struct dfuse *df, const struct flash_area *area, uint32_t base,
	       int (*on_leave)(void *ctx, bool written), void *ctx);

/*
 * The alternate's name in ST's memory-layout format, e.g.
 * "@SLOT-1 /0x080F8000/116*008Kg" (runs of equal sectors, 'g': readable,
 * erasable, writable). Returns the length, or -ENOSPC if room is too small.
 */
int dfuse_layout(const struct dfuse *df, const char *name, char *out, size_t room);

#endif /* DFUKIT_DFUSE_H */
