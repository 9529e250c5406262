/* SPDX-License-Identifier: Apache-2.0 */
#include "bootprog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/host/flash_file.h"

/* The image, padded with erased bytes to the whole partition, into a new buffer. */
static int load_image(const struct board_profile *bp, const char *path, uint8_t **out,
		      uint32_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		int e = errno;
		fprintf(stderr, "dfukit-emu: %s: %s\n", path, strerror(e));
		return -e;
	}
	uint32_t size = bp->boot.size;
	uint8_t *buf = malloc(size);
	size_t n = buf != NULL ? fread(buf, 1, size, f) : 0;
	bool too_big = buf != NULL && n == size && fgetc(f) != EOF;
	bool failed = ferror(f) != 0;
	fclose(f);
	if (buf == NULL || n == 0 || too_big || failed) {
		fprintf(stderr, "dfukit-emu: %s: %s\n", path,
			buf == NULL ? "out of memory"
			: too_big   ? "larger than the boot partition"
				    : "empty or unreadable");
		free(buf);
		return buf == NULL ? -ENOMEM : -EINVAL;
	}
	memset(buf + n, bp->flash.erased_val, size - n);
	*out = buf;
	*len = (uint32_t)n;
	return 0;
}

/* 1 if the partition holds want (partition-sized), 0 if not, or a negative errno. */
static int holds(const struct flash_area *boot, const uint8_t *want, uint32_t size)
{
	uint8_t chunk[4096];
	for (uint32_t off = 0; off < size; off += (uint32_t)sizeof(chunk)) {
		uint32_t n = size - off < sizeof(chunk) ? size - off : (uint32_t)sizeof(chunk);
		int rc = flash_area_read(boot, off, chunk, n);
		if (rc < 0) {
			return rc;
		}
		if (memcmp(chunk, want + off, n) != 0) {
			return 0;
		}
	}
	return 1;
}

static int program(const struct flash_area *boot, const uint8_t *image, uint32_t len,
		   uint32_t write_block)
{
	int rc = flash_area_erase(boot, 0, boot->size);
	/* The padding is erased bytes: write only up to the image's last write block. */
	uint32_t padded = (len + write_block - 1u) / write_block * write_block;
	return rc < 0 ? rc : flash_area_write(boot, 0, image, padded);
}

int emu_program_boot(const struct board_profile *bp, const char *flash_path, const char *image_path,
		     bool *programmed)
{
	uint8_t *image = NULL; /* (set by load_image; -O2 cannot see that) */
	uint32_t len = 0;
	*programmed = false;
	int rc = load_image(bp, image_path, &image, &len);
	if (rc < 0) {
		return rc;
	}
	struct flash_file ff;
	struct flash_area boot;
	rc = flash_file_open(&ff, flash_path, &bp->flash, bp->sim_flags);
	if (rc < 0) {
		fprintf(stderr, "dfukit-emu: flash %s: %s\n", flash_path, strerror(-rc));
		free(image);
		return rc;
	}
	rc = flash_area_init(&boot, &ff.sim.dev, bp->boot.off, bp->boot.size);
	if (rc == 0) {
		rc = holds(&boot, image, bp->boot.size);
	}
	if (rc == 0) {
		rc = program(&boot, image, len, bp->flash.write_block);
		*programmed = rc == 0;
	}
	int crc = flash_file_close(&ff);
	rc = rc < 0 ? rc : crc;
	if (rc < 0) {
		fprintf(stderr, "dfukit-emu: programming the bootloader into %s: %s\n", flash_path,
			strerror(-rc));
	}
	free(image);
	return rc < 0 ? rc : 0;
}
