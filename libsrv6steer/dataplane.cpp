// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "dataplane.hpp"

#include <cerrno>

#include "srv6steer_bpf.skel.h"

namespace srv6steer {

void DataPlane::SkelDeleter::operator()(srv6steer_bpf* skel) const {
    srv6steer_bpf__destroy(skel);
}

DataPlane::DataPlane(std::unique_ptr<srv6steer_bpf, SkelDeleter> skel) : skel_(std::move(skel)) {}
DataPlane::DataPlane(DataPlane&&) noexcept = default;
DataPlane& DataPlane::operator=(DataPlane&&) noexcept = default;
DataPlane::~DataPlane() = default;

DataPlane DataPlane::load(const LoadOptions& opts) {
    std::unique_ptr<srv6steer_bpf, SkelDeleter> skel(srv6steer_bpf__open());
    if (!skel)
        throw_errno("opening the srv6steer BPF object", errno);
    auto size = [](bpf_map* map, uint32_t n, const char* what) {
        if (n == 0)
            throw Error(std::string("the ") + what + " map size must be at least 1");
        if (int err = bpf_map__set_max_entries(map, n))
            throw_errno(std::string("sizing the ") + what + " map", -err);
    };
    size(skel->maps.srv6s_flows, opts.max_flows, "flows");
    size(skel->maps.srv6s_qps, opts.max_qps, "qps");
    size(skel->maps.srv6s_prefixes, opts.max_prefixes, "prefixes");
    if (int err = srv6steer_bpf__load(skel.get()))
        throw_errno("loading the srv6steer BPF programs (needs root or CAP_BPF + CAP_NET_ADMIN; "
                    "the verifier log is above)",
                    -err);
    return DataPlane(std::move(skel));
}

int DataPlane::tc_egress_fd() const { return bpf_program__fd(skel_->progs.srv6s_tc_egress); }

#define SRV6S_MAP(method, field, K, V)                                                   \
    Map<K, V> DataPlane::method() const {                                                \
        return {bpf_map__fd(skel_->maps.field), #field};                                 \
    }
SRV6S_MAP(config, srv6s_config, uint32_t, srv6s_config)
SRV6S_MAP(flows, srv6s_flows, srv6s_flow_key, srv6s_pin)
SRV6S_MAP(qps, srv6s_qps, srv6s_qp_key, srv6s_pin)
SRV6S_MAP(prefixes, srv6s_prefixes, srv6s_prefix_key, srv6s_pin)
SRV6S_MAP(path_sets, srv6s_path_sets, uint32_t, srv6s_path_set)
SRV6S_MAP(paths, srv6s_paths, uint32_t, srv6s_path)
#undef SRV6S_MAP

int DataPlane::map_fd(const std::string& n) const {
    const auto& m = skel_->maps;
    bpf_map* map = n == "config"       ? m.srv6s_config
                   : n == "flows"      ? m.srv6s_flows
                   : n == "qps"        ? m.srv6s_qps
                   : n == "prefixes"   ? m.srv6s_prefixes
                   : n == "path_sets"  ? m.srv6s_path_sets
                   : n == "paths"      ? m.srv6s_paths
                   : n == "path_stats" ? m.srv6s_pathstats
                   : n == "reasons"    ? m.srv6s_reasons
                   : n == "meta"       ? m.srv6s_meta
                   : n == "routes"     ? m.srv6s_routes
                                       : nullptr;
    return map ? bpf_map__fd(map) : -1;
}

PerCpuArray<srv6s_counter> DataPlane::path_stats() const {
    return {bpf_map__fd(skel_->maps.srv6s_pathstats), "srv6s_pathstats"};
}
PerCpuArray<srv6s_counter> DataPlane::reasons() const {
    return {bpf_map__fd(skel_->maps.srv6s_reasons), "srv6s_reasons"};
}

}  // namespace srv6steer
