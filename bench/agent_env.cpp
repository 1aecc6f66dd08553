// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "agent_env.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common.hpp"
#include "netns.hpp"

namespace agentbench {

using benchutil::Failure;
using benchutil::now_ns;

namespace {

std::string errstr() { return std::strerror(errno); }

}  // namespace

Agent::Agent(const std::string& bin, const std::vector<std::string>& args) {
    int err[2];
    if (pipe2(err, O_CLOEXEC))
        throw Failure("pipe: " + errstr());
    std::vector<std::string> all = {bin};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        // Its stdout too ("sb-agent already matches ..."): the bench's
        // stdout holds only the figures' JSON lines.
        dup2(err[1], 1);
        dup2(err[1], 2);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(err[1]);
    err_ = UniqueFd(err[0]);
    if (pid_ < 0)
        throw Failure("fork: " + errstr());
}

Agent::~Agent() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
    }
}

void Agent::wait_log(const std::string& text, std::chrono::milliseconds timeout) {
    const uint64_t until = now_ns() + static_cast<uint64_t>(timeout.count()) * 1000000;
    while (log_.find(text) == std::string::npos) {
        const uint64_t now = now_ns();
        pollfd p{err_.get(), POLLIN, 0};
        const int left = now < until ? static_cast<int>((until - now) / 1000000) + 1 : 0;
        char buf[4096];
        ssize_t n = 0;
        if (left == 0 || poll(&p, 1, left) <= 0 || (n = read(err_.get(), buf, sizeof buf)) <= 0)
            throw Failure("the agent did not log \"" + text + "\"" + (n < 0 || left == 0 ? " in time" : "") +
                          "; it said:\n" + log_);
        log_.append(buf, static_cast<size_t>(n));
    }
}

uint64_t cpu_ns(pid_t pid) {
    unsigned long long ns = 0;
    if (FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/schedstat").c_str(), "r")) {
        if (std::fscanf(f, "%llu", &ns) != 1)
            ns = 0;
        std::fclose(f);
    }
    return ns;
}

Peers::Peers(uint32_t peers) {
    int ready[2];
    if (pipe2(ready, O_CLOEXEC))
        throw Failure("pipe: " + errstr());
    pid_ = fork();
    if (pid_ == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        const char ok = unshare(CLONE_NEWNET) == 0;
        (void)!write(ready[1], &ok, 1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    char ok = 0;
    const bool started = pid_ > 0 && read(ready[0], &ok, 1) == 1 && ok;
    close(ready[0]);
    if (!started)
        throw Failure("the peer network namespace could not be made");
    const std::string pid = std::to_string(pid_), peer = std::string(kDev) + "-p";
    benchns::ip({"link", "add", kDev, "type", "veth", "peer", "name", peer, "netns", pid});
    benchns::ip({"link", "set", kDev, "up"});
    benchns::ip({"-6", "addr", "add", "fcbb:0:800:1::1/64", "dev", kDev, "nodad"});
    auto ip_there = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"nsenter", "-t", pid, "-n", "ip"});
        benchns::run(args);
    };
    ip_there({"link", "set", "lo", "up"});
    ip_there({"link", "set", peer, "up"});

    UniqueFd here(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    UniqueFd there(open(("/proc/" + pid + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
    if (!here || !there)
        throw Failure("opening the network namespaces: " + errstr());
    for (uint32_t i = 0; i < peers; i++) {
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        inet_pton(AF_INET6, "fcbb:0:800:1::", &a.sin6_addr);
        a.sin6_addr.s6_addr[15] = static_cast<uint8_t>(0x10 + i);
        char text[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
        ip_there({"-6", "addr", "add", std::string(text) + "/64", "dev", peer, "nodad"});
        // The listener is made in the peer namespace (a socket stays in the
        // namespace it was made in), then used from here.
        if (setns(there.get(), CLONE_NEWNET))
            throw Failure("entering the peer network namespace: " + errstr());
        UniqueFd l(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
        socklen_t len = sizeof a;
        const bool bound = l && bind(l.get(), reinterpret_cast<sockaddr*>(&a), len) == 0 &&
                           listen(l.get(), 4096) == 0 && getsockname(l.get(), reinterpret_cast<sockaddr*>(&a), &len) == 0;
        const int err = errno;
        if (setns(here.get(), CLONE_NEWNET))
            throw Failure("back from the peer network namespace: " + errstr());
        if (!bound)
            throw Failure(std::string("a TCP listener on ") + text + ": " + std::strerror(err));
        listeners_.push_back(std::move(l));
        addrs_.push_back(a);
    }
}

Peers::~Peers() {
    listeners_.clear();
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

Connections::Connections(const Peers& peers, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        const sockaddr_in6& a = peers.addr(i % peers.size());
        UniqueFd c(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!c || connect(c.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a))
            throw Failure("connecting to a peer: " + errstr() +
                          (errno == EMFILE ? " (raise the open files limit: ulimit -n)" : ""));
        UniqueFd s(accept4(peers.listener(i % peers.size()), nullptr, nullptr, SOCK_CLOEXEC));
        if (!s)
            throw Failure("accept: " + errstr());
        mine.push_back(std::move(c));
        theirs.push_back(std::move(s));
    }
}

Connections::~Connections() {
    const linger now{1, 0};
    for (const UniqueFd& fd : mine)
        setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &now, sizeof now);
}

}  // namespace agentbench
