/* SPDX-License-Identifier: Apache-2.0 */
#include "flash_mps2.h"

#include <errno.h>
#include <stdlib.h>

#include "mps2.h"
#include "semihost.h"

static uint8_t *window(void)
{
	return (uint8_t *)(uintptr_t)MPS2_FLASH_DATA;
}

static int read_through(void *ctx, uint32_t off, void *dst, uint32_t len)
{
	struct mps2_flash *f = ctx;
	return flash_dev_read(&f->sim.dev, off, dst, len);
}

/* The file gets what the memory holds after the operation, torn or not. */
static int mirror(struct mps2_flash *f, uint32_t off, uint32_t len)
{
	int rc = semihost_pwrite(f->fd, f->file_offset + off, window() + off, len);
	if (flash_sim_is_off(&f->sim)) {
		semihost_exit(MPS2_EXIT_POWER_CUT);
	}
	return rc;
}

static int write_through(void *ctx, uint32_t off, const void *src, uint32_t len)
{
	struct mps2_flash *f = ctx;
	int rc = flash_dev_write(&f->sim.dev, off, src, len);
	return rc < 0 && !flash_sim_is_off(&f->sim) ? rc : mirror(f, off, len);
}

static int erase_through(void *ctx, uint32_t off, uint32_t len)
{
	struct mps2_flash *f = ctx;
	int rc = flash_dev_erase(&f->sim.dev, off, len);
	return rc < 0 && !flash_sim_is_off(&f->sim) ? rc : mirror(f, off, len);
}

static const struct flash_ops mps2_flash_ops = {
	.read = read_through,
	.write = write_through,
	.erase = erase_through,
};

/* The test's power cut, if the board asked for one. */
static void arm_cut(struct mps2_flash *f, const char *cmdline)
{
	char num[16];
	if (semihost_arg(cmdline, "cut-at", num, sizeof(num)) < 0) {
		return;
	}
	uint32_t op = (uint32_t)strtoul(num, NULL, 0);
	enum flash_sim_tear tear = FLASH_SIM_TEAR_PREFIX;
	if (semihost_arg(cmdline, "cut-tear", num, sizeof(num)) == 0) {
		tear = (enum flash_sim_tear)strtoul(num, NULL, 0);
	}
	flash_sim_cut_at(&f->sim, op, tear);
}

int mps2_flash_open(struct mps2_flash *f, const struct board_profile *bp)
{
	char cmdline[256], path[224], offset[16];
	if (bp->flash.size > MPS2_FLASH_WINDOW) {
		return -EINVAL;
	}
	if (semihost_cmdline(cmdline, sizeof(cmdline)) < 0 ||
	    semihost_arg(cmdline, "flash", path, sizeof(path)) < 0) {
		return -ENOENT;
	}
	f->file_offset = 0;
	if (semihost_arg(cmdline, "flash-offset", offset, sizeof(offset)) == 0) {
		f->file_offset = (uint32_t)strtoul(offset, NULL, 0);
	}
	int rc = flash_sim_init(&f->sim, &bp->flash, window(), bp->flash.size, bp->sim_flags);
	if (rc < 0) {
		return rc;
	}
	f->fd = semihost_open(path, SEMIHOST_MODE_RW_BINARY);
	if (f->fd < 0) {
		return f->fd;
	}
	f->dev = (struct flash_dev){
		.ops = &mps2_flash_ops, .ctx = f, .geo = &bp->flash, .mapped = f->sim.dev.mapped};
	arm_cut(f, cmdline);
	return 0;
}
