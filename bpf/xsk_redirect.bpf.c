// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Attached to a VF's device end in vDPA mode: every frame that arrives on
 * queue Q goes to the AF_XDP socket vdpad bound to queue Q; with no socket
 * there, the frame goes up the kernel stack instead of being lost.
 * Frags-aware: a packet larger than a page (MTU 9000) reaches the socket
 * in pieces, and veth allows such MTUs on its peer only under a program
 * that takes them.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xsk_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XV_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

SEC("xdp.frags")
int xv_xsk_redirect(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
