/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hardware rollback protection (MCUboot's MCUBOOT_HW_ROLLBACK_PROT): a
 * monotonic security counter kept in a protected store, which boot_go()
 * checks every image against and raises once an image is confirmed
 * (boot_config.security_counter, dfukit/boot.h).
 *
 * The store is two calls; a chip port implements them over its OTP fuses or
 * monotonic counters. read: the stored value (0 on a blank store). raise:
 * make the stored value at least value, never lower it; a value not above
 * the stored one changes nothing. Both 0 or a negative errno (-EIO after a
 * power cut).
 *
 * boot_otp_counter is one over an area of emulated one-time-programmable
 * memory: a flash area whose bits only go from 1 to 0 and that is never
 * erased (the virtual board's FLASH.otp file, a test's region of a
 * simulated flash). It is an append-only log of records, each R = max(8,
 * write block) bytes at R * i:
 *
 *   u32 LE value, u32 LE ~value, then erased bytes up to R
 *
 * A record counts only when its second word is the complement of its first.
 * The stored value is the largest counting record (0 if none); raise writes
 * a new record into the first record that is still all erased. A torn
 * record write only clears some of the bits it meant to clear, so it can
 * never read as a counting record of another value (a word that lacks some
 * of its cleared bits has extra ones, and so does the other word: they
 * cannot be complements); it is skipped and the next raise takes the next
 * record. A power cut therefore never lowers the value nor leaves the store
 * unreadable. An area of S bytes holds S / R raises; then raise returns
 * -ENOSPC.
 */
#ifndef DFUKIT_SECURITY_COUNTER_H
#define DFUKIT_SECURITY_COUNTER_H

#include <stdint.h>

#include <dfukit/flash.h>

struct boot_security_counter {
	int (*read)(void *ctx, uint32_t *value);
	int (*raise)(void *ctx, uint32_t value);
	void *ctx;
};

struct boot_otp_counter {
	const struct flash_area *fa;
	uint32_t record; /* R */
};

/*
 * Use fa (erased value 0xff, write block 1..32) as an OTP counter store and
 * fill *out to reach it through c. -EINVAL for an area that holds no record.
 */
int boot_otp_counter_init(struct boot_otp_counter *c, const struct flash_area *fa,
			  struct boot_security_counter *out);
/* The store's calls for ctx = struct boot_otp_counter *. */
int boot_otp_counter_read(void *ctx, uint32_t *value);
int boot_otp_counter_raise(void *ctx, uint32_t value);

#endif /* DFUKIT_SECURITY_COUNTER_H */
