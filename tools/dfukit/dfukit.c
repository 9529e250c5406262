/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit: one command for the tools, git-style. "dfukit board ..." runs
 * dfukit-board from the same directory, "dfukit image ..." dfukit-image.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: dfukit COMMAND [ARGS...]\n"
		   "\n"
		   "commands:\n"
		   "  board   run a virtual board, press its reset button, stop it\n"
		   "  image   sign, verify and inspect MCUboot images (imgtool-compatible)\n"
		   "\n"
		   "'dfukit COMMAND --help' tells more.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "board") != 0 && strcmp(argv[1], "image") != 0) {
		fprintf(stderr, "dfukit: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		perror("dfukit: /proc/self/exe");
		return 1;
	}
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/dfukit-%s", self, argv[1]);
	argv[1] = path;
	execv(path, &argv[1]);
	fprintf(stderr, "dfukit: cannot run %s: %s\n", path, strerror(errno));
	return 1;
}
