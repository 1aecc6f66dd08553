// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * srv6steer data plane. TC egress: classify each packet (socket, cgroup,
 * flow, RoCEv2 QP, prefix), pick a path, push the SRv6 encapsulation. Every
 * packet is counted under exactly one reason; anything we do not steer
 * leaves byte-identical.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "srv6steer/abi.h"
#include "srv6steer/flowhash.h"
#include "maps.h"
#include "lib/parse.h"
#include "lib/classify.h"
#include "lib/encap.h"
#include "lib/flowlet.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __always_inline void srv6s_count(void *map, __u32 idx, __u64 bytes)
{
	struct srv6s_counter *c = bpf_map_lookup_elem(map, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline int srv6s_steer(struct __sk_buff *skb, __u64 len)
{
	/* 8-byte aligned: srv6s_memo_hash reads the key as words. */
	struct srv6s_pkt pkt __attribute__((aligned(8))) = {};
	struct srv6s_config *cfg;
	struct srv6s_path *path;
	struct srv6s_match m;
	__u32 zero = 0, hash, path_id = 0, n_paths = 0;
	int ret, steered;

	cfg = bpf_map_lookup_elem(&srv6s_config, &zero);
	if (srv6s_unlikely(!cfg || !(cfg->flags & SRV6S_CFG_ENABLED)))
		return -SRV6S_R_DISABLED;

	ret = srv6s_parse(skb, &pkt);
	if (srv6s_unlikely(ret == -SRV6S_PARSE_PULL)) {
		__u32 want = pkt.pull_len < skb->len ? pkt.pull_len : skb->len;

		if (bpf_skb_pull_data(skb, want))
			return -SRV6S_R_TRUNCATED;
		__builtin_memset(&pkt, 0, sizeof(pkt));
		ret = srv6s_parse(skb, &pkt);
		if (ret == -SRV6S_PARSE_PULL)
			ret = -SRV6S_R_TRUNCATED;
	}
	if (ret)
		return ret;

	/* Every pin needs the hash to choose a path; the flow table, to find
	 * one. */
	hash = srv6s_memo_hash(&pkt.key);
	if (!srv6s_find_pin(skb, &pkt, cfg, hash, &m))
		return pkt.is_frag ? -SRV6S_R_FRAGMENT : -SRV6S_R_NO_MATCH;

	steered = srv6s_choose_path(m.path_set, hash, &path, &path_id, &n_paths);
	if (steered < 0)
		return steered;
	/* A flow of one path never changes path; a probe keeps its own. */
	if (cfg->flowlet_gap_us && n_paths > 1 && !(m.path_set & SRV6S_PIN_IGNORE_DOWN))
		srv6s_flowlet(hash, m.path_set & SRV6S_PIN_SET_MASK, cfg->flowlet_gap_us, &path,
			      &path_id);

	if (srv6s_unlikely(!srv6s_fits_mtu(skb, cfg, &pkt, srv6s_encap_len(path))))
		return cfg->flags & SRV6S_CFG_DROP_OVERSIZE ? -SRV6S_R_MTU_DROPPED
							    : -SRV6S_R_MTU_PASSED;

	ret = srv6s_push_encap(skb, cfg, &pkt, path, srv6s_flow_label(hash, path_id));
	if (ret)
		return ret;

	__sync_fetch_and_add(&m.count->packets, 1);
	__sync_fetch_and_add(&m.count->bytes, len);
	srv6s_count(&srv6s_pathstats, path_id, len);
	return steered; /* STEERED, or FELL_BACK */
}

SEC("tc")
int srv6s_tc_egress(struct __sk_buff *skb)
{
	__u64 len = skb->len;
	int reason = srv6s_steer(skb, len);

	if (reason < 0)
		reason = -reason;
	srv6s_count(&srv6s_reasons, reason, len);
	if (reason == SRV6S_R_MTU_DROPPED || reason == SRV6S_R_WRITE_FAILED)
		return SRV6S_TC_DROP;
	return SRV6S_TC_CONTINUE;
}
