/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * SRv6 encapsulation at TC: H.Encaps.Red with one uSID container (outer IPv6
 * only, next header 41/4) or with an SRH (type 4) for longer paths.
 *
 * bpf_skb_adjust_room(..., BPF_F_ADJ_ROOM_ENCAP_L3_IPV6) makes the room and
 * sets the skb up as IP-in-IPv6 for GSO; we then write the headers directly.
 * (bpf_lwt_push_encap is not callable from TC and breaks GSO with an SRH.)
 */
#ifndef SRV6S_BPF_ENCAP_H
#define SRV6S_BPF_ENCAP_H

#include "srv6steer/abi.h"
#include "addr.h"
#include "consts.h"
#include "parse.h"

struct srv6s_srh {
	__u8 nexthdr;
	__u8 hdrlen;
	__u8 type;
	__u8 segments_left;
	__u8 last_entry;
	__u8 flags;
	__u16 tag;
};

/*
 * Would the packet still fit the MTU with len_diff more bytes?
 * Non-GSO: its length. GSO: each segment (headers + gso_size), which grows
 * only with FIXED_GSO; without it the kernel shrinks gso_size instead.
 */
static __always_inline bool srv6s_fits_mtu(struct __sk_buff *skb, const struct srv6s_config *cfg,
					   const struct srv6s_pkt *pkt, __u32 len_diff)
{
	__u32 mtu = cfg->mtu;

	if (pkt->gso_size) {
		if (!(cfg->flags & SRV6S_CFG_FIXED_GSO))
			return true;
		if (!mtu && bpf_check_mtu(skb, 0, &mtu, 0, 0) < 0)
			return true; /* no device to ask: let the stack decide */
		return pkt->hdr_len + pkt->gso_size + len_diff <= mtu;
	}
	if (mtu)
		return skb->len - ETH_HLEN + len_diff <= mtu;
	/* < 0: no device to ask, let the stack decide. */
	return bpf_check_mtu(skb, 0, &mtu, len_diff, 0) != BPF_MTU_CHK_RET_FRAG_NEEDED;
}

/* Grow the packet and write outer IPv6 (+ SRH). Returns 0 or -reason. */
static __always_inline int srv6s_push_encap(struct __sk_buff *skb, const struct srv6s_config *cfg,
					    const struct srv6s_pkt *pkt,
					    const struct srv6s_path *path, __u32 label)
{
	__u32 n_segs = path->n_segs;
	__u32 len_diff, payload_len;
	__u64 flags = BPF_F_ADJ_ROOM_ENCAP_L3_IPV6;
	struct ethhdr *eth;
	struct ipv6hdr *ip6h;
	void *data, *data_end;

	if (n_segs > SRV6S_MAX_SRH_SEGS)
		return -SRV6S_R_BAD_PATH;
	len_diff = srv6s_encap_len(path);
	if (cfg->flags & SRV6S_CFG_FIXED_GSO)
		flags |= BPF_F_ADJ_ROOM_FIXED_GSO;

	if (bpf_skb_adjust_room(skb, len_diff, BPF_ADJ_ROOM_MAC, flags))
		return -SRV6S_R_ADJUST_ROOM_FAILED;

	/* From here the packet has changed: failing to write is a drop. */
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = data;
	ip6h = data + ETH_HLEN;
	if ((void *)(ip6h + 1) > data_end)
		return -SRV6S_R_WRITE_FAILED;

	eth->h_proto = bpf_htons(ETH_P_IPV6);

	payload_len = skb->len - ETH_HLEN - SRV6S_IPV6_HLEN;
	*(__be32 *)ip6h = bpf_htonl((6U << 28) | ((__u32)pkt->tos << 20) | label);
	/* Over 64 KiB (BIG TCP): 0, GSO writes each segment's length. */
	ip6h->payload_len = payload_len > 0xffff ? 0 : bpf_htons(payload_len);
	ip6h->nexthdr = n_segs ? IPPROTO_ROUTING : pkt->inner_proto;
	ip6h->hop_limit = cfg->hop_limit ? cfg->hop_limit : SRV6S_DEFAULT_HOP_LIMIT;
	srv6s_copy_addr(&ip6h->saddr, cfg->src);
	srv6s_copy_addr(&ip6h->daddr, path->dst);

	if (!n_segs)
		return 0;

	struct srv6s_srh *srh = (void *)(ip6h + 1);

	if ((void *)(srh + 1) > data_end)
		return -SRV6S_R_WRITE_FAILED;
	srh->nexthdr = pkt->inner_proto;
	srh->hdrlen = n_segs * 2;
	srh->type = SRV6S_SRH_TYPE;
	srh->segments_left = path->segments_left;
	srh->last_entry = n_segs - 1;
	srh->flags = 0;
	srh->tag = 0;

	__u8 *seg = (void *)(srh + 1);

	for (__u32 i = 0; i < SRV6S_MAX_SRH_SEGS; i++) {
		if (i >= n_segs)
			break;
		if ((void *)(seg + SRV6S_SEG_LEN) > data_end)
			return -SRV6S_R_WRITE_FAILED;
		srv6s_copy_addr(seg, path->segs[i]);
		seg += SRV6S_SEG_LEN;
	}
	return 0;
}

#endif
