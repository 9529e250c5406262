/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulated boards: QEMU 7.2's mps2-an386 (Cortex-M4F, the reel_board
 * profile) and mps2-an505 (Cortex-M33, nucleo_u575zi_q), as their firmware
 * sees them. Addresses are from `info mtree` of the two machines.
 *
 * Flash: the board's flash is the machine's code SSRAM (4 MiB, more than
 * either profile needs). The board process loads the flash file there before
 * reset, so code runs in place from "flash" as on the chip; writes go to the
 * memory and through semihosting to the file (flash_mps2.c).
 *
 * The an505 boots in the Secure state with its vector table at 0x10000000,
 * the Secure alias of the code SSRAM; the firmware stays Secure throughout.
 */
#ifndef DFUKIT_MPS2_H
#define DFUKIT_MPS2_H

#include <stdint.h>

/*
 * MPS2_FLASH_DATA is where the flash driver reads and writes the same memory:
 * on the an386 the code SSRAM at 0 has a mirror at 4 MiB, which keeps the
 * driver's buffer pointer from being a null pointer.
 */
#if defined(DFUKIT_MPS2_AN505)
#define MPS2_FLASH_BASE  0x10000000u
#define MPS2_FLASH_DATA  0x10000000u
#define MPS2_UART0_BASE  0x50200000u /* console */
#define MPS2_UART1_BASE  0x50201000u /* USB link to the board process */
#define MPS2_FPGAIO_BASE 0x50302000u
#else
#define MPS2_FLASH_BASE  0x00000000u
#define MPS2_FLASH_DATA  0x00400000u
#define MPS2_UART0_BASE  0x40004000u
#define MPS2_UART1_BASE  0x40005000u
#define MPS2_FPGAIO_BASE 0x40028000u
#endif
#define MPS2_FLASH_WINDOW 0x00400000u

/*
 * How the firmware ends a run; the board process reads it as QEMU's exit
 * status (semihosting SYS_EXIT). A real chip would reset or lock up instead.
 */
enum mps2_exit {
	MPS2_EXIT_RESET = 64,     /* SYSRESETREQ: the board restarts the machine */
	MPS2_EXIT_HALT = 65,      /* nothing to run: the chip would spin until reset */
	MPS2_EXIT_FAULT = 66,     /* a fault exception (logged on the console first) */
	MPS2_EXIT_POWER_CUT = 67, /* the test's power cut (flash_mps2.h "cut-at=") */
};

/*
 * The FPGA's free-running counter at the machine's SYSCLK: 25 MHz on the
 * an386, 20 MHz on the an505 (QEMU's mps2.c / mps2-tz.c). Under
 * `qemu-system-arm -icount shift=0,sleep=off` one instruction is one virtual
 * nanosecond from reset, so a tick is 40 or 50 instructions (not cycles).
 */
#define MPS2_FPGAIO_COUNTER (*(volatile uint32_t *)(MPS2_FPGAIO_BASE + 0x18u))
#if defined(DFUKIT_MPS2_AN505)
#define MPS2_COUNTER_HZ 20000000u
#else
#define MPS2_COUNTER_HZ 25000000u
#endif
#define MPS2_INSNS_PER_COUNTER_TICK (1000000000u / MPS2_COUNTER_HZ)

/* Cortex-M system registers the port touches. */
#define MPS2_SCB_VTOR  (*(volatile uint32_t *)0xE000ED08u)
#define MPS2_SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

/* Request a reset: the board restarts the machine from the flash file. */
__attribute__((noreturn)) void mps2_reset(void);
/* Stop for good (the console says why); the board powers the machine off. */
__attribute__((noreturn)) void mps2_halt(void);

#endif /* DFUKIT_MPS2_H */
