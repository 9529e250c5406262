/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal Cortex-M start-up for link-only firmware: a vector table with the
 * initial stack pointer and the reset handler, .data copied from flash and
 * .bss cleared, then main(). Every other exception parks in a loop.
 */
#include <stdint.h>
#include <string.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);
void Reset_Handler(void);

static void park(void)
{
	for (;;) {
	}
}

void Reset_Handler(void)
{
	memcpy(&_sdata, &_sidata, (size_t)((uintptr_t)&_edata - (uintptr_t)&_sdata));
	memset(&_sbss, 0, (size_t)((uintptr_t)&_ebss - (uintptr_t)&_sbss));
	(void)main();
	park();
}

/* Initial SP, reset, NMI, HardFault, MemManage, BusFault, UsageFault. */
__attribute__((section(".isr_vector"), used)) static void (*const vectors[])(void) = {
	(void (*)(void))(uintptr_t)&_estack, Reset_Handler, park, park, park, park, park,
};
