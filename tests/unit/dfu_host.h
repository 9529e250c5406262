/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host's side of DFU over a vudc, as dfu-util does it: DNLOAD blocks with
 * a GETSTATUS after each (polling while dfuDNBUSY), a zero-length DNLOAD and
 * GETSTATUS through manifestation; UPLOAD until a short reply.
 */
#ifndef DFUKIT_TEST_DFU_HOST_H
#define DFUKIT_TEST_DFU_HOST_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "dfukit/dfu.h"
#include "dfukit/sample/device.h"
#include "dfukit/port/vudc.h"

#define DFU_REQ_OUT (USB_REQTYPE_CLASS | USB_REQTYPE_INTERFACE)
#define DFU_REQ_IN  (USB_REQTYPE_DIR_IN | USB_REQTYPE_CLASS | USB_REQTYPE_INTERFACE)

struct dfu_host_status {
	uint8_t status;
	uint32_t poll_ms;
	uint8_t state;
};

static inline int host_ctl(struct vudc *v, uint8_t type, uint8_t req, uint16_t value,
			   uint16_t index, uint16_t len, uint8_t *data)
{
	struct usbd_setup s = {type, req, value, index, len};
	return vudc_control(v, &s, data);
}

/*
 * Build the sample device p describes on a fresh virtual controller and
 * enumerate it as a host does (SET_ADDRESS 1, SET_CONFIGURATION 1).
 * Returns 0 or the first negative errno.
 */
static inline int dfu_host_attach(struct vudc *v, struct sample_device *d,
				  const struct sample_params *p)
{
	vudc_init(v, &d->usbd);
	struct udc u = vudc_udc(v);
	int rc = sample_device_init(d, p, &u);
	if (rc == 0) {
		rc = usbd_enable(&d->usbd, true);
	}
	if (rc == 0) {
		rc = host_ctl(v, 0, USB_REQ_SET_ADDRESS, 1, 0, 0, NULL);
	}
	if (rc == 0) {
		rc = host_ctl(v, 0, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL);
	}
	return rc;
}

static inline int dfu_host_getstatus(struct vudc *v, struct dfu_host_status *st)
{
	uint8_t b[6];
	int rc = host_ctl(v, DFU_REQ_IN, DFU_GETSTATUS, 0, 0, 6, b);
	if (rc < 0) {
		return rc;
	}
	if (rc != 6) {
		return -EPROTO;
	}
	st->status = b[0];
	st->poll_ms = (uint32_t)b[1] | ((uint32_t)b[2] << 8) | ((uint32_t)b[3] << 16);
	st->state = b[4];
	return 0;
}

static inline int dfu_host_getstate(struct vudc *v)
{
	uint8_t b[1];
	int rc = host_ctl(v, DFU_REQ_IN, DFU_GETSTATE, 0, 0, 1, b);
	return rc < 0 ? rc : b[0];
}

/*
 * Download len bytes in blocks of xfer; returns 0 or a negative errno, with
 * the final status in *st. Counts control transfers in *requests if non-NULL.
 */
static inline int dfu_host_download(struct vudc *v, const uint8_t *data, uint32_t len,
				    uint16_t xfer, struct dfu_host_status *st)
{
	uint32_t off = 0;
	uint16_t block = 0;
	int rc;

	memset(st, 0, sizeof(*st));
	while (off < len) {
		uint16_t n = (uint16_t)(len - off < xfer ? len - off : xfer);
		rc = host_ctl(v, DFU_REQ_OUT, DFU_DNLOAD, block++, 0, n,
			      (uint8_t *)(uintptr_t)(data + off));
		if (rc < 0) {
			return rc;
		}
		do {
			rc = dfu_host_getstatus(v, st);
			if (rc < 0) {
				return rc;
			}
		} while (st->state == DFU_STATE_DNBUSY || st->state == DFU_STATE_DNLOAD_SYNC);
		if (st->state != DFU_STATE_DNLOAD_IDLE) {
			return -EIO;
		}
		off += n;
	}
	rc = host_ctl(v, DFU_REQ_OUT, DFU_DNLOAD, block, 0, 0, NULL);
	if (rc < 0) {
		return rc;
	}
	for (int polls = 0; polls < 1000; polls++) {
		rc = dfu_host_getstatus(v, st);
		if (rc < 0) {
			return rc;
		}
		if (st->state != DFU_STATE_MANIFEST_SYNC && st->state != DFU_STATE_MANIFEST) {
			return st->state == DFU_STATE_IDLE ? 0 : -EIO;
		}
	}
	return -ETIMEDOUT;
}

/* Upload into out (room bytes) with requests of xfer bytes; returns bytes or <0. */
static inline long dfu_host_upload(struct vudc *v, uint8_t *out, uint32_t room, uint16_t xfer)
{
	uint32_t got = 0;
	uint16_t block = 0;

	for (;;) {
		if (room - got < xfer) {
			return -ENOSPC;
		}
		int rc = host_ctl(v, DFU_REQ_IN, DFU_UPLOAD, block++, 0, xfer, out + got);
		if (rc < 0) {
			return rc;
		}
		got += (uint32_t)rc;
		if (rc < xfer) {
			return (long)got;
		}
	}
}

#endif /* DFUKIT_TEST_DFU_HOST_H */
