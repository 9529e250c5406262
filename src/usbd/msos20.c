/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Microsoft OS 2.0 Descriptors Specification (July 2018) layouts: BOS
 * platform capability (table 4), descriptor set header (table 10),
 * compatible ID (table 13) and registry property (table 14) descriptors.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "dfukit/msos20.h"
#include "dfukit/wire.h"

#define WINDOWS_8_1 0x06030000u /* NTDDI_WINBLUE: first version reading MS OS 2.0 */

struct out {
	uint8_t *p;
	size_t at;
};

static void put8(struct out *o, uint8_t v)
{
	o->p[o->at++] = v;
}

static void put16(struct out *o, uint16_t v)
{
	wire_put_le16(o->p + o->at, v);
	o->at += 2;
}

static void put32(struct out *o, uint32_t v)
{
	/* Two halves: smaller code than a second store sequence. */
	put16(o, (uint16_t)(v & 0xffffu));
	put16(o, (uint16_t)(v >> 16));
}

/* ASCII to UTF-16LE, with the terminating NUL. */
static void put_utf16z(struct out *o, const char *s)
{
	for (; *s != '\0'; s++) {
		put16(o, (uint8_t)*s);
	}
	put16(o, 0);
}

static void build_bos(uint8_t *bos, uint8_t vendor_code)
{
	/* {D8DD60DF-4589-4CC7-9CD2-659D9E648A9F} in its wire byte order. */
	static const uint8_t ms_os_20_uuid[16] = {0xdf, 0x60, 0xdd, 0xd8, 0x89, 0x45, 0xc7, 0x4c,
						  0x9c, 0xd2, 0x65, 0x9d, 0x9e, 0x64, 0x8a, 0x9f};
	struct out o = {bos, 0};
	put8(&o, 5);
	put8(&o, USB_DESC_BOS);
	put16(&o, MSOS20_BOS_LEN);
	put8(&o, 1);    /* bNumDeviceCaps */
	put8(&o, 28);   /* bLength */
	put8(&o, 0x10); /* DEVICE CAPABILITY */
	put8(&o, 0x05); /* PLATFORM */
	put8(&o, 0);
	memcpy(o.p + o.at, ms_os_20_uuid, sizeof(ms_os_20_uuid));
	o.at += sizeof(ms_os_20_uuid);
	put32(&o, WINDOWS_8_1);
	put16(&o, MSOS20_SET_LEN);
	put8(&o, vendor_code);
	put8(&o, 0); /* bAltEnumCode: no alternate enumeration */
}

static void build_set(uint8_t *set, const char *guid)
{
	static const char name[] = "DeviceInterfaceGUIDs";
	struct out o = {set, 0};
	put16(&o, 10);
	put16(&o, 0x00); /* MS_OS_20_SET_HEADER_DESCRIPTOR */
	put32(&o, WINDOWS_8_1);
	put16(&o, MSOS20_SET_LEN);
	/* The whole (single-function) device binds to WinUSB. */
	put16(&o, 20);
	put16(&o, 0x03);                                      /* MS_OS_20_FEATURE_COMPATBLE_ID */
	memcpy(o.p + o.at, "WINUSB\0\0\0\0\0\0\0\0\0\0", 16); /* CompatibleID, SubCompatibleID */
	o.at += 16;
	uint16_t name_len = (uint16_t)(2u * sizeof(name));
	uint16_t data_len = (uint16_t)(2u * (MSOS20_GUID_CHARS + 2u)); /* REG_MULTI_SZ: two NULs */
	put16(&o, (uint16_t)(10u + name_len + data_len));
	put16(&o, 0x04);   /* MS_OS_20_FEATURE_REG_PROPERTY */
	put16(&o, 0x0007); /* REG_MULTI_SZ */
	put16(&o, name_len);
	put_utf16z(&o, name);
	put16(&o, data_len);
	put_utf16z(&o, guid);
	put16(&o, 0);
}

static int msos20_control(struct usbd_class *cls, const struct usbd_setup *s,
			  struct usbd_ctrl_reply *r)
{
	struct usbd_msos20 *ms = (struct usbd_msos20 *)(void *)cls;
	if (s->bmRequestType != (USB_REQTYPE_DIR_IN | USB_REQTYPE_VENDOR | USB_REQTYPE_DEVICE) ||
	    s->bRequest != ms->vendor_code || s->wValue != 0 ||
	    s->wIndex != MSOS20_DESCRIPTOR_INDEX) {
		return -ENOTSUP;
	}
	r->in_data = ms->set;
	r->in_len = MSOS20_SET_LEN;
	return 0;
}

static const struct usbd_class_ops msos20_ops = {.control = msos20_control};

int usbd_msos20_init(struct usbd_msos20 *ms, uint8_t vendor_code, const char *guid)
{
	if (guid == NULL || strlen(guid) != MSOS20_GUID_CHARS || guid[0] != '{' ||
	    guid[MSOS20_GUID_CHARS - 1u] != '}') {
		return -EINVAL;
	}
	memset(ms, 0, sizeof(*ms));
	ms->base.ops = &msos20_ops;
	ms->vendor_code = vendor_code;
	build_bos(ms->bos, vendor_code);
	build_set(ms->set, guid);
	return 0;
}
