/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "dfukit/sample_device.h"

int sample_device_describe(struct sample_device *d, const struct sample_params *p)
{
	uint8_t num_alts = p->runtime ? 1 : p->num_alts;

	if (num_alts == 0 || num_alts > SAMPLE_MAX_ALTS) {
		return -EINVAL;
	}
	memset(d, 0, sizeof(*d));
	d->strings[0] = p->manufacturer;
	d->strings[1] = p->product;
	d->strings[2] = p->serial;
	dfu_functional_desc(d->functional, SAMPLE_DFU_ATTRIBUTES, SAMPLE_DETACH_TIMEOUT_MS,
			    p->transfer_size);
	if (p->dfuse) {
		d->functional[7] = 0x1a; /* bcdDFUVersion 0x011A: DfuSe (dfukit/dfuse.h) */
	}
	for (uint8_t i = 0; i < num_alts; i++) {
		struct usbd_alt_desc *alt = &d->alt_desc[i];
		alt->iface_class = DFU_INTERFACE_CLASS;
		alt->iface_subclass = DFU_INTERFACE_SUBCLASS;
		alt->iface_protocol = p->runtime ? DFU_PROTOCOL_RUNTIME : DFU_PROTOCOL_DFU;
		/* The run-time interface has no name: dfu-util shows "UNKNOWN", as in the seed. */
		if (!p->runtime) {
			d->strings[3 + i] = p->alt_names[i];
			alt->string_index = (uint8_t)(4u + i);
		}
		/* USB DFU 1.1 4.2.3: the functional descriptor follows each alternate. */
		alt->class_desc = d->functional;
		alt->class_desc_len = DFU_FUNCTIONAL_DESC_LEN;
	}
	d->iface.alts = d->alt_desc;
	d->iface.num_alts = num_alts;
	d->iface.owner = &d->dfu.base;
	d->config.attributes = USB_CONFIG_ATTR_SELF_POWERED;
	d->config.max_power_2ma = 50; /* 100 mA */
	d->config.ifaces = &d->iface;
	d->config.num_ifaces = 1;
	d->desc.bcd_usb = 0x0200;
	d->desc.max_packet0 = 64;
	d->desc.vendor_id = SAMPLE_VID;
	d->desc.product_id = SAMPLE_PID;
	d->desc.bcd_device = SAMPLE_BCD_DEVICE;
	d->desc.manufacturer_index = 1;
	d->desc.product_index = 2;
	d->desc.serial_index = 3;
	d->desc.configs = &d->config;
	d->desc.num_configs = 1;
	d->desc.strings = d->strings;
	d->desc.num_strings = (uint8_t)(p->runtime ? 3u : 3u + num_alts);

	if (p->ms_os_20) {
		int rc = usbd_msos20_init(&d->msos20, SAMPLE_MSOS20_VENDOR_CODE, SAMPLE_WINUSB_GUID);
		if (rc < 0) {
			return rc;
		}
		/* A BOS needs bcdUSB 2.01 or later; Windows reads MS OS 2.0 from 2.10 devices. */
		d->desc.bcd_usb = 0x0210;
		d->desc.bos = d->msos20.bos;
		d->desc.bos_len = MSOS20_BOS_LEN;
		d->desc.vendor = &d->msos20.base;
	}

	d->dfu_cfg.attributes = SAMPLE_DFU_ATTRIBUTES;
	d->dfu_cfg.detach_timeout_ms = SAMPLE_DETACH_TIMEOUT_MS;
	d->dfu_cfg.transfer_size = p->transfer_size;
	d->dfu_cfg.buffer = p->buffer;
	d->dfu_cfg.alts = p->alts;
	d->dfu_cfg.num_alts = p->runtime ? 0 : p->num_alts;
	d->dfu_cfg.event = p->event;
	d->dfu_cfg.app = p->app;
	return 0;
}
