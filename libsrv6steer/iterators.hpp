// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What only the kernel can list, through the BPF iterators of
// bpf/srv6steer_iter.bpf.c: loaded for one listing and closed right after
// (nothing is pinned, nothing outlives the call).
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "srv6steer/abi.h"

namespace srv6steer::iterators {

// Every TCP and UDP socket of the calling thread's network namespace that
// has a pin in the socket storage map socks_fd, with its current addresses.
std::vector<srv6s_sock_record> sockets(int socks_fd);

// The level below the root of cgroup v2 `id` (what the data plane's
// bpf_skb_ancestor_cgroup_id counts); nullopt when there is no such cgroup.
std::optional<uint32_t> cgroup_level(uint64_t id);

// Every cgroup v2 there is, with its level.
std::unordered_map<uint64_t, uint32_t> cgroup_levels();

}  // namespace srv6steer::iterators
