/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flowlets (docs/design.md §17): a flow of a set of several paths changes
 * path only after an idle gap longer than the paths' delay skew, so that its
 * packets never overtake each other. The path choice (classify.h) says where
 * a flow should go; this remembers where it went and holds it there while
 * it keeps sending, unless that path is down or no longer in its set.
 */
#ifndef SRV6S_BPF_FLOWLET_H
#define SRV6S_BPF_FLOWLET_H

#include "../maps.h"
#include "consts.h"

/* Whether path id is in the active half of set set_id. Out of line: asked
 * only when a busy flow's choice changed. */
static __noinline int srv6s_set_has(__u32 set_id, __u32 id)
{
	struct srv6s_path_set *set = bpf_map_lookup_elem(&srv6s_path_sets, &set_id);
	struct srv6s_path_set_gen *g;
	__u32 n;

	if (!set)
		return 0;
	g = &set->gen[set->active & 1];
	n = g->n_paths;
	for (__u32 i = 0; i < SRV6S_MAX_SET_PATHS; i++) {
		if (i >= n)
			break;
		if (g->paths[i] == id)
			return 1;
	}
	return 0;
}

/*
 * The path a flow with hash h of set set_id takes when its choice is
 * *path_id: the path it took last when its last packet is less than gap_us
 * ago and that path is still up and in the set (*path and *path_id
 * changed), else the choice, remembered. Returns 1 when it held the flow on
 * its last path.
 */
static __always_inline int srv6s_flowlet(__u32 h, __u32 set_id, __u32 gap_us, struct srv6s_path **path,
					 __u32 *path_id)
{
	__u32 slot = h & (SRV6S_MAX_FLOWLETS - 1);
	struct srv6s_flowlet *f = bpf_map_lookup_elem(&srv6s_flowlets, &slot);
	__u64 now = bpf_ktime_get_ns();
	__u32 last_path;
	__s64 idle;

	SRV6S_STATIC_ASSERT((SRV6S_MAX_FLOWLETS & (SRV6S_MAX_FLOWLETS - 1)) == 0,
			    "flowlet slots are indexed by hash bits");
	if (!f)
		return 0;
	if (SRV6S_READ_ONCE(f->hash) != h || !SRV6S_READ_ONCE(f->last_ns)) {
		/* Empty, or another flow's: this flow's from now on. */
		SRV6S_WRITE_ONCE(f->hash, h);
		SRV6S_WRITE_ONCE(f->path_id, *path_id);
		SRV6S_WRITE_ONCE(f->last_ns, now);
		return 0;
	}
	last_path = SRV6S_READ_ONCE(f->path_id);
	/* Signed: another CPU may just have written a later time. */
	idle = (__s64)(now - SRV6S_READ_ONCE(f->last_ns));
	SRV6S_WRITE_ONCE(f->last_ns, now);
	if (last_path == *path_id)
		return 0;
	if (idle < (__s64)gap_us * 1000) {
		struct srv6s_path *p = bpf_map_lookup_elem(&srv6s_paths, &last_path);

		if (p && (p->flags & (SRV6S_PATH_PRESENT | SRV6S_PATH_DOWN)) == SRV6S_PATH_PRESENT &&
		    srv6s_set_has(set_id, last_path)) {
			*path = p;
			*path_id = last_path;
			return 1;
		}
	}
	SRV6S_WRITE_ONCE(f->path_id, *path_id);
	return 0;
}

#endif
