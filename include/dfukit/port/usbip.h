/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usbip: a USB/IP server (host only, POSIX) that exports virtual devices
 * (struct vudc, see vudc.h) to real USB hosts: Linux vhci-hcd via
 * `usbip attach`, usbip-win2, or anything else speaking the protocol of the
 * kernel's Documentation/usb/usbip_protocol.rst.
 *
 * Model
 * - Single threaded, poll()-based, no threads, no heap: everything lives in a
 *   struct usbip_server the caller owns (it is large, a few hundred KiB: make
 *   it static or heap it once). Fixed limits below, overridable at build time.
 * - The caller owns the listening socket (the virtual board passes it across
 *   exec() so hosts reconnect to the same port); usbip_listen() makes one.
 *   Accepted connections are non-blocking and close-on-exec, so an exec()
 *   drops every importer and the hosts see a disconnect.
 * - Reads are non-blocking and buffered per connection: a message is handled
 *   once it has fully arrived, whatever the TCP segmentation.
 * - Writes are synchronous with a timeout: a reply is sent whole before the
 *   next message is handled, waiting up to USBIP_WRITE_TIMEOUT_MS for socket
 *   space when the peer does not read. A peer that stalls longer than that is
 *   closed. Replies are small (<= 48 + USBIP_MAX_XFER_LEN bytes, or one
 *   device list), so a reading peer never waits.
 * - Per device one importer at a time; a second OP_REQ_IMPORT is refused with
 *   a non-zero status. When the importer goes away the device can be imported
 *   again; every import re-reads the descriptors, so a device that changed
 *   them (DFU detach, new firmware) shows the new ones.
 * - On import the server plays what the exporting side's own host stack does
 *   on a real usbip-host: it resets the device (vudc_bus_reset) and gives it
 *   its address (SET_ADDRESS devnum through vudc_control), because the
 *   importing host handles SET_ADDRESS and port resets itself and never
 *   forwards them. SET_CONFIGURATION / SET_INTERFACE and all other control
 *   requests are forwarded to the device as they come.
 * - Control URBs (ep 0) are executed at once (vudc_control_bounded, with
 *   the SETUP the codec decoded). URBs on other endpoints go to
 *   vudc_transfer, one packet at a time until the URB is complete (all
 *   bytes, or a short IN packet); a URB the device NAKs (-EAGAIN: nothing
 *   armed) is queued, keeping what already moved (USBIP_MAX_PENDING per
 *   device, in order per endpoint), and retried on every usbip_server_poll()
 *   call; while anything is queued poll() waits at most USBIP_RETRY_MS. When
 *   the queue is full the server stops reading that connection until an
 *   entry completes (back-pressure, not an error).
 * - Anything malformed from a peer (bad version, unknown code or command,
 *   absurd lengths, ep > 15, wrong devid, isochronous URBs) is logged and
 *   closes that connection only. A transfer longer than the server's buffers
 *   (but otherwise sane) is answered with status -EMSGSIZE and its OUT data is
 *   discarded; the connection stays up. A control transfer that long still
 *   has its SETUP delivered (capacity 0 for OUT data, USBIP_MAX_XFER_LEN for
 *   IN), as on a bus: a device that STALLs it answers -EPIPE and its class
 *   sees the request (a DFU class enters dfuERROR).
 * - Each connection event (connect, import, refusal, disconnect, protocol
 *   error) produces one log line through the log callback (default: stderr).
 * - Hand-off mode, for a hub that serves several servers behind one TCP port
 *   (`dfukit board run --count N`): given a connected AF_UNIX socket (one end
 *   of a socketpair, SOCK_SEQPACKET preferred) instead of a listening one,
 *   usbip_server_init() sends the hub one byte, USBIP_HANDOFF_READY, and from
 *   then on the server accepts nothing itself: every message the hub sends is
 *   one byte USBIP_HANDOFF_CONN with a connected client socket in SCM_RIGHTS
 *   (usbip_handoff_send()), which becomes a connection exactly as if it had
 *   been accepted; bytes the hub only peeked at (MSG_PEEK) are still there to
 *   be read. Any socket type works (a unix socketpair end too). When the hub
 *   closes its end, usbip_server_poll() returns -EPIPE: the hub is gone and so
 *   is every new client.
 *
 * Replies (RET_SUBMIT / RET_UNLINK) carry the request's seqnum and the
 * device's devid (busnum << 16 | devnum); direction and ep are 0 as the
 * kernel's stub driver sends them.
 */
#ifndef DFUKIT_USBIP_H
#define DFUKIT_USBIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dfukit/usbd.h"
#include "dfukit/port/usbip_codec.h" /* the wire constants and sizes */

struct vudc;

#ifndef USBIP_MAX_DEVICES
#define USBIP_MAX_DEVICES 8
#endif
#ifndef USBIP_MAX_CONNS
#define USBIP_MAX_CONNS 16
#endif
/* Largest transfer accepted on any endpoint; usbfs caps control transfers at 4096. */
#ifndef USBIP_MAX_XFER_LEN
#define USBIP_MAX_XFER_LEN 4096
#endif
/* NAKed non-control URBs queued per device. */
#ifndef USBIP_MAX_PENDING
#define USBIP_MAX_PENDING 4
#endif
#ifndef USBIP_WRITE_TIMEOUT_MS
#define USBIP_WRITE_TIMEOUT_MS 2000
#endif
#ifndef USBIP_RETRY_MS
#define USBIP_RETRY_MS 1
#endif
/* Descriptors taken from one hand-off message (the hub sends one). */
#ifndef USBIP_HANDOFF_MAX_FDS
#define USBIP_HANDOFF_MAX_FDS 4
#endif

#define USBIP_DEFAULT_PORT 3240

/* Hand-off mode messages (one byte each; see the model above). */
#define USBIP_HANDOFF_READY 'R' /* server -> hub: hand connections over now */
#define USBIP_HANDOFF_CONN  'C' /* hub -> server: with one socket in SCM_RIGHTS */

/* One log line, without a trailing newline. */
typedef void (*usbip_log_fn)(void *ctx, const char *line);

/* A URB on a non-control endpoint that the device NAKed, waiting for a retry. */
struct usbip_pending {
	bool used;
	uint8_t ep; /* endpoint address, bit 7 = IN */
	uint32_t seqnum;
	uint32_t order;                   /* arrival order, for per-endpoint FIFO */
	int32_t number_of_packets;        /* echoed in RET_SUBMIT */
	uint16_t len;                     /* transfer_buffer_length */
	uint16_t done;                    /* bytes moved so far (packets the device took) */
	bool zero_packet;                 /* URB_ZERO_PACKET: end a full-sized OUT with a ZLP */
	bool need_zlp;                    /* that ZLP (or the only packet of a 0-byte OUT) is due */
	uint8_t data[USBIP_MAX_XFER_LEN]; /* OUT data, or IN data received so far */
};

/*
 * What the server needs of an exported device: the host side of its USB
 * device controller, with the semantics of vudc.h's host API (vudc_bus_reset,
 * vudc_control_bounded, vudc_transfer: transfer answers a NAK with -EAGAIN).
 * A struct vudc in this process is one (usbip_server_add_device); a device
 * behind a link to another CPU is another (vudc_link.h, the emulated
 * Cortex-M boards, whose link carries the SETUP encoded).
 */
struct usbip_dev_ops {
	int (*bus_reset)(void *dev);
	int (*control)(void *dev, const struct usbd_setup *setup, uint8_t *data, uint16_t capacity);
	int (*transfer)(void *dev, uint8_t ep, uint8_t *data, uint16_t len);
	bool (*connected)(const void *dev);
	uint16_t (*max_packet)(const void *dev, uint8_t ep); /* ep address, bit 7 = IN */
};

struct usbip_device {
	bool used;
	char busid[USBIP_BUSID_SIZE];
	uint32_t busnum;
	uint32_t devnum;
	const struct usbip_dev_ops *ops;
	void *dev;
	int importer; /* index in conns[], -1 when free */
	uint32_t next_order;
	struct usbip_pending pending[USBIP_MAX_PENDING];
};

struct usbip_conn {
	int fd; /* -1 = free slot */
	unsigned id;
	int dev;       /* imported device index, -1 before import */
	bool blocked;  /* pending queue full: not reading */
	uint32_t skip; /* bytes still to discard (OUT data of a rejected URB) */
	size_t rx_len;
	uint8_t rx[USBIP_HDR_SIZE + USBIP_MAX_XFER_LEN];
	char peer[64];
};

struct usbip_server {
	int listen_fd; /* listening socket, or the hub's socketpair end */
	bool handoff;  /* connections come from a hub (see hand-off mode) */
	unsigned next_id;
	usbip_log_fn log;
	void *log_ctx;
	struct usbip_device devs[USBIP_MAX_DEVICES];
	struct usbip_conn conns[USBIP_MAX_CONNS];
	uint8_t tx[USBIP_HDR_SIZE + USBIP_MAX_XFER_LEN];
	uint8_t desc[USBIP_MAX_XFER_LEN]; /* configuration descriptor scratch */
};

/*
 * Create a TCP listening socket on addr (numeric IPv4/IPv6; NULL means
 * "127.0.0.1") and port (0 lets the kernel pick; the usual one is
 * USBIP_DEFAULT_PORT) with SO_REUSEADDR. The descriptor is deliberately NOT
 * close-on-exec, so a board can hand it to the next program it exec()s.
 * Returns the descriptor or a negative errno.
 */
int usbip_listen(const char *addr, uint16_t port);

/*
 * Start a server on an already listening socket, or (hand-off mode) on a
 * connected AF_UNIX socket to a hub, which is told USBIP_HANDOFF_READY here.
 * The socket is made non-blocking; the caller keeps ownership and closes it
 * after usbip_server_close(). Returns 0, -EINVAL, or -EPIPE (the hub's end is
 * closed).
 */
int usbip_server_init(struct usbip_server *srv, int listen_fd);

/*
 * Hub side of hand-off mode: pass the connected client socket conn_fd to the
 * server at the other end of handoff_fd (non-blocking send). The caller still
 * owns conn_fd and normally closes it right after. Returns 0 or a negative
 * errno (-EAGAIN when the server's queue is full, -EPIPE when it is gone).
 */
int usbip_handoff_send(int handoff_fd, int conn_fd);

/* Replace the log sink (NULL restores the default: one line to stderr). */
void usbip_server_set_log(struct usbip_server *srv, usbip_log_fn fn, void *ctx);

/*
 * Export a device under busid "B-P" (decimal bus B and port P, 1..127; it
 * gives busnum = B, devnum = P, devid = B << 16 | P). The vudc must stay valid
 * until the device is removed. Returns 0, -EINVAL (bad busid or NULL vudc),
 * -EEXIST (busid taken) or -ENOSPC (USBIP_MAX_DEVICES reached).
 */
int usbip_server_add_device(struct usbip_server *srv, const char *busid, struct vudc *v);

/* The same for any device behind ops (dev is passed to every op; it must stay valid). */
int usbip_server_add_device_ops(struct usbip_server *srv, const char *busid,
				const struct usbip_dev_ops *ops, void *dev);

/*
 * Drop the importer of busid, if any: its connection is closed, its queued
 * URBs are discarded, the host sees the device unplugged. The device stays
 * exported and can be imported again (with whatever descriptors it has then).
 * Use this for device-driven re-enumeration. Returns 0, or -ENOENT for an
 * unknown busid. (A device that merely goes disconnected, vudc.connected
 * becoming false while it serves a URB, is dropped the same way after the
 * reply to that URB has been sent.)
 */
int usbip_server_disconnect(struct usbip_server *srv, const char *busid);

/* Disconnect (as above) and stop exporting busid. Returns 0 or -ENOENT. */
int usbip_server_remove_device(struct usbip_server *srv, const char *busid);

/* True if busid currently has an importer. */
bool usbip_server_is_imported(const struct usbip_server *srv, const char *busid);

/*
 * Wait up to timeout_ms (-1 = no limit, 0 = just look) for socket activity and
 * handle it: accept connections (or take them from the hub), read and answer
 * requests, retry queued URBs. Returns the number of sockets that were ready
 * (0 on timeout or EINTR), -EPIPE in hand-off mode once the hub has gone, or a
 * negative errno if poll() itself failed.
 */
int usbip_server_poll(struct usbip_server *srv, int timeout_ms);

/* Close every connection (not the listening socket). */
void usbip_server_close(struct usbip_server *srv);

#endif /* DFUKIT_USBIP_H */
