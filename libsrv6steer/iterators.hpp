// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What only the kernel can list, through the BPF iterators of
// bpf/srv6steer_iter.bpf.c. A Lister loads each program on first use and
// keeps it (loading and verifying is most of a listing's cost); nothing is
// pinned, nothing outlives the Lister.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "srv6steer/abi.h"

namespace srv6steer::iterators {

class Lister {
public:
    // socks_fd: the socket pin storage map the socket listing reads (kept
    // open by the caller for the Lister's life).
    explicit Lister(int socks_fd);
    ~Lister();
    Lister(const Lister&) = delete;
    Lister& operator=(const Lister&) = delete;

    // Every TCP and UDP socket of the calling thread's network namespace
    // that has a pin in the socket storage map, with its current addresses.
    std::vector<srv6s_sock_record> sockets();

    // The level below the root of cgroup v2 `id` (what the data plane's
    // bpf_skb_ancestor_cgroup_id counts); nullopt when there is no such cgroup.
    std::optional<uint32_t> cgroup_level(uint64_t id);

    // Every cgroup v2 there is, with its level.
    std::unordered_map<uint64_t, uint32_t> cgroup_levels();

private:
    struct Loaded;  // one loaded BPF object
    Loaded& socket_programs();
    Loaded& cgroup_programs();
    std::optional<std::vector<srv6s_cgroup_record>> cgroups(uint64_t id, int order);

    int socks_fd_;
    std::mutex mu_;  // the lazy loads; a run itself needs no lock
    std::unique_ptr<Loaded> socks_, cgroups_;
};

}  // namespace srv6steer::iterators
