/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test rig (rig.h) with a security counter store: an emulated OTP area
 * in the last sector of the board's simulated flash (outside both slots, so
 * the power-cut injector counts its writes with the slots' operations), and
 * a validate that gives each test image the security counter = its major
 * version (test_image.h images carry no TLVs of their own), but for one
 * major version that may be given another counter (odd_major, odd_counter:
 * a newer image below the store).
 */
#ifndef TEST_SECCNT_RIG_H
#define TEST_SECCNT_RIG_H

#include <dfukit/fih.h>
#include <dfukit/security_counter.h>

#include "rig.h"

struct seccnt_rig {
	struct rig r;
	struct flash_area otp_fa;
	struct boot_otp_counter otp;
	struct boot_security_counter store;
	bool no_counter;      /* images carry no security counter */
	uint8_t odd_major;    /* images of this major version (0: none) ... */
	uint32_t odd_counter; /* ... carry this counter */
};

static inline int seccnt_validate(void *ctx, const struct flash_area *slot,
				  struct boot_image_info *out)
{
	const struct seccnt_rig *s = ctx;
	int rc = timg_validate(NULL, slot, out);

	if (rc == 0) {
		out->verdict = FIH_SUCCESS; /* as if hash and signature verified */
	}
	if (rc == 0 && !s->no_counter) {
		out->has_security_counter = true;
		out->security_counter = out->major == s->odd_major ? s->odd_counter : out->major;
	}
	return rc;
}

static inline int seccnt_rig_init(struct seccnt_rig *s, const struct board_profile *bp)
{
	memset(s, 0, sizeof(*s));
	if (rig_init(&s->r, bp) != 0) {
		return -1;
	}
	uint32_t sz = bp->flash.sector_size;

	if (flash_area_init(&s->otp_fa, &s->r.sim.dev, bp->flash.size - sz, sz) != 0 ||
	    boot_otp_counter_init(&s->otp, &s->otp_fa, &s->store) != 0) {
		return -1;
	}
	s->r.cfg.validate = seccnt_validate;
	s->r.cfg.validate_ctx = s;
	s->r.cfg.security_counter = &s->store;
	return 0;
}

/* The stored counter (fails the test if it cannot be read). */
static inline uint32_t seccnt_stored(const struct seccnt_rig *s)
{
	uint32_t v = 0xdeadbeefu;

	if (s->store.read(s->store.ctx, &v) != 0) {
		return 0xdeadbeefu;
	}
	return v;
}

#endif
