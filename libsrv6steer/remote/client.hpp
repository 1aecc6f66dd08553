// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Remote mode: a Steering made by Steering::connect sends every call to
// `srv6steer agent` over its Unix socket (docs/agent-protocol.md). The
// client remembers the paths and sets it defined; when the connection is
// lost (the agent restarted), the next call connects again, defines them
// again (the agent gives identical content the same ids), and then runs.
// One call at a time per client (a mutex): a Steering may be shared by threads.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "fd.hpp"
#include "impl.hpp"
#include "remote/messages.hpp"
#include "remote/wire.hpp"

namespace srv6steer::remote {

class Client {
public:
    // Connects and says hello; throws when the agent is not there or refuses.
    Client(std::string socket_path, std::string ifname);

    const std::string& ifname() const { return hello_.ifname; }
    const HelloReply& hello() const { return hello_; }

    Status status();
    void add_path(const Path& path);
    void remove_path(uint32_t id);
    void set_path_down(uint32_t id, bool down);  // refused
    std::vector<Path> paths();
    void define_set(const PathSet& set);
    void remove_set(uint32_t id);
    std::vector<PathSet> sets();

    // Pins of keys that could be someone else's traffic: refused.
    void pin(const Flow&, Target, const PinOptions&) { refuse("flow"); }
    void pin(const Qp&, Target, const PinOptions&) { refuse("queue-pair"); }
    void pin(const Prefix&, Target, const PinOptions&) { refuse("prefix"); }
    void pin(const Cgroup&, Target, const PinOptions&) { refuse("cgroup"); }
    size_t pin_flows(std::span<const std::pair<Flow, Target>>, const PinOptions&) { refuse("flow"); }
    bool unpin(const Flow&) { refuse("flow"); }
    bool unpin(const Qp&) { refuse("queue-pair"); }
    bool unpin(const Prefix&) { refuse("prefix"); }
    bool unpin(const Cgroup&) { refuse("cgroup"); }
    // This client's own pins of those kinds: it can have none.
    std::vector<Pinned<Flow>> flows() { return {}; }
    std::vector<Pinned<Qp>> qps() { return {}; }
    std::vector<Pinned<Prefix>> prefixes() { return {}; }
    std::vector<Pinned<Cgroup>> cgroups() { return {}; }

    void pin_socket(int fd, Target target, const PinOptions& opts);
    size_t pin_sockets(std::span<const std::pair<int, Target>> sockets, const PinOptions& opts);
    bool unpin_socket(int fd);
    std::optional<PinnedSocket> socket_pin(int fd);
    std::vector<PinnedSocket> sockets();

    Stats stats();
    size_t gc() { return 0; }  // the agent collects in its rounds
    [[noreturn]] void lock();  // refused: the agent runs each request whole

private:
    [[noreturn]] static void refuse(const char* kind);

    // Sends a request and returns its reply; connects (again) first when
    // needed, and once more when the connection is lost on the way.
    template <class Reply, class Request>
    Reply call(Type type, const Request& req, std::span<const int> fds = {});
    // One exchange on the open connection; throws Lost when it is gone.
    template <class Reply, class Request>
    Reply exchange(Type type, const Request& req, std::span<const int> fds);
    void connect(bool wait);  // a new connection, hello, and the replay
    void send(Type type, const std::string& payload, std::span<const int> fds);
    Message receive(Type type, uint32_t seq);
    // The agent refuses a connection with an error reply of type 0, seq 0,
    // sent at once (docs/agent-protocol.md §8): throws its message then.
    void check_refusal(const Message& m);
    // After a failed send: a refusal the agent sent before it closed.
    void check_pending_refusal();

    const std::string path_;
    const std::string want_ifname_;
    std::mutex mu_;  // one exchange at a time; guards paths_ and sets_ too
    UniqueFd fd_;  // closed: connect again before the next call
    uint32_t seq_ = 0;
    std::vector<uint8_t> buf_;
    HelloReply hello_;
    // What this client defined, to define again on a new connection.
    std::map<uint32_t, Path> paths_;
    std::map<uint32_t, PathSet> sets_;
};

}  // namespace srv6steer::remote
