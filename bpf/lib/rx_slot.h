/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The slot of a sender path in srv6s_rx_path_slots (include/srv6steer/
 * decap_abi.h, struct srv6s_rx_path_slot): where it is, and whether a slot
 * holds it. Shared by the counting (decap_count.h) and the probe replies
 * that read the counts back (probe.h).
 */
#ifndef SRV6S_BPF_RX_SLOT_H
#define SRV6S_BPF_RX_SLOT_H

#include "srv6steer/decap_abi.h"

/* Read as 32-bit words: the key is 4-byte aligned wherever it lives. */
static __always_inline const __u32 *srv6s_rx_key_words(const struct srv6s_rx_path_key *k)
{
	return (const __u32 *)k;
}

/* Senders differ in the low words of their addresses and in path ids:
 * every word goes through a multiply, the index is the product's top bits. */
static __always_inline __u32 srv6s_rx_slot_index(const struct srv6s_rx_path_key *k)
{
	const __u32 *w = srv6s_rx_key_words(k);
	__u32 h = (w[0] ^ w[1]) * 0x9e3779b1U;

	h = (h ^ w[2]) * 0x85ebca6bU;
	h = (h ^ w[3]) * 0xc2b2ae35U;
	h = (h ^ w[4]) * 0x9e3779b1U;
	return (h >> 22) & (SRV6S_RX_PATH_SLOTS - 1);
}

static __always_inline bool srv6s_rx_slot_holds(const struct srv6s_rx_path_slot *s,
						const struct srv6s_rx_path_key *k)
{
	const __u32 *a = srv6s_rx_key_words(&s->key), *b = srv6s_rx_key_words(k);

	return s->used && !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4]));
}

#endif
