/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Removing the outer IPv6 header (+ SRH) that bpf/lib/decap_parse.h found,
 * then writing the Ethernet type and the inner ECN. One function per hook:
 *  XDP: bpf_xdp_adjust_head moves the start of the frame past the outer
 *       headers; the MAC addresses are written again in front of the inner
 *       packet. The stack (native: the driver's eth_type_trans; generic:
 *       a changed ethertype makes the kernel redo it) takes the new type.
 *  TC:  bpf_skb_adjust_room(-strip, BPF_ADJ_ROOM_MAC) pops the bytes after
 *       the Ethernet header, and BPF_F_ADJ_ROOM_DECAP_L3_IPV4/IPV6 (Linux
 *       6.3+) sets skb->protocol to the inner family. FIXED_GSO: a GRO'd
 *       skb keeps its gso_size (stripping outer headers does not change the
 *       payload of a segment; without it the kernel would grow gso_size by
 *       the strip, and it refuses UDP GSO skbs).
 * Return 0 or -reason. Failing to strip leaves the frame as it was
 * (ADJUST_FAILED); failing after it (WRITE_FAILED) means a drop.
 */
#ifndef SRV6S_BPF_DECAP_STRIP_H
#define SRV6S_BPF_DECAP_STRIP_H

#include "decap_parse.h"
#include "ecn.h"

static __always_inline __be16 srv6s_inner_ethertype(const struct srv6s_decap *d)
{
	return d->inner == IPPROTO_IPIP ? bpf_htons(ETH_P_IP) : bpf_htons(ETH_P_IPV6);
}

/* The inner header at ip, ECN written if it changes. */
static __always_inline void srv6s_write_ecn(const struct srv6s_decap *d, __u8 *ip)
{
	if (d->inner == IPPROTO_IPIP)
		srv6s_ipv4_set_ecn(ip, d->ecn);
	else
		srv6s_ipv6_set_ecn(ip, d->ecn);
}

static __always_inline int srv6s_xdp_strip(struct xdp_md *ctx, const struct srv6s_decap *d)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 macs[12];

	if ((void *)(eth + 1) > data_end)
		return -SRV6S_RX_ADJUST_FAILED;
	__builtin_memcpy(macs, eth, 12);
	if (bpf_xdp_adjust_head(ctx, (int)d->strip))
		return -SRV6S_RX_ADJUST_FAILED;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	/* 20 bytes of inner header: an IPv4 header, or the part of an IPv6
	 * header that holds the traffic class. */
	if (data + ETH_HLEN + 20 > data_end)
		return -SRV6S_RX_WRITE_FAILED;
	__builtin_memcpy(eth, macs, 12);
	eth->h_proto = srv6s_inner_ethertype(d);
	if (d->ecn_change)
		srv6s_write_ecn(d, data + ETH_HLEN);
	return 0;
}

static __always_inline int srv6s_tc_strip(struct __sk_buff *skb, const struct srv6s_decap *d)
{
	__u64 flags = BPF_F_ADJ_ROOM_FIXED_GSO | (d->inner == IPPROTO_IPIP ? BPF_F_ADJ_ROOM_DECAP_L3_IPV4
									    : BPF_F_ADJ_ROOM_DECAP_L3_IPV6);
	void *data, *data_end;
	struct ethhdr *eth;
	__u8 *ip;

	if (bpf_skb_adjust_room(skb, -(__s32)d->strip, BPF_ADJ_ROOM_MAC, flags))
		return -SRV6S_RX_ADJUST_FAILED;

	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = data;
	ip = data + ETH_HLEN;
	if ((void *)(ip + 20) > data_end)
		return -SRV6S_RX_WRITE_FAILED;
	eth->h_proto = srv6s_inner_ethertype(d);
	if (!d->ecn_change)
		return 0;
	if (d->inner == IPPROTO_IPIP) {
		/* TOS and checksum change together: the header's one's
		 * complement sum, and so a CHECKSUM_COMPLETE skb->csum, stays. */
		srv6s_ipv4_set_ecn(ip, d->ecn);
		return 0;
	}
	__be32 old = *(__be32 *)ip, new;

	srv6s_ipv6_set_ecn(ip, d->ecn);
	new = *(__be32 *)ip;
	/* Fails unless the skb is CHECKSUM_COMPLETE: nothing to fix then. */
	bpf_csum_update(skb, bpf_csum_diff(&old, 4, &new, 4, 0));
	return 0;
}

#endif
