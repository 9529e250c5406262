/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FunctionFS port: one function's ep0, driving the classes that own its
 * interfaces (see dfukit/port/ffs.h).
 *
 * How FunctionFS answers a control request (Documentation/usb/functionfs.rst
 * and drivers/usb/gadget/function/f_fs.c): after a FUNCTIONFS_SETUP event has
 * been read, the next read() or write() on ep0 is the data stage.
 *   - IN request:  write() sends the reply (short replies end with a ZLP);
 *                  read() STALLs instead.
 *   - OUT request: read() receives the data stage, or acknowledges the status
 *                  stage when wLength is 0; write() STALLs instead.
 * A STALL is reported as EL2HLT; EIDRM means the request was cancelled (the
 * host sent another SETUP or the bus was reset before we answered).
 * SETUP packets reach us with wIndex rewritten to the function's own
 * interface number.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dfukit/port/ffs.h"

/*
 * The event ABI of include/uapi/linux/usb/functionfs.h, spelt out here: that
 * header pulls in <linux/usb/ch9.h>, whose USB_REQ_* macros clash with usbd.h.
 */
enum {
	FUNCTIONFS_BIND = 0,
	FUNCTIONFS_UNBIND = 1,
	FUNCTIONFS_ENABLE = 2,
	FUNCTIONFS_DISABLE = 3,
	FUNCTIONFS_SETUP = 4,
	FUNCTIONFS_SUSPEND = 5,
	FUNCTIONFS_RESUME = 6,
};

struct ffs_event {
	uint8_t setup[USB_SETUP_LEN]; /* struct usb_ctrlrequest, wire order */
	uint8_t type;
	uint8_t pad[3];
};
_Static_assert(sizeof(struct ffs_event) == 12, "struct usb_functionfs_event is 12 bytes");

static void notify(struct ffs_port *p, enum ffs_port_event ev, const struct usbd_setup *s)
{
	if (p->event != NULL) {
		p->event(p->app, ev, s);
	}
}

static int write_all(int fd, const uint8_t *data, size_t len)
{
	ssize_t n = write(fd, data, len);
	if (n < 0) {
		return -errno;
	}
	return (size_t)n == len ? 0 : -EIO;
}

static int open_and_write(struct ffs_port *p, const char *ffs_dir, unsigned flags)
{
	char path[PATH_MAX];
	uint8_t blob[FFS_BLOB_MAX];
	int len, rc;

	if (snprintf(path, sizeof(path), "%s/ep0", ffs_dir) >= (int)sizeof(path)) {
		return -ENAMETOOLONG;
	}
	p->ep0 = open(path, O_RDWR | O_CLOEXEC);
	if (p->ep0 < 0) {
		p->ep0 = -1;
		return -errno;
	}
	len = ffs_build_descriptors(p->desc, flags, blob, sizeof(blob));
	rc = len < 0 ? len : write_all(p->ep0, blob, (size_t)len);
	if (rc == 0) {
		len = ffs_build_strings(p->desc, blob, sizeof(blob));
		rc = len < 0 ? len : write_all(p->ep0, blob, (size_t)len);
	}
	if (rc < 0) {
		close(p->ep0);
		p->ep0 = -1;
	}
	return rc;
}

int ffs_port_open(struct ffs_port *p, const char *ffs_dir, const struct usbd_device_desc *desc,
		  unsigned flags)
{
	p->ep0 = -1;
	p->desc = desc;
	p->config = NULL; /* set once the descriptors, checked as they are built, are in */
	p->class_desc_dropped = false;
	p->enabled = false;
	p->setups = 0;

	int rc = open_and_write(p, ffs_dir, flags & FFS_DESC_NO_CLASS_DESC);
	if (rc == -EINVAL && (flags & FFS_PORT_CLASS_DESC_AUTO) &&
	    !(flags & FFS_DESC_NO_CLASS_DESC)) {
		/* Older f_fs (6.1 included) knows HID and CCID class descriptors only. */
		rc = open_and_write(p, ffs_dir, FFS_DESC_NO_CLASS_DESC);
		p->class_desc_dropped = rc == 0;
	}
	if (rc == 0) {
		p->config = &desc->configs[0];
	}
	return rc;
}

int ffs_port_fd(const struct ffs_port *p)
{
	return p->ep0;
}

void ffs_port_close(struct ffs_port *p)
{
	if (p->ep0 >= 0) {
		close(p->ep0);
		p->ep0 = -1;
	}
	p->enabled = false;
}

/* bNumInterfaces of the configuration served; ffs_build_descriptors() checked it. */
static uint8_t num_ifaces(const struct ffs_port *p)
{
	return p->config->desc[USB_CFG_bNumInterfaces];
}

static void reset_all(struct ffs_port *p)
{
	for (uint8_t i = 0; i < num_ifaces(p); i++) {
		struct usbd_class *c = p->config->owners[i];
		if (c != NULL && c->ops->reset != NULL) {
			c->ops->reset(c);
		}
	}
}

/* SET_CONFIGURATION or SET_INTERFACE: all we learn is that alternate 0 is active. */
static void enable_all(struct ffs_port *p)
{
	for (uint8_t i = 0; i < num_ifaces(p); i++) {
		struct usbd_class *c = p->config->owners[i];
		if (c != NULL && c->ops->set_alt != NULL) {
			(void)c->ops->set_alt(c, i, 0);
		}
	}
}

/* STALL the pending request: ep0 I/O in the direction opposite to its own. */
static int stall(struct ffs_port *p, const struct usbd_setup *s)
{
	ssize_t n;
	if (s->bmRequestType & USB_REQTYPE_DIR_IN) {
		n = read(p->ep0, p->ctrl_buf, 0);
	} else {
		n = write(p->ep0, p->ctrl_buf, 0);
	}
	notify(p, FFS_PORT_SETUP_STALLED, s);
	if (n < 0 && errno != EL2HLT && errno != EIDRM) {
		return -errno;
	}
	return 0;
}

/* The outcome of a data or status stage; 1 = done, 0 = cancelled, <0 = ep0 failed. */
static int stage_result(struct ffs_port *p, const struct usbd_setup *s, ssize_t n)
{
	if (n >= 0) {
		return 1;
	}
	if (errno == EIDRM || errno == EL2HLT) {
		notify(p, FFS_PORT_SETUP_CANCELLED, s);
		return 0;
	}
	return -errno;
}

static int handle_setup(struct ffs_port *p, const uint8_t raw[USB_SETUP_LEN])
{
	struct usbd_setup s;
	struct usbd_ctrl_reply r = {0};
	struct usbd_class *c = NULL;
	uint8_t iface;
	ssize_t n;
	int rc;

	usbd_setup_decode(&s, raw);
	p->setups++;
	iface = (uint8_t)(s.wIndex & 0xffu);
	if ((s.bmRequestType & USB_REQTYPE_RECIPIENT_MASK) != USB_REQTYPE_INTERFACE ||
	    iface >= num_ifaces(p)) {
		return stall(p, &s);
	}
	c = p->config->owners[iface];

	if ((s.bmRequestType & USB_REQTYPE_TYPE_MASK) == USB_REQTYPE_STANDARD) {
		/*
		 * Composite forwards interface GET_STATUS of non-SuperSpeed gadgets;
		 * answer it as the usbd core does (all bits reserved, zero).
		 */
		if (s.bRequest == USB_REQ_GET_STATUS && (s.bmRequestType & USB_REQTYPE_DIR_IN) &&
		    s.wLength >= 2) {
			static const uint8_t zero[2];
			n = write(p->ep0, zero, 2);
			rc = stage_result(p, &s, n);
			return rc < 0 ? rc : 0;
		}
		return stall(p, &s);
	}
	if (c == NULL || c->ops->control == NULL || c->ops->control(c, &s, &r) < 0) {
		return stall(p, &s);
	}

	if (s.bmRequestType & USB_REQTYPE_DIR_IN) {
		uint16_t len = r.in_len < s.wLength ? r.in_len : s.wLength;
		if (s.wLength == 0) {
			/* An IN request without data stage: only a status stage to accept. */
			n = write(p->ep0, p->ctrl_buf, 0);
		} else {
			n = write(p->ep0, len > 0 ? r.in_data : p->ctrl_buf, len);
		}
	} else if (s.wLength > 0) {
		if (r.out_buf == NULL) {
			return stall(p, &s);
		}
		n = read(p->ep0, r.out_buf, s.wLength);
		if (n >= 0 && c->ops->control_out_done != NULL) {
			/*
			 * The UDC acknowledges the status stage of an OUT transfer with
			 * data by itself, so a refusal here can no longer STALL it.
			 */
			(void)c->ops->control_out_done(c, &s, (uint16_t)n);
		}
	} else {
		n = read(p->ep0, p->ctrl_buf, 0); /* status stage: ACK */
	}
	rc = stage_result(p, &s, n);
	if (rc == 1 && c->ops->control_done != NULL) {
		c->ops->control_done(c, &s);
	}
	return rc < 0 ? rc : 0;
}

int ffs_port_process(struct ffs_port *p)
{
	struct ffs_event ev;
	ssize_t n;

	/*
	 * One event per read: when a read returns a SETUP, FunctionFS expects
	 * the next ep0 I/O to be its data stage, so it must be answered first.
	 */
	n = read(p->ep0, &ev, sizeof(ev));
	if (n < 0) {
		return -errno;
	}
	if ((size_t)n < sizeof(ev)) {
		return -EIO;
	}
	switch (ev.type) {
	case FUNCTIONFS_BIND:
		reset_all(p);
		notify(p, FFS_PORT_BIND, NULL);
		break;
	case FUNCTIONFS_UNBIND:
		p->enabled = false;
		reset_all(p);
		notify(p, FFS_PORT_UNBIND, NULL);
		break;
	case FUNCTIONFS_ENABLE:
		p->enabled = true;
		enable_all(p);
		notify(p, FFS_PORT_ENABLE, NULL);
		break;
	case FUNCTIONFS_DISABLE:
		p->enabled = false;
		reset_all(p);
		notify(p, FFS_PORT_DISABLE, NULL);
		break;
	case FUNCTIONFS_SUSPEND: notify(p, FFS_PORT_SUSPEND, NULL); break;
	case FUNCTIONFS_RESUME: notify(p, FFS_PORT_RESUME, NULL); break;
	case FUNCTIONFS_SETUP: return handle_setup(p, ev.setup);
	default: break;
	}
	return 0;
}
