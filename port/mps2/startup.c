/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Start-up for firmware on the emulated boards: the vector table, the FPU
 * switched on (hard-float code may use it from the first C statement), .data
 * copied and .bss cleared, then main(). A fault is reported on the console
 * and ends the run, so a test sees it instead of a silent hang.
 *
 * Built with DFUKIT_STACK_PAINT=<word> (bench variants only, bench/cm), it
 * first fills the free RAM between .bss and the stack pointer with that word,
 * so that the lowest overwritten word is the stack's high-water mark.
 */
#include <stdint.h>
#include <string.h>

#include "mps2.h"
#include "semihost.h"
#include "uart.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);
void Reset_Handler(void);
void Fault_Handler(void);

/* CP10 and CP11 (the FPU) full access. */
#define CPACR_FPU_FULL (0xFu << 20)

#ifdef DFUKIT_STACK_PAINT
/*
 * Word by word, without a call: a memset() would push its frame below the
 * stack pointer, into the range it is painting. Only [_ebss, sp) is free.
 */
static inline __attribute__((always_inline)) void paint_stack(void)
{
	uint32_t *sp;
	__asm__ volatile("mov %0, sp" : "=r"(sp));
	for (volatile uint32_t *p = &_ebss; p < sp; p++) {
		*p = DFUKIT_STACK_PAINT;
	}
}
#endif

void Reset_Handler(void)
{
#ifdef DFUKIT_STACK_PAINT
	paint_stack();
#endif
	MPS2_SCB_CPACR |= CPACR_FPU_FULL;
	__asm__ volatile("dsb\n\tisb" ::: "memory");
	memcpy(&_sdata, &_sidata, (size_t)((uintptr_t)&_edata - (uintptr_t)&_sdata));
	memset(&_sbss, 0, (size_t)((uintptr_t)&_ebss - (uintptr_t)&_sbss));
	(void)main();
	mps2_halt();
}

void Fault_Handler(void)
{
	struct mps2_uart con;
	uint32_t ipsr;
	__asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
	mps2_uart_init(&con, MPS2_UART0_BASE);
	mps2_uart_puts(&con, "\nE: fault exception ");
	mps2_uart_put_hex(&con, ipsr & 0x1FFu);
	mps2_uart_puts(&con, ", firmware stopped\n");
	mps2_uart_flush(&con);
	semihost_exit(MPS2_EXIT_FAULT);
}

void mps2_reset(void)
{
	semihost_exit(MPS2_EXIT_RESET);
}

void mps2_halt(void)
{
	semihost_exit(MPS2_EXIT_HALT);
}

/* Initial SP, reset, then NMI, HardFault, MemManage, BusFault, UsageFault, SecureFault. */
__attribute__((section(".isr_vector"), used)) static void (*const vectors[])(void) = {
	(void (*)(void))(uintptr_t)&_estack,
	Reset_Handler,
	Fault_Handler,
	Fault_Handler,
	Fault_Handler,
	Fault_Handler,
	Fault_Handler,
	Fault_Handler,
};
