// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer apply -f FILE` end to end (cli_fixture.hpp): create, diff, dry
// run, every problem of a file with its JSON path, undo on failure, room in
// the pin maps, process-owned pins, and two apply loops racing.
#include <unistd.h>

#include <algorithm>
#include <set>
#include <thread>

#include "cli_fixture.hpp"

namespace {

using namespace clitest;

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
             "  color: unknown key (expected interface, block, paths, sets, flows, qps, prefixes, cgroups, sids, probes)",
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

TEST_F(Cli, ApplyRefusesBadInputBeforeTouchingAnything) {
    sh("ip link add veth2 type veth peer name veth3 && ip link set veth2 up && ip link set veth3 up");
    attach();
    ok({"attach", "veth2", "--src", "fcbb:0:800:9::1"});
    ok({"apply", "-f", config("good.json", kGoodConfig), "-d", "veth0"});
    const json before = targets();

    fails({"apply", "-f", tmp_}, 1, "cannot read " + tmp_ + ": it is a directory");
    // The file is read first: its problems, not "choose one with -d DEV".
    fails({"apply", "-f", config("iface.json", R"({"interface": 5})")}, 1,
          "iface.json: 1 problem, nothing was changed:\n  interface: expected a string, got 5");
    fails({"apply", "-f", config("iface2.json", R"({"interface": "much-too-long-name0"})")}, 1,
          "interface: expected an interface name of 1 to 15 characters");
    fails({"apply", "-f", config("dup.json", R"({"block": "fcbb:0::/32", "block": "fcbb:1::/32",
      "paths": [ {"id": 1, "segments": ["fcbb:0:1004::"]}, {"id": 2, "id": 3, "segments": ["fcbb:0:1005::"]} ],
      "flows": [ {"flow": "udp fcbb:0:800:1::1 1 fcbb:0:800:2::20 1", "path": 1, "path": 3} ] })")},
          1, "dup.json: 3 problems, nothing was changed:\n  block: key given twice in one object\n"
             "  paths[1].id: key given twice in one object\n  flows[0].path: key given twice in one object");
    Result r = cli({"apply", "-f", config("segs.json", R"({"paths": [
      {"id": 1, "segments": ["::", "fcbb:0:1004::"]}, {"id": 2, "segments": ["::1"]},
      {"id": 3, "segments": ["ff02::1"]}, {"id": 4, "segments": ["fe80::1"]}, {"id": 5, "segments": ["::ffff:10.0.0.1"]},
      {"id": 6, "usids": "1004", "block": "ff00::/32"} ]})")});
    EXPECT_EQ(r.code, 1);
    for (const char* want : {"segs.json: 6 problems, nothing was changed:",
                             "  paths[0].segments[0]: segment :: is the unspecified address: a segment must be a "
                             "global unicast address",
                             "  paths[1].segments[0]: segment ::1 is the loopback address",
                             "  paths[2].segments[0]: segment ff02::1 is a multicast address",
                             "  paths[3].segments[0]: segment fe80::1 is a link-local address",
                             "  paths[4].segments[0]: segment ::ffff:10.0.0.1 is an IPv4-mapped address",
                             "  paths[5].usids: segment ff00:0:1004:: is a multicast address"})
        EXPECT_NE(r.err.find(want), std::string::npos) << "wanted: " << want << "\nstderr:\n" << r.err;
    fails({"apply", "-f", config("sctp.json", R"({"paths": [{"id": 1, "segments": ["fcbb:0:1004::"]}],
      "flows": [ {"flow": "sctp fcbb:0:800:1::1 1 fcbb:0:800:2::20 1", "path": 1} ]})")},
          1, "flows[0].flow: invalid protocol \"sctp\": flows are tcp or udp");
    EXPECT_EQ(targets(), before);
    EXPECT_EQ(ok_json({"path", "list", "-d", "veth2"}), json::array());

    // The library refuses such segments too, whoever asks.
    fails({"path", "add", "7", "--segs", "fcbb:0:1004::,ff02::2", "-d", "veth0"}, 1, "segment ff02::2 is a multicast address");

    // "interface" picks the interface when -d does not.
    const std::string out = ok({"apply", "-f", config("veth2.json", R"({"interface": "veth2",
      "paths": [ {"id": 1, "segments": ["fcbb:0:1004::"]}, {"id": 2, "segments": ["fcbb:0:1005::"]} ],
      "sets": [ {"id": 10, "paths": [1, 2]} ] })")});
    EXPECT_EQ(out, "+ path 1 fcbb:0:1004::\n+ path 2 fcbb:0:1005::\n+ set 10: 1,2\napplied 3 changes to veth2\n");
    EXPECT_EQ(targets(), before);
}

// Two files that share nothing but a prefix pin (with another target).
constexpr const char* kFileA = R"({
  "paths": [ {"id": 1, "segments": ["fcbb:0:1004:1001:1006:fe06::"]},
             {"id": 2, "segments": ["fcbb:0:1004:1002:1006:fe06::"]} ],
  "sets": [ {"id": 10, "paths": [1, 2]} ],
  "flows": [ {"flow": "udp fcbb:0:800:1::1 1 fcbb:0:800:2::20 1", "path": 1},
             {"flow": "udp fcbb:0:800:1::1 2 fcbb:0:800:2::20 2", "set": 10} ],
  "prefixes": [ {"prefix": "fcbb:0:800:2::/64", "path": 2} ] })";
constexpr const char* kFileB = R"({
  "paths": [ {"id": 3, "segments": ["fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"], "srh": "full"},
             {"id": 4, "segments": ["fcbb:0:1005::"]},
             {"id": 5, "segments": ["fcbb:0:1006::"], "down": true} ],
  "sets": [ {"id": 11, "paths": [3, 4, 5]} ],
  "flows": [ {"flow": "udp fcbb:0:800:1::1 3 fcbb:0:800:2::20 3", "set": 11} ],
  "qps": [ {"qp": "fcbb:0:800:2::21 7", "path": 4} ],
  "prefixes": [ {"prefix": "fcbb:0:800:2::/64", "set": 11} ] })";

std::multiset<std::string> lines_of(const std::string& text) {
    std::multiset<std::string> out;
    for (size_t at = 0; at < text.size();) {
        const size_t end = std::min(text.find('\n', at), text.size());
        out.insert(text.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

// The routes towards the pinned destinations (with the MTUs srv6steer set).
std::string steered_routes() {
    std::string out;
    for (const auto& line : lines_of(run({"ip", "-6", "route", "show", "table", "all"}).out))
        if (line.find("fcbb:0:800:2::") != std::string::npos)
            out += line + "\n";
    return out;
}

// Under one lock from reading the live state to the last step, every apply
// sees veth0 as exactly one file made it: so it either has nothing to do or
// prints exactly the serial diff from the other file, exits 0, and the end
// state is exactly one file's.
TEST_F(Cli, TwoApplyLoopsRacingEndInExactlyOneFile) {
    attach();
    const std::string a = config("a.json", kFileA), b = config("b.json", kFileB);
    // The serial order first: each file's state, routes, and the diff from the other.
    // The route MTUs depend on the order too (a route MTU is not raised while
    // pinned: what came from the other file may stay lower).
    ok({"apply", "-f", a});
    const json want_a = targets();
    const std::string routes_a = steered_routes();
    const std::string a_to_b = ok({"apply", "-f", b});
    const json want_b = targets();
    const std::string routes_b = steered_routes();
    const std::string b_to_a = ok({"apply", "-f", a});
    EXPECT_EQ(targets(), want_a);
    const std::string routes_ba = steered_routes();
    EXPECT_EQ(ok({"apply", "-f", b}), a_to_b);
    EXPECT_EQ(targets(), want_b);
    EXPECT_EQ(steered_routes(), routes_b);
    // The oracle agrees with the files.
    EXPECT_EQ(want_a["paths"].size(), 2u);
    EXPECT_EQ(want_a["flows"].size(), 2u);
    EXPECT_EQ(want_a["prefixes"][0]["path"], 2);
    EXPECT_EQ(want_b["paths"].size(), 3u);
    EXPECT_EQ(want_b["qps"].size(), 1u);
    EXPECT_EQ(want_b["prefixes"][0]["set"], 11);
    EXPECT_NE(a_to_b.find("~ pin prefix fcbb:0:800:2::/64: path 2 -> set 11"), std::string::npos) << a_to_b;
    ASSERT_NE(routes_a, routes_b) << "the route MTUs differ too";
    ASSERT_EQ(ok({"apply", "-f", b}), "veth0 already matches " + b + ": nothing to change\n");

    constexpr int kRounds = 30;
    std::vector<Result> results[2];
    auto loop = [&](int i, const std::string& file) {
        for (int r = 0; r < kRounds; r++)
            results[i].push_back(run(with_bpffs({"apply", "-f", file})));
    };
    std::thread ta(loop, 0, a), tb(loop, 1, b);
    ta.join();
    tb.join();

    const std::multiset<std::string> diffs[2] = {lines_of(b_to_a), lines_of(a_to_b)};
    const std::string files[2] = {a, b};
    size_t applied = 0;
    for (int i = 0; i < 2; i++) {
        ASSERT_EQ(results[i].size(), size_t(kRounds));
        for (const auto& r : results[i]) {
            EXPECT_EQ(r.code, 0) << r.err;
            EXPECT_EQ(r.err, "");
            if (r.out == "veth0 already matches " + files[i] + ": nothing to change\n")
                continue;
            applied++;
            EXPECT_EQ(lines_of(r.out), diffs[i]) << "neither nothing to do nor the serial diff:\n" << r.out;
        }
    }
    EXPECT_GT(applied, 0u);
    const json end = targets();
    EXPECT_TRUE(end == want_a || end == want_b) << end.dump(1);
    const std::string end_routes = steered_routes();
    if (end == want_a)
        EXPECT_TRUE(end_routes == routes_a || end_routes == routes_ba) << end_routes;
    else
        EXPECT_EQ(end_routes, routes_b);
}

}  // namespace
