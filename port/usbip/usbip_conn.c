/* SPDX-License-Identifier: Apache-2.0 */
/*
 * USB/IP server, connections: the poll loop, accepting, reading into each
 * connection's buffer, sending replies, closing. See include/dfukit/port/usbip.h
 * for the model and usbip_priv.h for how the server's files divide the work.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "usbip_priv.h"

void usbip_log(struct usbip_server *srv, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (srv->log)
		srv->log(srv->log_ctx, line);
	else
		fprintf(stderr, "usbip: %s\n", line);
}

void usbip_consume(struct usbip_conn *c, size_t n)
{
	if (n > c->rx_len)
		n = c->rx_len;
	memmove(c->rx, c->rx + n, c->rx_len - n);
	c->rx_len -= n;
}

void usbip_conn_close(struct usbip_server *srv, struct usbip_conn *c, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	if (c->fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);

	if (c->dev >= 0) {
		struct usbip_device *d = &srv->devs[c->dev];
		unsigned inflight = usbip_pending_count(d);

		usbip_log(srv, "conn %u (%s): %s disconnected: %s (%u URB%s dropped)", c->id,
			  c->peer, d->busid, why, inflight, inflight == 1 ? "" : "s");
		d->importer = -1;
		for (int i = 0; i < USBIP_MAX_PENDING; i++)
			d->pending[i].used = false;
	} else {
		usbip_log(srv, "conn %u (%s): closed: %s", c->id, c->peer, why);
	}
	close(c->fd);
	c->fd = -1;
	c->dev = -1;
	c->blocked = false;
	c->skip = 0;
	c->rx_len = 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int usbip_send_all(int fd, const uint8_t *buf, size_t len)
{
	int64_t deadline = now_ms() + USBIP_WRITE_TIMEOUT_MS;
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int64_t left = deadline - now_ms();
			struct pollfd p = {.fd = fd, .events = POLLOUT};

			if (left <= 0)
				return -ETIMEDOUT;
			if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		return n < 0 ? -errno : -EIO;
	}
	return 0;
}

enum step usbip_conn_send(struct usbip_server *srv, struct usbip_conn *c, const uint8_t *buf,
			  size_t len)
{
	int r = usbip_send_all(c->fd, buf, len);

	if (r < 0) {
		usbip_conn_close(srv, c, "write failed: %s", strerror(-r));
		return STEP_CLOSED;
	}
	return STEP_DONE;
}

enum step usbip_proto_error(struct usbip_server *srv, struct usbip_conn *c, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	usbip_conn_close(srv, c, "protocol error: %s", why);
	return STEP_CLOSED;
}

/* Handle every complete message buffered on c. */
static void process(struct usbip_server *srv, struct usbip_conn *c)
{
	c->blocked = false;
	while (c->fd >= 0) {
		enum step st;

		if (c->skip) {
			size_t k = c->skip < c->rx_len ? c->skip : c->rx_len;

			usbip_consume(c, k);
			c->skip -= (uint32_t)k;
			if (c->skip)
				return;
		}
		st = c->dev < 0 ? usbip_step_op(srv, c) : usbip_step_urb(srv, c);
		if (st != STEP_DONE)
			return;
	}
}

static void conn_read(struct usbip_server *srv, struct usbip_conn *c, short revents)
{
	size_t room = sizeof(c->rx) - c->rx_len;
	ssize_t n;

	if (c->blocked || room == 0) {
		if (revents & (POLLHUP | POLLERR))
			usbip_conn_close(srv, c, "connection lost");
		return;
	}
	n = recv(c->fd, c->rx + c->rx_len, room, 0);
	if (n == 0) {
		usbip_conn_close(srv, c, "peer closed the connection%s",
				 c->rx_len ? " in the middle of a message" : "");
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			usbip_conn_close(srv, c, "recv: %s", strerror(errno));
		return;
	}
	c->rx_len += (size_t)n;
	process(srv, c);
}

/* Peer address of a connection for the log: "host:port", or "local" for a unix socket. */
static void peer_name(int fd, const struct sockaddr_storage *known, char *out, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (known)
		ss = *known;
	else if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
		ss.ss_family = AF_UNSPEC;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		port = ntohs(a->sin6_port);
	} else if (ss.ss_family == AF_UNIX) {
		snprintf(out, n, "local");
		return;
	}
	snprintf(out, n, "%s:%u", host, port);
}

/* Take a connected socket (accepted, or handed over by a hub) as a new connection. */
static void conn_add(struct usbip_server *srv, int fd, const char *peer)
{
	struct usbip_conn *c = NULL;
	int one = 1;

	for (int i = 0; i < USBIP_MAX_CONNS; i++) {
		if (srv->conns[i].fd < 0) {
			c = &srv->conns[i];
			break;
		}
	}
	if (!c) {
		usbip_log(srv, "connection from %s refused: %d connections open", peer,
			  USBIP_MAX_CONNS);
		close(fd);
		return;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		usbip_log(srv, "connection from %s dropped: fcntl: %s", peer, strerror(errno));
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails on unix sockets */
	c->fd = fd;
	c->id = ++srv->next_id;
	c->dev = -1;
	c->blocked = false;
	c->skip = 0;
	c->rx_len = 0;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	usbip_log(srv, "conn %u (%s): connected%s", c->id, c->peer,
		  srv->handoff ? " (handed over)" : "");
}

void usbip_conn_adopt(struct usbip_server *srv, int fd)
{
	char peer[64];

	peer_name(fd, NULL, peer, sizeof(peer));
	conn_add(srv, fd, peer);
}

static void accept_all(struct usbip_server *srv)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char peer[64];
		int fd = accept(srv->listen_fd, (struct sockaddr *)&ss, &sl);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				usbip_log(srv, "accept: %s", strerror(errno));
			return;
		}
		peer_name(fd, &ss, peer, sizeof(peer));
		conn_add(srv, fd, peer);
	}
}

/* Retry queued URBs, then take whatever became possible on every connection. */
static bool service(struct usbip_server *srv)
{
	bool any = false;

	for (int i = 0; i < USBIP_MAX_DEVICES; i++)
		if (srv->devs[i].used)
			usbip_retry_pending(srv, &srv->devs[i]);
	for (int i = 0; i < USBIP_MAX_CONNS; i++)
		if (srv->conns[i].fd >= 0 && (srv->conns[i].blocked || srv->conns[i].rx_len))
			process(srv, &srv->conns[i]);
	for (int i = 0; i < USBIP_MAX_DEVICES; i++)
		if (srv->devs[i].used && srv->devs[i].importer >= 0 &&
		    usbip_pending_count(&srv->devs[i]))
			any = true;
	return any;
}

/* ------------------------------------------------------------- public API */

int usbip_listen(const char *addr, uint16_t port)
{
	struct addrinfo hints, *res = NULL;
	char service[8];
	int one = 1;
	int fd, r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	if (getaddrinfo(addr ? addr : "127.0.0.1", service, &hints, &res) != 0 || !res)
		return -EINVAL;
	fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd < 0) {
		r = -errno;
		freeaddrinfo(res);
		return r;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 16) < 0) {
		r = -errno;
		close(fd);
		freeaddrinfo(res);
		return r;
	}
	freeaddrinfo(res);
	return fd;
}

int usbip_server_init(struct usbip_server *srv, int listen_fd)
{
	int fl;
	bool handoff;

	if (!srv || listen_fd < 0)
		return -EINVAL;
	fl = fcntl(listen_fd, F_GETFL);
	if (fl < 0 || fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -EINVAL;
	handoff = usbip_is_handoff_socket(listen_fd);
	memset(srv, 0, sizeof(*srv));
	srv->listen_fd = listen_fd;
	srv->handoff = handoff;
	for (int i = 0; i < USBIP_MAX_DEVICES; i++)
		srv->devs[i].importer = -1;
	for (int i = 0; i < USBIP_MAX_CONNS; i++) {
		srv->conns[i].fd = -1;
		srv->conns[i].dev = -1;
	}
	if (handoff) {
		/* Tell the hub that connections can come. */
		uint8_t ready = USBIP_HANDOFF_READY;

		if (usbip_send_all(listen_fd, &ready, 1) < 0)
			return -EPIPE;
	}
	return 0;
}

void usbip_server_set_log(struct usbip_server *srv, usbip_log_fn fn, void *ctx)
{
	srv->log = fn;
	srv->log_ctx = ctx;
}

int usbip_server_poll(struct usbip_server *srv, int timeout_ms)
{
	struct pollfd pfd[1 + USBIP_MAX_CONNS];
	int who[1 + USBIP_MAX_CONNS];
	nfds_t n = 0;
	bool hub_gone = false;
	int r;

	if (service(srv) && (timeout_ms < 0 || timeout_ms > USBIP_RETRY_MS))
		timeout_ms = USBIP_RETRY_MS;

	pfd[n].fd = srv->listen_fd;
	pfd[n].events = POLLIN;
	pfd[n].revents = 0;
	who[n++] = -1;
	for (int i = 0; i < USBIP_MAX_CONNS; i++) {
		if (srv->conns[i].fd < 0)
			continue;
		pfd[n].fd = srv->conns[i].fd;
		pfd[n].events = srv->conns[i].blocked ? 0 : POLLIN;
		pfd[n].revents = 0;
		who[n++] = i;
	}
	r = poll(pfd, n, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;

	if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
		if (!srv->handoff)
			accept_all(srv);
		else if (usbip_receive_handoffs(srv) < 0)
			hub_gone = true;
	}
	for (nfds_t k = 1; k < n; k++) {
		struct usbip_conn *c = &srv->conns[who[k]];

		if (pfd[k].revents && c->fd == pfd[k].fd)
			conn_read(srv, c, pfd[k].revents);
	}
	service(srv);
	return hub_gone ? -EPIPE : r;
}

void usbip_server_close(struct usbip_server *srv)
{
	for (int i = 0; i < USBIP_MAX_CONNS; i++)
		usbip_conn_close(srv, &srv->conns[i], "server shutting down");
}
