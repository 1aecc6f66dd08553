/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Addresses as srv6steer keys them: IPv4 stored IPv4-mapped (::ffff:a.b.c.d),
 * so one 16-byte form serves both families (include/srv6steer/abi.h). */
#ifndef SRV6S_BPF_ADDR_H
#define SRV6S_BPF_ADDR_H

static __always_inline void srv6s_v4_mapped(__u8 out[16], __be32 addr)
{
	__u32 *w = (__u32 *)out;

	w[0] = 0;
	w[1] = 0;
	w[2] = bpf_htonl(0x0000ffff);
	w[3] = addr;
}

/* Copy one address as four 32-bit words. Paths are u8 arrays (alignment 1),
 * so memcpy from them goes byte by byte. Every address srv6steer copies is
 * 4-byte aligned: map values are 8-byte aligned, and the outer source (22),
 * destination (38) and SRH segments (62 + 16 i) are, counted from
 * NET_IP_ALIGN (2) as the verifier counts packet offsets when it checks
 * alignment. */
static __always_inline void srv6s_copy_addr(void *dst, const void *src)
{
	const __u32 *s = src;
	__u32 *d = dst;

	d[0] = s[0];
	d[1] = s[1];
	d[2] = s[2];
	d[3] = s[3];
}

#endif
