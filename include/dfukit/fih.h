/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fault-injection hardening: boot decisions that one skipped instruction (a
 * voltage or clock glitch) cannot forge. tests/fih/fih.py proves it by
 * skipping every instruction of a boot, one run each.
 *
 * Three rules, and nothing else in the code depends on them:
 *
 * 1. Evidence, not flags. Each check that passes leaves a token
 *    (fih_evidence(): the token when its difference d is 0, something else
 *    otherwise). A check that is skipped, or left early through an error
 *    path, leaves no token; no code path writes a token unconditionally.
 * 2. Every piece of evidence twice. The hash comparison and the signature
 *    verification each run twice, independently, each with its own token;
 *    a skip can fool one of them, not both. The verdict is the sum of the
 *    four tokens (FIH_SUCCESS only if all four are right); no code path
 *    loads FIH_SUCCESS to store it, so skipping an arithmetic step cannot
 *    leave it behind.
 * 3. Every decision twice. FIH_REQUIRE() compares a verdict with
 *    FIH_SUCCESS (not 0/1) twice, through volatile reads the compiler cannot
 *    merge; a skipped branch falls into the second check.
 *
 * DFUKIT_FIH_OFF (cmake -DDFUKIT_FIH=OFF) keeps the tokens and the verdict
 * but drops the redundancy (one comparison, one verification, one check):
 * what the hardening costs is the difference (docs/performance.md).
 */
#ifndef DFUKIT_FIH_H
#define DFUKIT_FIH_H

#include <stdbool.h>
#include <stdint.h>

/* Decision values: neither 0 nor 1, far apart in bits. */
#define FIH_SUCCESS 0x6c3a95e5u
#define FIH_FAILURE 0x93c56a1au

/* The image checks' tokens (src/image/image.c); they sum to FIH_SUCCESS. */
#define FIH_TOKEN_HASH_A 0x2d4b17c3u
#define FIH_TOKEN_HASH_B 0x51e8a69du
#define FIH_TOKEN_SIG_A  0x7a3f0c5bu
#define FIH_TOKEN_SIG_B  (FIH_SUCCESS - FIH_TOKEN_HASH_A - FIH_TOKEN_HASH_B - FIH_TOKEN_SIG_A)

#if defined(DFUKIT_FIH_OFF)
#define FIH_REDUNDANCY 1
#else
#define FIH_REDUNDANCY 2
#endif

/*
 * token when d == 0, else another value: d times an odd constant is 0 only
 * for d == 0, so no difference can map back to the token.
 */
static inline uint32_t fih_evidence(uint32_t token, uint32_t d)
{
	return token ^ (d * 0x9e3779b1u);
}

/* Keeps the compiler from merging or reordering the checks around it. */
#define FIH_BARRIER() __asm__ volatile("" ::: "memory")

/* The verdict as stored: read anew at every check. */
#define FIH_READ(v) (*(const volatile uint32_t *)&(v))

/*
 * Evaluates on_fail (an expression that does not come back: the call of a
 * noreturn function such as a halt) unless the verdict v reads FIH_SUCCESS
 * at both checks. A macro, so that each check
 * is its own compare and branch in the caller: a skip of either branch
 * lands on the other check, and no boolean is formed that one skipped
 * branch could act on.
 */
#if FIH_REDUNDANCY > 1
#define FIH_REQUIRE(v, on_fail)                                                                    \
	do {                                                                                       \
		if (FIH_READ(v) != FIH_SUCCESS)                                                    \
			(on_fail);                                                                 \
		FIH_BARRIER();                                                                     \
		if (FIH_READ(v) != FIH_SUCCESS)                                                    \
			(on_fail);                                                                 \
		FIH_BARRIER();                                                                     \
	} while (0)
#else
#define FIH_REQUIRE(v, on_fail)                                                                    \
	do {                                                                                       \
		if (FIH_READ(v) != FIH_SUCCESS)                                                    \
			(on_fail);                                                                 \
	} while (0)
#endif

#endif /* DFUKIT_FIH_H */
