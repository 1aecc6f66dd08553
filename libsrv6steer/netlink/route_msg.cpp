// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "netlink/route_msg.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "netlink/attrs.hpp"
#include "srv6steer/error.hpp"

namespace srv6steer::nl {

namespace {

void parse_metrics(KRoute& k, const Attrs& metrics) {
    for (const auto& [type, data] : metrics.all()) {
        k.metrics.emplace_back(type, std::vector<uint8_t>(data.begin(), data.end()));
        if (type == RTAX_MTU && data.size() >= 4)
            std::memcpy(&k.view.mtu, data.data(), 4);
    }
}

void parse_multipath(KRoute& k, Bytes nest) {
    const auto* p = nest.data();
    size_t left = nest.size();
    while (left >= sizeof(rtnexthop)) {
        rtnexthop nh;
        std::memcpy(&nh, p, sizeof nh);
        if (nh.rtnh_len < sizeof nh || nh.rtnh_len > left)
            break;
        Nexthop n;
        n.oif = nh.rtnh_ifindex;
        n.weight = nh.rtnh_hops + 1u;
        const Attrs a(p + RTNH_LENGTH(0), nh.rtnh_len - RTNH_LENGTH(0));
        n.gateway = a.ip(RTA_GATEWAY, k.family);
        k.encap = k.encap || a.has(RTA_ENCAP);
        k.view.nexthops.push_back(n);
        const size_t step = RTNH_ALIGN(nh.rtnh_len);
        if (step >= left)
            break;
        p += step;
        left -= step;
    }
}

}  // namespace

KRoute parse_route(const nlmsghdr* h) {
    const auto m = message<rtmsg>(h);
    if (!m)
        throw Error("the kernel sent a route message that does not parse (too short)", EIO);
    const rtmsg& rtm = m->hdr;
    const Attrs& a = m->attrs;
    KRoute k;
    k.family = rtm.rtm_family;
    k.tos = rtm.rtm_tos;
    k.scope = rtm.rtm_scope;
    k.rtm_flags = rtm.rtm_flags;
    Route& v = k.view;
    v.type = rtm.rtm_type;
    v.protocol = rtm.rtm_protocol;
    v.table = a.u32(RTA_TABLE).value_or(rtm.rtm_table);
    v.priority = a.u32(RTA_PRIORITY).value_or(0);

    const bool v4 = k.family == AF_INET;
    if (v4)
        v.dst.addr.bytes[10] = v.dst.addr.bytes[11] = 0xff;
    if (auto dst = a.ip(RTA_DST, k.family))
        v.dst.addr = *dst;
    v.dst.len = rtm.rtm_dst_len + (v4 ? 96u : 0u);

    parse_metrics(k, a.nested(RTA_METRICS));
    k.nh_id = a.u32(RTA_NH_ID);
    k.pref = a.u8(RTA_PREF);
    k.encap = a.has(RTA_ENCAP);
    if (auto ci = a.get(RTA_CACHEINFO); ci && ci->size() >= sizeof(rta_cacheinfo)) {
        rta_cacheinfo c;
        std::memcpy(&c, ci->data(), sizeof c);
        const long hz = sysconf(_SC_CLK_TCK);  // rta_expires is in USER_HZ ticks
        if (c.rta_expires > 0 && hz > 0)
            k.expires = std::max<uint32_t>(1, static_cast<uint32_t>(c.rta_expires / hz));
    }
    if (auto mp = a.get(RTA_MULTIPATH)) {
        parse_multipath(k, *mp);
    } else if (a.has(RTA_OIF) || a.has(RTA_GATEWAY)) {
        Nexthop n;
        n.oif = static_cast<int>(a.u32(RTA_OIF).value_or(0));
        n.gateway = a.ip(RTA_GATEWAY, k.family);
        v.nexthops.push_back(n);
    }
    if (!v.nexthops.empty()) {
        v.oif = v.nexthops.front().oif;
        v.gateway = v.nexthops.front().gateway;
    }

    rtnl_route* obj = nullptr;
    k.parse_err = rtnl_route_parse(const_cast<nlmsghdr*>(h), &obj);
    if (k.parse_err >= 0) {
        k.parse_err = 0;
        k.obj.reset(obj);
    }
    return k;
}

Request route_request(const KRoute& k, rtnl_route* r, int nl_flags, uint32_t mtu, bool keep_expiry) {
    rtnl_route_unset_flags(r, ~kInputFlags);
    for (int i = 1; i <= RTAX_MAX; ++i)
        rtnl_route_unset_metric(r, i);
    if (k.nh_id) {
        // Compat-mode dumps describe the nexthop object's nexthops as well;
        // a request must name only the id.
        while (rtnl_route_get_nnexthops(r) > 0) {
            rtnl_nexthop* nh = rtnl_route_nexthop_n(r, 0);
            rtnl_route_remove_nexthop(r, nh);
            rtnl_route_nh_free(nh);
        }
    } else {
        for (int i = 0; i < rtnl_route_get_nnexthops(r); ++i)
            rtnl_route_nh_unset_flags(rtnl_route_nexthop_n(r, i), ~kInputFlags);
    }

    nl_msg* raw = nullptr;
    if (int e = rtnl_route_build_add_request(r, nl_flags, &raw); e < 0)
        throw_nle("building the route request failed", e);
    const MsgPtr built(raw);
    Request m = Request::copy_of(nlmsg_hdr(raw));
    if (k.nh_id)
        m.put(RTA_NH_ID, *k.nh_id);
    if (k.pref)
        m.put(RTA_PREF, *k.pref);
    if (keep_expiry && k.expires)
        m.put(RTA_EXPIRES, k.expires);
    bool any_metric = mtu != 0;
    for (const auto& [type, data] : k.metrics)
        any_metric = any_metric || type != RTAX_MTU;
    if (any_metric) {
        const size_t nest = m.begin_nest(RTA_METRICS);
        for (const auto& [type, data] : k.metrics)
            if (type != RTAX_MTU)
                m.put(type, data.data(), data.size());
        if (mtu)
            m.put(RTAX_MTU, mtu);
        m.end_nest(nest);
    }
    return m;
}

}  // namespace srv6steer::nl
