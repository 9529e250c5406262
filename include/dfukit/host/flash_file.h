/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host-only (POSIX): the file-backed simulated flash, library dfukit_flash_file
 * (dfukit::flash_file). Installed with the host libraries only; portable code
 * uses <dfukit/flash.h>.
 */
#ifndef DFUKIT_HOST_FLASH_FILE_H
#define DFUKIT_HOST_FLASH_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <dfukit/flash.h>

/*
 * A simulated flash whose memory is a shared mmap of a file, so a board's
 * flash survives restarts. All simulation features (NOR rules, cut injector,
 * timing) apply.
 *
 * File format: the geo->size bytes of flash, then a FLASH_FILE_TRAILER_SIZE
 * byte trailer outside the emulated flash that marks the file as a dfukit
 * flash file and records its geometry: "DFUKIT-FLASH\n\0\0\0" (16 bytes), then
 * little-endian u32s: format version (1), size, write block, sector count,
 * erased value; the rest is zero.
 *
 * flash_file_open() creates a missing or empty file (all erased, with its
 * trailer), accepts a file with a valid trailer for geo, and adopts a file of
 * exactly geo->size bytes without a trailer (what dfukit wrote before the
 * trailer existed) by appending the trailer. Anything else (another size, a
 * trailer for another geometry) is refused with -EINVAL and left untouched.
 */
#define FLASH_FILE_TRAILER_SIZE 64u

enum flash_file_kind {
	FLASH_FILE_ABSENT = 0,  /* no such file */
	FLASH_FILE_EMPTY = 1,   /* 0 bytes: created but never written */
	FLASH_FILE_DFUKIT = 2,  /* a dfukit flash file for this geometry */
	FLASH_FILE_LEGACY = 3,  /* exactly geo->size bytes, no trailer (old dfukit file) */
	FLASH_FILE_FOREIGN = 4, /* not a dfukit flash file for this geometry */
};

/*
 * What path is for geo (an enum flash_file_kind), or a negative errno if it
 * cannot be examined. For FLASH_FILE_FOREIGN, why (if not NULL) says what is
 * wrong with it in a few words. Nothing is changed.
 */
int flash_file_probe(const char *path, const struct flash_geometry *geo, char *why, size_t why_len);

struct flash_file {
	struct flash_sim sim;
	int fd;
	uint8_t *map;
	uint32_t size;
};

int flash_file_open(struct flash_file *ff, const char *path, const struct flash_geometry *geo,
		    uint32_t flags);
/* Flush the mapping to the file. */
int flash_file_sync(struct flash_file *ff);
/* Sync, unmap, close. */
int flash_file_close(struct flash_file *ff);

#endif /* DFUKIT_HOST_FLASH_FILE_H */
