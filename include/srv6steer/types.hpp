// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What users pin: flows, RDMA queue pairs and prefixes, and who pinned them.
// Plain values with text forms that the CLI, the JSON config and error
// messages share.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "srv6steer/abi.h"
#include "srv6steer/sid.hpp"

namespace srv6steer {

// A transport 5-tuple. Addresses of either family (IPv4 as ::ffff:a.b.c.d).
// Text: "tcp SRC SPORT DST DPORT", e.g. "tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201"
// or "udp 10.0.1.10 5000 10.0.2.20 4791"; proto is tcp or udp (6 or 17), the
// protocols whose ports the data plane reads.
struct Flow {
    Ipv6 src;
    Ipv6 dst;
    uint8_t proto = 6;
    uint16_t sport = 0;
    uint16_t dport = 0;

    static Flow parse(std::string_view text);
    // Throws unless the flow can be pinned: tcp or udp, one address family.
    void check() const;
    std::string str() const;
    srv6s_flow_key key() const;
    static Flow from_key(const srv6s_flow_key&);
    friend auto operator<=>(const Flow&, const Flow&) = default;
};

// A RoCEv2 destination: address + 24-bit destination queue pair.
// Text: "DST QP", QP decimal or 0x-hex, e.g. "fcbb:0:800:2::20 0x123".
struct Qp {
    Ipv6 dst;
    uint32_t qp = 0;

    static Qp parse(std::string_view text);
    std::string str() const;
    srv6s_qp_key key() const;
    static Qp from_key(const srv6s_qp_key&);
    friend auto operator<=>(const Qp&, const Qp&) = default;
};

// A destination prefix; IPv4 prefixes are kept IPv4-mapped (len 96 + n).
// Text: "fcbb:0:800:2::/64", "10.0.2.0/24", or an address alone (/128, /32).
struct Prefix {
    Ipv6 addr;
    unsigned len = 128;  // of the (mapped) IPv6 form

    static Prefix parse(std::string_view text);
    std::string str() const;  // IPv4 prefixes print as IPv4
    bool is_v4() const { return addr.is_v4_mapped() && len >= 96; }
    srv6s_prefix_key key() const;
    static Prefix from_key(const srv6s_prefix_key&);
    friend auto operator<=>(const Prefix&, const Prefix&) = default;
};

// Who made a pin: a process (and its cgroup, e.g. a pod), or nobody (0) for
// pins declared by configuration, which never go stale.
struct Owner {
    uint32_t pid = 0;
    uint64_t cgroup = 0;

    static Owner self();   // this process and its cgroup v2 id
    static Owner none() { return {}; }
    friend bool operator==(const Owner&, const Owner&) = default;
};

// What a pin says besides its key.
struct PinInfo {
    uint32_t path_set = 0;
    Owner owner;
    std::chrono::system_clock::time_point created;
    uint64_t packets = 0;
    uint64_t bytes = 0;
    // Pinned with PinOptions::ignore_down (SRV6S_PIN_IGNORE_DOWN): follows
    // its target's paths while they are down and never falls back.
    bool ignore_down = false;

    static PinInfo from_value(const srv6s_pin&);
};

// "tcp" or "udp" (or 6, 17): the protocols flows may have.
uint8_t parse_proto(std::string_view text);
std::string proto_name(uint8_t proto);

}  // namespace srv6steer
