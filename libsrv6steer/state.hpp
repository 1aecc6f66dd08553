// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The maps of one srv6steer instance as owned file descriptors, whether the
// object was just loaded by this process or its pins were opened, plus the
// small pieces of plumbing around them (pin directory, lock).
#pragma once

#include <string>
#include <utility>

#include "bpf_map.hpp"
#include "srv6steer/abi.h"

namespace srv6steer {

// An owned file descriptor.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset();

private:
    int fd_ = -1;
};

// The file names of the pins, in pin-directory order.
struct MapNames {
    static constexpr const char* kAll[] = {"config", "flows", "qps", "prefixes", "path_sets",
                                           "paths", "path_stats", "reasons", "meta", "routes"};
};

struct MapFds {
    UniqueFd config, flows, qps, prefixes, path_sets, paths, path_stats, reasons, meta, routes;

    UniqueFd* by_name(const std::string& name);

    Map<uint32_t, srv6s_config> config_map() const { return {config.get(), "config"}; }
    Map<srv6s_flow_key, srv6s_pin> flows_map() const { return {flows.get(), "flows"}; }
    Map<srv6s_qp_key, srv6s_pin> qps_map() const { return {qps.get(), "qps"}; }
    Map<srv6s_prefix_key, srv6s_pin> prefixes_map() const { return {prefixes.get(), "prefixes"}; }
    Map<uint32_t, srv6s_path_set> sets_map() const { return {path_sets.get(), "path_sets"}; }
    Map<uint32_t, srv6s_path> paths_map() const { return {paths.get(), "paths"}; }
    PerCpuArray<srv6s_counter> path_stats_map() const { return {path_stats.get(), "path_stats"}; }
    PerCpuArray<srv6s_counter> reasons_map() const { return {reasons.get(), "reasons"}; }
    Map<uint32_t, srv6s_meta> meta_map() const { return {meta.get(), "meta"}; }
    Map<srv6s_prefix_key, srv6s_route> routes_map() const { return {routes.get(), "routes"}; }
};

// Where an interface's state is pinned: <bpffs>/srv6steer/<ifname>, or
// <bpffs>/srv6steer/netns/<netns>/<ifname> outside the initial namespace.
std::string pin_root(const std::string& bpffs, const std::string& netns);
std::string pin_dir(const std::string& bpffs, const std::string& netns, const std::string& ifname);

// Throws a clear Error unless path is on a bpffs mount.
void require_bpffs(const std::string& bpffs);

// An exclusive flock on a directory, held for the lifetime of the object, so
// that two processes changing one interface's state take turns.
class DirLock {
public:
    explicit DirLock(const std::string& dir);

private:
    UniqueFd fd_;
};

}  // namespace srv6steer
