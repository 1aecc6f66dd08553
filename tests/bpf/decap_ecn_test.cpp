// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The receive side's RFC 6040 ECN decapsulation (every inner x outer
// codepoint, IPv4 and IPv6, reduced and SRH; the IPv4 checksum checked by a
// sum of its own) and its counters, per reason and per sender path
// (rows: decap_rows.hpp).
#include <gtest/gtest.h>

#include "decap_rows.hpp"

using namespace decaprows;

namespace {

const char* kEcnName[4] = {"Not-ECT", "ECT(1)", "ECT(0)", "CE"};

// Every combination, from the table of decap_rows.hpp (RFC 6040 Figure 4).
// DSCPs differ between outer and inner so a DSCP leak would show.
TEST(DecapEcn, EveryCombinationFollowsRfc6040) {
    std::vector<Row> rows;
    for (bool v4 : {false, true}) {
        for (bool srh : {false, true}) {
            for (uint8_t in = 0; in < 4; in++) {
                for (uint8_t out = 0; out < 4; out++) {
                    const int want = kEcnTable[in][out];
                    const uint8_t in_tos = uint8_t(0x28 << 2 | in), out_tc = uint8_t(0x2e << 2 | out);
                    const Bytes inner = v4 ? inner4(in_tos) : inner6(in_tos);
                    const Addr6& sid = v4 ? kSid4 : kSid6;
                    const Bytes frame = srh ? arriving(inner, sid, out_tc, {sid}) : arriving(inner, sid, out_tc);
                    std::string d = std::string(v4 ? "IPv4" : "IPv6") + (srh ? " SRH" : " reduced") + ": inner " +
                                    kEcnName[in] + ", outer " + kEcnName[out];
                    if (want < 0) {
                        rows.push_back({d + " -> drop", base, frame, true, {}, SRV6S_RX_ECN_DROP});
                        continue;
                    }
                    const uint8_t tos = uint8_t(0x28 << 2 | want);
                    rows.push_back({d + " -> " + kEcnName[want], base, frame, false,
                                    v4 ? inner4(tos) : inner6(tos), SRV6S_RX_DECAPSULATED});
                }
            }
        }
    }
    ASSERT_EQ(rows.size(), 64u);
    run_rows(rows);
}

// The checksum after a TOS change, by a sum computed here: for every TOS
// byte, with outer CE (so ECT inner packets become CE), the header sums to
// 0xffff and only TOS and checksum changed.
TEST(DecapEcn, Ipv4ChecksumStaysValidForEveryTos) {
    for (Hook hook : {Hook::Xdp, Hook::Tc}) {
        DecapHarness h;
        base(h);
        for (unsigned tos = 0; tos < 256; tos++) {
            SCOPED_TRACE(std::string(hook_name(hook)) + ": inner TOS " + std::to_string(tos));
            const Bytes inner = inner4(uint8_t(tos));
            ASSERT_EQ(ipv4_header_sum(inner.data() + 14), 0xffff) << "the builder's checksum";
            const DecapRun r = h.run(hook, arriving(inner, kSid4, 0x03 /* CE */));
            if ((tos & 3) == 0) {
                EXPECT_EQ(r.verdict, drop_verdict(hook)) << "Not-ECT under CE";
                continue;
            }
            ASSERT_EQ(r.out.size(), inner.size());
            EXPECT_EQ(r.out[15], uint8_t(tos | 3)) << "inner CE, DSCP kept";
            EXPECT_EQ(ipv4_header_sum(r.out.data() + 14), 0xffff) << "checksum";
            for (size_t i = 0; i < inner.size(); i++) {
                if (i != 15 && i != 24 && i != 25) {
                    EXPECT_EQ(r.out[i], inner[i]) << "byte " << i;
                }
            }
        }
    }
}

TEST(DecapEcn, NotEctUnderCeIsDecapsulatedWhenTheDropIsOff) {
    const Bytes i6 = inner6(0x00), i4 = inner4(0xa0);
    auto no_drop = [](DecapHarness& h) { base(h); h.config(SRV6S_RX_CFG_ENABLED); };
    run_rows({
        {"IPv6 Not-ECT under CE, drop off: unchanged", no_drop, arriving(i6, kSid6, 0x03), false, i6,
         SRV6S_RX_DECAPSULATED},
        {"IPv4 Not-ECT under CE, drop off: unchanged", no_drop, arriving(i4, kSid4, 0x03), false, i4,
         SRV6S_RX_DECAPSULATED},
    });
}

TEST(DecapCounters, PerSenderPathWithCe) {
    for (Hook hook : {Hook::Xdp, Hook::Tc}) {
        SCOPED_TRACE(hook_name(hook));
        DecapHarness h;
        base(h);
        const Bytes i6 = inner6(0x02 /* ECT(0) */), i4 = inner4(0x00 /* Not-ECT */);
        auto label = [](uint32_t hash8, uint32_t path) { return hash8 << 12 | path; };
        const Bytes a5 = arriving(i6, kSid6, 0x00, {}, 0, kSender, label(0x11, 5));
        const Bytes a5_ce = arriving(i6, kSid6, 0x03, {}, 0, kSender, label(0x22, 5));  // other flow, same path
        const Bytes a7 = arriving(i6, kSid6, 0x00, {kSid6}, 0, kSender, label(0x11, 7));
        const Bytes b5 = arriving(i6, kSid6, 0x00, {}, 0, kSender2, label(0x11, 5));
        const Bytes b5_drop = arriving(i4, kSid4, 0x03, {}, 0, kSender2, label(0x33, 5));
        const Bytes not_ours = arriving(i6, kOtherHost, 0x03, {}, 0, kSender, label(0x11, 9));
        const Bytes mismatch = arriving(i4, kSid6, 0x03, {}, 0, kSender, label(0x11, 9));
        const Bytes segleft = arriving(i6, kSid6, 0x03, {kSeg1, kSid6}, 1, kSender, label(0x11, 9));
        for (const Bytes* f : {&a5, &a5_ce, &a5, &a7, &b5, &b5_drop, &not_ours, &mismatch, &segleft})
            h.run(hook, *f);

        EXPECT_EQ(h.path_count(), 3u) << "(sender, 5), (sender, 7), (sender2, 5)";
        const auto p5 = h.path(kSender, 5), p7 = h.path(kSender, 7), q5 = h.path(kSender2, 5);
        ASSERT_TRUE(p5 && p7 && q5);
        EXPECT_EQ(p5->packets, 3u);
        EXPECT_EQ(p5->bytes, 2 * a5.size() + a5_ce.size());
        EXPECT_EQ(p5->ce_packets, 1u);
        EXPECT_EQ(p7->packets, 1u);
        EXPECT_EQ(p7->bytes, a7.size());
        EXPECT_EQ(p7->ce_packets, 0u);
        EXPECT_EQ(q5->packets, 2u) << "the ECN drop counts on its path too";
        EXPECT_EQ(q5->bytes, b5.size() + b5_drop.size());
        EXPECT_EQ(q5->ce_packets, 1u);
        EXPECT_FALSE(h.path(kSender, 9)) << "frames not decapsulated are not counted per path";

        const auto r = h.reasons();
        EXPECT_EQ(r[SRV6S_RX_DECAPSULATED].packets, 5u);
        EXPECT_EQ(r[SRV6S_RX_DECAPSULATED].bytes, 2 * a5.size() + a5_ce.size() + a7.size() + b5.size());
        EXPECT_EQ(r[SRV6S_RX_ECN_DROP].packets, 1u);
        EXPECT_EQ(r[SRV6S_RX_NOT_OURS].packets, 1u);
        EXPECT_EQ(r[SRV6S_RX_MISMATCH].packets, 1u);
        EXPECT_EQ(r[SRV6S_RX_SEGMENTS_LEFT].packets, 1u);
        EXPECT_EQ(total(r), 9u);
    }
}

// More sender paths than slots (include/srv6steer/decap_abi.h: a path whose
// slot another holds is counted in the LRU): every path's counts, summed
// over both places, are exactly what it was sent; both places are used.
// Red if a frame is counted in a slot it does not own, or in both places.
TEST(DecapCounters, MorePathsThanSlotsSpillToTheLru) {
    constexpr uint32_t kPaths = 3 * SRV6S_RX_PATH_SLOTS;
    auto sender = [](uint32_t i) {
        Addr6 a = kSender;
        a[12] = uint8_t(i >> 12);
        a[13] = uint8_t(i >> 4);
        return a;
    };
    for (Hook hook : {Hook::Xdp, Hook::Tc}) {
        SCOPED_TRACE(hook_name(hook));
        DecapHarness h(4 * kPaths);
        base(h);
        for (uint32_t i = 0; i < kPaths; i++) {
            const uint32_t frames = 1 + i % 3;
            for (uint32_t f = 0; f < frames; f++) {
                const uint8_t tc = f == 0 && i % 5 == 0 ? 0x03 : 0x02;  // CE on the first of every fifth
                h.run(hook, arriving(inner6(0x02), kSid6, tc, {}, 0, sender(i), 0x77000 | (i & 15)));
            }
        }
        const size_t len = arriving(inner6(0x02), kSid6).size();
        EXPECT_EQ(h.path_count(), size_t(kPaths));
        EXPECT_GT(h.lru_paths(), 0u) << "some paths found their slot taken";
        EXPECT_FALSE(h.slotted().empty()) << "and some took one";
        uint32_t wrong = 0;
        for (uint32_t i = 0; i < kPaths && wrong < 5; i++) {
            const auto c = h.path(sender(i), i & 15);
            const uint64_t frames = 1 + i % 3;
            if (!c || c->packets != frames || c->bytes != frames * len || c->ce_packets != (i % 5 == 0 ? 1u : 0u)) {
                ADD_FAILURE() << "path " << i << ": " << (c ? std::to_string(c->packets) : "none") << " packets";
                wrong++;
            }
        }
    }
}

TEST(DecapCounters, PathStatsCanBeSwitchedOff) {
    const Bytes f = arriving(inner6(), kSid6);
    for (Hook hook : {Hook::Xdp, Hook::Tc}) {
        SCOPED_TRACE(hook_name(hook));
        DecapHarness by_config;
        base(by_config);
        by_config.config(SRV6S_RX_CFG_DEFAULT | SRV6S_RX_CFG_NO_PATH_STATS);
        EXPECT_EQ(by_config.run(hook, f).out, inner6());
        EXPECT_EQ(by_config.path_count(), 0u) << "config NO_PATH_STATS";

        DecapHarness by_sid;
        by_sid.config();
        by_sid.sid(kSid6, 64, SRV6S_SID_UDT6, SRV6S_SID_NO_PATH_STATS);
        EXPECT_EQ(by_sid.run(hook, f).out, inner6());
        EXPECT_EQ(by_sid.path_count(), 0u) << "SID flag NO_PATH_STATS";
        EXPECT_EQ(by_sid.reasons()[SRV6S_RX_DECAPSULATED].packets, 1u);
    }
}

}  // namespace
