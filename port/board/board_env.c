/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dfukit/host/board_env.h"
#include "dfukit/board_profile.h"

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t board_uptime_us(void)
{
	/* The board records when reset was released; exec() keeps the clock running. */
	const char *boot = getenv(BOARD_ENV_BOOT_NS);
	static uint64_t start_ns;
	if (start_ns == 0) {
		start_ns = boot ? strtoull(boot, NULL, 10) : monotonic_ns();
	}
	uint64_t now = monotonic_ns();
	return now > start_ns ? (now - start_ns) / 1000u : 0;
}

void board_log_write(const char *line, size_t len)
{
	fwrite(line, 1, len, stdout);
	fflush(stdout); /* the board's console shows each line as it happens */
}

int board_env_load(struct board_env *env, const char *program)
{
	const char *id = getenv(BOARD_ENV_ID);
	const char *fd = getenv(BOARD_ENV_USBIP_FD);
	memset(env, 0, sizeof(*env));
	if (id == NULL || fd == NULL) {
		fprintf(stderr,
			"%s: this is firmware for the dfukit virtual board; start it with\n"
			"  dfukit board run --board reel_board\n",
			program);
		return -ENOENT;
	}
	const struct board_profile *bp = board_profile_find(id);
	if (bp == NULL) {
		fprintf(stderr, "%s: unknown board '%s'\n", program, id);
		return -ENOENT;
	}
	env->board_id = bp->id;
	env->zephyr_board = bp->zephyr_board;
	env->usb_manufacturer = bp->usb_manufacturer;
	env->usb_product = bp->usb_product;
	env->serial = getenv(BOARD_ENV_SERIAL) ? getenv(BOARD_ENV_SERIAL) : "0000000000000000";
	env->flash_path = getenv(BOARD_ENV_FLASH);
	env->firmware_dir = getenv(BOARD_ENV_FIRMWARE_DIR);
	env->usbip_fd = atoi(fd);
	env->busid = getenv(BOARD_ENV_BUSID) ? getenv(BOARD_ENV_BUSID) : BOARD_DEFAULT_BUSID;
	return 0;
}
