// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer agent` end to end (cli_fixture.hpp): the agent is the built
// binary, run once or in the background, and its log (stderr) is read as it
// comes. Nothing waits for time to pass: a test that needs the agent to have
// done a round asks for one (SIGHUP) and waits for its "round N done" line
// (-v), every wait bounded; what must not have happened is checked after such
// a round.
#include <net/if.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "cli_fixture.hpp"

namespace {

using namespace clitest;

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

class Agent : public VethTest {
protected:
    std::string config_;

    void SetUp() override {
        VethTest::SetUp();
        config_ = tmp_ + "/config.json";
    }

    // Replaced in one step, as kubelet updates a ConfigMap volume: the agent
    // never reads half a file.
    void write_config(const std::string& text) {
        const std::string next = config_ + ".next";
        std::ofstream(next) << text;
        fs::rename(next, config_);
    }

    std::vector<uint32_t> path_ids() {
        std::vector<uint32_t> ids;
        for (const auto& p : ok_json({"path", "list", "-d", "veth0"}))
            ids.push_back(p["id"]);
        return ids;
    }

    Result once(std::vector<std::string> extra = {"-d", "veth0"}) {
        return cli(cat({"agent", "--once", "--no-socket", "-c", config_}, extra));
    }
    // The agent in the background, logging every round (-v), once its first
    // round is done.
    std::unique_ptr<Proc> start(std::vector<std::string> extra = {}, const std::string& interval = "1") {
        auto p = std::make_unique<Proc>(
            with_bpffs(cat({"agent", "--no-socket", "-c", config_, "-d", "veth0", "--interval", interval, "-v"}, extra)));
        EXPECT_TRUE(p->started());
        EXPECT_TRUE(p->wait_log("round 1 done\n")) << p->err();
        return p;
    }
    // Asks for a round (SIGHUP) and waits for the agent to log one done
    // after `from`; the position after that line.
    size_t round_after(Proc& agent, size_t from) {
        kill(agent.pid(), SIGHUP);
        EXPECT_TRUE(agent.wait_log(" done\n", 10s, from)) << agent.err();
        const size_t at = agent.err().find(" done\n", from);
        return at == std::string::npos ? agent.err().size() : at + 6;
    }
    // Two rounds done after `from`: the second began after `from`, so it saw
    // whatever was true then. The position after its line.
    size_t full_round_after(Proc& agent, size_t from) { return round_after(agent, round_after(agent, from)); }
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
    // stdout: the plan, as `srv6steer apply` prints it.
    EXPECT_NE(r.out.find("+ pin prefix fcbb:0:800:2::/64 -> path 2\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("applied 7 changes to veth0"), std::string::npos) << r.out;

    const json st = status();
    ASSERT_EQ(st.size(), 1u);
    EXPECT_EQ(st[0]["interface"], "veth0");
    EXPECT_EQ(st[0]["paths"], 3);
    EXPECT_EQ(st[0]["flows"]["used"], 1);
    EXPECT_EQ(st[0]["qps"]["used"], 1);
    EXPECT_EQ(st[0]["prefixes"]["used"], 1);
    EXPECT_EQ(st[0]["healthy"], true);
}

TEST_F(Agent, ARestartedAgentDisturbsNothing) {
    write_config(kConfig);
    ASSERT_EQ(once().code, 0);
    // Traffic through the prefix pin: a pin made again would start from 0.
    send_udp("fcbb:0:800:2::99", 9, 9, 3);
    const json before = snapshot();
    ASSERT_EQ(before["prefixes"][0]["packets"], 3) << before.dump();
    const json st = status();

    Result r = once();
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("srv6steer is already attached to veth0 (tcx, prog " + std::to_string(int(st[0]["prog_id"]))),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(": keeping its state"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("applied config: veth0 already matches it, nothing to change"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "veth0 already matches " + config_ + ": nothing to change\n");
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

    // Neither: the agent does not know what to steer (exit 1: the file, not
    // the command line, lacks it). A name that is not one: a problem of the file.
    cfg.erase("interface");
    write_config(cfg.dump());
    r = once({});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("give the interface: -d DEV, or \"interface\": \"DEV\" in " + config_), std::string::npos)
        << r.err;
    cfg["interface"] = "much-too-long-name0";
    write_config(cfg.dump());
    r = once();
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("interface: expected an interface name of 1 to 15 characters"), std::string::npos) << r.err;
    cfg["interface"] = 5;
    write_config(cfg.dump());
    r = once({});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("interface: expected a string, got 5"), std::string::npos) << r.err;
}

TEST_F(Agent, MissingConfigIsAnErrorAndAttachesNothing) {
    Result r = cli({"agent", "-c", tmp_ + "/nosuch.json", "-d", "veth0"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("srv6steer: cannot read " + tmp_ + "/nosuch.json: No such file or directory"),
              std::string::npos)
        << r.err;
    r = cli({"agent", "-c", tmp_, "-d", "veth0"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("it is a directory"), std::string::npos) << r.err;
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

    // A changed file is applied in a round of the interval (no SIGHUP here).
    size_t mark = agent->err().size();
    write_config(kChanged);
    ASSERT_TRUE(agent->wait_log("applied config: ~1 set, ~2 pins, -1 path\n", 10s, mark)) << agent->err();
    EXPECT_EQ(path_ids(), (std::vector<uint32_t>{1, 3}));
    const json good = snapshot();

    // A bad file is logged (once), the previous state stays, the agent runs on.
    mark = agent->err().size();
    write_config(R"({ "paths": [ {"id": 1, "usids": "1004,1001"} ] })");
    ASSERT_TRUE(agent->wait_log("config invalid, keeping previous state: ", 10s, mark)) << agent->err();
    const size_t reported = agent->err().find("config invalid", mark);
    EXPECT_NE(agent->err().find("\"usids\" need a \"block\"", mark), std::string::npos) << agent->err();
    const size_t after = full_round_after(*agent, reported);
    EXPECT_EQ(agent->err().find("config invalid", reported + 1), std::string::npos)
        << "logged once, not every round:\n" << agent->err().substr(0, after);
    EXPECT_TRUE(agent->running()) << agent->err();
    EXPECT_EQ(snapshot(), good);
    // Truncated JSON too.
    mark = agent->err().size();
    write_config(R"({ "paths": [ )");
    ASSERT_TRUE(agent->wait_log("config invalid, keeping previous state: " + config_ + ": parse error at line 1", 10s, mark))
        << agent->err();
    EXPECT_EQ(snapshot(), good);

    // Fixed: applied again.
    mark = agent->err().size();
    write_config(kConfig);
    ASSERT_TRUE(agent->wait_log("applied config: +1 path, ~1 set, ~2 pins\n", 10s, mark)) << agent->err();

    // SIGTERM: exit 0, steering stays.
    mark = agent->err().size();
    kill(agent->pid(), SIGTERM);
    EXPECT_EQ(agent->wait_exit(10s), 0) << agent->err();
    EXPECT_NE(agent->err().find("SIGTERM: exiting, steering on veth0 stays in place", mark), std::string::npos)
        << agent->err();
    const json st = status();
    ASSERT_EQ(st.size(), 1u);
    EXPECT_EQ(st[0]["paths"], 3);
    EXPECT_EQ(st[0]["prefixes"]["used"], 1);
}

// The file is read once per round: what the round parses is what it applies
// and records (inotify counts the opens).
TEST_F(Agent, ReadsTheFileOncePerRound) {
    write_config(kConfig);
    const int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    ASSERT_GE(in, 0);
    ASSERT_GE(inotify_add_watch(in, tmp_.c_str(), IN_OPEN), 0);
    auto opens = [&] {
        size_t n = 0;
        alignas(inotify_event) char buf[4096];
        for (ssize_t len; (len = read(in, buf, sizeof buf)) > 0;)
            for (char* p = buf; p < buf + len;) {
                const auto* e = reinterpret_cast<const inotify_event*>(p);
                n += e->len && std::string(e->name) == "config.json";
                p += sizeof(inotify_event) + e->len;
            }
        return n;
    };
    auto agent = start({}, "3600");  // rounds on SIGHUP only
    ASSERT_TRUE(agent->wait_log("round 1 done\n")) << agent->err();
    EXPECT_EQ(opens(), 1u) << "the start and the first round share one read";
    size_t mark = agent->err().size();
    for (int i = 0; i < 3; i++) {
        mark = round_after(*agent, mark);
        EXPECT_EQ(opens(), 1u) << "round " << i + 2;
    }
    write_config(kChanged);
    opens();  // the rename opens nothing; drain anyway
    mark = round_after(*agent, mark);
    EXPECT_EQ(opens(), 1u);
    EXPECT_NE(agent->err().find("applied config: ~1 set, ~2 pins, -1 path\n"), std::string::npos) << agent->err();
    EXPECT_EQ(path_ids(), (std::vector<uint32_t>{1, 3}));
    close(in);
    kill(agent->pid(), SIGTERM);
    EXPECT_EQ(agent->wait_exit(10s), 0);
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
    full_round_after(*agent, agent->err().size());  // a whole round with the owner alive: the pin stays
    EXPECT_EQ(ok_json({"list", "flows", "-d", "veth0"}).size(), 2u);
    EXPECT_EQ(agent->err().find("gc:"), std::string::npos) << agent->err();

    const size_t mark = agent->err().size();
    child.end();
    kill(agent->pid(), SIGHUP);
    ASSERT_TRUE(agent->wait_log("gc: removed 1 stale pin\n", 10s, mark)) << agent->err();
    const json flows = ok_json({"list", "flows", "-d", "veth0"});
    ASSERT_EQ(flows.size(), 1u);
    EXPECT_EQ(flows[0]["owner_pid"], 0);  // the file's pin stays
    kill(agent->pid(), SIGTERM);
    EXPECT_EQ(agent->wait_exit(10s), 0);
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
    ASSERT_TRUE(agent->wait_log("config invalid, keeping previous state: ", 10s, mark)) << agent->err();
    EXPECT_NE(agent->err().find("path 1000 is needed", mark), std::string::npos) << agent->err();
    EXPECT_EQ(path_ids(), (std::vector<uint32_t>{1, 2, 3, 1000}));

    mark = agent->err().size();
    job.end();
    ASSERT_TRUE(agent->wait_log("applied config: ~1 set, ~2 pins, -2 paths\n", 10s, mark)) << agent->err();
    const size_t gc = agent->err().find("gc: removed 1 stale pin\n", mark);
    EXPECT_LT(gc, agent->err().find("applied config", mark)) << agent->err();  // the same round, gc first
    EXPECT_EQ(path_ids(), (std::vector<uint32_t>{1, 3}));
    kill(agent->pid(), SIGTERM);
    EXPECT_EQ(agent->wait_exit(10s), 0);
}

TEST_F(Agent, AttachesAgainWhenDetachedUnderneath) {
    write_config(kConfig);
    auto agent = start();
    ASSERT_TRUE(agent->wait_log("applied config: +3 paths")) << agent->err();
    const size_t mark = agent->err().size();
    ASSERT_EQ(cli({"detach", "veth0"}).code, 0);
    ASSERT_TRUE(agent->wait_log("srv6steer is no longer attached to veth0", 10s, mark)) << agent->err();
    ASSERT_TRUE(agent->wait_log("applied config: +3 paths, +1 set, +3 pins\n", 10s, mark)) << agent->err();
    EXPECT_EQ(status()[0]["paths"], 3);
    kill(agent->pid(), SIGINT);
    EXPECT_EQ(agent->wait_exit(10s), 0);
    EXPECT_NE(agent->err().find("SIGINT: exiting"), std::string::npos) << agent->err();
}

// The interface deleted and made again under the agent: the old attachment
// is dead (another ifindex, no program on the new interface); the agent
// detaches it, attaches to the new one and applies the file again.
TEST_F(Agent, AttachesAgainWhenTheAttachmentIsDead) {
    write_config(kConfig);
    auto agent = start({}, "3600");  // rounds on SIGHUP only
    ASSERT_TRUE(agent->wait_log("applied config: +3 paths")) << agent->err();
    const int old_ifindex = status()[0]["ifindex"];
    const size_t mark = agent->err().size();
    sh("ip link del veth0");
    make_veth();
    ASSERT_NE(int(if_nametoindex("veth0")), old_ifindex);
    round_after(*agent, mark);
    EXPECT_NE(agent->err().find("srv6steer on veth0 does not steer (", mark), std::string::npos) << agent->err();
    EXPECT_NE(agent->err().find("): detaching and attaching again", mark), std::string::npos) << agent->err();
    EXPECT_NE(agent->err().find("attached to veth0 (tcx", mark), std::string::npos) << agent->err();
    EXPECT_NE(agent->err().find("applied config: +3 paths, +1 set, +3 pins\n", mark), std::string::npos)
        << agent->err();
    const json st = status();
    ASSERT_EQ(st.size(), 1u);
    EXPECT_EQ(st[0]["ifindex"], int(if_nametoindex("veth0")));
    EXPECT_EQ(st[0]["healthy"], true) << st.dump();
    EXPECT_EQ(st[0]["paths"], 3);
    EXPECT_EQ(cli({"status", "--check"}).code, 0);
    // Traffic is steered again: through the prefix pin on the new interface.
    send_udp("fcbb:0:800:2::99", 9, 9, 2);
    EXPECT_EQ(ok_json({"list", "prefixes", "-d", "veth0"})[0]["packets"], 2);
    kill(agent->pid(), SIGTERM);
    EXPECT_EQ(agent->wait_exit(10s), 0);
}

TEST_F(Agent, DetachOnExitLeavesNothing) {
    write_config(kConfig);
    const std::string routes_before = routes();
    auto agent = start({"--detach-on-exit"});
    ASSERT_TRUE(agent->wait_log("applied config: +3 paths")) << agent->err();
    EXPECT_NE(run({"ip", "-6", "route", "show"}).out.find("mtu"), std::string::npos);  // route MTUs were set

    kill(agent->pid(), SIGTERM);
    EXPECT_EQ(agent->wait_exit(10s), 0) << agent->err();
    EXPECT_NE(agent->err().find("SIGTERM: detached from veth0, exiting"), std::string::npos) << agent->err();
    EXPECT_EQ(status(), json::array());
    EXPECT_EQ(pins_left(), std::vector<std::string>{});
    EXPECT_EQ(routes(), routes_before);
    EXPECT_EQ(run({"tc", "qdisc", "show", "dev", "veth0"}).out.find("clsact"), std::string::npos);
}

}  // namespace

// ---- probes (docs/design.md §16) ----------------------------------------------------------

namespace {

// kConfig with a "probes" section.
std::string with_probes(const std::string& probes) {
    std::string s = kConfig;
    s.erase(s.rfind('}'));
    return s + ", \"probes\": " + probes + " }\n";
}

json path_of(const json& stats, uint32_t id) {
    for (const auto& p : stats["paths"])
        if (p["id"] == id)
            return p;
    return {};
}

}  // namespace

TEST_F(Agent, BadProbeSettingsRefuseTheFile) {
    write_config(with_probes(R"({"interval_ms": 0, "misses": "x", "bogus": 1, "return": {"x": "fcbb::"},
                                 "targets": [{"path": 1, "to": "nowhere"}, {"to": "fcbb:0:800:2::20"}]})"));
    const Result r = cli({"agent", "--check", "-c", config_});
    EXPECT_EQ(r.code, 1);
    for (const char* p : {"probes.interval_ms: expected an integer from 1 to 10000, got 0",
                          "probes.misses: expected an integer from 1 to 1000, got \"x\"", "probes.bogus: unknown key",
                          "probes.return.x: expected a path id", "probes.targets[0].to: ",
                          "probes.targets[1].path: missing", "6 problems"})
        EXPECT_NE(r.err.find(p), std::string::npos) << p << "\n" << r.err;
    write_config(with_probes(R"({"interval_ms": 5, "return": {"1": "fcbb:0:1006:e001::"},
                                 "targets": [{"path": 3, "to": "10.0.2.20", "port": 7000}]})"));
    EXPECT_EQ(cli({"agent", "--check", "-c", config_}).code, 0);
    // --no-probes and --probe-* options exclude each other.
    fails({"agent", "-c", config_, "-d", "veth0", "--no-probes", "--probe-interval", "5"}, 2,
          "--no-probes and --probe-* options do not go together");
    // Congestion: the file's section, checked with the rest; options that contradict each other.
    write_config(with_probes(R"({"congestion": {"window_ms": 0, "step": 17, "mark_ppm": 500, "clear_ppm": 500,
                                                 "hold": 1}})"));
    const Result c = cli({"agent", "--check", "-c", config_});
    EXPECT_EQ(c.code, 1);
    for (const char* p : {"probes.congestion.window_ms: expected an integer from 1 to 60000, got 0",
                          "probes.congestion.step: expected an integer from 1 to 16, got 17",
                          "probes.congestion.hold: unknown key", "probes.congestion.clear_ppm: must be below mark_ppm"})
        EXPECT_NE(c.err.find(p), std::string::npos) << p << "\n" << c.err;
    write_config(with_probes(R"({"congestion": {"enabled": false, "window_ms": 50, "mark_ppm": 20000}})"));
    EXPECT_EQ(cli({"agent", "--check", "-c", config_}).code, 0);
    fails({"agent", "-c", config_, "-d", "veth0", "--no-congestion", "--congestion-window", "50"}, 2,
          "--no-congestion and --congestion-* options do not go together");
    fails({"agent", "-c", config_, "-d", "veth0", "--congestion-mark", "100", "--congestion-clear", "100"}, 2,
          "--congestion-clear must be below --congestion-mark");
    // An option against the file's (or the default) clear level: the merged settings are checked.
    const Result m = cli({"agent", "--check", "-c", config_, "--congestion-mark", "500"});
    EXPECT_NE(m.code, 0);
    EXPECT_NE(m.err.find("the clear level below it"), std::string::npos) << m.err;
    // The adaptive flowlet gap's section.
    write_config(with_probes(R"({"flowlets": {"min_us": 30000, "factor_pct": 50, "hold": 1}})"));
    const Result f = cli({"agent", "--check", "-c", config_});
    EXPECT_EQ(f.code, 1);
    for (const char* p : {"probes.flowlets.factor_pct: expected an integer from 100 to 1000, got 50",
                          "probes.flowlets.hold: unknown key",
                          "probes.flowlets.min_us: must not be above max_us (20000)"})
        EXPECT_NE(f.err.find(p), std::string::npos) << p << "\n" << f.err;
    write_config(with_probes(R"({"flowlets": {"adaptive": false, "min_us": 0, "max_us": 1000000, "hold_ms": 0}})"));
    EXPECT_EQ(cli({"agent", "--check", "-c", config_}).code, 0);
}

TEST_F(Agent, ProbesByDefaultAndKeepsTheirSettingsOnABadFile) {
    write_config(with_probes(R"({"interval_ms": 5})"));
    auto agent = start();
    // The flow's path 1 and the qp's set (paths 1 and 2), towards one host.
    ASSERT_TRUE(agent->wait_log("probing 2 target(s) every 5 ms, down after 3 lost, up after 3 answered, "
                                "congestion from 10000 ppm CE per 100 ms, flowlet gap 500 us .. 20 ms from 200 % "
                                "of the paths' RTT skew\n"))
        << agent->err();
    ASSERT_TRUE(agent->wait_log("flowlet gap 500 us (no set has paths of different delay)\n")) << agent->err();
    size_t mark = agent->err().size();
    write_config(with_probes(R"({"interval_ms": 0})"));
    ASSERT_TRUE(agent->wait_log("config invalid, keeping previous state: ", 10s, mark)) << agent->err();
    EXPECT_NE(agent->err().find("probes.interval_ms", mark), std::string::npos) << agent->err();
    const size_t after = full_round_after(*agent, mark);
    EXPECT_EQ(agent->err().find("probing", mark), std::string::npos) << "the prober goes on as it was:\n"
                                                                       << agent->err().substr(mark, after - mark);
    mark = agent->err().size();
    write_config(with_probes(R"({"interval_ms": 20, "misses": 4})"));
    ASSERT_TRUE(agent->wait_log("probing 2 target(s) every 20 ms, down after 4 lost", 10s, mark)) << agent->err();
    mark = agent->err().size();
    write_config(with_probes(R"({"enabled": false})"));
    ASSERT_TRUE(agent->wait_log("probes off\n", 10s, mark)) << agent->err();
}

// The prober owns the flowlet gap (docs/design.md §17.5): a gap set by hand
// is put back within a refresh; --flowlet-gap fixes the gap instead.
TEST_F(Agent, TheProberKeepsTheFlowletGapUnlessItIsFixed) {
    write_config(kConfig);
    auto gap = [&] { return ok_json({"flowlets", "-d", "veth0", "-j"})["flowlet_gap_us"].get<uint32_t>(); };
    {
        auto agent = start({"--probe-interval", "5"});
        ASSERT_TRUE(agent->wait_log("flowlet gap 500 us (no set has paths of different delay)\n")) << agent->err();
        ok({"flowlets", "-d", "veth0", "3000"});
        ASSERT_TRUE(agent->wait_log("flowlet gap 3 ms set by someone else: back to 500 us (the agent adapts the gap; "
                                    "--flowlet-gap US or"))
            << agent->err();
        EXPECT_EQ(gap(), 500u) << "put back at the prober's next refresh (1 s)";
        // Said once: a round later (the agent's -v rounds take a second), no second line.
        full_round_after(*agent, agent->err().size());
        const std::string& e = agent->err();
        const size_t first = e.find("set by someone else");
        EXPECT_EQ(e.find("set by someone else", first + 1), std::string::npos) << e;
    }
    auto agent = start({"--probe-interval", "5", "--flowlet-gap", "700"});
    ASSERT_TRUE(agent->wait_log("probing 2 target(s) every 5 ms, down after 3 lost, up after 3 answered, "
                                "congestion from 10000 ppm CE per 100 ms\n"))
        << agent->err() << "\n(no adaptive gap with --flowlet-gap)";
    EXPECT_EQ(gap(), 700u);
    EXPECT_EQ(agent->err().find("flowlet gap 500"), std::string::npos) << agent->err();
    agent.reset();
    // Probes off: nothing would lower an adaptive gap, so it goes to its floor.
    write_config(with_probes(R"({"enabled": false, "flowlets": {"min_us": 900}})"));
    agent = start();
    ASSERT_TRUE(agent->wait_log("flowlet gap 700 us -> 900 us: probes are off, nothing adapts it\n"))
        << agent->err();
    EXPECT_EQ(gap(), 900u);
}

TEST_F(Agent, StatsShowWhatTheProberWrote) {
    // Nothing answers here: the probes are sent and lost, the paths stay up
    // (a host that never answered does not count), and `stats` shows it.
    write_config(kConfig);
    auto agent = start({"--probe-interval", "5"});
    json st;
    const auto until = Clock::now() + 20s;
    do
        st = ok_json({"stats", "-d", "veth0"});
    while (path_of(st, 1)["health"]["lost"].get<uint64_t>() < 3 && Clock::now() < until);
    const json h = path_of(st, 1)["health"];
    EXPECT_GE(h["lost"].get<uint64_t>(), 3u) << st.dump();
    EXPECT_GE(h["sent"].get<uint64_t>(), h["lost"].get<uint64_t>());
    EXPECT_EQ(h["replies"], 0);
    EXPECT_EQ(h["targets"], 1) << "path 1 towards the one host of the pins";
    EXPECT_EQ(h["state"], "up (not probed)");
    EXPECT_EQ(h["probed"], false);
    EXPECT_EQ(h["down"], false);
    EXPECT_EQ(path_of(st, 3)["health"]["sent"], 0) << "path 3 is in no pin's target";
    ASSERT_EQ(cli({"path", "down", "2", "-d", "veth0"}).code, 0);
    const Result text = cli({"stats", "-d", "veth0"});
    EXPECT_EQ(text.code, 0) << text.err;
    for (const char* s : {"Packets and health by path on veth0 (RTT in ms)", "State", "RTT last", "Lost", "CE",
                          "up (not probed)", "down (by hand)"})
        EXPECT_NE(text.out.find(s), std::string::npos) << s << "\n" << text.out;
    EXPECT_EQ(path_of(ok_json({"stats", "-d", "veth0"}), 2)["health"]["state"], "down (by hand)");
}

TEST_F(Agent, ProbeCommandPingsOverAPath) {
    write_config(kConfig);
    ASSERT_EQ(once().code, 0);
    const Result r = cli({"probe", "-d", "veth0", "1", "--to", "fcbb:0:800:2::20", "-c", "2", "-i", "10", "-W", "50"});
    EXPECT_EQ(r.code, 1) << "nothing answers here\n" << r.out << r.err;
    EXPECT_NE(r.out.find("probing fcbb:0:800:2::20 port 6635 over path 1\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("seq=1 lost\nseq=2 lost\n2 sent, 0 answered, 2 lost\n"), std::string::npos) << r.out;
    fails({"probe", "-d", "veth0", "1"}, 2, "missing --to ADDR");
    fails({"probe", "-d", "veth0", "9", "--to", "fcbb:0:800:2::20", "-c", "1"}, 1, "path 9");
    const json st = ok_json({"stats", "-d", "veth0"});
    EXPECT_EQ(path_of(st, 1)["health"]["sent"], 0) << "a one-shot probe writes no health";
}
