/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The shapes bench/sink.bpf.c counts packets by (its map's index), shared
 * with bench_stack, which checks them. */
#ifndef BENCH_SINK_H
#define BENCH_SINK_H

enum bench_shape {
	BENCH_SHAPE_UDP6,   /* IPv6 UDP, not encapsulated */
	BENCH_SHAPE_UDP4,   /* IPv4 UDP, not encapsulated */
	BENCH_SHAPE_ENCAP6, /* IPv6 UDP in outer IPv6 to the segment (next header 41) */
	BENCH_SHAPE_ENCAP4, /* IPv4 UDP in outer IPv6 to the segment (next header 4) */
	BENCH_SHAPE_OTHER,  /* anything else (neighbour discovery, MLD, ...) */
	BENCH_SHAPE_MAX,
};

#endif
