// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Socket pins through the agent (agent_clients.hpp): the client passes its
// sockets' fds; the agent pins them with the client as owner and closes its
// copies when the request is done (remote::Message owns them), so a pin ends
// with the client's socket. Quotas are counted from the pins in the data
// plane, each charged to the uid of its owner process: at every round, and
// whenever a request would not fit the count kept in between (which only
// ever counts too many: sockets close without telling the agent).
//
// A request without `replace` that fits goes straight to the library; the
// careful path (each socket's pin looked up first: its owner, whether it is
// new) runs for `replace`, near the quota, and to say in the client's names
// why a socket pinned elsewhere was refused. Per socket the agent makes only
// the library's calls (a job pins a thousand sockets in one request, and
// every system call costs about a microsecond): the client's names for its
// pins are kept per global target while it has one name for each
// (Session::first_names), per socket cookie only once it has two.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "agent_clients.hpp"
#include "proc.hpp"

namespace srv6steer::cli {

namespace {

// The library names the agent's own fd numbers ("fd 12"); the client knows
// its fds by their place in the request: "fd #3 of the request".
std::string fd_name(size_t i) { return "fd #" + std::to_string(i) + " of the request"; }

Error renamed(const Error& e, const std::vector<UniqueFd>& fds) {
    std::string m = e.what();
    for (size_t i = 0; i < fds.size(); i++) {
        const std::string mine = "fd " + std::to_string(fds[i].get());
        for (size_t at = m.find(mine); at != std::string::npos; at = m.find(mine, at)) {
            const size_t end = at + mine.size();
            if (end < m.size() && std::isdigit(static_cast<unsigned char>(m[end]))) {
                at = end;
                continue;
            }
            m.replace(at, mine.size(), fd_name(i));
            at += fd_name(i).size();
        }
    }
    return Error(m, e.code());
}

// Runs f; the library's errors name the client's fds.
template <class F>
auto naming(const std::vector<UniqueFd>& fds, F&& f) {
    try {
        return f();
    } catch (const Error& e) {
        throw renamed(e, fds);
    }
}

uint64_t cookie_of(int fd) {
    uint64_t c = 0;
    socklen_t len = sizeof c;
    getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len);
    return c;
}

// The effective uid of a running process; nullopt when it is gone.
std::optional<uint32_t> uid_of(uint32_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("Uid:", 0) == 0) {
            std::istringstream f(line.substr(4));
            uint32_t real = 0, effective = 0;
            if (f >> real >> effective)
                return effective;
        }
    return std::nullopt;
}

// The uid a pin counts for: its owner's, while the owner runs (a pid that
// now belongs to a process started after the pin does not count, as gc
// decides); else the socket's own (the uid that created it), so that a pin
// whose owner exited while the socket lives on (inherited, passed on) still
// counts for someone.
uint32_t owner_uid(const PinnedSocket& p, std::map<uint32_t, std::optional<uint32_t>>& cache) {
    const uint32_t pid = p.info.owner.pid;
    if (pid == 0)
        return p.uid;
    auto it = cache.find(pid);
    if (it == cache.end()) {
        std::optional<uint32_t> uid = uid_of(pid);
        const auto start = proc::start_ns(pid);
        const auto created = uint64_t(
            std::chrono::duration_cast<std::chrono::nanoseconds>(p.info.created.time_since_epoch()).count());
        if (!start || *start > created + 1000000000ull)
            uid.reset();
        it = cache.emplace(pid, uid).first;
    }
    return it->second.value_or(p.uid);
}

// The names of sockets that are not pinned any more (closed) are forgotten.
void forget_closed(Session& se, const std::vector<PinnedSocket>& pinned) {
    std::set<uint64_t> live;
    for (const auto& p : pinned)
        live.insert(p.cookie);
    std::erase_if(se.names, [&](const auto& kv) { return !live.count(kv.first); });
}

}  // namespace

Target Clients::global(const Session& se, Target t) const {
    const auto& names = t.kind == Target::Kind::Path ? se.paths : se.sets;
    auto it = names.find(t.id);
    if (it == names.end())
        throw Error(t.str() + " does not exist on " + o_.ifname + ": " +
                        (t.kind == Target::Kind::Path ? "add the path first" : "define the set first"),
                    ENOENT);
    return {t.kind, it->second};
}

Target Clients::local(const Session& se, const PinnedSocket& p) const {
    auto names_it = [&](Target name) {  // still a name of the pin's target
        const auto& names = name.kind == Target::Kind::Path ? se.paths : se.sets;
        auto n = names.find(name.id);
        return n != names.end() && Target{name.kind, n->second} == p.target;
    };
    if (auto it = se.names.find(p.cookie); it != se.names.end() && names_it(it->second))
        return it->second;
    if (auto it = se.first_names.find(p.target.slot()); it != se.first_names.end() && names_it(it->second))
        return it->second;
    for (const auto& [id, g] : p.target.kind == Target::Kind::Path ? se.paths : se.sets)
        if (g == p.target.id)
            return {p.target.kind, id};
    return p.target;  // no name of this client's: the agent's id
}

size_t Clients::own_pins(const Session& se, Steering& s, Target g) const {
    size_t n = 0;
    for (const auto& p : s.sockets())
        n += p.info.owner.pid == se.pid && p.target == g;
    return n;
}

void Clients::recount(Steering& s) {
    std::map<uint32_t, std::optional<uint32_t>> cache;
    pinned_.clear();
    for (const auto& p : s.sockets())
        if (const uint32_t uid = owner_uid(p, cache); uid != 0)
            pinned_[uid]++;
}

Clients::Done Clients::pin_sockets(Session& se, Steering& s, const remote::PinSocketsRequest& r,
                                   const remote::Message& m) {
    const size_t n = m.fds.size();
    if (n == 0)
        return {remote::encode(remote::CountReply{0}), "(0 sockets)"};
    return naming(m.fds, [&]() -> Done {
        std::vector<std::pair<int, Target>> pins;
        for (size_t i = 0; i < n; i++)
            pins.emplace_back(m.fds[i].get(), global(se, r.targets[i]));
        const PinOptions opts{se.owner(), r.replace};
        // Fast: nothing to replace, and room for all of them even if all are
        // new (the count may be high: closed sockets until the next recount).
        size_t added = 0;
        bool done = false;
        if (!r.replace && (se.uid == 0 || pinned_[se.uid] + n <= o_.quota_sockets)) {
            try {
                added = s.pin_sockets(pins, opts);
                done = true;
            } catch (const Error& e) {
                if (e.code() != EEXIST)
                    throw;  // else: said below, in the client's names
            }
        }
        if (!done)
            added = pin_checked(se, s, r, m, pins, opts);
        if (se.uid != 0)
            pinned_[se.uid] += added;
        remember_names(se, s, r, m, pins);
        // Appended piecewise: GCC 12 at -O3 reports a false -Wrestrict for
        // "literal" + std::string&& (GCC bug 105329).
        std::string said = "(";
        said += std::to_string(n);
        said += n == 1 ? " socket, " : " sockets, ";
        said += std::to_string(added);
        said += " new)";
        return {remote::encode(remote::CountReply{added}), std::move(said)};
    });
}

void Clients::remember_names(Session& se, Steering& s, const remote::PinSocketsRequest& r, const remote::Message& m,
                             const std::vector<std::pair<int, Target>>& pins) {
    // Without a cookie per socket (a system call each) when first_names says
    // it: each global target of the request named one way, the way the
    // client named it before if it did, and no socket of the client's with a
    // name of its own (which this request might have to replace).
    std::map<uint32_t, Target> named;  // global slot -> the client's name, in this request
    bool per_socket = !se.names.empty();
    for (size_t i = 0; i < pins.size() && !per_socket; i++) {
        const uint32_t g = pins[i].second.slot();
        const auto [it, fresh] = named.try_emplace(g, r.targets[i]);
        const auto first = se.first_names.find(g);
        per_socket = (!fresh && !(it->second == r.targets[i])) ||
                     (first != se.first_names.end() && !(first->second == r.targets[i]));
    }
    if (!per_socket) {
        se.first_names.insert(named.begin(), named.end());
        return;
    }
    for (size_t i = 0; i < pins.size(); i++)
        se.names[cookie_of(m.fds[i].get())] = r.targets[i];
    if (se.names.size() > 2 * size_t(o_.quota_sockets) + pins.size())
        forget_closed(se, s.sockets());
}

size_t Clients::pin_checked(Session& se, Steering& s, const remote::PinSocketsRequest& r, const remote::Message& m,
                            const std::vector<std::pair<int, Target>>& pins, const PinOptions& opts) {
    // Each socket's pin: who owns it, and how many are new.
    std::set<uint64_t> fresh;
    for (size_t i = 0; i < pins.size(); i++) {
        const auto old = s.socket_pin(pins[i].first);  // refuses what is not a TCP or UDP socket
        if (!old) {
            fresh.insert(cookie_of(m.fds[i].get()));
            continue;
        }
        if (old->target == pins[i].second)
            continue;
        const std::string by =
            old->info.owner.pid != se.pid ? " by pid " + std::to_string(old->info.owner.pid) : std::string();
        if (!r.replace)
            throw Error(fd_name(i) + " is already pinned to " + local(se, *old).str() + by +
                            ": unpin it first, or pin with replace; nothing was pinned",
                        EEXIST);
        if (old->info.owner.pid != se.pid && se.uid != 0)
            throw Error(fd_name(i) + " is pinned" + by + ", not by this process (pid " + std::to_string(se.pid) +
                            "): only its owner, or root, may change its pin; nothing was pinned",
                        EPERM);
    }
    if (se.uid != 0 && !fresh.empty()) {
        recount(s);  // from the data plane: pins of closed sockets are gone
        const size_t have = pinned_[se.uid];
        if (have + fresh.size() > o_.quota_sockets)
            throw Error("uid " + std::to_string(se.uid) + " may pin " + std::to_string(o_.quota_sockets) +
                            " sockets through the agent: " + std::to_string(have) + " are pinned and this request "
                            "adds " + std::to_string(fresh.size()) +
                            "; unpin some first (the agent's --quota-sockets); nothing was pinned",
                        EDQUOT);
    }
    return s.pin_sockets(pins, opts);
}

Clients::Done Clients::unpin_socket(Session& se, Steering& s, const remote::Message& m) {
    return naming(m.fds, [&]() -> Done {
        const int fd = m.fds.at(0).get();
        const auto old = s.socket_pin(fd);
        if (!old)
            return {remote::encode(remote::RemovedReply{false}), "(not pinned)"};
        if (old->info.owner.pid != se.pid && se.uid != 0)
            throw Error("the socket is pinned by pid " + std::to_string(old->info.owner.pid) +
                            ", not by this process (pid " + std::to_string(se.pid) +
                            "): only its owner, or root, may unpin it",
                        EPERM);
        const bool removed = s.unpin_socket(fd);
        se.names.erase(old->cookie);
        if (removed && old->info.owner.pid == se.pid && pinned_[se.uid] > 0)
            pinned_[se.uid]--;  // others' pins: the next recount
        return {remote::encode(remote::RemovedReply{removed}), "(cookie " + std::to_string(old->cookie) + ")"};
    });
}

Clients::Done Clients::socket_pin(Session& se, Steering& s, const remote::Message& m) {
    return naming(m.fds, [&]() -> Done {
        remote::SocketPinReply r;
        if ((r.pin = s.socket_pin(m.fds.at(0).get()))) {
            r.pin->target = local(se, *r.pin);
            r.pin->info.path_set = r.pin->target.slot();
        }
        return {remote::encode(r), {}};
    });
}

Clients::Done Clients::sockets(Session& se, Steering& s) {
    remote::SocketsReply r;
    for (auto& p : s.sockets())
        if (p.info.owner.pid == se.pid) {
            p.target = local(se, p);
            p.info.path_set = p.target.slot();
            r.sockets.push_back(std::move(p));
        }
    forget_closed(se, r.sockets);
    std::string said = "(";  // piecewise, see pin_sockets
    said += std::to_string(r.sockets.size());
    said += ")";
    return {remote::encode(r), std::move(said)};
}

}  // namespace srv6steer::cli
