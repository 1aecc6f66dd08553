// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "dataplane.hpp"

#include <cerrno>

#include "flow_table.hpp"
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
    // The flow table: slots for twice the pins, a power of two, and its
    // owners with the census (flow_table.hpp); the data plane's walk masks
    // with a constant.
    const uint32_t slots = flow_table_slots(opts.max_flows);
    size(skel->maps.srv6s_flows, slots, "flows");
    size(skel->maps.srv6s_flow_owners, slots + 1, "flow owners");
    skel->rodata->srv6s_flow_mask = slots - 1;
    size(skel->maps.srv6s_qps, opts.max_qps, "qps");
    size(skel->maps.srv6s_prefixes, opts.max_prefixes, "prefixes");
    size(skel->maps.srv6s_cgroups, opts.max_cgroups, "cgroups");
    if (int err = srv6steer_bpf__load(skel.get()))
        throw_errno("loading the srv6steer BPF programs (needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON: "
                    "without CAP_PERFMON the verifier refuses the program; "
                    "the verifier log is above)",
                    -err);
    return DataPlane(std::move(skel));
}

FlowTable DataPlane::flows() const {
    return FlowTable(bpf_map__fd(skel_->maps.srv6s_flows), bpf_map__fd(skel_->maps.srv6s_flow_owners));
}

int DataPlane::tc_egress_fd() const { return bpf_program__fd(skel_->progs.srv6s_tc_egress); }

bpf_object* DataPlane::object() const { return skel_->obj; }

}  // namespace srv6steer
