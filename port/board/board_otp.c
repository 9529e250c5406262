/* SPDX-License-Identifier: Apache-2.0 */
/* The virtual board's emulated OTP area (dfukit/host/board_otp.h). */
#include "dfukit/host/board_otp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int otp_read(void *ctx, uint32_t off, void *dst, uint32_t len)
{
	const struct board_otp *otp = ctx;

	return flash_dev_read(&otp->file.sim.dev, off, dst, len);
}

static int otp_write(void *ctx, uint32_t off, const void *src, uint32_t len)
{
	const struct board_otp *otp = ctx;

	return flash_dev_write(&otp->file.sim.dev, off, src, len);
}

static int otp_erase(void *ctx, uint32_t off, uint32_t len)
{
	(void)ctx;
	(void)off;
	(void)len;
	return -EPERM; /* one-time programmable */
}

static const struct flash_ops otp_ops = {.read = otp_read, .write = otp_write, .erase = otp_erase};

int board_otp_open(struct board_otp *otp, const char *flash_path, const struct board_profile *bp)
{
	char path[4096];

	memset(otp, 0, sizeof(*otp));
	if (flash_path == NULL || bp == NULL ||
	    (size_t)snprintf(path, sizeof(path), "%s.otp", flash_path) >= sizeof(path)) {
		return -EINVAL;
	}
	otp->geo = (struct flash_geometry){.size = BOARD_OTP_SIZE,
					   .write_block = bp->flash.write_block,
					   .erased_val = 0xffu,
					   .sector_size = BOARD_OTP_SIZE};
	int rc = flash_file_open(&otp->file, path, &otp->geo, bp->sim_flags);

	if (rc != 0) {
		return rc;
	}
	otp->dev = (struct flash_dev){.ops = &otp_ops, .ctx = otp, .geo = &otp->geo};
	rc = flash_area_init(&otp->fa, &otp->dev, 0, BOARD_OTP_SIZE);
	if (rc == 0) {
		rc = boot_otp_counter_init(&otp->counter, &otp->fa, &otp->store);
	}
	if (rc != 0) {
		flash_file_close(&otp->file);
	}
	return rc;
}

void board_otp_close(struct board_otp *otp)
{
	flash_file_close(&otp->file);
}
