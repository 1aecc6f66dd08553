// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The loaded srv6steer BPF object: programs and typed maps, owned RAII.
// Internal to the library (the skeleton type does not leak into the API).
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <memory>
#include <string>

#include "bpf_map.hpp"
#include "flow_table.hpp"
#include "maps.hpp"
#include "srv6steer/abi.h"

struct srv6steer_bpf;

namespace srv6steer {

struct LoadOptions {
    uint32_t max_flows = SRV6S_DEFAULT_MAX_FLOWS;  // flow pins (flow_table_slots: rounded up)
    uint32_t max_qps = SRV6S_DEFAULT_MAX_QPS;
    uint32_t max_prefixes = SRV6S_DEFAULT_MAX_PREFIXES;
    uint32_t max_cgroups = SRV6S_DEFAULT_MAX_CGROUPS;
};

class DataPlane {
public:
    // Opens and loads the object into the kernel (verifier runs here).
    static DataPlane load(const LoadOptions& opts = {});

    DataPlane(DataPlane&&) noexcept;
    DataPlane& operator=(DataPlane&&) noexcept;
    ~DataPlane();

    int tc_egress_fd() const;
    bpf_object* object() const;

    // A typed view of one map of the table in maps.hpp.
    template <class S>
    auto map(const S& spec) const {
        return map_view(spec, bpf_map__fd(bpf_object__find_map_by_name(object(), spec.obj)));
    }
    auto config() const { return map(maps::config); }
    // The flow pin table, mapped anew (flow_table.hpp).
    FlowTable flows() const;
    auto qps() const { return map(maps::qps); }
    auto prefixes() const { return map(maps::prefixes); }
    auto socks() const { return map(maps::socks); }
    auto cgroups() const { return map(maps::cgroups); }
    auto path_sets() const { return map(maps::path_sets); }
    auto paths() const { return map(maps::paths); }
    auto path_stats() const { return map(maps::path_stats); }
    auto reasons() const { return map(maps::reasons); }

private:
    struct SkelDeleter {
        void operator()(srv6steer_bpf* skel) const;
    };
    explicit DataPlane(std::unique_ptr<srv6steer_bpf, SkelDeleter> skel);
    std::unique_ptr<srv6steer_bpf, SkelDeleter> skel_;
};

}  // namespace srv6steer
