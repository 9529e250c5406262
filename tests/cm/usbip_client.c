/* SPDX-License-Identifier: Apache-2.0 */
#include "usbip_client.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "dfukit/port/usbip.h"
#include "dfukit/port/usbip_codec.h"
#include "dfukit/usbd.h"

static int send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return n < 0 ? -errno : -EPIPE;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int recv_all(int fd, void *buf, size_t len, int timeout_ms)
{
	uint8_t *p = buf;
	while (len > 0) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		int r = poll(&pf, 1, timeout_ms);
		if (r == 0) {
			return -ETIMEDOUT;
		}
		ssize_t n = r < 0 ? -1 : read(fd, p, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return n < 0 ? -errno : -EPIPE;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int usbip_client_import(struct usbip_client *c, int fd, const char *busid, int timeout_ms)
{
	uint8_t req[USBIP_OP_REQ_IMPORT_SIZE], rep[USBIP_OP_REP_IMPORT_SIZE];
	struct usbip_op_rep_import imp;
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	if (usbip_op_req_import_build(req, sizeof(req), busid) < 0) {
		return -EINVAL;
	}
	int rc = send_all(fd, req, sizeof(req));
	if (rc == 0) {
		rc = recv_all(fd, rep, USBIP_OP_HDR_SIZE, timeout_ms);
	}
	if (rc < 0) {
		return rc;
	}
	struct usbip_op_header hdr;
	if (usbip_op_header_parse(&hdr, rep, USBIP_OP_HDR_SIZE) < 0 ||
	    hdr.code != USBIP_OP_REP_IMPORT) {
		return -EPROTO;
	}
	if (hdr.status != USBIP_ST_OK) {
		return (int)hdr.status;
	}
	rc = recv_all(fd, rep + USBIP_OP_HDR_SIZE, USBIP_DEV_RECORD_SIZE, timeout_ms);
	if (rc == 0 && usbip_op_rep_import_parse(&imp, rep, sizeof(rep)) < 0) {
		rc = -EPROTO;
	}
	if (rc < 0) {
		return rc;
	}
	c->devid = usbip_devid(imp.dev.busnum, imp.dev.devnum);
	c->vid = imp.dev.idVendor;
	c->pid = imp.dev.idProduct;
	return 0;
}

int usbip_client_control(struct usbip_client *c, const uint8_t setup[8], uint8_t *data)
{
	uint8_t h[USBIP_HDR_SIZE];
	struct usbip_urb urb = {
		.basic = {.command = USBIP_CMD_SUBMIT, .seqnum = ++c->seqnum, .devid = c->devid}};
	usbd_setup_decode(&urb.u.cmd_submit.setup, setup);
	bool in = (urb.u.cmd_submit.setup.bmRequestType & USB_REQTYPE_DIR_IN) != 0;
	uint16_t len = urb.u.cmd_submit.setup.wLength;
	urb.basic.direction = in ? USBIP_DIR_IN : USBIP_DIR_OUT;
	urb.u.cmd_submit.transfer_buffer_length = len; /* ep 0, flags 0 */
	if (usbip_urb_build(h, sizeof(h), &urb) < 0) {
		return -EINVAL;
	}
	int rc = send_all(c->fd, h, sizeof(h));
	if (rc == 0 && !in && len > 0) {
		rc = send_all(c->fd, data, len);
	}
	if (rc == 0) {
		rc = recv_all(c->fd, h, sizeof(h), c->timeout_ms);
	}
	if (rc < 0) {
		return rc;
	}
	if (usbip_urb_parse_ret(&urb, h, sizeof(h)) < 0 || urb.basic.command != USBIP_RET_SUBMIT ||
	    urb.basic.seqnum != c->seqnum || urb.u.ret_submit.actual_length < 0 ||
	    urb.u.ret_submit.actual_length > len) {
		return -EPROTO;
	}
	uint32_t actual = (uint32_t)urb.u.ret_submit.actual_length;
	int32_t status = urb.u.ret_submit.status;
	if (in && actual > 0 && (rc = recv_all(c->fd, data, actual, c->timeout_ms)) < 0) {
		return rc;
	}
	return status != 0 ? (int)status : (int)actual;
}

void usbip_client_close(struct usbip_client *c)
{
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}
