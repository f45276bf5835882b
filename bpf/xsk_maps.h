/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Layout of the AF_XDP redirect program's map, shared with vdpad. */
#ifndef XVDPA_XSK_MAPS_H
#define XVDPA_XSK_MAPS_H

/* Queues (and so AF_XDP sockets) per device end. */
#define XV_MAX_QUEUES 16

#endif /* XVDPA_XSK_MAPS_H */
