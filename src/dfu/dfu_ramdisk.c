/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "dfukit/dfu_ramdisk.h"

static int ramdisk_begin(void *ctx)
{
	struct dfu_ramdisk *disk = ctx;
	disk->written = 0;
	return 0;
}

static int ramdisk_write(void *ctx, uint32_t offset, const uint8_t *data, uint16_t len,
			 uint16_t block_num)
{
	struct dfu_ramdisk *disk = ctx;
	(void)block_num; /* stored by the device-counted offset */
	/* Refuse the whole block rather than store a part of it. */
	if (offset > disk->size || len > disk->size - offset) {
		return -ENOSPC;
	}
	memcpy(disk->mem + offset, data, len);
	disk->written = offset + len;
	return 0;
}

static int ramdisk_read(void *ctx, uint32_t offset, uint8_t *data, uint16_t len, uint16_t block_num)
{
	struct dfu_ramdisk *disk = ctx;
	(void)block_num;
	if (offset >= disk->size) {
		return 0;
	}
	uint32_t n = disk->size - offset < len ? disk->size - offset : len;
	memcpy(data, disk->mem + offset, n);
	return (int)n;
}

const struct dfu_backend_ops dfu_ramdisk_ops = {
	.dnload_begin = ramdisk_begin,
	.write = ramdisk_write,
	.read = ramdisk_read,
};

void dfu_ramdisk_init(struct dfu_ramdisk *disk, uint8_t *mem, uint32_t size)
{
	disk->mem = mem;
	disk->size = size;
	disk->written = 0;
}
