// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Receive::Impl: this network namespace's receive state as this process
// holds it (its pinned maps, its directory, the lock). The parts:
//   receive.cpp            attach, open, detach, status, config, the lock
//   receive_sids.cpp       local SIDs and behaviour names
//   receive_stats.cpp      counters by reason and by sender path
//   receive_hook.cpp       XDP / TC ingress hooks; receive_maps.cpp: the maps
//   receive_dataplane.cpp  the loaded decap object
//   receive_config.cpp     ReceiveConfig <-> struct srv6s_rx_config
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "netns.hpp"
#include "receive_dataplane.hpp"
#include "receive_maps.hpp"
#include "state_dir.hpp"
#include "srv6steer/srv6steer.hpp"

namespace srv6steer {

// <bpffs>/srv6steer/v6/<netns cookie>/:receive
std::string receive_dir(const std::string& bpffs, uint64_t netns_cookie);

// The receive state in dir (of this network namespace: mine) removed if no
// interface it was attached to runs its program any more, and not in use
// (its lock is only tried). For Steering::remove_dead; true when removed.
bool remove_dead_receive(const std::string& dir, bool mine);

// ReceiveConfig as the program reads it, and back (receive_config.cpp).
srv6s_rx_config rx_config_to_abi(const ReceiveConfig& c);
ReceiveConfig rx_config_from_abi(const srv6s_rx_config& v);

struct Receive::Impl {
    std::string bpffs;
    netns::Identity ns;
    std::string dir;       // state directory; empty when not pinned (load_unattached)
    uint64_t dir_ino = 0;  // the directory the maps in fds came from
    RxMapFds fds;
    std::optional<RxDataPlane> dp;  // when loaded by this process

    // -- the lock: re-entrant within this object (as Steering::Impl's) --
    std::optional<DirLock> held;
    int depth = 0;
    void acquire();
    void release();
    struct Guard {
        Impl* im;
        explicit Guard(Impl* i) : im(i) { im->acquire(); }
        Guard(const Guard&) = delete;
        ~Guard() { im->release(); }
    };
    [[nodiscard]] Guard lock() { return Guard(this); }
    bool pinned() const { return !dir.empty(); }

    // -- the SID block filter (receive_sids.cpp): SRV6S_RX_CFG_BLOCK set to
    // the longest prefix of up to 64 bits every SID lies in, exactly while
    // there is one; `sids` are the SIDs there will be (widen before adding,
    // narrow after removing) --
    void sync_block(const std::vector<Prefix>& sids);
    void sync_block();  // from the SIDs in the map
};

}  // namespace srv6steer
