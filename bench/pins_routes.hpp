// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The seed's method that bench_pins compares srv6steer against: one kernel
// SRv6 route per destination, as
//   ip -6 route add DST/128 encap seg6 mode encap.red segs C dev DEV
// does it: a hand-built RTM_NEWROUTE (RTA_ENCAP_TYPE seg6, RTA_ENCAP /
// SEG6_IPTUNNEL_SRH {mode encap.red, SRH}) sent over the library's netlink
// socket (netlink/socket.hpp), or `ip` itself; and the count of such routes
// the kernel holds, to verify every timed step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "netlink/socket.hpp"
#include "srv6steer/sid.hpp"

namespace pins {

using srv6steer::nl::Request;
using srv6steer::nl::Socket;

// SEG6_IPTUNNEL_SRH's payload: struct seg6_iptunnel_encap {int mode; struct
// ipv6_sr_hdr srh[];} with the SRH iproute2 builds for encap.red and one
// segment: hdrlen 2, type 4, segments_left = last_entry = 0, segments[0] = seg.
std::vector<uint8_t> seg6_encap(const srv6steer::Ipv6& seg);

// RTM_NEWROUTE of dst/128 out of oif with that encapsulation (add), or the
// RTM_DELROUTE of it.
Request seg6_route(bool add, const srv6steer::Ipv6& dst, int oif, const std::vector<uint8_t>& encap);

// `ip -6 route add|del DST/128 [encap seg6 mode encap.red segs SEG] dev kDev`,
// fork/exec'ed.
void ip_route(bool add, const srv6steer::Ipv6& dst, const srv6steer::Ipv6& seg);

struct RouteCount {
    size_t seg6_ok = 0;     // /128 in the net, seg6 encap == the expected one
    size_t seg6_other = 0;  // /128 in the net, any other encapsulation or none
    size_t ours = 0;        // /128 in the net with srv6steer's protocol
};

// The IPv6 /128 routes of the main table inside net/(len_bytes * 8).
RouteCount count_routes(Socket& nl, const srv6steer::Ipv6& net, unsigned len_bytes,
                        const std::vector<uint8_t>& encap);

// The kernel allocates each seg6 route's per-CPU dst_cache with GFP_ATOMIC,
// from a pool of populated per-CPU pages that a background worker refills:
// routes added faster than it refills fail with ENOMEM. The route method then
// has to wait and retry, and that time is part of its cost; the retries are
// counted and reported.
inline constexpr uint32_t kRetryUs = 50;
inline constexpr uint32_t kMaxRetries = 200000;  // per route: ~10 s

// Sends msgs: one request and its ACK at a time (window 1), or `window`
// requests per send with their ACKs read afterwards (failed ones then retried
// one by one). Failure on any refusal but ENOMEM. Returns the ENOMEM retries.
uint64_t send_all(Socket& nl, std::vector<Request>& msgs, uint32_t window, const char* what);

// Before timing routes: a route added by `ip` and one by seg6_route() must
// come back from the kernel with the same encapsulation.
void check_route_message(Socket& nl, int oif);

}  // namespace pins
