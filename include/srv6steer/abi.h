/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * srv6steer ABI: every key, value, statistic and reason code shared by the
 * BPF programs and user space. This is the only place the layouts are
 * written down; both sides include it, and the static asserts at the end
 * keep it honest.
 *
 * Conventions
 *  - Addresses are 16 raw bytes in network order. IPv4 addresses are stored
 *    IPv4-mapped (::ffff:a.b.c.d), so one key type serves both families.
 *  - Ports and queue pair numbers are in host order (readable in
 *    `bpftool map dump`).
 *  - Ids (path, path set) are small integers chosen by user space that
 *    index arrays (paths, path sets, per-path statistics): below
 *    SRV6S_MAX_PATHS and SRV6S_MAX_PATH_SETS.
 *  - Paths and path sets live in arrays (lookups the verifier inlines), so
 *    a published slot is never rewritten while anything points at it:
 *    write a free slot, then repoint (a hash element update is atomic for
 *    readers, an array rewrite is not). Exceptions, each changing single
 *    bytes while every other byte is rewritten unchanged: the DOWN bit and
 *    the congestion level of a path (a reader may see one of the two new),
 *    and the `active` half of a double-buffered path set.
 */
#ifndef SRV6STEER_ABI_H
#define SRV6STEER_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#ifdef __cplusplus
#define SRV6S_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define SRV6S_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/* ---- limits ------------------------------------------------------------ */

/* Segments an SRH can carry (containers 2..n in reduced mode, 1..n in full). */
#define SRV6S_MAX_SRH_SEGS 8
/* Paths one path set can choose from. */
#define SRV6S_MAX_SET_PATHS 16
/* Path ids are 0 .. SRV6S_MAX_PATHS-1 (they index srv6s_path_stats). */
#define SRV6S_MAX_PATHS 4096
/* Congestion levels of a path (srv6s_path.congestion): the share of its
 * flows moved away, in sixteenths. */
#define SRV6S_CONGESTION_LEVELS 16
/* Slots of the flowlet table (a power of two: indexed by hash bits). */
#define SRV6S_MAX_FLOWLETS (1U << 16)
/* IPv6 extension headers walked before giving up on a packet. */
#define SRV6S_MAX_EXT_HDRS 8

/* Default sizes of the pin maps (the loader may resize before load). Flow
 * pins live in a table of twice as many slots (struct srv6s_flow_slot),
 * a power of two; a limit that is not one is rounded up to one. */
#define SRV6S_DEFAULT_MAX_FLOWS (1U << 18)
/* Slots a flow pin lookup visits at most (struct srv6s_flow_slot). */
#define SRV6S_FLOW_PROBES 32
#define SRV6S_DEFAULT_MAX_QPS (1U << 16)
#define SRV6S_DEFAULT_MAX_PREFIXES (1U << 14)
#define SRV6S_DEFAULT_MAX_CGROUPS (1U << 12)
/* Socket pins srv6steer keeps track of per interface (srv6s_sock_index). The
 * pins themselves live in the sockets' storage, which has no size. */
#define SRV6S_MAX_SOCKETS (1U << 18)
/* Cgroup levels the data plane looks at: 0 (the root) .. 63. */
#define SRV6S_MAX_CGROUP_LEVELS 64
/* Route MTUs srv6steer may manage (one per steered destination). */
#define SRV6S_MAX_ROUTES 65536
/* Path-set slots: user sets, then one single-path set per path. */
#define SRV6S_MAX_PATH_SETS (2 * SRV6S_MAX_PATHS)

/* RoCEv2: UDP destination port and the InfiniBand Base Transport Header. */
#define SRV6S_ROCEV2_PORT 4791
#define SRV6S_BTH_LEN 12
#define SRV6S_QP_MASK 0x00ffffffU

/* Sizes of what we push. */
#define SRV6S_IPV6_HLEN 40
#define SRV6S_SRH_FIXED_LEN 8
#define SRV6S_SEG_LEN 16
#define SRV6S_SRH_TYPE 4

/* ---- configuration (map srv6s_config, one element) --------------------- */

enum srv6s_config_flags {
	/* Steering is on. Cleared, every packet passes untouched (reason DISABLED). */
	SRV6S_CFG_ENABLED = 1U << 0,
	/* Keep gso_size when growing GSO packets (BPF_F_ADJ_ROOM_FIXED_GSO):
	 * full-size segments, but the route MTU towards steered destinations
	 * must leave room for the encapsulation. Without it the kernel shrinks
	 * gso_size by the encapsulation, so GSO packets always fit. */
	SRV6S_CFG_FIXED_GSO = 1U << 1,
	/* Drop packets that would exceed the MTU once encapsulated, instead of
	 * passing them unencapsulated (on the default route). Both are counted. */
	SRV6S_CFG_DROP_OVERSIZE = 1U << 2,
	/* User space knows a pin map is empty: skip its lookup. Set only while
	 * the map is empty (clear before adding the first pin), so a stale bit
	 * can never hide a pin; a clear bit only costs a lookup. */
	SRV6S_CFG_NO_FLOWS = 1U << 3,
	SRV6S_CFG_NO_QPS = 1U << 4,
	SRV6S_CFG_NO_PREFIXES = 1U << 5,
	SRV6S_CFG_NO_SOCKETS = 1U << 6,
	SRV6S_CFG_NO_CGROUPS = 1U << 7,
};

struct srv6s_config {
	__u8 src[16];     /* outer IPv6 source (the host's SRv6 source address) */
	__u32 flags;      /* enum srv6s_config_flags */
	__u32 mtu;        /* L3 MTU to check against; 0: ask the egress device
			   * (bpf_check_mtu, ~25 ns a packet: loaders set it) */
	__u8 hop_limit;   /* outer hop limit; 0 means 64 */
	/* Cgroup pins: 1 + the deepest level that has one (0: none), and bit n
	 * of cgroup_levels set when a pin is on a cgroup of level n (0: the
	 * root). The data plane asks only those levels, deepest first, so a
	 * socket's deepest pinned ancestor wins. User space keeps both a
	 * superset of the truth (bits added before a pin is written, cleared
	 * after it is removed), so a torn read can cost a lookup but never
	 * hide a pin. */
	__u8 cgroup_depth;
	__u8 pad[2];
	/* Flowlets: a flow of a set of several paths changes path only after
	 * it was idle this many microseconds (longer than the paths' delay
	 * skew), so that nothing it sends is reordered; a path down moves it at
	 * once. 0: off (a flow follows its choice packet by packet). The data
	 * plane remembers each such flow's path and last packet
	 * (srv6s_flowlets, bpf/maps.h). */
	__u32 flowlet_gap_us;
	__u64 cgroup_levels;
};

/* ---- paths and path sets ---------------------------------------------- */

enum srv6s_path_flags {
	SRV6S_PATH_DOWN = 1U << 0,    /* skipped by path-set selection */
	SRV6S_PATH_PRESENT = 1U << 1, /* the slot holds a path */
};

/*
 * A path is the encapsulation to push, precomputed by user space:
 *  outer IPv6 destination, and the SRH segment list in wire order
 *  (segs[0] is the last segment of the path). n_segs == 0 means the
 *  reduced encapsulation with no SRH at all (one uSID container).
 *  H.Encaps.Red with n containers: dst = C1, segs = Cn..C2, n_segs = n-1,
 *  segments_left = n-1. Full H.Encaps: segs = Cn..C1, n_segs = n,
 *  segments_left = n-1. last_entry is always n_segs - 1.
 */
struct srv6s_path {
	__u8 dst[16];        /* outer destination address (first container) */
	__u8 flags;          /* enum srv6s_path_flags */
	__u8 n_segs;         /* SRH segments, 0 .. SRV6S_MAX_SRH_SEGS */
	__u8 segments_left;  /* SRH segments left */
	/* How congested the far ends say the path is, 0 .. SRV6S_CONGESTION_LEVELS
	 * (written by the prober from the CE marks the receivers count, one byte
	 * like the DOWN bit): a flow whose hash chose this path moves to another
	 * path of its set that is up and less congested when its congestion
	 * rank (srv6s_congestion_rank, flowhash.h) is below this; level L moves
	 * L/16 of the path's flows, SRV6S_CONGESTION_LEVELS all of them. */
	__u8 congestion;
	/* Where the path's flows go when every path of the set their pin names
	 * is down: 1 + a path-set slot (a user set, or SRV6S_MAX_PATH_SETS/2 + a
	 * path id for one path), 0 for none (plain routing). Read from the path
	 * the flow's hash chose first; one level only: the fallback's own
	 * fallbacks are not followed, and a fallback that is all down too means
	 * plain routing (reason ALL_PATHS_DOWN). */
	__u32 fallback;
	__u8 segs[SRV6S_MAX_SRH_SEGS][16];
};

/* Bytes a path adds in front of the inner packet: the outer IPv6 header,
 * plus an SRH (8 bytes + 16 per segment) when the path has one. The data
 * plane grows packets by this much; user space sizes route MTUs by it. */
static inline __u32 srv6s_encap_len_segs(__u32 n_segs)
{
	return SRV6S_IPV6_HLEN + (n_segs ? SRV6S_SRH_FIXED_LEN + SRV6S_SEG_LEN * n_segs : 0);
}

static inline __u32 srv6s_encap_len(const struct srv6s_path *path)
{
	return srv6s_encap_len_segs(path->n_segs);
}

/* One version of a path set: the paths a pin spreads its flows over (by a
 * stable hash of the 5-tuple). n_paths == 0: no set. */
struct srv6s_path_set_gen {
	__u32 n_paths;                       /* 1 .. SRV6S_MAX_SET_PATHS */
	__u32 paths[SRV6S_MAX_SET_PATHS];    /* path ids */
};

/*
 * A path set, double-buffered so that changing a set that pins point at
 * never tears: user space writes the new version into the inactive half
 * (the active half is rewritten with identical bytes), then flips `active`
 * in a second update (one byte changes). Readers read `active`, then that
 * half only.
 */
struct srv6s_path_set {
	__u32 active;                        /* 0 or 1: which gen readers use */
	struct srv6s_path_set_gen gen[2];
};

/* ---- pins: flows, RDMA queue pairs, prefixes -------------------------- */

/* A classified packet; also the key of srv6s_flows. */
struct srv6s_flow_key {
	__u8 src[16];
	__u8 dst[16];
	__u16 sport;   /* host order; 0 for protocols without ports */
	__u16 dport;   /* host order */
	__u8 proto;    /* IPPROTO_TCP, IPPROTO_UDP, ... */
	__u8 pad[3];
};

/* Destination address + RoCEv2 destination queue pair (24 bits). */
struct srv6s_qp_key {
	__u8 dst[16];
	__u32 qp;      /* host order, 0 .. 0xffffff */
};

/* LPM trie key: prefixlen counts bits of addr (IPv4: 96 + IPv4 length). */
struct srv6s_prefix_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Bits of srv6s_pin.path_set above the slot. */
enum srv6s_pin_set_flags {
	/* Choose among the set's paths by hash as if none were down, and never
	 * fall back: a probe pinned to one path keeps probing it while it is
	 * down (include/srv6steer/probe_abi.h). */
	SRV6S_PIN_IGNORE_DOWN = 1U << 31,
};
#define SRV6S_PIN_SET_MASK 0xffffU

/* The value of every pin: which path set, who made it, what it carried. */
struct srv6s_pin {
	__u32 path_set;     /* slot in srv6s_path_sets | enum srv6s_pin_set_flags */
	__u32 owner_pid;    /* process that made the pin, 0 if none */
	__u64 owner_cgroup; /* its cgroup id, 0 if none */
	__u64 created_ns;   /* CLOCK_REALTIME when pinned */
	__u64 packets;      /* steered by this pin (updated by the data plane) */
	__u64 bytes;        /* bytes before encapsulation */
};

/*
 * Flow pins: an open-addressed table of slots (map srv6s_flows, an mmapable
 * array of 2^k slots, at most half of them live), one cache line each, so a
 * lookup of a flow among many reads one random line where a kernel hash map
 * reads a bucket and an element (docs/design.md §2.10). The key of a flow
 * with hash h (srv6s_flow_hash) is in one of the slots
 *   (h + i * srv6s_flow_step(h)) & mask,  i = 0 .. SRV6S_FLOW_PROBES - 1,
 * before the first EMPTY one: lookups pass DELETED slots, inserts reuse them.
 *
 * One writer at a time (user space, under the state lock) writes through
 * the map's mmap; the data plane only adds to the counters. `tag` is a
 * slot's state (low two bits) and a generation that changes with every state
 * change. A slot is filled by writing key, path_set and counters, then the
 * tag (LIVE); emptied by writing the tag (DELETED); a re-pin writes path_set
 * alone (one aligned word) and never the counters. A reader takes a pin only
 * when the tag it read before comparing the key is the tag after (read with
 * an atomic, ordered after the key's bytes): a slot refilled under it is
 * never taken for a flow whose key is half the old and half the new.
 */
enum srv6s_flow_state {
	SRV6S_FLOW_EMPTY = 0,   /* never used since the last sweep: a lookup ends */
	SRV6S_FLOW_LIVE = 1,
	SRV6S_FLOW_DELETED = 2, /* a lookup goes on past it */
};
#define SRV6S_FLOW_STATE_MASK 3U
#define SRV6S_FLOW_GEN_ONE 4U /* one generation, above the state bits */

struct srv6s_flow_slot {
	__u32 tag;      /* enum srv6s_flow_state | generation */
	__u32 path_set; /* as srv6s_pin.path_set */
	struct srv6s_flow_key key;
	__u64 packets;  /* steered by this pin (updated by the data plane) */
	__u64 bytes;    /* bytes before encapsulation */
};

/* The rest of a flow pin, by slot index (map srv6s_flow_owners, user space
 * only): who made it and when, as in srv6s_pin. */
struct srv6s_flow_owner {
	__u32 owner_pid;
	__u32 pad;
	__u64 owner_cgroup;
	__u64 created_ns;
};

/* ---- socket pins ------------------------------------------------------- */

/*
 * A socket pin is a struct srv6s_pin in the socket's own storage (map
 * srv6s_socks, BPF_MAP_TYPE_SK_STORAGE, keyed by the socket's fd from user
 * space): it ends with the socket. srv6s_sock_index, which the data plane
 * never reads, remembers every socket pin by socket cookie: the route MTU it
 * took towards the socket's peer (a connected socket) and its path set, so
 * that unpinning, or gc after the socket closed, gives the route back.
 */
enum srv6s_sock_entry_flags {
	SRV6S_SOCK_ROUTE = 1U << 0, /* dst holds a route MTU taken for the peer */
};

struct srv6s_sock_entry {
	struct srv6s_prefix_key dst; /* the peer as a /128 (IPv4: mapped) */
	__u32 path_set;              /* the pin's path-set slot */
	__u32 flags;                 /* enum srv6s_sock_entry_flags */
	__u32 pad;
};

/* One socket pin as the listing iterator (bpf/srv6steer_iter.bpf.c) writes
 * it: the socket's identity and current addresses, and its pin. */
struct srv6s_sock_record {
	__u64 cookie;      /* SO_COOKIE */
	__u16 family;      /* AF_INET or AF_INET6 */
	__u16 pad;
	__u32 uid;         /* the socket's owner (sk_uid: its creator's fsuid) */
	/* Its current 5-tuple: src and sport local, dst and dport the peer's
	 * (zeros when not connected; IPv4 addresses mapped, ports host order). */
	struct srv6s_flow_key flow;
	struct srv6s_pin pin;
};

/* A cgroup and its level below the root, as the cgroup iterator writes it
 * (the level the data plane's bpf_skb_ancestor_cgroup_id counts). */
struct srv6s_cgroup_record {
	__u64 id;
	__u32 level;
	__u32 pad;
};

/* ---- flowlets (map srv6s_flowlets, the data plane's own) ---------------- */

/* Where a flow of a set of several paths went last and when, while
 * srv6s_config.flowlet_gap_us is set (docs/design.md §17): an ARRAY of
 * SRV6S_MAX_FLOWLETS slots indexed by the low bits of the flow hash, tagged
 * with the whole hash (as a switch's flowlet table is). Two busy flows in
 * one slot take it from each other and lose only the protection, never the
 * right path. Written by the data plane on every such packet, by several
 * CPUs at once without a lock: a torn entry costs one decision, a path down
 * always wins. User space only reads it (tests, `bpftool`). */
struct srv6s_flowlet {
	__u64 last_ns;  /* bpf_ktime_get_ns() of the flow's last packet; 0: empty */
	__u32 path_id;  /* the path it took */
	__u32 hash;     /* the flow's hash: whose entry it is */
};

/* ---- statistics -------------------------------------------------------- */

struct srv6s_counter {
	__u64 packets;
	__u64 bytes;
};

/*
 * What happened to a packet. The TC program counts exactly one reason per
 * packet in srv6s_reasons (per CPU). Helpers return 0 or -reason.
 */
enum srv6s_reason {
	SRV6S_R_STEERED = 0,        /* encapsulated and sent on a path */
	SRV6S_R_NO_MATCH,           /* no socket, cgroup, flow, QP or prefix pin: untouched */
	SRV6S_R_DISABLED,           /* steering switched off in config */
	SRV6S_R_NOT_IP,             /* not IPv4 or IPv6: untouched */
	SRV6S_R_TRUNCATED,          /* headers or lengths beyond the packet */
	SRV6S_R_BAD_HEADER,         /* bad IP version, IHL or length field */
	SRV6S_R_EXT_HDR_LIMIT,      /* too many IPv6 extension headers */
	SRV6S_R_ALREADY_ENCAP,      /* already SRv6 / IP-in-IP: untouched */
	SRV6S_R_FRAGMENT,           /* fragment with no socket, cgroup or prefix pin: untouched */
	SRV6S_R_NO_PATH_SET,        /* pin names a missing or empty path set */
	SRV6S_R_NO_PATH,            /* path set names a missing path */
	SRV6S_R_ALL_PATHS_DOWN,     /* every path of the set is down */
	SRV6S_R_BAD_PATH,           /* path value out of range */
	SRV6S_R_MTU_PASSED,         /* would exceed the MTU: sent unencapsulated */
	SRV6S_R_MTU_DROPPED,        /* would exceed the MTU: dropped (config) */
	SRV6S_R_ADJUST_ROOM_FAILED, /* kernel refused to grow the packet */
	SRV6S_R_WRITE_FAILED,       /* header write failed after growing: dropped */
	SRV6S_R_FELL_BACK,          /* every path of the set down: steered on the
				     * fallback of the path the hash chose */
	SRV6S_R_MAX,
};

/* ---- user-space bookkeeping (maps the programs never touch) ------------ */

/* How srv6steer is attached, so detach removes exactly that. */
enum srv6s_attach_mode {
	SRV6S_ATTACH_NONE = 0,
	SRV6S_ATTACH_TCX = 1,     /* tcx link, pinned as <dir>/link */
	SRV6S_ATTACH_CLSACT = 2,  /* clsact egress filter (handle, priority) */
};

enum srv6s_meta_flags {
	SRV6S_META_ROUTE_MTU = 1U << 0, /* manage route MTUs for pinned destinations */
};

/* The layout of pinned state (directory names, map key/value layouts). A
 * build opening state of another layout refuses it and says so. */
#define SRV6S_STATE_LAYOUT 6

struct srv6s_meta {
	__u32 ifindex;
	__u32 attach_mode;   /* enum srv6s_attach_mode */
	__u32 tc_handle;     /* clsact only */
	__u32 tc_priority;   /* clsact only */
	__u32 flags;         /* enum srv6s_meta_flags */
	__u32 link_mtu;      /* device MTU at attach */
	__u64 attached_ns;   /* CLOCK_REALTIME */
	__u32 layout;        /* SRV6S_STATE_LAYOUT of the build that attached */
	__u32 prog_id;       /* the TC program attached */
	__u64 netns_cookie;  /* SO_NETNS_COOKIE of the network namespace */
	__u64 netns_inode;   /* its nsfs inode (to find it from other namespaces) */
	__u64 netns_dev;     /* and the nsfs device */
};

/* A route MTU srv6steer set: added a route (ROUTE_ADDED) or changed the MTU
 * of an existing one (old_mtu restored when the last pin to that
 * destination goes, or on detach). */
enum srv6s_route_flags {
	SRV6S_ROUTE_ADDED = 1U << 0,
};

#define SRV6S_ENCAP_LEVELS (SRV6S_MAX_SRH_SEGS + 1)

struct srv6s_route {
	__u32 flags;      /* enum srv6s_route_flags */
	__u32 old_mtu;    /* MTU metric before us (0: none), put back at the end */
	__u32 mtu;        /* MTU we set */
	__u32 table;
	__u32 priority;
	__u32 cap;        /* never set above this: the MTU found when we came (0: none) */
	/* Pins that need it, by the SRH segments of the longest path their
	 * target may take (0: reduced, no SRH). The MTU fits the largest level
	 * with pins; the route goes back when no pin is left. */
	__u32 pins[SRV6S_ENCAP_LEVELS];
	__u32 pad;
};

/* ---- verdicts ---------------------------------------------------------- */

/* What the TC program returns for packets it lets go (steered or not):
 * TC_ACT_UNSPEC / TCX_NEXT, so programs after ours still run. */
#define SRV6S_TC_CONTINUE (-1)
/* For packets it drops: TC_ACT_SHOT / TCX_DROP. */
#define SRV6S_TC_DROP 2

/* ---- path health (map srv6s_path_health, written by the prober) -------- */

/*
 * What the prober (the agent) last knew of a path: ARRAY[SRV6S_MAX_PATHS]
 * indexed by path id, user space only (the data plane reads the path's DOWN
 * bit, which the prober sets). Probes: include/srv6steer/probe_abi.h.
 */
enum srv6s_health_state {
	SRV6S_HEALTH_UNKNOWN = 0, /* not probed (yet) */
	SRV6S_HEALTH_UP = 1,
	SRV6S_HEALTH_DOWN = 2,    /* missed probes: marked DOWN in srv6s_paths */
};

struct srv6s_path_health {
	__u32 state;          /* enum srv6s_health_state */
	__u32 targets;        /* remote hosts probed over the path */
	__u64 sent;           /* probes sent */
	__u64 replies;        /* replies received in time */
	__u64 lost;           /* probes given up on */
	__u64 rtt_last_ns;
	__u64 rtt_min_ns;
	__u64 rtt_avg_ns;     /* moving average (1/8 per reply) */
	__u64 since_ns;       /* CLOCK_REALTIME of the last change of state */
	__u64 transitions;    /* changes of state */
	__u64 rx_ce_packets;  /* CE-marked packets the far end counted on the path */
	__u64 updated_ns;     /* CLOCK_REALTIME of the last update */
	/* Congestion (docs/design.md §17): what the far ends counted on the
	 * path (all of the prober's targets, their last reports), the share of
	 * it CE-marked over the last window, and the level the prober set in
	 * srv6s_path.congestion. */
	__u64 rx_packets;
	__u32 ce_ppm;         /* CE-marked share of the last window, parts per million */
	__u32 congestion;     /* 0 .. SRV6S_CONGESTION_LEVELS */
};

/* ---- layout checks ------------------------------------------------------ */

SRV6S_STATIC_ASSERT(sizeof(struct srv6s_config) == 40, "srv6s_config layout");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_config, cgroup_depth) == 25,
		    "srv6s_config.cgroup_depth offset");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_config, flowlet_gap_us) == 28,
		    "srv6s_config.flowlet_gap_us offset");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_config, cgroup_levels) == 32,
		    "srv6s_config.cgroup_levels offset");
SRV6S_STATIC_ASSERT(SRV6S_MAX_CGROUP_LEVELS == 8 * sizeof(((struct srv6s_config *)0)->cgroup_levels),
		    "one bit of cgroup_levels per level");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_path) == 24 + 16 * SRV6S_MAX_SRH_SEGS,
		    "srv6s_path layout");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_path, fallback) == 20,
		    "srv6s_path.fallback offset");
SRV6S_STATIC_ASSERT(SRV6S_MAX_PATH_SETS <= SRV6S_PIN_SET_MASK, "path-set slots fit the pin's slot bits");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_path, segs) == 24,
		    "srv6s_path.segs offset");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_path_set_gen) == 4 + 4 * SRV6S_MAX_SET_PATHS,
		    "srv6s_path_set_gen layout");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_path_set) == 4 + 2 * sizeof(struct srv6s_path_set_gen),
		    "srv6s_path_set layout");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_flow_key) == 40, "srv6s_flow_key layout");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_qp_key) == 20, "srv6s_qp_key layout");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_prefix_key) == 20, "srv6s_prefix_key layout");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_prefix_key, addr) == 4,
		    "srv6s_prefix_key.addr offset");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_pin) == 40, "srv6s_pin layout");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_flow_slot) == 64, "srv6s_flow_slot: one cache line");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_flow_slot, packets) + 8 ==
			    __builtin_offsetof(struct srv6s_flow_slot, bytes),
		    "srv6s_flow_slot counters as a struct srv6s_counter");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_pin, packets) + 8 == __builtin_offsetof(struct srv6s_pin, bytes),
		    "srv6s_pin counters as a struct srv6s_counter");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_flow_owner) == 24, "srv6s_flow_owner layout");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_sock_entry) == 32, "srv6s_sock_entry layout");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_sock_record) == 96, "srv6s_sock_record layout");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_sock_record, flow) == 16,
		    "srv6s_sock_record.flow offset");
SRV6S_STATIC_ASSERT(__builtin_offsetof(struct srv6s_sock_record, pin) == 56,
		    "srv6s_sock_record.pin offset");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_cgroup_record) == 16, "srv6s_cgroup_record layout");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_counter) == 16, "srv6s_counter layout");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_meta) == 64, "srv6s_meta layout");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_route) == 64, "srv6s_route layout");
SRV6S_STATIC_ASSERT(sizeof(struct srv6s_path_health) == 104, "srv6s_path_health layout");

#endif /* SRV6STEER_ABI_H */
