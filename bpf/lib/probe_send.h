/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Answering a probe request, per hook (docs/design.md §15): the frame is
 * plain (never encapsulated, or stripped already); bpf/lib/probe.h finds
 * the request and writes the reply, this applies the UDP checksum change,
 * encapsulates a returned reply (reduced, no SRH) and says so. The caller
 * sends the frame back out where it came in (XDP_TX; TC: bpf_redirect to
 * the same device's egress).
 *  XDP: the checksum is written directly; the outer header goes in front
 *       with bpf_xdp_adjust_head.
 *  TC:  bpf_l4_csum_replace applies the change as the skb's checksum state
 *       wants it (CHECKSUM_PARTIAL: the field holds the pseudo-header sum,
 *       which the swap keeps, so it stays; IPv4 0 stays 0), bpf_csum_update
 *       keeps a CHECKSUM_COMPLETE skb->csum right over the IPv6 hop limit,
 *       and bpf_skb_adjust_room makes room for the outer header.
 * Each returns ret (what the frame was before: not a probe) or -reason:
 * PROBE_ANSWERED, PROBE_REFUSED (untouched since), WRITE_FAILED (changed,
 * then a step failed: dropped).
 */
#ifndef SRV6S_BPF_PROBE_SEND_H
#define SRV6S_BPF_PROBE_SEND_H

#include "decap_count.h"
#include "probe.h"

/* skb->data and data_end, each loaded straight from the context: left to
 * itself, clang merges the loads of the two parse attempts into one from a
 * computed context offset, which the verifier refuses. */
#define SRV6S_SKB_PTR(skb, field)                                                \
	({                                                                       \
		void *__p;                                                       \
		asm volatile("%0 = *(u32 *)(%1 + %2)"                            \
			     : "=r"(__p)                                         \
			     : "r"(skb), "i"(__builtin_offsetof(struct __sk_buff, field))); \
		__p;                                                             \
	})

static __always_inline __be16 srv6s_probe_port(const struct srv6s_rx_config *cfg)
{
	return bpf_htons(cfg->probe_port ? cfg->probe_port : SRV6S_PROBE_PORT);
}

/* What the reply says and carries: flags (the request's F_RETURN kept),
 * and for a request that arrived to a local SID its path's counters,
 * this request counted first. 0 or -PROBE_REFUSED. */
static __always_inline int srv6s_probe_prepare(const struct srv6s_rx_config *cfg, struct srv6s_probe *pr,
					       struct srv6s_probe_req *q, struct srv6s_decap *d, __u64 bytes,
					       __u16 *flags, __u64 *rx, __u64 *rx_ce)
{
	if (srv6s_probe_accept(cfg, pr, q))
		return -SRV6S_RX_PROBE_REFUSED;
	*flags = bpf_ntohs(pr->flags) & SRV6S_PROBE_F_RETURN;
	if (q->ret)
		*flags |= SRV6S_PROBE_F_RETURNED;
	*rx = 0;
	*rx_ce = 0;
	if (d->count_path) {
		srv6s_rx_count_path(d, bytes);
		d->count_path = 0;
		if (srv6s_probe_rx_counts(&d->path, rx, rx_ce))
			*flags |= SRV6S_PROBE_F_RX_COUNTS;
	}
	return 0;
}

/* The Ethernet type and outer header in the room made in front of the
 * reply (MACs in place). */
static __always_inline int srv6s_probe_push_outer(void *data, void *data_end, const struct srv6s_probe_req *q,
						  const struct srv6s_rx_config *cfg)
{
	if (data + ETH_HLEN + SRV6S_IPV6_HLEN > data_end)
		return -SRV6S_RX_WRITE_FAILED;
	((struct ethhdr *)data)->h_proto = bpf_htons(ETH_P_IPV6);
	srv6s_probe_outer(data + ETH_HLEN, q, cfg);
	return -SRV6S_RX_PROBE_ANSWERED;
}

static __always_inline int srv6s_xdp_probe(struct xdp_md *ctx, const struct srv6s_rx_config *cfg,
					   struct srv6s_decap *d, __u64 bytes, int ret)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct srv6s_probe_req q = {};
	struct srv6s_probe *pr;
	struct udphdr *udp;
	__u64 rx, rx_ce;
	__u16 flags, ip6_diff;
	__u8 macs[12];
	int diff;

	if (srv6s_probe_parse(data, data_end, data_end - data, srv6s_probe_port(cfg), &q) != 1)
		return ret;
	pr = srv6s_probe_at(data, data_end, &q);
	if (!pr)
		return ret;
	if (srv6s_probe_prepare(cfg, pr, &q, d, bytes, &flags, &rx, &rx_ce))
		return -SRV6S_RX_PROBE_REFUSED;
	diff = srv6s_probe_reflect(data, data_end, &q, flags, rx, rx_ce, &ip6_diff);
	pr = srv6s_probe_at(data, data_end, &q);
	if (diff < 0 || !pr)
		return -SRV6S_RX_WRITE_FAILED;
	udp = (struct udphdr *)pr - 1;
	udp->check = srv6s_udp_csum_apply(udp->check, diff, q.v4);
	if (!q.ret)
		return -SRV6S_RX_PROBE_ANSWERED;

	__builtin_memcpy(macs, data, 12);
	if (bpf_xdp_adjust_head(ctx, -SRV6S_IPV6_HLEN))
		return -SRV6S_RX_WRITE_FAILED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + 12 > data_end)
		return -SRV6S_RX_WRITE_FAILED;
	__builtin_memcpy(data, macs, 12);
	return srv6s_probe_push_outer(data, data_end, &q, cfg);
}

static __always_inline int srv6s_tc_probe(struct __sk_buff *skb, const struct srv6s_rx_config *cfg,
					  struct srv6s_decap *d, __u64 bytes, int ret)
{
	__be16 port = srv6s_probe_port(cfg);
	struct srv6s_probe_req q = {};
	struct srv6s_probe *pr;
	void *data, *data_end;
	__u64 rx, rx_ce;
	__u16 flags, ip6_diff;
	__u32 len = skb->len;
	int diff, found;

	found = srv6s_probe_parse(SRV6S_SKB_PTR(skb, data), SRV6S_SKB_PTR(skb, data_end), len, port,
				  &q);
	if (found == -SRV6S_DECAP_PULL) {
		if (bpf_skb_pull_data(skb, q.need < len ? q.need : len))
			return ret;
		found = srv6s_probe_parse(SRV6S_SKB_PTR(skb, data), SRV6S_SKB_PTR(skb, data_end), len,
					  port, &q);
	}
	if (found != 1)
		return ret;
	data = SRV6S_SKB_PTR(skb, data);
	data_end = SRV6S_SKB_PTR(skb, data_end);
	pr = srv6s_probe_at(data, data_end, &q);
	if (!pr)
		return ret;
	if (srv6s_probe_prepare(cfg, pr, &q, d, bytes, &flags, &rx, &rx_ce))
		return -SRV6S_RX_PROBE_REFUSED;
	diff = srv6s_probe_reflect(data, data_end, &q, flags, rx, rx_ce, &ip6_diff);
	if (diff < 0)
		return -SRV6S_RX_WRITE_FAILED;
	if (ip6_diff)
		/* Fails unless the skb is CHECKSUM_COMPLETE: nothing to fix then. */
		bpf_csum_update(skb, ip6_diff);
	if (bpf_l4_csum_replace(skb, (q.v4 ? SRV6S_PROBE_L4_V4 : SRV6S_PROBE_L4_V6) + 6, 0, (__u16)diff,
				q.v4 ? BPF_F_MARK_MANGLED_0 : 0))
		return -SRV6S_RX_WRITE_FAILED;
	if (!q.ret)
		return -SRV6S_RX_PROBE_ANSWERED;

	/* The reply is never GSO, so the encapsulation's GSO setup is not
	 * needed, and it is refused (EALREADY) for an skb still marked as
	 * encapsulated: a request that arrived encapsulated through veths
	 * keeps the sender's mark after our decapsulation. Plain room, then. */
	if (bpf_skb_adjust_room(skb, SRV6S_IPV6_HLEN, BPF_ADJ_ROOM_MAC, 0))
		return -SRV6S_RX_WRITE_FAILED;
	return srv6s_probe_push_outer(SRV6S_SKB_PTR(skb, data), SRV6S_SKB_PTR(skb, data_end), &q, cfg);
}

#endif
