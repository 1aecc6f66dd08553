// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Hooking the receive program to an interface's ingress and finding out
// whether it still is: an XDP link (native or generic mode, chosen by the
// driver when asked for Auto), or TC ingress through hook.hpp (tcx link,
// else a clsact filter). Links are pinned, so the hook outlives the process.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "receive_maps.hpp"
#include "srv6steer/srv6steer.hpp"

namespace srv6steer::rxhook {

// The interface's driver as ethtool reports it ("veth", "mlx5_core"), "" if it says none.
std::string driver_of(const std::string& ifname);

// Hooks the XDP program (native, generic) or the TC program (tc) to
// ifindex; a link is pinned at link_pin. Returns how (RxAttachRecord
// without its time).
RxAttachRecord attach(int xdp_prog, int tc_prog, int ifindex, const std::string& ifname, RxMode mode,
                      const std::string& link_pin);

// Takes off what attach hooked; returns what failed, in words.
std::vector<std::string> detach(const std::string& link_pin, const RxAttachRecord& rec);

// What runs at the hook now.
struct Seen {
    bool link_pinned = false;  // XDP or tcx: the link pin exists
    uint32_t ifindex = 0;      // the link's interface (0: gone)
    uint32_t prog_id = 0;      // the program the hook runs (0: none of ours)
    uint32_t link_id = 0;
    uint32_t xdp_mode = 0;     // XDP: what the kernel reports attached (XDP_ATTACHED_*)
};
Seen query(const std::string& link_pin, const RxAttachRecord& rec);

}  // namespace srv6steer::rxhook
