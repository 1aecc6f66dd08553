// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The loaded srv6steer BPF object: programs and typed maps, owned RAII.
// Internal to the library (the skeleton type does not leak into the API).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "bpf_map.hpp"
#include "srv6steer/abi.h"

struct srv6steer_bpf;

namespace srv6steer {

struct LoadOptions {
    uint32_t max_flows = SRV6S_DEFAULT_MAX_FLOWS;
    uint32_t max_qps = SRV6S_DEFAULT_MAX_QPS;
    uint32_t max_prefixes = SRV6S_DEFAULT_MAX_PREFIXES;
};

class DataPlane {
public:
    // Opens and loads the object into the kernel (verifier runs here).
    static DataPlane load(const LoadOptions& opts = {});

    DataPlane(DataPlane&&) noexcept;
    DataPlane& operator=(DataPlane&&) noexcept;
    ~DataPlane();

    int tc_egress_fd() const;
    // The fd of a map by its pin name (state.hpp MapNames), -1 if unknown.
    int map_fd(const std::string& pin_name) const;

    Map<uint32_t, srv6s_config> config() const;
    Map<srv6s_flow_key, srv6s_pin> flows() const;
    Map<srv6s_qp_key, srv6s_pin> qps() const;
    Map<srv6s_prefix_key, srv6s_pin> prefixes() const;
    Map<uint32_t, srv6s_path_set> path_sets() const;
    Map<uint32_t, srv6s_path> paths() const;
    PerCpuArray<srv6s_counter> path_stats() const;
    PerCpuArray<srv6s_counter> reasons() const;

private:
    struct SkelDeleter {
        void operator()(srv6steer_bpf* skel) const;
    };
    explicit DataPlane(std::unique_ptr<srv6steer_bpf, SkelDeleter> skel);
    std::unique_ptr<srv6steer_bpf, SkelDeleter> skel_;
};

}  // namespace srv6steer
