// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Jalapeno's srv6_usid text into uSIDs and a srv6steer::Path.
//
// Jalapeno writes srv6_usid as text: usid_block ("fcbb:0:"), the first group
// after the block of each SID on the path joined by ':', then "::". It never
// checks that the uSIDs fit one container, so a long path gives text with more
// than 8 groups, which is no IPv6 address. The text is therefore read as
// Jalapeno writes it, not as an address, and the uSIDs are packed into
// containers by libsrv6steer's encoder (usid_containers in libsrv6steer/sid.cpp).
#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include "jalapeno/client.hpp"
#include "text.hpp"

namespace srv6steer::jalapeno {
namespace {

using text::quote;

bool is_hex(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

// Groups of text separated by ':' (no empty group allowed).
std::vector<std::string_view> groups(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (true) {
        const auto colon = s.find(':', pos);
        out.push_back(s.substr(pos, colon == std::string_view::npos ? colon : colon - pos));
        if (colon == std::string_view::npos)
            return out;
        pos = colon + 1;
    }
}

[[noreturn]] void bad(std::string_view usid, const std::string& why) {
    std::string m = "srv6_usid ";
    m += quote(usid);
    m += ": ";
    m += why;
    throw Error(m);
}

Block block_of(std::string_view usid_block) {
    std::string m = "usid_block ";
    m += quote(usid_block);
    if (usid_block.size() < 2 || usid_block.back() != ':') {
        m += " is not a block as Jalapeno writes it (hex groups each followed by ':', e.g. fcbb:0:)";
        throw Error(m);
    }
    const auto g = groups(usid_block.substr(0, usid_block.size() - 1));
    for (auto x : g)
        if (!is_hex(x) || x.size() > 4) {
            m += ": group ";
            m += quote(x);
            m += " is not 1 to 4 hex digits";
            throw Error(m);
        }
    std::string text(usid_block);
    text += ":/";
    text += std::to_string(16 * g.size());
    try {
        return Block::parse(text);
    } catch (const Error& e) {
        m += ": ";
        m += e.what();
        throw Error(m);
    }
}

}  // namespace

std::vector<uint16_t> usids_of(std::string_view usid, std::string_view usid_block,
                               Block* block_out) {
    const Block block = block_of(usid_block);
    if (!usid.starts_with(usid_block)) {
        std::string why = "does not start with usid_block ";
        why += quote(usid_block);
        bad(usid, why);
    }
    std::string_view rest = usid.substr(usid_block.size());
    if (!rest.ends_with("::"))
        bad(usid, "does not end with \"::\" (Jalapeno writes the block, the uSIDs, then ::)");
    rest.remove_suffix(2);
    if (rest.empty())
        bad(usid, "has no uSIDs: Jalapeno found no SRv6 SID in the block on the path's nodes");

    std::vector<uint16_t> out;
    for (auto g : groups(rest)) {
        if (!is_hex(g) || g.size() > 4) {
            std::string why = "uSID ";
            why += quote(g);
            why += " (number ";
            why += std::to_string(out.size() + 1);
            why += ") is not 1 to 4 hex digits";
            bad(usid, why);
        }
        uint16_t v = 0;
        std::from_chars(g.data(), g.data() + g.size(), v, 16);
        if (v == 0) {
            std::string why = "uSID number ";
            why += std::to_string(out.size() + 1);
            why += " is 0, which ends a container";
            bad(usid, why);
        }
        out.push_back(v);
    }

    // When the text is an address too (the uSIDs leave room in one container:
    // a full one is 8 groups and "::", no address), it must say the same.
    const std::string s(usid);
    if (out.size() < block.usids_per_container()) {
        Ipv6 a;
        try {
            a = Ipv6::parse(s);
        } catch (const Error&) {
            bad(usid, "is not an IPv6 address");
        }
        if (container_usids(block, a) != out)
            bad(usid, "as an IPv6 address holds other uSIDs than its text");
    }
    if (block_out)
        *block_out = block;
    return out;
}

Path path_of(const Block& block, std::span<const uint16_t> usids) {
    Path p;
    p.segments = usid_containers(block, usids);  // throws when they do not fit
    p.mode = SrhMode::Reduced;
    for (const Ipv6& c : p.segments)
        if (const char* why = segment_problem(c)) {
            std::string m = "container ";
            m += c.str();
            m += " is ";
            m += why;
            m += ", not a SID packets can be sent to (block ";
            m += block.str();
            m += ")";
            throw Error(m);
        }
    return p;
}

}  // namespace srv6steer::jalapeno
