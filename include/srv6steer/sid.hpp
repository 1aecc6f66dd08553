// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// SRv6 addresses, uSID containers and the SRH: the pure codec between what a
// user writes ("fcbb:0::/32", "1004,1001,fe06") and struct srv6s_path, the
// encapsulation the data plane pushes. Every invalid input throws Error (code 0).
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "srv6steer/abi.h"

namespace srv6steer {

// uSIDs are 16 bits (the F3216 format: a /32 block holds 6 uSIDs per container).
inline constexpr unsigned kUsidBits = 16;
// A path is at most this many uSID containers: the outer destination plus
// SRV6S_MAX_SRH_SEGS in the SRH (reduced form; the full form holds one less).
inline constexpr std::size_t kMaxContainers = SRV6S_MAX_SRH_SEGS + 1;

struct Ipv6 {
    std::array<uint8_t, 16> bytes{};  // network order

    // IPv6 text ("fcbb:0:1004::").
    static Ipv6 parse(std::string_view text);
    // IPv4 dotted quad (returned IPv4-mapped, ::ffff:a.b.c.d) or IPv6 text.
    static Ipv6 parse_any(std::string_view text);
    static Ipv6 from_ipv4(uint32_t host_order);

    bool is_v4_mapped() const;
    std::string str() const;  // RFC 5952 form
    friend auto operator<=>(const Ipv6&, const Ipv6&) = default;
};

// A uSID block (locator block): the prefix every container of the domain starts with.
struct Block {
    Ipv6 prefix;
    unsigned len = 0;  // a multiple of 16, 16 .. 112

    // "fcbb:0::/32"
    static Block parse(std::string_view text);
    unsigned usids_per_container() const { return (128 - len) / kUsidBits; }
    std::string str() const;
    friend bool operator==(const Block&, const Block&) = default;
};

// "1004,1001,1006,fe06" (comma and/or space separated, 1-4 hex digits, 0x optional).
std::vector<uint16_t> parse_usids(std::string_view text);

// Packs uSIDs in order into containers: block, up to usids_per_container()
// uSIDs, then zeros (end of carrier). A full container continues in the next.
std::vector<Ipv6> usid_containers(const Block& block, std::span<const uint16_t> usids);
// The uSIDs of one container, up to its first zero uSID.
std::vector<uint16_t> container_usids(const Block& block, const Ipv6& container);

// Reduced: H.Encaps.Red (the first segment only in the destination address);
// Full: H.Encaps (every segment in the SRH).
enum class SrhMode { Reduced, Full };

// Segments (containers) one path can have in each mode.
// Why an address cannot be a segment (a SID packets are sent to): "the
// loopback address", "a multicast address", ...; nullptr for global unicast.
const char* segment_problem(const Ipv6& a);

constexpr std::size_t max_segments(SrhMode mode) {
    return mode == SrhMode::Reduced ? SRV6S_MAX_SRH_SEGS + 1 : SRV6S_MAX_SRH_SEGS;
}

// Segments in path order (segments[0] is the first destination).
srv6s_path encode_path(std::span<const Ipv6> segments, SrhMode mode = SrhMode::Reduced,
                       bool down = false);
// Back to path order; throws when the path is not one encode_path could make.
std::vector<Ipv6> decode_path(const srv6s_path& path);
SrhMode path_mode(const srv6s_path& path);

// Bytes the encapsulation adds: outer IPv6 header plus the SRH, if any.
std::size_t encap_len(const srv6s_path& path);

// A Segment Routing Header (RFC 8754) without TLVs; segs in wire order.
struct Srh {
    uint8_t next_header = 0;
    uint8_t segments_left = 0;
    uint8_t last_entry = 0;
    uint8_t flags = 0;
    uint16_t tag = 0;  // host order
    std::vector<Ipv6> segs;
    friend bool operator==(const Srh&, const Srh&) = default;
};

// The SRH of a path as on the wire; empty when the path has none.
std::vector<uint8_t> srh_bytes(const srv6s_path& path, uint8_t next_header);
std::vector<uint8_t> srh_bytes(const Srh& srh);
// Exactly one SRH, no TLVs: the span must end where hdr_ext_len says.
Srh parse_srh(std::span<const uint8_t> bytes);

}  // namespace srv6steer
