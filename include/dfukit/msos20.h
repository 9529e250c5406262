/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Microsoft OS 2.0 descriptors, so that Windows binds WinUSB to the device by
 * itself (no Zadig): a BOS with the MS OS 2.0 platform capability, and the
 * descriptor set it points to, answered on the vendor request it names.
 * The set says: compatible ID "WINUSB", and a DeviceInterfaceGUIDs registry
 * property so that applications (libusb, dfu-util) find the device.
 *
 * Use: usbd_msos20_init(), then give the device descriptor bcdUSB 0x0210 and
 * set the device description's bos to ms->bos and vendor to &ms->base.
 */
#ifndef DFUKIT_MSOS20_H
#define DFUKIT_MSOS20_H

#include <stdint.h>

#include "dfukit/usbd.h"

#define MSOS20_BOS_LEN          33u   /* BOS header + one platform capability */
#define MSOS20_SET_LEN          162u  /* set header + compatible ID + GUID property */
#define MSOS20_GUID_CHARS       38u   /* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" */
#define MSOS20_DESCRIPTOR_INDEX 0x07u /* wIndex of the vendor request */

struct usbd_msos20 {
	struct usbd_class base;
	uint8_t vendor_code;
	uint8_t bos[MSOS20_BOS_LEN];
	uint8_t set[MSOS20_SET_LEN];
};

/* -EINVAL unless guid is a braced GUID string of 38 characters. */
int usbd_msos20_init(struct usbd_msos20 *ms, uint8_t vendor_code, const char *guid);

#endif /* DFUKIT_MSOS20_H */
