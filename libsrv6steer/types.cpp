// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "srv6steer/types.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "cgroupfs.hpp"
#include "srv6steer/error.hpp"
#include "text.hpp"

namespace srv6steer {

namespace {

std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
            i++;
        size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t')
            i++;
        if (i > start)
            out.push_back(text.substr(start, i - start));
    }
    return out;
}

// A whole unsigned number (decimal, or hex with 0x) no larger than max.
uint64_t parse_number(std::string_view text, uint64_t max, const std::string& what) {
    if (auto v = text::parse_uint(text, 0, max))
        return *v;
    throw Error("invalid " + what + " " + text::quote(text) + ": expected a number from 0 to " +
                std::to_string(max));
}

}  // namespace

uint8_t parse_proto(std::string_view text) {
    if (text == "tcp" || text == "6")
        return 6;
    if (text == "udp" || text == "17")
        return 17;
    throw Error("invalid protocol " + text::quote(text) +
                ": flows are tcp or udp (the protocols the data plane reads ports of)");
}

std::string proto_name(uint8_t proto) {
    switch (proto) {
    case 6: return "tcp";
    case 17: return "udp";
    default: return std::to_string(proto);
    }
}

void Flow::check() const {
    if (proto != 6 && proto != 17)
        throw Error("flow " + str() + ": protocol " + std::to_string(proto) +
                    " cannot be pinned; flows are tcp or udp (the protocols the data plane reads ports of)");
    if (src.is_v4_mapped() != dst.is_v4_mapped())
        throw Error("flow " + str() + " mixes IPv4 and IPv6 addresses");
}

// ---- Flow -------------------------------------------------------------------

Flow Flow::parse(std::string_view text) {
    auto w = words(text);
    if (w.size() != 5)
        throw Error("invalid flow \"" + std::string(text) +
                    "\": expected \"PROTO SRC SPORT DST DPORT\", e.g. "
                    "\"tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201\"");
    Flow f;
    f.proto = parse_proto(w[0]);
    f.src = Ipv6::parse_any(w[1]);
    f.sport = static_cast<uint16_t>(parse_number(w[2], 65535, "source port"));
    f.dst = Ipv6::parse_any(w[3]);
    f.dport = static_cast<uint16_t>(parse_number(w[4], 65535, "destination port"));
    if (f.src.is_v4_mapped() != f.dst.is_v4_mapped())
        throw Error("invalid flow \"" + std::string(text) +
                    "\": source and destination must be of one family (both IPv4 or both IPv6)");
    return f;
}

std::string Flow::str() const {
    return proto_name(proto) + " " + text::address(src) + " " + std::to_string(sport) + " " +
           text::address(dst) + " " + std::to_string(dport);
}

srv6s_flow_key Flow::key() const {
    srv6s_flow_key k{};
    std::memcpy(k.src, src.bytes.data(), 16);
    std::memcpy(k.dst, dst.bytes.data(), 16);
    k.sport = sport;
    k.dport = dport;
    k.proto = proto;
    return k;
}

Flow Flow::from_key(const srv6s_flow_key& k) {
    Flow f;
    std::memcpy(f.src.bytes.data(), k.src, 16);
    std::memcpy(f.dst.bytes.data(), k.dst, 16);
    f.sport = k.sport;
    f.dport = k.dport;
    f.proto = k.proto;
    return f;
}

// ---- Qp ---------------------------------------------------------------------

Qp Qp::parse(std::string_view text) {
    auto w = words(text);
    if (w.size() != 2)
        throw Error("invalid queue pair \"" + std::string(text) +
                    "\": expected \"DST QP\", e.g. \"fcbb:0:800:2::20 0x123\"");
    Qp q;
    q.dst = Ipv6::parse_any(w[0]);
    q.qp = static_cast<uint32_t>(parse_number(w[1], SRV6S_QP_MASK, "queue pair number (24 bits)"));
    return q;
}

std::string Qp::str() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%06x", qp);
    return text::address(dst) + " " + buf;
}

srv6s_qp_key Qp::key() const {
    srv6s_qp_key k{};
    std::memcpy(k.dst, dst.bytes.data(), 16);
    k.qp = qp;
    return k;
}

Qp Qp::from_key(const srv6s_qp_key& k) {
    Qp q;
    std::memcpy(q.dst.bytes.data(), k.dst, 16);
    q.qp = k.qp;
    return q;
}

// ---- Prefix -----------------------------------------------------------------

Prefix Prefix::parse(std::string_view text) {
    auto slash = text.find('/');
    std::string_view addr = text.substr(0, slash);
    Prefix p;
    p.addr = Ipv6::parse_any(addr);
    const bool v4 = addr.find(':') == std::string_view::npos;
    const unsigned max = v4 ? 32 : 128;
    unsigned len = max;
    if (slash != std::string_view::npos)
        len = static_cast<unsigned>(
            parse_number(text.substr(slash + 1), max,
                         std::string("prefix length of \"") + std::string(text) + "\""));
    p.len = v4 ? 96 + len : len;
    for (unsigned bit = p.len; bit < 128; bit++)
        if (p.addr.bytes[bit / 8] & (0x80 >> (bit % 8)))
            throw Error("invalid prefix \"" + std::string(text) + "\": address bits set past /" +
                        std::to_string(len) + " (did you mean " +
                        [&] {
                            Prefix q = p;
                            for (unsigned b = q.len; b < 128; b++)
                                q.addr.bytes[b / 8] &= static_cast<uint8_t>(~(0x80 >> (b % 8)));
                            return q.str();
                        }() +
                        "?)");
    return p;
}

std::string Prefix::str() const {
    if (is_v4())
        return text::address(addr) + "/" + std::to_string(len - 96);
    return addr.str() + "/" + std::to_string(len);
}

srv6s_prefix_key Prefix::key() const {
    srv6s_prefix_key k{};
    k.prefixlen = len;
    std::memcpy(k.addr, addr.bytes.data(), 16);
    return k;
}

Prefix Prefix::from_key(const srv6s_prefix_key& k) {
    Prefix p;
    p.len = k.prefixlen;
    std::memcpy(p.addr.bytes.data(), k.addr, 16);
    return p;
}

// ---- Owner, PinInfo -----------------------------------------------------------

Owner Owner::self() {
    Owner o;
    o.pid = static_cast<uint32_t>(getpid());
    // cgroup v2: "0::/path" in /proc/self/cgroup, below the cgroup2 mount
    // (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid systems); its id
    // is the directory's inode.
    const auto mount = cgroupfs::mount_point();
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (mount && std::getline(in, line)) {
        if (line.rfind("0::", 0) != 0)
            continue;
        struct stat st {};
        if (stat((*mount + line.substr(3)).c_str(), &st) == 0)
            o.cgroup = st.st_ino;
    }
    return o;
}

PinInfo PinInfo::from_value(const srv6s_pin& v) {
    PinInfo i;
    i.path_set = v.path_set & SRV6S_PIN_SET_MASK;  // the slot, without flag bits
    i.owner.pid = v.owner_pid;
    i.owner.cgroup = v.owner_cgroup;
    i.created = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(v.created_ns)));
    i.packets = v.packets;
    i.bytes = v.bytes;
    i.ignore_down = (v.path_set & SRV6S_PIN_IGNORE_DOWN) != 0;
    return i;
}

}  // namespace srv6steer
