/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One P-256 verification on QEMU mps2-an386 under -icount shift=0: the FPGA
 * counter (25 MHz, 40 instructions a tick) read around verify() of the
 * linked candidate (verify_*.c), then the same signature with one bit
 * flipped, which must be refused. Prints over semihosting and exits.
 * bench/cm/p256-candidates.sh builds and runs it; vec.h is its test vector.
 */
#include <stdint.h>

#include "vec.h"

int verify(const uint8_t q[64], const uint8_t h[32], const uint8_t rs[64]);

#define COUNTER        (*(volatile uint32_t *)0x40028018u)
#define INSNS_PER_TICK 40u

static int semihost(int op, const void *arg)
{
	register int r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;

	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

static void put(const char *s)
{
	semihost(0x04, s); /* SYS_WRITE0 */
}

static void put_u32(uint32_t v)
{
	char b[12];
	int i = 11;

	b[i] = '\0';
	do {
		b[--i] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v != 0u);
	put(b + i);
}

int main(void)
{
	static uint8_t flipped[64];
	uint32_t t0 = COUNTER;
	int good = verify(vec_q, vec_h, vec_rs);
	uint32_t t1 = COUNTER;

	for (unsigned i = 0; i < sizeof(flipped); i++)
		flipped[i] = vec_rs[i];
	flipped[40] ^= 1u;
	int bad = verify(vec_q, vec_h, flipped);
	put(good == 1 && bad == 0 ? "ok" : "WRONG");
	put(" instructions ");
	put_u32((t1 - t0) * INSNS_PER_TICK);
	put("\n");
	semihost(0x18, (const void *)0x20026); /* SYS_EXIT, ADP_Stopped_ApplicationExit */
	for (;;) {
	}
}

void Reset_Handler(void);
void Reset_Handler(void)
{
	main();
}

/* Initial SP and reset vector; nothing else is taken. */
__attribute__((section(".isr_vector"), used)) static const void *const vectors[] = {
	(void *)0x20010000, (void *)Reset_Handler};
