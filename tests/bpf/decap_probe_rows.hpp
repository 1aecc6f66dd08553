// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What the probe responder's tests share (docs/design.md §15): request and
// reply frames built with testing/packet.hpp and testing/probe_frames.hpp
// (probe payloads serialised byte by byte, a full UDP checksum: the program
// updates it incrementally, the expected bytes never are), the responder's
// config, and rows {description, setup, input, verdict, output, reason} run
// on both hooks.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "decap_rows.hpp"
#include "probe_frames.hpp"

namespace proberows {

using namespace decaprows;

inline const Addr6 kReplySrc = a6("fcbb:0:e002::1");        // rx_config.src
inline const Addr6 kRet = a6("fcbb:0:e001:fe06::");          // the prober's return container
inline const Addr6 kRetOutside = a6("fcbb:0:e009:fe06::");   // outside ret_block
inline const Addr6 kRetBlock = a6("fcbb:0:e001::");          // ret_block /48
inline constexpr uint16_t kSport = 40123;
inline constexpr uint32_t kPathId = 7;  // kLabel's path id, and the probe's

// A plain IPv4 header's checksum recomputed after a change (RFC 791).
inline void fix_ipv4_checksum(Bytes& f) {
    set16(f, 14 + 10, 0);
    set16(f, 14 + 10, static_cast<uint16_t>(~ipv4_header_sum(&f[14])));
}

struct Plain {
    bool v4 = false;
    uint8_t tos = 0;
    uint16_t port = SRV6S_PROBE_PORT;
    bool zero_checksum = false;  // IPv4 only: "no checksum"
};

// A request as its sender's stack makes it: TTL / hop limit 61, full UDP
// checksum (unless zero_checksum).
inline Bytes request(const Probe& p, const Plain& how = {}) {
    Builder b;
    if (how.v4)
        b.eth(0x0800).ipv4(kV4Src, kV4Dst, kUdp, how.tos);
    else
        b.eth(0x86dd).ipv6(kH1, kH2, kUdp, how.tos, 0x12345, 61);
    Bytes f = b.udp(kSport, how.port).raw(probe_bytes(p)).build();
    if (how.v4) {
        f[14 + 8] = 61;
        fix_ipv4_checksum(f);
    }
    set16(f, l4_of(f) + 6, how.zero_checksum ? 0 : udp_checksum(f));
    return f;
}

// The reply the responder must send for request(p, how), built afresh:
// MACs, addresses and ports swapped, TTL / hop limit 64, the reply's probe,
// a full checksum (0 stays 0).
inline Bytes reply(const Probe& r, const Plain& how = {}) {
    Builder b;
    if (how.v4)
        b.eth(0x0800).ipv4(kV4Dst, kV4Src, kUdp, how.tos);  // TTL 64
    else
        b.eth(0x86dd).ipv6(kH2, kH1, kUdp, how.tos, 0x12345, 64);
    Bytes f = b.udp(how.port, kSport).raw(probe_bytes(r)).build();
    swap_macs(f);
    set16(f, l4_of(f) + 6, how.zero_checksum ? 0 : udp_checksum(f));
    return f;
}

// A reply sent back towards the return container: reduced encapsulation,
// outer source rx_config.src, flow label the probe's path id, hop limit 64,
// traffic class the inner one's.
inline Bytes returned(const Bytes& reply_frame, const Addr6& ret, uint8_t tos, uint32_t path_id = kPathId) {
    return encapsulated(reply_frame, kReplySrc, ret, tos, path_id & SRV6S_RX_PATH_ID_MASK);
}

// The responder: base()'s SIDs and config with PROBES, ret_block /48.
inline srv6s_rx_config probe_config(uint32_t flags = SRV6S_RX_CFG_DEFAULT | SRV6S_RX_CFG_PROBES,
                                    uint16_t port = 0, uint32_t ret_len = 48) {
    srv6s_rx_config c{};
    c.flags = flags;
    c.probe_port = port;
    std::memcpy(c.src, kReplySrc.data(), 16);
    for (uint32_t i = 0; i < 8; i++) {
        const uint32_t bits = ret_len > 8 * i ? std::min(8u, ret_len - 8 * i) : 0;
        c.ret_block_mask[i] = static_cast<uint8_t>(0xff00u >> bits);
        c.ret_block[i] = kRetBlock[i] & c.ret_block_mask[i];
    }
    return c;
}

inline void responder(DecapHarness& h) {
    base(h);
    h.config(probe_config());
}

enum class Verdict { Pass, Drop, Send };

inline int verdict_of(Hook h, Verdict v) {
    return v == Verdict::Send ? send_verdict(h) : v == Verdict::Drop ? drop_verdict(h) : pass_verdict(h);
}

struct Row {
    std::string description;
    std::function<void(DecapHarness&)> setup;
    Bytes input;
    Verdict verdict;
    Bytes expected;  // empty: the input, byte for byte
    srv6s_rx_reason reason;
};

inline void run_rows(const std::vector<Row>& rows) {
    run_rows_with(rows, [](Hook h, const Row& r) { return verdict_of(h, r.verdict); });
}

}  // namespace proberows
