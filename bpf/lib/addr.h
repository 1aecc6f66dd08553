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

#endif
