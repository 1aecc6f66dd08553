// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The fabric as the planner sees it (format in docs/paths.md): nodes (leaf,
// spine, superspine) with their uSIDs and planes, links between them, hosts
// and the leaves they hang off, the uSID block and the decap functions.
// Parsed and checked once; every problem names its JSON place.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "srv6steer/sid.hpp"

namespace srv6steer::planner {

enum class Role { Leaf, Spine, Superspine };
const char* role_name(Role r);

struct Node {
    std::string name;
    Role role = Role::Leaf;
    uint16_t usid = 0;
    unsigned plane = 0;
};

// An undirected link between two fabric nodes. Its two directions are the
// directed links 2*i (a -> b) and 2*i + 1 (b -> a).
struct Link {
    uint32_t a = 0, b = 0;   // node indices
    double capacity = 100;   // Gbit/s, each direction
};

struct Host {
    std::string name;
    std::vector<uint32_t> leaves;   // one per plane the host is attached to, in plane order
    std::optional<Ipv6> ipv6;
    std::optional<Ipv6> ipv4;       // IPv4-mapped (Ipv6::parse_any)
    std::optional<uint16_t> usid;   // for host-terminated functions
};

// Decapsulation functions by family of the inner packets.
struct Decap {
    uint16_t ipv6 = 0xfe06;
    uint16_t ipv4 = 0xfe04;
    friend bool operator==(const Decap&, const Decap&) = default;
};

struct Topology {
    std::string name;          // "name" in the file, else the source name
    Block block;
    Decap decap;               // at the egress leaf (End.DT6 / End.DX4 in the lab)
    std::optional<Decap> host_decap;  // when set: paths end in the host's uSID and these
    std::vector<Node> nodes;
    std::vector<Link> links;
    std::vector<Host> hosts;

    // JSON text of docs/paths.md; `source` names it in messages ("lab.json").
    static Topology parse(std::string_view text, const std::string& source);
    // Checks everything parse checks (for generated topologies); throws Error.
    void validate(const std::string& source) const;

    std::optional<uint32_t> node(std::string_view name) const;
    std::optional<uint32_t> host(std::string_view name) const;
    // Directed link id from node a to node b, if they are linked.
    std::optional<uint32_t> dlink(uint32_t a, uint32_t b) const;
    uint32_t dlink_from(uint32_t d) const { return d % 2 ? links[d / 2].b : links[d / 2].a; }
    uint32_t dlink_to(uint32_t d) const { return d % 2 ? links[d / 2].a : links[d / 2].b; }
    size_t n_dlinks() const { return 2 * links.size(); }
    double dcapacity(uint32_t d) const { return links[d / 2].capacity; }
    // Neighbours of a node (fabric links only), sorted by node index.
    const std::vector<uint32_t>& neighbours(uint32_t n) const { return adj_[n]; }
    unsigned planes() const;  // 1 + the highest plane number
    // Builds the indices (names, adjacency, link lookup); parse and clos call it.
    void index();

private:
    std::map<std::string, uint32_t, std::less<>> node_by_name_, host_by_name_;
    std::unordered_map<uint64_t, uint32_t> dlink_;  // (a << 32 | b) -> directed link
    std::vector<std::vector<uint32_t>> adj_;
};

// Generated Clos fabrics (docs/paths.md, "Generated fabrics").
struct ClosSpec {
    unsigned tiers = 2;           // 2: leaves x spines; 3: pods of leaves + spines, and superspines
    unsigned planes = 1;          // each plane is a copy of the fabric; a host has one leaf per plane
    unsigned pods = 1;            // 3-tier only
    unsigned leaves = 4;          // per pod (2-tier: in total), per plane
    unsigned spines = 2;          // per pod, per plane
    unsigned superspines = 0;     // 3-tier: per plane, a multiple of `spines`
    unsigned hosts_per_leaf = 1;
    double capacity = 100;        // every fabric link
    std::string block = "fcbb:0::/32";
};
// Names: [p<plane>-]leaf<pod><n>, spine.., ss.., hosts h<n> (zero-padded,
// from 1); uSIDs from 1001 up in the order superspines, spines, leaves, by
// plane; host i: fd00:0:0:<i>::10 and 10.<i/256>.<i%256>.10.
Topology clos(const ClosSpec& spec);

}  // namespace srv6steer::planner
