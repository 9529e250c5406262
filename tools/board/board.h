/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit board, inside: what the parts of the virtual board share.
 *
 *   cli.c         the command line: options, help, the subcommands
 *   run.c         `run`: start the boards, the event loop, power off
 *   flash_setup.c the boards' flash files: checked, locked, factory-programmed
 *   firmware.c    the firmware runner: start at reset, stop (reset held, power cut)
 *   console.c     the boards' consoles, line by line with their prefixes
 *   hub.c         the USB/IP hub: routes each connection to its board's firmware
 *   control.c     `reset` / `stop`: signal a running board, checked by its flash lock
 *
 * The firmware runner is the seam between the board and what runs on it: a
 * host program, or the emulated Cortex-M (dfukit-emu, which runs QEMU). Both
 * are a process the board starts at each reset with the board environment
 * (dfukit/host/board_env.h) and kills when reset is held or power is cut; nothing
 * else of the board knows which one it runs.
 */
#ifndef DFUKIT_TOOLS_BOARD_H
#define DFUKIT_TOOLS_BOARD_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

#include "dfukit/board_profile.h"

/* Boards per hub: busids 1-1 .. 1-64 (USB/IP ports go up to 127). */
#define HUB_MAX_BOARDS       64
/* Connections whose first request has not arrived yet. */
#define HUB_MAX_PENDING      32
#define HUB_FIRST_REQUEST_MS 10000
#define HUB_DEVLIST_MS       1000
/* The signal `dfukit board reset` queues, with the board's index as value. */
#define HUB_SIG_RESET_ONE    (SIGRTMIN)
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
	bool remote_ok; /* --i-know-slot0-runs-on-this-host */
	bool emulate;   /* --emulate: the Cortex-M firmware on QEMU (dfukit-emu) */

	const char *mode;          /* --mode: the bootloader's strategy, NULL = move */
	bool downgrade_prevention; /* --downgrade-prevention (overwrite-only) */
	bool security_counter;     /* --security-counter (hardware rollback protection) */
};

/* What runs on the boards: one program, started at every reset of a board. */
struct firmware_runner {
	char program[PATH_MAX];
	char firmware_dir[PATH_MAX]; /* passed on as DFUKIT_FIRMWARE_DIR */
	/* The signed image a blank board gets in slot 0; "" for none. */
	char factory_image[PATH_MAX + 32];
};

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
	int lock_fd;     /* the flash file, flock()ed for the board's lifetime, -1 */
	bool created;    /* this start created the flash file */
	bool fresh;      /* the flash file was absent or empty: a blank board */
	bool pid_written;
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
	struct firmware_runner runner;
	int listen_fd;
	int sig_fd;
	int count;
	struct board_slot *boards;
	bool fleet_pid_written;
	struct pending_conn pend[HUB_MAX_PENDING];
};

static inline void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

int64_t now_ms(void);

/* cli.c */
void usage_run(FILE *f);

/* run.c */
int board_run(struct board_opts *o);

/* flash_setup.c */
void derive_serial(char out[25], const char *board, const char *flash);
void fleet_flash_name(char *out, size_t n, const char *flash, int i);
int check_flash_file(const struct board_profile *bp, const char *path);
int lock_flash(int fd, const char *path);
pid_t flock_holder(ino_t ino);
int program_slot0(const struct board_profile *bp, const struct board_slot *b, const char *image,
		  bool only_if_blank, bool fresh);

/* firmware.c */
int firmware_runner_choose(struct firmware_runner *r, const struct board_opts *o);
int firmware_start(struct hub *h, struct board_slot *b);
void firmware_stop(struct board_slot *b);
void firmware_reset(struct hub *h, struct board_slot *b);
void firmware_reap(struct hub *h);

/* console.c */
__attribute__((format(printf, 2, 3))) void say(const struct board_slot *b, const char *fmt, ...);
void pump_console(struct board_slot *b, bool until_eof);

/* hub.c */
void hub_accept_all(struct hub *h);
void hub_route(struct hub *h, struct pending_conn *pc);
void hub_read_ctl(struct board_slot *b);

/* control.c */
int signal_board(const struct board_opts *o, int sig);

#endif /* DFUKIT_TOOLS_BOARD_H */
