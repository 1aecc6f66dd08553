// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What the CLI and agent tests share: running the built binary (its stdout
// and stderr read as they come, every wait bounded by a timeout, the process
// killed with the test at the latest), and a fixture that puts each test in a
// network namespace of its own (veth0 here, its peer veth1 in a second
// namespace behind it, a route to fcbb:0:800:2::/64 through the peer) with a
// private bpffs. ctest runs each test in its own process, so all of it goes
// away with the process, even on failure.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "private_ns.hpp"

namespace clitest {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A process with its stdout and stderr read into strings as they come.
class Proc {
public:
    explicit Proc(const std::vector<std::string>& args) {
        int out[2], err[2];
        if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
            return;
        std::vector<char*> argv;
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        const pid_t parent = getpid();
        pid_ = fork();
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the test
            if (getppid() != parent)
                _exit(127);
            dup2(out[1], 1);
            dup2(err[1], 2);
            execvp(argv[0], argv.data());
            _exit(127);
        }
        close(out[1]);
        close(err[1]);
        fds_[0] = out[0];
        fds_[1] = err[0];
        if (pid_ > 0)
            pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    }
    Proc(const Proc&) = delete;
    Proc& operator=(const Proc&) = delete;
    ~Proc() {
        if (pid_ > 0 && code_ == kRunning) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        for (int fd : {fds_[0], fds_[1], pidfd_})
            if (fd >= 0)
                close(fd);
    }

    bool started() const { return pid_ > 0 && pidfd_ >= 0; }
    pid_t pid() const { return pid_; }
    const std::string& out() const { return out_; }
    const std::string& err() const { return err_; }
    bool running() {
        reap(false);
        return code_ == kRunning;
    }

    // Reads until stderr holds `text` after position `from` (or the timeout,
    // or the process ends). True if it does.
    bool wait_log(const std::string& text, std::chrono::milliseconds timeout = 10s, size_t from = 0) {
        const auto until = Clock::now() + timeout;
        while (err_.find(text, from) == std::string::npos)
            if (!pump(until))
                return err_.find(text, from) != std::string::npos;
        return true;
    }

    // Waits for the exit (SIGKILL after the timeout); the exit code, or -1.
    int wait_exit(std::chrono::milliseconds timeout = 30s) {
        const auto until = Clock::now() + timeout;
        while (pump(until)) {
        }
        pollfd p{pidfd_, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
        if (code_ == kRunning && poll(&p, 1, static_cast<int>(std::max<int64_t>(left, 0))) <= 0) {
            kill(pid_, SIGKILL);
            reap(true);
            return -1;
        }
        reap(true);
        return code_;
    }

private:
    static constexpr int kRunning = -2;
    pid_t pid_ = -1;
    int pidfd_ = -1;
    int fds_[2] = {-1, -1};
    std::string out_, err_;
    int code_ = kRunning;

    void reap(bool block) {
        if (pid_ <= 0 || code_ != kRunning)
            return;
        int status = 0;
        if (waitpid(pid_, &status, block ? 0 : WNOHANG) == pid_)
            code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    // Reads what comes until `until`; false once both pipes are closed or time is up.
    bool pump(Clock::time_point until) {
        pollfd p[2] = {{fds_[0], POLLIN, 0}, {fds_[1], POLLIN, 0}};
        if (fds_[0] < 0 && fds_[1] < 0)
            return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
        if (left <= 0 || poll(p, 2, static_cast<int>(left)) <= 0)
            return false;
        std::string* sinks[2] = {&out_, &err_};
        for (int i = 0; i < 2; i++) {
            if (!p[i].revents)
                continue;
            char buf[4096];
            const ssize_t n = read(fds_[i], buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, size_t(n));
            } else {
                close(fds_[i]);
                fds_[i] = -1;
            }
        }
        return true;
    }
};

struct Result {
    int code = -1;
    std::string out, err;
};

inline Result run(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 30s) {
    Proc p(args);
    Result r;
    r.code = p.wait_exit(timeout);
    r.out = p.out();
    r.err = p.err();
    return r;
}

inline std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size();) {
        size_t j = s.find(' ', i);
        if (j == std::string::npos)
            j = s.size();
        if (j > i)
            out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

inline std::vector<std::string> cat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

inline constexpr const char* kDst = "fcbb:0:800:2::20";
inline constexpr const char* kPeerMac = "02:00:00:00:00:02";

class VethTest : public ::testing::Test {
protected:
    testns::PrivateNamespaces ns_;
    testns::PeerNamespace peer_ns_;
    std::string bpffs_, tmp_;

    void SetUp() override {
        if (geteuid() != 0)
            GTEST_SKIP() << "needs root (network namespaces, bpffs, BPF)";
        ASSERT_NO_FATAL_FAILURE(ns_.enter("cli"));
        bpffs_ = ns_.bpffs();
        tmp_ = ns_.tmp();
        ASSERT_NO_FATAL_FAILURE(peer_ns_.start());
        sh("ip link set lo up");
        make_veth();
    }

    // veth0 and its peer, addressed, with the route through the peer and a
    // permanent neighbour entry for it (packets leave at once, no ND).
    void make_veth() {
        const std::string peer = peer_ns_.nsenter();
        sh("ip link add veth0 type veth peer name veth1 address " + std::string(kPeerMac) + " netns " +
           std::to_string(peer_ns_.pid()));
        sh("ip addr add fcbb:0:800:1::1/64 dev veth0 nodad && ip link set veth0 up");
        sh(peer + "ip link set lo up && " + peer + "ip addr add fcbb:0:800:1::2/64 dev veth1 nodad && " + peer +
           "ip link set veth1 up");
        sh("ip -6 route add fcbb:0:800:2::/64 via fcbb:0:800:1::2 dev veth0");
        sh("ip -6 neigh replace fcbb:0:800:1::2 lladdr " + std::string(kPeerMac) + " dev veth0 nud permanent");
    }

    // A shell command's stdout; fails the test if it fails.
    std::string sh(const std::string& cmd) {
        Result r = run({"/bin/sh", "-c", cmd});
        EXPECT_EQ(r.code, 0) << cmd << "\n" << r.err;
        return r.out;
    }

    std::vector<std::string> with_bpffs(std::vector<std::string> args) const {
        args.insert(args.begin(), SRV6STEER_BIN);
        args.push_back("--bpffs");
        args.push_back(bpffs_);
        return args;
    }
    // srv6steer ARGS --bpffs <ours>
    Result cli(const std::vector<std::string>& args) { return run(with_bpffs(args)); }
    // srv6steer ARGS, nothing added
    Result raw(std::vector<std::string> args) {
        args.insert(args.begin(), SRV6STEER_BIN);
        return run(args);
    }
    // Runs a command that must succeed.
    std::string ok(const std::vector<std::string>& args) {
        Result r = cli(args);
        EXPECT_EQ(r.code, 0) << r.err;
        return r.out;
    }
    json ok_json(std::vector<std::string> args) {
        args.push_back("-j");
        const std::string out = ok(args);
        try {
            return json::parse(out);
        } catch (const json::exception&) {
            ADD_FAILURE() << "not JSON: " << out;
            return {};
        }
    }
    // A command that must fail with `code` and say `message` on stderr, in
    // the CLI's words (no constant or map names of the C code).
    void fails(const std::vector<std::string>& args, int code, const std::string& message) {
        Result r = cli(args);
        std::string cmd;
        for (const auto& a : args)
            cmd += a + " ";
        EXPECT_EQ(r.code, code) << cmd << "\n" << r.out << r.err;
        EXPECT_NE(r.err.find(message), std::string::npos) << cmd << "\nstderr: " << r.err << "\nwanted: " << message;
        for (const char* internal : {"SRV6S_", "srv6s_"})
            EXPECT_EQ(r.err.find(internal), std::string::npos) << cmd << "\nstderr: " << r.err;
        if (code == 2)
            EXPECT_NE(r.err.find("Usage"), std::string::npos) << r.err;
        else
            EXPECT_EQ(r.err.find("Usage"), std::string::npos) << "not a usage error: " << r.err;
    }

    // Everything user-visible about veth0's paths, sets and pins.
    json snapshot() {
        return {{"paths", ok_json({"path", "list", "-d", "veth0"})},
                {"sets", ok_json({"set", "list", "-d", "veth0"})},
                {"flows", ok_json({"list", "flows", "-d", "veth0"})},
                {"qps", ok_json({"list", "qps", "-d", "veth0"})},
                {"prefixes", ok_json({"list", "prefixes", "-d", "veth0"})}};
    }
    // The same without the pins' creation times: a pin that apply changed and
    // then put back on failure has its old target and owner, but a new time.
    json targets() {
        json s = snapshot();
        for (const char* kind : {"flows", "qps", "prefixes"})
            for (auto& pin : s[kind])
                pin.erase("created");
        return s;
    }
    // The IPv6 routes, without the link-local ones: the kernel adds those
    // when veth0's link-local address finishes DAD, on its own schedule
    // (seen: between two calls of one test), and srv6steer never touches them.
    std::string routes() {
        std::istringstream all(sh("ip -6 route show table all"));
        std::string out, line;
        while (std::getline(all, line))
            if (line.find("fe80:") == std::string::npos)
                out += line + "\n";
        return out;
    }
    json status() { return ok_json({"status"}); }
    // Whatever srv6steer has pinned in our bpffs (directories aside).
    std::vector<std::string> pins_left() {
        std::vector<std::string> out;
        std::error_code ec;  // no srv6steer/ at all: nothing
        for (const auto& e : fs::recursive_directory_iterator(bpffs_ + "/srv6steer", ec))
            if (!e.is_directory())
                out.push_back(e.path());
        return out;
    }
    std::string config(const std::string& name, const std::string& text) {
        const std::string path = tmp_ + "/" + name;
        std::ofstream(path) << text;
        return path;
    }

    // n UDP datagrams of 100 payload bytes from [fcbb:0:800:1::1]:sport to
    // [dst]:dport. The neighbour is permanent, so each has passed TC egress
    // of veth0 (and its counters) when sendto returns.
    void send_udp(const char* dst, uint16_t sport, uint16_t dport, int n) {
        const int fd = socket(AF_INET6, SOCK_DGRAM, 0);
        ASSERT_GE(fd, 0);
        sockaddr_in6 from{}, to{};
        from.sin6_family = to.sin6_family = AF_INET6;
        from.sin6_port = htons(sport);
        to.sin6_port = htons(dport);
        inet_pton(AF_INET6, "fcbb:0:800:1::1", &from.sin6_addr);
        inet_pton(AF_INET6, dst, &to.sin6_addr);
        ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from), 0) << strerror(errno);
        const char payload[100] = {};
        for (int i = 0; i < n; i++)
            ASSERT_EQ(sendto(fd, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
                      ssize_t(sizeof payload))
                << strerror(errno);
        close(fd);
    }
};

inline constexpr const char* kFlow = "udp fcbb:0:800:1::1 40000 fcbb:0:800:2::20 5201";

// The example file of loader/README.md.
inline constexpr const char* kGoodConfig = R"({ "block": "fcbb:0::/32",
  "paths": [ {"id": 1, "usids": "1004,1001,1006,fe06"},
             {"id": 2, "usids": ["1004","1002","1006","fe06"], "block": "fcbb:0::/32"},
             {"id": 3, "segments": ["fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"], "srh": "full", "down": false} ],
  "sets":  [ {"id": 10, "paths": [1, 2]} ],
  "flows":    [ {"flow": "tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201", "path": 1} ],
  "qps":      [ {"qp": "fcbb:0:800:2::20 0x123", "set": 10} ],
  "prefixes": [ {"prefix": "fcbb:0:800:2::/64", "path": 2} ] }
)";

// The commands' tests: VethTest with srv6steer attached and paths added on demand.
class Cli : public VethTest {
protected:
    void attach(const std::vector<std::string>& extra = {}) {
        const std::string out = ok(cat({"attach", "veth0"}, extra));
        EXPECT_NE(out.find("attached to veth0"), std::string::npos) << out;
    }
    void add_paths() {
        ok({"path", "add", "1", "--usids", "1004,1001,1006,fe06", "--block", "fcbb:0::/32"});
        ok({"path", "add", "2", "--segs", "fcbb:0:1004:1001:1005:1002:1006:e003,fcbb:0:fe06::", "--full-srh"});
    }
    // bpftool fails when a link (of any test running in parallel) goes away
    // while it walks them: try again.
    json bpf_links() {
        for (int i = 0; i < 10; i++) {
            Result r = run({"bpftool", "-j", "link", "show"});
            if (r.code == 0)
                return json::parse(r.out);
        }
        ADD_FAILURE() << "bpftool link show keeps failing";
        return json::array();
    }
};

}  // namespace clitest
