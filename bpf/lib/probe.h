/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The probe responder's hook-independent part (docs/design.md §15): is the
 * frame a probe request (include/srv6steer/probe_abi.h), may it be
 * answered, and turning it into a reply in place. The frame is plain
 * Ethernet + IPv4 (IHL 5, not a fragment) or IPv6 (UDP right after the
 * header) + UDP: a request that arrived encapsulated to a local SID is
 * stripped first (bpf/lib/decap_strip.h), so the probe always lies at a
 * constant offset. Sending (checksum, return encapsulation, verdict) is per
 * hook, in bpf/lib/probe_send.h.
 */
#ifndef SRV6S_BPF_PROBE_H
#define SRV6S_BPF_PROBE_H

#include "srv6steer/decap_abi.h"
#include "srv6steer/probe_abi.h"
#include "../decap_maps.h"
#include "consts.h"
#include "decap_parse.h"
#include "rx_slot.h"

#define SRV6S_PROBE_L4_V4 (ETH_HLEN + 20)
#define SRV6S_PROBE_L4_V6 (ETH_HLEN + SRV6S_IPV6_HLEN)
#define SRV6S_PROBE_UDP_LEN (8 + (__u32)sizeof(struct srv6s_probe))
/* CPUs whose per-path counters a reply sums (bpf_map_lookup_percpu_elem
 * returns NULL past nr_cpu_ids, which ends the loop sooner). */
#define SRV6S_PROBE_MAX_CPUS 256
/* A probe reply's outer and inner hop limit / TTL. */
#define SRV6S_PROBE_HOP_LIMIT 64

/* A request found by srv6s_probe_parse, and what its reply needs. */
struct srv6s_probe_req {
	__u32 need;      /* with SRV6S_DECAP_PULL: bytes to make linear */
	__u32 l3len;     /* the inner IP packet's length (the outer payload length) */
	__u32 label;     /* outer flow label of a returned reply: the request's path id */
	__u8 v4;         /* IPv4 (else IPv6) */
	__u8 ret;        /* SRV6S_PROBE_F_RETURN: encapsulate towards dst */
	__u8 tos;        /* inner traffic class, copied to the outer header */
	__u8 pad;
	__u8 dst[16];    /* the return container */
};

/*
 * 1: [data, data_end) of a frame of len bytes holds a probe request to
 * port (network order); 0: it does not (leave it alone); -SRV6S_DECAP_PULL:
 * make q->need bytes linear and ask again (TC only).
 */
static __always_inline int srv6s_probe_parse(void *data, void *data_end, __u32 len, __be16 port,
					     struct srv6s_probe_req *q)
{
	struct srv6s_probe *pr;
	struct ethhdr *eth;
	struct udphdr *udp;
	__u32 l4, end;
	__u8 *ip;
	int ret;

	if (SRV6S_DHDR(data, data_end, len, q, eth, 0, ETH_HLEN))
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		ret = SRV6S_DHDR(data, data_end, len, q, ip, ETH_HLEN, 20);
		if (ret)
			return ret == -SRV6S_DECAP_PULL ? ret : 0;
		/* IPv4, IHL 5, UDP, neither MF nor a fragment offset. */
		if (ip[0] != 0x45 || ip[9] != IPPROTO_UDP || (*(__be16 *)(ip + 6) & bpf_htons(0x3fff)))
			return 0;
		end = ETH_HLEN + bpf_ntohs(*(__be16 *)(ip + 2));
		l4 = SRV6S_PROBE_L4_V4;
		q->v4 = 1;
		q->tos = ip[1];
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ret = SRV6S_DHDR(data, data_end, len, q, ip, ETH_HLEN, SRV6S_IPV6_HLEN);
		if (ret)
			return ret == -SRV6S_DECAP_PULL ? ret : 0;
		if ((ip[0] >> 4) != 6 || ip[6] != IPPROTO_UDP)
			return 0;
		end = SRV6S_PROBE_L4_V6 + bpf_ntohs(*(__be16 *)(ip + 4));
		l4 = SRV6S_PROBE_L4_V6;
		q->v4 = 0;
		q->tos = (ip[0] << 4) | (ip[1] >> 4);
	} else {
		return 0;
	}
	/* The IP packet within the frame, the probe within the IP packet. */
	if (end > len || l4 + SRV6S_PROBE_UDP_LEN > end)
		return 0;
	q->l3len = end - ETH_HLEN;
	ret = SRV6S_DHDR(data, data_end, end, q, udp, l4, 8);
	if (ret)
		return ret == -SRV6S_DECAP_PULL ? ret : 0;
	if (udp->dest != port)
		return 0;
	if (bpf_ntohs(udp->len) < SRV6S_PROBE_UDP_LEN || l4 + bpf_ntohs(udp->len) > end)
		return 0;
	/* IPv6 has no "no checksum" (RFC 8200 §8.1): not ours to answer. */
	if (!q->v4 && !udp->check)
		return 0;
	ret = SRV6S_DHDR(data, data_end, end, q, pr, l4 + 8, sizeof(*pr));
	if (ret)
		return ret == -SRV6S_DECAP_PULL ? ret : 0;
	return pr->magic == bpf_htonl(SRV6S_PROBE_MAGIC) && pr->version == SRV6S_PROBE_VERSION &&
	       pr->type == SRV6S_PROBE_REQUEST;
}

/* The probe of a frame srv6s_probe_parse accepted (NULL: cannot happen,
 * but the verifier wants the check). */
static __always_inline struct srv6s_probe *srv6s_probe_at(void *data, void *data_end,
							  const struct srv6s_probe_req *q)
{
	struct srv6s_probe *pr = data + (q->v4 ? SRV6S_PROBE_L4_V4 : SRV6S_PROBE_L4_V6) + 8;

	if ((void *)(pr + 1) > data_end)
		return NULL;
	return pr;
}

/* 0, or -SRV6S_RX_PROBE_REFUSED: a return container outside ret_block
 * (every one, if ret_block_mask is zero). Remembers where to return to. */
static __always_inline int srv6s_probe_accept(const struct srv6s_rx_config *cfg,
					      const struct srv6s_probe *pr,
					      struct srv6s_probe_req *q)
{
	__u64 hi, block, mask;

	q->label = bpf_ntohl(pr->path_id) & SRV6S_RX_PATH_ID_MASK;
	if (!(pr->flags & bpf_htons(SRV6S_PROBE_F_RETURN)))
		return 0;
	__builtin_memcpy(&hi, pr->ret, 8);
	__builtin_memcpy(&block, cfg->ret_block, 8);
	__builtin_memcpy(&mask, cfg->ret_block_mask, 8);
	if (!mask || (hi & mask) != block)
		return -SRV6S_RX_PROBE_REFUSED;
	__builtin_memcpy(q->dst, pr->ret, 16);
	q->ret = 1;
	return 0;
}

struct srv6s_rx_sum {
	const struct srv6s_rx_path_key *key;
	__u32 idx; /* the key's slot */
	__u32 found;
	__u64 packets, ce_packets;
};

/* bpf_loop callback: CPU i's slot and LRU value of the key; stops past the
 * last CPU. Verified once, however many CPUs there are. */
static long srv6s_rx_sum_cpu(__u64 i, struct srv6s_rx_sum *sum)
{
	__u32 cpu = (__u32)i;
	struct srv6s_rx_path_slot *slot = bpf_map_lookup_percpu_elem(&srv6s_rx_path_slots, &sum->idx, cpu);
	struct srv6s_rx_path_stats *s;

	if (!slot)
		return 1;
	if (srv6s_rx_slot_holds(slot, sum->key)) {
		sum->packets += slot->stats.packets;
		sum->ce_packets += slot->stats.ce_packets;
		sum->found = 1;
	}
	s = bpf_map_lookup_percpu_elem(&srv6s_rx_paths, sum->key, cpu);
	if (s) {
		sum->packets += s->packets;
		sum->ce_packets += s->ce_packets;
		sum->found = 1;
	}
	return 0;
}

/* The sender path's counters summed over CPUs, of its slots and of its LRU
 * entry (include/srv6steer/decap_abi.h); false if it has neither. */
static __always_inline bool srv6s_probe_rx_counts(const struct srv6s_rx_path_key *key, __u64 *packets,
						  __u64 *ce_packets)
{
	struct srv6s_rx_sum sum = { .key = key, .idx = srv6s_rx_slot_index(key) };

	bpf_loop(SRV6S_PROBE_MAX_CPUS, srv6s_rx_sum_cpu, &sum, 0);
	*packets = sum.packets;
	*ce_packets = sum.ce_packets;
	return sum.found;
}

/* One's complement sum of the change old -> new of a 32-bit word (RFC 1624:
 * ~m + m'), accumulated in 64 bits. */
static __always_inline __u64 srv6s_csum_acc(__u64 acc, __u32 old, __u32 new)
{
	return acc + (__u32)~old + new;
}

static __always_inline __u16 srv6s_csum_fold64(__u64 acc)
{
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (__u16)acc;
}

/* Swap 4 * n bytes at a and b. */
#define SRV6S_SWAP_WORDS(a, b, n)                                                \
	do {                                                                     \
		__u32 *__a = (__u32 *)(a), *__b = (__u32 *)(b), __t;             \
		for (int __i = 0; __i < (n); __i++) {                            \
			__t = __a[__i];                                          \
			__a[__i] = __b[__i];                                     \
			__b[__i] = __t;                                          \
		}                                                                \
	} while (0)

/*
 * Turns the request into its reply in place: MACs, addresses and ports
 * swapped, TTL / hop limit SRV6S_PROBE_HOP_LIMIT (IPv4 header checksum
 * updated), type REPLY, flags and the responder fields written. Swaps
 * change no checksum (one's complement sums commute). Returns the 16-bit
 * one's complement change of the UDP checksum's data (the caller applies
 * it), and in *ip6_diff the change of the IPv6 header's sum (for a TC
 * CHECKSUM_COMPLETE skb); -1 if the frame is not where parse left it.
 */
static __always_inline int srv6s_probe_reflect(void *data, void *data_end, const struct srv6s_probe_req *q,
					       __u16 flags, __u64 rx, __u64 rx_ce, __u16 *ip6_diff)
{
	struct srv6s_probe *pr = srv6s_probe_at(data, data_end, q);
	struct udphdr *udp;
	__u8 *ip = data + ETH_HLEN, mac[6];
	__u32 *w, old, new;
	__u64 acc = 0;

	if (!pr)
		return -1;
	udp = (struct udphdr *)pr - 1;
	__builtin_memcpy(mac, data, 6);
	__builtin_memcpy(data, data + 6, 6);
	__builtin_memcpy(data + 6, mac, 6);

	if (q->v4) {
		__u16 *ttl = (__u16 *)(ip + 8), *check = (__u16 *)(ip + 10), o = *ttl;

		SRV6S_SWAP_WORDS(ip + 12, ip + 16, 1);
		ip[8] = SRV6S_PROBE_HOP_LIMIT;
		*check = srv6s_csum_replace16(*check, o, *ttl);
		*ip6_diff = 0;
	} else {
		w = (__u32 *)(ip + 4); /* payload length, next header, hop limit */
		old = *w;
		SRV6S_SWAP_WORDS(ip + 8, ip + 24, 4);
		ip[7] = SRV6S_PROBE_HOP_LIMIT;
		*ip6_diff = srv6s_csum_fold64(srv6s_csum_acc(0, old, *w));
	}
	__be16 port = udp->source;

	udp->source = udp->dest;
	udp->dest = port;

	w = (__u32 *)&pr->version; /* version, type, flags */
	old = *w;
	pr->type = SRV6S_PROBE_REPLY;
	pr->flags = bpf_htons(flags);
	acc = srv6s_csum_acc(acc, old, *w);
	w = (__u32 *)&pr->rx_packets;
	new = bpf_htonl(rx >> 32);
	acc = srv6s_csum_acc(acc, w[0], new);
	w[0] = new;
	new = bpf_htonl((__u32)rx);
	acc = srv6s_csum_acc(acc, w[1], new);
	w[1] = new;
	new = bpf_htonl(rx_ce >> 32);
	acc = srv6s_csum_acc(acc, w[2], new);
	w[2] = new;
	new = bpf_htonl((__u32)rx_ce);
	acc = srv6s_csum_acc(acc, w[3], new);
	w[3] = new;
	return srv6s_csum_fold64(acc);
}

/* The UDP checksum after a change diff (srv6s_probe_reflect): RFC 1624
 * eqn. 3, a computed 0 sent as 0xffff (RFC 768); an IPv4 "no checksum" 0
 * stays 0. */
static __always_inline __u16 srv6s_udp_csum_apply(__u16 check, __u16 diff, bool v4)
{
	__u32 sum;

	if (v4 && !check)
		return 0;
	sum = (__u16)~check + (__u32)diff;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (__u16)~sum;
	return sum ? sum : 0xffff;
}

/* The outer IPv6 header of a returned reply (reduced encapsulation, no
 * SRH) at ip6, the inner packet behind it. */
static __always_inline void srv6s_probe_outer(struct ipv6hdr *ip6h, const struct srv6s_probe_req *q,
					      const struct srv6s_rx_config *cfg)
{
	*(__be32 *)ip6h = bpf_htonl((6U << 28) | ((__u32)q->tos << 20) | q->label);
	ip6h->payload_len = bpf_htons(q->l3len);
	ip6h->nexthdr = q->v4 ? IPPROTO_IPIP : IPPROTO_IPV6;
	ip6h->hop_limit = SRV6S_PROBE_HOP_LIMIT;
	__builtin_memcpy(&ip6h->saddr, cfg->src, 16);
	__builtin_memcpy(&ip6h->daddr, q->dst, 16);
}

#endif
