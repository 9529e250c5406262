/* SPDX-License-Identifier: Apache-2.0 */
/*
 * configfs side of the FunctionFS port: the device-level descriptor fields of
 * a struct usbd_device_desc written into a gadget directory, and UDC binding.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dfukit/port/ffs.h"
#include "dfukit/wire.h"

static int write_attr(const char *dir, const char *name, const char *fmt, ...)
{
	char path[PATH_MAX], val[256];
	va_list ap;
	int fd, len;
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		return -ENAMETOOLONG;
	}
	va_start(ap, fmt);
	len = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (len < 0 || len >= (int)sizeof(val)) {
		return -EINVAL;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	n = write(fd, val, (size_t)len);
	int err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		return -errno;
	}
	return 0;
}

/* Name of the first entry of dir (not . or ..) into out; -ENOENT if none. */
static int first_entry(const char *dir, char *out, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = -ENOENT;

	if (d == NULL) {
		return -errno;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') {
			continue;
		}
		if (snprintf(out, cap, "%s", e->d_name) >= (int)cap) {
			rc = -ENAMETOOLONG;
		} else {
			rc = 0;
		}
		break;
	}
	closedir(d);
	return rc;
}

static const char *string_at(const struct usbd_device_desc *desc, uint8_t index)
{
	if (index == 0 || index > desc->num_strings || desc->strings == NULL ||
	    desc->strings[index - 1] == NULL) {
		return NULL;
	}
	return desc->strings[index - 1];
}

/* The device descriptor's fields as configfs takes them, in the order written. */
struct device_attr {
	const char *name;
	const char *fmt;
	uint8_t off;
	bool le16; /* a 16-bit field, else one byte */
};

static const struct device_attr device_attrs[] = {
	{"idVendor", "0x%04x", USB_DEV_idVendor, true},
	{"idProduct", "0x%04x", USB_DEV_idProduct, true},
	{"bcdDevice", "0x%04x", USB_DEV_bcdDevice, true},
	{"bcdUSB", "0x%04x", USB_DEV_bcdUSB, true},
	{"bDeviceClass", "0x%02x", USB_DEV_bDeviceClass, false},
	{"bDeviceSubClass", "0x%02x", USB_DEV_bDeviceSubClass, false},
	{"bDeviceProtocol", "0x%02x", USB_DEV_bDeviceProtocol, false},
	{"bMaxPacketSize0", "%u", USB_DEV_bMaxPacketSize0, false},
};

int ffs_gadget_configure(const char *gadget_dir, const struct usbd_device_desc *desc)
{
	char path[PATH_MAX], cfg_name[NAME_MAX + 1];
	const char *s;
	int rc = 0;

	/* Read from the device descriptor and configuration 0's header. */
	if (usbd_desc_check(desc) < 0) {
		return -EINVAL;
	}
	const uint8_t *dd = desc->device;
	const uint8_t *cfg = desc->configs[0].desc;
	for (size_t i = 0; rc == 0 && i < sizeof(device_attrs) / sizeof(device_attrs[0]); i++) {
		const struct device_attr *a = &device_attrs[i];
		unsigned v = a->le16 ? wire_get_le16(dd + a->off) : dd[a->off];
		rc = write_attr(gadget_dir, a->name, a->fmt, v);
	}
	if (rc < 0) {
		return rc;
	}

	snprintf(path, sizeof(path), "%s/strings/0x409", gadget_dir);
	rc = make_dir(path);
	if (rc == 0 && (s = string_at(desc, dd[USB_DEV_iManufacturer])) != NULL) {
		rc = write_attr(path, "manufacturer", "%s", s);
	}
	if (rc == 0 && (s = string_at(desc, dd[USB_DEV_iProduct])) != NULL) {
		rc = write_attr(path, "product", "%s", s);
	}
	if (rc == 0 && (s = string_at(desc, dd[USB_DEV_iSerialNumber])) != NULL) {
		rc = write_attr(path, "serialnumber", "%s", s);
	}
	if (rc < 0) {
		return rc;
	}

	snprintf(path, sizeof(path), "%s/configs", gadget_dir);
	rc = first_entry(path, cfg_name, sizeof(cfg_name));
	if (rc < 0) {
		return rc;
	}
	snprintf(path, sizeof(path), "%s/configs/%s", gadget_dir, cfg_name);
	/* bMaxPower counts 2 mA units; configfs wants mA. */
	rc = write_attr(path, "MaxPower", "%u", 2u * cfg[USB_CFG_bMaxPower]);
	if (rc == 0) {
		/* Written as described: it carries USB_CONFIG_ATTR_ONE already. */
		rc = write_attr(path, "bmAttributes", "0x%02x",
				(unsigned)cfg[USB_CFG_bmAttributes]);
	}
	if (rc == 0 && (s = string_at(desc, cfg[USB_CFG_iConfiguration])) != NULL) {
		strncat(path, "/strings/0x409", sizeof(path) - strlen(path) - 1u);
		rc = make_dir(path);
		rc = rc ? rc : write_attr(path, "configuration", "%s", s);
	}
	return rc;
}

int ffs_gadget_bind(const char *gadget_dir, const char *udc)
{
	char name[NAME_MAX + 1];

	if (udc == NULL) {
		int rc = first_entry("/sys/class/udc", name, sizeof(name));
		if (rc < 0) {
			return rc == -ENOENT ? -ENODEV : rc;
		}
		udc = name;
	}
	return write_attr(gadget_dir, "UDC", "%s\n", udc);
}

int ffs_gadget_unbind(const char *gadget_dir)
{
	int rc = write_attr(gadget_dir, "UDC", "\n");
	return rc == -ENODEV ? 0 : rc; /* not bound */
}
