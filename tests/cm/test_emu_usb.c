/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit-emu end to end, as the virtual board runs it: a flash file with the
 * signed Cortex-M DFU sample in slot 0 (and nothing in the boot partition,
 * which dfukit-emu must program), the board's environment, a socketpair as
 * the USB/IP hand-off. Checks: the server's ready byte, the console's "USB
 * DFU sample is initialized", an import of the busid, GET_DESCRIPTOR (device
 * VID/PID, manufacturer string), DFU GETSTATUS in run-time mode, DFU_DETACH
 * and the re-enumerated device in DFU mode, then that SIGKILL of dfukit-emu
 * (the board's reset) leaves no QEMU behind.
 *
 *   test_emu_usb EMU FIRMWARE_DIR BOARD WORK_DIR
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "dfukit/board_profile.h"
#include "dfukit/sample/device.h"
#include "emu_harness.h"
#include "usbip_client.h"

#define BUSID  "1-1"
#define SERIAL "0123456789ABCDEF"

static int fails;

static void check(bool ok, const char *what)
{
	fprintf(stderr, "test_emu_usb: %s: %s\n", ok ? "ok" : "FAIL", what);
	fails += !ok;
}

/* A string descriptor (langid 0x0409) as ASCII. */
static int get_string(struct usbip_client *c, uint8_t index, char *out, size_t size)
{
	uint8_t setup[8] = {0x80, 0x06, index, 0x03, 0x09, 0x04, 0xff, 0x00}, d[255];
	int n = usbip_client_control(c, setup, d);
	if (n < 2 || d[1] != 0x03 || d[0] > n) {
		return n < 0 ? n : -EPROTO;
	}
	size_t k = 0;
	for (int i = 2; i + 1 < d[0] && k + 1 < size; i += 2) {
		out[k++] = (char)d[i];
	}
	out[k] = '\0';
	return 0;
}

/* DFU_GETSTATUS on interface 0: bState, or a negative errno. */
static int dfu_state(struct usbip_client *c)
{
	uint8_t setup[8] = {0xa1, 0x03, 0, 0, 0, 0, 6, 0}, st[6];
	int n = usbip_client_control(c, setup, st);
	return n == 6 && st[0] == 0 ? st[4] : n < 0 ? n : -EPROTO;
}

static int set_configuration(struct usbip_client *c)
{
	uint8_t setup[8] = {0x00, 0x09, 1, 0, 0, 0, 0, 0};
	return usbip_client_control(c, setup, NULL);
}

/* The device as the run-time firmware presents it. */
static void check_runtime(struct usbip_client *c, const struct board_profile *bp)
{
	uint8_t setup[8] = {0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 18, 0}, d[18];
	char s[128];
	check(c->vid == SAMPLE_VID && c->pid == SAMPLE_PID, "the import's device record: VID/PID");
	int n = usbip_client_control(c, setup, d);
	check(n == 18 && d[1] == 0x01 && (d[8] | d[9] << 8) == SAMPLE_VID &&
		      (d[10] | d[11] << 8) == SAMPLE_PID,
	      "GET_DESCRIPTOR(device): 18 bytes, the sample's VID/PID");
	check(n == 18 && d[14] != 0 && get_string(c, d[14], s, sizeof(s)) == 0 &&
		      strcmp(s, bp->usb_manufacturer) == 0,
	      "GET_DESCRIPTOR(string iManufacturer): the profile's manufacturer");
	check(n == 18 && d[16] != 0 && get_string(c, d[16], s, sizeof(s)) == 0 &&
		      strcmp(s, SERIAL) == 0,
	      "GET_DESCRIPTOR(string iSerialNumber): DFUKIT_SERIAL");
	check(set_configuration(c) == 0, "SET_CONFIGURATION 1");
	check(dfu_state(c) == 0, "DFU_GETSTATUS: OK, appIDLE");
}

/* DFU_DETACH: the firmware leaves the bus and comes back in DFU mode. */
static void check_detach(struct emu_harness *h)
{
	struct usbip_client c;
	uint8_t detach[8] = {0x21, 0x00, 0xe8, 0x03, 0, 0, 0, 0};
	if (emu_harness_import(h, &c, BUSID, false) != 0) {
		check(false, "second import");
		return;
	}
	/* Every import resets the device: configure it again. */
	check(set_configuration(&c) == 0 && usbip_client_control(&c, detach, NULL) == 0,
	      "DFU_DETACH accepted");
	usbip_client_close(&c);
	bool dfu = emu_harness_wait_console(h, "USBD message: DFU mode", 20000) == 0;
	check(dfu, "console: the firmware re-enumerates in DFU mode");
	if (dfu && emu_harness_import(h, &c, BUSID, true) == 0) {
		check(set_configuration(&c) == 0 && dfu_state(&c) == 2,
		      "DFU_GETSTATUS after re-import: dfuIDLE");
		usbip_client_close(&c);
	} else {
		check(false, "import after the detach");
	}
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s EMU FIRMWARE_DIR BOARD WORK_DIR\n", argv[0]);
		return 2;
	}
	const struct board_profile *bp = board_profile_find(argv[3]);
	if (bp == NULL) {
		fprintf(stderr, "test_emu_usb: unknown board %s\n", argv[3]);
		return 2;
	}
	/* Orphans come to us, so that we can see whether QEMU outlives dfukit-emu. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	struct emu_harness h;
	if (emu_harness_start(&h, argv[1], argv[2], bp, argv[4], BUSID, SERIAL) < 0) {
		return 1;
	}
	check(emu_harness_wait_ready(&h, 10000) == 0, "USB/IP server ready on the hand-off");
	check(emu_harness_wait_console(&h, "USB DFU sample is initialized", 60000) == 0,
	      "console: USB DFU sample is initialized");
	struct usbip_client c;
	if (fails == 0 && emu_harness_import(&h, &c, BUSID, true) == 0) {
		check_runtime(&c, bp);
		usbip_client_close(&c);
		check_detach(&h);
	} else {
		check(false, "import " BUSID);
	}
	check(emu_harness_kill(&h) == 0, "SIGKILL of dfukit-emu leaves no QEMU behind");
	if (fails != 0) {
		emu_harness_dump_console(&h);
	}
	fprintf(stderr, "test_emu_usb: %s: %s\n", bp->id, fails ? "FAILED" : "passed");
	return fails ? 1 : 0;
}
