/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RAM-disk DFU backend: the seed's `ramdisk0`. Downloads write into a
 * caller-owned buffer, uploads read the whole disk back.
 */
#ifndef DFUKIT_DFU_RAMDISK_H
#define DFUKIT_DFU_RAMDISK_H

#include <stdint.h>

#include "dfukit/dfu.h"

/* The default disk: 64 KiB, as the seed's ramdisk0 disk-access device. */
#define DFU_RAMDISK_DEFAULT_SIZE (64u * 1024u)

struct dfu_ramdisk {
	uint8_t *mem;
	uint32_t size;
	uint32_t written; /* bytes of the last (or current) download */
};

extern const struct dfu_backend_ops dfu_ramdisk_ops;

void dfu_ramdisk_init(struct dfu_ramdisk *disk, uint8_t *mem, uint32_t size);

#endif /* DFUKIT_DFU_RAMDISK_H */
