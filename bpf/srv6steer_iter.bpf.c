// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * srv6steer's listings, as BPF iterators that user space loads when it asks
 * and closes right after (nothing of this object is pinned):
 *  - srv6s_iter_tcp and srv6s_iter_udp walk the TCP and UDP sockets of the
 *    caller's network namespace and write one struct srv6s_sock_record for
 *    each that has a pin in srv6s_socks (the attachment's pinned map, whose
 *    fd libbpf reuses): its cookie, current addresses and its pin.
 *    (An iterator over the storage map itself, iter/bpf_sk_storage_map,
 *    would visit only pinned sockets, but map-element iterators are refused
 *    with EPERM on the kernel this was built on.)
 *  - srv6s_iter_cgroups walks cgroups (one, or all from the root) and
 *    writes one struct srv6s_cgroup_record each: the id and the level below
 *    the root that bpf_skb_ancestor_cgroup_id counts, whatever cgroup
 *    namespace the caller is in.
 * Layouts: include/srv6steer/abi.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "srv6steer/abi.h"
#include "lib/addr.h"
#include "socks_map.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define SRV6S_AF_INET 2

/* The record of a full socket with a pin. */
static __always_inline void srv6s_write_sock(struct seq_file *seq, struct sock *sk,
					     const struct srv6s_pin *pin)
{
	struct srv6s_sock_record r = {};
	struct srv6s_flow_key *f = &r.flow;

	r.cookie = bpf_get_socket_cookie(sk);
	r.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	r.uid = BPF_CORE_READ(sk, sk_uid.val);
	f->proto = (__u8)BPF_CORE_READ(sk, sk_protocol);
	f->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	f->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (r.family == SRV6S_AF_INET) {
		srv6s_v4_mapped(f->src, BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr));
		srv6s_v4_mapped(f->dst, BPF_CORE_READ(sk, __sk_common.skc_daddr));
	} else {
		BPF_CORE_READ_INTO(&f->src, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&f->dst, sk, __sk_common.skc_v6_daddr);
	}
	__builtin_memcpy(&r.pin, pin, sizeof(r.pin));
	bpf_seq_write(seq, &r, sizeof(r));
}

SEC("iter/tcp")
int srv6s_iter_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct tcp_sock *tp;
	struct srv6s_pin *pin;

	if (!skc)
		return 0;
	tp = bpf_skc_to_tcp_sock(skc); /* NULL: time-wait and request sockets */
	if (!tp)
		return 0;
	pin = bpf_sk_storage_get(&srv6s_socks, tp, 0, 0);
	if (pin)
		srv6s_write_sock(ctx->meta->seq, (struct sock *)tp, pin);
	return 0;
}

SEC("iter/udp")
int srv6s_iter_udp(struct bpf_iter__udp *ctx)
{
	struct udp_sock *us = ctx->udp_sk;
	struct srv6s_pin *pin;

	if (!us)
		return 0;
	pin = bpf_sk_storage_get(&srv6s_socks, us, 0, 0);
	if (pin)
		srv6s_write_sock(ctx->meta->seq, (struct sock *)us, pin);
	return 0;
}

SEC("iter/cgroup")
int srv6s_iter_cgroups(struct bpf_iter__cgroup *ctx)
{
	struct cgroup *cg = ctx->cgroup;
	struct srv6s_cgroup_record r = {};

	if (!cg)
		return 0;
	r.id = BPF_CORE_READ(cg, kn, id);
	r.level = BPF_CORE_READ(cg, level);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
