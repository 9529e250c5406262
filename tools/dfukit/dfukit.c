/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit: one command for the tools, git-style. "dfukit board ..." runs
 * dfukit-board from the same directory, "dfukit image ..." dfukit-image, with
 * argv[0] set to "dfukit board" / "dfukit image" so that their usage lines and
 * errors name the command the user typed.
 *
 * Exit status: the tool's; 0 for --help and --version; 1 if the tool cannot be
 * started or standard output cannot be written; 2 for a usage error.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef DFUKIT_VERSION
#error "DFUKIT_VERSION is defined by tools/dfukit/CMakeLists.txt (project(VERSION))"
#endif

static void usage(FILE *f)
{
	fprintf(f, "usage: dfukit COMMAND [ARGS...]\n"
		   "       dfukit --version | --help\n"
		   "\n"
		   "commands:\n"
		   "  board     run a virtual board, press its reset button, stop it, list the "
		   "profiles\n"
		   "  image     sign, verify and inspect MCUboot images (imgtool-compatible)\n"
		   "  version   print dfukit's version (same as --version)\n"
		   "  help      this help\n"
		   "\n"
		   "options:\n"
		   "  -h, --help      this help\n"
		   "  -V, --version   print dfukit's version\n"
		   "\n"
		   "'dfukit COMMAND --help' tells more.\n"
		   "Exit status: the command's; 2 for a usage error.\n");
}

/* Standard output written in full (a help or a version > /dev/full is an error). */
static int stdout_status(void)
{
	int err = ferror(stdout);

	errno = 0;
	if (fclose(stdout) != 0 || err) {
		fprintf(stderr, "dfukit: cannot write to standard output: %s\n",
			strerror(errno ? errno : EIO));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return stdout_status();
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 ||
	    strcmp(cmd, "version") == 0) {
		printf("dfukit %s\n", DFUKIT_VERSION);
		return stdout_status();
	}
	if (strcmp(cmd, "board") != 0 && strcmp(cmd, "image") != 0) {
		fprintf(stderr, "dfukit: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}
	char self[PATH_MAX], path[PATH_MAX + 32], name[32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		perror("dfukit: /proc/self/exe");
		return 1;
	}
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/dfukit-%s", self, cmd);
	snprintf(name, sizeof(name), "dfukit %s", cmd);
	argv[1] = name;
	execv(path, &argv[1]);
	fprintf(stderr, "dfukit: cannot run %s: %s\n", path, strerror(errno));
	return 1;
}
