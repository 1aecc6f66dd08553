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
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "impl.hpp"
#include "remote/client.hpp"
#include "iterators.hpp"
#include "route_journal.hpp"
#include "text.hpp"

namespace srv6steer {

namespace {

constexpr int kSoCookie = 57;       // SO_COOKIE (Linux 4.12)
constexpr int kSoNetnsCookie = 71;  // SO_NETNS_COOKIE (Linux 5.14)

// What pinning a socket needs to know of it, asked of the kernel once.
struct SocketFacts {
    int fd = -1;
    uint64_t cookie = 0;
    int family = 0;              // AF_INET or AF_INET6
    uint32_t uid = 0;            // its owner (the socket inode's, which is sk_uid)
    Flow flow;                   // its current addresses (IPv4: mapped; unconnected: zeros)
    std::optional<Prefix> peer;  // connected: the peer, /128
};

// "tcp socket fd 7 (10.0.1.1 port 40000 to 10.0.2.20 port 5201)", for messages.
std::string describe(const SocketFacts& s) {
    const Flow& f = s.flow;
    std::string text = proto_name(f.proto) + " socket fd " + std::to_string(s.fd) + " (" +
                       text::address(f.src) + " port " + std::to_string(f.sport);
    if (s.peer)
        text += " to " + text::address(f.dst) + " port " + std::to_string(f.dport);
    else
        text += ", not connected";
    return text + ")";
}

const char* file_kind(mode_t mode) {
    switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a pipe";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFLNK: return "a symbolic link";
    default: return "not a socket";
    }
}

std::string family_name(int family) {
    switch (family) {
    case AF_UNIX: return "unix";
    case AF_NETLINK: return "netlink";
    case AF_PACKET: return "packet";
    case AF_VSOCK: return "vsock";
    default: return "address family " + std::to_string(family);
    }
}

std::string protocol_name(int proto) {
    switch (proto) {
    case IPPROTO_ICMP: return "icmp";
    case IPPROTO_ICMPV6: return "icmpv6";
    case IPPROTO_SCTP: return "sctp";
    case IPPROTO_UDPLITE: return "udplite";
    case 262: return "mptcp";  // IPPROTO_MPTCP: its subflows are other sockets
    default: return std::to_string(proto);
    }
}

int int_option(int fd, int level, int name) {
    int v = 0;
    socklen_t len = sizeof v;
    if (getsockopt(fd, level, name, &v, &len) != 0)
        throw_errno("fd " + std::to_string(fd) + ": reading socket option " + std::to_string(name), errno);
    return v;
}

// An address of a socket (getsockname / getpeername) as the data plane keys it.
void put_address(const sockaddr_storage& ss, Ipv6& addr, uint16_t& port) {
    if (ss.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
        addr = Ipv6::from_ipv4(ntohl(in.sin_addr.s_addr));
        port = ntohs(in.sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ss);
        std::memcpy(addr.bytes.data(), &in6.sin6_addr, 16);
        port = ntohs(in6.sin6_port);
    }
}

// The facts of fd, refusing anything but a TCP or UDP socket (IPv4 or IPv6).
// `of_netns`: the attachment's network namespace (0: not known); a socket of
// another one never sends through its interface, so pinning it is refused.
SocketFacts inspect(int fd, uint64_t of_netns) {
    const std::string name = "fd " + std::to_string(fd);
    struct stat st {};
    if (fd < 0 || fstat(fd, &st) != 0)
        throw Error(name + " is not an open file descriptor of this process", EBADF);
    if (!S_ISSOCK(st.st_mode))
        throw Error(name + " is not a socket (it is " + file_kind(st.st_mode) +
                        "): only TCP and UDP sockets can be pinned",
                    ENOTSOCK);
    SocketFacts s;
    s.fd = fd;
    s.uid = st.st_uid;
    s.family = int_option(fd, SOL_SOCKET, SO_DOMAIN);
    if (s.family != AF_INET && s.family != AF_INET6)
        throw Error(name + " is a " + family_name(s.family) +
                        " socket: only TCP and UDP sockets (IPv4 or IPv6) can be pinned",
                    EAFNOSUPPORT);
    const char* fam = s.family == AF_INET ? "IPv4" : "IPv6";
    const int type = int_option(fd, SOL_SOCKET, SO_TYPE);
    const int proto = int_option(fd, SOL_SOCKET, SO_PROTOCOL);
    if (type == SOCK_RAW)
        throw Error(name + " is a raw " + fam + " socket: only TCP and UDP sockets can be pinned", EPROTONOSUPPORT);
    if (!((type == SOCK_STREAM && proto == IPPROTO_TCP) || (type == SOCK_DGRAM && proto == IPPROTO_UDP)))
        throw Error(name + " is an " + fam + " socket of protocol " + protocol_name(proto) +
                        ": only TCP and UDP sockets can be pinned",
                    EPROTONOSUPPORT);
    s.flow.proto = static_cast<uint8_t>(proto);

    socklen_t len = sizeof s.cookie;
    if (getsockopt(fd, SOL_SOCKET, kSoCookie, &s.cookie, &len) != 0)
        throw_errno(name + ": reading its socket cookie", errno);
    uint64_t netns = 0;
    len = sizeof netns;
    if (of_netns && getsockopt(fd, SOL_SOCKET, kSoNetnsCookie, &netns, &len) == 0 && netns != of_netns)
        throw Error(name + " is a socket of another network namespace: its packets never leave through an "
                           "interface of this one, so a pin here would steer nothing",
                    EXDEV);

    // Unbound and unconnected addresses are zeros (IPv4: ::ffff:0.0.0.0).
    if (s.family == AF_INET)
        s.flow.src = s.flow.dst = Ipv6::from_ipv4(0);
    sockaddr_storage ss{};
    len = sizeof ss;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
        put_address(ss, s.flow.src, s.flow.sport);
    ss = {};
    len = sizeof ss;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
        put_address(ss, s.flow.dst, s.flow.dport);
        s.peer = Prefix{s.flow.dst, 128};
    }
    return s;
}

// Pins go only on sockets the kernel keeps in its lookup tables, the ones
// the listing walks (iterators.hpp): a TCP socket that is connected or
// listening, a UDP socket that is bound. Others would be invisible to it,
// and gc would forget their pins' records.
void check_pinnable(const SocketFacts& s) {
    if (s.flow.proto == IPPROTO_TCP) {
        if (!s.peer && !int_option(s.fd, SOL_SOCKET, SO_ACCEPTCONN))
            throw Error(describe(s) + " is neither connected nor listening: pin it once connect() (all of it: a "
                                      "connect in progress has no peer yet) or listen() succeeded",
                        ENOTCONN);
    } else if (s.flow.sport == 0) {
        throw Error(describe(s) + " is not bound: bind or connect it first", ENOTCONN);
    }
}

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

// Steps taken back in reverse order unless committed.
class Undo {
public:
    Undo() = default;
    Undo(const Undo&) = delete;
    Undo& operator=(const Undo&) = delete;
    ~Undo() {
        for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
            try {
                (*it)();
            } catch (...) {
                // Best effort: what cannot be put back is found by gc.
            }
        }
    }
    void push(std::function<void()> step) { steps_.push_back(std::move(step)); }
    void commit() { steps_.clear(); }

private:
    std::vector<std::function<void()>> steps_;
};

bool has_route(const std::optional<srv6s_sock_entry>& e) { return e && (e->flags & SRV6S_SOCK_ROUTE); }

// The route MTU changes of a batch, per destination: new pins by level,
// pins moving between levels, pins leaving (their socket now has another
// peer). One journal step per destination, not per socket.
struct RouteNeeds {
    struct Dst {
        Levels add{}, remove{};
        std::vector<std::pair<uint32_t, uint32_t>> moves;  // from, to
        std::string first;                                  // a socket that needs it, for messages
    };
    std::map<Prefix, Dst> dsts;

    // A pin moves from what `old` took to what `now` needs (level: the new
    // target's).
    void note(Steering::Impl& im, const std::optional<srv6s_sock_entry>& old, const srv6s_sock_entry& now,
              uint32_t level, const std::string& who) {
        const bool had = has_route(old), has = now.flags & SRV6S_SOCK_ROUTE;
        if (had && has && std::memcmp(&old->dst, &now.dst, sizeof now.dst) == 0) {
            at(now.dst, who).moves.emplace_back(im.slot_level(old->path_set), level);
            return;
        }
        if (had)
            at(old->dst, who).remove[im.slot_level(old->path_set)]++;
        if (has)
            at(now.dst, who).add[level]++;
    }

    // Adds first, so a destination that keeps pins never loses its route.
    void apply(RouteJournal& routes, const std::string& nothing) const {
        for (const auto& [dst, d] : dsts) {
            try {
                for (uint32_t l = 0; l < SRV6S_ENCAP_LEVELS; l++)
                    routes.add(dst, l, d.add[l]);
                for (const auto& [from, to] : d.moves)
                    routes.move(dst, from, to, 1);
                for (uint32_t l = 0; l < SRV6S_ENCAP_LEVELS; l++)
                    routes.remove(dst, l, d.remove[l]);
            } catch (const Error& err) {
                throw Error(d.first + ": " + err.what() + nothing, err.code());
            }
        }
    }

private:
    Dst& at(const srv6s_prefix_key& key, const std::string& who) {
        Dst& d = dsts[Prefix::from_key(key)];
        if (d.first.empty())
            d.first = who;
        return d;
    }
};

size_t pin_batch(Steering::Impl& im, std::span<const std::pair<int, Target>> items, const PinOptions& o) {
    auto guard = im.lock();
    const std::string nothing = items.size() > 1 ? "; nothing was pinned" : "";
    auto socks = im.fds[maps::socks];
    auto index = im.fds[maps::sock_index];

    // Everything checked before anything changes.
    struct Want {
        SocketFacts s;
        uint32_t slot;
        uint32_t level;
        std::optional<srv6s_pin> old;
        std::optional<srv6s_sock_entry> old_entry;
    };
    std::vector<Want> wants;
    std::map<uint32_t, uint32_t> level_of;  // slot -> route MTU level
    std::map<uint64_t, uint32_t> seen;      // cookie -> slot
    for (const auto& [fd, target] : items) {
        SocketFacts s = inspect(fd, im.ns.cookie);
        check_pinnable(s);
        const uint32_t slot = target.slot();
        auto lv = level_of.find(slot);
        if (lv == level_of.end())
            lv = level_of.emplace(slot, im.target_level(target)).first;  // throws when the target does not exist
        if (const auto it = seen.find(s.cookie); it != seen.end()) {
            if (it->second != slot)
                throw Error(describe(s) + " is listed twice (two fds of one socket?), with different targets" +
                            nothing);
            continue;
        }
        seen.emplace(s.cookie, slot);
        const auto old = socks.lookup(fd);
        if (old && old->path_set == slot)
            continue;
        if (old && !o.replace)
            throw already_pinned(describe(s), *old, nothing);
        // (A socket without a pin has no record: gc heals one left over.)
        auto old_entry = old ? index.lookup(s.cookie) : std::nullopt;
        wants.push_back({std::move(s), slot, lv->second, old, old_entry});
    }
    if (wants.empty())
        return 0;

    // Route MTUs towards the peers of connected sockets, as for flow pins.
    RouteJournal routes(im.fds);
    RouteNeeds needs;
    std::vector<srv6s_sock_entry> entries;
    for (const Want& w : wants) {
        srv6s_sock_entry e{};
        e.path_set = w.slot;
        if (w.s.peer && routes.enabled()) {
            e.dst = w.s.peer->key();
            e.flags = SRV6S_SOCK_ROUTE;
        }
        needs.note(im, w.old_entry, e, w.level, describe(w.s));
        entries.push_back(e);
    }
    needs.apply(routes, nothing);

    // Index, then storage, one socket at a time; any failure takes back
    // what was written (the journal then puts the routes back).
    Undo undo;
    im.clear_skip(SRV6S_CFG_NO_SOCKETS);
    undo.push([&im, index] { im.set_skip_if_empty(index.fd(), SRV6S_CFG_NO_SOCKETS); });
    const uint64_t created = now_ns();
    size_t fresh = 0;
    for (size_t i = 0; i < wants.size(); i++) {
        const Want& w = wants[i];
        try {
            index.update(w.s.cookie, entries[i]);
        } catch (const Error& err) {
            if (err.code() != E2BIG)
                throw;
            throw Error("srv6steer keeps track of at most " + std::to_string(SRV6S_MAX_SOCKETS) +
                            " socket pins per interface, and that many are there: unpin some (gc forgets "
                            "those of closed sockets)" + nothing,
                        E2BIG);
        }
        undo.push([index, cookie = w.s.cookie, old = w.old_entry]() mutable {
            if (old)
                index.update(cookie, *old);
            else
                index.erase(cookie);
        });
        try {
            socks.update(w.s.fd, new_pin(w.slot, o, created), w.old ? BPF_EXIST : BPF_NOEXIST);
        } catch (const Error& err) {
            throw Error(describe(w.s) + ": " + err.what() + nothing, err.code());
        }
        undo.push([socks, fd = w.s.fd, old = w.old]() mutable {
            if (old)
                socks.update(fd, *old);
            else
                socks.erase(fd);
        });
        if (!w.old)
            fresh++;
    }
    undo.commit();
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
    const std::function<void(uint32_t, const std::optional<Prefix>&)>& f) const {
    for (const auto& [cookie, e] : live_socket_pins())
        f(e.path_set, e.flags & SRV6S_SOCK_ROUTE ? std::optional<Prefix>(Prefix::from_key(e.dst)) : std::nullopt);
    for (const auto& [id, v] : fds[maps::cgroups].entries())
        f(v.path_set, std::nullopt);
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
        routes.remove(Prefix::from_key(entry->dst), impl_->slot_level(entry->path_set), 1);
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
    const SocketFacts s = inspect(fd, 0);
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
