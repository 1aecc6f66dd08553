// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// One route message from the kernel, and the request that rewrites it.
//
// libnl 3.7 does not round-trip every route attribute, so what it drops is
// read from the raw message and put back by hand when a route is rewritten:
// RTA_NH_ID (nexthop objects), RTA_PREF, the expiry (RTA_CACHEINFO on dump,
// RTA_EXPIRES on input) and the metrics (kept as raw attributes, because
// libnl reads the RTAX_CC_ALGO string as a number). Routes whose
// encapsulation libnl cannot parse (seg6, seg6local, bpf, ...) are listed but
// never rewritten (KRoute::obj is null).
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "netlink/libnl.hpp"
#include "netlink/netlink.hpp"
#include "netlink/socket.hpp"

namespace srv6steer::nl {

// Route and nexthop flags a request may carry; the rest (dead, linkdown,
// offload, trap, ...) are state the kernel reports and refuses on input.
inline constexpr unsigned kInputFlags = RTNH_F_ONLINK | RTNH_F_PERVASIVE;

// One route message: the libnl object (for rewriting) plus what libnl drops.
struct KRoute {
    RoutePtr obj;  // null when libnl cannot parse the route
    int parse_err = 0;
    Route view;
    int family = 0;
    uint8_t tos = 0;
    uint8_t scope = 0;
    uint32_t rtm_flags = 0;
    bool encap = false;
    std::optional<uint32_t> nh_id;
    std::optional<uint8_t> pref;
    uint32_t expires = 0;  // seconds left, 0 = permanent
    std::vector<std::pair<uint16_t, std::vector<uint8_t>>> metrics;  // raw RTA_METRICS
};

// An RTM_NEWROUTE message as the kernel sent it. Error when it does not parse.
KRoute parse_route(const nlmsghdr* h);

// r (k's libnl object, or a new one with k's nexthop object, preference and
// metrics) as a request with nl_flags (NLM_F_REPLACE, NLM_F_EXCL): state
// flags dropped, nexthops replaced by the nexthop object when there is one,
// metrics taken over from k's raw list with RTAX_MTU set to mtu (0 = none),
// k's expiry kept when keep_expiry. Changes r.
Request route_request(const KRoute& k, rtnl_route* r, int nl_flags, uint32_t mtu, bool keep_expiry);

}  // namespace srv6steer::nl
