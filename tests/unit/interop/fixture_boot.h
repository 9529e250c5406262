/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the boot-level tests: validation with imgtool's fixture keys,
 * and the interop tests' fixture (two 0x60000 slots of simulated flash, as
 * the imgtool vectors were signed for, with the keys and a log capture).
 */
#ifndef DFUKIT_TEST_FIXTURE_BOOT_H
#define DFUKIT_TEST_FIXTURE_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../image/image_fixture.h"
#include "dfukit/boot.h"
#include "dfukit/boot_image.h"
#include "dfukit/flash.h"

struct fixture_keys {
	struct dfukit_image_key keys[2];
	uint8_t *der[2];
};

static inline void fixture_keys_load(struct fixture_keys *k)
{
	size_t n = 0;
	k->der[0] = fixture_load("keys/ecdsa-p256.pub.der", &n);
	assert_non_null(k->der[0]);
	k->keys[0] = (struct dfukit_image_key){DFUKIT_IMAGE_KEY_ECDSA_P256, k->der[0], (uint32_t)n};
	k->der[1] = fixture_load("keys/rsa-2048.pub.der", &n);
	assert_non_null(k->der[1]);
	k->keys[1] = (struct dfukit_image_key){DFUKIT_IMAGE_KEY_RSA2048, k->der[1], (uint32_t)n};
}

static inline void fixture_keys_free(struct fixture_keys *k)
{
	free(k->der[0]);
	free(k->der[1]);
}

/* A boot_validate_fn; ctx is a struct fixture_keys. */
static inline int fixture_validate(void *ctx, const struct flash_area *slot,
				   struct boot_image_info *out)
{
	struct fixture_keys *k = ctx;
	return boot_image_validate(slot, k->keys, 2, out, NULL);
}

#define INTEROP_SLOT_SIZE 0x60000u /* the vectors were signed with --slot-size 0x60000 */
#define INTEROP_LOG_LINES 8

/* slot 0 at 0, slot 1 at INTEROP_SLOT_SIZE; cfg boots them (set its mode) */
struct interop_rig {
	struct flash_geometry geo;
	struct flash_sim sim;
	struct flash_area primary, secondary;
	struct fixture_keys keys;
	struct boot_config cfg;
	char log[INTEROP_LOG_LINES][128];
	int nlog;
	uint8_t mem[2 * INTEROP_SLOT_SIZE];
};

static inline void interop_log(void *ctx, char level, const char *line)
{
	struct interop_rig *r = ctx;

	if (r->nlog < INTEROP_LOG_LINES) {
		snprintf(r->log[r->nlog++], sizeof(r->log[0]), "%c: %s", level, line);
	}
}

/* 16-byte write blocks are write-once (quad-word programming, as on the U575) */
static inline void interop_rig_init(struct interop_rig *r, uint32_t sector, uint32_t write_block)
{
	memset(r, 0, offsetof(struct interop_rig, mem));
	r->geo = (struct flash_geometry){.size = sizeof(r->mem),
					 .write_block = write_block,
					 .erased_val = 0xff,
					 .sector_size = sector};
	assert_int_equal(flash_sim_init(&r->sim, &r->geo, r->mem, sizeof(r->mem),
					write_block == 16 ? FLASH_SIM_F_WRITE_ONCE : 0),
			 0);
	flash_sim_format(&r->sim);
	assert_int_equal(flash_area_init(&r->primary, &r->sim.dev, 0, INTEROP_SLOT_SIZE), 0);
	assert_int_equal(
		flash_area_init(&r->secondary, &r->sim.dev, INTEROP_SLOT_SIZE, INTEROP_SLOT_SIZE),
		0);
	fixture_keys_load(&r->keys);
	r->cfg = (struct boot_config){.primary = &r->primary,
				      .secondary = &r->secondary,
				      .validate = fixture_validate,
				      .validate_ctx = &r->keys,
				      .log = interop_log,
				      .log_ctx = r};
}

static inline void interop_rig_free(struct interop_rig *r)
{
	fixture_keys_free(&r->keys);
}

/*
 * Program a file into an area, as a debug probe (or a finished download)
 * would, padded to the write block; returns the file (the caller frees it).
 */
static inline uint8_t *interop_program(struct interop_rig *r, const struct flash_area *fa,
				       const char *rel, size_t *len)
{
	*len = 0; /* set even if the load fails: -O3 cannot see cmocka's assert end the test */
	uint8_t *img = fixture_load(rel, len);
	assert_non_null(img);
	assert_true(*len <= fa->size);
	uint32_t wb = r->geo.write_block;
	size_t padded = (*len + wb - 1) / wb * wb;
	uint8_t *buf = malloc(padded);
	memset(buf, 0xff, padded);
	memcpy(buf, img, *len);
	assert_int_equal(flash_area_write(fa, 0, buf, (uint32_t)padded), 0);
	free(buf);
	return img;
}

static inline int interop_boot(struct interop_rig *r, struct boot_result *res)
{
	r->nlog = 0;
	return boot_go(&r->cfg, res);
}

/* the last boot logged exactly this line */
static inline bool interop_has_line(const struct interop_rig *r, const char *s)
{
	for (int i = 0; i < r->nlog; i++) {
		if (strcmp(r->log[i], s) == 0) {
			return true;
		}
	}
	return false;
}

#endif /* DFUKIT_TEST_FIXTURE_BOOT_H */
