/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small helper for the guest side of the benchmarks (built static, shipped
 * into the QEMU guest):
 *
 *   usb-probe rtt VID:PID COUNT   time COUNT no-data control transfers (DFU
 *                                 ABORT in dfuIDLE) through usbfs
 *   usb-probe time CMD [ARGS...]  run CMD and print its wall time
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/usbdevice_fs.h>
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
			    (desc[8] | desc[9] << 8) == (int)vid && (desc[10] | desc[11] << 8) == (int)pid) {
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

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "rtt") == 0) {
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
		struct usbdevfs_ctrltransfer abort_req = {
			.bRequestType = 0x21, .bRequest = 6 /* DFU ABORT */, .wValue = 0,
			.wIndex = 0, .wLength = 0, .timeout = 5000, .data = NULL};
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
	if (argc >= 3 && strcmp(argv[1], "time") == 0) {
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
	fprintf(stderr, "usage: usb-probe rtt VID:PID COUNT | usb-probe time CMD [ARGS...]\n");
	return 2;
}
