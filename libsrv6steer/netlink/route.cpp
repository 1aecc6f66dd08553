// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// FIB lookups, route MTUs set and undone, route dumps.
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "netlink/attrs.hpp"
#include "netlink/format.hpp"
#include "netlink/libnl.hpp"
#include "netlink/netlink.hpp"
#include "netlink/route_msg.hpp"
#include "text.hpp"

namespace srv6steer::nl {

namespace {

constexpr uint32_t kIpv6DefaultMetric = 1024;  // IP6_RT_PRIO_USER

std::string errno_hint(int err) {
    switch (err) {
    case EPERM:
    case EACCES: return "; changing routes needs CAP_NET_ADMIN (run as root)";
    case EEXIST: return "; another route for the prefix appeared meanwhile, try again";
    default: return "";
    }
}

// Validated, host bits cleared (the kernel stores routes that way).
Prefix canonical(const Prefix& p) {
    if (p.len > 128)
        throw Error("invalid prefix length /" + std::to_string(p.len) +
                    " (at most /128, or /32 for IPv4 prefixes)");
    Prefix out = p;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned keep = p.len > 8 * i ? std::min(8u, p.len - 8 * i) : 0;
        out.addr.bytes[i] &= static_cast<uint8_t>(0xff00u >> keep);
    }
    return out;
}

bool leaves_through(const Route& r, int ifindex) {
    return std::any_of(r.nexthops.begin(), r.nexthops.end(),
                       [&](const Nexthop& nh) { return nh.oif == ifindex; });
}

// FIB lookup (RTM_F_FIB_MATCH): the route entry itself, not a cloned /128.
KRoute fib_lookup(Socket& sk, const Ipv6& dst, KernelError& err) {
    const bool v4 = dst.is_v4_mapped();
    Request m(RTM_GETROUTE, 0);
    rtmsg rtm{};
    rtm.rtm_family = v4 ? AF_INET : AF_INET6;
    rtm.rtm_dst_len = v4 ? 32 : 128;
    rtm.rtm_flags = RTM_F_FIB_MATCH;
    m.header(rtm);
    const Bytes bytes = family_bytes(dst, v4).second;
    m.put(RTA_DST, bytes.data(), bytes.size());
    std::optional<KRoute> got;
    err = sk.transact(m, [&](const nlmsghdr* h) {
        if (h->nlmsg_type == RTM_NEWROUTE && !got)
            got = parse_route(h);
    });
    if (err)
        return {};
    if (!got) {
        err = {EIO, "no route in the answer"};
        return {};
    }
    return std::move(*got);
}

// What a failed FIB lookup means: RTM_GETROUTE cannot return reject routes,
// it answers with their error instead (verified for IPv4 and IPv6).
std::string lookup_failure(const Ipv6& dst, const KernelError& err) {
    const std::string a = text::address(dst);
    const std::string get = "`" + ip_cmd(dst.is_v4_mapped()) + " get " + a + "`";
    const auto reject = [&](const char* kind) {
        return a + " has " + kind + " route (the kernel's lookup answers \"" + err.text() +
               "\"; see " + get + ")";
    };
    switch (err.err) {
    case ENETUNREACH: return "there is no route to " + a + " in this network namespace";
    case EHOSTUNREACH: return reject("an unreachable");
    case EINVAL: return reject("a blackhole");
    case EACCES: return reject("a prohibit");
    default: return "route lookup for " + a + " failed: " + err.text();
    }
}

std::vector<KRoute> dump_routes(Socket& sk, int family) {
    Request m(RTM_GETROUTE, 0);
    rtmsg rtm{};
    rtm.rtm_family = static_cast<unsigned char>(family);
    m.header(rtm);
    std::vector<KRoute> out;
    sk.dump(
        m, std::string("listing the ") + (family == AF_INET ? "IPv4" : "IPv6") + " routes",
        [&] { out.clear(); },
        [&](const nlmsghdr* h) {
            if (h->nlmsg_type != RTM_NEWROUTE)
                return;
            KRoute k = parse_route(h);
            if (k.family == family && !(k.rtm_flags & RTM_F_CLONED))
                out.push_back(std::move(k));
        });
    return out;
}

// The route keyed (dst, table[, priority]), tos 0; the lowest metric when no
// priority is given (the one the kernel uses).
std::optional<KRoute> find_exact(Socket& sk, const Prefix& dst, uint32_t table,
                                 std::optional<uint32_t> priority) {
    std::optional<KRoute> best;
    for (KRoute& k : dump_routes(sk, dst.is_v4() ? AF_INET : AF_INET6)) {
        if (k.view.dst != dst || k.view.table != table || k.tos != 0)
            continue;
        if (priority && k.view.priority != *priority)
            continue;
        if (!best || k.view.priority < best->view.priority)
            best = std::move(k);
    }
    return best;
}

// Sends a route request; Error "<what>: <doing> failed: <kernel's reason>".
void must(Socket& sk, Request m, const std::string& what, const std::string& doing) {
    if (const KernelError e = sk.transact(m))
        throw Error(what + ": " + doing + " failed: " + e.text() + errno_hint(e.err), e.err);
}

}  // namespace

Route Netlink::lookup(const Ipv6& dst) {
    KernelError err;
    KRoute k = fib_lookup(sock_, dst, err);
    const std::string a = text::address(dst);
    if (err.err == ENETUNREACH)
        throw Error("no route to " + a + " in this network namespace (`" + ip_cmd(dst.is_v4_mapped()) +
                        " get " + a + "` says the same; add a route for it)",
                    err.err);
    if (err)
        throw Error(lookup_failure(dst, err), err.err);
    return k.view;
}

RouteChange Netlink::set_route_mtu(const Prefix& dst_in, int ifindex, uint32_t mtu) {
    const Prefix dst = canonical(dst_in);
    const bool v4 = dst.is_v4();
    const std::string what = "setting route MTU " + std::to_string(mtu) + " for " + prefix_text(dst);
    const Link out = link(ifindex);
    const uint32_t min_mtu = v4 ? 68 : 1280;
    if (mtu < min_mtu || mtu > out.mtu)
        throw Error(what + ": the MTU must be between " + std::to_string(min_mtu) + " (" +
                    (v4 ? "IPv4" : "IPv6") + " minimum) and " + out.name + "'s MTU " +
                    std::to_string(out.mtu));

    KernelError err;
    KRoute found = fib_lookup(sock_, dst.addr, err);
    if (err.err == ENETUNREACH)
        throw Error(what + ": there is no route to " + prefix_text(dst) +
                        " in this network namespace; add one through " + out.name + " first (e.g. `" +
                        ip_cmd(v4) + " add " + prefix_text(dst) + " via <gateway> dev " + out.name + "`)",
                    err.err);
    if (err)
        throw Error(what + ": " + lookup_failure(dst.addr, err) + ", so no packets to it leave through " +
                        out.name + "; route it through " + out.name + " first",
                    err.err);

    // The exact route: the one the kernel uses, else the lowest-metric one
    // for dst/len in the table the lookup went to (the main table, unless
    // policy rules send dst elsewhere).
    // Longest-prefix match means an exact route can only hide behind a more
    // specific one; when the lookup found a shorter prefix there is none to
    // find, and no table dump is needed (that dump made adding N pinned
    // destinations quadratic).
    std::optional<KRoute> exact;
    if (found.view.dst == dst)
        exact = std::move(found);
    else if (found.view.dst.len > dst.len)
        exact = find_exact(sock_, dst, found.view.table, std::nullopt);
    const KRoute& base = exact ? *exact : found;

    if (base.view.type != RTN_UNICAST)
        throw Error(what + ": the route " + quoted(base.view) + " is a " + type_name(base.view.type) +
                    " route, not one that sends packets out of " + out.name + "; route " +
                    prefix_text(dst) + " through " + out.name + " first");
    if (base.nh_id && base.view.nexthops.empty())
        throw Error(what + ": the route " + quoted(base.view) + " uses nexthop object " +
                    std::to_string(*base.nh_id) +
                    " and the kernel does not say where it leaves (net.ipv4.nexthop_compat_mode=0); "
                    "set the MTU by hand with `" + ip_cmd(v4) + " change`");
    if (!leaves_through(base.view, ifindex))
        throw Error(what + ": the route " + quoted(base.view) + " leaves through " +
                    interfaces_of(base.view) + ", not " + out.name + ", so srv6steer's TC program on " +
                    out.name + " would never see these packets; steer on " + interfaces_of(base.view) +
                    " instead, or route " + prefix_text(dst) + " through " + out.name);
    if (!base.obj)
        throw Error(what + ": the route " + quoted(base.view) + " has " +
                        (base.encap ? "an encapsulation" : "attributes") +
                        " that libnl-route-3 cannot copy (" + nl_geterror(base.parse_err) +
                        "); set the MTU by hand with `" + ip_cmd(v4) + " change ... mtu " +
                        std::to_string(mtu) + "`",
                    nle_errno(base.parse_err));

    if (exact) {
        const RouteChange change{false, exact->view.mtu, exact->view.table, exact->view.priority};
        must(sock_, route_request(*exact, exact->obj.get(), NLM_F_REPLACE, mtu, true), what,
             "replacing " + quoted(exact->view));
        return change;
    }

    if (found.view.dst.len > dst.len)
        throw Error(what + ": the kernel routes " + text::address(dst.addr) + " by the more specific route " +
                    quoted(found.view) +
                    ", so a route for the whole prefix would not be used there; pin and set the "
                    "MTU for the more specific prefixes instead");

    // A new route: the looked-up route's nexthops, scope, source, metrics and
    // metric, for exactly dst, marked as ours.
    const uint32_t table = found.view.table;
    uint32_t priority = found.view.priority;
    if (!v4 && priority == 0)
        priority = kIpv6DefaultMetric;
    RoutePtr r = new_route(dst, table, what);
    rtnl_route_set_protocol(r.get(), kRouteProtocol);
    rtnl_route_set_type(r.get(), RTN_UNICAST);
    rtnl_route_set_scope(r.get(), found.scope);
    rtnl_route_set_priority(r.get(), priority);
    rtnl_route_set_flags(r.get(), rtnl_route_get_flags(found.obj.get()) & kInputFlags);
    if (nl_addr* src = rtnl_route_get_pref_src(found.obj.get()))
        rtnl_route_set_pref_src(r.get(), src);
    if (!found.nh_id) {
        for (int i = 0; i < rtnl_route_get_nnexthops(found.obj.get()); ++i) {
            NexthopPtr nh(rtnl_route_nh_clone(rtnl_route_nexthop_n(found.obj.get(), i)));
            if (!nh)
                throw Error("out of memory copying a nexthop", ENOMEM);
            rtnl_route_add_nexthop(r.get(), nh.release());
        }
    }
    KRoute shape;  // what of `found` the request carries besides the libnl object
    shape.nh_id = found.nh_id;
    shape.pref = found.pref;
    shape.metrics = found.metrics;
    must(sock_, route_request(shape, r.get(), NLM_F_EXCL, mtu, false), what,
         "adding a route for it through " + interfaces_of(found.view) + " (copied from " +
             quoted(found.view) + ")");
    return RouteChange{true, 0, table, priority};
}

bool Netlink::undo_route_mtu(const Prefix& dst_in, const RouteChange& change) {
    const Prefix dst = canonical(dst_in);
    const bool v4 = dst.is_v4();
    const std::string what = "restoring the route for " + prefix_text(dst);

    if (change.added) {
        // Delete keyed by (dst, table, metric) and, atomically, only while it
        // still carries our protocol: the kernel matches RTA protocol on delete.
        RoutePtr r = new_route(dst, change.table, what);
        rtnl_route_set_protocol(r.get(), kRouteProtocol);
        rtnl_route_set_scope(r.get(), RT_SCOPE_NOWHERE);  // any scope
        rtnl_route_set_priority(r.get(), change.priority);
        nl_msg* raw = nullptr;
        if (int e = rtnl_route_build_del_request(r.get(), 0, &raw); e < 0)
            throw_nle(what + ": building the request failed", e);
        const MsgPtr built(raw);
        Request m = Request::copy_of(nlmsg_hdr(raw));
        const KernelError e = sock_.transact(m);
        if (e.err == ESRCH || e.err == ENOENT)
            return false;
        if (e)
            throw Error(what + ": deleting the route srv6steer added failed: " + e.text() + errno_hint(e.err),
                        e.err);
        return true;
    }

    std::optional<KRoute> k = find_exact(sock_, dst, change.table, change.priority);
    if (!k)
        return false;
    if (!k->obj)
        throw Error(what + ": the route " + quoted(k->view) + " now has attributes libnl-route-3 cannot copy (" +
                        nl_geterror(k->parse_err) + "); put its MTU back by hand with `" + ip_cmd(v4) +
                        " change`",
                    nle_errno(k->parse_err));
    must(sock_, route_request(*k, k->obj.get(), NLM_F_REPLACE, change.old_mtu, true), what,
         "putting MTU " + (change.old_mtu ? std::to_string(change.old_mtu) : std::string("(none)")) +
             " back on " + quoted(k->view));
    return true;
}

std::vector<Route> Netlink::routes(int family, std::optional<uint8_t> protocol) {
    if (family != AF_INET && family != AF_INET6)
        throw Error("routes(): family must be AF_INET or AF_INET6, not " + std::to_string(family));
    std::vector<Route> out;
    for (KRoute& k : dump_routes(sock_, family))
        if (!protocol || k.view.protocol == *protocol)
            out.push_back(std::move(k.view));
    return out;
}

}  // namespace srv6steer::nl
