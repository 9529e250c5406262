/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Board profiles: a board described as data (flash geometry, partitions,
 * names, timing). Where each number comes from is in boards/README.md.
 * Library: dfukit_boards (built from the .c files in boards/ by src/flash/CMakeLists.txt).
 */
#ifndef DFUKIT_BOARD_PROFILE_H
#define DFUKIT_BOARD_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include <dfukit/flash.h>

/* A fixed partition; offsets are relative to the flash device (not the bus). */
struct board_partition {
	const char *label;
	uint32_t off;
	uint32_t size;
};

struct board_profile {
	/* Short id used on command lines: "reel_board", "nucleo_u575zi_q". */
	const char *id;
	/* Board target as Zephyr prints it (CONFIG_BOARD_TARGET). */
	const char *zephyr_board;
	const char *soc;
	/* USB strings the virtual board presents. */
	const char *usb_manufacturer;
	const char *usb_product;
	/* Bus address of flash offset 0 (for logs only). */
	uint32_t flash_base;
	struct flash_geometry flash;
	/* Simulated erase time per sector and program time per write block. */
	struct flash_sim_timing timing;
	/* FLASH_SIM_F_* flags matching the chip (ECC write-once blocks). */
	uint32_t sim_flags;
	struct board_partition boot;
	struct board_partition slot0;
	struct board_partition slot1;
	/* size 0 when the board has no storage partition */
	struct board_partition storage;
	/* MCUboot "Bootloader chainload address offset" (= slot0 offset). */
	uint32_t chainload_offset;
	/*
	 * Ram-load's executable RAM (MCUboot's IMAGE_EXECUTABLE_RAM_START and
	 * _SIZE): bus address and size of the SRAM images are loaded into, above
	 * what the bootloader itself uses.
	 */
	uint32_t exec_ram_addr;
	uint32_t exec_ram_size;
};

/* The load address the virtual board's ram-load images are signed for (-L). */
#define BOARD_RAM_LOAD_ADDR 0x20010000u

extern const struct board_profile board_reel_board;
extern const struct board_profile board_nucleo_u575zi_q;

/* NULL-terminated list of all profiles. */
extern const struct board_profile *const board_profiles[];

/* Look a profile up by id or by Zephyr board target; NULL if unknown. */
const struct board_profile *board_profile_find(const char *name);

/*
 * Initialise the slot0/slot1 areas of a profile on dev (which must have the
 * profile's geometry). Either output may be NULL.
 */
int board_profile_slots(const struct board_profile *bp, const struct flash_dev *dev,
			struct flash_area *slot0, struct flash_area *slot1);

#endif /* DFUKIT_BOARD_PROFILE_H */
