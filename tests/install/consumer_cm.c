/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Cortex-M consumer: the same consumer code linked into a bare-metal image
 * (vector table, start-up, consumer-cm.ld) against a cross install. It is only
 * linked, not run: check-install.sh looks for the libraries' code in the ELF.
 */
#include <stdint.h>
#include <string.h>

#include "consumer.h"

/* What main found, for a debugger: the loopback's bytes and the image check's errno. */
volatile int consumer_loopback_rc;
volatile int consumer_image_rc;

/* The update slot a bootloader would check; erased until an image is downloaded. */
static uint8_t slot[4096];
/* An ECDSA-P256 key's DER form is 91 bytes; the content comes with a real product. */
static const uint8_t key_der[91] = {0x30, 0x59};

int main(void);
void Reset_Handler(void);

int main(void)
{
	memset(slot, 0xff, sizeof(slot));
	consumer_loopback_rc = consumer_dfu_loopback();
	struct dfukit_image_result res;
	consumer_image_rc =
		consumer_check_image(slot, sizeof(slot), key_der, sizeof(key_der), &res);
	for (;;) {
	}
}

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;

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
}

/* Initial SP, reset, NMI, HardFault. */
__attribute__((section(".isr_vector"), used)) static void (*const vectors[])(void) = {
	(void (*)(void))(uintptr_t)&_estack,
	Reset_Handler,
	park,
	park,
};
