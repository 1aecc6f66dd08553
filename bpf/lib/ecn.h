/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ECN at decapsulation, RFC 6040 §4.2 (normal mode), and the incremental
 * IPv4 header checksum update of RFC 1624 for a changed TOS byte.
 *
 *   inner \ outer   Not-ECT   ECT(0)    ECT(1)    CE
 *   Not-ECT         Not-ECT   Not-ECT   Not-ECT   drop
 *   ECT(0)          ECT(0)    ECT(0)    ECT(1)    CE
 *   ECT(1)          ECT(1)    ECT(1)    ECT(1)    CE
 *   CE              CE        CE        CE        CE
 */
#ifndef SRV6S_BPF_ECN_H
#define SRV6S_BPF_ECN_H

#define SRV6S_ECN_NOT_ECT 0
#define SRV6S_ECN_ECT1 1
#define SRV6S_ECN_ECT0 2
#define SRV6S_ECN_CE 3
#define SRV6S_ECN_DROP (-1)

/* The inner ECN codepoint after decapsulation, or SRV6S_ECN_DROP. */
static __always_inline int srv6s_ecn_decap(__u8 outer, __u8 inner)
{
	if (outer == SRV6S_ECN_CE)
		return inner == SRV6S_ECN_NOT_ECT ? SRV6S_ECN_DROP : SRV6S_ECN_CE;
	if (outer == SRV6S_ECN_ECT1 && inner == SRV6S_ECN_ECT0)
		return SRV6S_ECN_ECT1;
	return inner;
}

/* ECN of an IPv6 header: the low 2 bits of the traffic class, which are
 * bits 5..4 of the header's second byte. */
static __always_inline __u8 srv6s_ipv6_ecn(const __u8 *ip6)
{
	return (ip6[1] >> 4) & 3;
}

static __always_inline void srv6s_ipv6_set_ecn(__u8 *ip6, __u8 ecn)
{
	ip6[1] = (ip6[1] & ~0x30) | (ecn << 4);
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), all 16-bit one's complement
 * (byte-order independent, so network-order words go in as they lie). */
static __always_inline __u16 srv6s_csum_replace16(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check + (__u32)(__u16)~old + new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Sets the ECN bits of an IPv4 header (its first 20 bytes must be
 * writable) and updates its checksum. */
static __always_inline void srv6s_ipv4_set_ecn(__u8 *ip4, __u8 ecn)
{
	__u16 *word = (__u16 *)ip4; /* version/IHL and TOS */
	__u16 *check = (__u16 *)(ip4 + 10);
	__u16 old = *word;

	ip4[1] = (ip4[1] & ~3) | ecn;
	*check = srv6s_csum_replace16(*check, old, *word);
}

#endif
