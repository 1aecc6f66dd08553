// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The veth topologies the kernel tests run on, written once. Both give this
// network namespace an interface veth0 with a global IPv6 address and a route
// fcbb:0:800:2::/64 through a gateway on veth0's link (addresses as in the
// lab: tools/README.md), so that pins to fcbb:0:800:2::* get route MTUs.
// Call from SetUp after testns::PrivateNamespaces::enter().
#pragma once

#include <string>

#include "private_ns.hpp"
#include "shell.hpp"

namespace testtopo {

inline constexpr const char* kRemotePrefix = "fcbb:0:800:2::/64";

// veth0 (host) and veth1 both here: what veth0 sends is captured on veth1.
// The gateway is a permanent neighbour entry with veth1's MAC.
inline void veth_pair_here(const std::string& host = "fcbb:0:800:1::10",
                           const std::string& gateway = "fcbb:0:800:1::1") {
    using testsh::sh;
    sh("ip link set lo up");
    sh("ip link add veth0 type veth peer name veth1");
    sh("ip link set veth0 up && ip link set veth1 up");
    sh("ip -6 addr add " + host + "/64 dev veth0 nodad");
    // Not /sys/class/net: /sys may still show the namespace we came from.
    const std::string mac = sh("ip -br link show dev veth1 | awk '{print $3}'");
    sh("ip -6 neigh add " + gateway + " lladdr " + mac.substr(0, 17) + " dev veth0 nud permanent");
    sh("ip -6 route add " + std::string(kRemotePrefix) + " via " + gateway + " dev veth0");
}

// veth0 here, veth1 in the peer's namespace with the gateway address.
inline void veth_to_peer(const testns::PeerNamespace& peer, const std::string& host = "fcbb:0:800:1::1",
                         const std::string& gateway = "fcbb:0:800:1::2") {
    using testsh::sh;
    const std::string in_peer = peer.nsenter();
    sh("ip link set lo up && ip link add veth0 type veth peer name veth1 netns " + std::to_string(peer.pid()));
    sh("ip addr add " + host + "/64 dev veth0 nodad && ip link set veth0 up");
    sh(in_peer + "ip link set lo up && " + in_peer + "ip addr add " + gateway + "/64 dev veth1 nodad && " +
       in_peer + "ip link set veth1 up");
    sh("ip -6 route add " + std::string(kRemotePrefix) + " via " + gateway + " dev veth0");
}

}  // namespace testtopo
