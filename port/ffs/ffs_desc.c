/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FunctionFS descriptor and string blobs, generated from a struct
 * usbd_device_desc (see dfukit/ffs.h). Plain byte serialisation, so the
 * result does not depend on the host's struct layout or endianness.
 */
#include <errno.h>
#include <string.h>

#include "dfukit/ffs.h"

/* include/uapi/linux/usb/functionfs.h */
#define FFS_DESCRIPTORS_MAGIC_V2 3u
#define FFS_STRINGS_MAGIC 2u
#define FFS_HAS_FS_DESC 1u
#define FFS_HAS_HS_DESC 2u
#define FFS_HAS_SS_DESC 4u
#define FFS_LANG_EN_US 0x0409u

#define IFACE_DESC_LEN 9u

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

static void put16(struct blob *b, uint16_t v)
{
	put8(b, (uint8_t)(v & 0xffu));
	put8(b, (uint8_t)(v >> 8));
}

static void put32(struct blob *b, uint32_t v)
{
	put16(b, (uint16_t)(v & 0xffffu));
	put16(b, (uint16_t)(v >> 16));
}

static void put_bytes(struct blob *b, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		put8(b, data[i]);
	}
}

static void patch32(struct blob *b, size_t at, uint32_t v)
{
	for (unsigned i = 0; i < 4u && at + i < b->cap; i++) {
		b->p[at + i] = (uint8_t)(v >> (8u * i));
	}
}

/* The interfaces FunctionFS can serve: ep0 only, alternate 0 only. */
static int check_config(const struct usbd_device_desc *desc, const struct usbd_config_desc **cfg)
{
	if (desc == NULL || desc->num_configs < 1 || desc->configs == NULL) {
		return -EINVAL;
	}
	*cfg = &desc->configs[0];
	if ((*cfg)->num_ifaces == 0 || (*cfg)->ifaces == NULL) {
		return -EINVAL;
	}
	for (uint8_t i = 0; i < (*cfg)->num_ifaces; i++) {
		const struct usbd_iface_desc *iface = &(*cfg)->ifaces[i];
		if (iface->num_alts == 0 || iface->alts == NULL) {
			return -EINVAL;
		}
		if (iface->num_alts > 1 || iface->alts[0].num_endpoints > 0) {
			return -ENOTSUP;
		}
	}
	return 0;
}

/* Global string index -> the function's own (1..), in order of first use; 0 = none. */
static int map_strings(const struct usbd_config_desc *cfg, const struct usbd_device_desc *desc,
		       uint8_t map[256], uint8_t order[256])
{
	int n = 0;
	memset(map, 0, 256);
	for (uint8_t i = 0; i < cfg->num_ifaces; i++) {
		uint8_t s = cfg->ifaces[i].alts[0].string_index;
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

/* Number of descriptors in a class-descriptor block (bLength-chained), or <0. */
static int count_descs(const uint8_t *p, uint16_t len)
{
	int n = 0;
	for (uint16_t off = 0; off < len; n++) {
		uint16_t left = (uint16_t)(len - off);
		if (left < 2u || p[off] < 2u || p[off] > left) {
			return -EINVAL;
		}
		off = (uint16_t)(off + p[off]);
	}
	return n;
}

static void put_speed(struct blob *b, const struct usbd_config_desc *cfg, const uint8_t map[256],
		      bool class_desc)
{
	for (uint8_t i = 0; i < cfg->num_ifaces; i++) {
		const struct usbd_alt_desc *alt = &cfg->ifaces[i].alts[0];
		put8(b, IFACE_DESC_LEN);
		put8(b, USB_DESC_INTERFACE);
		put8(b, i); /* the function's own numbering; f_fs remaps it */
		put8(b, 0); /* bAlternateSetting */
		put8(b, 0); /* bNumEndpoints */
		put8(b, alt->iface_class);
		put8(b, alt->iface_subclass);
		put8(b, alt->iface_protocol);
		put8(b, map[alt->string_index]);
		if (class_desc && alt->class_desc_len > 0) {
			put_bytes(b, alt->class_desc, alt->class_desc_len);
		}
	}
}

int ffs_build_descriptors(const struct usbd_device_desc *desc, unsigned flags, uint8_t *out,
			  size_t cap)
{
	const struct usbd_config_desc *cfg;
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
	uint32_t count = 0;
	for (uint8_t i = 0; i < cfg->num_ifaces; i++) {
		const struct usbd_alt_desc *alt = &cfg->ifaces[i].alts[0];
		count++;
		if (class_desc && alt->class_desc_len > 0) {
			int n = count_descs(alt->class_desc, alt->class_desc_len);
			if (n < 0) {
				return n;
			}
			count += (uint32_t)n;
		}
	}

	struct blob b = {.p = out, .cap = cap};
	put32(&b, FFS_DESCRIPTORS_MAGIC_V2);
	put32(&b, 0); /* length, patched below */
	/*
	 * Without endpoints every speed looks the same (SuperSpeed needs no
	 * companion descriptors then); SuperSpeed UDCs (dwc3) get their own copy.
	 */
	put32(&b, FFS_HAS_FS_DESC | FFS_HAS_HS_DESC | FFS_HAS_SS_DESC);
	put32(&b, count); /* fs_count */
	put32(&b, count); /* hs_count */
	put32(&b, count); /* ss_count */
	for (int speed = 0; speed < 3; speed++) {
		put_speed(&b, cfg, map, class_desc);
	}
	if (b.overflow || b.len > UINT32_MAX || b.len > (size_t)INT32_MAX) {
		return -ENOSPC;
	}
	patch32(&b, 4, (uint32_t)b.len);
	return (int)b.len;
}

int ffs_build_strings(const struct usbd_device_desc *desc, uint8_t *out, size_t cap)
{
	const struct usbd_config_desc *cfg;
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
	put32(&b, 0); /* length, patched below */
	put32(&b, (uint32_t)n);           /* str_count */
	put32(&b, n > 0 ? 1u : 0u);       /* lang_count: both zero or neither */
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
	patch32(&b, 4, (uint32_t)b.len);
	return (int)b.len;
}
