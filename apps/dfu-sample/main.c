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

#include "dfukit/board_env.h"
#include "dfukit/board_image.h"
#include "dfukit/board_profile.h"
#include "dfukit/boot.h"
#include "dfukit/dfu_flash.h"
#include "dfukit/dfu_ramdisk.h"
#include "dfukit/dfuse.h"
#include "dfukit/sample_device.h"
#include "dfukit/usbip.h"
#include "dfukit/vudc.h"

#define TRANSFER_SIZE 4096u

struct app {
	struct board_env env;
	struct usbip_server srv;
	struct vudc vudc;
	struct sample_device dev;
	struct dfu_ramdisk ramdisk;
	struct flash_file flash;
	struct flash_area slot0, slot1;
	struct dfu_flash slot1_backend;
	bool has_flash;
	int slot1_verdict; /* 1 not decided yet, 0 good, <0 refused */
	struct dfu_backend_ops slot1_ops;
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
	uint32_t transfers_at_start; /* control transfers seen when a download began */
	bool detach_requested;
	bool dfu_mode;
};

static const char *const alt_names[] = {"ramdisk0", "SLOT-1"};

static const char *alt_name(const struct app *app, uint8_t alt)
{
	return app->dfuse && app->dfu_mode ? "SLOT-1" : alt_names[alt];
}

static void on_dfu_event(void *ctx, enum dfu_event event, uint8_t alt)
{
	struct app *app = ctx;
	switch (event) {
	case DFU_EVENT_DETACH:
		board_log("inf", "main", "USBD message: DFU detach");
		app->detach_requested = true;
		break;
	case DFU_EVENT_DNLOAD_STARTED:
		app->transfers_at_start = app->vudc.ctrl_count;
		board_log("inf", "main", "USBD message: DFU download started (alt %u, %s)", alt, alt_name(app, alt));
		break;
	case DFU_EVENT_DNLOAD_COMPLETED: {
		uint32_t bytes = app->dev.dfu.offset;
		board_log("inf", "main", "USBD message: DFU download completed");
		/* From the first DNLOAD to the GETSTATUS that saw manifestation end. */
		board_log("dbg", "main", "%u bytes, %u control transfers", (unsigned)bytes,
			  (unsigned)(app->vudc.ctrl_count - app->transfers_at_start + 1u));
		break;
	}
	case DFU_EVENT_DNLOAD_FAILED:
		board_log("wrn", "main", "USBD message: DFU download failed, status %u", app->dev.dfu.status);
		break;
	case DFU_EVENT_UPLOAD_COMPLETED:
		board_log("inf", "main", "USBD message: DFU upload completed");
		break;
	}
}

static int read_received(void *ctx, uint32_t off, void *buf, uint32_t len)
{
	return dfu_flash_read_received(ctx, off, buf, len);
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * Check the image as soon as its last byte (end of its TLVs) has arrived, so
 * a bad image fails the download while dfu-util still watches the status:
 * dfu-util 0.11 ignores an error reported during manifestation.
 */
static int slot1_progress(void *ctx, uint32_t received)
{
	struct app *app = ctx;
	struct dfu_flash *df = &app->slot1_backend;
	uint8_t raw[DFUKIT_IMAGE_HEADER_SIZE], info[4];
	struct dfukit_image_header hdr;

	if (received < sizeof(raw) || app->slot1_verdict != 1) {
		if (app->slot1_verdict < 0) {
			return app->slot1_verdict;
		}
		/* A full slot: nothing more can come. */
		return received == app->slot1.size ? DFU_FLASH_END_OF_IMAGE : 0;
	}
	if (dfu_flash_read_received(df, 0, raw, sizeof(raw)) < 0) {
		return -EIO;
	}
	dfukit_image_header_decode(raw, &hdr);
	uint64_t tlv_info = (uint64_t)hdr.hdr_size + hdr.img_size + hdr.protect_tlv_size;
	if (hdr.magic != DFUKIT_IMAGE_MAGIC || tlv_info + 4u > app->slot1.size) {
		/* Full validation below gives the precise reason. */
		tlv_info = 0;
	} else if (received < tlv_info + 4u) {
		return 0;
	} else {
		if (dfu_flash_read_received(df, (uint32_t)tlv_info, info, sizeof(info)) < 0) {
			return -EIO;
		}
		if (received < tlv_info + le16(&info[2])) {
			return 0;
		}
	}
	struct dfukit_image_src src = {read_received, df, app->slot1.size};
	struct dfukit_image_result res;
	int rc = dfukit_image_validate(&src, board_trusted_keys, board_trusted_key_count, &res);
	app->slot1_verdict = rc < 0 ? -EBADMSG : 0;
	if (rc < 0) {
		board_log("err", "main", "SLOT-1: image refused after %u bytes: %s", (unsigned)received,
			  dfukit_image_strerror(res.status));
		return app->slot1_verdict;
	}
	/* Probably the last block (a padded image goes on to the slot's end). */
	return DFU_FLASH_END_OF_IMAGE;
}

static int slot1_begin(void *ctx)
{
	struct dfu_flash *df = ctx;
	struct app *app = df->ctx;
	app->slot1_verdict = 1;
	return dfu_flash_ops.dnload_begin(df);
}

/*
 * Check the image in SLOT-1 and ask the bootloader to swap it in at the next
 * reset: a test swap, as Zephyr's flash backend requests, unless the image
 * carries its own permanent request (imgtool --pad --confirm).
 */
static int request_slot1_swap(struct app *app, const char *what)
{
	struct boot_image_info info;
	struct boot_swap_state st;
	const char *why;

	if (board_validate_slot(&app->slot1, &info, &why) < 0) {
		board_log("err", "main", "SLOT-1: %s, image refused: %s", what, why);
		return -EBADMSG;
	}
	int rc = boot_request_upgrade(&app->slot1, false);
	if (rc < 0) {
		board_log("err", "main", "SLOT-1: cannot request the upgrade: %s", strerror(-rc));
		return -EIO;
	}
	flash_file_sync(&app->flash);
	bool permanent = boot_read_swap_state(&app->slot1, &st) == 0 && st.image_ok == BOOT_FLAG_SET;
	board_log("inf", "main", "SLOT-1: image v%u.%u.%u verified, %s swap at the next reset",
		  info.major, info.minor, info.revision, permanent ? "permanent" : "test");
	return 0;
}

/* A SLOT-1 download is complete (the bootloader would erase a bad image anyway). */
static int slot1_complete(void *ctx, uint32_t total)
{
	struct app *app = ctx;
	char what[48];

	if (app->slot1_verdict < 0) {
		return app->slot1_verdict;
	}
	snprintf(what, sizeof(what), "%u bytes received", (unsigned)total);
	return request_slot1_swap(app, what);
}

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
		int rc = request_slot1_swap(app, "DfuSe leave");
		if (rc < 0) {
			return rc;
		}
	}
	board_log("inf", "main", "USBD message: DfuSe leave, resetting the board");
	app->reset_at = monotonic_us(NULL) + 200000u;
	return 0;
}

static int open_flash(struct app *app)
{
	const struct board_profile *bp = board_profile_find(app->env.board_id);
	int rc = flash_file_open(&app->flash, app->env.flash_path, &bp->flash, bp->sim_flags);
	if (rc == 0) {
		rc = board_profile_slots(bp, &app->flash.sim.dev, &app->slot0, &app->slot1);
	}
	if (rc == 0) {
		rc = dfu_flash_init(&app->slot1_backend, &app->slot1, slot1_complete, app);
	}
	if (rc < 0) {
		return rc;
	}
	app->slot1_backend.on_progress = slot1_progress;
	rc = dfu_flash_set_staging(&app->slot1_backend, app->slot1_staging, sizeof(app->slot1_staging));
	if (rc < 0) {
		return rc;
	}
	/* DFUKIT_FLASH_TIMING=1: the flash takes the chip's time, reported as bwPollTimeout. */
	if (getenv("DFUKIT_FLASH_TIMING") != NULL) {
		app->slot1_timing = (struct dfu_flash_timing){monotonic_us, NULL, bp->timing.erase_us,
							      bp->timing.write_us};
		app->slot1_backend.timing = &app->slot1_timing;
	}
	app->slot1_verdict = 1;
	/* The flash backend, with a begin hook that resets the image check. */
	app->slot1_ops = dfu_flash_ops;
	app->slot1_ops.dnload_begin = slot1_begin;
	app->alts[1] = (struct dfu_alt){&app->slot1_ops, &app->slot1_backend};
	app->has_flash = true;
	if (app->dfuse) {
		/* The class is app->dev.dfu: its wBlockNum addresses DfuSe blocks. */
		rc = dfuse_init(&app->slot1_dfuse, &app->dev.dfu, &app->slot1,
				bp->flash_base + app->slot1.off, slot1_leave, app);
		if (rc == 0 && dfuse_layout(&app->slot1_dfuse, "SLOT-1", app->slot1_layout,
					    sizeof(app->slot1_layout)) < 0) {
			rc = -ENAMETOOLONG;
		}
		if (rc < 0) {
			return rc;
		}
		app->slot1_dfuse.timing = app->slot1_backend.timing;
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
		.event = on_dfu_event,
		.app = app,
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
	int rc = sample_device_init(&app->dev, &p, &udc);
	if (rc == 0) {
		rc = usbd_enable(&app->dev.usbd, true);
	}
	if (rc == 0) {
		board_log("inf", "main", "USBD message: VBUS ready");
		rc = usbip_server_add_device(&app->srv, app->env.busid, &app->vudc);
	}
	app->dfu_mode = dfu_mode;
	return rc;
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

	/* The seed's RAM disk is 64 KiB; benchmarks ask for more. */
	uint32_t disk_size = DFU_RAMDISK_DEFAULT_SIZE;
	const char *size_text = getenv("DFUKIT_RAMDISK_SIZE");
	if (size_text != NULL) {
		char *end;
		unsigned long v = strtoul(size_text, &end, 0);
		if (*end == 'K' || *end == 'k') {
			v *= 1024u;
		} else if (*end == 'M' || *end == 'm') {
			v *= 1024u * 1024u;
		}
		if (v == 0 || v > 256ul * 1024 * 1024) {
			board_log("err", "main", "DFUKIT_RAMDISK_SIZE=%s: want 1..256M", size_text);
			return 2;
		}
		disk_size = (uint32_t)v;
	}
	app.ramdisk_mem = calloc(1, disk_size);
	if (app.ramdisk_mem == NULL) {
		board_log("err", "main", "no memory for a %u-byte RAM disk", (unsigned)disk_size);
		return 1;
	}
	dfu_ramdisk_init(&app.ramdisk, app.ramdisk_mem, disk_size);
	app.alts[0] = (struct dfu_alt){&dfu_ramdisk_ops, &app.ramdisk};

	int rc = 0;
	app.dfuse = getenv("DFUKIT_DFUSE") != NULL && strcmp(getenv("DFUKIT_DFUSE"), "0") != 0;
	if (app.dfuse && app.env.flash_path == NULL) {
		board_log("err", "main", "DFUKIT_DFUSE: DfuSe mode needs the board's flash");
		return 2;
	}
	if (app.env.flash_path != NULL) {
		rc = open_flash(&app);
		if (rc < 0) {
			board_log("err", "main", "flash %s: %s", app.env.flash_path, strerror(-rc));
			return 1;
		}
	}
	rc = usbip_server_init(&app.srv, app.env.usbip_fd);
	if (rc < 0) {
		board_log("err", "main", "USB/IP server: %s", strerror(-rc));
		return 1;
	}
	usbip_server_set_log(&app.srv, usbip_log, &app);
	rc = start_device(&app, false);
	if (rc < 0) {
		board_log("err", "main", "USB device: %s", strerror(-rc));
		return 1;
	}
	board_log("inf", "main", "USB DFU sample is initialized");

	for (;;) {
		int timeout_ms = app.reset_at != 0 ? 20 : 1000;
		/* Wake up when SLOT-1's flash is free for the block waiting for it. */
		uint64_t wake = app.has_flash ? dfu_flash_service(&app.slot1_backend) : 0;
		if (wake != 0) {
			uint64_t now = monotonic_us(NULL);
			uint64_t ms = wake > now ? (wake - now + 999u) / 1000u : 0u;
			timeout_ms = ms < (uint64_t)timeout_ms ? (int)ms : timeout_ms;
		}
		rc = usbip_server_poll(&app.srv, timeout_ms);
		if (rc < 0 && rc != -EINTR) {
			board_log("err", "main", "USB/IP server: %s", strerror(-rc));
			return 1;
		}
		if (app.reset_at != 0 && monotonic_us(NULL) >= app.reset_at) {
			/*
			 * DfuSe leave: press this board's reset button. The board (our
			 * parent) takes SIGRTMIN with the board's number, the N of busid
			 * 1-N, so that the other boards of a fleet keep running.
			 */
			app.reset_at = 0;
			flash_file_sync(&app.flash);
			const char *dash = strchr(app.env.busid, '-');
			union sigval board = {.sival_int = dash != NULL ? atoi(dash + 1) : 1};
			sigqueue(getppid(), SIGRTMIN, board);
		}
		if (app.detach_requested) {
			/* bitWillDetach: leave the bus, come back in DFU mode by ourselves. */
			app.detach_requested = false;
			usbip_server_remove_device(&app.srv, app.env.busid);
			usbd_enable(&app.dev.usbd, false);
			rc = start_device(&app, true);
			if (rc < 0) {
				board_log("err", "main", "USB device: %s", strerror(-rc));
				return 1;
			}
			if (app.dfuse) {
				board_log("inf", "main", "USBD message: DfuSe mode, alternate 0 \"%s\"",
					  app.slot1_layout);
			} else {
				board_log("inf", "main", "USBD message: DFU mode, alternates: 0 \"%s\"%s",
					  alt_names[0], app.has_flash ? ", 1 \"SLOT-1\"" : "");
			}
		}
	}
}
