/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit-emu: the virtual board's firmware program for the emulated boards.
 * The board execs it like any firmware (board_env.h); it factory-programs
 * the Cortex-M bootloader into the boot partition if needed, runs the flash
 * file on QEMU (mps2-an386 / mps2-an505), restarts QEMU on a firmware reset,
 * and exports the firmware's USB device over the board's USB/IP hand-off.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bootprog.h"
#include "dfukit/host/board_env.h"
#include "dfukit/port/board_log.h"
#include "dfukit/board_profile.h"
#include "machine.h"
#include "qemu.h"
#include "serve.h"

#define PROG                    "dfukit-emu"
#define DEFAULT_LINK_TIMEOUT_MS 10000
/* The firmware's USB serial buffer holds 39 characters (apps/dfu-sample-cm). */
#define MAX_SERIAL              39u

struct options {
	const char *qemu;
	const char *accel;
	const char *icount;
	int link_timeout_ms;
	bool verbose;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [--qemu PROGRAM] [--accel ACCEL] [--icount ICOUNT]\n"
		"                  [--link-timeout MS] [--verbose]\n"
		"\n"
		"The emulated board's firmware program: started by the dfukit virtual board\n"
		"(dfukit board run --emulate) with the board's environment (DFUKIT_BOARD,\n"
		"DFUKIT_USBIP_FD, DFUKIT_BUSID, DFUKIT_FLASH, DFUKIT_SERIAL, "
		"DFUKIT_FIRMWARE_DIR).\n"
		"It programs $DFUKIT_FIRMWARE_DIR/bootloader-mps2-<board>.bin into the boot\n"
		"partition unless it is there already, runs the flash file on qemu-system-arm\n"
		"(reel_board: mps2-an386, nucleo_u575zi_q: mps2-an505) with the UART on stdout,\n"
		"and exports the firmware's USB device over USB/IP as $DFUKIT_BUSID.\n"
		"A firmware reset (exit 64) restarts the machine on the same flash.\n"
		"\n"
		"  --qemu PROGRAM     the emulator (default qemu-system-arm, or $DFUKIT_EMU_QEMU)\n"
		"  --accel ACCEL      QEMU's -accel (default tcg)\n"
		"  --icount ICOUNT    QEMU's -icount, e.g. shift=0 for counted instructions\n"
		"  --link-timeout MS  longest wait for one USB reply from the firmware\n"
		"                     (default %d)\n"
		"  -v, --verbose      log USB/IP connections on the console (or "
		"$DFUKIT_EMU_VERBOSE;\n"
		"                     they may split the firmware's lines: QEMU writes the UART\n"
		"                     unbuffered)\n"
		"  -h, --help         this text\n"
		"  --version          the version\n"
		"\n"
		"Power cuts (tests): DFUKIT_POWER_CUT=op:N[:TEAR] cuts the power at flash\n"
		"operation N (counted from power-on; TEAR 0 prefix, 1 nothing, 2 bits, as\n"
		"flash_sim tears it) at every power-on; DFUKIT_EMU_POWER_CUT_FILE=PATH does it\n"
		"once: if PATH exists at start it holds op:N[:TEAR], is removed, and applies\n"
		"to this start's first power-on only.\n"
		"\n"
		"Exit status: the firmware's (65 halted, 66 fault, 67 power cut), QEMU's own\n"
		"if it failed, 128+N if it was killed by signal N, 0 when stopped by\n"
		"SIGTERM/SIGINT, 1 on other errors, 2 on usage or environment errors.\n",
		DEFAULT_LINK_TIMEOUT_MS);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see " PROG " --help)\n");
	return 2;
}

/* 0 to go on, or the exit status (help, version, usage error) + 1. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{"qemu", required_argument, NULL, 'q'},
		{"accel", required_argument, NULL, 'a'},
		{"icount", required_argument, NULL, 'i'},
		{"link-timeout", required_argument, NULL, 't'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *env_qemu = getenv("DFUKIT_EMU_QEMU");
	*o = (struct options){env_qemu != NULL && env_qemu[0] ? env_qemu : "qemu-system-arm", "tcg",
			      NULL, DEFAULT_LINK_TIMEOUT_MS, getenv("DFUKIT_EMU_VERBOSE") != NULL};
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":hv", longs, NULL)) != -1) {
		char *end;
		long v;
		switch (c) {
		case 'q': o->qemu = optarg; break;
		case 'a': o->accel = optarg; break;
		case 'i': o->icount = optarg; break;
		case 't':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 3600000) {
				return 1 +
				       usage_error("--link-timeout %s: want 1..3600000 ms", optarg);
			}
			o->link_timeout_ms = (int)v;
			break;
		case 'v': o->verbose = true; break;
		case 'h': usage(stdout); return 1;
		case 'V': printf(PROG " " DFUKIT_VERSION "\n"); return 1;
		case ':': return 1 + usage_error("%s needs a value", argv[optind - 1]);
		default: return 1 + usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		return 1 + usage_error("unexpected argument '%s'", argv[optind]);
	}
	return 0;
}

struct power_cut {
	long at; /* flash operation, or -1: none */
	int tear;
	bool once; /* from DFUKIT_EMU_POWER_CUT_FILE: the first power-on only */
};

/* "op:N[:TEAR]" into c; -EINVAL if it is not that. */
static int parse_cut(const char *spec, struct power_cut *c)
{
	char *end;
	if (strncmp(spec, "op:", 3) != 0 || spec[3] < '0' || spec[3] > '9') {
		return -EINVAL;
	}
	errno = 0;
	unsigned long long n = strtoull(spec + 3, &end, 10);
	if (errno != 0 || n > 0xFFFFFFFFull) {
		return -EINVAL;
	}
	long tear = 0;
	if (*end == ':') {
		char *t = end + 1;
		tear = strtol(t, &end, 10);
		if (end == t || tear < 0 || tear > 2) {
			return -EINVAL;
		}
	}
	if (*end == '\n') {
		end++;
	}
	if (*end != '\0') {
		return -EINVAL;
	}
	c->at = (long)n;
	c->tear = (int)tear;
	return 0;
}

/* The power cut asked for, if any: 0, or 2 (the exit status) with a message. */
static int load_cut(struct power_cut *c)
{
	const char *env = getenv("DFUKIT_POWER_CUT");
	const char *file = getenv("DFUKIT_EMU_POWER_CUT_FILE");
	*c = (struct power_cut){.at = -1};
	if (env != NULL && env[0] != '\0' && parse_cut(env, c) < 0) {
		fprintf(stderr, PROG ": DFUKIT_POWER_CUT=%s: want op:N[:TEAR] (TEAR 0..2)\n", env);
		return 2;
	}
	if (file == NULL || file[0] == '\0') {
		return 0;
	}
	FILE *f = fopen(file, "r");
	if (f == NULL) {
		if (errno == ENOENT) {
			return 0;
		}
		fprintf(stderr, PROG ": DFUKIT_EMU_POWER_CUT_FILE %s: %s\n", file, strerror(errno));
		return 2;
	}
	char spec[64] = "";
	bool got = fgets(spec, sizeof(spec), f) != NULL;
	fclose(f);
	if (unlink(file) < 0) {
		fprintf(stderr, PROG ": cannot remove %s: %s\n", file, strerror(errno));
		return 2;
	}
	if (!got || parse_cut(spec, c) < 0) {
		fprintf(stderr, PROG ": %s holds '%.*s': want op:N[:TEAR] (TEAR 0..2)\n", file,
			(int)strcspn(spec, "\n"), spec);
		return 2;
	}
	c->once = true;
	return 0;
}

/* The serial goes into QEMU's option syntax and the firmware's small buffer. */
static bool serial_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= MAX_SERIAL && strspn(s, "0123456789ABCDEFabcdef_-.") == n;
}

/* The board's environment, checked; exit status 2 with a message if unusable. */
static int load_env(struct board_env *env, const struct emu_machine **m)
{
	const char *id = getenv(BOARD_ENV_ID);
	if (id != NULL && (*m = emu_machine_find(id)) == NULL) {
		fprintf(stderr, PROG ": board profile '%s' has no emulated machine (known: ", id);
		emu_machine_list(stderr);
		fprintf(stderr, ")\n");
		return 2;
	}
	if (board_env_load(env, PROG) < 0) {
		return 2;
	}
	if (env->flash_path == NULL || env->firmware_dir == NULL) {
		fprintf(stderr, PROG ": the board gave no %s: the emulated board needs it\n",
			env->flash_path == NULL ? BOARD_ENV_FLASH : BOARD_ENV_FIRMWARE_DIR);
		return 2;
	}
	if (!serial_ok(env->serial)) {
		fprintf(stderr, PROG ": %s='%s': want 1..%u characters of [0-9A-Za-z_.-]\n",
			BOARD_ENV_SERIAL, env->serial, MAX_SERIAL);
		return 2;
	}
	return 0;
}

static int program_bootloader(const struct board_env *env, const struct emu_machine *m)
{
	char path[PATH_MAX];
	bool programmed;
	snprintf(path, sizeof(path), "%s/bootloader-mps2-%s.bin", env->firmware_dir, m->board_id);
	if (access(path, R_OK) != 0) {
		fprintf(stderr,
			PROG ": no bootloader for %s: %s is missing.\n"
			     "  Build it: ./scripts/mbedtls-target.sh %s build-%s/target && "
			     "cmake --preset %s && cmake --build build-%s\n"
			     "  then collect it: ./scripts/cm-firmware.sh %s HOST_BUILD %s\n",
			m->board_id, path, m->preset, m->preset, m->preset, m->preset, m->preset,
			env->firmware_dir);
		return -ENOENT;
	}
	int rc = emu_program_boot(board_profile_find(m->board_id), env->flash_path, path,
				  &programmed);
	if (rc == 0 && programmed) {
		printf("[emu] programmed %s into the boot partition\n", path);
	}
	return rc;
}

/* "[emu] firmware stopped: <why>" and the exit status the board reports. */
static int report_end(int end, const struct emu_session *s)
{
	static const char *const fw[] = {"halted (nothing to run)", "fault", "power cut"};
	int st = s->qemu.status;
	const char *why = NULL;
	char buf[160];
	int code = 1;
	if (end == EMU_END_STOP || end == EMU_END_HUB_GONE) {
		printf("[emu] firmware stopped: %s\n", end == EMU_END_STOP
							       ? "emulator stopped by a signal"
							       : "the board went away");
		return 0;
	}
	if (end == EMU_END_LINK) {
		snprintf(buf, sizeof(buf), "USB link to the firmware failed (%s)",
			 strerror(-s->link.last_err));
	} else if (end < 0) {
		snprintf(buf, sizeof(buf), "emulator error (%s)", strerror(-end));
	} else if (WIFSIGNALED(st)) {
		code = 128 + WTERMSIG(st);
		snprintf(buf, sizeof(buf), "QEMU killed by signal %d", WTERMSIG(st));
	} else {
		code = WEXITSTATUS(st);
		why = code >= 65 && code <= 67 ? fw[code - 65]
		      : code == 127            ? "QEMU did not start"
					       : "QEMU ended";
		snprintf(buf, sizeof(buf), "%s (exit status %d)", why, code);
	}
	printf("[emu] firmware stopped: %s\n", buf);
	return code;
}

static void usbip_log(void *ctx, const char *line)
{
	(void)ctx;
	board_log("dbg", "usbip", "%s", line);
}

static void quiet_log(void *ctx, const char *line)
{
	(void)ctx;
	(void)line;
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a USB/IP peer that goes away is an error return */
}

/* Power on, and again after every firmware reset, until something else ends it. */
static int run(struct emu_session *s, struct emu_qemu_config *cfg, const struct power_cut *cut)
{
	for (bool first = true;; first = false) {
		cfg->cut_at = cut->at >= 0 && (first || !cut->once) ? cut->at : -1;
		cfg->cut_tear = cut->tear;
		if (cfg->cut_at >= 0) {
			printf("[emu] power cut armed: flash operation %ld (tear %d)\n",
			       cfg->cut_at, cfg->cut_tear);
		}
		int end = emu_session_run(s);
		bool reset = end == EMU_END_QEMU && WIFEXITED(s->qemu.status) &&
			     WEXITSTATUS(s->qemu.status) == 64;
		if (!reset || stop_requested) {
			return report_end(stop_requested ? EMU_END_STOP : end, s);
		}
		printf("[emu] firmware reset: restarting the machine\n");
	}
}

int main(int argc, char **argv)
{
	static struct usbip_server srv;
	struct options o;
	struct board_env env;
	const struct emu_machine *m = NULL;
	char qemu_path[PATH_MAX];

	int rc = parse_options(argc, argv, &o);
	if (rc != 0) {
		return rc - 1;
	}
	rc = load_env(&env, &m);
	if (rc != 0) {
		return rc;
	}
	struct power_cut cut;
	rc = load_cut(&cut);
	if (rc != 0) {
		return rc;
	}
	if (m == NULL) {
		m = emu_machine_find(env.board_id);
	}
	if (emu_qemu_find(o.qemu, qemu_path, sizeof(qemu_path)) < 0) {
		fprintf(stderr, PROG ": %s not found%s\n", o.qemu,
			strchr(o.qemu, '/') ? ""
					    : " in PATH; install Debian's qemu-system-arm package");
		return 1;
	}
	if (program_bootloader(&env, m) < 0) {
		return 1;
	}
	struct emu_workdir wd;
	rc = emu_workdir_create(&wd, env.flash_path);
	if (rc < 0) {
		fprintf(stderr, PROG ": working directory: %s\n", strerror(-rc));
		return 1;
	}
	catch_signals();
	rc = usbip_server_init(&srv, env.usbip_fd);
	if (rc < 0) {
		fprintf(stderr, PROG ": USB/IP server on fd %d: %s\n", env.usbip_fd, strerror(-rc));
		emu_workdir_remove(&wd);
		return 1;
	}
	usbip_server_set_log(&srv, o.verbose ? usbip_log : quiet_log, NULL);
	struct emu_qemu_config cfg = {
		.program = qemu_path,
		.machine = m->qemu_machine,
		.accel = o.accel,
		.icount = o.icount,
		.load_addr = m->load_addr,
		.serial = env.serial,
		.workdir = wd.path,
		.cut_at = -1,
	};
	struct emu_session s = {
		.srv = &srv,
		.busid = env.busid,
		.cfg = &cfg,
		.link_timeout_ms = o.link_timeout_ms,
		.stop = &stop_requested,
	};
	rc = run(&s, &cfg, &cut);
	usbip_server_close(&srv);
	emu_workdir_remove(&wd);
	return rc;
}
