// SPDX-License-Identifier: GPL-2.0-only
/* Offload settings through the ethtool ioctl API. */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ethtool.h"

static int ethtool_set_value(const char *ifname, __u32 cmd, __u32 value)
{
	struct ethtool_value ev = { .cmd = cmd, .data = value };
	struct ifreq ifr;
	int fd, err = 0;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENAMETOOLONG;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = (void *)&ev;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

int xv_ethtool_set_tx_csum(const char *ifname, bool on)
{
	return ethtool_set_value(ifname, ETHTOOL_STXCSUM, on);
}

int xv_ethtool_set_gro(const char *ifname, bool on)
{
	return ethtool_set_value(ifname, ETHTOOL_SGRO, on);
}

/*
 * A veth end whose frames enter XDP must finish checksums in software
 * (XDP and AF_XDP lose CHECKSUM_PARTIAL), and a veth end that XDP
 * redirects into needs GRO on or the frames are dropped.
 */
int xv_ethtool_prepare_vf_end(const char *ifname)
{
	int err = xv_ethtool_set_tx_csum(ifname, false);

	if (err)
		return err;
	return xv_ethtool_set_gro(ifname, true);
}
