// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The srv6steer CLI end to end, as a user runs it: every test gets a network
// namespace of its own (veth0 here, its peer veth1 in a second namespace
// behind it) and a private bpffs, runs the built binary and checks stdout,
// stderr, the exit code and the kernel state. ctest runs each test in its own
// process, so all of it goes away with the process, even on failure.
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "private_ns.hpp"
#include "srv6steer/abi.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Result {
    int code = -1;
    std::string out, err;
};

// Runs argv, capturing stdout and stderr.
Result spawn(const std::vector<std::string>& args) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
        return {};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    close(err[1]);
    Result r;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&r.out, &r.err};
    int open = 2;
    while (rc == 0 && open > 0 && poll(fds, 2, -1) > 0) {
        for (int i = 0; i < 2; i++) {
            if (!fds[i].revents)
                continue;
            char buf[4096];
            const ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, size_t(n));
            } else {
                fds[i].fd = -1;
                open--;
            }
        }
    }
    close(out[0]);
    close(err[0]);
    int status = 0;
    if (rc == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
        r.code = WEXITSTATUS(status);
    return r;
}

// A shell command's stdout; fails the test if it fails.
std::string sh(const std::string& cmd) {
    Result r = spawn({"/bin/sh", "-c", cmd});
    EXPECT_EQ(r.code, 0) << cmd << "\n" << r.err;
    return r.out;
}

std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
    const std::string path = dir + "/" + name;
    std::ofstream(path) << text;
    return path;
}

constexpr const char* kFlow = "udp fcbb:0:800:1::1 40000 fcbb:0:800:2::20 5201";
constexpr const char* kDst = "fcbb:0:800:2::20";

// The example file of loader/README.md.
constexpr const char* kGoodConfig = R"({ "block": "fcbb:0::/32",
  "paths": [ {"id": 1, "usids": "1004,1001,1006,fe06"},
             {"id": 2, "usids": ["1004","1002","1006","fe06"], "block": "fcbb:0::/32"},
             {"id": 3, "segments": ["fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"], "srh": "full", "down": false} ],
  "sets":  [ {"id": 10, "paths": [1, 2]} ],
  "flows":    [ {"flow": "tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201", "path": 1} ],
  "qps":      [ {"qp": "fcbb:0:800:2::20 0x123", "set": 10} ],
  "prefixes": [ {"prefix": "fcbb:0:800:2::/64", "path": 2} ] }
)";

class Cli : public ::testing::Test {
protected:
    testns::PrivateNamespaces ns_;
    testns::PeerNamespace peer_ns_;
    std::string bpffs_;
    std::string tmp_;

    void SetUp() override {
        if (geteuid() != 0)
            GTEST_SKIP() << "needs root (network namespaces, bpffs, BPF)";
        ASSERT_NO_FATAL_FAILURE(ns_.enter("cli"));
        bpffs_ = ns_.bpffs();
        tmp_ = ns_.tmp();
        // The peer: veth1 in a namespace of its own.
        ASSERT_NO_FATAL_FAILURE(peer_ns_.start());
        const std::string peer = peer_ns_.nsenter();
        sh("ip link set lo up && ip link add veth0 type veth peer name veth1 netns " +
           std::to_string(peer_ns_.pid()));
        sh("ip addr add fcbb:0:800:1::1/64 dev veth0 nodad && ip link set veth0 up");
        sh(peer + "ip link set lo up && " + peer + "ip addr add fcbb:0:800:1::2/64 dev veth1 nodad && " + peer +
           "ip link set veth1 up");
        sh("ip -6 route add fcbb:0:800:2::/64 via fcbb:0:800:1::2 dev veth0");
    }

    // srv6steer ARGS --bpffs <ours>
    Result cli(std::vector<std::string> args) {
        args.insert(args.begin(), SRV6STEER_BIN);
        args.push_back("--bpffs");
        args.push_back(bpffs_);
        return spawn(args);
    }
    // srv6steer ARGS, nothing added
    Result raw(std::vector<std::string> args) {
        args.insert(args.begin(), SRV6STEER_BIN);
        return spawn(args);
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
        } catch (const json::exception& e) {
            ADD_FAILURE() << "not JSON: " << out;
            return {};
        }
    }
    // A command that must fail with `code` and say `message` on stderr.
    void fails(const std::vector<std::string>& args, int code, const std::string& message) {
        Result r = cli(args);
        std::string cmd;
        for (const auto& a : args)
            cmd += a + " ";
        EXPECT_EQ(r.code, code) << cmd << "\n" << r.out << r.err;
        EXPECT_NE(r.err.find(message), std::string::npos) << cmd << "\nstderr: " << r.err << "\nwanted: " << message;
        if (code == 2) {
            EXPECT_NE(r.err.find("Usage"), std::string::npos) << r.err;
        }
    }

    // Everything user-visible about veth0's paths, sets and pins.
    json snapshot() {
        return {{"paths", ok_json({"path", "list"})},
                {"sets", ok_json({"set", "list"})},
                {"flows", ok_json({"list", "flows"})},
                {"qps", ok_json({"list", "qps"})},
                {"prefixes", ok_json({"list", "prefixes"})}};
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
    std::string routes() { return sh("ip -6 route show table all"); }
    // bpftool fails when a link (of any test running in parallel) goes away
    // while it walks them: try again.
    json bpf_links() {
        for (int i = 0; i < 10; i++) {
            Result r = spawn({"bpftool", "-j", "link", "show"});
            if (r.code == 0)
                return json::parse(r.out);
        }
        ADD_FAILURE() << "bpftool link show keeps failing";
        return json::array();
    }

    void attach(const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args{"attach", "veth0"};
        args.insert(args.end(), extra.begin(), extra.end());
        const std::string out = ok(args);
        EXPECT_NE(out.find("attached to veth0"), std::string::npos) << out;
    }
    void add_paths() {
        ok({"path", "add", "1", "--usids", "1004,1001,1006,fe06", "--block", "fcbb:0::/32"});
        ok({"path", "add", "2", "--segs", "fcbb:0:1004:1001:1005:1002:1006:e003,fcbb:0:fe06::", "--full-srh"});
    }
    std::string config(const std::string& name, const std::string& text) { return write_file(tmp_, name, text); }
};

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        size_t j = s.find(' ', i);
        if (j == std::string::npos)
            j = s.size();
        if (j > i)
            out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

std::vector<std::string> cat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// ---- help, usage, exit codes ------------------------------------------------------

TEST_F(Cli, HelpOnTheToolAndEverySubcommand) {
    Result r = raw({"--help"});
    EXPECT_EQ(r.code, 0);
    for (const char* cmd : {"attach DEV", "status [DEV]", "path add ID", "set add ID PATH_ID...", "pin flow PROTO",
                            "unpin qp DST QP", "list prefixes", "stats", "gc", "apply -f FILE"})
        EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd << "\n" << r.out;
    for (auto words : {"attach", "detach", "status", "stats", "gc", "path add", "path list", "set add", "pin flow",
                       "pin qp", "pin prefix", "unpin flow", "list flows", "apply"}) {
        Result h = raw(cat(split(words), {"--help"}));
        EXPECT_EQ(h.code, 0) << words;
        EXPECT_NE(h.out.find("Usage:"), std::string::npos) << words << "\n" << h.out;
        EXPECT_NE(h.out.find("--bpffs"), std::string::npos) << words;
    }
    Result g = raw({"pin", "--help"});
    EXPECT_EQ(g.code, 0);
    EXPECT_NE(g.out.find("pin qp DST QP"), std::string::npos) << g.out;
    EXPECT_NE(raw({"attach", "--help"}).out.find("--max-flows N"), std::string::npos);

    Result none = raw({});
    EXPECT_EQ(none.code, 2);
    EXPECT_NE(none.err.find("Usage: srv6steer COMMAND"), std::string::npos) << none.err;
}

TEST_F(Cli, UsageErrorsExitTwoAndChangeNothing) {
    Result r = raw({"stat"});  // no prefix matching
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("unknown command \"stat\""), std::string::npos) << r.err;
    r = raw({"path", "ad", "1"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("unknown path subcommand \"ad\": expected one of add, del, up, down, list"),
              std::string::npos)
        << r.err;
    r = raw({"pin"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("pin needs a subcommand: flow, qp, prefix"), std::string::npos) << r.err;

    fails({"status", "--bogus"}, 2, "unknown option \"--bogus\"");
    fails({"status", "veth0", "extra"}, 2, "unexpected argument \"extra\"");
    fails({"attach"}, 2, "missing DEV");
    fails({"attach", "veth0", "--hop-limit", "256"}, 2, "invalid --hop-limit \"256\": expected a number from 1 to 255");
    fails({"attach", "veth0", "--hop-limit", "0"}, 2, "invalid --hop-limit \"0\"");
    fails({"attach", "veth0", "--hop-limit", "64x"}, 2, "invalid --hop-limit \"64x\"");
    fails({"attach", "veth0", "--hop-limit", "+64"}, 2, "invalid --hop-limit \"+64\"");
    fails({"attach", "veth0", "--max-flows", "0x"}, 2, "invalid --max-flows \"0x\"");
    fails({"attach", "veth0", "--mtu", "100"}, 2, "invalid --mtu \"100\": expected a number from 1280 to 65535");
    fails({"attach", "veth0", "--mtu", "1500", "--mtu", "1400"}, 2, "--mtu given more than once");
    fails({"attach", "veth0", "--src", "fcbb::1::2"}, 2, "invalid IPv6 address \"fcbb::1::2\"");
    // Nothing was attached by any of them.
    EXPECT_EQ(ok({"status"}), "srv6steer is not attached to any interface\n");
    EXPECT_EQ(ok_json({"status"}), json::array());

    attach();
    add_paths();
    const json before = snapshot();
    fails({"path", "add", "4096", "--segs", "fcbb:0:1::"}, 2, "invalid ID \"4096\": expected a number from 0 to 4095");
    fails({"path", "add", "5"}, 2, "give the path as --usids LIST --block PREFIX or as --segs");
    fails({"path", "add", "5", "--usids", "1004"}, 2, "--usids needs --block PREFIX");
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "70000", "--path", "1"}, 2,
          "invalid DPORT \"70000\": expected a number from 0 to 65535");
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201"}, 2, "give the target as --path ID or as --set ID");
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "1", "--set", "2"}, 2,
          "give the target as --path ID or as --set ID");
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "-1"}, 2, "");
    fails({"pin", "flow", "bogus", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "1"}, 2, "invalid protocol");
    fails({"pin", "qp", kDst, "0x1000000", "--path", "1"}, 2, "invalid QP \"0x1000000\"");
    fails({"pin", "prefix", "fcbb:0:800:2::1/64", "--path", "1"}, 2, "address bits set past /64");
    fails({"set", "add", "10"}, 2, "missing PATH_ID");
    fails({"set", "add", "4096", "1"}, 2, "invalid ID \"4096\": expected a number from 0 to 4095");
    fails({"path", "list", "-j", "--owner-pid", "1"}, 2, "unknown option \"--owner-pid\"");
    fails({"apply"}, 2, "missing -f FILE");
    EXPECT_EQ(snapshot(), before);
}

// ---- attach, status, detach ----------------------------------------------------------

TEST_F(Cli, AttachStatusDetachRoundTrip) {
    attach({"--hop-limit", "32"});
    Result again = cli({"attach", "veth0"});
    EXPECT_EQ(again.code, 1);
    EXPECT_NE(again.err.find("already attached to veth0"), std::string::npos) << again.err;

    add_paths();
    ok({"set", "add", "10", "1", "2"});
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "1"});
    EXPECT_NE(routes().find("proto 94"), std::string::npos) << "a route MTU for the pinned destination";

    const std::string text = ok({"status"});
    EXPECT_NE(text.find("srv6steer status"), std::string::npos) << text;
    for (const char* col : {"Interface", "Mode", "Prog", "Link", "Source", "MTU", "Paths", "Sets", "Flows", "QPs",
                            "Prefixes", "Steered"})
        EXPECT_NE(text.find(col), std::string::npos) << col;
    EXPECT_NE(text.find("veth0"), std::string::npos);
    EXPECT_NE(text.find("tcx"), std::string::npos);
    EXPECT_NE(text.find("fcbb:0:800:1::1"), std::string::npos);
    EXPECT_NE(text.find("1/262144"), std::string::npos) << text;
    EXPECT_EQ(ok({"status", "veth0"}), text);

    const std::string verbose = ok({"status", "-v"});
    EXPECT_NE(verbose.find(" =>"), std::string::npos) << verbose;
    EXPECT_NE(verbose.find("hop limit 32"), std::string::npos) << verbose;
    EXPECT_NE(verbose.find("route fcbb:0:800:2::20/128 mtu 1460 (added)"), std::string::npos) << verbose;

    const json st = ok_json({"status", "-v"});
    ASSERT_EQ(st.size(), 1u);
    EXPECT_EQ(st[0]["interface"], "veth0");
    EXPECT_EQ(st[0]["mode"], "tcx");
    EXPECT_EQ(st[0]["source"], "fcbb:0:800:1::1");
    EXPECT_EQ(st[0]["hop_limit"], 32);
    EXPECT_EQ(st[0]["paths"], 2);
    EXPECT_EQ(st[0]["sets"], 1);
    EXPECT_EQ(st[0]["flows"], json({{"used", 1}, {"max", 262144}}));
    const uint32_t link_id = st[0]["link_id"], prog_id = st[0]["prog_id"];
    EXPECT_GT(link_id, 0u);
    EXPECT_GT(prog_id, 0u);
    const std::string pin_dir = st[0]["pin_dir"];
    EXPECT_TRUE(pin_dir.starts_with(bpffs_ + "/srv6steer/")) << pin_dir;

    // bpftool 7.1 shows tcx links as "type 11" without an ifindex: find ours by id.
    auto our_link = [&] {
        for (const auto& l : bpf_links())
            if (l["id"] == link_id || l["prog_id"] == prog_id)
                return true;
        return false;
    };
    EXPECT_TRUE(our_link());
    fails({"status", "veth1"}, 1, "no interface named veth1");  // veth1 is in the peer's namespace
}

TEST_F(Cli, DetachRemovesEverything) {
    attach();
    add_paths();
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "2"});
    ok({"pin", "prefix", "fcbb:0:800:2::/64", "--path", "1"});
    const json st = ok_json({"status"});
    const uint32_t link_id = st[0]["link_id"];

    EXPECT_EQ(ok({"detach", "veth0"}), "detached from veth0\n");
    EXPECT_FALSE(fs::exists(bpffs_ + "/srv6steer")) << "no pins left";
    for (const auto& e : fs::directory_iterator(bpffs_))  // only what the kernel puts in a fresh bpffs
        EXPECT_TRUE(e.path().filename().string().ends_with(".debug")) << e.path();
    EXPECT_EQ(sh("tc filter show dev veth0 egress"), "");
    EXPECT_EQ(sh("ip -6 route show table all proto 94"), "");
    const std::string route = sh("ip -6 route show fcbb:0:800:2::/64");
    EXPECT_NE(route.find("fcbb:0:800:2::/64 via fcbb:0:800:1::2 dev veth0"), std::string::npos) << route;
    EXPECT_EQ(route.find("mtu"), std::string::npos) << "the MTU set on an existing route is put back: " << route;
    for (const auto& l : bpf_links())
        EXPECT_NE(l["id"], link_id) << "the tcx link is gone";
    EXPECT_EQ(ok({"status"}), "srv6steer is not attached to any interface\n");
    EXPECT_EQ(ok({"status", "veth0"}), "srv6steer is not attached to veth0\n");

    fails({"detach", "veth0"}, 1, "srv6steer is not attached to veth0");
    fails({"path", "list"}, 2, "srv6steer is not attached to any interface");
}

TEST_F(Cli, DevDefaultsToTheOnlyAttachedInterface) {
    sh("ip link add veth2 type veth peer name veth3 && ip link set veth2 up && ip link set veth3 up");
    attach();
    EXPECT_EQ(ok_json({"path", "list"}), json::array());
    ok({"attach", "veth2", "--src", "fcbb:0:800:9::1"});
    fails({"path", "list"}, 2, "srv6steer is attached to veth0, veth2: choose one with -d DEV");
    ok({"path", "add", "1", "--segs", "fcbb:0:1004::", "-d", "veth2"});
    EXPECT_EQ(ok_json({"path", "list", "-d", "veth0"}), json::array());
    EXPECT_EQ(ok_json({"path", "list", "--dev", "veth2"}).size(), 1u);
    const json st = ok_json({"status"});
    ASSERT_EQ(st.size(), 2u);
    EXPECT_EQ(st[1]["interface"], "veth2");
    EXPECT_EQ(st[1]["source"], "fcbb:0:800:9::1");
    fails({"path", "list", "-d", "lo"}, 1, "srv6steer is not attached to lo");
}

// ---- paths, sets, pins, lists ----------------------------------------------------------

TEST_F(Cli, PathsSetsPinsAndJsonLists) {
    attach();
    add_paths();
    ok({"path", "add", "3", "--usids", "1004,1002,1006,fe06", "--block", "fcbb:0::/32", "--down"});
    ok({"set", "add", "10", "1", "2", "3"});
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "1"});
    ok({"pin", "qp", kDst, "0x123", "--set", "10"});
    ok({"pin", "prefix", "fcbb:0:800:2::/64", "--path", "2"});

    const json paths = ok_json({"path", "list"});
    ASSERT_EQ(paths.size(), 3u);
    EXPECT_EQ(paths[0], json({{"id", 1}, {"segments", {"fcbb:0:1004:1001:1006:fe06::"}}, {"srh", "reduced"}, {"down", false}}));
    EXPECT_EQ(paths[1]["segments"], json({"fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"}));
    EXPECT_EQ(paths[1]["srh"], "full");
    EXPECT_EQ(paths[2]["down"], true);
    ok({"path", "up", "3"});
    EXPECT_EQ(ok_json({"path", "list"})[2]["down"], false);
    ok({"path", "down", "3"});
    EXPECT_EQ(ok_json({"path", "list"})[2]["down"], true);

    EXPECT_EQ(ok_json({"set", "list"}), json::parse(R"([{"id":10,"paths":[1,2,3]}])"));
    ok({"set", "add", "10", "1", "2"});  // change a set in place
    EXPECT_EQ(ok_json({"set", "list"}), json::parse(R"([{"id":10,"paths":[1,2]}])"));

    const json flows = ok_json({"list", "flows"});
    ASSERT_EQ(flows.size(), 1u);
    EXPECT_EQ(flows[0]["flow"], kFlow);
    EXPECT_EQ(flows[0]["path"], 1);
    EXPECT_EQ(flows[0]["owner_pid"], 0) << "CLI pins belong to nobody";
    EXPECT_EQ(flows[0]["packets"], 0);
    const json qps = ok_json({"list", "qps"});
    ASSERT_EQ(qps.size(), 1u);
    EXPECT_EQ(qps[0]["qp"], "fcbb:0:800:2::20 0x000123");
    EXPECT_EQ(qps[0]["set"], 10);
    const json prefixes = ok_json({"list", "prefixes"});
    ASSERT_EQ(prefixes.size(), 1u);
    EXPECT_EQ(prefixes[0]["prefix"], "fcbb:0:800:2::/64");
    EXPECT_EQ(prefixes[0]["path"], 2);

    const std::string table = ok({"list", "flows"});
    EXPECT_NE(table.find("Flows pinned on veth0"), std::string::npos) << table;
    EXPECT_NE(table.find(kFlow), std::string::npos) << table;

    // Things in use cannot go; nothing changes when they are refused.
    const json before = snapshot();
    fails({"path", "del", "1"}, 1, "path 1 is used by set 10");
    fails({"set", "del", "10"}, 1, "path set 10 still has pins");
    EXPECT_EQ(snapshot(), before);

    // Re-pin, unpin, remove.
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--set", "10", "--replace"});
    EXPECT_EQ(ok_json({"list", "flows"})[0]["set"], 10);
    EXPECT_NE(ok({"unpin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201"}).find("unpinned"), std::string::npos);
    ok({"unpin", "qp", kDst, "291"});  // 0x123 in decimal
    ok({"unpin", "prefix", "fcbb:0:800:2::/64"});
    fails({"unpin", "prefix", "fcbb:0:800:2::/64"}, 1, "prefix fcbb:0:800:2::/64 is not pinned on veth0");
    EXPECT_EQ(ok({"list", "qps"}), "No queue pairs pinned on veth0\n");
    ok({"set", "del", "10"});
    ok({"path", "del", "3"});
    EXPECT_EQ(ok_json({"path", "list"}).size(), 2u);
    EXPECT_EQ(ok({"set", "list"}), "No path sets on veth0\n");
    fails({"path", "del", "3"}, 1, "path 3 does not exist");
}

TEST_F(Cli, PacketsThroughVethRaiseThePathCounters) {
    attach();
    add_paths();
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "2"});

    int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in6 src{}, dst{};
    src.sin6_family = dst.sin6_family = AF_INET6;
    src.sin6_port = htons(40000);
    dst.sin6_port = htons(5201);
    inet_pton(AF_INET6, "fcbb:0:800:1::1", &src.sin6_addr);
    inet_pton(AF_INET6, kDst, &dst.sin6_addr);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src), 0) << strerror(errno);
    const char payload[100] = {};
    constexpr int kPackets = 5;
    for (int i = 0; i < kPackets; i++)
        ASSERT_EQ(sendto(fd, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst),
                  ssize_t(sizeof payload))
            << strerror(errno);
    close(fd);

    json stats;
    for (int tries = 0; tries < 50; tries++) {  // the first packets wait for neighbour discovery
        stats = ok_json({"stats"});
        if (stats["reasons"]["steered"]["packets"] >= kPackets)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(stats["interface"], "veth0");
    EXPECT_EQ(stats["reasons"]["steered"]["packets"], kPackets) << stats.dump();
    EXPECT_EQ(stats["reasons"].size(), size_t(SRV6S_R_MAX));
    ASSERT_EQ(stats["paths"].size(), 2u);
    EXPECT_EQ(stats["paths"][0]["id"], 1);
    EXPECT_EQ(stats["paths"][0]["packets"], 0);
    EXPECT_EQ(stats["paths"][1]["id"], 2);
    EXPECT_EQ(stats["paths"][1]["packets"], kPackets);
    EXPECT_GE(stats["paths"][1]["bytes"], kPackets * (40 + 8 + sizeof payload));

    const json flows = ok_json({"list", "flows"});
    EXPECT_EQ(flows[0]["packets"], kPackets);
    const json st = ok_json({"status", "-v"});
    EXPECT_EQ(st[0]["steered"]["packets"], kPackets);
    EXPECT_EQ(st[0]["reasons"]["steered"]["packets"], kPackets);
    const std::string verbose = ok({"status", "-v"});
    EXPECT_NE(verbose.find(" =>        steered: 5 packets"), std::string::npos) << verbose;
    const std::string table = ok({"stats"});
    EXPECT_NE(table.find("Packets by reason on veth0"), std::string::npos) << table;
    EXPECT_NE(table.find("Packets by path on veth0"), std::string::npos) << table;
}

TEST_F(Cli, GcRemovesPinsOfGoneProcessesOnly) {
    attach();
    add_paths();
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        pause();
        _exit(0);
    }
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "1"});
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40001", kDst, "5201", "--path", "1", "--owner-pid",
        std::to_string(child)});
    EXPECT_EQ(ok_json({"list", "flows"})[1]["owner_pid"], child);
    EXPECT_EQ(ok({"gc"}), "removed 0 stale pins from veth0\n");
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    EXPECT_EQ(ok({"gc"}), "removed 1 stale pin from veth0\n");
    const json flows = ok_json({"list", "flows"});
    ASSERT_EQ(flows.size(), 1u);
    EXPECT_EQ(flows[0]["flow"], kFlow);
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "40001", kDst, "5201", "--path", "1", "--owner-pid",
           std::to_string(child)},
          1, "no process with pid");
}

// ---- bad input: exact message, exit code, state unchanged ----------------------------------

TEST_F(Cli, UnknownInterfaceAndNotABpffs) {
    fails({"attach", "nosuch0"}, 1, "no network interface \"nosuch0\"");
    fails({"status", "nosuch0"}, 1, "no interface named nosuch0");
    const std::string plain = tmp_ + "/plain";
    fs::create_directory(plain);
    Result r = raw({"attach", "veth0", "--bpffs", plain});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find(plain + " is not a BPF filesystem"), std::string::npos) << r.err;
    r = raw({"status", "--bpffs", plain});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("is not a BPF filesystem"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::is_empty(plain));
    EXPECT_EQ(sh("tc filter show dev veth0 egress"), "");
    EXPECT_EQ(ok({"status"}), "srv6steer is not attached to any interface\n");
}

TEST_F(Cli, InvalidPathsAreRefused) {
    attach();
    add_paths();
    const json before = snapshot();
    fails({"path", "add", "5", "--segs", "fcbb::1::2"}, 2, "invalid IPv6 address \"fcbb::1::2\"");
    fails({"path", "add", "5", "--segs", "fcbb:0:1004::,"}, 2, "invalid IPv6 address \"\"");
    fails({"path", "add", "5", "--usids", "1004", "--block", "fcbb:0::/33"}, 2, "length /33 not allowed");
    fails({"path", "add", "5", "--usids", "1004", "--block", "fcbb:0:1::/32"}, 2, "has bits set past /32");
    fails({"path", "add", "5", "--usids", "1004,zz", "--block", "fcbb:0::/32"}, 2, "invalid uSID \"zz\"");
    fails({"path", "add", "5", "--usids", "10040", "--block", "fcbb:0::/32"}, 2, "has more than 4 hex digits");
    std::string many;
    for (int i = 1; i <= 55; i++)
        many += (many.empty() ? "" : ",") + std::to_string(1000 + i);
    fails({"path", "add", "5", "--usids", many, "--block", "fcbb:0::/32"}, 1,
          "55 uSIDs need 10 containers in block fcbb::/32");
    std::string nine;
    for (int i = 1; i <= 9; i++)
        nine += (nine.empty() ? "" : ",") + std::string("fcbb:0:") + std::to_string(1000 + i) + "::";
    fails({"path", "add", "5", "--segs", nine, "--full-srh"}, 1, "9 segments do not fit a full SRH");
    fails({"path", "add", "1", "--segs", "fcbb:0:1004::"}, 1, "path 1 already exists with other segments");
    fails({"set", "add", "10", "1", "7"}, 1, "path set 10 names path 7, which does not exist");
    fails({"path", "up", "7"}, 1, "path 7 does not exist");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(Cli, DuplicateConflictingAndDanglingPins) {
    attach();
    add_paths();
    const std::vector<std::string> flow{"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201"};
    ok(cat(flow, {"--path", "1"}));
    const json before = snapshot();
    const std::string routes_before = routes();
    ok(cat(flow, {"--path", "1"}));  // the same pin again: nothing to do
    fails(cat(flow, {"--path", "2"}), 1, "is already pinned to path 1: unpin it first, or pin with replace");
    fails(cat(flow, {"--path", "9"}), 1, "path 9 does not exist on veth0");
    fails({"pin", "qp", kDst, "7", "--set", "3"}, 1, "set 3 does not exist on veth0");
    fails({"pin", "prefix", "fcbb:0:900::/64", "--path", "1"}, 1, "no route to fcbb:0:900::");
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "1", "10.0.0.1", "2", "--path", "1"}, 2, "one family");
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(routes(), routes_before);
}

TEST_F(Cli, FullFlowMap) {
    attach({"--max-flows", "2"});
    add_paths();
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "1", kDst, "1", "--path", "1"});
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "2", kDst, "2", "--path", "1"});
    const json before = snapshot();
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "3", kDst, "3", "--path", "1"}, 1, "the flows map of veth0 is full (2 pins)");
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(ok_json({"status"})[0]["flows"], json({{"used", 2}, {"max", 2}}));
}

// ---- apply ----------------------------------------------------------------------------------

TEST_F(Cli, ApplyCreatesThenHasNothingToDo) {
    attach();
    const std::string file = config("good.json", kGoodConfig);
    const std::string out = ok({"apply", "-f", file});
    EXPECT_NE(out.find("+ path 3 fcbb:0:1004:1001:1005:1002:1006:e003,fcbb:0:fe06:: full-srh"), std::string::npos) << out;
    EXPECT_NE(out.find("applied 7 changes to veth0"), std::string::npos) << out;
    const json s = snapshot();
    EXPECT_EQ(s["paths"].size(), 3u);
    EXPECT_EQ(s["paths"][1]["segments"], json({"fcbb:0:1004:1002:1006:fe06::"}));
    EXPECT_EQ(s["sets"], json::parse(R"([{"id":10,"paths":[1,2]}])"));
    EXPECT_EQ(s["flows"][0]["path"], 1);
    EXPECT_EQ(s["qps"][0]["set"], 10);
    EXPECT_EQ(s["prefixes"][0]["path"], 2);
    EXPECT_EQ(ok({"apply", "-f", file}), "veth0 already matches " + file + ": nothing to change\n");
    EXPECT_EQ(snapshot(), s);
}

TEST_F(Cli, ApplyDryRunPrintsTheDiffAndChangesNothing) {
    attach();
    const std::string good = config("good.json", kGoodConfig);
    const json empty = snapshot();
    const std::string dry = ok({"apply", "-f", good, "--dry-run"});
    EXPECT_NE(dry.find("+ path 1 fcbb:0:1004:1001:1006:fe06::\n"), std::string::npos) << dry;
    EXPECT_NE(dry.find("+ set 10: 1,2\n"), std::string::npos) << dry;
    EXPECT_NE(dry.find("+ pin qp fcbb:0:800:2::20 0x000123 -> set 10\n"), std::string::npos) << dry;
    EXPECT_NE(dry.find("(dry run: none made)"), std::string::npos) << dry;
    EXPECT_EQ(snapshot(), empty);

    ok({"apply", "-f", good});
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "9", kDst, "9", "--path", "3"});  // not in the file
    const json applied = snapshot();
    const std::string changed = config("changed.json", R"({ "block": "fcbb:0::/32",
      "paths": [ {"id": 1, "usids": "1004,1001,1006,fe06", "down": true}, {"id": 3, "segments": ["fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"], "srh": "full"} ],
      "sets": [ {"id": 10, "paths": [1, 3]} ],
      "qps": [ {"qp": "fcbb:0:800:2::20 0x123", "path": 3} ] })");
    const std::string diff = ok({"apply", "-f", changed, "--dry-run"});
    const std::string expected =
        "~ path 1: up -> down\n"
        "~ set 10: 1,2 -> 1,3\n"
        "~ pin qp fcbb:0:800:2::20 0x000123: set 10 -> path 3\n"
        "- pin flow udp fcbb:0:800:1::1 9 fcbb:0:800:2::20 9 -> path 3\n"
        "- pin flow tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201 -> path 1\n"
        "- pin prefix fcbb:0:800:2::/64 -> path 2\n"
        "- path 2 fcbb:0:1004:1002:1006:fe06::\n"
        "7 changes to veth0 (dry run: none made)\n";
    EXPECT_EQ(diff, expected);
    EXPECT_EQ(snapshot(), applied);

    ok({"apply", "-f", changed});
    const json after = snapshot();
    EXPECT_EQ(after["sets"], json::parse(R"([{"id":10,"paths":[1,3]}])"));
    EXPECT_EQ(after["paths"].size(), 2u);
    EXPECT_EQ(after["paths"][0]["down"], true);
    EXPECT_EQ(after["flows"], json::array());
    EXPECT_EQ(after["prefixes"], json::array());
    EXPECT_EQ(after["qps"][0]["path"], 3);
}

TEST_F(Cli, ApplyRejectsMalformedJson) {
    attach();
    ok({"apply", "-f", config("good.json", kGoodConfig)});
    const json before = snapshot();
    Result r = cli({"apply", "-f", config("syntax.json", "{ \"paths\": [ {\"id\": 1,\n  \"usids\": \"1004\" ]\n}\n")});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("syntax.json: parse error at line 2, column 19: syntax error while parsing object"),
              std::string::npos)
        << r.err;
    fails({"apply", "-f", config("empty.json", "")}, 1, "parse error at line 1, column 1");
    fails({"apply", "-f", tmp_ + "/missing.json"}, 1, "cannot read " + tmp_ + "/missing.json");
    fails({"apply", "-f", config("array.json", "[]")}, 1, "expected an object, got array");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(Cli, ApplyReportsEveryProblemWithItsJsonPath) {
    attach();
    ok({"apply", "-f", config("good.json", kGoodConfig)});
    const json before = snapshot();
    std::string many;
    for (int i = 1; i <= 55; i++)
        many += (many.empty() ? "" : ",") + std::to_string(1000 + i);
    const std::string bad = config("bad.json", R"({ "block": "fcbb:0::/32", "color": 1,
      "paths": [ {"id": "one", "usids": "1004"}, {"id": 2, "usids": ["1004", "zz", 7]}, {"id": 2, "segments": ["fcbb::1::2"]},
                 {"id": 4, "usids": ")" + many + R"("}, {"id": 5, "usids": "1004", "block": "fcbb:0::/33", "srh": "fancy", "down": "yes"},
                 {"id": 6, "usids": "1004", "segments": ["fcbb:0:1004::"]}, {"id": 4096, "segments": ["fcbb:0:1004::"]} ],
      "sets":  [ {"id": 10, "paths": [2, 7]}, {"id": 10, "paths": [2]}, {"id": 11, "paths": []} ],
      "flows": [ {"flow": "tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201", "path": 9},
                 {"flow": "tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201", "path": 2},
                 {"flow": "tcp fcbb:0:800:1::10 x fcbb:0:800:2::20 5201", "set": 10, "weight": 2} ],
      "qps":   [ {"qp": "fcbb:0:800:2::20 0x1234567", "set": 10} ],
      "prefixes": [ {"prefix": "fcbb:0:800:2::/64"} ] })");
    Result r = cli({"apply", "-f", bad});
    EXPECT_EQ(r.code, 1);
    for (const char* want : {
             "bad.json: 21 problems, nothing was changed:",
             "  color: unknown key (expected interface, block, paths, sets, flows, qps, prefixes)",
             "  paths[0].id: expected an integer from 0 to 4095, got \"one\"",
             "  paths[1].usids[1]: invalid uSID \"zz\"",
             "  paths[1].usids[2]: expected a uSID as a string of hex digits (\"fe06\"), got 7",
             "  paths[2].segments[0]: invalid IPv6 address \"fcbb::1::2\"",
             "  paths[2].id: path 2 is already defined at paths[1]",
             "  paths[3].usids: 55 uSIDs need 10 containers",
             "  paths[4].srh: expected \"reduced\" or \"full\", got \"fancy\"",
             "  paths[4].down: expected true or false, got \"yes\"",
             "  paths[4].block: uSID block fcbb::/33: length /33 not allowed",
             "  paths[5]: give either \"usids\" (with a \"block\") or \"segments\"",
             "  paths[6].id: expected an integer from 0 to 4095, got 4096",
             "  sets[0].paths[1]: path 7 is not in the file",
             "  sets[1].id: set 10 is defined twice",
             "  sets[2].paths: expected an array of 1 to 16 path ids, got []",
             "  flows[0].path: path 9 is not in the file",
             "  flows[1]: flow tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201 is listed twice (also at flows[0])",
             "  flows[2].weight: unknown key (expected flow, path, set)",
             "  flows[2].flow: invalid source port \"x\"",
             "  qps[0].qp: invalid queue pair number (24 bits) \"0x1234567\"",
             "  prefixes[0]: give the target as \"path\": ID or as \"set\": ID",
         })
        EXPECT_NE(r.err.find(want), std::string::npos) << "wanted: " << want << "\nstderr:\n" << r.err;
    fails({"apply", "-f", config("types.json", R"({"paths": [{"id": 1.5, "segments": "fcbb:0:1004::"}], "sets": {}})")},
          1, "paths[0].id: expected an integer from 0 to 4095, got 1.5");
    fails({"apply", "-f", config("types2.json", R"({"paths": [{"id": -1, "segments": ["fcbb:0:1004::"]}], "sets": {}})")},
          1, "sets: expected an array, got object");
    fails({"apply", "-f", config("types3.json", R"({"paths": [{"id": 1, "usids": "1004"}]})")}, 1,
          "paths[0]: \"usids\" need a \"block\", in the path or at the top of the file");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(Cli, ApplyRefusesToChangeAPathInPlace) {
    attach();
    ok({"apply", "-f", config("good.json", kGoodConfig)});
    const json before = snapshot();
    const std::string moved = config("moved.json", R"({"block": "fcbb:0::/32",
      "paths": [ {"id": 1, "usids": "1004,1002,1006,fe06"} ] })");
    fails({"apply", "-f", moved}, 1,
          "paths[0]: path 1 exists on veth0 with other segments (fcbb:0:1004:1001:1006:fe06::); a path cannot "
          "change in place: give the new segments a new id");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(Cli, ApplyFailureHalfwayRestoresThePreviousState) {
    attach();
    ok({"apply", "-f", config("good.json", kGoodConfig)});
    const json before = targets();
    const std::string routes_before = routes();
    // Valid as a file; the last new pin has no route, which only the kernel finds out.
    const std::string file = config("half.json", R"({ "block": "fcbb:0::/32",
      "paths": [ {"id": 1, "usids": "1004,1001,1006,fe06"}, {"id": 4, "usids": "1004"} ],
      "sets":  [ {"id": 11, "paths": [1, 4]} ],
      "flows": [ {"flow": "tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201", "set": 11},
                 {"flow": "udp fcbb:0:800:1::1 1 fcbb:0:800:2::20 1", "path": 4} ],
      "prefixes": [ {"prefix": "fcbb:0:800:2::/64", "path": 4}, {"prefix": "fcbb:0:900::/64", "path": 1} ] })");
    const std::string dry = ok({"apply", "-f", file, "--dry-run"});
    EXPECT_NE(dry.find("+ pin prefix fcbb:0:900::/64 -> path 1"), std::string::npos) << dry;
    Result r = cli({"apply", "-f", file});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("failed at \"+ pin prefix fcbb:0:900::/64 -> path 1\": "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("no route to fcbb:0:900::"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("undid the 5 changes made before it: veth0 is as it was"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(targets(), before);
    EXPECT_EQ(routes(), routes_before);
}

TEST_F(Cli, ApplyChecksRoomInThePinMapsFirst) {
    attach({"--max-flows", "2"});
    ok({"path", "add", "1", "--segs", "fcbb:0:1004::"});
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "1", kDst, "1", "--path", "1"});
    const json before = snapshot();
    const std::string file = config("three.json", R"({ "paths": [ {"id": 1, "segments": ["fcbb:0:1004::"]},
                                                                    {"id": 2, "segments": ["fcbb:0:1005::"]} ],
      "flows": [ {"flow": "udp fcbb:0:800:1::1 1 fcbb:0:800:2::20 1", "path": 2},
                 {"flow": "udp fcbb:0:800:1::1 2 fcbb:0:800:2::20 2", "path": 2},
                 {"flow": "udp fcbb:0:800:1::1 3 fcbb:0:800:2::20 3", "path": 2} ] })");
    fails({"apply", "-f", file}, 1,
          "flows: the flows map of veth0 holds 2 pins, and applying needs room for 3 at once (1 there now, 2 new; "
          "removals come last): attach with a larger --max-flows");
    fails({"apply", "-f", file, "--dry-run"}, 1, "nothing was changed");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(Cli, ApplyLeavesPinsOfProcessesAlone) {
    attach();
    ok({"apply", "-f", config("good.json", kGoodConfig)});
    const std::string me = std::to_string(getpid());
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "7", kDst, "7", "--path", "3", "--owner-pid", me});
    EXPECT_EQ(ok({"apply", "-f", config("good.json", kGoodConfig)}),
              "veth0 already matches " + tmp_ + "/good.json: nothing to change\n");

    // Removing the path the process's pin uses is refused; so is re-pinning its key.
    const std::string without3 = config("without3.json", R"({ "paths": [ {"id": 1, "segments": ["fcbb:0:1004:1001:1006:fe06::"]} ] })");
    fails({"apply", "-f", without3}, 1,
          "path 3 is needed: flow udp fcbb:0:800:1::1 7 fcbb:0:800:2::20 7 is pinned to path 3 by pid " + me +
              ", which apply does not manage; keep path 3 in the file");
    const std::string repin = config("repin.json", R"({ "paths": [ {"id": 3, "segments": ["fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"], "srh": "full"},
      {"id": 1, "segments": ["fcbb:0:1004:1001:1006:fe06::"]} ],
      "flows": [ {"flow": "udp fcbb:0:800:1::1 7 fcbb:0:800:2::20 7", "path": 1} ] })");
    fails({"apply", "-f", repin}, 1, "flows[0]: flow udp fcbb:0:800:1::1 7 fcbb:0:800:2::20 7 is pinned to path 3 by pid");

    // A file without it keeps it.
    const std::string only3 = config("only3.json", R"({ "paths": [ {"id": 3, "segments": ["fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"], "srh": "full"} ] })");
    ok({"apply", "-f", only3});
    const json flows = ok_json({"list", "flows"});
    ASSERT_EQ(flows.size(), 1u);
    EXPECT_EQ(flows[0]["owner_pid"], getpid());
    EXPECT_EQ(ok_json({"path", "list"}).size(), 1u);
}

}  // namespace
