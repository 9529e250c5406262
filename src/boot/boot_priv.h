/* SPDX-License-Identifier: Apache-2.0 */
/* Private helpers shared by the boot sources. */
#ifndef DFUKIT_BOOT_PRIV_H
#define DFUKIT_BOOT_PRIV_H

#include <dfukit/boot.h>

/* a must be a power of two */
#define ALIGN_UP(v, a)   (((v) + ((a)-1u)) & ~((a)-1u))
#define ALIGN_DOWN(v, a) ((v) & ~((a)-1u))

/* Largest supported max_align (MCUboot allows 8..32). */
#define BOOT_MAX_ALIGN_LIMIT 32u

/* Write len (<= M) bytes of val at off, padded with the erased value to A. */
int boot_write_field(const struct flash_area *fa, const struct boot_trailer_layout *lay,
		     uint32_t off, const void *val, uint32_t len);

#endif /* DFUKIT_BOOT_PRIV_H */
