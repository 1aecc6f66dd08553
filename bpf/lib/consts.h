/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Protocol numbers and header constants vmlinux.h does not carry (they are
 * #defines in the uapi headers, not BTF types). */
#ifndef SRV6S_BPF_CONSTS_H
#define SRV6S_BPF_CONSTS_H

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

#define IPPROTO_HOPOPTS 0
#define IPPROTO_IPIP 4
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_IPV6 41
#define IPPROTO_ROUTING 43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_AH 51
#define IPPROTO_NONE 59
#define IPPROTO_DSTOPTS 60

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

#define SRV6S_DEFAULT_HOP_LIMIT 64

/* Branch hints: the rare branches go out of line, the common path stays straight. */
#define srv6s_likely(x) __builtin_expect(!!(x), 1)
#define srv6s_unlikely(x) __builtin_expect(!!(x), 0)

/* One load or store the compiler neither tears nor repeats (libbpf 1.1's
 * bpf_helpers.h has no READ_ONCE). */
#define SRV6S_READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define SRV6S_WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#endif
