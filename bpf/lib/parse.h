/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Packet parsing for the TC egress program: Ethernet -> IPv4 (options,
 * fragments) or IPv6 (bounded extension-header walk) -> TCP/UDP ports ->
 * RoCEv2 BTH destination QP.
 *
 * Functions return 0 or -reason (enum srv6s_reason). SRV6S_PARSE_PULL asks
 * the caller to make more of the packet linear and parse again: headers of
 * locally generated packets are linear, so this is the rare path.
 */
#ifndef SRV6S_BPF_PARSE_H
#define SRV6S_BPF_PARSE_H

#include "srv6steer/abi.h"
#include "addr.h"
#include "consts.h"

#define SRV6S_PARSE_PULL 1000
/* How much the retry makes linear beyond the header that did not fit. */
#define SRV6S_PULL_SLACK 256

struct srv6s_pkt {
	struct srv6s_flow_key key;  /* the 5-tuple; ports 0 for fragments */
	__u32 qp;                   /* BTH destination QP, if has_qp */
	__u32 end;                  /* headers must end before this offset */
	__u32 gso_size;             /* skb->gso_size, read once */
	__u32 pull_len;             /* with SRV6S_PARSE_PULL: bytes to make linear */
	__u16 hdr_len;              /* L3 + L4 header bytes (GSO segment overhead) */
	__u8 tos;                   /* inner DSCP + ECN */
	__u8 inner_proto;           /* IPPROTO_IPIP or IPPROTO_IPV6 */
	__u8 has_qp;
	__u8 is_frag;
};

/* Point *hdr at [off, off+len) of the packet, or say why not. */
#define SRV6S_HDR(skb, pkt, hdr, off, len)                                       \
	({                                                                       \
		void *__data = (void *)(long)(skb)->data;                        \
		void *__end = (void *)(long)(skb)->data_end;                     \
		int __ret = 0;                                                   \
		if (srv6s_unlikely((off) + (len) > (pkt)->end)) {                \
			__ret = -SRV6S_R_TRUNCATED;                              \
		} else if (srv6s_unlikely(__data + (off) + (len) > __end)) {     \
			(pkt)->pull_len = (off) + (len) + SRV6S_PULL_SLACK;      \
			__ret = -SRV6S_PARSE_PULL;                               \
		} else {                                                         \
			hdr = __data + (off);                                    \
		}                                                                \
		__ret;                                                           \
	})

/* TCP/UDP ports, and the BTH destination QP for RoCEv2. */
static __always_inline int srv6s_parse_l4(struct __sk_buff *skb, struct srv6s_pkt *pkt,
					  __u32 off)
{
	__u8 proto = pkt->key.proto;

	if (proto == IPPROTO_TCP) {
		struct tcphdr *th;
		int ret = SRV6S_HDR(skb, pkt, th, off, sizeof(*th));

		if (ret)
			return ret;
		if (th->doff < 5)
			return -SRV6S_R_BAD_HEADER;
		pkt->key.sport = bpf_ntohs(th->source);
		pkt->key.dport = bpf_ntohs(th->dest);
		pkt->hdr_len += th->doff * 4;
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *uh;
		__u8 *bth;
		int ret = SRV6S_HDR(skb, pkt, uh, off, sizeof(*uh));

		if (ret)
			return ret;
		pkt->key.sport = bpf_ntohs(uh->source);
		pkt->key.dport = bpf_ntohs(uh->dest);
		pkt->hdr_len += sizeof(*uh);
		if (pkt->key.dport != SRV6S_ROCEV2_PORT)
			return 0;
		/* A datagram too short for a BTH is plain UDP to port 4791. */
		ret = SRV6S_HDR(skb, pkt, bth, off + sizeof(*uh), SRV6S_BTH_LEN);
		if (ret == -SRV6S_R_TRUNCATED)
			return 0;
		if (ret)
			return ret;
		pkt->qp = ((__u32)bth[5] << 16) | ((__u32)bth[6] << 8) | bth[7];
		pkt->has_qp = 1;
	}
	return 0;
}

static __always_inline int srv6s_parse_ipv4(struct __sk_buff *skb, struct srv6s_pkt *pkt)
{
	struct iphdr *iph;
	__u32 ihl_len, tot_len;
	int ret = SRV6S_HDR(skb, pkt, iph, ETH_HLEN, sizeof(*iph));

	if (ret)
		return ret;
	if (srv6s_unlikely(iph->version != 4 || iph->ihl < 5))
		return -SRV6S_R_BAD_HEADER;
	ihl_len = iph->ihl * 4;
	tot_len = bpf_ntohs(iph->tot_len);
	/* tot_len 0 is legal only for BIG TCP GSO packets. */
	if (tot_len == 0 && pkt->gso_size)
		tot_len = skb->len - ETH_HLEN;
	if (tot_len < ihl_len)
		return -SRV6S_R_BAD_HEADER;
	if (ETH_HLEN + tot_len > skb->len)
		return -SRV6S_R_TRUNCATED;
	pkt->end = ETH_HLEN + tot_len;

	pkt->inner_proto = IPPROTO_IPIP;
	pkt->tos = iph->tos;
	pkt->key.proto = iph->protocol;
	srv6s_v4_mapped(pkt->key.src, iph->saddr);
	srv6s_v4_mapped(pkt->key.dst, iph->daddr);
	pkt->hdr_len = ihl_len;

	if (iph->protocol == IPPROTO_IPIP || iph->protocol == IPPROTO_IPV6)
		return -SRV6S_R_ALREADY_ENCAP;
	/* Every fragment of a datagram is classified alike (no ports), so the
	 * whole datagram takes one path. */
	if (srv6s_unlikely(iph->frag_off & bpf_htons(IP_MF | IP_OFFSET))) {
		pkt->is_frag = 1;
		return 0;
	}
	/* The options must be there before L4 is looked at. */
	if (srv6s_unlikely(ihl_len > sizeof(*iph))) {
		ret = SRV6S_HDR(skb, pkt, iph, ETH_HLEN, ihl_len);
		if (ret)
			return ret;
	}
	return srv6s_parse_l4(skb, pkt, ETH_HLEN + ihl_len);
}

static __always_inline int srv6s_parse_ipv6(struct __sk_buff *skb, struct srv6s_pkt *pkt)
{
	struct ipv6hdr *ip6h;
	__u32 off = ETH_HLEN + sizeof(*ip6h);
	__u32 payload_len;
	__u8 nexthdr;
	int ret = SRV6S_HDR(skb, pkt, ip6h, ETH_HLEN, sizeof(*ip6h));

	if (ret)
		return ret;
	if (ip6h->version != 6)
		return -SRV6S_R_BAD_HEADER;
	payload_len = bpf_ntohs(ip6h->payload_len);
	/* payload_len 0 is legal only for BIG TCP GSO packets. */
	if (payload_len == 0 && pkt->gso_size)
		payload_len = skb->len - off;
	if (off + payload_len > skb->len)
		return -SRV6S_R_TRUNCATED;
	pkt->end = off + payload_len;

	pkt->inner_proto = IPPROTO_IPV6;
	pkt->tos = (ip6h->priority << 4) | (ip6h->flow_lbl[0] >> 4);
	__builtin_memcpy(pkt->key.src, &ip6h->saddr, 16);
	__builtin_memcpy(pkt->key.dst, &ip6h->daddr, 16);
	nexthdr = ip6h->nexthdr;
	/* TCP and UDP right after the header: no walk. */
	if (srv6s_likely(nexthdr == IPPROTO_TCP || nexthdr == IPPROTO_UDP)) {
		pkt->key.proto = nexthdr;
		pkt->hdr_len = sizeof(*ip6h);
		return srv6s_parse_l4(skb, pkt, off);
	}

	/* One pass per extension header, plus one for the upper layer. */
	for (int i = 0; i < SRV6S_MAX_EXT_HDRS + 1; i++) {
		__u8 *eh;

		switch (nexthdr) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_DSTOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_AH:
			ret = SRV6S_HDR(skb, pkt, eh, off, 8);
			if (ret)
				return ret;
			/* An SRH means the packet already is SRv6. */
			if (nexthdr == IPPROTO_ROUTING && eh[2] == SRV6S_SRH_TYPE)
				return -SRV6S_R_ALREADY_ENCAP;
			/* AH counts 4-byte words minus 2, the others 8-byte words minus 1. */
			off += nexthdr == IPPROTO_AH ? (eh[1] + 2) * 4 : (eh[1] + 1) * 8;
			nexthdr = eh[0];
			break;
		case IPPROTO_FRAGMENT:
			ret = SRV6S_HDR(skb, pkt, eh, off, 8);
			if (ret)
				return ret;
			pkt->key.proto = eh[0];
			pkt->is_frag = 1;
			pkt->hdr_len = off + 8 - ETH_HLEN;
			return 0;
		case IPPROTO_IPIP:
		case IPPROTO_IPV6:
			return -SRV6S_R_ALREADY_ENCAP;
		default:
			if (off > pkt->end)
				return -SRV6S_R_TRUNCATED;
			pkt->key.proto = nexthdr;
			pkt->hdr_len = off - ETH_HLEN;
			return srv6s_parse_l4(skb, pkt, off);
		}
	}
	return -SRV6S_R_EXT_HDR_LIMIT;
}

/* Inlined (no BPF-to-BPF call on every packet's path): the second call
 * site, after bpf_skb_pull_data, is the rare path. */
static __always_inline int srv6s_parse(struct __sk_buff *skb, struct srv6s_pkt *pkt)
{
	struct ethhdr *eth;
	int ret;

	pkt->end = skb->len;
	pkt->gso_size = skb->gso_size;
	ret = SRV6S_HDR(skb, pkt, eth, 0, sizeof(*eth));

	if (ret)
		return ret;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return srv6s_parse_ipv4(skb, pkt);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return srv6s_parse_ipv6(skb, pkt);
	return -SRV6S_R_NOT_IP;
}

#endif
