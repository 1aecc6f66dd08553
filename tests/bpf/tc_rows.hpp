// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What the TC egress tests share: the lab's addresses, packet builders, a
// harness with two paths, and table rows {description, setup, input, expected
// verdict, expected output, expected reason}, each run on a freshly loaded
// object, so that no row depends on another.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "tc_harness.hpp"

namespace tcrows {

using namespace testpkt;

inline constexpr int kContinue = SRV6S_TC_CONTINUE;
inline constexpr int kDrop = SRV6S_TC_DROP;
inline constexpr uint8_t kTcp = 6, kUdp = 17;

inline const Addr6 kSrc = a6("fcbb:0:800:1::1");  // host's SRv6 source
inline const Addr6 kH1 = a6("fcbb:0:800:1::10");
inline const Addr6 kH2 = a6("fcbb:0:800:2::20");
inline const Addr6 kH3 = a6("fcbb:0:800:3::30");
inline const Addr6 kViaSpine1 = a6("fcbb:0:1004:1001:1006:fe06::");
inline const Addr6 kViaSpine2 = a6("fcbb:0:1004:1002:1006:fe06::");
inline const Addr6 kC2 = a6("fcbb:0:1005:1002:1006:fe06::");
inline const Addr6 kC3 = a6("fcbb:0:1004:1001:1005::");
inline const Addr6 kC4 = a6("fcbb:0:1006:fe06::");

inline Bytes tcp6(const Addr6& src, const Addr6& dst, uint16_t sport, uint16_t dport, uint8_t tc = 0,
                  size_t len = 32) {
    return Builder().eth(0x86dd).ipv6(src, dst, kTcp, tc).tcp(sport, dport).payload(len).build();
}
inline Bytes udp6(const Addr6& src, const Addr6& dst, uint16_t sport, uint16_t dport, size_t len = 32) {
    return Builder().eth(0x86dd).ipv6(src, dst, kUdp).udp(sport, dport).payload(len).build();
}
inline Bytes roce6(const Addr6& src, const Addr6& dst, uint16_t sport, uint32_t qp) {
    return Builder().eth(0x86dd).ipv6(src, dst, kUdp).udp(sport, 4791).bth(qp).payload(64).build();
}
inline Bytes tcp4(const char* src, const char* dst, uint16_t sport, uint16_t dport, uint8_t tos = 0,
                  uint16_t frag = 0, const Bytes& opts = {}) {
    return Builder().eth(0x0800).ipv4(src, dst, kTcp, tos, frag, opts).tcp(sport, dport).payload(40).build();
}
inline Bytes udp4(const char* src, const char* dst, uint16_t sport, uint16_t dport) {
    return Builder().eth(0x0800).ipv4(src, dst, kUdp).udp(sport, dport).payload(40).build();
}

// A harness with config, path 1 (spine 1), path 2 (spine 2) and sets 1 -> {1},
// 2 -> {2}.
inline void base(TcHarness& h) {
    h.config(kSrc);
    h.path(1, {kViaSpine1});
    h.path(2, {kViaSpine2});
    h.set(1, {1});
    h.set(2, {2});
}

struct Row {
    std::string description;
    std::function<void(TcHarness&)> setup;
    Bytes input;
    int verdict;
    Bytes expected;  // empty: the input, byte for byte
    srv6s_reason reason;
};

inline void run_rows(const std::vector<Row>& rows) {
    for (const Row& row : rows) {
        SCOPED_TRACE(row.description);
        TcHarness h;
        row.setup(h);
        auto before = h.reasons();
        RunResult r = h.run(row.input);
        EXPECT_EQ(r.verdict, row.verdict);
        const Bytes& want = row.expected.empty() ? row.input : row.expected;
        EXPECT_TRUE(r.out == want) << diff(r.out, want);
        auto after = h.reasons();
        for (uint32_t i = 0; i < SRV6S_R_MAX; i++)
            EXPECT_EQ(after[i].packets - before[i].packets, i == uint32_t(row.reason) ? 1u : 0u)
                << "reason " << i;
        EXPECT_EQ(after[row.reason].bytes - before[row.reason].bytes, row.input.size());
    }
}

// Which container a steered packet got (by the 5th byte group of the DA).
inline Addr6 outer_da(const Bytes& out) {
    Addr6 a{};
    std::memcpy(a.data(), out.data() + 14 + 24, 16);
    return a;
}

inline std::vector<Addr6> spines(size_t n) {
    std::vector<Addr6> v;
    for (size_t i = 0; i < n; i++) {
        Addr6 a = kViaSpine1;
        a[7] = static_cast<uint8_t>(i + 1);  // fcbb:0:1004:100N:...
        v.push_back(a);
    }
    return v;
}

inline uint32_t label_of(const Bytes& out) {
    return (uint32_t(out[15] & 0xf) << 16) | (uint32_t(out[16]) << 8) | out[17];
}

}  // namespace tcrows
