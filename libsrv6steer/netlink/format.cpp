// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "netlink/format.hpp"

#include <linux/rtnetlink.h>
#include <net/if.h>

#include <algorithm>
#include <vector>

#include "text.hpp"

namespace srv6steer::nl {

namespace {

const char* proto_name(uint8_t p) {
    switch (p) {
    case RTPROT_UNSPEC: return "unspec";
    case RTPROT_REDIRECT: return "redirect";
    case RTPROT_KERNEL: return "kernel";
    case RTPROT_BOOT: return "boot";
    case RTPROT_STATIC: return "static";
    case RTPROT_RA: return "ra";
    case RTPROT_DHCP: return "dhcp";
    default: return nullptr;
    }
}

// " via GW dev IF" of one nexthop.
std::string hop_text(const std::optional<Ipv6>& gateway, int oif) {
    std::string s;
    if (gateway)
        s += " via " + text::address(*gateway);
    if (oif)
        s += " dev " + if_name(oif);
    return s;
}

}  // namespace

std::string prefix_text(const Prefix& p) {
    const bool v4 = p.is_v4();
    const unsigned len = v4 ? p.len - 96 : p.len;
    if (len == 0)
        return "default";
    std::string s = text::address(p.addr);
    if (len != (v4 ? 32u : 128u)) {
        s += '/';  // one piece at a time: GCC 12 warns (-Wrestrict) on "/" + std::string
        s += std::to_string(len);
    }
    return s;
}

std::string quoted(const Route& r) { return text::quote(r.str()); }

std::string ip_cmd(bool v4) { return v4 ? "ip route" : "ip -6 route"; }

const char* type_name(uint8_t t) {
    switch (t) {
    case RTN_UNICAST: return "unicast";
    case RTN_LOCAL: return "local";
    case RTN_BROADCAST: return "broadcast";
    case RTN_ANYCAST: return "anycast";
    case RTN_MULTICAST: return "multicast";
    case RTN_BLACKHOLE: return "blackhole";
    case RTN_UNREACHABLE: return "unreachable";
    case RTN_PROHIBIT: return "prohibit";
    case RTN_THROW: return "throw";
    case RTN_NAT: return "nat";
    default: return "unknown";
    }
}

std::string if_name(int ifindex) {
    char buf[IF_NAMESIZE] = {};
    if (ifindex > 0 && if_indextoname(static_cast<unsigned>(ifindex), buf))
        return buf;
    return "if" + std::to_string(ifindex);
}

std::string interfaces_of(const Route& r) {
    std::vector<std::string> names;
    std::string s;
    for (const Nexthop& nh : r.nexthops) {
        std::string n = if_name(nh.oif);
        if (std::find(names.begin(), names.end(), n) != names.end())
            continue;
        s += (s.empty() ? "" : " and ") + n;
        names.push_back(std::move(n));
    }
    return s.empty() ? "no interface" : s;
}

std::string Route::str() const {
    std::string s;
    if (type != RTN_UNICAST)
        s += std::string(type_name(type)) + " ";
    s += prefix_text(dst);
    if (table != RT_TABLE_MAIN)
        s += " table " + (table == RT_TABLE_LOCAL ? std::string("local") : std::to_string(table));
    if (nexthops.size() == 1)
        s += hop_text(gateway, oif);
    if (protocol != RTPROT_BOOT) {
        const char* p = proto_name(protocol);
        s += " proto " + (p ? std::string(p) : std::to_string(protocol));
    }
    if (priority)
        s += " metric " + std::to_string(priority);
    if (mtu)
        s += " mtu " + std::to_string(mtu);
    if (nexthops.size() > 1)
        for (const Nexthop& nh : nexthops)
            s += " nexthop" + hop_text(nh.gateway, nh.oif) + " weight " + std::to_string(nh.weight);
    return s;
}

}  // namespace srv6steer::nl
