// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "pins_env.hpp"

#include <net/if.h>

#include <cerrno>
#include <cstring>

#include "common.hpp"

namespace pins {

using benchutil::Failure;

Ipv6 host(const Ipv6& net, uint32_t i) {
    Ipv6 a = net;
    a.bytes[12] = static_cast<uint8_t>(i >> 24);
    a.bytes[13] = static_cast<uint8_t>(i >> 16);
    a.bytes[14] = static_cast<uint8_t>(i >> 8);
    a.bytes[15] = static_cast<uint8_t>(i);
    return a;
}

Env::Env() : ns_("pins") {
    ip({"link", "set", "lo", "up"});
    ip({"link", "add", kDev, "type", "veth", "peer", "name", kPeer});
    ip({"link", "set", kDev, "up"});
    ip({"link", "set", kPeer, "up"});
    // nodad: usable at once.
    ip({"addr", "add", kHost.str() + "/64", "dev", kDev, "nodad"});
    ip({"-6", "route", "add", kSteerNet.str() + "/40", "dev", kDev});
    oif_ = static_cast<int>(if_nametoindex(kDev));
    if (!oif_)
        throw Failure(std::string("no interface ") + kDev + " after creating it: " + std::strerror(errno));
}

}  // namespace pins
