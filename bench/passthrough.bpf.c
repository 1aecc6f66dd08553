// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The baseline of bench_tc_encap: a TC program that does nothing at all.
 * It returns TC_ACT_UNSPEC (-1, TCX_NEXT), the verdict srv6steer gives every
 * packet it lets go, and touches neither the packet nor any map. Whatever
 * BPF_PROG_TEST_RUN reports for it is the fixed cost every TC program pays
 * (entry, the kernel's own timer reads, exit); srv6steer's figure minus this
 * one is what steering adds.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int bench_passthrough(struct __sk_buff *skb)
{
	return -1; /* TC_ACT_UNSPEC */
}
