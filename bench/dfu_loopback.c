/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Download a file (or random bytes) into the seed's ramdisk0 and upload it
 * back through the virtual controller, the way dfu-util drives a device.
 * No USB, no kernel: it measures the stack's own cost per transfer.
 *
 *   dfu-loopback [--size BYTES] [--transfer-size N] [--repeat N] [FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/unit/dfu_host.h"
#include "dfukit/dfu_ramdisk.h"
#include "dfukit/sample/device.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dfu-loopback [--size BYTES] [--transfer-size 64..4096] [--repeat N] "
		   "[FILE]\n"
		   "Downloads FILE (or --size random bytes, default 65536) into ramdisk0 of a\n"
		   "virtual DFU device, uploads it back, compares, and prints the figures.\n");
}

struct loopback {
	unsigned long size, xfer, repeat;
	uint8_t *image;
	double t_dn, t_up;
	uint32_t req_dn, req_up;
};

/* Options into lb; 0, or the exit status. */
static int parse_args(struct loopback *lb, int argc, char **argv)
{
	static const struct option opts[] = {{"size", required_argument, NULL, 's'},
					     {"transfer-size", required_argument, NULL, 't'},
					     {"repeat", required_argument, NULL, 'r'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "s:t:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': lb->size = strtoul(optarg, NULL, 0); break;
		case 't': lb->xfer = strtoul(optarg, NULL, 0); break;
		case 'r': lb->repeat = strtoul(optarg, NULL, 0); break;
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return 2;
		}
	}
	if (lb->xfer < 64 || lb->xfer > 4096 || lb->size == 0 || lb->size > (64ul << 20) ||
	    lb->repeat == 0) {
		fprintf(stderr,
			"dfu-loopback: --transfer-size must be 64..4096 and --size 1..64 MiB\n");
		return 2;
	}
	return 0;
}

/* The bytes to download: FILE, else --size pseudo-random bytes. */
static int load_image(struct loopback *lb, const char *path)
{
	if (path == NULL) {
		lb->image = malloc(lb->size);
		srand(1);
		for (unsigned long i = 0; lb->image && i < lb->size; i++) {
			lb->image[i] = (uint8_t)rand();
		}
		return lb->image ? 0 : -ENOMEM;
	}
	FILE *f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
		fprintf(stderr, "dfu-loopback: %s: %s\n", path, strerror(errno));
		return -EIO;
	}
	lb->size = (unsigned long)ftell(f);
	rewind(f);
	lb->image = malloc(lb->size ? lb->size : 1);
	if (lb->image == NULL || fread(lb->image, 1, lb->size, f) != lb->size) {
		fprintf(stderr, "dfu-loopback: cannot read %s\n", path);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return 0;
}

/* One download and upload back, timed and counted into lb. */
static int round_trip(struct loopback *lb, struct vudc *v, uint8_t *back)
{
	struct dfu_host_status st;
	uint32_t c0 = v->ctrl_count;
	double t0 = now();
	int rc = dfu_host_download(v, lb->image, (uint32_t)lb->size, (uint16_t)lb->xfer, &st);
	double t1 = now();
	uint32_t c1 = v->ctrl_count;
	if (rc < 0) {
		fprintf(stderr, "dfu-loopback: download failed: %s (state %u status %u)\n",
			strerror(-rc), st.state, st.status);
		return rc;
	}
	long got = dfu_host_upload(v, back, (uint32_t)(lb->size + lb->xfer), (uint16_t)lb->xfer);
	double t2 = now();
	if (got != (long)lb->size || memcmp(back, lb->image, lb->size) != 0) {
		fprintf(stderr, "dfu-loopback: upload differs from download (%ld bytes)\n", got);
		return -EIO;
	}
	lb->t_dn += t1 - t0;
	lb->t_up += t2 - t1;
	lb->req_dn += c1 - c0;
	lb->req_up += v->ctrl_count - c1;
	return 0;
}

static void report(const struct loopback *lb)
{
	unsigned long blocks = (lb->size + lb->xfer - 1) / lb->xfer;
	double bytes = (double)lb->size * (double)lb->repeat;
	printf("ramdisk0: %lu bytes in %lu blocks of %lu, %lu round trip(s), upload == download\n",
	       lb->size, blocks, lb->xfer, lb->repeat);
	printf("download: %.1f MiB/s, %u control transfers (%.2f per block)\n",
	       bytes / lb->t_dn / 1048576.0, lb->req_dn,
	       (double)lb->req_dn / (double)(blocks * lb->repeat));
	printf("upload:   %.1f MiB/s, %u control transfers\n", bytes / lb->t_up / 1048576.0,
	       lb->req_up);
}

int main(int argc, char **argv)
{
	static struct loopback lb = {.size = 65536, .xfer = 4096, .repeat = 1};
	int rc = parse_args(&lb, argc, argv);
	if (rc != 0) {
		return rc < 0 ? 0 : rc;
	}
	if (load_image(&lb, optind < argc ? argv[optind] : NULL) < 0) {
		return 1;
	}
	uint8_t *disk = calloc(1, lb.size), *back = malloc(lb.size + lb.xfer),
		*buf = malloc(lb.xfer);
	if (disk == NULL || back == NULL || buf == NULL) {
		fprintf(stderr, "dfu-loopback: out of memory\n");
		return 1;
	}
	struct vudc v;
	struct sample_device dev;
	struct dfu_ramdisk ramdisk;
	static const char *const names[] = {"ramdisk0"};
	dfu_ramdisk_init(&ramdisk, disk, (uint32_t)lb.size);
	struct dfu_alt alt = {&dfu_ramdisk_ops, &ramdisk};
	struct sample_params p = {.transfer_size = (uint16_t)lb.xfer,
				  .buffer = buf,
				  .manufacturer = "ZEPHYR",
				  .product = "USBD DFU sample",
				  .serial = "LOOPBACK",
				  .alt_names = names,
				  .alts = &alt,
				  .num_alts = 1};
	if (dfu_host_attach(&v, &dev, &p) < 0) {
		fprintf(stderr, "dfu-loopback: device set-up failed\n");
		return 1;
	}
	for (unsigned long r = 0; r < lb.repeat; r++) {
		if (round_trip(&lb, &v, back) < 0) {
			return 1;
		}
	}
	report(&lb);
	free(lb.image);
	free(disk);
	free(back);
	free(buf);
	return 0;
}
