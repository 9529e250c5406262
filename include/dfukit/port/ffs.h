/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linux USB gadget port through FunctionFS (configfs + libcomposite + usb_f_fs).
 *
 * On a Linux board with a device controller (Raspberry Pi Zero, BeagleBone...)
 * the kernel's composite driver owns the device: it answers the standard
 * requests (GET_DESCRIPTOR, SET_ADDRESS, SET_CONFIGURATION, SET_INTERFACE...)
 * and the device-level descriptor fields come from configfs. A FunctionFS
 * function contributes interfaces: its descriptors and strings are written to
 * <ffs_dir>/ep0, and ep0 then delivers the function's events, among them the
 * class/vendor SETUP packets addressed to its interfaces.
 *
 * This port builds those descriptors from the same description the usbd core
 * serves (struct usbd_device_desc: configuration 0's bytes, i.e. its interface
 * descriptors, the class-specific descriptors after each, and their strings)
 * and drives each interface's owner (configs[0].owners[]) through its
 * struct usbd_class_ops:
 *
 *   FUNCTIONFS_SETUP    -> control(); the data stage is read from / written to
 *                          ep0, control_out_done() after an OUT data stage,
 *                          control_done() once the request is acknowledged;
 *                          a refused request is STALLed (FunctionFS: I/O on ep0
 *                          in the direction opposite to the request's)
 *   FUNCTIONFS_ENABLE   -> set_alt(iface, 0) for every interface
 *                          (SET_CONFIGURATION or SET_INTERFACE by the host)
 *   FUNCTIONFS_DISABLE, BIND, UNBIND -> reset()
 *   SUSPEND / RESUME    -> reported to the application only
 *
 * Limitations that come from FunctionFS itself (see port/ffs/README.md):
 * - Only alternate setting 0 of each interface is served. The composite layer
 *   handles SET_INTERFACE; FunctionFS reports it as FUNCTIONFS_ENABLE without
 *   the alternate's number, and kernels without f_fs get_alt() (added late
 *   2023; 6.1 lacks it) STALL SET_INTERFACE for any alternate but 0. Descriptions with more than
 *   one alternate are refused (-ENOTSUP).
 * - Interfaces with endpoints are refused (-ENOTSUP): ep0 only.
 * - Class-specific descriptors are accepted by f_fs only for the classes it
 *   knows; the DFU functional descriptor only since 2024 ("usb: gadget: f_fs:
 *   add capability for dfu functional descriptor"; Debian 12's 6.1 refuses
 *   it with EINVAL). FFS_PORT_CLASS_DESC_AUTO
 *   retries without class descriptors when the kernel refuses them, and
 *   ffs_port.class_desc_dropped tells the application.
 */
#ifndef DFUKIT_FFS_H
#define DFUKIT_FFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/usbd.h"

/* Flags for ffs_build_descriptors() and ffs_port_open(). */
#define FFS_DESC_NO_CLASS_DESC   0x01u /* leave class-specific descriptors out */
#define FFS_PORT_CLASS_DESC_AUTO 0x02u /* ffs_port_open: retry without them on EINVAL */

/* Largest descriptor / strings blob the port builds (FunctionFS takes more). */
#define FFS_BLOB_MAX 2048u
/* Largest control data stage the port moves (usbfs caps control transfers here). */
#define FFS_CTRL_MAX 4096u

/*
 * The FunctionFS v2 descriptor blob (FUNCTIONFS_DESCRIPTORS_MAGIC_V2; full,
 * high and super speed, identical as there are no endpoints) for
 * configuration 0 of desc: per interface, in bInterfaceNumber order, its
 * alternate 0 and the descriptors after it up to the next interface
 * descriptor (its class descriptors). Interface numbers and string indexes
 * are the function's own (0.. and 1..); the kernel maps them onto the
 * gadget's. The description is checked with usbd_desc_check() first.
 * Returns the blob's length, -ENOTSUP (see above; also for descriptors
 * before the first interface, e.g. an IAD), -EINVAL (a description the usbd
 * core refuses; no interface; an interface repeated or beyond
 * bNumInterfaces; a string index beyond num_strings) or -ENOSPC.
 */
int ffs_build_descriptors(const struct usbd_device_desc *desc, unsigned flags, uint8_t *out,
			  size_t cap);

/*
 * The FunctionFS strings blob (FUNCTIONFS_STRINGS_MAGIC, language 0x0409) with
 * the strings the interfaces name, renumbered 1.. in order of first use.
 */
int ffs_build_strings(const struct usbd_device_desc *desc, uint8_t *out, size_t cap);

enum ffs_port_event {
	FFS_PORT_BIND,
	FFS_PORT_UNBIND,
	FFS_PORT_ENABLE,
	FFS_PORT_DISABLE,
	FFS_PORT_SUSPEND,
	FFS_PORT_RESUME,
	FFS_PORT_SETUP_STALLED,   /* a class refused a request (or none owned it) */
	FFS_PORT_SETUP_CANCELLED, /* the host moved on before the request was answered */
};

struct ffs_port {
	int ep0;
	const struct usbd_device_desc *desc;
	const struct usbd_config_desc *config; /* configuration 0, once ffs_port_open() succeeded */
	bool class_desc_dropped; /* the kernel refused class descriptors; sent without */
	bool enabled;            /* between FUNCTIONFS_ENABLE and DISABLE */
	uint32_t setups;         /* SETUP events handled */
	/* Notification hook for logs; setup is NULL except for SETUP_* events. */
	void (*event)(void *app, enum ffs_port_event event, const struct usbd_setup *setup);
	void *app;
	uint8_t ctrl_buf[FFS_CTRL_MAX];
};

/*
 * Open <ffs_dir>/ep0 and write the descriptors and strings of desc. When this
 * returns 0 the function is ready and the gadget may be bound to a UDC.
 * Returns a negative errno (the write's, e.g. -EINVAL for descriptors the
 * kernel refuses) and leaves nothing open.
 */
int ffs_port_open(struct ffs_port *port, const char *ffs_dir, const struct usbd_device_desc *desc,
		  unsigned flags);

/* The ep0 descriptor, for poll(): readable when an event is pending. */
int ffs_port_fd(const struct ffs_port *port);

/*
 * Read one event from ep0 and handle it (blocks when none is pending).
 * Returns 0, or a negative errno when ep0 failed (-EINTR: a signal arrived).
 */
int ffs_port_process(struct ffs_port *port);

/* Close ep0: FunctionFS then drops the descriptors (and unbinds the gadget). */
void ffs_port_close(struct ffs_port *port);

/* configfs side (host only): /sys/kernel/config/usb_gadget/<name>. */

/*
 * Write the device-level fields of desc into the gadget: from the device
 * descriptor idVendor, idProduct, bcdDevice, bcdUSB, class triple,
 * bMaxPacketSize0 and strings/0x409 (iManufacturer, iProduct, iSerialNumber);
 * from configuration 0's header, for the gadget's first configs/<c.N>
 * directory, MaxPower (2 * bMaxPower), bmAttributes (as given, bit 7 included)
 * and the iConfiguration string. The gadget must not be bound.
 * -EINVAL for a description usbd_desc_check() refuses.
 */
int ffs_gadget_configure(const char *gadget_dir, const struct usbd_device_desc *desc);

/* Bind the gadget to udc (NULL: the first one in /sys/class/udc), or unbind. */
int ffs_gadget_bind(const char *gadget_dir, const char *udc);
int ffs_gadget_unbind(const char *gadget_dir);

#endif /* DFUKIT_FFS_H */
