// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "text.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>

#include "srv6steer/error.hpp"

namespace srv6steer::text {

std::string quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    out += s;
    out += '"';
    return out;
}

std::optional<uint64_t> parse_uint(std::string_view text, uint64_t min, uint64_t max) {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
        return std::nullopt;
    return v;
}

std::string read_file(const std::string& path) {
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        throw Error("cannot read " + path + ": it is a directory, not a file", EISDIR);
    std::ifstream in(path);
    if (!in)
        throw_errno("cannot read " + path, errno);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        throw_errno("reading " + path, errno);
    return ss.str();
}

std::string address(const Ipv6& a) {
    if (!a.is_v4_mapped())
        return a.str();
    char buf[INET_ADDRSTRLEN];
    return inet_ntop(AF_INET, &a.bytes[12], buf, sizeof buf) ? buf : "?";
}

std::string usid_hex(uint16_t v) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (int sh = 12; sh >= 0; sh -= 4)
        if (!s.empty() || (v >> sh) != 0 || sh == 0)
            s += d[(v >> sh) & 0xf];
    return s;
}

}  // namespace srv6steer::text
