/* SPDX-License-Identifier: Apache-2.0 */
/* What the libFuzzer harnesses share: invariant checks, their marking, input bytes. */
#ifndef DFUKIT_FUZZ_CHECK_H
#define DFUKIT_FUZZ_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A violated invariant is a finding: abort() so libFuzzer keeps the input. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, __LINE__,     \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/*
 * The harness's own checks are not code under test: uninstrumented, they do
 * not feed coverage noise back to libFuzzer, and instrumented they were a
 * third to a half of the run time.
 */
#define HARNESS_ONLY __attribute__((no_sanitize("coverage"), noinline))

/* The input, read a byte at a time: take() is false once it is used up. */
struct in {
	const uint8_t *p;
	size_t n;
};

static inline bool take(struct in *in, uint8_t *b)
{
	if (in->n == 0) {
		return false;
	}
	*b = *in->p++;
	in->n--;
	return true;
}

#endif /* DFUKIT_FUZZ_CHECK_H */
