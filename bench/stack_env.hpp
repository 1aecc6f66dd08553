// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Where bench_stack runs: a private network namespace and bpffs
// (bench/netns.hpp) with one veth pair per kind of egress, so that every case
// is set up once and rounds can interleave them without re-attaching:
//   plain   nothing attached (plain routing; the kernel's seg6 routes)
//   floor   bench/floor_encap.bpf.c at TC egress
//   steer   srv6steer, one pin of each kind (the side-by-side cases)
//   one     srv6steer with --max-flows, one pinned socket and one flow pin
//   many    srv6steer with --max-flows, 65,536 pinned sockets and flow pins
// Device N has fcbb:0:80N:1::1/64 and 10.20.N.1/24 and a gateway (::2, .2)
// that is a permanent neighbour with the peer's MAC; each peer drops
// everything at TC ingress (bench/sink.bpf.c), counting packets by shape.
// Each case sends to a network of its own (fcbb:0:9CC::/64, 10.(100+CC).0.0/16)
// routed out of its device.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fd.hpp"
#include "netns.hpp"
#include "sink.h"
#include "srv6steer/srv6steer.hpp"

struct bench_sink;
struct bench_floor_encap;

namespace stack {

using srv6steer::Ipv6;
using Shapes = std::array<uint64_t, BENCH_SHAPE_MAX>;

// The one path every encapsulating case uses: one uSID container.
inline const Ipv6 kSegment = Ipv6::parse("fcbb:0:1004:1001:1006:fe06::");
inline constexpr uint32_t kPath = 1;

enum class Role { Plain, Floor, Steer, One, Many };

struct Device {
    Role role;
    unsigned n = 0;              // 1.. : its addresses
    std::string name, peer;
    int ifindex = 0;
    Ipv6 addr6, addr4, gw6, gw4;  // addr4, gw4 IPv4-mapped
    Ipv6 extra(unsigned i) const;  // fcbb:0:80N:1::(0x100+i), added by add_addresses
};

// A case's destination network and the address in it that is sent to.
struct Net {
    srv6steer::Prefix prefix;
    Ipv6 host(uint32_t i) const;  // the network's address i (i = 0x20: "the" destination)
};

class Env {
public:
    Env();
    ~Env();
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;

    const Device& dev(Role r) const;
    const std::string& bpffs() const { return ns_.bpffs(); }

    // A new network of the family (v4: IPv4) routed out of d via its gateway;
    // kernel_encap: with the kernel's `encap seg6 mode encap.red segs kSegment`.
    Net route(const Device& d, bool v4, bool kernel_encap = false);
    // n more IPv6 addresses on d: d.extra(0 .. n-1).
    void add_addresses(const Device& d, unsigned n);

    // srv6steer attached to d, with path kPath.
    srv6steer::Steering attach(const Device& d, uint32_t max_flows);

    // What every peer's sink counted so far, by shape (enum bench_shape).
    Shapes shapes() const;
    int floor_fd() const;  // the floor program
    // The seg6 tunnel source of the namespace: plain's address (set at the
    // start), or none (false: the kernel chooses one for every packet).
    void tunsrc(bool fixed);
    size_t ipv6_addresses() const;  // in the namespace: what the kernel's source selection walks

private:
    benchns::Private ns_;
    std::vector<Device> devs_;
    std::unique_ptr<bench_sink, void (*)(bench_sink*)> sink_;
    std::unique_ptr<bench_floor_encap, void (*)(bench_floor_encap*)> floor_;
    std::vector<srv6steer::UniqueFd> links_;  // tcx links: sinks, floor
    unsigned nets_ = 0;
};

const char* shape_name(unsigned shape);

}  // namespace stack
