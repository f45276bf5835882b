/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XVDPA_ETHTOOL_H
#define XVDPA_ETHTOOL_H

#include <stdbool.h>

int xv_ethtool_set_tx_csum(const char *ifname, bool on);
int xv_ethtool_set_gro(const char *ifname, bool on);
int xv_ethtool_prepare_vf_end(const char *ifname, bool peer_xdp);
int xv_ethtool_rx_queues(const char *ifname, unsigned int *n);

#endif /* XVDPA_ETHTOOL_H */
