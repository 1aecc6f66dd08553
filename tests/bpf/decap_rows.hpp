// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What the decapsulation tests share: the receiver's SIDs, frames built with
// testing/packet.hpp (the expected output is the inner frame built directly,
// never derived from the program's output), RFC 6040's table written out
// again, an IPv4 checksum of its own, and rows {description, setup, input,
// verdict, output, reason} run on both hooks (XDP and TC ingress), each on a
// freshly loaded object.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "decap_harness.hpp"
#include "tc_harness.hpp"

namespace decaprows {

using namespace testpkt;

inline constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp6 = 58;

inline const Addr6 kSender = a6("fcbb:0:800:1::1");   // the sending host's SRv6 source
inline const Addr6 kSender2 = a6("fcbb:0:800:3::1");
inline const Addr6 kH1 = a6("fcbb:0:800:1::10");      // inner addresses
inline const Addr6 kH2 = a6("fcbb:0:800:2::20");
inline const Addr6 kSid6 = a6("fcbb:0:e002:fe06::");  // uDT6 /64 (host e002)
inline const Addr6 kSid4 = a6("fcbb:0:e002:fe04::");  // uDT4 /64
inline const Addr6 kSid46 = a6("fcbb:0:e002:fe46::"); // uDT46 /64
inline const Addr6 kOtherHost = a6("fcbb:0:e003:fe06::");
inline const Addr6 kSeg1 = a6("fcbb:0:1004:1001:1006:e002::");  // an earlier container
inline constexpr const char* kV4Src = "10.0.1.10";
inline constexpr const char* kV4Dst = "10.0.2.20";
inline constexpr uint32_t kLabel = 0x5a007;  // hash bits 0x5a, path id 7

// RFC 6040 §4.2, Figure 4 (normal mode), written from the RFC:
// kEcnTable[inner][outer], codepoints Not-ECT 0, ECT(1) 1, ECT(0) 2, CE 3;
// -1 is "drop".
inline constexpr int kEcnTable[4][4] = {
    //           outer: Not-ECT ECT(1) ECT(0)  CE
    /* Not-ECT */ {0, 0, 0, -1},
    /* ECT(1)  */ {1, 1, 1, 3},
    /* ECT(0)  */ {2, 1, 2, 3},
    /* CE      */ {3, 3, 3, 3},
};

// The receiver: default config, one SID of each behaviour.
inline void base(DecapHarness& h) {
    h.config();
    h.sid(kSid6, 64, SRV6S_SID_UDT6);
    h.sid(kSid4, 64, SRV6S_SID_UDT4);
    h.sid(kSid46, 64, SRV6S_SID_UDT46);
}

// Inner frames: what the stack must get after decapsulation.
inline Bytes inner6(uint8_t tclass = 0, size_t payload = 32) {
    return Builder().eth(0x86dd).ipv6(kH1, kH2, kTcp, tclass).tcp(40000, 5201).payload(payload).build();
}
inline Bytes inner4(uint8_t tos = 0, size_t payload = 32) {
    return Builder().eth(0x0800).ipv4(kV4Src, kV4Dst, kTcp, tos).tcp(40000, 5201).payload(payload).build();
}

// An arriving SRv6 frame: inner behind outer IPv6 (src -> dst) and, if segs
// is not empty, an SRH with those segments and segments left sl.
inline Bytes arriving(const Bytes& inner, const Addr6& dst, uint8_t tclass = 0,
                      const std::vector<Addr6>& segs = {}, uint8_t sl = 0,
                      const Addr6& src = kSender, uint32_t label = kLabel) {
    return encapsulated(inner, src, dst, tclass, label, segs, sl);
}

// The outer header of an arriving frame whose next header (and its bytes)
// are given: for ICMPv6, extension headers and other oddities.
inline Bytes outer_with(uint8_t nexthdr, const Bytes& after, const Addr6& dst = kSid6) {
    return Builder().eth(0x86dd).ipv6(kSender, dst, nexthdr, 0, kLabel).raw(after).build();
}

// The IP packet of a frame (its bytes after Ethernet).
inline Bytes ip_of(const Bytes& frame) { return Bytes(frame.begin() + 14, frame.end()); }

// One's complement sum of an IPv4 header, computed here (not by packet.hpp):
// a valid header sums to 0xffff.
inline uint16_t ipv4_header_sum(const uint8_t* ip) {
    const size_t len = (ip[0] & 0xf) * 4u;
    uint32_t s = 0;
    for (size_t i = 0; i < len; i += 2)
        s += uint32_t(ip[i]) << 8 | ip[i + 1];
    while (s > 0xffff)
        s = (s >> 16) + (s & 0xffff);
    return static_cast<uint16_t>(s);
}

// Frames shorter than this may be refused by BPF_PROG_TEST_RUN itself: no
// Ethernet header (XDP), or for TC (bpf_prog_test_run_skb) also an IPv6
// frame without a whole IPv6 header.
inline size_t refused_below(Hook hook) { return hook == Hook::Xdp ? 14 : 14 + 40; }

struct Row {
    std::string description;
    std::function<void(DecapHarness&)> setup;
    Bytes input;
    bool drop;       // dropped, else passed
    Bytes expected;  // empty: the input, byte for byte (also for drops)
    srv6s_rx_reason reason;
};

inline uint64_t total(const std::array<srv6s_counter, SRV6S_RX_R_MAX>& c) {
    uint64_t n = 0;
    for (const auto& x : c)
        n += x.packets;
    return n;
}

// Runs input once on hook and checks verdict, output bytes (empty want:
// the input) and that exactly reason was counted, with the input's bytes.
inline void check_run(DecapHarness& h, Hook hook, const Bytes& input, int verdict, const Bytes& want,
                      srv6s_rx_reason reason) {
    const auto before = h.reasons();
    const DecapRun r = h.run(hook, input);
    EXPECT_EQ(r.verdict, verdict);
    const Bytes& expected = want.empty() ? input : want;
    EXPECT_TRUE(r.out == expected) << diff(r.out, expected);
    const auto after = h.reasons();
    for (uint32_t i = 0; i < SRV6S_RX_R_MAX; i++)
        EXPECT_EQ(after[i].packets - before[i].packets, i == uint32_t(reason) ? 1u : 0u) << "reason " << i;
    EXPECT_EQ(after[reason].bytes - before[reason].bytes, input.size());
}

// Each row on both hooks, each on a freshly loaded object; verdict(hook,
// row) is the verdict it must get.
template <class R, class V>
void run_rows_with(const std::vector<R>& rows, V verdict) {
    for (Hook hook : {Hook::Xdp, Hook::Tc}) {
        for (const R& row : rows) {
            SCOPED_TRACE(std::string(hook_name(hook)) + ": " + row.description);
            DecapHarness h;
            row.setup(h);
            check_run(h, hook, row.input, verdict(hook, row), row.expected, row.reason);
        }
    }
}

inline void run_rows(const std::vector<Row>& rows) {
    run_rows_with(rows, [](Hook h, const Row& r) { return r.drop ? drop_verdict(h) : pass_verdict(h); });
}

}  // namespace decaprows
