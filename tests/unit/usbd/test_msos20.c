/* SPDX-License-Identifier: Apache-2.0 */
/* MS OS 2.0 descriptors against the layouts of Microsoft's specification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfu_host.h"
#include "dfukit/dfu_ramdisk.h"
#include "dfukit/msos20.h"
#include "dfukit/sample/device.h"

#define GUID "{5AB0F1C2-8E3D-4B6A-9F21-7C4D2E9B1A63}"

static const uint8_t expected_bos[33] = {
	0x05, 0x0f, 0x21, 0x00, 0x01,                   /* BOS: 33 bytes, 1 capability */
	0x1c, 0x10, 0x05, 0x00,                         /* platform capability, 28 bytes */
	0xdf, 0x60, 0xdd, 0xd8, 0x89, 0x45, 0xc7, 0x4c, /* MS OS 2.0 platform UUID */
	0x9c, 0xd2, 0x65, 0x9d, 0x9e, 0x64, 0x8a, 0x9f,
	0x00, 0x00, 0x03, 0x06, /* dwWindowsVersion 6.3 (8.1) */
	0xa2, 0x00,             /* descriptor set: 162 bytes */
	0x20,                   /* bMS_VendorCode */
	0x00,                   /* bAltEnumCode */
};

static const uint8_t expected_set_head[40] = {
	0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x06, 0xa2, 0x00,       /* set header */
	0x14, 0x00, 0x03, 0x00, 'W',  'I',  'N',  'U',  'S',  'B',  0, 0, /* compatible ID */
	0,    0,    0,    0,    0,    0,    0,    0,                      /* sub-compatible ID */
	0x84, 0x00, 0x04, 0x00, 0x07, 0x00, 0x2a, 0x00, /* property: 132 B, REG_MULTI_SZ, name 42 B */
	'D',  0x00,
};

static void utf16(uint8_t *out, const char *s)
{
	for (size_t i = 0; i <= strlen(s); i++) {
		out[2 * i] = (uint8_t)s[i];
		out[2 * i + 1] = 0;
	}
}

static void check_set(const uint8_t *set)
{
	uint8_t name[42], guid[78];
	assert_memory_equal(set, expected_set_head, sizeof(expected_set_head));
	utf16(name, "DeviceInterfaceGUIDs");
	assert_memory_equal(set + 38, name, sizeof(name));
	assert_int_equal(set[80], 80); /* wPropertyDataLength */
	assert_int_equal(set[81], 0);
	utf16(guid, GUID);
	assert_memory_equal(set + 82, guid, sizeof(guid));
	assert_int_equal(set[160] | set[161], 0); /* the REG_MULTI_SZ's second NUL */
}

static void test_layout(void **state)
{
	(void)state;
	struct usbd_msos20 ms;
	assert_int_equal(usbd_msos20_init(&ms, 0x20, GUID), 0);
	assert_memory_equal(ms.bos, expected_bos, sizeof(expected_bos));
	check_set(ms.set);
	assert_int_equal(usbd_msos20_init(&ms, 0x20, "5AB0F1C2-8E3D-4B6A-9F21-7C4D2E9B1A63"),
			 -EINVAL);
	assert_int_equal(usbd_msos20_init(&ms, 0x20, NULL), -EINVAL);
}

static void test_over_usb(void **state)
{
	(void)state;
	static struct vudc v;
	static struct sample_device d;
	static struct dfu_ramdisk disk;
	static uint8_t mem[64], buf[64], b[255];
	static const char *const names[] = {"ramdisk0"};
	struct dfu_alt alt = {&dfu_ramdisk_ops, &disk};
	dfu_ramdisk_init(&disk, mem, sizeof(mem));
	for (int runtime = 0; runtime < 2; runtime++) {
		struct sample_params p = {.runtime = runtime,
					  .transfer_size = 64,
					  .buffer = buf,
					  .manufacturer = "m",
					  .product = "p",
					  .serial = "s",
					  .alt_names = names,
					  .alts = &alt,
					  .num_alts = 1,
					  .ms_os_20 = true};
		vudc_init(&v, &d.usbd);
		struct udc u = vudc_udc(&v);
		assert_int_equal(sample_device_init(&d, &p, &u), 0);
		assert_int_equal(usbd_enable(&d.usbd, true), 0);
		assert_int_equal(host_ctl(&v, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, b), 18);
		assert_int_equal(b[2] | b[3] << 8, 0x0210);
		/* Windows reads the BOS header, then all of it. */
		assert_int_equal(host_ctl(&v, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0f00, 0, 5, b), 5);
		assert_int_equal(host_ctl(&v, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0f00, 0, 33, b), 33);
		assert_memory_equal(b, expected_bos, sizeof(expected_bos));
		/* Then the set, with the vendor code and index the capability names. */
		assert_int_equal(host_ctl(&v, 0xc0, 0x20, 0, MSOS20_DESCRIPTOR_INDEX, 162, b), 162);
		check_set(b);
		/* Other indexes (MS OS 1.0's 4 and 5) and codes are request errors. */
		assert_int_equal(host_ctl(&v, 0xc0, 0x20, 0, 0x04, 162, b), -EPIPE);
		assert_int_equal(host_ctl(&v, 0xc0, 0x21, 0, 0x07, 162, b), -EPIPE);
		assert_int_equal(host_ctl(&v, 0x40, 0x20, 0, 0x07, 0, NULL), -EPIPE);
		assert_int_equal(host_ctl(&v, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, b), 18);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_over_usb),
	};
	return cmocka_run_group_tests_name("msos20", tests, NULL, NULL);
}
