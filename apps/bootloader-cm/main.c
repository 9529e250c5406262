/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Cortex-M bootloader image: dfukit's boot core (swap-using-move, MCUboot
 * trailer), MCUboot image validation (SHA-256 + ECDSA-P256 through a minimal
 * mbedTLS) and the flash layer, over the null flash port. It is linked at the
 * board's mcuboot partition with the partition's size as FLASH length, so the
 * link itself proves that it fits (scripts/cortex-m-sizes.sh).
 *
 * What a chip port adds: a flash driver in place of null_flash_ops, and
 * optionally a log sink. The jump is the real Cortex-M one.
 */
#include <errno.h>
#include <stdint.h>

#include "dfukit/board_profile.h"
#include "dfukit/boot_image.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "null_udc.h"

#ifndef BOOT_BOARD
#error "BOOT_BOARD (a struct board_profile) must be defined"
#endif
/* mbedTLS bignums allocate; ECDSA-P256 verification peaks well below this. */
#define BOOT_CRYPTO_HEAP 6144u

extern const uint8_t boot_key_der[];
extern const uint32_t boot_key_der_len;

static int validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	const struct dfukit_image_key key = {
		.type = DFUKIT_IMAGE_KEY_ECDSA_P256, .der = boot_key_der, .len = boot_key_der_len};
	(void)ctx;
	return boot_image_validate(slot, &key, 1, out, NULL);
}

/* Start the image: its vector table follows the header. */
__attribute__((noreturn)) static void jump(uint32_t vectors)
{
	const volatile uint32_t *vt = (const volatile uint32_t *)(uintptr_t)vectors;
	uint32_t sp = vt[0], pc = vt[1];
	*(volatile uint32_t *)0xE000ED08u = vectors; /* SCB->VTOR */
	__asm__ volatile("msr msp, %0\n\tbx %1" : : "r"(sp), "r"(pc) : "memory");
	__builtin_unreachable();
}

int main(void)
{
	static uint8_t crypto_heap[BOOT_CRYPTO_HEAP];
	const struct board_profile *bp = &BOOT_BOARD;
	const struct flash_dev dev = {.ops = &null_flash_ops, .ctx = NULL, .geo = &bp->flash};
	struct flash_area slot0, slot1;
	struct boot_result res;

	mbedtls_memory_buffer_alloc_init(crypto_heap, sizeof(crypto_heap));
	if (board_profile_slots(bp, &dev, &slot0, &slot1) < 0) {
		return 1;
	}
	const struct boot_config cfg = {
		.primary = &slot0,
		.secondary = &slot1,
		.validate = validate,
	};
	if (boot_go(&cfg, &res) < 0) {
		return 1; /* nothing bootable: the start-up code parks */
	}
	jump(bp->flash_base + res.offset + res.image.hdr_size);
}
