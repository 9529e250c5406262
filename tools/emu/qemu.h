/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulator process: a private working directory that keeps the
 * semihosting command line short (the firmware reads it into 256 bytes), and
 * qemu-system-arm started in it, tied to our life by PR_SET_PDEATHSIG so
 * that the board's SIGKILL of us (reset, power cut) stops the CPU at once.
 */
#ifndef DFUKIT_EMU_QEMU_H
#define DFUKIT_EMU_QEMU_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Names inside the working directory, as the firmware's command line gives them. */
#define EMU_DIR_FLASH    "flash"
#define EMU_DIR_LINK_IN  "in"  /* host -> firmware (its link-in) */
#define EMU_DIR_LINK_OUT "out" /* firmware -> host (its link-out) */

struct emu_workdir {
	char path[PATH_MAX];
};

/*
 * mkdtemp under $TMPDIR (or /tmp) with a symlink "flash" to flash_path and
 * the FIFOs "in" and "out". Directories that earlier runs killed without a
 * chance to clean up (their pid is in the name) are removed first.
 */
int emu_workdir_create(struct emu_workdir *w, const char *flash_path);
void emu_workdir_remove(struct emu_workdir *w);

struct emu_qemu_config {
	const char *program; /* qemu-system-arm, or a path */
	const char *machine; /* -M */
	const char *accel;   /* -accel */
	const char *icount;  /* -icount value, or NULL */
	uint32_t load_addr;  /* where the flash file goes */
	const char *serial;  /* USB serial number for the firmware */
	const char *workdir;
	/* A power cut for the firmware (flash_mps2.h cut-at/cut-tear), or cut_at < 0. */
	long cut_at;
	int cut_tear;
};

struct emu_qemu {
	pid_t pid;  /* -1 when not running */
	int status; /* waitpid status once it ended */
};

/* The program's full path if it can be executed (searching PATH), else -ENOENT. */
int emu_qemu_find(const char *program, char *path, size_t size);
/* Fork and exec QEMU: stdin /dev/null, stdout and stderr ours. */
int emu_qemu_start(struct emu_qemu *q, const struct emu_qemu_config *cfg);
/* True once QEMU has ended (reaped; status in q->status). Never blocks. */
bool emu_qemu_ended(struct emu_qemu *q);
/* SIGKILL and reap, if still running. */
void emu_qemu_kill(struct emu_qemu *q);

#endif /* DFUKIT_EMU_QEMU_H */
