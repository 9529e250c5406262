/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usbd: the USB device stack core (USB 2.0 chapter 9, EP0 control pipe,
 * descriptors). No heap, no globals: everything lives in a struct usbd_device
 * the caller owns, so several devices can run in one program.
 *
 * Descriptors are the application's byte arrays (struct usbd_device_desc),
 * sent as they are, except string descriptors, generated from ASCII packet by
 * packet.
 */
#ifndef DFUKIT_USBD_H
#define DFUKIT_USBD_H

#include <stdbool.h>
#include <stdint.h>

#include "dfukit/udc.h"

#ifndef USBD_MAX_INTERFACES
#define USBD_MAX_INTERFACES 4
#endif

/* USB 2.0 table 9-4 and 9-5 */
enum usbd_request {
	USB_REQ_GET_STATUS = 0,
	USB_REQ_CLEAR_FEATURE = 1,
	USB_REQ_SET_FEATURE = 3,
	USB_REQ_SET_ADDRESS = 5,
	USB_REQ_GET_DESCRIPTOR = 6,
	USB_REQ_SET_DESCRIPTOR = 7,
	USB_REQ_GET_CONFIGURATION = 8,
	USB_REQ_SET_CONFIGURATION = 9,
	USB_REQ_GET_INTERFACE = 10,
	USB_REQ_SET_INTERFACE = 11,
	USB_REQ_SYNCH_FRAME = 12,
};

enum usbd_desc_type {
	USB_DESC_DEVICE = 1,
	USB_DESC_CONFIGURATION = 2,
	USB_DESC_STRING = 3,
	USB_DESC_INTERFACE = 4,
	USB_DESC_ENDPOINT = 5,
	USB_DESC_DEVICE_QUALIFIER = 6,
	USB_DESC_OTHER_SPEED_CONFIGURATION = 7,
	USB_DESC_BOS = 15,
};

#define USB_FEATURE_ENDPOINT_HALT        0u
#define USB_FEATURE_DEVICE_REMOTE_WAKEUP 1u

#define USB_REQTYPE_DIR_IN         0x80u
#define USB_REQTYPE_TYPE_MASK      0x60u
#define USB_REQTYPE_STANDARD       0x00u
#define USB_REQTYPE_CLASS          0x20u
#define USB_REQTYPE_VENDOR         0x40u
#define USB_REQTYPE_RECIPIENT_MASK 0x1fu
#define USB_REQTYPE_DEVICE         0x00u
#define USB_REQTYPE_INTERFACE      0x01u
#define USB_REQTYPE_ENDPOINT       0x02u

/* bmAttributes of the configuration descriptor */
#define USB_CONFIG_ATTR_ONE           0x80u
#define USB_CONFIG_ATTR_SELF_POWERED  0x40u
#define USB_CONFIG_ATTR_REMOTE_WAKEUP 0x20u

/*
 * Field offsets in the setup packet and the standard descriptors (USB 2.0
 * tables 9-2, 9-8, 9-10, 9-12, 9-13), named as the specification names the
 * fields. Multi-byte fields are little-endian (dfukit/wire.h).
 */
#define USB_SETUP_bmRequestType 0u
#define USB_SETUP_bRequest      1u
#define USB_SETUP_wValue        2u
#define USB_SETUP_wIndex        4u
#define USB_SETUP_wLength       6u
#define USB_SETUP_LEN           8u

#define USB_DESC_bLength         0u /* every descriptor starts with these two */
#define USB_DESC_bDescriptorType 1u

#define USB_DEV_bcdUSB             2u
#define USB_DEV_bDeviceClass       4u
#define USB_DEV_bDeviceSubClass    5u
#define USB_DEV_bDeviceProtocol    6u
#define USB_DEV_bMaxPacketSize0    7u
#define USB_DEV_idVendor           8u
#define USB_DEV_idProduct          10u
#define USB_DEV_bcdDevice          12u
#define USB_DEV_iManufacturer      14u
#define USB_DEV_iProduct           15u
#define USB_DEV_iSerialNumber      16u
#define USB_DEV_bNumConfigurations 17u

#define USB_CFG_wTotalLength        2u /* also the BOS descriptor's */
#define USB_CFG_bNumInterfaces      4u
#define USB_CFG_bConfigurationValue 5u
#define USB_CFG_iConfiguration      6u
#define USB_CFG_bmAttributes        7u
#define USB_CFG_bMaxPower           8u

#define USB_IF_bInterfaceNumber   2u
#define USB_IF_bAlternateSetting  3u
#define USB_IF_bNumEndpoints      4u
#define USB_IF_bInterfaceClass    5u
#define USB_IF_bInterfaceSubClass 6u
#define USB_IF_bInterfaceProtocol 7u
#define USB_IF_iInterface         8u

#define USB_EP_bEndpointAddress 2u
#define USB_EP_bmAttributes     3u /* bits 1..0: the transfer type (enum udc_ep_type) */
#define USB_EP_wMaxPacketSize   4u
#define USB_EP_bInterval        6u

/* The setup packet, decoded from its little-endian wire form. */
struct usbd_setup {
	uint8_t bmRequestType;
	uint8_t bRequest;
	uint16_t wValue;
	uint16_t wIndex;
	uint16_t wLength;
};

void usbd_setup_decode(struct usbd_setup *setup, const uint8_t raw[USB_SETUP_LEN]);
void usbd_setup_encode(uint8_t raw[USB_SETUP_LEN], const struct usbd_setup *setup);

struct usbd_class;

/*
 * How a class answers a control request, filled in by its control() hook.
 * IN requests: point in_data at the reply (in_len bytes; the core truncates
 * to wLength and adds a ZLP where USB requires one). The memory must stay
 * valid until the status stage is done.
 * OUT requests with a data stage: point out_buf at room for wLength bytes;
 * control_out_done() is called when the data stage is complete.
 */
struct usbd_ctrl_reply {
	const uint8_t *in_data;
	uint16_t in_len;
	uint8_t *out_buf;
};

struct usbd_class_ops {
	/*
	 * A class or vendor request whose recipient is an interface this class
	 * owns (wIndex low byte), or a request to an endpoint it owns.
	 * Return 0 to accept, a negative errno to STALL.
	 */
	int (*control)(struct usbd_class *cls, const struct usbd_setup *setup,
		       struct usbd_ctrl_reply *reply);
	/* OUT data stage complete; a negative errno STALLs the status stage. */
	int (*control_out_done)(struct usbd_class *cls, const struct usbd_setup *setup,
				uint16_t len);
	/* Status stage complete: the request has been acknowledged to the host. */
	void (*control_done)(struct usbd_class *cls, const struct usbd_setup *setup);
	/* SET_INTERFACE or SET_CONFIGURATION selected this alternate; <0 STALLs. */
	int (*set_alt)(struct usbd_class *cls, uint8_t iface, uint8_t alt);
	/* Bus reset or deconfiguration: drop whatever was in progress. */
	void (*reset)(struct usbd_class *cls);
};

struct usbd_class {
	const struct usbd_class_ops *ops;
};

/*
 * Descriptors are byte arrays the application owns, as they go on the wire
 * (little-endian), in flash when they are constant (the USBD_*_DESC macros
 * below build them) or in RAM when they are built at run time. The core
 * walks a configuration's bytes to find its interfaces, alternates and
 * endpoints; usbd_init() checks them first.
 */
struct usbd_config_desc {
	/*
	 * The whole configuration: the configuration descriptor, then the
	 * interface, class-specific and endpoint descriptors (wTotalLength
	 * bytes). bConfigurationValue must be its index + 1.
	 */
	const uint8_t *desc;
	/* The class owning each interface, by bInterfaceNumber (NULL: none). */
	struct usbd_class *const *owners;
};

struct usbd_device_desc {
	const uint8_t *device;                  /* the 18-byte device descriptor */
	const struct usbd_config_desc *configs; /* bNumConfigurations of them */
	/* strings[i - 1] is string descriptor i, in ASCII; index 0 is LANGID 0x0409. */
	const char *const *strings;
	uint8_t num_strings;
	/* Binary Object Store, wTotalLength bytes (needs bcdUSB >= 0x0201). */
	const uint8_t *bos;
	/* Optional handler for vendor requests addressed to the device. */
	struct usbd_class *vendor;
};

/* Descriptor bytes for static arrays (USB 2.0 tables 9-8, 9-10, 9-12, 9-13). */
#define USBD_LE16(v)         (uint8_t)((v)&0xffu), (uint8_t)(((v) >> 8) & 0xffu)
#define USBD_DEVICE_DESC_LEN 18u
#define USBD_DEVICE_DESC(bcd_usb, cls, subclass, protocol, max_packet0, vid, pid, bcd_device,      \
			 i_manufacturer, i_product, i_serial, num_configs)                         \
	USBD_DEVICE_DESC_LEN, USB_DESC_DEVICE, USBD_LE16(bcd_usb), (cls), (subclass), (protocol),  \
		(max_packet0), USBD_LE16(vid), USBD_LE16(pid), USBD_LE16(bcd_device),              \
		(i_manufacturer), (i_product), (i_serial), (num_configs)
#define USBD_CONFIG_DESC_LEN 9u
#define USBD_CONFIG_DESC(total_len, num_ifaces, value, i_config, attributes, max_power_2ma)        \
	USBD_CONFIG_DESC_LEN, USB_DESC_CONFIGURATION, USBD_LE16(total_len), (num_ifaces), (value), \
		(i_config), (USB_CONFIG_ATTR_ONE | (attributes)), (max_power_2ma)
#define USBD_IFACE_DESC_LEN 9u
#define USBD_IFACE_DESC(number, alt, num_endpoints, cls, subclass, protocol, i_iface)              \
	USBD_IFACE_DESC_LEN, USB_DESC_INTERFACE, (number), (alt), (num_endpoints), (cls),          \
		(subclass), (protocol), (i_iface)
#define USBD_EP_DESC_LEN 7u
#define USBD_EP_DESC(address, attributes, max_packet, interval)                                    \
	USBD_EP_DESC_LEN, USB_DESC_ENDPOINT, (address), (attributes), USBD_LE16(max_packet),       \
		(interval)

enum usbd_state {
	USBD_STATE_DETACHED = 0,
	USBD_STATE_DEFAULT,
	USBD_STATE_ADDRESS,
	USBD_STATE_CONFIGURED,
};

enum usbd_ctrl_stage {
	USBD_CTRL_IDLE = 0,
	USBD_CTRL_DATA_IN,
	USBD_CTRL_DATA_OUT,
	USBD_CTRL_STATUS_IN,
	USBD_CTRL_STATUS_OUT,
	USBD_CTRL_STALLED,
};

struct usbd_ctrl {
	struct usbd_setup setup;
	enum usbd_ctrl_stage stage;
	struct usbd_class *owner;     /* class answering the request, NULL for standard ones */
	struct usbd_ctrl_reply reply; /* the data stage's buffer, as the request set it */
	uint16_t total;               /* bytes of the data stage */
	uint16_t done;                /* bytes moved so far */
	uint16_t last;                /* bytes armed in the packet in flight */
	const char *string; /* a string descriptor generated packet by packet, else NULL */
	uint8_t packet[64]; /* one EP0 packet of a string descriptor or a small reply */
};

struct usbd_device {
	const struct usbd_device_desc *desc;
	struct udc udc;
	enum usbd_state state;
	/* The rest is the device's bus state: usbd_on_bus_reset() clears it. */
	uint8_t address;
	uint8_t pending_address;
	uint8_t config_value; /* 0 = not configured */
	/* The interface descriptor of each interface's selected alternate. */
	const uint8_t *alt[USBD_MAX_INTERFACES];
	bool remote_wakeup;
	bool suspended;
	uint32_t halted; /* bit n: OUT endpoint n halted, bit 16 + n: IN endpoint n */
	struct usbd_ctrl ctrl;
};

/*
 * Check the description (usbd_desc_check()) and bind it to a port.
 * Returns -EINVAL for a description the core cannot serve.
 */
int usbd_init(struct usbd_device *dev, const struct usbd_device_desc *desc, const struct udc *udc);
/*
 * Connect to the bus (pull-up on) and reset to the default state, or
 * deconfigure and disconnect. Returns the port's refusal (udc.h says what
 * the device is left in), else 0.
 */
int usbd_enable(struct usbd_device *dev, bool enable);

/*
 * Events a port reports (see udc.h). A bus reset deconfigures and clears
 * the bus state (address, alternates, remote wakeup, suspend, halts, EP0's
 * transfer), then sets address 0 and enables EP0 through the port.
 */
void usbd_on_bus_reset(struct usbd_device *dev);
void usbd_on_setup(struct usbd_device *dev, const uint8_t raw[USB_SETUP_LEN]);
void usbd_on_xfer_done(struct usbd_device *dev, uint8_t ep, uint16_t actual);
void usbd_on_suspend(struct usbd_device *dev);
void usbd_on_resume(struct usbd_device *dev);

/*
 * -EINVAL unless the core can serve desc: a device descriptor with a valid
 * bMaxPacketSize0 and at least one configuration (bcdUSB >= 2.01 with a BOS);
 * per configuration, descriptors that tile wTotalLength exactly,
 * bConfigurationValue = index + 1, at most USBD_MAX_INTERFACES interfaces,
 * each with alternate 0 and an owners table, interface and endpoint
 * descriptors long enough, no endpoint descriptor for EP0 and none with a
 * wMaxPacketSize of 0.
 * usbd_init() calls it; other consumers of a description (port/ffs) too.
 */
int usbd_desc_check(const struct usbd_device_desc *desc);

/*
 * The descriptor after d in configuration cfg (both as in struct
 * usbd_config_desc::desc), or NULL at its end. d = cfg gives the first one
 * after the configuration descriptor. cfg must have passed usbd_desc_check().
 */
const uint8_t *usbd_desc_next(const uint8_t *cfg, const uint8_t *d);
/* The interface descriptor of alternate alt of interface iface in cfg, or NULL. */
const uint8_t *usbd_find_alt(const uint8_t *cfg, unsigned iface, unsigned alt);

#endif /* DFUKIT_USBD_H */
