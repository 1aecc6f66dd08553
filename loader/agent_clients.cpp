// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Sessions, the dispatch of requests, paths, sets, status and counters.
// Socket pins are in agent_sockets.cpp.
#include "agent_clients.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <set>

#include "remote/ranges.hpp"

namespace srv6steer::cli {

using remote::BadMessage;
using remote::Type;

namespace {

// The cgroup v2 id of a process: the inode of its directory ("0::/path" in
// /proc/PID/cgroup); 0 when it cannot be read.
uint64_t cgroup_of(uint32_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("0::", 0) == 0) {
            struct stat st {};
            if (stat(("/sys/fs/cgroup" + line.substr(3)).c_str(), &st) == 0)
                return st.st_ino;
        }
    return 0;
}

template <class K, class V>
std::set<V> values(const std::map<K, V>& m) {
    std::set<V> out;
    for (const auto& [k, v] : m)
        out.insert(v);
    return out;
}

std::string count(size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

// ---- sessions -------------------------------------------------------------------------------

Session& Clients::open(uint32_t pid, uint32_t uid, uint32_t gid) {
    const uint64_t id = next_++;
    Session& se = sessions_[id];
    se.id = id;
    se.pid = pid;
    se.uid = uid;
    se.gid = gid;
    se.cgroup = cgroup_of(pid);
    return se;
}

void Clients::close(Session& se) {
    const bool defined = !se.paths.empty() || !se.sets.empty();
    sessions_.erase(se.id);
    if (!defined || !loaded_)
        return;
    try {
        Steering& s = current_();
        auto held = s.lock();
        collect(s);
    } catch (const Error& e) {
        log_("removing the paths and sets no client uses any more failed (the next round tries again): " +
             std::string(e.what()));
    }
}

void Clients::collect(Steering& s) {
    // Kept: what a session names, what a socket or cgroup pin points at
    // (the library refuses to remove what other pins and sets use).
    std::set<uint32_t> paths, sets;
    for (const auto& [id, se] : sessions_) {
        for (const auto& [c, g] : se.paths)
            paths.insert(g);
        for (const auto& [c, g] : se.sets)
            sets.insert(g);
    }
    auto keep = [&](Target t) { (t.kind == Target::Kind::Path ? paths : sets).insert(t.id); };
    for (const auto& p : s.sockets())
        keep(p.target);
    for (const auto& p : s.cgroups())
        keep(p.target);
    if (const size_t n = table_.collect(s, paths, sets))
        log_("removed " + count(n, "path or set", "paths and sets") + " no client uses any more");
}

void Clients::round(Steering& s) {
    auto held = s.lock();
    table_.load(s);
    loaded_ = true;
    recount(s);
    // Definitions whose global id went (a new attachment, or removed by
    // hand) are made again: the client's ids keep working.
    for (auto& [sid, se] : sessions_) {
        try {
            for (auto& [id, g] : se.paths)
                if (const PathContent* c = table_.path(g); !c || *c != se.path_defs.at(id))
                    g = table_.add_path(s, se.path_defs.at(id), id);
            for (auto& [id, g] : se.sets) {
                SetContent want;
                for (uint32_t p : se.set_defs.at(id))
                    want.push_back(se.paths.at(p));
                if (const SetContent* c = table_.set(g); !c || *c != want)
                    g = table_.add_set(s, want, id);
            }
        } catch (const Error& e) {
            log_(se.who() + ": defining its paths and sets again failed: " + e.what());
        }
    }
    collect(s);
}

// ---- requests -----------------------------------------------------------------------------

Answer Clients::handle(Session& se, const remote::Message& m) {
    const auto type = remote::type_of(m.header.type);
    const std::string what = type ? remote::type_name(*type) : "message type " + std::to_string(m.header.type);
    Answer a;
    try {
        if (!type)
            throw BadMessage("unknown message type " + std::to_string(m.header.type) +
                             ": this agent knows types 1 to " + std::to_string(remote::kLastType) +
                             " of protocol version " + std::to_string(remote::kVersion));
        if (m.header.flags & (remote::kReply | remote::kError))
            throw BadMessage(what + ": a request may not have the reply or error flag");
        if (!se.hello && *type != Type::Hello) {
            a.fatal = true;
            throw BadMessage(what + " before hello: the first message on a connection must be hello");
        }
        if (se.hello && *type == Type::Hello)
            throw BadMessage("hello: said already on this connection");
        Done d = dispatch(se, *type, m);
        a.payload = std::move(d.payload);
        log_(se.who() + ": " + what + (d.note.empty() ? "" : " " + d.note) + ": ok");
    } catch (const Error& e) {
        a.error = true;
        a.payload = remote::encode(remote::ErrorReply{e.what(), e.code()});
        log_(se.who() + ": " + what + ": refused: " + e.what());
    }
    return a;
}

Clients::Done Clients::dispatch(Session& se, Type t, const remote::Message& m) {
    const std::string what = remote::type_name(t);
    const size_t nfds = m.fds.size();
    auto no_fds = [&] {
        if (nfds)
            throw BadMessage(what + ": takes no file descriptors, got " + std::to_string(nfds));
    };
    auto one_fd = [&] {
        if (nfds != 1)
            throw BadMessage(what + ": takes exactly one file descriptor (the socket), got " + std::to_string(nfds));
    };
    using namespace remote;
    if (t == Type::Hello) {
        no_fds();
        return hello(se, decode<HelloRequest>(m.payload, what));
    }
    // Parsed and checked before the lock is taken.
    std::optional<AddPathRequest> add;
    std::optional<IdRequest> id;
    std::optional<DefineSetRequest> define;
    std::optional<PinSocketsRequest> pin;
    switch (t) {
    case Type::AddPath: no_fds(); add = decode<AddPathRequest>(m.payload, what); break;
    case Type::RemovePath:
    case Type::RemoveSet: no_fds(); id = decode<IdRequest>(m.payload, what); break;
    case Type::DefineSet: no_fds(); define = decode<DefineSetRequest>(m.payload, what); break;
    case Type::PinSockets:
        pin = decode<PinSocketsRequest>(m.payload, what);
        if (pin->targets.size() != nfds)
            throw BadMessage(what + ": " + count(pin->targets.size(), "target", "targets") + " for " +
                             count(nfds, "file descriptor", "file descriptors") + ": send one socket per target");
        break;
    case Type::UnpinSocket:
    case Type::SocketPin: one_fd(); decode<Empty>(m.payload, what); break;
    default: no_fds(); decode<Empty>(m.payload, what); break;
    }
    Steering& s = current_();
    auto held = s.lock();
    switch (t) {
    case Type::Status: return status(se, s);
    case Type::AddPath: return add_path(se, s, add->path);
    case Type::RemovePath: return remove_path(se, s, id->id);
    case Type::Paths: return paths(se, s);
    case Type::DefineSet: return define_set(se, s, define->set);
    case Type::RemoveSet: return remove_set(se, s, id->id);
    case Type::Sets: return sets(se);
    case Type::PinSockets: return pin_sockets(se, s, *pin, m);
    case Type::UnpinSocket: return unpin_socket(se, s, m);
    case Type::SocketPin: return socket_pin(se, s, m);
    case Type::Sockets: return sockets(se, s);
    case Type::Stats: return stats(se, s);
    case Type::Hello: break;
    }
    throw BadMessage("unknown message type");
}

Clients::Done Clients::hello(Session& se, const remote::HelloRequest& r) {
    if (!r.ifname.empty() && r.ifname != o_.ifname)
        throw Error("this srv6steer agent steers " + o_.ifname + ", not " + r.ifname +
                        ": connect to the agent of " + r.ifname + ", or name no interface",
                    ENODEV);
    se.hello = true;
    remote::HelloReply h{o_.agent, o_.ifname, se.pid, se.uid, se.gid, se.cgroup, o_.quota_sockets, o_.quota_paths};
    return {remote::encode(h), "(" + (r.client.empty() ? std::string("a client") : r.client) + ", gid " +
                                   std::to_string(se.gid) + ", cgroup " + std::to_string(se.cgroup) + ")"};
}

Clients::Done Clients::status(Session& se, Steering& s) {
    Status st = s.status();
    // Counts of what this client's listings show; no route MTUs of others.
    st.owned_routes.clear();
    st.n_paths = se.paths.size();
    st.n_sets = se.sets.size();
    st.n_flows = st.n_qps = st.n_prefixes = st.n_cgroups = 0;
    st.n_sockets = 0;
    for (const auto& p : s.sockets())
        st.n_sockets += p.info.owner.pid == se.pid;
    return {remote::encode(remote::StatusReply{st}), {}};
}

// ---- paths and sets -------------------------------------------------------------------------

void Clients::check_quota(const Session& se, bool path, uint32_t global) const {
    if (se.uid == 0)
        return;
    std::set<uint32_t> mine;
    for (const auto& [id, other] : sessions_)
        if (other.uid == se.uid)
            for (const auto& [c, g] : path ? other.paths : other.sets)
                mine.insert(g);
    if (mine.count(global) || mine.size() < o_.quota_paths)
        return;
    throw Error("uid " + std::to_string(se.uid) + " has " +
                    (path ? count(mine.size(), "path", "paths") : count(mine.size(), "path set", "path sets")) +
                    " through the agent, its quota: remove some first (the agent's --quota-paths)",
                EDQUOT);
}

Clients::Done Clients::add_path(Session& se, Steering& s, const Path& p) {
    if (p.down)
        throw Error("path " + std::to_string(p.id) + " cannot start down through the srv6steer agent: clients share "
                    "identical paths, so it would be down for the others too",
                    ENOTSUP);
    const PathContent c{p.segments, p.mode};
    if (auto it = se.path_defs.find(p.id); it != se.path_defs.end()) {
        if (it->second == c)
            return {remote::encode(remote::OkReply{}), std::to_string(p.id) + " (as before)"};
        throw Error("path " + std::to_string(p.id) + " already exists with other segments; a path in place cannot "
                    "change: add the new one under a free id and point sets and pins at it, or remove path " +
                        std::to_string(p.id) + " first",
                    EEXIST);
    }
    const auto found = table_.find_path(c);
    check_quota(se, true, found.value_or(UINT32_MAX));
    const uint32_t g = table_.add_path(s, c, p.id);
    se.paths[p.id] = g;
    se.path_defs[p.id] = c;
    return {remote::encode(remote::OkReply{}),
            std::to_string(p.id) + " -> path " + std::to_string(g) + (found ? " (shared)" : " (new)")};
}

Clients::Done Clients::remove_path(Session& se, Steering& s, uint32_t id) {
    auto it = se.paths.find(id);
    if (it == se.paths.end())
        throw Error("path " + std::to_string(id) + " does not exist", ENOENT);
    for (const auto& [set, members] : se.set_defs)
        if (std::find(members.begin(), members.end(), id) != members.end())
            throw Error("path " + std::to_string(id) + " is used by set " + std::to_string(set) +
                            ": change or remove that set first",
                        EBUSY);
    if (own_pins(se, s, Target::path(it->second)))
        throw Error("path " + std::to_string(id) + " still has pins: unpin them first", EBUSY);
    const uint32_t g = it->second;
    se.paths.erase(it);
    se.path_defs.erase(id);
    collect(s);
    return {remote::encode(remote::OkReply{}), std::to_string(id) + " (path " + std::to_string(g) + ")"};
}

Clients::Done Clients::paths(Session& se, Steering& s) {
    std::map<uint32_t, bool> down;
    for (const Path& p : s.paths())
        down[p.id] = p.down;
    remote::PathsReply r;
    for (const auto& [id, g] : se.paths) {
        const PathContent& c = se.path_defs.at(id);
        r.paths.push_back({id, c.segments, c.mode, down[g], std::nullopt});
    }
    return {remote::encode(r), {}};
}

Clients::Done Clients::define_set(Session& se, Steering& s, const PathSet& set) {
    if (set.paths.empty() || set.paths.size() > SRV6S_MAX_SET_PATHS)
        throw Error("path set " + std::to_string(set.id) + " has " + std::to_string(set.paths.size()) +
                    " paths: a set has 1 to " + std::to_string(SRV6S_MAX_SET_PATHS) +
                    " (list a path twice to give it twice the weight)");
    SetContent want;
    for (uint32_t id : set.paths) {
        auto it = se.paths.find(id);
        if (it == se.paths.end())
            throw Error("path set " + std::to_string(set.id) + " names path " + std::to_string(id) +
                            ", which does not exist: add it first",
                        ENOENT);
        want.push_back(it->second);
    }
    const std::string ok = remote::encode(remote::OkReply{});
    auto it = se.sets.find(set.id);
    if (it != se.sets.end()) {
        const uint32_t old = it->second;
        if (const SetContent* c = table_.set(old); c && *c == want) {
            se.set_defs[set.id] = set.paths;
            return {ok, std::to_string(set.id) + " (as before)"};
        }
        if (own_pins(se, s, Target::set(old))) {
            // Its pins cannot move (the agent holds no fds): the set changes
            // in place, unless others use it too.
            if (shared_set(se, s, old))
                throw Error("path set " + std::to_string(set.id) + " cannot change: sockets of this process are "
                            "pinned to it, and another client uses the same set (the same paths); define the new "
                            "paths as another set and pin the sockets to it (replace)",
                            EBUSY);
            table_.change_set(s, old, want);
            se.set_defs[set.id] = set.paths;
            return {ok, std::to_string(set.id) + " -> set " + std::to_string(old) + " (changed in place)"};
        }
    }
    const auto found = table_.find_set(want);
    check_quota(se, false, found.value_or(UINT32_MAX));
    const uint32_t g = table_.add_set(s, want, set.id);
    se.sets[set.id] = g;
    se.set_defs[set.id] = set.paths;
    if (it != se.sets.end())
        collect(s);  // the old one, if nobody else has it
    return {ok, std::to_string(set.id) + " -> set " + std::to_string(g) + (found ? " (shared)" : " (new)")};
}

Clients::Done Clients::remove_set(Session& se, Steering& s, uint32_t id) {
    auto it = se.sets.find(id);
    if (it == se.sets.end())
        throw Error("path set " + std::to_string(id) + " does not exist", ENOENT);
    if (own_pins(se, s, Target::set(it->second)))
        throw Error("path set " + std::to_string(id) + " still has pins: unpin them first", EBUSY);
    const uint32_t g = it->second;
    se.sets.erase(it);
    se.set_defs.erase(id);
    collect(s);
    return {remote::encode(remote::OkReply{}), std::to_string(id) + " (set " + std::to_string(g) + ")"};
}

Clients::Done Clients::sets(Session& se) {
    remote::SetsReply r;
    for (const auto& [id, members] : se.set_defs)
        r.sets.push_back({id, members});
    return {remote::encode(r), {}};
}

bool Clients::shared_set(const Session& se, Steering& s, uint32_t g) const {
    for (const auto& [id, other] : sessions_)
        if (id != se.id && values(other.sets).count(g))
            return true;
    for (const auto& p : s.sockets())
        if (p.target == Target::set(g) && p.info.owner.pid != se.pid)
            return true;
    return false;
}

Clients::Done Clients::stats(Session& se, Steering& s) {
    Stats all = s.stats();
    // The agent's paths by its own ids: counters, health, DOWN bit.
    std::map<uint32_t, size_t> at;
    for (size_t i = 0; i < all.paths.size(); i++)
        at[all.paths[i].first] = i;
    remote::StatsReply r;
    r.stats.reasons = all.reasons;
    for (const auto& [id, g] : se.paths) {
        const auto it = at.find(g);
        const bool known = it != at.end();
        r.stats.paths.push_back({id, known ? all.paths[it->second].second : Counter{}});
        r.stats.health.push_back(known && it->second < all.health.size() ? all.health[it->second]
                                                                         : srv6s_path_health{});
        r.stats.down.push_back(known && it->second < all.down.size() && all.down[it->second]);
    }
    return {remote::encode(r), {}};
}

}  // namespace srv6steer::cli
