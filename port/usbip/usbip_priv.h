/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the USB/IP server's files share (not installed). The server is split
 * by job:
 *   usbip_conn.c     connections and socket I/O, the poll loop, the public
 *                    server lifecycle (listen, init, poll, close)
 *   usbip_handoff.c  hand-off mode: sockets passed by a hub in SCM_RIGHTS
 *   usbip_device.c   the exported devices (add, remove, disconnect, the vudc ops)
 *   usbip_op.c       the OP phase: OP_REQ_DEVLIST, OP_REQ_IMPORT, descriptors
 *   usbip_urb.c      the URB engine: control URBs, queued bulk/interrupt retry
 *   usbip_codec.c    the wire format (portable, no I/O)
 *
 * Message handling is a loop over each connection's receive buffer: a step
 * looks at the buffered bytes, returns STEP_MORE when the next message has not
 * fully arrived (or cannot be taken yet), handles and consumes it otherwise.
 */
#ifndef DFUKIT_USBIP_PRIV_H
#define DFUKIT_USBIP_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/port/usbip.h"

enum step { STEP_DONE, STEP_MORE, STEP_CLOSED };

#define USBIP_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* usbip_conn.c */
USBIP_PRINTF(2, 3) void usbip_log(struct usbip_server *srv, const char *fmt, ...);
/* Close c (if open), dropping its import and queued URBs; logs why. */
USBIP_PRINTF(3, 4)
void usbip_conn_close(struct usbip_server *srv, struct usbip_conn *c, const char *fmt, ...);
/* Close c for a peer's protocol error; always STEP_CLOSED. */
USBIP_PRINTF(3, 4)
enum step usbip_proto_error(struct usbip_server *srv, struct usbip_conn *c, const char *fmt, ...);
/* Send all of buf, waiting for room up to USBIP_WRITE_TIMEOUT_MS. 0 or -errno. */
int usbip_send_all(int fd, const uint8_t *buf, size_t len);
/* Send to c, closing it on failure: STEP_DONE or STEP_CLOSED. */
enum step usbip_conn_send(struct usbip_server *srv, struct usbip_conn *c, const uint8_t *buf,
			  size_t len);
/* Drop n bytes from the front of c's receive buffer. */
void usbip_consume(struct usbip_conn *c, size_t n);
/* Take a connected socket (handed over by a hub) as a new connection. */
void usbip_conn_adopt(struct usbip_server *srv, int fd);

/* usbip_handoff.c */
bool usbip_is_handoff_socket(int fd);
/* Take every connection the hub sent. 0, or -EPIPE once the hub has gone. */
int usbip_receive_handoffs(struct usbip_server *srv);

/* usbip_device.c */
struct usbip_device *usbip_find_device(struct usbip_server *srv, const char *busid);
unsigned usbip_pending_count(const struct usbip_device *d);
static inline uint32_t usbip_dev_devid(const struct usbip_device *d)
{
	return usbip_devid(d->busnum, d->devnum);
}

/* usbip_op.c: the next OP_REQ_* on c (before import). */
enum step usbip_step_op(struct usbip_server *srv, struct usbip_conn *c);

/* usbip_urb.c: the next CMD_* on c (after import), and the retry of queued URBs. */
enum step usbip_step_urb(struct usbip_server *srv, struct usbip_conn *c);
void usbip_retry_pending(struct usbip_server *srv, struct usbip_device *d);

#endif /* DFUKIT_USBIP_PRIV_H */
