// SPDX-License-Identifier: GPL-2.0-only
/* Offload settings and queue counts through the ethtool ioctl API. */
#include <dirent.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ethtool.h"

/* One SIOCETHTOOL request on @ifname; @data starts with its cmd. */
static int ethtool_ioctl(const char *ifname, void *data)
{
	struct ifreq ifr;
	int fd, err = 0;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENAMETOOLONG;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = data;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int ethtool_set_value(const char *ifname, __u32 cmd, __u32 value)
{
	struct ethtool_value ev = { .cmd = cmd, .data = value };

	return ethtool_ioctl(ifname, &ev);
}

static int sysfs_rx_queues(const char *ifname, unsigned int *n)
{
	char path[64 + IF_NAMESIZE];
	struct dirent *e;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	dir = opendir(path);
	if (!dir)
		return -errno;
	*n = 0;
	while ((e = readdir(dir)))
		*n += !strncmp(e->d_name, "rx-", 3);
	closedir(dir);
	return *n ? 0 : -ENOENT;
}

/* Receive queues of @ifname: ethtool channels, else the count of rx-N
 * in sysfs (drivers without ETHTOOL_GCHANNELS). */
int xv_ethtool_rx_queues(const char *ifname, unsigned int *n)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	int err = ethtool_ioctl(ifname, &ch);

	if (err || !(ch.combined_count + ch.rx_count))
		return sysfs_rx_queues(ifname, n);
	*n = ch.combined_count + ch.rx_count;
	return 0;
}

int xv_ethtool_set_tx_csum(const char *ifname, bool on)
{
	return ethtool_set_value(ifname, ETHTOOL_STXCSUM, on);
}

int xv_ethtool_set_gro(const char *ifname, bool on)
{
	return ethtool_set_value(ifname, ETHTOOL_SGRO, on);
}

/* @cmd on, where @ifname can have it at all. */
static int ethtool_enable_if_able(const char *ifname, __u32 cmd)
{
	int err = ethtool_set_value(ifname, cmd, 1);

	return err == -EOPNOTSUPP ? 0 : err;
}

/*
 * A VF's device end as a pod should get it: the kernel's offloads (TX
 * checksum, scatter-gather, TSO, GSO), whatever a previous pod left, and
 * GRO on, which a veth end that XDP redirects into needs (its NAPI takes
 * the frames). If its peer, the representor, has an XDP program (a PF
 * made before representors switched in TC), TX checksum goes off
 * instead: XDP loses CHECKSUM_PARTIAL (and a veth takes TSO from the
 * peer of an XDP program anyway).
 */
int xv_ethtool_prepare_vf_end(const char *ifname, bool peer_xdp)
{
	if (peer_xdp)
		return xv_ethtool_set_tx_csum(ifname, false) ?:
			       xv_ethtool_set_gro(ifname, true);
	return xv_ethtool_set_tx_csum(ifname, true)		    ?:
		       ethtool_enable_if_able(ifname, ETHTOOL_SSG)  ?:
		       ethtool_enable_if_able(ifname, ETHTOOL_STSO) ?:
		       ethtool_enable_if_able(ifname, ETHTOOL_SGSO) ?:
		       xv_ethtool_set_gro(ifname, true);
}
