// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Steering::Impl: one interface's state as this process holds it (its pinned
// maps, its state directory, the lock), and the small operations on it that
// the parts of the library share. The parts:
//   steering.cpp   attach, open, detach, status, the lock (the facade)
//   paths.cpp      paths and path sets
//   pins.cpp       flow, queue-pair and prefix pins
//   gc.cpp         stale pins, dead attachments
//   route_journal  route MTUs; hook: tcx/clsact; maps: the map table;
//   state_dir      where state lives and who may own it; netns: identity
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dataplane.hpp"
#include "maps.hpp"
#include "netns.hpp"
#include "state_dir.hpp"
#include "srv6steer/srv6steer.hpp"

namespace srv6steer {

inline constexpr uint32_t kSkipBits = SRV6S_CFG_NO_FLOWS | SRV6S_CFG_NO_QPS | SRV6S_CFG_NO_PREFIXES;

uint64_t now_ns();  // CLOCK_REALTIME

inline const srv6s_path_set_gen& active(const srv6s_path_set& s) { return s.gen[s.active & 1]; }

struct Steering::Impl {
    std::string ifname;
    std::string bpffs;
    netns::Identity ns;
    std::string dir;              // state directory; empty when not pinned (load_unattached)
    uint64_t dir_ino = 0;         // the directory the maps in fds came from
    MapFds fds;
    std::optional<DataPlane> dp;  // when loaded by this process

    // -- the lock: re-entrant within this object --
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
    // Takes the state lock (waits for other holders); throws when the state
    // was removed meanwhile (a detach).
    [[nodiscard]] Guard lock() { return Guard(this); }

    // -- basic map access --
    bool pinned() const { return !dir.empty(); }
    srv6s_config config() const { return fds[maps::config].lookup(0).value_or(srv6s_config{}); }
    srv6s_meta meta() const { return fds[maps::meta].lookup(0).value_or(srv6s_meta{}); }
    std::optional<srv6s_path> path(uint32_t id) const;
    std::optional<srv6s_path_set> set_slot(uint32_t slot) const;
    void check_path_id(uint32_t id) const;
    void check_set_id(uint32_t id) const;
    // The paths a target resolves to; throws when it does not exist.
    std::vector<srv6s_path> target_paths(Target t) const;
    // The level of a set slot for route MTUs: the SRH segments of its
    // longest path (0 when it has none, or does not exist).
    uint32_t slot_level(uint32_t slot) const;
    // The same for a target; throws when it does not exist.
    uint32_t target_level(Target t) const;

    // -- skip bits: set only while a pin map is empty (the data plane skips
    // lookups in empty maps) --
    void clear_skip(uint32_t bit);
    void set_skip_if_empty(int map_fd, uint32_t bit);

    // -- pins and route MTUs (pins.cpp) --
    // Destinations of the pins that point at a set slot, with their counts.
    std::map<Prefix, uint32_t> destinations_of(uint32_t slot) const;
    // Every destination with a pin, and its pins by level (slot_level).
    std::map<Prefix, std::array<uint32_t, SRV6S_ENCAP_LEVELS>> pinned_destinations() const;
    bool slot_in_use(uint32_t slot) const;

    // -- sets (paths.cpp) --
    void write_set(uint32_t slot, const std::vector<uint32_t>& ids);
};

}  // namespace srv6steer
