/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfu-gadget: the seed's DFU sample as a real USB device on a Linux board with
 * a device controller, through FunctionFS (see port/ffs/README.md).
 *
 *   dfu-gadget --ffs-dir /dev/ffs-dfu [--runtime] [--gadget CONFIGFS_GADGET_DIR]
 *              [--udc NAME] [--transfer-size N] [--no-class-desc]
 *   dfu-gadget --dump [--runtime]   # print the FunctionFS blobs in hex, no I/O
 *   dfu-gadget --help               # every option and the exit status
 *
 * DFU mode serves alternate 0 "ramdisk0", a 64 KiB RAM disk. --runtime starts
 * in run-time mode; after DFU_DETACH the device leaves the bus and comes back
 * in DFU mode: ep0 is closed (the kernel unbinds the gadget), reopened with the
 * DFU-mode descriptors, and the gadget bound again. When the host has seen
 * bitWillDetach this happens right after DETACH. When the kernel refused the
 * functional descriptor the host cannot know that bit and, as DFU 1.1 asks of
 * a device without it, resets the bus: the switch then waits for that reset
 * (and the host's re-configuration that follows it), within wDetachTimeOut.
 * With --gadget the program also writes the device-level descriptor fields
 * (VID/PID, strings, configuration) into the configfs gadget and binds it to
 * the UDC once the function's descriptors are written; without it the caller
 * binds the gadget after "dfu-gadget: ready" appears on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dfukit/dfu_ramdisk.h"
#include "dfukit/port/ffs.h"
#include "dfukit/sample/device.h"

#define DEFAULT_TRANSFER_SIZE 4096u
#define RESET_SETTLE_MS       300 /* after a bus reset, how long to wait for SET_CONFIGURATION */

struct app {
	const char *ffs_dir;
	const char *gadget_dir;
	const char *udc;
	bool runtime;
	bool dump; /* --dump: print the FunctionFS blobs, no I/O */
	unsigned ffs_flags;
	uint16_t transfer_size;
	struct sample_device dev;
	struct ffs_port port;
	struct dfu_ramdisk ramdisk;
	struct dfu_alt alts[1];
	uint8_t block[4096];
	uint8_t disk[DFU_RAMDISK_DEFAULT_SIZE];
	enum {
		DETACH_NONE,
		DETACH_NOW,        /* bitWillDetach: leave the bus */
		DETACH_WAIT_RESET, /* no bitWillDetach for the host: wait for its bus reset */
		DETACH_RESET_SEEN, /* reset seen: switch once the host has re-configured us */
	} detach;
	struct timespec detach_deadline;
};

static const char *const alt_names[] = {"ramdisk0"};
static volatile sig_atomic_t stop;

static void logf_(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("[%5ld.%03ld] dfu-gadget: ", (long)ts.tv_sec, ts.tv_nsec / 1000000L);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int ms_until(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (long)(t->tv_sec - now.tv_sec) * 1000L + (t->tv_nsec - now.tv_nsec) / 1000000L;
	return ms < 0 ? 0 : (int)ms;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_dfu_event(void *ctx, enum dfu_event event, uint8_t alt)
{
	struct app *app = ctx;
	switch (event) {
	case DFU_EVENT_DETACH:
		if (app->port.class_desc_dropped) {
			logf_("DFU detach requested; waiting for the host's USB reset");
			app->detach = DETACH_WAIT_RESET;
			clock_gettime(CLOCK_MONOTONIC, &app->detach_deadline);
			app->detach_deadline.tv_sec += SAMPLE_DETACH_TIMEOUT_MS / 1000u;
		} else {
			logf_("DFU detach requested");
			app->detach = DETACH_NOW;
		}
		break;
	case DFU_EVENT_DNLOAD_STARTED:
		logf_("DFU download started (alt %u, %s)", alt, alt_names[alt]);
		break;
	case DFU_EVENT_DNLOAD_COMPLETED:
		logf_("DFU download completed: %u bytes", (unsigned)app->dev.dfu.offset);
		break;
	case DFU_EVENT_DNLOAD_FAILED:
		logf_("DFU download failed, status %u", app->dev.dfu.status);
		break;
	case DFU_EVENT_UPLOAD_COMPLETED:
		logf_("DFU upload completed: %u bytes", (unsigned)app->dev.dfu.offset);
		break;
	}
}

static void on_port_event(void *ctx, enum ffs_port_event ev, const struct usbd_setup *s)
{
	static const char *const names[] = {
		[FFS_PORT_BIND] = "BIND",           [FFS_PORT_UNBIND] = "UNBIND",
		[FFS_PORT_ENABLE] = "ENABLE",       [FFS_PORT_DISABLE] = "DISABLE",
		[FFS_PORT_SUSPEND] = "SUSPEND",     [FFS_PORT_RESUME] = "RESUME",
		[FFS_PORT_SETUP_STALLED] = "STALL", [FFS_PORT_SETUP_CANCELLED] = "SETUP cancelled",
	};
	struct app *app = ctx;
	if (ev == FFS_PORT_DISABLE && app->detach == DETACH_WAIT_RESET) {
		app->detach = DETACH_RESET_SEEN;
	} else if (ev == FFS_PORT_ENABLE && app->detach == DETACH_RESET_SEEN) {
		app->detach = DETACH_NOW;
	}
	if (s != NULL) {
		logf_("%s %02x %02x %04x %04x %04x (state %u)", names[ev], s->bmRequestType,
		      s->bRequest, s->wValue, s->wIndex, s->wLength, app->dev.dfu.state);
	} else {
		logf_("event %s", names[ev]);
	}
}

/* No UDC below the usbd core here: the kernel's composite driver is the device. */
static int no_udc(void *port, bool enable)
{
	(void)port;
	(void)enable;
	return -ENOTSUP;
}
static const struct udc_ops no_udc_ops = {.enable = no_udc};

static int start_device(struct app *app, bool runtime)
{
	struct sample_params p = {
		.runtime = runtime,
		.transfer_size = app->transfer_size,
		.buffer = app->block,
		.manufacturer = "ZEPHYR",
		.product = "Zephyr DFU sample",
		.serial = getenv("DFUKIT_SERIAL") ? getenv("DFUKIT_SERIAL") : "0000000000000000",
		.alt_names = alt_names,
		.alts = app->alts,
		.num_alts = 1,
		.event = on_dfu_event,
		.app = app,
	};
	struct udc udc = {.ops = &no_udc_ops};
	int rc = sample_device_init(&app->dev, &p, &udc);
	if (rc < 0) {
		logf_("device description: %s", strerror(-rc));
		return rc;
	}
	if (app->gadget_dir != NULL) {
		rc = ffs_gadget_unbind(app->gadget_dir);
		if (rc == 0) {
			rc = ffs_gadget_configure(app->gadget_dir, &app->dev.desc);
		}
		if (rc < 0) {
			logf_("configfs gadget %s: %s", app->gadget_dir, strerror(-rc));
			return rc;
		}
	}
	app->port.event = on_port_event;
	app->port.app = app;
	rc = ffs_port_open(&app->port, app->ffs_dir, &app->dev.desc, app->ffs_flags);
	if (rc < 0) {
		logf_("FunctionFS %s: %s", app->ffs_dir, strerror(-rc));
		return rc;
	}
	if (app->port.class_desc_dropped) {
		logf_("warning: this kernel's FunctionFS refuses the DFU functional descriptor "
		      "(f_fs learnt it in 2024); serving the interface without it, hosts must be "
		      "told "
		      "the transfer size (dfu-util -t %u)",
		      app->transfer_size);
	}
	logf_("ready: %s mode, %s", runtime ? "run-time" : "DFU",
	      runtime ? "protocol 1" : "alternate 0 \"ramdisk0\" (64 KiB)");
	if (app->gadget_dir != NULL) {
		rc = ffs_gadget_bind(app->gadget_dir, app->udc);
		if (rc < 0) {
			logf_("binding %s to %s: %s", app->gadget_dir,
			      app->udc ? app->udc : "the first UDC", strerror(-rc));
			ffs_port_close(&app->port);
			return rc;
		}
		logf_("gadget bound to %s", app->udc ? app->udc : "the first UDC");
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dfu-gadget --ffs-dir DIR [--runtime] [--gadget CONFIGFS_GADGET_DIR]\n"
		   "                  [--udc NAME] [--transfer-size N] [--no-class-desc]\n"
		   "       dfu-gadget --dump [--runtime] [--transfer-size N] [--no-class-desc]\n"
		   "       dfu-gadget --help\n");
}

static void help(void)
{
	usage(stdout);
	printf("\n"
	       "The USB DFU sample (Zephyr's, as the virtual board serves it) as a real USB\n"
	       "device on a Linux board with a device controller, through FunctionFS: DFU mode\n"
	       "serves alternate 0 \"ramdisk0\", a %u KiB RAM disk that dfu-util can download\n"
	       "to and upload from. Needs root and a FunctionFS instance mounted at DIR;\n"
	       "dfu-gadget-setup.sh (installed beside it) creates the configfs gadget, mounts\n"
	       "FunctionFS and starts dfu-gadget. See port/ffs/README.md.\n"
	       "\n"
	       "options:\n"
	       "  -f, --ffs-dir DIR        the mounted FunctionFS instance (DIR/ep0); required\n"
	       "                           unless --dump\n"
	       "  -r, --runtime            start in DFU run-time mode; after DFU_DETACH the\n"
	       "                           device leaves the bus and comes back in DFU mode\n"
	       "  -g, --gadget DIR         the configfs gadget "
	       "(/sys/kernel/config/usb_gadget/NAME):\n"
	       "                           write VID:PID, strings and configuration there and "
	       "bind\n"
	       "                           it to the UDC once the descriptors are written; "
	       "without\n"
	       "                           it, bind the gadget yourself after \"dfu-gadget: "
	       "ready\"\n"
	       "                           appears on stdout\n"
	       "  -u, --udc NAME           the UDC to bind to with --gadget (default: the first\n"
	       "                           one in /sys/class/udc)\n"
	       "  -t, --transfer-size N    wTransferSize, 64..%zu (default %u)\n"
	       "  -n, --no-class-desc      leave the DFU functional descriptor out of the\n"
	       "                           FunctionFS descriptors (by default it is sent, and "
	       "left\n"
	       "                           out with a message if the kernel refuses it; hosts "
	       "then\n"
	       "                           need dfu-util -t N)\n"
	       "  -d, --dump               print the FunctionFS descriptor and string blobs in "
	       "hex\n"
	       "                           and exit; no FunctionFS, no root needed\n"
	       "  -h, --help               this help\n"
	       "\n"
	       "The log goes to stdout. SIGINT or SIGTERM stops the device (unbinding a "
	       "--gadget).\n"
	       "\n"
	       "exit status: 0 stopped by a signal, or --dump/--help done; 1 the device could not\n"
	       "start or ep0 failed (or stdout could not be written); 2 usage error.\n",
	       (unsigned)(DFU_RAMDISK_DEFAULT_SIZE / 1024u), sizeof(((struct app *)0)->block),
	       DEFAULT_TRANSFER_SIZE);
}

/* --help and --dump print to stdout: a full disk or a closed pipe is a failure. */
static int stdout_status(int rc)
{
	int err = ferror(stdout);

	errno = 0;
	if (fclose(stdout) != 0 || err) {
		fprintf(stderr, "dfu-gadget: cannot write to standard output: %s\n",
			strerror(errno ? errno : EIO));
		return rc == 0 ? 1 : rc;
	}
	return rc;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "dfu-gadget: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try 'dfu-gadget --help')\n");
	return 2;
}

static void hexdump(const char *what, const uint8_t *p, int len)
{
	printf("%s (%d bytes):", what, len);
	for (int i = 0; i < len; i++) {
		printf("%s%02x", i % 16 == 0 ? "\n  " : " ", p[i]);
	}
	putchar('\n');
}

/* The blobs dfu-gadget would write to ep0, for checking them without a UDC. */
static int dump(struct app *app)
{
	static uint8_t blob[FFS_BLOB_MAX];
	struct udc udc = {.ops = &no_udc_ops};
	struct sample_params p = {
		.runtime = app->runtime,
		.transfer_size = app->transfer_size,
		.buffer = app->block,
		.manufacturer = "ZEPHYR",
		.product = "Zephyr DFU sample",
		.serial = "0000000000000000",
		.alt_names = alt_names,
		.alts = app->alts,
		.num_alts = 1,
	};
	int rc = sample_device_init(&app->dev, &p, &udc);
	int len =
		rc < 0 ? rc
		       : ffs_build_descriptors(&app->dev.desc, app->ffs_flags, blob, sizeof(blob));
	if (len < 0) {
		fprintf(stderr, "dfu-gadget: descriptors: %s\n", strerror(-len));
		return 1;
	}
	hexdump("descriptors", blob, len);
	len = ffs_build_strings(&app->dev.desc, blob, sizeof(blob));
	if (len < 0) {
		fprintf(stderr, "dfu-gadget: strings: %s\n", strerror(-len));
		return 1;
	}
	hexdump("strings", blob, len);
	return 0;
}

static int parse_transfer_size(struct app *app, const char *arg)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 0);
	if (errno != 0 || end == arg || *end != '\0' || v < 64 || v > sizeof(app->block)) {
		fprintf(stderr, "dfu-gadget: --transfer-size wants 64..%zu, not '%s'\n",
			sizeof(app->block), arg);
		return 2;
	}
	app->transfer_size = (uint16_t)v;
	return 0;
}

#define ARGS_OK (-1) /* parse_args: go on and run */

/* The command line into app: ARGS_OK, or main's exit status (--help done, usage error). */
static int parse_args(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{"ffs-dir", required_argument, NULL, 'f'},
		{"runtime", no_argument, NULL, 'r'},
		{"gadget", required_argument, NULL, 'g'},
		{"udc", required_argument, NULL, 'u'},
		{"transfer-size", required_argument, NULL, 't'},
		{"no-class-desc", no_argument, NULL, 'n'},
		{"dump", no_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	app->transfer_size = DEFAULT_TRANSFER_SIZE;
	app->ffs_flags = FFS_PORT_CLASS_DESC_AUTO;
	opterr = 0; /* errors are reported on one line, with the hint to --help */
	while ((c = getopt_long(argc, argv, "f:rg:u:t:ndh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': app->ffs_dir = optarg; break;
		case 'r': app->runtime = true; break;
		case 'g': app->gadget_dir = optarg; break;
		case 'u': app->udc = optarg; break;
		case 't':
			if (parse_transfer_size(app, optarg) != 0) {
				return 2;
			}
			break;
		case 'n': app->ffs_flags = FFS_DESC_NO_CLASS_DESC; break;
		case 'd': app->dump = true; break;
		case 'h': help(); return stdout_status(0);
		default:
			if (optopt > 32 && optopt < 127 && optopt != '?') {
				char opt[3] = {'-', (char)optopt, '\0'};
				return usage_error("invalid option or missing argument for '%s'",
						   opt);
			}
			return usage_error("invalid option or missing argument: '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind != argc) {
		return usage_error("unexpected argument '%s'", argv[optind]);
	}
	if (!app->dump && app->ffs_dir == NULL) {
		return usage_error("%s", "--ffs-dir DIR is required (or --dump)");
	}
	return ARGS_OK;
}

/* How long poll() may wait: for ever, unless a detach waits for the host's bus reset. */
static int detach_wait_ms(const struct app *app)
{
	if (app->detach == DETACH_WAIT_RESET) {
		return ms_until(&app->detach_deadline);
	}
	return app->detach == DETACH_RESET_SEEN ? RESET_SETTLE_MS : -1;
}

/* poll() timed out while a detach waited for the host. */
static void detach_timed_out(struct app *app)
{
	if (app->detach == DETACH_WAIT_RESET) {
		logf_("no USB reset within wDetachTimeOut: staying in run-time mode");
		app->detach = DETACH_NONE;
		app->dev.dfu.base.ops->reset(&app->dev.dfu.base); /* appDETACH -> appIDLE */
	} else if (app->detach == DETACH_RESET_SEEN) {
		app->detach = DETACH_NOW; /* reset but no re-configuration: go anyway */
	}
}

/* Leave the bus and come back in DFU mode. */
static int switch_to_dfu_mode(struct app *app)
{
	app->detach = DETACH_NONE;
	if (app->gadget_dir != NULL) {
		ffs_gadget_unbind(app->gadget_dir);
	}
	ffs_port_close(&app->port); /* f_fs also unbinds a bound gadget here */
	logf_("left the bus; switching to DFU mode");
	return start_device(app, false);
}

/* Serve ep0 until a signal stops us or something fails (rc < 0). */
static int serve(struct app *app)
{
	int rc = 0;
	while (!stop) {
		struct pollfd pfd = {.fd = ffs_port_fd(&app->port), .events = POLLIN};
		int n = poll(&pfd, 1, detach_wait_ms(app));
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			rc = -errno;
			logf_("poll: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			detach_timed_out(app);
		} else {
			rc = ffs_port_process(&app->port);
			if (rc == -EINTR) {
				continue;
			}
			if (rc < 0) {
				logf_("ep0: %s", strerror(-rc));
				break;
			}
		}
		if (app->detach == DETACH_NOW) {
			rc = switch_to_dfu_mode(app);
			if (rc < 0) {
				break;
			}
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	static struct app app;

	int status = parse_args(&app, argc, argv);
	if (status != ARGS_OK) {
		return status;
	}
	dfu_ramdisk_init(&app.ramdisk, app.disk, sizeof(app.disk));
	app.alts[0] = (struct dfu_alt){&dfu_ramdisk_ops, &app.ramdisk};
	if (app.dump) {
		return stdout_status(dump(&app));
	}

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL); /* no SA_RESTART: a blocked read on ep0 returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (start_device(&app, app.runtime) < 0) {
		return 1;
	}
	int rc = serve(&app);
	if (app.gadget_dir != NULL) {
		ffs_gadget_unbind(app.gadget_dir);
	}
	ffs_port_close(&app.port);
	logf_("stopped");
	return rc < 0 && !stop ? 1 : 0;
}
