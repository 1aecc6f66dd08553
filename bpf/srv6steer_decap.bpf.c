// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * srv6steer receive side: decapsulate SRv6 packets sent to one of the host's
 * own SIDs (uDT6, uDT4, uDT46; reduced, or SRH with segments left 0), with
 * RFC 6040 ECN, counting every frame under one reason and every frame of
 * ours under its sender's path. Anything else passes byte-identical.
 * Two entry points on the same logic: XDP (srv6s_xdp_decap) and TC ingress
 * (srv6s_tc_decap), the fallback and comparison. docs/design.md §13.
 * With SRV6S_RX_CFG_PROBES both also answer path probes, plain or
 * decapsulated here, back out where they came in (§15).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "srv6steer/decap_abi.h"
#include "decap_maps.h"
#include "lib/decap_parse.h"
#include "lib/decap_strip.h"
#include "lib/decap_count.h"
#include "lib/probe_send.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The config, or NULL (disabled) when there is none. A pointer into the
 * map (read only for programs): each path reads just the fields it needs. */
static __always_inline const struct srv6s_rx_config *srv6s_rx_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&srv6s_rx_config, &zero);
}

/* Frames a probe request may hide in: decapsulated here, or plain (not
 * ours: IPv4, or IPv6 to no local SID). */
static __always_inline bool srv6s_may_be_probe(__u32 cfg_flags, int ret)
{
	return (cfg_flags & SRV6S_RX_CFG_PROBES) &&
	       (ret == 0 || ret == -SRV6S_RX_NOT_OURS || ret == -SRV6S_RX_NOT_IPV6);
}

static __always_inline int srv6s_xdp_run(struct xdp_md *ctx, struct srv6s_decap *d, __u32 len)
{
	const struct srv6s_rx_config *cfg = srv6s_rx_cfg();
	__u32 cfg_flags;
	int ret;

	if (!cfg)
		return -SRV6S_RX_DISABLED;
	cfg_flags = cfg->flags;
	if (!(cfg_flags & SRV6S_RX_CFG_ENABLED))
		return -SRV6S_RX_DISABLED;
	ret = srv6s_decap_parse((void *)(long)ctx->data, (void *)(long)ctx->data_end, len, 0,
				cfg, d);
	if (ret == -SRV6S_DECAP_PULL)
		ret = -SRV6S_RX_TRUNCATED;
	else if (!ret)
		ret = srv6s_xdp_strip(ctx, d);
	if (srv6s_may_be_probe(cfg_flags, ret))
		ret = srv6s_xdp_probe(ctx, cfg, d, len, ret);
	return ret;
}

SEC("xdp")
int srv6s_xdp_decap(struct xdp_md *ctx)
{
	struct srv6s_decap d = {};
	__u32 len = ctx->data_end - ctx->data;
	int ret = srv6s_xdp_run(ctx, &d, len);

	switch (srv6s_rx_account(ret, &d, len)) {
	case SRV6S_RX_V_SEND:
		return XDP_TX;
	case SRV6S_RX_V_DROP:
		return XDP_DROP;
	default:
		return XDP_PASS;
	}
}

static __always_inline int srv6s_tc_run(struct __sk_buff *skb, struct srv6s_decap *d, __u32 len)
{
	const struct srv6s_rx_config *cfg = srv6s_rx_cfg();
	__u32 gso = skb->gso_size, cfg_flags;
	int ret;

	if (!cfg)
		return -SRV6S_RX_DISABLED;
	cfg_flags = cfg->flags;
	if (!(cfg_flags & SRV6S_RX_CFG_ENABLED))
		return -SRV6S_RX_DISABLED;
	ret = srv6s_decap_parse((void *)(long)skb->data, (void *)(long)skb->data_end, len, gso,
				cfg, d);
	if (ret == -SRV6S_DECAP_PULL) {
		/* Headers beyond the linear part: make them linear, once. */
		if (bpf_skb_pull_data(skb, d->need < len ? d->need : len))
			return -SRV6S_RX_TRUNCATED;
		__builtin_memset(d, 0, sizeof(*d));
		ret = srv6s_decap_parse((void *)(long)skb->data, (void *)(long)skb->data_end, len,
					gso, cfg, d);
		if (ret == -SRV6S_DECAP_PULL)
			ret = -SRV6S_RX_TRUNCATED;
	}
	if (!ret)
		ret = srv6s_tc_strip(skb, d);
	if (srv6s_may_be_probe(cfg_flags, ret))
		ret = srv6s_tc_probe(skb, cfg, d, len, ret);
	return ret;
}

SEC("tc")
int srv6s_tc_decap(struct __sk_buff *skb)
{
	struct srv6s_decap d = {};
	__u32 len = skb->len;
	int ret = srv6s_tc_run(skb, &d, len);

	switch (srv6s_rx_account(ret, &d, len)) {
	case SRV6S_RX_V_SEND:
		return bpf_redirect(skb->ifindex, 0);
	case SRV6S_RX_V_DROP:
		return SRV6S_TC_DROP;
	default:
		return SRV6S_TC_CONTINUE;
	}
}
