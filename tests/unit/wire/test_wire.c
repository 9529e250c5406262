/* SPDX-License-Identifier: Apache-2.0 */
/* dfukit/wire.h: each helper against bytes written out by hand, and round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/wire.h"

static const uint8_t bytes[4] = {0x12, 0x34, 0x56, 0x78};

static void test_get(void **state)
{
	(void)state;
	assert_int_equal(wire_get_le16(bytes), 0x3412);
	assert_int_equal(wire_get_be16(bytes), 0x1234);
	assert_int_equal(wire_get_le32(bytes), 0x78563412u);
	assert_int_equal(wire_get_be32(bytes), 0x12345678u);
}

static void test_put(void **state)
{
	uint8_t b[4];
	(void)state;
	memset(b, 0, sizeof(b));
	wire_put_le16(b, 0x3412);
	assert_memory_equal(b, bytes, 2);
	wire_put_be16(b, 0x1234);
	assert_memory_equal(b, bytes, 2);
	wire_put_le32(b, 0x78563412u);
	assert_memory_equal(b, bytes, 4);
	wire_put_be32(b, 0x12345678u);
	assert_memory_equal(b, bytes, 4);
	memset(b, 0xaa, sizeof(b));
	wire_put_le24(b, 0xff563412u); /* the top byte is not written */
	assert_memory_equal(b, bytes, 3);
	assert_int_equal(b[3], 0xaa);
}

/* The top bit of every byte survives (no sign extension through int promotion). */
static void test_high_bits(void **state)
{
	static const uint8_t ff[4] = {0xff, 0xfe, 0x80, 0x81};
	uint8_t b[4];
	(void)state;
	assert_int_equal(wire_get_le16(ff), 0xfeffu);
	assert_int_equal(wire_get_be16(ff), 0xfffeu);
	assert_int_equal(wire_get_le32(ff), 0x8180feffu);
	assert_int_equal(wire_get_be32(ff), 0xfffe8081u);
	wire_put_le32(b, wire_get_le32(ff));
	assert_memory_equal(b, ff, 4);
	wire_put_be32(b, wire_get_be32(ff));
	assert_memory_equal(b, ff, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_high_bits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
