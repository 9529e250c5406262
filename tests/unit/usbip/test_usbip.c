/* SPDX-License-Identifier: Apache-2.0 */
/*
 * USB/IP server against real TCP clients on 127.0.0.1 (ephemeral port), with
 * the usbd core and the virtual device controller behind it. The server runs
 * in this process: every client read pumps usbip_server_poll() until the
 * bytes arrive, so nothing blocks.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dfukit/dfu_ramdisk.h"
#include "dfukit/sample/device.h"
#include "dfukit/usbd.h"
#include "dfukit/port/usbip.h"
#include "dfukit/port/vudc.h"

/* ------------------------------------------------------------ the device */

struct test_class {
	struct usbd_class cls;
	int set_alt_calls;
	uint8_t last_alt;
	uint8_t out_buf[4096];
	uint16_t out_len;
	uint8_t in_buf[4096];
};

static struct test_class vendor;

static int vendor_control(struct usbd_class *cls, const struct usbd_setup *s,
			  struct usbd_ctrl_reply *r)
{
	struct test_class *t = (struct test_class *)cls;

	if (s->bRequest == 0x01 && !(s->bmRequestType & USB_REQTYPE_DIR_IN)) {
		r->out_buf = t->out_buf; /* OUT data sink */
		return 0;
	}
	if (s->bRequest == 0x02 && (s->bmRequestType & USB_REQTYPE_DIR_IN)) {
		for (unsigned i = 0; i < sizeof(t->in_buf); i++)
			t->in_buf[i] = (uint8_t)(i * 7u + 3u);
		r->in_data = t->in_buf;
		r->in_len = s->wLength;
		return 0;
	}
	return -ENOTSUP; /* STALL */
}

static int vendor_out_done(struct usbd_class *cls, const struct usbd_setup *s, uint16_t len)
{
	(void)s;
	((struct test_class *)cls)->out_len = len;
	return 0;
}

static int vendor_set_alt(struct usbd_class *cls, uint8_t iface, uint8_t alt)
{
	struct test_class *t = (struct test_class *)cls;

	(void)iface;
	t->set_alt_calls++;
	t->last_alt = alt;
	return 0;
}

static const struct usbd_class_ops vendor_ops = {
	.control = vendor_control,
	.control_out_done = vendor_out_done,
	.set_alt = vendor_set_alt,
};

static const uint8_t config_bytes[] = {
	USBD_CONFIG_DESC(32, 1, 1, 0, 0, 50),
	USBD_IFACE_DESC(0, 0, 2, 0xff, 0x01, 0x02, 0),
	USBD_EP_DESC(0x81, UDC_EP_BULK, 64, 0),
	USBD_EP_DESC(0x02, UDC_EP_BULK, 64, 0),
};
static struct usbd_class *const owners[] = {&vendor.cls};
static const struct usbd_config_desc configs[] = {{.desc = config_bytes, .owners = owners}};
static const char *const strings[] = {"dfukit", "usbip test"};
#define DEVICE_DESC(pid)                                                                           \
	{                                                                                          \
		USBD_DEVICE_DESC(0x0200, 0, 0, 0, 64, 0x1209, (pid), 0x0102, 1, 2, 0, 1)           \
	}
static const uint8_t device1[] = DEVICE_DESC(0x0001);
static const uint8_t device2[] = DEVICE_DESC(0x0002);
static const struct usbd_device_desc desc1 = {.device = device1,
					      .configs = configs,
					      .strings = strings,
					      .num_strings = 2,
					      .vendor = &vendor.cls};
static const struct usbd_device_desc desc2 = {.device = device2,
					      .configs = configs,
					      .strings = strings,
					      .num_strings = 2,
					      .vendor = &vendor.cls};

static struct usbd_device dev1, dev2;
static struct vudc vudc1, vudc2;

/* ------------------------------------------------------------ the server */

static struct usbip_server srv;
static int listen_fd = -1;
static uint16_t port;
static char logbuf[65536];
static size_t loglen;

static void capture_log(void *ctx, const char *line)
{
	size_t n = strlen(line);

	(void)ctx;
	if (loglen + n + 2 < sizeof(logbuf)) {
		memcpy(logbuf + loglen, line, n);
		loglen += n;
		logbuf[loglen++] = '\n';
		logbuf[loglen] = '\0';
	}
	if (getenv("USBIP_TEST_VERBOSE"))
		fprintf(stderr, "log: %s\n", line);
}

static bool log_has(const char *s)
{
	return strstr(logbuf, s) != NULL;
}

static void bind_device(struct usbd_device *dev, struct vudc *v, const struct usbd_device_desc *d)
{
	struct udc u;

	vudc_init(v, dev);
	u = vudc_udc(v);
	assert_int_equal(usbd_init(dev, d, &u), 0);
	assert_int_equal(usbd_enable(dev, true), 0);
}

static int setup(void **state)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	(void)state;
	memset(&vendor, 0, sizeof(vendor));
	vendor.cls.ops = &vendor_ops;
	bind_device(&dev1, &vudc1, &desc1);
	bind_device(&dev2, &vudc2, &desc2);

	listen_fd = usbip_listen("127.0.0.1", 0);
	assert_true(listen_fd >= 0);
	assert_int_equal(getsockname(listen_fd, (struct sockaddr *)&a, &al), 0);
	port = ntohs(a.sin_port);
	assert_int_equal(usbip_server_init(&srv, listen_fd), 0);
	loglen = 0;
	logbuf[0] = '\0';
	usbip_server_set_log(&srv, capture_log, NULL);
	assert_int_equal(usbip_server_add_device(&srv, "1-1", &vudc1), 0);
	assert_int_equal(usbip_server_add_device(&srv, "1-2", &vudc2), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	usbip_server_close(&srv);
	close(listen_fd);
	return 0;
}

/* ------------------------------------------------------------ the client */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pump(int ms)
{
	int64_t end = now_ms() + ms;

	do {
		assert_true(usbip_server_poll(&srv, 1) >= 0);
	} while (now_ms() < end);
}

static int cli_connect(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pump(2);
	return fd;
}

static void cli_send(int fd, const void *buf, size_t n)
{
	assert_int_equal(send(fd, buf, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Read exactly n bytes, pumping the server; false on EOF or after 3 s. */
static bool cli_recv(int fd, void *buf, size_t n)
{
	size_t got = 0;
	int64_t end = now_ms() + 3000;

	while (got < n && now_ms() < end) {
		ssize_t r;

		assert_true(usbip_server_poll(&srv, 2) >= 0);
		r = recv(fd, (uint8_t *)buf + got, n - got, MSG_DONTWAIT);
		if (r == 0)
			return false;
		if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return false;
		if (r > 0)
			got += (size_t)r;
	}
	return got == n;
}

/* Nothing arrives within ms. */
static bool cli_silent(int fd, int ms)
{
	uint8_t b;

	pump(ms);
	return recv(fd, &b, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

/* The server closed the connection (data before the EOF is discarded). */
static bool cli_closed(int fd)
{
	int64_t end = now_ms() + 3000;
	uint8_t buf[512];

	while (now_ms() < end) {
		ssize_t r;

		assert_true(usbip_server_poll(&srv, 2) >= 0);
		r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return true;
	}
	return false;
}

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void op_header(uint8_t *p, uint16_t version, uint16_t code)
{
	p[0] = (uint8_t)(version >> 8);
	p[1] = (uint8_t)version;
	p[2] = (uint8_t)(code >> 8);
	p[3] = (uint8_t)code;
	put32(p + 4, 0);
}

/* OP_REQ_IMPORT; returns the reply status (or -1 if the server hung up first). */
static int import(int fd, const char *busid, uint8_t record[USBIP_DEV_RECORD_SIZE])
{
	uint8_t req[40] = {0};
	uint8_t rep[8];

	op_header(req, USBIP_VERSION, USBIP_OP_REQ_IMPORT);
	strncpy((char *)req + 8, busid, 31);
	cli_send(fd, req, sizeof(req));
	if (!cli_recv(fd, rep, sizeof(rep)))
		return -1;
	assert_int_equal(be16(rep), USBIP_VERSION);
	assert_int_equal(be16(rep + 2), USBIP_OP_REP_IMPORT);
	if (be32(rep + 4) != 0)
		return (int)be32(rep + 4);
	{
		uint8_t tmp[USBIP_DEV_RECORD_SIZE];

		assert_true(cli_recv(fd, record ? record : tmp, USBIP_DEV_RECORD_SIZE));
	}
	return 0;
}

static int import_ok(const char *busid)
{
	int fd = cli_connect();

	assert_int_equal(import(fd, busid, NULL), 0);
	return fd;
}

#define DEVID1 0x00010001u

static void cmd_submit(uint8_t *h, uint32_t seq, uint32_t devid, uint32_t dir, uint32_t ep,
		       int32_t len, const uint8_t setup[8])
{
	memset(h, 0, USBIP_HDR_SIZE);
	put32(h, USBIP_CMD_SUBMIT);
	put32(h + 4, seq);
	put32(h + 8, devid);
	put32(h + 12, dir);
	put32(h + 16, ep);
	put32(h + 24, (uint32_t)len);
	if (setup)
		memcpy(h + 40, setup, 8);
}

static void submit(int fd, uint32_t seq, uint32_t dir, uint32_t ep, int32_t len,
		   const uint8_t setup[8], const void *out)
{
	uint8_t h[USBIP_HDR_SIZE + 4096];

	cmd_submit(h, seq, DEVID1, dir, ep, len, setup);
	if (dir == USBIP_DIR_OUT && len > 0)
		memcpy(h + USBIP_HDR_SIZE, out, (size_t)len);
	cli_send(fd, h, USBIP_HDR_SIZE + (dir == USBIP_DIR_OUT && len > 0 ? (size_t)len : 0));
}

static void unlink_urb(int fd, uint32_t seq, uint32_t victim)
{
	uint8_t h[USBIP_HDR_SIZE] = {0};

	put32(h, USBIP_CMD_UNLINK);
	put32(h + 4, seq);
	put32(h + 8, DEVID1);
	put32(h + 20, victim);
	cli_send(fd, h, sizeof(h));
}

struct ret {
	uint32_t command, seqnum, devid;
	int32_t status, actual;
	uint8_t data[4096];
};

static void get_ret(int fd, struct ret *r)
{
	uint8_t h[USBIP_HDR_SIZE];

	assert_true(cli_recv(fd, h, sizeof(h)));
	r->command = be32(h);
	r->seqnum = be32(h + 4);
	r->devid = be32(h + 8);
	r->status = (int32_t)be32(h + 20);
	r->actual = (int32_t)be32(h + 24);
	assert_int_equal(be32(h + 12), 0); /* direction */
	assert_int_equal(be32(h + 16), 0); /* ep */
}

/* A RET_SUBMIT for an IN URB: header then actual bytes. */
static void get_ret_in(int fd, struct ret *r)
{
	get_ret(fd, r);
	assert_int_equal(r->command, USBIP_RET_SUBMIT);
	assert_true(r->actual >= 0 && r->actual <= 4096);
	if (r->actual > 0)
		assert_true(cli_recv(fd, r->data, (size_t)r->actual));
}

static void setup_pkt(uint8_t s[8], uint8_t rt, uint8_t req, uint16_t value, uint16_t index,
		      uint16_t length)
{
	s[0] = rt;
	s[1] = req;
	s[2] = (uint8_t)value;
	s[3] = (uint8_t)(value >> 8);
	s[4] = (uint8_t)index;
	s[5] = (uint8_t)(index >> 8);
	s[6] = (uint8_t)length;
	s[7] = (uint8_t)(length >> 8);
}

static void get_device_descriptor(int fd, uint32_t seq)
{
	uint8_t s[8];
	struct ret r;

	setup_pkt(s, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18);
	submit(fd, seq, USBIP_DIR_IN, 0, 18, s, NULL);
	get_ret_in(fd, &r);
	assert_int_equal(r.seqnum, seq);
	assert_int_equal(r.devid, DEVID1);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.actual, 18);
	assert_int_equal(r.data[0], 18);
	assert_int_equal(r.data[1], USB_DESC_DEVICE);
	assert_int_equal(r.data[8] | r.data[9] << 8, 0x1209);
}

static void set_configuration(int fd, uint32_t seq, uint16_t value)
{
	uint8_t s[8];
	struct ret r;

	setup_pkt(s, 0x00, USB_REQ_SET_CONFIGURATION, value, 0, 0);
	submit(fd, seq, USBIP_DIR_OUT, 0, 0, s, NULL);
	get_ret(fd, &r);
	assert_int_equal(r.seqnum, seq);
	assert_int_equal(r.status, 0);
}

/* The server still answers a new client: a full device list. */
static void fresh_client_works(void)
{
	uint8_t req[8], rep[12];
	int fd = cli_connect();

	op_header(req, USBIP_VERSION, USBIP_OP_REQ_DEVLIST);
	cli_send(fd, req, sizeof(req));
	assert_true(cli_recv(fd, rep, sizeof(rep)));
	assert_int_equal(be16(rep + 2), USBIP_OP_REP_DEVLIST);
	assert_int_equal(be32(rep + 8), 2);
	close(fd);
	pump(2);
}

/* ------------------------------------------------------------ the tests */

static void test_devlist(void **state)
{
	uint8_t req[8], rep[12], rec[USBIP_DEV_RECORD_SIZE], ifc[4];
	int fd = cli_connect();

	(void)state;
	op_header(req, USBIP_VERSION, USBIP_OP_REQ_DEVLIST);
	cli_send(fd, req, sizeof(req));
	assert_true(cli_recv(fd, rep, sizeof(rep)));
	assert_int_equal(be16(rep), 0x0111);
	assert_int_equal(be16(rep + 2), 0x0005);
	assert_int_equal(be32(rep + 4), 0);
	assert_int_equal(be32(rep + 8), 2);
	for (uint32_t i = 1; i <= 2; i++) {
		char busid[8];

		snprintf(busid, sizeof(busid), "1-%u", (unsigned)i);
		assert_true(cli_recv(fd, rec, sizeof(rec)));
		assert_true(rec[0] == '/');
		assert_string_equal((char *)rec + 256, busid);
		assert_int_equal(be32(rec + 288), 1);      /* busnum */
		assert_int_equal(be32(rec + 292), i);      /* devnum */
		assert_int_equal(be32(rec + 296), 2);      /* full speed */
		assert_int_equal(be16(rec + 300), 0x1209); /* idVendor */
		assert_int_equal(be16(rec + 302), i);      /* idProduct */
		assert_int_equal(be16(rec + 304), 0x0102); /* bcdDevice */
		assert_int_equal(rec[306], 0);
		assert_int_equal(rec[309], 1); /* bConfigurationValue */
		assert_int_equal(rec[310], 1); /* bNumConfigurations */
		assert_int_equal(rec[311], 1); /* bNumInterfaces */
		assert_true(cli_recv(fd, ifc, sizeof(ifc)));
		assert_int_equal(ifc[0], 0xff);
		assert_int_equal(ifc[1], 0x01);
		assert_int_equal(ifc[2], 0x02);
		assert_int_equal(ifc[3], 0);
	}
	assert_true(cli_closed(fd)); /* one request per connection */
	close(fd);
	assert_true(log_has("connected"));
	assert_true(log_has("devlist: 2 devices"));
}

static void test_import_get_descriptor(void **state)
{
	uint8_t rec[USBIP_DEV_RECORD_SIZE];
	int fd = cli_connect();

	(void)state;
	assert_int_equal(import(fd, "1-1", rec), 0);
	assert_string_equal((char *)rec + 256, "1-1");
	assert_int_equal(be32(rec + 288), 1);
	assert_int_equal(be32(rec + 292), 1);
	assert_int_equal(be32(rec + 296), 2);
	assert_int_equal(be16(rec + 302), 1);
	assert_true(usbip_server_is_imported(&srv, "1-1"));
	assert_false(usbip_server_is_imported(&srv, "1-2"));
	/* The server addressed the device as the exporting host would have. */
	assert_int_equal(dev1.state, USBD_STATE_ADDRESS);
	assert_int_equal(vudc1.address, 1);
	assert_true(log_has("imported 1-1"));

	get_device_descriptor(fd, 0x1234);
	close(fd);
	pump(5);
	assert_false(usbip_server_is_imported(&srv, "1-1"));
	assert_true(log_has("1-1 disconnected: peer closed"));
}

static void test_config_descriptor_and_strings(void **state)
{
	uint8_t s[8];
	struct ret r;
	int fd = import_ok("1-1");

	(void)state;
	setup_pkt(s, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, 255);
	submit(fd, 1, USBIP_DIR_IN, 0, 255, s, NULL);
	get_ret_in(fd, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.actual, 9 + 9 + 7 + 7);
	assert_int_equal(r.data[1], USB_DESC_CONFIGURATION);

	setup_pkt(s, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0302, 0x0409, 255);
	submit(fd, 2, USBIP_DIR_IN, 0, 255, s, NULL);
	get_ret_in(fd, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.actual, 2 + 2 * 10);
	assert_int_equal(r.data[2], 'u');
	close(fd);
	pump(2);
}

static void test_stall_gives_epipe(void **state)
{
	uint8_t s[8];
	struct ret r;
	int fd = import_ok("1-1");

	(void)state;
	setup_pkt(s, 0xc0, 0x77, 0, 0, 4); /* vendor request the device refuses */
	submit(fd, 99, USBIP_DIR_IN, 0, 4, s, NULL);
	get_ret_in(fd, &r);
	assert_int_equal(r.seqnum, 99);
	assert_int_equal(r.status, -32);
	assert_int_equal(r.actual, 0);
	/* EP0 recovers at the next SETUP. */
	get_device_descriptor(fd, 100);
	close(fd);
	pump(2);
}

static void test_seqnum_echo_pipelined(void **state)
{
	uint8_t buf[3 * USBIP_HDR_SIZE], s[8];
	const uint32_t seqs[3] = {7, 1000000, 0xfffffffeu};
	struct ret r;
	int fd = import_ok("1-1");

	(void)state;
	setup_pkt(s, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18);
	cmd_submit(buf, seqs[0], DEVID1, USBIP_DIR_IN, 0, 18, s);
	setup_pkt(s, 0xc0, 0x77, 0, 0, 0);
	cmd_submit(buf + 48, seqs[1], DEVID1, USBIP_DIR_IN, 0, 0, s);
	setup_pkt(s, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, 9);
	cmd_submit(buf + 96, seqs[2], DEVID1, USBIP_DIR_IN, 0, 9, s);
	cli_send(fd, buf, sizeof(buf)); /* three URBs in one segment */

	get_ret_in(fd, &r);
	assert_int_equal(r.seqnum, seqs[0]);
	assert_int_equal(r.actual, 18);
	get_ret_in(fd, &r);
	assert_int_equal(r.seqnum, seqs[1]);
	assert_int_equal(r.status, -32);
	get_ret_in(fd, &r);
	assert_int_equal(r.seqnum, seqs[2]);
	assert_int_equal(r.actual, 9);
	close(fd);
	pump(2);
}

static void test_control_data_stages(void **state)
{
	uint8_t s[8], out[1000];
	struct ret r;
	int fd = import_ok("1-1");

	(void)state;
	for (unsigned i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i ^ 0x5a);
	setup_pkt(s, 0x40, 0x01, 0, 0, sizeof(out)); /* vendor OUT, 16 packets */
	submit(fd, 10, USBIP_DIR_OUT, 0, sizeof(out), s, out);
	get_ret(fd, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.actual, sizeof(out));
	assert_int_equal(vendor.out_len, sizeof(out));
	assert_memory_equal(vendor.out_buf, out, sizeof(out));

	setup_pkt(s, 0xc0, 0x02, 0, 0, 4096); /* the largest control transfer */
	submit(fd, 11, USBIP_DIR_IN, 0, 4096, s, NULL);
	get_ret_in(fd, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.actual, 4096);
	for (unsigned i = 0; i < 4096; i++)
		assert_int_equal(r.data[i], (uint8_t)(i * 7u + 3u));

	/* A setup that contradicts the URB is refused without reaching the device. */
	setup_pkt(s, 0xc0, 0x02, 0, 0, 64);
	submit(fd, 12, USBIP_DIR_IN, 0, 32, s, NULL);
	get_ret_in(fd, &r);
	assert_int_equal(r.seqnum, 12);
	assert_int_equal(r.status, -EINVAL);
	get_device_descriptor(fd, 13);
	close(fd);
	pump(2);
}

static void test_set_configuration_reaches_device(void **state)
{
	uint8_t s[8];
	struct ret r;
	int fd = import_ok("1-1");

	(void)state;
	set_configuration(fd, 20, 1);
	assert_int_equal(dev1.config_value, 1);
	assert_int_equal(dev1.state, USBD_STATE_CONFIGURED);
	assert_int_equal(vendor.set_alt_calls, 1);

	setup_pkt(s, 0x01, USB_REQ_SET_INTERFACE, 0, 0, 0);
	submit(fd, 21, USBIP_DIR_OUT, 0, 0, s, NULL);
	get_ret(fd, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(vendor.set_alt_calls, 2);

	setup_pkt(s, 0x80, USB_REQ_GET_CONFIGURATION, 0, 0, 1);
	submit(fd, 22, USBIP_DIR_IN, 0, 1, s, NULL);
	get_ret_in(fd, &r);
	assert_int_equal(r.actual, 1);
	assert_int_equal(r.data[0], 1);

	/* A forwarded SET_ADDRESS is absorbed: the device already has its address. */
	setup_pkt(s, 0x00, USB_REQ_SET_ADDRESS, 9, 0, 0);
	submit(fd, 23, USBIP_DIR_OUT, 0, 0, s, NULL);
	get_ret(fd, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(vudc1.address, 1);
	close(fd);
	pump(2);
}

static void test_bulk_nak_retry_and_unlink(void **state)
{
	static uint8_t in_data[10] = "0123456789";
	static uint8_t out_sink[64];
	uint8_t out[100], s[8];
	struct ret r;
	int fd = import_ok("1-1");

	(void)state;
	set_configuration(fd, 1, 1);

	/* Nothing armed: the URB waits, no error. */
	submit(fd, 50, USBIP_DIR_IN, 1, 64, NULL, NULL);
	assert_true(cli_silent(fd, 30));
	unlink_urb(fd, 51, 50);
	get_ret(fd, &r);
	assert_int_equal(r.command, USBIP_RET_UNLINK);
	assert_int_equal(r.seqnum, 51);
	assert_int_equal(r.status, -104);

	/* Queued, then the device arms: answered on a later poll. */
	submit(fd, 52, USBIP_DIR_IN, 1, 64, NULL, NULL);
	assert_true(cli_silent(fd, 20));
	assert_int_equal(vudc_ops.ep_xfer(&vudc1, 0x81, in_data, sizeof(in_data)), 0);
	get_ret_in(fd, &r);
	assert_int_equal(r.seqnum, 52);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.actual, 10);
	assert_memory_equal(r.data, "0123456789", 10);
	/* Unlinking a completed URB: status 0. */
	unlink_urb(fd, 53, 52);
	get_ret(fd, &r);
	assert_int_equal(r.command, USBIP_RET_UNLINK);
	assert_int_equal(r.seqnum, 53);
	assert_int_equal(r.status, 0);

	/* 100 bytes OUT on a 64-byte endpoint: two packets, a NAK in between. */
	for (unsigned i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)i;
	assert_int_equal(vudc_ops.ep_xfer(&vudc1, 0x02, out_sink, 64), 0);
	submit(fd, 54, USBIP_DIR_OUT, 2, sizeof(out), NULL, out);
	assert_true(cli_silent(fd, 20));
	assert_memory_equal(out_sink, out, 64);
	assert_int_equal(vudc_ops.ep_xfer(&vudc1, 0x02, out_sink, 64), 0);
	get_ret(fd, &r);
	assert_int_equal(r.seqnum, 54);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.actual, 100);
	assert_memory_equal(out_sink, out + 64, 36);

	/* A halted endpoint: -EPIPE. */
	setup_pkt(s, 0x02, USB_REQ_SET_FEATURE, USB_FEATURE_ENDPOINT_HALT, 0x81, 0);
	submit(fd, 55, USBIP_DIR_OUT, 0, 0, s, NULL);
	get_ret(fd, &r);
	assert_int_equal(r.status, 0);
	submit(fd, 56, USBIP_DIR_IN, 1, 64, NULL, NULL);
	get_ret_in(fd, &r);
	assert_int_equal(r.seqnum, 56);
	assert_int_equal(r.status, -32);

	/* The client vanishes with a URB queued: dropped, device free again. */
	submit(fd, 57, USBIP_DIR_OUT, 2, 10, NULL, out);
	assert_true(cli_silent(fd, 10));
	close(fd);
	pump(5);
	assert_true(log_has("(1 URB dropped)"));
	assert_false(usbip_server_is_imported(&srv, "1-1"));
	fd = import_ok("1-1");
	get_device_descriptor(fd, 1);
	close(fd);
	pump(2);
}

static void test_backpressure_when_queue_full(void **state)
{
	static uint8_t in_data[4] = "abcd";
	struct ret r;
	int fd = import_ok("1-1");

	(void)state;
	set_configuration(fd, 1, 1);
	for (uint32_t i = 0; i < USBIP_MAX_PENDING + 2; i++)
		submit(fd, 100 + i, USBIP_DIR_IN, 1, 64, NULL, NULL);
	assert_true(cli_silent(fd, 30));
	for (uint32_t i = 0; i < USBIP_MAX_PENDING + 2; i++) {
		assert_int_equal(vudc_ops.ep_xfer(&vudc1, 0x81, in_data, sizeof(in_data)), 0);
		get_ret_in(fd, &r);
		assert_int_equal(r.seqnum, 100 + i); /* in order */
		assert_int_equal(r.actual, 4);
	}
	get_device_descriptor(fd, 200);
	close(fd);
	pump(2);
}

static void test_second_importer_refused(void **state)
{
	int a = import_ok("1-1");
	int b = cli_connect();
	int st;

	(void)state;
	st = import(b, "1-1", NULL);
	assert_true(st != 0);
	assert_true(cli_closed(b));
	close(b);
	assert_true(log_has("import 1-1 refused: already imported"));
	get_device_descriptor(a, 5); /* the first importer is undisturbed */

	/* Another device is still free. */
	b = import_ok("1-2");
	close(b);

	/* An unknown busid is refused too. */
	b = cli_connect();
	assert_true(import(b, "3-3", NULL) != 0);
	assert_true(cli_closed(b));
	close(b);
	close(a);
	pump(2);
}

static void test_reimport_after_importer_leaves(void **state)
{
	int fd = import_ok("1-1");

	(void)state;
	get_device_descriptor(fd, 1);
	close(fd);
	pump(5);
	fd = import_ok("1-1");
	get_device_descriptor(fd, 2);
	close(fd);
	pump(2);
}

static void test_device_driven_disconnect(void **state)
{
	uint8_t s[8];
	struct ret r;
	int fd = import_ok("1-1");

	(void)state;
	get_device_descriptor(fd, 1);
	assert_int_equal(usbip_server_disconnect(&srv, "1-1"), 0);
	assert_true(cli_closed(fd));
	close(fd);
	assert_false(usbip_server_is_imported(&srv, "1-1"));
	assert_true(log_has("disconnected by the device"));
	assert_int_equal(usbip_server_disconnect(&srv, "9-9"), -ENOENT);
	assert_int_equal(usbip_server_disconnect(&srv, "1-1"), 0); /* nobody attached */

	/* Import again, with new descriptors (re-enumeration). */
	assert_int_equal(usbd_init(&dev1, &desc2, &(struct udc){&vudc_ops, &vudc1}), 0);
	assert_int_equal(usbd_enable(&dev1, true), 0);
	{
		uint8_t rec[USBIP_DEV_RECORD_SIZE];

		fd = cli_connect();
		assert_int_equal(import(fd, "1-1", rec), 0);
		assert_int_equal(be16(rec + 302), 0x0002);
	}
	/* The device unplugs itself: the URB gets -ESHUTDOWN, then the connection goes. */
	assert_int_equal(usbd_enable(&dev1, false), 0);
	setup_pkt(s, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18);
	submit(fd, 3, USBIP_DIR_IN, 0, 18, s, NULL);
	get_ret_in(fd, &r);
	assert_int_equal(r.seqnum, 3);
	assert_int_equal(r.status, -ESHUTDOWN);
	assert_true(cli_closed(fd));
	close(fd);
	assert_true(log_has("device disconnected itself"));

	/* Unplugged: the list leaves it out, import is refused. */
	fd = cli_connect();
	assert_true(import(fd, "1-1", NULL) != 0);
	close(fd);
	assert_int_equal(usbd_enable(&dev1, true), 0);
	fresh_client_works();
}

static void test_remove_device(void **state)
{
	uint8_t req[8], rep[12];
	int fd = import_ok("1-2");

	(void)state;
	assert_int_equal(usbip_server_remove_device(&srv, "1-2"), 0);
	assert_true(cli_closed(fd));
	close(fd);
	assert_int_equal(usbip_server_remove_device(&srv, "1-2"), -ENOENT);
	fd = cli_connect();
	op_header(req, USBIP_VERSION, USBIP_OP_REQ_DEVLIST);
	cli_send(fd, req, sizeof(req));
	assert_true(cli_recv(fd, rep, sizeof(rep)));
	assert_int_equal(be32(rep + 8), 1);
	close(fd);
	fd = cli_connect();
	assert_true(import(fd, "1-2", NULL) != 0);
	close(fd);
	assert_int_equal(usbip_server_add_device(&srv, "1-2", &vudc2), 0);
	fresh_client_works();
}

static void test_partial_reads(void **state)
{
	uint8_t req[40] = {0}, rep[8 + USBIP_DEV_RECORD_SIZE], h[USBIP_HDR_SIZE], s[8];
	struct ret r;
	int fd = cli_connect();

	(void)state;
	op_header(req, USBIP_VERSION, USBIP_OP_REQ_IMPORT);
	strcpy((char *)req + 8, "1-1");
	for (size_t i = 0; i < sizeof(req); i++) {
		cli_send(fd, req + i, 1);
		pump(1);
	}
	assert_true(cli_recv(fd, rep, sizeof(rep)));
	assert_int_equal(be32(rep + 4), 0);

	setup_pkt(s, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18);
	cmd_submit(h, 77, DEVID1, USBIP_DIR_IN, 0, 18, s);
	for (size_t i = 0; i < sizeof(h); i += 5) {
		cli_send(fd, h + i, sizeof(h) - i < 5 ? sizeof(h) - i : 5);
		pump(1);
	}
	get_ret_in(fd, &r);
	assert_int_equal(r.seqnum, 77);
	assert_int_equal(r.actual, 18);
	close(fd);
	pump(2);
}

/* Send bytes (after an import if imported), expect the server to hang up and log why. */
static void expect_closed_ex(bool imported, const void *bytes, size_t n, bool vanish,
			     const char *why)
{
	int fd = imported ? import_ok("1-1") : cli_connect();

	cli_send(fd, bytes, n);
	if (vanish) {
		pump(5);
		shutdown(fd, SHUT_WR); /* the client goes away mid-message */
	}
	assert_true(cli_closed(fd));
	close(fd);
	if (!log_has(why)) {
		fprintf(stderr, "log does not say \"%s\":\n%s", why, logbuf);
		fail();
	}
	assert_false(usbip_server_is_imported(&srv, "1-1"));
	fresh_client_works();
}

static void expect_rejected(bool imported, const void *bytes, size_t n, const char *why)
{
	expect_closed_ex(imported, bytes, n, false, why);
}

static void test_hostile_op_phase(void **state)
{
	uint8_t b[8];
	static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

	(void)state;
	op_header(b, 0x0106, USBIP_OP_REQ_DEVLIST);
	expect_rejected(false, b, sizeof(b), "bad version 0x0106");
	expect_rejected(false, http, sizeof(http) - 1, "bad version");
	op_header(b, USBIP_VERSION, 0x8099);
	expect_rejected(false, b, sizeof(b), "unknown op code 0x8099");
	op_header(b, USBIP_VERSION, USBIP_OP_REP_IMPORT); /* a reply is no request */
	expect_rejected(false, b, sizeof(b), "unknown op code 0x0003");
}

static void test_hostile_urbs(void **state)
{
	uint8_t h[USBIP_HDR_SIZE + 10] = {0}; /* the OUT data is sent too: define it */
	uint8_t s[8];

	(void)state;
	setup_pkt(s, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18);

	cmd_submit(h, 1, DEVID1, USBIP_DIR_IN, 0, 18, s);
	put32(h, 9);
	expect_rejected(true, h, USBIP_HDR_SIZE, "unknown command 0x00000009");

	cmd_submit(h, 1, DEVID1, USBIP_DIR_IN, 16, 18, s);
	expect_rejected(true, h, USBIP_HDR_SIZE, "bad endpoint 16");
	cmd_submit(h, 1, DEVID1, USBIP_DIR_IN, 0xffffffffu, 18, s);
	expect_rejected(true, h, USBIP_HDR_SIZE, "bad endpoint 4294967295");

	cmd_submit(h, 1, DEVID1, 2, 0, 18, s);
	expect_rejected(true, h, USBIP_HDR_SIZE, "bad direction 2");

	cmd_submit(h, 1, DEVID1, USBIP_DIR_OUT, 0, INT32_MIN, s); /* 2^31 */
	expect_rejected(true, h, USBIP_HDR_SIZE, "absurd transfer_buffer_length -2147483648");
	cmd_submit(h, 1, DEVID1, USBIP_DIR_IN, 1, -5, NULL);
	expect_rejected(true, h, USBIP_HDR_SIZE, "absurd transfer_buffer_length -5");
	cmd_submit(h, 1, DEVID1, USBIP_DIR_OUT, 1, 0x7fffffff, NULL);
	expect_rejected(true, h, USBIP_HDR_SIZE, "absurd transfer_buffer_length 2147483647");

	cmd_submit(h, 1, 0x00020005, USBIP_DIR_IN, 0, 18, s);
	expect_rejected(true, h, USBIP_HDR_SIZE, "devid 0x00020005 is not 1-1");

	cmd_submit(h, 1, DEVID1, USBIP_DIR_IN, 1, 64, NULL);
	put32(h + 32, 3); /* isochronous */
	expect_rejected(true, h, USBIP_HDR_SIZE, "isochronous URB (3 packets)");

	/* The client vanishes in the middle of a URB's OUT data. */
	setup_pkt(s, 0x40, 0x01, 0, 0, 100);
	cmd_submit(h, 1, DEVID1, USBIP_DIR_OUT, 0, 100, s);
	expect_closed_ex(true, h, sizeof(h), true, "in the middle of a message");
	/* ... or in the middle of a header. */
	expect_closed_ex(true, h, 20, true, "in the middle of a message");
	/* ... or of an OP request. */
	op_header(h, USBIP_VERSION, USBIP_OP_REQ_IMPORT);
	expect_closed_ex(false, h, 12, true, "in the middle of a message");
}

static void test_oversized_transfers_rejected(void **state)
{
	static uint8_t big[USBIP_HDR_SIZE + 5000];
	uint8_t s[8];
	struct ret r;
	int fd = import_ok("1-1");

	(void)state;
	/* A bulk IN larger than the buffers: an error status, the connection lives. */
	cmd_submit(big, 30, DEVID1, USBIP_DIR_IN, 1, 8192, NULL);
	cli_send(fd, big, USBIP_HDR_SIZE);
	get_ret(fd, &r);
	assert_int_equal(r.seqnum, 30);
	assert_int_equal(r.status, -EMSGSIZE);
	assert_int_equal(r.actual, 0);
	assert_true(log_has("8192-byte transfer exceeds"));

	/* A control OUT of 5000 bytes: refused, its data skipped. */
	setup_pkt(s, 0x40, 0x01, 0, 0, 5000);
	cmd_submit(big, 31, DEVID1, USBIP_DIR_OUT, 0, 5000, s);
	memset(big + USBIP_HDR_SIZE, 0xee, 5000);
	cli_send(fd, big, sizeof(big));
	get_ret(fd, &r);
	assert_int_equal(r.seqnum, 31);
	assert_int_equal(r.status, -EMSGSIZE);
	get_device_descriptor(fd, 32);
	close(fd);
	pump(2);
}

static void test_too_many_connections(void **state)
{
	int fds[USBIP_MAX_CONNS + 1];

	(void)state;
	for (int i = 0; i < USBIP_MAX_CONNS; i++)
		fds[i] = cli_connect();
	fds[USBIP_MAX_CONNS] = cli_connect();
	assert_true(cli_closed(fds[USBIP_MAX_CONNS]));
	assert_true(log_has("refused: 16 connections open"));
	for (int i = 0; i <= USBIP_MAX_CONNS; i++)
		close(fds[i]);
	pump(5);
	fresh_client_works();
}

/* A peer that sends but never reads: the server gives up on it after its write timeout. */
static void test_peer_not_reading(void **state)
{
	uint8_t urb[USBIP_HDR_SIZE], s[8];
	int small = 4096;
	int64_t end;
	bool gone = false;
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(import(fd, "1-1", NULL), 0);

	setup_pkt(s, 0xc0, 0x02, 0, 0, 4096);
	cmd_submit(urb, 1, DEVID1, USBIP_DIR_IN, 0, 4096, s);
	end = now_ms() + 30000;
	while (!gone && now_ms() < end) {
		ssize_t r = send(fd, urb, sizeof(urb), MSG_DONTWAIT | MSG_NOSIGNAL);

		if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			break;
		assert_true(usbip_server_poll(&srv, 0) >= 0);
		gone = !usbip_server_is_imported(&srv, "1-1");
	}
	assert_true(gone);
	assert_true(log_has("write failed"));
	close(fd);
	fresh_client_works();
}

static void test_random_garbage(void **state)
{
	uint32_t x = 12345;

	(void)state;
	for (int round = 0; round < 200; round++) {
		bool imported = round & 1;
		int fd = imported ? import_ok("1-1") : cli_connect();
		uint8_t buf[256];
		size_t n;

		for (size_t i = 0; i < sizeof(buf); i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (uint8_t)(x >> 16);
		}
		if (imported && (round & 2)) {
			/* Plausible header, random fields. */
			put32(buf, 1 + (x & 1));
			put32(buf + 8, DEVID1);
		}
		n = 1 + (x >> 8) % sizeof(buf);
		cli_send(fd, buf, n);
		pump(2);
		close(fd);
		pump(2);
	}
	fresh_client_works();
	fresh_client_works();
}

/* ------------------------------------------ a DFU device behind the server */

#define DEVID3  0x00010003u
#define DFU_OUT 0x21 /* class, interface */
#define DFU_IN  0xa1

static struct sample_device dfu_dev;
static struct vudc vudc3;
static uint8_t dfu_xfer_buf[4096];
static uint8_t disk_mem[8192];
static struct dfu_ramdisk disk;
static struct dfu_alt dfu_alts[1];
static const char *const dfu_alt_names[] = {"ramdisk0"};

/* The usual server, plus "1-3": the DFU sample (DFU mode, wTransferSize 4096) on a ramdisk. */
static int setup_dfu(void **state)
{
	struct udc u;

	setup(state);
	memset(disk_mem, 0, sizeof(disk_mem));
	dfu_ramdisk_init(&disk, disk_mem, sizeof(disk_mem));
	dfu_alts[0] = (struct dfu_alt){&dfu_ramdisk_ops, &disk};
	const struct sample_params p = {
		.transfer_size = sizeof(dfu_xfer_buf),
		.buffer = dfu_xfer_buf,
		.manufacturer = "ZEPHYR",
		.product = "DFU",
		.serial = "1",
		.alt_names = dfu_alt_names,
		.alts = dfu_alts,
		.num_alts = 1,
	};
	vudc_init(&vudc3, &dfu_dev.usbd);
	u = vudc_udc(&vudc3);
	assert_int_equal(sample_device_init(&dfu_dev, &p, &u), 0);
	assert_int_equal(usbd_enable(&dfu_dev.usbd, true), 0);
	assert_int_equal(usbip_server_add_device(&srv, "1-3", &vudc3), 0);
	return 0;
}

/* One control URB to the DFU device; OUT data (len bytes of fill) is sent in full. */
static void dfu_ctl(int fd, uint32_t seq, uint8_t rt, uint8_t req, uint16_t value, uint16_t len,
		    uint8_t fill, struct ret *r)
{
	static uint8_t urb[USBIP_HDR_SIZE + 65535];
	bool in = (rt & 0x80) != 0;
	uint8_t s[8];

	setup_pkt(s, rt, req, value, 0, len);
	cmd_submit(urb, seq, DEVID3, in ? USBIP_DIR_IN : USBIP_DIR_OUT, 0, len, s);
	memset(urb + USBIP_HDR_SIZE, fill, len);
	cli_send(fd, urb, USBIP_HDR_SIZE + (in ? 0 : (size_t)len));
	get_ret(fd, r);
	assert_int_equal(r->command, USBIP_RET_SUBMIT);
	assert_int_equal(r->seqnum, seq);
	assert_true(r->actual >= 0 && r->actual <= 4096);
	if (in && r->actual > 0)
		assert_true(cli_recv(fd, r->data, (size_t)r->actual));
}

/* GETSTATUS: bStatus and bState. */
static void dfu_status(int fd, uint32_t seq, uint8_t *status, uint8_t *dstate)
{
	struct ret r;

	dfu_ctl(fd, seq, DFU_IN, DFU_GETSTATUS, 0, 6, 0, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.actual, 6);
	*status = r.data[0];
	*dstate = r.data[4];
}

/*
 * A DNLOAD or UPLOAD whose wLength exceeds wTransferSize and the server's
 * buffers: on a bus the device sees the SETUP and STALLs it, so the host
 * gets -EPIPE and the DFU class is in dfuERROR (errSTALLEDPKT); the data
 * never reaches the ramdisk and the connection keeps serving.
 */
static void test_dfu_oversized_request_stalls(void **state)
{
	static const struct {
		uint8_t rt, req;
		uint16_t len;
	} cases[] = {
		{DFU_OUT, DFU_DNLOAD, 4097},
		{DFU_OUT, DFU_DNLOAD, 65535},
		{DFU_IN, DFU_UPLOAD, 4097},
		{DFU_IN, DFU_UPLOAD, 65535},
	};
	uint32_t seq = 1;
	uint8_t status, dstate;
	struct ret r;
	int fd = import_ok("1-3");

	(void)state;
	dfu_ctl(fd, seq++, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, 0, &r);
	assert_int_equal(r.status, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s wLength %u\n", cases[i].req == DFU_DNLOAD ? "DNLOAD" : "UPLOAD",
			      cases[i].len);
		dfu_ctl(fd, seq++, cases[i].rt, cases[i].req, 0, cases[i].len, 0x5a, &r);
		assert_int_equal(r.status, -EPIPE);
		assert_int_equal(r.actual, 0);
		dfu_status(fd, seq++, &status, &dstate);
		assert_int_equal(status, DFU_STATUS_ERR_STALLEDPKT);
		assert_int_equal(dstate, DFU_STATE_ERROR);
		dfu_ctl(fd, seq++, DFU_OUT, DFU_CLRSTATUS, 0, 0, 0, &r);
		assert_int_equal(r.status, 0);
		dfu_status(fd, seq++, &status, &dstate);
		assert_int_equal(status, DFU_STATUS_OK);
		assert_int_equal(dstate, DFU_STATE_IDLE);
	}
	for (size_t i = 0; i < sizeof(disk_mem); i++)
		assert_int_equal(disk_mem[i], 0);

	/* Still a working device: a full-size block downloads and uploads back. */
	dfu_ctl(fd, seq++, DFU_OUT, DFU_DNLOAD, 0, 4096, 0xa7, &r);
	assert_int_equal(r.status, 0);
	do {
		dfu_status(fd, seq++, &status, &dstate);
	} while (dstate == DFU_STATE_DNBUSY || dstate == DFU_STATE_DNLOAD_SYNC);
	assert_int_equal(dstate, DFU_STATE_DNLOAD_IDLE);
	assert_int_equal(disk_mem[4095], 0xa7);
	dfu_ctl(fd, seq++, DFU_OUT, DFU_ABORT, 0, 0, 0, &r);
	assert_int_equal(r.status, 0);
	dfu_ctl(fd, seq++, DFU_IN, DFU_UPLOAD, 0, 4096, 0, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.actual, 4096);
	assert_int_equal(r.data[0], 0xa7);
	assert_int_equal(r.data[4095], 0xa7);
	close(fd);
	pump(2);
}

static void test_api_errors(void **state)
{
	struct vudc *v = &vudc1;
	char id[8];
	int fd;

	(void)state;
	assert_int_equal(usbip_server_add_device(&srv, "1-1", v), -EEXIST);
	assert_int_equal(usbip_server_add_device(&srv, "x", v), -EINVAL);
	assert_int_equal(usbip_server_add_device(&srv, "1-0", v), -EINVAL);
	assert_int_equal(usbip_server_add_device(&srv, "1-128", v), -EINVAL);
	assert_int_equal(usbip_server_add_device(&srv, "1-1.2", v), -EINVAL);
	assert_int_equal(usbip_server_add_device(&srv, "1-3", NULL), -EINVAL);
	for (int i = 3; i <= USBIP_MAX_DEVICES; i++) {
		snprintf(id, sizeof(id), "1-%d", i);
		assert_int_equal(usbip_server_add_device(&srv, id, &vudc2), 0);
	}
	assert_int_equal(usbip_server_add_device(&srv, "2-1", v), -ENOSPC);
	assert_int_equal(usbip_server_init(&(struct usbip_server){0}, -1), -EINVAL);

	assert_true(usbip_listen("not an address", 0) < 0);
	fd = usbip_listen(NULL, 0);
	assert_true(fd >= 0);
	{
		int one = 0;
		socklen_t l = sizeof(one);

		assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, &l), 0);
		assert_true(one != 0);
	}
	close(fd);
}

/* ------------------------------------------------- hand-off mode (a hub) */

static int hub_fd = -1;     /* the hub's end of the socketpair */
static int hub_listen = -1; /* the hub's TCP listener, the server has none */

static int setup_handoff(void **state)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int sv[2];
	uint8_t ready = 0;

	(void)state;
	memset(&vendor, 0, sizeof(vendor));
	vendor.cls.ops = &vendor_ops;
	bind_device(&dev1, &vudc1, &desc1);
	bind_device(&dev2, &vudc2, &desc2);

	hub_listen = usbip_listen("127.0.0.1", 0);
	assert_true(hub_listen >= 0);
	assert_int_equal(getsockname(hub_listen, (struct sockaddr *)&a, &al), 0);
	port = ntohs(a.sin_port);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	hub_fd = sv[0];
	listen_fd = sv[1];
	assert_int_equal(usbip_server_init(&srv, listen_fd), 0);
	assert_true(srv.handoff);
	/* The server said it is ready for connections. */
	assert_int_equal(recv(hub_fd, &ready, 1, MSG_DONTWAIT), 1);
	assert_int_equal(ready, USBIP_HANDOFF_READY);
	loglen = 0;
	logbuf[0] = '\0';
	usbip_server_set_log(&srv, capture_log, NULL);
	assert_int_equal(usbip_server_add_device(&srv, "1-1", &vudc1), 0);
	assert_int_equal(usbip_server_add_device(&srv, "1-2", &vudc2), 0);
	return 0;
}

static int teardown_handoff(void **state)
{
	(void)state;
	usbip_server_close(&srv);
	close(listen_fd);
	if (hub_fd >= 0)
		close(hub_fd);
	close(hub_listen);
	hub_fd = hub_listen = -1;
	return 0;
}

/* The hub's part: accept a client, peek its first request, hand it over. */
static int hub_connect_and_hand_over(const void *req, size_t n, int *client)
{
	uint8_t peek[64];
	int fd, c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	int64_t end = now_ms() + 3000;
	ssize_t got = 0;

	assert_true(c >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	cli_send(c, req, n);
	fd = accept(hub_listen, NULL, NULL);
	assert_true(fd >= 0);
	while (got < (ssize_t)n && now_ms() < end)
		got = recv(fd, peek, n, MSG_PEEK);
	assert_int_equal(got, (ssize_t)n);
	assert_memory_equal(peek, req, n);
	assert_int_equal(usbip_handoff_send(hub_fd, fd), 0);
	close(fd); /* the server has its own copy now */
	*client = c;
	return c;
}

static void test_handoff_import_and_urbs(void **state)
{
	uint8_t req[40] = {0}, rep[8], rec[USBIP_DEV_RECORD_SIZE];
	int c;

	(void)state;
	op_header(req, USBIP_VERSION, USBIP_OP_REQ_IMPORT);
	strcpy((char *)req + 8, "1-1");
	hub_connect_and_hand_over(req, sizeof(req), &c);
	/* The server reads the request the hub only peeked at. */
	assert_true(cli_recv(c, rep, sizeof(rep)));
	assert_int_equal(be16(rep + 2), USBIP_OP_REP_IMPORT);
	assert_int_equal(be32(rep + 4), 0);
	assert_true(cli_recv(c, rec, sizeof(rec)));
	assert_string_equal((char *)rec + 256, "1-1");
	assert_true(usbip_server_is_imported(&srv, "1-1"));
	get_device_descriptor(c, 1);
	set_configuration(c, 2, 1);
	assert_true(log_has("(handed over)"));
	assert_true(log_has("(127.0.0.1:")); /* the real peer, not the hub */
	close(c);
	pump(20);
	assert_false(usbip_server_is_imported(&srv, "1-1"));
}

static void test_handoff_devlist_over_socketpair(void **state)
{
	uint8_t req[8], rep[12], rec[USBIP_DEV_RECORD_SIZE + 4];
	int sv[2];

	(void)state;
	/* How the hub collects a device list: a fresh socketpair per server. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(usbip_handoff_send(hub_fd, sv[1]), 0);
	close(sv[1]);
	op_header(req, USBIP_VERSION, USBIP_OP_REQ_DEVLIST);
	cli_send(sv[0], req, sizeof(req));
	assert_true(cli_recv(sv[0], rep, sizeof(rep)));
	assert_int_equal(be16(rep + 2), USBIP_OP_REP_DEVLIST);
	assert_int_equal(be32(rep + 8), 2);
	assert_true(cli_recv(sv[0], rec, sizeof(rec)));
	assert_string_equal((char *)rec + 256, "1-1");
	assert_true(cli_recv(sv[0], rec, sizeof(rec)));
	assert_string_equal((char *)rec + 256, "1-2");
	assert_true(cli_closed(sv[0]));
	close(sv[0]);
	assert_true(log_has("(local): devlist: 2 devices"));
}

static void test_handoff_several_and_busy(void **state)
{
	uint8_t req[40] = {0}, rep[8];
	int c1, c2;

	(void)state;
	op_header(req, USBIP_VERSION, USBIP_OP_REQ_IMPORT);
	strcpy((char *)req + 8, "1-2");
	hub_connect_and_hand_over(req, sizeof(req), &c1);
	hub_connect_and_hand_over(req, sizeof(req), &c2);
	assert_true(cli_recv(c1, rep, sizeof(rep)));
	assert_int_equal(be32(rep + 4), 0);
	assert_true(cli_recv(c2, rep, sizeof(rep)));
	assert_int_equal(be32(rep + 4), USBIP_ST_DEV_BUSY);
	assert_true(cli_closed(c2));
	close(c1);
	close(c2);
}

static void test_handoff_foreign_message_dropped(void **state)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	uint8_t tag = 'X', b;
	struct iovec iov = {.iov_base = &tag, .iov_len = 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = cm.buf,
			   .msg_controllen = sizeof(cm.buf)};
	struct cmsghdr *h;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(&cm, 0, sizeof(cm));
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &sv[1], sizeof(int));
	assert_int_equal(sendmsg(hub_fd, &m, 0), 1);
	close(sv[1]);
	/* Not a connection: the server closes the descriptor it got. */
	assert_true(cli_closed(sv[0]));
	close(sv[0]);
	assert_true(recv(hub_fd, &b, 1, MSG_DONTWAIT) < 0);
	/* and the server still serves */
	{
		int sp[2];
		uint8_t req[8], rep[12];

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
		assert_int_equal(usbip_handoff_send(hub_fd, sp[1]), 0);
		close(sp[1]);
		op_header(req, USBIP_VERSION, USBIP_OP_REQ_DEVLIST);
		cli_send(sp[0], req, sizeof(req));
		assert_true(cli_recv(sp[0], rep, sizeof(rep)));
		assert_int_equal(be32(rep + 8), 2);
		close(sp[0]);
	}
}

static void test_handoff_hub_gone(void **state)
{
	(void)state;
	close(hub_fd);
	hub_fd = -1;
	assert_int_equal(usbip_server_poll(&srv, 100), -EPIPE);
	assert_true(log_has("closed by the hub"));
}

static void test_handoff_api(void **state)
{
	struct usbip_server s2;
	int sv[2];

	(void)state;
	assert_int_equal(usbip_handoff_send(-1, 0), -EINVAL);
	assert_int_equal(usbip_handoff_send(hub_fd, -1), -EINVAL);
	/* A listening server is not in hand-off mode. */
	assert_int_equal(usbip_server_init(&s2, hub_listen), 0);
	assert_false(s2.handoff);
	/* A hub that has already gone. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	close(sv[0]);
	assert_int_equal(usbip_server_init(&s2, sv[1]), -EPIPE);
	/* Sending to a server that has gone. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	close(sv[1]);
	assert_int_equal(usbip_handoff_send(sv[0], hub_listen), -EPIPE);
	close(sv[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_devlist),
		T(test_import_get_descriptor),
		T(test_config_descriptor_and_strings),
		T(test_stall_gives_epipe),
		T(test_seqnum_echo_pipelined),
		T(test_control_data_stages),
		T(test_set_configuration_reaches_device),
		T(test_bulk_nak_retry_and_unlink),
		T(test_backpressure_when_queue_full),
		T(test_second_importer_refused),
		T(test_reimport_after_importer_leaves),
		T(test_device_driven_disconnect),
		T(test_remove_device),
		T(test_partial_reads),
		T(test_hostile_op_phase),
		T(test_hostile_urbs),
		T(test_oversized_transfers_rejected),
		T(test_too_many_connections),
		T(test_peer_not_reading),
		T(test_random_garbage),
		T(test_api_errors),
#undef T
		cmocka_unit_test_setup_teardown(test_dfu_oversized_request_stalls, setup_dfu,
						teardown),
#define H(f) cmocka_unit_test_setup_teardown(f, setup_handoff, teardown_handoff)
		H(test_handoff_import_and_urbs),
		H(test_handoff_devlist_over_socketpair),
		H(test_handoff_several_and_busy),
		H(test_handoff_foreign_message_dropped),
		H(test_handoff_hub_gone),
		H(test_handoff_api),
#undef H
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
