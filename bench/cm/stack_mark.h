/* SPDX-License-Identifier: Apache-2.0 */
/* The stack's high-water mark in RAM that start-up painted (DFUKIT_STACK_PAINT). */
#ifndef DFUKIT_BENCH_STACK_MARK_H
#define DFUKIT_BENCH_STACK_MARK_H

#include <stdint.h>

#ifndef DFUKIT_STACK_PAINT
#error "the stack mark needs the painted stack (DFUKIT_STACK_PAINT)"
#endif

extern uint32_t _ebss, _estack;

/* Bytes below _estack down to the lowest word the paint no longer holds. */
static inline uint32_t bench_stack_used(void)
{
	const volatile uint32_t *p = &_ebss;
	while (p < &_estack && *p == DFUKIT_STACK_PAINT) {
		p++;
	}
	return (uint32_t)((uintptr_t)&_estack - (uintptr_t)p);
}

/* Bytes start-up painted: all the stack could have grown into. */
static inline uint32_t bench_stack_painted(void)
{
	return (uint32_t)((uintptr_t)&_estack - (uintptr_t)&_ebss);
}

#endif
