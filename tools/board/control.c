/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit board reset | stop: signal the running board, after checking that
 * the pid its pid file names is still that board (it holds the flash lock).
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
#include <sys/file.h>
#include <sys/stat.h>

#include "board.h"

/* True if pid is a running dfukit board (its program is dfukit-board). */
static bool pid_is_board(pid_t pid)
{
	char link[64], exe[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0) {
		return false;
	}
	exe[n] = '\0';
	const char *base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	return strcmp(base, "dfukit-board") == 0;
}

/*
 * Is pid (from a pid file) still the board that runs on flash? The board holds
 * an exclusive flock() on its flash file for its whole life, so: no lock means
 * no board (the pid file is stale, e.g. after kill -9, and the pid may belong
 * to anything by now); a lock held by another pid means the pid file is not
 * that board's. Without a flash path (a pid file of an older dfukit) the pid's
 * program must be dfukit-board.
 */
static int check_board_pid(pid_t pid, const char *flash, const char *pid_path)
{
	if (flash[0] != '\0') {
		int fd = open(flash, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) != 0) {
			fprintf(stderr, "dfukit board: no board is running: flash %s: %s\n", flash,
				strerror(errno));
			if (fd >= 0) {
				close(fd);
			}
			return -1;
		}
		if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
			close(fd);
			fprintf(stderr,
				"dfukit board: no board is running on flash %s: %s is stale\n"
				"  (its board, pid %d, is gone, e.g. killed with kill -9); nothing "
				"signalled\n",
				flash, pid_path, (int)pid);
			return -1;
		}
		close(fd);
		pid_t holder = flock_holder(st.st_ino);
		if (holder > 0 && holder != pid) {
			fprintf(stderr,
				"dfukit board: %s says pid %d, but the board on flash %s is pid "
				"%d;\n"
				"  the pid file is stale, nothing signalled\n",
				pid_path, (int)pid, flash, (int)holder);
			return -1;
		}
		if (holder > 0) {
			return 0;
		}
	}
	if (!pid_is_board(pid)) {
		fprintf(stderr,
			"dfukit board: %s is stale: pid %d is not a dfukit board; nothing "
			"signalled\n",
			pid_path, (int)pid);
		return -1;
	}
	return 0;
}

int signal_board(const struct board_opts *o, int sig)
{
	char path[PATH_MAX + 8], flash_abs[PATH_MAX], recorded[PATH_MAX] = "";
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
	/* Line 2: the board's flash file (absent in pid files of older boards). */
	if (fscanf(f, " %4095[^\n]", recorded) != 1) {
		recorded[0] = '\0';
	}
	fclose(f);
	if (recorded[0] == '\0' && o->pid_file == NULL) {
		snprintf(recorded, sizeof(recorded), "%s", flash_abs);
	}
	if (check_board_pid((pid_t)pid, recorded, path) < 0) {
		return 1;
	}
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
