// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What a socket pin needs to know of a socket (sockets.cpp), asked of the
// kernel through its fd: its cookie, family, protocol, addresses, and
// whether it may be pinned at all (a TCP or UDP socket of IPv4 or IPv6, in
// the attachment's network namespace, in the kernel's lookup tables). Each
// refusal says what the fd is instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "srv6steer/srv6steer.hpp"

namespace srv6steer::socket_facts {

// What pinning a socket needs to know of it, asked of the kernel once.
struct SocketFacts {
    int fd = -1;
    uint64_t cookie = 0;
    int family = 0;              // AF_INET or AF_INET6
    uint32_t uid = 0;            // its owner (the socket inode's, which is sk_uid)
    Flow flow;                   // its current addresses (IPv4: mapped; unconnected: zeros)
    std::optional<Prefix> peer;  // connected: the peer, /128
};

// "tcp socket fd 7 (10.0.1.1 port 40000 to 10.0.2.20 port 5201)", for messages.
std::string describe(const SocketFacts& s);

// The facts of fd, refusing anything but a TCP or UDP socket (IPv4 or IPv6).
// `of_netns`: the attachment's network namespace (0: not known); a socket of
// another one never sends through its interface, so pinning it is refused.
// Without the socket's uid (a pin does not need it), in six system calls.
SocketFacts inspect(int fd, uint64_t of_netns);
// The same with the uid, each property asked on its own (nine calls).
SocketFacts inspect_fully(int fd, uint64_t of_netns);

// Refuses a socket the kernel does not keep in its lookup tables (what the
// listing walks, iterators.hpp): a TCP socket neither connected nor
// listening, a UDP socket not bound. Others would be invisible to it, and gc
// would forget their pins' records.
void check_pinnable(const SocketFacts& s);

}  // namespace srv6steer::socket_facts
