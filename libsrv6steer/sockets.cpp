// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Socket pins. The pin is a struct srv6s_pin in the socket's own storage (map
// socks, keyed by the socket's fd), which the data plane reads before any
// other pin and which the kernel frees with the socket: no stale pin, no gc.
//
// The index (map sock_index, by socket cookie) remembers every socket pin
// with the route MTU it took towards a connected socket's peer (as a flow pin
// to that peer would), so that unpin gives the route back, and gc gives back
// what closed sockets left (their cookies are no longer in the listing,
// iterators.hpp). The index also decides the skip bit: NO_SOCKETS is set
// only while it is empty, and a pin is indexed before it is written, so a
// record a closed socket left costs a lookup until gc, never hides a pin.
//
// A batch (a job's thousand connections) costs per socket what cannot be
// shared: reading it (socket_facts.hpp: six calls), looking up its pin, and
// writing its pin (socket storage has no batch call). Its index records are
// one BPF_MAP_UPDATE_BATCH, its route MTUs one journal step per destination.
#include <cerrno>
#include <cstring>
#include <set>

#include "impl.hpp"
#include "remote/client.hpp"
#include "iterators.hpp"
#include "route_journal.hpp"
#include "socket_facts.hpp"

namespace srv6steer {

using socket_facts::check_pinnable;
using socket_facts::describe;
using socket_facts::inspect;
using socket_facts::inspect_fully;
using socket_facts::SocketFacts;

namespace {

PinnedSocket listed(uint64_t cookie, int family, uint32_t uid, const Flow& flow, const srv6s_pin& v) {
    PinnedSocket p;
    p.cookie = cookie;
    p.family = family;
    p.uid = uid;
    p.flow = flow;
    p.target = Target::from_slot(v.path_set);
    p.info = PinInfo::from_value(v);
    return p;
}

bool has_route(const std::optional<srv6s_sock_entry>& e) { return e && (e->flags & SRV6S_SOCK_ROUTE); }

// Route MTU levels of set slots, each read once per batch (a level costs a
// few map lookups).
class SlotLevels {
public:
    explicit SlotLevels(const Steering::Impl& im) : im_(im) {}
    uint32_t operator()(uint32_t slot) {
        auto it = levels_.find(slot);
        if (it == levels_.end())
            it = levels_.emplace(slot, im_.slot_level(slot)).first;
        return it->second;
    }

private:
    const Steering::Impl& im_;
    std::map<uint32_t, uint32_t> levels_;
};

// The route MTU changes of a batch, per destination: new pins by level,
// pins moving between levels, pins leaving (their socket now has another
// peer). One journal step per destination, not per socket.
struct RouteNeeds {
    struct Dst {
        Levels add{}, remove{};
        std::vector<std::pair<uint32_t, uint32_t>> moves;  // from, to
        size_t first = 0;                                   // a socket that needs it (its place), for messages
    };
    std::map<Prefix, Dst> dsts;

    // Socket `who` moves from what `old` took to what `now` needs (level:
    // the new target's).
    void note(SlotLevels& levels, const std::optional<srv6s_sock_entry>& old, const srv6s_sock_entry& now,
              uint32_t level, size_t who) {
        const bool had = has_route(old), has = now.flags & SRV6S_SOCK_ROUTE;
        if (had && has && std::memcmp(&old->dst, &now.dst, sizeof now.dst) == 0) {
            at(now.dst, who).moves.emplace_back(levels(old->path_set & SRV6S_PIN_SET_MASK), level);
            return;
        }
        if (had)
            at(old->dst, who).remove[levels(old->path_set & SRV6S_PIN_SET_MASK)]++;
        if (has)
            at(now.dst, who).add[level]++;
    }

    // Adds first, so a destination that keeps pins never loses its route.
    // A failure names the first socket that needed the destination.
    template <class Describe>
    void apply(RouteJournal& routes, const std::string& nothing, Describe&& describe_socket) const {
        for (const auto& [dst, d] : dsts) {
            try {
                for (uint32_t l = 0; l < SRV6S_ENCAP_LEVELS; l++)
                    routes.add(dst, l, d.add[l]);
                for (const auto& [from, to] : d.moves)
                    routes.move(dst, from, to, 1);
                for (uint32_t l = 0; l < SRV6S_ENCAP_LEVELS; l++)
                    routes.remove(dst, l, d.remove[l]);
            } catch (const Error& err) {
                throw Error(describe_socket(d.first) + ": " + err.what() + nothing, err.code());
            }
        }
    }

private:
    Dst& at(const srv6s_prefix_key& key, size_t who) {
        auto [it, fresh] = dsts.try_emplace(Prefix::from_key(key));
        if (fresh)
            it->second.first = who;
        return it->second;
    }
};

// What a batch writes for one socket, and what it had.
struct Want {
    SocketFacts s;
    uint32_t slot = 0;
    uint32_t level = 0;
    std::optional<srv6s_pin> old;
    std::optional<srv6s_sock_entry> old_entry;
    srv6s_sock_entry entry{};
};

// The index records of a batch, written in one call (BPF_MAP_UPDATE_BATCH:
// a job's thousand sockets are one syscall, not a thousand) and put back as
// they were unless committed: erased where there was none, the old record
// where there was one.
class IndexWrite {
public:
    IndexWrite(Map<uint64_t, srv6s_sock_entry> index, const std::vector<Want>& wants)
        : index_(index), wants_(wants) {}
    IndexWrite(const IndexWrite&) = delete;
    IndexWrite& operator=(const IndexWrite&) = delete;
    ~IndexWrite() {
        if (written_ == 0)
            return;
        std::vector<uint64_t> fresh, back;
        std::vector<srv6s_sock_entry> values;
        for (size_t i = 0; i < written_; i++) {
            const Want& w = wants_[i];
            if (w.old_entry) {
                back.push_back(w.s.cookie);
                values.push_back(*w.old_entry);
            } else {
                fresh.push_back(w.s.cookie);
            }
        }
        // Best effort: what cannot be put back is found by gc.
        uint32_t n = static_cast<uint32_t>(fresh.size());
        if (n && bpf_map_delete_batch(index_.fd(), fresh.data(), &n, nullptr) != 0)
            for (const uint64_t c : fresh)
                bpf_map_delete_elem(index_.fd(), &c);
        n = static_cast<uint32_t>(back.size());
        if (n)
            bpf_map_update_batch(index_.fd(), back.data(), values.data(), &n, nullptr);
    }

    // Writes every record; on failure the ones written are put back by the
    // destructor, and the error is the map's (E2BIG: full).
    void write(const std::string& nothing) {
        std::vector<uint64_t> keys;
        std::vector<srv6s_sock_entry> values;
        keys.reserve(wants_.size());
        values.reserve(wants_.size());
        for (const Want& w : wants_) {
            keys.push_back(w.s.cookie);
            values.push_back(w.entry);
        }
        uint32_t n = static_cast<uint32_t>(keys.size());
        const int rc = bpf_map_update_batch(index_.fd(), keys.data(), values.data(), &n, nullptr);
        const int err = rc ? errno : 0;
        written_ = std::min<size_t>(n, keys.size());
        if (err == EINVAL || err == ENOTSUP || err == EOPNOTSUPP) {  // no batches: one at a time
            for (written_ = 0; written_ < keys.size(); written_++)
                if (bpf_map_update_elem(index_.fd(), &keys[written_], &values[written_], BPF_ANY) != 0)
                    return fail(errno, nothing);
            return;
        }
        if (err)
            fail(err, nothing);
    }
    void commit() { written_ = 0; }

private:
    [[noreturn]] void fail(int err, const std::string& nothing) {
        if (err != E2BIG)
            throw_map_error(index_.name(), "update", err);
        throw Error("srv6steer keeps track of at most " + std::to_string(SRV6S_MAX_SOCKETS) +
                        " socket pins per interface, and that many are there: unpin some (gc forgets "
                        "those of closed sockets)" + nothing,
                    E2BIG);
    }

    Map<uint64_t, srv6s_sock_entry> index_;
    const std::vector<Want>& wants_;
    size_t written_ = 0;
};

// The pins of a batch, one socket at a time (socket storage has no batch
// call), taken back as they were unless committed.
class StorageWrite {
public:
    StorageWrite(Map<int, srv6s_pin> socks, const std::vector<Want>& wants) : socks_(socks), wants_(wants) {}
    StorageWrite(const StorageWrite&) = delete;
    StorageWrite& operator=(const StorageWrite&) = delete;
    ~StorageWrite() {
        for (size_t i = written_; i-- > 0;) {
            const Want& w = wants_[i];
            try {
                if (w.old)
                    socks_.update(w.s.fd, *w.old);
                else
                    socks_.erase(w.s.fd);
            } catch (...) {
                // Best effort: the socket's pin goes with it, its record with gc.
            }
        }
    }

    // Writes every pin; returns how many sockets had none.
    size_t write(const PinOptions& o, const std::string& nothing) {
        const uint64_t created = now_ns();
        size_t fresh = 0;
        for (; written_ < wants_.size(); written_++) {
            const Want& w = wants_[written_];
            try {
                socks_.update(w.s.fd, new_pin(w.slot, o, created), w.old ? BPF_EXIST : BPF_NOEXIST);
            } catch (const Error& err) {
                throw Error(describe(w.s) + ": " + err.what() + nothing, err.code());
            }
            fresh += !w.old;
        }
        return fresh;
    }
    void commit() { written_ = 0; }

private:
    Map<int, srv6s_pin> socks_;
    const std::vector<Want>& wants_;
    size_t written_ = 0;
};

size_t pin_batch(Steering::Impl& im, std::span<const std::pair<int, Target>> items, const PinOptions& o) {
    auto guard = im.lock();
    const std::string nothing = items.size() > 1 ? "; nothing was pinned" : "";
    auto socks = im.fds[maps::socks];
    auto index = im.fds[maps::sock_index];

    // Everything checked before anything changes.
    std::vector<Want> wants;
    wants.reserve(items.size());
    std::map<uint32_t, uint32_t> level_of;  // slot -> route MTU level
    std::unordered_map<uint64_t, uint32_t> seen;  // cookie -> slot
    seen.reserve(items.size());
    for (const auto& [fd, target] : items) {
        SocketFacts s = inspect(fd, im.ns.cookie);
        check_pinnable(s);
        const uint32_t slot = target.slot();
        auto lv = level_of.find(slot);
        if (lv == level_of.end())
            lv = level_of.emplace(slot, im.target_level(target)).first;  // throws when the target does not exist
        if (const auto [it, fresh] = seen.emplace(s.cookie, slot); !fresh) {
            if (it->second != slot)
                throw Error(describe(s) + " is listed twice (two fds of one socket?), with different targets" +
                            nothing);
            continue;
        }
        const auto old = socks.lookup(fd);
        if (old && old->path_set == pin_word(slot, o))
            continue;
        if (old && !o.replace)
            throw already_pinned(describe(s), *old, nothing);
        // (A socket without a pin has no record: gc heals one left over.)
        auto old_entry = old ? index.lookup(s.cookie) : std::nullopt;
        wants.push_back({std::move(s), slot, lv->second, old, old_entry, {}});
    }
    if (wants.empty())
        return 0;

    // Route MTUs towards the peers of connected sockets, as for flow pins.
    RouteJournal routes(im.fds);
    RouteNeeds needs;
    SlotLevels levels(im);
    for (size_t i = 0; i < wants.size(); i++) {
        Want& w = wants[i];
        w.entry.path_set = pin_word(w.slot, o);  // with the pin's flags: a probe's pin holds no path (slot_in_use)
        if (w.s.peer && routes.enabled()) {
            w.entry.dst = w.s.peer->key();
            w.entry.flags = SRV6S_SOCK_ROUTE;
        }
        needs.note(levels, w.old_entry, w.entry, w.level, i);
    }
    needs.apply(routes, nothing, [&](size_t i) { return describe(wants[i].s); });

    // The index, then the sockets' storage: a pin is indexed before it is
    // written. Any failure takes back what was written (the journal then
    // puts the routes back), and the skip bit with it.
    struct Skip {
        Steering::Impl& im;
        int index_fd;
        bool done = false;
        ~Skip() {
            if (!done) {
                try {
                    im.set_skip_if_empty(index_fd, SRV6S_CFG_NO_SOCKETS);
                } catch (...) {
                }
            }
        }
    } skip{im, index.fd()};
    im.clear_skip(SRV6S_CFG_NO_SOCKETS);
    IndexWrite indexed(index, wants);
    indexed.write(nothing);
    StorageWrite stored(socks, wants);
    const size_t fresh = stored.write(o, nothing);
    stored.commit();
    indexed.commit();
    skip.done = true;
    routes.commit();
    return fresh;
}

}  // namespace

// ---- Impl: what gc, paths and status ask of socket pins -----------------------------

std::map<uint64_t, srv6s_sock_entry> Steering::Impl::live_socket_pins() const {
    std::map<uint64_t, srv6s_sock_entry> out;
    const auto entries = fds[maps::sock_index].entries();
    if (entries.empty())
        return out;  // no pin: no need to walk the sockets
    std::set<uint64_t> live;
    for (const auto& r : listing().sockets())
        live.insert(r.cookie);
    for (const auto& [cookie, e] : entries)
        if (live.count(cookie))
            out.emplace(cookie, e);
    return out;
}

size_t Steering::Impl::forget_closed_sockets() {
    auto index = fds[maps::sock_index];
    const auto live = live_socket_pins();
    size_t n = 0;
    for (const uint64_t cookie : index.keys())
        if (!live.count(cookie) && index.erase(cookie))
            n++;
    set_skip_if_empty(index.fd(), SRV6S_CFG_NO_SOCKETS);
    return n;
}

void Steering::Impl::for_each_socket_or_cgroup_pin(
    const std::function<void(uint32_t, const std::optional<Prefix>&)>& f, bool probes) const {
    for (const auto& [cookie, e] : live_socket_pins())
        if (probes || !(e.path_set & SRV6S_PIN_IGNORE_DOWN))
            f(e.path_set & SRV6S_PIN_SET_MASK, e.flags & SRV6S_SOCK_ROUTE ? std::optional<Prefix>(Prefix::from_key(e.dst)) : std::nullopt);
    for (const auto& [id, v] : fds[maps::cgroups].entries())
        f(pin_slot(v), std::nullopt);
}

// ---- the API ------------------------------------------------------------------------

void Steering::pin_socket(int fd, Target target, const PinOptions& opts) {
    if (auto* r = impl_->remote.get())
        return r->pin_socket(fd, target, opts);
    const std::pair<int, Target> one{fd, target};
    pin_batch(*impl_, std::span(&one, 1), opts);
}

size_t Steering::pin_sockets(std::span<const std::pair<int, Target>> sockets, const PinOptions& opts) {
    if (auto* r = impl_->remote.get())
        return r->pin_sockets(sockets, opts);
    return pin_batch(*impl_, sockets, opts);
}

bool Steering::unpin_socket(int fd) {
    if (auto* r = impl_->remote.get())
        return r->unpin_socket(fd);
    auto guard = impl_->lock();
    const SocketFacts s = inspect(fd, 0);
    auto socks = impl_->fds[maps::socks];
    auto index = impl_->fds[maps::sock_index];
    const auto old = socks.lookup(fd);
    const auto entry = index.lookup(s.cookie);
    if (!old && !entry)
        return false;
    RouteJournal routes(impl_->fds);
    if (has_route(entry))  // first: a failure leaves the pin
        routes.remove(Prefix::from_key(entry->dst), impl_->slot_level(entry->path_set & SRV6S_PIN_SET_MASK), 1);
    if (old)
        socks.erase(fd);
    if (entry)
        index.erase(s.cookie);
    impl_->set_skip_if_empty(index.fd(), SRV6S_CFG_NO_SOCKETS);
    routes.commit();
    return old.has_value();
}

std::optional<PinnedSocket> Steering::socket_pin(int fd) const {
    if (auto* r = impl_->remote.get())
        return r->socket_pin(fd);
    auto guard = impl_->lock();
    const SocketFacts s = inspect_fully(fd, 0);  // with its uid
    const auto v = impl_->fds[maps::socks].lookup(fd);
    if (!v)
        return std::nullopt;
    return listed(s.cookie, s.family, s.uid, s.flow, *v);
}

std::vector<PinnedSocket> Steering::sockets() const {
    if (auto* r = impl_->remote.get())
        return r->sockets();
    auto guard = impl_->lock();
    std::vector<PinnedSocket> out;
    if (impl_->fds[maps::sock_index].empty())
        return out;  // every pin is indexed: none
    for (const auto& r : impl_->listing().sockets())
        out.push_back(listed(r.cookie, r.family, r.uid, Flow::from_key(r.flow), r.pin));
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.cookie < b.cookie; });
    return out;
}

}  // namespace srv6steer
