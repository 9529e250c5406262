/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "dfukit/sample/device.h"

#include "dfukit/dfuse.h"
#include "dfukit/wire.h"

/* The functional descriptor's bcdDFUVersion (DFU 1.1 table 4.2). */
#define DFU_FUNC_bcdDFUVersion 7u

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

	/* A BOS needs bcdUSB 2.01 or later; Windows reads MS OS 2.0 from 2.10 devices. */
	const uint8_t device[] = {USBD_DEVICE_DESC(p->ms_os_20 ? 0x0210u : 0x0200u, 0, 0, 0, 64,
						   SAMPLE_VID, SAMPLE_PID, SAMPLE_BCD_DEVICE, 1, 2,
						   3, 1)};
	memcpy(d->device_desc, device, sizeof(device));

	unsigned total =
		USBD_CONFIG_DESC_LEN + num_alts * (USBD_IFACE_DESC_LEN + DFU_FUNCTIONAL_DESC_LEN);
	const uint8_t config[] = {
		USBD_CONFIG_DESC(total, 1, 1, 0, USB_CONFIG_ATTR_SELF_POWERED, 50 /* 100 mA */)};
	uint8_t *at = d->config_desc;
	memcpy(at, config, sizeof(config));
	at += sizeof(config);
	for (uint8_t i = 0; i < num_alts; i++) {
		/* The run-time interface has no name: dfu-util shows "UNKNOWN", as in the seed. */
		uint8_t name = p->runtime ? 0 : (uint8_t)(4u + i);
		const uint8_t iface[] = {USBD_IFACE_DESC(
			0, i, 0, DFU_INTERFACE_CLASS, DFU_INTERFACE_SUBCLASS,
			p->runtime ? DFU_PROTOCOL_RUNTIME : DFU_PROTOCOL_DFU, name)};
		memcpy(at, iface, sizeof(iface));
		at += sizeof(iface);
		if (!p->runtime) {
			d->strings[3 + i] = p->alt_names[i];
		}
		/* USB DFU 1.1 4.2.3: the functional descriptor follows each alternate. */
		dfu_functional_desc(at, SAMPLE_DFU_ATTRIBUTES, SAMPLE_DETACH_TIMEOUT_MS,
				    p->transfer_size);
		if (p->dfuse) {
			wire_put_le16(at + DFU_FUNC_bcdDFUVersion, DFUSE_BCD_DFU_VERSION);
		}
		at += DFU_FUNCTIONAL_DESC_LEN;
	}
	d->owners[0] = &d->dfu.base;
	d->config.desc = d->config_desc;
	d->config.owners = d->owners;
	d->desc.device = d->device_desc;
	d->desc.configs = &d->config;
	d->desc.strings = d->strings;
	d->desc.num_strings = (uint8_t)(p->runtime ? 3u : 3u + num_alts);

	if (p->ms_os_20) {
		int rc =
			usbd_msos20_init(&d->msos20, SAMPLE_MSOS20_VENDOR_CODE, SAMPLE_WINUSB_GUID);
		if (rc < 0) {
			return rc;
		}
		d->desc.bos = d->msos20.bos;
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
