// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The floor of bench_stack: the least a TC egress program can do to
 * SRv6-encapsulate a packet. No parsing beyond the ethertype, no lookup, no
 * counters: make room with bpf_skb_adjust_room (the flags srv6steer uses,
 * bpf/lib/encap.h) and write one fixed outer IPv6 header (H.Encaps.Red with
 * one uSID container: next header 41 or 4, no SRH). Whatever steering costs
 * above this program is the price of finding the pin; this program's cost
 * over no program at all is the price of encapsulating at TC.
 *
 * User space sets the outer addresses before loading (.rodata).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "srv6steer/abi.h"
#include "../bpf/lib/consts.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Words, read one by one: volatile, so not folded into the zero initialiser. */
const volatile __u32 outer_src[4] = {};
const volatile __u32 outer_dst[4] = {};

SEC("tc")
int bench_floor_encap(struct __sk_buff *skb)
{
	__u8 inner;

	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		inner = IPPROTO_IPV6;
	else if (skb->protocol == bpf_htons(ETH_P_IP))
		inner = IPPROTO_IPIP;
	else
		return SRV6S_TC_CONTINUE;

	if (bpf_skb_adjust_room(skb, sizeof(struct ipv6hdr), BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 | BPF_F_ADJ_ROOM_FIXED_GSO))
		return SRV6S_TC_DROP;

	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6h = data + ETH_HLEN;

	if ((void *)(ip6h + 1) > data_end)
		return SRV6S_TC_DROP;
	eth->h_proto = bpf_htons(ETH_P_IPV6);
	*(__be32 *)ip6h = bpf_htonl(6U << 28);
	ip6h->payload_len = bpf_htons(skb->len - ETH_HLEN - sizeof(struct ipv6hdr));
	ip6h->nexthdr = inner;
	ip6h->hop_limit = SRV6S_DEFAULT_HOP_LIMIT;
	for (int i = 0; i < 4; i++) {
		ip6h->saddr.in6_u.u6_addr32[i] = outer_src[i];
		ip6h->daddr.in6_u.u6_addr32[i] = outer_dst[i];
	}
	return SRV6S_TC_CONTINUE;
}
