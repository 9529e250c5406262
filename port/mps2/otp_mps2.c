/* SPDX-License-Identifier: Apache-2.0 */
#include "otp_mps2.h"

#include <errno.h>

#include "semihost.h"

static int otp_read(void *ctx, uint32_t off, void *dst, uint32_t len)
{
	struct mps2_otp *o = ctx;

	return flash_dev_read(&o->sim.dev, off, dst, len);
}

static int otp_write(void *ctx, uint32_t off, const void *src, uint32_t len)
{
	struct mps2_otp *o = ctx;
	int rc = flash_dev_write(&o->sim.dev, off, src, len);

	return rc < 0 ? rc : semihost_pwrite(o->fd, off, o->mem + off, len);
}

static int otp_erase(void *ctx, uint32_t off, uint32_t len)
{
	(void)ctx;
	(void)off;
	(void)len;
	return -EPERM; /* one-time programmable */
}

static const struct flash_ops otp_ops = {.read = otp_read, .write = otp_write, .erase = otp_erase};

int mps2_otp_open(struct mps2_otp *o, const struct board_profile *bp)
{
	char cmdline[256], path[224];

	if (semihost_cmdline(cmdline, sizeof(cmdline)) < 0 ||
	    semihost_arg(cmdline, "otp", path, sizeof(path)) < 0) {
		return -ENOENT;
	}
	o->geo = (struct flash_geometry){.size = MPS2_OTP_SIZE,
					 .write_block = bp->flash.write_block,
					 .erased_val = 0xffu,
					 .sector_size = MPS2_OTP_SIZE};
	int rc = flash_sim_init(&o->sim, &o->geo, o->mem, sizeof(o->mem), bp->sim_flags);
	if (rc < 0) {
		return rc;
	}
	o->fd = semihost_open(path, SEMIHOST_MODE_RW_BINARY);
	if (o->fd < 0) {
		return o->fd;
	}
	/* what the area holds: the file, programmed by earlier boots */
	rc = semihost_pread(o->fd, 0, o->mem, MPS2_OTP_SIZE);
	if (rc < 0) {
		return rc;
	}
	o->dev = (struct flash_dev){.ops = &otp_ops, .ctx = o, .geo = &o->geo};
	return flash_area_init(&o->fa, &o->dev, 0, MPS2_OTP_SIZE);
}
