/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usbip_codec: every USB/IP message the server and the board's hub handle,
 * parsed from and built into byte buffers (the kernel's
 * Documentation/usb/usbip_protocol.rst). No I/O, no heap, no globals, no
 * POSIX: portable C, so a stream reader, a fuzzer or a hub can all use it.
 *
 * Contract of every function
 * - parse(out, buf, len) reads one message from the start of buf (len bytes
 *   available). It returns the message's size in bytes (> 0), or
 *     -EAGAIN   buf does not hold the whole message yet (nothing is decided:
 *               a stream reader waits for more bytes; *out is unspecified);
 *     -EPROTO   a header's version is not USBIP_VERSION, or a field breaks
 *               the protocol (see each function);
 *     -EBADMSG  the message is not the kind this function parses (code or
 *               command).
 *   On -EPROTO and -EBADMSG *out holds every field that was read, so the
 *   caller can say what was wrong. Trailing bytes after the message are left
 *   alone (they are the next message).
 * - build(buf, cap, in) writes one message (or, where said, its fixed part)
 *   to buf, which has room for cap bytes. It returns the bytes written (> 0),
 *   -ENOSPC when cap is too small (nothing written), or -EINVAL for an
 *   argument it cannot encode. Reserved bytes are written as zero.
 * - All integers are big-endian on the wire, except the USB SETUP packet
 *   (little-endian, as on a bus), which is carried decoded as struct
 *   usbd_setup so that it is decoded once, here.
 */
#ifndef DFUKIT_USBIP_CODEC_H
#define DFUKIT_USBIP_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "dfukit/usbd.h"

/* Wire constants (all integers big-endian on the wire). */
#define USBIP_VERSION         0x0111u
#define USBIP_OP_REQ_DEVLIST  0x8005u
#define USBIP_OP_REP_DEVLIST  0x0005u
#define USBIP_OP_REQ_IMPORT   0x8003u
#define USBIP_OP_REP_IMPORT   0x0003u
#define USBIP_CMD_SUBMIT      0x1u
#define USBIP_CMD_UNLINK      0x2u
#define USBIP_RET_SUBMIT      0x3u
#define USBIP_RET_UNLINK      0x4u
#define USBIP_URB_ZERO_PACKET 0x40u /* transfer_flags bit */
#define USBIP_DIR_OUT         0u
#define USBIP_DIR_IN          1u
/* OP_REP_* status values (usbip's ST_*). */
#define USBIP_ST_OK           0u
#define USBIP_ST_NA           1u
#define USBIP_ST_DEV_BUSY     2u
#define USBIP_ST_DEV_ERR      3u
#define USBIP_ST_NODEV        4u
/* usbip_device_speed of the device record: what a full-speed device reports. */
#define USBIP_SPEED_FULL      2u

/* Sizes on the wire. */
#define USBIP_OP_HDR_SIZE             8u
#define USBIP_BUSID_SIZE              32
#define USBIP_PATH_SIZE               256
#define USBIP_OP_REQ_IMPORT_SIZE      (USBIP_OP_HDR_SIZE + USBIP_BUSID_SIZE)
#define USBIP_OP_REP_DEVLIST_HDR_SIZE (USBIP_OP_HDR_SIZE + 4u) /* + number of devices */
#define USBIP_DEV_RECORD_SIZE         312
#define USBIP_IFACE_RECORD_SIZE       4
#define USBIP_OP_REP_IMPORT_SIZE      (USBIP_OP_HDR_SIZE + USBIP_DEV_RECORD_SIZE)
#define USBIP_HDR_SIZE                48 /* every CMD_* and RET_* header */
#define USBIP_SETUP_SIZE              8u
#define USBIP_EP_MAX                  15u

/* ------------------------------------------------------------- OP phase */

/* The 8 bytes that start every OP_REQ_* / OP_REP_* message. */
struct usbip_op_header {
	uint16_t version;
	uint16_t code;   /* USBIP_OP_* */
	uint32_t status; /* USBIP_ST_* in replies, 0 in requests */
};

/* -EPROTO: version is not USBIP_VERSION. Any code is accepted. */
int usbip_op_header_parse(struct usbip_op_header *h, const uint8_t *buf, size_t len);
/* The header with version USBIP_VERSION; alone it is a whole OP_REQ_DEVLIST. */
int usbip_op_header_build(uint8_t *buf, size_t cap, uint16_t code, uint32_t status);

/* OP_REQ_IMPORT: which device the host wants. */
struct usbip_op_req_import {
	struct usbip_op_header hdr;
	char busid[USBIP_BUSID_SIZE + 1]; /* always NUL-terminated */
};

/* -EBADMSG: the code is not OP_REQ_IMPORT. */
int usbip_op_req_import_parse(struct usbip_op_req_import *req, const uint8_t *buf, size_t len);
/* -EINVAL: busid longer than USBIP_BUSID_SIZE. */
int usbip_op_req_import_build(uint8_t *buf, size_t cap, const char *busid);

/* The device record of OP_REP_DEVLIST and OP_REP_IMPORT (struct usbip_usb_device). */
struct usbip_dev_record {
	char path[USBIP_PATH_SIZE + 1];   /* sysfs path; always NUL-terminated */
	char busid[USBIP_BUSID_SIZE + 1]; /* always NUL-terminated */
	uint32_t busnum;
	uint32_t devnum;
	uint32_t speed; /* USBIP_SPEED_* */
	uint16_t idVendor;
	uint16_t idProduct;
	uint16_t bcdDevice;
	uint8_t bDeviceClass;
	uint8_t bDeviceSubClass;
	uint8_t bDeviceProtocol;
	uint8_t bConfigurationValue;
	uint8_t bNumConfigurations;
	uint8_t bNumInterfaces; /* interface records that follow it in OP_REP_DEVLIST */
};

/* Building, a path or busid longer than its field gives -EINVAL. */
int usbip_dev_record_parse(struct usbip_dev_record *rec, const uint8_t *buf, size_t len);
int usbip_dev_record_build(uint8_t *buf, size_t cap, const struct usbip_dev_record *rec);

/* One interface record of OP_REP_DEVLIST (its last byte is padding). */
struct usbip_iface_record {
	uint8_t bInterfaceClass;
	uint8_t bInterfaceSubClass;
	uint8_t bInterfaceProtocol;
};

int usbip_iface_record_parse(struct usbip_iface_record *rec, const uint8_t *buf, size_t len);
int usbip_iface_record_build(uint8_t *buf, size_t cap, const struct usbip_iface_record *rec);

/*
 * OP_REP_DEVLIST: the header, the number of devices, then per device its
 * record and bNumInterfaces interface records.
 */
struct usbip_op_rep_devlist {
	struct usbip_op_header hdr; /* the caller checks hdr.status */
	uint32_t ndev;
	size_t records_len; /* bytes of records after the fixed part */
};

/*
 * Measures the whole reply: walks the records (without copying them; read
 * them with usbip_dev_record_parse / usbip_iface_record_parse at
 * USBIP_OP_REP_DEVLIST_HDR_SIZE). -EAGAIN until every record announced has
 * arrived, -EBADMSG if the code is not OP_REP_DEVLIST, -EOVERFLOW if the
 * reply would be larger than an int can say.
 */
int usbip_op_rep_devlist_parse(struct usbip_op_rep_devlist *rep, const uint8_t *buf, size_t len);
/*
 * The fixed part only (header with USBIP_ST_OK, ndev): the caller appends the
 * records with usbip_dev_record_build / usbip_iface_record_build.
 */
int usbip_op_rep_devlist_build(uint8_t *buf, size_t cap, uint32_t ndev);

/* OP_REP_IMPORT: a status, and the device record when the status is USBIP_ST_OK. */
struct usbip_op_rep_import {
	struct usbip_op_header hdr;
	struct usbip_dev_record dev; /* valid when hdr.status == USBIP_ST_OK */
};

/* -EBADMSG: the code is not OP_REP_IMPORT. The size is 8 for a refusal. */
int usbip_op_rep_import_parse(struct usbip_op_rep_import *rep, const uint8_t *buf, size_t len);
/* dev may be NULL unless status is USBIP_ST_OK (-EINVAL). */
int usbip_op_rep_import_build(uint8_t *buf, size_t cap, uint32_t status,
			      const struct usbip_dev_record *dev);

/* ------------------------------------------------------------ URB phase */

/* usbip_header_basic: the first 20 bytes of every CMD_* / RET_* header. */
struct usbip_urb_basic {
	uint32_t command; /* USBIP_CMD_* / USBIP_RET_* */
	uint32_t seqnum;
	uint32_t devid;     /* busnum << 16 | devnum */
	uint32_t direction; /* USBIP_DIR_*; 0 in replies */
	uint32_t ep;        /* endpoint number; 0 in replies */
};

struct usbip_cmd_submit {
	uint32_t transfer_flags; /* USBIP_URB_* */
	int32_t transfer_buffer_length;
	int32_t start_frame;
	int32_t number_of_packets; /* 0 or -1 unless isochronous */
	int32_t interval;
	struct usbd_setup setup; /* control URBs (ep 0); decoded from its LE wire form */
};

struct usbip_ret_submit {
	int32_t status; /* 0 or a negative (Linux) errno */
	int32_t actual_length;
	int32_t start_frame;
	int32_t number_of_packets;
	int32_t error_count;
};

struct usbip_cmd_unlink {
	uint32_t unlink_seqnum; /* the CMD_SUBMIT to cancel */
};

struct usbip_ret_unlink {
	int32_t status; /* -ECONNRESET if the URB was cancelled, else 0 */
};

/* One 48-byte header; which union member is valid follows basic.command. */
struct usbip_urb {
	struct usbip_urb_basic basic;
	union {
		struct usbip_cmd_submit cmd_submit;
		struct usbip_ret_submit ret_submit;
		struct usbip_cmd_unlink cmd_unlink;
		struct usbip_ret_unlink ret_unlink;
	} u;
};

/*
 * A host's request: CMD_SUBMIT or CMD_UNLINK (else -EBADMSG). The size is
 * the header's; a CMD_SUBMIT OUT URB's data (usbip_urb_out_len bytes) follows
 * it. -EPROTO for a CMD_SUBMIT whose direction is not USBIP_DIR_IN/OUT, whose
 * ep is above USBIP_EP_MAX or whose transfer_buffer_length is negative.
 */
int usbip_urb_parse_cmd(struct usbip_urb *urb, const uint8_t *buf, size_t len);
/* A device's reply: RET_SUBMIT or RET_UNLINK (else -EBADMSG). IN data follows. */
int usbip_urb_parse_ret(struct usbip_urb *urb, const uint8_t *buf, size_t len);
/* The 48-byte header of any of the four (-EINVAL for another command). */
int usbip_urb_build(uint8_t *buf, size_t cap, const struct usbip_urb *urb);
/* Bytes of OUT data that follow a parsed CMD_SUBMIT's header (0 for IN and CMD_UNLINK). */
uint32_t usbip_urb_out_len(const struct usbip_urb *urb);

/* ------------------------------------------------------------ helpers */

/* devid of a device: busnum << 16 | devnum. */
static inline uint32_t usbip_devid(uint32_t busnum, uint32_t devnum)
{
	return (busnum << 16) | devnum;
}

/* Replace what is not printable ASCII in s (say, a busid from the wire) by '?'. */
void usbip_printable(char *s);

#endif /* DFUKIT_USBIP_CODEC_H */
