/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The receive side's counters (include/srv6steer/decap_abi.h): one reason
 * per frame (srv6s_rx_reasons), and the sender's path for every frame of
 * ours (its slot of srv6s_rx_path_slots, or srv6s_rx_paths). Per-CPU maps:
 * no atomics.
 */
#ifndef SRV6S_BPF_DECAP_COUNT_H
#define SRV6S_BPF_DECAP_COUNT_H

#include "srv6steer/decap_abi.h"
#include "../decap_maps.h"
#include "decap_parse.h"
#include "rx_slot.h"

static __always_inline void srv6s_rx_count(__u32 reason, __u64 bytes)
{
	struct srv6s_counter *c = bpf_map_lookup_elem(&srv6s_rx_reasons, &reason);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* This CPU's slot of the path, taken if free; NULL when another path holds
 * it. The key is written before used: a reader that sees used sees the key
 * (runs on one CPU never overlap, so nothing else writes the slot). */
static __always_inline struct srv6s_rx_path_stats *srv6s_rx_slot_take(const struct srv6s_rx_path_key *k)
{
	__u32 idx = srv6s_rx_slot_index(k);
	struct srv6s_rx_path_slot *s = bpf_map_lookup_elem(&srv6s_rx_path_slots, &idx);

	if (!s)
		return NULL;
	if (!s->used) {
		__builtin_memcpy(&s->key, k, sizeof(*k));
		barrier();
		s->used = 1;
		return &s->stats;
	}
	return srv6s_rx_slot_holds(s, k) ? &s->stats : NULL;
}

/* In the path's slot; else in the LRU, where a new path starts with this
 * frame (should another CPU insert it first, this frame is added to it). */
static __always_inline void srv6s_rx_count_path(const struct srv6s_decap *d, __u64 bytes)
{
	struct srv6s_rx_path_stats *s = srv6s_rx_slot_take(&d->path);
	__u64 ce = d->outer_ecn == SRV6S_ECN_CE;

	if (s) {
		s->packets++;
		s->bytes += bytes;
		s->ce_packets += ce;
		return;
	}
	s = bpf_map_lookup_elem(&srv6s_rx_paths, &d->path);

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

enum srv6s_rx_verdict {
	SRV6S_RX_V_PASS,
	SRV6S_RX_V_DROP,
	SRV6S_RX_V_SEND, /* a probe reply: back out where it came in */
};

/* Counts the frame (ret: 0 or -reason) and says what to do with it. A
 * frame of ours counts under its path when it was decapsulated, dropped
 * for ECN or a failed write, or was a refused probe (decapsulated first);
 * an answered probe that arrived encapsulated was counted before its
 * reply read the counters (bpf/lib/probe_send.h). */
static __always_inline enum srv6s_rx_verdict srv6s_rx_account(int ret, const struct srv6s_decap *d,
							       __u64 bytes)
{
	__u32 reason = ret < 0 ? -ret : ret;

	if (reason >= SRV6S_RX_R_MAX)
		reason = SRV6S_RX_TRUNCATED;
	srv6s_rx_count(reason, bytes);
	if (d->count_path && (reason == SRV6S_RX_DECAPSULATED || reason == SRV6S_RX_ECN_DROP ||
			      reason == SRV6S_RX_WRITE_FAILED || reason == SRV6S_RX_PROBE_REFUSED))
		srv6s_rx_count_path(d, bytes);
	if (reason == SRV6S_RX_PROBE_ANSWERED)
		return SRV6S_RX_V_SEND;
	return reason == SRV6S_RX_ECN_DROP || reason == SRV6S_RX_WRITE_FAILED ? SRV6S_RX_V_DROP
									      : SRV6S_RX_V_PASS;
}

#endif
