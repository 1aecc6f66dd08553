// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Generated Clos fabrics (docs/paths.md, "Generated fabrics"): deterministic
// names, uSIDs and addresses, so the same spec is the same topology.
#include <string>

#include "srv6steer/error.hpp"
#include "topology.hpp"
#include "text.hpp"

namespace srv6steer::planner {

using text::cat;

namespace {

std::string padded(unsigned v, unsigned width) {
    std::string s = std::to_string(v);
    if (s.size() < width)
        s.insert(0, width - s.size(), '0');
    return s;
}

unsigned digits(unsigned n) { return static_cast<unsigned>(std::to_string(n > 0 ? n - 1 : 0).size()); }

void need(bool ok, const std::string& what) {
    if (!ok) {
        std::string m = "Clos fabric: ";
        m += what;
        throw Error(m);
    }
}

}  // namespace

Topology clos(const ClosSpec& s) {
    need(s.tiers == 2 || s.tiers == 3, "tiers must be 2 or 3");
    need(s.planes >= 1 && s.planes <= 16, "planes must be 1 to 16");
    need(s.leaves >= 1 && s.spines >= 1 && s.hosts_per_leaf >= 1, "leaves, spines and hosts per leaf must be at least 1");
    need(s.capacity > 0, "link capacity must be above 0");
    const unsigned pods = s.tiers == 3 ? s.pods : 1;
    if (s.tiers == 3) {
        need(pods >= 1, "a 3-tier fabric needs at least 1 pod");
        need(s.superspines >= s.spines && s.superspines % s.spines == 0,
             "superspines (per plane) must be a multiple of the spines per pod");
    }
    const unsigned supers = s.tiers == 3 ? s.superspines : 0;
    const uint64_t per_plane = uint64_t{supers} + uint64_t{pods} * (s.spines + s.leaves);
    need(per_plane * s.planes < 0xe000 - 0x1001, "too many nodes for the uSID range 1001..dfff");
    const uint64_t n_hosts = uint64_t{pods} * s.leaves * s.hosts_per_leaf;
    need(n_hosts <= 65535, "at most 65,535 hosts");

    Topology t;
    t.block = Block::parse(s.block);
    t.name = cat({std::to_string(s.tiers), "-tier Clos"});
    uint16_t next = 0x1001;
    auto prefix = [&](unsigned plane) { return s.planes > 1 ? cat({"p", std::to_string(plane), "-"}) : std::string(); };
    // Node indices: [plane][superspines][pod][spines][pod][leaves]
    std::vector<std::vector<uint32_t>> leaf_of(s.planes);  // plane -> global leaf number -> node
    const unsigned wp = digits(pods), ws = digits(s.spines), wl = digits(s.leaves), wss = digits(supers);
    for (unsigned p = 0; p < s.planes; p++) {
        const uint32_t ss0 = static_cast<uint32_t>(t.nodes.size());
        for (unsigned i = 0; i < supers; i++)
            t.nodes.push_back({cat({prefix(p), "ss", padded(i, wss)}), Role::Superspine, next++, p});
        std::vector<uint32_t> spine0(pods);
        for (unsigned pod = 0; pod < pods; pod++) {
            spine0[pod] = static_cast<uint32_t>(t.nodes.size());
            for (unsigned i = 0; i < s.spines; i++) {
                std::string n = prefix(p) + "spine";
                if (s.tiers == 3) {
                    n += padded(pod, wp);
                    n += "-";
                }
                t.nodes.push_back({n + padded(i, ws), Role::Spine, next++, p});
            }
        }
        for (unsigned pod = 0; pod < pods; pod++)
            for (unsigned i = 0; i < s.leaves; i++) {
                std::string n = prefix(p) + "leaf";
                if (s.tiers == 3) {
                    n += padded(pod, wp);
                    n += "-";
                }
                const auto leaf = static_cast<uint32_t>(t.nodes.size());
                t.nodes.push_back({n + padded(i, wl), Role::Leaf, next++, p});
                leaf_of[p].push_back(leaf);
                for (unsigned k = 0; k < s.spines; k++)
                    t.links.push_back({leaf, spine0[pod] + k, s.capacity});
            }
        // Spine k of every pod reaches superspines k*g .. k*g+g-1 (g = superspines/spines).
        if (s.tiers == 3) {
            const unsigned g = supers / s.spines;
            for (unsigned pod = 0; pod < pods; pod++)
                for (unsigned k = 0; k < s.spines; k++)
                    for (unsigned j = 0; j < g; j++)
                        t.links.push_back({spine0[pod] + k, ss0 + k * g + j, s.capacity});
        }
    }
    const unsigned wh = static_cast<unsigned>(std::to_string(n_hosts).size());
    for (unsigned h = 0; h < n_hosts; h++) {
        Host host;
        const unsigned n = h + 1;
        host.name = cat({"h", padded(n, wh)});
        for (unsigned p = 0; p < s.planes; p++)
            host.leaves.push_back(leaf_of[p][h / s.hosts_per_leaf]);
        Ipv6 a6 = Ipv6::parse("fd00::10");
        a6.bytes[6] = static_cast<uint8_t>(n >> 8);
        a6.bytes[7] = static_cast<uint8_t>(n);
        host.ipv6 = a6;
        host.ipv4 = Ipv6::from_ipv4(uint32_t{10} << 24 | (n >> 8) << 16 | (n & 0xff) << 8 | 10);
        t.hosts.push_back(host);
    }
    t.validate(t.name);
    t.index();
    return t;
}

}  // namespace srv6steer::planner
