/* SPDX-License-Identifier: Apache-2.0 */
#include "emu_harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dfukit/host/board_env.h"
#include "dfukit/host/flash_file.h"
#include "dfukit/port/usbip.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The factory image in slot 0 of a new, erased flash file. */
static int make_flash(const struct board_profile *bp, const char *path, const char *image)
{
	static uint8_t buf[0x100000 * 2];
	FILE *f = fopen(image, "rb");
	size_t n = f != NULL ? fread(buf, 1, bp->slot0.size, f) : 0;
	if (f != NULL) {
		fclose(f);
	}
	if (n == 0) {
		fprintf(stderr, "test_emu_usb: %s: missing or empty\n", image);
		return -ENOENT;
	}
	uint32_t wb = bp->flash.write_block;
	uint32_t padded = (uint32_t)((n + wb - 1) / wb * wb);
	memset(buf + n, bp->flash.erased_val, padded - n);
	struct flash_file ff;
	struct flash_area slot0;
	unlink(path);
	int rc = flash_file_open(&ff, path, &bp->flash, bp->sim_flags);
	if (rc == 0) {
		rc = board_profile_slots(bp, &ff.sim.dev, &slot0, NULL);
		rc = rc < 0 ? rc : flash_area_write(&slot0, 0, buf, padded);
		int crc = flash_file_close(&ff);
		rc = rc < 0 ? rc : crc;
	}
	if (rc < 0) {
		fprintf(stderr, "test_emu_usb: flash %s: %s\n", path, strerror(-rc));
	}
	return rc;
}

/* In the child: the board's environment, then exec. */
static void exec_emu(const char *emu, const char *fw_dir, const struct board_profile *bp,
		     const char *flash, const char *busid, const char *serial, int hub, int out)
{
	char fd_text[16];
	snprintf(fd_text, sizeof(fd_text), "%d", hub);
	if (dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0 ||
	    fcntl(hub, F_SETFD, 0) < 0) {
		_exit(127);
	}
	setenv(BOARD_ENV_ID, bp->id, 1);
	setenv(BOARD_ENV_USBIP_FD, fd_text, 1);
	setenv(BOARD_ENV_BUSID, busid, 1);
	setenv(BOARD_ENV_FLASH, flash, 1);
	setenv(BOARD_ENV_SERIAL, serial, 1);
	setenv(BOARD_ENV_FIRMWARE_DIR, fw_dir, 1);
	execl(emu, emu, (char *)NULL);
	fprintf(stderr, "test_emu_usb: exec %s: %s\n", emu, strerror(errno));
	_exit(127);
}

int emu_harness_start(struct emu_harness *h, const char *emu, const char *firmware_dir,
		      const struct board_profile *bp, const char *work_dir, const char *busid,
		      const char *serial)
{
	char flash[PATH_MAX], image[PATH_MAX];
	int sv[2], pfd[2];
	memset(h, 0, sizeof(*h));
	h->emu = -1;
	snprintf(flash, sizeof(flash), "%s/%s.flash", work_dir, bp->id);
	snprintf(image, sizeof(image), "%s/dfu-sample-cm-%s.signed.bin", firmware_dir, bp->id);
	int rc = make_flash(bp, flash, image);
	if (rc < 0) {
		return rc;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(pfd, O_CLOEXEC) < 0) {
		return -errno;
	}
	h->emu = fork();
	if (h->emu == 0) {
		exec_emu(emu, firmware_dir, bp, flash, busid, serial, sv[1], pfd[1]);
	}
	close(sv[1]);
	close(pfd[1]);
	h->hub = sv[0];
	h->console = pfd[0];
	fcntl(h->console, F_SETFL, O_NONBLOCK);
	return h->emu < 0 ? -errno : 0;
}

/* Take what the console has; wait up to ms for it. -EPIPE at its end. */
static int pump_console(struct emu_harness *h, int ms)
{
	struct pollfd p = {.fd = h->console, .events = POLLIN};
	if (h->console < 0) {
		return -EPIPE;
	}
	(void)poll(&p, 1, ms);
	for (;;) {
		char chunk[4096];
		ssize_t n = read(h->console, chunk, sizeof(chunk));
		if (n > 0) {
			/* Past the buffer's end the text is dropped; the pipe keeps flowing. */
			size_t room = sizeof(h->console_text) - 1 - h->console_len;
			size_t k = (size_t)n < room ? (size_t)n : room;
			memcpy(h->console_text + h->console_len, chunk, k);
			h->console_len += k;
			h->console_text[h->console_len] = '\0';
			continue;
		}
		if (n == 0) {
			close(h->console);
			h->console = -1;
			return -EPIPE;
		}
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	}
}

int emu_harness_wait_ready(struct emu_harness *h, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	while (now_ms() < deadline) {
		struct pollfd p = {.fd = h->hub, .events = POLLIN};
		uint8_t msg;
		(void)pump_console(h, 0);
		if (poll(&p, 1, 50) > 0) {
			ssize_t n = recv(h->hub, &msg, 1, 0);
			if (n <= 0) {
				return -EPIPE;
			}
			if (msg == USBIP_HANDOFF_READY) {
				return 0;
			}
		}
	}
	return -ETIMEDOUT;
}

int emu_harness_wait_console(struct emu_harness *h, const char *text, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	for (;;) {
		if (strstr(h->console_text, text) != NULL) {
			return 0;
		}
		if (now_ms() >= deadline) {
			return -ETIMEDOUT;
		}
		if (pump_console(h, 50) == -EPIPE && strstr(h->console_text, text) == NULL) {
			return -EPIPE;
		}
	}
}

/* One connection, handed over as the board's hub does, then the import. */
static int import_once(struct emu_harness *h, struct usbip_client *c, const char *busid)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		return -errno;
	}
	int rc = usbip_handoff_send(h->hub, sv[1]);
	close(sv[1]);
	if (rc < 0) {
		close(sv[0]);
		return rc;
	}
	rc = usbip_client_import(c, sv[0], busid, 10000);
	if (rc != 0) {
		usbip_client_close(c);
	}
	return rc;
}

int emu_harness_import(struct emu_harness *h, struct usbip_client *c, const char *busid, bool retry)
{
	long long deadline = now_ms() + 20000;
	for (;;) {
		int rc = import_once(h, c, busid);
		/* A positive status: not exported (yet); the firmware may still be on its way. */
		if (rc <= 0 || !retry || now_ms() >= deadline) {
			return rc;
		}
		(void)pump_console(h, 100);
	}
}

/* dfukit-emu's QEMU: a child of it named qemu-system-*, or -1. */
static pid_t find_qemu(pid_t parent)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = -1;
	while (d != NULL && found < 0 && (e = readdir(d)) != NULL) {
		char path[300], stat[512];
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		size_t n = f != NULL ? fread(stat, 1, sizeof(stat) - 1, f) : 0;
		if (f != NULL) {
			fclose(f);
		}
		stat[n] = '\0';
		char *close_paren = strrchr(stat, ')');
		int ppid;
		if (close_paren != NULL && strstr(stat, "(qemu-system-") != NULL &&
		    sscanf(close_paren + 2, "%*c %d", &ppid) == 1 && ppid == parent) {
			found = (pid_t)atoi(e->d_name);
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	return found;
}

int emu_harness_kill(struct emu_harness *h)
{
	pid_t qemu = find_qemu(h->emu);
	if (qemu < 0) {
		fprintf(stderr, "test_emu_usb: dfukit-emu has no QEMU child to watch\n");
	}
	kill(h->emu, SIGKILL);
	waitpid(h->emu, NULL, 0);
	h->emu = -1;
	/* We are the subreaper: an orphaned QEMU is ours to reap, a dead one now. */
	long long deadline = now_ms() + 3000;
	while (qemu > 0 && now_ms() < deadline) {
		if (waitpid(qemu, NULL, WNOHANG) == qemu || (kill(qemu, 0) < 0 && errno == ESRCH)) {
			return 0;
		}
		(void)pump_console(h, 20);
	}
	if (qemu > 0) {
		fprintf(stderr, "test_emu_usb: QEMU %d outlived dfukit-emu; killing it\n",
			(int)qemu);
		kill(qemu, SIGKILL);
		waitpid(qemu, NULL, 0);
	}
	return -ESRCH;
}

void emu_harness_dump_console(struct emu_harness *h)
{
	(void)pump_console(h, 0);
	fprintf(stderr, "---- console of dfukit-emu ----\n%s---- end of console ----\n",
		h->console_text);
}
