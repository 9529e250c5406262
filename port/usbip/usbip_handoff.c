/* SPDX-License-Identifier: Apache-2.0 */
/*
 * USB/IP server, hand-off mode: a hub that serves several servers behind one
 * TCP port passes each client connection over an AF_UNIX socket in
 * SCM_RIGHTS (see "Hand-off mode" in include/dfukit/port/usbip.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "usbip_priv.h"

/* A connected unix socket (socketpair end) rather than a listening socket? */
bool usbip_is_handoff_socket(int fd)
{
	int domain = 0, listening = 0;
	socklen_t l1 = sizeof(domain), l2 = sizeof(listening);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l1) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &l2) < 0)
		return false;
	return domain == AF_UNIX && !listening;
}

/* The descriptors of one message: connections if it is a hand-over, else dropped. */
static void take_fds(struct usbip_server *srv, struct msghdr *m, bool is_conn)
{
	for (struct cmsghdr *h = CMSG_FIRSTHDR(m); h; h = CMSG_NXTHDR(m, h)) {
		size_t nfd;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t k = 0; k < nfd; k++) {
			int fd;

			memcpy(&fd, CMSG_DATA(h) + k * sizeof(int), sizeof(int));
			if (is_conn)
				usbip_conn_adopt(srv, fd);
			else
				close(fd); /* not a connection hand-over: drop it */
		}
	}
}

/* One connection per message, in SCM_RIGHTS, until the hub's queue is empty. */
int usbip_receive_handoffs(struct usbip_server *srv)
{
	for (;;) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(USBIP_HANDOFF_MAX_FDS * sizeof(int))];
		} cm;
		uint8_t tag[16];
		struct iovec iov = {.iov_base = tag, .iov_len = sizeof(tag)};
		struct msghdr m = {.msg_iov = &iov,
				   .msg_iovlen = 1,
				   .msg_control = cm.buf,
				   .msg_controllen = sizeof(cm.buf)};
		ssize_t n = recvmsg(srv->listen_fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			usbip_log(srv, "hand-off socket: %s", strerror(errno));
			return -EPIPE;
		}
		if (n == 0 && !m.msg_controllen) {
			usbip_log(srv, "hand-off socket closed by the hub");
			return -EPIPE;
		}
		take_fds(srv, &m, n >= 1 && tag[0] == USBIP_HANDOFF_CONN);
		if (m.msg_flags & MSG_CTRUNC)
			usbip_log(srv, "hand-off socket: too many descriptors in one message, some "
				       "dropped");
	}
}

int usbip_handoff_send(int handoff_fd, int conn_fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	uint8_t tag = USBIP_HANDOFF_CONN;
	struct iovec iov = {.iov_base = &tag, .iov_len = 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = cm.buf,
			   .msg_controllen = sizeof(cm.buf)};
	struct cmsghdr *h;
	ssize_t n;

	if (handoff_fd < 0 || conn_fd < 0)
		return -EINVAL;
	memset(&cm, 0, sizeof(cm));
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &conn_fd, sizeof(int));
	do
		n = sendmsg(handoff_fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 1 ? 0 : -EIO;
}
