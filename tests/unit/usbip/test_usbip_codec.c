/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The USB/IP codec on its own: known byte vectors (offsets written out from
 * usbip_protocol.rst, not taken from the codec), round trips, and every
 * truncation and malformed field refused with the errno the header promises.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/port/usbip_codec.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Every prefix shorter than n of buf is refused as incomplete. */
#define ASSERT_SHORT_REFUSED(parse, out, buf, n)                                                   \
	do {                                                                                       \
		for (size_t k_ = 0; k_ < (n); k_++)                                                \
			assert_int_equal(parse((out), (buf), k_), -EAGAIN);                        \
	} while (0)

static void test_op_header(void **state)
{
	uint8_t b[USBIP_OP_HDR_SIZE + 1];
	struct usbip_op_header h;

	(void)state;
	memset(b, 0xaa, sizeof(b));
	assert_int_equal(usbip_op_header_build(b, sizeof(b), USBIP_OP_REQ_DEVLIST, 0x01020304u), 8);
	assert_int_equal(be16(b), 0x0111);
	assert_int_equal(be16(b + 2), 0x8005);
	assert_int_equal(be32(b + 4), 0x01020304u);
	assert_int_equal(b[8], 0xaa); /* nothing past the header */
	assert_int_equal(usbip_op_header_parse(&h, b, sizeof(b)), 8);
	assert_int_equal(h.version, USBIP_VERSION);
	assert_int_equal(h.code, USBIP_OP_REQ_DEVLIST);
	assert_int_equal(h.status, 0x01020304u);
	ASSERT_SHORT_REFUSED(usbip_op_header_parse, &h, b, USBIP_OP_HDR_SIZE);

	/* A wrong version is refused, with the fields there to be logged. */
	b[0] = 0x01;
	b[1] = 0x06;
	assert_int_equal(usbip_op_header_parse(&h, b, 8), -EPROTO);
	assert_int_equal(h.version, 0x0106);
	assert_int_equal(h.code, USBIP_OP_REQ_DEVLIST);

	memset(b, 0xaa, sizeof(b));
	assert_int_equal(usbip_op_header_build(b, 7, USBIP_OP_REQ_DEVLIST, 0), -ENOSPC);
	assert_int_equal(b[0], 0xaa);
}

static void test_req_import(void **state)
{
	uint8_t b[USBIP_OP_REQ_IMPORT_SIZE];
	struct usbip_op_req_import r;
	char busid32[USBIP_BUSID_SIZE + 2];

	(void)state;
	memset(b, 0xaa, sizeof(b));
	assert_int_equal(usbip_op_req_import_build(b, sizeof(b), "1-1"), 40);
	assert_int_equal(be16(b + 2), USBIP_OP_REQ_IMPORT);
	assert_int_equal(be32(b + 4), 0);
	assert_memory_equal(b + 8, "1-1\0\0", 5);
	assert_int_equal(b[39], 0); /* NUL padded to the end */
	assert_int_equal(usbip_op_req_import_parse(&r, b, sizeof(b)), 40);
	assert_string_equal(r.busid, "1-1");
	ASSERT_SHORT_REFUSED(usbip_op_req_import_parse, &r, b, sizeof(b));

	/* A busid filling all 32 bytes (no NUL on the wire) comes out terminated. */
	memset(busid32, 'x', USBIP_BUSID_SIZE);
	busid32[USBIP_BUSID_SIZE] = '\0';
	assert_int_equal(usbip_op_req_import_build(b, sizeof(b), busid32), 40);
	assert_int_equal(usbip_op_req_import_parse(&r, b, sizeof(b)), 40);
	assert_string_equal(r.busid, busid32);
	busid32[USBIP_BUSID_SIZE] = 'x';
	busid32[USBIP_BUSID_SIZE + 1] = '\0';
	assert_int_equal(usbip_op_req_import_build(b, sizeof(b), busid32), -EINVAL);
	assert_int_equal(usbip_op_req_import_build(b, sizeof(b) - 1, "1-1"), -ENOSPC);

	/* Another code, or another version. */
	(void)usbip_op_header_build(b, sizeof(b), USBIP_OP_REQ_DEVLIST, 0);
	assert_int_equal(usbip_op_req_import_parse(&r, b, sizeof(b)), -EBADMSG);
	assert_int_equal(r.hdr.code, USBIP_OP_REQ_DEVLIST);
	b[1] = 0x10;
	assert_int_equal(usbip_op_req_import_parse(&r, b, sizeof(b)), -EPROTO);
}

static struct usbip_dev_record sample_record(const char *busid, uint8_t nif)
{
	struct usbip_dev_record d;

	memset(&d, 0, sizeof(d));
	strcpy(d.path, "/sys/devices/platform/dfukit-vudc/usb1/1-1");
	strcpy(d.busid, busid);
	d.busnum = 1;
	d.devnum = 0x0102;
	d.speed = USBIP_SPEED_FULL;
	d.idVendor = 0x2fe3;
	d.idProduct = 0x0005;
	d.bcdDevice = 0x0402;
	d.bDeviceClass = 0xef;
	d.bDeviceSubClass = 0x02;
	d.bDeviceProtocol = 0x01;
	d.bConfigurationValue = 1;
	d.bNumConfigurations = 1;
	d.bNumInterfaces = nif;
	return d;
}

static void test_dev_record(void **state)
{
	uint8_t b[USBIP_DEV_RECORD_SIZE];
	struct usbip_dev_record in = sample_record("1-1", 2), out;

	(void)state;
	memset(b, 0xaa, sizeof(b));
	assert_int_equal(usbip_dev_record_build(b, sizeof(b), &in), 312);
	assert_string_equal((const char *)b, in.path);
	assert_int_equal(b[255], 0);
	assert_string_equal((const char *)b + 256, "1-1");
	assert_int_equal(b[287], 0);
	assert_int_equal(be32(b + 288), 1);
	assert_int_equal(be32(b + 292), 0x0102);
	assert_int_equal(be32(b + 296), 2);
	assert_int_equal(be16(b + 300), 0x2fe3);
	assert_int_equal(be16(b + 302), 0x0005);
	assert_int_equal(be16(b + 304), 0x0402);
	assert_memory_equal(b + 306, ((const uint8_t[]){0xef, 0x02, 0x01, 1, 1, 2}), 6);
	memset(&out, 0x55, sizeof(out));
	assert_int_equal(usbip_dev_record_parse(&out, b, sizeof(b)), 312);
	assert_memory_equal(&out.busnum, &in.busnum,
			    sizeof(in) - offsetof(struct usbip_dev_record, busnum));
	assert_string_equal(out.path, in.path);
	assert_string_equal(out.busid, in.busid);
	ASSERT_SHORT_REFUSED(usbip_dev_record_parse, &out, b, sizeof(b));

	/* Fields without a NUL on the wire come out terminated; too long ones are refused. */
	memset(b, 'p', USBIP_PATH_SIZE);
	memset(b + 256, 'b', USBIP_BUSID_SIZE);
	assert_int_equal(usbip_dev_record_parse(&out, b, sizeof(b)), 312);
	assert_int_equal(strlen(out.path), USBIP_PATH_SIZE);
	assert_int_equal(strlen(out.busid), USBIP_BUSID_SIZE);
	assert_int_equal(usbip_dev_record_build(b, sizeof(b), &out), 312);
	memset(in.path, 'p', sizeof(in.path));
	in.path[USBIP_PATH_SIZE] = 'p'; /* 257 characters, unterminated */
	assert_int_equal(usbip_dev_record_build(b, sizeof(b), &in), -EINVAL);
	in = sample_record("1-1", 0);
	assert_int_equal(usbip_dev_record_build(b, sizeof(b) - 1, &in), -ENOSPC);
}

static void test_iface_record(void **state)
{
	uint8_t b[USBIP_IFACE_RECORD_SIZE];
	struct usbip_iface_record in = {0xfe, 0x01, 0x02}, out;

	(void)state;
	memset(b, 0xaa, sizeof(b));
	assert_int_equal(usbip_iface_record_build(b, sizeof(b), &in), 4);
	assert_memory_equal(b, ((const uint8_t[]){0xfe, 0x01, 0x02, 0x00}), 4);
	assert_int_equal(usbip_iface_record_parse(&out, b, sizeof(b)), 4);
	assert_memory_equal(&out, &in, sizeof(in));
	ASSERT_SHORT_REFUSED(usbip_iface_record_parse, &out, b, sizeof(b));
	assert_int_equal(usbip_iface_record_build(b, 3, &in), -ENOSPC);
}

/* A device list of two devices with 1 and 3 interfaces; returns its size. */
static size_t build_devlist(uint8_t *b, size_t cap)
{
	static const uint8_t nif[2] = {1, 3};
	size_t len = USBIP_OP_REP_DEVLIST_HDR_SIZE;

	assert_int_equal(usbip_op_rep_devlist_build(b, cap, 2), 12);
	for (int i = 0; i < 2; i++) {
		struct usbip_dev_record d = sample_record(i ? "1-2" : "1-1", nif[i]);

		assert_int_equal(usbip_dev_record_build(b + len, cap - len, &d), 312);
		len += 312;
		for (uint8_t k = 0; k < nif[i]; k++) {
			struct usbip_iface_record f = {k, 0, 0};

			assert_int_equal(usbip_iface_record_build(b + len, cap - len, &f), 4);
			len += 4;
		}
	}
	return len;
}

static void test_rep_devlist(void **state)
{
	uint8_t b[12 + 2 * 312 + 4 * 4 + 5];
	struct usbip_op_rep_devlist rep;
	struct usbip_dev_record d;
	size_t len = build_devlist(b, sizeof(b));

	(void)state;
	assert_int_equal(len, 12 + 2 * 312 + 4 * 4);
	assert_int_equal(be16(b + 2), USBIP_OP_REP_DEVLIST);
	assert_int_equal(be32(b + 4), USBIP_ST_OK);
	assert_int_equal(be32(b + 8), 2);
	/* Trailing bytes are the next message's. */
	assert_int_equal(usbip_op_rep_devlist_parse(&rep, b, sizeof(b)), (int)len);
	assert_int_equal(rep.ndev, 2);
	assert_int_equal(rep.records_len, len - 12);
	assert_int_equal(rep.hdr.status, USBIP_ST_OK);
	assert_int_equal(usbip_dev_record_parse(&d, b + 12 + 312 + 4, len - 12 - 312 - 4), 312);
	assert_string_equal(d.busid, "1-2");
	assert_int_equal(d.bNumInterfaces, 3);
	ASSERT_SHORT_REFUSED(usbip_op_rep_devlist_parse, &rep, b, len);

	/* A count no reply can hold is incomplete forever, never read past len. */
	put32(b + 8, 0xffffffffu);
	assert_int_equal(usbip_op_rep_devlist_parse(&rep, b, len), -EAGAIN);
	put32(b + 8, 0);
	assert_int_equal(usbip_op_rep_devlist_parse(&rep, b, len), 12);
	assert_int_equal(rep.records_len, 0);

	(void)usbip_op_header_build(b, sizeof(b), USBIP_OP_REP_IMPORT, 0);
	assert_int_equal(usbip_op_rep_devlist_parse(&rep, b, len), -EBADMSG);
	assert_int_equal(usbip_op_rep_devlist_build(b, 11, 1), -ENOSPC);
}

static void test_rep_import(void **state)
{
	uint8_t b[USBIP_OP_REP_IMPORT_SIZE];
	struct usbip_dev_record d = sample_record("1-1", 1);
	struct usbip_op_rep_import rep;

	(void)state;
	assert_int_equal(usbip_op_rep_import_build(b, sizeof(b), USBIP_ST_OK, &d), 320);
	assert_int_equal(be16(b + 2), USBIP_OP_REP_IMPORT);
	assert_int_equal(be32(b + 4), USBIP_ST_OK);
	assert_string_equal((const char *)b + 8 + 256, "1-1");
	assert_int_equal(usbip_op_rep_import_parse(&rep, b, sizeof(b)), 320);
	assert_int_equal(rep.dev.idVendor, 0x2fe3);
	assert_string_equal(rep.dev.path, d.path);
	ASSERT_SHORT_REFUSED(usbip_op_rep_import_parse, &rep, b, sizeof(b));

	/* A refusal is the header alone. */
	assert_int_equal(usbip_op_rep_import_build(b, 8, USBIP_ST_NODEV, NULL), 8);
	assert_int_equal(be32(b + 4), USBIP_ST_NODEV);
	assert_int_equal(usbip_op_rep_import_parse(&rep, b, 8), 8);
	assert_int_equal(rep.hdr.status, USBIP_ST_NODEV);

	assert_int_equal(usbip_op_rep_import_build(b, sizeof(b), USBIP_ST_OK, NULL), -EINVAL);
	assert_int_equal(usbip_op_rep_import_build(b, sizeof(b) - 1, USBIP_ST_OK, &d), -ENOSPC);
	assert_int_equal(usbip_op_rep_import_build(b, 7, USBIP_ST_NA, NULL), -ENOSPC);
	(void)usbip_op_header_build(b, sizeof(b), USBIP_OP_REP_DEVLIST, 0);
	assert_int_equal(usbip_op_rep_import_parse(&rep, b, sizeof(b)), -EBADMSG);
}

static struct usbip_urb sample_submit(void)
{
	struct usbip_urb u;

	memset(&u, 0, sizeof(u));
	u.basic = (struct usbip_urb_basic){USBIP_CMD_SUBMIT, 77, 0x00010001u, USBIP_DIR_IN, 0};
	u.u.cmd_submit = (struct usbip_cmd_submit){
		.transfer_flags = USBIP_URB_ZERO_PACKET,
		.transfer_buffer_length = 18,
		.start_frame = -7,
		.number_of_packets = -1,
		.interval = 5,
		.setup = {0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0x0409, 18},
	};
	return u;
}

static void test_cmd_submit(void **state)
{
	uint8_t b[USBIP_HDR_SIZE + 1];
	struct usbip_urb in = sample_submit(), out;

	(void)state;
	memset(b, 0xaa, sizeof(b));
	assert_int_equal(usbip_urb_build(b, sizeof(b), &in), 48);
	assert_int_equal(be32(b), USBIP_CMD_SUBMIT);
	assert_int_equal(be32(b + 4), 77);
	assert_int_equal(be32(b + 8), 0x00010001u);
	assert_int_equal(be32(b + 12), USBIP_DIR_IN);
	assert_int_equal(be32(b + 16), 0);
	assert_int_equal(be32(b + 20), USBIP_URB_ZERO_PACKET);
	assert_int_equal(be32(b + 24), 18);
	assert_int_equal(be32(b + 28), (uint32_t)-7);
	assert_int_equal(be32(b + 32), 0xffffffffu);
	assert_int_equal(be32(b + 36), 5);
	/* The SETUP is little-endian, as on a bus. */
	assert_memory_equal(b + 40, ((const uint8_t[]){0x80, 6, 0x00, 0x01, 0x09, 0x04, 18, 0}), 8);
	assert_int_equal(b[48], 0xaa);

	memset(&out, 0x55, sizeof(out));
	assert_int_equal(usbip_urb_parse_cmd(&out, b, sizeof(b)), 48);
	assert_memory_equal(&out.basic, &in.basic, sizeof(in.basic));
	assert_memory_equal(&out.u.cmd_submit, &in.u.cmd_submit, sizeof(in.u.cmd_submit));
	assert_int_equal(usbip_urb_out_len(&out), 0); /* IN */
	ASSERT_SHORT_REFUSED(usbip_urb_parse_cmd, &out, b, USBIP_HDR_SIZE);

	in.basic.direction = USBIP_DIR_OUT;
	in.u.cmd_submit.transfer_buffer_length = 100;
	(void)usbip_urb_build(b, sizeof(b), &in);
	assert_int_equal(usbip_urb_parse_cmd(&out, b, sizeof(b)), 48);
	assert_int_equal(usbip_urb_out_len(&out), 100);
	assert_int_equal(usbip_urb_build(b, 47, &in), -ENOSPC);
}

/* A CMD_SUBMIT with one field changed is refused with -EPROTO, fields filled. */
static void expect_bad_submit(uint32_t offset, uint32_t value)
{
	uint8_t b[USBIP_HDR_SIZE];
	struct usbip_urb in = sample_submit(), out;

	(void)usbip_urb_build(b, sizeof(b), &in);
	put32(b + offset, value);
	assert_int_equal(usbip_urb_parse_cmd(&out, b, sizeof(b)), -EPROTO);
	assert_int_equal(out.basic.seqnum, 77);
	assert_int_equal(usbip_urb_out_len(&out), 0);
}

static void test_cmd_submit_malformed(void **state)
{
	uint8_t b[USBIP_HDR_SIZE];
	struct usbip_urb in = sample_submit(), out;

	(void)state;
	expect_bad_submit(12, 2);           /* direction */
	expect_bad_submit(12, 0xffffffffu); /* direction */
	expect_bad_submit(16, 16);          /* ep */
	expect_bad_submit(16, 0x80000001u); /* ep */
	expect_bad_submit(24, 0x80000000u); /* transfer_buffer_length < 0 */
	expect_bad_submit(24, 0xffffffffu);

	/* Replies and unknown commands are not requests. */
	in.basic.command = USBIP_RET_SUBMIT;
	(void)usbip_urb_build(b, sizeof(b), &in);
	assert_int_equal(usbip_urb_parse_cmd(&out, b, sizeof(b)), -EBADMSG);
	put32(b, 9);
	assert_int_equal(usbip_urb_parse_cmd(&out, b, sizeof(b)), -EBADMSG);
	assert_int_equal(out.basic.command, 9);
	assert_int_equal(usbip_urb_parse_ret(&out, b, sizeof(b)), -EBADMSG);
	in.basic.command = 9;
	assert_int_equal(usbip_urb_build(b, sizeof(b), &in), -EINVAL);
}

static void test_unlink_and_replies(void **state)
{
	uint8_t b[USBIP_HDR_SIZE];
	struct usbip_urb u, out;

	(void)state;
	memset(&u, 0, sizeof(u));
	u.basic = (struct usbip_urb_basic){USBIP_CMD_UNLINK, 5, 0x00010001u, 0, 0};
	u.u.cmd_unlink.unlink_seqnum = 4;
	memset(b, 0xaa, sizeof(b));
	assert_int_equal(usbip_urb_build(b, sizeof(b), &u), 48);
	assert_int_equal(be32(b), USBIP_CMD_UNLINK);
	assert_int_equal(be32(b + 20), 4);
	for (int i = 24; i < 48; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(usbip_urb_parse_cmd(&out, b, sizeof(b)), 48);
	assert_int_equal(out.u.cmd_unlink.unlink_seqnum, 4);
	assert_int_equal(usbip_urb_out_len(&out), 0);
	assert_int_equal(usbip_urb_parse_ret(&out, b, sizeof(b)), -EBADMSG);

	u.basic.command = USBIP_RET_UNLINK;
	u.u.ret_unlink.status = -ECONNRESET;
	(void)usbip_urb_build(b, sizeof(b), &u);
	assert_int_equal(be32(b + 20), (uint32_t)-ECONNRESET);
	assert_int_equal(usbip_urb_parse_ret(&out, b, sizeof(b)), 48);
	assert_int_equal(out.u.ret_unlink.status, -ECONNRESET);
	ASSERT_SHORT_REFUSED(usbip_urb_parse_ret, &out, b, USBIP_HDR_SIZE);

	memset(&u, 0, sizeof(u));
	u.basic = (struct usbip_urb_basic){USBIP_RET_SUBMIT, 6, 0x00010001u, 0, 0};
	u.u.ret_submit = (struct usbip_ret_submit){-EPIPE, 18, 1, -1, 2};
	memset(b, 0xaa, sizeof(b));
	(void)usbip_urb_build(b, sizeof(b), &u);
	assert_int_equal(be32(b + 20), (uint32_t)-EPIPE);
	assert_int_equal(be32(b + 24), 18);
	assert_int_equal(be32(b + 32), 0xffffffffu);
	assert_int_equal(be32(b + 36), 2);
	for (int i = 40; i < 48; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(usbip_urb_parse_ret(&out, b, sizeof(b)), 48);
	assert_memory_equal(&out.u.ret_submit, &u.u.ret_submit, sizeof(u.u.ret_submit));
	assert_int_equal(usbip_urb_parse_cmd(&out, b, sizeof(b)), -EBADMSG);
}

static void test_helpers(void **state)
{
	char s[] = "1-1\x01\x7f\x80~ ";

	(void)state;
	usbip_printable(s);
	assert_string_equal(s, "1-1???~ ");
	assert_int_equal(usbip_devid(3, 7), 0x00030007u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_op_header),
		cmocka_unit_test(test_req_import),
		cmocka_unit_test(test_dev_record),
		cmocka_unit_test(test_iface_record),
		cmocka_unit_test(test_rep_devlist),
		cmocka_unit_test(test_rep_import),
		cmocka_unit_test(test_cmd_submit),
		cmocka_unit_test(test_cmd_submit_malformed),
		cmocka_unit_test(test_unlink_and_replies),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
