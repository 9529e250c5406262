/* SPDX-License-Identifier: Apache-2.0 */
/* Which QEMU machine emulates which board profile, and where its flash goes. */
#ifndef DFUKIT_EMU_MACHINE_H
#define DFUKIT_EMU_MACHINE_H

#include <stdint.h>
#include <stdio.h>

struct emu_machine {
	const char *board_id;     /* board profile id */
	const char *qemu_machine; /* qemu-system-arm -M */
	uint32_t load_addr;       /* where the flash file is loaded (the code SSRAM) */
	const char *preset;       /* the CMake preset that builds its firmware */
};

/* The machine for a board profile id, or NULL. */
const struct emu_machine *emu_machine_find(const char *board_id);

/* Print the known board ids, comma-separated, to f. */
void emu_machine_list(FILE *f);

#endif /* DFUKIT_EMU_MACHINE_H */
