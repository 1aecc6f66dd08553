// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Hooking a TC program to an interface and finding out whether it still is:
// a tcx link (Linux 6.6+, pinned beside the maps, coexists with other
// programs) or, on older kernels, a filter on the clsact qdisc. Egress for
// the steering program; ingress for the receive side's TC variant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fd.hpp"
#include "srv6steer/srv6steer.hpp"

namespace srv6steer::hook {

struct Attached {
    uint32_t mode = SRV6S_ATTACH_NONE;  // enum srv6s_attach_mode
    uint32_t prog_id = 0;
    uint32_t tc_handle = 0, tc_priority = 0;  // clsact
};

enum class Direction { Egress, Ingress };

// Hooks prog to TC egress (or ingress) of ifindex; a tcx link is pinned at link_pin.
Attached attach(int prog_fd, int ifindex, Hook how, const std::string& ifname, const std::string& link_pin,
                Direction dir = Direction::Egress);

// Takes off what attach hooked (meta says how); returns what failed, in words.
std::vector<std::string> detach(const std::string& link_pin, const srv6s_meta& meta,
                                Direction dir = Direction::Egress);

// What runs at the hook now.
struct Seen {
    bool link_pinned = false;  // tcx: the link pin exists
    uint32_t ifindex = 0;      // tcx: the link's interface (0: the interface is gone)
    uint32_t prog_id = 0;      // the program attached (0: none of ours)
    uint32_t link_id = 0;
};
Seen query(const std::string& link_pin, const srv6s_meta& meta, Direction dir = Direction::Egress);

uint32_t prog_id_of(int prog_fd);

}  // namespace srv6steer::hook
