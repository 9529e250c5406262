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

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

void usbd_setup_decode(struct usbd_setup *setup, const uint8_t raw[8])
{
	setup->bmRequestType = raw[0];
	setup->bRequest = raw[1];
	setup->wValue = get_le16(&raw[2]);
	setup->wIndex = get_le16(&raw[4]);
	setup->wLength = get_le16(&raw[6]);
}

void usbd_setup_encode(uint8_t raw[8], const struct usbd_setup *setup)
{
	raw[0] = setup->bmRequestType;
	raw[1] = setup->bRequest;
	raw[2] = (uint8_t)(setup->wValue & 0xffu);
	raw[3] = (uint8_t)(setup->wValue >> 8);
	raw[4] = (uint8_t)(setup->wIndex & 0xffu);
	raw[5] = (uint8_t)(setup->wIndex >> 8);
	raw[6] = (uint8_t)(setup->wLength & 0xffu);
	raw[7] = (uint8_t)(setup->wLength >> 8);
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

static const struct usbd_alt_desc *active_alt(const struct usbd_device *dev, uint8_t iface)
{
	const struct usbd_config_desc *c = active_config(dev);
	if (c == NULL || iface >= c->num_ifaces) {
		return NULL;
	}
	return &c->ifaces[iface].alts[dev->alt[iface]];
}

/* The interface whose active alternate holds endpoint ep, or -ENOENT. */
static int endpoint_iface(const struct usbd_device *dev, uint8_t ep)
{
	const struct usbd_config_desc *c = active_config(dev);
	if (c == NULL) {
		return -ENOENT;
	}
	for (uint8_t i = 0; i < c->num_ifaces; i++) {
		const struct usbd_alt_desc *alt = active_alt(dev, i);
		for (uint8_t e = 0; e < alt->num_endpoints; e++) {
			if (alt->endpoints[e].address == ep) {
				return i;
			}
		}
	}
	return -ENOENT;
}

static void set_halt_bit(struct usbd_device *dev, uint8_t ep, bool halted)
{
	uint16_t *mask = (ep & UDC_EP_DIR_IN) ? &dev->halted_in : &dev->halted_out;
	uint16_t bit = (uint16_t)(1u << (ep & 0x0fu));
	*mask = halted ? (uint16_t)(*mask | bit) : (uint16_t)(*mask & ~bit);
}

static bool halt_bit(const struct usbd_device *dev, uint8_t ep)
{
	uint16_t mask = (ep & UDC_EP_DIR_IN) ? dev->halted_in : dev->halted_out;
	return ((uint32_t)mask >> (ep & 0x0fu)) & 1u;
}

static void alt_endpoints(struct usbd_device *dev, uint8_t iface, bool enable)
{
	const struct usbd_alt_desc *alt = active_alt(dev, iface);
	if (alt == NULL) {
		return;
	}
	for (uint8_t e = 0; e < alt->num_endpoints; e++) {
		const struct usbd_endpoint_desc *ep = &alt->endpoints[e];
		if (enable) {
			dev->udc.ops->ep_enable(dev->udc.port, ep->address,
						(enum udc_ep_type)(ep->attributes & 3u), ep->max_packet);
		} else {
			dev->udc.ops->ep_disable(dev->udc.port, ep->address);
		}
		set_halt_bit(dev, ep->address, false);
	}
}

static void reset_classes(struct usbd_device *dev)
{
	const struct usbd_config_desc *c = active_config(dev);
	if (c == NULL) {
		return;
	}
	for (uint8_t i = 0; i < c->num_ifaces; i++) {
		struct usbd_class *owner = c->ifaces[i].owner;
		if (owner != NULL && owner->ops->reset != NULL) {
			owner->ops->reset(owner);
		}
	}
}

static void deconfigure(struct usbd_device *dev)
{
	const struct usbd_config_desc *c = active_config(dev);
	if (c == NULL) {
		return;
	}
	reset_classes(dev);
	for (uint8_t i = 0; i < c->num_ifaces; i++) {
		alt_endpoints(dev, i, false);
		dev->alt[i] = 0;
	}
	dev->config_value = 0;
}

static int select_alt(struct usbd_device *dev, uint8_t iface, uint8_t alt)
{
	const struct usbd_config_desc *c = active_config(dev);
	struct usbd_class *owner = c->ifaces[iface].owner;

	alt_endpoints(dev, iface, false);
	dev->alt[iface] = alt;
	alt_endpoints(dev, iface, true);
	if (owner != NULL && owner->ops->set_alt != NULL) {
		return owner->ops->set_alt(owner, iface, alt);
	}
	return 0;
}

static int set_configuration(struct usbd_device *dev, uint16_t value)
{
	if (value > dev->desc->num_configs) {
		return -EINVAL;
	}
	deconfigure(dev);
	if (value == 0) {
		dev->state = USBD_STATE_ADDRESS;
		return 0;
	}
	dev->config_value = (uint8_t)value;
	dev->state = USBD_STATE_CONFIGURED;
	const struct usbd_config_desc *c = active_config(dev);
	for (uint8_t i = 0; i < c->num_ifaces; i++) {
		int rc = select_alt(dev, i, 0);
		if (rc < 0) {
			deconfigure(dev);
			dev->state = USBD_STATE_ADDRESS;
			return rc;
		}
	}
	return 0;
}

/* Reply with one or two bytes; the packet buffer is zeroed at each SETUP. */
static int reply_small(struct usbd_ctrl_reply *r, struct usbd_ctrl *ctrl, uint8_t value,
		       uint16_t len)
{
	ctrl->packet[0] = value;
	r->in_data = ctrl->packet;
	r->in_len = len;
	return 0;
}

static int get_descriptor(struct usbd_device *dev, const struct usbd_setup *s,
			  struct usbd_ctrl_reply *r)
{
	uint8_t type = (uint8_t)(s->wValue >> 8);
	uint8_t index = (uint8_t)(s->wValue & 0xffu);
	struct usbd_ctrl *ctrl = &dev->ctrl;
	int len;

	switch (type) {
	case USB_DESC_DEVICE:
		if (index != 0) {
			return -ENOENT;
		}
		ctrl->source = USBD_IN_DEVICE_DESC;
		len = 18;
		break;
	case USB_DESC_CONFIGURATION:
		len = usbd_config_desc_len(dev->desc, index);
		ctrl->source = USBD_IN_CONFIG_DESC;
		break;
	case USB_DESC_STRING:
		/* Measure it: the first two bytes are bLength and the type. */
		len = usbd_desc_read(dev->desc, USB_DESC_STRING, index, 0, ctrl->packet, 1);
		if (len == 1) {
			len = ctrl->packet[0];
		}
		ctrl->source = USBD_IN_STRING_DESC;
		break;
	case USB_DESC_BOS:
		if (index != 0 || dev->desc->bos == NULL || dev->desc->bcd_usb < 0x0201u) {
			return -ENOENT;
		}
		r->in_data = dev->desc->bos;
		r->in_len = dev->desc->bos_len;
		return 0;
	default:
		/*
		 * Device qualifier and other-speed configuration included: a
		 * full-speed-only device answers them with a request error
		 * (USB 2.0 9.6.2).
		 */
		return -ENOENT;
	}
	if (len < 0) {
		return len;
	}
	ctrl->desc_index = index;
	r->in_len = (uint16_t)len;
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
#define RQ_IN 0x80u
#define RQ_V0 0x01u
#define RQ_I0 0x02u
#define RQ_L0 0x04u
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

static bool endpoint_valid(const struct usbd_device *dev, uint8_t ep)
{
	if ((ep & 0x70u) != 0) {
		return false;
	}
	if ((ep & 0x0fu) == 0) {
		return true;
	}
	return endpoint_iface(dev, ep) >= 0;
}

static int standard_request(struct usbd_device *dev, const struct usbd_setup *s,
			    struct usbd_ctrl_reply *r)
{
	uint8_t recipient = s->bmRequestType & USB_REQTYPE_RECIPIENT_MASK;
	const struct usbd_config_desc *c = active_config(dev);
	uint8_t low = (uint8_t)(s->wIndex & 0xffu); /* interface or endpoint */

	if (recipient > USB_REQTYPE_ENDPOINT) {
		return -EINVAL;
	}
	if (recipient != USB_REQTYPE_DEVICE && (s->wIndex >> 8) != 0) {
		return -EINVAL;
	}
	if (recipient == USB_REQTYPE_INTERFACE && (c == NULL || low >= c->num_ifaces)) {
		return -EINVAL;
	}
	/* Outside the configured state only EP0 may be addressed (9.4). */
	if (recipient == USB_REQTYPE_ENDPOINT &&
	    (!endpoint_valid(dev, low) ||
	     ((low & 0x0fu) != 0 && dev->state != USBD_STATE_CONFIGURED))) {
		return -EINVAL;
	}

	unsigned rq = std_req_find(recipient, s->bRequest);
	if (rq == STD_REQ_COUNT) {
		/*
		 * Class-defined standard requests to an interface (e.g. a HID
		 * report descriptor) go to its class; SET_DESCRIPTOR,
		 * SYNCH_FRAME (no isochronous endpoints) and others are refused.
		 */
		return recipient == USB_REQTYPE_INTERFACE ? forward(dev, c->ifaces[low].owner, s, r)
							   : -ENOTSUP;
	}
	if (!std_req_fields_ok(s, rq)) {
		return -EINVAL;
	}
	switch (rq) {
	case DEV_GET_STATUS: {
		const struct usbd_config_desc *sc = c != NULL ? c : &dev->desc->configs[0];
		return reply_small(r, &dev->ctrl,
				   (uint8_t)(((sc->attributes & USB_CONFIG_ATTR_SELF_POWERED) ? 1u : 0u) |
					     (dev->remote_wakeup ? 2u : 0u)),
				   2);
	}
	case DEV_CLEAR_FEATURE:
	case DEV_SET_FEATURE:
		/* TEST_MODE is for high-speed devices only. */
		if (s->wValue != USB_FEATURE_DEVICE_REMOTE_WAKEUP) {
			return -EINVAL;
		}
		if (c == NULL || !(c->attributes & USB_CONFIG_ATTR_REMOTE_WAKEUP)) {
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
	case DEV_GET_DESCRIPTOR:
		return get_descriptor(dev, s, r);
	case DEV_GET_CONFIGURATION:
		return reply_small(r, &dev->ctrl, dev->config_value, 1);
	case DEV_SET_CONFIGURATION:
		if ((s->wValue >> 8) != 0 || dev->state < USBD_STATE_ADDRESS) {
			return -EINVAL;
		}
		return set_configuration(dev, s->wValue);
	case IF_GET_STATUS:
		return reply_small(r, &dev->ctrl, 0, 2);
	case IF_GET_INTERFACE:
		return reply_small(r, &dev->ctrl, dev->alt[low], 1);
	case IF_SET_INTERFACE:
		if (s->wValue >= c->ifaces[low].num_alts) {
			return -EINVAL;
		}
		return select_alt(dev, low, (uint8_t)s->wValue);
	case EP_GET_STATUS:
		return reply_small(r, &dev->ctrl, halt_bit(dev, low) ? 1u : 0u, 2);
	default: {
		/* EP_CLEAR_FEATURE, EP_SET_FEATURE (ENDPOINT_HALT). */
		bool halt = rq == EP_SET_FEATURE;
		/* EP0 halts only on a protocol error; the request itself is a no-op. */
		if ((low & 0x0fu) != 0) {
			dev->udc.ops->ep_set_stall(dev->udc.port, low, halt);
			set_halt_bit(dev, low, halt);
		}
		return 0;
	}
	}
}

static int class_request(struct usbd_device *dev, const struct usbd_setup *s,
			 struct usbd_ctrl_reply *r)
{
	struct usbd_class *owner = NULL;
	uint8_t recipient = s->bmRequestType & USB_REQTYPE_RECIPIENT_MASK;

	if (recipient == USB_REQTYPE_INTERFACE) {
		const struct usbd_config_desc *c = active_config(dev);
		uint8_t iface = (uint8_t)(s->wIndex & 0xffu);
		if (c == NULL || iface >= c->num_ifaces) {
			return -EINVAL;
		}
		owner = c->ifaces[iface].owner;
	} else if (recipient == USB_REQTYPE_ENDPOINT) {
		int iface = endpoint_iface(dev, (uint8_t)(s->wIndex & 0xffu));
		if (iface < 0) {
			return -EINVAL;
		}
		owner = active_config(dev)->ifaces[iface].owner;
	} else if (recipient == USB_REQTYPE_DEVICE &&
		   (s->bmRequestType & USB_REQTYPE_TYPE_MASK) == USB_REQTYPE_VENDOR) {
		owner = dev->desc->vendor;
	}
	return forward(dev, owner, s, r);
}

static int dispatch(struct usbd_device *dev, const struct usbd_setup *s, struct usbd_ctrl_reply *r)
{
	if ((s->bmRequestType & USB_REQTYPE_TYPE_MASK) != USB_REQTYPE_STANDARD) {
		return class_request(dev, s, r);
	}
	return standard_request(dev, s, r);
}

static void ctrl_stall(struct usbd_device *dev)
{
	dev->ctrl.stage = USBD_CTRL_STALLED;
	dev->udc.ops->ep_set_stall(dev->udc.port, UDC_EP0_IN, true);
	dev->udc.ops->ep_set_stall(dev->udc.port, UDC_EP0_OUT, true);
}

static void arm(struct usbd_device *dev, uint8_t ep, uint8_t *buf, uint16_t len)
{
	dev->ctrl.last = len;
	if (dev->udc.ops->ep_xfer(dev->udc.port, ep, buf, len) < 0) {
		ctrl_stall(dev);
	}
}

static void send_in_packet(struct usbd_device *dev)
{
	struct usbd_ctrl *ctrl = &dev->ctrl;
	uint16_t left = (uint16_t)(ctrl->total - ctrl->done);
	uint16_t n = left < dev->desc->max_packet0 ? left : dev->desc->max_packet0;
	uint8_t *buf;

	if (ctrl->source == USBD_IN_BUFFER) {
		/* Ports only read IN buffers; the cast drops const for the shared op. */
		buf = (uint8_t *)(uintptr_t)(ctrl->in_data + ctrl->done);
	} else {
		static const uint8_t types[] = {
			[USBD_IN_DEVICE_DESC] = USB_DESC_DEVICE,
			[USBD_IN_CONFIG_DESC] = USB_DESC_CONFIGURATION,
			[USBD_IN_STRING_DESC] = USB_DESC_STRING,
		};
		int got = usbd_desc_read(dev->desc, types[ctrl->source], ctrl->desc_index, ctrl->done,
					 ctrl->packet, n);
		if (got != (int)n) {
			ctrl_stall(dev);
			return;
		}
		buf = ctrl->packet;
	}
	arm(dev, UDC_EP0_IN, buf, n);
}

static void arm_out_packet(struct usbd_device *dev)
{
	struct usbd_ctrl *ctrl = &dev->ctrl;
	uint16_t left = (uint16_t)(ctrl->total - ctrl->done);
	uint16_t n = left < dev->desc->max_packet0 ? left : dev->desc->max_packet0;
	arm(dev, UDC_EP0_OUT, ctrl->out_buf + ctrl->done, n);
}

void usbd_on_setup(struct usbd_device *dev, const uint8_t raw[8])
{
	struct usbd_ctrl *ctrl = &dev->ctrl;
	struct usbd_ctrl_reply reply = {0};

	/* A SETUP ends whatever transfer was in progress and clears EP0's halt. */
	memset(ctrl, 0, sizeof(*ctrl));
	usbd_setup_decode(&ctrl->setup, raw);
	dev->udc.ops->ep_set_stall(dev->udc.port, UDC_EP0_IN, false);
	dev->udc.ops->ep_set_stall(dev->udc.port, UDC_EP0_OUT, false);

	const struct usbd_setup *s = &ctrl->setup;
	if (dev->state == USBD_STATE_DETACHED || dispatch(dev, s, &reply) < 0) {
		ctrl_stall(dev);
		return;
	}
	if (s->wLength == 0) {
		ctrl->stage = USBD_CTRL_STATUS_IN;
		arm(dev, UDC_EP0_IN, NULL, 0);
	} else if (is_in(s)) {
		if (ctrl->source == USBD_IN_BUFFER && reply.in_data == NULL) {
			ctrl_stall(dev);
			return;
		}
		ctrl->in_data = reply.in_data;
		ctrl->total = reply.in_len < s->wLength ? reply.in_len : s->wLength;
		/* A reply shorter than asked for must end with a short packet (5.5.3). */
		ctrl->send_zlp = ctrl->total < s->wLength && ctrl->total % dev->desc->max_packet0 == 0;
		ctrl->stage = USBD_CTRL_DATA_IN;
		if (ctrl->total == 0) {
			ctrl->send_zlp = false;
		}
		send_in_packet(dev);
	} else {
		if (reply.out_buf == NULL) {
			ctrl_stall(dev);
			return;
		}
		ctrl->out_buf = reply.out_buf;
		ctrl->total = s->wLength;
		ctrl->stage = USBD_CTRL_DATA_OUT;
		arm_out_packet(dev);
	}
}

static void ctrl_finish(struct usbd_device *dev)
{
	struct usbd_ctrl *ctrl = &dev->ctrl;
	const struct usbd_setup *s = &ctrl->setup;

	ctrl->stage = USBD_CTRL_IDLE;
	if ((s->bmRequestType & (USB_REQTYPE_TYPE_MASK | USB_REQTYPE_RECIPIENT_MASK)) ==
		    (USB_REQTYPE_STANDARD | USB_REQTYPE_DEVICE) &&
	    s->bRequest == USB_REQ_SET_ADDRESS) {
		/* The new address applies only after the status stage (9.4.6). */
		dev->address = dev->pending_address;
		dev->udc.ops->set_address(dev->udc.port, dev->address);
		if (dev->state != USBD_STATE_CONFIGURED) {
			dev->state = dev->address ? USBD_STATE_ADDRESS : USBD_STATE_DEFAULT;
		}
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
			send_in_packet(dev);
		} else if (ctrl->send_zlp) {
			ctrl->send_zlp = false;
			arm(dev, UDC_EP0_IN, NULL, 0);
		} else {
			ctrl->stage = USBD_CTRL_STATUS_OUT;
			arm(dev, UDC_EP0_OUT, NULL, 0);
		}
		break;
	case USBD_CTRL_STATUS_IN:
		ctrl_finish(dev);
		break;
	default:
		break;
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
			arm_out_packet(dev);
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
	case USBD_CTRL_STATUS_OUT:
		ctrl_finish(dev);
		break;
	default:
		break;
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

void usbd_on_bus_reset(struct usbd_device *dev)
{
	deconfigure(dev);
	memset(&dev->ctrl, 0, sizeof(dev->ctrl));
	memset(dev->alt, 0, sizeof(dev->alt));
	dev->address = 0;
	dev->pending_address = 0;
	dev->remote_wakeup = false;
	dev->suspended = false;
	dev->halted_in = 0;
	dev->halted_out = 0;
	dev->udc.ops->set_address(dev->udc.port, 0);
	dev->udc.ops->ep_enable(dev->udc.port, UDC_EP0_OUT, UDC_EP_CONTROL, dev->desc->max_packet0);
	dev->udc.ops->ep_enable(dev->udc.port, UDC_EP0_IN, UDC_EP_CONTROL, dev->desc->max_packet0);
	dev->state = USBD_STATE_DEFAULT;
}

void usbd_on_suspend(struct usbd_device *dev)
{
	dev->suspended = true;
}

void usbd_on_resume(struct usbd_device *dev)
{
	dev->suspended = false;
}

static int check_desc(const struct usbd_device_desc *desc)
{
	uint8_t mps = desc->max_packet0;
	if (mps != 8 && mps != 16 && mps != 32 && mps != 64) {
		return -EINVAL;
	}
	if (desc->num_configs == 0 || desc->configs == NULL) {
		return -EINVAL;
	}
	if (desc->bos != NULL && desc->bcd_usb < 0x0201u) {
		return -EINVAL;
	}
	for (uint8_t c = 0; c < desc->num_configs; c++) {
		const struct usbd_config_desc *cfg = &desc->configs[c];
		if (cfg->num_ifaces > USBD_MAX_INTERFACES || usbd_config_desc_len(desc, c) < 0) {
			return -EINVAL;
		}
		for (uint8_t i = 0; i < cfg->num_ifaces; i++) {
			if (cfg->ifaces[i].num_alts == 0 || cfg->ifaces[i].alts == NULL) {
				return -EINVAL;
			}
		}
	}
	return 0;
}

int usbd_init(struct usbd_device *dev, const struct usbd_device_desc *desc, const struct udc *udc)
{
	int rc = check_desc(desc);
	if (rc < 0) {
		return rc;
	}
	memset(dev, 0, sizeof(*dev));
	dev->desc = desc;
	dev->udc = *udc;
	dev->state = USBD_STATE_DETACHED;
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
		usbd_on_bus_reset(dev);
	} else {
		deconfigure(dev);
		dev->state = USBD_STATE_DETACHED;
	}
	return 0;
}
