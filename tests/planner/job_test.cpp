// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <gmock/gmock.h>

#include "helpers.hpp"

namespace srv6steer::planner {
namespace {

using test::error_of;
using ::testing::HasSubstr;

std::vector<std::pair<uint32_t, uint32_t>> pairs(const Job& j) {
    std::vector<std::pair<uint32_t, uint32_t>> out;
    for (const auto& d : j.demands())
        out.emplace_back(d.src, d.dst);
    return out;
}

using P = std::vector<std::pair<uint32_t, uint32_t>>;

TEST(Job, RingDirections) {
    const auto down = Job::parse(R"({"ranks": ["a", "b", "c"], "pattern": "ring"})", "j");
    EXPECT_EQ(pairs(down), (P{{0, 2}, {1, 0}, {2, 1}}));  // gloo's r -> r-1 is the default
    const auto up = Job::parse(R"({"ranks": ["a", "b", "c"], "pattern": "ring", "direction": "r -> r+1"})", "j");
    EXPECT_EQ(pairs(up), (P{{0, 1}, {1, 2}, {2, 0}}));
    const auto both = Job::parse(R"({"ranks": ["a", "b", "c"], "pattern": "ring", "direction": "both"})", "j");
    EXPECT_EQ(pairs(both), (P{{0, 1}, {0, 2}, {1, 0}, {1, 2}, {2, 0}, {2, 1}}));
    // Two ranks in both directions: each pair once.
    EXPECT_EQ(pairs(Job::ring({"a", "b"}, Direction::Both)), (P{{0, 1}, {1, 0}}));
    EXPECT_TRUE(Job::ring({"a"}).demands().empty());
}

TEST(Job, AllToAllAndPairs) {
    EXPECT_EQ(pairs(Job::all_to_all({"a", "a", "b"})), (P{{0, 1}, {0, 2}, {1, 0}, {1, 2}, {2, 0}, {2, 1}}));
    const auto j = Job::parse(R"({"ranks": ["a", "b", "c"], "pattern": "pairs", "connections": 2,
                                  "pairs": [{"src": 2, "dst": 0, "volume": 5}, {"src": 0, "dst": 1, "connections": 4}]})",
                              "j");
    const auto d = j.demands();
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0], (Demand{0, 1, 1, 4}));
    EXPECT_EQ(d[1], (Demand{2, 0, 5, 2}));
}

TEST(Job, BadOnesNameThePlace) {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {R"({"ranks": [], "pattern": "ring"})", "j.json: ranks: empty"},
        {R"({"ranks": ["a", 3], "pattern": "ring"})", "j.json: ranks[1]: expected a host name, got 3"},
        {R"({"ranks": ["a"], "pattern": "star"})", "j.json: pattern: expected \"ring\""},
        {R"({"ranks": ["a"], "pattern": "ring", "direction": "left"})", "j.json: direction: expected \"r -> r-1\""},
        {R"({"ranks": ["a", "b"], "pattern": "pairs", "pairs": [{"src": 0, "dst": 2}]})",
         "j.json: pairs[0].dst: expected an integer from 0 to 1, got 2"},
        {R"({"ranks": ["a", "b"], "pattern": "pairs", "pairs": [{"src": 0, "dst": 1}, {"src": 0, "dst": 1}]})",
         "j.json: pairs[1]: rank pair 0 -> 1 is listed twice (also at pairs[0])"},
        {R"({"ranks": ["a", "b"], "pattern": "pairs", "pairs": [{"src": 1, "dst": 1}]})",
         "pairs[0]: src and dst are both rank 1"},
        {R"({"ranks": ["a", "b"], "pattern": "ring", "connections": 0})", "connections: expected an integer from 1"},
        {R"({"ranks": ["a", "b"], "pattern": "ring", "volume": -1})", "volume: expected a number above 0"},
        {R"({"ranks": ["a", "b"], "pattern": "pairs"})", "pairs: missing"},
        {R"({"ranks": ["a", "b"], "pattern": "ring", "qps": 1})", "qps: unknown key"},
    };
    for (const auto& [json, message] : bad)
        EXPECT_THAT(error_of([&] { Job::parse(json, "j.json"); }), HasSubstr(message)) << json;
}

TEST(Job, UnknownHostNamesTheRank) {
    const auto job = Job::parse(R"({"ranks": ["h1", "h9"], "pattern": "ring"})", "j.json");
    EXPECT_THAT(error_of([&] { plan(test::lab(), job); }), HasSubstr("j.json: ranks[1]: no host \"h9\" in topology \"lab\""));
}

}  // namespace
}  // namespace srv6steer::planner
