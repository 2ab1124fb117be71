/* Opens a TCP socket listening on 127.0.0.1 (a port the kernel picks), a
 * UDP socket bound to another and a unix socket, writes "PROTO PORT COOKIE"
 * per socket (the cookie from SO_COOKIE; port 0 for unix) to the file named
 * by argv[1], creates argv[2] when ready, then sleeps. For socket_cookie(). */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

static void report(FILE *out, const char *proto, int fd)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	uint64_t cookie = 0;
	socklen_t clen = sizeof(cookie);
	unsigned port = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &clen) < 0) {
		perror("SO_COOKIE");
		exit(1);
	}
	if (getsockname(fd, (struct sockaddr *)&a, &alen) == 0 && a.sin_family == AF_INET)
		port = ntohs(a.sin_port);
	fprintf(out, "%s %u %llu\n", proto, port, (unsigned long long)cookie);
}

static int bound(int type)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, type, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("bind");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: sockets REPORT READY\n");
		return 2;
	}
	int tcp = bound(SOCK_STREAM), udp = bound(SOCK_DGRAM);
	int unx = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listen(tcp, 1) < 0 || unx < 0) {
		perror("socket");
		return 1;
	}
	FILE *out = fopen(argv[1], "w");
	if (!out)
		return 1;
	report(out, "tcp", tcp);
	report(out, "udp", udp);
	report(out, "unix", unx);
	fclose(out);
	fclose(fopen(argv[2], "w"));
	sleep(20);
	return 0;
}
