// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "route_journal.hpp"

#include <algorithm>

#include "netlink/netlink.hpp"

namespace srv6steer {

namespace {

nl::RouteChange change_of(const srv6s_route& rec) {
    nl::RouteChange ch;
    ch.added = rec.flags & SRV6S_ROUTE_ADDED;
    ch.old_mtu = rec.old_mtu;
    ch.table = rec.table;
    ch.priority = rec.priority;
    return ch;
}


}  // namespace

RouteJournal::RouteJournal(const MapFds& fds) : fds_(fds) {
    const auto meta = fds_[maps::meta].lookup(0).value_or(srv6s_meta{});
    enabled_ = meta.flags & SRV6S_META_ROUTE_MTU;
    ifindex_ = meta.ifindex;
    link_mtu_ = meta.link_mtu;
}

nl::Netlink& RouteJournal::netlink() {
    if (!nl_)
        nl_ = std::make_unique<nl::Netlink>();
    return *nl_;
}

RouteJournal::~RouteJournal() {
    auto routes = fds_[maps::routes];
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
        try {
            const Prefix dst = Prefix::from_key(it->key);
            switch (it->kernel) {
            case Step::Kernel::Undo:
                netlink().undo_route_mtu(dst, change_of(it->made));
                break;
            case Step::Kernel::RestoreMtu:
                netlink().set_route_mtu(dst, static_cast<int>(ifindex_), it->before->mtu);
                break;
            case Step::Kernel::Reapply: {
                const auto ch = netlink().set_route_mtu(dst, static_cast<int>(ifindex_), it->before->mtu);
                it->before->flags = ch.added ? SRV6S_ROUTE_ADDED : 0;
                it->before->old_mtu = ch.old_mtu;
                it->before->table = ch.table;
                it->before->priority = ch.priority;
                break;
            }
            case Step::Kernel::None:
                break;
            }
            if (it->before)
                routes.update(it->key, *it->before);
            else
                routes.erase(it->key);
        } catch (...) {
            // Best effort: what cannot be put back stays journaled, and the
            // next gc recounts it.
        }
    }
}

namespace {

uint32_t total(const Levels& pins) {
    uint32_t n = 0;
    for (uint32_t c : pins)
        n += c;
    return n;
}

Levels levels_of(const srv6s_route& r) {
    Levels l{};
    std::copy(std::begin(r.pins), std::end(r.pins), l.begin());
    return l;
}

void check_level(uint32_t level) {
    if (level >= SRV6S_ENCAP_LEVELS)
        throw Error("a path of " + std::to_string(level) + " SRH segments: at most " +
                    std::to_string(SRV6S_MAX_SRH_SEGS));
}

}  // namespace

// A full journal is its own error: it is not the pin map that is full.
static void update(Map<srv6s_prefix_key, srv6s_route> routes, const srv6s_prefix_key& key, const srv6s_route& r) {
    try {
        routes.update(key, r);
    } catch (const Error& e) {
        if (e.code() != E2BIG)
            throw;
        throw Error("srv6steer keeps route MTUs for at most " + std::to_string(SRV6S_MAX_ROUTES) +
                        " destinations per interface, and they are all in use: pin to fewer destinations, "
                        "or attach without route MTUs (and set them yourself)",
                    EDQUOT);
    }
}

uint32_t RouteJournal::mtu_for(const Levels& pins) const {
    uint32_t top = 0;
    for (uint32_t l = 0; l < SRV6S_ENCAP_LEVELS; l++)
        if (pins[l])
            top = l;
    const uint32_t over = srv6s_encap_len_segs(top);
    if (over + 1280 > link_mtu_)
        throw Error("a path of " + std::to_string(top) + " SRH segments adds " + std::to_string(over) +
                    " bytes, which leaves less than IPv6's minimum MTU of 1280 in the link MTU of " +
                    std::to_string(link_mtu_));
    return link_mtu_ - over;
}

void RouteJournal::set(const Prefix& dst, const Levels& pins) {
    auto routes = fds_[maps::routes];
    const auto key = dst.key();
    const auto rec = routes.lookup(key);
    if (!rec) {
        if (total(pins) == 0)
            return;
        uint32_t mtu = mtu_for(pins);
        // Never raise an MTU someone else set lower.
        const nl::Route r = netlink().lookup(dst.addr);
        if (r.mtu && r.mtu <= mtu && r.dst == dst)
            return;
        if (r.mtu)
            mtu = std::min(mtu, r.mtu);
        const nl::RouteChange ch = netlink().set_route_mtu(dst, static_cast<int>(ifindex_), mtu);
        srv6s_route made{};
        made.flags = ch.added ? SRV6S_ROUTE_ADDED : 0;
        made.old_mtu = ch.old_mtu;
        made.mtu = mtu;
        made.table = ch.table;
        made.priority = ch.priority;
        made.cap = r.mtu;
        std::copy(pins.begin(), pins.end(), made.pins);
        steps_.push_back({key, std::nullopt, Step::Kernel::Undo, made});
        update(routes, key, made);
        return;
    }
    if (total(pins) == 0) {  // the last pin went: the route goes back as it was
        netlink().undo_route_mtu(dst, change_of(*rec));
        steps_.push_back({key, rec, Step::Kernel::Reapply});
        routes.erase(key);
        return;
    }
    srv6s_route r = *rec;
    std::copy(pins.begin(), pins.end(), r.pins);
    r.mtu = mtu_for(pins);
    if (r.cap)
        r.mtu = std::min(r.mtu, r.cap);
    if (r.mtu != rec->mtu) {
        const nl::RouteChange ch = netlink().set_route_mtu(dst, static_cast<int>(ifindex_), r.mtu);
        if (ch.added) {
            // The route we changed is gone (someone deleted it): this one is
            // ours now, and goes when the last pin does.
            r.flags |= SRV6S_ROUTE_ADDED;
            r.old_mtu = 0;
            r.table = ch.table;
            r.priority = ch.priority;
        }
        steps_.push_back({key, rec, ch.added ? Step::Kernel::Undo : Step::Kernel::RestoreMtu, r});
    } else {
        steps_.push_back({key, rec});
    }
    update(routes, key, r);
}

void RouteJournal::add(const Prefix& dst, uint32_t level, uint32_t n) {
    if (!enabled_ || n == 0)
        return;
    check_level(level);
    const auto rec = fds_[maps::routes].lookup(dst.key());
    Levels pins = rec ? levels_of(*rec) : Levels{};
    pins[level] += n;
    set(dst, pins);
}

void RouteJournal::remove(const Prefix& dst, uint32_t level, uint32_t n) {
    const auto rec = fds_[maps::routes].lookup(dst.key());
    if (!rec || n == 0)
        return;
    check_level(level);
    Levels pins = levels_of(*rec);
    pins[level] -= std::min(pins[level], n);
    set(dst, pins);
}

void RouteJournal::move(const Prefix& dst, uint32_t from, uint32_t to, uint32_t n) {
    if (!enabled_ || from == to || n == 0)
        return;
    check_level(from);
    check_level(to);
    const auto rec = fds_[maps::routes].lookup(dst.key());
    if (!rec) {  // not journaled (someone else's lower MTU sufficed): maybe now it is needed
        add(dst, to, n);
        return;
    }
    Levels pins = levels_of(*rec);
    pins[from] -= std::min(pins[from], n);
    pins[to] += n;
    set(dst, pins);
}

void RouteJournal::recount(const std::map<Prefix, Levels>& pins) {
    for (const auto& [key, rec] : fds_[maps::routes].entries()) {
        const Prefix dst = Prefix::from_key(key);
        const auto it = pins.find(dst);
        const Levels want = it == pins.end() ? Levels{} : it->second;
        if (want != levels_of(rec))
            set(dst, want);
    }
}

std::vector<OwnedRoute> RouteJournal::list(const MapFds& fds) {
    std::vector<OwnedRoute> out;
    for (const auto& [key, rec] : fds[maps::routes].entries()) {
        OwnedRoute r;
        r.dst = Prefix::from_key(key);
        r.mtu = rec.mtu;
        r.added = rec.flags & SRV6S_ROUTE_ADDED;
        r.old_mtu = rec.old_mtu;
        r.table = rec.table;
        r.priority = rec.priority;
        r.pins = total(levels_of(rec));
        out.push_back(r);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.dst < b.dst; });
    return out;
}

std::vector<std::string> RouteJournal::undo_all(const MapFds& fds) {
    std::vector<std::string> problems;
    nl::Netlink nl;
    auto routes = fds[maps::routes];
    for (const auto& [key, rec] : routes.entries()) {
        try {
            nl.undo_route_mtu(Prefix::from_key(key), change_of(rec));
            routes.erase(key);
        } catch (const Error& e) {
            problems.push_back(e.what());
        }
    }
    return problems;
}

}  // namespace srv6steer
