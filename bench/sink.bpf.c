// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The far end of bench_stack's veth pairs: TC ingress of the peer. Drops
 * every packet at the first place the receive path lets a program see it,
 * so the benchmark times the sending stack (and as little of the receiving
 * one as veth allows), and counts each packet by its shape so the benchmark
 * can check that every case's packets left the way the case says:
 * unencapsulated UDP, or UDP encapsulated towards the expected segment
 * (outer IPv6, next header 41 or 4, destination = `segment`, set before
 * loading).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "../bpf/lib/consts.h"
#include "sink.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u8 segment[16] = {};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BENCH_SHAPE_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sink_shapes SEC(".maps");

static __always_inline __u32 shape(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return BENCH_SHAPE_OTHER;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip4 = (void *)(eth + 1);

		if ((void *)(ip4 + 1) > data_end)
			return BENCH_SHAPE_OTHER;
		return ip4->protocol == IPPROTO_UDP ? BENCH_SHAPE_UDP4 : BENCH_SHAPE_OTHER;
	}
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return BENCH_SHAPE_OTHER;

	struct ipv6hdr *ip6h = (void *)(eth + 1);

	if ((void *)(ip6h + 1) > data_end)
		return BENCH_SHAPE_OTHER;
	if (ip6h->nexthdr == IPPROTO_UDP)
		return BENCH_SHAPE_UDP6;
	if (ip6h->nexthdr != IPPROTO_IPV6 && ip6h->nexthdr != IPPROTO_IPIP)
		return BENCH_SHAPE_OTHER;
	for (int i = 0; i < 16; i++)
		if (ip6h->daddr.in6_u.u6_addr8[i] != segment[i])
			return BENCH_SHAPE_OTHER;
	/* Only the benchmark's datagrams: not the neighbour discovery and MLD
	 * that the floor program encapsulates like everything else. */
	if (ip6h->nexthdr == IPPROTO_IPV6) {
		struct ipv6hdr *in6 = (void *)(ip6h + 1);

		if ((void *)(in6 + 1) > data_end || in6->nexthdr != IPPROTO_UDP)
			return BENCH_SHAPE_OTHER;
		return BENCH_SHAPE_ENCAP6;
	}
	struct iphdr *in4 = (void *)(ip6h + 1);

	if ((void *)(in4 + 1) > data_end || in4->protocol != IPPROTO_UDP)
		return BENCH_SHAPE_OTHER;
	return BENCH_SHAPE_ENCAP4;
}

SEC("tc")
int bench_sink(struct __sk_buff *skb)
{
	__u32 idx = shape(skb);
	__u64 *n = bpf_map_lookup_elem(&sink_shapes, &idx);

	if (n)
		*n += 1;
	return 2; /* TC_ACT_SHOT */
}
