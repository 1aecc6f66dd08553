// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Pins: flows (5-tuple), RoCEv2 queue pairs and prefixes, each a key in its
// map pointing at a path-set slot. One generic implementation serves the
// three maps; every pin takes the route MTU its destination needs
// (route_journal.hpp) in the same transaction.
#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <type_traits>

#include "impl.hpp"
#include "remote/client.hpp"
#include "route_journal.hpp"

namespace srv6steer {

namespace {

Prefix host_prefix(const Ipv6& a) { return Prefix{a, 128}; }

// A kernel pin map (queue pairs, prefixes) as pins.cpp asks of a pin store;
// the flow table (flow_table.hpp) answers the same.
template <class K>
class MapStore {
public:
    explicit MapStore(Map<K, srv6s_pin> m) : map_(std::move(m)) {}
    // The pin stored under exactly this key. (A lookup in the LPM trie of
    // prefixes returns the longest match, which may be a shorter prefix.)
    std::optional<srv6s_pin> find(const K& key) const {
        if constexpr (std::is_same_v<K, srv6s_prefix_key>) {
            for (const auto& [k, v] : map_.entries())
                if (std::memcmp(&k, &key, sizeof k) == 0)
                    return v;
            return std::nullopt;
        } else {
            return map_.lookup(key);
        }
    }
    void put(const K& key, const srv6s_pin& v) { map_.update(key, v); }
    bool erase(const K& key) { return map_.erase(key); }
    auto entries() const { return map_.entries(); }
    bool empty() const { return map_.empty(); }
    size_t size() const { return map_.keys().size(); }

private:
    Map<K, srv6s_pin> map_;
};

// What the three kinds of pin differ in.
template <class T>
struct Kind;
template <>
struct Kind<Flow> {
    static constexpr uint32_t skip = SRV6S_CFG_NO_FLOWS;
    static constexpr const char* what = "flow";
    static constexpr const char* map = "flows";
    static FlowTable& store(const Steering::Impl& im) { return im.flows(); }
    static Prefix dst(const Flow& f) { return host_prefix(f.dst); }
};
template <>
struct Kind<Qp> {
    static constexpr uint32_t skip = SRV6S_CFG_NO_QPS;
    static constexpr const char* what = "queue pair";
    static constexpr const char* map = "qps";
    static MapStore<srv6s_qp_key> store(const Steering::Impl& im) { return MapStore(im.fds[maps::qps]); }
    static Prefix dst(const Qp& q) { return host_prefix(q.dst); }
};
template <>
struct Kind<Prefix> {
    static constexpr uint32_t skip = SRV6S_CFG_NO_PREFIXES;
    static constexpr const char* what = "prefix";
    static constexpr const char* map = "prefixes";
    static MapStore<srv6s_prefix_key> store(const Steering::Impl& im) { return MapStore(im.fds[maps::prefixes]); }
    static Prefix dst(const Prefix& p) { return p; }
};

// Calls f(key, pin, destination) for every pin of the three maps.
template <class F>
void for_each_pin(const Steering::Impl& im, F&& f) {
    for (const auto& [k, v] : im.flows().entries())
        f(v, host_prefix(Flow::from_key(k).dst));
    for (const auto& [k, v] : im.fds[maps::qps].entries())
        f(v, host_prefix(Qp::from_key(k).dst));
    for (const auto& [k, v] : im.fds[maps::prefixes].entries())
        f(v, Prefix::from_key(k));
}

template <class T>
void pin_one(Steering::Impl& im, const T& item, Target target, const PinOptions& opts) {
    using K = Kind<T>;
    auto guard = im.lock();
    auto&& store = K::store(im);
    const uint32_t level = im.target_level(target);  // throws when the target does not exist
    const auto key = item.key();
    const auto old = store.find(key);
    const std::string what = std::string(K::what) + " " + item.str();
    if (old) {
        if (old->path_set == pin_word(target.slot(), opts))
            return;
        if (!opts.replace)
            throw already_pinned(what, *old);
    }
    RouteJournal routes(im.fds);
    if (old)
        routes.move(K::dst(item), im.slot_level(pin_slot(*old)), level, 1);
    else
        routes.add(K::dst(item), level, 1);
    im.clear_skip(K::skip);
    try {
        store.put(key, new_pin(target.slot(), opts, now_ns()));
    } catch (const Error& e) {
        im.set_skip_if(store.empty(), K::skip);
        if (e.code() == E2BIG)
            throw pin_map_full(K::map, im.ifname, store.size(), 1);
        throw;
    }
    routes.commit();
}

template <class T>
bool unpin_one(Steering::Impl& im, const T& item) {
    using K = Kind<T>;
    auto guard = im.lock();
    auto&& store = K::store(im);
    const auto old = store.find(item.key());
    if (!old)
        return false;
    RouteJournal routes(im.fds);
    routes.remove(K::dst(item), im.slot_level(pin_slot(*old)), 1);  // first: a failure leaves the pin
    store.erase(item.key());
    im.set_skip_if(store.empty(), K::skip);
    routes.commit();
    return true;
}

template <class T>
std::vector<Pinned<T>> list_pins(Steering::Impl& im) {
    auto guard = im.lock();
    std::vector<Pinned<T>> out;
    for (const auto& [k, v] : Kind<T>::store(im).entries())
        out.push_back({T::from_key(k), Target::from_slot(v.path_set), PinInfo::from_value(v)});
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    return out;
}

}  // namespace

// ---- Impl: what paths and gc ask of pins ---------------------------------------

std::map<Prefix, uint32_t> Steering::Impl::destinations_of(uint32_t slot) const {
    std::map<Prefix, uint32_t> out;
    for_each_pin(*this, [&](const srv6s_pin& v, const Prefix& dst) {
        if (pin_slot(v) == slot)
            out[dst]++;
    });
    // Socket pins hold a route MTU towards their peer too (cgroup pins none).
    for_each_socket_or_cgroup_pin([&](uint32_t s, const std::optional<Prefix>& dst) {
        if (s == slot && dst)
            out[*dst]++;
    });
    return out;
}

std::map<Prefix, Levels> Steering::Impl::pinned_destinations() const {
    std::map<uint32_t, uint32_t> level;  // slot -> level, looked up once per slot
    std::map<Prefix, Levels> out;
    for_each_pin(*this, [&](const srv6s_pin& v, const Prefix& dst) {
        auto it = level.find(pin_slot(v));
        if (it == level.end())
            it = level.emplace(pin_slot(v), slot_level(pin_slot(v))).first;
        out[dst][it->second]++;
    });
    return out;
}

bool Steering::Impl::slot_in_use(uint32_t slot) const {
    bool used = false;
    for_each_pin(*this, [&](const srv6s_pin& v, const Prefix&) { used |= pin_slot(v) == slot; });
    if (!used)
        for_each_socket_or_cgroup_pin([&](uint32_t s, const std::optional<Prefix>&) { used |= s == slot; },
                                      false);  // a probe's pin does not keep its path
    return used;
}

// ---- the API ---------------------------------------------------------------------

void Steering::pin(const Flow& f, Target t, const PinOptions& o) {
    if (auto* r = impl_->remote.get())
        return r->pin(f, t, o);
    f.check();
    pin_one(*impl_, f, t, o);
}

void Steering::pin(const Qp& q, Target t, const PinOptions& o) {
    if (auto* r = impl_->remote.get())
        return r->pin(q, t, o);
    if (q.qp > SRV6S_QP_MASK)
        throw Error("queue pair " + std::to_string(q.qp) + " does not fit 24 bits");
    pin_one(*impl_, q, t, o);
}

void Steering::pin(const Prefix& p, Target t, const PinOptions& o) {
    if (auto* r = impl_->remote.get())
        return r->pin(p, t, o);
    if (p.len > 128)
        throw Error("prefix length " + std::to_string(p.len) + " is longer than 128");
    pin_one(*impl_, p, t, o);
}

bool Steering::unpin(const Flow& f) {
    if (auto* r = impl_->remote.get())
        return r->unpin(f);
    return unpin_one(*impl_, f);
}
bool Steering::unpin(const Qp& q) {
    if (auto* r = impl_->remote.get())
        return r->unpin(q);
    return unpin_one(*impl_, q);
}
bool Steering::unpin(const Prefix& p) {
    if (auto* r = impl_->remote.get())
        return r->unpin(p);
    return unpin_one(*impl_, p);
}

std::vector<Pinned<Flow>> Steering::flows() const {
    if (auto* r = impl_->remote.get())
        return r->flows();
    return list_pins<Flow>(*impl_);
}
std::vector<Pinned<Qp>> Steering::qps() const {
    if (auto* r = impl_->remote.get())
        return r->qps();
    return list_pins<Qp>(*impl_);
}
std::vector<Pinned<Prefix>> Steering::prefixes() const {
    if (auto* r = impl_->remote.get())
        return r->prefixes();
    return list_pins<Prefix>(*impl_);
}

size_t Steering::pin_flows(std::span<const std::pair<Flow, Target>> flows, const PinOptions& o) {
    if (auto* r = impl_->remote.get())
        return r->pin_flows(flows, o);
    auto guard = impl_->lock();

    // Validate everything first: flows, targets, duplicates.
    std::map<uint32_t, uint32_t> level_of;  // slot -> route MTU level
    std::vector<std::pair<srv6s_flow_key, uint32_t>> wanted;
    wanted.reserve(flows.size());
    for (const auto& [flow, target] : flows) {
        flow.check();
        if (!level_of.count(target.slot()))
            level_of[target.slot()] = impl_->target_level(target);  // throws when the target does not exist
        wanted.emplace_back(flow.key(), target.slot());
    }
    auto key_cmp = [](const srv6s_flow_key& a, const srv6s_flow_key& b) { return std::memcmp(&a, &b, sizeof a); };
    std::sort(wanted.begin(), wanted.end(), [&](const auto& a, const auto& b) { return key_cmp(a.first, b.first) < 0; });
    size_t kept = 0;
    for (size_t i = 0; i < wanted.size(); i++) {
        if (kept && key_cmp(wanted[kept - 1].first, wanted[i].first) == 0) {
            if (wanted[kept - 1].second != wanted[i].second)
                throw Error("flow " + Flow::from_key(wanted[i].first).str() +
                            " is listed twice, with different targets; nothing was pinned");
            continue;
        }
        wanted[kept++] = wanted[i];
    }
    wanted.resize(kept);

    // What is pinned already: the same target is skipped, another one is a
    // conflict unless replacing.
    FlowTable& table = impl_->flows();
    std::vector<std::optional<srv6s_pin>> before;  // of each entry of `writes`
    std::vector<std::pair<srv6s_flow_key, srv6s_pin>> writes;
    writes.reserve(wanted.size());
    const uint64_t created = now_ns();
    size_t fresh = 0;
    for (const auto& [key, slot] : wanted) {
        auto old = table.find(key);
        if (old) {
            if (old->path_set == pin_word(slot, o))
                continue;
            if (!o.replace)
                throw already_pinned("flow " + Flow::from_key(key).str(), *old, "; nothing was pinned");
        } else {
            fresh++;
        }
        writes.emplace_back(key, new_pin(slot, o, created));
        before.push_back(old);
    }
    if (writes.empty())
        return 0;
    if (table.size() + fresh > table.max_pins())
        throw pin_map_full("flows", impl_->ifname, table.size(), fresh);

    // Route MTUs for every destination; the journal undoes them if anything
    // below fails.
    // Per destination: new pins by level, replaced ones moving between levels.
    struct Need {
        Levels fresh{};
        std::vector<std::pair<uint32_t, uint32_t>> moves;  // from, to
    };
    std::map<Prefix, Need> dsts;
    for (size_t i = 0; i < writes.size(); i++) {
        Need& n = dsts[host_prefix(Flow::from_key(writes[i].first).dst)];
        const uint32_t to = level_of[pin_slot(writes[i].second)];
        if (before[i])
            n.moves.emplace_back(impl_->slot_level(pin_slot(*before[i])), to);
        else
            n.fresh[to]++;
    }
    RouteJournal routes(impl_->fds);
    for (const auto& [dst, need] : dsts) {
        for (uint32_t l = 0; l < SRV6S_ENCAP_LEVELS; l++)
            routes.add(dst, l, need.fresh[l]);
        for (const auto& [from, to] : need.moves)
            routes.move(dst, from, to, 1);
    }
    impl_->clear_skip(SRV6S_CFG_NO_FLOWS);

    // Straight into the table's mapping: no syscall per pin.
    size_t done = 0;
    try {
        for (; done < writes.size(); done++)
            table.put(writes[done].first, writes[done].second);
    } catch (const Error& e) {
        // Take back what was written: new pins go, replaced ones return.
        for (size_t i = 0; i < done; i++) {
            if (before[i])
                table.put(writes[i].first, *before[i]);
            else
                table.erase(writes[i].first);
        }
        impl_->set_skip_if(table.empty(), SRV6S_CFG_NO_FLOWS);
        if (e.code() == E2BIG)
            throw pin_map_full("flows", impl_->ifname, table.size(), fresh);
        throw;
    }
    routes.commit();
    return fresh;
}

}  // namespace srv6steer
