// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The TC egress program's encapsulation, run with BPF_PROG_TEST_RUN: what it
// pushes for flow, QP and prefix pins, the SRH, traffic class and flow label,
// the MTU checks, and bad input passed untouched (rows: tc_rows.hpp).
#include <gtest/gtest.h>

#include <set>

#include "tc_rows.hpp"

using namespace tcrows;
using srv6steer::SrhMode;

TEST(TcEgress, FlowPinsEncapsulateReduced) {
    const Addr6 v4h1 = mapped("10.0.1.10"), v4h2 = mapped("10.0.2.20");
    Bytes t6 = tcp6(kH1, kH2, 40000, 5201);
    Bytes u6 = udp6(kH1, kH2, 40001, 9000);
    Bytes t4 = tcp4("10.0.1.10", "10.0.2.20", 40002, 5201);
    Bytes u4 = udp4("10.0.1.10", "10.0.2.20", 40003, 9000);
    auto k_t6 = flow_key(kH1, kH2, kTcp, 40000, 5201);
    auto k_u6 = flow_key(kH1, kH2, kUdp, 40001, 9000);
    auto k_t4 = flow_key(v4h1, v4h2, kTcp, 40002, 5201);
    auto k_u4 = flow_key(v4h1, v4h2, kUdp, 40003, 9000);
    run_rows({
        {"IPv6 TCP flow pin -> reduced encap on spine 1",
         [&](TcHarness& h) { base(h); h.pin_flow(k_t6, 1); }, t6, kContinue,
         encapsulated(t6, kSrc, kViaSpine1, 0, expected_label(k_t6, 1)), SRV6S_R_STEERED},
        {"IPv6 UDP flow pin -> reduced encap on spine 2",
         [&](TcHarness& h) { base(h); h.pin_flow(k_u6, 2); }, u6, kContinue,
         encapsulated(u6, kSrc, kViaSpine2, 0, expected_label(k_u6, 2)), SRV6S_R_STEERED},
        {"IPv4 TCP flow pin -> IPv4-in-IPv6, ethertype 0x86dd",
         [&](TcHarness& h) { base(h); h.pin_flow(k_t4, 1); }, t4, kContinue,
         encapsulated(t4, kSrc, kViaSpine1, 0, expected_label(k_t4, 1)), SRV6S_R_STEERED},
        {"IPv4 UDP flow pin",
         [&](TcHarness& h) { base(h); h.pin_flow(k_u4, 2); }, u4, kContinue,
         encapsulated(u4, kSrc, kViaSpine2, 0, expected_label(k_u4, 2)), SRV6S_R_STEERED},
        {"hop limit from config",
         [&](TcHarness& h) { base(h); h.config(kSrc, SRV6S_CFG_ENABLED, 0, 17); h.pin_flow(k_t6, 1); },
         t6, kContinue, encapsulated(t6, kSrc, kViaSpine1, 0, expected_label(k_t6, 1), {}, 0, 17),
         SRV6S_R_STEERED},
        {"other port of the same hosts: miss, untouched",
         [&](TcHarness& h) { base(h); h.pin_flow(k_t6, 1); }, tcp6(kH1, kH2, 40000, 5202),
         kContinue, {}, SRV6S_R_NO_MATCH},
        {"reverse direction is another flow: untouched",
         [&](TcHarness& h) { base(h); h.pin_flow(k_t6, 1); }, tcp6(kH2, kH1, 5201, 40000),
         kContinue, {}, SRV6S_R_NO_MATCH},
        {"steering disabled: untouched",
         [&](TcHarness& h) { base(h); h.config(kSrc, 0); h.pin_flow(k_t6, 1); }, t6, kContinue,
         {}, SRV6S_R_DISABLED},
        {"no config at all: untouched",
         [&](TcHarness& h) { h.path(1, {kViaSpine1}); h.set(1, {1}); h.pin_flow(k_t6, 1); }, t6,
         kContinue, {}, SRV6S_R_DISABLED},
    });
}

TEST(TcEgress, SrhWithTwoThreeAndFourContainers) {
    Bytes t6 = tcp6(kH1, kH2, 40000, 5201, 0, 100);
    Bytes t4 = tcp4("10.0.1.10", "10.0.2.20", 40002, 5201);
    auto k6 = flow_key(kH1, kH2, kTcp, 40000, 5201);
    auto k4 = flow_key(mapped("10.0.1.10"), mapped("10.0.2.20"), kTcp, 40002, 5201);
    auto with = [&](std::vector<Addr6> containers, SrhMode mode, const srv6s_flow_key& k) {
        return [containers, mode, k](TcHarness& h) {
            h.config(kSrc);
            h.path(7, containers, mode);
            h.set(3, {7});
            h.pin_flow(k, 3);
        };
    };
    uint32_t l6 = expected_label(k6, 7), l4 = expected_label(k4, 7);
    run_rows({
        {"2 containers: DA=C1, SRH [C2], SL=1, LE=0", with({kViaSpine1, kC2}, SrhMode::Reduced, k6),
         t6, kContinue, encapsulated(t6, kSrc, kViaSpine1, 0, l6, {kC2}, 1), SRV6S_R_STEERED},
        {"3 containers: SRH [C3, C2], SL=2, LE=1",
         with({kViaSpine1, kC2, kC3}, SrhMode::Reduced, k6), t6, kContinue,
         encapsulated(t6, kSrc, kViaSpine1, 0, l6, {kC3, kC2}, 2), SRV6S_R_STEERED},
        {"4 containers: SRH [C4, C3, C2], SL=3, LE=2",
         with({kViaSpine1, kC2, kC3, kC4}, SrhMode::Reduced, k6), t6, kContinue,
         encapsulated(t6, kSrc, kViaSpine1, 0, l6, {kC4, kC3, kC2}, 3), SRV6S_R_STEERED},
        {"IPv4 inner with 3 containers: SRH next header 4",
         with({kViaSpine2, kC2, kC3}, SrhMode::Reduced, k4), t4, kContinue,
         encapsulated(t4, kSrc, kViaSpine2, 0, l4, {kC3, kC2}, 2), SRV6S_R_STEERED},
        {"full H.Encaps, 2 containers: SRH [C2, C1], SL=1, LE=1",
         with({kViaSpine1, kC2}, SrhMode::Full, k6), t6, kContinue,
         encapsulated(t6, kSrc, kViaSpine1, 0, l6, {kC2, kViaSpine1}, 1), SRV6S_R_STEERED},
    });
}

// Every SRH field read back from the output at its offset, for 1..8 SRH entries.
TEST(TcEgress, SrhFieldsForEveryLength) {
    Bytes t6 = tcp6(kH1, kH2, 40000, 5201);
    auto k6 = flow_key(kH1, kH2, kTcp, 40000, 5201);
    for (size_t n = 2; n <= SRV6S_MAX_SRH_SEGS + 1; n++) {
        SCOPED_TRACE(std::to_string(n) + " containers");
        std::vector<Addr6> c;
        for (size_t i = 0; i < n; i++) {
            Addr6 a = kViaSpine1;
            a[15] = static_cast<uint8_t>(i + 1);
            c.push_back(a);
        }
        TcHarness h;
        h.config(kSrc);
        h.path(1, c);
        h.set(1, {1});
        h.pin_flow(k6, 1);
        RunResult r = h.run(t6);
        ASSERT_EQ(r.verdict, kContinue);
        size_t srh_len = 8 + 16 * (n - 1);
        ASSERT_EQ(r.out.size(), t6.size() + 40 + srh_len);
        const uint8_t* ip = r.out.data() + 14;
        const uint8_t* srh = ip + 40;
        EXPECT_EQ(ip[6], 43) << "outer next header: routing";
        EXPECT_EQ((ip[4] << 8 | ip[5]), int(r.out.size() - 14 - 40)) << "payload length";
        EXPECT_EQ(0, std::memcmp(ip + 24, c[0].data(), 16)) << "DA = first container";
        EXPECT_EQ(srh[0], 41) << "SRH next header";
        EXPECT_EQ(srh[1], 2 * (n - 1)) << "hdr ext len";
        EXPECT_EQ(srh[2], 4) << "routing type";
        EXPECT_EQ(srh[3], n - 1) << "segments left";
        EXPECT_EQ(srh[4], n - 2) << "last entry";
        EXPECT_EQ(srh[5], 0) << "flags";
        EXPECT_EQ(srh[6] | srh[7], 0) << "tag";
        for (size_t i = 0; i + 1 < n; i++)
            EXPECT_EQ(0, std::memcmp(srh + 8 + 16 * i, c[n - 1 - i].data(), 16))
                << "segment " << i << " is container " << n - i;
        EXPECT_EQ(0, std::memcmp(srh + srh_len, t6.data() + 14, t6.size() - 14)) << "inner";
    }
}

TEST(TcEgress, QpPrefixAndPrecedence) {
    const uint32_t kQp = 0x000123, kOtherQp = 0x000124;
    Bytes r1 = roce6(kH1, kH2, 50000, kQp);
    Bytes r2 = roce6(kH1, kH2, 50000, kOtherQp);
    Bytes big_qp = roce6(kH1, kH2, 50001, 0xabcdef);
    auto kr1 = flow_key(kH1, kH2, kUdp, 50000, 4791);
    auto kbig = flow_key(kH1, kH2, kUdp, 50001, 4791);
    Bytes t6 = tcp6(kH1, kH3, 40000, 5201);
    auto k3 = flow_key(kH1, kH3, kTcp, 40000, 5201);
    Bytes t4 = tcp4("10.0.1.10", "10.0.3.30", 40002, 5201);
    auto k4 = flow_key(mapped("10.0.1.10"), mapped("10.0.3.30"), kTcp, 40002, 5201);
    run_rows({
        {"QP pin: RoCEv2 to (H2, QP 0x123) -> spine 2",
         [&](TcHarness& h) { base(h); h.pin_qp(kH2, kQp, 2); }, r1, kContinue,
         encapsulated(r1, kSrc, kViaSpine2, 0, expected_label(kr1, 2)), SRV6S_R_STEERED},
        {"another QP on the same host: untouched",
         [&](TcHarness& h) { base(h); h.pin_qp(kH2, kQp, 2); }, r2, kContinue, {},
         SRV6S_R_NO_MATCH},
        {"24-bit QP 0xabcdef read whole",
         [&](TcHarness& h) { base(h); h.pin_qp(kH2, 0xabcdef, 1); }, big_qp, kContinue,
         encapsulated(big_qp, kSrc, kViaSpine1, 0, expected_label(kbig, 1)), SRV6S_R_STEERED},
        {"QP pin does not apply to non-RoCE UDP to the same host",
         [&](TcHarness& h) { base(h); h.pin_qp(kH2, kQp, 2); }, udp6(kH1, kH2, 50000, 4790),
         kContinue, {}, SRV6S_R_NO_MATCH},
        {"prefix fallback (IPv6 /64)",
         [&](TcHarness& h) { base(h); h.pin_prefix(a6("fcbb:0:800:3::"), 64, 2); }, t6, kContinue,
         encapsulated(t6, kSrc, kViaSpine2, 0, expected_label(k3, 2)), SRV6S_R_STEERED},
        {"prefix fallback (IPv4 /24 as ::ffff:0:0/120)",
         [&](TcHarness& h) { base(h); h.pin_prefix(mapped("10.0.3.0"), 96 + 24, 1); }, t4,
         kContinue, encapsulated(t4, kSrc, kViaSpine1, 0, expected_label(k4, 1)), SRV6S_R_STEERED},
        {"longer prefix wins over shorter",
         [&](TcHarness& h) {
             base(h);
             h.pin_prefix(a6("fcbb:0:800::"), 48, 1);
             h.pin_prefix(a6("fcbb:0:800:3::"), 64, 2);
         },
         t6, kContinue, encapsulated(t6, kSrc, kViaSpine2, 0, expected_label(k3, 2)), SRV6S_R_STEERED},
        {"flow pin wins over prefix pin",
         [&](TcHarness& h) {
             base(h);
             h.pin_prefix(a6("fcbb:0:800:3::"), 64, 2);
             h.pin_flow(k3, 1);
         },
         t6, kContinue, encapsulated(t6, kSrc, kViaSpine1, 0, expected_label(k3, 1)), SRV6S_R_STEERED},
        {"flow pin wins over QP pin",
         [&](TcHarness& h) {
             base(h);
             h.pin_qp(kH2, kQp, 2);
             h.pin_flow(kr1, 1);
         },
         r1, kContinue, encapsulated(r1, kSrc, kViaSpine1, 0, expected_label(kr1, 1)), SRV6S_R_STEERED},
        {"QP pin wins over prefix pin",
         [&](TcHarness& h) {
             base(h);
             h.pin_prefix(a6("fcbb:0:800:2::"), 64, 1);
             h.pin_qp(kH2, kQp, 2);
         },
         r1, kContinue, encapsulated(r1, kSrc, kViaSpine2, 0, expected_label(kr1, 2)), SRV6S_R_STEERED},
        {"NO_FLOWS (user space: flows map empty) skips the flow lookup",
         [&](TcHarness& h) {
             base(h);
             h.config(kSrc, SRV6S_CFG_ENABLED | SRV6S_CFG_NO_FLOWS);
             h.pin_flow(k3, 1);
             h.pin_prefix(a6("fcbb:0:800:3::"), 64, 2);
         },
         t6, kContinue, encapsulated(t6, kSrc, kViaSpine2, 0, expected_label(k3, 2)), SRV6S_R_STEERED},
        {"NO_QPS skips the QP lookup",
         [&](TcHarness& h) {
             base(h);
             h.config(kSrc, SRV6S_CFG_ENABLED | SRV6S_CFG_NO_QPS);
             h.pin_qp(kH2, kQp, 2);
         },
         r1, kContinue, {}, SRV6S_R_NO_MATCH},
        {"NO_PREFIXES skips the prefix lookup",
         [&](TcHarness& h) {
             base(h);
             h.config(kSrc, SRV6S_CFG_ENABLED | SRV6S_CFG_NO_PREFIXES);
             h.pin_prefix(a6("fcbb:0:800:3::"), 64, 2);
         },
         t6, kContinue, {}, SRV6S_R_NO_MATCH},
        {"prefix for another destination: miss, byte-identical",
         [&](TcHarness& h) { base(h); h.pin_prefix(a6("fcbb:0:800:9::"), 64, 1); }, t6, kContinue,
         {}, SRV6S_R_NO_MATCH},
    });
}

TEST(TcEgress, TrafficClassAndFlowLabel) {
    Bytes t6 = tcp6(kH1, kH2, 40000, 5201, 0xb9);  // DSCP 46 (EF), ECN 01
    Bytes t4 = tcp4("10.0.1.10", "10.0.2.20", 40002, 5201, 0x8b);  // DSCP 34, ECN 11 (CE)
    auto k6 = flow_key(kH1, kH2, kTcp, 40000, 5201);
    auto k4 = flow_key(mapped("10.0.1.10"), mapped("10.0.2.20"), kTcp, 40002, 5201);
    run_rows({
        {"IPv6 traffic class copied to the outer header",
         [&](TcHarness& h) { base(h); h.pin_flow(k6, 1); }, t6, kContinue,
         encapsulated(t6, kSrc, kViaSpine1, 0xb9, expected_label(k6, 1)), SRV6S_R_STEERED},
        {"IPv4 TOS (DSCP + ECN CE) copied to the outer traffic class",
         [&](TcHarness& h) { base(h); h.pin_flow(k4, 1); }, t4, kContinue,
         encapsulated(t4, kSrc, kViaSpine1, 0x8b, expected_label(k4, 1)), SRV6S_R_STEERED},
    });

    // Stable per flow, the path id (1) in the low 12 bits, 8 bits of hash
    // above that differ across flows, never 0.
    TcHarness h;
    base(h);
    h.pin_prefix(a6("fcbb:0:800:2::"), 64, 1);
    std::set<uint32_t> labels;
    for (uint16_t port = 1000; port < 1200; port++) {
        Bytes p = tcp6(kH1, kH2, port, 5201);
        RunResult a = h.run(p), b = h.run(p);
        ASSERT_EQ(a.out, b.out) << "same flow, same bytes";
        const uint32_t label = label_of(a.out);
        EXPECT_NE(label, 0u);
        EXPECT_EQ(label, expected_label(flow_key(kH1, kH2, kTcp, port, 5201), 1));
        EXPECT_EQ(label & 0xfff, 1u) << "path id";
        EXPECT_NE(label >> 12, 0u) << "hash bits never 0";
        labels.insert(label);
    }
    // 200 flows over 255 values of the hash bits: ~140 distinct expected.
    EXPECT_GE(labels.size(), 120u) << "the hash bits should spread 200 flows";
}

TEST(TcEgress, MtuChecks) {
    // 1500-byte L3 MTU; a 1460-byte inner packet fits a reduced encap exactly.
    auto fits = Builder().eth(0x86dd).ipv6(kH1, kH2, kTcp).tcp(40000, 5201).payload(1400).build();
    auto too_big = Builder().eth(0x86dd).ipv6(kH1, kH2, kTcp).tcp(40000, 5201).payload(1401).build();
    auto k6 = flow_key(kH1, kH2, kTcp, 40000, 5201);
    auto setup = [&](uint32_t flags) {
        return [=](TcHarness& h) { base(h); h.config(kSrc, SRV6S_CFG_ENABLED | flags, 1500); h.pin_flow(k6, 1); };
    };
    run_rows({
        {"exactly the MTU after encap: steered", setup(0), fits, kContinue,
         encapsulated(fits, kSrc, kViaSpine1, 0, expected_label(k6, 1)), SRV6S_R_STEERED},
        {"one byte over: passed unencapsulated and counted", setup(0), too_big, kContinue, {},
         SRV6S_R_MTU_PASSED},
        {"one byte over with DROP_OVERSIZE: dropped and counted",
         setup(SRV6S_CFG_DROP_OVERSIZE), too_big, kDrop, {}, SRV6S_R_MTU_DROPPED},
    });

    // GSO: segments (headers + gso_size) are what must fit, and only with FIXED_GSO.
    auto gso = Builder().eth(0x86dd).ipv6(kH1, kH2, kTcp).tcp(40000, 5201).payload(3000).build();
    auto gso_run = [&](uint32_t flags, uint32_t gso_size) {
        TcHarness h;
        base(h);
        h.config(kSrc, SRV6S_CFG_ENABLED | flags, 1500);
        h.pin_flow(k6, 1);
        __sk_buff ctx{};
        ctx.gso_size = gso_size;
        ctx.gso_segs = 3;
        auto before = h.reasons();
        h.run(gso, &ctx);
        auto after = h.reasons();
        for (uint32_t r = 0; r < SRV6S_R_MAX; r++)
            if (after[r].packets != before[r].packets)
                return static_cast<srv6s_reason>(r);
        return SRV6S_R_MAX;
    };
    // BPF_PROG_TEST_RUN cannot build a real GSO skb (no gso_type), so the
    // kernel refuses to grow the ones that pass the check: what is asserted
    // here is the MTU decision. Real GSO traffic runs in the e2e tests.
    EXPECT_EQ(gso_run(SRV6S_CFG_FIXED_GSO, 1400), SRV6S_R_ADJUST_ROOM_FAILED)
        << "60+1400+40 = 1500 fits: past the MTU check";
    EXPECT_EQ(gso_run(SRV6S_CFG_FIXED_GSO, 1401), SRV6S_R_MTU_PASSED) << "1501 does not fit";
    EXPECT_EQ(gso_run(0, 1460), SRV6S_R_ADJUST_ROOM_FAILED)
        << "without FIXED_GSO the kernel shrinks gso_size: no MTU check";
}

// ---- bad input: untouched, counted, never an error ----------------------------

TEST(TcEgress, MalformedHeadersPassUntouched) {
    auto pin_all = [](TcHarness& h) {
        base(h);
        h.pin_prefix(a6("::"), 0, 1);  // everything matches a prefix
    };
    Bytes bad_ihl = tcp4("10.0.1.10", "10.0.2.20", 1, 2);
    bad_ihl[14] = 0x44;  // IHL 4
    Bytes bad_v4_version = tcp4("10.0.1.10", "10.0.2.20", 1, 2);
    bad_v4_version[14] = 0x65;
    Bytes bad_v6_version = tcp6(kH1, kH2, 1, 2);
    bad_v6_version[14] = 0x40;
    Bytes short_totlen = tcp4("10.0.1.10", "10.0.2.20", 1, 2);
    short_totlen[16] = 0;
    short_totlen[17] = 19;  // tot_len < IHL
    Bytes long_totlen = tcp4("10.0.1.10", "10.0.2.20", 1, 2);
    long_totlen[17] += 1;  // one byte more than the frame has
    Bytes long_payload = tcp6(kH1, kH2, 1, 2);
    long_payload[19] += 1;
    Bytes tcp_doff = tcp6(kH1, kH2, 1, 2);
    tcp_doff[14 + 40 + 12] = 0x40;  // doff 4
    Bytes arp = Builder().eth(0x0806).payload(28).build();
    Bytes vlan = Builder().eth(0x8100).payload(60).build();

    // 8 extension headers are walked; a 9th is too many.
    Builder eight;
    eight.eth(0x86dd).ipv6(kH1, kH2, 0);
    for (int i = 0; i < 7; i++)
        eight.ext(60);
    eight.ext(kTcp).tcp(40000, 5201).payload(8);
    Bytes eight_ok = eight.build();
    Builder nine;
    nine.eth(0x86dd).ipv6(kH1, kH2, 0);
    for (int i = 0; i < 8; i++)
        nine.ext(60);
    nine.ext(kTcp).tcp(1, 2).payload(8);
    Bytes ext_hdr_beyond = Builder().eth(0x86dd).ipv6(kH1, kH2, 60).ext(58, 200).build();
    ext_hdr_beyond[18] = 0;
    ext_hdr_beyond[19] = 8;  // payload length 8, but the header claims 1608 bytes

    auto k7 = flow_key(kH1, kH2, kTcp, 40000, 5201);
    run_rows({
        {"IPv4 IHL < 5", pin_all, bad_ihl, kContinue, {}, SRV6S_R_BAD_HEADER},
        {"IPv4 frame with version 6", pin_all, bad_v4_version, kContinue, {}, SRV6S_R_BAD_HEADER},
        {"IPv6 frame with version 4", pin_all, bad_v6_version, kContinue, {}, SRV6S_R_BAD_HEADER},
        {"IPv4 total length below the header", pin_all, short_totlen, kContinue, {},
         SRV6S_R_BAD_HEADER},
        {"IPv4 total length beyond the frame", pin_all, long_totlen, kContinue, {},
         SRV6S_R_TRUNCATED},
        {"IPv6 payload length beyond the frame", pin_all, long_payload, kContinue, {},
         SRV6S_R_TRUNCATED},
        {"TCP data offset < 5", pin_all, tcp_doff, kContinue, {}, SRV6S_R_BAD_HEADER},
        {"ARP", pin_all, arp, kContinue, {}, SRV6S_R_NOT_IP},
        {"VLAN-tagged frame", pin_all, vlan, kContinue, {}, SRV6S_R_NOT_IP},
        {"8 extension headers then TCP: ports found, flow pin applies",
         [&](TcHarness& h) { base(h); h.pin_flow(k7, 2); }, eight_ok, kContinue,
         encapsulated(eight_ok, kSrc, kViaSpine2, 0, expected_label(k7, 2)), SRV6S_R_STEERED},
        {"9 extension headers: too many", pin_all, nine.build(), kContinue, {},
         SRV6S_R_EXT_HDR_LIMIT},
        {"extension header longer than the payload", pin_all, ext_hdr_beyond, kContinue, {},
         SRV6S_R_TRUNCATED},
    });
}

TEST(TcEgress, FragmentsFollowPrefixPinsOnly) {
    auto k = flow_key(mapped("10.0.1.10"), mapped("10.0.2.20"), kTcp, 40002, 5201);
    Bytes first = tcp4("10.0.1.10", "10.0.2.20", 40002, 5201, 0, 0x2000);  // MF
    Bytes later = Builder().eth(0x0800).ipv4("10.0.1.10", "10.0.2.20", kTcp, 0, 0x0010).payload(64).build();
    Bytes frag6_first = Builder().eth(0x86dd).ipv6(kH1, kH2, 44).frag6(kUdp, 0, true).udp(1, 2).payload(64).build();
    Bytes frag6_later = Builder().eth(0x86dd).ipv6(kH1, kH2, 44).frag6(kUdp, 9, false).payload(64).build();
    auto fk4 = flow_key(mapped("10.0.1.10"), mapped("10.0.2.20"), kTcp, 0, 0);
    auto fk6 = flow_key(kH1, kH2, kUdp, 0, 0);
    run_rows({
        {"IPv4 first fragment with only a flow pin: untouched",
         [&](TcHarness& h) { base(h); h.pin_flow(k, 1); }, first, kContinue, {},
         SRV6S_R_FRAGMENT},
        {"IPv4 later fragment with only a flow pin: untouched",
         [&](TcHarness& h) { base(h); h.pin_flow(k, 1); }, later, kContinue, {},
         SRV6S_R_FRAGMENT},
        {"IPv4 first fragment, prefix pin: steered, hashed without ports",
         [&](TcHarness& h) { base(h); h.pin_prefix(mapped("10.0.2.0"), 120, 2); }, first,
         kContinue, encapsulated(first, kSrc, kViaSpine2, 0, expected_label(fk4, 2)),
         SRV6S_R_STEERED},
        {"IPv4 later fragment, prefix pin: same label as the first",
         [&](TcHarness& h) { base(h); h.pin_prefix(mapped("10.0.2.0"), 120, 2); }, later,
         kContinue, encapsulated(later, kSrc, kViaSpine2, 0, expected_label(fk4, 2)),
         SRV6S_R_STEERED},
        {"IPv6 first fragment, flow pin only: untouched",
         [&](TcHarness& h) { base(h); h.pin_flow(flow_key(kH1, kH2, kUdp, 1, 2), 1); },
         frag6_first, kContinue, {}, SRV6S_R_FRAGMENT},
        {"IPv6 later fragment, prefix pin: steered",
         [&](TcHarness& h) { base(h); h.pin_prefix(kH2, 128, 1); }, frag6_later, kContinue,
         encapsulated(frag6_later, kSrc, kViaSpine1, 0, expected_label(fk6, 1)), SRV6S_R_STEERED},
    });
}

TEST(TcEgress, AlreadyEncapsulatedPassesUntouched) {
    auto pin_all = [](TcHarness& h) {
        base(h);
        h.pin_prefix(a6("::"), 0, 1);
    };
    Bytes inner = tcp6(kH1, kH2, 1, 2);
    Bytes srv6 = Builder().eth(0x86dd).ipv6(kSrc, kViaSpine1, 43).srh(41, 1, {kC2})
                     .raw(inner.data() + 14, inner.size() - 14).build();
    Bytes reduced = Builder().eth(0x86dd).ipv6(kSrc, kViaSpine1, 41)
                        .raw(inner.data() + 14, inner.size() - 14).build();
    Bytes ip4in6 = Builder().eth(0x86dd).ipv6(kSrc, kViaSpine1, 4)
                       .ipv4("10.0.1.10", "10.0.2.20", kTcp).tcp(1, 2).build();
    Bytes ip6in4 = Builder().eth(0x0800).ipv4("10.0.1.10", "10.0.2.20", 41)
                       .raw(inner.data() + 14, inner.size() - 14).build();
    Bytes srh_after_hbh = Builder().eth(0x86dd).ipv6(kSrc, kViaSpine1, 0).ext(43)
                              .srh(41, 1, {kC2}).raw(inner.data() + 14, inner.size() - 14).build();
    Bytes other_routing = Builder().eth(0x86dd).ipv6(kH1, kH2, 43).ext(kTcp, 0, 2)
                              .tcp(1, 2).payload(8).build();
    run_rows({
        {"SRv6 with SRH", pin_all, srv6, kContinue, {}, SRV6S_R_ALREADY_ENCAP},
        {"reduced SRv6 (IPv6 in IPv6)", pin_all, reduced, kContinue, {}, SRV6S_R_ALREADY_ENCAP},
        {"IPv4 in IPv6", pin_all, ip4in6, kContinue, {}, SRV6S_R_ALREADY_ENCAP},
        {"IPv6 in IPv4", pin_all, ip6in4, kContinue, {}, SRV6S_R_ALREADY_ENCAP},
        {"SRH behind a hop-by-hop header", pin_all, srh_after_hbh, kContinue, {},
         SRV6S_R_ALREADY_ENCAP},
        {"a non-SRH routing header (type 2) is walked, not refused", pin_all, other_routing,
         kContinue,
         encapsulated(other_routing, kSrc, kViaSpine1, 0,
                      expected_label(flow_key(kH1, kH2, kTcp, 1, 2), 1)),
         SRV6S_R_STEERED},
    });
}

// Every truncation of valid packets, with everything pinned: untouched.
TEST(TcEgress, EveryTruncationPassesUntouched) {
    TcHarness h;
    base(h);
    h.pin_prefix(a6("::"), 0, 1);
    std::vector<std::pair<std::string, Bytes>> packets = {
        {"ipv6 tcp", tcp6(kH1, kH2, 1, 2)},
        {"ipv6 udp", udp6(kH1, kH2, 1, 2)},
        {"ipv6 roce", roce6(kH1, kH2, 1, 7)},
        {"ipv4 tcp with options",
         tcp4("10.0.1.10", "10.0.2.20", 1, 2, 0, 0, Bytes{1, 1, 1, 1, 0x44, 4, 5, 0})},
        {"ipv4 udp", udp4("10.0.1.10", "10.0.2.20", 1, 2)},
        {"ipv6 with ext headers",
         Builder().eth(0x86dd).ipv6(kH1, kH2, 0).ext(60).ext(kTcp, 1).tcp(1, 2).payload(4).build()},
    };
    for (auto& [name, full] : packets) {
        ASSERT_NE(h.run(full).out, full) << name << " whole is steered";
        // BPF_PROG_TEST_RUN itself refuses frames shorter than the fixed IP
        // header their ethertype announces; every other length reaches us.
        size_t l3_min = 14 + (full[12] == 0x86 ? 40 : 20);
        for (size_t len = 14; len < full.size(); len++) {
            Bytes cut(full.begin(), full.begin() + static_cast<long>(len));
            RunResult r;
            int err = h.try_run(cut, r);
            if (err) {
                EXPECT_LT(len, l3_min) << name << " cut at " << len << ": " << strerror(err);
                continue;
            }
            EXPECT_EQ(r.verdict, kContinue) << name << " cut at " << len;
            EXPECT_EQ(r.out, cut) << name << " cut at " << len;
        }
    }
    auto reasons = h.reasons();
    EXPECT_EQ(reasons[SRV6S_R_STEERED].packets, packets.size());
}
