/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * srv6steer receive-side ABI: the layouts shared by the decapsulation
 * programs (bpf/srv6steer_decap.bpf.c: XDP and TC ingress) and user space.
 * Conventions as in abi.h (addresses 16 raw bytes in network order, other
 * numbers host order). docs/design.md §13 describes the receive side.
 *
 * Maps (BTF-typed in bpf/decap_maps.h):
 *  srv6s_rx_config  ARRAY[1], RDONLY_PROG   0 -> struct srv6s_rx_config
 *  srv6s_local_sids LPM_TRIE, NO_PREALLOC   struct srv6s_prefix_key (outer
 *                   destination, prefixlen 128 on lookup) -> struct srv6s_local_sid
 *  srv6s_rx_reasons PERCPU_ARRAY[SRV6S_RX_R_MAX]  enum srv6s_rx_reason -> struct srv6s_counter
 *  srv6s_rx_path_slots PERCPU_ARRAY[SRV6S_RX_PATH_SLOTS]  slot -> struct srv6s_rx_path_slot
 *  srv6s_rx_paths   LRU_PERCPU_HASH         struct srv6s_rx_path_key -> struct srv6s_rx_path_stats
 */
#ifndef SRV6STEER_DECAP_ABI_H
#define SRV6STEER_DECAP_ABI_H

#include "abi.h"

/* ---- limits ------------------------------------------------------------ */

/* Local SIDs one host may terminate (LPM entries). */
#define SRV6S_MAX_LOCAL_SIDS 1024
/* Senders' paths counted at once; the least recently seen is evicted. */
#define SRV6S_DEFAULT_MAX_RX_PATHS (1U << 16)
/* The sender's path id is the low 12 bits of the outer flow label
 * (include/srv6steer/flowhash.h). */
#define SRV6S_RX_PATH_ID_MASK 0xfffU

/* ---- configuration (map srv6s_rx_config, one element) ------------------ */

enum srv6s_rx_config_flags {
	/* Decapsulation is on. Cleared (or no config written), every packet
	 * passes untouched (reason SRV6S_RX_DISABLED). */
	SRV6S_RX_CFG_ENABLED = 1U << 0,
	/* RFC 6040 §4.2: an outer CE over an inner Not-ECT packet is dropped
	 * (reason SRV6S_RX_ECN_DROP). Clear: decapsulated, inner unchanged.
	 * RFC 6040 mandates the drop: user space sets it by default. */
	SRV6S_RX_CFG_ECN_DROP_NOT_ECT = 1U << 1,
	/* Skip the per-path counters (srv6s_rx_paths). */
	SRV6S_RX_CFG_NO_PATH_STATS = 1U << 2,
	/* An outer destination whose first 8 bytes, masked by block_mask, are
	 * not block is not ours, without an LPM lookup: the host's ordinary
	 * IPv6 traffic then costs a compare, not a lookup. Set only while
	 * every local SID lies inside block/mask (e.g. fcbb:0:e002::/48). */
	SRV6S_RX_CFG_BLOCK = 1U << 3,
	/* Answer path probes (include/srv6steer/probe_abi.h): UDP requests to
	 * probe_port, whether they arrive decapsulated here or by the leaf. */
	SRV6S_RX_CFG_PROBES = 1U << 4,
};

/* What user space writes unless told otherwise. */
#define SRV6S_RX_CFG_DEFAULT (SRV6S_RX_CFG_ENABLED | SRV6S_RX_CFG_ECN_DROP_NOT_ECT)

struct srv6s_rx_config {
	__u32 flags;          /* enum srv6s_rx_config_flags */
	__u16 probe_port;     /* UDP port probes come to (host order; 0: SRV6S_PROBE_PORT) */
	__u16 pad;
	/* With SRV6S_RX_CFG_BLOCK: a prefix of up to 64 bits every local SID
	 * shares, e.g. fcbb:0:e002::/48 is block fc bb 00 00 e0 02 00 00 and
	 * block_mask ff ff ff ff ff ff 00 00 (block has no bit outside mask). */
	__u8 block[8];
	__u8 block_mask[8];
	/* Probe replies sent back encapsulated: outer source, and the prefix
	 * (first 8 bytes, masked) a request's return container must lie in;
	 * a request with a return container outside it is not answered
	 * (reason SRV6S_RX_PROBE_REFUSED). A zero ret_block_mask refuses every
	 * return container. */
	__u8 src[16];
	__u8 ret_block[8];
	__u8 ret_block_mask[8];
};

/* ---- local SIDs (map srv6s_local_sids) ---------------------------------- */

/*
 * Key: struct srv6s_prefix_key (abi.h): prefixlen bits of addr. A SID such as
 * fcbb:0:e002:fe06::/64 (uSID locator e002, function fe06) matches every
 * outer destination in it; the lookup key is the outer destination with
 * prefixlen 128, longest match wins.
 */
enum srv6s_sid_behavior {
	SRV6S_SID_UDT6 = 1,   /* End.DT6-like: inner IPv6 only */
	SRV6S_SID_UDT4 = 2,   /* End.DT4-like: inner IPv4 only */
	SRV6S_SID_UDT46 = 3,  /* End.DT46-like: either */
};

enum srv6s_sid_flags {
	/* No per-path counting for this SID (srv6s_rx_paths). */
	SRV6S_SID_NO_PATH_STATS = 1U << 0,
};

struct srv6s_local_sid {
	__u32 behavior;  /* enum srv6s_sid_behavior; anything else: not ours */
	__u32 flags;     /* enum srv6s_sid_flags */
};

/* ---- per-reason receive counters (map srv6s_rx_reasons) ----------------- */

/*
 * What happened to a received frame. Both programs count exactly one reason
 * per frame (packets, and bytes as the frame arrived, outer headers
 * included), per CPU. Everything but DECAPSULATED, ECN_DROP, WRITE_FAILED,
 * PROBE_ANSWERED (sent back) and PROBE_REFUSED (decapsulated if it arrived
 * encapsulated) leaves the frame byte-identical and passes it to the stack.
 */
enum srv6s_rx_reason {
	SRV6S_RX_DECAPSULATED = 0, /* outer IPv6 (+ SRH) stripped, ECN applied: passed */
	SRV6S_RX_DISABLED,         /* no config, or not enabled */
	SRV6S_RX_NOT_IPV6,         /* ethertype is not IPv6 (IPv4, ARP, VLAN-tagged, ...) */
	SRV6S_RX_NOT_OURS,         /* outer destination is no local SID */
	SRV6S_RX_NOT_ENCAP,        /* local SID, but no IPv4/IPv6 inside (e.g. ICMPv6 to the SID) */
	SRV6S_RX_EXT_HDR,          /* an extension header other than one SRH (hop-by-hop,
				    * destination options, fragment, AH, ESP, other
				    * routing types): not decapsulated here */
	SRV6S_RX_SEGMENTS_LEFT,    /* SRH with segments left > 0: not the last segment */
	SRV6S_RX_MISMATCH,         /* inner family not what the SID's behaviour takes */
	SRV6S_RX_TRUNCATED,        /* headers beyond the frame or the outer payload length */
	SRV6S_RX_BAD_HEADER,       /* outer version, payload length or SRH fields invalid */
	SRV6S_RX_BAD_INNER,        /* inner version does not match the next header, IHL < 5 */
	SRV6S_RX_ECN_DROP,         /* outer CE over inner Not-ECT: dropped (RFC 6040) */
	SRV6S_RX_ADJUST_FAILED,    /* the kernel refused to strip the headers */
	SRV6S_RX_WRITE_FAILED,     /* a header write failed after stripping: dropped */
	SRV6S_RX_PROBE_ANSWERED,   /* a probe request turned into a reply and sent back */
	SRV6S_RX_PROBE_REFUSED,    /* a probe request not answered (return container
				    * outside ret_block): passed, decapsulated first if
				    * it arrived to a local SID. A bad magic, version or
				    * type is no probe: the frame's reason is what it
				    * would be without probes. */
	SRV6S_RX_R_MAX,
};

/* ---- per-path receive counters (map srv6s_rx_paths) --------------------- */

/*
 * A sender's path as the receiver sees it: the outer source address (the
 * sending host) and the path id it put in the low 12 bits of the outer flow
 * label. Counted for every frame of ours that arrives (decapsulated or
 * ECN-dropped), unless the config or the SID says not to.
 */
struct srv6s_rx_path_key {
	__u8 src[16];   /* outer IPv6 source */
	__u32 path_id;  /* outer flow label & SRV6S_RX_PATH_ID_MASK */
};

struct srv6s_rx_path_stats {
	__u64 packets;
	__u64 bytes;       /* as the frame arrived, outer headers included */
	__u64 ce_packets;  /* outer ECN was CE (congestion experienced on the path) */
};

/*
 * The fast place of a sender path's counters (map srv6s_rx_path_slots): a
 * per-CPU table of SRV6S_RX_PATH_SLOTS slots, the slot chosen by a hash of
 * the key. On each CPU the first path to arrive on a free slot takes it for
 * good (key written, then used = 1); a path whose slot another holds is
 * counted in srv6s_rx_paths instead. A path's counters are therefore the
 * sum, over CPUs, of its slots (where used and the key is its own) and of
 * its srv6s_rx_paths entry: every reader adds both.
 */
#define SRV6S_RX_PATH_SLOTS 1024U

struct srv6s_rx_path_slot {
	struct srv6s_rx_path_key key;
	__u32 used;
	struct srv6s_rx_path_stats stats;
};

/* ---- layout checks ------------------------------------------------------ */

SRV6S_STATIC_ASSERT(sizeof(struct srv6s_rx_config) == 56, "srv6s_rx_config layout");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_rx_config, src) == 24, "srv6s_rx_config.src offset");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_rx_config, block) == 8, "srv6s_rx_config.block offset");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_local_sid) == 8, "srv6s_local_sid layout");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_rx_path_key) == 20, "srv6s_rx_path_key layout");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_rx_path_key, path_id) == 16,
		    "srv6s_rx_path_key.path_id offset");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_rx_path_stats) == 24, "srv6s_rx_path_stats layout");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_rx_path_slot) == 48, "srv6s_rx_path_slot layout");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_rx_path_slot, stats) == 24,
		    "srv6s_rx_path_slot.stats offset");
SRV6S_STATIC_ASSERT((SRV6S_RX_PATH_SLOTS & (SRV6S_RX_PATH_SLOTS - 1)) == 0, "slots: a power of two");
SRV6S_STATIC_ASSERT(SRV6S_RX_PATH_ID_MASK + 1 == SRV6S_MAX_PATHS,
		    "every path id fits the flow label's path bits");

#endif /* SRV6STEER_DECAP_ABI_H */
