/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device-controller (UDC) port interface.
 *
 * A port is the only code that touches a USB device controller. The usbd core
 * calls down through struct udc_ops; the port reports what happened on the bus
 * by calling the usbd_on_*() functions declared in usbd.h. All calls happen in
 * one execution context (thread or main loop); a port whose hardware raises
 * interrupts queues them and calls usbd_on_*() from that context.
 *
 * Endpoint addresses use the USB encoding: bit 7 set = IN (device to host).
 */
#ifndef DFUKIT_UDC_H
#define DFUKIT_UDC_H

#include <stdbool.h>
#include <stdint.h>

#define UDC_EP_DIR_IN 0x80u
#define UDC_EP0_OUT 0x00u
#define UDC_EP0_IN 0x80u

enum udc_ep_type {
	UDC_EP_CONTROL = 0,
	UDC_EP_ISOCHRONOUS = 1,
	UDC_EP_BULK = 2,
	UDC_EP_INTERRUPT = 3,
};

struct udc_ops {
	/* Connect (pull-up on) or disconnect from the bus. */
	int (*enable)(void *port, bool enable);
	/* Take the new address; called once the SET_ADDRESS status stage is done. */
	int (*set_address)(void *port, uint8_t address);
	int (*ep_enable)(void *port, uint8_t ep, enum udc_ep_type type, uint16_t max_packet);
	int (*ep_disable)(void *port, uint8_t ep);
	/*
	 * Arm one transfer on an endpoint. On EP0 the core never arms more than
	 * bMaxPacketSize0 bytes at a time, so a port needs no packet splitting for
	 * control transfers. Completion is reported by usbd_on_xfer_done().
	 * len 0 arms a zero-length packet (status stage or ZLP).
	 */
	int (*ep_xfer)(void *port, uint8_t ep, uint8_t *buf, uint16_t len);
	/* Set or clear the halt (STALL) condition. A SETUP packet clears EP0's. */
	int (*ep_set_stall)(void *port, uint8_t ep, bool stall);
};

struct udc {
	const struct udc_ops *ops;
	void *port;
};

#endif /* DFUKIT_UDC_H */
