// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "output.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "sha256.hpp"
#include "srv6steer/error.hpp"
#include "text.hpp"

namespace srv6steer::planner {

using ojson = nlohmann::ordered_json;

namespace {

using text::usid_hex;

uint32_t hash_id(const std::string& key) {
    const auto h = sha256(key);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | h[i];
    return kFirstPlanId + static_cast<uint32_t>(v % kPlanIds);
}

// plan.py's PathSpec.key(): "usids <block> <hex,...> reduced".
std::string path_key(const Block& block, const std::vector<uint16_t>& usids) {
    std::string k = "usids ";
    k += block.str();
    k += ' ';
    k += usid_text(usids);
    k += " reduced";
    return k;
}

// Takes the first free id from `want` on (wrapping in the range).
uint32_t claim(std::set<uint32_t>& used, uint32_t want, const std::string& what) {
    for (uint32_t i = 0; i < kPlanIds; i++) {
        const uint32_t id = kFirstPlanId + (want - kFirstPlanId + i) % kPlanIds;
        if (used.insert(id).second)
            return id;
    }
    std::string m = what;
    m += ": more than ";
    m += std::to_string(kPlanIds);
    m += " distinct paths or sets from one host; the ids ";
    m += std::to_string(kFirstPlanId);
    m += "..";
    m += std::to_string(kFirstPlanId + kPlanIds - 1);
    m += " are all taken (ids from ";
    m += std::to_string(kFirstPlanId + kPlanIds);
    m += " on belong to the agent); plan the job so that each host uses fewer distinct paths: fewer "
         "destination hosts or connections per host, or a job in parts";
    throw Error(m);
}

}  // namespace

// A set of more than SRV6S_MAX_SET_PATHS entries (a path once per connection
// on it): every distinct path stays with slots in proportion to its
// connections (largest share first), ids in order of first appearance; past
// SRV6S_MAX_SET_PATHS distinct paths, those of the most connections.
std::vector<uint32_t> cap_set(const std::vector<uint32_t>& ids) {
    std::vector<std::pair<uint32_t, size_t>> count;  // (id, connections), first appearance order
    for (uint32_t id : ids) {
        auto it = std::find_if(count.begin(), count.end(), [&](const auto& c) { return c.first == id; });
        if (it == count.end())
            count.emplace_back(id, 1);
        else
            it->second++;
    }
    if (count.size() > SRV6S_MAX_SET_PATHS) {
        std::stable_sort(count.begin(), count.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        count.resize(SRV6S_MAX_SET_PATHS);
        std::stable_sort(count.begin(), count.end(), [&](const auto& a, const auto& b) {
            return std::find(ids.begin(), ids.end(), a.first) < std::find(ids.begin(), ids.end(), b.first);
        });
    }
    std::vector<size_t> slots(count.size(), 1);
    for (size_t used = count.size(); used < SRV6S_MAX_SET_PATHS; used++) {
        size_t best = 0;  // the most connections per slot so far (cross-multiplied)
        for (size_t i = 1; i < count.size(); i++)
            if (count[i].second * slots[best] > count[best].second * slots[i])
                best = i;
        slots[best]++;
    }
    std::vector<uint32_t> out;
    for (size_t i = 0; i < count.size(); i++)
        out.insert(out.end(), slots[i], count[i].first);
    return out;
}

namespace {

std::string conn_name(const Topology& t, const Conn& c) {
    std::string s = "rank ";
    s += std::to_string(c.src_rank);
    s += " -> ";
    s += std::to_string(c.dst_rank);
    s += " (";
    s += t.hosts[c.src_host].name;
    s += " -> ";
    s += t.hosts[c.dst_host].name;
    s += " via";
    for (uint32_t n : c.hops) {
        s += ' ';
        s += t.nodes[n].name;
    }
    s += ')';
    return s;
}

// plan.py's PathSpec.key() of a path given as segments: "segments <sid> ... reduced".
std::string segments_key(const std::vector<Ipv6>& segments) {
    std::string k = "segments";
    for (const auto& s : segments) {
        k += ' ';
        k += s.str();
    }
    k += " reduced";
    return k;
}

}  // namespace

ojson apply_obj(const Block& block, const std::vector<ApplyPath>& conns, const std::string& host) {
    struct PathEntry {
        const ApplyPath* path;
    };
    std::map<std::string, PathEntry> paths;  // by key: sorted, so ids do not depend on connection order
    // Per (destination, family): the keys of its connections' paths, in order.
    std::map<std::pair<uint32_t, bool>, std::vector<std::string>> per_dst;
    for (const ApplyPath& c : conns) {
        const bool by_usids = c.segments.empty();
        auto k = by_usids ? path_key(block, c.usids) : segments_key(c.segments);
        if (!paths.count(k)) {
            if (by_usids)
                encode(block, c.usids, 0, c.what);  // throws when it does not fit
            else
                encode_segments(c.segments, c.what);
            paths[k] = {&c};
        }
        per_dst[{c.dst, c.ipv4}].push_back(std::move(k));
    }
    std::set<uint32_t> used;
    std::map<std::string, uint32_t> id_of;
    for (const auto& [k, e] : paths)
        id_of[k] = claim(used, hash_id(k), host);
    std::vector<std::pair<uint32_t, std::string>> listed;
    for (const auto& [k, id] : id_of)
        listed.emplace_back(id, k);
    std::sort(listed.begin(), listed.end());
    ojson jpaths = ojson::array();
    for (const auto& [id, k] : listed) {
        const ApplyPath& a = *paths[k].path;
        if (a.segments.empty()) {
            jpaths.push_back(ojson{{"id", id}, {"usids", usid_text(a.usids)}});
        } else {
            std::vector<std::string> segs;
            for (const auto& s : a.segments)
                segs.push_back(s.str());
            jpaths.push_back(ojson{{"id", id}, {"segments", segs}});
        }
    }
    // Sets: per (destination, family) whose connections take several paths.
    std::set<uint32_t> used_sets;
    std::vector<std::pair<uint32_t, std::vector<uint32_t>>> sets;
    for (const auto& [dst, keys] : per_dst) {
        std::vector<uint32_t> ids;
        for (const auto& k : keys)
            ids.push_back(id_of[k]);
        if (std::set<uint32_t>(ids.begin(), ids.end()).size() < 2)
            continue;
        if (ids.size() > SRV6S_MAX_SET_PATHS)
            ids = cap_set(ids);
        std::string k = "set";
        for (uint32_t id : ids) {
            k += ' ';
            k += std::to_string(id);
        }
        sets.emplace_back(claim(used_sets, hash_id(k), host), ids);
    }
    std::sort(sets.begin(), sets.end());
    ojson jsets = ojson::array();
    for (const auto& [id, ids] : sets)
        jsets.push_back(ojson{{"id", id}, {"paths", ids}});
    ojson doc;
    doc["block"] = block.str();
    doc["paths"] = jpaths;
    doc["sets"] = jsets;
    return doc;
}

namespace {

// The connections of one source host as apply file paths: each in both
// families the pair has addresses for.
std::vector<ApplyPath> apply_paths(const Plan& p, uint32_t host) {
    const Topology& t = p.topology;
    std::vector<ApplyPath> out;
    for (const Conn& c : p.conns) {
        if (c.src_host != host)
            continue;
        for (bool v4 : {false, true}) {
            const auto& s = t.hosts[c.src_host];
            const auto& d = t.hosts[c.dst_host];
            if (v4 ? !(s.ipv4 && d.ipv4) : !(s.ipv6 && d.ipv6))
                continue;
            out.push_back({c.dst_host, v4, path_usids(t, c, v4), {}, conn_name(t, c)});
        }
    }
    return out;
}

ojson apply_obj(const Plan& p, uint32_t host) {
    return apply_obj(p.topology.block, apply_paths(p, host), p.topology.hosts[host].name);
}

}  // namespace

std::string usid_text(const std::vector<uint16_t>& usids) {
    std::string s;
    for (uint16_t u : usids) {
        if (!s.empty())
            s += ',';
        s += usid_hex(u);
    }
    return s;
}

std::vector<uint16_t> node_usids(const Topology& t, const Conn& c) {
    std::vector<uint16_t> u;
    for (uint32_t n : c.hops)
        u.push_back(t.nodes[n].usid);
    if (t.host_decap)
        u.push_back(*t.hosts[c.dst_host].usid);
    return u;
}

std::vector<uint16_t> path_usids(const Topology& t, const Conn& c, bool ipv4) {
    auto u = node_usids(t, c);
    const Decap& d = t.host_decap ? *t.host_decap : t.decap;
    u.push_back(ipv4 ? d.ipv4 : d.ipv6);
    return u;
}

Path encode(const Block& block, const std::vector<uint16_t>& usids, uint32_t id, const std::string& what) {
    try {
        Path p;
        p.id = id;
        p.segments = usid_containers(block, usids);
        p.mode = SrhMode::Reduced;
        encode_path(p.segments, p.mode);  // checks the SRH holds them
        return p;
    } catch (const Error& e) {
        std::string m = what;
        m += ": the path cannot be encoded: ";
        m += e.what();
        throw Error(m);
    }
}

void encode_segments(const std::vector<Ipv6>& segments, const std::string& what) {
    try {
        encode_path(segments, SrhMode::Reduced);
    } catch (const Error& e) {
        std::string m = what;
        m += ": the path cannot be encoded: ";
        m += e.what();
        throw Error(m);
    }
}

uint32_t content_id(const Block& block, const std::vector<uint16_t>& usids) {
    return hash_id(path_key(block, usids));
}

std::string to_rank_pairs_json(const Plan& p) {
    const Topology& t = p.topology;
    const Decap& d = t.host_decap ? *t.host_decap : t.decap;
    ojson head;
    head["version"] = 1;
    std::string comment = "srv6steer plan of ";
    comment += p.job_source;
    comment += " on ";
    comment += t.name;
    comment += ": ";
    comment += p.method;
    head["comment"] = comment;
    head["block"] = t.block.str();
    head["decap"] = ojson{{"ipv6", usid_hex(d.ipv6)}, {"ipv4", usid_hex(d.ipv4)}};
    head["world_size"] = p.world_size;
    std::string out = head.dump(1);
    out.erase(out.rfind('}'));
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    out += ",\n \"pairs\": [";
    bool first = true;
    for (size_t i = 0; i < p.conns.size();) {
        size_t j = i;
        std::vector<std::string> paths;
        while (j < p.conns.size() && p.conns[j].src_rank == p.conns[i].src_rank &&
               p.conns[j].dst_rank == p.conns[i].dst_rank) {
            auto u = node_usids(t, p.conns[j]);
            auto full = u;
            full.push_back(d.ipv6);
            encode(t.block, full, 0, conn_name(t, p.conns[j]));
            paths.push_back(usid_text(u));
            j++;
        }
        ojson pair{{"src", p.conns[i].src_rank}, {"dst", p.conns[i].dst_rank}};
        if (std::all_of(paths.begin(), paths.end(), [&](const std::string& s) { return s == paths[0]; }))
            pair["path"] = paths[0];
        else
            pair["paths"] = paths;
        out += first ? "\n  " : ",\n  ";
        out += pair.dump();
        first = false;
        i = j;
    }
    out += "\n ]\n}\n";
    return out;
}

std::string to_apply_json(const Plan& p, std::string_view host) {
    auto h = p.topology.host(host);
    if (!h) {
        std::string m = "no host ";
        m += text::quote(host);
        m += " in topology ";
        m += text::quote(p.topology.name);
        throw Error(m);
    }
    std::string out = apply_obj(p, *h).dump(2);
    out += '\n';
    return out;
}

std::string to_apply_json(const Plan& p) {
    ojson hosts = ojson::object();
    for (const auto& name : source_hosts(p))
        hosts[name] = apply_obj(p, *p.topology.host(name));
    ojson doc;
    doc["version"] = 1;
    doc["hosts"] = hosts;
    std::string out = doc.dump(2);
    out += '\n';
    return out;
}

std::vector<std::string> source_hosts(const Plan& p) {
    std::vector<char> sends(p.topology.hosts.size(), 0);
    for (const Conn& c : p.conns)
        sends[c.src_host] = 1;
    std::vector<std::string> out;
    for (size_t h = 0; h < sends.size(); h++)
        if (sends[h])
            out.push_back(p.topology.hosts[h].name);
    return out;
}

}  // namespace srv6steer::planner
