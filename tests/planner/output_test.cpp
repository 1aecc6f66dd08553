// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The plan's files read by their real readers: python/srv6steer/plan.py (by
// /usr/bin/python3) and the CLI's apply-file reader (loader/config.cpp).
#include <gmock/gmock.h>
#include <unistd.h>

#include <map>

#include "config.hpp"
#include "from_jalapeno.hpp"
#include "jalapeno_answers.hpp"
#include "helpers.hpp"
#include "sha256.hpp"

namespace srv6steer::cli {
// config.cpp's one helper from the CLI (cli.cpp), for its messages.
std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string s;
    for (size_t i = 0; i < parts.size(); i++) {
        if (i)
            s += sep;
        s += parts[i];
    }
    return s;
}
}  // namespace srv6steer::cli

namespace srv6steer::planner {
namespace {

using test::error_of;
using ::testing::HasSubstr;

std::string hexs(const std::array<uint8_t, 32>& h) {
    std::string s;
    char b[3];
    for (uint8_t x : h) {
        snprintf(b, sizeof b, "%02x", x);
        s += b;
    }
    return s;
}

TEST(Sha256, KnownVectors) {  // FIPS 180-4 examples
    EXPECT_EQ(hexs(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hexs(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hexs(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

std::string python(const std::string& code) {
    char name[] = "/tmp/srv6s-plan-test-XXXXXX";
    const int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, code.data(), code.size()), static_cast<ssize_t>(code.size()));
    close(fd);
    auto [out, rc] = test::run(std::string("PYTHONPATH=") + SRV6S_SOURCE_DIR + "/python " + SRV6S_PYTHON + " " +
                               name + " 2>&1");
    unlink(name);
    EXPECT_EQ(rc, 0) << out;
    return out;
}

std::string write_temp(const std::string& text) {
    char name[] = "/tmp/srv6s-plan-XXXXXX";
    const int fd = mkstemp(name);
    EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fd);
    return name;
}

// What plan.py makes of the file: "src dst index usids" for every connection (IPv6).
std::string through_plan_py(const Plan& p) {
    const std::string file = write_temp(to_rank_pairs_json(p));
    std::string code = "import socket\nfrom srv6steer.plan import Plan\n"
                       "class C: family = socket.AF_INET6\n"
                       "p = Plan.load('" + file + "')\n"
                       "for (s, d), paths in sorted(p.pairs.items()):\n"
                       "    for i in range(len(paths)):\n"
                       "        x = p.path_for(s, d, i, C())\n"
                       "        print(s, d, i, ','.join(format(u, 'x') for u in x.usids), x.block)\n"
                       "print('world', p.world_size)\n";
    auto out = python(code);
    unlink(file.c_str());
    return out;
}

// The same from the plan, here: each connection's node uSIDs and the decap.
std::string expected(const Plan& p) {
    std::string s;
    std::map<std::pair<uint32_t, uint32_t>, std::vector<std::string>> by_pair;
    for (const Conn& c : p.conns)
        by_pair[{c.src_rank, c.dst_rank}].push_back(usid_text(path_usids(p.topology, c, false)));
    for (auto& [k, v] : by_pair) {
        if (std::all_of(v.begin(), v.end(), [&](const std::string& x) { return x == v[0]; }))
            v.resize(1);  // one path for all: the file says "path"
        for (size_t i = 0; i < v.size(); i++)
            s += std::to_string(k.first) + " " + std::to_string(k.second) + " " + std::to_string(i) + " " + v[i] +
                 " " + p.topology.block.str() + "\n";
    }
    return s + "world " + std::to_string(p.world_size) + "\n";
}

TEST(RankPairs, PlanPyReadsTheLabRing) {
    const Plan p = plan(test::lab(), Job::ring({"h1", "h2", "h3", "h4"}));
    const auto got = through_plan_py(p);
    EXPECT_EQ(got, expected(p));
    // h2 -> h1 leaves leaf02 (1006) and ends at leaf00 (1004) with fe06.
    EXPECT_THAT(got, ::testing::ContainsRegex("1 0 0 1006,100[12],1004,fe06 fcbb::/32"));
    EXPECT_THAT(got, HasSubstr("2 1 0 1006,fe06 fcbb::/32"));  // h3 -> h2: both on leaf02
}

TEST(RankPairs, PlanPyReadsSeveralPathsPerPairAndTwoPlanes) {
    const auto t = clos({.planes = 2, .leaves = 4, .spines = 2, .hosts_per_leaf = 2});
    const Plan p = plan(t, Job::ring(test::host_names(t), Direction::Both, 3));
    EXPECT_EQ(through_plan_py(p), expected(p));
    EXPECT_THAT(to_rank_pairs_json(p), HasSubstr("\"paths\""));
}

TEST(RankPairs, HostTerminatedPathsOverSeveralContainers) {
    // 3 tiers, host decap: leaf spine ss spine leaf, the host's uSID and its function: 7 uSIDs, 2 containers.
    auto t = clos({.tiers = 3, .pods = 2, .leaves = 1, .spines = 1, .superspines = 1, .hosts_per_leaf = 1});
    t.host_decap = Decap{0xd006, 0xd004};
    t.hosts[0].usid = 0xe001;
    t.hosts[1].usid = 0xe002;
    t.validate("t");
    const Plan p = plan(t, Job::ring({"h1", "h2"}));
    EXPECT_EQ(through_plan_py(p), expected(p));
    const auto u = path_usids(t, p.conns[0], false);
    ASSERT_EQ(u.size(), 7u);
    EXPECT_EQ(u[5], 0xe002);  // h1 -> h2 (r -> r-1 of rank 0 is rank 1)
    EXPECT_EQ(u[6], 0xd006);
    EXPECT_EQ(encode(t.block, u, 1, "x").segments.size(), 2u);
    const auto cfg = cli::parse_config(to_apply_json(p, "h1"), "h1.json");
    ASSERT_EQ(cfg.paths.size(), 2u);  // IPv6 and IPv4
    EXPECT_EQ(cfg.paths.begin()->second.segments.size(), 2u);
}

TEST(Encode, TooLongIsAClearError) {
    const Block one = Block::parse("fcbb:0:0:0:0:0:0::/112");  // one uSID per container
    std::vector<uint16_t> u(10, 0x1001);
    EXPECT_THAT(error_of([&] { encode(one, u, 0, "rank 0 -> 1 (h1 -> h2)"); }),
                HasSubstr("rank 0 -> 1 (h1 -> h2): the path cannot be encoded: 10 uSIDs need 10 containers"));
    u.resize(9);
    EXPECT_EQ(encode(one, u, 0, "x").segments.size(), 9u);
}

TEST(ContentIds, AgreeWithPlanPy) {
    const Block b = Block::parse("fcbb:0::/32");
    const std::vector<std::vector<uint16_t>> paths = {
        {0x1004, 0x1002, 0x1006, 0xfe06}, {0x1004, 0x1001, 0x1005, 0xfe04}, {0x1006, 0xfe06}};
    std::string code = "from srv6steer.plan import PathSpec, path_ids\n";
    std::string want;
    for (const auto& p : paths) {
        code += "print(next(path_ids(PathSpec.of('" + usid_text(p) + "', 'fcbb::/32'))))\n";
        want += std::to_string(content_id(b, p)) + "\n";
    }
    EXPECT_EQ(python(code), want);
}

TEST(ApplyFile, TheCliReaderAcceptsItAndItHasThePlannedPaths) {
    const auto t = clos({.leaves = 3, .spines = 2, .hosts_per_leaf = 2});
    const Plan p = plan(t, Job::all_to_all(test::host_names(t), 2));
    for (const auto& host : source_hosts(p)) {
        const auto cfg = cli::parse_config(to_apply_json(p, host), host + ".json");
        std::set<std::vector<Ipv6>> have;
        for (const auto& [id, path] : cfg.paths) {
            EXPECT_GE(id, kFirstPlanId);
            EXPECT_LT(id, kFirstPlanId + kPlanIds);
            have.insert(path.segments);
        }
        const auto h = *t.host(host);
        std::set<std::vector<Ipv6>> want;
        for (const Conn& c : p.conns)
            if (c.src_host == h)
                for (bool v4 : {false, true})
                    want.insert(usid_containers(t.block, path_usids(t, c, v4)));
        EXPECT_EQ(have, want) << host;
        // a destination whose two connections take two paths gets a set of both
        for (const auto& [id, set] : cfg.sets) {
            EXPECT_EQ(set.paths.size(), 2u) << host;
            EXPECT_NE(set.paths[0], set.paths[1]) << host;
        }
    }
    EXPECT_THAT(error_of([&] { to_apply_json(p, "nobody"); }), HasSubstr("no host \"nobody\""));
}


// Apply files from Jalapeno's answers (planner/from_jalapeno.cpp), no network:
// read back by the CLI's reader, ids as plan.py's path_ids gives them.
JalapenoPlan jalapeno_plan(jalapeno::DestFunction df) {
    const auto job = Job::parse(R"({"ranks": ["h1", "h2", "h1"], "pattern": "pairs",
        "pairs": [{"src": 0, "dst": 1}, {"src": 2, "dst": 1}]})", "pairs.json");
    const jalapeno::Context ctx{"http://127.0.0.1:1/api/v1", "shortest_path/load", "hosts/h1", "hosts/h2"};
    JalapenoPlan p{job, {}, "http://127.0.0.1:1/api/v1", "fabric_graph", df, Block::parse("fcbb:0::/32"), {}};
    p.routes.push_back({{"h1", "h2"}, {jalapeno::parse_route(testing_jalapeno::kLoadH1H2, jalapeno::Metric::Load,
                                                              df ? std::optional<uint16_t>(*df) : std::nullopt, ctx)}});
    return p;
}

TEST(ApplyFile, FromJalapenoBothFamiliesUnderPlanPysIds) {
    const Block b = Block::parse("fcbb:0::/32");
    auto p = jalapeno_plan(jalapeno::DestFunction(0xfe06));
    const auto cfg = cli::parse_config(to_apply_json(p, "h1"), "h1.json");
    // Two rank pairs over one host pair: one route, in both families, no set.
    std::map<uint32_t, std::vector<Ipv6>> want;
    std::string code = "from srv6steer.plan import PathSpec, path_ids\n";
    for (const char* u : {"1004,1002,1006,fe06", "1004,1002,1006,fe04"})
        code += std::string("print(next(path_ids(PathSpec.of('") + u + "', 'fcbb::/32'))))\n";
    std::stringstream ids(python(code));
    uint32_t id6 = 0, id4 = 0;
    ids >> id6 >> id4;
    want[id6] = usid_containers(b, std::vector<uint16_t>{0x1004, 0x1002, 0x1006, 0xfe06});
    want[id4] = usid_containers(b, std::vector<uint16_t>{0x1004, 0x1002, 0x1006, 0xfe04});
    std::map<uint32_t, std::vector<Ipv6>> have;
    for (const auto& [id, path] : cfg.paths)
        have[id] = path.segments;
    EXPECT_EQ(have, want);
    EXPECT_TRUE(cfg.sets.empty());
    EXPECT_EQ(source_hosts(p), std::vector<std::string>{"h1"});
    EXPECT_THAT(error_of([&] { to_apply_json(p, "h2"); }), HasSubstr("\"h2\" sends to no other host"));

    // A destination Jalapeno shows with an IPv6 address only: no IPv4 path.
    p.routes[0].routes[0].destination.ipv4_address.reset();
    const auto v6 = cli::parse_config(to_apply_json(p, "h1"), "h1.json");
    ASSERT_EQ(v6.paths.size(), 1u);
    EXPECT_EQ(v6.paths.begin()->first, id6);
}

TEST(ApplyFile, FromJalapenoWithoutADestFunctionTakesTheContainersAsTheyAre) {
    const auto p = jalapeno_plan(jalapeno::DestFunction());
    const auto cfg = cli::parse_config(to_apply_json(p, "h1"), "h1.json");
    ASSERT_EQ(cfg.paths.size(), 1u);
    const auto want = std::vector<Ipv6>{Ipv6::parse("fcbb:0:1004:1002:1006::")};
    EXPECT_EQ(cfg.paths.begin()->second.segments, want);
    const auto id = python("from srv6steer.plan import PathSpec, path_ids\n"
                           "print(next(path_ids(PathSpec.of({'segments': ['fcbb:0:1004:1002:1006::']}))))\n");
    EXPECT_EQ(std::to_string(cfg.paths.begin()->first) + "\n", id);
}

}  // namespace
}  // namespace srv6steer::planner
