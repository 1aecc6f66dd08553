// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The floor of bench_xdp_decap: the least an XDP program can do to strip a
 * reduced SRv6 encapsulation (outer IPv6, next header 41). No parsing beyond
 * the ethertype, no lookup, no ECN, no counters: move the start of the frame
 * 40 bytes on with bpf_xdp_adjust_head and write the MAC addresses and
 * ethertype in front of the inner packet. What srv6steer's decapsulation
 * costs above this program is the price of deciding and counting.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int bench_xdp_floor_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 macs[12];

	if (data + 14 + 40 + 40 > data_end || eth->h_proto != bpf_htons(0x86DD))
		return XDP_PASS;
	__builtin_memcpy(macs, eth, 12);
	if (bpf_xdp_adjust_head(ctx, 40))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	__builtin_memcpy(eth, macs, 12);
	eth->h_proto = bpf_htons(0x86DD);
	return XDP_PASS;
}
