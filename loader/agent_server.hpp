// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The agent's Unix socket (docs/agent-protocol.md): it listens on PATH
// (SOCK_SEQPACKET, mode and group as configured, made under a temporary name
// and renamed into place; PATH.lock, flock'ed while the agent runs, keeps a
// second agent off the same path), accepts clients with their SO_PEERCRED,
// reads packets as they come (non-blocking, one poll loop with the agent's
// signals), puts messages together, hands each to Clients and sends the
// answer. A connection that breaks the framing gets an error and is closed;
// one whose answer is not sent yet is not read (so nobody makes the agent
// buffer without bound).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent_clients.hpp"
#include "fd.hpp"
#include "remote/wire.hpp"

namespace srv6steer::cli {

struct ServerOptions {
    std::string path = kDefaultAgentSocket;
    std::optional<gid_t> group;  // the socket's group (default: the agent's)
    mode_t mode = 0660;          // who may connect: the socket's mode
    size_t max_clients = 1024;
};

// Something else the agent's one loop serves besides clients and signals
// (the prober, agent_probe.hpp): sockets to read, a deadline, and the call
// that does what is due (it catches what it throws).
class Pollable {
public:
    virtual ~Pollable() = default;
    virtual std::vector<int> fds() const = 0;
    virtual std::chrono::steady_clock::time_point deadline() const = 0;
    virtual void service() = 0;
};

class Server {
public:
    // Binds and listens; throws Error when PATH cannot be served (another
    // agent holds it, its directory is unsafe, ...).
    Server(ServerOptions o, Clients& clients, Clients::Log log);
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    ~Server();  // removes the socket if it is still ours

    // Serves until `until`, or until a signal arrives on signal_fd (a
    // signalfd): returns the signal, or 0 at the time. `extra`, if given, is
    // served in the same poll.
    int serve_until(std::chrono::steady_clock::time_point until, int signal_fd, Pollable* extra = nullptr);
    const std::string& path() const { return o_.path; }

private:
    struct Conn {
        UniqueFd fd;
        Session* session = nullptr;
        remote::Assembler in{remote::kMaxRequestPayload, remote::kMaxRequestFds};
        std::deque<std::string> out;  // packets of answers not sent yet
        bool closing = false;         // close once `out` is sent
        bool refused = false;         // ... after lingering (linger())
        std::optional<std::chrono::steady_clock::time_point> linger_until;
    };
    void accept_all();
    void read(Conn& c);
    void write(Conn& c);
    void answer(Conn& c, const remote::Header& request, const Answer& a);
    void refuse(Conn& c, const remote::Header& request, const std::string& why);  // and close
    void drop(uint64_t id);
    // A refused connection: shut for writing, kept (reading and discarding)
    // until the client closes or a deadline, then dropped. Closing it with
    // requests unread would reset it, and the client would lose the reply
    // that says why. True when it is to be dropped now.
    bool linger(Conn& c, short events);

    ServerOptions o_;
    Clients& clients_;
    Clients::Log log_;
    UniqueFd lock_;
    UniqueFd listen_;
    UniqueFd reserve_;  // given up to accept (and refuse) a client when out of fds
    ino_t inode_ = 0;  // of the socket file we made
    uint64_t next_ = 1;
    std::map<uint64_t, Conn> conns_;
    std::vector<uint8_t> buf_;
};

}  // namespace srv6steer::cli
