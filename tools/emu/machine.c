/* SPDX-License-Identifier: Apache-2.0 */
#include "machine.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Load addresses: port/mps2/mps2.h (MPS2_FLASH_BASE of each machine). */
static const struct emu_machine machines[] = {
	{"reel_board", "mps2-an386", 0x00000000u, "cortex-m4f"},
	{"nucleo_u575zi_q", "mps2-an505", 0x10000000u, "cortex-m33"},
};

const struct emu_machine *emu_machine_find(const char *board_id)
{
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
		if (board_id != NULL && strcmp(machines[i].board_id, board_id) == 0) {
			return &machines[i];
		}
	}
	return NULL;
}

void emu_machine_list(FILE *f)
{
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
		fprintf(f, "%s%s", i ? ", " : "", machines[i].board_id);
	}
}
