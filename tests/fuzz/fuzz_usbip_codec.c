/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: the USB/IP codec (port/usbip/usbip_codec.c), every
 * parser on the same input. No sockets, no server: millions of messages a
 * minute, where fuzz_usbip drives the whole server through sockets.
 *
 * Input: the bytes of one message (any kind: each parser takes what it
 * parses and refuses the rest).
 *
 * Invariants (abort() on violation), for each parser:
 * - the result is a size in 1..len or one of the errnos usbip_codec.h lists;
 * - a message is self-delimiting: parsing just its bytes gives the same size;
 * - strings come out terminated and within their wire field;
 * - what parsed builds again, and building what that parses gives the same
 *   bytes (build o parse is idempotent); where every wire byte is a field
 *   (the OP header, CMD_SUBMIT, RET_SUBMIT but its padding) the bytes are
 *   the input's.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dfukit/port/usbip_codec.h"

#include "fuzz_check.h"

#define MAX_MSG           8192
/* RET_SUBMIT's fields end where its 8 padding bytes (a CMD_SUBMIT's SETUP) start. */
#define RET_SUBMIT_FIELDS (USBIP_HDR_SIZE - 8)

HARNESS_ONLY static void check_result(int r, size_t len)
{
	CHECK(r == -EAGAIN || r == -EPROTO || r == -EBADMSG || r == -EOVERFLOW ||
	      (r > 0 && (size_t)r <= len));
}

/* Parse, rebuild, parse the rebuilt bytes, rebuild again: the two builds agree. */
#define ROUND_TRIP(type, parse, build_expr, data, r)                                               \
	do {                                                                                       \
		type a_, b_;                                                                       \
		uint8_t y_[MAX_MSG], z_[MAX_MSG];                                                  \
		CHECK(parse(&a_, (data), (size_t)(r)) == (r));                                     \
		int ya_ = build_expr(y_, sizeof(y_), &a_);                                         \
		CHECK(ya_ == (r));                                                                 \
		CHECK(parse(&b_, y_, (size_t)ya_) == ya_);                                         \
		CHECK(build_expr(z_, sizeof(z_), &b_) == ya_);                                     \
		CHECK(memcmp(y_, z_, (size_t)ya_) == 0);                                           \
	} while (0)

static int build_header(uint8_t *buf, size_t cap, const struct usbip_op_header *h)
{
	return usbip_op_header_build(buf, cap, h->code, h->status);
}

static int build_req_import(uint8_t *buf, size_t cap, const struct usbip_op_req_import *q)
{
	CHECK(strlen(q->busid) <= USBIP_BUSID_SIZE);
	return usbip_op_req_import_build(buf, cap, q->busid);
}

static int build_rep_import(uint8_t *buf, size_t cap, const struct usbip_op_rep_import *p)
{
	return usbip_op_rep_import_build(buf, cap, p->hdr.status, &p->dev);
}

static int build_dev(uint8_t *buf, size_t cap, const struct usbip_dev_record *d)
{
	CHECK(strlen(d->path) <= USBIP_PATH_SIZE && strlen(d->busid) <= USBIP_BUSID_SIZE);
	return usbip_dev_record_build(buf, cap, d);
}

static void op_phase(const uint8_t *data, size_t size)
{
	struct usbip_op_header h;
	int r = usbip_op_header_parse(&h, data, size);

	check_result(r, size);
	if (r > 0) {
		uint8_t y[USBIP_OP_HDR_SIZE];

		ROUND_TRIP(struct usbip_op_header, usbip_op_header_parse, build_header, data, r);
		CHECK(build_header(y, sizeof(y), &h) == r && memcmp(y, data, sizeof(y)) == 0);
	}

	struct usbip_op_req_import q;

	r = usbip_op_req_import_parse(&q, data, size);
	check_result(r, size);
	if (r > 0)
		ROUND_TRIP(struct usbip_op_req_import, usbip_op_req_import_parse, build_req_import,
			   data, r);

	struct usbip_op_rep_import p;

	r = usbip_op_rep_import_parse(&p, data, size);
	check_result(r, size);
	if (r > 0)
		ROUND_TRIP(struct usbip_op_rep_import, usbip_op_rep_import_parse, build_rep_import,
			   data, r);
}

/* OP_REP_DEVLIST: the size adds up, and every record in it reads. */
static void devlist(const uint8_t *data, size_t size)
{
	struct usbip_op_rep_devlist dl;
	int r = usbip_op_rep_devlist_parse(&dl, data, size);

	check_result(r, size);
	if (r <= 0)
		return;
	CHECK((size_t)r == USBIP_OP_REP_DEVLIST_HDR_SIZE + dl.records_len);
	CHECK(usbip_op_rep_devlist_parse(&dl, data, (size_t)r) == r);
	size_t off = USBIP_OP_REP_DEVLIST_HDR_SIZE;

	for (uint32_t i = 0; i < dl.ndev; i++) {
		struct usbip_dev_record d;
		int k = usbip_dev_record_parse(&d, data + off, (size_t)r - off);

		CHECK(k == USBIP_DEV_RECORD_SIZE);
		ROUND_TRIP(struct usbip_dev_record, usbip_dev_record_parse, build_dev, data + off,
			   k);
		off += (size_t)k;
		for (unsigned n = 0; n < d.bNumInterfaces; n++) {
			struct usbip_iface_record f;

			CHECK(usbip_iface_record_parse(&f, data + off, (size_t)r - off) ==
			      USBIP_IFACE_RECORD_SIZE);
			ROUND_TRIP(struct usbip_iface_record, usbip_iface_record_parse,
				   usbip_iface_record_build, data + off, USBIP_IFACE_RECORD_SIZE);
			off += USBIP_IFACE_RECORD_SIZE;
		}
	}
	CHECK(off == (size_t)r);
}

static void urbs(const uint8_t *data, size_t size)
{
	struct usbip_urb u;
	uint8_t y[USBIP_HDR_SIZE];
	int r = usbip_urb_parse_cmd(&u, data, size);

	check_result(r, size);
	if (r == -EPROTO || r > 0) {
		/* A refused CMD_SUBMIT still has its fields, and they build back. */
		CHECK(u.basic.command == USBIP_CMD_SUBMIT || r > 0);
		CHECK(usbip_urb_build(y, sizeof(y), &u) == USBIP_HDR_SIZE);
		if (u.basic.command == USBIP_CMD_SUBMIT)
			CHECK(memcmp(y, data, sizeof(y)) == 0);
	}
	if (r > 0) {
		CHECK(usbip_urb_out_len(&u) <= (uint32_t)INT32_MAX);
		ROUND_TRIP(struct usbip_urb, usbip_urb_parse_cmd, usbip_urb_build, data, r);
	}
	r = usbip_urb_parse_ret(&u, data, size);
	check_result(r, size);
	if (r > 0) {
		CHECK(usbip_urb_out_len(&u) == 0);
		CHECK(usbip_urb_build(y, sizeof(y), &u) == USBIP_HDR_SIZE);
		if (u.basic.command == USBIP_RET_SUBMIT)
			CHECK(memcmp(y, data, RET_SUBMIT_FIELDS) == 0);
		ROUND_TRIP(struct usbip_urb, usbip_urb_parse_ret, usbip_urb_build, data, r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	op_phase(data, size);
	devlist(data, size);
	urbs(data, size);
	return 0;
}
