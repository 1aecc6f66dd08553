// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// One probe target's socket: UDP, connected to the remote host's probe port,
// pinned to the target's path with SRV6S_PIN_IGNORE_DOWN (so the egress
// program encapsulates it over that path, also while the path is down), and
// the probe wire format (include/srv6steer/probe_abi.h) in host values.
#pragma once

#include <cstdint>
#include <optional>

#include "fd.hpp"
#include "srv6steer/probe.hpp"

namespace srv6steer {

// A probe in host byte order.
struct ProbeMessage {
    uint8_t type = SRV6S_PROBE_REQUEST;
    uint16_t flags = 0;
    uint32_t path = 0;
    uint32_t seq = 0;
    uint64_t sent_ns = 0;
    std::optional<Ipv6> ret;  // SRV6S_PROBE_F_RETURN
    uint64_t rx_packets = 0, rx_ce_packets = 0;
};

srv6s_probe encode_probe(const ProbeMessage& m);
// A probe of ours (magic, version, a known type), else nullopt.
std::optional<ProbeMessage> decode_probe(const void* data, size_t len);

class ProbeSocket {
public:
    // Opens and connects the socket, then pins it (throws srv6steer::Error:
    // no route to the remote host, the path does not exist, ...).
    ProbeSocket(Steering& steering, const ProbeTarget& target);

    int fd() const { return fd_.get(); }
    uint64_t cookie() const { return cookie_; }
    // Sends one probe; false when the kernel refused it now (no route, an
    // ICMP error reported on the socket, a full buffer): a lost probe.
    bool send(const ProbeMessage& m);
    // The next datagram that decodes as a probe, or nullopt when none is
    // waiting (errors the socket reports are read and skipped).
    std::optional<ProbeMessage> receive();

private:
    UniqueFd fd_;
    uint64_t cookie_ = 0;
};

}  // namespace srv6steer
