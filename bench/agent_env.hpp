// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Where bench_agent runs (its caller has entered a private network
// namespace, bench/netns.hpp): the agent as a child process whose log is
// read as it comes; the job's other hosts as a peer network namespace at the
// far end of the veth kDev, with TCP listeners; and a rank's connections to
// them.
#pragma once

#include <netinet/in.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "fd.hpp"

namespace agentbench {

using srv6steer::UniqueFd;

inline constexpr const char* kDev = "sb-agent";  // fcbb:0:800:1::1/64, steered by the agent

class Agent {
public:
    Agent(const std::string& bin, const std::vector<std::string>& args);  // runs bin args...
    ~Agent();  // SIGTERM, and waits
    Agent(const Agent&) = delete;
    Agent& operator=(const Agent&) = delete;

    // Reads the log until it holds `text`; Failure after `timeout` or when
    // the agent exits first, with what it said.
    void wait_log(const std::string& text, std::chrono::milliseconds timeout);
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    UniqueFd err_;
    std::string log_;
};

// The peer namespace (held by a child process) with `peers` addresses
// fcbb:0:800:1::1N on the veth's far end, a TCP listener on each (made there,
// used from here); creates kDev too.
class Peers {
public:
    explicit Peers(uint32_t peers);
    ~Peers();
    Peers(const Peers&) = delete;
    Peers& operator=(const Peers&) = delete;

    size_t size() const { return addrs_.size(); }
    const sockaddr_in6& addr(size_t i) const { return addrs_[i]; }
    int listener(size_t i) const { return listeners_[i].get(); }

private:
    pid_t pid_ = -1;
    std::vector<UniqueFd> listeners_;
    std::vector<sockaddr_in6> addrs_;
};

// The time another process has been on a CPU, in ns (/proc/PID/schedstat,
// which anyone may read; exact for a process that is waiting, as the agent
// is between requests): under load, a steadier figure than the wall clock.
// 0 when it cannot be read.
uint64_t cpu_ns(pid_t pid);

// n connected TCP sockets, to the peers in turn; the accepted ends are kept
// too. Closed with a reset (SO_LINGER 0) so that they, and their pins, are
// gone at once: a pinned socket's FIN is steered into the void here, which
// would keep it in FIN_WAIT1 for minutes.
struct Connections {
    std::vector<UniqueFd> mine, theirs;

    Connections(const Peers& peers, uint32_t n);
    ~Connections();
};

}  // namespace agentbench
