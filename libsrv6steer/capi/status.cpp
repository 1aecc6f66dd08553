// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The C ABI's view of Status: the sized struct srv6s_status, the problems
// that keep an attachment from steering, and the route MTUs srv6steer set.
#include <chrono>

#include "capi.hpp"
#include "text.hpp"

using namespace srv6steer;
using namespace srv6steer::capi;

namespace {

uint32_t attach_mode_of(const std::string& mode) {
    if (mode == "tcx")
        return SRV6S_ATTACH_TCX;
    if (mode == "clsact")
        return SRV6S_ATTACH_CLSACT;
    return SRV6S_ATTACH_NONE;
}

uint32_t problem_kind_of(Problem::Kind k) {
    switch (k) {
    case Problem::Kind::InterfaceGone:
        return SRV6S_PROBLEM_INTERFACE_GONE;
    case Problem::Kind::IfindexChanged:
        return SRV6S_PROBLEM_IFINDEX_CHANGED;
    case Problem::Kind::LinkMissing:
        return SRV6S_PROBLEM_LINK_MISSING;
    case Problem::Kind::ProgramNotAttached:
        return SRV6S_PROBLEM_PROGRAM_NOT_ATTACHED;
    case Problem::Kind::NetnsGone:
        return SRV6S_PROBLEM_NETNS_GONE;
    }
    throw Error("internal error: a problem kind the C ABI does not know");
}

// A count as the C struct holds it; the maps are far smaller than 2^32.
uint32_t count32(size_t n) { return n > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(n); }

srv6s_status c_status(const Status& s) {
    srv6s_status c{};
    c.sz = sizeof c;
    copy_text(c.ifname, s.ifname, "the interface name");
    copy_text(c.netns, s.netns, "the network namespace name");
    copy_text(c.pin_dir, s.pin_dir, "the pin directory");
    Ipv6 src;
    std::memcpy(src.bytes.data(), s.config.src, sizeof s.config.src);
    copy_text(c.source, text::address(src), "the source address");
    c.netns_cookie = s.netns_cookie;
    c.attached_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(s.attached.time_since_epoch()).count());
    c.ifindex = s.ifindex;
    c.attach_mode = attach_mode_of(s.attach_mode);
    c.prog_id = s.prog_id;
    c.link_id = s.link_id;
    c.route_mtu = s.route_mtu ? 1 : 0;
    c.config_flags = s.config.flags;
    c.mtu = s.config.mtu;
    c.hop_limit = s.config.hop_limit;
    c.n_paths = count32(s.n_paths);
    c.n_sets = count32(s.n_sets);
    c.n_flows = count32(s.n_flows);
    c.n_qps = count32(s.n_qps);
    c.n_prefixes = count32(s.n_prefixes);
    c.max_flows = s.max_flows;
    c.max_qps = s.max_qps;
    c.max_prefixes = s.max_prefixes;
    c.n_sockets = count32(s.n_sockets);
    c.n_cgroups = count32(s.n_cgroups);
    c.max_cgroups = s.max_cgroups;
    c.n_owned_routes = count32(s.owned_routes.size());
    c.n_problems = count32(s.problems.size());
    return c;
}

srv6s_owned_route c_route(const OwnedRoute& r) {
    srv6s_owned_route c{};
    copy_text(c.dst, r.dst.str(), "the route's destination");
    c.mtu = r.mtu;
    c.old_mtu = r.old_mtu;
    c.table = r.table;
    c.priority = r.priority;
    c.pins = r.pins;
    c.added = r.added ? 1 : 0;
    return c;
}

}  // namespace

extern "C" {

int srv6s_get_status(srv6s_handle* h, struct srv6s_status* out) {
    return guarded([&] {
        auto& s = steering_of(h);
        if (out)
            caller_size(out);  // before the work: a bad sz says so at once
        fill_sized(out, c_status(s.status()));
        return 0;
    });
}

int srv6s_list_problems(srv6s_handle* h, srv6s_problem_fn fn, void* ctx) {
    return guarded([&] {
        auto& s = steering_of(h);
        need(fn != nullptr, "no callback (NULL)");
        for (const auto& p : s.status().problems)
            if (int rc = fn(problem_kind_of(p.kind), p.detail.c_str(), ctx))
                return rc;
        return 0;
    });
}

int srv6s_list_owned_routes(srv6s_handle* h, srv6s_owned_route_fn fn, void* ctx) {
    return guarded([&] {
        auto& s = steering_of(h);
        need(fn != nullptr, "no callback (NULL)");
        for (const auto& r : s.status().owned_routes) {
            const srv6s_owned_route c = c_route(r);
            if (int rc = fn(&c, ctx))
                return rc;
        }
        return 0;
    });
}

}  // extern "C"
