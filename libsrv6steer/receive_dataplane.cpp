// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "receive_dataplane.hpp"

#include <cerrno>

#include "srv6steer/error.hpp"
#include "srv6steer_decap_bpf.skel.h"

namespace srv6steer {

void RxDataPlane::SkelDeleter::operator()(srv6steer_decap_bpf* skel) const { srv6steer_decap_bpf__destroy(skel); }

RxDataPlane::RxDataPlane(std::unique_ptr<srv6steer_decap_bpf, SkelDeleter> skel) : skel_(std::move(skel)) {}
RxDataPlane::RxDataPlane(RxDataPlane&&) noexcept = default;
RxDataPlane& RxDataPlane::operator=(RxDataPlane&&) noexcept = default;
RxDataPlane::~RxDataPlane() = default;

RxDataPlane RxDataPlane::load() {
    std::unique_ptr<srv6steer_decap_bpf, SkelDeleter> skel(srv6steer_decap_bpf__open());
    if (!skel)
        throw_errno("opening the srv6steer receive BPF object", errno);
    if (int err = srv6steer_decap_bpf__load(skel.get()))
        throw_errno("loading the srv6steer receive BPF programs (needs root, or CAP_BPF, CAP_NET_ADMIN and "
                    "CAP_PERFMON; the verifier log is above)",
                    -err);
    return RxDataPlane(std::move(skel));
}

int RxDataPlane::xdp_fd() const { return bpf_program__fd(skel_->progs.srv6s_xdp_decap); }
int RxDataPlane::tc_fd() const { return bpf_program__fd(skel_->progs.srv6s_tc_decap); }
bpf_object* RxDataPlane::object() const { return skel_->obj; }

}  // namespace srv6steer
