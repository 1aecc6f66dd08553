// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <gmock/gmock.h>
#include <rapidcheck/gtest.h>

#include "helpers.hpp"

namespace srv6steer::planner {
namespace {

using ::testing::HasSubstr;

TEST(Simulate, GreedyOnTheLabIsHandComputed) {
    // Pairs in order (1 connection each, all-to-all of h1, h2, h4):
    // h1->h2 leaf00-leaf02: both spines idle, the first (spine1);
    // h1->h4 leaf00-leaf01: spine1 has leaf00->spine1 = 1, so spine2; ...
    const auto t = test::lab();
    const auto conns = greedy(t, connections(t, Job::all_to_all({"h1", "h2", "h4"})));
    ASSERT_EQ(conns.size(), 6u);
    EXPECT_EQ(t.nodes[conns[0].hops[1]].name, "spine1");
    EXPECT_EQ(t.nodes[conns[1].hops[1]].name, "spine2");
}

TEST(Simulate, EcmpIsDeterministicPerSeedAndUsesShortestPaths) {
    const auto t = clos({.tiers = 3, .pods = 2, .leaves = 2, .spines = 2, .superspines = 4, .hosts_per_leaf = 2});
    const auto c = connections(t, Job::all_to_all(test::host_names(t)));
    const auto a = ecmp(t, c, 7), b = ecmp(t, c, 7), d = ecmp(t, c, 8);
    bool differs = false;
    for (size_t i = 0; i < a.size(); i++) {
        EXPECT_EQ(a[i].hops, b[i].hops);
        differs = differs || a[i].hops != d[i].hops;
        const auto paths = leaf_paths(t, a[i].hops.front(), a[i].hops.back());
        EXPECT_NE(std::find(paths.begin(), paths.end(), a[i].hops), paths.end());
    }
    EXPECT_TRUE(differs);
}

TEST(Simulate, PlannerBeatsEcmpOnARing) {
    const auto t = clos({.leaves = 8, .spines = 4, .hosts_per_leaf = 8});
    // Ranks strided over the leaves (rank r on leaf r % 8): every ring step crosses the fabric.
    std::vector<std::string> ranks;
    for (size_t r = 0; r < 64; r++)
        ranks.push_back(t.hosts[(r % 8) * 8 + r / 8].name);
    const auto s = simulate(t, Job::ring(ranks), 16);
    EXPECT_EQ(s.lower_bound, 2);  // 8 connections out of each leaf over 4 spines
    ASSERT_EQ(s.schemes.size(), 3u);
    EXPECT_EQ(s.schemes[0].name, "planner");
    EXPECT_EQ(s.schemes[0].load.max, s.lower_bound);
    EXPECT_GT(s.schemes[1].load.max, s.schemes[0].load.max);
    // Every scheme moves the same volume over 2 links per leaf-to-leaf connection.
    EXPECT_NEAR(s.schemes[0].load.mean, s.schemes[1].load.mean, 1e-9);
    EXPECT_NEAR(s.schemes[0].load.mean, s.schemes[2].load.mean, 1e-9);
    EXPECT_THAT(table(s), HasSubstr("planner"));
}

TEST(Svg, OneLinePerDirectedLinkAndLabels) {
    const auto t = test::lab();
    const Plan p = plan(t, Job::ring({"h1", "h2", "h3", "h4"}));
    const auto s = svg(t, p.loads, "lab ring");
    EXPECT_THAT(s, ::testing::StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    EXPECT_THAT(s, HasSubstr("lab ring"));
    size_t lines = 0;
    for (size_t at = s.find("<line "); at != std::string::npos; at = s.find("<line ", at + 1))
        lines++;
    EXPECT_EQ(lines, t.n_dlinks());
    EXPECT_THAT(s, HasSubstr("leaf00 -&gt; spine"));
    EXPECT_THAT(s, HasSubstr("</svg>"));
}

}  // namespace
}  // namespace srv6steer::planner
