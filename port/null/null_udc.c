/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "null_udc.h"

static int null_enable(void *port, bool enable)
{
	(void)port;
	(void)enable;
	return 0;
}

static int null_set_address(void *port, uint8_t address)
{
	(void)port;
	(void)address;
	return 0;
}

static int null_ep_enable(void *port, uint8_t ep, enum udc_ep_type type, uint16_t max_packet)
{
	(void)port;
	(void)ep;
	(void)type;
	(void)max_packet;
	return 0;
}

static int null_ep_disable(void *port, uint8_t ep)
{
	(void)port;
	(void)ep;
	return 0;
}

static int null_ep_xfer(void *port, uint8_t ep, uint8_t *buf, uint16_t len)
{
	(void)port;
	(void)ep;
	(void)buf;
	(void)len;
	return 0;
}

static int null_ep_set_stall(void *port, uint8_t ep, bool stall)
{
	(void)port;
	(void)ep;
	(void)stall;
	return 0;
}

const struct udc_ops null_udc_ops = {
	.enable = null_enable,
	.set_address = null_set_address,
	.ep_enable = null_ep_enable,
	.ep_disable = null_ep_disable,
	.ep_xfer = null_ep_xfer,
	.ep_set_stall = null_ep_set_stall,
};

void null_udc_poll(struct null_udc *port, struct usbd_device *dev)
{
	volatile struct null_udc_regs *r = port->regs;
	uint8_t setup[8];

	switch (r->event) {
	case NULL_UDC_EV_RESET: usbd_on_bus_reset(dev); break;
	case NULL_UDC_EV_SETUP:
		for (unsigned i = 0; i < sizeof(setup); i++) {
			setup[i] = r->setup[i];
		}
		usbd_on_setup(dev, setup);
		break;
	case NULL_UDC_EV_XFER: usbd_on_xfer_done(dev, (uint8_t)r->ep, (uint16_t)r->actual); break;
	case NULL_UDC_EV_SUSPEND: usbd_on_suspend(dev); break;
	case NULL_UDC_EV_RESUME: usbd_on_resume(dev); break;
	default: break;
	}
	r->event = NULL_UDC_EV_NONE;
}

static int null_flash_read(void *ctx, uint32_t off, void *dst, uint32_t len)
{
	(void)ctx;
	(void)off;
	memset(dst, 0xff, len);
	return 0;
}

static int null_flash_write(void *ctx, uint32_t off, const void *src, uint32_t len)
{
	(void)ctx;
	(void)off;
	(void)src;
	(void)len;
	return 0;
}

static int null_flash_erase(void *ctx, uint32_t off, uint32_t len)
{
	(void)ctx;
	(void)off;
	(void)len;
	return 0;
}

const struct flash_ops null_flash_ops = {
	.read = null_flash_read,
	.write = null_flash_write,
	.erase = null_flash_erase,
};
