/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal USB/IP client for the tests: import a busid over a connected
 * socket and run control transfers on ep 0, as vhci-hcd would send them.
 * Blocking, with a timeout per message.
 */
#ifndef DFUKIT_TESTS_USBIP_CLIENT_H
#define DFUKIT_TESTS_USBIP_CLIENT_H

#include <stdint.h>

struct usbip_client {
	int fd;
	uint32_t devid;
	uint32_t seqnum;
	uint16_t vid, pid; /* from the import reply's device record */
	int timeout_ms;
};

/*
 * OP_REQ_IMPORT busid on fd (the client takes fd). 0, the server's non-zero
 * status as a positive number (device not exported, busy), or a negative errno.
 */
int usbip_client_import(struct usbip_client *c, int fd, const char *busid, int timeout_ms);

/*
 * One control transfer: setup as on the wire, IN data into data (capacity
 * = wLength) or OUT data from it. Returns the bytes moved, or the URB's
 * status (negative errno, e.g. -EPIPE for a STALL), or -EPROTO / -ETIMEDOUT
 * and friends when the connection fails.
 */
int usbip_client_control(struct usbip_client *c, const uint8_t setup[8], uint8_t *data);

void usbip_client_close(struct usbip_client *c);

#endif /* DFUKIT_TESTS_USBIP_CLIENT_H */
