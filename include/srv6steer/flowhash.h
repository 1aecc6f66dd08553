/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The stable hash of a flow, shared by the data plane and user space.
 *
 * It decides two things: which path of a path set a flow takes, and part of
 * the outer IPv6 flow label (RFC 6437 entropy for the fabric's ECMP). It depends
 * on the 5-tuple only (not on skb->hash, which TCP changes when it rehashes),
 * so a flow keeps its path and label for its whole life, and user space can
 * predict both.
 *
 * MurmurHash3 (x86_32) over the ten 32-bit words of struct srv6s_flow_key.
 */
#ifndef SRV6STEER_FLOWHASH_H
#define SRV6STEER_FLOWHASH_H

#include "abi.h"

/* Overridable only to prove that tests notice (testing/flowhash_reference.hpp
 * keeps its own literal seed). */
#ifndef SRV6S_HASH_SEED
#define SRV6S_HASH_SEED 0x5256365fU /* "SRV6_" */
#endif
#define SRV6S_FLOW_LABEL_MASK 0xfffffU
/* Low bits of the label that carry the path id (SRV6S_MAX_PATHS = 2^12). */
#define SRV6S_FLOW_LABEL_PATH_BITS 12

static inline __u32 srv6s_rotl32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static inline __u32 srv6s_fmix32(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

static inline __u32 srv6s_mix_word(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51U;
	k = srv6s_rotl32(k, 15);
	k *= 0x1b873593U;
	h ^= k;
	h = srv6s_rotl32(h, 13);
	return h * 5 + 0xe6546b64U;
}

static inline __u32 srv6s_flow_hash(const struct srv6s_flow_key *key)
{
	const __u8 *p = (const __u8 *)key;
	__u32 h = SRV6S_HASH_SEED;
	__u32 w;

	for (int i = 0; i < (int)sizeof(*key); i += 4) {
		__builtin_memcpy(&w, p + i, 4);
		h = srv6s_mix_word(h, w);
	}
	return srv6s_fmix32(h ^ (__u32)sizeof(*key));
}

/*
 * The stride of a flow's walk through the flow pin table (struct
 * srv6s_flow_slot): odd, so that the walk visits distinct slots of a table
 * of 2^k, and from bits of the hash the start (its low bits) does not use,
 * so that flows starting at one slot walk on apart (double hashing).
 */
static inline __u32 srv6s_flow_step(__u32 hash)
{
	return srv6s_fmix32(hash ^ 0x9e3779b9U) | 1U;
}

/*
 * Outer flow label of a flow sent on path path_id, 20 bits:
 *   bits  0..11  the sender's path id, so that the receiver can count per
 *                sender path: (outer source, label & 0xfff), the key of
 *                srv6s_rx_paths (include/srv6steer/decap_abi.h);
 *   bits 12..19  the low 8 bits of the flow hash, 1 where those are 0: per
 *                flow entropy for ECMP, and the label is never 0 (0 means
 *                "no label").
 */
static inline __u32 srv6s_flow_label(__u32 hash, __u32 path_id)
{
	__u32 h = hash & 0xffU;

	return ((h ? h : 1U) << SRV6S_FLOW_LABEL_PATH_BITS) |
	       (path_id & ((1U << SRV6S_FLOW_LABEL_PATH_BITS) - 1));
}

/*
 * Candidate index of the attempt-th choice of a flow in a set of n paths.
 * Attempt 0 is the flow's home path; later attempts are fresh, independent
 * draws, so the flows of a down path spread over all the others while flows
 * on up paths never move.
 */
static inline __u32 srv6s_path_choice(__u32 hash, __u32 attempt, __u32 n)
{
	return srv6s_fmix32(hash + attempt * 0x9e3779b9U) % n;
}

/*
 * A flow's congestion rank, 0 .. SRV6S_CONGESTION_LEVELS - 1: the top four
 * bits of its hash (the path draws mix the whole hash first, so the rank is
 * independent of the home path). A flow moves off its congested home path
 * when its rank is below the path's level (abi.h srv6s_path.congestion):
 * raising the level by one moves one more sixteenth of the flows, always
 * the same ones.
 */
static inline __u32 srv6s_congestion_rank(__u32 hash)
{
	return hash >> 28;
}

#endif /* SRV6STEER_FLOWHASH_H */
