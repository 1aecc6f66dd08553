// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The one place for small text helpers shared by the library, the loader,
// tools and benchmarks: quoting in messages, whole unsigned numbers, reading
// a file, addresses as a person writes them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "srv6steer/sid.hpp"

namespace srv6steer::text {

// The parts joined into one string: messages built piecewise,
// cat({"no node ", quote(n), " in ", file}). (GCC 12 at -O3 warns a false
// -Wrestrict inside `"literal" + std::string&&`, GCC bug 105329; appending
// never does.)
inline std::string cat(std::initializer_list<std::string_view> parts) {
    std::string s;
    for (auto p : parts)
        s += p;
    return s;
}

// "eth0" with double quotes, for messages: `interface "eth0" ...`.
std::string quote(std::string_view s);

// A whole unsigned number, decimal or 0x-hex, from min to max; no sign, no
// spaces, nothing after it. nullopt otherwise.
std::optional<uint64_t> parse_uint(std::string_view text, uint64_t min = 0, uint64_t max = UINT64_MAX);

// The whole content of a file; Error (with errno) when it cannot be read,
// naming the file, and saying so when it is a directory.
std::string read_file(const std::string& path);

// An address as `ip` prints it: IPv4-mapped addresses as dotted IPv4.
std::string address(const Ipv6& a);

// A uSID as the lab writes it: lower-case hex, no leading zeros ("fe06", "0").
std::string usid_hex(uint16_t v);

}  // namespace srv6steer::text
