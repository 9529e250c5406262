/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Size firmware: the seed's DFU device on a null UDC, measured the way the
 * TinyUSB anchor was (Cortex-M4, -Os, --gc-sections, newlib-nano, no
 * hardware port). Built twice:
 *   fw-dfu          DFU mode, one RAM-disk alternate, 512-byte transfer buffer
 *   fw-dfu-runtime  run-time mode only (FW_RUNTIME), no backend
 * fw-base is the same start-up and main loop without the stack, the baseline
 * for the difference method.
 */
#include <stdbool.h>
#include <stdint.h>

#include "null_udc.h"

#ifndef FW_BASE
#include "dfukit/sample/device.h"
#ifndef FW_RUNTIME
#include "dfukit/dfu_ramdisk.h"
#endif
#endif

#define FW_TRANSFER_SIZE 512u
#define FW_DISK_SIZE     4096u

struct fw {
	struct null_udc_regs regs;
	volatile uint32_t events; /* what a real app would act on (reboot after DETACH) */
#ifndef FW_BASE
	struct sample_device dev;
	uint8_t buffer[FW_TRANSFER_SIZE];
#ifndef FW_RUNTIME
	struct dfu_ramdisk disk;
	uint8_t disk_mem[FW_DISK_SIZE];
#endif
#endif
};

#ifndef FW_BASE
static void on_event(void *app, enum dfu_event event, uint8_t alt)
{
	struct fw *fw = app;
	fw->events = fw->events + ((uint32_t)event << 8) + alt;
}
#endif

int main(void)
{
	static struct fw fw;

#ifdef FW_BASE
	for (;;) {
		fw.events = fw.regs.event;
	}
#else
	struct null_udc port = {.regs = &fw.regs};
	const struct udc udc = {.ops = &null_udc_ops, .port = &port};
#ifdef FW_RUNTIME
	const struct sample_params params = {
		.runtime = true,
		.transfer_size = FW_TRANSFER_SIZE,
		.buffer = fw.buffer,
		.manufacturer = "dfukit",
		.product = "size firmware",
		.serial = "0",
		.event = on_event,
		.app = &fw,
	};
#else
	static const char *const names[] = {"ramdisk0"};
	dfu_ramdisk_init(&fw.disk, fw.disk_mem, sizeof(fw.disk_mem));
	const struct dfu_alt alts[] = {{.ops = &dfu_ramdisk_ops, .ctx = &fw.disk}};
	const struct sample_params params = {
		.runtime = false,
		.transfer_size = FW_TRANSFER_SIZE,
		.buffer = fw.buffer,
		.manufacturer = "dfukit",
		.product = "size firmware",
		.serial = "0",
		.alt_names = names,
		.alts = alts,
		.num_alts = 1,
		.event = on_event,
		.app = &fw,
	};
#endif
	if (sample_device_init(&fw.dev, &params, &udc) < 0 || usbd_enable(&fw.dev.usbd, true) < 0) {
		return 1;
	}
	for (;;) {
		null_udc_poll(&port, &fw.dev.usbd);
	}
#endif
}
