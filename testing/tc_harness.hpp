// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Runs the shipped TC egress program with BPF_PROG_TEST_RUN on fresh maps and
// sets maps up in the vocabulary of the tests.
#pragma once

#include <bpf/bpf.h>

#include <array>
#include <cstring>
#include <vector>

#include "dataplane.hpp"
#include "flowhash_reference.hpp"
#include "packet.hpp"
#include "srv6steer/sid.hpp"

namespace testpkt {

struct RunResult {
    int verdict;
    Bytes out;
};

inline srv6steer::LoadOptions small_maps() {
    srv6steer::LoadOptions o;
    o.max_flows = 4096;
    o.max_qps = 256;
    o.max_prefixes = 256;
    return o;
}

inline srv6s_flow_key flow_key(const Addr6& src, const Addr6& dst, uint8_t proto, uint16_t sport,
                               uint16_t dport) {
    srv6s_flow_key k{};
    std::memcpy(k.src, src.data(), 16);
    std::memcpy(k.dst, dst.data(), 16);
    k.sport = sport;
    k.dport = dport;
    k.proto = proto;
    return k;
}

// The outer flow label the program must write for this flow on path path_id:
// from the reference (flowhash_reference.hpp), not from the data plane's own hash.
inline uint32_t expected_label(const srv6s_flow_key& k, uint32_t path_id) {
    return testref::expected_label(k, path_id);
}

class TcHarness {
public:
    explicit TcHarness(const srv6steer::LoadOptions& opts = small_maps())
        : dp(srv6steer::DataPlane::load(opts)) {}

    srv6steer::DataPlane dp;

    RunResult run(const Bytes& in, __sk_buff* ctx = nullptr) const {
        RunResult r;
        if (int err = try_run(in, r, ctx))
            throw std::runtime_error("BPF_PROG_TEST_RUN failed: " + std::string(strerror(err)));
        return r;
    }

    // 0, or the errno with which the kernel refused to run the program.
    int try_run(const Bytes& in, RunResult& result, __sk_buff* ctx = nullptr) const {
        Bytes out(in.size() + 512);
        LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data(), .data_out = out.data(),
                    .data_size_in = static_cast<__u32>(in.size()),
                    .data_size_out = static_cast<__u32>(out.size()), .repeat = 1);
        if (ctx) {
            opts.ctx_in = ctx;
            opts.ctx_size_in = sizeof(*ctx);
        }
        if (int err = bpf_prog_test_run_opts(dp.tc_egress_fd(), &opts))
            return -err;
        out.resize(opts.data_size_out);
        result = {static_cast<int>(opts.retval), out};
        return 0;
    }

    void config(const Addr6& src, uint32_t flags = SRV6S_CFG_ENABLED, uint32_t mtu = 0,
                uint8_t hop_limit = 0) {
        srv6s_config c{};
        std::memcpy(c.src, src.data(), 16);
        c.flags = flags;
        c.mtu = mtu;
        c.hop_limit = hop_limit;
        dp.config().update(0, c);
    }

    void path(uint32_t id, const std::vector<Addr6>& containers,
              srv6steer::SrhMode mode = srv6steer::SrhMode::Reduced, bool down = false) {
        std::vector<srv6steer::Ipv6> segs;
        for (const auto& c : containers)
            segs.push_back(srv6steer::Ipv6{c});
        dp.paths().update(id, srv6steer::encode_path(segs, mode, down));
    }

    // Where path id's flows go when their set is all down: 1 + a set slot, 0 none.
    void fallback(uint32_t id, uint32_t fallback_word) {
        srv6s_path p = dp.paths().lookup(id).value();
        p.fallback = fallback_word;
        dp.paths().update(id, p);
    }

    void set(uint32_t id, const std::vector<uint32_t>& paths) {
        srv6s_path_set s{};
        s.gen[0].n_paths = static_cast<uint32_t>(paths.size());
        for (size_t i = 0; i < paths.size(); i++)
            s.gen[0].paths[i] = paths[i];
        dp.path_sets().update(id, s);
    }

    static srv6s_pin pin(uint32_t set) {
        srv6s_pin p{};
        p.path_set = set;
        return p;
    }
    void pin_flow(const srv6s_flow_key& k, uint32_t set) { dp.flows().put(k, pin(set)); }
    void pin_qp(const Addr6& dst, uint32_t qp, uint32_t set) {
        srv6s_qp_key k{};
        std::memcpy(k.dst, dst.data(), 16);
        k.qp = qp;
        dp.qps().update(k, pin(set));
    }
    void pin_prefix(const Addr6& addr, uint32_t len, uint32_t set) {
        srv6s_prefix_key k{};
        k.prefixlen = len;
        std::memcpy(k.addr, addr.data(), 16);
        dp.prefixes().update(k, pin(set));
    }

    std::array<srv6s_counter, SRV6S_R_MAX> reasons() const {
        std::array<srv6s_counter, SRV6S_R_MAX> out{};
        auto map = dp.reasons();
        for (uint32_t r = 0; r < SRV6S_R_MAX; r++)
            out[r] = map.sum(r);
        return out;
    }
};

// The frame the program must produce: Ethernet (same MACs, type IPv6), outer
// IPv6, optional SRH (segments in wire order), then the inner packet as it was.
inline Bytes encapsulated(const Bytes& frame, const Addr6& src, const Addr6& dst, uint8_t tclass,
                          uint32_t label, const std::vector<Addr6>& srh_segs = {},
                          uint8_t segments_left = 0, uint8_t hop_limit = 64) {
    uint16_t type = static_cast<uint16_t>((frame[12] << 8) | frame[13]);
    uint8_t inner = type == 0x0800 ? 4 : 41;
    Builder b;
    b.raw(frame.data(), 12);
    b.raw(std::vector<uint8_t>{0x86, 0xdd});
    b.ipv6(src, dst, srh_segs.empty() ? inner : 43, tclass, label, hop_limit);
    if (!srh_segs.empty())
        b.srh(inner, segments_left, srh_segs);
    b.raw(frame.data() + 14, frame.size() - 14);
    return b.build();
}

}  // namespace testpkt
