/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small helper for the guest side of the benchmarks (built static, shipped
 * into the QEMU guest):
 *
 *   usb-probe rtt VID:PID COUNT   time COUNT no-data control transfers (DFU
 *                                 ABORT in dfuIDLE) through usbfs
 *   usb-probe time CMD [ARGS...]  run CMD and print its wall time
 *   usb-probe msos20 VID:PID CODE fetch the MS OS 2.0 descriptor set with
 *                                 vendor request CODE, as Windows does
 *   usb-probe chaos VID:PID ALT N SEED
 *                                 a hostile host: N random DFU class requests
 *                                 (any request, state, length up to 4096) on
 *                                 alternate ALT; STALLs are expected, then the
 *                                 device must still answer GETSTATUS
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/usbdevice_fs.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int open_device(unsigned vid, unsigned pid)
{
	char path[600];
	DIR *buses = opendir("/dev/bus/usb");
	struct dirent *b, *d;
	while (buses && (b = readdir(buses)) != NULL) {
		if (b->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "/dev/bus/usb/%s", b->d_name);
		DIR *devs = opendir(path);
		while (devs && (d = readdir(devs)) != NULL) {
			if (d->d_name[0] == '.') {
				continue;
			}
			snprintf(path, sizeof(path), "/dev/bus/usb/%s/%s", b->d_name, d->d_name);
			int fd = open(path, O_RDWR);
			unsigned char desc[18];
			if (fd >= 0 && read(fd, desc, sizeof(desc)) == (ssize_t)sizeof(desc) &&
			    (desc[8] | desc[9] << 8) == (int)vid &&
			    (desc[10] | desc[11] << 8) == (int)pid) {
				closedir(devs);
				closedir(buses);
				return fd;
			}
			if (fd >= 0) {
				close(fd);
			}
		}
		if (devs) {
			closedir(devs);
		}
	}
	if (buses) {
		closedir(buses);
	}
	return -1;
}

static int cmd_rtt(char **argv)
{
	unsigned vid, pid;
	int count = atoi(argv[3]);
	if (sscanf(argv[2], "%x:%x", &vid, &pid) != 2 || count <= 0) {
		fprintf(stderr, "usb-probe: rtt VID:PID COUNT\n");
		return 2;
	}
	int fd = open_device(vid, pid);
	if (fd < 0) {
		fprintf(stderr, "usb-probe: no device %04x:%04x\n", vid, pid);
		return 1;
	}
	unsigned int iface = 0;
	if (ioctl(fd, USBDEVFS_CLAIMINTERFACE, &iface) < 0) {
		perror("usb-probe: claim interface 0");
		return 1;
	}
	struct usbdevfs_ctrltransfer abort_req = {.bRequestType = 0x21,
						  .bRequest = 6 /* DFU ABORT */,
						  .wValue = 0,
						  .wIndex = 0,
						  .wLength = 0,
						  .timeout = 5000,
						  .data = NULL};
	double t0 = now_ms();
	for (int i = 0; i < count; i++) {
		if (ioctl(fd, USBDEVFS_CONTROL, &abort_req) < 0) {
			fprintf(stderr, "usb-probe: control transfer %d: %s\n", i, strerror(errno));
			return 1;
		}
	}
	double t1 = now_ms();
	printf("BENCH rtt_ms=%.3f count=%d\n", (t1 - t0) / count, count);
	return 0;
}

/* The features of an MS OS 2.0 descriptor set: compatible ID, registry properties. */
static void print_msos20_set(const unsigned char *set, int n)
{
	printf("MSOS20 total=%d", set[8] | set[9] << 8);
	for (int off = 10; off + 4 <= n;) {
		int len = set[off] | set[off + 1] << 8, type = set[off + 2] | set[off + 3] << 8;
		if (len < 4 || off + len > n) {
			break;
		}
		if (type == 3) {
			printf(" compatible_id=%.8s", (const char *)&set[off + 4]);
		} else if (type == 4) {
			int name_len = set[off + 6] | set[off + 7] << 8;
			printf(" property=");
			for (int i = 0; i + 1 < name_len && set[off + 8 + i]; i += 2) {
				putchar(set[off + 8 + i]);
			}
			printf(" value=");
			int data = off + 8 + name_len + 2;
			for (int i = 0; data + i < off + len && set[data + i]; i += 2) {
				putchar(set[data + i]);
			}
		}
		off += len;
	}
	printf(" bytes=%d\n", n);
}

static int cmd_msos20(char **argv)
{
	unsigned vid, pid, code;
	if (sscanf(argv[2], "%x:%x", &vid, &pid) != 2 || sscanf(argv[3], "%x", &code) != 1) {
		fprintf(stderr, "usb-probe: msos20 VID:PID CODE\n");
		return 2;
	}
	int fd = open_device(vid, pid);
	unsigned char set[512];
	struct usbdevfs_ctrltransfer req = {.bRequestType = 0xc0,
					    .bRequest = (unsigned char)code,
					    .wValue = 0,
					    .wIndex = 7 /* MS_OS_20_DESCRIPTOR_INDEX */,
					    .wLength = sizeof(set),
					    .timeout = 5000,
					    .data = set};
	int n = fd < 0 ? -1 : ioctl(fd, USBDEVFS_CONTROL, &req);
	if (n < 10) {
		fprintf(stderr, "usb-probe: MS OS 2.0 descriptor set: %s\n",
			n < 0 ? strerror(errno) : "too short");
		return 1;
	}
	print_msos20_set(set, n);
	return 0;
}

/* Request i of the chaos: 0 accepted, 1 STALLed (then usually cleared), -1 another error. */
static int chaos_request(int fd, int i, unsigned char *buf)
{
	/* Mostly the DFU requests (0-6), now and then an unknown one. */
	unsigned req = rand() % 16 == 0 ? 7u + (unsigned)rand() % 2u : (unsigned)rand() % 7u;
	bool in = req == 2 || req == 3 || req == 5 ? rand() % 8 != 0 : rand() % 8 == 0;
	unsigned len =
		(unsigned)rand() % 4 == 0 ? (unsigned)rand() % 4097u : (unsigned)rand() % 65u;
	for (unsigned b = 0; b < len; b++) {
		buf[b] = (unsigned char)rand();
	}
	struct usbdevfs_ctrltransfer c = {.bRequestType = (unsigned char)(in ? 0xa1 : 0x21),
					  .bRequest = (unsigned char)req,
					  .wValue = (unsigned short)(rand() % 3 ? i : rand()),
					  .wIndex = 0,
					  .wLength = (unsigned short)len,
					  .timeout = 2000,
					  .data = buf};
	if (ioctl(fd, USBDEVFS_CONTROL, &c) >= 0) {
		return 0;
	}
	if (errno != EPIPE) {
		fprintf(stderr, "usb-probe: request %d (%u, len %u): %s\n", i, req, len,
			strerror(errno));
		return -1;
	}
	/* Usually recover as a host would, so that every state gets visited. */
	if (rand() % 4 != 0) {
		struct usbdevfs_ctrltransfer clr = {
			.bRequestType = 0x21, .bRequest = 4, .timeout = 2000};
		ioctl(fd, USBDEVFS_CONTROL, &clr);
	}
	return 1;
}

static int cmd_chaos(char **argv)
{
	unsigned vid, pid;
	int alt = atoi(argv[3]), count = atoi(argv[4]);
	unsigned seed = (unsigned)strtoul(argv[5], NULL, 0);
	if (sscanf(argv[2], "%x:%x", &vid, &pid) != 2 || count <= 0) {
		fprintf(stderr, "usb-probe: chaos VID:PID ALT N SEED\n");
		return 2;
	}
	int fd = open_device(vid, pid);
	unsigned int iface = 0;
	struct usbdevfs_setinterface si = {.interface = 0, .altsetting = (unsigned)alt};
	if (fd < 0 || ioctl(fd, USBDEVFS_CLAIMINTERFACE, &iface) < 0 ||
	    ioctl(fd, USBDEVFS_SETINTERFACE, &si) < 0) {
		fprintf(stderr, "usb-probe: cannot open %04x:%04x alt %d: %s\n", vid, pid, alt,
			strerror(errno));
		return 1;
	}
	static unsigned char buf[4096];
	int stalls = 0, ok = 0;
	srand(seed);
	for (int i = 0; i < count; i++) {
		int rc = chaos_request(fd, i, buf);
		if (rc < 0) {
			return 1;
		}
		ok += rc == 0;
		stalls += rc == 1;
	}
	/* Still alive: GETSTATUS answers, CLRSTATUS/ABORT bring it back to dfuIDLE. */
	struct usbdevfs_ctrltransfer gs = {
		.bRequestType = 0xa1, .bRequest = 3, .wLength = 6, .timeout = 2000, .data = buf};
	if (ioctl(fd, USBDEVFS_CONTROL, &gs) != 6) {
		fprintf(stderr, "usb-probe: no GETSTATUS after the chaos: %s\n", strerror(errno));
		return 1;
	}
	printf("CHAOS requests=%d accepted=%d stalled=%d final_state=%u status=%u\n", count, ok,
	       stalls, buf[4], buf[0]);
	return 0;
}

static int cmd_time(char **argv)
{
	double t0 = now_ms();
	pid_t child = fork();
	if (child == 0) {
		execvp(argv[2], &argv[2]);
		perror("usb-probe: exec");
		_exit(127);
	}
	int status = 0;
	waitpid(child, &status, 0);
	printf("BENCH wall_ms=%.1f\n", now_ms() - t0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "rtt") == 0) {
		return cmd_rtt(argv);
	}
	if (argc >= 4 && strcmp(argv[1], "msos20") == 0) {
		return cmd_msos20(argv);
	}
	if (argc >= 6 && strcmp(argv[1], "chaos") == 0) {
		return cmd_chaos(argv);
	}
	if (argc >= 3 && strcmp(argv[1], "time") == 0) {
		return cmd_time(argv);
	}
	fprintf(stderr, "usage: usb-probe rtt VID:PID COUNT | usb-probe time CMD [ARGS...]\n");
	return 2;
}
