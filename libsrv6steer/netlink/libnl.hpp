// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// libnl-route-3 glue, private to the library's netlink code: RAII for its
// objects, its error codes as errno, new route objects. libnl is used
// only to parse a route into an object and to build the request that
// rewrites it (route_msg.hpp); messages travel through socket.hpp.
#pragma once

#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include <memory>
#include <string>

#include "srv6steer/types.hpp"

namespace srv6steer::nl {

struct MsgDeleter {
    void operator()(nl_msg* m) const { nlmsg_free(m); }
};
struct RouteDeleter {
    void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
struct AddrDeleter {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct NexthopDeleter {
    void operator()(rtnl_nexthop* nh) const { rtnl_route_nh_free(nh); }
};
using MsgPtr = std::unique_ptr<nl_msg, MsgDeleter>;
using RoutePtr = std::unique_ptr<rtnl_route, RouteDeleter>;
using AddrPtr = std::unique_ptr<nl_addr, AddrDeleter>;
using NexthopPtr = std::unique_ptr<rtnl_nexthop, NexthopDeleter>;

// libnl's error codes (NLE_*) as an errno, for Error::code().
int nle_errno(int nle);

// Error("<what>: <libnl's text>", nle_errno(nle)).
[[noreturn]] void throw_nle(const std::string& what, int nle);

// A route object with the family, destination (IPv4 prefixes as IPv4) and
// table of dst, to fill in; `what` names the change in errors.
RoutePtr new_route(const Prefix& dst, uint32_t table, const std::string& what);

}  // namespace srv6steer::nl
