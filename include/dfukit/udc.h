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
#define UDC_EP0_OUT   0x00u
#define UDC_EP0_IN    0x80u

enum udc_ep_type {
	UDC_EP_CONTROL = 0,
	UDC_EP_ISOCHRONOUS = 1,
	UDC_EP_BULK = 2,
	UDC_EP_INTERRUPT = 3,
};

/*
 * Every op returns 0 on success or a negative errno; the core never retries
 * an op, it acts on the refusal as each op below says.
 */
struct udc_ops {
	/*
	 * Connect (pull-up on) or disconnect from the bus. <0: nothing changed;
	 * usbd_enable() returns the error. A port may report the bus reset of an
	 * attach itself (usbd_on_bus_reset()); usbd_enable(true) resets anyway.
	 */
	int (*enable)(void *port, bool enable);
	/*
	 * Take the new address (0..127); called at each bus reset with 0 and once
	 * the SET_ADDRESS status stage is done. <0: the controller keeps its old
	 * address, and so does the core (after a bus reset: see ep_enable).
	 */
	int (*set_address)(void *port, uint8_t address);
	/*
	 * Make an endpoint ready for transfers: type and wMaxPacketSize as in its
	 * descriptor; EP0 (both directions) at each bus reset with
	 * bMaxPacketSize0, the others when an alternate that has them is
	 * selected. Enabling clears the endpoint's halt and anything armed.
	 * <0 (e.g. -ENOMEM: no FIFO room): the endpoint stays disabled. For a
	 * data endpoint the core STALLs the SET_CONFIGURATION or SET_INTERFACE
	 * that asked for it and returns to the address state. A bus reset the
	 * port refuses any step of (ep_disable, set_address(0), enabling EP0)
	 * stops there and leaves the device detached: it answers no SETUP until
	 * the next bus reset, and usbd_enable(true) returns the error.
	 */
	int (*ep_enable)(void *port, uint8_t ep, enum udc_ep_type type, uint16_t max_packet);
	/*
	 * Stop an endpoint: drop any armed transfer without completing it, clear
	 * its halt. Disabling an endpoint that is not enabled is not an error.
	 * <0: the core still forgets the endpoint, and reports the failure: the
	 * SET_INTERFACE or SET_CONFIGURATION STALLs (the device is left in the
	 * address state), usbd_enable(false) returns it, and a bus reset leaves
	 * the device detached as said for ep_enable.
	 */
	int (*ep_disable)(void *port, uint8_t ep);
	/*
	 * Arm one transfer on an enabled endpoint. On EP0 the core never arms
	 * more than bMaxPacketSize0 bytes at a time, so a port needs no packet
	 * splitting for control transfers. Completion is reported by
	 * usbd_on_xfer_done(). len 0 arms a zero-length packet (status stage or
	 * ZLP). The port only reads an IN buffer and owns buf until completion.
	 * <0: nothing is armed; on EP0 the core STALLs the control transfer.
	 */
	int (*ep_xfer)(void *port, uint8_t ep, uint8_t *buf, uint16_t len);
	/*
	 * Set or clear the halt (STALL) condition; setting it drops an armed
	 * transfer. A SETUP packet clears EP0's halt in hardware; the core
	 * clears it too at each SETUP. <0 on a data endpoint: its halt is
	 * unchanged and the SET_FEATURE / CLEAR_FEATURE(ENDPOINT_HALT) request
	 * STALLs. On EP0 a refusal needs no action: an EP0 still halted after
	 * a SETUP STALLs the request (as a refusal would), and one that cannot
	 * be halted has nothing armed until the next SETUP, so the host's
	 * request times out instead of seeing a STALL.
	 */
	int (*ep_set_stall)(void *port, uint8_t ep, bool stall);
};

struct udc {
	const struct udc_ops *ops;
	void *port;
};

#endif /* DFUKIT_UDC_H */
