// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * srv6steer receive side: decapsulate SRv6 packets sent to one of the host's
 * own SIDs (uDT6, uDT4, uDT46; reduced, or SRH with segments left 0), with
 * RFC 6040 ECN, counting every frame under one reason and every frame of
 * ours under its sender's path. Anything else passes byte-identical.
 * Two entry points on the same logic: XDP (srv6s_xdp_decap) and TC ingress
 * (srv6s_tc_decap), the fallback and comparison. docs/design.md §13.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "srv6steer/decap_abi.h"
#include "decap_maps.h"
#include "lib/decap_parse.h"
#include "lib/decap_strip.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __always_inline void srv6s_rx_count(__u32 reason, __u64 bytes)
{
	struct srv6s_counter *c = bpf_map_lookup_elem(&srv6s_rx_reasons, &reason);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* Per-CPU values: no atomics. A new path starts with this frame; should
 * another CPU insert it first, this frame is added to it. */
static __always_inline void srv6s_rx_count_path(const struct srv6s_decap *d, __u64 bytes)
{
	struct srv6s_rx_path_stats *s = bpf_map_lookup_elem(&srv6s_rx_paths, &d->path);
	__u64 ce = d->outer_ecn == SRV6S_ECN_CE;

	if (!s) {
		struct srv6s_rx_path_stats init = { .packets = 1, .bytes = bytes, .ce_packets = ce };

		if (!bpf_map_update_elem(&srv6s_rx_paths, &d->path, &init, BPF_NOEXIST))
			return;
		s = bpf_map_lookup_elem(&srv6s_rx_paths, &d->path);
		if (!s)
			return;
	}
	s->packets++;
	s->bytes += bytes;
	s->ce_packets += ce;
}

/* The config, or all zeros (disabled) when there is none. */
static __always_inline struct srv6s_rx_config srv6s_rx_cfg(void)
{
	__u32 zero = 0;
	struct srv6s_rx_config *cfg = bpf_map_lookup_elem(&srv6s_rx_config, &zero);
	struct srv6s_rx_config none = {};

	return cfg ? *cfg : none;
}

/* Counts the frame; true when it must be dropped. */
static __always_inline bool srv6s_rx_account(int ret, const struct srv6s_decap *d, __u64 bytes)
{
	__u32 reason = ret < 0 ? -ret : ret;

	if (reason >= SRV6S_RX_R_MAX)
		reason = SRV6S_RX_TRUNCATED;
	srv6s_rx_count(reason, bytes);
	if (d->count_path && (reason == SRV6S_RX_DECAPSULATED || reason == SRV6S_RX_ECN_DROP ||
			      reason == SRV6S_RX_WRITE_FAILED))
		srv6s_rx_count_path(d, bytes);
	return reason == SRV6S_RX_ECN_DROP || reason == SRV6S_RX_WRITE_FAILED;
}

static __always_inline int srv6s_xdp_run(struct xdp_md *ctx, struct srv6s_decap *d, __u32 len)
{
	struct srv6s_rx_config cfg = srv6s_rx_cfg();
	int ret;

	if (!(cfg.flags & SRV6S_RX_CFG_ENABLED))
		return -SRV6S_RX_DISABLED;
	ret = srv6s_decap_parse((void *)(long)ctx->data, (void *)(long)ctx->data_end, len, 0,
				&cfg, d);
	if (ret)
		return ret == -SRV6S_DECAP_PULL ? -SRV6S_RX_TRUNCATED : ret;
	return srv6s_xdp_strip(ctx, d);
}

SEC("xdp")
int srv6s_xdp_decap(struct xdp_md *ctx)
{
	struct srv6s_decap d = {};
	__u32 len = ctx->data_end - ctx->data;
	int ret = srv6s_xdp_run(ctx, &d, len);

	return srv6s_rx_account(ret, &d, len) ? XDP_DROP : XDP_PASS;
}

static __always_inline int srv6s_tc_run(struct __sk_buff *skb, struct srv6s_decap *d)
{
	struct srv6s_rx_config cfg = srv6s_rx_cfg();
	__u32 len = skb->len, gso = skb->gso_size;
	int ret;

	if (!(cfg.flags & SRV6S_RX_CFG_ENABLED))
		return -SRV6S_RX_DISABLED;
	ret = srv6s_decap_parse((void *)(long)skb->data, (void *)(long)skb->data_end, len, gso,
				&cfg, d);
	if (ret == -SRV6S_DECAP_PULL) {
		/* Headers beyond the linear part: make them linear, once. */
		if (bpf_skb_pull_data(skb, d->need < len ? d->need : len))
			return -SRV6S_RX_TRUNCATED;
		__builtin_memset(d, 0, sizeof(*d));
		ret = srv6s_decap_parse((void *)(long)skb->data, (void *)(long)skb->data_end, len,
					gso, &cfg, d);
		if (ret == -SRV6S_DECAP_PULL)
			ret = -SRV6S_RX_TRUNCATED;
	}
	if (ret)
		return ret;
	return srv6s_tc_strip(skb, d);
}

SEC("tc")
int srv6s_tc_decap(struct __sk_buff *skb)
{
	struct srv6s_decap d = {};
	__u64 len = skb->len;
	int ret = srv6s_tc_run(skb, &d);

	return srv6s_rx_account(ret, &d, len) ? SRV6S_TC_DROP : SRV6S_TC_CONTINUE;
}
