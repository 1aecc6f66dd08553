// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Reading and checking a topology file (docs/paths.md, "Topology"): types and
// names while parsing, then the fabric's rules (validate) on the typed value,
// so generated fabrics are checked the same way.
#include "topology.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "json_in.hpp"
#include "json_text.hpp"
#include "srv6steer/error.hpp"
#include "text.hpp"

namespace srv6steer::planner {

using text::cat;

using jsonin::at;
using text::quote;

namespace {

using text::usid_hex;

std::optional<Role> role_of(std::string_view s) {
    if (s == "leaf")
        return Role::Leaf;
    if (s == "spine")
        return Role::Spine;
    if (s == "superspine")
        return Role::Superspine;
    return std::nullopt;
}

std::optional<Decap> read_decap(jsonin::Reader& r, const jsonin::json& doc, const char* key, Decap base) {
    if (!doc.contains(key))
        return std::nullopt;
    if (!r.object(doc[key], key, {"ipv6", "ipv4"}))
        return std::nullopt;
    Decap d = base;
    if (auto u = r.usid(doc[key], key, "ipv6", false))
        d.ipv6 = *u;
    if (auto u = r.usid(doc[key], key, "ipv4", false))
        d.ipv4 = *u;
    return d;
}

}  // namespace

const char* role_name(Role r) {
    switch (r) {
    case Role::Leaf:
        return "leaf";
    case Role::Spine:
        return "spine";
    case Role::Superspine:
        return "superspine";
    }
    return "?";
}

Topology Topology::parse(std::string_view text, const std::string& source) {
    jsonin::Reader r(source);
    const auto doc = r.parse(text);
    Topology t;
    t.name = source;
    if (!r.object(doc, "", {"name", "block", "decap", "host_decap", "nodes", "links", "hosts", "comment"}))
        r.finish();
    if (auto n = r.string(doc, "", "name", false))
        t.name = *n;
    if (auto b = r.string(doc, "", "block", true)) {
        try {
            t.block = Block::parse(*b);
        } catch (const Error& e) {
            r.problem("block", e.what());
        }
    }
    if (auto d = read_decap(r, doc, "decap", Decap{}))
        t.decap = *d;
    t.host_decap = read_decap(r, doc, "host_decap", t.decap);

    std::map<std::string, uint32_t, std::less<>> names;
    if (const auto* nodes = r.array(doc, "", "nodes", true)) {
        for (size_t i = 0; i < nodes->size(); i++) {
            const auto& j = (*nodes)[i];
            const std::string w = at("nodes", i);
            if (!r.object(j, w, {"name", "role", "usid", "plane", "comment"}))
                continue;
            Node n;
            auto name = r.string(j, w, "name", true);
            if (auto role = r.string(j, w, "role", true)) {
                if (auto ro = role_of(*role))
                    n.role = *ro;
                else if (*role == "host")
                    r.problem(at(w, "role"), "hosts are listed in \"hosts\" (with their leaf), not in \"nodes\"");
                else
                    r.problem(at(w, "role"), cat({"expected \"leaf\", \"spine\" or \"superspine\", got ", quote(*role)}));
            }
            if (auto u = r.usid(j, w, "usid", true))
                n.usid = *u;
            if (auto p = r.integer(j, w, "plane", false, 0, 15))
                n.plane = static_cast<unsigned>(*p);
            if (name) {
                n.name = *name;
                names.emplace(n.name, static_cast<uint32_t>(t.nodes.size()));
            }
            t.nodes.push_back(n);  // kept even when broken: later places keep their indices
        }
    }
    auto node_ref = [&](const jsonin::json& obj, const std::string& w, const char* key) -> std::optional<uint32_t> {
        auto s = r.string(obj, w, key, true);
        if (!s)
            return std::nullopt;
        auto it = names.find(*s);
        if (it == names.end()) {
            r.problem(at(w, key), cat({"no node ", quote(*s), " in \"nodes\""}));
            return std::nullopt;
        }
        return it->second;
    };
    if (const auto* links = r.array(doc, "", "links", true)) {
        for (size_t i = 0; i < links->size(); i++) {
            const auto& j = (*links)[i];
            const std::string w = at("links", i);
            if (!r.object(j, w, {"a", "b", "capacity", "comment"}))
                continue;
            Link l;
            auto a = node_ref(j, w, "a");
            auto b = node_ref(j, w, "b");
            if (auto c = r.number(j, w, "capacity", false, 0))
                l.capacity = *c;
            l.a = a.value_or(0);
            l.b = b.value_or(0);
            t.links.push_back(l);
        }
    }
    if (const auto* hosts = r.array(doc, "", "hosts", true)) {
        for (size_t i = 0; i < hosts->size(); i++) {
            const auto& j = (*hosts)[i];
            const std::string w = at("hosts", i);
            if (!r.object(j, w, {"name", "leaf", "leaves", "ipv6", "ipv4", "usid", "comment"}))
                continue;
            Host h;
            if (auto n = r.string(j, w, "name", true))
                h.name = *n;
            if (j.contains("leaf") == j.contains("leaves")) {
                r.problem(w, "give the host's leaf as \"leaf\": NAME, or \"leaves\": [NAME, ...] (one per plane)");
            } else if (j.contains("leaf")) {
                if (auto l = node_ref(j, w, "leaf"))
                    h.leaves.push_back(*l);
            } else if (const auto* ls = r.array(j, w, "leaves", true)) {
                if (ls->empty())
                    r.problem(at(w, "leaves"), "empty: a host needs a leaf");
                for (size_t k = 0; k < ls->size(); k++) {
                    const std::string lw = at(at(w, "leaves"), k);
                    if (!(*ls)[k].is_string()) {
                        r.problem(lw, cat({"expected a node name, got ", jsontext::shown((*ls)[k])}));
                        continue;
                    }
                    auto it = names.find((*ls)[k].get<std::string>());
                    if (it == names.end())
                        r.problem(lw, cat({"no node ", quote((*ls)[k].get<std::string>()), " in \"nodes\""}));
                    else
                        h.leaves.push_back(it->second);
                }
            }
            if (auto a = r.string(j, w, "ipv6", false)) {
                try {
                    h.ipv6 = Ipv6::parse(*a);
                    if (h.ipv6->is_v4_mapped())
                        throw Error(cat({"expected an IPv6 address, got IPv4-mapped ", quote(*a)}));
                } catch (const Error& e) {
                    r.problem(at(w, "ipv6"), e.what());
                }
            }
            if (auto a = r.string(j, w, "ipv4", false)) {
                try {
                    h.ipv4 = Ipv6::parse_any(*a);
                    if (!h.ipv4->is_v4_mapped())
                        throw Error(cat({"expected an IPv4 address (a.b.c.d), got ", quote(*a)}));
                } catch (const Error& e) {
                    r.problem(at(w, "ipv4"), e.what());
                }
            }
            if (!j.contains("ipv6") && !j.contains("ipv4"))
                r.problem(w, "a host needs an address: \"ipv6\" and/or \"ipv4\"");
            h.usid = r.usid(j, w, "usid", false);
            t.hosts.push_back(h);
        }
    }
    r.finish();  // types and names first: the rules below assume them
    t.validate(source);
    t.index();
    return t;
}

void Topology::validate(const std::string& source) const {
    jsonin::Reader r(source);
    std::map<std::string, std::string> name_at;
    std::map<uint16_t, std::string> usid_at;
    if (block.len > 96)
        r.problem("block", cat({block.str(), ": longer than /96; python/srv6steer/plan.py (which reads the plans) takes blocks up to "
                               "/96, which leave room for two uSIDs (a node's and the decap function)"}));
    auto usid_use = [&](uint16_t u, const std::string& w) {
        if (u == decap.ipv6 || u == decap.ipv4)
            r.problem(w, cat({"uSID ", usid_hex(u), " is a decap function (\"decap\")"}));
        else if (host_decap && (u == host_decap->ipv6 || u == host_decap->ipv4))
            r.problem(w, cat({"uSID ", usid_hex(u), " is a host decap function (\"host_decap\")"}));
        else if (auto [it, fresh] = usid_at.emplace(u, w); !fresh)
            r.problem(w, cat({"uSID ", usid_hex(u), " is already used at ", it->second}));
    };
    for (size_t i = 0; i < nodes.size(); i++) {
        const auto w = at("nodes", i);
        if (nodes[i].name.empty())
            r.problem(at(w, "name"), "empty name");
        else if (auto [it, fresh] = name_at.emplace(nodes[i].name, at(w, "name")); !fresh)
            r.problem(at(w, "name"), cat({"name ", quote(nodes[i].name), " is already used at ", it->second}));
        usid_use(nodes[i].usid, at(w, "usid"));
    }
    std::set<std::pair<uint32_t, uint32_t>> seen;
    std::vector<unsigned> up(nodes.size()), down(nodes.size());
    for (size_t i = 0; i < links.size(); i++) {
        const auto w = at("links", i);
        const Link& l = links[i];
        if (l.a >= nodes.size() || l.b >= nodes.size())
            continue;
        const Node &a = nodes[l.a], &b = nodes[l.b];
        if (l.a == l.b) {
            r.problem(w, cat({"links ", quote(a.name), " to itself"}));
            continue;
        }
        const int ra = static_cast<int>(a.role), rb = static_cast<int>(b.role);
        if (std::abs(ra - rb) != 1)
            r.problem(w, std::string("a link joins a leaf to a spine or a spine to a superspine, not ") + role_name(a.role) +
                             " " + quote(a.name) + " to " + role_name(b.role) + " " + quote(b.name));
        else if (a.plane != b.plane)
            r.problem(w, cat({"joins planes ", std::to_string(a.plane), " (", quote(a.name), ") and ", std::to_string(b.plane), " (", quote(b.name), "): planes are separate fabrics"}));
        else {
            const uint32_t lo = static_cast<int>(a.role) < static_cast<int>(b.role) ? l.a : l.b;
            const uint32_t hi = lo == l.a ? l.b : l.a;
            if (!seen.insert({lo, hi}).second)
                r.problem(w, cat({"link ", quote(a.name), " - ", quote(b.name), " is given twice"}));
            up[lo]++;
            down[hi]++;
        }
        if (!(l.capacity > 0))
            r.problem(at(w, "capacity"), "expected a capacity above 0");
    }
    for (size_t i = 0; i < nodes.size(); i++) {
        const auto w = at("nodes", i);
        if (nodes[i].role == Role::Leaf && up[i] == 0)
            r.problem(w, cat({"leaf ", quote(nodes[i].name), " has no link to a spine"}));
        if (nodes[i].role == Role::Spine && down[i] == 0)
            r.problem(w, cat({"spine ", quote(nodes[i].name), " has no link to a leaf"}));
        if (nodes[i].role == Role::Superspine && down[i] == 0)
            r.problem(w, cat({"superspine ", quote(nodes[i].name), " has no link to a spine"}));
    }
    for (size_t i = 0; i < hosts.size(); i++) {
        const auto w = at("hosts", i);
        const Host& h = hosts[i];
        if (h.name.empty())
            r.problem(at(w, "name"), "empty name");
        else if (auto [it, fresh] = name_at.emplace(h.name, at(w, "name")); !fresh)
            r.problem(at(w, "name"), cat({"name ", quote(h.name), " is already used at ", it->second}));
        if (h.leaves.empty())
            r.problem(w, cat({"host ", quote(h.name), " has no leaf"}));
        std::set<unsigned> planes;
        for (size_t k = 0; k < h.leaves.size(); k++) {
            const uint32_t l = h.leaves[k];
            if (l >= nodes.size())
                continue;
            const auto lw = h.leaves.size() == 1 ? at(w, "leaf") : at(at(w, "leaves"), k);
            if (nodes[l].role != Role::Leaf)
                r.problem(lw, cat({"host ", quote(h.name), " is attached to ", role_name(nodes[l].role), " ", quote(nodes[l].name), ": hosts hang off leaves"}));
            else if (!planes.insert(nodes[l].plane).second)
                r.problem(lw, cat({"host ", quote(h.name), " has two leaves in plane ", std::to_string(nodes[l].plane), ": one leaf per plane"}));
        }
        if (h.usid)
            usid_use(*h.usid, at(w, "usid"));
        else if (host_decap)
            r.problem(w, cat({"host ", quote(h.name), " has no \"usid\", which \"host_decap\" needs (paths end at the host)"}));
    }
    if (hosts.empty())
        r.problem("hosts", "no hosts");
    r.finish();
}

void Topology::index() {
    node_by_name_.clear();
    host_by_name_.clear();
    dlink_.clear();
    adj_.assign(nodes.size(), {});
    for (uint32_t i = 0; i < nodes.size(); i++)
        node_by_name_.emplace(nodes[i].name, i);
    for (uint32_t i = 0; i < hosts.size(); i++)
        host_by_name_.emplace(hosts[i].name, i);
    for (uint32_t i = 0; i < links.size(); i++) {
        const auto& l = links[i];
        dlink_[uint64_t{l.a} << 32 | l.b] = 2 * i;
        dlink_[uint64_t{l.b} << 32 | l.a] = 2 * i + 1;
        adj_[l.a].push_back(l.b);
        adj_[l.b].push_back(l.a);
    }
    for (auto& a : adj_)
        std::sort(a.begin(), a.end());
}

std::optional<uint32_t> Topology::node(std::string_view name) const {
    auto it = node_by_name_.find(name);
    return it == node_by_name_.end() ? std::nullopt : std::optional(it->second);
}

std::optional<uint32_t> Topology::host(std::string_view name) const {
    auto it = host_by_name_.find(name);
    return it == host_by_name_.end() ? std::nullopt : std::optional(it->second);
}

std::optional<uint32_t> Topology::dlink(uint32_t a, uint32_t b) const {
    auto it = dlink_.find(uint64_t{a} << 32 | b);
    return it == dlink_.end() ? std::nullopt : std::optional(it->second);
}

unsigned Topology::planes() const {
    unsigned p = 0;
    for (const auto& n : nodes)
        p = std::max(p, n.plane + 1);
    return p;
}

}  // namespace srv6steer::planner
