// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The probe responder (bpf/lib/probe.h, bpf/lib/probe_send.h,
// docs/design.md §15), XDP and TC ingress, run with BPF_PROG_TEST_RUN:
// plain IPv4/IPv6 requests and requests encapsulated to a local SID turned
// into replies (the expected reply built afresh, its UDP checksum computed
// in full: decap_probe_rows.hpp), returned replies inside and outside the
// return block, what is not a probe, every truncation. Mutations:
// decap_probe_property_test.cpp.
#include <gtest/gtest.h>

#include "decap_probe_rows.hpp"

using namespace proberows;

namespace {

const Plain kV6{}, kV4{true};

Bytes with_trailer(Bytes f, size_t n) {
    f.insert(f.end(), n, 0);
    return f;
}

TEST(Probe, PlainRequestsAnswered) {
    const Probe p;
    const Plain v4tos{true, 0xb8}, v4zero{true, 0, SRV6S_PROBE_PORT, true}, v6tc{false, 0xa1};
    Probe filled = p;
    filled.rx_packets = 99;
    filled.rx_ce_packets = 0xffffffffffffffffull;
    run_rows({
        {"IPv6 request", responder, request(p), Verdict::Send, reply(replied(p, 0)), SRV6S_RX_PROBE_ANSWERED},
        {"IPv4 request", responder, request(p, kV4), Verdict::Send, reply(replied(p, 0), kV4),
         SRV6S_RX_PROBE_ANSWERED},
        {"IPv4 request with DSCP/ECN: kept", responder, request(p, v4tos), Verdict::Send,
         reply(replied(p, 0), v4tos), SRV6S_RX_PROBE_ANSWERED},
        {"IPv6 request with a traffic class: kept", responder, request(p, v6tc), Verdict::Send,
         reply(replied(p, 0), v6tc), SRV6S_RX_PROBE_ANSWERED},
        {"IPv4 without UDP checksum: the reply has none either", responder, request(p, v4zero), Verdict::Send,
         reply(replied(p, 0), v4zero), SRV6S_RX_PROBE_ANSWERED},
        {"responder fields of the request overwritten", responder, request(filled), Verdict::Send,
         reply(replied(p, 0)), SRV6S_RX_PROBE_ANSWERED},
        {"Ethernet trailer kept", responder, with_trailer(request(p, kV4), 6), Verdict::Send,
         with_trailer(reply(replied(p, 0), kV4), 6), SRV6S_RX_PROBE_ANSWERED},
        {"configured port",
         [](DecapHarness& h) { base(h); h.config(probe_config(SRV6S_RX_CFG_DEFAULT | SRV6S_RX_CFG_PROBES, 7000)); },
         request(p, {false, 0, 7000}), Verdict::Send, reply(replied(p, 0), {false, 0, 7000}),
         SRV6S_RX_PROBE_ANSWERED},
        {"with the block check on (the host's address outside it)",
         [](DecapHarness& h) {
             base(h);
             srv6s_rx_config c = probe_config(SRV6S_RX_CFG_DEFAULT | SRV6S_RX_CFG_PROBES | SRV6S_RX_CFG_BLOCK);
             c.block_mask[0] = c.block_mask[1] = 0xff;
             c.block[0] = 0xfc;
             c.block[1] = 0xbb;
             c.block_mask[4] = c.block_mask[5] = 0xff;
             c.block[4] = 0xe0;
             c.block[5] = 0x02;
             h.config(c);
         },
         request(p), Verdict::Send, reply(replied(p, 0)), SRV6S_RX_PROBE_ANSWERED},
    });
}

TEST(Probe, ReturnedInsideTheBlockRefusedOutside) {
    const Probe in = with_return({}, kRet), out = with_return({}, kRetOutside);
    const uint16_t f = SRV6S_PROBE_F_RETURN | SRV6S_PROBE_F_RETURNED;
    const Plain v4tos{true, 0x2a};
    Probe far_path = in;
    far_path.path_id = 0xabcd123;  // only the low 12 bits make the label
    run_rows({
        {"IPv6, returned: 41 inside IPv6", responder, request(in), Verdict::Send,
         returned(reply(replied(in, f)), kRet, 0), SRV6S_RX_PROBE_ANSWERED},
        {"IPv4, returned: 4 inside IPv6, outer traffic class the inner TOS", responder, request(in, v4tos),
         Verdict::Send, returned(reply(replied(in, f), v4tos), kRet, 0x2a), SRV6S_RX_PROBE_ANSWERED},
        {"flow label: the low 12 bits of the probe's path id", responder, request(far_path), Verdict::Send,
         returned(reply(replied(far_path, f)), kRet, 0, 0x123), SRV6S_RX_PROBE_ANSWERED},
        {"IPv6, return container outside ret_block: refused, untouched", responder, request(out),
         Verdict::Pass, {}, SRV6S_RX_PROBE_REFUSED},
        {"IPv4, outside: refused", responder, request(out, kV4), Verdict::Pass, {}, SRV6S_RX_PROBE_REFUSED},
        {"zero ret_block_mask refuses every return",
         [](DecapHarness& h) { base(h); h.config(probe_config(SRV6S_RX_CFG_DEFAULT | SRV6S_RX_CFG_PROBES, 0, 0)); },
         request(in), Verdict::Pass, {}, SRV6S_RX_PROBE_REFUSED},
        {"a /64 ret_block holding the container",
         [](DecapHarness& h) { base(h); h.config(probe_config(SRV6S_RX_CFG_DEFAULT | SRV6S_RX_CFG_PROBES, 0, 64)); },
         request(with_return({}, a6("fcbb:0:e001:0::5"))), Verdict::Send,
         returned(reply(replied(with_return({}, a6("fcbb:0:e001:0::5")), f)), a6("fcbb:0:e001:0::5"), 0),
         SRV6S_RX_PROBE_ANSWERED},
        {"a /64 ret_block not holding it",
         [](DecapHarness& h) { base(h); h.config(probe_config(SRV6S_RX_CFG_DEFAULT | SRV6S_RX_CFG_PROBES, 0, 64)); },
         request(in), Verdict::Pass, {}, SRV6S_RX_PROBE_REFUSED},
    });
}

TEST(Probe, NotProbesPassAsToday) {
    const Probe p;
    auto mutated = [](auto change) {
        Probe q;
        change(q);
        return q;
    };
    auto patched = [](Bytes f, size_t at, uint8_t v, bool fix_v4) {
        f[at] = v;
        if (fix_v4)
            fix_ipv4_checksum(f);
        set16(f, l4_of(f) + 6, udp_checksum(f));
        return f;
    };
    Bytes short6 = request(p);  // 55 bytes of probe
    short6.pop_back();
    set16(short6, 18, uint16_t(get16(short6, 18) - 1));
    set16(short6, 54 + 4, uint16_t(get16(short6, 54 + 4) - 1));
    Bytes zero6 = request(p);
    set16(zero6, 54 + 6, 0);
    const Bytes tcp6 = Builder().eth(0x86dd).ipv6(kH1, kH2, kTcp).tcp(kSport, SRV6S_PROBE_PORT)
                           .raw(probe_bytes(p)).build();
    run_rows({
        {"probes off", [](DecapHarness& h) { base(h); }, request(p), Verdict::Pass, {}, SRV6S_RX_NOT_OURS},
        {"probes off, IPv4", [](DecapHarness& h) { base(h); }, request(p, kV4), Verdict::Pass, {},
         SRV6S_RX_NOT_IPV6},
        {"probes on, decapsulation disabled",
         [](DecapHarness& h) { base(h); h.config(probe_config(SRV6S_RX_CFG_PROBES)); }, request(p), Verdict::Pass,
         {}, SRV6S_RX_DISABLED},
        {"another port", responder, request(p, {false, 0, 6636}), Verdict::Pass, {}, SRV6S_RX_NOT_OURS},
        {"the default port while another is configured",
         [](DecapHarness& h) { base(h); h.config(probe_config(SRV6S_RX_CFG_DEFAULT | SRV6S_RX_CFG_PROBES, 7000)); },
         request(p), Verdict::Pass, {}, SRV6S_RX_NOT_OURS},
        {"bad magic", responder, request(mutated([](Probe& q) { q.magic ^= 1; })), Verdict::Pass, {},
         SRV6S_RX_NOT_OURS},
        {"version 2", responder, request(mutated([](Probe& q) { q.version = 2; })), Verdict::Pass, {},
         SRV6S_RX_NOT_OURS},
        {"version 0, IPv4", responder, request(mutated([](Probe& q) { q.version = 0; }), kV4), Verdict::Pass, {},
         SRV6S_RX_NOT_IPV6},
        {"a reply is not reflected", responder, request(mutated([](Probe& q) { q.type = SRV6S_PROBE_REPLY; })),
         Verdict::Pass, {}, SRV6S_RX_NOT_OURS},
        {"a reply to the probe port, IPv4", responder,
         request(mutated([](Probe& q) { q.type = SRV6S_PROBE_REPLY; }), kV4), Verdict::Pass, {},
         SRV6S_RX_NOT_IPV6},
        {"type 3", responder, request(mutated([](Probe& q) { q.type = 3; })), Verdict::Pass, {},
         SRV6S_RX_NOT_OURS},
        {"a byte short", responder, short6, Verdict::Pass, {}, SRV6S_RX_NOT_OURS},
        {"IPv6 with UDP checksum 0", responder, zero6, Verdict::Pass, {}, SRV6S_RX_NOT_OURS},
        {"TCP to the probe port", responder, tcp6, Verdict::Pass, {}, SRV6S_RX_NOT_OURS},
        {"IPv4 fragment (MF)", responder, patched(request(p, kV4), 14 + 6, 0x20, true), Verdict::Pass, {},
         SRV6S_RX_NOT_IPV6},
        {"IPv4 with options (IHL 6: not parsed)", responder,
         [&] {
             Bytes f = Builder().eth(0x0800).ipv4(kV4Src, kV4Dst, kUdp, 0, 0, Bytes(4, 1))
                           .udp(kSport, SRV6S_PROBE_PORT).raw(probe_bytes(p)).build();
             set16(f, l4_of(f) + 6, udp_checksum(f));
             return f;
         }(),
         Verdict::Pass, {}, SRV6S_RX_NOT_IPV6},
        {"IPv6 next header not UDP (destination options first)", responder,
         Builder().eth(0x86dd).ipv6(kH1, kH2, 60).ext(kUdp).udp(kSport, SRV6S_PROBE_PORT)
             .raw(probe_bytes(p)).build(),
         Verdict::Pass, {}, SRV6S_RX_NOT_OURS},
        {"IPv6 payload length beyond the frame", responder,
         [&] { Bytes f = request(p); set16(f, 18, uint16_t(get16(f, 18) + 1)); return f; }(), Verdict::Pass, {},
         SRV6S_RX_NOT_OURS},
        {"UDP length beyond the IP packet", responder, patched(request(p), 54 + 5, 65, false), Verdict::Pass,
         {}, SRV6S_RX_NOT_OURS},
    });
}

// Requests that arrive encapsulated to a local SID: decapsulated, then
// answered with the sender path's counters (seeded on every CPU, this
// request counted first).
struct Encap {
    std::vector<srv6s_rx_path_stats> seed{{10, 1000, 2}, {3, 300, 1}};
    uint64_t seeded(bool ce) const {
        const size_t n = static_cast<size_t>(libbpf_num_possible_cpus());
        uint64_t s = 0;
        for (size_t i = 0; i < n; i++)
            s += ce ? seed[i % seed.size()].ce_packets : seed[i % seed.size()].packets;
        return s;
    }
    std::function<void(DecapHarness&)> setup(uint32_t flags = SRV6S_RX_CFG_DEFAULT | SRV6S_RX_CFG_PROBES) const {
        return [this, flags](DecapHarness& h) {
            responder(h);
            h.config(probe_config(flags));
            h.seed_path(kSender, kPathId, seed);
        };
    }
};

TEST(Probe, EncapsulatedRequestsAnsweredWithPathCounters) {
    const Encap e;
    const Probe p, r = with_return({}, kRet), out = with_return({}, kRetOutside);
    const uint16_t rx = SRV6S_PROBE_F_RX_COUNTS;
    const uint64_t n = e.seeded(false) + 1, ce = e.seeded(true);
    const Plain ect0{false, 0x02}, ce_marked{false, 0x03}, v4ect0{true, 0x02}, v4ce{true, 0x03};
    Probe reply_type = p;
    reply_type.type = SRV6S_PROBE_REPLY;
    const Bytes udp6 = Builder().eth(0x86dd).ipv6(kH1, kH2, kUdp).udp(kSport, SRV6S_PROBE_PORT).payload(56).build();
    run_rows({
        {"IPv6 in a uDT6 SID", e.setup(), arriving(request(p), kSid6), Verdict::Send,
         reply(replied(p, rx, n, ce)), SRV6S_RX_PROBE_ANSWERED},
        {"IPv4 in a uDT4 SID", e.setup(), arriving(request(p, kV4), kSid4), Verdict::Send,
         reply(replied(p, rx, n, ce), kV4), SRV6S_RX_PROBE_ANSWERED},
        {"IPv4 in a uDT46 SID behind an SRH (SL 0)", e.setup(), arriving(request(p, kV4), kSid46, 0, {kSid46, kSeg1}),
         Verdict::Send, reply(replied(p, rx, n, ce), kV4), SRV6S_RX_PROBE_ANSWERED},
        {"outer CE over inner ECT(0): the request's CE counted, the inner CE kept", e.setup(),
         arriving(request(p, ect0), kSid6, 0x03), Verdict::Send, reply(replied(p, rx, n, ce + 1), ce_marked),
         SRV6S_RX_PROBE_ANSWERED},
        {"outer CE over inner ECT(0), IPv4: TOS and header checksum fixed first", e.setup(),
         arriving(request(p, v4ect0), kSid4, 0x03), Verdict::Send, reply(replied(p, rx, n, ce + 1), v4ce),
         SRV6S_RX_PROBE_ANSWERED},
        {"returned", e.setup(), arriving(request(r), kSid6), Verdict::Send,
         returned(reply(replied(r, rx | SRV6S_PROBE_F_RETURN | SRV6S_PROBE_F_RETURNED, n, ce)), kRet, 0),
         SRV6S_RX_PROBE_ANSWERED},
        {"returned, IPv4", e.setup(), arriving(request(r, kV4), kSid4), Verdict::Send,
         returned(reply(replied(r, rx | SRV6S_PROBE_F_RETURN | SRV6S_PROBE_F_RETURNED, n, ce), kV4), kRet, 0),
         SRV6S_RX_PROBE_ANSWERED},
        {"return outside the block: refused, passed decapsulated", e.setup(), arriving(request(out), kSid6),
         Verdict::Pass, request(out), SRV6S_RX_PROBE_REFUSED},
        {"per-path counting off: no counters in the reply", e.setup(SRV6S_RX_CFG_DEFAULT | SRV6S_RX_CFG_PROBES |
                                                                      SRV6S_RX_CFG_NO_PATH_STATS),
         arriving(request(p), kSid6), Verdict::Send, reply(replied(p, 0)), SRV6S_RX_PROBE_ANSWERED},
        {"probes off: decapsulated as ever", e.setup(SRV6S_RX_CFG_DEFAULT), arriving(request(p), kSid6),
         Verdict::Pass, request(p), SRV6S_RX_DECAPSULATED},
        {"a reply inside: decapsulated, not reflected", e.setup(), arriving(request(reply_type), kSid6),
         Verdict::Pass, request(reply_type), SRV6S_RX_DECAPSULATED},
        {"other UDP to the probe port inside: decapsulated", e.setup(), arriving(udp6, kSid6), Verdict::Pass, udp6,
         SRV6S_RX_DECAPSULATED},
        {"a request to another host's SID: not ours, left alone", e.setup(), arriving(request(p), kOtherHost),
         Verdict::Pass, {}, SRV6S_RX_NOT_OURS},
    });
}

// The path counters count an answered (and a refused) request once; a
// path never seen before starts with it.
TEST(Probe, EncapsulatedRequestCountsItsPathOnce) {
    for (Hook hook : {Hook::Xdp, Hook::Tc}) {
        SCOPED_TRACE(hook_name(hook));
        DecapHarness h;
        responder(h);
        const Probe p, out = with_return({}, kRetOutside);
        const Bytes in = arriving(request(p), kSid6, 0x01);
        check_run(h, hook, in, send_verdict(hook), reply(replied(p, SRV6S_PROBE_F_RX_COUNTS, 1, 0)),
                  SRV6S_RX_PROBE_ANSWERED);
        check_run(h, hook, in, send_verdict(hook), reply(replied(p, SRV6S_PROBE_F_RX_COUNTS, 2, 0)),
                  SRV6S_RX_PROBE_ANSWERED);
        const Bytes refused = arriving(request(out), kSid6);
        check_run(h, hook, refused, pass_verdict(hook), request(out), SRV6S_RX_PROBE_REFUSED);
        const auto s = h.path(kSender, kPathId);
        ASSERT_TRUE(s);
        EXPECT_EQ(s->packets, 3u);
        EXPECT_EQ(s->bytes, 2 * in.size() + refused.size());
    }
}

// No prefix of a request frame is answered; each passes untouched.
TEST(Probe, EveryTruncationPassesUntouched) {
    const Probe p, r = with_return({}, kRet);
    const std::vector<std::pair<std::string, Bytes>> frames = {
        {"IPv6", request(p)},
        {"IPv4", request(p, kV4)},
        {"IPv4 returned", request(r, kV4)},
        {"IPv6 in uDT6", arriving(request(p), kSid6)},
        {"IPv4 in uDT4 behind an SRH", arriving(request(p, kV4), kSid4, 0, {kSid4})},
    };
    for (Hook hook : {Hook::Xdp, Hook::Tc}) {
        DecapHarness h;
        responder(h);
        for (const auto& [name, full] : frames) {
            for (size_t len = 0; len < full.size(); len++) {
                SCOPED_TRACE(std::string(hook_name(hook)) + ": " + name + " cut to " + std::to_string(len));
                const Bytes in(full.begin(), full.begin() + long(len));
                const auto before = h.reasons();
                DecapRun run;
                if (h.try_run(hook, in, run) != 0) {
                    EXPECT_LT(len, refused_below(hook));
                    continue;
                }
                EXPECT_EQ(run.verdict, pass_verdict(hook));
                EXPECT_TRUE(run.out == in) << diff(run.out, in);
                const auto after = h.reasons();
                EXPECT_EQ(total(after) - total(before), 1u);
                EXPECT_EQ(after[SRV6S_RX_PROBE_ANSWERED].packets, before[SRV6S_RX_PROBE_ANSWERED].packets);
            }
        }
    }
}

}  // namespace
