/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seed's USB DFU sample as a device: one DFU interface, in run-time
 * mode (protocol 1) or DFU mode (protocol 2, one alternate per backend),
 * its descriptors built at run time, bound to any UDC port. Used by the firmware
 * apps and by the tests, so both see byte-identical descriptors.
 */
#ifndef DFUKIT_SAMPLE_DEVICE_H
#define DFUKIT_SAMPLE_DEVICE_H

#include "dfukit/dfu.h"
#include "dfukit/msos20.h"
#include "dfukit/usbd.h"

#define SAMPLE_VID        0x2fe3u /* Zephyr's test VID, as in the seed */
#define SAMPLE_PID        0x0005u
#define SAMPLE_BCD_DEVICE 0x0402u
#define SAMPLE_MAX_ALTS   4
#define SAMPLE_DFU_ATTRIBUTES                                                                      \
	(DFU_ATTR_CAN_DNLOAD | DFU_ATTR_CAN_UPLOAD | DFU_ATTR_MANIFESTATION_TOLERANT |             \
	 DFU_ATTR_WILL_DETACH)
#define SAMPLE_DETACH_TIMEOUT_MS  1000u
/* MS OS 2.0: the vendor request code and the interface GUID Windows registers. */
#define SAMPLE_MSOS20_VENDOR_CODE 0x20u
#define SAMPLE_WINUSB_GUID        "{5AB0F1C2-8E3D-4B6A-9F21-7C4D2E9B1A63}"

struct sample_params {
	bool runtime;
	uint16_t transfer_size; /* wTransferSize; buffer holds this many bytes */
	uint8_t *buffer;
	const char *manufacturer;
	const char *product;
	const char *serial;
	/* DFU mode: the alternates, named by their iInterface strings. */
	const char *const *alt_names;
	const struct dfu_alt *alts;
	uint8_t num_alts;
	void (*event)(void *app, enum dfu_event event, uint8_t alt);
	void *app;
	/*
	 * DfuSe device (bcdDFUVersion 0x011A, in both modes: the version is
	 * device-wide); the alternates are then DfuSe backends (dfukit/dfuse.h)
	 * named in ST's memory-layout format.
	 */
	bool dfuse;
	/* Answer Windows' MS OS 2.0 queries (bcdUSB becomes 2.10), so WinUSB binds without Zadig. */
	bool ms_os_20;
};

struct sample_device {
	struct usbd_device usbd;
	struct dfu_class dfu;
	struct dfu_config dfu_cfg;
	struct usbd_device_desc desc;
	struct usbd_config_desc config;
	struct usbd_class *owners[1];
	uint8_t device_desc[18];
	/* Per alternate: interface descriptor and DFU functional descriptor. */
	uint8_t config_desc[USBD_CONFIG_DESC_LEN +
			    SAMPLE_MAX_ALTS * (USBD_IFACE_DESC_LEN + DFU_FUNCTIONAL_DESC_LEN)];
	const char *strings[3 + SAMPLE_MAX_ALTS];
	struct usbd_msos20 msos20;
};

/* Fill in the descriptors and the DFU configuration (no class set up yet). */
int sample_device_describe(struct sample_device *d, const struct sample_params *p);

/*
 * String indexes: 1 manufacturer, 2 product, 3 serial, 4.. alternates.
 * Inline so that a firmware whose p->runtime is a constant links only the
 * DFU class mode it uses.
 */
static inline int sample_device_init(struct sample_device *d, const struct sample_params *p,
				     const struct udc *udc)
{
	bool runtime = p->runtime; /* read before p escapes, so a constant folds */
	int rc = sample_device_describe(d, p);
	if (rc == 0) {
		rc = runtime ? dfu_runtime_init(&d->dfu, &d->dfu_cfg)
			     : dfu_init(&d->dfu, &d->dfu_cfg);
	}
	return rc < 0 ? rc : usbd_init(&d->usbd, &d->desc, udc);
}

/* sample_device_init, then on the bus: what a firmware does at start and after DETACH. */
static inline int sample_device_start(struct sample_device *d, const struct sample_params *p,
				      const struct udc *udc)
{
	int rc = sample_device_init(d, p, udc);
	return rc < 0 ? rc : usbd_enable(&d->usbd, true);
}

#endif /* DFUKIT_SAMPLE_DEVICE_H */
