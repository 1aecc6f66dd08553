// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "pins_routes.hpp"

#include <linux/lwtunnel.h>
#include <linux/rtnetlink.h>
#include <linux/seg6.h>
#include <linux/seg6_iptunnel.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "common.hpp"
#include "netlink/attrs.hpp"
#include "netlink/netlink.hpp"
#include "pins_env.hpp"

namespace pins {

using benchutil::Failure;
using srv6steer::nl::Attrs;
using srv6steer::nl::KernelError;

namespace {

constexpr uint8_t kSrhType = 4;  // IPV6_SRCRT_TYPE_4 (<linux/ipv6.h>, clashes with libc)

// One request and its ACK, retried on ENOMEM; returns the retries.
uint64_t talk_retrying(Socket& nl, Request& m, const std::string& what) {
    for (uint64_t retries = 0;; retries++) {
        const KernelError e = nl.transact(m);
        if (!e)
            return retries;
        if (e.err != ENOMEM || retries >= kMaxRetries)
            throw Failure(what + ": " + e.text() +
                          (e.err == ENOMEM ? " (still, after " + std::to_string(retries) + " retries)" : ""));
        usleep(kRetryUs);
    }
}

}  // namespace

std::vector<uint8_t> seg6_encap(const Ipv6& seg) {
    std::vector<uint8_t> b(sizeof(int) + sizeof(ipv6_sr_hdr) + 16, 0);
    const int mode = SEG6_IPTUN_MODE_ENCAP_RED;
    std::memcpy(b.data(), &mode, sizeof mode);
    ipv6_sr_hdr srh{};
    srh.hdrlen = static_cast<uint8_t>((sizeof srh + 16) / 8 - 1);
    srh.type = kSrhType;
    srh.segments_left = 0;
    srh.first_segment = 0;
    std::memcpy(b.data() + sizeof mode, &srh, sizeof srh);
    std::memcpy(b.data() + sizeof mode + sizeof srh, seg.bytes.data(), 16);
    return b;
}

Request seg6_route(bool add, const Ipv6& dst, int oif, const std::vector<uint8_t>& encap) {
    Request m(add ? RTM_NEWROUTE : RTM_DELROUTE, add ? NLM_F_CREATE | NLM_F_EXCL : 0);
    rtmsg r{};
    r.rtm_family = AF_INET6;
    r.rtm_dst_len = 128;
    r.rtm_table = RT_TABLE_MAIN;
    r.rtm_protocol = add ? RTPROT_BOOT : 0;
    r.rtm_scope = add ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE;
    r.rtm_type = RTN_UNICAST;
    m.header(r);
    m.put(RTA_DST, dst.bytes);
    m.put(RTA_OIF, static_cast<uint32_t>(oif));
    if (add) {
        const size_t nest = m.begin_nest(RTA_ENCAP);
        m.put(SEG6_IPTUNNEL_SRH, encap.data(), encap.size());
        m.end_nest(nest);
        m.put(RTA_ENCAP_TYPE, static_cast<uint16_t>(LWTUNNEL_ENCAP_SEG6));
    }
    return m;
}

void ip_route(bool add, const Ipv6& dst, const Ipv6& seg) {
    std::vector<std::string> args = {"-6", "route", add ? "add" : "del", dst.str() + "/128"};
    if (add)
        args.insert(args.end(), {"encap", "seg6", "mode", "encap.red", "segs", seg.str()});
    args.insert(args.end(), {"dev", kDev});
    ip(args);
}

RouteCount count_routes(Socket& nl, const Ipv6& net, unsigned len_bytes, const std::vector<uint8_t>& encap) {
    Request m(RTM_GETROUTE, 0);
    rtmsg r{};
    r.rtm_family = AF_INET6;
    m.header(r);
    RouteCount c;
    nl.dump(
        m, "listing the IPv6 routes", [&] { c = {}; },
        [&](const nlmsghdr* h) {
            const auto m = srv6steer::nl::message<rtmsg>(h);
            if (h->nlmsg_type != RTM_NEWROUTE || !m || m->hdr.rtm_dst_len != 128)
                return;
            const rtmsg& rt = m->hdr;
            const Attrs& a = m->attrs;
            const auto dst = a.ip(RTA_DST, AF_INET6);
            if (!dst || std::memcmp(dst->bytes.data(), net.bytes.data(), len_bytes) != 0)
                return;
            if (a.u32(RTA_TABLE).value_or(rt.rtm_table) != RT_TABLE_MAIN)
                return;
            if (rt.rtm_protocol == srv6steer::nl::kRouteProtocol)
                c.ours++;
            const auto srh = a.nested(RTA_ENCAP).get(SEG6_IPTUNNEL_SRH);
            if (a.u16(RTA_ENCAP_TYPE) == LWTUNNEL_ENCAP_SEG6 && srh &&
                std::equal(srh->begin(), srh->end(), encap.begin(), encap.end())) {
                c.seg6_ok++;
                return;
            }
            c.seg6_other++;
        });
    return c;
}

uint64_t send_all(Socket& nl, std::vector<Request>& msgs, uint32_t window, const char* what) {
    uint64_t retries = 0;
    if (window <= 1) {
        for (size_t i = 0; i < msgs.size(); i++)
            retries += talk_retrying(nl, msgs[i], std::string(what) + " route " + std::to_string(i));
        return retries;
    }
    for (size_t i = 0; i < msgs.size(); i += window) {
        const size_t n = std::min<size_t>(window, msgs.size() - i);
        const std::vector<KernelError> answers = nl.transact_batch(std::span(msgs).subspan(i, n));
        for (size_t k = 0; k < n; k++) {
            if (!answers[k])
                continue;
            const std::string name = std::string(what) + " route " + std::to_string(i + k);
            if (answers[k].err != ENOMEM)
                throw Failure(name + ": " + answers[k].text());
            usleep(kRetryUs);
            retries += 1 + talk_retrying(nl, msgs[i + k], name);
        }
    }
    return retries;
}

void check_route_message(Socket& nl, int oif) {
    const auto encap = seg6_encap(kSeg);
    const Ipv6 mine = host(kProbeNet, 1), theirs = host(kProbeNet, 2);
    Request add = seg6_route(true, mine, oif, encap);
    if (const KernelError e = nl.transact(add))
        throw Failure("adding the probe route " + mine.str() + ": " + e.text());
    ip_route(true, theirs, kSeg);
    const RouteCount c = count_routes(nl, kProbeNet, 6, encap);
    if (c.seg6_ok != 2 || c.seg6_other)
        throw Failure("probe routes: " + std::to_string(c.seg6_ok) +
                      " with the expected seg6 encap.red encapsulation and " + std::to_string(c.seg6_other) +
                      " with another, expected 2 and 0 (the hand-built RTM_NEWROUTE differs from `ip`'s?)");
    Request del = seg6_route(false, mine, oif, encap);
    if (const KernelError e = nl.transact(del))
        throw Failure("deleting the probe route: " + e.text());
    ip_route(false, theirs, kSeg);
    if (count_routes(nl, kProbeNet, 6, encap).seg6_ok)
        throw Failure("probe routes left behind");
}

}  // namespace pins
