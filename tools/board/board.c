/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit board: the virtual board. It owns what outlives a reset (the flash
 * file and the USB/IP listening socket) and runs the firmware as a child
 * process: the bootloader when there is one, else the DFU sample directly.
 * Pressing reset kills the firmware at once (as a real reset would) and
 * starts it again; hosts reconnect to the same port.
 *
 *   dfukit board run   [--board ID] [--flash FILE] [--listen ADDR:PORT] ...
 *   dfukit board reset [--flash FILE | --pid-file FILE]
 *   dfukit board stop  [--flash FILE | --pid-file FILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dfukit/board_env.h"
#include "dfukit/board_profile.h"
#include "dfukit/flash.h"
#include "dfukit/usbip.h"

struct board_opts {
	const char *board;
	const char *flash;
	const char *listen;
	const char *firmware;
	const char *firmware_dir;
	const char *serial;
	const char *pid_file;
	const char *image;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dfukit board run   [options]   start a virtual board (Ctrl-C stops it)\n"
		"       dfukit board reset [options]   press the reset button of a running board\n"
		"       dfukit board stop  [options]   power a running board off\n"
		"       dfukit board list              list the board profiles\n"
		"\n"
		"options:\n"
		"  --board ID          board profile: reel_board (default), nucleo_u575zi_q\n"
		"  --flash FILE        flash image file, kept across resets and runs\n"
		"                      (default: ./ID.flash)\n"
		"  --listen ADDR:PORT  USB/IP server address (default 127.0.0.1:3240)\n"
		"  --firmware PATH     program to run at reset (default: the bootloader if\n"
		"                      built, else dfu-sample, from --firmware-dir)\n"
		"  --firmware-dir DIR  where the firmware programs are (default: ../firmware\n"
		"                      next to this program)\n"
		"  --serial HEX        USB serial number (default: derived from board + flash path)\n"
		"  --pid-file FILE     where run records its pid (default: FLASH.pid)\n"
		"  --image FILE        program FILE (a signed image) into slot 0 before the\n"
		"                      first reset, as 'west flash' would (default: the DFU\n"
		"                      sample's signed image when slot 0 is blank)\n"
		"\n"
		"The board's console is this program's standard output. A host attaches with\n"
		"  usbip attach -r 127.0.0.1 -b 1-1\n");
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* 24 hex digits, like the 96-bit unique ID a chip reports, stable per board + flash file. */
static void derive_serial(char out[25], const char *board, const char *flash)
{
	uint64_t h1 = 1469598103934665603ull, h2 = 0x9e3779b97f4a7c15ull;
	for (const char *s = board; *s; s++) {
		h1 = (h1 ^ (uint8_t)*s) * 1099511628211ull;
	}
	for (const char *s = flash; *s; s++) {
		h1 = (h1 ^ (uint8_t)*s) * 1099511628211ull;
		h2 = (h2 ^ (uint8_t)*s) * 0x100000001b3ull;
	}
	snprintf(out, 25, "%016llX%08X", (unsigned long long)h1, (unsigned)(h2 & 0xffffffffu));
}

static int parse_listen(const char *spec, char *addr, size_t addr_len, uint16_t *port)
{
	const char *colon = strrchr(spec, ':');
	if (colon == NULL || (size_t)(colon - spec) >= addr_len) {
		return -EINVAL;
	}
	memcpy(addr, spec, (size_t)(colon - spec));
	addr[colon - spec] = '\0';
	char *end;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || p == 0 || p > 65535) {
		return -EINVAL;
	}
	*port = (uint16_t)p;
	return 0;
}

static char *self_dir(void)
{
	static char dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
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

static pid_t start_firmware(const char *firmware, const struct board_opts *o, int listen_fd,
			    const char *serial, const char *fw_dir)
{
	pid_t pid = fork();
	if (pid != 0) {
		return pid;
	}
	char fd_text[16], boot_ns[32];
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(fd_text, sizeof(fd_text), "%d", listen_fd);
	snprintf(boot_ns, sizeof(boot_ns), "%llu",
		 (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec);
	setenv(BOARD_ENV_ID, o->board, 1);
	setenv(BOARD_ENV_USBIP_FD, fd_text, 1);
	setenv(BOARD_ENV_FLASH, o->flash, 1);
	setenv(BOARD_ENV_SERIAL, serial, 1);
	setenv(BOARD_ENV_FIRMWARE_DIR, fw_dir, 1);
	setenv(BOARD_ENV_BOOT_NS, boot_ns, 1);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	execl(firmware, firmware, (char *)NULL);
	fprintf(stderr, "[board] cannot start firmware %s: %s\n", firmware, strerror(errno));
	_exit(127);
}

/*
 * Factory programming: put a signed image into slot 0, the way a debug probe
 * would, when asked to or when slot 0 is blank. The rest of flash is kept.
 */
static int program_slot0(const struct board_profile *bp, const char *flash_path,
			 const char *image, bool only_if_blank)
{
	struct flash_file ff;
	struct flash_area slot0;
	int rc = flash_file_open(&ff, flash_path, &bp->flash, bp->sim_flags);
	if (rc == 0) {
		rc = board_profile_slots(bp, &ff.sim.dev, &slot0, NULL);
	}
	if (rc < 0) {
		fprintf(stderr, "dfukit board: flash %s: %s\n", flash_path, strerror(-rc));
		return rc;
	}
	if (only_if_blank && flash_area_is_erased(&slot0, 0, 32) != 1) {
		flash_file_close(&ff);
		return 0;
	}
	FILE *f = fopen(image, "rb");
	if (f == NULL) {
		fprintf(stderr, "dfukit board: %s: %s\n", image, strerror(errno));
		flash_file_close(&ff);
		return -errno;
	}
	uint32_t wb = bp->flash.write_block;
	uint8_t *buf = malloc(slot0.size);
	size_t n = buf ? fread(buf, 1, slot0.size, f) : 0;
	bool too_big = buf && n == slot0.size && fgetc(f) != EOF;
	fclose(f);
	if (buf == NULL || n == 0 || too_big) {
		fprintf(stderr, "dfukit board: %s: %s\n", image,
			too_big ? "larger than slot 0" : "empty or unreadable");
		free(buf);
		flash_file_close(&ff);
		return -EINVAL;
	}
	uint32_t padded = (uint32_t)((n + wb - 1) / wb * wb);
	memset(buf + n, bp->flash.erased_val, padded - n);
	rc = flash_area_erase(&slot0, 0, slot0.size);
	if (rc == 0) {
		rc = flash_area_write(&slot0, 0, buf, padded);
	}
	free(buf);
	flash_file_close(&ff);
	if (rc < 0) {
		fprintf(stderr, "dfukit board: programming slot 0: %s\n", strerror(-rc));
		return rc;
	}
	printf("[board] programmed %s (%zu bytes) into slot 0 at 0x%x\n", image, n,
	       (unsigned)bp->slot0.off);
	return 0;
}

static void stop_child(pid_t *child)
{
	if (*child > 0) {
		kill(*child, SIGKILL);
		waitpid(*child, NULL, 0);
		*child = -1;
	}
}

static int board_run(struct board_opts *o)
{
	const struct board_profile *bp = board_profile_find(o->board);
	if (bp == NULL) {
		fprintf(stderr, "dfukit board: unknown board '%s' (try: dfukit board list)\n", o->board);
		return 2;
	}
	o->board = bp->id;
	char default_flash[PATH_MAX], flash_abs[PATH_MAX], pid_path[PATH_MAX + 8], serial[25];
	char addr[64], fw_path[PATH_MAX + 32];
	uint16_t port = USBIP_DEFAULT_PORT;
	if (o->flash == NULL) {
		snprintf(default_flash, sizeof(default_flash), "%s.flash", bp->id);
		o->flash = default_flash;
	}
	/* The flash file must exist before realpath; the bootloader sizes it. */
	int ffd = open(o->flash, O_RDWR | O_CREAT, 0644);
	if (ffd < 0 || realpath(o->flash, flash_abs) == NULL) {
		fprintf(stderr, "dfukit board: %s: %s\n", o->flash, strerror(errno));
		return 1;
	}
	close(ffd);
	o->flash = flash_abs;
	if (parse_listen(o->listen, addr, sizeof(addr), &port) < 0) {
		fprintf(stderr, "dfukit board: --listen wants ADDR:PORT, got '%s'\n", o->listen);
		return 2;
	}
	if (o->serial == NULL) {
		derive_serial(serial, bp->id, flash_abs);
	} else {
		snprintf(serial, sizeof(serial), "%s", o->serial);
	}
	const char *fw_dir = o->firmware_dir;
	char default_fw_dir[PATH_MAX + 16];
	if (fw_dir == NULL) {
		const char *self = self_dir();
		snprintf(default_fw_dir, sizeof(default_fw_dir), "%s/../firmware", self ? self : ".");
		fw_dir = default_fw_dir;
	}
	if (o->firmware == NULL) {
		snprintf(fw_path, sizeof(fw_path), "%s/bootloader", fw_dir);
		if (access(fw_path, X_OK) != 0) {
			snprintf(fw_path, sizeof(fw_path), "%s/dfu-sample", fw_dir);
		}
		o->firmware = fw_path;
	}
	if (o->image != NULL) {
		if (program_slot0(bp, flash_abs, o->image, false) < 0) {
			return 1;
		}
	} else if (strstr(o->firmware, "bootloader") != NULL) {
		char factory[PATH_MAX + 32];
		snprintf(factory, sizeof(factory), "%s/dfu-sample.signed.bin", fw_dir);
		if (program_slot0(bp, flash_abs, factory, true) < 0) {
			return 1;
		}
	}
	if (access(o->firmware, X_OK) != 0) {
		fprintf(stderr, "dfukit board: firmware %s: %s\n", o->firmware, strerror(errno));
		return 1;
	}

	int listen_fd = usbip_listen(addr, port);
	if (listen_fd < 0) {
		fprintf(stderr, "dfukit board: cannot listen on %s:%u: %s\n", addr, port,
			strerror(-listen_fd));
		return 1;
	}
	snprintf(pid_path, sizeof(pid_path), "%s", o->pid_file ? o->pid_file : "");
	if (o->pid_file == NULL) {
		snprintf(pid_path, sizeof(pid_path), "%s.pid", flash_abs);
	}
	FILE *pf = fopen(pid_path, "w");
	if (pf == NULL) {
		fprintf(stderr, "dfukit board: %s: %s\n", pid_path, strerror(errno));
		return 1;
	}
	fprintf(pf, "%d\n", (int)getpid());
	fclose(pf);

	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);

	printf("[board] %s (%s), flash %s, USB/IP on %s:%u busid 1-1, serial %s\n", bp->id,
	       bp->zephyr_board, flash_abs, addr, port, serial);
	printf("[board] reset: dfukit board reset --flash %s   (or kill -USR1 %d)\n", flash_abs,
	       (int)getpid());
	fflush(stdout);

	pid_t child = start_firmware(o->firmware, o, listen_fd, serial, fw_dir);
	int rc = 0;
	for (;;) {
		got_signal = 0;
		sigsuspend(&old);
		int sig = got_signal;
		if (sig == SIGINT || sig == SIGTERM) {
			printf("[board] power off\n");
			stop_child(&child);
			break;
		}
		if (sig == SIGUSR1 || sig == SIGHUP) {
			printf("[board] reset\n");
			fflush(stdout);
			stop_child(&child);
			child = start_firmware(o->firmware, o, listen_fd, serial, fw_dir);
			continue;
		}
		if (sig == SIGCHLD && child > 0) {
			int status;
			if (waitpid(child, &status, WNOHANG) == child) {
				child = -1;
				if (WIFEXITED(status)) {
					printf("[board] firmware stopped (exit status %d); press reset to restart\n",
					       WEXITSTATUS(status));
				} else {
					printf("[board] firmware stopped (signal %d); press reset to restart\n",
					       WTERMSIG(status));
				}
				fflush(stdout);
			}
		}
	}
	unlink(pid_path);
	close(listen_fd);
	return rc;
}

static int signal_board(const struct board_opts *o, int sig)
{
	char path[PATH_MAX + 8], flash_abs[PATH_MAX];
	if (o->pid_file) {
		snprintf(path, sizeof(path), "%s", o->pid_file);
	} else {
		char def[PATH_MAX];
		const char *flash = o->flash;
		if (flash == NULL) {
			snprintf(def, sizeof(def), "%s.flash", o->board);
			flash = def;
		}
		if (realpath(flash, flash_abs) == NULL) {
			fprintf(stderr, "dfukit board: no board with flash %s is running\n", flash);
			return 1;
		}
		snprintf(path, sizeof(path), "%s.pid", flash_abs);
	}
	FILE *f = fopen(path, "r");
	int pid = 0;
	if (f == NULL || fscanf(f, "%d", &pid) != 1 || pid <= 0) {
		fprintf(stderr, "dfukit board: no running board (%s: %s)\n", path,
			f ? "unreadable" : strerror(errno));
		if (f) {
			fclose(f);
		}
		return 1;
	}
	fclose(f);
	if (kill(pid, sig) != 0) {
		fprintf(stderr, "dfukit board: board pid %d: %s\n", pid, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"board", required_argument, NULL, 'b'},    {"flash", required_argument, NULL, 'f'},
		{"listen", required_argument, NULL, 'l'},   {"firmware", required_argument, NULL, 'F'},
		{"firmware-dir", required_argument, NULL, 'D'}, {"serial", required_argument, NULL, 's'},
		{"pid-file", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
		{"image", required_argument, NULL, 'i'},
		{NULL, 0, NULL, 0}};
	struct board_opts o = {.board = "reel_board", .listen = "127.0.0.1:3240"};

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *cmd = argv[1];
	int c;
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o.board = optarg; break;
		case 'f': o.flash = optarg; break;
		case 'l': o.listen = optarg; break;
		case 'F': o.firmware = optarg; break;
		case 'D': o.firmware_dir = optarg; break;
		case 's': o.serial = optarg; break;
		case 'p': o.pid_file = optarg; break;
		case 'i': o.image = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "dfukit board: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (strcmp(cmd, "run") == 0) {
		return board_run(&o);
	}
	if (strcmp(cmd, "reset") == 0) {
		return signal_board(&o, SIGUSR1);
	}
	if (strcmp(cmd, "stop") == 0) {
		return signal_board(&o, SIGTERM);
	}
	if (strcmp(cmd, "list") == 0) {
		for (const struct board_profile *const *p = board_profiles; *p; p++) {
			printf("%-18s %-30s flash %u KiB\n", (*p)->id, (*p)->zephyr_board,
			       (unsigned)((*p)->flash.size / 1024u));
		}
		return 0;
	}
	fprintf(stderr, "dfukit board: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
