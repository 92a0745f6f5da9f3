/* Network workloads for bee's network tests, with exact counts:
 *   net_udp send IP PORT COUNT [SIZE]     send COUNT UDP datagrams; prints how many went out
 *   net_udp recv PORT COUNT TIMEOUT_MS [DONEFILE]
 *                                          receive until COUNT, timeout, or DONEFILE exists
 *                                          and 100 ms pass quietly; prints the count
 *   net_udp connect IP PORT [udp]          prints "ok" or the errno name (EPERM, ECONNREFUSED)
 *   net_udp sendto IP PORT                 one datagram; prints "ok" or the errno name
 *   net_udp listen PORT SECONDS            TCP listener accepting for SECONDS
 *   net_udp flood IP PORT SECONDS [SIZE]   send as fast as sendmmsg goes; prints the count
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ENETUNREACH: return "ENETUNREACH";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	default: return strerror(e);
	}
}

static struct sockaddr_in addr_of(const char *ip, const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "send")) {
		struct sockaddr_in a = addr_of(argv[2], argv[3]);
		int n = atoi(argv[4]), size = argc > 5 ? atoi(argv[5]) : 32, sent = 0;
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		char buf[65536] = { 0 };

		for (int i = 0; i < n; i++)
			if (sendto(fd, buf, size, 0, (struct sockaddr *)&a, sizeof(a)) == size)
				sent++;
		printf("%d\n", sent);
		return sent == n ? 0 : 1;
	}
	if (argc >= 5 && !strcmp(argv[1], "recv")) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
		int want = atoi(argv[3]), timeout = atoi(argv[4]), got = 0;
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		char buf[65536];

		if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
			perror("bind");
			return 1;
		}
		/* tell the driver we are ready */
		printf("ready\n");
		fflush(stdout);
		/* Until COUNT, or TIMEOUT_MS in all, or (with DONEFILE) once the
		 * sender has finished and 100 ms passed without a datagram: a
		 * slow start of the sender on a loaded machine is no loss. */
		const char *done = argc > 5 ? argv[5] : NULL;
		struct timespec t0, t;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (got < want) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			int r = poll(&p, 1, done ? 100 : timeout);

			if (r > 0) {
				if (recv(fd, buf, sizeof(buf), 0) >= 0)
					got++;
				continue;
			}
			if (!done || access(done, F_OK) == 0)
				break;
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > timeout)
				break;
		}
		printf("%d\n", got);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "connect")) {
		struct sockaddr_in a = addr_of(argv[2], argv[3]);
		int fd = socket(AF_INET, argc > 4 ? SOCK_DGRAM : SOCK_STREAM, 0);

		if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
			printf("%s\n", ename(errno));
			return 1;
		}
		printf("ok\n");
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "sendto")) {
		struct sockaddr_in a = addr_of(argv[2], argv[3]);
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		if (sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) != 1) {
			printf("%s\n", ename(errno));
			return 1;
		}
		printf("ok\n");
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "listen")) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
		int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
		time_t end = time(NULL) + atoi(argv[3]);

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 64)) {
			perror("listen");
			return 1;
		}
		printf("ready\n");
		fflush(stdout);
		while (time(NULL) < end) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, 100) > 0)
				close(accept(fd, NULL, NULL));
		}
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "flood")) {
		struct sockaddr_in a = addr_of(argv[2], argv[3]);
		int size = argc > 5 ? atoi(argv[5]) : 64, fd = socket(AF_INET, SOCK_DGRAM, 0);
		struct mmsghdr msgs[64];
		struct iovec iov;
		char buf[2048] = { 0 };
		struct timespec t0, t;
		unsigned long long sent = 0;
		double secs = atof(argv[4]);

		iov.iov_base = buf;
		iov.iov_len = size;
		memset(msgs, 0, sizeof(msgs));
		for (int i = 0; i < 64; i++) {
			msgs[i].msg_hdr.msg_name = &a;
			msgs[i].msg_hdr.msg_namelen = sizeof(a);
			msgs[i].msg_hdr.msg_iov = &iov;
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			for (int k = 0; k < 16; k++) {
				int n = sendmmsg(fd, msgs, 64, 0);
				if (n > 0)
					sent += n;
			}
			clock_gettime(CLOCK_MONOTONIC, &t);
		} while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
		printf("%llu\n", sent);
		return 0;
	}
	fprintf(stderr, "usage: net_udp send|recv|connect|sendto|listen|flood ...\n");
	return 2;
}
