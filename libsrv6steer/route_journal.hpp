// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Route MTUs towards pinned destinations, journaled in the routes map.
//
// Why: the encapsulation adds 40 (+8+16·n) bytes after the stack sized the
// packet, so a steered destination needs a route MTU of the link MTU minus the
// largest overhead of the paths its pins may take (libsrv6steer/netlink.hpp
// sets and undoes one). The routes map records, per destination, what was
// changed (added a route, or the MTU it had) and how many pins need it; the
// last pin to go puts the route back as it was, and so does detach.
//
// A RouteJournal is one transaction over that state: every change it makes
// (kernel route and map record) is undone, in reverse order, when it is
// destroyed without commit(). Run it under the state lock.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "maps.hpp"
#include "srv6steer/srv6steer.hpp"

namespace srv6steer {

namespace nl {
class Netlink;
}

// Pins to one destination, by level: the SRH segments of the longest path
// their target may take (srv6s_route.pins).
using Levels = std::array<uint32_t, SRV6S_ENCAP_LEVELS>;

class RouteJournal {
public:
    explicit RouteJournal(const MapFds& fds);
    RouteJournal(const RouteJournal&) = delete;
    RouteJournal& operator=(const RouteJournal&) = delete;
    ~RouteJournal();

    // False when the attachment does not manage route MTUs: then every call
    // below does nothing.
    bool enabled() const { return enabled_; }

    // n more pins to dst need room for a path of `level` SRH segments.
    void add(const Prefix& dst, uint32_t level, uint32_t n);
    // n pins to dst at `level` are gone; the last one puts the route back.
    void remove(const Prefix& dst, uint32_t level, uint32_t n);
    // n pins to dst now take paths of another level.
    void move(const Prefix& dst, uint32_t from, uint32_t to, uint32_t n);
    // Sets every journaled destination's counts to what `pins` says and puts
    // back those nobody needs; destinations in `pins` with no record are not
    // added (pins add them).
    void recount(const std::map<Prefix, Levels>& pins);

    void commit() { steps_.clear(); }

    // What is journaled, for status.
    static std::vector<OwnedRoute> list(const MapFds& fds);
    // Puts back every journaled route (detach); returns what could not be.
    static std::vector<std::string> undo_all(const MapFds& fds);

private:
    // One change, and how to take it back.
    struct Step {
        srv6s_prefix_key key;
        std::optional<srv6s_route> before;  // the record before (nullopt: there was none)
        enum class Kernel { None, Undo, RestoreMtu, Reapply } kernel = Kernel::None;
        srv6s_route made{};                 // Undo: the record of what the kernel change did
    };
    nl::Netlink& netlink();
    // Gives dst the counts `pins` and the route MTU they need.
    void set(const Prefix& dst, const Levels& pins);
    uint32_t mtu_for(const Levels& pins) const;

    const MapFds& fds_;
    bool enabled_ = false;
    uint32_t ifindex_ = 0;
    uint32_t link_mtu_ = 0;
    std::unique_ptr<nl::Netlink> nl_;
    std::vector<Step> steps_;
};

}  // namespace srv6steer
