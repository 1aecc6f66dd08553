// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// rapidcheck properties of the probe responder (docs/design.md §15), XDP and
// TC ingress, on plain probe requests and mutations of them: the program
// never fails to run; it answers exactly the frames a reference written here
// from include/srv6steer/probe_abi.h says are requests, with the reply the
// reference makes (checksums from whole sums: a wrong one stays exactly as
// wrong); it refuses exactly the returns outside the block; everything else
// passes untouched; one reason per frame.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <optional>

#include "decap_probe_rows.hpp"

using namespace proberows;

namespace {

struct Want {
    enum Kind { Untouched, Refused, Answered } kind = Untouched;
    Bytes out;
};

uint32_t get32(const Bytes& b, size_t at) { return uint32_t(get16(b, at)) << 16 | get16(b, at + 2); }

// One's complement sum (folded) of n bytes at p, padded to even.
uint16_t sum16(const uint8_t* p, size_t n, uint64_t s = 0) {
    for (size_t i = 0; i < n; i += 2)
        s += uint32_t(p[i]) << 8 | (i + 1 < n ? p[i + 1] : 0);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return static_cast<uint16_t>(s);
}

uint16_t ones_sub(uint16_t a, uint16_t b) {  // a - b, one's complement
    uint32_t c = uint32_t(a) + uint16_t(~b);
    c = (c & 0xffff) + (c >> 16);
    return static_cast<uint16_t>(c);
}

// The sum over UDP's pseudo header and [l4, l4 + len) of frame f.
uint16_t udp_sum(const Bytes& f, size_t l4, size_t len, bool v4) {
    uint64_t s = 17 + len;
    const uint16_t addrs = v4 ? sum16(&f[14 + 12], 8) : sum16(&f[14 + 8], 32);
    return sum16(&f[l4], len, s + addrs);
}

bool is_sid(const uint8_t* dst) {
    for (const Addr6& s : {kSid6, kSid4, kSid46})
        if (std::memcmp(dst, s.data(), 8) == 0)
            return true;
    return false;
}

// What the responder (responder(): port 6635, ret_block fcbb:0:e001::/48)
// must make of plain frame f; nothing if f went to a local SID.
std::optional<Want> reference(const Bytes& f) {
    Want w;
    if (f.size() < 14)
        return w;
    size_t l4, end;
    bool v4;
    if (get16(f, 12) == 0x0800) {
        if (f.size() < 34 || f[14] != 0x45 || f[23] != 17 || (get16(f, 20) & 0x3fff))
            return w;
        v4 = true;
        l4 = 34;
        end = 14 + size_t(get16(f, 16));
    } else if (get16(f, 12) == 0x86dd) {
        if (f.size() < 54)
            return w;
        if (is_sid(&f[38]))
            return std::nullopt;
        if ((f[14] >> 4) != 6 || f[20] != 17)
            return w;
        v4 = false;
        l4 = 54;
        end = 54 + size_t(get16(f, 18));
    } else {
        return w;
    }
    if (end > f.size() || l4 + 64 > end || get16(f, l4 + 2) != SRV6S_PROBE_PORT)
        return w;
    const size_t ulen = get16(f, l4 + 4), pr = l4 + 8;
    if (ulen < 64 || l4 + ulen > end || (!v4 && get16(f, l4 + 6) == 0))
        return w;
    if (get32(f, pr) != SRV6S_PROBE_MAGIC || f[pr + 4] != SRV6S_PROBE_VERSION || f[pr + 5] != SRV6S_PROBE_REQUEST)
        return w;
    const bool ret = get16(f, pr + 6) & SRV6S_PROBE_F_RETURN;
    if (ret && std::memcmp(&f[pr + 24], kRetBlock.data(), 6) != 0) {
        w.kind = Want::Refused;
        return w;
    }

    Bytes o = f;
    const uint16_t ip_before = sum16(&o[14], 20), udp_before = udp_sum(o, l4, ulen, v4);
    const uint16_t old_check = get16(o, l4 + 6);
    swap_macs(o);
    if (v4) {
        std::swap_ranges(o.begin() + 26, o.begin() + 30, o.begin() + 30);
        o[22] = 64;
        set16(o, 24, 0);
        set16(o, 24, ones_sub(ip_before, sum16(&o[14], 20)));
    } else {
        std::swap_ranges(o.begin() + 22, o.begin() + 38, o.begin() + 38);
        o[21] = 64;
    }
    std::swap_ranges(o.begin() + long(l4), o.begin() + long(l4 + 2), o.begin() + long(l4 + 2));
    o[pr + 5] = SRV6S_PROBE_REPLY;
    set16(o, pr + 6, ret ? SRV6S_PROBE_F_RETURN | SRV6S_PROBE_F_RETURNED : 0);
    std::fill(o.begin() + long(pr + 40), o.begin() + long(pr + 56), 0);
    set16(o, l4 + 6, 0);
    uint16_t c = ones_sub(udp_before, udp_sum(o, l4, ulen, v4));
    if (v4 && old_check == 0)
        c = 0;
    else if (c == 0)
        c = 0xffff;
    set16(o, l4 + 6, c);
    w.kind = Want::Answered;
    if (!ret) {
        w.out = o;
        return w;
    }
    const uint8_t tc = v4 ? o[15] : uint8_t(o[14] << 4 | o[15] >> 4);
    const uint32_t label = get32(f, pr + 8) & SRV6S_RX_PATH_ID_MASK;
    Bytes r(o.begin(), o.begin() + 12);
    for (uint8_t b : {uint8_t(0x86), uint8_t(0xdd), uint8_t(0x60 | tc >> 4), uint8_t(tc << 4 | label >> 16), uint8_t(label >> 8),
                      uint8_t(label), uint8_t((end - 14) >> 8), uint8_t(end - 14), uint8_t(v4 ? 4 : 41), uint8_t(64)})
        r.push_back(b);
    r.insert(r.end(), kReplySrc.begin(), kReplySrc.end());
    r.insert(r.end(), f.begin() + long(pr + 24), f.begin() + long(pr + 40));
    r.insert(r.end(), o.begin() + 14, o.end());
    w.out = r;
    return w;
}

// Equal, with 0x0000 and 0xffff (both zero in one's complement) the same at
// an IPv4 header checksum, plain (24) or behind a returned reply's 40 bytes (64).
bool same_frame(const Bytes& got, const Bytes& want) {
    if (got.size() != want.size())
        return false;
    const size_t at = got.size() >= 54 && get16(got, 12) == 0x86dd && got[20] == 4 ? 64 : 24;
    for (size_t i = 0; i < got.size(); i++) {
        if (got[i] == want[i])
            continue;
        if (i != at && i != at + 1)
            return false;
        const uint16_t a = get16(got, at), b = get16(want, at);
        if (!((a == 0 && b == 0xffff) || (a == 0xffff && b == 0)))
            return false;
    }
    return true;
}

rc::Gen<Bytes> request_frame() {
    return rc::gen::exec([] {
        Probe p;
        p.path_id = *rc::gen::arbitrary<uint32_t>();
        p.seq = *rc::gen::arbitrary<uint32_t>();
        p.sent_ns = *rc::gen::arbitrary<uint64_t>();
        p.rx_packets = *rc::gen::arbitrary<uint64_t>();
        p.rx_ce_packets = *rc::gen::arbitrary<uint64_t>();
        switch (*rc::gen::inRange(0, 4)) {
        case 0: break;
        case 1: p = with_return(p, kRet); break;
        case 2: p = with_return(p, kRetOutside); break;
        default: p.flags = *rc::gen::arbitrary<uint16_t>(); p.ret = kRet; break;
        }
        Plain how;
        how.v4 = *rc::gen::arbitrary<bool>();
        how.tos = *rc::gen::arbitrary<uint8_t>();
        how.zero_checksum = how.v4 && *rc::gen::arbitrary<bool>();
        Bytes f = request(p, how);
        f.insert(f.end(), *rc::gen::inRange<size_t>(0, 8), 0);  // an Ethernet trailer
        return f;
    });
}

void check(const DecapHarness& h, Hook hook, const Bytes& in) {
    const std::optional<Want> w = reference(in);
    RC_PRE(w.has_value());
    const auto before = h.reasons();
    DecapRun r;
    if (int err = h.try_run(hook, in, r)) {
        RC_ASSERT(in.size() < refused_below(hook));
        RC_TAG(std::string("refused by test_run: ") + strerror(err));
        return;
    }
    const auto after = h.reasons();
    RC_ASSERT(total(after) == total(before) + 1);
    const auto counted = [&](srv6s_rx_reason x) { return after[x].packets - before[x].packets; };
    switch (w->kind) {
    case Want::Untouched:
        RC_ASSERT(r.verdict == pass_verdict(hook));
        RC_ASSERT(r.out == in);
        RC_ASSERT(counted(SRV6S_RX_PROBE_ANSWERED) + counted(SRV6S_RX_PROBE_REFUSED) == 0u);
        RC_CLASSIFY(true, "not a probe");
        break;
    case Want::Refused:
        RC_ASSERT(r.verdict == pass_verdict(hook));
        RC_ASSERT(r.out == in);
        RC_ASSERT(counted(SRV6S_RX_PROBE_REFUSED) == 1u);
        RC_CLASSIFY(true, "refused");
        break;
    case Want::Answered:
        RC_ASSERT(r.verdict == send_verdict(hook));
        RC_ASSERT(same_frame(r.out, w->out));
        RC_ASSERT(counted(SRV6S_RX_PROBE_ANSWERED) == 1u);
        RC_CLASSIFY(true, "answered");
        break;
    }
}

class ProbeProperty : public ::testing::TestWithParam<Hook> {};

TEST_P(ProbeProperty, RequestsAnsweredExactly) {
    DecapHarness h;
    responder(h);
    EXPECT_TRUE(rc::check("requests", [&] { check(h, GetParam(), *request_frame()); }));
}

TEST_P(ProbeProperty, MutatedRequestsAnsweredOnlyWhenValid) {
    DecapHarness h;
    responder(h);
    EXPECT_TRUE(rc::check("mutated requests", [&] {
        Bytes f = *request_frame();
        const int flips = *rc::gen::inRange(1, 5);
        for (int i = 0; i < flips; i++) {
            const size_t at = *rc::gen::inRange<size_t>(12, f.size());
            f[at] = *rc::gen::arbitrary<uint8_t>();
        }
        if (*rc::gen::arbitrary<bool>())
            f.resize(*rc::gen::inRange<size_t>(0, f.size() + 1));
        check(h, GetParam(), f);
    }));
}

INSTANTIATE_TEST_SUITE_P(XdpAndTc, ProbeProperty, ::testing::Values(Hook::Xdp, Hook::Tc),
                         [](const auto& info) { return std::string(hook_name(info.param)); });

}  // namespace
