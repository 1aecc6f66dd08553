// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Steering::Impl: one interface's state as this process holds it (its pinned
// maps, its state directory, the lock), and the small operations on it that
// the parts of the library share. The parts:
//   steering.cpp   attach, open, detach, status, the lock (the facade)
//   paths.cpp      paths and path sets
//   pins.cpp       flow, queue-pair and prefix pins
//   sockets.cpp    socket pins; cgroups.cpp: cgroup pins
//   gc.cpp         stale pins, dead attachments
//   route_journal  route MTUs; hook: tcx/clsact; maps: the map table;
//   state_dir      where state lives and who may own it; netns: identity
#pragma once

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dataplane.hpp"
#include "flow_table.hpp"
#include "iterators.hpp"
#include "maps.hpp"
#include "netns.hpp"
#include "state_dir.hpp"
#include "srv6steer/srv6steer.hpp"

namespace srv6steer {

inline constexpr uint32_t kSkipBits = SRV6S_CFG_NO_FLOWS | SRV6S_CFG_NO_QPS | SRV6S_CFG_NO_PREFIXES |
                                     SRV6S_CFG_NO_SOCKETS | SRV6S_CFG_NO_CGROUPS;

uint64_t now_ns();  // CLOCK_REALTIME

inline const srv6s_path_set_gen& active(const srv6s_path_set& s) { return s.gen[s.active & 1]; }

// The set slot of a pin: its path_set without the flag bits
// (SRV6S_PIN_SET_MASK). Every reader of a pin's path_set goes through it.
inline uint32_t pin_slot(const srv6s_pin& v) { return v.path_set & SRV6S_PIN_SET_MASK; }
// The path_set word a pin to `slot` with options o carries (slot | flags).
inline uint32_t pin_word(uint32_t slot, const PinOptions& o) {
    return slot | (o.ignore_down ? uint32_t(SRV6S_PIN_IGNORE_DOWN) : 0U);
}

// The value of a new pin (counters zero).
inline srv6s_pin new_pin(uint32_t slot, const PinOptions& o, uint64_t created) {
    srv6s_pin v{};
    v.path_set = pin_word(slot, o);
    v.owner_pid = o.owner.pid;
    v.owner_cgroup = o.owner.cgroup;
    v.created_ns = created;
    return v;
}

// A key pinned to another target already (and replace not asked); `what`
// names the key ("cgroup id:7"), `tail` ends the message.
inline Error already_pinned(const std::string& what, const srv6s_pin& old, const std::string& tail = "") {
    return Error(what + " is already pinned to " + Target::from_slot(old.path_set).str() +
                     (old.owner_pid ? " by pid " + std::to_string(old.owner_pid) : "") +
                     ": unpin it first, or pin with replace" + tail,
                 EEXIST);
}

// A pin map that has no room for `more` pins besides the `there` ones.
inline Error pin_map_full(const std::string& map, const std::string& ifname, size_t there, size_t more) {
    return Error("the " + map + " map of " + ifname + " is full: " + std::to_string(there) + " pins are there and " +
                     std::to_string(more) + " more do not fit: unpin some, or attach with a larger max_" + map,
                 E2BIG);
}

namespace remote {
class Client;  // remote mode (libsrv6steer/remote/): calls go to the agent
struct ClientDelete {
    void operator()(Client* c) const noexcept;  // defined with Client
};
}  // namespace remote

struct Steering::Impl {
    std::string ifname;
    std::string bpffs;
    netns::Identity ns;
    std::string dir;              // state directory; empty when not pinned (load_unattached)
    uint64_t dir_ino = 0;         // the directory the maps in fds came from
    MapFds fds;
    std::optional<DataPlane> dp;  // when loaded by this process
    // Remote mode (Steering::connect): set, and nothing above is. Every
    // public call starts with `if (auto* r = impl_->remote.get()) return r->...;`
    std::unique_ptr<remote::Client, remote::ClientDelete> remote;
    // The BPF iterators that list socket pins and cgroups, loaded on first
    // use and kept with this object (iterators.hpp).
    mutable std::unique_ptr<iterators::Lister> lister;
    iterators::Lister& listing() const {
        if (!lister)
            lister = std::make_unique<iterators::Lister>(fds.fd(maps::socks.index));
        return *lister;
    }

    // The flow pin table through its mmap (flow_table.hpp), mapped on
    // first use and kept with this object.
    mutable std::unique_ptr<FlowTable> flow_table;
    FlowTable& flows() const {
        if (!flow_table)
            flow_table = std::make_unique<FlowTable>(fds.fd(maps::flows.index), fds.fd(maps::flow_owners.index));
        return *flow_table;
    }

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
    // The level of a set slot for route MTUs: the SRH segments of the
    // longest path it or its paths' fallbacks have (0 when it has none, or
    // does not exist).
    uint32_t slot_level(uint32_t slot) const;
    // The same for a target; throws when it does not exist.
    uint32_t target_level(Target t) const;
    // srv6s_path.fallback for path id (which exists) falling back to t:
    // throws when t does not exist or is the path alone.
    uint32_t fallback_word(uint32_t id, std::optional<Target> t) const;

    // -- skip bits: set only while a pin map is empty (the data plane skips
    // lookups in empty maps) --
    void clear_skip(uint32_t bit);
    void set_skip_if_empty(int map_fd, uint32_t bit);
    void set_skip_if(bool empty, uint32_t bit);

    // -- pins and route MTUs (pins.cpp) --
    // Destinations of the pins that point at a set slot (socket pins with
    // their peers included), with their counts.
    std::map<Prefix, uint32_t> destinations_of(uint32_t slot) const;
    // Every destination with a pin, and its pins by level (slot_level).
    std::map<Prefix, std::array<uint32_t, SRV6S_ENCAP_LEVELS>> pinned_destinations() const;
    bool slot_in_use(uint32_t slot) const;

    // -- socket and cgroup pins (sockets.cpp, cgroups.cpp) --
    // The index records (srv6s_sock_index) of the socket pins whose sockets
    // are still open, by socket cookie.
    std::map<uint64_t, srv6s_sock_entry> live_socket_pins() const;
    // Erases the index records that closed sockets left (their route MTUs
    // go with the next recount); returns how many.
    size_t forget_closed_sockets();
    // Calls f(slot, dst) for every socket pin (dst: the peer it took a route
    // MTU towards, if it did) and every cgroup pin (no dst): what walks over
    // pins add to those of the flow, queue-pair and prefix maps.
    // probes=false: without the pins of probe sockets (SRV6S_PIN_IGNORE_DOWN),
    // which do not hold their path (slot_in_use; docs/design.md §16.1).
    void for_each_socket_or_cgroup_pin(
        const std::function<void(uint32_t slot, const std::optional<Prefix>& dst)>& f, bool probes = true) const;
    // Sets the cgroup levels the data plane asks (config) to exactly those
    // of the cgroup pins; `levels`: every cgroup's level, when known.
    void sync_cgroup_levels(const std::unordered_map<uint64_t, uint32_t>* levels = nullptr);

    // -- sets (paths.cpp) --
    void write_set(uint32_t slot, const std::vector<uint32_t>& ids);
};

// Throws unless gap is a flowlet gap the data plane takes (flowlets.cpp).
void check_flowlet_gap(std::chrono::microseconds gap);

}  // namespace srv6steer
