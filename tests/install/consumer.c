/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a project using an installed dfukit does with it, built against the
 * installed headers and libraries only (tests/install/check-install.sh):
 * the sample DFU device on the virtual controller, enumerated and given a
 * download that is uploaded back, and an MCUboot image validated against a key.
 * Portable: the host and the Cortex-M consumers share it.
 */
#include "consumer.h"

#include <errno.h>
#include <string.h>

#include <dfukit/dfu_ramdisk.h>
#include <dfukit/sample/device.h>
#include <dfukit/port/vudc.h>

#define XFER    64u
#define DFU_OUT (USB_REQTYPE_CLASS | USB_REQTYPE_INTERFACE)
#define DFU_IN  (USB_REQTYPE_DIR_IN | USB_REQTYPE_CLASS | USB_REQTYPE_INTERFACE)

struct rig {
	struct vudc v;
	struct sample_device dev;
	struct dfu_ramdisk disk;
	uint8_t disk_mem[CONSUMER_DFU_BYTES]; /* uploads read the whole disk back */
	uint8_t xfer_buf[XFER];
	uint8_t data[CONSUMER_DFU_BYTES];
	uint8_t back[CONSUMER_DFU_BYTES + XFER];
};

static int ctl(struct vudc *v, uint8_t type, uint8_t req, uint16_t value, uint16_t len,
	       uint8_t *data)
{
	struct usbd_setup s = {type, req, value, 0, len};
	return vudc_control(v, &s, data);
}

/* GETSTATUS until the device leaves the busy/sync states; returns bState or <0. */
static int settle(struct vudc *v)
{
	for (int polls = 0; polls < 100; polls++) {
		uint8_t st[6];
		int rc = ctl(v, DFU_IN, DFU_GETSTATUS, 0, sizeof(st), st);
		if (rc < 0) {
			return rc;
		}
		if (rc != (int)sizeof(st) || st[0] != DFU_STATUS_OK) {
			return -EPROTO;
		}
		if (st[4] != DFU_STATE_DNBUSY && st[4] != DFU_STATE_DNLOAD_SYNC &&
		    st[4] != DFU_STATE_MANIFEST_SYNC && st[4] != DFU_STATE_MANIFEST) {
			return st[4];
		}
	}
	return -ETIMEDOUT;
}

static int loopback(struct rig *r)
{
	static const char *const names[] = {"ramdisk0"};
	const struct dfu_alt alt = {&dfu_ramdisk_ops, &r->disk};
	const struct sample_params p = {.transfer_size = XFER,
					.buffer = r->xfer_buf,
					.manufacturer = "dfukit",
					.product = "consumer",
					.serial = "0001",
					.alt_names = names,
					.alts = &alt,
					.num_alts = 1};

	dfu_ramdisk_init(&r->disk, r->disk_mem, (uint32_t)sizeof(r->disk_mem));
	vudc_init(&r->v, &r->dev.usbd);
	struct udc u = vudc_udc(&r->v);
	int rc = sample_device_init(&r->dev, &p, &u);
	if (rc == 0) {
		rc = usbd_enable(&r->dev.usbd, true);
	}
	if (rc == 0) {
		rc = ctl(&r->v, 0, USB_REQ_SET_ADDRESS, 1, 0, NULL);
	}
	if (rc == 0) {
		rc = ctl(&r->v, 0, USB_REQ_SET_CONFIGURATION, 1, 0, NULL);
	}
	if (rc < 0) {
		return rc;
	}

	/* The device descriptor a host reads first: the sample's VID:PID. */
	uint8_t desc[18];
	rc = ctl(&r->v, USB_REQTYPE_DIR_IN, USB_REQ_GET_DESCRIPTOR, USB_DESC_DEVICE << 8,
		 sizeof(desc), desc);
	if (rc != (int)sizeof(desc)) {
		return rc < 0 ? rc : -EPROTO;
	}
	if ((desc[8] | desc[9] << 8) != SAMPLE_VID || (desc[10] | desc[11] << 8) != SAMPLE_PID) {
		return -ENODEV;
	}

	/* Download in wTransferSize blocks, then the zero-length block that ends it. */
	for (uint32_t i = 0; i < CONSUMER_DFU_BYTES; i++) {
		r->data[i] = (uint8_t)(i * 7u + (i >> 8));
	}
	uint16_t block = 0;
	for (uint32_t off = 0; off < CONSUMER_DFU_BYTES; off += XFER, block++) {
		uint32_t n = CONSUMER_DFU_BYTES - off < XFER ? CONSUMER_DFU_BYTES - off : XFER;
		rc = ctl(&r->v, DFU_OUT, DFU_DNLOAD, block, (uint16_t)n, &r->data[off]);
		if (rc < 0) {
			return rc;
		}
		rc = settle(&r->v);
		if (rc != DFU_STATE_DNLOAD_IDLE) {
			return rc < 0 ? rc : -EIO;
		}
	}
	rc = ctl(&r->v, DFU_OUT, DFU_DNLOAD, block, 0, NULL);
	if (rc == 0) {
		rc = settle(&r->v);
	}
	if (rc != DFU_STATE_IDLE) {
		return rc < 0 ? rc : -EIO;
	}

	/* Upload until a short block; it must be what went down. */
	uint32_t got = 0;
	for (block = 0; got + XFER <= sizeof(r->back); block++) {
		rc = ctl(&r->v, DFU_IN, DFU_UPLOAD, block, XFER, &r->back[got]);
		if (rc < 0) {
			return rc;
		}
		got += (uint32_t)rc;
		if (rc < (int)XFER) {
			break;
		}
	}
	if (got != CONSUMER_DFU_BYTES || memcmp(r->back, r->data, CONSUMER_DFU_BYTES) != 0) {
		return -EIO;
	}
	return (int)got;
}

int consumer_dfu_loopback(void)
{
	/* Static: the rig is larger than a small target's stack. */
	static struct rig r;
	memset(&r, 0, sizeof(r));
	return loopback(&r);
}

int consumer_check_image(const uint8_t *image, uint32_t len, const uint8_t *key_der,
			 uint32_t key_len, struct dfukit_image_result *res)
{
	struct dfukit_image_membuf mb = {image, len};
	const struct dfukit_image_src src = {dfukit_image_membuf_read, &mb, len};
	const struct dfukit_image_key key = {DFUKIT_IMAGE_KEY_ECDSA_P256, key_der, key_len};
	int rc = dfukit_image_validate(&src, &key, 1, res);
	if (rc == 0 && (!res->hash_ok || res->key_index != 0)) {
		rc = -EPERM;
	}
	return rc;
}
