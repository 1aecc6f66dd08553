// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Routes as text the way `ip route` writes them, for Route::str() and for
// the netlink code's messages. Interface names are looked up in the calling
// thread's network namespace.
#pragma once

#include <cstdint>
#include <string>

#include "netlink/netlink.hpp"

namespace srv6steer::nl {

// Host routes without a length, "default" for /0, IPv4 prefixes as IPv4.
std::string prefix_text(const Prefix& p);

// "\"fcbb::/64 via ... dev veth0 metric 1024\"".
std::string quoted(const Route& r);

// "ip route" or "ip -6 route": the command that shows or changes such a route.
std::string ip_cmd(bool v4);

// Route types as `ip route` names them ("unicast", "blackhole", ...).
const char* type_name(uint8_t type);

// "veth0", or "if7" when there is no interface of that index.
std::string if_name(int ifindex);

// The interfaces the route's nexthops leave through: "veth0 and veth1".
std::string interfaces_of(const Route& r);

}  // namespace srv6steer::nl
