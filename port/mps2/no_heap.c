/* SPDX-License-Identifier: Apache-2.0 */
/*
 * newlib-nano's printf family links against _sbrk (its reentrancy layer can
 * allocate); dfukit firmware has no heap, so every request fails. The
 * formatting into a caller's buffer (snprintf) never asks.
 */
#include <errno.h>
#include <stdint.h>

void *_sbrk(intptr_t increment);

void *_sbrk(intptr_t increment)
{
	(void)increment;
	errno = ENOMEM;
	return (void *)-1;
}
