// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// srv6s_plan and srv6s_plan_jalapeno through libsrv6steer.so: no kernel, no
// privileges. The planner's plan is checked against topologies/lab.json read
// here on its own (every path a walk from the source host's leaf to the
// destination's, no directed link carrying two ring connections); the
// Jalapeno plan against a fake Jalapeno on 127.0.0.1 (tests/planner/
// jalapeno_fixture.hpp) whose answers are written by hand, and read back by
// python/srv6steer/plan.py.
#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "jalapeno_answers.hpp"
#include "jalapeno_fixture.hpp"
#include "lab_walk.hpp"
#include "shell.hpp"
#include "srv6steer/srv6steer.h"

namespace {

using nlohmann::json;
namespace tj = srv6steer::testing_jalapeno;

const std::string kLab = labwalk::slurp(SRV6S_SOURCE_DIR "/topologies/lab.json");
const char* kRing4 = R"({"ranks": ["h1", "h2", "h3", "h4"], "pattern": "ring"})";

// The C call's result: rc, the text (freed here), the message.
struct Result {
    int rc = 0;
    std::string text;
    bool out_null = true;
    std::string error;
};

Result plan(const char* topo, const char* job) {
    Result r;
    char* out = reinterpret_cast<char*>(1);  // must be reset to NULL on failure
    r.rc = srv6s_plan(topo, job, &out);
    r.out_null = out == nullptr;
    if (out) {
        r.text = out;
        srv6s_free_string(out);
    }
    r.error = srv6s_last_error();
    return r;
}

Result plan_jalapeno(const std::string& endpoint, const char* dest, const char* job, unsigned timeout_ms = 0) {
    Result r;
    char* out = reinterpret_cast<char*>(1);
    r.rc = srv6s_plan_jalapeno(endpoint.c_str(), "fabric_graph", dest, job, timeout_ms, &out);
    r.out_null = out == nullptr;
    if (out) {
        r.text = out;
        srv6s_free_string(out);
    }
    r.error = srv6s_last_error();
    return r;
}

TEST(CApiPlan, RingOnTheLabIsAWalkPerPairAndNoLinkCarriesTwo) {
    const labwalk::Fabric lab(kLab);
    const std::vector<std::string> host{"h1", "h2", "h3", "h4"};
    const auto r = plan(kLab.c_str(), kRing4);
    ASSERT_EQ(r.rc, 0) << r.error;
    const auto p = json::parse(r.text);
    EXPECT_EQ(p["version"], 1);
    EXPECT_EQ(p["world_size"], 4);
    EXPECT_EQ(p["decap"], json::parse(R"({"ipv6": "fe06", "ipv4": "fe04"})"));
    // gloo's ring sends r -> r-1: 0->3, 1->0, 2->1, 3->2; h2 -> h1 ... h3 -> h2 shares leaf02.
    std::set<std::pair<int, int>> want{{0, 3}, {1, 0}, {2, 1}, {3, 2}}, got;
    std::map<std::pair<std::string, std::string>, int> load;  // directed link -> connections
    for (const auto& e : p["pairs"]) {
        const int s = e["src"], d = e["dst"];
        got.insert({s, d});
        ASSERT_TRUE(e.contains("path")) << e;
        EXPECT_EQ(lab.problem(e["path"], host[s], host[d]), "") << e;
        lab.add_load(e["path"], load);
    }
    EXPECT_EQ(got, want);
    for (const auto& [link, n] : load)
        EXPECT_EQ(n, 1) << link.first << " -> " << link.second;
    EXPECT_EQ(load.size(), 6u);  // three pairs cross the fabric, two links each
    EXPECT_EQ(plan(kLab.c_str(), kRing4).text, r.text);  // deterministic
}

TEST(CApiPlan, ProblemsAreEinvalWithTheirPlaceAndNoText) {
    auto r = plan(kLab.c_str(), R"({"ranks": ["h1", "h9"], "pattern": "ring"})");
    EXPECT_EQ(r.rc, -EINVAL);
    EXPECT_TRUE(r.out_null);
    EXPECT_NE(r.error.find("job: ranks[1]"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("h9"), std::string::npos) << r.error;

    r = plan(R"({"block": "fcbb:0::/32", "nodes": [)", kRing4);
    EXPECT_EQ(r.rc, -EINVAL);
    EXPECT_TRUE(r.out_null);
    EXPECT_EQ(r.error.rfind("topology", 0), 0u) << r.error;

    r = plan(nullptr, kRing4);
    EXPECT_EQ(r.rc, -EINVAL);
    EXPECT_NE(r.error.find("topology"), std::string::npos) << r.error;
    EXPECT_EQ(srv6s_plan(kLab.c_str(), kRing4, nullptr), -EINVAL);
    EXPECT_NE(std::string(srv6s_last_error()).find("rank_pairs"), std::string::npos);
    srv6s_free_string(nullptr);  // nothing
}

// Two rank pairs between h1 and h2 (ranks 0 and 2 on h1): one Jalapeno call.
const char* kPairsJob =
    R"({"ranks": ["h1", "h2", "h1"], "pattern": "pairs",
        "pairs": [{"src": 0, "dst": 1}, {"src": 2, "dst": 1, "connections": 2}]})";
const std::string kLoadPath = "/api/v1/graphs/fabric_graph/shortest_path/load";

TEST(CApiPlanJalapeno, OneCallPerHostPairTheAnswersPathAndDestFunction) {
    tj::FakeJalapeno fake;
    fake.on(kLoadPath, "hosts/h1", "hosts/h2", {200, tj::kLoadH1H2});
    const auto r = plan_jalapeno(fake.endpoint(), "fe06", kPairsJob);
    ASSERT_EQ(r.rc, 0) << r.error;
    EXPECT_EQ(fake.targets(),
              std::vector<std::string>{kLoadPath + "?source=hosts/h1&destination=hosts/h2&direction=outbound"});
    const auto p = json::parse(r.text);
    // kLoadH1H2: srv6_usid fcbb:0:1004:1002:1006::, usid_block fcbb:0:.
    EXPECT_EQ(p["block"], "fcbb::/32");
    // One dest function is IPv6's; IPv4 takes plan.py's default fe04 (End.DX4), not End.DT6.
    EXPECT_EQ(p["decap"], json::parse(R"({"ipv6": "fe06", "ipv4": "fe04"})"));
    EXPECT_EQ(p["world_size"], 3);
    EXPECT_EQ(p["pairs"], json::parse(R"([{"src": 0, "dst": 1, "path": "1004,1002,1006"},
                                          {"src": 2, "dst": 1, "path": "1004,1002,1006"}])"));

    // plan.py reads it: rank 2's second connection to rank 1, IPv6 and IPv4.
    const std::string code =
        "import socket, sys\n"
        "from srv6steer.plan import Plan\n"
        "class C: pass\n"
        "p = Plan.from_json(sys.stdin.read())\n"
        "for fam in (socket.AF_INET6, socket.AF_INET):\n"
        "    c = C(); c.family = fam\n"
        "    print(p.block, ','.join(format(u, 'x') for u in p.path_for(2, 1, 1, c).usids))\n";
    const std::string file = "/tmp/srv6s-capi-plan-" + std::to_string(getpid());
    std::ofstream(file + ".json") << r.text;
    std::ofstream(file + ".py") << code;
    const auto out = testsh::sh("PYTHONPATH=" SRV6S_SOURCE_DIR "/python /usr/bin/python3 " + file + ".py < " +
                                file + ".json");
    std::remove((file + ".json").c_str());
    std::remove((file + ".py").c_str());
    EXPECT_EQ(out, "fcbb::/32 1004,1002,1006,fe06\nfcbb::/32 1004,1002,1006,fe04\n");
}

TEST(CApiPlanJalapeno, DestFunctionPerFamily) {
    tj::FakeJalapeno fake;
    fake.on(kLoadPath, "hosts/h1", "hosts/h2", {200, tj::kLoadH1H2});
    const auto r = plan_jalapeno(fake.endpoint(), "ipv6=fe16,ipv4=fe14", kPairsJob);
    ASSERT_EQ(r.rc, 0) << r.error;
    const auto p = json::parse(r.text);
    EXPECT_EQ(p["decap"], json::parse(R"({"ipv6": "fe16", "ipv4": "fe14"})"));
    EXPECT_EQ(p["pairs"][0]["path"], "1004,1002,1006");
    for (const char* bad : {"ipv4=fe04", "ipv5=fe06", "ipv6=fe06,ipv4=0"}) {
        const auto e = plan_jalapeno(fake.endpoint(), bad, kPairsJob);
        EXPECT_EQ(e.rc, -EINVAL) << bad;
        EXPECT_NE(e.error.find("dest_function"), std::string::npos) << e.error;
    }
    EXPECT_EQ(fake.targets().size(), 1u);
}

TEST(CApiPlanJalapeno, WithoutDestFunctionThePathsAreTheContainers) {
    tj::FakeJalapeno fake;
    fake.on(kLoadPath, "hosts/h1", "hosts/h2", {200, tj::kLoadH1H2});
    const auto r = plan_jalapeno(fake.endpoint(), "", kPairsJob);
    ASSERT_EQ(r.rc, 0) << r.error;
    const auto p = json::parse(r.text);
    EXPECT_FALSE(p.contains("decap"));
    EXPECT_EQ(p["pairs"][1]["path"], json::parse(R"({"segments": ["fcbb:0:1004:1002:1006::"]})"));
}

TEST(CApiPlanJalapeno, FailuresGiveNoPlanAndTheirErrno) {
    tj::FakeJalapeno fake;
    // A ring h1 <-> h2: h1 -> h2 answers, h2 -> h1 has no path.
    const char* ring = R"({"ranks": ["h1", "h2"], "pattern": "ring"})";
    fake.on(kLoadPath, "hosts/h1", "hosts/h2", {200, tj::kLoadH1H2});
    fake.on(kLoadPath, "hosts/h2", "hosts/h1", {200, tj::kNoPath});
    auto r = plan_jalapeno(fake.endpoint(), "fe06", ring);
    EXPECT_EQ(r.rc, -ENOENT) << r.error;
    EXPECT_TRUE(r.out_null);
    EXPECT_NE(r.error.find("no paths returned for any pair"), std::string::npos) << r.error;
    EXPECT_EQ(fake.targets().size(), 2u);

    fake.on(kLoadPath, "hosts/h2", "hosts/h1", {500, R"({"detail": "database is down"})"});
    r = plan_jalapeno(fake.endpoint(), "fe06", ring);
    EXPECT_EQ(r.rc, -EIO) << r.error;
    EXPECT_NE(r.error.find("database is down"), std::string::npos) << r.error;

    fake.on(kLoadPath, "hosts/h2", "hosts/h1", {200, "<html>not json</html>"});
    r = plan_jalapeno(fake.endpoint(), "fe06", ring);
    EXPECT_EQ(r.rc, -EPROTO) << r.error;

    fake.on(kLoadPath, "hosts/h2", "hosts/h1", {200, tj::kLoadH1H2, tj::Reply::Mode::Hold});
    r = plan_jalapeno(fake.endpoint(), "fe06", ring, 300);
    EXPECT_EQ(r.rc, -ETIMEDOUT) << r.error;
    fake.release();

    r = plan_jalapeno(fake.endpoint(), "xyz!", ring);
    EXPECT_EQ(r.rc, -EINVAL);
    EXPECT_NE(r.error.find("dest_function"), std::string::npos) << r.error;
}

TEST(CApiPlanJalapeno, NothingListensIsConnRefused) {
    int port;
    {
        tj::FakeJalapeno gone;  // a port that was free and is closed again
        port = gone.port();
    }
    const auto r = plan_jalapeno("http://127.0.0.1:" + std::to_string(port) + "/api/v1", "fe06", kRing4, 1000);
    EXPECT_EQ(r.rc, -ECONNREFUSED) << r.error;
    EXPECT_TRUE(r.out_null);
}

}  // namespace
