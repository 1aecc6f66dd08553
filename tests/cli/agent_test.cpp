// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer agent` end to end, the way cli_test.cpp runs the CLI: every test
// in a network namespace of its own (veth0 here, veth1 in a namespace behind
// it) with a private bpffs; the agent is the built binary, run once or in the
// background, and its log (stderr) is read as it comes. Every wait is bounded.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "private_ns.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A process with its stdout and stderr read into strings as they come.
class Proc {
public:
    // Killed with the test at the latest (PR_SET_PDEATHSIG): an agent never outlives it.
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
            prctl(PR_SET_PDEATHSIG, SIGKILL);
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
    }
    Proc(const Proc&) = delete;
    Proc& operator=(const Proc&) = delete;
    ~Proc() {
        if (pid_ > 0 && code_ == kRunning) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        for (int fd : fds_)
            if (fd >= 0)
                close(fd);
    }

    bool started() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }
    const std::string& out() const { return out_; }
    const std::string& err() const { return err_; }
    bool running() {
        reap(false);
        return code_ == kRunning;
    }

    // Reads until stderr holds `text` after position `from` (or the timeout,
    // or the process ends). True if it does.
    bool wait_log(const std::string& text, std::chrono::milliseconds timeout = 5s, size_t from = 0) {
        const auto until = Clock::now() + timeout;
        while (err_.find(text, from) == std::string::npos) {
            if (!pump(until))
                return err_.find(text, from) != std::string::npos;
        }
        return true;
    }

    // Waits for the exit (SIGKILL after the timeout); the exit code, or -1.
    int wait_exit(std::chrono::milliseconds timeout = 5s) {
        const auto until = Clock::now() + timeout;
        while (pump(until)) {
        }
        while (code_ == kRunning && Clock::now() < until) {
            reap(false);
            if (code_ == kRunning)
                std::this_thread::sleep_for(10ms);
        }
        if (code_ == kRunning) {
            kill(pid_, SIGKILL);
            reap(true);
            return -1;
        }
        return code_;
    }

private:
    static constexpr int kRunning = -2;
    pid_t pid_ = -1;
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

// A process that waits for its end, for --owner-pid: killed with the test at
// the latest (and on the way out of a failed assertion).
class Child {
public:
    Child() {
        pid_ = fork();
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            pause();
            _exit(0);
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() { end(); }
    pid_t pid() const { return pid_; }
    void end() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        pid_ = -1;
    }

private:
    pid_t pid_ = -1;
};

struct Result {
    int code = -1;
    std::string out, err;
};

Result run(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 10s) {
    Proc p(args);
    Result r;
    r.code = p.wait_exit(timeout);
    r.out = p.out();
    r.err = p.err();
    return r;
}

// 3 paths, a set, one pin of each kind (the example of loader/README.md, less the qp's set).
constexpr const char* kConfig = R"({ "block": "fcbb:0::/32",
  "paths": [ {"id": 1, "usids": "1004,1001,1006,fe06"},
             {"id": 2, "usids": "1004,1002,1006,fe06"},
             {"id": 3, "segments": ["fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"], "srh": "full"} ],
  "sets":  [ {"id": 10, "paths": [1, 2]} ],
  "flows":    [ {"flow": "tcp fcbb:0:800:1::1 40000 fcbb:0:800:2::20 5201", "path": 1} ],
  "qps":      [ {"qp": "fcbb:0:800:2::20 0x123", "set": 10} ],
  "prefixes": [ {"prefix": "fcbb:0:800:2::/64", "path": 2} ] }
)";
// The same, changed: path 2 gone, set 10 is paths 1 and 3, the flow moved to the set.
constexpr const char* kChanged = R"({ "block": "fcbb:0::/32",
  "paths": [ {"id": 1, "usids": "1004,1001,1006,fe06"},
             {"id": 3, "segments": ["fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"], "srh": "full"} ],
  "sets":  [ {"id": 10, "paths": [1, 3]} ],
  "flows":    [ {"flow": "tcp fcbb:0:800:1::1 40000 fcbb:0:800:2::20 5201", "set": 10} ],
  "qps":      [ {"qp": "fcbb:0:800:2::20 0x123", "set": 10} ],
  "prefixes": [ {"prefix": "fcbb:0:800:2::/64", "path": 1} ] }
)";

class Agent : public ::testing::Test {
protected:
    testns::PrivateNamespaces ns_;
    testns::PeerNamespace peer_ns_;
    std::string tmp_, bpffs_, config_;

    void SetUp() override {
        if (geteuid() != 0)
            GTEST_SKIP() << "needs root (network namespaces, bpffs, BPF)";
        ASSERT_NO_FATAL_FAILURE(ns_.enter("agent"));
        tmp_ = ns_.tmp();
        bpffs_ = ns_.bpffs();
        config_ = tmp_ + "/config.json";
        ASSERT_NO_FATAL_FAILURE(peer_ns_.start());
        const std::string peer = peer_ns_.nsenter();
        sh("ip link set lo up && ip link add veth0 type veth peer name veth1 netns " +
           std::to_string(peer_ns_.pid()));
        sh("ip addr add fcbb:0:800:1::1/64 dev veth0 nodad && ip link set veth0 up");
        sh(peer + "ip link set lo up && " + peer + "ip addr add fcbb:0:800:1::2/64 dev veth1 nodad && " + peer +
           "ip link set veth1 up");
        sh("ip -6 route add fcbb:0:800:2::/64 via fcbb:0:800:1::2 dev veth0");
    }

    void sh(const std::string& cmd) {
        Result r = run({"/bin/sh", "-c", cmd});
        ASSERT_EQ(r.code, 0) << cmd << "\n" << r.err;
    }

    // Replaced in one step, as kubelet updates a ConfigMap volume: the agent
    // never reads half a file.
    void write_config(const std::string& text) {
        const std::string next = config_ + ".next";
        std::ofstream(next) << text;
        fs::rename(next, config_);
    }

    std::vector<std::string> with_bpffs(std::vector<std::string> args) {
        args.insert(args.begin(), SRV6STEER_BIN);
        args.push_back("--bpffs");
        args.push_back(bpffs_);
        return args;
    }
    Result cli(const std::vector<std::string>& args) { return run(with_bpffs(args)); }
    json ok_json(std::vector<std::string> args) {
        args.push_back("-j");
        Result r = cli(args);
        EXPECT_EQ(r.code, 0) << r.err;
        try {
            return json::parse(r.out);
        } catch (const json::exception&) {
            ADD_FAILURE() << "not JSON: " << r.out;
            return {};
        }
    }
    // Paths, sets and pins (with their creation times: a pin made again has a new one).
    json snapshot() {
        return {{"paths", ok_json({"path", "list", "-d", "veth0"})},
                {"sets", ok_json({"set", "list", "-d", "veth0"})},
                {"flows", ok_json({"list", "flows", "-d", "veth0"})},
                {"qps", ok_json({"list", "qps", "-d", "veth0"})},
                {"prefixes", ok_json({"list", "prefixes", "-d", "veth0"})}};
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
    std::vector<uint32_t> path_ids() {
        std::vector<uint32_t> ids;
        for (const auto& p : ok_json({"path", "list", "-d", "veth0"}))
            ids.push_back(p["id"]);
        return ids;
    }

    Result once(std::vector<std::string> extra = {"-d", "veth0"}) {
        std::vector<std::string> args{"agent", "--once", "-c", config_};
        args.insert(args.end(), extra.begin(), extra.end());
        return cli(args);
    }
    std::unique_ptr<Proc> start(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"agent", "-c", config_, "-d", "veth0", "--interval", "1"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto p = std::make_unique<Proc>(with_bpffs(args));
        EXPECT_TRUE(p->started());
        return p;
    }
};

// ---- --once, --check ---------------------------------------------------------------------

TEST_F(Agent, OnceAttachesAppliesAndExits) {
    write_config(kConfig);
    Result r = once();
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("srv6steer[veth0]: attached to veth0 (tcx"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("applied config: +3 paths, +1 set, +3 pins\n"), std::string::npos) << r.err;
    // One line per action, each with a timestamp: 2025-06-01T12:00:00.123Z.
    for (size_t at = 0; at < r.err.size(); at = r.err.find('\n', at) + 1)
        EXPECT_EQ(r.err.substr(at + 10, 1) + r.err.substr(at + 23, 2), "TZ ") << r.err.substr(at);
    // stdout: apply's steps, as `srv6steer apply` prints them.
    EXPECT_NE(r.out.find("+ pin prefix fcbb:0:800:2::/64 -> path 2\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("applied 7 changes to veth0"), std::string::npos) << r.out;

    const json st = status();
    ASSERT_EQ(st.size(), 1u);
    EXPECT_EQ(st[0]["interface"], "veth0");
    EXPECT_EQ(st[0]["paths"], 3);
    EXPECT_EQ(st[0]["flows"]["used"], 1);
    EXPECT_EQ(st[0]["qps"]["used"], 1);
    EXPECT_EQ(st[0]["prefixes"]["used"], 1);
}

TEST_F(Agent, ARestartedAgentDisturbsNothing) {
    write_config(kConfig);
    ASSERT_EQ(once().code, 0);
    const json before = snapshot();
    const json st = status();
    std::this_thread::sleep_for(1100ms);  // a pin made again would show a later creation time

    Result r = once();
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("srv6steer is already attached to veth0 (tcx, prog " + std::to_string(int(st[0]["prog_id"]))),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(": keeping its state"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("applied config: veth0 already matches it, nothing to change"), std::string::npos) << r.err;
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(status()[0]["prog_id"], st[0]["prog_id"]);
    EXPECT_EQ(status()[0]["link_id"], st[0]["link_id"]);
}

TEST_F(Agent, InterfaceFromTheConfigFile) {
    json cfg = json::parse(kConfig);
    cfg["interface"] = "veth0";
    write_config(cfg.dump());
    Result r = once({});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("attached to veth0"), std::string::npos) << r.err;
    // `apply` reads it too (no -d), and accepts the key.
    r = cli({"apply", "-f", config_, "--dry-run"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("veth0 already matches"), std::string::npos) << r.out;

    // -d wins, and says so.
    cfg["interface"] = "eth7";
    write_config(cfg.dump());
    r = once();
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("-d veth0 overrides \"interface\": \"eth7\" of " + config_), std::string::npos) << r.err;

    // Neither: a usage error. A name that is not one: a problem of the file.
    cfg.erase("interface");
    write_config(cfg.dump());
    r = once({});
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("give the interface: -d DEV, or \"interface\": \"DEV\" in " + config_), std::string::npos)
        << r.err;
    cfg["interface"] = "much-too-long-name0";
    write_config(cfg.dump());
    r = once();
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("interface: expected an interface name of 1 to 15 characters"), std::string::npos) << r.err;
}

TEST_F(Agent, MissingConfigIsAnErrorAndAttachesNothing) {
    Result r = cli({"agent", "-c", tmp_ + "/nosuch.json", "-d", "veth0"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("srv6steer: cannot read " + tmp_ + "/nosuch.json: No such file or directory"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(status(), json::array());
    r = cli({"agent", "-d", "veth0"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("missing --config FILE"), std::string::npos) << r.err;
    r = cli({"agent", "-c", config_, "--once", "--detach-on-exit"});
    EXPECT_EQ(r.code, 2);
    r = cli({"agent", "-c", config_, "--interval", "0"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("invalid --interval \"0\""), std::string::npos) << r.err;
}

TEST_F(Agent, OnceWithAnInvalidFileFailsAndChangesNothing) {
    write_config(kConfig);
    ASSERT_EQ(once().code, 0);
    const json before = snapshot();
    write_config(R"({"paths": [{"id": 1, "usids": "zz"}], "flows": 3})");
    Result r = once();
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("config invalid, keeping previous state: " + config_ +
                         ": 3 problems, nothing was changed: paths[0]"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 2) << r.err;  // "already attached", "invalid"
    EXPECT_EQ(snapshot(), before);
}

TEST_F(Agent, CheckValidatesAndTouchesNothing) {
    write_config(kConfig);
    Result r = cli({"agent", "--check", "-c", config_});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, config_ + " is valid: 3 paths, 1 set, 3 pins\n");
    EXPECT_EQ(status(), json::array());
    EXPECT_EQ(pins_left(), std::vector<std::string>{});

    write_config(R"({"paths": [{"id": 1, "usids": "1004", "block": "fcbb:0::/32"}],
                     "prefixes": [{"prefix": "fcbb:0:800:2::/64", "path": 2}]})");
    r = cli({"agent", "--check", "-c", config_});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("prefixes[0].path: path 2 is not in the file"), std::string::npos) << r.err;
    r = cli({"agent", "--check", "-c", config_, "--max-prefixes", "1"});
    EXPECT_EQ(r.code, 1);
}

// ---- the running agent -----------------------------------------------------------------------

TEST_F(Agent, AppliesChangesKeepsStateOnABadFileExitsOnSigterm) {
    write_config(kConfig);
    auto agent = start();
    ASSERT_TRUE(agent->wait_log("applied config: +3 paths, +1 set, +3 pins\n")) << agent->err();
    EXPECT_NE(agent->err().find("keeping veth0 as " + config_ + " says, every 1 s"), std::string::npos);

    // A changed file is applied within the interval.
    size_t mark = agent->err().size();
    write_config(kChanged);
    ASSERT_TRUE(agent->wait_log("applied config: ~1 set, ~2 pins, -1 path\n", 3s, mark)) << agent->err();
    EXPECT_EQ(path_ids(), (std::vector<uint32_t>{1, 3}));
    const json good = snapshot();

    // A bad file is logged (once), the previous state stays, the agent runs on.
    mark = agent->err().size();
    write_config(R"({ "paths": [ {"id": 1, "usids": "1004,1001"} ] })");
    ASSERT_TRUE(agent->wait_log("config invalid, keeping previous state: ", 3s, mark)) << agent->err();
    EXPECT_NE(agent->err().find("\"usids\" need a \"block\"", mark), std::string::npos) << agent->err();
    std::this_thread::sleep_for(2200ms);  // two more rounds: no new line, nothing changed
    EXPECT_EQ(agent->err().find("config invalid", agent->err().find("config invalid", mark) + 1), std::string::npos);
    EXPECT_TRUE(agent->running()) << agent->err();
    EXPECT_EQ(snapshot(), good);
    // Truncated JSON too.
    mark = agent->err().size();
    write_config(R"({ "paths": [ )");
    ASSERT_TRUE(agent->wait_log("config invalid, keeping previous state: " + config_ + ": parse error at line 1", 3s, mark))
        << agent->err();
    EXPECT_EQ(snapshot(), good);

    // Fixed: applied again.
    mark = agent->err().size();
    write_config(kConfig);
    ASSERT_TRUE(agent->wait_log("applied config: +1 path, ~1 set, ~2 pins\n", 3s, mark)) << agent->err();

    // SIGTERM: exit 0 promptly, steering stays.
    mark = agent->err().size();
    const auto t0 = Clock::now();
    kill(agent->pid(), SIGTERM);
    EXPECT_EQ(agent->wait_exit(3s), 0) << agent->err();
    EXPECT_LT(Clock::now() - t0, 1s);
    EXPECT_NE(agent->err().find("SIGTERM: exiting, steering on veth0 stays in place", mark), std::string::npos)
        << agent->err();
    const json st = status();
    ASSERT_EQ(st.size(), 1u);
    EXPECT_EQ(st[0]["paths"], 3);
    EXPECT_EQ(st[0]["prefixes"]["used"], 1);
}

TEST_F(Agent, CollectsPinsOfProcessesThatAreGone) {
    write_config(kConfig);
    auto agent = start();
    ASSERT_TRUE(agent->wait_log("applied config: +3 paths")) << agent->err();

    Child child;
    ASSERT_GT(child.pid(), 0);
    Result r = cli({"pin", "flow", "udp", "fcbb:0:800:1::1", "7", "fcbb:0:800:2::20", "7", "--path", "3",
                    "--owner-pid", std::to_string(child.pid()), "-d", "veth0"});
    EXPECT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(ok_json({"list", "flows", "-d", "veth0"}).size(), 2u);
    std::this_thread::sleep_for(1500ms);  // a round with the owner alive: the pin stays
    EXPECT_EQ(ok_json({"list", "flows", "-d", "veth0"}).size(), 2u);
    EXPECT_EQ(agent->err().find("gc:"), std::string::npos) << agent->err();

    child.end();
    ASSERT_TRUE(agent->wait_log("gc: removed 1 stale pin\n", 3s)) << agent->err();
    const json flows = ok_json({"list", "flows", "-d", "veth0"});
    ASSERT_EQ(flows.size(), 1u);
    EXPECT_EQ(flows[0]["owner_pid"], 0);  // the file's pin stays
    kill(agent->pid(), SIGTERM);
    EXPECT_EQ(agent->wait_exit(3s), 0);
}

// A job's pins (owned by its process) hold the job's own paths, which a new
// file does not list: apply refuses the file while they are there; the agent
// applies it in the round that collects them.
TEST_F(Agent, ANewConfigWaitsForTheJobPinsThatUseItsPaths) {
    write_config(kConfig);
    auto agent = start();
    ASSERT_TRUE(agent->wait_log("applied config: +3 paths")) << agent->err();
    Child job;
    ASSERT_GT(job.pid(), 0);
    ASSERT_EQ(cli({"path", "add", "1000", "--usids", "1002,1006,fe06", "--block", "fcbb:0::/32", "-d", "veth0"}).code,
              0);
    Result r = cli({"pin", "qp", "fcbb:0:800:2::21", "7", "--path", "1000", "--owner-pid", std::to_string(job.pid()),
                    "-d", "veth0"});
    ASSERT_EQ(r.code, 0) << r.err;

    size_t mark = agent->err().size();
    write_config(kChanged);
    ASSERT_TRUE(agent->wait_log("config invalid, keeping previous state: ", 3s, mark)) << agent->err();
    EXPECT_NE(agent->err().find("path 1000 is needed", mark), std::string::npos) << agent->err();
    EXPECT_EQ(path_ids(), (std::vector<uint32_t>{1, 2, 3, 1000}));

    mark = agent->err().size();
    job.end();
    ASSERT_TRUE(agent->wait_log("applied config: ~1 set, ~2 pins, -2 paths\n", 3s, mark)) << agent->err();
    const size_t gc = agent->err().find("gc: removed 1 stale pin\n", mark);
    EXPECT_LT(gc, agent->err().find("applied config", mark)) << agent->err();  // the same round, gc first
    EXPECT_EQ(path_ids(), (std::vector<uint32_t>{1, 3}));
    kill(agent->pid(), SIGTERM);
    EXPECT_EQ(agent->wait_exit(3s), 0);
}

TEST_F(Agent, AttachesAgainWhenDetachedUnderneath) {
    write_config(kConfig);
    auto agent = start();
    ASSERT_TRUE(agent->wait_log("applied config: +3 paths")) << agent->err();
    const size_t mark = agent->err().size();
    ASSERT_EQ(cli({"detach", "veth0"}).code, 0);
    ASSERT_TRUE(agent->wait_log("srv6steer is no longer attached to veth0", 3s, mark)) << agent->err();
    ASSERT_TRUE(agent->wait_log("applied config: +3 paths, +1 set, +3 pins\n", 3s, mark)) << agent->err();
    EXPECT_EQ(status()[0]["paths"], 3);
    kill(agent->pid(), SIGINT);
    EXPECT_EQ(agent->wait_exit(3s), 0);
    EXPECT_NE(agent->err().find("SIGINT: exiting"), std::string::npos) << agent->err();
}

TEST_F(Agent, DetachOnExitLeavesNothing) {
    write_config(kConfig);
    const std::string routes_before = [&] {
        Result r = run({"ip", "-6", "route", "show", "table", "all"});
        return r.out;
    }();
    auto agent = start({"--detach-on-exit"});
    ASSERT_TRUE(agent->wait_log("applied config: +3 paths")) << agent->err();
    EXPECT_NE(run({"ip", "-6", "route", "show"}).out.find("mtu"), std::string::npos);  // route MTUs were set

    kill(agent->pid(), SIGTERM);
    EXPECT_EQ(agent->wait_exit(3s), 0) << agent->err();
    EXPECT_NE(agent->err().find("SIGTERM: detached from veth0, exiting"), std::string::npos) << agent->err();
    EXPECT_EQ(status(), json::array());
    EXPECT_EQ(pins_left(), std::vector<std::string>{});
    EXPECT_EQ(run({"ip", "-6", "route", "show", "table", "all"}).out, routes_before);
    EXPECT_EQ(run({"tc", "qdisc", "show", "dev", "veth0"}).out.find("clsact"), std::string::npos);
}

}  // namespace
