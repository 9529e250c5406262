/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Size firmware fw-dfu-static: the seed's DFU device in DFU mode (one
 * RAM-disk alternate "ramdisk0", 512-byte transfer buffer) written against
 * the usbd and DFU class API directly, its descriptors const arrays in flash
 * as a TinyUSB application has them. The same stack code as fw-dfu, without
 * sample_device's run-time descriptor builder; also the shortest example of
 * a firmware using dfukit.
 */
#include <stdint.h>

#include "dfukit/dfu.h"
#include "dfukit/dfu_ramdisk.h"
#include "dfukit/usbd.h"
#include "null_udc.h"

#define FW_TRANSFER_SIZE 512u
#define FW_DISK_SIZE     4096u
#define FW_DFU_ATTRIBUTES                                                                          \
	(DFU_ATTR_CAN_DNLOAD | DFU_ATTR_CAN_UPLOAD | DFU_ATTR_MANIFESTATION_TOLERANT |             \
	 DFU_ATTR_WILL_DETACH)

static struct fw {
	struct null_udc_regs regs;
	volatile uint32_t events; /* what a real app would act on */
	struct usbd_device usbd;
	struct dfu_class dfu;
	struct dfu_ramdisk disk;
	uint8_t buffer[FW_TRANSFER_SIZE];
	uint8_t disk_mem[FW_DISK_SIZE];
} fw;

static void on_event(void *app, enum dfu_event event, uint8_t alt)
{
	struct fw *f = app;
	f->events = f->events + ((uint32_t)event << 8) + alt;
}

static const uint8_t device_desc[] = {
	USBD_DEVICE_DESC(0x0200, 0, 0, 0, 64, 0x2fe3, 0x0005, 0x0402, 1, 2, 3, 1)};
static const uint8_t config_desc[] = {
	USBD_CONFIG_DESC(USBD_CONFIG_DESC_LEN + USBD_IFACE_DESC_LEN + DFU_FUNCTIONAL_DESC_LEN, 1, 1,
			 0, USB_CONFIG_ATTR_SELF_POWERED, 50),
	USBD_IFACE_DESC(0, 0, 0, DFU_INTERFACE_CLASS, DFU_INTERFACE_SUBCLASS, DFU_PROTOCOL_DFU, 4),
	DFU_FUNCTIONAL_DESC(FW_DFU_ATTRIBUTES, 1000, FW_TRANSFER_SIZE),
};
static struct usbd_class *const owners[] = {&fw.dfu.base};
static const struct usbd_config_desc configs[] = {{.desc = config_desc, .owners = owners}};
static const char *const strings[] = {"dfukit", "size firmware", "0", "ramdisk0"};
static const struct usbd_device_desc desc = {
	.device = device_desc, .configs = configs, .strings = strings, .num_strings = 4};

static const struct dfu_alt alts[] = {{.ops = &dfu_ramdisk_ops, .ctx = &fw.disk}};
static const struct dfu_config dfu_cfg = {
	.attributes = FW_DFU_ATTRIBUTES,
	.detach_timeout_ms = 1000,
	.transfer_size = FW_TRANSFER_SIZE,
	.buffer = fw.buffer,
	.alts = alts,
	.num_alts = 1,
	.event = on_event,
	.app = &fw,
};

int main(void)
{
	struct null_udc port = {.regs = &fw.regs};
	const struct udc udc = {.ops = &null_udc_ops, .port = &port};

	dfu_ramdisk_init(&fw.disk, fw.disk_mem, sizeof(fw.disk_mem));
	if (dfu_init(&fw.dfu, &dfu_cfg) < 0 || usbd_init(&fw.usbd, &desc, &udc) < 0 ||
	    usbd_enable(&fw.usbd, true) < 0) {
		return 1;
	}
	for (;;) {
		null_udc_poll(&port, &fw.usbd);
	}
}
