/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The security counter store over emulated OTP: an append-only log of
 * value / ~value records (format and power-cut argument in
 * dfukit/security_counter.h). Nothing here erases.
 */
#include <dfukit/security_counter.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <dfukit/wire.h>

#define OTP_RECORD_MAX 32u

int boot_otp_counter_init(struct boot_otp_counter *c, const struct flash_area *fa,
			  struct boot_security_counter *out)
{
	if (c == NULL || fa == NULL || out == NULL) {
		return -EINVAL;
	}
	uint32_t a = flash_area_align(fa);
	uint32_t r = a < 8u ? 8u : a;

	if (r > OTP_RECORD_MAX || (a & (a - 1u)) != 0u || fa->size < r ||
	    flash_area_erased_val(fa) != 0xffu) {
		return -EINVAL;
	}
	c->fa = fa;
	c->record = r;
	out->read = boot_otp_counter_read;
	out->raise = boot_otp_counter_raise;
	out->ctx = c;
	return 0;
}

/* The largest counting record in *value and the first blank record in *blank. */
static int otp_scan(const struct boot_otp_counter *c, uint32_t *value, uint32_t *blank)
{
	uint8_t rec[OTP_RECORD_MAX];
	uint32_t n = c->fa->size / c->record;

	*value = 0;
	*blank = n;
	for (uint32_t i = 0; i < n; i++) {
		int rc = flash_area_read(c->fa, i * c->record, rec, c->record);

		if (rc != 0) {
			return rc;
		}
		uint32_t v = wire_get_le32(rec);
		uint32_t inv = wire_get_le32(rec + 4);
		bool erased = true;

		for (uint32_t k = 0; k < c->record; k++) {
			erased = erased && rec[k] == 0xffu;
		}
		if (erased && *blank == n) {
			*blank = i;
		}
		if (v == (uint32_t)~inv && v > *value) {
			*value = v;
		}
	}
	return 0;
}

int boot_otp_counter_read(void *ctx, uint32_t *value)
{
	const struct boot_otp_counter *c = ctx;
	uint32_t blank;

	if (c == NULL || c->fa == NULL || value == NULL) {
		return -EINVAL;
	}
	return otp_scan(c, value, &blank);
}

int boot_otp_counter_raise(void *ctx, uint32_t value)
{
	const struct boot_otp_counter *c = ctx;
	uint8_t rec[OTP_RECORD_MAX];
	uint32_t cur;
	uint32_t blank;

	if (c == NULL || c->fa == NULL) {
		return -EINVAL;
	}
	int rc = otp_scan(c, &cur, &blank);

	if (rc != 0 || value <= cur) {
		return rc;
	}
	if (blank >= c->fa->size / c->record) {
		return -ENOSPC;
	}
	memset(rec, 0xff, sizeof(rec));
	wire_put_le32(rec, value);
	wire_put_le32(rec + 4, ~value);
	return flash_area_write(c->fa, blank * c->record, rec, c->record);
}
