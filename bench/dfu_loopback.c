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
#include "dfukit/sample_device.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dfu-loopback [--size BYTES] [--transfer-size 64..4096] [--repeat N] [FILE]\n"
		   "Downloads FILE (or --size random bytes, default 65536) into ramdisk0 of a\n"
		   "virtual DFU device, uploads it back, compares, and prints the figures.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"size", required_argument, NULL, 's'},
					     {"transfer-size", required_argument, NULL, 't'},
					     {"repeat", required_argument, NULL, 'r'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	unsigned long size = 65536, xfer = 4096, repeat = 1;
	int c;
	while ((c = getopt_long(argc, argv, "s:t:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': size = strtoul(optarg, NULL, 0); break;
		case 't': xfer = strtoul(optarg, NULL, 0); break;
		case 'r': repeat = strtoul(optarg, NULL, 0); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (xfer < 64 || xfer > 4096 || size == 0 || size > (64ul << 20) || repeat == 0) {
		fprintf(stderr, "dfu-loopback: --transfer-size must be 64..4096 and --size 1..64 MiB\n");
		return 2;
	}
	uint8_t *image = NULL;
	if (optind < argc) {
		FILE *f = fopen(argv[optind], "rb");
		if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
			fprintf(stderr, "dfu-loopback: %s: %s\n", argv[optind], strerror(errno));
			return 1;
		}
		size = (unsigned long)ftell(f);
		rewind(f);
		image = malloc(size ? size : 1);
		if (image == NULL || fread(image, 1, size, f) != size) {
			fprintf(stderr, "dfu-loopback: cannot read %s\n", argv[optind]);
			return 1;
		}
		fclose(f);
	} else {
		image = malloc(size);
		srand(1);
		for (unsigned long i = 0; image && i < size; i++) {
			image[i] = (uint8_t)rand();
		}
	}
	uint8_t *disk = calloc(1, size), *back = malloc(size + xfer), *buf = malloc(xfer);
	if (image == NULL || disk == NULL || back == NULL || buf == NULL) {
		fprintf(stderr, "dfu-loopback: out of memory\n");
		return 1;
	}

	struct vudc v;
	struct sample_device dev;
	struct dfu_ramdisk ramdisk;
	static const char *const names[] = {"ramdisk0"};
	dfu_ramdisk_init(&ramdisk, disk, (uint32_t)size);
	struct dfu_alt alt = {&dfu_ramdisk_ops, &ramdisk};
	struct sample_params p = {.transfer_size = (uint16_t)xfer, .buffer = buf,
				  .manufacturer = "ZEPHYR", .product = "USBD DFU sample",
				  .serial = "LOOPBACK", .alt_names = names, .alts = &alt, .num_alts = 1};
	if (dfu_host_attach(&v, &dev, &p) < 0) {
		fprintf(stderr, "dfu-loopback: device set-up failed\n");
		return 1;
	}

	double t_dn = 0, t_up = 0;
	uint32_t req_dn = 0, req_up = 0;
	for (unsigned long r = 0; r < repeat; r++) {
		struct dfu_host_status st;
		uint32_t c0 = v.ctrl_count;
		double t0 = now();
		int rc = dfu_host_download(&v, image, (uint32_t)size, (uint16_t)xfer, &st);
		double t1 = now();
		uint32_t c1 = v.ctrl_count;
		if (rc < 0) {
			fprintf(stderr, "dfu-loopback: download failed: %s (state %u status %u)\n",
				strerror(-rc), st.state, st.status);
			return 1;
		}
		long got = dfu_host_upload(&v, back, (uint32_t)(size + xfer), (uint16_t)xfer);
		double t2 = now();
		if (got != (long)size || memcmp(back, image, size) != 0) {
			fprintf(stderr, "dfu-loopback: upload differs from download (%ld bytes)\n", got);
			return 1;
		}
		t_dn += t1 - t0;
		t_up += t2 - t1;
		req_dn += c1 - c0;
		req_up += v.ctrl_count - c1;
	}
	unsigned long blocks = (size + xfer - 1) / xfer;
	printf("ramdisk0: %lu bytes in %lu blocks of %lu, %lu round trip(s), upload == download\n",
	       size, blocks, xfer, repeat);
	printf("download: %.1f MiB/s, %u control transfers (%.2f per block)\n",
	       (double)size * (double)repeat / t_dn / 1048576.0, req_dn,
	       (double)req_dn / (double)(blocks * repeat));
	printf("upload:   %.1f MiB/s, %u control transfers\n",
	       (double)size * (double)repeat / t_up / 1048576.0, req_up);
	free(image);
	free(disk);
	free(back);
	free(buf);
	return 0;
}
