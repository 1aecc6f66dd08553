// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer agent` serving its socket, for the tests of tests/agent/: the
// network namespace, veth pair and private bpffs of tests/cli/cli_fixture.hpp
// (VethTest), the agent started there with its socket in the test's temp
// directory (group nogroup, mode 0660: nobody may connect), rounds only on
// SIGHUP (--interval 3600), and every wait on its log bounded. Clients are
// this process (root), or children that drop to another uid (UserProcess)
// and talk to the test in JSON lines.
#pragma once

#include <grp.h>
#include <sys/resource.h>

#include <functional>
#include <memory>

#include "cli_fixture.hpp"
#include "srv6steer/srv6steer.hpp"

namespace agenttest {

using namespace clitest;
using srv6steer::Error;
using srv6steer::Steering;
using srv6steer::Target;

inline constexpr uid_t kNobody = 65534;
inline constexpr gid_t kNogroup = 65534;

// A path the data plane can push: leaf00 -> spine1 -> leaf02 -> uDT6 (docs/design.md §3).
inline srv6steer::Path lab_path(uint32_t id, const char* usids = "1004,1001,1006,fe06") {
    return srv6steer::Path::from_usids(id, srv6steer::Block::parse("fcbb:0::/32"), srv6steer::parse_usids(usids));
}

// What f threw, or "(no error)".
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no error)";
}

// Two pipes between the test and a child: JSON, one value a line.
class Link {
public:
    Link(int in, int out) : in_(in), out_(out) {}
    void say(const json& j) {
        const std::string line = j.dump() + "\n";
        (void)!::write(out_, line.data(), line.size());
    }
    // The next line, or null after the timeout or the end.
    json next(std::chrono::milliseconds timeout = 30s) {
        const auto until = Clock::now() + timeout;
        size_t nl;
        while ((nl = buf_.find('\n')) == std::string::npos) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
            pollfd p{in_, POLLIN, 0};
            if (left <= 0 || poll(&p, 1, int(left)) <= 0)
                return nullptr;
            char b[4096];
            const ssize_t n = ::read(in_, b, sizeof b);
            if (n <= 0)
                return nullptr;
            buf_.append(b, size_t(n));
        }
        const std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return json::parse(line, nullptr, false);
    }

private:
    int in_, out_;
    std::string buf_;
};

// A child process of another uid (setgroups, setresgid, setresuid) that
// runs body(link); killed with the test at the latest.
class UserProcess {
public:
    UserProcess(uid_t uid, gid_t gid, const std::function<void(Link&)>& body) {
        int down[2], up[2];
        if (pipe2(down, O_CLOEXEC) || pipe2(up, O_CLOEXEC))
            return;
        const pid_t parent = getpid();
        pid_ = fork();
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent)
                _exit(127);
            Link link(down[0], up[1]);
            if (setgroups(0, nullptr) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
                link.say({{"error", std::string("dropping privileges: ") + strerror(errno)}});
                _exit(1);
            }
            try {
                body(link);
            } catch (const std::exception& e) {
                link.say({{"exception", e.what()}});
            }
            _exit(0);
        }
        close(down[0]);
        close(up[1]);
        link_ = std::make_unique<Link>(up[0], down[1]);
        fds_[0] = up[0];
        fds_[1] = down[1];
    }
    UserProcess(const UserProcess&) = delete;
    UserProcess& operator=(const UserProcess&) = delete;
    ~UserProcess() {
        end();
        for (int fd : fds_)
            if (fd >= 0)
                close(fd);
    }
    pid_t pid() const { return pid_; }
    Link& link() { return *link_; }
    json next(std::chrono::milliseconds timeout = 30s) { return link_->next(timeout); }
    void say(const json& j) { link_->say(j); }
    void end() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        pid_ = -1;
    }

private:
    pid_t pid_ = -1;
    int fds_[2] = {-1, -1};
    std::unique_ptr<Link> link_;
};

// A UDP socket of this process from [fcbb:0:800:1::1] to [kDst]:dport
// (connected; the neighbour is permanent, so a datagram sent has passed TC
// egress of veth0 when send returns).
inline int udp_socket(uint16_t dport = 9) {
    const int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in6 from{}, to{};
    from.sin6_family = to.sin6_family = AF_INET6;
    to.sin6_port = htons(dport);
    inet_pton(AF_INET6, "fcbb:0:800:1::1", &from.sin6_addr);
    inet_pton(AF_INET6, kDst, &to.sin6_addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) ||
        connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to)) {
        close(fd);
        return -1;
    }
    return fd;
}

inline bool send_n(int fd, int n) {
    const char payload[100] = {};
    for (int i = 0; i < n; i++)
        if (send(fd, payload, sizeof payload, 0) != ssize_t(sizeof payload))
            return false;
    return true;
}

inline void raise_fd_limit(rlim_t want) {
    rlimit r{want, want};
    setrlimit(RLIMIT_NOFILE, &r);
}

class AgentTest : public VethTest {
protected:
    std::string config_, sock_;
    std::unique_ptr<Proc> agent_;

    void SetUp() override {
        VethTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        config_ = tmp_ + "/config.json";
        std::ofstream(config_) << "{}";
        sock_ = tmp_ + "/run/agent.sock";
        signal(SIGPIPE, SIG_IGN);
    }

    // The agent, once its first round is done (its socket is there then);
    // `launcher` runs it (e.g. unshare), when given.
    void start(const std::vector<std::string>& extra = {}, const std::vector<std::string>& launcher = {}) {
        auto args = with_bpffs(cat({"agent", "-c", config_, "-d", "veth0", "--interval", "3600", "-v", "--socket",
                                    sock_, "--socket-group", std::to_string(kNogroup), "--socket-mode", "0660"},
                                   extra));
        args.insert(args.begin(), launcher.begin(), launcher.end());
        agent_ = std::make_unique<Proc>(args);
        ASSERT_TRUE(agent_->started());
        ASSERT_TRUE(agent_->wait_log("round 1 done\n")) << agent_->err();
    }
    // Kills the agent as a crash would (nothing cleaned up) and waits for its end.
    void crash() {
        kill(agent_->pid(), SIGKILL);
        agent_->wait_exit(10s);
    }
    const std::string& log() const { return agent_->err(); }
    // Waits for `text` in the log after `from`.
    bool logged(const std::string& text, size_t from = 0, std::chrono::milliseconds timeout = 10s) {
        return agent_->wait_log(text, timeout, from);
    }
    // Reads what the agent logged so far (its stderr pipe never fills).
    void drain() { agent_->wait_log("\n\x01", 5ms, log().size()); }
    // A round of the agent (SIGHUP), waited for.
    void round() {
        const size_t from = log().size();
        kill(agent_->pid(), SIGHUP);
        ASSERT_TRUE(logged(" done\n", from)) << log().substr(from);
    }
    Steering local() { return Steering::open("veth0", bpffs_); }
    Steering client() { return Steering::connect(sock_, "veth0"); }
    // The number of fds the agent has open.
    size_t agent_fds() {
        size_t n = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/" + std::to_string(agent_->pid()) + "/fd"))
            n++;
        return n;
    }
};

}  // namespace agenttest
