/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FunctionFS descriptor and string blobs, generated from a struct
 * usbd_device_desc (see dfukit/port/ffs.h). Plain byte serialisation, so the
 * result does not depend on the host's struct layout or endianness.
 */
#include <errno.h>
#include <string.h>

#include "dfukit/port/ffs.h"
#include "dfukit/wire.h"

/* include/uapi/linux/usb/functionfs.h */
#define FFS_DESCRIPTORS_MAGIC_V2 3u
#define FFS_STRINGS_MAGIC        2u
#define FFS_HAS_FS_DESC          1u
#define FFS_HAS_HS_DESC          2u
#define FFS_HAS_SS_DESC          4u
#define FFS_LANG_EN_US           0x0409u
/* struct usb_functionfs_descs_head_v2 + the three counts; usb_functionfs_strings_head */
#define FFS_DESCS_OFF_LENGTH     4u
#define FFS_DESCS_OFF_FS_COUNT   12u
#define FFS_DESCS_OFF_HS_COUNT   16u
#define FFS_DESCS_OFF_SS_COUNT   20u
#define FFS_STRINGS_OFF_LENGTH   4u

struct blob {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool overflow;
};

static void put8(struct blob *b, uint8_t v)
{
	if (b->len < b->cap) {
		b->p[b->len] = v;
	} else {
		b->overflow = true;
	}
	b->len++;
}

static void put_bytes(struct blob *b, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		put8(b, data[i]);
	}
}

static void put16(struct blob *b, uint16_t v)
{
	uint8_t le[2];
	wire_put_le16(le, v);
	put_bytes(b, le, sizeof(le));
}

static void put32(struct blob *b, uint32_t v)
{
	uint8_t le[4];
	wire_put_le32(le, v);
	put_bytes(b, le, sizeof(le));
}

/* Only into what was written: callers patch a blob that did not overflow. */
static void patch32(struct blob *b, size_t at, uint32_t v)
{
	if (at <= b->len && b->len - at >= 4u) {
		wire_put_le32(b->p + at, v);
	}
}

/*
 * The configuration FunctionFS can serve (ep0 only, alternate 0 only):
 * configuration 0 of a description the usbd core could serve (so that
 * usbd_desc_next() may walk it), each of its bNumInterfaces interfaces
 * described once, at alternate 0, without endpoints.
 */
static int check_config(const struct usbd_device_desc *desc, const uint8_t **out)
{
	if (desc == NULL || usbd_desc_check(desc) < 0) {
		return -EINVAL;
	}
	const uint8_t *cfg = desc->configs[0].desc;
	uint8_t num_ifaces = cfg[USB_CFG_bNumInterfaces];
	if (num_ifaces == 0) {
		return -EINVAL;
	}
	unsigned alt0s = 0;
	bool in_iface = false;
	for (const uint8_t *d = usbd_desc_next(cfg, cfg); d != NULL; d = usbd_desc_next(cfg, d)) {
		unsigned type = d[USB_DESC_bDescriptorType];
		if (type == USB_DESC_INTERFACE) {
			if (d[USB_IF_bInterfaceNumber] >= num_ifaces) {
				return -EINVAL;
			}
			if (d[USB_IF_bAlternateSetting] != 0 || d[USB_IF_bNumEndpoints] != 0) {
				return -ENOTSUP; /* a second alternate, or endpoints */
			}
			alt0s++;
			in_iface = true;
		} else if (type == USB_DESC_ENDPOINT || !in_iface) {
			/* Endpoints, or one before any interface (IAD, OTG): the blob has no place for it. */
			return -ENOTSUP;
		}
	}
	/* usbd_desc_check() found alternate 0 of each: more means one described twice. */
	if (alt0s != num_ifaces) {
		return -EINVAL;
	}
	*out = cfg;
	return 0;
}

/* Global string index -> the function's own (1..), in order of first use; 0 = none. */
static int map_strings(const uint8_t *cfg, const struct usbd_device_desc *desc, uint8_t map[256],
		       uint8_t order[256])
{
	int n = 0;
	memset(map, 0, 256);
	for (unsigned i = 0; i < cfg[USB_CFG_bNumInterfaces]; i++) {
		uint8_t s = usbd_find_alt(cfg, i, 0)[USB_IF_iInterface];
		if (s == 0 || map[s] != 0) {
			continue;
		}
		if (s > desc->num_strings || desc->strings == NULL) {
			return -EINVAL;
		}
		order[n] = s;
		map[s] = (uint8_t)++n;
	}
	return n;
}

/*
 * One speed's descriptors, in interface order; returns how many. The
 * descriptors after an interface descriptor, up to the next one, are its
 * class-specific ones (check_config() allows no endpoints).
 */
static uint32_t put_speed(struct blob *b, const uint8_t *cfg, const uint8_t map[256],
			  bool class_desc)
{
	uint32_t count = 0;
	for (unsigned i = 0; i < cfg[USB_CFG_bNumInterfaces]; i++) {
		const uint8_t *d = usbd_find_alt(cfg, i, 0);
		/* Rebuilt rather than copied: a longer bLength would not be FunctionFS's. */
		put8(b, USBD_IFACE_DESC_LEN);
		put8(b, USB_DESC_INTERFACE);
		put8(b, (uint8_t)i); /* the function's own numbering; f_fs remaps it */
		put8(b, 0);          /* bAlternateSetting */
		put8(b, 0);          /* bNumEndpoints */
		put8(b, d[USB_IF_bInterfaceClass]);
		put8(b, d[USB_IF_bInterfaceSubClass]);
		put8(b, d[USB_IF_bInterfaceProtocol]);
		put8(b, map[d[USB_IF_iInterface]]);
		count++;
		while (class_desc && (d = usbd_desc_next(cfg, d)) != NULL &&
		       d[USB_DESC_bDescriptorType] != USB_DESC_INTERFACE) {
			put_bytes(b, d, d[USB_DESC_bLength]);
			count++;
		}
	}
	return count;
}

int ffs_build_descriptors(const struct usbd_device_desc *desc, unsigned flags, uint8_t *out,
			  size_t cap)
{
	const uint8_t *cfg;
	uint8_t map[256], order[256];
	bool class_desc = (flags & FFS_DESC_NO_CLASS_DESC) == 0;
	int rc = check_config(desc, &cfg);

	if (rc < 0) {
		return rc;
	}
	rc = map_strings(cfg, desc, map, order);
	if (rc < 0) {
		return rc;
	}

	struct blob b = {.p = out, .cap = cap};
	put32(&b, FFS_DESCRIPTORS_MAGIC_V2);
	put32(&b, 0); /* length, patched below */
	/*
	 * Without endpoints every speed looks the same (SuperSpeed needs no
	 * companion descriptors then); SuperSpeed UDCs (dwc3) get their own copy.
	 */
	put32(&b, FFS_HAS_FS_DESC | FFS_HAS_HS_DESC | FFS_HAS_SS_DESC);
	put32(&b, 0); /* fs_count, hs_count, ss_count: patched below */
	put32(&b, 0);
	put32(&b, 0);
	uint32_t count = 0;
	for (int speed = 0; speed < 3; speed++) {
		count = put_speed(&b, cfg, map, class_desc);
	}
	if (b.overflow || b.len > UINT32_MAX || b.len > (size_t)INT32_MAX) {
		return -ENOSPC;
	}
	patch32(&b, FFS_DESCS_OFF_LENGTH, (uint32_t)b.len);
	patch32(&b, FFS_DESCS_OFF_FS_COUNT, count);
	patch32(&b, FFS_DESCS_OFF_HS_COUNT, count);
	patch32(&b, FFS_DESCS_OFF_SS_COUNT, count);
	return (int)b.len;
}

int ffs_build_strings(const struct usbd_device_desc *desc, uint8_t *out, size_t cap)
{
	const uint8_t *cfg;
	uint8_t map[256], order[256];
	int rc = check_config(desc, &cfg);

	if (rc < 0) {
		return rc;
	}
	int n = map_strings(cfg, desc, map, order);
	if (n < 0) {
		return n;
	}
	struct blob b = {.p = out, .cap = cap};
	put32(&b, FFS_STRINGS_MAGIC);
	put32(&b, 0);               /* length, patched below */
	put32(&b, (uint32_t)n);     /* str_count */
	put32(&b, n > 0 ? 1u : 0u); /* lang_count: both zero or neither */
	if (n > 0) {
		put16(&b, FFS_LANG_EN_US);
		for (int i = 0; i < n; i++) {
			const char *s = desc->strings[order[i] - 1];
			if (s == NULL) {
				s = "";
			}
			put_bytes(&b, (const uint8_t *)s, strlen(s) + 1u);
		}
	}
	if (b.overflow || b.len > (size_t)INT32_MAX) {
		return -ENOSPC;
	}
	patch32(&b, FFS_STRINGS_OFF_LENGTH, (uint32_t)b.len);
	return (int)b.len;
}
