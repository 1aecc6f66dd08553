/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * srv6steer path probes: the UDP payload a prober sends over a path and the
 * far host's receive side (bpf/srv6steer_decap.bpf.c) answers. docs/design.md
 * §15 describes the responder, §16 the prober and failover.
 *
 * A probe is an ordinary UDP datagram from a socket pinned to one path with
 * SRV6S_PIN_IGNORE_DOWN (abi.h), so the egress program encapsulates it
 * exactly as it encapsulates data on that path (a probe sees what data
 * sees), also while the path is marked down. It goes to the remote host's
 * address, UDP port srv6s_rx_config.probe_port (default SRV6S_PROBE_PORT),
 * inner IPv4 or IPv6 as the path's end takes. The remote host's receive
 * side answers it where it arrives, decapsulated by itself (a
 * host-terminated SID) or by its leaf: it turns the request into a reply
 * (addresses and ports swapped, type REPLY, the responder fields written,
 * UDP checksum updated) and sends it back out of the interface it came in
 * on (XDP_TX; the TC variant redirects), either as it is (plain routing
 * back) or, with SRV6S_PROBE_F_RETURN, encapsulated (reduced, no SRH)
 * towards the return container `ret`, which must lie in the responder's
 * srv6s_rx_config.ret_block. The prober's own socket receives the reply.
 *
 * Every multi-byte field is in network byte order (it is a packet).
 */
#ifndef SRV6STEER_PROBE_ABI_H
#define SRV6STEER_PROBE_ABI_H

#include "abi.h"

#define SRV6S_PROBE_PORT 6635
#define SRV6S_PROBE_MAGIC 0x53365052U /* "S6PR" */
#define SRV6S_PROBE_VERSION 1

enum srv6s_probe_type {
	SRV6S_PROBE_REQUEST = 1,
	SRV6S_PROBE_REPLY = 2,
};

enum srv6s_probe_flags {
	/* Request: encapsulate the reply towards `ret`. */
	SRV6S_PROBE_F_RETURN = 1U << 0,
	/* Reply: the request arrived encapsulated to one of the responder's
	 * own SIDs, and rx_* hold srv6s_rx_paths for (its outer source, its
	 * flow label's path id), summed over CPUs. */
	SRV6S_PROBE_F_RX_COUNTS = 1U << 1,
	/* Reply: it went back encapsulated towards `ret`. */
	SRV6S_PROBE_F_RETURNED = 1U << 2,
};

struct srv6s_probe {
	__be32 magic;          /* SRV6S_PROBE_MAGIC */
	__u8 version;          /* SRV6S_PROBE_VERSION */
	__u8 type;             /* enum srv6s_probe_type */
	__be16 flags;          /* enum srv6s_probe_flags */
	__be32 path_id;        /* the prober's path id */
	__be32 seq;            /* the prober's sequence number */
	__be64 sent_ns;        /* the prober's clock, echoed */
	__u8 ret[16];          /* return container (with SRV6S_PROBE_F_RETURN) */
	/* Written by the responder (zero in requests): */
	__be64 rx_packets;     /* packets it counted on this path */
	__be64 rx_ce_packets;  /* of which CE-marked */
};

SRV6S_STATIC_ASSERT(sizeof(struct srv6s_probe) == 56, "srv6s_probe layout");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_probe, ret) == 24, "srv6s_probe.ret offset");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_probe, rx_packets) == 40,
		    "srv6s_probe.rx_packets offset");

#endif /* SRV6STEER_PROBE_ABI_H */
