// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// One writer at a time (issue 8, section 4): the built `srv6steer` CLI run as
// several processes at once, in loops, and the final state checked exactly.
//  (a) attach & attach: one wins, the other says "already attached" and
//      touches nothing; one tcx program, status healthy;
//  (b) apply -f A and apply -f B in loops: every run exits 0 with the plan of
//      one serial order, and the end state is exactly A's or B's;
//  (c) pin/unpin loops against attach/detach loops: after a final detach no
//      link, filter, pin, proto-94 route or changed route MTU is left;
//  (d) gc against pins: exactly the pins of gone owners go, with their
//      route MTUs.
// Each test runs in a network and mount namespace of its own with a private
// bpffs (testing/private_ns.hpp); veth0's peer is in a second namespace.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <bpf/bpf.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kernel_state.hpp"
#include "private_ns.hpp"
#include "shell.hpp"
#include "skip.hpp"
#include "spawn.hpp"
#include "topology.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testproc::Result;

// Runs f and g in two threads at once (released together) and waits for both.
void together(const std::function<void()>& f, const std::function<void()>& g) {
    std::latch go(2);
    std::thread a([&] {
        go.arrive_and_wait();
        f();
    });
    go.arrive_and_wait();
    g();
    a.join();
}

// A process that waits until killed (or until the test process dies): an
// owner for pins whose life the test controls.
class Sleeper {
public:
    Sleeper() {
        pid_ = fork();
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            for (;;)
                pause();
        }
    }
    ~Sleeper() { end(); }
    void end() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
    }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
};

constexpr const char* kFileA = R"({ "block": "fcbb:0::/32",
  "paths": [ {"id": 1, "usids": "1004,1001,1006,fe06"}, {"id": 2, "usids": "1004,1002,1006,fe06"} ],
  "sets":  [ {"id": 10, "paths": [1, 2]} ],
  "flows": [ {"flow": "tcp fcbb:0:800:1::1 40000 fcbb:0:800:2::20 5201", "path": 1},
             {"flow": "udp fcbb:0:800:1::1 40001 fcbb:0:800:2::21 9000", "set": 10} ],
  "prefixes": [ {"prefix": "fcbb:0:800:2::30/128", "path": 2} ] }
)";

// Shares path 1 with A; path 3 has an SRH (a smaller route MTU), set 10 changes.
constexpr const char* kFileB = R"({ "block": "fcbb:0::/32",
  "paths": [ {"id": 1, "usids": "1004,1001,1006,fe06"},
             {"id": 3, "segments": ["fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"], "srh": "full"} ],
  "sets":  [ {"id": 10, "paths": [1, 3]}, {"id": 11, "paths": [3]} ],
  "flows": [ {"flow": "tcp fcbb:0:800:1::1 40000 fcbb:0:800:2::20 5201", "path": 3},
             {"flow": "udp fcbb:0:800:1::1 40002 fcbb:0:800:2::22 9000", "set": 11} ],
  "qps":   [ {"qp": "fcbb:0:800:2::23 0x123", "set": 10} ] }
)";

constexpr const char* kPath1Usids = "1004,1001,1006,fe06";

class Race : public ::testing::Test {
protected:
    testns::PrivateNamespaces ns_;
    testns::PeerNamespace peer_;
    std::string bpffs_;

    void SetUp() override {
        SRV6S_REQUIRE_ROOT();
        ASSERT_NO_FATAL_FAILURE(ns_.enter("race"));
        bpffs_ = ns_.bpffs();
        ASSERT_NO_FATAL_FAILURE(peer_.start());
        testtopo::veth_to_peer(peer_);
    }

    static std::string sh(const std::string& cmd) { return testsh::sh(cmd); }

    std::vector<std::string> argv(std::vector<std::string> args) const {
        args.insert(args.begin(), SRV6STEER_BIN);
        args.push_back("--bpffs");
        args.push_back(bpffs_);
        return args;
    }
    Result cli(const std::vector<std::string>& args) const { return testproc::spawn(argv(args)); }

    // A command that must succeed.
    std::string ok(const std::vector<std::string>& args) {
        const Result r = cli(args);
        EXPECT_EQ(r.code, 0) << testproc::text(args) << "\n" << r.out << r.err;
        return r.out;
    }
    json ok_json(std::vector<std::string> args) {
        args.push_back("-j");
        const std::string out = ok(args);
        try {
            return json::parse(out);
        } catch (const json::exception&) {
            ADD_FAILURE() << testproc::text(args) << ": not JSON: " << out;
            return {};
        }
    }

    std::string file(const std::string& name, const std::string& text) const {
        const std::string path = ns_.tmp() + "/" + name;
        std::ofstream(path) << text;
        return path;
    }

    // veth0's paths, sets and pins, without creation times.
    json targets() {
        json s = {{"paths", ok_json({"path", "list"})},
                  {"sets", ok_json({"set", "list"})},
                  {"flows", ok_json({"list", "flows"})},
                  {"qps", ok_json({"list", "qps"})},
                  {"prefixes", ok_json({"list", "prefixes"})}};
        for (const char* kind : {"flows", "qps", "prefixes"})
            for (auto& pin : s[kind])
                pin.erase("created");
        return s;
    }

    static std::vector<uint32_t> tcx_programs() { return testkernel::tcx_programs("veth0"); }

    // Every BPF object left under <bpffs>/srv6steer, and any directory named
    // veth0 there (a pin directory), one per line.
    std::string leftovers() const {
        const fs::path root = fs::path(bpffs_) / "srv6steer";
        std::string out = testkernel::bpf_objects_under(root);
        std::error_code ec;
        if (!fs::exists(root, ec))
            return out;
        for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator();
             it.increment(ec))
            if (it->is_directory() && it->path().filename() == "veth0")
                out += it->path().string() + "\n";
        return out;
    }

    // Nothing of srv6steer is left on veth0 or in the bpffs, and the routes
    // are as they were.
    void expect_clean(const std::string& routes_before, const std::string& when) {
        SCOPED_TRACE(when);
        EXPECT_EQ(tcx_programs(), std::vector<uint32_t>{}) << "a tcx program is still attached";
        EXPECT_EQ(sh("tc filter show dev veth0 egress"), "") << "a tc filter is still attached";
        EXPECT_EQ(leftovers(), "") << "pins left in the bpffs";
        EXPECT_EQ(sh("ip -6 route show proto 94"), "") << "route MTUs left";
        EXPECT_EQ(sh("ip -6 route show"), routes_before) << "routes differ from before";
    }

    // The destinations of the proto-94 routes, sorted.
    std::set<std::string> route_destinations() {
        std::set<std::string> out;
        const std::string text = sh("ip -6 route show proto 94");
        for (size_t at = 0; at < text.size();) {
            const size_t eol = std::min(text.find('\n', at), text.size());
            const std::string line = text.substr(at, eol - at);
            if (!line.empty())
                out.insert(line.substr(0, line.find(' ')));
            at = eol + 1;
        }
        return out;
    }
};

}  // namespace

// (a) Two `attach veth0` at once, several rounds: exactly one exits 0, the
// other exits 1 saying "already attached", and the winner's attachment is
// whole: status healthy, one tcx program, the one status names.
TEST_F(Race, AttachTwiceAtOnceOneWinsTheOtherTouchesNothing) {
    const std::string routes_before = sh("ip -6 route show");
    constexpr int kRounds = 10;
    for (int round = 0; round < kRounds; round++) {
        SCOPED_TRACE("round " + std::to_string(round));
        Result r1, r2;
        together([&] { r1 = cli({"attach", "veth0"}); }, [&] { r2 = cli({"attach", "veth0"}); });
        const int winners = (r1.code == 0) + (r2.code == 0);
        ASSERT_EQ(winners, 1) << "first: " << r1.code << " " << r1.out << r1.err << "\nsecond: " << r2.code << " "
                              << r2.out << r2.err;
        const Result& loser = r1.code == 0 ? r2 : r1;
        EXPECT_EQ(loser.code, 1) << loser.err;
        EXPECT_NE(loser.err.find("already attached"), std::string::npos) << loser.err;

        const json st = ok_json({"status", "-v"});
        ASSERT_EQ(st.size(), 1u) << st.dump();
        EXPECT_EQ(st[0]["interface"], "veth0");
        EXPECT_EQ(st[0]["mode"], "tcx");
        const auto progs = tcx_programs();
        ASSERT_EQ(progs.size(), 1u) << "tcx programs on veth0";
        EXPECT_EQ(st[0]["prog_id"], progs[0]) << "status names the program that runs";
        const int link = bpf_link_get_fd_by_id(st[0]["link_id"].get<uint32_t>());
        EXPECT_GE(link, 0) << "the link status names exists";
        if (link >= 0)
            close(link);
        EXPECT_TRUE(fs::exists(st[0].value("pin_dir", std::string()))) << st.dump();
        const Result check = cli({"status", "--check", "veth0"});
        EXPECT_EQ(check.code, 0) << "status --check: " << check.out << check.err;

        ok({"detach", "veth0"});
        expect_clean(routes_before, "after detach");
    }
}

// (b) `apply -f A` and `apply -f B` in two loops at once. Both files are valid
// from any state, so every run must exit 0, printing the plan of a serial
// order (A or B applied over A's or B's state), and the end state must be
// exactly A's or B's: paths, sets, pins and route MTUs.
TEST_F(Race, ApplyLoopsOfTwoFilesEndInExactlyOneOfThem) {
    const std::string a = file("a.json", kFileA), b = file("b.json", kFileB);
    ok({"attach", "veth0"});

    // The serial orders, for reference: each file's state and each plan.
    const std::string from_empty_to_a = ok({"apply", "-f", a});
    const json state_a = targets();
    const std::string routes_a = sh("ip -6 route show proto 94");
    const std::string a_to_a = ok({"apply", "-f", a});
    const std::string a_to_b = ok({"apply", "-f", b});
    const json state_b = targets();
    const std::string routes_b = sh("ip -6 route show proto 94");
    const std::string b_to_b = ok({"apply", "-f", b});
    const std::string b_to_a = ok({"apply", "-f", a});
    EXPECT_EQ(sh("ip -6 route show proto 94"), routes_a) << "serially, A after B: A's route MTUs";
    ASSERT_NE(state_a, state_b);
    ASSERT_NE(routes_a, routes_b) << "the files differ in route MTUs too";
    ASSERT_EQ(targets(), state_a);
    const std::set<std::string> serial_plans = {a_to_a, a_to_b, b_to_b, b_to_a};

    constexpr int kRuns = 20;
    std::vector<Result> runs_a, runs_b;
    together(
        [&] {
            for (int i = 0; i < kRuns; i++)
                runs_a.push_back(cli({"apply", "-f", a}));
        },
        [&] {
            for (int i = 0; i < kRuns; i++)
                runs_b.push_back(cli({"apply", "-f", b}));
        });

    int failed = 0;
    for (const auto* runs : {&runs_a, &runs_b}) {
        const char* which = runs == &runs_a ? "A" : "B";
        for (size_t i = 0; i < runs->size(); i++) {
            const Result& r = (*runs)[i];
            SCOPED_TRACE(std::string("apply -f ") + which + ", run " + std::to_string(i));
            if (r.code != 0)
                failed++;
            EXPECT_EQ(r.code, 0) << r.out << r.err;
            if (r.code == 0) {
                EXPECT_TRUE(serial_plans.count(r.out)) << "a plan no serial order gives:\n" << r.out;
            }
        }
    }
    const json end = targets();
    const std::string routes = sh("ip -6 route show proto 94");
    EXPECT_TRUE(end == state_a || end == state_b) << failed << " of " << 2 * kRuns << " runs failed; the end state is "
                                                  << "neither A's nor B's:\n" << end.dump(1);
    if (end == state_a) {
        EXPECT_EQ(routes, routes_a) << "A's pins, not A's route MTUs";
    } else if (end == state_b) {
        EXPECT_EQ(routes, routes_b) << "B's pins, not B's route MTUs";
    }
}

// (c) One process pins and unpins in a loop (path, flow pins, a prefix pin)
// while another attaches and detaches in a loop. Any of their calls may fail
// (not attached, no such path): with exit 1, never with a crash or a usage
// error. After a final detach nothing is left: no link, no filter, no pin, no
// proto-94 route, and the MTU of an existing route is what it was.
TEST_F(Race, PinLoopsAgainstAttachDetachLoopsLeaveNothingAfterDetach) {
    // An exact route with a larger MTU: pins through path 1 lower it to 1460.
    sh("ip -6 route add fcbb:0:800:2::21/128 via fcbb:0:800:1::2 dev veth0 mtu 1500");
    const std::string routes_before = sh("ip -6 route show");
    const std::vector<std::vector<std::string>> pin_round = {
        {"path", "add", "1", "-d", "veth0", "--block", "fcbb:0::/32", "--usids", kPath1Usids},
        {"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", "fcbb:0:800:2::20", "9000", "-d", "veth0", "--path", "1"},
        {"pin", "flow", "udp", "fcbb:0:800:1::1", "40001", "fcbb:0:800:2::21", "9000", "-d", "veth0", "--path", "1"},
        {"pin", "prefix", "fcbb:0:800:2::40/128", "-d", "veth0", "--path", "1"},
        {"unpin", "flow", "udp", "fcbb:0:800:1::1", "40000", "fcbb:0:800:2::20", "9000", "-d", "veth0"},
    };
    constexpr int kAttachRounds = 12;
    std::vector<std::pair<std::string, Result>> attaches, pins;
    std::atomic<bool> attach_loop_done{false};
    together(
        [&] {
            for (int i = 0; i < kAttachRounds; i++)
                for (const char* cmd : {"attach", "detach"})
                    attaches.emplace_back(cmd, cli({cmd, "veth0"}));
            attach_loop_done = true;
        },
        [&] {
            // Bounded: the attach loop ends after kAttachRounds.
            while (!attach_loop_done.load())
                for (const auto& args : pin_round)
                    pins.emplace_back(testproc::text(args), cli(args));
        });
    // Only this loop attaches and detaches, in turn: each call must succeed.
    for (const auto& [cmd, r] : attaches)
        EXPECT_EQ(r.code, 0) << cmd << " veth0 -> exit " << r.code << ", signal " << r.signal << "\n" << r.err;
    // The pins find veth0 attached or not, the path there or not: 0 or 1.
    for (const auto& [cmd, r] : pins)
        EXPECT_TRUE(r.code == 0 || r.code == 1) << cmd << " -> exit " << r.code << ", signal " << r.signal << "\n"
                                                << r.err;

    const Result last = cli({"detach", "veth0"});
    EXPECT_TRUE(last.code == 0 || last.code == 1) << last.err;
    expect_clean(routes_before, "after the final detach");
}

// (d) gc in a loop while pins are made: pins of a living owner are never
// collected; once their owner is gone, its pins and their route MTUs are, and
// nothing else is.
TEST_F(Race, GcAgainstPinsRemovesExactlyThePinsOfGoneOwners) {
    ok({"attach", "veth0"});
    ok({"path", "add", "1", "--block", "fcbb:0::/32", "--usids", kPath1Usids});
    Sleeper keeps, goes;
    constexpr int kPins = 12;
    auto flow = [](int i, int base) {
        return std::vector<std::string>{"udp", "fcbb:0:800:1::1", std::to_string(41000 + base + i),
                                        "fcbb:0:800:2::" + std::to_string(base + i), "9000"};
    };
    auto pin = [&](int i, int base, pid_t owner) {
        std::vector<std::string> args = {"pin", "flow"};
        for (auto& w : flow(i, base))
            args.push_back(w);
        for (const char* w : {"--path", "1", "--owner-pid"})
            args.push_back(w);
        args.push_back(std::to_string(owner));
        return args;
    };
    // gc in a loop until the pins are made; every run of either must exit 0.
    auto pins_against_gc = [&](int base, pid_t owner) {
        std::vector<Result> pins, gcs;
        std::atomic<bool> done{false};
        together(
            [&] {
                for (int i = 0; i < kPins; i++)
                    pins.push_back(cli(pin(i, base, owner)));
                done = true;
            },
            [&] {
                while (!done.load())
                    gcs.push_back(cli({"gc"}));
            });
        for (const Result& r : pins)
            EXPECT_EQ(r.code, 0) << "pin: " << r.err;
        for (const Result& r : gcs)
            EXPECT_EQ(r.code, 0) << "gc: " << r.err;
    };

    pins_against_gc(100, goes.pid());  // fcbb:0:800:2::100.. owned by `goes`
    EXPECT_EQ(ok_json({"list", "flows"}).size(), size_t(kPins)) << "gc took pins of a living owner";
    goes.end();
    pins_against_gc(200, keeps.pid());  // fcbb:0:800:2::200.. owned by `keeps`
    ok({"gc"});

    std::set<std::string> want_flows, want_routes;
    for (int i = 0; i < kPins; i++) {
        std::string text;
        for (auto& w : flow(i, 200))
            text += (text.empty() ? "" : " ") + w;
        want_flows.insert(text);
        want_routes.insert("fcbb:0:800:2::" + std::to_string(200 + i));
    }
    std::set<std::string> flows;
    for (const auto& p : ok_json({"list", "flows"})) {
        flows.insert(p.value("flow", std::string()));
        EXPECT_EQ(p.value("owner_pid", 0), keeps.pid()) << p.dump();
    }
    EXPECT_EQ(flows, want_flows) << "exactly the pins of the living owner";
    EXPECT_EQ(route_destinations(), want_routes) << "exactly their route MTUs";
}
