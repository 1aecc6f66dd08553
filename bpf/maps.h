/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Every map of the data plane, typed with BTF so `bpftool map dump` prints
 * named fields. Layouts live in include/srv6steer/abi.h. */
#ifndef SRV6S_BPF_MAPS_H
#define SRV6S_BPF_MAPS_H

#include "srv6steer/abi.h"
#include "socks_map.h" /* srv6s_socks: socket pins, checked first */

/* Host-wide settings: outer source, hop limit, MTU policy. Written at attach. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, struct srv6s_config);
} srv6s_config SEC(".maps");

/* Cgroup pins: cgroup v2 id -> pin, for every socket of the cgroup and its
 * descendants (the deepest pinned ancestor wins). Checked second. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SRV6S_DEFAULT_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, struct srv6s_pin);
} srv6s_cgroups SEC(".maps");

/* Flow pins: exact 5-tuple -> pin, an open-addressed table (abi.h struct
 * srv6s_flow_slot) that user space writes through mmap. Checked after socket
 * and cgroup pins. Sized by the loader: a power of two, twice the pins. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * SRV6S_DEFAULT_MAX_FLOWS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct srv6s_flow_slot);
} srv6s_flows SEC(".maps");

/* User space only: who made each flow pin, by slot of srv6s_flows, and one
 * entry more: the table's census (libsrv6steer/flow_table.hpp). Not
 * BPF_F_RDONLY_PROG, which the kernel refuses to map writable; the program
 * never names it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * SRV6S_DEFAULT_MAX_FLOWS + 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct srv6s_flow_owner);
} srv6s_flow_owners SEC(".maps");

/* RoCEv2 queue-pair pins: (destination, BTH dest QP) -> pin. After flows. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SRV6S_DEFAULT_MAX_QPS);
	__type(key, struct srv6s_qp_key);
	__type(value, struct srv6s_pin);
} srv6s_qps SEC(".maps");

/* Destination prefix pins, longest match. Checked last. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SRV6S_DEFAULT_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct srv6s_prefix_key);
	__type(value, struct srv6s_pin);
} srv6s_prefixes SEC(".maps");

/* Path sets: id -> the paths a pin spreads its flows over. Immutable once
 * published: user space writes a free slot and repoints pins. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SRV6S_MAX_PATH_SETS);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, struct srv6s_path_set);
} srv6s_path_sets SEC(".maps");

/* Paths: id -> the encapsulation to push. Immutable once published except
 * for the DOWN bit (see abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SRV6S_MAX_PATHS);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, struct srv6s_path);
} srv6s_paths SEC(".maps");

/* Per-path packets/bytes (bytes before encapsulation), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SRV6S_MAX_PATHS);
	__type(key, __u32);
	__type(value, struct srv6s_counter);
} srv6s_pathstats SEC(".maps");

/* What happened to every packet, by enum srv6s_reason, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SRV6S_R_MAX);
	__type(key, __u32);
	__type(value, struct srv6s_counter);
} srv6s_reasons SEC(".maps");

/* The flow hashed last on this CPU and its hash (srv6s_memo_hash,
 * bpf/lib/classify.h), so that a burst of one flow is hashed once. Private
 * to the program: user space never opens it. */
struct srv6s_hash_memo {
	struct srv6s_flow_key key;
	__u32 hash;
	__u32 valid; /* 0 until the first flow is hashed */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct srv6s_hash_memo);
} srv6s_hash_memo SEC(".maps");

/* Flowlets (bpf/lib/flowlet.h): each flow of a set of several paths, its
 * path and last packet, by the low bits of its hash, while
 * config.flowlet_gap_us is set. The program's own, like the memo: not
 * pinned, a reload starts afresh (every flow then takes its choice at its
 * next packet). An array: its lookup is inlined, a hash map's is a call and
 * a hash of the key (~150 ns more a packet, bench/tc_encap.cpp). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SRV6S_MAX_FLOWLETS);
	__type(key, __u32);
	__type(value, struct srv6s_flowlet);
} srv6s_flowlets SEC(".maps");

/* User space only: how the program is attached (detach undoes exactly it). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, struct srv6s_meta);
} srv6s_meta SEC(".maps");

/* User space only: route MTUs set for steered destinations, keyed like
 * prefixes, so detach and gc restore exactly what was changed. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SRV6S_MAX_ROUTES);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, struct srv6s_prefix_key);
	__type(value, struct srv6s_route);
} srv6s_routes SEC(".maps");

/* User space only: every socket pin by socket cookie, with the route MTU it
 * took towards the socket's peer (unpin and gc give it back). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SRV6S_MAX_SOCKETS);
	__uint(map_flags, BPF_F_RDONLY_PROG | BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct srv6s_sock_entry);
} srv6s_sock_index SEC(".maps");

/* User space only: what the prober (the agent) last knew of each path, by
 * path id (include/srv6steer/abi.h struct srv6s_path_health, docs/design.md
 * §16). The data plane reads only the path's DOWN bit the prober sets. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SRV6S_MAX_PATHS);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, struct srv6s_path_health);
} srv6s_path_health SEC(".maps");

#endif
