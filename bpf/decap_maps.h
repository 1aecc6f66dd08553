/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The maps of the receive side (bpf/srv6steer_decap.bpf.c), typed with BTF.
 * Layouts live in include/srv6steer/decap_abi.h. */
#ifndef SRV6S_BPF_DECAP_MAPS_H
#define SRV6S_BPF_DECAP_MAPS_H

#include "srv6steer/decap_abi.h"

/* On/off and the RFC 6040 drop. Written by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, struct srv6s_rx_config);
} srv6s_rx_config SEC(".maps");

/* The host's own SIDs, longest match on the outer destination. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SRV6S_MAX_LOCAL_SIDS);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG);
	__type(key, struct srv6s_prefix_key);
	__type(value, struct srv6s_local_sid);
} srv6s_local_sids SEC(".maps");

/* What happened to every received frame, by enum srv6s_rx_reason, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SRV6S_RX_R_MAX);
	__type(key, __u32);
	__type(value, struct srv6s_counter);
} srv6s_rx_reasons SEC(".maps");

/* Per sender path (outer source, path id from the flow label), per CPU:
 * no atomics on the receive path; user space sums the CPUs. First a slot
 * of a direct-mapped table (one lookup that needs no hashing helper), then,
 * for a path whose slot another path holds, the LRU hash below
 * (include/srv6steer/decap_abi.h, struct srv6s_rx_path_slot). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SRV6S_RX_PATH_SLOTS);
	__type(key, __u32);
	__type(value, struct srv6s_rx_path_slot);
} srv6s_rx_path_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, SRV6S_DEFAULT_MAX_RX_PATHS);
	__type(key, struct srv6s_rx_path_key);
	__type(value, struct srv6s_rx_path_stats);
} srv6s_rx_paths SEC(".maps");

#endif
