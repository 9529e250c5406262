/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual board's bootloader: MCUboot's job with dfukit's boot core.
 * It opens the board's flash, decides and performs the swap (test, revert,
 * permanent; resuming one a power cut interrupted), validates the primary
 * slot and "jumps": the payload of the image in slot 0 is a host program,
 * which is copied out of flash into memory and executed. Nothing that did
 * not verify is ever run.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dfukit/board_env.h"
#include "dfukit/board_image.h"
#include "dfukit/board_profile.h"
#include "dfukit/boot.h"

extern char **environ;

static void boot_log(void *ctx, char level, const char *line)
{
	(void)ctx;
	printf("%c: %s\n", level, line);
	fflush(stdout);
}

static int validate(void *ctx, const struct flash_area *slot, struct boot_image_info *out)
{
	const char *why;
	(void)ctx;
	int rc = board_validate_slot(slot, out, &why);
	if (rc < 0 && rc != -ENOENT) {
		printf("E: Image in slot at 0x%x is not valid: %s\n", (unsigned)slot->off, why);
		fflush(stdout);
	}
	return rc;
}

/* Copy the verified payload out of flash and run it in place of this process. */
static int jump(const struct flash_area *primary, const struct boot_result *res)
{
	uint32_t len = res->image.img_size;
	uint8_t *payload = malloc(len);
	if (payload == NULL || flash_area_read(primary, res->image.hdr_size, payload, len) < 0) {
		return -EIO;
	}
	int fd = memfd_create("slot0-image", MFD_CLOEXEC);
	if (fd < 0 || write(fd, payload, len) != (ssize_t)len) {
		return -errno;
	}
	free(payload);
	char *const argv[] = {"zephyr.elf", NULL};
	fexecve(fd, argv, environ);
	return -errno;
}

static void sleep_us(void *ctx, uint32_t us)
{
	(void)ctx;
	usleep(us);
}

static void halt(void)
{
	/* A real bootloader spins here until reset; so does this one. */
	for (;;) {
		pause();
	}
}

int main(int argc, char **argv)
{
	struct board_env env;
	struct flash_file flash;
	struct flash_area slot0, slot1;
	(void)argc;

	if (board_env_load(&env, argv[0]) < 0) {
		return 2;
	}
	const struct board_profile *bp = board_profile_find(env.board_id);
	printf("*** Booting dfukit bootloader v" DFUKIT_VERSION " ***\n");
	fflush(stdout);
	int rc = flash_file_open(&flash, env.flash_path, &bp->flash, bp->sim_flags);
	if (rc == 0) {
		rc = board_profile_slots(bp, &flash.sim.dev, &slot0, &slot1);
	}
	if (rc < 0) {
		printf("E: Flash %s: %s\n", env.flash_path, strerror(-rc));
		halt();
	}
	/* DFUKIT_FLASH_TIMING=1: erase and program take as long as on the chip. */
	bool timed = getenv("DFUKIT_FLASH_TIMING") != NULL;
	flash_sim_set_timing(&flash.sim, &bp->timing, timed ? sleep_us : NULL, NULL);
	struct boot_config cfg = {
		.primary = &slot0,
		.secondary = &slot1,
		.validate = validate,
		.log = boot_log,
	};
	struct boot_result res;
	rc = boot_go(&cfg, &res);
	flash_file_sync(&flash);
	if (timed) {
		/* Not an MCUboot line: what the swap cost, for docs/performance.md. */
		printf("I: Flash: %u sector erases, %u writes, %llu ms of flash time\n",
		       (unsigned)flash.sim.erases, (unsigned)flash.sim.writes,
		       (unsigned long long)(flash.sim.sim_us / 1000u));
	}
	if (rc < 0) {
		/* boot_go said why ("Unable to find bootable image"). */
		flash_file_close(&flash);
		halt();
	}
	rc = jump(&slot0, &res);
	printf("E: Cannot start the image in the primary slot: %s\n", strerror(-rc));
	fflush(stdout);
	halt();
}
