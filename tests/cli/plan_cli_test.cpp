// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer plan` and `srv6steer simulate` as a user runs them: no kernel,
// no privileges. Plans are checked against topologies/lab.json read on its
// own (lab_walk.hpp), apply files against the rank-pair plan, Jalapeno plans
// against a fake Jalapeno on 127.0.0.1 (tests/planner/jalapeno_fixture.hpp),
// and simulate's table against loads worked out by hand.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "cli_fixture.hpp"
#include "jalapeno_answers.hpp"
#include "jalapeno_fixture.hpp"
#include "lab_walk.hpp"

namespace {

using clitest::run;
using nlohmann::json;
namespace fs = std::filesystem;
namespace tj = srv6steer::testing_jalapeno;

const std::string kBin = SRV6STEER_BIN;
const std::string kLabFile = SRV6S_SOURCE_DIR "/topologies/lab.json";

class PlanCli : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("srv6s-plan-cli-" + std::to_string(getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        ring4_ = write("ring4.json", R"({"ranks": ["h1", "h2", "h3", "h4"], "pattern": "ring"})");
        unsetenv("JALAPENO_API_ENDPOINT");
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string write(const std::string& name, const std::string& text) {
        const auto p = (dir_ / name).string();
        std::ofstream(p) << text;
        return p;
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    fs::path dir_;
    std::string ring4_;
};

TEST_F(PlanCli, RingOnTheLabWalksTheFabricOnDisjointLinks) {
    const labwalk::Fabric lab(labwalk::slurp(kLabFile));
    const std::vector<std::string> host{"h1", "h2", "h3", "h4"};
    const auto r = run({kBin, "plan", "--topology", kLabFile, "--job", ring4_});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("max link load 1, lower bound 1 (reached)"), std::string::npos) << r.err;
    const auto p = json::parse(r.out);
    EXPECT_EQ(p["world_size"], 4);
    ASSERT_EQ(p["pairs"].size(), 4u);
    std::map<std::pair<std::string, std::string>, int> load;
    std::set<std::string> spines;
    for (const auto& e : p["pairs"]) {
        const int s = e["src"], d = e["dst"];
        EXPECT_EQ((s + 3) % 4, d) << e;  // r -> r-1
        EXPECT_EQ(lab.problem(e["path"], host[s], host[d]), "") << e;
        lab.add_load(e["path"], load);
    }
    for (const auto& [link, n] : load)
        EXPECT_EQ(n, 1) << link.first << " -> " << link.second << " carries " << n;
    EXPECT_EQ(load.size(), 6u);
    // Same inputs, same bytes; -o writes what stdout showed.
    const auto o = run({kBin, "plan", "--topology", kLabFile, "--job", ring4_, "-o", path("plan.json")});
    ASSERT_EQ(o.code, 0) << o.err;
    EXPECT_EQ(o.out, "");
    EXPECT_EQ(labwalk::slurp(path("plan.json")), r.out);
}

TEST_F(PlanCli, ApplyFilesCarryEachSendersPathsInBothFamilies) {
    const auto r = run({kBin, "plan", "-t", kLabFile, "--job", ring4_, "--apply-dir", path("apply"), "-o",
                        path("plan.json")});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto plan = json::parse(labwalk::slurp(path("plan.json")));
    const std::vector<std::string> host{"h1", "h2", "h3", "h4"};
    for (const auto& e : plan["pairs"]) {
        const std::string h = host[e["src"].get<int>()];
        const auto file = path("apply/" + h + ".json");
        ASSERT_TRUE(fs::exists(file)) << file;
        const auto a = json::parse(labwalk::slurp(file));
        std::set<std::string> usids;
        for (const auto& p : a["paths"]) {
            EXPECT_GE(p["id"].get<int>(), 1024);
            EXPECT_LT(p["id"].get<int>(), 2048);
            usids.insert(p["usids"]);
        }
        const std::string base = e["path"];
        EXPECT_EQ(usids, (std::set<std::string>{base + ",fe06", base + ",fe04"})) << file;
        // --host H writes the same file.
        const auto one = run({kBin, "plan", "-t", kLabFile, "--job", ring4_, "--host", h});
        ASSERT_EQ(one.code, 0) << one.err;
        EXPECT_EQ(one.out, labwalk::slurp(file));
    }
}

TEST_F(PlanCli, BadInputsSayWhatAndExitOneOrTwo) {
    struct Case {
        std::vector<std::string> args;
        int code;
        std::string says;
    };
    const auto bad_job = write("bad.json", R"({"ranks": ["h1", "h7"], "pattern": "ring"})");
    const auto broken = write("broken.json", R"({"ranks": ["h1", )");
    const std::vector<Case> cases{
        {{"plan", "-t", kLabFile}, 2, "missing --job FILE"},
        {{"plan", "--job", ring4_}, 2, "missing --topology FILE"},
        {{"plan", "-t", kLabFile, "--job", ring4_, "--jalapeno", "http://127.0.0.1:1/api/v1"}, 2, "exclude each other"},
        {{"plan", "-t", kLabFile, "--job", ring4_, "--host", "h1", "--apply-dir", path("x")}, 2, "exclude each other"},
        {{"plan", "-t", kLabFile, "--job", ring4_, "--dest-function", "fe06"}, 2, "go with --jalapeno"},
        {{"plan", "-t", path("nope.json"), "--job", ring4_}, 1, "cannot read"},
        {{"plan", "-t", kLabFile, "--job", bad_job}, 1, "ranks[1]: no host \"h7\""},
        {{"plan", "-t", kLabFile, "--job", broken}, 1, "broken.json"},
        {{"plan", "-t", kLabFile, "--job", ring4_, "--host", "h9"}, 1, "no host \"h9\""},
        {{"plan", "-t", kLabFile, "--job", ring4_, "-o", path("no/such/dir/p.json")}, 1, "cannot write"},
        {{"plan", "--job", ring4_, "--jalapeno", "http://127.0.0.1:1/api/v1", "--dest-function", "zz!"}, 2,
         "--dest-function=zz!: invalid uSID \"zz!\""},
        {{"simulate", "--clos", "4x4", "--ring"}, 2, "invalid --clos \"4x4\""},
        {{"simulate", "--clos", "4xAx4", "--ring"}, 2, "invalid --clos"},
        {{"simulate", "--clos", "4x4x4"}, 2, "missing --job FILE, or --ring or --all-to-all"},
        {{"simulate", "--clos", "4x4x4", "--ring", "--job", ring4_}, 2, "exclude each other"},
        {{"simulate", "-t", kLabFile, "--clos", "4x4x4", "--ring"}, 2, "exclude each other"},
        {{"simulate", "-t", kLabFile, "--job", bad_job}, 1, "no host \"h7\""},
    };
    for (const auto& c : cases) {
        const auto r = run(clitest::cat({kBin}, c.args));
        EXPECT_EQ(r.code, c.code) << c.args[0] << " " << c.says << ": " << r.err;
        EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
        EXPECT_EQ(r.err.rfind("srv6steer: ", 0), 0u) << r.err;
        EXPECT_EQ(r.out, "");
    }
}

TEST_F(PlanCli, FromJalapenoOneCallPerHostPairAndTheEnvironmentAsDefaults) {
    tj::FakeJalapeno fake;
    const std::string load = "/api/v1/graphs/fabric_graph/shortest_path/load";
    fake.on(load, "hosts/h1", "hosts/h2", {200, tj::kLoadH1H2});
    const auto job = write("pairs.json", R"({"ranks": ["h1", "h2", "h1"], "pattern": "pairs",
        "pairs": [{"src": 0, "dst": 1}, {"src": 2, "dst": 1}]})");
    setenv("JALAPENO_API_ENDPOINT", fake.endpoint().c_str(), 1);
    setenv("TOPOLOGY_COLLECTION", "fabric_graph", 1);
    setenv("DEST_FUNCTION", "fe06", 1);
    const auto r = run({kBin, "plan", "--job", job});
    unsetenv("JALAPENO_API_ENDPOINT");
    unsetenv("TOPOLOGY_COLLECTION");
    unsetenv("DEST_FUNCTION");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(fake.targets().size(), 1u);
    EXPECT_NE(r.err.find("1 host pair"), std::string::npos) << r.err;
    const auto p = json::parse(r.out);
    EXPECT_EQ(p["pairs"], json::parse(R"([{"src": 0, "dst": 1, "path": "1004,1002,1006"},
                                          {"src": 2, "dst": 1, "path": "1004,1002,1006"}])"));
    // DEST_FUNCTION is IPv6's decap; IPv4 takes the lab's End.DX4 (fe04),
    // never End.DT6 (planner/from_jalapeno.cpp).
    EXPECT_EQ(p["decap"]["ipv6"], "fe06");
    EXPECT_EQ(p["decap"]["ipv4"], "fe04");

    // Apply files for the agent (`srv6steer apply`, `agent --config`): the
    // sending host's paths in both families from the same single call.
    const auto a = run({kBin, "plan", "--job", job, "--jalapeno", fake.endpoint(), "--collection", "fabric_graph",
                        "--dest-function", "fe06", "--apply-dir", path("apply"), "-o", path("j.json")});
    ASSERT_EQ(a.code, 0) << a.err;
    EXPECT_EQ(fake.targets().size(), 2u);
    EXPECT_EQ(json::parse(labwalk::slurp(path("j.json")))["pairs"], p["pairs"]);
    EXPECT_FALSE(fs::exists(path("apply/h2.json")));  // h2 sends nothing
    const auto h1 = json::parse(labwalk::slurp(path("apply/h1.json")));
    std::set<std::string> usids;
    for (const auto& e : h1["paths"]) {
        EXPECT_GE(e["id"].get<int>(), 1024);
        EXPECT_LT(e["id"].get<int>(), 2048);
        usids.insert(e["usids"]);
    }
    EXPECT_EQ(usids, (std::set<std::string>{"1004,1002,1006,fe06", "1004,1002,1006,fe04"}));
    EXPECT_EQ(h1["block"], "fcbb::/32");
    const auto one = run({kBin, "plan", "--job", job, "--jalapeno", fake.endpoint(), "--collection", "fabric_graph",
                          "--dest-function", "fe06", "--host", "h1"});
    ASSERT_EQ(one.code, 0) << one.err;
    EXPECT_EQ(one.out, labwalk::slurp(path("apply/h1.json")));

    // A miss: exit 1, nothing on stdout, no file.
    fake.on(load, "hosts/h1", "hosts/h2", {200, tj::kNoPath});
    const auto miss = run({kBin, "plan", "--job", job, "--jalapeno", fake.endpoint(), "--collection", "fabric_graph",
                           "-o", path("m.json"), "--apply-dir", path("none")});
    EXPECT_EQ(miss.code, 1);
    EXPECT_NE(miss.err.find("no paths returned for any pair"), std::string::npos) << miss.err;
    EXPECT_FALSE(fs::exists(path("m.json")));
    EXPECT_FALSE(fs::exists(path("none")));
}

TEST_F(PlanCli, FromJalapenoBestPathsFillPathSetsAndOtherMetrics) {
    tj::FakeJalapeno fake;
    const std::string api = "/api/v1/graphs/fabric_graph/shortest_path/";
    fake.on(api + "best-paths", "hosts/h1", "hosts/h2", {200, tj::kBestH1H2});
    fake.on(api + "latency", "hosts/h1", "hosts/h2", {200, tj::kLoadH1H2});
    // Two ranks on h1, to h2: three connections, Jalapeno's two best paths in turn.
    const auto job = write("pairs.json", R"({"ranks": ["h1", "h2", "h1"], "pattern": "pairs",
        "pairs": [{"src": 0, "dst": 1, "connections": 2}, {"src": 2, "dst": 1}]})");
    const std::vector<std::string> base{kBin, "plan", "--job", job, "--jalapeno", fake.endpoint(), "--collection",
                                        "fabric_graph", "--dest-function", "fe06"};
    const auto r = run(clitest::cat(base, {"--best-paths", "4", "--apply-dir", path("apply"), "-o", path("p.json")}));
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(fake.targets().size(), 1u);
    EXPECT_NE(fake.targets()[0].find("best-paths?"), std::string::npos) << fake.targets()[0];
    EXPECT_NE(fake.targets()[0].find("limit=4"), std::string::npos) << fake.targets()[0];
    EXPECT_NE(r.err.find("2 paths"), std::string::npos) << r.err;
    const auto p = json::parse(labwalk::slurp(path("p.json")));
    EXPECT_EQ(p["pairs"], json::parse(R"([{"src": 0, "dst": 1, "paths": ["1004,1001,1006", "1004,1002,1006"]},
                                          {"src": 2, "dst": 1, "path": "1004,1001,1006"}])"));
    // h1's apply file: both paths in both families, and per family a set of
    // its connections' paths (3 entries: the first path twice).
    const auto a = json::parse(labwalk::slurp(path("apply/h1.json")));
    std::map<int, std::string> usids;
    for (const auto& e : a["paths"])
        usids[e["id"]] = e["usids"];
    ASSERT_EQ(usids.size(), 4u);
    ASSERT_EQ(a["sets"].size(), 2u);
    std::set<std::vector<std::string>> sets;
    for (const auto& set : a["sets"]) {
        std::vector<std::string> members;
        for (const auto& id : set["paths"])
            members.push_back(usids.at(id.get<int>()));
        sets.insert(members);
    }
    EXPECT_EQ(sets, (std::set<std::vector<std::string>>{
                        {"1004,1001,1006,fe06", "1004,1002,1006,fe06", "1004,1001,1006,fe06"},
                        {"1004,1001,1006,fe04", "1004,1002,1006,fe04", "1004,1001,1006,fe04"}}));

    // Another metric: its endpoint, once per pair.
    const auto l = run(clitest::cat(base, {"--metric", "latency"}));
    ASSERT_EQ(l.code, 0) << l.err;
    EXPECT_EQ(fake.count(api + "latency?source=hosts/h1&destination=hosts/h2&direction=outbound"), 1u)
        << fake.targets().back();
    EXPECT_EQ(l.err.find("raised"), std::string::npos) << l.err;  // only /load raises loads
    const auto bad = run(clitest::cat(base, {"--metric", "speed"}));
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.err.find("expected load, hops, latency or utilization"), std::string::npos) << bad.err;
    const auto both = run(clitest::cat(base, {"--metric", "hops", "--best-paths", "2"}));
    EXPECT_EQ(both.code, 2);
    EXPECT_NE(both.err.find("exclude each other"), std::string::npos) << both.err;
}

TEST_F(PlanCli, FromJalapenoWhatCanFailFailsBeforeAskingAndAFailedWriteLeavesNoFile) {
    tj::FakeJalapeno fake;
    fake.on("/api/v1/graphs/fabric_graph/shortest_path/load", "hosts/h1", "hosts/h2", {200, tj::kLoadH1H2});
    const auto job = write("pairs.json", R"({"ranks": ["h1", "h2"], "pattern": "pairs", "pairs": [{"src": 0, "dst": 1}]})");
    const std::vector<std::string> base{kBin, "plan", "--job", job, "--jalapeno", fake.endpoint(), "--collection",
                                        "fabric_graph", "--dest-function", "fe06"};
    // /load raises Jalapeno's loads: a --host that sends nothing, or an
    // --apply-dir that is a file, fails before any call.
    const auto h = run(clitest::cat(base, {"--host", "h2"}));
    EXPECT_EQ(h.code, 1);
    EXPECT_NE(h.err.find("\"h2\" sends to no other host"), std::string::npos) << h.err;
    const auto f = run(clitest::cat(base, {"--apply-dir", job}));
    EXPECT_EQ(f.code, 1);
    EXPECT_NE(f.err.find("not a directory"), std::string::npos) << f.err;
    EXPECT_TRUE(fake.targets().empty());
    // A file that cannot be written: nothing is left in the apply directory.
    const auto w = run(clitest::cat(base, {"--apply-dir", path("out"), "-o", path("no/such/dir/p.json")}));
    EXPECT_EQ(w.code, 1) << w.err;
    EXPECT_EQ(fake.targets().size(), 1u);
    EXPECT_TRUE(fs::is_empty(path("out")));
}

// One table row: the cells of the line that starts with `fabric`.
std::vector<std::string> row(const std::string& table, const std::string& fabric) {
    std::stringstream ss(table);
    for (std::string line; std::getline(ss, line);)
        if (line.rfind(fabric + " ", 0) == 0) {
            // cells are separated by two spaces or more
            std::vector<std::string> cells;
            std::regex sep("  +");
            for (std::sregex_token_iterator it(line.begin(), line.end(), sep, -1), end; it != end; ++it)
                cells.push_back(*it);
            return cells;
        }
    return {};
}

TEST_F(PlanCli, SimulateAStridedRingAndAPackedOne) {
    // 4 leaves x 4 spines x 4 hosts, strided ring: each leaf sends 4 of the
    // 16 connections up and takes 4 down, over 4 links each way: bound 1,
    // which the planner and sequential greedy reach; ECMP collides
    // (a mean over seeds of at least 1). Mean over the 32 leaf-spine
    // directed links: 16 connections x 2 links / 32 = 1.
    const auto r = run({kBin, "simulate", "--clos", "4x4x4,2x2x1", "--ring", "--svg", path("svg")});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto a = row(r.out, "clos-4x4x4");
    ASSERT_EQ(a.size(), 12u) << r.out;
    EXPECT_EQ(a[1], "16");
    EXPECT_EQ(a[2], "ring (strided)");
    EXPECT_EQ(a[3], "16");
    EXPECT_EQ(a[4], "1");           // bound
    EXPECT_EQ(a[5], "1");           // planner max
    EXPECT_EQ(a[6], "1.00");        // planner mean
    EXPECT_GE(std::stod(a[7]), 1);  // ECMP mean max
    EXPECT_EQ(a[8], "1.00");        // ECMP mean
    EXPECT_EQ(a[10], "1");          // greedy max
    // 2 leaves x 2 spines, 1 host each: 2 connections, one per direction.
    const auto b = row(r.out, "clos-2x2x1");
    ASSERT_EQ(b.size(), 12u) << r.out;
    EXPECT_EQ(b[1], "2");
    EXPECT_EQ(b[3], "2");
    EXPECT_EQ(b[5], "1");
    EXPECT_EQ(b[6], "0.50");  // 2 connections x 2 links over 8 directed links
    for (const auto* scheme : {"planner", "ecmp", "greedy"})
        for (const auto* f : {"clos-4x4x4", "clos-2x2x1"}) {
            const auto svg = labwalk::slurp(path(std::string("svg/") + f + "-" + scheme + ".svg"));
            EXPECT_NE(svg.find("<svg"), std::string::npos) << f << " " << scheme;
        }

    // Packed: consecutive ranks on one leaf, one crossing per leaf.
    const auto p = run({kBin, "simulate", "--clos", "4x4x4", "--ring", "--packed"});
    ASSERT_EQ(p.code, 0) << p.err;
    const auto c = row(p.out, "clos-4x4x4");
    ASSERT_EQ(c.size(), 12u) << p.out;
    EXPECT_EQ(c[2], "ring");
    EXPECT_EQ(c[5], "1");
    EXPECT_EQ(c[6], "0.25");  // 4 crossings x 2 links over 32
}

TEST_F(PlanCli, SimulateTheLabWithAJobFile) {
    const auto r = run({kBin, "simulate", "-t", kLabFile, "--job", ring4_, "--seeds", "8"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto a = row(r.out, "lab");
    ASSERT_EQ(a.size(), 12u) << r.out;
    EXPECT_EQ(a[1], "4");
    EXPECT_EQ(a[3], "4");  // 4 rank pairs, one of them inside leaf02
    EXPECT_EQ(a[5], "1");
    EXPECT_NE(r.out.find("mean of 8 seeds"), std::string::npos);
}

}  // namespace
