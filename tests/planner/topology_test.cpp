// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <gmock/gmock.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "helpers.hpp"

namespace srv6steer::planner {
namespace {

using test::error_of;
using ::testing::HasSubstr;

// The lab's own definitions, evaluated by bash from tools/lab itself: the
// node lists, USID and HOST_LEAF tables and the address functions.
std::map<std::string, std::vector<std::string>> lab_facts() {
    const std::string lab = std::string(SRV6S_SOURCE_DIR) + "/tools/lab";
    const std::string script =
        "set -eu; eval \"$(grep -E '^(SPINES|LEAVES|HOSTS|BLOCK)=|^declare -A (USID|HOST_LEAF)=|"
        "^(hnum|host6|host4|hostsid)\\(\\)' '" + lab + "')\"; "
        "for n in \"${SPINES[@]}\"; do echo \"spine $n ${USID[$n]}\"; done; "
        "for n in \"${LEAVES[@]}\"; do echo \"leaf $n ${USID[$n]}\"; done; "
        "for h in \"${HOSTS[@]}\"; do echo \"host $h ${HOST_LEAF[$h]} $(host6 $h 10) $(host4 $h 10) $(hostsid $h)\"; done; "
        "echo \"block $BLOCK\"";
    auto [out, rc] = test::run("bash -c " + std::string("'") + [&] {
        std::string q;
        for (char c : script)
            q += c == '\'' ? std::string("'\\''") : std::string(1, c);
        return q;
    }() + "'");
    EXPECT_EQ(rc, 0) << out;
    std::map<std::string, std::vector<std::string>> facts;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string kind, name, w;
        ls >> kind >> name;
        std::vector<std::string> rest;
        while (ls >> w)
            rest.push_back(w);
        facts[kind + " " + name] = rest;
    }
    return facts;
}

// `tools/lab topology` prints the fabric from the tables `tools/lab up` builds
// it from: the shipped file says exactly that (its comment aside), and the
// planner reads both alike.
TEST(LabTopology, ToolsLabExportsTheShippedFile) {
    auto [out, rc] = test::run("'" + std::string(SRV6S_SOURCE_DIR) + "/tools/lab' topology");
    ASSERT_EQ(rc, 0) << out;
    nlohmann::json exported = nlohmann::json::parse(out, nullptr, false);
    ASSERT_FALSE(exported.is_discarded()) << out;
    nlohmann::json shipped = nlohmann::json::parse(test::repo_file("topologies/lab.json"));
    shipped.erase("comment");
    EXPECT_EQ(exported, shipped) << exported.dump(2);
    const Topology t = Topology::parse(out, "tools/lab topology");
    EXPECT_EQ(t.hosts.size(), test::lab().hosts.size());
}

TEST(LabTopology, MatchesWhatToolsLabBuilds) {
    const auto facts = lab_facts();
    const Topology t = test::lab();
    ASSERT_EQ(facts.at("block fcbb:0").size(), 0u);
    EXPECT_EQ(t.block.str(), "fcbb::/32");
    std::set<std::string> spines, leaves;
    size_t n_spines = 0, n_leaves = 0, n_hosts = 0;
    for (const auto& [key, v] : facts) {
        std::istringstream ks(key);
        std::string kind, name;
        ks >> kind >> name;
        if (kind == "spine" || kind == "leaf") {
            auto n = t.node(name);
            ASSERT_TRUE(n) << name << " is in tools/lab but not in lab.json";
            EXPECT_EQ(role_name(t.nodes[*n].role), kind);
            EXPECT_EQ(t.nodes[*n].usid, std::stoul(v.at(0), nullptr, 16)) << name;
            (kind == "spine" ? spines : leaves).insert(name);
            (kind == "spine" ? n_spines : n_leaves)++;
        } else if (kind == "host") {
            auto h = t.host(name);
            ASSERT_TRUE(h) << name;
            const Host& host = t.hosts[*h];
            ASSERT_EQ(host.leaves.size(), 1u);
            EXPECT_EQ(t.nodes[host.leaves[0]].name, v.at(0)) << name;
            EXPECT_EQ(host.ipv6->str(), Ipv6::parse(v.at(1)).str()) << name;
            EXPECT_EQ(host.ipv4->str(), Ipv6::parse_any(v.at(2)).str()) << name;
            // hostsid: fcbb:0:e00N::/48 -> e00N
            const std::string sid = v.at(3);
            EXPECT_EQ(*host.usid, std::stoul(sid.substr(sid.find(':', 5) + 1, 4), nullptr, 16)) << name;
            n_hosts++;
        }
    }
    EXPECT_EQ(n_spines + n_leaves, t.nodes.size());
    EXPECT_EQ(n_hosts, t.hosts.size());
    // tools/lab links every leaf to every spine, once.
    const std::string lab = test::repo_file("tools/lab");
    EXPECT_THAT(lab, HasSubstr("for l in \"${LEAVES[@]}\"; do\n    for s in \"${SPINES[@]}\"; do link \"$l\""));
    EXPECT_EQ(t.links.size(), n_spines * n_leaves);
    for (const auto& l : spines)
        for (const auto& f : leaves)
            EXPECT_TRUE(t.dlink(*t.node(l), *t.node(f))) << l << " - " << f;
    // and configures uDT6 fe06 (End.DT6) and uDT4 fe04 (End.DX4) on every leaf.
    EXPECT_THAT(lab, HasSubstr("\"$BLOCK:$u:fe06::/64\" \"$up\" \"encap seg6local action End.DT6"));
    EXPECT_THAT(lab, HasSubstr("\"$BLOCK:$u:fe04::/64\" \"$up\" \"encap seg6local action End.DX4"));
    EXPECT_EQ(t.decap, (Decap{0xfe06, 0xfe04}));
}

struct Bad {
    const char* what;
    std::string json;
    const char* message;
};

std::string topo(const std::string& nodes, const std::string& links, const std::string& hosts,
                 const std::string& extra = "") {
    return "{\"block\": \"fcbb:0::/32\"" + extra + ", \"nodes\": [" + nodes + "], \"links\": [" + links +
           "], \"hosts\": [" + hosts + "]}";
}

const std::string kNodes =
    R"({"name": "s1", "role": "spine", "usid": "1001"}, {"name": "l1", "role": "leaf", "usid": "1004"},
       {"name": "l2", "role": "leaf", "usid": "1005"})";
const std::string kLinks = R"({"a": "l1", "b": "s1"}, {"a": "l2", "b": "s1"})";
const std::string kHosts = R"({"name": "h1", "leaf": "l1", "ipv6": "fd00::1"})";

TEST(Topology, GoodOneParses) {
    const auto t = Topology::parse(topo(kNodes, kLinks, kHosts), "t.json");
    EXPECT_EQ(t.nodes.size(), 3u);
    EXPECT_EQ(t.links[0].capacity, 100);
    EXPECT_EQ(t.nodes[0].plane, 0u);
}

TEST(Topology, BadOnesNameThePlace) {
    const std::vector<Bad> bad = {
        {"syntax", "{\"block\": ", "t.json: parse error at line 1, column 11"},
        {"unknown node", topo(kNodes, kLinks + R"(, {"a": "l1", "b": "leaf9"})", kHosts),
         "t.json: links[2].b: no node \"leaf9\" in \"nodes\""},
        {"duplicate uSID", topo(kNodes + R"(, {"name": "s2", "role": "spine", "usid": "1004"})", kLinks, kHosts),
         "\n  nodes[3].usid: uSID 1004 is already used at nodes[1].usid"},
        {"uSID too wide", topo(R"({"name": "s1", "role": "spine", "usid": "10040"})", "", kHosts),
         "nodes[0].usid: expected a uSID of 1 to 4 hex digits"},
        {"uSID is decap", topo(R"({"name": "s1", "role": "spine", "usid": "fe06"})", "", ""),
         "nodes[0].usid: uSID fe06 is a decap function"},
        {"host without leaf", topo(kNodes, kLinks, R"({"name": "h1", "ipv6": "fd00::1"})"),
         "hosts[0]: give the host's leaf"},
        {"host on a spine", topo(kNodes, kLinks, R"({"name": "h1", "leaf": "s1", "ipv6": "fd00::1"})"),
         "hosts[0].leaf: host \"h1\" is attached to spine \"s1\""},
        {"leaf to leaf", topo(kNodes, kLinks + R"(, {"a": "l1", "b": "l2"})", kHosts),
         "links[2]: a link joins a leaf to a spine or a spine to a superspine, not leaf \"l1\" to leaf \"l2\""},
        {"link twice", topo(kNodes, kLinks + R"(, {"a": "s1", "b": "l1"})", kHosts),
         "links[2]: link \"s1\" - \"l1\" is given twice"},
        {"planes", topo(kNodes + R"(, {"name": "l3", "role": "leaf", "usid": "1006", "plane": 1})",
                        kLinks + R"(, {"a": "l3", "b": "s1"})", kHosts),
         "links[2]: joins planes 1 (\"l3\") and 0 (\"s1\")"},
        {"role", topo(R"({"name": "x", "role": "router", "usid": "1"})", "", kHosts), "nodes[0].role: expected"},
        {"host role", topo(R"({"name": "x", "role": "host", "usid": "1"})", "", kHosts),
         "nodes[0].role: hosts are listed in \"hosts\""},
        {"lonely leaf", topo(kNodes + R"(, {"name": "l3", "role": "leaf", "usid": "1006"})", kLinks, kHosts),
         "nodes[3]: leaf \"l3\" has no link to a spine"},
        {"bad address", topo(kNodes, kLinks, R"({"name": "h1", "leaf": "l1", "ipv6": "10.0.0.1"})"),
         "t.json: hosts[0].ipv6: invalid IPv6 address \"10.0.0.1\""},
        {"no address", topo(kNodes, kLinks, R"({"name": "h1", "leaf": "l1"})"), "hosts[0]: a host needs an address"},
        {"key twice", topo(kNodes, kLinks, R"({"name": "h1", "name": "h2", "leaf": "l1", "ipv6": "fd00::1"})"),
         "hosts[0].name: key given twice in one object"},
        {"unknown key", topo(kNodes, kLinks, kHosts, R"(, "colour": 1)"), "colour: unknown key"},
        {"capacity", topo(kNodes, R"({"a": "l1", "b": "s1", "capacity": 0}, {"a": "l2", "b": "s1"})", kHosts),
         "links[0].capacity: expected a number above 0"},
        {"block", R"({"block": "fcbb::/33", "nodes": [], "links": [], "hosts": []})", "block: uSID block"},
        {"host decap needs host uSIDs", topo(kNodes, kLinks, kHosts, R"(, "host_decap": {"ipv6": "d006"})"),
         "hosts[0]: host \"h1\" has no \"usid\", which \"host_decap\" needs"},
    };
    for (const auto& b : bad) {
        const std::string msg = error_of([&] { Topology::parse(b.json, "t.json"); });
        EXPECT_THAT(msg, HasSubstr(b.message)) << b.what;
        EXPECT_THAT(msg, ::testing::StartsWith("t.json: ")) << b.what;
    }
}

TEST(Clos, TwoTierShape) {
    const auto t = clos({.tiers = 2, .leaves = 4, .spines = 3, .hosts_per_leaf = 2});
    EXPECT_EQ(t.nodes.size(), 7u);
    EXPECT_EQ(t.links.size(), 12u);
    EXPECT_EQ(t.hosts.size(), 8u);
    EXPECT_EQ(t.nodes[t.hosts[7].leaves.at(0)].name, "leaf3");
    EXPECT_EQ(t.nodes[*t.node("spine0")].usid, 0x1001);
    EXPECT_EQ(t.hosts[0].name, "h1");
    EXPECT_EQ(t.hosts[0].ipv6->str(), "fd00:0:0:1::10");
    EXPECT_EQ(t.hosts[0].ipv4->str(), Ipv6::parse_any("10.0.1.10").str());
}

TEST(Clos, ThreeTierTwoPlanesShape) {
    const auto t = clos({.tiers = 3, .planes = 2, .pods = 3, .leaves = 2, .spines = 2, .superspines = 4,
                         .hosts_per_leaf = 1});
    // per plane: 4 superspines + 3 pods x (2 spines + 2 leaves)
    EXPECT_EQ(t.nodes.size(), 2u * (4 + 3 * 4));
    // per plane: leaf-spine 3*2*2, spine-superspine 3*2*2
    EXPECT_EQ(t.links.size(), 2u * (12 + 12));
    EXPECT_EQ(t.hosts.size(), 6u);
    EXPECT_EQ(t.planes(), 2u);
    for (const auto& h : t.hosts) {
        ASSERT_EQ(h.leaves.size(), 2u);
        EXPECT_EQ(t.nodes[h.leaves[0]].plane, 0u);
        EXPECT_EQ(t.nodes[h.leaves[1]].plane, 1u);
    }
    EXPECT_TRUE(t.node("p1-leaf2-1"));
    EXPECT_TRUE(t.node("p0-ss3"));
    // Between pods: leaf, spine, superspine, spine, leaf; spine k reaches superspines 2k, 2k+1.
    const auto paths = leaf_paths(t, *t.node("p0-leaf0-0"), *t.node("p0-leaf1-0"));
    EXPECT_EQ(paths.size(), 4u);
    for (const auto& p : paths)
        EXPECT_EQ(p.size(), 5u);
    EXPECT_EQ(leaf_paths(t, *t.node("p0-leaf0-0"), *t.node("p0-leaf0-1")).size(), 2u);
    std::set<uint16_t> usids;
    for (const auto& n : t.nodes)
        usids.insert(n.usid);
    EXPECT_EQ(usids.size(), t.nodes.size());
}

TEST(Clos, RejectsNonsense) {
    EXPECT_THAT(error_of([] { clos({.tiers = 4}); }), HasSubstr("tiers must be 2 or 3"));
    EXPECT_THAT(error_of([] { clos({.tiers = 3, .pods = 2, .spines = 2, .superspines = 3}); }),
                HasSubstr("multiple of the spines"));
}

}  // namespace
}  // namespace srv6steer::planner
