// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Probe frames for tests and benches of the responder (docs/design.md §15):
// the probe payload serialised byte by byte from the layout in
// include/srv6steer/probe_abi.h (not from its struct), and a full UDP
// checksum of a plain frame computed here (the program updates it
// incrementally).
#pragma once

#include <algorithm>
#include <cstdint>

#include "packet.hpp"
#include "srv6steer/probe_abi.h"

namespace testpkt {

struct Probe {
    uint32_t magic = SRV6S_PROBE_MAGIC;
    uint8_t version = SRV6S_PROBE_VERSION;
    uint8_t type = SRV6S_PROBE_REQUEST;
    uint16_t flags = 0;
    uint32_t path_id = 7;
    uint32_t seq = 0x01020304;
    uint64_t sent_ns = 0x1122334455667788ull;
    Addr6 ret{};
    uint64_t rx_packets = 0;
    uint64_t rx_ce_packets = 0;
};

inline void put_be(Bytes& b, uint64_t v, int n) {
    for (int i = n - 1; i >= 0; i--)
        b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// The 56 bytes on the wire.
inline Bytes probe_bytes(const Probe& p) {
    Bytes b;
    put_be(b, p.magic, 4);
    put_be(b, p.version, 1);
    put_be(b, p.type, 1);
    put_be(b, p.flags, 2);
    put_be(b, p.path_id, 4);
    put_be(b, p.seq, 4);
    put_be(b, p.sent_ns, 8);
    b.insert(b.end(), p.ret.begin(), p.ret.end());
    put_be(b, p.rx_packets, 8);
    put_be(b, p.rx_ce_packets, 8);
    return b;
}

inline uint16_t get16(const Bytes& b, size_t at) { return uint16_t(b[at] << 8 | b[at + 1]); }
inline void set16(Bytes& b, size_t at, uint16_t v) {
    b[at] = uint8_t(v >> 8);
    b[at + 1] = uint8_t(v);
}

// The IP header at 14 of a plain frame: its length and where UDP starts.
inline bool is_v4(const Bytes& f) { return get16(f, 12) == 0x0800; }
inline size_t l4_of(const Bytes& f) { return is_v4(f) ? 14 + 4u * (f[14] & 0xf) : 14 + 40; }

// RFC 768 / RFC 8200 §8.1: the full UDP checksum of a plain frame's
// datagram over its pseudo header, 0 computed sent as 0xffff.
inline uint16_t udp_checksum(const Bytes& f) {
    const size_t l4 = l4_of(f), len = get16(f, l4 + 4);
    uint64_t s = 0;
    auto add = [&](const uint8_t* p, size_t n) {
        for (size_t i = 0; i < n; i += 2)
            s += uint32_t(p[i]) << 8 | (i + 1 < n ? p[i + 1] : 0);
    };
    if (is_v4(f)) {
        add(&f[14 + 12], 8);
    } else {
        add(&f[14 + 8], 32);
    }
    s += 17 + len;
    Bytes udp(f.begin() + long(l4), f.begin() + long(l4 + len));
    udp[6] = udp[7] = 0;
    add(udp.data(), udp.size());
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    const uint16_t c = static_cast<uint16_t>(~s);
    return c ? c : 0xffff;
}

inline void swap_macs(Bytes& f) { std::swap_ranges(f.begin(), f.begin() + 6, f.begin() + 6); }


// The probe reply of request p: type REPLY, flags, responder fields.
inline Probe replied(Probe p, uint16_t flags, uint64_t rx = 0, uint64_t rx_ce = 0) {
    p.type = SRV6S_PROBE_REPLY;
    p.flags = flags;
    p.rx_packets = rx;
    p.rx_ce_packets = rx_ce;
    return p;
}

inline Probe with_return(Probe p, const Addr6& ret) {
    p.flags = SRV6S_PROBE_F_RETURN;
    p.ret = ret;
    return p;
}

}  // namespace testpkt
