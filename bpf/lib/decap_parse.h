/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the decapsulation programs (XDP and TC ingress) decide before they
 * touch a frame: is it an IPv6 packet to one of our SIDs carrying IPv4 or
 * IPv6, reduced (next header 4/41 right after the outer header) or behind
 * one SRH with segments left 0; how much to strip; which sender path it came
 * on; and its inner ECN after RFC 6040. Nothing is written here: a frame we
 * refuse leaves byte-identical.
 *
 * Parsing reads [data, data_end) of a frame of len bytes. Returns 0 or
 * -reason (enum srv6s_rx_reason); SRV6S_DECAP_PULL asks a TC caller to make
 * d->need bytes linear and parse again (XDP frames are linear: never).
 */
#ifndef SRV6S_BPF_DECAP_PARSE_H
#define SRV6S_BPF_DECAP_PARSE_H

#include "srv6steer/decap_abi.h"
#include "../decap_maps.h"
#include "consts.h"
#include "ecn.h"

#define SRV6S_DECAP_PULL 1000
#define IPPROTO_ESP 50

struct srv6s_decap {
	struct srv6s_rx_path_key path; /* outer source + path id, if count_path */
	__u32 strip;                   /* outer IPv6 + SRH bytes after Ethernet */
	__u32 need;                    /* with SRV6S_DECAP_PULL: bytes to make linear */
	__u8 inner;                    /* IPPROTO_IPIP or IPPROTO_IPV6 */
	__u8 outer_ecn;
	__u8 ecn;                      /* the inner ECN to write, if ecn_change */
	__u8 ecn_change;
	__u8 count_path;               /* path holds the sender's path */
};

/* Point hdr at [off, off+n) of the frame, or say why not. */
#define SRV6S_DHDR(data, data_end, end, d, hdr, off, n)                          \
	({                                                                       \
		int __ret = 0;                                                   \
		if ((off) + (n) > (end)) {                                       \
			__ret = -SRV6S_RX_TRUNCATED;                             \
		} else if ((data) + (off) + (n) > (data_end)) {                  \
			(d)->need = (off) + (n);                                 \
			__ret = -SRV6S_DECAP_PULL;                               \
		} else {                                                         \
			hdr = (data) + (off);                                    \
		}                                                                \
		__ret;                                                           \
	})

static __always_inline bool srv6s_is_ext_hdr(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_FRAGMENT ||
	       nh == IPPROTO_ESP || nh == IPPROTO_AH || nh == IPPROTO_DSTOPTS;
}

/* The inner header behind off: family against the SID's behaviour, version,
 * and the ECN decision. */
static __always_inline int srv6s_decap_inner(void *data, void *data_end, __u32 end, __u32 off,
					     __u8 nh, __u32 behavior, __u32 cfg_flags,
					     struct srv6s_decap *d)
{
	__u8 *ip;
	__u8 inner_ecn;
	int ret, ecn;

	if (nh == IPPROTO_IPV6) {
		if (behavior == SRV6S_SID_UDT4)
			return -SRV6S_RX_MISMATCH;
		ret = SRV6S_DHDR(data, data_end, end, d, ip, off, SRV6S_IPV6_HLEN);
		if (ret)
			return ret;
		if ((ip[0] >> 4) != 6)
			return -SRV6S_RX_BAD_INNER;
		inner_ecn = srv6s_ipv6_ecn(ip);
	} else if (nh == IPPROTO_IPIP) {
		if (behavior == SRV6S_SID_UDT6)
			return -SRV6S_RX_MISMATCH;
		ret = SRV6S_DHDR(data, data_end, end, d, ip, off, 20);
		if (ret)
			return ret;
		if ((ip[0] >> 4) != 4 || (ip[0] & 0xf) < 5)
			return -SRV6S_RX_BAD_INNER;
		if (off + (ip[0] & 0xf) * 4 > end)
			return -SRV6S_RX_TRUNCATED;
		inner_ecn = ip[1] & 3;
	} else {
		return srv6s_is_ext_hdr(nh) ? -SRV6S_RX_EXT_HDR : -SRV6S_RX_NOT_ENCAP;
	}

	ecn = srv6s_ecn_decap(d->outer_ecn, inner_ecn);
	if (ecn == SRV6S_ECN_DROP) {
		if (cfg_flags & SRV6S_RX_CFG_ECN_DROP_NOT_ECT)
			return -SRV6S_RX_ECN_DROP;
		ecn = inner_ecn;
	}
	d->ecn = ecn;
	d->ecn_change = ecn != inner_ecn;
	d->inner = nh;
	d->strip = off - ETH_HLEN;
	return 0;
}

/*
 * gso: the frame is a GSO skb (TC), whose payload length may be 0 (BIG TCP).
 * On SRV6S_RX_ECN_DROP, d->path is filled as for a decapsulated frame.
 */
static __always_inline int srv6s_decap_parse(void *data, void *data_end, __u32 len, __u32 gso,
					     const struct srv6s_rx_config *cfg, struct srv6s_decap *d)
{
	__u32 cfg_flags = cfg->flags;
	struct srv6s_local_sid *sid;
	struct ipv6hdr *ip6h;
	struct ethhdr *eth;
	__u32 end = len, off = ETH_HLEN + SRV6S_IPV6_HLEN, payload_len, behavior;
	__u8 *eh, nh;
	int ret;

	ret = SRV6S_DHDR(data, data_end, end, d, eth, 0, ETH_HLEN);
	if (ret)
		return ret == -SRV6S_RX_TRUNCATED ? -SRV6S_RX_NOT_IPV6 : ret;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return -SRV6S_RX_NOT_IPV6;
	ret = SRV6S_DHDR(data, data_end, end, d, ip6h, ETH_HLEN, SRV6S_IPV6_HLEN);
	if (ret)
		return ret;
	if (ip6h->version != 6)
		return -SRV6S_RX_BAD_HEADER;
	if (cfg_flags & SRV6S_RX_CFG_BLOCK) {
		__u64 hi, block, mask;

		__builtin_memcpy(&hi, &ip6h->daddr, 8);
		__builtin_memcpy(&block, cfg->block, 8);
		__builtin_memcpy(&mask, cfg->block_mask, 8);
		if ((hi & mask) != block)
			return -SRV6S_RX_NOT_OURS;
	}

	struct srv6s_prefix_key key = { .prefixlen = 128 };

	__builtin_memcpy(key.addr, &ip6h->daddr, 16);
	sid = bpf_map_lookup_elem(&srv6s_local_sids, &key);
	if (!sid)
		return -SRV6S_RX_NOT_OURS;
	behavior = sid->behavior;
	if (behavior < SRV6S_SID_UDT6 || behavior > SRV6S_SID_UDT46)
		return -SRV6S_RX_NOT_OURS;

	payload_len = bpf_ntohs(ip6h->payload_len);
	/* payload_len 0 is legal only for BIG TCP GSO packets. */
	if (payload_len == 0 && gso)
		payload_len = len - off;
	if (off + payload_len > len)
		return -SRV6S_RX_TRUNCATED;
	end = off + payload_len;

	d->outer_ecn = srv6s_ipv6_ecn((__u8 *)ip6h);
	if (!(cfg_flags & SRV6S_RX_CFG_NO_PATH_STATS) && !(sid->flags & SRV6S_SID_NO_PATH_STATS)) {
		__builtin_memcpy(d->path.src, &ip6h->saddr, 16);
		d->path.path_id = ((__u32)(ip6h->flow_lbl[1] & 0xf) << 8) | ip6h->flow_lbl[2];
		d->count_path = 1;
	}
	nh = ip6h->nexthdr;

	if (nh == IPPROTO_ROUTING) {
		ret = SRV6S_DHDR(data, data_end, end, d, eh, off, SRV6S_SRH_FIXED_LEN);
		if (ret)
			return ret;
		if (eh[2] != SRV6S_SRH_TYPE)
			return -SRV6S_RX_EXT_HDR;
		/* Header length in 8-byte units beyond the first 8; the
		 * segment list (16 bytes, 2 units each) must fit in it. */
		if (((__u32)eh[4] + 1) * 2 > eh[1])
			return -SRV6S_RX_BAD_HEADER;
		if (off + ((__u32)eh[1] + 1) * 8 > end)
			return -SRV6S_RX_TRUNCATED;
		if (eh[3])
			return -SRV6S_RX_SEGMENTS_LEFT;
		nh = eh[0];
		off += ((__u32)eh[1] + 1) * 8;
	}
	return srv6s_decap_inner(data, data_end, end, off, nh, behavior, cfg_flags, d);
}

#endif
