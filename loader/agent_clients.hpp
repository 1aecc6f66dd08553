// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The agent's clients (docs/agent-protocol.md): one Session per connection,
// who it is (SO_PEERCRED and its cgroup), the names it gave its paths and
// sets and the global ids they stand for (agent_table.hpp), and the answer
// to each of its requests. Every request runs whole under the interface's
// lock (Steering::lock): one at a time, nothing else in between.
//
// Rules, enforced here:
//  - a pin's owner is the client's pid and cgroup; a client changes or
//    removes only pins whose owner pid is its own (uid 0: any);
//  - a socket is named only by passing it (its fd), so a client cannot
//    touch a socket it does not hold;
//  - per uid (not uid 0): at most quota_sockets socket pins, counted from
//    the data plane (so an agent restart forgets nothing), and at most
//    quota_paths paths and quota_paths sets, counted over its sessions.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "agent_table.hpp"
#include "remote/messages.hpp"
#include "remote/wire.hpp"

namespace srv6steer::cli {

struct ClientsOptions {
    std::string ifname;       // what the agent steers
    std::string agent;        // "srv6steer 0.1.0", for hello
    uint32_t quota_sockets = 4096;
    uint32_t quota_paths = 256;
};

struct Session {
    uint64_t id = 0;  // connection number, for the log
    uint32_t pid = 0, uid = 0, gid = 0;
    uint64_t cgroup = 0;
    bool hello = false;
    std::map<uint32_t, uint32_t> paths;           // the client's path id -> global id
    std::map<uint32_t, PathContent> path_defs;    // what it said each is
    std::map<uint32_t, uint32_t> sets;            // the client's set id -> global id
    std::map<uint32_t, std::vector<uint32_t>> set_defs;  // its members, in the client's path ids
    // What the client called the targets of its pins (local()): per socket
    // cookie, the target it named when pinning; or, for pins without one
    // there (the usual case: the client has one name for the target), per
    // global set slot, the name it first pinned with.
    std::map<uint64_t, Target> names;
    std::map<uint32_t, Target> first_names;

    std::string who() const { return "pid " + std::to_string(pid) + " uid " + std::to_string(uid); }
    Owner owner() const { return {pid, cgroup}; }
};

// The reply to one request.
struct Answer {
    bool error = false;
    bool fatal = false;  // the connection closes after it
    std::string payload;
};

class Clients {
public:
    using Log = std::function<void(const std::string&)>;
    // The agent's attachment; throws Error when it has none right now.
    using Current = std::function<Steering&()>;

    Clients(ClientsOptions o, Current current, Log log)
        : o_(std::move(o)), current_(std::move(current)), log_(std::move(log)) {}

    // pid, uid, gid: SO_PEERCRED of the connection.
    Session& open(uint32_t pid, uint32_t uid, uint32_t gid);
    // The session's definitions go; paths and sets nobody uses any more too.
    void close(Session& se);
    Answer handle(Session& se, const remote::Message& m);
    // Every agent round: the table read again from the data plane, the
    // sessions' paths and sets made again where they went missing (a new
    // attachment), and what nobody uses removed.
    void round(Steering& s);
    size_t sessions() const { return sessions_.size(); }

private:
    // The handlers: the reply's payload, and a note for the log.
    struct Done {
        std::string payload;
        std::string note;
    };
    Done dispatch(Session& se, remote::Type t, const remote::Message& m);
    Done hello(Session& se, const remote::HelloRequest& r);
    Done status(Session& se, Steering& s);
    Done add_path(Session& se, Steering& s, const Path& p);
    Done remove_path(Session& se, Steering& s, uint32_t id);
    Done paths(Session& se, Steering& s);
    Done define_set(Session& se, Steering& s, const PathSet& set);
    Done remove_set(Session& se, Steering& s, uint32_t id);
    Done sets(Session& se);
    Done pin_sockets(Session& se, Steering& s, const remote::PinSocketsRequest& r, const remote::Message& m);
    size_t pin_checked(Session& se, Steering& s, const remote::PinSocketsRequest& r, const remote::Message& m,
                       const std::vector<std::pair<int, Target>>& pins, const PinOptions& opts);
    // Remembers the client's names for the targets it just pinned with.
    void remember_names(Session& se, Steering& s, const remote::PinSocketsRequest& r, const remote::Message& m,
                        const std::vector<std::pair<int, Target>>& pins);
    void recount(Steering& s);  // pinned_ from the data plane
    Done unpin_socket(Session& se, Steering& s, const remote::Message& m);
    Done socket_pin(Session& se, Steering& s, const remote::Message& m);
    Done sockets(Session& se, Steering& s);
    Done stats(Session& se, Steering& s);

    // The global target of a client's target; throws when it has no such name.
    Target global(const Session& se, Target local) const;
    // The client's name for a pin's (global) target: the one it pinned
    // with, else one of its names for it, else the global id.
    Target local(const Session& se, const PinnedSocket& p) const;
    // Pins of the client's process on a global target.
    size_t own_pins(const Session& se, Steering& s, Target global) const;
    // Another session names this global set, or pins of other processes use it.
    bool shared_set(const Session& se, Steering& s, uint32_t global) const;
    void check_quota(const Session& se, bool path, uint32_t global_or_none) const;
    void collect(Steering& s);

    ClientsOptions o_;
    Current current_;
    Log log_;
    AgentTable table_;
    bool loaded_ = false;
    uint64_t next_ = 1;
    std::map<uint64_t, Session> sessions_;
    std::map<uint32_t, size_t> pinned_;  // socket pins per uid (not 0), as last counted, plus since
};

}  // namespace srv6steer::cli
