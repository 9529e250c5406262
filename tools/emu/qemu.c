/* SPDX-License-Identifier: Apache-2.0 */
#include "qemu.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DIR_PREFIX "dfukit-emu-"

static const char *tmp_root(void)
{
	const char *t = getenv("TMPDIR");
	return t != NULL && t[0] != '\0' ? t : "/tmp";
}

static void remove_dir(const char *dir)
{
	static const char *const names[] = {EMU_DIR_FLASH, EMU_DIR_LINK_IN, EMU_DIR_LINK_OUT};
	char p[PATH_MAX];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		(void)unlink(p);
	}
	(void)rmdir(dir); /* fails, harmlessly, if someone put anything else there */
}

/* A SIGKILL (the board's reset) leaves our directory behind: sweep those of dead runs. */
static void sweep_stale(const char *root)
{
	DIR *d = opendir(root);
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, DIR_PREFIX, strlen(DIR_PREFIX)) != 0) {
			continue;
		}
		char *end;
		long pid = strtol(e->d_name + strlen(DIR_PREFIX), &end, 10);
		char p[PATH_MAX];
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", root, e->d_name);
		if (pid <= 0 || *end != '.' || lstat(p, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != getuid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) {
			continue;
		}
		remove_dir(p);
	}
	if (d != NULL) {
		closedir(d);
	}
}

int emu_workdir_create(struct emu_workdir *w, const char *flash_path)
{
	char target[PATH_MAX], p[PATH_MAX];
	const char *root = tmp_root();
	if (realpath(flash_path, target) == NULL) {
		return -errno;
	}
	sweep_stale(root);
	snprintf(w->path, sizeof(w->path), "%s/" DIR_PREFIX "%ld.XXXXXX", root, (long)getpid());
	if (mkdtemp(w->path) == NULL) {
		int e = errno;
		w->path[0] = '\0';
		return -e;
	}
	int rc = 0;
	snprintf(p, sizeof(p), "%s/" EMU_DIR_FLASH, w->path);
	if (symlink(target, p) < 0) {
		rc = -errno;
	}
	snprintf(p, sizeof(p), "%s/" EMU_DIR_LINK_IN, w->path);
	if (rc == 0 && mkfifo(p, 0600) < 0) {
		rc = -errno;
	}
	snprintf(p, sizeof(p), "%s/" EMU_DIR_LINK_OUT, w->path);
	if (rc == 0 && mkfifo(p, 0600) < 0) {
		rc = -errno;
	}
	if (rc < 0) {
		emu_workdir_remove(w);
	}
	return rc;
}

void emu_workdir_remove(struct emu_workdir *w)
{
	if (w->path[0] != '\0') {
		remove_dir(w->path);
		w->path[0] = '\0';
	}
}

int emu_qemu_find(const char *program, char *path, size_t size)
{
	if (strchr(program, '/') != NULL) {
		snprintf(path, size, "%s", program);
		return access(path, X_OK) == 0 ? 0 : -ENOENT;
	}
	const char *dirs = getenv("PATH");
	dirs = dirs != NULL ? dirs : "/usr/local/bin:/usr/bin:/bin";
	while (*dirs != '\0') {
		size_t n = strcspn(dirs, ":");
		snprintf(path, size, "%.*s/%s", (int)n, n ? dirs : ".", program);
		if (access(path, X_OK) == 0) {
			return 0;
		}
		dirs += n + (dirs[n] == ':');
	}
	return -ENOENT;
}

/* In the child: never returns. */
static void exec_qemu(const struct emu_qemu_config *cfg, pid_t parent)
{
	char semi[512], loader[128];
	/* The board's SIGKILL of us must stop the CPU too, even if it lands right now. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent) {
		_exit(127);
	}
	int null = open("/dev/null", O_RDONLY);
	if (chdir(cfg->workdir) < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0) {
		_exit(127);
	}
	/* Our FIFO ends and USB/IP sockets are not QEMU's business. */
	(void)close_range(3, ~0u, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	snprintf(semi, sizeof(semi),
		 "enable=on,target=native,arg=dfukit,arg=flash=" EMU_DIR_FLASH
		 ",arg=link-in=" EMU_DIR_LINK_IN ",arg=link-out=" EMU_DIR_LINK_OUT ",arg=serial=%s",
		 cfg->serial);
	if (cfg->cut_at >= 0) {
		size_t n = strlen(semi);
		snprintf(semi + n, sizeof(semi) - n, ",arg=cut-at=%ld,arg=cut-tear=%d", cfg->cut_at,
			 cfg->cut_tear);
	}
	snprintf(loader, sizeof(loader), "loader,file=" EMU_DIR_FLASH ",addr=0x%x,force-raw=on",
		 (unsigned)cfg->load_addr);
	const char *argv[20] = {
		cfg->program,          "-M",       cfg->machine, "-accel",  cfg->accel,
		"-nographic",          "-monitor", "none",       "-serial", "stdio",
		"-semihosting-config", semi,       "-device",    loader};
	int argc = 14;
	if (cfg->icount != NULL) {
		argv[argc++] = "-icount";
		argv[argc++] = cfg->icount;
	}
	argv[argc] = NULL;
	execv(cfg->program, (char *const *)argv);
	fprintf(stderr, "[emu] cannot start %s: %s\n", cfg->program, strerror(errno));
	_exit(127);
}

int emu_qemu_start(struct emu_qemu *q, const struct emu_qemu_config *cfg)
{
	pid_t parent = getpid();
	fflush(stdout);
	fflush(stderr);
	q->pid = fork();
	if (q->pid < 0) {
		return -errno;
	}
	if (q->pid == 0) {
		exec_qemu(cfg, parent);
	}
	q->status = 0;
	return 0;
}

bool emu_qemu_ended(struct emu_qemu *q)
{
	if (q->pid <= 0) {
		return true;
	}
	int status;
	pid_t r = waitpid(q->pid, &status, WNOHANG);
	if (r == q->pid || (r < 0 && errno == ECHILD)) {
		q->status = r == q->pid ? status : 0;
		q->pid = -1;
		return true;
	}
	return false;
}

void emu_qemu_kill(struct emu_qemu *q)
{
	if (q->pid > 0) {
		kill(q->pid, SIGKILL);
		int status = 0;
		while (waitpid(q->pid, &status, 0) < 0 && errno == EINTR) {
		}
		q->status = status;
		q->pid = -1;
	}
}
