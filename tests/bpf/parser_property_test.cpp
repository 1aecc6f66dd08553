// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// rapidcheck properties of the TC program's parser and encoder, run on the
// shipped object: whatever bytes arrive, the program either leaves them
// byte-identical or wraps exactly them in a well-formed SRv6 encapsulation,
// counts exactly one reason, and never drops or errors.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "tc_harness.hpp"

using namespace testpkt;

namespace {

const Addr6 kSrc = a6("fcbb:0:800:1::1");
const Addr6 kVia = a6("fcbb:0:1004:1001:1006:fe06::");
const Addr6 kC2 = a6("fcbb:0:1005:1002:1006:fe06::");

uint64_t total_packets(const TcHarness& h) {
    uint64_t n = 0;
    for (const auto& c : h.reasons())
        n += c.packets;
    return n;
}

// The output is the input untouched, or the input's IP packet behind a
// well-formed outer IPv6 header (+ SRH) for the one path configured.
void check_untouched_or_wrapped(const Bytes& in, const RunResult& r, size_t srh_segs) {
    RC_ASSERT(r.verdict == SRV6S_TC_CONTINUE);
    if (r.out == in)
        return;
    const size_t srh_len = srh_segs ? 8 + 16 * srh_segs : 0;
    RC_ASSERT(r.out.size() == in.size() + 40 + srh_len);
    RC_ASSERT(std::equal(in.begin(), in.begin() + 12, r.out.begin()));  // MACs kept
    RC_ASSERT(r.out[12] == 0x86 && r.out[13] == 0xdd);
    const uint8_t inner = in[12] == 0x08 ? 4 : 41;
    const uint8_t* ip = r.out.data() + 14;
    RC_ASSERT((ip[0] >> 4) == 6);
    RC_ASSERT(size_t((ip[4] << 8) | ip[5]) == r.out.size() - 14 - 40);
    RC_ASSERT(ip[6] == (srh_segs ? 43 : inner));
    RC_ASSERT(std::memcmp(ip + 8, kSrc.data(), 16) == 0);
    RC_ASSERT(std::memcmp(ip + 24, kVia.data(), 16) == 0);
    RC_ASSERT(std::equal(in.begin() + 14, in.end(), r.out.begin() + 14 + 40 + long(srh_len)));
}

// An Ethernet frame: mostly IPv4/IPv6 ethertypes, random bytes behind, the
// IP version nibble and header length made plausible half of the time so
// the parser gets past its first checks.
rc::Gen<Bytes> random_frame() {
    return rc::gen::exec([] {
        const auto type = *rc::gen::weightedElement<uint16_t>(
            {{4, 0x86dd}, {4, 0x0800}, {1, 0x0806}, {1, 0x8100}});
        Bytes f = Builder().eth(type).build();
        const auto len = *rc::gen::inRange<size_t>(0, 320);
        for (size_t i = 0; i < len; i++)
            f.push_back(*rc::gen::arbitrary<uint8_t>());
        if (f.size() > 14 && *rc::gen::arbitrary<bool>())
            f[14] = type == 0x0800 ? uint8_t(0x45 + *rc::gen::inRange(0, 3)) : uint8_t(0x60 | (f[14] & 0xf));
        if (type == 0x86dd && f.size() >= 54 && *rc::gen::arbitrary<bool>()) {
            const size_t plen = f.size() - 54;
            f[18] = uint8_t(plen >> 8);
            f[19] = uint8_t(plen);
        }
        if (type == 0x0800 && f.size() >= 34 && *rc::gen::arbitrary<bool>()) {
            const size_t tot = f.size() - 14;
            f[16] = uint8_t(tot >> 8);
            f[17] = uint8_t(tot);
        }
        return f;
    });
}

// A valid packet of random shape: family, extension headers, L4, RoCE.
rc::Gen<Bytes> valid_packet() {
    return rc::gen::exec([] {
        const bool v6 = *rc::gen::arbitrary<bool>();
        const int l4 = *rc::gen::inRange(0, 4);  // tcp, udp, roce, icmp
        const uint8_t proto = l4 == 0 ? 6 : l4 == 3 ? (v6 ? 58 : 1) : 17;
        const auto tos = *rc::gen::arbitrary<uint8_t>();
        const auto sport = *rc::gen::arbitrary<uint16_t>();
        const auto dport = *rc::gen::arbitrary<uint16_t>();
        Builder b;
        if (v6) {
            const int n_ext = *rc::gen::inRange(0, 4);
            b.eth(0x86dd).ipv6(a6("fcbb:0:800:1::10"), a6("fcbb:0:800:2::20"),
                               n_ext ? 60 : proto, tos);
            for (int i = 0; i < n_ext; i++)
                b.ext(i + 1 < n_ext ? 60 : proto, static_cast<uint8_t>(*rc::gen::inRange(0, 3)));
        } else {
            b.eth(0x0800).ipv4("10.0.1.10", "10.0.2.20", proto, tos);
        }
        if (l4 == 0)
            b.tcp(sport, dport);
        else if (l4 == 1)
            b.udp(sport, dport == 4791 ? 4790 : dport);
        else if (l4 == 2)
            b.udp(sport, 4791).bth(*rc::gen::inRange<uint32_t>(0, 1u << 24));
        b.payload(*rc::gen::inRange<size_t>(0, 200));
        return b.build();
    });
}

}  // namespace

class ParserProperty : public ::testing::TestWithParam<size_t> {};

// Random bytes: untouched or wrapped whole, one reason each, never an error
// beyond the kernel's own refusal of frames too short for their IP header.
TEST_P(ParserProperty, RandomBytesAreUntouchedOrWrappedWhole) {
    const size_t srh_segs = GetParam();
    TcHarness h;
    h.config(kSrc);
    h.path(1, srh_segs ? std::vector<Addr6>{kVia, kC2} : std::vector<Addr6>{kVia});
    h.set(1, {1});
    h.pin_prefix(a6("::"), 0, 1);  // every IP packet matches
    EXPECT_TRUE(rc::check("random frames", [&] {
        const Bytes frame = *random_frame();
        RunResult r;
        const uint64_t before = total_packets(h);
        if (int err = h.try_run(frame, r)) {
            RC_ASSERT(frame.size() < 14u + 40u);
            RC_TAG(std::string("refused by the kernel: ") + strerror(err));
            return;
        }
        RC_ASSERT(total_packets(h) == before + 1);
        check_untouched_or_wrapped(frame, r, srh_segs);
        RC_CLASSIFY(r.out != frame, "wrapped");
    }));
}

INSTANTIATE_TEST_SUITE_P(ReducedAndSrh, ParserProperty, ::testing::Values(0, 1));

TEST(ParserProperties, ValidPacketsAreSteeredAndMutantsNeverBreakIt) {
    TcHarness h;
    h.config(kSrc);
    h.path(1, {kVia});
    h.set(1, {1});
    h.pin_prefix(a6("::"), 0, 1);

    EXPECT_TRUE(rc::check("every valid packet is steered, inner bytes intact", [&] {
        const Bytes p = *valid_packet();
        RunResult r = h.run(p);
        RC_ASSERT(r.out != p);
        check_untouched_or_wrapped(p, r, 0);
        // Traffic class copied from the inner header.
        const uint8_t tos = p[12] == 0x08 ? p[15] : uint8_t((p[14] << 4) | (p[15] >> 4));
        RC_ASSERT(uint8_t((r.out[14] << 4) | (r.out[15] >> 4)) == tos);
    }));

    EXPECT_TRUE(rc::check("mutated valid packets: untouched or wrapped whole", [&] {
        Bytes p = *valid_packet();
        const int flips = *rc::gen::inRange(1, 6);
        for (int i = 0; i < flips; i++) {
            const size_t at = *rc::gen::inRange<size_t>(12, p.size());
            p[at] = *rc::gen::arbitrary<uint8_t>();
        }
        RunResult r;
        if (h.try_run(p, r))
            return;  // ethertype mutated into one whose header does not fit
        check_untouched_or_wrapped(p, r, 0);
    }));
}
