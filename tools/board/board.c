/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit board: the virtual board, or a fleet of them. It owns what outlives
 * a reset (the flash files and the USB/IP listening socket) and runs each
 * board's firmware as a child process: the bootloader when there is one, else
 * the DFU sample directly. Pressing reset kills that board's firmware at once
 * (as a real reset would) and starts it again; hosts reconnect to the same
 * port.
 *
 * One code path for one board and for N: this process is a USB/IP hub. It
 * accepts the TCP connections, peeks at each one's first request and routes
 * it: OP_REQ_IMPORT of busid 1-i is handed to board i's firmware over a unix
 * socketpair (SCM_RIGHTS; the firmware's USB/IP server runs in hand-off mode,
 * see usbip.h), or refused here when that firmware serves no USB (the
 * bootloader, hello_world); OP_REQ_DEVLIST is answered here with the merged
 * lists the serving firmwares give over fresh socketpairs. Each firmware's
 * stdout and stderr come through a pipe and are printed line by line, with
 * "[1-i] " in front when there is more than one board.
 *
 *   dfukit board run   [--board ID] [--count N] [--flash FILE] [--listen ADDR:PORT] ...
 *   dfukit board reset [--flash FILE | --pid-file FILE]
 *   dfukit board stop  [--flash FILE | --pid-file FILE]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include "dfukit/board_env.h"
#include "dfukit/board_profile.h"
#include "dfukit/flash.h"
#include "dfukit/usbip.h"

/* Boards per hub: busids 1-1 .. 1-64 (USB/IP ports go up to 127). */
#define HUB_MAX_BOARDS 64
/* Connections whose first request has not arrived yet. */
#define HUB_MAX_PENDING 32
#define HUB_FIRST_REQUEST_MS 10000
#define HUB_DEVLIST_MS 1000
/* The signal `dfukit board reset` queues, with the board's index as value. */
#define HUB_SIG_RESET_ONE (SIGRTMIN)
/* The installed firmware directory, relative to bin/ (set by cmake/install.cmake). */
#ifndef DFUKIT_INSTALLED_FIRMWARE_DIR
#define DFUKIT_INSTALLED_FIRMWARE_DIR "../libexec/dfukit/firmware"
#endif

struct board_opts {
	const char *board;
	const char *flash;
	const char *listen;
	const char *firmware;
	const char *firmware_dir;
	const char *serial;
	const char *pid_file;
	const char *image;
	int count;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dfukit board run   [options]   start a virtual board, or --count N of them\n"
		"                                      (Ctrl-C stops them)\n"
		"       dfukit board reset [options]   press the reset button of a running board\n"
		"       dfukit board stop  [options]   power a running board (its whole fleet) off\n"
		"       dfukit board list              list the board profiles\n"
		"\n"
		"options:\n"
		"  --board ID          board profile: reel_board (default), nucleo_u575zi_q\n"
		"  --count N           run N boards (1..%d, default 1) behind one USB/IP\n"
		"                      server: busids 1-1 .. 1-N, each with its own flash\n"
		"                      file, serial number, console and reset button\n"
		"  --flash FILE        flash image file, kept across resets and runs\n"
		"                      (default: ./ID.flash; with --count N > 1 board i uses\n"
		"                      FILE with -i before its .flash suffix, ./ID-i.flash)\n"
		"  --listen ADDR:PORT  USB/IP server address (default 127.0.0.1:3240)\n"
		"  --firmware PATH     program to run at reset (default: the bootloader if\n"
		"                      built, else dfu-sample, from --firmware-dir)\n"
		"  --firmware-dir DIR  where the firmware programs are (default: ../firmware\n"
		"                      next to this program, or once installed\n"
		"                      " DFUKIT_INSTALLED_FIRMWARE_DIR ")\n"
		"  --serial TEXT       USB serial number (default: 24 hex digits derived from\n"
		"                      board + flash path; with --count N > 1 board i gets\n"
		"                      TEXT followed by i as two hex digits)\n"
		"  --pid-file FILE     run: where the pid is recorded (default: FLASH.pid per\n"
		"                      board; with --count N > 1 FILE is an extra one for the\n"
		"                      whole fleet); reset/stop: which board to act on\n"
		"  --image FILE        program FILE (a signed image) into slot 0 before the\n"
		"                      first reset, as 'west flash' would (default: the DFU\n"
		"                      sample's signed image when slot 0 is blank)\n"
		"\n"
		"The boards' console is this program's standard output; with --count N > 1\n"
		"each line starts with the board's busid, e.g. \"[1-2] \". A host attaches with\n"
		"  usbip attach -r 127.0.0.1 -b 1-1        (1-1 .. 1-N)\n"
		"and tells the boards apart by serial number (dfu-util -S SERIAL).\n"
		"\n"
		"Reset and power:\n"
		"  dfukit board reset --flash FILE   resets the board whose flash is FILE only\n"
		"                                    (the pid file says pid and board index)\n"
		"  kill -USR1 PID (or -HUP)          resets every board of the fleet\n"
		"  dfukit board stop, kill PID       powers the whole fleet off\n"
		"\n"
		"Firmware switches (environment, passed on to the firmware):\n"
		"  DFUKIT_FLASH_TIMING=1    erase/program take the chip's time, reported as\n"
		"                           bwPollTimeout; the bootloader prints the swap's cost\n"
		"  DFUKIT_DFUSE=1           the device speaks ST's DfuSe (bcdDFUVersion 0x011A)\n"
		"  DFUKIT_RAMDISK_SIZE=1M   a larger ramdisk0 (default 64 KiB)\n",
		HUB_MAX_BOARDS);
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

/*
 * Factory programming: put a signed image into slot 0, the way a debug probe
 * would, when asked to or when slot 0 is blank. The rest of flash is kept.
 */
struct board_slot;
static const char *slot_flash(const struct board_slot *b);
static const char *slot_prefix(const struct board_slot *b);

static int program_slot0(const struct board_profile *bp, const struct board_slot *b,
			 const char *image, bool only_if_blank)
{
	const char *flash_path = slot_flash(b);
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
	printf("%s[board] programmed %s (%zu bytes) into slot 0 at 0x%x\n", slot_prefix(b), image, n,
	       (unsigned)bp->slot0.off);
	return 0;
}

/* ------------------------------------------------------------------ the hub */

struct board_slot {
	int index; /* 1..N */
	char busid[16];
	char flash[PATH_MAX];
	char pid_path[PATH_MAX + 8];
	char serial[48];
	char prefix[24]; /* "[1-i] ", or "" for a single board */
	pid_t child;     /* -1: not running */
	int ctl;         /* hub end of the hand-off socketpair, -1 */
	bool serving;    /* the firmware's USB/IP server said USBIP_HANDOFF_READY */
	int out;         /* read end of the console pipe, -1 */
	size_t line_len;
	char line[2048];
};

struct pending_conn {
	int fd; /* -1: free */
	int64_t deadline;
	char peer[64];
};

struct hub {
	const struct board_profile *bp;
	const struct board_opts *o;
	const char *fw_dir;
	int listen_fd;
	int sig_fd;
	int count;
	struct board_slot *boards;
	struct pending_conn pend[HUB_MAX_PENDING];
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One console line, with the board's prefix (b NULL: the hub's own line). */
__attribute__((format(printf, 2, 3))) static void say(const struct board_slot *b,
							const char *fmt, ...)
{
	va_list ap;
	fputs(b ? b->prefix : "", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static void emit_line(struct board_slot *b)
{
	fwrite(b->prefix, 1, strlen(b->prefix), stdout);
	fwrite(b->line, 1, b->line_len, stdout);
	fputc('\n', stdout);
	b->line_len = 0;
}

/*
 * Copy what the firmware printed to the console, whole lines with the prefix.
 * until_eof: the firmware is dead, take everything and close the pipe.
 */
static void pump_console(struct board_slot *b, bool until_eof)
{
	char buf[4096];
	while (b->out >= 0) {
		ssize_t n = read(b->out, buf, sizeof(buf));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !until_eof) {
				break;
			}
			/* End of file (or the firmware is gone): flush a last partial line. */
			if (b->line_len) {
				emit_line(b);
			}
			close(b->out);
			b->out = -1;
			break;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				emit_line(b);
			} else if (b->line_len == sizeof(b->line)) {
				emit_line(b); /* an overlong line is cut, not lost */
				b->line[b->line_len++] = buf[i];
			} else {
				b->line[b->line_len++] = buf[i];
			}
		}
	}
	fflush(stdout);
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Release reset: start board b's firmware with a fresh hand-off socket and console pipe. */
static int start_firmware(struct hub *h, struct board_slot *b)
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
			 (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec);
		setenv(BOARD_ENV_ID, h->bp->id, 1);
		setenv(BOARD_ENV_USBIP_FD, fd_text, 1);
		setenv(BOARD_ENV_BUSID, b->busid, 1);
		setenv(BOARD_ENV_FLASH, b->flash, 1);
		setenv(BOARD_ENV_SERIAL, b->serial, 1);
		setenv(BOARD_ENV_FIRMWARE_DIR, h->fw_dir, 1);
		setenv(BOARD_ENV_BOOT_NS, boot_ns, 1);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		execl(h->o->firmware, h->o->firmware, (char *)NULL);
		fprintf(stderr, "[board] cannot start firmware %s: %s\n", h->o->firmware, strerror(errno));
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
static void stop_firmware(struct board_slot *b)
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

static const char *slot_flash(const struct board_slot *b)
{
	return b->flash;
}

static const char *slot_prefix(const struct board_slot *b)
{
	return b->prefix;
}

static void reset_board(struct hub *h, struct board_slot *b)
{
	stop_firmware(b);
	say(b, "[board] reset");
	start_firmware(h, b);
}

static struct board_slot *board_by_busid(struct hub *h, const char *busid)
{
	for (int i = 0; i < h->count; i++) {
		if (strcmp(h->boards[i].busid, busid) == 0) {
			return &h->boards[i];
		}
	}
	return NULL;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_op_header(uint8_t *p, uint16_t code, uint32_t status)
{
	p[0] = USBIP_VERSION >> 8;
	p[1] = USBIP_VERSION & 0xff;
	p[2] = (uint8_t)(code >> 8);
	p[3] = (uint8_t)code;
	put_be32(p + 4, status);
}

/* Blocking send with a 2 s limit, on a connection the hub answers itself. */
static void reply_and_close(int fd, const uint8_t *buf, size_t len)
{
	struct timeval tv = {.tv_sec = 2};
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	size_t off = 0;
	while (off < len) {
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		off += (size_t)n;
	}
	close(fd);
}

/* Take n request bytes the hub only peeked at, so close() ends with FIN, not RST. */
static void consume(int fd, size_t n)
{
	uint8_t buf[64];
	while (n > 0) {
		ssize_t r = recv(fd, buf, n < sizeof(buf) ? n : sizeof(buf), MSG_DONTWAIT);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		n -= (size_t)r;
	}
}

/* A reply of one firmware to OP_REQ_DEVLIST, collected for merging. */
struct devlist_part {
	int fd;
	size_t len;
	bool done;
	uint8_t buf[12 + USBIP_MAX_DEVICES * (USBIP_DEV_RECORD_SIZE + 255 * USBIP_IFACE_RECORD_SIZE)];
};

/* Length of the records of a complete OP_REP_DEVLIST in p, or 0 if it is not one. */
static size_t devlist_records(const struct devlist_part *p, uint32_t *count)
{
	if (p->len < 12 || p->buf[2] != 0 || p->buf[3] != (USBIP_OP_REP_DEVLIST & 0xff) ||
	    get_be32(p->buf + 4) != USBIP_ST_OK) {
		return 0;
	}
	uint32_t n = get_be32(p->buf + 8);
	size_t off = 12;
	for (uint32_t i = 0; i < n; i++) {
		if (off + USBIP_DEV_RECORD_SIZE > p->len) {
			return 0;
		}
		off += USBIP_DEV_RECORD_SIZE + (size_t)p->buf[off + 311] * USBIP_IFACE_RECORD_SIZE;
		if (off > p->len) {
			return 0;
		}
	}
	*count = n;
	return off - 12;
}

/*
 * OP_REQ_DEVLIST: ask every serving firmware for its list (each over a fresh
 * socketpair handed to it), wait up to HUB_DEVLIST_MS, answer with them all.
 */
static void answer_devlist(struct hub *h, int fd)
{
	struct devlist_part *parts = calloc((size_t)h->count, sizeof(*parts));
	uint8_t req[8];
	consume(fd, 8);
	if (parts == NULL) {
		close(fd);
		return;
	}
	put_op_header(req, USBIP_OP_REQ_DEVLIST, 0);
	for (int i = 0; i < h->count; i++) {
		struct board_slot *b = &h->boards[i];
		int sv[2];
		parts[i].fd = -1;
		parts[i].done = true;
		if (!b->serving || b->ctl < 0 ||
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
			continue;
		}
		if (usbip_handoff_send(b->ctl, sv[1]) == 0 &&
		    send(sv[0], req, sizeof(req), MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)sizeof(req)) {
			parts[i].fd = sv[0];
			parts[i].done = false;
		} else {
			close(sv[0]);
		}
		close(sv[1]);
	}
	int64_t deadline = now_ms() + HUB_DEVLIST_MS;
	for (;;) {
		struct pollfd pfd[HUB_MAX_BOARDS];
		int who[HUB_MAX_BOARDS];
		nfds_t n = 0;
		for (int i = 0; i < h->count; i++) {
			if (!parts[i].done) {
				pfd[n] = (struct pollfd){.fd = parts[i].fd, .events = POLLIN};
				who[n++] = i;
			}
		}
		int64_t left = deadline - now_ms();
		if (n == 0 || left <= 0 || poll(pfd, n, (int)left) < 0) {
			break;
		}
		for (nfds_t k = 0; k < n; k++) {
			struct devlist_part *p = &parts[who[k]];
			if (!pfd[k].revents) {
				continue;
			}
			ssize_t r = recv(p->fd, p->buf + p->len, sizeof(p->buf) - p->len, MSG_DONTWAIT);
			if (r > 0) {
				p->len += (size_t)r;
			}
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR) ||
			    p->len == sizeof(p->buf)) {
				p->done = true;
			}
		}
	}
	size_t total = 12;
	uint32_t count = 0;
	for (int i = 0; i < h->count; i++) {
		uint32_t c = 0;
		total += devlist_records(&parts[i], &c);
	}
	uint8_t *out = malloc(total);
	if (out != NULL) {
		size_t off = 12;
		for (int i = 0; i < h->count; i++) {
			uint32_t c = 0;
			size_t len = devlist_records(&parts[i], &c);
			memcpy(out + off, parts[i].buf + 12, len);
			off += len;
			count += c;
		}
		put_op_header(out, USBIP_OP_REP_DEVLIST, USBIP_ST_OK);
		put_be32(out + 8, count);
		reply_and_close(fd, out, total);
		free(out);
	} else {
		close(fd);
	}
	for (int i = 0; i < h->count; i++) {
		close_fd(&parts[i].fd);
	}
	free(parts);
}

/* The first request of a connection has (maybe) arrived: route it. */
static void route(struct hub *h, struct pending_conn *pc)
{
	uint8_t req[8 + USBIP_BUSID_SIZE];
	ssize_t n = recv(pc->fd, req, sizeof(req), MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		return;
	}
	if (n <= 0) {
		close_fd(&pc->fd); /* gone before asking anything */
		return;
	}
	if (n < 8) {
		return;
	}
	uint16_t version = (uint16_t)(req[0] << 8 | req[1]);
	uint16_t code = (uint16_t)(req[2] << 8 | req[3]);
	if (version != USBIP_VERSION || (code != USBIP_OP_REQ_DEVLIST && code != USBIP_OP_REQ_IMPORT)) {
		say(NULL, "[board] %s: not a USB/IP request (version 0x%04x, code 0x%04x), closed",
		    pc->peer, version, code);
		close_fd(&pc->fd);
		return;
	}
	if (code == USBIP_OP_REQ_DEVLIST) {
		answer_devlist(h, pc->fd);
		pc->fd = -1;
		return;
	}
	if (n < (ssize_t)sizeof(req)) {
		return; /* the busid is still on its way */
	}
	char busid[USBIP_BUSID_SIZE + 1];
	memcpy(busid, req + 8, USBIP_BUSID_SIZE);
	busid[USBIP_BUSID_SIZE] = '\0';
	struct board_slot *b = board_by_busid(h, busid);
	if (b != NULL && b->serving && b->ctl >= 0 && usbip_handoff_send(b->ctl, pc->fd) == 0) {
		close_fd(&pc->fd); /* the firmware has it now */
		return;
	}
	for (char *p = busid; *p; p++) {
		if (*p < 0x20 || *p > 0x7e) {
			*p = '?';
		}
	}
	if (b != NULL) {
		say(b, "[board] %s: import %s refused: the firmware has no USB/IP server running",
		    pc->peer, busid);
	} else {
		say(NULL, "[board] %s: import %s refused: no such board", pc->peer, busid);
	}
	uint8_t rep[8];
	put_op_header(rep, USBIP_OP_REP_IMPORT, USBIP_ST_NODEV);
	consume(pc->fd, sizeof(req));
	reply_and_close(pc->fd, rep, sizeof(rep));
	pc->fd = -1;
}

static void accept_all(struct hub *h)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(h->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED) {
				continue;
			}
			return;
		}
		struct pending_conn *pc = NULL;
		for (int i = 0; i < HUB_MAX_PENDING && pc == NULL; i++) {
			if (h->pend[i].fd < 0) {
				pc = &h->pend[i];
			}
		}
		if (pc == NULL) {
			close(fd);
			continue;
		}
		pc->fd = fd;
		pc->deadline = now_ms() + HUB_FIRST_REQUEST_MS;
		char host[64] = "?";
		unsigned port = 0;
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			port = ntohs(a->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			port = ntohs(a->sin6_port);
		}
		snprintf(pc->peer, sizeof(pc->peer), "%s:%u", host, port);
	}
}

/* Messages from a firmware's USB/IP server on its hand-off socket. */
static void read_ctl(struct board_slot *b)
{
	for (;;) {
		uint8_t msg[16];
		ssize_t n = recv(b->ctl, msg, sizeof(msg), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		}
		if (n <= 0) {
			/* The firmware died or the program it exec()ed closed the socket. */
			close_fd(&b->ctl);
			b->serving = false;
			return;
		}
		if (msg[0] == USBIP_HANDOFF_READY) {
			b->serving = true;
		}
	}
}

static void reap_children(struct hub *h)
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
				say(b, "[board] firmware stopped (exit status %d); press reset to restart",
				    WEXITSTATUS(status));
			} else {
				say(b, "[board] firmware stopped (signal %d); press reset to restart",
				    WTERMSIG(status));
			}
		}
	}
}

/* Returns true when the fleet is to be powered off. */
static bool handle_signals(struct hub *h)
{
	struct signalfd_siginfo si;
	while (read(h->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int sig = (int)si.ssi_signo;
		if (sig == SIGINT || sig == SIGTERM) {
			return true;
		}
		if (sig == SIGUSR1 || sig == SIGHUP) {
			for (int i = 0; i < h->count; i++) {
				reset_board(h, &h->boards[i]);
			}
		} else if (sig == HUB_SIG_RESET_ONE) {
			int idx = si.ssi_int;
			if (idx >= 1 && idx <= h->count) {
				reset_board(h, &h->boards[idx - 1]);
			} else {
				say(NULL, "[board] reset of board %d ignored: boards are 1..%d", idx, h->count);
			}
		} else if (sig == SIGCHLD) {
			reap_children(h);
		}
	}
	return false;
}

static int write_pid_file(const char *path, int index)
{
	FILE *pf = fopen(path, "w");
	if (pf == NULL) {
		fprintf(stderr, "dfukit board: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* "PID INDEX": INDEX is the board in its fleet, 0 for the whole fleet. */
	fprintf(pf, "%d %d\n", (int)getpid(), index);
	fclose(pf);
	return 0;
}

/* Board i's flash file of a fleet: FILE with "-i" before a ".flash" suffix, else after it. */
static void fleet_flash_name(char *out, size_t n, const char *flash, int i)
{
	size_t len = strlen(flash);
	const char *suffix = ".flash";
	size_t sl = strlen(suffix);
	if (len > sl && strcmp(flash + len - sl, suffix) == 0) {
		snprintf(out, n, "%.*s-%d%s", (int)(len - sl), flash, i, suffix);
	} else {
		snprintf(out, n, "%s-%d", flash, i);
	}
}

static int hub_loop(struct hub *h)
{
	for (;;) {
		struct pollfd pfd[2 + 2 * HUB_MAX_BOARDS + HUB_MAX_PENDING];
		enum { SIG, LISTEN, CTL, OUT, PEND } kind[sizeof(pfd) / sizeof(pfd[0])];
		int who[sizeof(pfd) / sizeof(pfd[0])];
		nfds_t n = 0;
		int64_t now = now_ms(), next = -1;

		pfd[n] = (struct pollfd){.fd = h->sig_fd, .events = POLLIN};
		kind[n++] = SIG;
		pfd[n] = (struct pollfd){.fd = h->listen_fd, .events = POLLIN};
		kind[n++] = LISTEN;
		for (int i = 0; i < h->count; i++) {
			if (h->boards[i].ctl >= 0) {
				pfd[n] = (struct pollfd){.fd = h->boards[i].ctl, .events = POLLIN};
				who[n] = i;
				kind[n++] = CTL;
			}
			if (h->boards[i].out >= 0) {
				pfd[n] = (struct pollfd){.fd = h->boards[i].out, .events = POLLIN};
				who[n] = i;
				kind[n++] = OUT;
			}
		}
		for (int i = 0; i < HUB_MAX_PENDING; i++) {
			struct pending_conn *pc = &h->pend[i];
			if (pc->fd < 0) {
				continue;
			}
			if (pc->deadline <= now) {
				close_fd(&pc->fd); /* said nothing in time */
				continue;
			}
			if (next < 0 || pc->deadline < next) {
				next = pc->deadline;
			}
			pfd[n] = (struct pollfd){.fd = pc->fd, .events = POLLIN};
			who[n] = i;
			kind[n++] = PEND;
		}
		int r = poll(pfd, n, next < 0 ? -1 : (int)(next - now + 1));
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "dfukit board: poll: %s\n", strerror(errno));
			return 1;
		}
		if (r <= 0) {
			continue;
		}
		/* Consoles first, so a firmware's last words precede the hub's lines about it. */
		for (nfds_t k = 0; k < n; k++) {
			if (kind[k] == OUT && pfd[k].revents) {
				pump_console(&h->boards[who[k]], false);
			}
		}
		for (nfds_t k = 0; k < n; k++) {
			if (!pfd[k].revents) {
				continue;
			}
			switch (kind[k]) {
			case SIG:
				if (handle_signals(h)) {
					return 0;
				}
				break;
			case LISTEN:
				accept_all(h);
				break;
			case CTL:
				/* A reset in this round may have replaced the socket. */
				if (h->boards[who[k]].ctl == pfd[k].fd) {
					read_ctl(&h->boards[who[k]]);
				}
				break;
			case PEND:
				if (h->pend[who[k]].fd == pfd[k].fd) {
					route(h, &h->pend[who[k]]);
				}
				break;
			case OUT:
				break;
			}
		}
	}
}

static int board_run(struct board_opts *o)
{
	const struct board_profile *bp = board_profile_find(o->board);
	if (bp == NULL) {
		fprintf(stderr, "dfukit board: unknown board '%s' (try: dfukit board list)\n", o->board);
		return 2;
	}
	if (o->count < 1 || o->count > HUB_MAX_BOARDS) {
		fprintf(stderr, "dfukit board: --count wants 1..%d\n", HUB_MAX_BOARDS);
		return 2;
	}
	o->board = bp->id;
	char default_flash[PATH_MAX], addr[64], fw_path[PATH_MAX + 32];
	uint16_t port = USBIP_DEFAULT_PORT;
	if (o->flash == NULL) {
		snprintf(default_flash, sizeof(default_flash), "%s.flash", bp->id);
		o->flash = default_flash;
	}
	if (parse_listen(o->listen, addr, sizeof(addr), &port) < 0) {
		fprintf(stderr, "dfukit board: --listen wants ADDR:PORT, got '%s'\n", o->listen);
		return 2;
	}
	const char *fw_dir = o->firmware_dir;
	char default_fw_dir[PATH_MAX + 64];
	if (fw_dir == NULL) {
		/* Installed (the firmware directory is there), else a build tree's ../firmware. */
		const char *self = self_dir();
		snprintf(default_fw_dir, sizeof(default_fw_dir), "%s/" DFUKIT_INSTALLED_FIRMWARE_DIR,
			 self ? self : ".");
		if (access(default_fw_dir, X_OK) != 0) {
			snprintf(default_fw_dir, sizeof(default_fw_dir), "%s/../firmware", self ? self : ".");
		}
		fw_dir = default_fw_dir;
	}
	if (o->firmware == NULL) {
		snprintf(fw_path, sizeof(fw_path), "%s/bootloader", fw_dir);
		if (access(fw_path, X_OK) != 0) {
			snprintf(fw_path, sizeof(fw_path), "%s/dfu-sample", fw_dir);
		}
		o->firmware = fw_path;
	}
	if (access(o->firmware, X_OK) != 0) {
		fprintf(stderr, "dfukit board: firmware %s: %s\n", o->firmware, strerror(errno));
		return 1;
	}

	static struct hub hub;
	struct hub *h = &hub;
	h->bp = bp;
	h->o = o;
	h->fw_dir = fw_dir;
	h->count = o->count;
	h->boards = calloc((size_t)o->count, sizeof(*h->boards));
	if (h->boards == NULL) {
		fprintf(stderr, "dfukit board: out of memory\n");
		return 1;
	}
	for (int i = 0; i < HUB_MAX_PENDING; i++) {
		h->pend[i].fd = -1;
	}
	for (int i = 0; i < h->count; i++) {
		struct board_slot *b = &h->boards[i];
		char name[PATH_MAX];
		b->index = i + 1;
		b->child = -1;
		b->ctl = -1;
		b->out = -1;
		snprintf(b->busid, sizeof(b->busid), "1-%d", b->index);
		if (h->count > 1) {
			snprintf(b->prefix, sizeof(b->prefix), "[%s] ", b->busid);
			fleet_flash_name(name, sizeof(name), o->flash, b->index);
		} else {
			snprintf(name, sizeof(name), "%s", o->flash);
		}
		/* The flash file must exist before realpath; the bootloader sizes it. */
		int ffd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (ffd < 0 || realpath(name, b->flash) == NULL) {
			fprintf(stderr, "dfukit board: %s: %s\n", name, strerror(errno));
			return 1;
		}
		close(ffd);
		if (o->serial == NULL) {
			char derived[25];
			derive_serial(derived, bp->id, b->flash);
			snprintf(b->serial, sizeof(b->serial), "%s", derived);
		} else if (h->count > 1) {
			snprintf(b->serial, sizeof(b->serial), "%.40s%02X", o->serial, (unsigned)b->index);
		} else {
			snprintf(b->serial, sizeof(b->serial), "%s", o->serial);
		}
		if (o->pid_file != NULL && h->count == 1) {
			snprintf(b->pid_path, sizeof(b->pid_path), "%s", o->pid_file);
		} else {
			snprintf(b->pid_path, sizeof(b->pid_path), "%s.pid", b->flash);
		}
		if (o->image != NULL) {
			if (program_slot0(bp, b, o->image, false) < 0) {
				return 1;
			}
		} else if (strstr(o->firmware, "bootloader") != NULL) {
			char factory[PATH_MAX + 32];
			snprintf(factory, sizeof(factory), "%s/dfu-sample.signed.bin", fw_dir);
			if (program_slot0(bp, b, factory, true) < 0) {
				return 1;
			}
		}
	}

	h->listen_fd = usbip_listen(addr, port);
	if (h->listen_fd < 0) {
		fprintf(stderr, "dfukit board: cannot listen on %s:%u: %s\n", addr, port,
			strerror(-h->listen_fd));
		return 1;
	}
	fcntl(h->listen_fd, F_SETFD, FD_CLOEXEC);
	fcntl(h->listen_fd, F_SETFL, fcntl(h->listen_fd, F_GETFL) | O_NONBLOCK);
	for (int i = 0; i < h->count; i++) {
		if (write_pid_file(h->boards[i].pid_path, h->boards[i].index) < 0) {
			return 1;
		}
	}
	if (o->pid_file != NULL && h->count > 1 && write_pid_file(o->pid_file, 0) < 0) {
		return 1;
	}

	/* Signals arrive as data in the poll loop; reset-one signals queue, never merge. */
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, HUB_SIG_RESET_ONE);
	sigprocmask(SIG_BLOCK, &block, NULL);
	signal(SIGPIPE, SIG_IGN);
	h->sig_fd = signalfd(-1, &block, SFD_NONBLOCK | SFD_CLOEXEC);
	if (h->sig_fd < 0) {
		fprintf(stderr, "dfukit board: signalfd: %s\n", strerror(errno));
		return 1;
	}

	if (h->count == 1) {
		struct board_slot *b = &h->boards[0];
		say(NULL, "[board] %s (%s), flash %s, USB/IP on %s:%u busid %s, serial %s", bp->id,
		    bp->zephyr_board, b->flash, addr, port, b->busid, b->serial);
		say(NULL, "[board] reset: dfukit board reset --flash %s   (or kill -USR1 %d)", b->flash,
		    (int)getpid());
	} else {
		say(NULL, "[board] %d x %s (%s), USB/IP on %s:%u busids 1-1..1-%d", h->count, bp->id,
		    bp->zephyr_board, addr, port, h->count);
		for (int i = 0; i < h->count; i++) {
			struct board_slot *b = &h->boards[i];
			say(b, "[board] busid %s, flash %s, serial %s", b->busid, b->flash, b->serial);
		}
		say(NULL, "[board] reset one: dfukit board reset --flash FLASH; all: kill -USR1 %d; "
			  "power off: kill %d",
		    (int)getpid(), (int)getpid());
	}
	for (int i = 0; i < h->count; i++) {
		start_firmware(h, &h->boards[i]);
	}
	int rc = hub_loop(h);
	say(NULL, "[board] power off");
	for (int i = 0; i < h->count; i++) {
		stop_firmware(&h->boards[i]);
		unlink(h->boards[i].pid_path);
	}
	if (o->pid_file != NULL && h->count > 1) {
		unlink(o->pid_file);
	}
	for (int i = 0; i < HUB_MAX_PENDING; i++) {
		close_fd(&h->pend[i].fd);
	}
	close(h->listen_fd);
	close(h->sig_fd);
	free(h->boards);
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
	int pid = 0, index = 0;
	if (f == NULL || fscanf(f, "%d", &pid) != 1 || pid <= 0) {
		fprintf(stderr, "dfukit board: no running board (%s: %s)\n", path,
			f ? "unreadable" : strerror(errno));
		if (f) {
			fclose(f);
		}
		return 1;
	}
	if (fscanf(f, "%d", &index) != 1) {
		index = 0; /* an old pid file: the whole board */
	}
	fclose(f);
	int rc;
	if (sig == SIGUSR1 && index > 0) {
		/* Reset that board only; a queued real-time signal carries its index. */
		union sigval v = {.sival_int = index};
		rc = sigqueue(pid, HUB_SIG_RESET_ONE, v);
	} else {
		rc = kill(pid, sig);
	}
	if (rc != 0) {
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
		{"image", required_argument, NULL, 'i'},   {"count", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0}};
	struct board_opts o = {.board = "reel_board", .listen = "127.0.0.1:3240", .count = 1};

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
		case 'n': {
			char *end;
			long v = strtol(optarg, &end, 10);
			o.count = (*end || v < 1 || v > HUB_MAX_BOARDS) ? -1 : (int)v;
			break;
		}
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
