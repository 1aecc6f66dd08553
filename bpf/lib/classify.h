/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * From a parsed packet to a path: pin lookup (flow -> QP -> prefix, most
 * specific first), then one path of the pin's set by the flow's stable hash,
 * skipping paths that are down.
 */
#ifndef SRV6S_BPF_CLASSIFY_H
#define SRV6S_BPF_CLASSIFY_H

#include "srv6steer/flowhash.h"
#include "../maps.h"
#include "parse.h"

/* The pin for this packet, or NULL when nothing matches. */
static __always_inline struct srv6s_pin *srv6s_find_pin(const struct srv6s_pkt *pkt)
{
	struct srv6s_pin *pin;

	/* Fragments carry no ports: they follow prefix pins only. */
	if (!pkt->is_frag) {
		pin = bpf_map_lookup_elem(&srv6s_flows, &pkt->key);
		if (pin)
			return pin;
		if (pkt->has_qp) {
			struct srv6s_qp_key qk = { .qp = pkt->qp };

			__builtin_memcpy(qk.dst, pkt->key.dst, 16);
			pin = bpf_map_lookup_elem(&srv6s_qps, &qk);
			if (pin)
				return pin;
		}
	}

	struct srv6s_prefix_key pk = { .prefixlen = 128 };

	__builtin_memcpy(pk.addr, pkt->key.dst, 16);
	return bpf_map_lookup_elem(&srv6s_prefixes, &pk);
}

/* Is path id usable? Sets *path when it is. */
static __always_inline int srv6s_path_usable(__u32 id, struct srv6s_path **path, int *missing)
{
	struct srv6s_path *p = bpf_map_lookup_elem(&srv6s_paths, &id);

	if (!p) {
		*missing = 1;
		return 0;
	}
	if (p->flags & SRV6S_PATH_DOWN)
		return 0;
	*path = p;
	return 1;
}

/*
 * Choose a path of set set_id for a flow with hash h. The flow's home path
 * (attempt 0) is used when up; otherwise further independent draws, then a
 * scan, so a down path's flows spread over the others and nobody else moves.
 * Returns 0 with *path and *path_id set, or -reason.
 */
static __always_inline int srv6s_choose_path(__u32 set_id, __u32 h, struct srv6s_path **path,
					     __u32 *path_id)
{
	struct srv6s_path_set *set = bpf_map_lookup_elem(&srv6s_path_sets, &set_id);
	int missing = 0;
	__u32 n, idx, id;

	if (!set || set->n_paths == 0)
		return -SRV6S_R_NO_PATH_SET;
	n = set->n_paths;
	if (n > SRV6S_MAX_SET_PATHS)
		return -SRV6S_R_BAD_PATH;

	for (__u32 attempt = 0; attempt < SRV6S_MAX_SET_PATHS; attempt++) {
		if (attempt >= n)
			break;
		idx = srv6s_path_choice(h, attempt, n) & (SRV6S_MAX_SET_PATHS - 1);
		id = set->paths[idx];
		if (srv6s_path_usable(id, path, &missing)) {
			*path_id = id;
			return 0;
		}
	}
	for (__u32 i = 0; i < SRV6S_MAX_SET_PATHS; i++) {
		if (i >= n)
			break;
		id = set->paths[i];
		if (srv6s_path_usable(id, path, &missing)) {
			*path_id = id;
			return 0;
		}
	}
	return missing ? -SRV6S_R_NO_PATH : -SRV6S_R_ALL_PATHS_DOWN;
}

#endif
