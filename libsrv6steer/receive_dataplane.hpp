// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The loaded receive-side BPF object (bpf/srv6steer_decap.bpf.c: one XDP and
// one TC-ingress program over the same maps), owned RAII. Internal to the
// library, like dataplane.hpp.
#pragma once

#include <bpf/libbpf.h>

#include <memory>

struct srv6steer_decap_bpf;

namespace srv6steer {

class RxDataPlane {
public:
    // Opens and loads the object into the kernel (verifier runs here).
    static RxDataPlane load();

    RxDataPlane(RxDataPlane&&) noexcept;
    RxDataPlane& operator=(RxDataPlane&&) noexcept;
    ~RxDataPlane();

    int xdp_fd() const;
    int tc_fd() const;
    bpf_object* object() const;

private:
    struct SkelDeleter {
        void operator()(srv6steer_decap_bpf* skel) const;
    };
    explicit RxDataPlane(std::unique_ptr<srv6steer_decap_bpf, SkelDeleter> skel);
    std::unique_ptr<srv6steer_decap_bpf, SkelDeleter> skel_;
};

}  // namespace srv6steer
