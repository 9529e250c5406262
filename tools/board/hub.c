/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The USB/IP hub: one listening socket for all boards. It peeks at each
 * connection's first request and routes it: OP_REQ_IMPORT of busid 1-i goes
 * to board i's firmware over its hand-off socket (SCM_RIGHTS; the firmware's
 * USB/IP server runs in hand-off mode, see usbip.h), or is refused here when
 * that firmware serves no USB; OP_REQ_DEVLIST is answered here with the
 * merged lists the serving firmwares give over fresh socketpairs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "board.h"
#include "dfukit/port/usbip.h"
#include "dfukit/port/usbip_codec.h"

static struct board_slot *board_by_busid(struct hub *h, const char *busid)
{
	for (int i = 0; i < h->count; i++) {
		if (strcmp(h->boards[i].busid, busid) == 0) {
			return &h->boards[i];
		}
	}
	return NULL;
}

/* Blocking send with a 2 s limit, on a connection the hub answers itself. */
static void reply_and_close(int fd, const uint8_t *buf, size_t len)
{
	struct timeval tv = {.tv_sec = 2};
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	size_t off = 0;
	while (off < len) {
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		off += (size_t)n;
	}
	close(fd);
}

/* Take n request bytes the hub only peeked at, so close() ends with FIN, not RST. */
static void consume(int fd, size_t n)
{
	uint8_t buf[64];
	while (n > 0) {
		ssize_t r = recv(fd, buf, n < sizeof(buf) ? n : sizeof(buf), MSG_DONTWAIT);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		n -= (size_t)r;
	}
}

/* A reply of one firmware to OP_REQ_DEVLIST, collected for merging. */
struct devlist_part {
	int fd;
	size_t len;
	bool done;
	uint8_t buf[USBIP_OP_REP_DEVLIST_HDR_SIZE +
		    USBIP_MAX_DEVICES * (USBIP_DEV_RECORD_SIZE + 255 * USBIP_IFACE_RECORD_SIZE)];
};

/* Length of the records of a complete, successful OP_REP_DEVLIST in p, or 0. */
static size_t devlist_records(const struct devlist_part *p, uint32_t *count)
{
	struct usbip_op_rep_devlist rep;
	if (usbip_op_rep_devlist_parse(&rep, p->buf, p->len) < 0 || rep.hdr.status != USBIP_ST_OK) {
		return 0;
	}
	*count = rep.ndev;
	return rep.records_len;
}

/* Send OP_REQ_DEVLIST to every serving firmware, each over a fresh socketpair. */
static void ask_devlists(struct hub *h, struct devlist_part *parts)
{
	uint8_t req[USBIP_OP_HDR_SIZE];
	usbip_op_header_build(req, sizeof(req), USBIP_OP_REQ_DEVLIST, 0);
	for (int i = 0; i < h->count; i++) {
		struct board_slot *b = &h->boards[i];
		int sv[2];
		parts[i].fd = -1;
		parts[i].done = true;
		if (!b->serving || b->ctl < 0 ||
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
			continue;
		}
		if (usbip_handoff_send(b->ctl, sv[1]) == 0 &&
		    send(sv[0], req, sizeof(req), MSG_NOSIGNAL | MSG_DONTWAIT) ==
			    (ssize_t)sizeof(req)) {
			parts[i].fd = sv[0];
			parts[i].done = false;
		} else {
			close(sv[0]);
		}
		close(sv[1]);
	}
}

/* Collect the replies until each is complete (its firmware closed) or HUB_DEVLIST_MS passed. */
static void gather_devlists(struct hub *h, struct devlist_part *parts)
{
	int64_t deadline = now_ms() + HUB_DEVLIST_MS;
	for (;;) {
		struct pollfd pfd[HUB_MAX_BOARDS];
		int who[HUB_MAX_BOARDS];
		nfds_t n = 0;
		for (int i = 0; i < h->count; i++) {
			if (!parts[i].done) {
				pfd[n] = (struct pollfd){.fd = parts[i].fd, .events = POLLIN};
				who[n++] = i;
			}
		}
		int64_t left = deadline - now_ms();
		if (n == 0 || left <= 0 || poll(pfd, n, (int)left) < 0) {
			return;
		}
		for (nfds_t k = 0; k < n; k++) {
			struct devlist_part *p = &parts[who[k]];
			if (!pfd[k].revents) {
				continue;
			}
			ssize_t r =
				recv(p->fd, p->buf + p->len, sizeof(p->buf) - p->len, MSG_DONTWAIT);
			if (r > 0) {
				p->len += (size_t)r;
			}
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR) ||
			    p->len == sizeof(p->buf)) {
				p->done = true;
			}
		}
	}
}

/* One OP_REP_DEVLIST with the records of every complete reply, in board order. */
static void reply_merged(struct hub *h, const struct devlist_part *parts, int fd)
{
	size_t total = USBIP_OP_REP_DEVLIST_HDR_SIZE;
	uint32_t count = 0;
	for (int i = 0; i < h->count; i++) {
		uint32_t c = 0;
		total += devlist_records(&parts[i], &c);
	}
	uint8_t *out = malloc(total);
	if (out == NULL) {
		close(fd);
		return;
	}
	size_t off = USBIP_OP_REP_DEVLIST_HDR_SIZE;
	for (int i = 0; i < h->count; i++) {
		uint32_t c = 0;
		size_t len = devlist_records(&parts[i], &c);
		memcpy(out + off, parts[i].buf + USBIP_OP_REP_DEVLIST_HDR_SIZE, len);
		off += len;
		count += c;
	}
	usbip_op_rep_devlist_build(out, total, count);
	reply_and_close(fd, out, total);
	free(out);
}

/* OP_REQ_DEVLIST: the merged lists of the serving firmwares. */
static void answer_devlist(struct hub *h, int fd)
{
	struct devlist_part *parts = calloc((size_t)h->count, sizeof(*parts));
	consume(fd, USBIP_OP_HDR_SIZE);
	if (parts == NULL) {
		close(fd);
		return;
	}
	ask_devlists(h, parts);
	gather_devlists(h, parts);
	reply_merged(h, parts, fd);
	for (int i = 0; i < h->count; i++) {
		close_fd(&parts[i].fd);
	}
	free(parts);
}

/* The first request of a connection has (maybe) arrived: route it. */
void hub_route(struct hub *h, struct pending_conn *pc)
{
	uint8_t req[USBIP_OP_REQ_IMPORT_SIZE];
	ssize_t n = recv(pc->fd, req, sizeof(req), MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		return;
	}
	if (n <= 0) {
		close_fd(&pc->fd); /* gone before asking anything */
		return;
	}
	struct usbip_op_header hdr;
	int rc = usbip_op_header_parse(&hdr, req, (size_t)n);
	if (rc == -EAGAIN) {
		return;
	}
	if (rc < 0 || (hdr.code != USBIP_OP_REQ_DEVLIST && hdr.code != USBIP_OP_REQ_IMPORT)) {
		say(NULL, "[board] %s: not a USB/IP request (version 0x%04x, code 0x%04x), closed",
		    pc->peer, hdr.version, hdr.code);
		close_fd(&pc->fd);
		return;
	}
	if (hdr.code == USBIP_OP_REQ_DEVLIST) {
		answer_devlist(h, pc->fd);
		pc->fd = -1;
		return;
	}
	struct usbip_op_req_import imp;
	if (usbip_op_req_import_parse(&imp, req, (size_t)n) < 0) {
		return; /* the busid is still on its way */
	}
	char *busid = imp.busid;
	struct board_slot *b = board_by_busid(h, busid);
	if (b != NULL && b->serving && b->ctl >= 0 && usbip_handoff_send(b->ctl, pc->fd) == 0) {
		close_fd(&pc->fd); /* the firmware has it now */
		return;
	}
	usbip_printable(busid);
	if (b != NULL) {
		say(b, "[board] %s: import %s refused: the firmware has no USB/IP server running",
		    pc->peer, busid);
	} else {
		say(NULL, "[board] %s: import %s refused: no such board", pc->peer, busid);
	}
	uint8_t rep[USBIP_OP_HDR_SIZE];
	usbip_op_rep_import_build(rep, sizeof(rep), USBIP_ST_NODEV, NULL);
	consume(pc->fd, sizeof(req));
	reply_and_close(pc->fd, rep, sizeof(rep));
	pc->fd = -1;
}

void hub_accept_all(struct hub *h)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(h->listen_fd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED) {
				continue;
			}
			return;
		}
		struct pending_conn *pc = NULL;
		for (int i = 0; i < HUB_MAX_PENDING && pc == NULL; i++) {
			if (h->pend[i].fd < 0) {
				pc = &h->pend[i];
			}
		}
		if (pc == NULL) {
			close(fd);
			continue;
		}
		pc->fd = fd;
		pc->deadline = now_ms() + HUB_FIRST_REQUEST_MS;
		char host[64] = "?";
		unsigned port = 0;
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			port = ntohs(a->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			port = ntohs(a->sin6_port);
		}
		snprintf(pc->peer, sizeof(pc->peer), "%s:%u", host, port);
	}
}

/* Messages from a firmware's USB/IP server on its hand-off socket. */
void hub_read_ctl(struct board_slot *b)
{
	for (;;) {
		uint8_t msg[16];
		ssize_t n = recv(b->ctl, msg, sizeof(msg), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		}
		if (n <= 0) {
			/* The firmware died or the program it exec()ed closed the socket. */
			close_fd(&b->ctl);
			b->serving = false;
			return;
		}
		if (msg[0] == USBIP_HANDOFF_READY) {
			b->serving = true;
		}
	}
}
