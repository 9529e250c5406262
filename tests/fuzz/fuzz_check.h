/* SPDX-License-Identifier: Apache-2.0 */
/* What the libFuzzer harnesses share: invariant checks and their marking. */
#ifndef DFUKIT_FUZZ_CHECK_H
#define DFUKIT_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

/* A violated invariant is a finding: abort() so libFuzzer keeps the input. */
#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, __LINE__,      \
				#cond);                                                          \
			abort();                                                                 \
		}                                                                                \
	} while (0)

/*
 * The harness's own checks are not code under test: uninstrumented, they do
 * not feed coverage noise back to libFuzzer, and instrumented they were a
 * third to a half of the run time.
 */
#define HARNESS_ONLY __attribute__((no_sanitize("coverage"), noinline))

#endif /* DFUKIT_FUZZ_CHECK_H */
