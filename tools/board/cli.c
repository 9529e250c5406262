/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfukit board: the virtual board, or a fleet of them (board.h lists the
 * parts). This file is its command line.
 *
 *   dfukit board run   [--board ID] [--count N] [--flash FILE] [--listen ADDR:PORT] ...
 *   dfukit board reset [--flash FILE | --pid-file FILE]
 *   dfukit board stop  [--flash FILE | --pid-file FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "dfukit/boot.h"
#include "dfukit/host/board_env.h"

/* dfukit board reset|stop --help */
static void usage_signal(FILE *f, const char *cmd)
{
	bool reset = strcmp(cmd, "reset") == 0;
	fprintf(f,
		"usage: dfukit board %s [--flash FILE | --pid-file FILE] [--board ID]\n"
		"\n"
		"%s\n"
		"\n"
		"options:\n"
		"  --flash FILE     the board whose flash file is FILE (default: ./ID.flash);\n"
		"                   its pid file is FILE.pid\n"
		"  --pid-file FILE  the board (or, from --count N > 1, the fleet) that\n"
		"                   recorded its pid in FILE\n"
		"  --board ID       profile for the default flash name (default reel_board)\n"
		"\n"
		"The pid is signalled only if it still holds the flash file's lock, i.e. it\n"
		"is still that board: a pid file left by kill -9 is reported as stale.\n",
		cmd,
		reset ? "Press the reset button of a running board: its firmware is killed and\n"
			"started again (the bootloader first). With --flash, only that board of\n"
			"a fleet is reset; kill -USR1 PID resets every board of the fleet."
		      : "Power a running board off (its whole fleet), as Ctrl-C or kill PID "
			"would.");
}

static void usage_list(FILE *f)
{
	fprintf(f, "usage: dfukit board list\n\n"
		   "List the board profiles: id, Zephyr board target, flash size.\n");
}

static void usage_options(FILE *f)
{
	fprintf(f,
		"options:\n"
		"  --board ID          board profile: reel_board (default), nucleo_u575zi_q\n"
		"  --count N           run N boards (1..%d, default 1) behind one USB/IP\n"
		"                      server: busids 1-1 .. 1-N, each with its own flash\n"
		"                      file, serial number, console and reset button\n"
		"  --flash FILE        the board's flash storage, kept across resets and runs,\n"
		"                      created if absent (default: ./ID.flash; with --count\n"
		"                      N > 1 board i uses FILE with -i before its .flash\n"
		"                      suffix, ./ID-i.flash). An existing file that is not a\n"
		"                      dfukit flash file is refused: a signed image goes\n"
		"                      to --image\n"
		"  --listen ADDR:PORT  USB/IP server address (default 127.0.0.1:3240); an\n"
		"                      address other than loopback also needs:\n"
		"  --i-know-slot0-runs-on-this-host\n"
		"                      the board runs slot 0 as a program on this host and\n"
		"                      the development signing keys are public (keys/), so\n"
		"                      any USB/IP peer can download a signed image and have\n"
		"                      it run here at the next reset; with this option\n"
		"                      --listen may name a non-loopback address\n"
		"  --emulate           run the board's Cortex-M build (bootloader, DFU sample,\n"
		"                      images) on QEMU: mps2-an386 (Cortex-M4F) for reel_board,\n"
		"                      mps2-an505 (Cortex-M33) for nucleo_u575zi_q; its\n"
		"                      firmware comes from --firmware-dir (default\n"
		"                      FIRMWARE_DIR/mps2-ID, made by scripts/cm-firmware.sh)\n"
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
		"  --mode MODE         the bootloader's upgrade strategy: move (swap-using-move,\n"
		"                      the default: test, revert, permanent), offset (swap-\n"
		"                      using-offset: the same, the update from sector 1 of\n"
		"                      slot 1), overwrite-only (copied over slot 0),\n"
		"                      direct-xip (the newest image runs from its own slot,\n"
		"                      with revert; images signed -F for it) or ram-load\n"
		"                      (the newest image is copied to RAM, checked and run\n"
		"                      there; images signed -L 0x20010000); passed\n"
		"                      to the bootloader as DFUKIT_BOOT_MODE. The emulated\n"
		"                      board's is built in (-DDFUKIT_BOOT_MODE at configure)\n"
		"  --downgrade-prevention\n"
		"                      (overwrite-only) an update older than the running image\n"
		"                      is erased, not copied (MCUBOOT_DOWNGRADE_PREVENTION)\n"
		"  --security-counter  refuse images whose security counter (sign -s) is below\n"
		"                      the one kept in FLASH.otp, raised on confirm\n"
		"                      (MCUBOOT_HW_ROLLBACK_PROT; native board, every --mode)\n"
		"  --image FILE        program FILE (a signed image) into slot 0 before the\n"
		"                      first reset, as 'west flash' would (default: the DFU\n"
		"                      sample's signed image when the board is blank: a new\n"
		"                      flash file, or one whose flash is all erased)\n"
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
		"  DFUKIT_RAMDISK_SIZE=1M   a larger ramdisk0 (default 64 KiB)\n"
		"  DFUKIT_POWER_CUT=erase:OFF | op:N   (tests) the bootloader loses power\n"
		"                           right after erasing the sector at flash offset OFF,\n"
		"                           or at its flash operation N, and stops there\n",
		HUB_MAX_BOARDS);
}

/* dfukit board --help: every subcommand; then the options (all of them run's). */
static void usage(FILE *f)
{
	fprintf(f,
		"usage: dfukit board run   [options]   start a virtual board, or --count N of "
		"them\n"
		"                                      (Ctrl-C stops them)\n"
		"       dfukit board reset [options]   press the reset button of a running board\n"
		"       dfukit board stop  [options]   power a running board (its whole fleet) "
		"off\n"
		"       dfukit board list              list the board profiles\n"
		"       dfukit board SUBCOMMAND --help   that subcommand's help\n"
		"\n");
	usage_options(f);
}

/* dfukit board run --help */
void usage_run(FILE *f)
{
	fprintf(f, "usage: dfukit board run [options]\n"
		   "\n"
		   "Start a virtual board, or --count N of them, and run its firmware until\n"
		   "Ctrl-C, SIGTERM or dfukit board stop.\n"
		   "\n");
	usage_options(f);
}

/* dfukit board SUBCOMMAND --help */
static void usage_of(const char *cmd)
{
	if (strcmp(cmd, "reset") == 0 || strcmp(cmd, "stop") == 0) {
		usage_signal(stdout, cmd);
	} else if (strcmp(cmd, "list") == 0) {
		usage_list(stdout);
	} else {
		usage_run(stdout);
	}
}

/*
 * --mode and --downgrade-prevention reach the bootloader through its
 * environment (every firmware start inherits the board's).
 */
static int boot_mode_setup(const struct board_opts *o)
{
	enum boot_mode mode = BOOT_MODE_SWAP_MOVE;

	if (o->mode != NULL && boot_mode_parse(o->mode, &mode) < 0) {
		fprintf(stderr,
			"dfukit board: --mode %s: want move, offset, overwrite-only, "
			"direct-xip or ram-load\n",
			o->mode);
		return -EINVAL;
	}
	if (o->downgrade_prevention && mode != BOOT_MODE_OVERWRITE_ONLY) {
		fprintf(stderr,
			"dfukit board: --downgrade-prevention needs --mode overwrite-only\n");
		return -EINVAL;
	}
	if (o->emulate && (mode != BOOT_MODE_SWAP_MOVE || o->downgrade_prevention)) {
		fprintf(stderr,
			"dfukit board: the emulated board's bootloader has its strategy built\n"
			"in: configure the cross build with -DDFUKIT_BOOT_MODE=%s\n",
			o->mode);
		return -EINVAL;
	}
	if (o->mode != NULL) {
		setenv(BOARD_ENV_BOOT_MODE, boot_mode_name(mode), 1);
	}
	if (o->downgrade_prevention) {
		setenv(BOARD_ENV_DOWNGRADE_PREVENTION, "1", 1);
	}
	if (o->security_counter && o->emulate) {
		fprintf(stderr, "dfukit board: --security-counter: native board only\n");
		return -EINVAL;
	}
	if (o->security_counter) {
		setenv(BOARD_ENV_SECURITY_COUNTER, "1", 1);
	}
	return 0;
}

static int list_boards(void)
{
	for (const struct board_profile *const *p = board_profiles; *p; p++) {
		printf("%-18s %-30s flash %u KiB\n", (*p)->id, (*p)->zephyr_board,
		       (unsigned)((*p)->flash.size / 1024u));
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"board", required_argument, NULL, 'b'},
		{"flash", required_argument, NULL, 'f'},
		{"listen", required_argument, NULL, 'l'},
		{"firmware", required_argument, NULL, 'F'},
		{"firmware-dir", required_argument, NULL, 'D'},
		{"serial", required_argument, NULL, 's'},
		{"pid-file", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{"image", required_argument, NULL, 'i'},
		{"count", required_argument, NULL, 'n'},
		{"i-know-slot0-runs-on-this-host", no_argument, NULL, 'R'},
		{"emulate", no_argument, NULL, 'E'},
		{"mode", required_argument, NULL, 'M'},
		{"downgrade-prevention", no_argument, NULL, 'P'},
		{"security-counter", no_argument, NULL, 'C'},
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
		case 'R': o.remote_ok = true; break;
		case 'E': o.emulate = true; break;
		case 'M': o.mode = optarg; break;
		case 'P': o.downgrade_prevention = true; break;
		case 'C': o.security_counter = true; break;
		case 'n': {
			char *end;
			long v = strtol(optarg, &end, 10);
			o.count = (*end || v < 1 || v > HUB_MAX_BOARDS) ? -1 : (int)v;
			break;
		}
		case 'h': usage_of(cmd); return 0;
		default:
			fprintf(stderr, "(dfukit board %s --help lists the options)\n", cmd);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "dfukit board: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (strcmp(cmd, "run") == 0) {
		return boot_mode_setup(&o) < 0 ? 2 : board_run(&o);
	}
	if (strcmp(cmd, "reset") == 0) {
		return signal_board(&o, SIGUSR1);
	}
	if (strcmp(cmd, "stop") == 0) {
		return signal_board(&o, SIGTERM);
	}
	if (strcmp(cmd, "list") == 0) {
		return list_boards();
	}
	fprintf(stderr, "dfukit board: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
