/* SPDX-License-Identifier: Apache-2.0 */
#include "link.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* How often a waiting call looks whether QEMU is still there. */
#define LIVENESS_MS 50

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events; -EPIPE once QEMU is gone, -ETIMEDOUT. */
static int wait_fd(struct emu_link *l, int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, LIVENESS_MS);
		if (r > 0) {
			return 0;
		}
		if (r < 0 && errno != EINTR) {
			return -errno;
		}
		if (emu_qemu_ended(l->qemu)) {
			return -EPIPE;
		}
		if (now_ms() >= deadline) {
			return -ETIMEDOUT;
		}
	}
}

/* Both directions: move exactly len bytes, waiting as above. */
static int move(struct emu_link *l, bool out, void *buf, uint32_t len)
{
	long long deadline = now_ms() + l->timeout_ms;
	uint8_t *p = buf;
	while (len > 0u) {
		ssize_t n = out ? write(l->to_fw, p, len) : read(l->from_fw, p, len);
		if (n > 0) {
			p += n;
			len -= (uint32_t)n;
			continue;
		}
		if (n == 0) {
			return -EPIPE; /* no writer: cannot happen while we hold both ends */
		}
		if (errno == EINTR) {
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			return -errno;
		}
		int rc = wait_fd(l, out ? l->to_fw : l->from_fw, out ? POLLOUT : POLLIN, deadline);
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

static int link_read(void *ctx, void *buf, uint32_t len)
{
	struct emu_link *l = ctx;
	int rc = move(l, false, buf, len);
	l->last_err = rc < 0 ? rc : l->last_err;
	return rc;
}

static int link_write(void *ctx, const void *buf, uint32_t len)
{
	struct emu_link *l = ctx;
	/* move() does not write through buf when sending. */
	int rc = move(l, true, (void *)(uintptr_t)buf, len);
	l->last_err = rc < 0 ? rc : l->last_err;
	return rc;
}

static int open_fifo(const char *dir, const char *name)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int fd = open(p, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int emu_link_open(struct emu_link *l, const char *dir, struct emu_qemu *q, int timeout_ms)
{
	l->qemu = q;
	l->timeout_ms = timeout_ms;
	l->last_err = 0;
	l->to_fw = open_fifo(dir, EMU_DIR_LINK_IN);
	l->from_fw = l->to_fw < 0 ? l->to_fw : open_fifo(dir, EMU_DIR_LINK_OUT);
	if (l->from_fw < 0) {
		int rc = l->from_fw;
		emu_link_close(l);
		return rc;
	}
	const struct vudc_link_io io = {link_read, link_write, l};
	vudc_link_host_init(&l->host, &io);
	return 0;
}

void emu_link_close(struct emu_link *l)
{
	/* Closing our ends frees each pipe and what is left in it: a new run starts clean. */
	if (l->to_fw >= 0) {
		close(l->to_fw);
	}
	if (l->from_fw >= 0) {
		close(l->from_fw);
	}
	l->to_fw = l->from_fw = -1;
}

bool emu_link_readable(const struct emu_link *l)
{
	struct pollfd p = {.fd = l->from_fw, .events = POLLIN};
	return l->from_fw >= 0 && poll(&p, 1, 0) > 0 && (p.revents & POLLIN) != 0;
}

static int op_bus_reset(void *dev)
{
	struct emu_link *l = dev;
	return vudc_link_host_bus_reset(&l->host);
}

static int op_control(void *dev, const struct usbd_setup *setup, uint8_t *data, uint16_t capacity)
{
	struct emu_link *l = dev;
	uint8_t raw[8];
	/* The link carries the SETUP as on the wire. */
	usbd_setup_encode(raw, setup);
	return vudc_link_host_control_raw(&l->host, raw, data, capacity);
}

static int op_transfer(void *dev, uint8_t ep, uint8_t *data, uint16_t len)
{
	struct emu_link *l = dev;
	return vudc_link_host_transfer(&l->host, ep, data, len);
}

static bool op_connected(const void *dev)
{
	const struct emu_link *l = dev;
	return l->host.connected && !l->host.broken;
}

static uint16_t op_max_packet(const void *dev, uint8_t ep)
{
	const struct emu_link *l = dev;
	uint16_t mps = l->host.ep_max_packet[(ep & 0x0fu) + ((ep & 0x80u) != 0u ? 16u : 0u)];
	/* Known after the endpoint's first reply; until then full speed's bulk size. */
	return mps != 0u ? mps : 64u;
}

const struct usbip_dev_ops emu_link_usbip_ops = {
	.bus_reset = op_bus_reset,
	.control = op_control,
	.transfer = op_transfer,
	.connected = op_connected,
	.max_packet = op_max_packet,
};
