// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The baseline of bench_xdp_decap: an XDP program that does nothing at all
 * but return XDP_PASS, the verdict the decapsulation gives every frame it
 * lets go. Whatever BPF_PROG_TEST_RUN reports for it is the fixed cost every
 * XDP program pays; srv6steer's figure minus this one is what decapsulating
 * adds.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int bench_xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
