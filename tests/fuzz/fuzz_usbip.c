/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: the USB/IP server's input stream (port/usbip).
 *
 * The server runs in-process, in one of its two modes (first input byte, bit
 * 0): on an AF_UNIX stream listening socket (abstract name, so nothing
 * touches the file system and no TCP port is used), or in hand-off mode on
 * one end of a socketpair whose other end the harness plays as the hub,
 * handing over each client connection (usbip_handoff_send). The harness plays
 * one or two clients on connected AF_UNIX sockets. Everything
 * is single threaded and non-blocking: the harness writes, calls
 * usbip_server_poll(srv, 0) until the server is idle, and drains the replies,
 * so every run is deterministic. Behind the server is the sample DFU device
 * (RAM disk backend) on a vudc.
 *
 * Input: a mode byte (bit 0: hand-off mode), then records until the input ends.
 *   op & 7 == 0..3  chunk: length byte L, then L + 1 bytes written to the
 *                   current client (the protocol stream, cut anywhere)
 *   op & 7 == 4     big chunk: 2-byte LE length, then that many bytes
 *   op & 7 == 5     device event (next byte % 5): usbip_server_disconnect,
 *                   vudc_bus_reset, usbd_enable(false), usbd_enable(true),
 *                   usbip_server_remove_device + add_device
 *   op & 7 == 6     client event (next byte % 4): switch client, close the
 *                   current client (half-close when bit 7), reconnect it,
 *                   hub noise (hand-off mode: a message with a wrong tag,
 *                   with or without a descriptor; bit 7 picks)
 *   op & 7 == 7     server poll only
 *
 * Invariants (abort() on violation): the server's bookkeeping stays in range
 * (rx_len, importer and connection indexes, pending slots); the RAM disk's
 * guard bytes are intact; and after any input, a fresh client can still
 * import the device and read its device descriptor through a CMD_SUBMIT.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dfukit/dfu_ramdisk.h"
#include "dfukit/sample/device.h"
#include "dfukit/port/usbip.h"
#include "dfukit/port/vudc.h"
#include "dfukit/wire.h"

#include "fuzz_check.h"

#define BUSID      "1-1"
#define DISK_SIZE  1024u
#define XFER       1024u
#define GUARD      64u
#define GUARD_BYTE 0x3cu
#define NCLIENTS   2

struct rig {
	struct usbip_server srv;
	struct vudc v;
	struct sample_device d;
	struct dfu_ramdisk disk;
	struct dfu_alt alt;
	uint8_t mem[GUARD + DISK_SIZE + GUARD];
	uint8_t buf[XFER];
	uint8_t sink[65536];
	int listen_fd;
	bool handoff;
	int hub[2]; /* hand-off mode: [0] the hub (harness), [1] the server's socket */
	struct sockaddr_un addr;
	socklen_t addr_len;
	int client[NCLIENTS];
	unsigned cur;
};

static struct rig rig;
static const char *const alt_names[] = {"ramdisk0"};

static void settle(struct rig *r);

static void quiet(void *ctx, const char *line)
{
	(void)ctx;
	(void)line;
}

static int connect_client(struct rig *r)
{
	if (r->handoff) {
		/* the hub accepted a connection: pass the server's end over */
		int sv[2];
		CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
		CHECK(usbip_handoff_send(r->hub[0], sv[1]) == 0);
		close(sv[1]);
		return sv[0];
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK(connect(fd, (const struct sockaddr *)&r->addr, r->addr_len) == 0);
	return fd;
}

/* Hand-off mode: what a confused hub could send (the hub is trusted, but the
 * server must not leak or crash on it). */
static void hub_noise(struct rig *r, bool with_fd)
{
	uint8_t tag = 'Z';
	struct iovec iov = {.iov_base = &tag, .iov_len = 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	int sv[2] = {-1, -1};

	if (with_fd) {
		CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
		memset(&cm, 0, sizeof(cm));
		m.msg_control = cm.buf;
		m.msg_controllen = sizeof(cm.buf);
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &sv[1], sizeof(int));
	}
	CHECK(sendmsg(r->hub[0], &m, MSG_DONTWAIT | MSG_NOSIGNAL) == 1);
	if (with_fd) {
		close(sv[1]);
		/* the server drops the descriptor: its peer sees the end */
		settle(r);
		uint8_t b;
		CHECK(recv(sv[0], &b, 1, MSG_DONTWAIT) == 0);
		close(sv[0]);
	}
}

HARNESS_ONLY static void drain(struct rig *r)
{
	for (unsigned i = 0; i < NCLIENTS; i++) {
		if (r->client[i] < 0) {
			continue;
		}
		while (recv(r->client[i], r->sink, sizeof(r->sink), 0) > 0) {
		}
	}
}

HARNESS_ONLY static void check_server(const struct rig *r)
{
	const struct usbip_server *s = &r->srv;
	for (int i = 0; i < USBIP_MAX_CONNS; i++) {
		const struct usbip_conn *c = &s->conns[i];
		CHECK(c->rx_len <= sizeof(c->rx));
		CHECK(c->dev >= -1 && c->dev < USBIP_MAX_DEVICES);
		if (c->fd >= 0 && c->dev >= 0) {
			CHECK(s->devs[c->dev].used && s->devs[c->dev].importer == i);
		}
	}
	for (int i = 0; i < USBIP_MAX_DEVICES; i++) {
		const struct usbip_device *d = &s->devs[i];
		CHECK(d->importer >= -1 && d->importer < USBIP_MAX_CONNS);
		if (d->used && d->importer >= 0) {
			CHECK(s->conns[d->importer].fd >= 0 && s->conns[d->importer].dev == i);
		}
		for (int k = 0; k < USBIP_MAX_PENDING; k++) {
			if (d->pending[k].used) {
				CHECK(d->pending[k].done <= d->pending[k].len);
				CHECK(d->pending[k].len <= USBIP_MAX_XFER_LEN);
			}
		}
	}
	for (unsigned i = 0; i < GUARD; i++) {
		CHECK(r->mem[i] == GUARD_BYTE && r->mem[GUARD + DISK_SIZE + i] == GUARD_BYTE);
	}
}

/* Let the server take everything it can, draining the replies as it goes. */
HARNESS_ONLY static void settle(struct rig *r)
{
	for (int i = 0; i < 256; i++) {
		int n = usbip_server_poll(&r->srv, 0);
		CHECK(n >= 0);
		drain(r);
		check_server(r);
		if (n == 0) {
			return;
		}
	}
}

static void send_bytes(struct rig *r, const uint8_t *p, size_t n)
{
	int fd = r->client[r->cur];
	if (fd < 0) {
		return;
	}
	int stuck = 0;
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0) {
			/* a server that stops reading (back-pressure) leaves the rest unsent */
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && stuck++ < 16) {
				settle(r);
				continue;
			}
			return; /* or it closed this connection */
		}
		p += k;
		n -= (size_t)k;
	}
	settle(r);
}

static void client_close(struct rig *r, unsigned i)
{
	if (r->client[i] >= 0) {
		close(r->client[i]);
		r->client[i] = -1;
	}
}

/* Read exactly n bytes from fd, letting the server run in between. */
static void read_reply(struct rig *r, int fd, uint8_t *out, size_t n)
{
	size_t got = 0;
	for (int tries = 0; got < n && tries < 1000; tries++) {
		(void)usbip_server_poll(&r->srv, 0);
		ssize_t k = recv(fd, out + got, n - got, 0);
		if (k > 0) {
			got += (size_t)k;
		}
	}
	CHECK(got == n);
}

/* After any input: a new importer gets the device and its descriptor. */
static void check_alive(struct rig *r)
{
	uint8_t req[48 + 8];
	uint8_t rep[8 + USBIP_DEV_RECORD_SIZE];

	for (unsigned i = 0; i < NCLIENTS; i++) {
		client_close(r, i);
	}
	settle(r);
	if (!r->v.connected) {
		CHECK(usbd_enable(&r->d.usbd, true) == 0);
	}
	CHECK(!usbip_server_is_imported(&r->srv, BUSID));
	int fd = connect_client(r);
	memset(req, 0, sizeof(req));
	req[0] = 0x01;
	req[1] = 0x11;
	req[2] = 0x80;
	req[3] = 0x03;
	memcpy(req + 8, BUSID, sizeof(BUSID));
	CHECK(send(fd, req, 8 + USBIP_BUSID_SIZE, MSG_NOSIGNAL) == 8 + USBIP_BUSID_SIZE);
	read_reply(r, fd, rep, sizeof(rep));
	CHECK(rep[2] == 0x00 && rep[3] == 0x03 && wire_get_be32(rep + 4) == USBIP_ST_OK);
	CHECK(usbip_server_is_imported(&r->srv, BUSID));

	memset(req, 0, sizeof(req));
	wire_put_be32(req, USBIP_CMD_SUBMIT);
	wire_put_be32(req + 4, 77);
	wire_put_be32(req + 8, 1u << 16 | 1u);
	wire_put_be32(req + 12, USBIP_DIR_IN);
	wire_put_be32(req + 24, 18);
	const uint8_t setup[8] = {0x80, USB_REQ_GET_DESCRIPTOR, 0, USB_DESC_DEVICE, 0, 0, 18, 0};
	memcpy(req + 40, setup, 8);
	CHECK(send(fd, req, 48, MSG_NOSIGNAL) == 48);
	uint8_t ret[48 + 18];
	read_reply(r, fd, ret, sizeof(ret));
	CHECK(wire_get_be32(ret) == USBIP_RET_SUBMIT && wire_get_be32(ret + 4) == 77);
	CHECK(wire_get_be32(ret + 20) == 0 && wire_get_be32(ret + 24) == 18);
	CHECK(ret[48] == 18 && ret[49] == USB_DESC_DEVICE);
	CHECK(ret[56] == (SAMPLE_VID & 0xffu) && ret[57] == (SAMPLE_VID >> 8));
	close(fd);
	settle(r);
	CHECK(!usbip_server_is_imported(&r->srv, BUSID));
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rig *r = &rig;
	(void)argc;
	(void)argv;

	r->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(r->listen_fd >= 0);
	memset(&r->addr, 0, sizeof(r->addr));
	r->addr.sun_family = AF_UNIX;
	/* abstract name: sun_path[0] == 0 */
	int n = snprintf(r->addr.sun_path + 1, sizeof(r->addr.sun_path) - 1,
			 "dfukit-fuzz-usbip-%ld", (long)getpid());
	r->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	CHECK(bind(r->listen_fd, (const struct sockaddr *)&r->addr, r->addr_len) == 0);
	CHECK(listen(r->listen_fd, 16) == 0);
	return 0;
}

static void device_event(struct rig *r, uint8_t b)
{
	switch (b % 5u) {
	case 0: CHECK(usbip_server_disconnect(&r->srv, BUSID) == 0); break;
	case 1: vudc_bus_reset(&r->v); break;
	case 2: CHECK(usbd_enable(&r->d.usbd, false) == 0); break;
	case 3: CHECK(usbd_enable(&r->d.usbd, true) == 0); break;
	default:
		CHECK(usbip_server_remove_device(&r->srv, BUSID) == 0);
		CHECK(usbip_server_add_device(&r->srv, BUSID, &r->v) == 0);
		break;
	}
	settle(r);
}

static void client_event(struct rig *r, uint8_t b)
{
	switch (b % 4u) {
	case 3:
		if (r->handoff) {
			hub_noise(r, (b & 0x80u) != 0);
		}
		break;
	case 0: r->cur = (r->cur + 1u) % NCLIENTS; break;
	case 1:
		if (r->client[r->cur] >= 0 && (b & 0x80u)) {
			shutdown(r->client[r->cur], SHUT_WR);
		} else {
			client_close(r, r->cur);
		}
		break;
	default:
		client_close(r, r->cur);
		r->client[r->cur] = connect_client(r);
		break;
	}
	settle(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rig *r = &rig;
	size_t pos = 0;

	if (size < 1) {
		return 0;
	}
	r->handoff = (data[pos++] & 1u) != 0;

	memset(r->mem, GUARD_BYTE, sizeof(r->mem));
	memset(r->mem + GUARD, 0, DISK_SIZE);
	dfu_ramdisk_init(&r->disk, r->mem + GUARD, DISK_SIZE);
	r->alt = (struct dfu_alt){&dfu_ramdisk_ops, &r->disk};
	struct sample_params p = {
		.transfer_size = XFER,
		.buffer = r->buf,
		.manufacturer = "dfukit",
		.product = "fuzz",
		.serial = "1",
		.alt_names = alt_names,
		.alts = &r->alt,
		.num_alts = 1,
	};
	vudc_init(&r->v, &r->d.usbd);
	struct udc u = vudc_udc(&r->v);
	CHECK(sample_device_init(&r->d, &p, &u) == 0);
	CHECK(usbd_enable(&r->d.usbd, true) == 0);

	if (r->handoff) {
		uint8_t ready = 0;
		CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, r->hub) == 0);
		CHECK(usbip_server_init(&r->srv, r->hub[1]) == 0);
		CHECK(recv(r->hub[0], &ready, 1, MSG_DONTWAIT) == 1 &&
		      ready == USBIP_HANDOFF_READY);
	} else {
		CHECK(usbip_server_init(&r->srv, r->listen_fd) == 0);
	}
	usbip_server_set_log(&r->srv, quiet, NULL);
	CHECK(usbip_server_add_device(&r->srv, BUSID, &r->v) == 0);
	r->cur = 0;
	r->client[0] = connect_client(r);
	r->client[1] = -1;
	settle(r);

	while (pos < size) {
		uint8_t op = data[pos++];
		size_t n = 0;
		switch (op & 7u) {
		case 0:
		case 1:
		case 2:
		case 3:
			if (pos < size) {
				n = (size_t)data[pos++] + 1u;
			}
			break;
		case 4:
			if (pos + 2 <= size) {
				n = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
				pos += 2;
			}
			break;
		case 5:
			if (pos < size) {
				device_event(r, data[pos++]);
			}
			continue;
		case 6:
			if (pos < size) {
				client_event(r, data[pos++]);
			}
			continue;
		default: settle(r); continue;
		}
		if (n > size - pos) {
			n = size - pos;
		}
		send_bytes(r, data + pos, n);
		pos += n;
	}
	settle(r);
	check_alive(r);
	usbip_server_close(&r->srv);
	if (r->handoff) {
		close(r->hub[0]);
		close(r->hub[1]);
	}
	return 0;
}
