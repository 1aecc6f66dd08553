// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// rapidcheck properties of the receive side, XDP and TC ingress: on valid
// SRv6 frames and on mutations of them, the program never fails to run, and
// its output is exactly what a reference decapsulator written here from the
// rules (docs/design.md §13, RFC 8986, RFC 8754, RFC 6040) says: the inner
// frame with its ECN set, or the input untouched, or a drop; one reason
// counted per frame.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <optional>

#include "decap_rows.hpp"

using namespace decaprows;

namespace {

struct Expected {
    enum Kind { Untouched, Decapsulated, Dropped } kind = Untouched;
    Bytes out;
};

uint16_t be16(const Bytes& b, size_t at) { return uint16_t(b[at] << 8 | b[at + 1]); }

// The behaviour of a destination under base()'s three /64 SIDs, if any.
std::optional<uint32_t> sid_behaviour(const uint8_t* dst) {
    for (const auto& [sid, b] : {std::pair{kSid6, SRV6S_SID_UDT6}, std::pair{kSid4, SRV6S_SID_UDT4},
                                 std::pair{kSid46, SRV6S_SID_UDT46}})
        if (std::memcmp(dst, sid.data(), 8) == 0)
            return b;
    return std::nullopt;
}

// The reference: what must become of frame f (default config: ECN drop on).
Expected reference(const Bytes& f) {
    Expected e;
    if (f.size() < 14 + 40 || be16(f, 12) != 0x86dd || (f[14] >> 4) != 6)
        return e;
    const auto behaviour = sid_behaviour(&f[14 + 24]);
    if (!behaviour)
        return e;
    const size_t end = 14 + 40 + be16(f, 18);
    if (end > f.size())
        return e;
    size_t off = 14 + 40;
    uint8_t nh = f[14 + 6];
    if (nh == 43) {  // only an SRH (type 4) with segments left 0, its list inside its length
        if (off + 8 > end || f[off + 2] != 4 || (f[off + 4] + 1) * 2 > f[off + 1] ||
            off + (f[off + 1] + 1) * 8u > end || f[off + 3] != 0)
            return e;
        nh = f[off];
        off += (f[off + 1] + 1) * 8u;
    }
    const bool v6 = nh == 41;
    if ((nh != 41 && nh != 4) || (v6 && *behaviour == SRV6S_SID_UDT4) || (!v6 && *behaviour == SRV6S_SID_UDT6))
        return e;
    if (off + (v6 ? 40 : 20) > end || (f[off] >> 4) != (v6 ? 6 : 4))
        return e;
    if (!v6 && ((f[off] & 0xf) < 5 || off + (f[off] & 0xf) * 4u > end))
        return e;

    const uint8_t outer_ecn = (f[15] >> 4) & 3;
    const uint8_t inner_ecn = v6 ? (f[off + 1] >> 4) & 3 : f[off + 1] & 3;
    const int ecn = kEcnTable[inner_ecn][outer_ecn];
    if (ecn < 0) {
        e.kind = Expected::Dropped;
        return e;
    }
    e.kind = Expected::Decapsulated;
    e.out.assign(f.begin(), f.begin() + 12);
    e.out.push_back(v6 ? 0x86 : 0x08);
    e.out.push_back(v6 ? 0xdd : 0x00);
    e.out.insert(e.out.end(), f.begin() + long(off), f.end());
    uint8_t* ip = e.out.data() + 14;
    if (v6) {
        ip[1] = uint8_t((ip[1] & ~0x30) | ecn << 4);
    } else if ((ip[1] & 3) != ecn) {
        // The new checksum keeps the header's sum what it was (a wrong
        // checksum stays exactly as wrong): computed from whole sums here.
        const uint16_t old_sum = ipv4_header_sum(ip);
        ip[1] = uint8_t((ip[1] & ~3) | ecn);
        ip[10] = ip[11] = 0;
        const uint16_t rest = ipv4_header_sum(ip);
        uint32_t c = uint32_t(old_sum) + uint16_t(~rest);
        c = (c & 0xffff) + (c >> 16);
        ip[10] = uint8_t(c >> 8);
        ip[11] = uint8_t(c);
    }
    return e;
}

// Equal, with 0x0000 and 0xffff (both zero in one's complement) the same at
// the IPv4 checksum of a decapsulated frame.
bool same_frame(const Bytes& got, const Bytes& want) {
    if (got.size() != want.size())
        return false;
    for (size_t i = 0; i < got.size(); i++) {
        if (got[i] == want[i])
            continue;
        const bool csum = got.size() >= 34 && be16(got, 12) == 0x0800 && (i == 24 || i == 25);
        if (!csum)
            return false;
        const uint16_t a = be16(got, 24), b = be16(want, 24);
        if (!((a == 0 && b == 0xffff) || (a == 0xffff && b == 0)))
            return false;
    }
    return true;
}

// A valid SRv6 frame to one of base()'s SIDs or elsewhere, any inner family,
// ECN and DSCP, reduced or with an SRH of 1..4 segments.
rc::Gen<Bytes> valid_frame() {
    return rc::gen::exec([] {
        const bool v6 = *rc::gen::arbitrary<bool>();
        const auto tos = *rc::gen::arbitrary<uint8_t>();
        const auto tclass = *rc::gen::arbitrary<uint8_t>();
        const auto label = *rc::gen::inRange<uint32_t>(0, 1u << 20);
        const size_t payload = *rc::gen::inRange<size_t>(0, 300);
        const Bytes inner = v6 ? inner6(tos, payload) : inner4(tos, payload);
        const Addr6 dst = *rc::gen::element(kSid6, kSid4, kSid46, kOtherHost);
        std::vector<Addr6> segs;
        const int n = *rc::gen::inRange(0, 5);
        for (int i = 0; i < n; i++)
            segs.push_back(i == 0 ? dst : kSeg1);
        return arriving(inner, dst, tclass, segs, 0, kSender, label);
    });
}

void check(const DecapHarness& h, Hook hook, const Bytes& in) {
    const auto before = h.reasons();
    DecapRun r;
    if (int err = h.try_run(hook, in, r)) {
        RC_ASSERT(in.size() < refused_below(hook));
        RC_TAG(std::string("refused: ") + strerror(err));
        return;
    }
    RC_ASSERT(total(h.reasons()) == total(before) + 1);
    const Expected e = reference(in);
    switch (e.kind) {
    case Expected::Untouched:
        RC_ASSERT(r.verdict == pass_verdict(hook));
        RC_ASSERT(r.out == in);
        RC_CLASSIFY(true, "untouched");
        break;
    case Expected::Dropped:
        RC_ASSERT(r.verdict == drop_verdict(hook));
        RC_ASSERT(h.reasons()[SRV6S_RX_ECN_DROP].packets == before[SRV6S_RX_ECN_DROP].packets + 1);
        RC_CLASSIFY(true, "dropped");
        break;
    case Expected::Decapsulated:
        RC_ASSERT(r.verdict == pass_verdict(hook));
        RC_ASSERT(same_frame(r.out, e.out));
        RC_ASSERT(h.reasons()[SRV6S_RX_DECAPSULATED].packets == before[SRV6S_RX_DECAPSULATED].packets + 1);
        RC_CLASSIFY(true, "decapsulated");
        break;
    }
}

class DecapProperty : public ::testing::TestWithParam<Hook> {};

TEST_P(DecapProperty, ValidFramesAreDecapsulatedExactly) {
    DecapHarness h;
    base(h);
    EXPECT_TRUE(rc::check("valid frames", [&] { check(h, GetParam(), *valid_frame()); }));
}

TEST_P(DecapProperty, MutatedFramesAreDecapsulatedExactlyOrUntouched) {
    DecapHarness h;
    base(h);
    EXPECT_TRUE(rc::check("mutated frames", [&] {
        Bytes f = *valid_frame();
        const int flips = *rc::gen::inRange(1, 6);
        for (int i = 0; i < flips; i++) {
            // Mostly the headers, where the decisions are made.
            const size_t hi = std::min<size_t>(f.size(), 14 + 40 + 8 + 64 + 40);
            const size_t at = *rc::gen::inRange<size_t>(12, hi);
            f[at] = *rc::gen::arbitrary<uint8_t>();
        }
        if (*rc::gen::arbitrary<bool>())
            f.resize(*rc::gen::inRange<size_t>(0, f.size() + 1));
        check(h, GetParam(), f);
    }));
}

INSTANTIATE_TEST_SUITE_P(XdpAndTc, DecapProperty, ::testing::Values(Hook::Xdp, Hook::Tc),
                         [](const auto& info) { return std::string(hook_name(info.param)); });

}  // namespace
