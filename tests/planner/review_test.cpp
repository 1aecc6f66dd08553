// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Inputs the planner must refuse with an Error instead of crashing or
// allocating without end, and results checked against hand-computed values.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "helpers.hpp"
#include "output.hpp"

namespace srv6steer::planner {
namespace {

using test::error_of;

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Two leaves in one plane, each with a spine of its own: no up-then-down path.
const char* kApart = R"({"block":"fcbb:0::/32","nodes":[{"name":"s1","role":"spine","usid":"1001"},
  {"name":"s2","role":"spine","usid":"1002"},{"name":"l1","role":"leaf","usid":"1004"},
  {"name":"l2","role":"leaf","usid":"1005"}],"links":[{"a":"l1","b":"s1"},{"a":"l2","b":"s2"}],
  "hosts":[{"name":"a","leaf":"l1","ipv6":"fd00::1"},{"name":"b","leaf":"l2","ipv6":"fd00::2"}]})";

TEST(PlannerRefuses, LeavesWithoutACommonSpine) {
    const auto t = Topology::parse(kApart, "apart.json");
    const auto job = Job::ring({"a", "b"});
    const auto e = error_of([&] { plan(t, job); });
    EXPECT_TRUE(has(e, "ranks 0 -> 1")) << e;
    EXPECT_TRUE(has(e, "\"a\" and \"b\"")) << e;
    EXPECT_TRUE(has(e, "l1 and l2 have no common spine")) << e;
    EXPECT_NE(error_of([&] { simulate(t, job, 2, 1); }), "");
}

TEST(PlannerRefuses, MoreConnectionsThanTheCap) {
    const auto t = test::lab();
    Job j;
    j.source = "big.json";
    j.pattern = Pattern::AllToAll;
    for (int r = 0; r < 4097; r++)  // 4097 * 4096 > 2^24
        j.ranks.push_back(r % 2 ? "h1" : "h2");
    const auto e = error_of([&] { connections(t, j); });
    EXPECT_TRUE(has(e, "big.json: 16781312 connections")) << e;
    EXPECT_TRUE(has(e, "16777216")) << e;
}

std::string nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(TopologyRefuses, DeepNesting) {
    const auto e = error_of([&] { Topology::parse(nested(100000), "deep.json"); });
    EXPECT_TRUE(has(e, "deep.json: arrays and objects nest deeper than 64")) << e;
    // Shallow enough to parse, shown short in the message.
    const auto e2 = error_of([&] { Topology::parse(nested(60), "d.json"); });
    EXPECT_TRUE(has(e2, "expected an object, got [[[[[...]]]]]")) << e2;
    EXPECT_LT(e2.size(), 200u) << e2;
}

TEST(JobRefuses, DeepNesting) {
    const std::string s = R"({"ranks":["a"],"pattern":"ring","volume":)" + nested(100000) + "}";
    const auto e = error_of([&] { Job::parse(s, "deepjob.json"); });
    EXPECT_TRUE(has(e, "deepjob.json: arrays and objects nest deeper than 64")) << e;
}

TEST(TopologyRefuses, BlocksLongerThan96) {
    std::string s = test::repo_file("topologies/lab.json");
    const auto at = s.find("fcbb:0::/32");
    ASSERT_NE(at, std::string::npos);
    s.replace(at, 11, "fcbb::/112");
    const auto e = error_of([&] { Topology::parse(s, "t.json"); });
    EXPECT_TRUE(has(e, "block: fcbb::/112: longer than /96")) << e;
    s.replace(s.find("fcbb::/112"), 10, "fcbb::/96");
    EXPECT_EQ(error_of([&] { Topology::parse(s, "t.json"); }), "");
}

// Volumes equal within 1e-10: both the method and the bound treat them as equal.
TEST(PlannerTolerance, NearlyEqualVolumesReachTheBound) {
    ClosSpec s;
    s.leaves = 2;
    s.spines = 2;
    s.hosts_per_leaf = 3;
    const auto t = clos(s);
    Job j;
    for (const auto& h : t.hosts)
        j.ranks.push_back(h.name);
    j.pattern = Pattern::Pairs;
    j.pairs = {{0, 3, 1, 1}, {1, 4, 1, 1}, {2, 5, 1 + 1e-10, 1}};
    const Plan p = plan(t, j);
    // By hand: three connections leaf0 -> leaf1 over 2 spines: some link carries 2.
    EXPECT_NEAR(p.load.max, 2.0, 1e-9);
    EXPECT_NEAR(p.lower_bound, 2.0, 1e-9);
    EXPECT_TRUE(p.reaches_bound());
}

TEST(OutputSets, CapKeepsEveryDistinctPathInProportion) {
    std::vector<uint32_t> ids(16, 1024);  // 16 connections on path 1024, then 4 more on 1025 and 1026
    ids.insert(ids.end(), {1025, 1025, 1026, 1026});
    auto c = cap_set(ids);
    ASSERT_EQ(c.size(), 16u);
    // 20 connections in 16 slots: 16:2:2 -> 12 (+1 by largest share), 2, 2 with each kept at least once.
    EXPECT_EQ(std::count(c.begin(), c.end(), 1024u), 12);
    EXPECT_EQ(std::count(c.begin(), c.end(), 1025u), 2);
    EXPECT_EQ(std::count(c.begin(), c.end(), 1026u), 2);
    std::vector<uint32_t> many;
    for (uint32_t i = 0; i < 20; i++)
        many.insert(many.end(), i < 3 ? 2 : 1, 1024 + i);
    c = cap_set(many);
    ASSERT_EQ(c.size(), 16u);
    for (uint32_t i = 0; i < 3; i++)  // the ones of two connections stay
        EXPECT_EQ(std::count(c.begin(), c.end(), 1024 + i), 1);
    EXPECT_EQ(std::set<uint32_t>(c.begin(), c.end()).size(), 16u);
}

}  // namespace
}  // namespace srv6steer::planner
