// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The one table of srv6steer's BPF maps: for each, its name in the BPF
// object (bpf/maps.h), its pin name in the state directory, and its key and
// value types. Loading, pinning, opening and unpinning all walk this table;
// MapFds holds one owned fd per entry and hands out typed views.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <tuple>

#include "bpf_map.hpp"
#include "fd.hpp"
#include "srv6steer/abi.h"

struct bpf_object;

namespace srv6steer {

// One map: index in the table, names, key and value types. PerCpu maps are
// arrays of counters summed over CPUs (PerCpuArray).
template <class K, class V, bool PerCpu = false>
struct MapSpec {
    using Key = K;
    using Value = V;
    static constexpr bool kPerCpu = PerCpu;
    size_t index;
    const char* pin;  // file name in the state directory
    const char* obj;  // name in the BPF object
};

namespace maps {
inline constexpr MapSpec<uint32_t, srv6s_config> config{0, "config", "srv6s_config"};
// Flow pins: the slots of an open-addressed table, read and written through
// its mmap (flow_table.hpp), and their owners with the table's census.
inline constexpr MapSpec<uint32_t, srv6s_flow_slot> flows{1, "flows", "srv6s_flows"};
inline constexpr MapSpec<srv6s_qp_key, srv6s_pin> qps{2, "qps", "srv6s_qps"};
inline constexpr MapSpec<srv6s_prefix_key, srv6s_pin> prefixes{3, "prefixes", "srv6s_prefixes"};
// Socket storage: keyed by a socket's fd (lookup, update, delete only: it
// cannot be iterated from user space; the listing iterators walk the TCP and
// UDP sockets and look each up in it, iterators.hpp).
inline constexpr MapSpec<int, srv6s_pin> socks{4, "socks", "srv6s_socks"};
// Cgroup pins: cgroup v2 id -> pin (cgroups.cpp).
inline constexpr MapSpec<uint64_t, srv6s_pin> cgroups{5, "cgroups", "srv6s_cgroups"};
inline constexpr MapSpec<uint32_t, srv6s_path_set> path_sets{6, "path_sets", "srv6s_path_sets"};
inline constexpr MapSpec<uint32_t, srv6s_path> paths{7, "paths", "srv6s_paths"};
inline constexpr MapSpec<uint32_t, srv6s_counter, true> path_stats{8, "path_stats", "srv6s_pathstats"};
inline constexpr MapSpec<uint32_t, srv6s_counter, true> reasons{9, "reasons", "srv6s_reasons"};
inline constexpr MapSpec<srv6s_prefix_key, srv6s_route> routes{10, "routes", "srv6s_routes"};
// Every socket pin by socket cookie, with the route MTU it took (user space
// only; sockets.cpp).
inline constexpr MapSpec<uint64_t, srv6s_sock_entry> sock_index{11, "sock_index", "srv6s_sock_index"};
// What the prober last knew of each path, by path id (user space only;
// health.cpp, docs/design.md §16).
inline constexpr MapSpec<uint32_t, srv6s_path_health> path_health{12, "path_health", "srv6s_path_health"};
inline constexpr MapSpec<uint32_t, srv6s_flow_owner> flow_owners{13, "flow_owners", "srv6s_flow_owners"};
inline constexpr MapSpec<uint32_t, srv6s_meta> meta{14, "meta", "srv6s_meta"};

inline constexpr auto kAll = std::tuple{config,   flows,      qps,         prefixes,    socks,
                                        cgroups,  path_sets,  paths,       path_stats,  reasons,
                                        routes,   sock_index, path_health, flow_owners, meta};
inline constexpr size_t kCount = std::tuple_size_v<decltype(kAll)>;
// Pinned last: a state directory with meta has every other map.
static_assert(meta.index == kCount - 1, "meta is the last map of the table");

// Calls f(spec) for every map, in table order.
template <class F>
void for_each(F&& f) {
    std::apply([&](const auto&... spec) { (f(spec), ...); }, kAll);
}

// The pin of the tcx link, beside the maps.
inline constexpr const char* kLinkPin = "link";
}  // namespace maps

// One map of a loaded object (by its object name) as an fd of our own.
UniqueFd dup_object_map(bpf_object* obj, const char* obj_name, const char* pin);
// Opens the map pinned at dir/pin, refusing one whose key or value size is
// not this build's (state of an incompatible build: EPROTO).
UniqueFd open_pinned_map(const std::string& dir, const char* pin, size_t key_size, size_t value_size);

// The typed view of a map of a table (MapSpec) on fd: PerCpuArray or Map.
template <class S>
auto map_view(const S& spec, int fd) {
    if constexpr (S::kPerCpu)
        return PerCpuArray<typename S::Value>(fd, spec.pin);
    else
        return Map<typename S::Key, typename S::Value>(fd, spec.pin);
}

// One owned fd per map of the table.
class MapFds {
public:
    template <class S>
    auto operator[](const S& spec) const {
        return map_view(spec, fds_[spec.index].get());
    }
    int fd(size_t index) const { return fds_[index].get(); }

    // Duplicates the fds of a loaded object's maps (found by their object names).
    static MapFds of_object(bpf_object* obj);
    // Opens the pinned maps of a state directory, checking that each has the
    // key and value sizes of this build.
    static MapFds open_pinned(const std::string& dir);
    // Pins every map under dir, in table order: meta last, so a directory
    // with a meta pin has all of them (undo with unpin_all).
    void pin_all(const std::string& dir) const;
    static void unpin_all(const std::string& dir);

private:
    std::array<UniqueFd, maps::kCount> fds_;
};

}  // namespace srv6steer
