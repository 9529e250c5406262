/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bootloader-bench (bench/cm/CMakeLists.txt): the emulated board's bootloader
 * with its crypto calls timed. The link wraps (-Wl,--wrap) the crypto seam
 * that src/image/image.c calls (image_crypto.h: image_sha256_*,
 * image_crypto_verify; the same for every DFUKIT_CRYPTO backend), mbedTLS's
 * key loading inside the verification (BENCH_MBEDTLS_*), and the port's last
 * call before the jump; each wrapper reads the FPGA counter around the real
 * call. Before the jump one console line reports the sums in counter ticks
 * (25 MHz on mps2-an386, 20 MHz on mps2-an505: 40 or 50 instructions under
 * -icount shift=0) and the stack's high-water mark found in the RAM that
 * start-up painted (DFUKIT_STACK_PAINT). bench/cm/boot-instructions.sh reads
 * the line.
 */
#include <stddef.h>
#include <stdint.h>

#include "boot_port.h"
#include "image_crypto.h"
#if defined(BENCH_MBEDTLS_ECDSA) || defined(BENCH_MBEDTLS_RSA)
#include "mbedtls/ecp.h"
#include "mbedtls/rsa.h"
#endif
#include "mps2.h"
#include "stack_mark.h"
#include "uart.h"

enum part { PART_SHA256, PART_KEY, PART_VERIFY, PART_COUNT };
static uint32_t ticks[PART_COUNT];
static uint32_t calls[PART_COUNT];

static uint32_t now(void)
{
	return MPS2_FPGAIO_COUNTER;
}

/* The image hash and the signature check: separate calls of image.c. */
static int timed(enum part p, uint32_t start, int rc)
{
	ticks[p] += now() - start;
	calls[p]++;
	return rc;
}

/*
 * The real functions. Strong references: a weak one would not pull the
 * function's object out of its archive.
 */
#define REAL(ret, name, ...)                                                                       \
	ret __real_##name(__VA_ARGS__);                                                            \
	ret __wrap_##name(__VA_ARGS__);

REAL(int, image_sha256_start, struct image_sha256 *s)
REAL(int, image_sha256_update, struct image_sha256 *s, const void *data, size_t len)
REAL(int, image_sha256_finish, struct image_sha256 *s, uint8_t out[32])
REAL(enum dfukit_image_status, image_crypto_verify, uint16_t sig_type,
     const struct dfukit_image_key *key, const uint8_t hash[32], const uint8_t *sig,
     uint32_t sig_len)
REAL(void, boot_port_before_jump, struct boot_port *port)

int __wrap_image_sha256_start(struct image_sha256 *s)
{
	uint32_t t = now();
	return timed(PART_SHA256, t, __real_image_sha256_start(s));
}

int __wrap_image_sha256_update(struct image_sha256 *s, const void *data, size_t len)
{
	uint32_t t = now();
	return timed(PART_SHA256, t, __real_image_sha256_update(s, data, len));
}

int __wrap_image_sha256_finish(struct image_sha256 *s, uint8_t out[32])
{
	uint32_t t = now();
	return timed(PART_SHA256, t, __real_image_sha256_finish(s, out));
}

enum dfukit_image_status __wrap_image_crypto_verify(uint16_t sig_type,
						    const struct dfukit_image_key *key,
						    const uint8_t hash[32], const uint8_t *sig,
						    uint32_t sig_len)
{
	uint32_t t = now();
	return (enum dfukit_image_status)timed(
		PART_VERIFY, t, (int)__real_image_crypto_verify(sig_type, key, hash, sig, sig_len));
}

/*
 * The key's loading, timed inside the signature check (it is part of it);
 * only the outermost of these calls counts.
 */
#if defined(BENCH_MBEDTLS_ECDSA) || defined(BENCH_MBEDTLS_RSA)
static uint32_t key_depth;

static uint32_t key_begin(void)
{
	key_depth++;
	return now();
}

static int key_end(uint32_t start, int rc)
{
	uint32_t t = now();
	if (--key_depth == 0u) {
		ticks[PART_KEY] += t - start;
		calls[PART_KEY]++;
	}
	return rc;
}
#endif

/* mbedTLS's key loading (BearSSL's is one call through its P-256 vtable: not wrapped). */
#ifdef BENCH_MBEDTLS_ECDSA
REAL(int, mbedtls_ecp_group_load, mbedtls_ecp_group *grp, mbedtls_ecp_group_id id)
REAL(int, mbedtls_ecp_point_read_binary, const mbedtls_ecp_group *grp, mbedtls_ecp_point *pt,
     const unsigned char *buf, size_t len)
REAL(int, mbedtls_ecp_check_pubkey, const mbedtls_ecp_group *grp, const mbedtls_ecp_point *pt)

int __wrap_mbedtls_ecp_group_load(mbedtls_ecp_group *grp, mbedtls_ecp_group_id id)
{
	uint32_t t = key_begin();
	return key_end(t, __real_mbedtls_ecp_group_load(grp, id));
}

int __wrap_mbedtls_ecp_point_read_binary(const mbedtls_ecp_group *grp, mbedtls_ecp_point *pt,
					 const unsigned char *buf, size_t len)
{
	uint32_t t = key_begin();
	return key_end(t, __real_mbedtls_ecp_point_read_binary(grp, pt, buf, len));
}

int __wrap_mbedtls_ecp_check_pubkey(const mbedtls_ecp_group *grp, const mbedtls_ecp_point *pt)
{
	uint32_t t = key_begin();
	return key_end(t, __real_mbedtls_ecp_check_pubkey(grp, pt));
}
#endif

#ifdef BENCH_MBEDTLS_RSA
REAL(int, mbedtls_rsa_import, mbedtls_rsa_context *ctx, const mbedtls_mpi *n, const mbedtls_mpi *p,
     const mbedtls_mpi *q, const mbedtls_mpi *d, const mbedtls_mpi *e)
REAL(int, mbedtls_rsa_complete, mbedtls_rsa_context *ctx)
REAL(int, mbedtls_rsa_check_pubkey, const mbedtls_rsa_context *ctx)

int __wrap_mbedtls_rsa_import(mbedtls_rsa_context *ctx, const mbedtls_mpi *n, const mbedtls_mpi *p,
			      const mbedtls_mpi *q, const mbedtls_mpi *d, const mbedtls_mpi *e)
{
	uint32_t t = key_begin();
	return key_end(t, __real_mbedtls_rsa_import(ctx, n, p, q, d, e));
}

int __wrap_mbedtls_rsa_complete(mbedtls_rsa_context *ctx)
{
	uint32_t t = key_begin();
	return key_end(t, __real_mbedtls_rsa_complete(ctx));
}

int __wrap_mbedtls_rsa_check_pubkey(const mbedtls_rsa_context *ctx)
{
	uint32_t t = key_begin();
	return key_end(t, __real_mbedtls_rsa_check_pubkey(ctx));
}
#endif

static void put_dec(const struct mps2_uart *u, uint32_t v)
{
	char buf[11];
	uint32_t i = sizeof(buf);
	do {
		buf[--i] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v != 0u && i > 0u);
	mps2_uart_write(u, &buf[i], (uint32_t)sizeof(buf) - i);
}

static void put_field(const struct mps2_uart *u, const char *name, uint32_t v)
{
	mps2_uart_puts(u, name);
	put_dec(u, v);
}

void __wrap_boot_port_before_jump(struct boot_port *port)
{
	const struct mps2_uart *u = &port->console;
	uint32_t used = bench_stack_used(); /* before this function's own frame can matter */
	mps2_uart_puts(u, "boot-bench: ticks");
	put_field(u, " sha256=", ticks[PART_SHA256]);
	put_field(u, " sha256_calls=", calls[PART_SHA256]);
	put_field(u, " key=", ticks[PART_KEY]);
	put_field(u, " verify=", ticks[PART_VERIFY]);
	put_field(u, " verify_calls=", calls[PART_VERIFY]);
	put_field(u, " stack_bytes=", used);
	put_field(u, " painted_bytes=", bench_stack_painted());
	mps2_uart_puts(u, "\n");
	__real_boot_port_before_jump(port);
}
