/* SPDX-License-Identifier: Apache-2.0 */
/* Zephyr's hello_world for the virtual board: the image the seed downloads to SLOT-1. */
#include <stdio.h>
#include <unistd.h>

#include "dfukit/host/board_env.h"

int main(int argc, char **argv)
{
	struct board_env env;
	(void)argc;
	if (board_env_load(&env, argv[0]) < 0) {
		return 2;
	}
	printf("*** Booting dfukit hello_world v" DFUKIT_VERSION " ***\n");
	printf("Hello World! %s\n", env.zephyr_board);
	fflush(stdout);
	for (;;) {
		pause(); /* Zephyr's main returns into an idle thread: nothing more happens */
	}
}
