/* SPDX-License-Identifier: Apache-2.0 */
/* Board profiles as data. Sources for every number: boards/README.md. */
#include <dfukit/board_profile.h>

#include <errno.h>
#include <string.h>

const struct board_profile board_reel_board = {
	.id = "reel_board",
	.zephyr_board = "reel_board@1/nrf52840",
	.soc = "nrf52840",
	.usb_manufacturer = "ZEPHYR",
	.usb_product = "Zephyr DFU sample",
	.flash_base = 0x00000000u,
	.flash =
		{
			.size = 0x100000u, /* 1 MiB, nRF52840 QIAA */
			.write_block = 4u,
			.erased_val = 0xFFu,
			.sector_size = 0x1000u, /* 4 KiB page */
		},
	/* tERASEPAGE 85 ms, tWRITE 41 us per 32-bit word (datasheet max) */
	.timing = {.erase_us = 85000u, .write_us = 41u},
	.sim_flags = 0u,
	.boot = {"mcuboot", 0x00000u, 0x0C000u},
	.slot0 = {"image-0", 0x0C000u, 0x76000u},
	.slot1 = {"image-1", 0x82000u, 0x76000u},
	.storage = {"storage", 0xF8000u, 0x08000u},
	.chainload_offset = 0x0C000u,
	/* SRAM 256 KiB at 0x20000000; the first 64 KiB stay the bootloader's */
	.exec_ram_addr = 0x20010000u,
	.exec_ram_size = 0x30000u,
};

const struct board_profile board_nucleo_u575zi_q = {
	.id = "nucleo_u575zi_q",
	.zephyr_board = "nucleo_u575zi_q/stm32u575xx",
	.soc = "stm32u575xx",
	.usb_manufacturer = "ZEPHYR",
	.usb_product = "Zephyr DFU sample",
	.flash_base = 0x08000000u,
	.flash =
		{
			.size = 0x200000u,  /* 2 MiB, STM32U575ZI */
			.write_block = 16u, /* quad-word */
			.erased_val = 0xFFu,
			.sector_size = 0x2000u, /* 8 KiB page */
		},
	/* page erase 1.5 ms, quad-word program 118 us (see README: unconfirmed) */
	.timing = {.erase_us = 1500u, .write_us = 118u},
	/* ECC: a quad-word can be programmed once per erase */
	.sim_flags = FLASH_SIM_F_WRITE_ONCE,
	.boot = {"mcuboot", 0x000000u, 0x010000u},
	.slot0 = {"image-0", 0x010000u, 0x0E8000u},
	.slot1 = {"image-1", 0x0F8000u, 0x0E8000u},
	.storage = {NULL, 0u, 0u},
	.chainload_offset = 0x010000u,
	/* SRAM1-3, 768 KiB at 0x20000000; the first 64 KiB stay the bootloader's */
	.exec_ram_addr = 0x20010000u,
	.exec_ram_size = 0xB0000u,
};

const struct board_profile *const board_profiles[] = {
	&board_reel_board,
	&board_nucleo_u575zi_q,
	NULL,
};

const struct board_profile *board_profile_find(const char *name)
{
	if (name == NULL) {
		return NULL;
	}
	for (size_t i = 0; board_profiles[i] != NULL; i++) {
		const struct board_profile *bp = board_profiles[i];

		if (strcmp(bp->id, name) == 0 || strcmp(bp->zephyr_board, name) == 0) {
			return bp;
		}
	}
	return NULL;
}

int board_profile_slots(const struct board_profile *bp, const struct flash_dev *dev,
			struct flash_area *slot0, struct flash_area *slot1)
{
	int rc = 0;

	if (bp == NULL || dev == NULL || dev->geo->size != bp->flash.size) {
		return -EINVAL;
	}
	if (slot0 != NULL) {
		rc = flash_area_init(slot0, dev, bp->slot0.off, bp->slot0.size);
	}
	if (rc == 0 && slot1 != NULL) {
		rc = flash_area_init(slot1, dev, bp->slot1.off, bp->slot1.size);
	}
	return rc;
}
