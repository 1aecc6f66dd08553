// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <gmock/gmock.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <map>

#include "helpers.hpp"

namespace srv6steer::planner {
namespace {

// Every connection's hops: from the source host's leaf to the destination
// host's leaf in one plane, each step a link, up then down.
void check_walks(const Topology& t, const Plan& p) {
    for (const Conn& c : p.conns) {
        RC_ASSERT(!c.hops.empty());
        const unsigned plane = t.nodes[c.hops.front()].plane;
        const auto& sl = t.hosts[c.src_host].leaves;
        const auto& dl = t.hosts[c.dst_host].leaves;
        RC_ASSERT(std::find(sl.begin(), sl.end(), c.hops.front()) != sl.end());
        RC_ASSERT(std::find(dl.begin(), dl.end(), c.hops.back()) != dl.end());
        RC_ASSERT(t.nodes[c.hops.back()].plane == plane);
        bool down = false;
        for (size_t i = 0; i + 1 < c.hops.size(); i++) {
            RC_ASSERT(t.dlink(c.hops[i], c.hops[i + 1]).has_value());
            const bool up = static_cast<int>(t.nodes[c.hops[i]].role) < static_cast<int>(t.nodes[c.hops[i + 1]].role);
            RC_ASSERT(!(down && up));  // no valley: a leaf is never a transit
            down = down || !up;
        }
    }
}

// Loads recomputed here, link by link, and their total.
void check_loads(const Topology& t, const Plan& p) {
    std::map<std::pair<uint32_t, uint32_t>, double> mine;
    double expect_total = 0;
    for (const Conn& c : p.conns) {
        for (size_t i = 0; i + 1 < c.hops.size(); i++)
            mine[{c.hops[i], c.hops[i + 1]}] += c.volume;
        expect_total += c.volume * static_cast<double>(c.hops.size() - 1);
    }
    double total = 0;
    for (uint32_t d = 0; d < t.n_dlinks(); d++) {
        total += p.loads.load[d];
        auto it = mine.find({t.dlink_from(d), t.dlink_to(d)});
        RC_ASSERT(std::abs(p.loads.load[d] - (it == mine.end() ? 0.0 : it->second)) < 1e-9);
    }
    RC_ASSERT(std::abs(total - expect_total) < 1e-6 * (1 + expect_total));
}

// The bound for equal connections on a Clos fabric whose hosts have one leaf
// index in every plane: a leaf index with k connections to (from) other leaf
// indices needs ceil(k / (planes * spines)) on one of its up (down) links.
double clos_bound(const ClosSpec& s, const Topology& t, const Plan& p) {
    std::map<std::string, unsigned> out, in;
    double v = 0;
    auto leaf_index = [&](uint32_t h) { return t.nodes[t.hosts[h].leaves[0]].name; };
    for (const Conn& c : p.conns) {
        if (leaf_index(c.src_host) == leaf_index(c.dst_host))
            continue;
        out[leaf_index(c.src_host)]++;
        in[leaf_index(c.dst_host)]++;
        v = c.volume;
    }
    unsigned worst = 0;
    for (const auto* m : {&out, &in})
        for (const auto& [leaf, k] : *m)
            worst = std::max(worst, (k + s.planes * s.spines - 1) / (s.planes * s.spines));
    return worst * v;
}

RC_GTEST_PROP(Planner, PermutationsReachTheBoundOnTwoTierClos, ()) {
    const auto spec = test::gen_spec(false);
    const auto t = clos(spec);
    const auto job = test::gen_permutation(t, *rc::gen::inRange(1u, 4u));
    const Plan p = plan(t, job);
    check_walks(t, p);
    check_loads(t, p);
    const double bound = clos_bound(spec, t, p);
    RC_ASSERT(std::abs(p.load.max - bound) < 1e-9);
    RC_ASSERT(std::abs(p.lower_bound - bound) < 1e-9);
    RC_ASSERT(p.reaches_bound());
}

RC_GTEST_PROP(Planner, EqualConnectionsOfAnyPatternReachTheBoundOnTwoTierClos, ()) {
    const auto spec = test::gen_spec(false);
    const auto t = clos(spec);
    const auto job = test::gen_general(t, 40, true);
    const Plan p = plan(t, job);
    check_walks(t, p);
    check_loads(t, p);
    RC_ASSERT(std::abs(p.load.max - clos_bound(spec, t, p)) < 1e-9);
}

RC_GTEST_PROP(Planner, AnyJobOnAnyClosGivesWalksAndLoadsAboveTheBound, (bool three)) {
    const auto spec = test::gen_spec(three, 4);
    const auto t = clos(spec);
    const auto job = test::gen_general(t, 30, false);
    const Plan p = plan(t, job);
    check_walks(t, p);
    check_loads(t, p);
    RC_ASSERT(p.load.max >= p.lower_bound - 1e-9);
}

RC_GTEST_PROP(Planner, Deterministic, (bool three)) {
    const auto t = clos(test::gen_spec(three, 4));
    const auto job = test::gen_general(t, 30, *rc::gen::arbitrary<bool>());
    const Plan a = plan(t, job), b = plan(t, job);
    RC_ASSERT(to_rank_pairs_json(a) == to_rank_pairs_json(b));
    RC_ASSERT(to_apply_json(a) == to_apply_json(b));
    RC_ASSERT(a.loads.load == b.loads.load);
}

RC_GTEST_PROP(Planner, PairsSpreadOverPlanes, ()) {
    // Two planes, one pair with two connections: one on each plane.
    ClosSpec s = test::gen_spec(false);
    s.planes = 2;
    const auto t = clos(s);
    Job j;
    j.ranks = test::host_names(t);
    j.pattern = Pattern::Pairs;
    j.pairs = {{0, static_cast<uint32_t>(t.hosts.size() - 1), 2, 2}};
    const Plan p = plan(t, j);
    RC_ASSERT(p.conns.size() == 2u);
    RC_ASSERT(p.conns[0].plane != p.conns[1].plane);
}

TEST(Planner, LabRingOfFourHosts) {
    const auto t = test::lab();
    const Plan p = plan(t, Job::ring({"h1", "h2", "h3", "h4"}));
    // r -> r-1: h1->h4 (leaf00->leaf01), h2->h1 (leaf02->leaf00), h3->h2 (on leaf02), h4->h3 (leaf01->leaf02):
    // every leaf sends at most 1 and receives at most 1 across the spines.
    ASSERT_EQ(p.conns.size(), 4u);
    EXPECT_EQ(p.load.max, 1);
    EXPECT_EQ(p.lower_bound, 1);
    EXPECT_EQ(p.method, "edge colouring");
    EXPECT_EQ(p.conns[2].hops, (std::vector<uint32_t>{*t.node("leaf02")}));
    EXPECT_EQ(p.conns[0].hops.front(), *t.node("leaf00"));
    EXPECT_EQ(p.conns[0].hops.back(), *t.node("leaf01"));
}

TEST(Planner, LabTwoConnectionsTakeBothSpines) {
    const auto t = test::lab();
    const Plan p = plan(t, Job::ring({"h1", "h2"}, Direction::Down, 2, 2));
    ASSERT_EQ(p.conns.size(), 4u);
    EXPECT_EQ(p.load.max, 1);  // 2 connections of volume 1 from leaf00 over 2 spines
    EXPECT_NE(p.conns[0].hops[1], p.conns[1].hops[1]);
    EXPECT_NE(p.conns[2].hops[1], p.conns[3].hops[1]);
}

TEST(Planner, UnequalCapacitiesCountScaled) {
    // l1 -> l2 over s1 (100G) or s2 (50G): two connections of 10: one each; s2's
    // 10 counts 20 beside 100G links, so the max is 20 and the bound 2*10*100/150.
    const auto t = Topology::parse(R"({"block": "fcbb:0::/32",
      "nodes": [{"name": "s1", "role": "spine", "usid": "1001"}, {"name": "s2", "role": "spine", "usid": "1002"},
                {"name": "l1", "role": "leaf", "usid": "1004"}, {"name": "l2", "role": "leaf", "usid": "1005"}],
      "links": [{"a": "l1", "b": "s1"}, {"a": "l1", "b": "s2", "capacity": 50},
                {"a": "l2", "b": "s1"}, {"a": "l2", "b": "s2", "capacity": 50}],
      "hosts": [{"name": "a", "leaf": "l1", "ipv6": "fd00::1"}, {"name": "b", "leaf": "l2", "ipv6": "fd00::2"}]})",
                                   "t");
    Job j;
    j.ranks = {"a", "b"};
    j.pattern = Pattern::Pairs;
    j.pairs = {{0, 1, 20, 2}};
    const Plan p = plan(t, j);
    EXPECT_EQ(p.method, "greedy + local search + branch and bound");
    EXPECT_TRUE(p.proved_optimal);
    EXPECT_DOUBLE_EQ(p.load.max, 20);  // both on s1 would be 20 as well; either is optimal
    EXPECT_NEAR(p.lower_bound, 20.0 * 100 / 150, 1e-9);
}


// docs/paths.md's example: one leaf sends 3, 3, 2, 2, 2 to five leaves over
// two spines. Greedy by volume plans 7 (3+2+2 on one uplink); one move at a
// time cannot leave it; the exact search finds {3, 3} and {2, 2, 2}: 6, the
// total out of the leaf over its two uplinks (worked out by hand).
TEST(Planner, ExactSearchFindsWhatSingleMovesMiss) {
    const auto t = clos({.leaves = 6, .spines = 2, .hosts_per_leaf = 1});
    Job j;
    j.ranks = test::host_names(t);
    j.pattern = Pattern::Pairs;
    const double vol[] = {3, 3, 2, 2, 2};
    for (uint32_t d = 1; d <= 5; d++)
        j.pairs.push_back({0, d, vol[d - 1], 1});
    const Plan p = plan(t, j);
    EXPECT_EQ(p.method, "greedy + local search + branch and bound");
    EXPECT_DOUBLE_EQ(p.load.max, 6);
    EXPECT_TRUE(p.proved_optimal);
    std::map<uint32_t, double> up;  // spine -> volume from leaf 0
    for (const Conn& c : p.conns)
        up[c.hops.at(1)] += c.volume;
    ASSERT_EQ(up.size(), 2u);
    for (const auto& [spine, v] : up)
        EXPECT_DOUBLE_EQ(v, 6) << t.nodes[spine].name;
}

}  // namespace
}  // namespace srv6steer::planner
