// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Where bench_pins runs: this process in a network and mount namespace of its
// own with a private bpffs (bench/netns.hpp), with lo and a veth pair
// kDev/kPeer (kHost/64 on kDev, kSteerNet/40 routed out of it); all of it
// goes when the process exits. Also the addresses every case uses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "netlink/socket.hpp"
#include "netns.hpp"
#include "srv6steer/sid.hpp"

namespace pins {

using srv6steer::Ipv6;

inline constexpr const char* kDev = "srv6s-b0";
inline constexpr const char* kPeer = "srv6s-b1";

inline const Ipv6 kHost = Ipv6::parse("fcbb:0:800:1::1");      // kDev's address
inline const Ipv6 kSrc = Ipv6::parse("fcbb:0:800:1::10");      // flows' source
inline const Ipv6 kDst = Ipv6::parse("fcbb:0:800:2::20");      // maps-only flows' destination
inline const Ipv6 kSeg = Ipv6::parse("fcbb:0:1004:1001:1006:fe06::");  // the one uSID container
inline const Ipv6 kSteerNet = Ipv6::parse("fcbb:0:900::");     // /40 out of kDev: attached dsts
inline const Ipv6 kRouteNet = Ipv6::parse("fcbb:0:a00::");     // route_netlink destinations
inline const Ipv6 kExecNet = Ipv6::parse("fcbb:0:b00::");      // route_exec destinations
inline const Ipv6 kProbeNet = Ipv6::parse("fcbb:0:c00::");     // the ip-vs-hand-built check

// net with the low 32 bits replaced by i.
Ipv6 host(const Ipv6& net, uint32_t i);

// Runs `ip args...` in this network namespace; Failure with what it said.
using benchns::ip;

class Env {
public:
    Env();  // Failure when not root
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;

    srv6steer::nl::Socket& nl() { return nl_; }
    int oif() const { return oif_; }
    const std::string& bpffs() const { return ns_.bpffs(); }

private:
    benchns::Private ns_;
    srv6steer::nl::Socket nl_;  // opened after the unshare: in the private namespace
    int oif_ = 0;
};

}  // namespace pins
