// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "srv6steer/sid.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <optional>

#include "srv6steer/error.hpp"
#include "text.hpp"

namespace srv6steer {
namespace {

constexpr std::size_t kSegLen = SRV6S_SEG_LEN;
// hdr_ext_len is one byte counting 8-byte units, two per segment.
constexpr std::size_t kMaxSrhWireSegs = 255 / 2;

using text::quote;

std::string hex16(uint16_t v) {
    char buf[4];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v, 16).ptr);
}

std::string num(std::size_t v) { return std::to_string(v); }

std::string name(SrhMode mode) { return mode == SrhMode::Reduced ? "reduced" : "full"; }

// inet_pton wants a C string; an embedded NUL would silently cut the text short.
template <int Family, std::size_t N>
bool pton(std::string_view text, uint8_t (&out)[N]) {
    const std::string s(text);
    return s.find('\0') == std::string::npos && inet_pton(Family, s.c_str(), out) == 1;
}

Ipv6 seg(const uint8_t (&raw)[16]) {
    Ipv6 a;
    std::copy(std::begin(raw), std::end(raw), a.bytes.begin());
    return a;
}

std::optional<Ipv6> try_parse6(std::string_view text) {
    uint8_t raw[16];
    if (!pton<AF_INET6>(text, raw))
        return std::nullopt;
    return seg(raw);
}

void check_block(const Block& b) {
    if (b.len < kUsidBits || b.len > 128 - kUsidBits || b.len % kUsidBits != 0)
        throw Error("uSID block " + b.str() + ": length /" + num(b.len) +
                    " not allowed; use a multiple of 16 from 16 to 112 (16-bit uSIDs)");
    if (std::any_of(b.prefix.bytes.begin() + b.len / 8, b.prefix.bytes.end(),
                    [](uint8_t x) { return x != 0; }))
        throw Error("uSID block " + b.str() + " has bits set past /" + num(b.len));
}

uint16_t parse_usid(std::string_view tok, std::string_view list) {
    std::string_view digits = tok;
    if (digits.starts_with("0x") || digits.starts_with("0X"))
        digits.remove_prefix(2);
    const bool hex = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
    if (!hex)
        throw Error("invalid uSID " + quote(tok) + " in " + quote(list) +
                    ": expected 1 to 4 hex digits, e.g. 1004 or fe06");
    if (digits.size() > 4)
        throw Error("uSID " + quote(tok) + " in " + quote(list) +
                    " has more than 4 hex digits (uSIDs are 16 bits)");
    uint16_t v = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), v, 16);
    if (v == 0)
        throw Error("uSID " + quote(tok) + " in " + quote(list) +
                    " is 0, which marks the end of a container; use 1 to ffff");
    return v;
}

}  // namespace

// ---- Ipv6 -------------------------------------------------------------------

Ipv6 Ipv6::parse(std::string_view text) {
    if (auto a = try_parse6(text))
        return *a;
    throw Error("invalid IPv6 address " + quote(text) + " (expected e.g. fcbb:0:1004::)");
}

Ipv6 Ipv6::parse_any(std::string_view text) {
    uint8_t v4[4];
    if (pton<AF_INET>(text, v4))
        return from_ipv4(uint32_t{v4[0]} << 24 | uint32_t{v4[1]} << 16 | uint32_t{v4[2]} << 8 |
                         v4[3]);
    if (auto a = try_parse6(text))
        return *a;
    throw Error("invalid IP address " + quote(text) +
                " (expected IPv4 a.b.c.d or IPv6, e.g. 10.0.0.1 or fcbb:0:800:1::1)");
}

Ipv6 Ipv6::from_ipv4(uint32_t host_order) {
    Ipv6 a;
    a.bytes[10] = a.bytes[11] = 0xff;
    for (int i = 0; i < 4; ++i)
        a.bytes[12 + i] = static_cast<uint8_t>(host_order >> (24 - 8 * i));
    return a;
}

bool Ipv6::is_v4_mapped() const {
    return std::all_of(bytes.begin(), bytes.begin() + 10, [](uint8_t x) { return x == 0; }) &&
           bytes[10] == 0xff && bytes[11] == 0xff;
}

std::string Ipv6::str() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

// ---- uSID blocks and containers -----------------------------------------------

Block Block::parse(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos)
        throw Error("uSID block " + quote(text) + " has no /length (expected e.g. fcbb:0::/32)");
    const std::string_view addr = text.substr(0, slash);
    const std::string_view len = text.substr(slash + 1);

    const auto prefix = try_parse6(addr);
    if (!prefix)
        throw Error("uSID block " + quote(text) + ": " + quote(addr) +
                    " is not an IPv6 address (expected e.g. fcbb:0::/32)");
    Block b{*prefix, 0};
    const auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), b.len);
    if (len.empty() || ec != std::errc{} || end != len.data() + len.size())
        throw Error("uSID block " + quote(text) + ": length " + quote(len) +
                    " is not a number (expected a multiple of 16 from 16 to 112)");
    check_block(b);
    return b;
}

std::string Block::str() const { return prefix.str() + "/" + num(len); }

std::vector<uint16_t> parse_usids(std::string_view text) {
    constexpr std::string_view kSpace = " \t\n";
    constexpr std::string_view kSeparators = ", \t\n";
    if (text.find_first_not_of(kSeparators) == std::string_view::npos)
        throw Error("empty uSID list " + quote(text) + " (expected e.g. 1004,1001,fe06)");

    std::vector<uint16_t> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t comma = std::min(text.find(',', pos), text.size());
        std::string_view item = text.substr(pos, comma - pos);
        pos = comma + 1;
        if (item.find_first_not_of(kSpace) == std::string_view::npos)
            throw Error("uSID list " + quote(text) + " has an empty entry at a comma");
        while (true) {
            const auto first = item.find_first_not_of(kSpace);
            if (first == std::string_view::npos)
                break;
            item.remove_prefix(first);
            const auto last = std::min(item.find_first_of(kSpace), item.size());
            out.push_back(parse_usid(item.substr(0, last), text));
            item.remove_prefix(last);
        }
    }
    return out;
}

std::vector<Ipv6> usid_containers(const Block& block, std::span<const uint16_t> usids) {
    check_block(block);
    if (usids.empty())
        throw Error("empty uSID list: a path needs at least one uSID");
    if (const auto zero = std::find(usids.begin(), usids.end(), 0); zero != usids.end())
        throw Error("uSID " + num(static_cast<std::size_t>(zero - usids.begin()) + 1) +
                    " of the list is 0, which marks the end of a container; use 1 to ffff");
    const std::size_t per = block.usids_per_container();
    const std::size_t n = (usids.size() + per - 1) / per;
    if (n > kMaxContainers)
        throw Error(num(usids.size()) + " uSIDs need " + num(n) + " containers in block " +
                    block.str() + " (" + num(per) + " uSIDs each); at most " +
                    num(kMaxContainers) + " containers (the destination + " + num(SRV6S_MAX_SRH_SEGS) + " in the SRH), i.e. " +
                    num(per * kMaxContainers) + " uSIDs");

    std::vector<Ipv6> out;
    for (std::size_t first = 0; first < usids.size(); first += per) {
        Ipv6 c = block.prefix;
        std::size_t at = block.len / 8;
        for (uint16_t u : usids.subspan(first, std::min(per, usids.size() - first))) {
            c.bytes[at++] = static_cast<uint8_t>(u >> 8);
            c.bytes[at++] = static_cast<uint8_t>(u);
        }
        out.push_back(c);
    }
    return out;
}

std::vector<uint16_t> container_usids(const Block& block, const Ipv6& container) {
    check_block(block);
    const std::size_t lead = block.len / 8;
    if (!std::equal(block.prefix.bytes.begin(), block.prefix.bytes.begin() + lead,
                    container.bytes.begin()))
        throw Error("container " + container.str() + " is not inside uSID block " + block.str());
    std::vector<uint16_t> out;
    bool ended = false;
    for (std::size_t at = lead; at < container.bytes.size(); at += 2) {
        const auto u = static_cast<uint16_t>(container.bytes[at] << 8 | container.bytes[at + 1]);
        if (u == 0)
            ended = true;
        else if (ended)
            throw Error("container " + container.str() + " has uSID " + hex16(u) +
                        " after the end-of-container 0; uSIDs must be contiguous");
        else
            out.push_back(u);
    }
    return out;
}

// ---- paths and the SRH ----------------------------------------------------------

srv6s_path encode_path(std::span<const Ipv6> segments, SrhMode mode, bool down) {
    const std::size_t n = segments.size();
    if (n == 0)
        throw Error("a path needs at least one segment");
    if (n > max_segments(mode))
        throw Error(num(n) + " segments do not fit a " + name(mode) + " SRH: at most " +
                    num(max_segments(mode)) + " segments (" + num(SRV6S_MAX_SRH_SEGS) +
                    " SRH entries)");

    srv6s_path p{};
    std::copy(segments[0].bytes.begin(), segments[0].bytes.end(), p.dst);
    p.flags = static_cast<uint8_t>(SRV6S_PATH_PRESENT | (down ? SRV6S_PATH_DOWN : 0));
    p.n_segs = static_cast<uint8_t>(mode == SrhMode::Reduced ? n - 1 : n);
    p.segments_left = static_cast<uint8_t>(n - 1);
    for (std::size_t i = 0; i < p.n_segs; ++i)
        std::copy(segments[n - 1 - i].bytes.begin(), segments[n - 1 - i].bytes.end(), p.segs[i]);
    return p;
}

SrhMode path_mode(const srv6s_path& p) {
    if (p.n_segs > SRV6S_MAX_SRH_SEGS)
        throw Error("path has n_segs " + num(p.n_segs) + "; at most " +
                    num(SRV6S_MAX_SRH_SEGS) + ", the most an SRH of srv6steer holds");
    if (p.segments_left == p.n_segs)
        return SrhMode::Reduced;
    if (p.segments_left + 1 == p.n_segs)
        return SrhMode::Full;
    throw Error("path with n_segs " + num(p.n_segs) + " has segments_left " +
                num(p.segments_left) + "; expected " +
                (p.n_segs == 0 ? std::string("0 (no SRH)")
                               : num(p.n_segs) + " (reduced SRH) or " + num(p.n_segs - 1u) +
                                     " (full SRH)"));
}

std::vector<Ipv6> decode_path(const srv6s_path& p) {
    const SrhMode mode = path_mode(p);
    std::vector<Ipv6> out;
    if (mode == SrhMode::Reduced)
        out.push_back(seg(p.dst));
    for (std::size_t i = p.n_segs; i-- > 0;)
        out.push_back(seg(p.segs[i]));
    if (mode == SrhMode::Full && out.front() != seg(p.dst))
        throw Error("full-SRH path goes to " + seg(p.dst).str() + " but its first segment is " +
                    out.front().str());
    return out;
}

const char* segment_problem(const Ipv6& a) {
    const auto& b = a.bytes;
    const bool low = std::all_of(b.begin(), b.end() - 1, [](uint8_t x) { return x == 0; });
    if (low && b[15] == 0)
        return "the unspecified address";
    if (low && b[15] == 1)
        return "the loopback address";
    if (b[0] == 0xff)
        return "a multicast address";
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return "a link-local address";
    if (a.is_v4_mapped())
        return "an IPv4-mapped address";
    return nullptr;
}

std::size_t encap_len(const srv6s_path& p) { return srv6s_encap_len(&p); }

std::vector<uint8_t> srh_bytes(const srv6s_path& p, uint8_t next_header) {
    (void)path_mode(p);  // throws on a path encode_path cannot make
    if (p.n_segs == 0)
        return {};
    Srh srh{next_header, p.segments_left, static_cast<uint8_t>(p.n_segs - 1), 0, 0, {}};
    for (std::size_t i = 0; i < p.n_segs; ++i)
        srh.segs.push_back(seg(p.segs[i]));
    return srh_bytes(srh);
}

std::vector<uint8_t> srh_bytes(const Srh& srh) {
    const std::size_t n = srh.segs.size();
    if (n == 0 || n > kMaxSrhWireSegs)
        throw Error("an SRH carries 1 to " + num(kMaxSrhWireSegs) + " segments, not " + num(n));
    if (srh.last_entry + 1u != n)
        throw Error("SRH last_entry " + num(srh.last_entry) + " does not match its " + num(n) +
                    " segments (expected " + num(n - 1) + ")");
    if (srh.segments_left > n)
        throw Error("SRH segments_left " + num(srh.segments_left) + " is past its " + num(n) +
                    " segments");
    std::vector<uint8_t> out{srh.next_header,
                             static_cast<uint8_t>(2 * n),
                             SRV6S_SRH_TYPE,
                             srh.segments_left,
                             srh.last_entry,
                             srh.flags,
                             static_cast<uint8_t>(srh.tag >> 8),
                             static_cast<uint8_t>(srh.tag)};
    for (const Ipv6& s : srh.segs)
        out.insert(out.end(), s.bytes.begin(), s.bytes.end());
    return out;
}

Srh parse_srh(std::span<const uint8_t> b) {
    if (b.size() < SRV6S_SRH_FIXED_LEN)
        throw Error("SRH of " + num(b.size()) + " bytes is shorter than its " +
                    num(SRV6S_SRH_FIXED_LEN) + "-byte fixed header");
    if (b[2] != SRV6S_SRH_TYPE)
        throw Error("routing header type " + num(b[2]) + " is not an SRH (type 4)");
    const std::size_t ext = b[1];
    if (ext % 2 != 0)
        throw Error("SRH hdr_ext_len " + num(ext) + " is odd; each segment takes 2 units");
    if (SRV6S_SRH_FIXED_LEN + 8 * ext != b.size())
        throw Error("SRH hdr_ext_len " + num(ext) + " means " + num(SRV6S_SRH_FIXED_LEN + 8 * ext) +
                    " bytes, but " + num(b.size()) + " were given (TLVs are not supported)");
    Srh s{b[0], b[3], b[4], b[5], static_cast<uint16_t>(b[6] << 8 | b[7]), {}};
    if (s.last_entry + 1u != ext / 2)
        throw Error("SRH last_entry " + num(s.last_entry) + " does not match hdr_ext_len " +
                    num(ext) + " (" + num(ext / 2) + " segments, TLVs are not supported)");
    if (s.segments_left > s.last_entry + 1u)
        throw Error("SRH segments_left " + num(s.segments_left) + " is past last_entry " +
                    num(s.last_entry) + " + 1");
    for (std::size_t at = SRV6S_SRH_FIXED_LEN; at < b.size(); at += kSegLen) {
        Ipv6 a;
        const auto raw = b.subspan(at, kSegLen);
        std::copy(raw.begin(), raw.end(), a.bytes.begin());
        s.segs.push_back(a);
    }
    return s;
}

}  // namespace srv6steer
