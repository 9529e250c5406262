/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Cortex-M bootloader: dfukit's boot core (the -DDFUKIT_BOOT_MODE
 * strategy, MCUboot trailer), MCUboot image validation (SHA-256 + RSA-2048 or ECDSA-P256,
 * DFUKIT_SIGNATURES, through a minimal mbedTLS), encrypted updates with
 * DFUKIT_ENC_KEY (BOOT_ENC), the security counter in OTP with
 * DFUKIT_SECURITY_COUNTER (BOOT_SECCNT), and the flash layer, over a chip port (boot_port.h). It is linked
 * at the board's mcuboot partition with the partition's size as FLASH
 * length, so the link itself proves that it fits.
 *
 * Two builds: bootloader-<board> over the null port (link-only, what
 * scripts/cortex-m-sizes.sh reports) and bootloader-mps2-<board>, which runs
 * on the emulated boards. The jump is the real Cortex-M one in both.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "boot_port.h"
#include "dfukit/port/board_image.h"
#include "dfukit/boot_image.h"
#include "dfukit/fih.h"
#if defined(BOOT_MBEDTLS_HEAP)
#include "mbedtls/memory_buffer_alloc.h"
#endif
#if defined(BOOT_ENC)
#include "dfukit/boot_enc.h"
#endif
#if defined(BOOT_SECCNT)
#include "dfukit/security_counter.h"
#endif

/* The upgrade strategy: -DDFUKIT_BOOT_MODE, -DDFUKIT_DOWNGRADE_PREVENTION at configure. */
#ifndef BOOT_MODE
#define BOOT_MODE BOOT_MODE_SWAP_MOVE
#endif
#ifndef BOOT_DOWNGRADE_PREVENTION
#define BOOT_DOWNGRADE_PREVENTION 0
#endif
#ifndef BOOT_BOARD
#error "BOOT_BOARD (a struct board_profile) must be defined"
#endif
/* Ram-load's executable RAM (CMakeLists.txt): the image's header, then its code. */
#if !defined(BOOT_EXEC_RAM) || !defined(BOOT_EXEC_RAM_SIZE)
#error "BOOT_EXEC_RAM and BOOT_EXEC_RAM_SIZE must be defined"
#endif
#define BOOT_RAM_LOAD (BOOT_MODE == BOOT_MODE_RAM_LOAD)
/*
 * mbedTLS bignums allocate; RSA-2048 and ECDSA-P256 verification peak below
 * 6 KiB, the private-key parse and unwrap of a decrypting build (BOOT_ENC)
 * below 9 KiB. BOOT_MBEDTLS_HEAP (CMakeLists.txt): the build links mbedTLS's
 * bignums (DFUKIT_CRYPTO=mbedtls, RSA-2048, or BOOT_ENC); BearSSL allocates
 * nothing.
 */
#if defined(BOOT_ENC)
#define BOOT_CRYPTO_HEAP 9216u
#else
#define BOOT_CRYPTO_HEAP 6144u
#endif

#if defined(BOOT_ENC)
/*
 * A decrypting build (DFUKIT_ENC_KEY): the secondary slot holds updates
 * encrypted and is validated over the body decrypted with the board's key
 * (port/board), the primary as stored; boot_go() swaps with cfg.enc.
 */
struct boot_decrypt {
	struct boot_enc_device dev;
	const struct flash_area *secondary;
};

static int validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	const struct boot_decrypt *d = ctx;

	return boot_image_validate_enc(slot, slot == d->secondary, &d->dev.enc, board_trusted_keys,
				       board_trusted_key_count, out, NULL);
}
#else
/* The keys of DFUKIT_TRUSTED_KEYS (port/board), as the DFU sample checks SLOT-1 with. */
static int validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	(void)ctx;
	return boot_image_validate(slot, board_trusted_keys, board_trusted_key_count, out, NULL);
}
#endif

/*
 * What was verified is what runs: the reset handler (a Thumb address) must lie
 * in the body of the image whose verdict the jump was granted on.
 */
static bool entry_in_image(uint32_t vectors, const struct boot_image_info *img)
{
	const volatile uint32_t *vt = (const volatile uint32_t *)(uintptr_t)vectors;
	uint32_t pc = vt[1];
	uint32_t body = img->img_size;

	return (pc & 1u) != 0 && pc - 1u >= vectors && pc - 1u - vectors < body;
}

/* Ram-load: the copy lies inside the executable RAM (other modes: nothing to check). */
static bool loaded_in_ram(const struct boot_result *res)
{
	uint32_t off = res->load_addr - BOOT_EXEC_RAM;

	return !BOOT_RAM_LOAD ||
	       (res->load_addr >= BOOT_EXEC_RAM && off <= BOOT_EXEC_RAM_SIZE &&
		res->load_size <= BOOT_EXEC_RAM_SIZE - off && res->image.hdr_size < res->load_size);
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
#if defined(BOOT_MBEDTLS_HEAP)
	static uint8_t crypto_heap[BOOT_CRYPTO_HEAP];
#endif
	const struct board_profile *bp = &BOOT_BOARD;
	struct boot_port port;
	struct flash_area slot0, slot1;
	struct boot_result res = {.image.verdict = FIH_FAILURE};

	const struct flash_dev *dev = boot_port_init(&port, bp);
	if (dev == NULL || board_profile_slots(bp, dev, &slot0, &slot1) < 0) {
		boot_port_halt();
	}
#if defined(BOOT_MBEDTLS_HEAP)
	mbedtls_memory_buffer_alloc_init(crypto_heap, sizeof(crypto_heap));
#endif
#if defined(BOOT_ENC)
	struct boot_decrypt decrypt = {.secondary = &slot1};
	if (board_enc_init(&decrypt.dev) < 0) {
		boot_port_halt(); /* built to decrypt, but without a key: cannot be */
	}
#endif
#if defined(BOOT_SECCNT)
	/* Hardware rollback protection: the counter in the chip's OTP (boot_port_otp). */
	const struct flash_area *otp;
	struct boot_otp_counter otp_counter;
	struct boot_security_counter seccnt;
	if (boot_port_otp(&port, bp, &otp) < 0 ||
	    boot_otp_counter_init(&otp_counter, otp, &seccnt) < 0) {
		boot_port_log(&port, 'E', "Security counter: no OTP area to keep it in");
		boot_port_halt();
	}
#endif
	const struct boot_config cfg = {
		.primary = &slot0,
		.secondary = &slot1,
		.validate = validate,
#if defined(BOOT_ENC)
		.validate_ctx = &decrypt,
		.enc = &decrypt.dev.enc,
#endif
#if defined(BOOT_SECCNT)
		.security_counter = &seccnt,
#endif
		.log = boot_port_log,
		.log_ctx = &port,
		.mode = BOOT_MODE,
		.downgrade_prevention = BOOT_DOWNGRADE_PREVENTION != 0,
		/* the RAM is its own device address: the copy runs where it was checked */
		.ram = {(uint8_t *)(uintptr_t)BOOT_EXEC_RAM, BOOT_EXEC_RAM, BOOT_EXEC_RAM_SIZE},
	};
	if (boot_go(&cfg, &res) < 0) {
		boot_port_halt(); /* boot_go said why ("Unable to find bootable image") */
	}
	/*
	 * The jump is granted on the verdict of the validation of the slot it
	 * goes to alone (fih.h): slot 0, or in direct-xip the slot boot_go()
	 * chose and validated last, in ram-load that slot's copy in RAM. Its
	 * number and offset must agree, so one lost store cannot send the jump
	 * to the other slot.
	 */
	FIH_REQUIRE(res.image.verdict, boot_port_halt());
	const struct flash_area *run = res.slot == 1u ? &slot1 : &slot0;
	uint32_t vectors = BOOT_RAM_LOAD ? res.load_addr + res.image.hdr_size
					 : boot_port_flash_base(bp) + run->off + res.image.hdr_size;
	bool equal_slots = BOOT_MODE == BOOT_MODE_DIRECT_XIP || BOOT_RAM_LOAD;
	if (res.slot > (equal_slots ? 1u : 0u) || res.offset != run->off || !loaded_in_ram(&res) ||
	    !entry_in_image(vectors, &res.image)) {
		boot_port_halt();
	}
	boot_port_before_jump(&port);
	FIH_REQUIRE(res.image.verdict, boot_port_halt());
	jump(vectors);
}
