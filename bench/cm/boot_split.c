/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bootloader-bench (bench/cm/CMakeLists.txt): the emulated board's bootloader
 * with its crypto calls timed. The link wraps (-Wl,--wrap) the mbedTLS entry
 * points that src/image calls and the port's last call before the jump; each
 * wrapper reads the FPGA counter around the real call. Before the jump one
 * console line reports the sums in counter ticks (25 MHz on mps2-an386,
 * 20 MHz on mps2-an505: 40 or 50 instructions under -icount shift=0) and the
 * stack's high-water mark found in the RAM that start-up painted
 * (DFUKIT_STACK_PAINT). bench/cm/boot-instructions.sh reads the line.
 */
#include <stddef.h>
#include <stdint.h>

#include "boot_port.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/ecp.h"
#include "mbedtls/rsa.h"
#include "mbedtls/sha256.h"
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

/*
 * Only the outermost wrapped call is timed: RSA-PSS hashes with SHA-256
 * itself (MGF1, H'), and those calls belong to the signature, not to the
 * image hash.
 */
static uint32_t depth;

static uint32_t timed_begin(void)
{
	depth++;
	return now();
}

static int timed_end(enum part p, uint32_t start, int rc)
{
	uint32_t t = now();
	if (--depth == 0u) {
		ticks[p] += t - start;
		calls[p]++;
	}
	return rc;
}

/*
 * The real functions. Strong references: a weak one would not pull the
 * function's object out of the mbedTLS archive. Only the signature types the
 * build verifies are wrapped (BENCH_RSA, BENCH_ECDSA from bench/cm/CMakeLists.txt).
 */
#define REAL(ret, name, ...)                                                                       \
	ret __real_##name(__VA_ARGS__);                                                            \
	ret __wrap_##name(__VA_ARGS__);

REAL(int, mbedtls_sha256_starts_ret, mbedtls_sha256_context *ctx, int is224)
REAL(int, mbedtls_sha256_update_ret, mbedtls_sha256_context *ctx, const unsigned char *in, size_t n)
REAL(int, mbedtls_sha256_finish_ret, mbedtls_sha256_context *ctx, unsigned char out[32])
REAL(int, mbedtls_sha256_ret, const unsigned char *in, size_t n, unsigned char out[32], int is224)
#ifdef BENCH_ECDSA
REAL(int, mbedtls_ecp_group_load, mbedtls_ecp_group *grp, mbedtls_ecp_group_id id)
REAL(int, mbedtls_ecp_point_read_binary, const mbedtls_ecp_group *grp, mbedtls_ecp_point *pt,
     const unsigned char *buf, size_t len)
REAL(int, mbedtls_ecp_check_pubkey, const mbedtls_ecp_group *grp, const mbedtls_ecp_point *pt)
REAL(int, mbedtls_ecdsa_read_signature, mbedtls_ecdsa_context *ctx, const unsigned char *hash,
     size_t hlen, const unsigned char *sig, size_t slen)
#endif
#ifdef BENCH_RSA
REAL(int, mbedtls_rsa_import, mbedtls_rsa_context *ctx, const mbedtls_mpi *n, const mbedtls_mpi *p,
     const mbedtls_mpi *q, const mbedtls_mpi *d, const mbedtls_mpi *e)
REAL(int, mbedtls_rsa_complete, mbedtls_rsa_context *ctx)
REAL(int, mbedtls_rsa_check_pubkey, const mbedtls_rsa_context *ctx)
REAL(int, mbedtls_rsa_rsassa_pss_verify_ext, mbedtls_rsa_context *ctx,
     int (*f_rng)(void *, unsigned char *, size_t), void *p_rng, int mode, mbedtls_md_type_t md_alg,
     unsigned int hashlen, const unsigned char *hash, mbedtls_md_type_t mgf1_hash_id,
     int expected_salt_len, const unsigned char *sig)
#endif
REAL(void, boot_port_before_jump, struct boot_port *port)

int __wrap_mbedtls_sha256_starts_ret(mbedtls_sha256_context *ctx, int is224)
{
	uint32_t t = timed_begin();
	return timed_end(PART_SHA256, t, __real_mbedtls_sha256_starts_ret(ctx, is224));
}

int __wrap_mbedtls_sha256_update_ret(mbedtls_sha256_context *ctx, const unsigned char *in, size_t n)
{
	uint32_t t = timed_begin();
	return timed_end(PART_SHA256, t, __real_mbedtls_sha256_update_ret(ctx, in, n));
}

int __wrap_mbedtls_sha256_finish_ret(mbedtls_sha256_context *ctx, unsigned char out[32])
{
	uint32_t t = timed_begin();
	return timed_end(PART_SHA256, t, __real_mbedtls_sha256_finish_ret(ctx, out));
}

int __wrap_mbedtls_sha256_ret(const unsigned char *in, size_t n, unsigned char out[32], int is224)
{
	uint32_t t = timed_begin();
	return timed_end(PART_SHA256, t, __real_mbedtls_sha256_ret(in, n, out, is224));
}

#ifdef BENCH_ECDSA
int __wrap_mbedtls_ecp_group_load(mbedtls_ecp_group *grp, mbedtls_ecp_group_id id)
{
	uint32_t t = timed_begin();
	return timed_end(PART_KEY, t, __real_mbedtls_ecp_group_load(grp, id));
}

int __wrap_mbedtls_ecp_point_read_binary(const mbedtls_ecp_group *grp, mbedtls_ecp_point *pt,
					 const unsigned char *buf, size_t len)
{
	uint32_t t = timed_begin();
	return timed_end(PART_KEY, t, __real_mbedtls_ecp_point_read_binary(grp, pt, buf, len));
}

int __wrap_mbedtls_ecp_check_pubkey(const mbedtls_ecp_group *grp, const mbedtls_ecp_point *pt)
{
	uint32_t t = timed_begin();
	return timed_end(PART_KEY, t, __real_mbedtls_ecp_check_pubkey(grp, pt));
}

int __wrap_mbedtls_ecdsa_read_signature(mbedtls_ecdsa_context *ctx, const unsigned char *hash,
					size_t hlen, const unsigned char *sig, size_t slen)
{
	uint32_t t = timed_begin();
	return timed_end(PART_VERIFY, t,
			 __real_mbedtls_ecdsa_read_signature(ctx, hash, hlen, sig, slen));
}

#endif

#ifdef BENCH_RSA
int __wrap_mbedtls_rsa_import(mbedtls_rsa_context *ctx, const mbedtls_mpi *n, const mbedtls_mpi *p,
			      const mbedtls_mpi *q, const mbedtls_mpi *d, const mbedtls_mpi *e)
{
	uint32_t t = timed_begin();
	return timed_end(PART_KEY, t, __real_mbedtls_rsa_import(ctx, n, p, q, d, e));
}

int __wrap_mbedtls_rsa_complete(mbedtls_rsa_context *ctx)
{
	uint32_t t = timed_begin();
	return timed_end(PART_KEY, t, __real_mbedtls_rsa_complete(ctx));
}

int __wrap_mbedtls_rsa_check_pubkey(const mbedtls_rsa_context *ctx)
{
	uint32_t t = timed_begin();
	return timed_end(PART_KEY, t, __real_mbedtls_rsa_check_pubkey(ctx));
}

int __wrap_mbedtls_rsa_rsassa_pss_verify_ext(mbedtls_rsa_context *ctx,
					     int (*f_rng)(void *, unsigned char *, size_t),
					     void *p_rng, int mode, mbedtls_md_type_t md_alg,
					     unsigned int hashlen, const unsigned char *hash,
					     mbedtls_md_type_t mgf1_hash_id, int expected_salt_len,
					     const unsigned char *sig)
{
	uint32_t t = timed_begin();
	return timed_end(PART_VERIFY, t,
			 __real_mbedtls_rsa_rsassa_pss_verify_ext(ctx, f_rng, p_rng, mode, md_alg,
								  hashlen, hash, mgf1_hash_id,
								  expected_salt_len, sig));
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
