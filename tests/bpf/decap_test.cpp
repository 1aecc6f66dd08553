// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The receive side (bpf/srv6steer_decap.bpf.c), XDP and TC ingress, run with
// BPF_PROG_TEST_RUN: reduced and SRH decapsulation of IPv4 and IPv6 by uDT4,
// uDT6 and uDT46 SIDs; what passes untouched (not ours, behaviour mismatch,
// extension headers, malformed); every truncation (rows: decap_rows.hpp).
// ECN and the counters: decap_ecn_test.cpp.
#include <gtest/gtest.h>

#include "decap_rows.hpp"

using namespace decaprows;

namespace {

constexpr bool kPass = false;

TEST(Decap, ReducedAndSrhByEveryBehaviour) {
    const Bytes i6 = inner6(), i4 = inner4();
    const Bytes big6 = inner6(0, 1400), big4 = inner4(0, 1400);
    run_rows({
        {"uDT6, reduced IPv6-in-IPv6", base, arriving(i6, kSid6), kPass, i6, SRV6S_RX_DECAPSULATED},
        {"uDT4, reduced IPv4-in-IPv6: ethertype 0x0800", base, arriving(i4, kSid4), kPass, i4,
         SRV6S_RX_DECAPSULATED},
        {"uDT46, reduced, IPv6 inner", base, arriving(i6, kSid46), kPass, i6, SRV6S_RX_DECAPSULATED},
        {"uDT46, reduced, IPv4 inner", base, arriving(i4, kSid46), kPass, i4, SRV6S_RX_DECAPSULATED},
        {"uDT6, SRH [SID] (full form, SL 0)", base, arriving(i6, kSid6, 0, {kSid6}), kPass, i6,
         SRV6S_RX_DECAPSULATED},
        {"uDT6, SRH [SID, earlier] SL 0", base, arriving(i6, kSid6, 0, {kSid6, kSeg1}), kPass, i6,
         SRV6S_RX_DECAPSULATED},
        {"uDT4, SRH of 4 segments, SL 0", base, arriving(i4, kSid4, 0, {kSid4, kSeg1, kSeg1, kSeg1}),
         kPass, i4, SRV6S_RX_DECAPSULATED},
        {"uDT46, SRH, IPv4 inner", base, arriving(i4, kSid46, 0, {kSid46, kSeg1}), kPass, i4,
         SRV6S_RX_DECAPSULATED},
        {"1400-byte IPv6 payload, reduced", base, arriving(big6, kSid6), kPass, big6, SRV6S_RX_DECAPSULATED},
        {"1400-byte IPv4 payload, SRH", base, arriving(big4, kSid4, 0, {kSid4}), kPass, big4,
         SRV6S_RX_DECAPSULATED},
        {"any address inside the SID's /64", base,
         arriving(i6, a6("fcbb:0:e002:fe06:1234::1")), kPass, i6, SRV6S_RX_DECAPSULATED},
        {"outer hop limit and traffic class DSCP do not reach the inner packet", base,
         arriving(i6, kSid6, 0xb8), kPass, i6, SRV6S_RX_DECAPSULATED},
        {"Ethernet trailer behind the outer payload is kept", base,
         [&] { Bytes f = arriving(i4, kSid4); f.insert(f.end(), 6, 0); return f; }(), kPass,
         [&] { Bytes f = i4; f.insert(f.end(), 6, 0); return f; }(), SRV6S_RX_DECAPSULATED},
        {"longest match: /64 uDT46 inside a /48 uDT6",
         [](DecapHarness& h) {
             h.config();
             h.sid(a6("fcbb:0:e002::"), 48, SRV6S_SID_UDT6);
             h.sid(kSid46, 64, SRV6S_SID_UDT46);
         },
         arriving(i4, kSid46), kPass, i4, SRV6S_RX_DECAPSULATED},
        {"ECN drop switched off: decapsulated all the same",
         [](DecapHarness& h) { base(h); h.config(SRV6S_RX_CFG_ENABLED); }, arriving(i6, kSid6), kPass, i6,
         SRV6S_RX_DECAPSULATED},
    });
}

TEST(Decap, NotOursAndMismatchesPassUntouched) {
    const Bytes i6 = inner6(), i4 = inner4();
    const Bytes icmp = Builder().raw(std::vector<uint8_t>{128, 0, 0, 0, 0, 1, 0, 1}).payload(16).build();
    run_rows({
        {"another host's SID", base, arriving(i6, kOtherHost), kPass, {}, SRV6S_RX_NOT_OURS},
        {"a plain address of ours, not a SID", base, arriving(i6, kH2), kPass, {}, SRV6S_RX_NOT_OURS},
        {"just outside the SID's /64", base, arriving(i6, a6("fcbb:0:e002:fe07::")), kPass, {},
         SRV6S_RX_NOT_OURS},
        {"no SIDs at all", [](DecapHarness& h) { h.config(); }, arriving(i6, kSid6), kPass, {},
         SRV6S_RX_NOT_OURS},
        {"SID entry with behaviour 0", [](DecapHarness& h) { h.config(); h.sid(kSid6, 64, 0); },
         arriving(i6, kSid6), kPass, {}, SRV6S_RX_NOT_OURS},
        {"SID entry with behaviour 9", [](DecapHarness& h) { h.config(); h.sid(kSid6, 64, 9); },
         arriving(i6, kSid6), kPass, {}, SRV6S_RX_NOT_OURS},
        {"uDT6 SID, IPv4 inside", base, arriving(i4, kSid6), kPass, {}, SRV6S_RX_MISMATCH},
        {"uDT4 SID, IPv6 inside", base, arriving(i6, kSid4), kPass, {}, SRV6S_RX_MISMATCH},
        {"uDT4 SID, IPv6 inside an SRH", base, arriving(i6, kSid4, 0, {kSid4}), kPass, {},
         SRV6S_RX_MISMATCH},
        {"longest match: /64 uDT6 inside a /48 uDT46, IPv4 inside",
         [](DecapHarness& h) {
             h.config();
             h.sid(a6("fcbb:0:e002::"), 48, SRV6S_SID_UDT46);
             h.sid(kSid6, 64, SRV6S_SID_UDT6);
         },
         arriving(i4, kSid6), kPass, {}, SRV6S_RX_MISMATCH},
        {"decapsulation disabled", [](DecapHarness& h) { base(h); h.config(SRV6S_RX_CFG_ECN_DROP_NOT_ECT); },
         arriving(i6, kSid6), kPass, {}, SRV6S_RX_DISABLED},
        {"no config written", [](DecapHarness& h) { h.sid(kSid6, 64, SRV6S_SID_UDT6); }, arriving(i6, kSid6),
         kPass, {}, SRV6S_RX_DISABLED},
        {"plain IPv4 frame", base, i4, kPass, {}, SRV6S_RX_NOT_IPV6},
        {"plain IPv6 frame to a non-SID", base, i6, kPass, {}, SRV6S_RX_NOT_OURS},
        {"ARP", base, Builder().eth(0x0806).payload(28).build(), kPass, {}, SRV6S_RX_NOT_IPV6},
        {"802.1Q-tagged SRv6 frame (not parsed)", base,
         [&] {
             Bytes f = arriving(i6, kSid6);
             const uint8_t tag[4] = {0x81, 0x00, 0x00, 0x0a};
             f.insert(f.begin() + 12, tag, tag + 4);
             return f;
         }(),
         kPass, {}, SRV6S_RX_NOT_IPV6},
        {"ICMPv6 to the SID (a probe, say)", base, outer_with(kIcmp6, icmp), kPass, {}, SRV6S_RX_NOT_ENCAP},
        {"UDP to the SID", base,
         outer_with(kUdp, Builder().udp(1, 2).payload(8).build()), kPass, {}, SRV6S_RX_NOT_ENCAP},
        {"SRH with segments left 1", base, arriving(i6, kSid6, 0, {kSeg1, kSid6}, 1), kPass, {},
         SRV6S_RX_SEGMENTS_LEFT},
        {"hop-by-hop options before the inner packet", base,
         outer_with(0, Builder().ext(41).raw(ip_of(i6)).build()), kPass, {}, SRV6S_RX_EXT_HDR},
        {"destination options before the inner packet", base,
         outer_with(60, Builder().ext(4).raw(ip_of(i4)).build(), kSid46), kPass, {}, SRV6S_RX_EXT_HDR},
        {"destination options after the SRH", base,
         outer_with(43, Builder().srh(60, 0, {kSid6}).ext(41).raw(ip_of(i6)).build()), kPass, {},
         SRV6S_RX_EXT_HDR},
        {"fragment header", base, outer_with(44, Builder().frag6(41, 0, true).raw(ip_of(i6)).build()), kPass,
         {}, SRV6S_RX_EXT_HDR},
        {"routing header type 2 (not an SRH)", base,
         outer_with(43, Builder().ext(41, 2, 2).raw(ip_of(i6)).build()), kPass, {}, SRV6S_RX_EXT_HDR},
        {"ESP", base, outer_with(50, Bytes(64, 0xab)), kPass, {}, SRV6S_RX_EXT_HDR},
    });
}

TEST(Decap, MalformedPassesUntouched) {
    const Bytes i6 = inner6(), i4 = inner4();
    auto patched = [](Bytes f, size_t at, uint8_t v) {
        f[at] = v;
        return f;
    };
    const Bytes red6 = arriving(i6, kSid6), red4 = arriving(i4, kSid4);
    const Bytes srh6 = arriving(i6, kSid6, 0, {kSid6, kSeg1});
    const size_t srh = 14 + 40, plen = 14 + 4;
    run_rows({
        {"outer version 4 under ethertype IPv6", base, patched(red6, 14, 0x40), kPass, {},
         SRV6S_RX_BAD_HEADER},
        {"outer payload length one past the frame", base,
         patched(red6, plen + 1, uint8_t(red6[plen + 1] + 1)), kPass, {}, SRV6S_RX_TRUNCATED},
        {"outer payload length 0", base, patched(patched(red6, plen, 0), plen + 1, 0), kPass, {},
         SRV6S_RX_TRUNCATED},
        {"outer payload length shorter than the inner header", base, patched(patched(red6, plen, 0), plen + 1, 39),
         kPass, {}, SRV6S_RX_TRUNCATED},
        {"SRH last entry beyond its length", base, patched(srh6, srh + 4, 2), kPass, {}, SRV6S_RX_BAD_HEADER},
        {"SRH length beyond the payload", base, patched(srh6, srh + 1, 200), kPass, {}, SRV6S_RX_TRUNCATED},
        {"SRH length 0 (no room for a segment)", base, patched(srh6, srh + 1, 0), kPass, {},
         SRV6S_RX_BAD_HEADER},
        {"inner version 4 behind next header 41", base, patched(red6, 54, 0x45), kPass, {},
         SRV6S_RX_BAD_INNER},
        {"inner version 6 behind next header 4", base, patched(red4, 54, 0x60), kPass, {},
         SRV6S_RX_BAD_INNER},
        {"inner IPv4 IHL 4", base, patched(red4, 54, 0x44), kPass, {}, SRV6S_RX_BAD_INNER},
        {"inner IPv4 IHL 15, beyond the packet", base,
         [&] {
             Bytes f = arriving(Builder().eth(0x0800).ipv4(kV4Src, kV4Dst, kTcp).build(), kSid4);
             f[54] = 0x4f;
             return f;
         }(),
         kPass, {}, SRV6S_RX_TRUNCATED},
        {"inner IPv6 header cut short by the payload length", base,
         patched(patched(arriving(i6, kSid6), plen, 0), plen + 1, 20), kPass, {}, SRV6S_RX_TRUNCATED},
    });
}

// SRV6S_RX_CFG_BLOCK: destinations outside the block (fcbb:0:e002::/48, where
// base()'s SIDs are) are not ours without a lookup, even where a SID would
// match; inside it, lookups as usual.
TEST(Decap, BlockFilterSkipsTheLookupOutsideTheBlock) {
    const Bytes i6 = inner6();
    const Addr6 other_block = a6("fcbb:1:e002:fe06::");
    auto with_block = [other_block](uint32_t flags, const char* block, uint32_t len) {
        return [=](DecapHarness& h) {
            base(h);
            h.sid(other_block, 64, SRV6S_SID_UDT6);
            h.config(flags, a6(block), len);
        };
    };
    const uint32_t on = SRV6S_RX_CFG_DEFAULT | SRV6S_RX_CFG_BLOCK;
    run_rows({
        {"in the block /48: decapsulated", with_block(on, "fcbb:0:e002::", 48), arriving(i6, kSid6), kPass, i6,
         SRV6S_RX_DECAPSULATED},
        {"in the block /64: decapsulated", with_block(on, "fcbb:0:e002:fe06::", 64), arriving(i6, kSid6), kPass,
         i6, SRV6S_RX_DECAPSULATED},
        {"outside the block, though a SID matches: not ours", with_block(on, "fcbb:0:e002::", 48),
         arriving(i6, other_block), kPass, {}, SRV6S_RX_NOT_OURS},
        {"a host address of the same /32 is outside a /48 block", with_block(on, "fcbb:0:e002::", 48),
         arriving(i6, kH2), kPass, {}, SRV6S_RX_NOT_OURS},
        {"filter off: the block is ignored", with_block(SRV6S_RX_CFG_DEFAULT, "2001:db8::", 32),
         arriving(i6, other_block), kPass, i6, SRV6S_RX_DECAPSULATED},
        {"a wrong block hides every SID (user space must not set it so)", with_block(on, "fcbb:0:e003::", 48),
         arriving(i6, kSid6), kPass, {}, SRV6S_RX_NOT_OURS},
    });
}

// Every length of valid frames cut short: untouched, counted truncated.
// The kernel refuses test runs of frames without an Ethernet header, and
// for TC also of IPv6 frames without a whole IPv6 header (kRefusedBelow).
TEST(Decap, EveryTruncationLengthPassesUntouched) {
    struct Frame {
        std::string name;
        Bytes inner, full;
    };
    const Bytes i6 = inner6(), i4 = inner4();
    const std::vector<Frame> frames = {
        {"reduced IPv6", i6, arriving(i6, kSid6)},
        {"reduced IPv4", i4, arriving(i4, kSid4)},
        {"SRH IPv6", i6, arriving(i6, kSid6, 0, {kSid6, kSeg1})},
        {"SRH IPv4", i4, arriving(i4, kSid46, 0, {kSid46})},
    };
    for (Hook hook : {Hook::Xdp, Hook::Tc}) {
        DecapHarness h;
        base(h);
        for (const Frame& f : frames) {
            for (size_t len = 0; len < f.full.size(); len++) {
                SCOPED_TRACE(std::string(hook_name(hook)) + ": " + f.name + " cut to " + std::to_string(len) +
                             " of " + std::to_string(f.full.size()) + " bytes");
                const Bytes cut(f.full.begin(), f.full.begin() + long(len));
                const auto before = h.reasons();
                DecapRun r;
                if (int err = h.try_run(hook, cut, r)) {
                    EXPECT_LT(len, refused_below(hook)) << "refused: " << strerror(err);
                    continue;
                }
                EXPECT_EQ(r.verdict, pass_verdict(hook));
                EXPECT_TRUE(r.out == cut) << diff(r.out, cut);
                const auto after = h.reasons();
                EXPECT_EQ(total(after), total(before) + 1);
                const srv6s_rx_reason want = len < 14 ? SRV6S_RX_NOT_IPV6 : SRV6S_RX_TRUNCATED;
                EXPECT_EQ(after[want].packets, before[want].packets + 1);
            }
            const DecapRun whole = h.run(hook, f.full);
            EXPECT_TRUE(whole.out == f.inner) << f.name << " whole: " << diff(whole.out, f.inner);
        }
    }
}

// What the sender's TC egress program pushes, the receiver's XDP and TC
// programs take off: the original frame back, counted under the path id the
// sender put in the flow label.
TEST(Decap, WhatTheSenderEncapsulatesTheReceiverDecapsulates) {
    const Bytes t6 = Builder().eth(0x86dd).ipv6(kH1, kH2, kTcp, 0x02).tcp(40000, 5201).payload(100).build();
    const Bytes t4 = Builder().eth(0x0800).ipv4(kV4Src, kV4Dst, kUdp, 0x01).udp(4000, 9000).payload(100).build();
    for (Hook hook : {Hook::Xdp, Hook::Tc}) {
        for (const Bytes& inner : {t6, t4}) {
            for (bool srh : {false, true}) {
                SCOPED_TRACE(std::string(hook_name(hook)) + (inner == t6 ? " IPv6" : " IPv4") +
                             (srh ? " SRH" : " reduced"));
                TcHarness tx;
                tx.config(kSender);
                const uint32_t path_id = srh ? 4095 : 7;
                if (srh)
                    tx.path(path_id, {kSeg1, kSid46});  // DA C1, SRH [SID], SL 1
                else
                    tx.path(path_id, {kSid46});
                tx.set(1, {path_id});
                tx.pin_prefix(a6("::"), 0, 1);
                Bytes wire = tx.run(inner).out;
                ASSERT_GT(wire.size(), inner.size());
                if (srh) {
                    // What the last uN on the way does: DA = the next
                    // segment, segments left 1 -> 0.
                    std::memcpy(&wire[14 + 24], kSid46.data(), 16);
                    ASSERT_EQ(wire[14 + 40 + 3], 1);
                    wire[14 + 40 + 3] = 0;
                }
                DecapHarness rx;
                base(rx);
                const DecapRun r = rx.run(hook, wire);
                EXPECT_EQ(r.verdict, pass_verdict(hook));
                EXPECT_TRUE(r.out == inner) << diff(r.out, inner);
                const auto p = rx.path(kSender, path_id);
                ASSERT_TRUE(p.has_value()) << "counted under (sender, path " << path_id << ")";
                EXPECT_EQ(p->packets, 1u);
                EXPECT_EQ(p->bytes, wire.size());
                EXPECT_EQ(rx.path_count(), 1u);
            }
        }
    }
}

}  // namespace
