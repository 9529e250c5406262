/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The firmware runner: at each reset the board starts its firmware as a
 * process with the board environment, its console on a pipe and one end of
 * the USB/IP hand-off socket; holding reset or cutting power kills it at
 * once, wherever it is (in the middle of a flash write, too).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "board.h"
#include "dfukit/host/board_env.h"

/* The directory of this program, or NULL. */
static const char *self_dir(char dir[PATH_MAX])
{
	ssize_t n = readlink("/proc/self/exe", dir, PATH_MAX - 1);
	if (n <= 0) {
		return NULL;
	}
	dir[n] = '\0';
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
	}
	return dir;
}

/* The default firmware directory: installed, else a build tree's ../firmware. */
static void default_firmware_dir(char dir[PATH_MAX])
{
	char self[PATH_MAX];
	const char *here = self_dir(self) ? self : ".";
	snprintf(dir, PATH_MAX, "%.*s/" DFUKIT_INSTALLED_FIRMWARE_DIR, PATH_MAX / 2, here);
	if (access(dir, X_OK) != 0) {
		snprintf(dir, PATH_MAX, "%.*s/../firmware", PATH_MAX / 2, here);
	}
}

/*
 * The host runner: --firmware, else the bootloader if built, else the DFU
 * sample. A board that boots through the bootloader gets the DFU sample's
 * signed image when blank.
 */
static void choose_host(struct firmware_runner *r, const struct board_opts *o)
{
	if (o->firmware != NULL) {
		snprintf(r->program, sizeof(r->program), "%s", o->firmware);
	} else {
		snprintf(r->program, sizeof(r->program), "%.*s/bootloader", PATH_MAX / 2,
			 r->firmware_dir);
		if (access(r->program, X_OK) != 0) {
			snprintf(r->program, sizeof(r->program), "%.*s/dfu-sample", PATH_MAX / 2,
				 r->firmware_dir);
		}
	}
	r->factory_image[0] = '\0';
	/* ram-load runs only images signed --load-addr: the DFU sample signed so */
	const char *mode = getenv(BOARD_ENV_BOOT_MODE);
	const char *image = mode != NULL && strcmp(mode, "ram-load") == 0
				    ? "dfu-sample.ram-load.signed.bin"
				    : "dfu-sample.signed.bin";

	if (strstr(r->program, "bootloader") != NULL) {
		snprintf(r->factory_image, sizeof(r->factory_image), "%.*s/%s", PATH_MAX / 2,
			 r->firmware_dir, image);
	}
}

/*
 * The emulated runner: dfukit-emu (beside this program) runs the board's
 * Cortex-M build on QEMU; its firmware directory holds what
 * scripts/cm-firmware.sh collects (default: FIRMWARE_DIR/mps2-BOARD).
 */
static int choose_emulated(struct firmware_runner *r, const struct board_opts *o)
{
	char self[PATH_MAX], dir[PATH_MAX];
	if (o->firmware != NULL) {
		fprintf(stderr,
			"dfukit board: --emulate runs dfukit-emu; --firmware does not apply\n");
		return -EINVAL;
	}
	snprintf(r->program, sizeof(r->program), "%.*s/dfukit-emu", PATH_MAX / 2,
		 self_dir(self) ? self : ".");
	if (o->firmware_dir == NULL) {
		snprintf(dir, sizeof(dir), "%s", r->firmware_dir);
		snprintf(r->firmware_dir, sizeof(r->firmware_dir), "%.*s/mps2-%s", PATH_MAX / 2,
			 dir, o->board);
	}
	snprintf(r->factory_image, sizeof(r->factory_image), "%.*s/dfu-sample-cm-%s.signed.bin",
		 PATH_MAX / 2, r->firmware_dir, o->board);
	if (access(r->factory_image, R_OK) != 0) {
		fprintf(stderr,
			"dfukit board: --emulate: no Cortex-M firmware in %s (%s: %s).\n"
			"  Build and collect it (PRESET cortex-m4f for reel_board, cortex-m33 for\n"
			"  nucleo_u575zi_q):\n"
			"    ./scripts/mbedtls-target.sh PRESET build-PRESET/target\n"
			"    cmake --preset PRESET && cmake --build build-PRESET\n"
			"    ./scripts/cm-firmware.sh PRESET build %s\n",
			r->firmware_dir, r->factory_image, strerror(errno), r->firmware_dir);
		return -ENOENT;
	}
	return 0;
}

/* What runs on the boards: the host program (default) or, with --emulate, dfukit-emu. */
int firmware_runner_choose(struct firmware_runner *r, const struct board_opts *o)
{
	if (o->firmware_dir != NULL) {
		snprintf(r->firmware_dir, sizeof(r->firmware_dir), "%s", o->firmware_dir);
	} else {
		default_firmware_dir(r->firmware_dir);
	}
	if (o->emulate) {
		if (choose_emulated(r, o) < 0) {
			return -EINVAL;
		}
	} else {
		choose_host(r, o);
	}
	if (access(r->program, X_OK) != 0) {
		fprintf(stderr, "dfukit board: firmware %s: %s\n", r->program, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Release reset: start board b's firmware with a fresh hand-off socket and console pipe. */
int firmware_start(struct hub *h, struct board_slot *b)
{
	int sv[2], pfd[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		say(b, "[board] cannot start the firmware: socketpair: %s", strerror(errno));
		return -errno;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		say(b, "[board] cannot start the firmware: pipe: %s", strerror(e));
		return -e;
	}
	fflush(stdout);
	pid_t hub_pid = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		/* Power goes when the hub goes, even if it is killed without a word. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != hub_pid) {
			_exit(127);
		}
		/* Only this board's end of the hand-off socket crosses exec(). */
		char fd_text[16], boot_ns[32];
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (dup2(pfd[1], STDOUT_FILENO) < 0 || dup2(pfd[1], STDERR_FILENO) < 0 ||
		    fcntl(sv[1], F_SETFD, 0) < 0) {
			_exit(127);
		}
		snprintf(fd_text, sizeof(fd_text), "%d", sv[1]);
		snprintf(boot_ns, sizeof(boot_ns), "%llu",
			 (unsigned long long)ts.tv_sec * 1000000000ull +
				 (unsigned long long)ts.tv_nsec);
		setenv(BOARD_ENV_ID, h->bp->id, 1);
		setenv(BOARD_ENV_USBIP_FD, fd_text, 1);
		setenv(BOARD_ENV_BUSID, b->busid, 1);
		setenv(BOARD_ENV_FLASH, b->flash, 1);
		setenv(BOARD_ENV_SERIAL, b->serial, 1);
		setenv(BOARD_ENV_FIRMWARE_DIR, h->runner.firmware_dir, 1);
		setenv(BOARD_ENV_BOOT_NS, boot_ns, 1);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		const char *program = h->runner.program;
		execl(program, program, (char *)NULL);
		fprintf(stderr, "[board] cannot start firmware %s: %s\n", program, strerror(errno));
		_exit(127);
	}
	int e = errno;
	close(sv[1]);
	close(pfd[1]);
	if (pid < 0) {
		close(sv[0]);
		close(pfd[0]);
		say(b, "[board] cannot start the firmware: fork: %s", strerror(e));
		return -e;
	}
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	b->child = pid;
	b->ctl = sv[0];
	b->serving = false;
	b->out = pfd[0];
	b->line_len = 0;
	return 0;
}

/* Hold reset: kill the firmware, print what it had printed, drop its hand-off socket. */
void firmware_stop(struct board_slot *b)
{
	if (b->child > 0) {
		kill(b->child, SIGKILL);
		waitpid(b->child, NULL, 0);
		b->child = -1;
	}
	pump_console(b, true);
	/* Connections queued but not yet taken die with the socket. */
	close_fd(&b->ctl);
	b->serving = false;
}

void firmware_reset(struct hub *h, struct board_slot *b)
{
	firmware_stop(b);
	say(b, "[board] reset");
	firmware_start(h, b);
}

void firmware_reap(struct hub *h)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < h->count; i++) {
			struct board_slot *b = &h->boards[i];
			if (b->child != pid) {
				continue;
			}
			b->child = -1;
			pump_console(b, true);
			if (WIFEXITED(status)) {
				say(b,
				    "[board] firmware stopped (exit status %d); press reset to "
				    "restart",
				    WEXITSTATUS(status));
			} else {
				say(b,
				    "[board] firmware stopped (signal %d); press reset to restart",
				    WTERMSIG(status));
			}
		}
	}
}
