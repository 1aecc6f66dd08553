// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ECN marking for a congested lab port (`tools/lab congest --ecn`,
 * tools/lab_ecn.py attaches it at TC egress of the port, before its tbf).
 *
 * This kernel has no fq_codel, codel, red, pie or cake (nor pedit), so no
 * qdisc can mark CE. This program does what a marking queue would: it keeps
 * a virtual queue that drains at the tbf's rate (the time at which a link
 * of that rate would have sent everything it was given so far) and marks
 * an ECT packet CE when it would wait longer than mark_ns behind it, as a
 * step-marking AQM (DCTCP's K) does. The tbf still does the real queueing
 * and dropping at the same rate. The virtual queue drains a little slower
 * than the tbf (it has no token burst), so it marks at least as early as
 * the real queue would. A GSO packet is one decision for all of its
 * segments (their outer headers are copied from it).
 *
 * Marks the outermost header: IPv6 (the SRv6 encapsulation) or IPv4 (its
 * header checksum updated). Counts per port, in lab_ecn_state.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ECN_MASK 3
#define ECN_CE 3
#define TC_ACT_UNSPEC (-1) /* let the packet go on (the tbf after it) */

/* Written once by tools/lab_ecn.py after the attach. */
struct lab_ecn_cfg {
	__u64 rate;    /* bytes per second the virtual queue drains; 0: pass everything */
	__u64 mark_ns; /* mark ECT packets that would wait longer than this */
};

struct lab_ecn_state {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 free_ns;   /* CLOCK_MONOTONIC at which the virtual queue is empty */
	__u64 packets;   /* segments seen (a GSO packet counts its segments) */
	__u64 bytes;
	__u64 ect;       /* ... of which ECT(0) or ECT(1) */
	__u64 marked;    /* ... of which this program marked CE */
	__u64 ce;        /* arrived CE already */
	__u64 not_ect_over; /* Not-ECT segments over the threshold (the tbf may drop them) */
};

/* One entry, written by user space only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lab_ecn_cfg);
} lab_ecn_cfg SEC(".maps");

/* One entry: the virtual queue and the counters. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lab_ecn_state);
} lab_ecn_state SEC(".maps");

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Sets CE in the outermost IP header; 0, or a negative error. */
static __always_inline int set_ce(struct __sk_buff *skb, __u16 proto)
{
	__u8 w[2];

	if (bpf_skb_load_bytes(skb, ETH_HLEN, w, 2))
		return -1;
	if (proto == ETH_P_IPV6) {
		/* version(4) traffic class(8) flow label(20): ECN is bits 4-5 of byte 1 */
		w[1] |= ECN_CE << 4;
		return bpf_skb_store_bytes(skb, ETH_HLEN + 1, &w[1], 1, 0);
	}
	__u16 old = *(__u16 *)w;
	w[1] |= ECN_CE;
	if (bpf_skb_store_bytes(skb, ETH_HLEN + 1, &w[1], 1, 0))
		return -1;
	return bpf_l3_csum_replace(skb, ETH_HLEN + 10, old, *(__u16 *)w, 2);
}

SEC("tc")
int lab_ecn(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct lab_ecn_cfg *cfg = bpf_map_lookup_elem(&lab_ecn_cfg, &zero);
	struct lab_ecn_state *st = bpf_map_lookup_elem(&lab_ecn_state, &zero);

	if (!cfg || !st || !cfg->rate)
		return TC_ACT_UNSPEC;
	const __u64 rate = cfg->rate, mark_ns = cfg->mark_ns;

	int ecn = -1; /* not IP */
	__u16 proto = bpf_ntohs(skb->protocol);
	__u8 b[2];
	if ((proto == ETH_P_IPV6 || proto == ETH_P_IP) && !bpf_skb_load_bytes(skb, ETH_HLEN, b, 2))
		ecn = proto == ETH_P_IPV6 ? (b[1] >> 4) & ECN_MASK : b[1] & ECN_MASK;

	const __u64 segs = skb->gso_segs ? skb->gso_segs : 1;
	const __u64 now = bpf_ktime_get_ns();
	bool mark = false;
	bpf_spin_lock(&st->lock);
	if (st->free_ns < now)
		st->free_ns = now;
	const bool over = st->free_ns - now > mark_ns;
	st->free_ns += (__u64)skb->len * 1000000000ULL / rate;
	st->packets += segs;
	st->bytes += skb->len;
	if (ecn == 1 || ecn == 2) {
		st->ect += segs;
		if (over) {
			st->marked += segs;
			mark = true;
		}
	} else if (ecn == ECN_CE) {
		st->ce += segs;
	} else if (ecn == 0 && over) {
		st->not_ect_over += segs;
	}
	bpf_spin_unlock(&st->lock);

	if (mark)
		set_ce(skb, proto);
	return TC_ACT_UNSPEC;
}
