// SPDX-License-Identifier: GPL-2.0-only
/*
 * xbpace: a paced Ethernet/IPv4/UDP source for make bench.
 *
 * Sends SIZE-byte frames from an AF_PACKET socket bound to IFACE at PPS
 * frames per second for SECONDS, in bursts of 32 (sendmmsg) on a 1-in-PPS/32
 * absolute clock, sleeping in between, so it uses little CPU and offers a
 * steady load below saturation. Prints the number of frames sent.
 *
 * usage: xbpace IFACE SRC_MAC DST_MAC PPS SECONDS [SIZE]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BURST 32

static int parse_mac(const char *s, uint8_t *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6 ?
		       0 :
		       -1;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

int main(int argc, char **argv)
{
	static uint8_t frame[2048];
	struct mmsghdr msgs[BURST];
	struct iovec iov;
	struct sockaddr_ll sll = { 0 };
	struct timespec next;
	unsigned long long sent = 0, total;
	long pps, secs, size = 64;
	uint64_t gap_ns;
	uint16_t ip_len, sum;
	uint8_t *ip;
	int fd, i;

	if (argc < 6) {
		fprintf(stderr,
			"usage: xbpace IFACE SRC_MAC DST_MAC PPS SECONDS [SIZE]\n");
		return 2;
	}
	pps = atol(argv[4]);
	secs = atol(argv[5]);
	if (argc > 6)
		size = atol(argv[6]);
	if (pps <= 0 || secs <= 0 || size < 60 || size > 1514 ||
	    parse_mac(argv[3], frame) || parse_mac(argv[2], frame + 6)) {
		fprintf(stderr, "xbpace: bad arguments\n");
		return 2;
	}
	frame[12] = 0x08;
	frame[13] = 0x00;
	ip = frame + 14;
	ip_len = (uint16_t)(size - 14);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[8] = 64;
	ip[9] = 17; /* UDP */
	memcpy(ip + 12, (uint8_t[]){ 198, 18, 0, 1 }, 4);
	memcpy(ip + 16, (uint8_t[]){ 198, 18, 0, 2 }, 4);
	sum = csum(ip, 20);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	ip[20] = 0x04; /* UDP 1024 -> 1024, no checksum */
	ip[22] = 0x04;
	ip[24] = (uint8_t)((ip_len - 20) >> 8);
	ip[25] = (uint8_t)(ip_len - 20);

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("xbpace: socket");
		return 1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (!sll.sll_ifindex ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("xbpace: bind");
		return 1;
	}
	iov.iov_base = frame;
	iov.iov_len = (size_t)size;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BURST; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	total = (unsigned long long)pps * (unsigned long long)secs;
	gap_ns = (uint64_t)BURST * 1000000000ull / (uint64_t)pps;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (sent < total) {
		int n = total - sent < BURST ? (int)(total - sent) : BURST;
		int r = sendmmsg(fd, msgs, (unsigned int)n, 0);

		if (r > 0)
			sent += (unsigned long long)r;
		else if (r < 0 && errno != EAGAIN && errno != ENOBUFS &&
			 errno != EINTR) {
			perror("xbpace: sendmmsg");
			break;
		}
		next.tv_nsec += (long)gap_ns;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	printf("%llu\n", sent);
	return 0;
}
