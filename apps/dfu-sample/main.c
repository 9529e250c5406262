/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seed's USB DFU sample as firmware for the virtual board. It starts in
 * DFU run-time mode; DETACH makes it leave the bus and come back in DFU mode
 * with alternate 0 "ramdisk0" (and 1 "SLOT-1" when the board has flash).
 * USB reaches it over USB/IP on the socket the board handed over.
 *
 * DFUKIT_DFUSE=1 makes it a DfuSe device (ST's extension; bcdDFUVersion
 * 0x011A in both modes, since the version is device-wide): DFU mode then
 * offers one alternate, SLOT-1 at its bus address in ST's memory-layout
 * format (e.g. "@SLOT-1 /0x080F8000/116*008Kg" on nucleo_u575zi_q), for
 * `dfu-util -a 0 -s 0x080F8000[:leave] -D|-U ...`. "Leave DFU" checks the
 * image, requests the MCUboot test swap and presses the board's reset button
 * (SIGRTMIN with its board number to the board process, our parent).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dfukit/host/board_env.h"
#include "dfukit/port/board_image.h"
#include "dfukit/board_profile.h"
#include "dfukit/boot.h"
#include "dfukit/dfu_flash.h"
#include "dfukit/dfu_ramdisk.h"
#include "dfukit/dfuse.h"
#include "dfukit/sample/device.h"
#include "dfukit/sample/log.h"
#include "dfukit/sample/slot1.h"
#include "dfukit/port/usbip.h"
#include "dfukit/port/vudc.h"

#define TRANSFER_SIZE 4096u

struct app {
	struct board_env env;
	struct usbip_server srv;
	struct vudc vudc;
	struct sample_device dev;
	struct dfu_ramdisk ramdisk;
	struct flash_file flash;
	struct flash_area slot0, slot1;
	/* where SLOT-1 downloads go: slot 1, or from its sector 1 (swap-using-offset) */
	struct flash_area slot1_image;
	struct sample_slot1 slot1_alt;
	bool has_flash;
	struct dfu_flash_timing slot1_timing;
	struct dfu_alt alts[2];
	/* DfuSe mode (DFUKIT_DFUSE=1): SLOT-1 as the only alternate. */
	bool dfuse;
	struct dfuse slot1_dfuse;
	struct dfu_alt dfuse_alts[1];
	char slot1_layout[64];
	const char *dfuse_names[1];
	uint64_t reset_at; /* DfuSe leave: press reset at this time (monotonic us), 0 if not */
	uint8_t block[TRANSFER_SIZE];
	/*
	 * SLOT-1's second buffer: the flash programs one block from here while
	 * the host sends the next into block (4 KiB of the chip's RAM: 256 KiB
	 * on reel_board's nRF52840, 768 KiB on the STM32U575).
	 */
	uint8_t slot1_staging[TRANSFER_SIZE];
	uint8_t *ramdisk_mem;
	struct sample_log log; /* the DFU session on the console; DETACH requests */
};

static const char *const alt_names[] = {"ramdisk0", "SLOT-1"};
/* DfuSe mode's one alternate is named by its memory layout; the log calls it SLOT-1. */
static const char *const dfuse_log_names[] = {"SLOT-1"};

static uint64_t monotonic_us(void *ctx)
{
	struct timespec ts;
	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * DfuSe "leave DFU" (a zero-length DNLOAD): as the flash backend's end of a
 * download, check the image in SLOT-1 and request the test swap, then reset
 * the board a moment later (once the host has its last GETSTATUS answer).
 * With nothing written the board just resets. A bad image is refused
 * (errFILE) and the device stays in DFU mode.
 */
static int slot1_leave(void *ctx, bool written)
{
	struct app *app = ctx;
	struct flash_sector tail;

	if (written) {
		/* No stale upgrade request may outlive the image it was made for. */
		if (flash_area_sector_at(&app->slot1, app->slot1.size - 1u, &tail) < 0 ||
		    flash_area_erase(&app->slot1, tail.off, tail.size) < 0) {
			return -EFAULT;
		}
		int rc = sample_slot1_request_swap(&app->slot1_alt, "DfuSe leave");
		if (rc < 0) {
			return rc;
		}
	}
	board_log("inf", "main", "USBD message: DfuSe leave, resetting the board");
	app->reset_at = monotonic_us(NULL) + 200000u;
	return 0;
}

static void sync_flash(void *ctx)
{
	flash_file_sync(ctx);
}

static int open_flash(struct app *app)
{
	const struct board_profile *bp = board_profile_find(app->env.board_id);
	int rc = flash_file_open(&app->flash, app->env.flash_path, &bp->flash, bp->sim_flags);
	if (rc == 0) {
		rc = board_profile_slots(bp, &app->flash.sim.dev, &app->slot0, &app->slot1);
	}
	/* the bootloader's strategy (dfukit board run --mode) says where updates go */
	enum boot_mode mode = BOOT_MODE_SWAP_MOVE;
	const char *mode_name = getenv(BOARD_ENV_BOOT_MODE);
	if (rc == 0 && mode_name != NULL && boot_mode_parse(mode_name, &mode) < 0) {
		rc = -EINVAL;
	}
	/*
	 * direct-xip, ram-load: updates go to the slot this image was not
	 * started from (mcumgr learns it from MCUboot's shared data the same way)
	 */
	const char *run_slot = getenv(BOARD_ENV_BOOT_SLOT);
	bool equal_slots = mode == BOOT_MODE_DIRECT_XIP || mode == BOOT_MODE_RAM_LOAD;
	if (rc == 0 && equal_slots && run_slot != NULL && strcmp(run_slot, "1") == 0) {
		struct flash_area running = app->slot1;
		app->slot1 = app->slot0;
		app->slot0 = running;
	}
	if (rc == 0) {
		rc = boot_secondary_image_area(&app->slot1, mode, &app->slot1_image);
	}
	if (rc == 0) {
		rc = sample_slot1_init(&app->slot1_alt, &app->slot1_image, app->slot1_staging,
				       sizeof(app->slot1_staging));
	}
	if (rc < 0) {
		return rc;
	}
	app->slot1_alt.sync = sync_flash;
	app->slot1_alt.sync_ctx = &app->flash;
	/* DFUKIT_FLASH_TIMING=1: the flash takes the chip's time, reported as bwPollTimeout. */
	if (getenv("DFUKIT_FLASH_TIMING") != NULL) {
		app->slot1_timing = (struct dfu_flash_timing){
			monotonic_us, NULL, bp->timing.erase_us, bp->timing.write_us};
		app->slot1_alt.backend.timing = &app->slot1_timing;
	}
	app->alts[1] = sample_slot1_alt(&app->slot1_alt);
	app->has_flash = true;
	if (app->dfuse) {
		rc = dfuse_init(&app->slot1_dfuse, &app->slot1, bp->flash_base + app->slot1.off,
				slot1_leave, app);
		if (rc == 0 && dfuse_layout(&app->slot1_dfuse, "SLOT-1", app->slot1_layout,
					    sizeof(app->slot1_layout)) < 0) {
			rc = -ENAMETOOLONG;
		}
		if (rc < 0) {
			return rc;
		}
		app->slot1_dfuse.timing = app->slot1_alt.backend.timing;
		app->dfuse_alts[0] = (struct dfu_alt){&dfuse_ops, &app->slot1_dfuse};
		app->dfuse_names[0] = app->slot1_layout;
	}
	/* Running means this image works: make it permanent, as the sample does with MCUboot. */
	if (!boot_is_confirmed(&app->slot0)) {
		rc = boot_confirm(&app->slot0);
		board_log(rc < 0 ? "err" : "inf", "main", "Confirming the running image: %s",
			  rc < 0 ? strerror(-rc) : "done");
	}
	return 0;
}

static void usbip_log(void *ctx, const char *line)
{
	(void)ctx;
	board_log("dbg", "usbip", "%s", line);
}

static int start_device(struct app *app, bool dfu_mode)
{
	struct sample_params p = {
		.runtime = !dfu_mode,
		.transfer_size = TRANSFER_SIZE,
		.buffer = app->block,
		.manufacturer = app->env.usb_manufacturer,
		.product = app->env.usb_product,
		.serial = app->env.serial,
		.alt_names = alt_names,
		.alts = app->alts,
		.num_alts = app->has_flash ? 2 : 1,
		.event = sample_log_dfu_event,
		.app = &app->log,
		.ms_os_20 = true, /* Windows binds WinUSB by itself, in both modes */
		.dfuse = app->dfuse,
	};
	if (app->dfuse) {
		p.alt_names = app->dfuse_names;
		p.alts = app->dfuse_alts;
		p.num_alts = 1;
	}
	vudc_init(&app->vudc, &app->dev.usbd);
	struct udc udc = vudc_udc(&app->vudc);
	int rc = sample_device_start(&app->dev, &p, &udc);
	if (rc == 0) {
		board_log("inf", "main", "USBD message: VBUS ready");
		rc = usbip_server_add_device(&app->srv, app->env.busid, &app->vudc);
	}
	return rc;
}

/* DFUKIT_RAMDISK_SIZE: the seed's RAM disk is 64 KiB; benchmarks ask for more. */
static int ramdisk_size(uint32_t *size)
{
	const char *text = getenv("DFUKIT_RAMDISK_SIZE");
	char *end;

	*size = DFU_RAMDISK_DEFAULT_SIZE;
	if (text == NULL) {
		return 0;
	}
	unsigned long v = strtoul(text, &end, 0);
	if (*end == 'K' || *end == 'k') {
		v *= 1024u;
	} else if (*end == 'M' || *end == 'm') {
		v *= 1024u * 1024u;
	}
	if (v == 0 || v > 256ul * 1024 * 1024) {
		board_log("err", "main", "DFUKIT_RAMDISK_SIZE=%s: want 1..256M", text);
		return -EINVAL;
	}
	*size = (uint32_t)v;
	return 0;
}

/* Storage and the USB/IP server, then the device in run-time mode: 0, or main's exit status. */
static int start(struct app *app)
{
	uint32_t disk_size;
	if (ramdisk_size(&disk_size) < 0) {
		return 2;
	}
	app->ramdisk_mem = calloc(1, disk_size);
	if (app->ramdisk_mem == NULL) {
		board_log("err", "main", "no memory for a %u-byte RAM disk", (unsigned)disk_size);
		return 1;
	}
	dfu_ramdisk_init(&app->ramdisk, app->ramdisk_mem, disk_size);
	app->alts[0] = (struct dfu_alt){&dfu_ramdisk_ops, &app->ramdisk};

	app->dfuse = getenv("DFUKIT_DFUSE") != NULL && strcmp(getenv("DFUKIT_DFUSE"), "0") != 0;
	if (app->dfuse && app->env.flash_path == NULL) {
		board_log("err", "main", "DFUKIT_DFUSE: DfuSe mode needs the board's flash");
		return 2;
	}
	app->log = (struct sample_log){
		.dfu = &app->dev.dfu,
		.alt_names = app->dfuse ? dfuse_log_names : alt_names,
		.control_transfers = &app->vudc.ctrl_count,
	};
	int rc = 0;
	if (app->env.flash_path != NULL) {
		rc = open_flash(app);
		if (rc < 0) {
			board_log("err", "main", "flash %s: %s", app->env.flash_path,
				  strerror(-rc));
			return 1;
		}
	}
	rc = usbip_server_init(&app->srv, app->env.usbip_fd);
	if (rc < 0) {
		board_log("err", "main", "USB/IP server: %s", strerror(-rc));
		return 1;
	}
	usbip_server_set_log(&app->srv, usbip_log, app);
	rc = start_device(app, false);
	if (rc < 0) {
		board_log("err", "main", "USB device: %s", strerror(-rc));
		return 1;
	}
	board_log("inf", "main", "USB DFU sample is initialized");
	return 0;
}

/* How long to wait for USB/IP: shorter while a reset is due or SLOT-1's flash has work. */
static int poll_timeout_ms(struct app *app)
{
	int timeout_ms = app->reset_at != 0 ? 20 : 1000;
	/* Wake up when SLOT-1's flash is free for the block waiting for it. */
	uint64_t wake = app->has_flash ? dfu_flash_service(&app->slot1_alt.backend) : 0;
	if (wake != 0) {
		uint64_t now = monotonic_us(NULL);
		uint64_t ms = wake > now ? (wake - now + 999u) / 1000u : 0u;
		timeout_ms = ms < (uint64_t)timeout_ms ? (int)ms : timeout_ms;
	}
	return timeout_ms;
}

/*
 * DfuSe leave: press this board's reset button. The board (our parent) takes
 * SIGRTMIN with the board's number, the N of busid 1-N, so that the other
 * boards of a fleet keep running.
 */
static void press_reset_button(struct app *app)
{
	app->reset_at = 0;
	flash_file_sync(&app->flash);
	const char *dash = strchr(app->env.busid, '-');
	union sigval board = {.sival_int = dash != NULL ? atoi(dash + 1) : 1};
	sigqueue(getppid(), SIGRTMIN, board);
}

/* bitWillDetach: leave the bus, come back in DFU mode by ourselves. */
static int enter_dfu_mode(struct app *app)
{
	app->log.detach_requested = false;
	usbip_server_remove_device(&app->srv, app->env.busid);
	usbd_enable(&app->dev.usbd, false);
	int rc = start_device(app, true);
	if (rc < 0) {
		board_log("err", "main", "USB device: %s", strerror(-rc));
		return rc;
	}
	if (app->dfuse) {
		board_log("inf", "main", "USBD message: DfuSe mode, alternate 0 \"%s\"",
			  app->slot1_layout);
	} else {
		board_log("inf", "main", "USBD message: DFU mode, alternates: 0 \"%s\"%s",
			  alt_names[0], app->has_flash ? ", 1 \"SLOT-1\"" : "");
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct app app;
	(void)argc;

	if (board_env_load(&app.env, argv[0]) < 0) {
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	printf("*** Booting dfukit dfu-sample on %s ***\n", app.env.zephyr_board);
	fflush(stdout);
	int status = start(&app);
	if (status != 0) {
		return status;
	}
	for (;;) {
		int rc = usbip_server_poll(&app.srv, poll_timeout_ms(&app));
		if (rc < 0 && rc != -EINTR) {
			board_log("err", "main", "USB/IP server: %s", strerror(-rc));
			return 1;
		}
		if (app.reset_at != 0 && monotonic_us(NULL) >= app.reset_at) {
			press_reset_button(&app);
		}
		if (app.log.detach_requested && enter_dfu_mode(&app) < 0) {
			return 1;
		}
	}
}
