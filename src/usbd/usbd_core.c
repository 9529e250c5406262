/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usbd core: device state, standard requests (USB 2.0 chapter 9) and the EP0
 * control pipe. A control transfer runs SETUP -> optional data stage split
 * into bMaxPacketSize0 packets -> status stage; any refusal STALLs EP0 in
 * both directions until the next SETUP, which always starts afresh.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "dfukit/usbd.h"
#include "dfukit/wire.h"

#include "usbd_priv.h"

static unsigned num_configs(const struct usbd_device *dev)
{
	return dev->desc->device[USB_DEV_bNumConfigurations];
}

static bool is_in(const struct usbd_setup *s)
{
	return (s->bmRequestType & USB_REQTYPE_DIR_IN) != 0;
}

static const struct usbd_config_desc *active_config(const struct usbd_device *dev)
{
	if (dev->config_value == 0) {
		return NULL;
	}
	return &dev->desc->configs[dev->config_value - 1u];
}

static uint8_t max_packet0(const struct usbd_device *dev)
{
	return dev->desc->device[USB_DEV_bMaxPacketSize0];
}

/* The endpoint descriptor after d within d's alternate, or NULL. */
static const uint8_t *next_endpoint(const uint8_t *cfg, const uint8_t *d)
{
	while ((d = usbd_desc_next(cfg, d)) != NULL &&
	       d[USB_DESC_bDescriptorType] != USB_DESC_INTERFACE) {
		if (d[USB_DESC_bDescriptorType] == USB_DESC_ENDPOINT) {
			return d;
		}
	}
	return NULL;
}

/* The interface whose selected alternate holds endpoint ep, or -1. */
static int endpoint_iface(const struct usbd_device *dev, uint8_t ep)
{
	const struct usbd_config_desc *c = active_config(dev);
	if (c == NULL) {
		return -1;
	}
	for (unsigned i = 0; i < num_interfaces(c->desc); i++) {
		const uint8_t *e = dev->alt[i];
		while ((e = next_endpoint(c->desc, e)) != NULL) {
			if (e[USB_EP_bEndpointAddress] == ep) {
				return (int)i;
			}
		}
	}
	return -1;
}

/* The bit of endpoint ep in dev->halted: OUT n is bit n, IN n is bit 16 + n. */
static uint32_t halt_bit(uint8_t ep)
{
	return 1u << ((ep & 0x0fu) | ((ep & UDC_EP_DIR_IN) >> 3));
}

/* The first of two results that is an error, else the second. */
static int first_error(int a, int b)
{
	return a != 0 ? a : b; /* a is 0 or an error already */
}

/*
 * Enable or disable the endpoints of iface's selected alternate, all of
 * them whatever the port answers; returns its first refusal.
 */
static int alt_endpoints(struct usbd_device *dev, const uint8_t *cfg, unsigned iface, bool enable)
{
	const struct udc *udc = &dev->udc;
	const uint8_t *e = dev->alt[iface];
	int rc = 0;

	if (e == NULL) {
		return 0; /* none selected yet */
	}
	while ((e = next_endpoint(cfg, e)) != NULL) {
		uint8_t address = e[USB_EP_bEndpointAddress];
		enum udc_ep_type type = (enum udc_ep_type)(e[USB_EP_bmAttributes] & 3u);
		uint16_t mps = wire_get_le16(e + USB_EP_wMaxPacketSize);
		rc = first_error(rc, enable ? udc->ops->ep_enable(udc->port, address, type, mps)
					    : udc->ops->ep_disable(udc->port, address));
		dev->halted &= ~halt_bit(address);
	}
	return rc;
}

/*
 * Back to the address state (callers leaving for another state set it
 * after). The teardown always completes; returns the port's first refusal.
 */
static int deconfigure(struct usbd_device *dev)
{
	const struct usbd_config_desc *c = active_config(dev);
	int rc = 0;

	if (c == NULL) {
		return 0;
	}
	for (unsigned i = 0; i < num_interfaces(c->desc); i++) {
		struct usbd_class *owner = c->owners[i];
		if (owner != NULL && owner->ops->reset != NULL) {
			owner->ops->reset(owner);
		}
		rc = first_error(rc, alt_endpoints(dev, c->desc, i, false));
		dev->alt[i] = NULL;
	}
	dev->config_value = 0;
	dev->state = USBD_STATE_ADDRESS;
	return rc;
}

/* Select the alternate whose interface descriptor is alt (NULL: there is none). */
static int select_alt(struct usbd_device *dev, unsigned iface, const uint8_t *alt)
{
	const struct usbd_config_desc *c = active_config(dev);
	struct usbd_class *owner = c->owners[iface];

	if (alt == NULL) {
		return -EINVAL;
	}
	int rc = alt_endpoints(dev, c->desc, iface, false);
	dev->alt[iface] = alt;
	if (rc == 0) {
		rc = alt_endpoints(dev, c->desc, iface, true);
	}
	if (rc < 0) {
		/*
		 * The port's endpoints no longer match any alternate: leave the
		 * configuration rather than claim one (deconfigure() disables
		 * what was enabled).
		 */
		(void)deconfigure(dev);
		return rc;
	}
	if (owner != NULL && owner->ops->set_alt != NULL) {
		return owner->ops->set_alt(owner, (uint8_t)iface, alt[USB_IF_bAlternateSetting]);
	}
	return 0;
}

static int set_configuration(struct usbd_device *dev, uint16_t value)
{
	if (value > num_configs(dev)) {
		return -EINVAL;
	}
	/* Called in the address or configured state only: ends in the address state. */
	int rc = deconfigure(dev);
	if (rc < 0 || value == 0) {
		return rc;
	}
	dev->config_value = (uint8_t)value;
	dev->state = USBD_STATE_CONFIGURED;
	const uint8_t *cfg = active_config(dev)->desc;
	for (unsigned i = 0; i < num_interfaces(cfg); i++) {
		rc = select_alt(dev, i, usbd_find_alt(cfg, i, 0));
		if (rc < 0) {
			(void)deconfigure(dev); /* the request's own error is the one to report */
			return rc;
		}
	}
	return 0;
}

/* String descriptors hold at most 126 UTF-16 code units (bLength is a byte). */
#define STRING_MAX_CHARS 126u

/*
 * Device, configuration and BOS descriptors are sent from the application's
 * bytes; a string descriptor is generated packet by packet (next_packet()).
 * Device qualifier and other-speed configuration are not among them: a
 * full-speed-only device answers them with a request error (USB 2.0 9.6.2).
 */
static int get_descriptor(struct usbd_device *dev, const struct usbd_setup *s,
			  struct usbd_ctrl_reply *r)
{
	static const uint8_t langid[] = {4, USB_DESC_STRING, 0x09, 0x04}; /* en-US */
	const struct usbd_device_desc *desc = dev->desc;
	unsigned type = s->wValue >> 8, index = s->wValue & 0xffu;
	const uint8_t *d = NULL;

	switch (type) {
	case USB_DESC_DEVICE: d = index == 0 ? desc->device : NULL; break;
	case USB_DESC_CONFIGURATION:
		d = index < num_configs(dev) ? desc->configs[index].desc : NULL;
		break;
	case USB_DESC_STRING:
		if (index == 0) {
			d = langid;
		} else if (index <= desc->num_strings && desc->strings != NULL &&
			   desc->strings[index - 1] != NULL) {
			const char *str = desc->strings[index - 1];
			unsigned n = 0;
			while (n < STRING_MAX_CHARS && str[n] != '\0') {
				n++;
			}
			dev->ctrl.string = str;
			r->in_data = dev->ctrl.packet; /* which next_packet() fills */
			r->in_len = (uint16_t)(2u + 2u * n);
			return 0;
		}
		break;
	case USB_DESC_BOS: d = index == 0 ? desc->bos : NULL; break;
	default: break;
	}
	if (d == NULL) {
		return -ENOENT;
	}
	r->in_data = d;
	/* Configuration and BOS carry wTotalLength, the others only bLength. */
	r->in_len = (type == USB_DESC_CONFIGURATION || type == USB_DESC_BOS)
			    ? wire_get_le16(d + USB_CFG_wTotalLength)
			    : d[USB_DESC_bLength];
	return 0;
}

/* Hand a request to the class that owns its interface or endpoint. */
static int forward(struct usbd_device *dev, struct usbd_class *owner, const struct usbd_setup *s,
		   struct usbd_ctrl_reply *r)
{
	if (owner == NULL || owner->ops->control == NULL) {
		return -ENOTSUP;
	}
	dev->ctrl.owner = owner;
	return owner->ops->control(owner, s, r);
}

/*
 * The standard requests this core answers (USB 2.0 9.4), by recipient and
 * bRequest, with the fields the request must carry: direction (RQ_IN set =
 * device-to-host) and wValue / wIndex / wLength that must be zero. Checks
 * that depend on state or on a value are made by the request itself.
 */
#define RQ_IN                      0x80u
#define RQ_V0                      0x01u
#define RQ_I0                      0x02u
#define RQ_L0                      0x04u
#define RQ_KEY(recipient, request) (uint8_t)((USB_REQTYPE_##recipient << 4) | USB_REQ_##request)

enum std_req {
	DEV_GET_STATUS,
	DEV_CLEAR_FEATURE,
	DEV_SET_FEATURE,
	DEV_SET_ADDRESS,
	DEV_GET_DESCRIPTOR,
	DEV_GET_CONFIGURATION,
	DEV_SET_CONFIGURATION,
	IF_GET_STATUS,
	IF_GET_INTERFACE,
	IF_SET_INTERFACE,
	EP_GET_STATUS,
	EP_CLEAR_FEATURE,
	EP_SET_FEATURE,
	STD_REQ_COUNT,
};

static const uint8_t std_reqs[STD_REQ_COUNT][2] = {
	[DEV_GET_STATUS] = {RQ_KEY(DEVICE, GET_STATUS), RQ_IN | RQ_V0 | RQ_I0},
	[DEV_CLEAR_FEATURE] = {RQ_KEY(DEVICE, CLEAR_FEATURE), RQ_I0 | RQ_L0},
	[DEV_SET_FEATURE] = {RQ_KEY(DEVICE, SET_FEATURE), RQ_I0 | RQ_L0},
	[DEV_SET_ADDRESS] = {RQ_KEY(DEVICE, SET_ADDRESS), RQ_I0 | RQ_L0},
	[DEV_GET_DESCRIPTOR] = {RQ_KEY(DEVICE, GET_DESCRIPTOR), RQ_IN},
	[DEV_GET_CONFIGURATION] = {RQ_KEY(DEVICE, GET_CONFIGURATION), RQ_IN | RQ_V0 | RQ_I0},
	[DEV_SET_CONFIGURATION] = {RQ_KEY(DEVICE, SET_CONFIGURATION), RQ_I0 | RQ_L0},
	[IF_GET_STATUS] = {RQ_KEY(INTERFACE, GET_STATUS), RQ_IN | RQ_V0},
	[IF_GET_INTERFACE] = {RQ_KEY(INTERFACE, GET_INTERFACE), RQ_IN | RQ_V0},
	[IF_SET_INTERFACE] = {RQ_KEY(INTERFACE, SET_INTERFACE), RQ_L0},
	[EP_GET_STATUS] = {RQ_KEY(ENDPOINT, GET_STATUS), RQ_IN | RQ_V0},
	/* Only ENDPOINT_HALT (0) is defined for endpoints. */
	[EP_CLEAR_FEATURE] = {RQ_KEY(ENDPOINT, CLEAR_FEATURE), RQ_V0 | RQ_L0},
	[EP_SET_FEATURE] = {RQ_KEY(ENDPOINT, SET_FEATURE), RQ_V0 | RQ_L0},
};

/* Index in std_reqs, or STD_REQ_COUNT for a request this core does not know. */
static unsigned std_req_find(uint8_t recipient, uint8_t request)
{
	unsigned i = 0;
	if (request <= 0x0fu) {
		uint8_t key = (uint8_t)((recipient << 4) | request);
		while (i < STD_REQ_COUNT && std_reqs[i][0] != key) {
			i++;
		}
	} else {
		i = STD_REQ_COUNT;
	}
	return i;
}

static bool std_req_fields_ok(const struct usbd_setup *s, unsigned rq)
{
	unsigned f = std_reqs[rq][1];
	return (s->bmRequestType & USB_REQTYPE_DIR_IN) == (f & RQ_IN) &&
	       !((f & RQ_V0) && s->wValue != 0) && !((f & RQ_I0) && s->wIndex != 0) &&
	       !((f & RQ_L0) && s->wLength != 0);
}

/*
 * A standard request this core answers, its fields already checked; low is
 * the interface or endpoint it addresses (checked too).
 */
static int std_request(struct usbd_device *dev, const struct usbd_setup *s, unsigned rq,
		       uint8_t low, struct usbd_ctrl_reply *r)
{
	const struct usbd_config_desc *c = active_config(dev);
	unsigned value = 0, len = 2; /* a GET_STATUS reply unless a case says otherwise */

	switch (rq) {
	case DEV_GET_STATUS: {
		const struct usbd_config_desc *sc = c != NULL ? c : &dev->desc->configs[0];
		/* usbd_init() refuses desc->configs == NULL, which the analyzer cannot see. */
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		value = ((sc->desc[USB_CFG_bmAttributes] & USB_CONFIG_ATTR_SELF_POWERED) ? 1u
											 : 0u) |
			(dev->remote_wakeup ? 2u : 0u);
		break;
	}
	case DEV_CLEAR_FEATURE:
	case DEV_SET_FEATURE:
		/* TEST_MODE is for high-speed devices only. */
		if (s->wValue != USB_FEATURE_DEVICE_REMOTE_WAKEUP) {
			return -EINVAL;
		}
		if (c == NULL || !(c->desc[USB_CFG_bmAttributes] & USB_CONFIG_ATTR_REMOTE_WAKEUP)) {
			return -ENOTSUP;
		}
		dev->remote_wakeup = rq == DEV_SET_FEATURE;
		return 0;
	case DEV_SET_ADDRESS:
		if (s->wValue > 127u || dev->state == USBD_STATE_CONFIGURED) {
			return -EINVAL;
		}
		dev->pending_address = (uint8_t)s->wValue;
		return 0;
	case DEV_GET_DESCRIPTOR: return get_descriptor(dev, s, r);
	case DEV_GET_CONFIGURATION:
		value = dev->config_value;
		len = 1;
		break;
	case DEV_SET_CONFIGURATION:
		if ((s->wValue >> 8) != 0 || dev->state < USBD_STATE_ADDRESS) {
			return -EINVAL;
		}
		return set_configuration(dev, s->wValue);
	case IF_GET_STATUS: break;
	case IF_GET_INTERFACE:
		value = dev->alt[low][USB_IF_bAlternateSetting];
		len = 1;
		break;
	case IF_SET_INTERFACE:
		/* Found only for recipient INTERFACE, where c was checked. */
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		return select_alt(dev, low, usbd_find_alt(c->desc, low, s->wValue));
	case EP_GET_STATUS: value = (dev->halted & halt_bit(low)) ? 1u : 0u; break;
	default: {
		/* EP_CLEAR_FEATURE, EP_SET_FEATURE (ENDPOINT_HALT). */
		bool halt = rq == EP_SET_FEATURE;
		/* EP0 halts only on a protocol error; the request itself is a no-op. */
		if ((low & 0x0fu) != 0) {
			int rc = dev->udc.ops->ep_set_stall(dev->udc.port, low, halt);
			if (rc < 0) {
				return rc; /* the endpoint keeps the state it had */
			}
			dev->halted =
				halt ? dev->halted | halt_bit(low) : dev->halted & ~halt_bit(low);
		}
		return 0;
	}
	}
	/* One or two bytes; the packet buffer is zeroed at each SETUP. */
	dev->ctrl.packet[0] = (uint8_t)value;
	r->in_data = dev->ctrl.packet;
	r->in_len = (uint16_t)len;
	return 0;
}

static int dispatch(struct usbd_device *dev, const struct usbd_setup *s, struct usbd_ctrl_reply *r)
{
	uint8_t type = s->bmRequestType & USB_REQTYPE_TYPE_MASK;
	uint8_t recipient = s->bmRequestType & USB_REQTYPE_RECIPIENT_MASK;
	const struct usbd_config_desc *c = active_config(dev);
	uint8_t low = (uint8_t)(s->wIndex & 0xffu); /* interface or endpoint */
	int iface = -1;                             /* the interface addressed */
	struct usbd_class *owner = NULL;

	if (recipient == USB_REQTYPE_INTERFACE) {
		if (c == NULL || low >= num_interfaces(c->desc)) {
			return -EINVAL;
		}
		iface = low;
	} else if (recipient == USB_REQTYPE_ENDPOINT) {
		/* Only configured endpoints have an interface (and EP0 none). */
		iface = endpoint_iface(dev, low);
	} else if (recipient == USB_REQTYPE_DEVICE && type == USB_REQTYPE_VENDOR) {
		owner = dev->desc->vendor;
	}
	if (iface >= 0) {
		owner = c->owners[iface]; /* iface >= 0 only in the configured state */
	}
	if (type != USB_REQTYPE_STANDARD) {
		/* Class and vendor requests: to the class that owns the recipient. */
		return forward(dev, owner, s, r);
	}

	if (recipient > USB_REQTYPE_ENDPOINT ||
	    (recipient != USB_REQTYPE_DEVICE && (s->wIndex >> 8) != 0)) {
		return -EINVAL;
	}
	/* Outside the configured state only EP0 may be addressed (9.4). */
	if (recipient == USB_REQTYPE_ENDPOINT &&
	    ((low & 0x70u) != 0 || (iface < 0 && (low & 0x0fu) != 0))) {
		return -EINVAL;
	}

	unsigned rq = std_req_find(recipient, s->bRequest);
	if (rq == STD_REQ_COUNT) {
		/*
		 * Class-defined standard requests to an interface (e.g. a HID
		 * report descriptor) go to its class; SET_DESCRIPTOR,
		 * SYNCH_FRAME (no isochronous endpoints) and others are refused.
		 */
		return recipient == USB_REQTYPE_INTERFACE ? forward(dev, owner, s, r) : -ENOTSUP;
	}
	if (!std_req_fields_ok(s, rq)) {
		return -EINVAL;
	}
	return std_request(dev, s, rq, low, r);
}

/*
 * Both directions of EP0. A refusal leaves the core nothing to act on: an
 * EP0 that stays halted after a SETUP STALLs the request, which is what the
 * core would do; one that cannot be halted leaves nothing armed until the
 * next SETUP, so the host sees a timeout (udc.h).
 */
static void ep0_stall(const struct usbd_device *dev, bool stall)
{
	const struct udc *udc = &dev->udc;
	(void)udc->ops->ep_set_stall(udc->port, UDC_EP0_IN, stall);
	(void)udc->ops->ep_set_stall(udc->port, UDC_EP0_OUT, stall);
}

static void ctrl_stall(struct usbd_device *dev)
{
	dev->ctrl.stage = USBD_CTRL_STALLED;
	ep0_stall(dev, true);
}

/* No control transfer in progress: as at a bus reset or before a new SETUP. */
static void ctrl_clear(struct usbd_ctrl *ctrl)
{
	memset(ctrl, 0, sizeof(*ctrl));
}

static void arm(struct usbd_device *dev, uint8_t ep, uint8_t *buf, uint16_t len)
{
	dev->ctrl.last = len;
	if (dev->udc.ops->ep_xfer(dev->udc.port, ep, buf, len) < 0) {
		ctrl_stall(dev);
	}
}

/* Arm the next packet of the data stage: at most bMaxPacketSize0 bytes. */
static void next_packet(struct usbd_device *dev)
{
	struct usbd_ctrl *ctrl = &dev->ctrl;
	uint16_t left = (uint16_t)(ctrl->total - ctrl->done);
	uint16_t n = left < max_packet0(dev) ? left : max_packet0(dev);
	const uint8_t *buf;

	if (ctrl->stage == USBD_CTRL_DATA_OUT) {
		arm(dev, UDC_EP0_OUT, ctrl->reply.out_buf + ctrl->done, n);
		return;
	}
	if (ctrl->string == NULL) {
		buf = ctrl->reply.in_data + ctrl->done;
	} else {
		/* bLength, bDescriptorType, then ASCII as UTF-16LE (above 0x7f unsupported). */
		for (unsigned i = 0; i < n; i++) {
			unsigned pos = ctrl->done + i;
			unsigned byte = 0;
			if (pos == 0) {
				byte = ctrl->reply.in_len;
			} else if (pos == 1) {
				byte = USB_DESC_STRING;
			} else if ((pos & 1u) == 0) {
				byte = (uint8_t)ctrl->string[pos / 2u - 1u] & 0x7fu;
			}
			ctrl->packet[i] = (uint8_t)byte;
		}
		buf = ctrl->packet;
	}
	/* Ports only read IN buffers; the cast drops const for the shared op. */
	arm(dev, UDC_EP0_IN, (uint8_t *)(uintptr_t)buf, n);
}

void usbd_on_setup(struct usbd_device *dev, const uint8_t raw[USB_SETUP_LEN])
{
	struct usbd_ctrl *ctrl = &dev->ctrl;
	const struct usbd_setup *s = &ctrl->setup;

	/* A SETUP ends whatever transfer was in progress and clears EP0's halt. */
	ctrl_clear(ctrl);
	usbd_setup_decode(&ctrl->setup, raw);
	ep0_stall(dev, false);

	if (dev->state == USBD_STATE_DETACHED || dispatch(dev, s, &ctrl->reply) < 0) {
		ctrl_stall(dev);
		return;
	}
	uint16_t total = s->wLength;
	if (total == 0) {
		ctrl->stage = USBD_CTRL_STATUS_IN;
		arm(dev, UDC_EP0_IN, NULL, 0);
		return;
	}
	if (is_in(s)) {
		if (ctrl->reply.in_data == NULL) {
			ctrl_stall(dev);
			return;
		}
		if (ctrl->reply.in_len < total) {
			total = ctrl->reply.in_len;
		}
		ctrl->stage = USBD_CTRL_DATA_IN;
	} else {
		if (ctrl->reply.out_buf == NULL) {
			ctrl_stall(dev);
			return;
		}
		ctrl->stage = USBD_CTRL_DATA_OUT;
	}
	ctrl->total = total;
	next_packet(dev);
}

static void ctrl_finish(struct usbd_device *dev)
{
	struct usbd_ctrl *ctrl = &dev->ctrl;
	const struct usbd_setup *s = &ctrl->setup;

	ctrl->stage = USBD_CTRL_IDLE;
	/* An accepted SET_ADDRESS is bmRequestType 0 (OUT, standard, device). */
	if (s->bmRequestType == 0 && s->bRequest == USB_REQ_SET_ADDRESS) {
		/*
		 * The new address applies only after the status stage (9.4.6).
		 * SET_ADDRESS is refused in the configured state, and any
		 * SETUP in between would have ended this request.
		 */
		if (dev->udc.ops->set_address(dev->udc.port, dev->pending_address) == 0) {
			dev->address = dev->pending_address;
			dev->state = dev->address ? USBD_STATE_ADDRESS : USBD_STATE_DEFAULT;
		} /* else the controller still answers at the old address, and so does the core */
	}
	if (ctrl->owner != NULL && ctrl->owner->ops->control_done != NULL) {
		ctrl->owner->ops->control_done(ctrl->owner, s);
	}
}

static void ep0_in_done(struct usbd_device *dev)
{
	struct usbd_ctrl *ctrl = &dev->ctrl;

	switch (ctrl->stage) {
	case USBD_CTRL_DATA_IN:
		ctrl->done = (uint16_t)(ctrl->done + ctrl->last);
		if (ctrl->done < ctrl->total) {
			next_packet(dev);
		} else if (ctrl->last == max_packet0(dev) && ctrl->total < ctrl->setup.wLength) {
			/*
			 * A reply shorter than asked for must end with a short
			 * packet (5.5.3): a zero-length one after a full one.
			 */
			arm(dev, UDC_EP0_IN, NULL, 0);
		} else {
			ctrl->stage = USBD_CTRL_STATUS_OUT;
			arm(dev, UDC_EP0_OUT, NULL, 0);
		}
		break;
	case USBD_CTRL_STATUS_IN: ctrl_finish(dev); break;
	default: break;
	}
}

static void ep0_out_done(struct usbd_device *dev, uint16_t actual)
{
	struct usbd_ctrl *ctrl = &dev->ctrl;

	switch (ctrl->stage) {
	case USBD_CTRL_DATA_OUT:
		if (actual > ctrl->last) {
			ctrl_stall(dev); /* a port bug: more than armed */
			return;
		}
		ctrl->done = (uint16_t)(ctrl->done + actual);
		if (ctrl->done < ctrl->total && actual == ctrl->last) {
			next_packet(dev);
			return;
		}
		/* Complete, or the host ended the stage early with a short packet. */
		if (ctrl->owner == NULL || ctrl->owner->ops->control_out_done == NULL ||
		    ctrl->owner->ops->control_out_done(ctrl->owner, &ctrl->setup, ctrl->done) < 0) {
			ctrl_stall(dev);
			return;
		}
		ctrl->stage = USBD_CTRL_STATUS_IN;
		arm(dev, UDC_EP0_IN, NULL, 0);
		break;
	case USBD_CTRL_STATUS_OUT: ctrl_finish(dev); break;
	default: break;
	}
}

void usbd_on_xfer_done(struct usbd_device *dev, uint8_t ep, uint16_t actual)
{
	if ((ep & 0x0fu) != 0) {
		return; /* no class of this stack uses data endpoints yet */
	}
	if (ep & UDC_EP_DIR_IN) {
		ep0_in_done(dev);
	} else {
		ep0_out_done(dev, actual);
	}
}

/* To the default state of USB 2.0 9.1.1; the port's first refusal, if any. */
static int bus_reset(struct usbd_device *dev)
{
	const struct udc *u = &dev->udc;
	uint8_t mps0 = max_packet0(dev);
	int rc = deconfigure(dev); /* the alternates and config_value */

	dev->address = 0;
	dev->pending_address = 0;
	dev->remote_wakeup = false; /* a reset clears DEVICE_REMOTE_WAKEUP (9.4.5) */
	dev->suspended = false;     /* bus activity ended the suspend */
	dev->halted = 0;
	ctrl_clear(&dev->ctrl);

	/* After a refusal the rest is moot: the device stays detached (below). */
	if (rc == 0) {
		rc = u->ops->set_address(u->port, 0);
	}
	if (rc == 0) {
		rc = u->ops->ep_enable(u->port, UDC_EP0_OUT, UDC_EP_CONTROL, mps0);
	}
	if (rc == 0) {
		rc = u->ops->ep_enable(u->port, UDC_EP0_IN, UDC_EP_CONTROL, mps0);
	}
	/* A device the port could not reset answers no SETUP until the next reset. */
	dev->state = rc < 0 ? USBD_STATE_DETACHED : USBD_STATE_DEFAULT;
	return rc;
}

void usbd_on_bus_reset(struct usbd_device *dev)
{
	(void)bus_reset(dev); /* the state says how it went */
}

void usbd_on_suspend(struct usbd_device *dev)
{
	dev->suspended = true;
}

void usbd_on_resume(struct usbd_device *dev)
{
	dev->suspended = false;
}

int usbd_init(struct usbd_device *dev, const struct usbd_device_desc *desc, const struct udc *udc)
{
	int rc = usbd_desc_check(desc);
	if (rc < 0) {
		return rc;
	}
	memset(dev, 0, sizeof(*dev)); /* USBD_STATE_DETACHED */
	dev->desc = desc;
	dev->udc = *udc;
	return 0;
}

int usbd_enable(struct usbd_device *dev, bool enable)
{
	int rc = dev->udc.ops->enable(dev->udc.port, enable);
	if (rc < 0) {
		return rc;
	}
	if (enable) {
		/* Attach: the bus reset that follows brings the device to DEFAULT. */
		return bus_reset(dev);
	}
	rc = deconfigure(dev);
	dev->state = USBD_STATE_DETACHED;
	return rc;
}
