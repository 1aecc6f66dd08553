/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * From a parsed packet to a path: pin lookup (socket -> cgroup -> flow -> QP
 * -> prefix, most specific first), then one path of the pin's set by the
 * flow's stable hash, skipping paths that are down, then the fallback of the
 * path the hash chose (docs/design.md §2); a flow whose home path is
 * congested may move to a less congested one (§17).
 */
#ifndef SRV6S_BPF_CLASSIFY_H
#define SRV6S_BPF_CLASSIFY_H

#include "srv6steer/flowhash.h"
#include "../maps.h"
#include "parse.h"

/* The pin of the cgroup of the packet's socket, or of its deepest pinned
 * ancestor: only the levels config says have pins are asked, deepest first. */
static __always_inline struct srv6s_pin *srv6s_cgroup_pin(struct __sk_buff *skb,
							   const struct srv6s_config *cfg)
{
	__u64 levels = cfg->cgroup_levels;
	__u32 depth = cfg->cgroup_depth;

	for (__u32 i = 0; i < SRV6S_MAX_CGROUP_LEVELS; i++) {
		if (i >= depth)
			break;
		__u32 level = depth - 1 - i;

		if (!((levels >> level) & 1))
			continue;
		/* 0: the socket's cgroup is not that deep. */
		__u64 id = bpf_skb_ancestor_cgroup_id(skb, level);

		if (!id)
			continue;
		struct srv6s_pin *pin = bpf_map_lookup_elem(&srv6s_cgroups, &id);

		if (pin)
			return pin;
	}
	return NULL;
}

/* The flow pin table's slot mask (its slots - 1, a power of two - 1): set by
 * the loader before load (libsrv6steer/dataplane.cpp), a constant to the
 * verifier. */
const volatile __u32 srv6s_flow_mask = 2 * SRV6S_DEFAULT_MAX_FLOWS - 1;

static __always_inline int srv6s_key_eq(const struct srv6s_flow_key *a, const struct srv6s_flow_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4]));
}

/*
 * A slot's tag, read before its key and pin word: neither the compiler nor
 * the CPU may move their loads above it, or a key written for the slot's next
 * pin could be compared under the tag that publishes it while the key read was
 * the old one's. x86 keeps loads in order (a compiler barrier is enough);
 * weakly ordered CPUs (arm64) get a fully ordered atomic read. This BPF has no
 * load-acquire (clang and -mcpu=v3 here).
 */
static __always_inline __u32 srv6s_flow_tag_acquire(struct srv6s_flow_slot *s)
{
#if defined(__TARGET_ARCH_x86)
	__u32 tag = SRV6S_READ_ONCE(s->tag);

	barrier();
	return tag;
#else
	return __sync_fetch_and_add(&s->tag, 0);
#endif
}

/*
 * The slot of key's flow pin in srv6s_flows, or NULL: the walk of
 * include/srv6steer/abi.h (struct srv6s_flow_slot) from h = the key's flow
 * hash, ending at the first EMPTY slot. A slot is taken only when its tag
 * after the key compare (an atomic read, ordered after the key's loads) is
 * the tag read before it; *path_set is the pin word read in between. A slot
 * changing under the walk is a miss for this packet. key and the slots are
 * 8-byte aligned (words compared).
 */
static __always_inline struct srv6s_flow_slot *srv6s_flow_pin(const struct srv6s_flow_key *key, __u32 h,
							       __u32 *path_set)
{
	__u32 mask = srv6s_flow_mask, at = h, step = srv6s_flow_step(h);

	for (int i = 0; i < SRV6S_FLOW_PROBES; i++) {
		__u32 idx = at & mask;
		struct srv6s_flow_slot *s = bpf_map_lookup_elem(&srv6s_flows, &idx);
		__u32 tag, word;

		if (srv6s_unlikely(!s))
			return NULL;
		tag = srv6s_flow_tag_acquire(s);
		if ((tag & SRV6S_FLOW_STATE_MASK) == SRV6S_FLOW_EMPTY)
			return NULL;
		if ((tag & SRV6S_FLOW_STATE_MASK) == SRV6S_FLOW_LIVE && srv6s_key_eq(&s->key, key)) {
			word = SRV6S_READ_ONCE(s->path_set);
			if (srv6s_unlikely(__sync_fetch_and_add(&s->tag, 0) != tag))
				return NULL;
			*path_set = word;
			return s;
		}
		at += step;
	}
	return NULL;
}

/* What a packet's pin says: its path-set word, and its counters. */
struct srv6s_match {
	__u32 path_set;
	struct srv6s_counter *count;
};

static __always_inline int srv6s_pin_match(struct srv6s_pin *pin, struct srv6s_match *m)
{
	if (!pin)
		return 0;
	m->path_set = pin->path_set;
	m->count = (struct srv6s_counter *)&pin->packets;
	return 1;
}

/*
 * The pin for this packet in *m, or 0 when nothing matches. Socket and cgroup
 * pins need the sending socket (skb->sk: locally sent packets; forwarded
 * ones have none) and apply to fragments too: the socket is known even when
 * the ports are not. Fragments carry no ports: of the others they follow
 * prefix pins only. hash: the flow hash of pkt->key (the flow table's walk).
 */
static __always_inline int srv6s_find_pin(struct __sk_buff *skb, const struct srv6s_pkt *pkt,
					  const struct srv6s_config *cfg, __u32 hash, struct srv6s_match *m)
{
	__u32 cfg_flags = cfg->flags;

	if ((cfg_flags & (SRV6S_CFG_NO_SOCKETS | SRV6S_CFG_NO_CGROUPS)) !=
	    (SRV6S_CFG_NO_SOCKETS | SRV6S_CFG_NO_CGROUPS)) {
		struct bpf_sock *sk = skb->sk;

		if (sk) {
			/* The storage lookup takes the socket as it comes and
			 * finds nothing for one that is not full (request and
			 * time-wait sockets): no bpf_sk_fullsock call on the
			 * path of every socket pin. */
			if (!(cfg_flags & SRV6S_CFG_NO_SOCKETS) &&
			    srv6s_pin_match(bpf_sk_storage_get(&srv6s_socks, sk, 0, 0), m))
				return 1;
			if (!(cfg_flags & SRV6S_CFG_NO_CGROUPS) && bpf_sk_fullsock(sk) &&
			    srv6s_pin_match(srv6s_cgroup_pin(skb, cfg), m))
				return 1;
		}
	}

	if (!pkt->is_frag) {
		if (!(cfg_flags & SRV6S_CFG_NO_FLOWS)) {
			struct srv6s_flow_slot *slot = srv6s_flow_pin(&pkt->key, hash, &m->path_set);

			if (slot) {
				m->count = (struct srv6s_counter *)&slot->packets;
				return 1;
			}
		}
		if (pkt->has_qp && !(cfg_flags & SRV6S_CFG_NO_QPS)) {
			struct srv6s_qp_key qk = { .qp = pkt->qp };

			__builtin_memcpy(qk.dst, pkt->key.dst, 16);
			if (srv6s_pin_match(bpf_map_lookup_elem(&srv6s_qps, &qk), m))
				return 1;
		}
	}

	if (cfg_flags & SRV6S_CFG_NO_PREFIXES)
		return 0;

	struct srv6s_prefix_key pk = { .prefixlen = 128 };

	__builtin_memcpy(pk.addr, pkt->key.dst, 16);
	return srv6s_pin_match(bpf_map_lookup_elem(&srv6s_prefixes, &pk), m);
}

/*
 * srv6s_flow_hash(key), remembered per CPU for the last key: the packets of a
 * burst (sendmmsg, GSO, a TCP window) are one flow, and the hash is the
 * dearest part of steering a packet once its pin is found. The result is
 * the hash of key either way: an entry is used only when its key is key,
 * and it is never seen half written, since it is this CPU's and the runs
 * of the program on one CPU never overlap (TC egress runs with bottom
 * halves disabled, which on PREEMPT_RT is a per-CPU lock, and migration
 * disabled; the per-CPU counters rely on the same). key must be 8-byte
 * aligned (a stack slot; the verifier checks stack alignment).
 */
static __always_inline __u32 srv6s_memo_hash(const struct srv6s_flow_key *key)
{
	__u32 zero = 0;
	struct srv6s_hash_memo *m = bpf_map_lookup_elem(&srv6s_hash_memo, &zero);
	const __u64 *k = (const __u64 *)key;
	__u64 *mk;
	__u32 h;

	SRV6S_STATIC_ASSERT(sizeof(*key) == 5 * sizeof(__u64), "flow key of five words");
	if (!m)
		return srv6s_flow_hash(key);
	mk = (__u64 *)&m->key;
	if (m->valid && !((k[0] ^ mk[0]) | (k[1] ^ mk[1]) | (k[2] ^ mk[2]) | (k[3] ^ mk[3]) |
			  (k[4] ^ mk[4])))
		return m->hash;
	h = srv6s_flow_hash(key);
	for (int i = 0; i < 5; i++)
		mk[i] = k[i];
	m->hash = h;
	m->valid = 1;
	return h;
}

struct srv6s_probe {
	__u32 set_id;
	__u32 gen;
	__u32 hash;
	__u32 n;
	__u32 first; /* the first draw to try */
	__u32 found_id;
	__u32 below; /* nonzero: take only paths less congested than this */
	int found;
	int missing;
};

/*
 * bpf_loop callback for the slow path: iteration i is draw first + i while
 * that is below n (the flow's independent draws), later ones scan the set in
 * order. Verified once, however many paths a set has.
 */
static long srv6s_probe_cb(__u64 i, struct srv6s_probe *pr)
{
	struct srv6s_path_set *set = bpf_map_lookup_elem(&srv6s_path_sets, &pr->set_id);
	struct srv6s_path_set_gen *g;
	struct srv6s_path *p;
	__u32 n = pr->n, a = (__u32)i + pr->first, idx, id;

	if (!set || n == 0 || n > SRV6S_MAX_SET_PATHS)
		return 1;
	g = &set->gen[pr->gen & 1];
	idx = a < n ? srv6s_path_choice(pr->hash, a, n) : a - n;
	barrier_var(idx);
	if (idx >= SRV6S_MAX_SET_PATHS)
		return 1;
	id = g->paths[idx];
	p = bpf_map_lookup_elem(&srv6s_paths, &id);
	if (!p || !(p->flags & SRV6S_PATH_PRESENT)) {
		pr->missing = 1;
		return 0;
	}
	if (p->flags & SRV6S_PATH_DOWN)
		return 0;
	if (pr->below && p->congestion >= pr->below)
		return 0;
	pr->found_id = id;
	pr->found = 1;
	return 1;
}

/*
 * The first path of set set_id that is up (and, with below nonzero, less
 * congested than below), trying the flow's draws from `first` on, then the
 * set in order. 0 with *id set, or -reason.
 */
static __always_inline int srv6s_search_set(__u32 set_id, __u32 h, __u32 first, __u32 below,
					    __u32 *id)
{
	struct srv6s_path_set *set = bpf_map_lookup_elem(&srv6s_path_sets, &set_id);
	struct srv6s_probe pr = { .set_id = set_id, .hash = h, .first = first, .below = below };
	__u32 n;

	if (!set)
		return -SRV6S_R_NO_PATH_SET;
	pr.gen = set->active & 1;
	n = set->gen[pr.gen].n_paths;
	if (n == 0)
		return -SRV6S_R_NO_PATH_SET;
	if (n > SRV6S_MAX_SET_PATHS)
		return -SRV6S_R_BAD_PATH;
	pr.n = n;
	bpf_loop(2 * n - first, srv6s_probe_cb, &pr, 0);
	if (pr.found) {
		*id = pr.found_id;
		return 0;
	}
	return pr.missing ? -SRV6S_R_NO_PATH : -SRV6S_R_ALL_PATHS_DOWN;
}

/*
 * The slow path, out of line: the flow's home path in set set_id is down or
 * missing. Its other draws, then the set in order; when none is up, the
 * fallback of the home path (1 + a set slot, 0: none) searched from draw 0,
 * one level only. Returns 0 (a path of the set) or SRV6S_R_FELL_BACK with *id
 * set, or the set's -reason (a fallback that is missing or all down too
 * changes nothing: plain routing).
 */
static __noinline int srv6s_choose_other(__u32 set_id, __u32 h, __u32 fallback, __u32 *id)
{
	int ret = srv6s_search_set(set_id, h, 1, 0, id);

	if (ret == 0 || fallback == 0 || fallback > SRV6S_MAX_PATH_SETS)
		return ret;
	if (srv6s_search_set(fallback - 1, h, 0, 0, id) == 0)
		return SRV6S_R_FELL_BACK;
	return ret;
}

/*
 * Out of line as well: the flow's home path is up but congested to `level`
 * and the flow's rank says it moves. Its other draws, then the set in order,
 * for a path that is up and less congested; 0 with *id set, or -reason when
 * there is none (the flow stays home).
 */
static __noinline int srv6s_avoid_congestion(__u32 set_id, __u32 h, __u32 level, __u32 *id)
{
	return srv6s_search_set(set_id, h, 1, level, id);
}

/*
 * Choose a path for a flow with hash h among the set the pin word names
 * (pin->path_set: a slot | enum srv6s_pin_set_flags). The flow's home path
 * (draw 0) is used when up; otherwise further independent draws, then a
 * scan, so a down path's flows spread over the others and nobody else moves;
 * then the home path's fallback. A home path that is up but congested keeps
 * the flow unless the flow's congestion rank is below the path's level; a
 * flow that moves takes the first of its other draws that is up and less
 * congested (none: it stays). With SRV6S_PIN_IGNORE_DOWN the home path is
 * used, down or congested or not, and nothing else. Returns 0 (on the set)
 * or SRV6S_R_FELL_BACK with *path, *path_id and *n_paths (the set's size)
 * set, or -reason.
 */
static __always_inline int srv6s_choose_path(__u32 pin_set, __u32 h, struct srv6s_path **path,
					     __u32 *path_id, __u32 *n_paths)
{
	__u32 set_id = pin_set & SRV6S_PIN_SET_MASK;
	struct srv6s_path_set *set = bpf_map_lookup_elem(&srv6s_path_sets, &set_id);
	struct srv6s_path_set_gen *g;
	struct srv6s_path *p;
	__u32 n, idx, id, fallback = 0;
	int ret;

	if (!set)
		return -SRV6S_R_NO_PATH_SET;
	g = &set->gen[set->active & 1];
	n = g->n_paths;
	if (n == 0)
		return -SRV6S_R_NO_PATH_SET;
	if (n > SRV6S_MAX_SET_PATHS)
		return -SRV6S_R_BAD_PATH;
	*n_paths = n;

	/* Fast path: the home path is up. The compiler knows idx < n <= 16
	 * and would drop the mask the verifier needs: hide idx from it. A set
	 * of one path (every pin to a single path) has one choice: skip the
	 * mix and the division, whose result is 0 then. */
	idx = n == 1 ? 0 : srv6s_path_choice(h, 0, n);
	barrier_var(idx);
	id = g->paths[idx & (SRV6S_MAX_SET_PATHS - 1)];
	p = bpf_map_lookup_elem(&srv6s_paths, &id);
	if (srv6s_likely(p && (p->flags & (SRV6S_PATH_PRESENT | SRV6S_PATH_DOWN)) == SRV6S_PATH_PRESENT)) {
		__u32 level = p->congestion, other;

		if (srv6s_unlikely(level) && n > 1 && srv6s_congestion_rank(h) < level &&
		    !(pin_set & SRV6S_PIN_IGNORE_DOWN) &&
		    srv6s_avoid_congestion(set_id, h, level, &other) == 0) {
			struct srv6s_path *q = bpf_map_lookup_elem(&srv6s_paths, &other);

			if (q && (q->flags & SRV6S_PATH_PRESENT)) {
				*path = q;
				*path_id = other;
				return 0;
			}
		}
		*path = p;
		*path_id = id;
		return 0;
	}

	if (p && (p->flags & SRV6S_PATH_PRESENT)) {
		if (pin_set & SRV6S_PIN_IGNORE_DOWN) {
			*path = p;
			*path_id = id;
			return 0;
		}
		fallback = p->fallback;
	} else if (pin_set & SRV6S_PIN_IGNORE_DOWN) {
		return -SRV6S_R_NO_PATH;
	}

	ret = srv6s_choose_other(set_id, h, fallback, &id);
	if (ret < 0)
		return ret;
	p = bpf_map_lookup_elem(&srv6s_paths, &id);
	if (!p || !(p->flags & SRV6S_PATH_PRESENT))
		return -SRV6S_R_NO_PATH;
	*path = p;
	*path_id = id;
	return ret;
}

#endif
