/* SPDX-License-Identifier: Apache-2.0 */
/* Test rig: a board's simulated flash, its two slots and a log capture. */
#ifndef TEST_RIG_H
#define TEST_RIG_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dfukit/board_profile.h>
#include <dfukit/boot.h>
#include <dfukit/flash.h>

#include "test_image.h"

#define RIG_LOG_LINES 48

struct rig {
	const struct board_profile *bp;
	struct flash_sim sim;
	uint8_t *mem;
	struct flash_area pri;
	struct flash_area sec;
	struct boot_config cfg;
	char log[RIG_LOG_LINES][128];
	int nlog;
	bool echo;
};

static inline void rig_log(void *ctx, char level, const char *line)
{
	struct rig *r = ctx;

	if (r->nlog < RIG_LOG_LINES) {
		snprintf(r->log[r->nlog++], sizeof(r->log[0]), "%c: %s", level, line);
	}
	if (r->echo) {
		printf("    %c: %s\n", level, line);
	}
}

static inline int rig_init(struct rig *r, const struct board_profile *bp)
{
	memset(r, 0, sizeof(*r));
	r->bp = bp;
	r->mem = malloc(bp->flash.size);
	if (r->mem == NULL ||
	    flash_sim_init(&r->sim, &bp->flash, r->mem, bp->flash.size, bp->sim_flags) != 0) {
		return -1;
	}
	flash_sim_format(&r->sim);
	flash_sim_set_timing(&r->sim, &bp->timing, NULL, NULL);
	if (board_profile_slots(bp, &r->sim.dev, &r->pri, &r->sec) != 0) {
		return -1;
	}
	r->cfg.primary = &r->pri;
	r->cfg.secondary = &r->sec;
	r->cfg.validate = timg_validate;
	r->cfg.log = rig_log;
	r->cfg.log_ctx = r;
	return 0;
}

static inline void rig_free(struct rig *r)
{
	free(r->mem);
	r->mem = NULL;
}

static inline int rig_boot(struct rig *r, struct boot_result *res)
{
	r->nlog = 0;
	return boot_go(&r->cfg, res);
}

static inline bool rig_log_has(const struct rig *r, const char *s)
{
	for (int i = 0; i < r->nlog; i++) {
		if (strstr(r->log[i], s) != NULL) {
			return true;
		}
	}
	return false;
}

/* major version of the valid image in fa, 0 if none, -1 if invalid */
static inline int rig_version(const struct flash_area *fa)
{
	struct boot_image_info info;
	int rc = timg_validate(NULL, fa, &info);

	if (rc == -ENOENT) {
		return 0;
	}
	return rc == 0 ? info.major : -1;
}

#endif
