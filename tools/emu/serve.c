/* SPDX-License-Identifier: Apache-2.0 */
#include "serve.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dfukit/port/board_log.h"

/* usbip_server_poll's wait: also how late a device-sent event may be seen. */
#define POLL_MS 10

static void unexport(struct emu_session *s)
{
	if (s->exported) {
		(void)usbip_server_remove_device(s->srv, s->busid);
		s->exported = false;
	}
}

/* Follow the device on and off the bus; a re-attach is a new device (new descriptors). */
static int take_events(struct emu_session *s)
{
	int ev;
	while ((ev = vudc_link_host_event(&s->link.host)) >= 0) {
		unexport(s);
		if (ev != VUDC_LINK_EV_ATTACHED) {
			continue;
		}
		int rc = usbip_server_add_device_ops(s->srv, s->busid, &emu_link_usbip_ops,
						     &s->link);
		if (rc < 0) {
			printf("[emu] cannot export %s over USB/IP: %s\n", s->busid, strerror(-rc));
			return rc;
		}
		s->exported = true;
	}
	return 0;
}

/* One round: USB/IP traffic, then what the firmware sent by itself. */
static int serve_once(struct emu_session *s)
{
	int rc = usbip_server_poll(s->srv, POLL_MS);
	if (rc == -EPIPE) {
		return EMU_END_HUB_GONE;
	}
	if (rc < 0 && rc != -EINTR) {
		return rc;
	}
	/* Every link call is synchronous, so no request is outstanding here. */
	if (!s->link.host.broken && emu_link_readable(&s->link)) {
		(void)vudc_link_host_pump(&s->link.host);
	}
	rc = take_events(s);
	if (rc < 0) {
		return rc;
	}
	if (emu_qemu_ended(&s->qemu)) {
		return EMU_END_QEMU;
	}
	if (s->link.host.broken) {
		return EMU_END_LINK; /* QEMU lives but does not speak the protocol (or hangs) */
	}
	return *s->stop ? EMU_END_STOP : -EAGAIN;
}

int emu_session_run(struct emu_session *s)
{
	s->exported = false;
	s->qemu.pid = -1;
	int rc = emu_link_open(&s->link, s->cfg->workdir, &s->qemu, s->link_timeout_ms);
	if (rc < 0) {
		printf("[emu] USB link FIFOs in %s: %s\n", s->cfg->workdir, strerror(-rc));
		return rc;
	}
	rc = emu_qemu_start(&s->qemu, s->cfg);
	if (rc < 0) {
		printf("[emu] cannot start %s: %s\n", s->cfg->program, strerror(-rc));
		emu_link_close(&s->link);
		return rc;
	}
	do {
		rc = serve_once(s);
	} while (rc == -EAGAIN);
	/* The device leaves the bus with the machine. */
	unexport(s);
	if (rc != EMU_END_QEMU) {
		emu_qemu_kill(&s->qemu);
	}
	emu_link_close(&s->link);
	fflush(stdout);
	return rc;
}
