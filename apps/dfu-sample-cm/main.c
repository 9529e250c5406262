/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seed's USB DFU sample on the emulated Cortex-M boards: the same device
 * as the host-native sample (sample_device.h, sample_slot1.h), in run-time
 * mode until DETACH, then in DFU mode with "ramdisk0" and "SLOT-1". The
 * usbd core, the DFU class and the vudc run here, as Thumb code; the board
 * process drives the vudc over two FIFOs (vudc_link.h) that it names on the
 * semihosting command line ("link-in=PATH link-out=PATH"), with the flash
 * file ("flash=PATH") and the USB serial number ("serial=...").
 * Not here yet: DfuSe mode and DFUKIT_FLASH_TIMING (host-native sample only).
 */
#include <errno.h>
#include <string.h>

#include "dfukit/port/board_log.h"
#include "dfukit/board_profile.h"
#include "dfukit/boot.h"
#include "dfukit/dfu_ramdisk.h"
#include "dfukit/sample/device.h"
#include "dfukit/sample/log.h"
#include "dfukit/sample/slot1.h"
#include "dfukit/port/vudc_link.h"
#include "flash_mps2.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "mps2.h"
#include "semihost.h"
#include "uart.h"

#ifndef SAMPLE_BOARD
#error "SAMPLE_BOARD (a struct board_profile) must be defined"
#endif
/* The bootloader's strategy (-DDFUKIT_BOOT_MODE): where SLOT-1 downloads go. */
#ifndef SAMPLE_BOOT_MODE
#define SAMPLE_BOOT_MODE BOOT_MODE_SWAP_MOVE
#endif
#define TRANSFER_SIZE 4096u
#define RAMDISK_SIZE  DFU_RAMDISK_DEFAULT_SIZE
/*
 * mbedTLS bignums allocate; an ECDSA-P256 or RSA-2048 check of SLOT-1 peaks
 * well below 6 KiB, the private-key parse and unwrap of a build that checks
 * encrypted downloads (SAMPLE_ENC, DFUKIT_ENC_KEY) below 9 KiB, as the
 * bootloader's.
 */
#if defined(SAMPLE_ENC)
#define CRYPTO_HEAP 9216u
#else
#define CRYPTO_HEAP 6144u
#endif

struct link_fds {
	int in, out;
};

struct app {
	char cmdline[512];
	char serial[40];
	struct mps2_flash flash;
	struct flash_area slot0, slot1;
	/* slot 1, or slot 1 from its sector 1 (swap-using-offset) */
	struct flash_area slot1_image;
	struct sample_slot1 slot1_alt;
	struct dfu_ramdisk ramdisk;
	struct dfu_alt alts[2];
	struct vudc vudc;
	struct sample_device dev;
	struct link_fds fds;
	struct vudc_link_dev link;
	struct sample_log log; /* the DFU session on the console; DETACH requests */
	uint8_t block[TRANSFER_SIZE];
	uint8_t slot1_staging[TRANSFER_SIZE];
	uint8_t ramdisk_mem[RAMDISK_SIZE];
	uint8_t crypto_heap[CRYPTO_HEAP];
};

static const char *const alt_names[] = {"ramdisk0", "SLOT-1"};

static int link_read(void *ctx, void *buf, uint32_t len)
{
	const struct link_fds *f = ctx;
	return semihost_read(f->in, buf, len);
}

static int link_write(void *ctx, const void *buf, uint32_t len)
{
	const struct link_fds *f = ctx;
	return semihost_write(f->out, buf, len);
}

static int open_link(struct app *app)
{
	char path[200];
	if (semihost_arg(app->cmdline, "link-in", path, sizeof(path)) < 0 ||
	    (app->fds.in = semihost_open(path, SEMIHOST_MODE_RW_BINARY)) < 0 ||
	    semihost_arg(app->cmdline, "link-out", path, sizeof(path)) < 0 ||
	    (app->fds.out = semihost_open(path, SEMIHOST_MODE_RW_BINARY)) < 0) {
		return -ENOENT;
	}
	const struct vudc_link_io io = {link_read, link_write, &app->fds};
	vudc_link_dev_init(&app->link, &io, &app->vudc);
	return 0;
}

static int open_flash(struct app *app, const struct board_profile *bp)
{
	int rc = mps2_flash_open(&app->flash, bp);
	if (rc == 0) {
		rc = board_profile_slots(bp, &app->flash.dev, &app->slot0, &app->slot1);
	}
	if (rc == 0) {
		rc = boot_secondary_image_area(&app->slot1, SAMPLE_BOOT_MODE, &app->slot1_image);
	}
	if (rc == 0) {
		rc = sample_slot1_init(&app->slot1_alt, &app->slot1_image, app->slot1_staging,
				       sizeof(app->slot1_staging));
	}
	if (rc < 0) {
		return rc;
	}
	app->alts[1] = sample_slot1_alt(&app->slot1_alt);
	/* Running means this image works: make it permanent, as the sample does with MCUboot. */
	if (!boot_is_confirmed(&app->slot0)) {
		rc = boot_confirm(&app->slot0);
		board_log(rc < 0 ? "err" : "inf", "main", "Confirming the running image: %s",
			  rc < 0 ? "failed" : "done");
	}
	return 0;
}

static int start_device(struct app *app, const struct board_profile *bp, bool dfu_mode)
{
	const struct sample_params p = {
		.runtime = !dfu_mode,
		.transfer_size = TRANSFER_SIZE,
		.buffer = app->block,
		.manufacturer = bp->usb_manufacturer,
		.product = bp->usb_product,
		.serial = app->serial,
		.alt_names = alt_names,
		.alts = app->alts,
		.num_alts = 2,
		.event = sample_log_dfu_event,
		.app = &app->log,
		.ms_os_20 = true,
	};
	vudc_init(&app->vudc, &app->dev.usbd);
	struct udc udc = vudc_udc(&app->vudc);
	int rc = sample_device_start(&app->dev, &p, &udc);
	if (rc == 0) {
		rc = vudc_link_dev_event(&app->link, VUDC_LINK_EV_ATTACHED);
	}
	return rc;
}

/* bitWillDetach: leave the bus, come back in DFU mode by ourselves. */
static int detach(struct app *app, const struct board_profile *bp)
{
	app->log.detach_requested = false;
	usbd_enable(&app->dev.usbd, false);
	int rc = vudc_link_dev_event(&app->link, VUDC_LINK_EV_DETACHED);
	if (rc == 0) {
		rc = start_device(app, bp, true);
	}
	if (rc == 0) {
		board_log("inf", "main", "USBD message: DFU mode, alternates: 0 \"%s\", 1 \"%s\"",
			  alt_names[0], alt_names[1]);
	}
	return rc;
}

static __attribute__((noreturn)) void fail(const char *what, int rc)
{
	board_log("err", "main", "%s: error %d", what, rc);
	mps2_halt();
}

int main(void)
{
	static struct app app;
	const struct board_profile *bp = &SAMPLE_BOARD;
	struct mps2_uart con;

	mps2_uart_init(&con, MPS2_UART0_BASE);
	mps2_uart_puts(&con, "*** Booting dfukit dfu-sample on ");
	mps2_uart_puts(&con, bp->zephyr_board);
	mps2_uart_puts(&con, " ***\n");
	if (semihost_cmdline(app.cmdline, sizeof(app.cmdline)) < 0 ||
	    semihost_arg(app.cmdline, "serial", app.serial, sizeof(app.serial)) < 0) {
		memcpy(app.serial, "0000000000000000", 17);
	}
	app.log = (struct sample_log){.dfu = &app.dev.dfu, .alt_names = alt_names};
	mbedtls_memory_buffer_alloc_init(app.crypto_heap, sizeof(app.crypto_heap));
	dfu_ramdisk_init(&app.ramdisk, app.ramdisk_mem, sizeof(app.ramdisk_mem));
	app.alts[0] = (struct dfu_alt){&dfu_ramdisk_ops, &app.ramdisk};
	int rc = open_flash(&app, bp);
	if (rc < 0) {
		fail("flash (semihosting flash=)", rc);
	}
	rc = open_link(&app);
	if (rc < 0) {
		fail("USB link (semihosting link-in=, link-out=)", rc);
	}
	rc = start_device(&app, bp, false);
	if (rc < 0) {
		fail("USB device", rc);
	}
	board_log("inf", "main", "USBD message: VBUS ready");
	board_log("inf", "main", "USB DFU sample is initialized");
	for (;;) {
		rc = vudc_link_dev_serve(&app.link);
		if (rc < 0) {
			fail("USB link", rc); /* the board process is gone */
		}
		(void)dfu_flash_service(&app.slot1_alt.backend);
		if (app.log.detach_requested && (rc = detach(&app, bp)) < 0) {
			fail("USB device", rc);
		}
	}
}
