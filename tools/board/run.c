/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit board run: the virtual board owns what outlives a reset (the flash
 * files and the USB/IP listening socket) and runs each board's firmware
 * (firmware.c); one code path for one board and for N. Signals arrive in
 * the event loop as data.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "board.h"
#include "dfukit/host/flash_file.h"
#include "dfukit/port/usbip.h"

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

/* True if addr (numeric, as usbip_listen takes it) is a loopback address. */
static bool is_loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, addr, &a4) == 1) {
		return (ntohl(a4.s_addr) >> 24) == 127;
	}
	if (inet_pton(AF_INET6, addr, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6)) {
			return true;
		}
		return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
	}
	return false;
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
				firmware_reset(h, &h->boards[i]);
			}
		} else if (sig == HUB_SIG_RESET_ONE) {
			int idx = si.ssi_int;
			if (idx >= 1 && idx <= h->count) {
				firmware_reset(h, &h->boards[idx - 1]);
			} else {
				say(NULL, "[board] reset of board %d ignored: boards are 1..%d",
				    idx, h->count);
			}
		} else if (sig == SIGCHLD) {
			firmware_reap(h);
		}
	}
	return false;
}

static int write_pid_file(const char *path, int index, const char *flash)
{
	FILE *pf = fopen(path, "w");
	if (pf == NULL) {
		fprintf(stderr, "dfukit board: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/*
	 * "PID INDEX": INDEX is the board in its fleet, 0 for the whole fleet;
	 * then the flash file whose lock proves that PID is still this board.
	 */
	fprintf(pf, "%d %d\n%s\n", (int)getpid(), index, flash);
	if (fclose(pf) != 0) {
		fprintf(stderr, "dfukit board: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* What the event loop waits for: one entry per file descriptor. */
enum watch_kind { WATCH_SIGNALS, WATCH_LISTEN, WATCH_CTL, WATCH_CONSOLE, WATCH_PENDING };
struct watch_set {
	struct pollfd pfd[2 + 2 * HUB_MAX_BOARDS + HUB_MAX_PENDING];
	enum watch_kind kind[2 + 2 * HUB_MAX_BOARDS + HUB_MAX_PENDING];
	int who[2 + 2 * HUB_MAX_BOARDS + HUB_MAX_PENDING]; /* board or pending index */
	nfds_t n;
};

static void watch(struct watch_set *w, int fd, enum watch_kind kind, int who)
{
	w->pfd[w->n] = (struct pollfd){.fd = fd, .events = POLLIN};
	w->kind[w->n] = kind;
	w->who[w->n++] = who;
}

/* Fill w; returns poll's timeout: until the first pending connection's deadline, or -1. */
static int watch_all(struct hub *h, struct watch_set *w)
{
	int64_t now = now_ms(), next = -1;

	w->n = 0;
	watch(w, h->sig_fd, WATCH_SIGNALS, 0);
	watch(w, h->listen_fd, WATCH_LISTEN, 0);
	for (int i = 0; i < h->count; i++) {
		if (h->boards[i].ctl >= 0) {
			watch(w, h->boards[i].ctl, WATCH_CTL, i);
		}
		if (h->boards[i].out >= 0) {
			watch(w, h->boards[i].out, WATCH_CONSOLE, i);
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
		watch(w, pc->fd, WATCH_PENDING, i);
	}
	return next < 0 ? -1 : (int)(next - now + 1);
}

/* Act on entry k of a poll round; true when the fleet is to be powered off. */
static bool handle_ready(struct hub *h, const struct watch_set *w, nfds_t k)
{
	int fd = w->pfd[k].fd, who = w->who[k];

	switch (w->kind[k]) {
	case WATCH_SIGNALS: return handle_signals(h);
	case WATCH_LISTEN: hub_accept_all(h); break;
	case WATCH_CTL:
		/* A reset in this round may have replaced the socket. */
		if (h->boards[who].ctl == fd) {
			hub_read_ctl(&h->boards[who]);
		}
		break;
	case WATCH_PENDING:
		if (h->pend[who].fd == fd) {
			hub_route(h, &h->pend[who]);
		}
		break;
	case WATCH_CONSOLE: break; /* taken first, see hub_loop */
	}
	return false;
}

static int hub_loop(struct hub *h)
{
	static struct watch_set w;
	for (;;) {
		int timeout = watch_all(h, &w); /* before poll reads w.n */
		int r = poll(w.pfd, w.n, timeout);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "dfukit board: poll: %s\n", strerror(errno));
			return 1;
		}
		if (r <= 0) {
			continue;
		}
		/* Consoles first, so a firmware's last words precede the hub's lines about it. */
		for (nfds_t k = 0; k < w.n; k++) {
			if (w.kind[k] == WATCH_CONSOLE && w.pfd[k].revents) {
				pump_console(&h->boards[w.who[k]], false);
			}
		}
		for (nfds_t k = 0; k < w.n; k++) {
			if (w.pfd[k].revents && handle_ready(h, &w, k)) {
				return 0;
			}
		}
	}
}

/* A start failed after the listen socket: remove what this start created. */
static int failed_start(struct hub *h)
{
	for (int i = 0; i < h->count; i++) {
		struct board_slot *b = &h->boards[i];
		if (b->pid_written) {
			unlink(b->pid_path);
		}
		if (b->created) {
			unlink(b->flash);
		}
		close_fd(&b->lock_fd);
	}
	if (h->fleet_pid_written) {
		unlink(h->o->pid_file);
	}
	close_fd(&h->listen_fd);
	free(h->boards);
	return 1;
}

/* Check the options of `run`; 0, or the exit status. */
static int check_run_options(struct board_opts *o, const struct board_profile **bp, char *addr,
			     size_t addr_len, uint16_t *port, char default_flash[PATH_MAX])
{
	*bp = board_profile_find(o->board);
	if (*bp == NULL) {
		fprintf(stderr, "dfukit board: unknown board '%s' (try: dfukit board list)\n",
			o->board);
		return 2;
	}
	if (o->count < 1 || o->count > HUB_MAX_BOARDS) {
		fprintf(stderr, "dfukit board: --count wants 1..%d\n", HUB_MAX_BOARDS);
		return 2;
	}
	o->board = (*bp)->id;
	if (o->flash == NULL) {
		snprintf(default_flash, PATH_MAX, "%s.flash", (*bp)->id);
		o->flash = default_flash;
	}
	*port = USBIP_DEFAULT_PORT;
	if (parse_listen(o->listen, addr, addr_len, port) < 0) {
		fprintf(stderr, "dfukit board: --listen wants ADDR:PORT, got '%s'\n", o->listen);
		return 2;
	}
	if (!is_loopback(addr) && !o->remote_ok) {
		fprintf(stderr,
			"dfukit board: refusing --listen %s: not a loopback address.\n"
			"  This board runs the image in slot 0 as a program on this host, and the\n"
			"  development signing keys are public (keys/): any USB/IP peer that can\n"
			"  reach %s can sign an image, download it and have it run here at the\n"
			"  next reset. USB/IP has no authentication. If that is what you want, "
			"add\n"
			"  --i-know-slot0-runs-on-this-host.\n",
			o->listen, o->listen);
		return 2;
	}
	return 0;
}

/* Name every board of the fleet and check its flash file (nothing is created yet). */
static int name_boards(struct hub *h, char (*names)[PATH_MAX])
{
	for (int i = 0; i < h->count; i++) {
		struct board_slot *b = &h->boards[i];
		b->index = i + 1;
		b->child = -1;
		b->ctl = -1;
		b->out = -1;
		b->lock_fd = -1;
		snprintf(b->busid, sizeof(b->busid), "1-%d", b->index);
		if (h->count > 1) {
			snprintf(b->prefix, sizeof(b->prefix), "[%s] ", b->busid);
			fleet_flash_name(names[i], PATH_MAX, h->o->flash, b->index);
		} else {
			snprintf(names[i], PATH_MAX, "%s", h->o->flash);
		}
		int kind = check_flash_file(h->bp, names[i]);
		if (kind < 0) {
			return kind;
		}
		b->fresh = kind == FLASH_FILE_ABSENT || kind == FLASH_FILE_EMPTY;
	}
	return 0;
}

/* Create (if absent) and lock board b's flash file; its serial and pid file follow from it. */
static int open_flash(struct hub *h, struct board_slot *b, const char *name)
{
	const struct board_opts *o = h->o;
	/* The flash file must exist before realpath; the firmware sizes it. */
	b->lock_fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (b->lock_fd >= 0) {
		b->created = true;
	} else if (errno == EEXIST) {
		b->lock_fd = open(name, O_RDWR | O_CLOEXEC);
	}
	if (b->lock_fd < 0 || realpath(name, b->flash) == NULL) {
		fprintf(stderr, "dfukit board: %s: %s\n", name, strerror(errno));
		if (b->created) {
			unlink(name);
			b->created = false;
		}
		return -EIO;
	}
	if (lock_flash(b->lock_fd, b->flash) < 0) {
		return -EBUSY;
	}
	if (o->serial == NULL) {
		char derived[25];
		derive_serial(derived, h->bp->id, b->flash);
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
	return 0;
}

/* --image, or the runner's factory image on a blank board; then the pid files. */
static int program_and_record(struct hub *h)
{
	for (int i = 0; i < h->count; i++) {
		struct board_slot *b = &h->boards[i];
		if (h->o->image != NULL) {
			if (program_slot0(h->bp, b, h->o->image, false, b->fresh) < 0) {
				return -EIO;
			}
		} else if (h->runner.factory_image[0] != '\0' &&
			   program_slot0(h->bp, b, h->runner.factory_image, true, b->fresh) < 0) {
			return -EIO;
		}
	}
	for (int i = 0; i < h->count; i++) {
		if (write_pid_file(h->boards[i].pid_path, h->boards[i].index, h->boards[i].flash) <
		    0) {
			return -EIO;
		}
		h->boards[i].pid_written = true;
	}
	if (h->o->pid_file != NULL && h->count > 1) {
		if (write_pid_file(h->o->pid_file, 0, h->boards[0].flash) < 0) {
			return -EIO;
		}
		h->fleet_pid_written = true;
	}
	return 0;
}

/* Signals arrive as data in the poll loop; reset-one signals queue, never merge. */
static int open_signals(struct hub *h)
{
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
		return -errno;
	}
	return 0;
}

static void print_banner(const struct hub *h, const char *addr, uint16_t port)
{
	const struct board_profile *bp = h->bp;
	if (h->count == 1) {
		const struct board_slot *b = &h->boards[0];
		say(NULL, "[board] %s (%s), flash %s, USB/IP on %s:%u busid %s, serial %s", bp->id,
		    bp->zephyr_board, b->flash, addr, port, b->busid, b->serial);
		say(NULL, "[board] reset: dfukit board reset --flash %s   (or kill -USR1 %d)",
		    b->flash, (int)getpid());
		return;
	}
	say(NULL, "[board] %d x %s (%s), USB/IP on %s:%u busids 1-1..1-%d", h->count, bp->id,
	    bp->zephyr_board, addr, port, h->count);
	for (int i = 0; i < h->count; i++) {
		const struct board_slot *b = &h->boards[i];
		say(b, "[board] busid %s, flash %s, serial %s", b->busid, b->flash, b->serial);
	}
	say(NULL,
	    "[board] reset one: dfukit board reset --flash FLASH; all: kill -USR1 %d; "
	    "power off: kill %d",
	    (int)getpid(), (int)getpid());
}

static void power_off(struct hub *h)
{
	say(NULL, "[board] power off");
	for (int i = 0; i < h->count; i++) {
		firmware_stop(&h->boards[i]);
		unlink(h->boards[i].pid_path);
		close_fd(&h->boards[i].lock_fd);
	}
	if (h->o->pid_file != NULL && h->count > 1) {
		unlink(h->o->pid_file);
	}
	for (int i = 0; i < HUB_MAX_PENDING; i++) {
		close_fd(&h->pend[i].fd);
	}
	close(h->listen_fd);
	close(h->sig_fd);
	free(h->boards);
}

/*
 * Start in an order that leaves nothing behind when it fails: check every
 * flash file (refuse foreign ones), then the listen address, then create
 * and lock the flash files, program them, write the pid files. A failure
 * removes what this start created.
 */
int board_run(struct board_opts *o)
{
	static struct hub hub;
	static char names[HUB_MAX_BOARDS][PATH_MAX];
	char default_flash[PATH_MAX], addr[64];
	struct hub *h = &hub;
	uint16_t port;

	int rc = check_run_options(o, &h->bp, addr, sizeof(addr), &port, default_flash);
	if (rc != 0) {
		return rc;
	}
	if (firmware_runner_choose(&h->runner, o) < 0) {
		return 1;
	}
	h->o = o;
	h->count = o->count;
	h->boards = calloc((size_t)o->count, sizeof(*h->boards));
	if (h->boards == NULL) {
		fprintf(stderr, "dfukit board: out of memory\n");
		return 1;
	}
	for (int i = 0; i < HUB_MAX_PENDING; i++) {
		h->pend[i].fd = -1;
	}
	if (name_boards(h, names) < 0) {
		free(h->boards);
		return 1;
	}
	h->listen_fd = usbip_listen(addr, port);
	if (h->listen_fd < 0) {
		fprintf(stderr, "dfukit board: cannot listen on %s:%u: %s\n", addr, port,
			strerror(-h->listen_fd));
		free(h->boards);
		return 1;
	}
	fcntl(h->listen_fd, F_SETFD, FD_CLOEXEC);
	fcntl(h->listen_fd, F_SETFL, fcntl(h->listen_fd, F_GETFL) | O_NONBLOCK);
	for (int i = 0; i < h->count; i++) {
		if (open_flash(h, &h->boards[i], names[i]) < 0) {
			return failed_start(h);
		}
	}
	if (program_and_record(h) < 0 || open_signals(h) < 0) {
		return failed_start(h);
	}
	print_banner(h, addr, port);
	for (int i = 0; i < h->count; i++) {
		firmware_start(h, &h->boards[i]);
	}
	rc = hub_loop(h);
	power_off(h);
	return rc;
}
