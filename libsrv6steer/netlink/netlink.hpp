// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Interfaces, addresses and route MTUs over rtnetlink, in the network
// namespace of the thread that opened the socket. Internal to the library.
// Every failure throws srv6steer::Error naming what failed and what to do;
// the errno is the kernel's when the kernel said no.
//
// Why route MTUs: the encapsulation adds 40 (+8+16·n) bytes after the stack
// sized the packet (srv6s_encap_len in bpf/lib/encap.h), so steered
// destinations need a route MTU of link MTU minus the overhead (README.md,
// "Route MTUs"). set_route_mtu() sets it and returns what it did;
// undo_route_mtu() puts back exactly that.
//
// The parts, one job each, in this directory: socket.hpp (the NETLINK_ROUTE
// socket and its request/answer engine, also used by bench/), attrs.hpp (raw
// attributes), route_msg.hpp (route messages and what libnl drops of them),
// libnl.hpp (libnl-route-3 glue), format.hpp (`ip route`-like text),
// link.cpp (interfaces and addresses), route.cpp (lookups, route MTUs, dumps).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "srv6steer/error.hpp"
#include "srv6steer/sid.hpp"
#include "srv6steer/types.hpp"
#include "netlink/socket.hpp"

namespace srv6steer::nl {

struct Link {
    int ifindex = 0;
    std::string name;
    uint32_t mtu = 0;
    bool up = false;  // administratively up (IFF_UP)
};

// One nexthop of a route. weight is the `ip route` weight (kernel hops + 1).
struct Nexthop {
    int oif = 0;
    std::optional<Ipv6> gateway;  // IPv4 gateways IPv4-mapped
    unsigned weight = 1;
    friend bool operator==(const Nexthop&, const Nexthop&) = default;
};

// One route as the kernel has it (for tests and status).
struct Route {
    Prefix dst;            // IPv4 routes IPv4-mapped (len 96 + n)
    uint32_t table = 254;  // RT_TABLE_MAIN
    uint8_t protocol = 0;  // RTPROT_*; kRouteProtocol for ours
    uint32_t priority = 0; // the metric (IPv6 routes always have one: 1024 by default)
    uint32_t mtu = 0;      // RTAX_MTU metric, 0 = none
    int oif = 0;           // first nexthop's interface (0 for blackhole & co.)
    std::optional<Ipv6> gateway;  // first nexthop's gateway
    uint8_t type = 1;      // RTN_UNICAST, RTN_LOCAL, RTN_BLACKHOLE, ...
    std::vector<Nexthop> nexthops;  // all of them (more than one: multipath)

    // Like one line of `ip route` (interface names looked up in the calling
    // thread's namespace; encapsulations are not shown), e.g.
    // "fcbb:0:800:2::/64 via fcbb:0:800:1::1 dev veth0 proto 94 metric 1024 mtu 1460";
    // multipath: "... nexthop via A dev veth0 weight 1 nexthop via B dev veth1 weight 1".
    std::string str() const;
};

// What set_route_mtu did, so it can be undone exactly (the caller stores it).
struct RouteChange {
    bool added = false;  // else modified an existing route
    uint32_t old_mtu = 0;
    uint32_t table = 254;
    uint32_t priority = 0;
    friend bool operator==(const RouteChange&, const RouteChange&) = default;
};

// Routes srv6steer added carry `proto 94` (RTPROT number, shown by `ip route`).
inline constexpr uint8_t kRouteProtocol = 94;

// RAII over one NETLINK_ROUTE socket (move-only). The socket belongs to the
// network namespace the calling thread was in when it was constructed, for its
// whole life (a later setns() does not move it). Not thread-safe: one thread
// at a time per object.
class Netlink {
public:
    Netlink() = default;

    // Error (ENODEV): `no network interface "eth9" in this network namespace ...`.
    Link link(std::string_view name);
    Link link(int ifindex);

    // First global-scope IPv6 address of the interface that is usable: not
    // tentative, not DAD-failed; a non-deprecated one is preferred. The kernel
    // lists the newest address of a scope first. nullopt when there is none.
    std::optional<Ipv6> global_ipv6(int ifindex);

    // The route entry the kernel would use for dst (RTM_GETROUTE with
    // RTM_F_FIB_MATCH: the FIB entry itself, with all its nexthops, its real
    // prefix, table, protocol, metric and metrics), IPv4 when dst is v4-mapped.
    // Error (ENETUNREACH) when there is no route.
    Route lookup(const Ipv6& dst);

    // Make packets to `dst` (whole prefix) leave `ifindex` with route MTU `mtu`:
    //  - an exact route for dst/len exists (the one the lookup finds, or else
    //    the lowest-metric one in the table the lookup used, i.e. the main
    //    table unless policy rules say otherwise; any protocol): replace its MTU
    //    metric, keeping every other attribute (nexthops incl. multipath and
    //    nexthop objects, metrics, flags, metric/priority, protocol, pref,
    //    expiry); returns {added=false, old_mtu (0 = had none), table, priority};
    //  - else add a route for dst/len to the table of the route a lookup of
    //    dst's address returns, copying its nexthop(s), scope, preferred source
    //    and metrics, with metric MTU `mtu`, protocol kRouteProtocol and the
    //    looked-up route's metric; returns {added=true, 0, table, priority}.
    // Refuses (Error) when no route exists, when the route is not unicast,
    // when none of its nexthops leaves through ifindex (TC there would never
    // see the packets), when part of the prefix is routed by a more specific
    // route, when the route has an encapsulation libnl cannot carry over, or
    // when mtu is outside [1280 (IPv6) / 68 (IPv4), link MTU].
    RouteChange set_route_mtu(const Prefix& dst, int ifindex, uint32_t mtu);

    // Undo exactly one set_route_mtu: delete the route we added (only if it
    // still has protocol kRouteProtocol), or put the old MTU back (0 = remove
    // the MTU metric). False when there was nothing left to undo (the route is
    // gone, or the added route is no longer ours).
    bool undo_route_mtu(const Prefix& dst, const RouteChange& change);

    // Every route of the family (AF_INET6 or AF_INET) in every table, in dump
    // order, optionally only those of one protocol. Routes libnl cannot parse
    // (e.g. seg6/seg6local/bpf encapsulations) are listed with dst, table,
    // protocol, priority and type only.
    std::vector<Route> routes(int family, std::optional<uint8_t> protocol = {});

private:
    Socket sock_;
};

}  // namespace srv6steer::nl
