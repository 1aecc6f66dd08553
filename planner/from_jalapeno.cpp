// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "from_jalapeno.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "output.hpp"
#include "srv6steer/error.hpp"
#include "text.hpp"

namespace srv6steer::planner {

using text::cat;

using ojson = nlohmann::ordered_json;
namespace jp = jalapeno;

namespace {
constexpr uint16_t kLabIpv4Decap = 0xfe04;  // plan.py's DEFAULT_DECAP for IPv4
}  // namespace

std::vector<jp::Pair> host_pairs(const Job& job) {
    std::vector<jp::Pair> out;
    std::set<jp::Pair> seen;
    for (const Demand& d : job.demands()) {
        jp::Pair p{job.ranks[d.src], job.ranks[d.dst]};
        if (p.src != p.dst && seen.insert(p).second)
            out.push_back(std::move(p));
    }
    return out;
}

jp::DestFunction parse_dest_function(std::string_view text, std::string_view what) {
    return jp::parse_dest_function(text, what);
}

std::string query_name(const JalapenoQuery& q) {
    if (q.best_paths)
        return cat({"shortest_path/best-paths (limit ", std::to_string(q.best_paths), ")"});
    return jp::endpoint_name(q.metric);
}

JalapenoPlan ask_jalapeno(jp::Client& client, const Job& job, const JalapenoQuery& q) {
    const auto pairs = host_pairs(job);
    const auto& cfg = client.config();
    JalapenoPlan p{job, q, cfg.endpoint, cfg.collection, cfg.dest_function, std::nullopt, {}};
    if (q.best_paths) {
        p.routes = client.best_paths_for(pairs, q.best_paths);
    } else {
        for (auto& [pair, route] : client.paths_for(pairs, q.metric))
            p.routes.push_back({pair, {std::move(route)}});
    }
    for (const auto& [pair, routes] : p.routes)
        for (const auto& route : routes) {
            Block b;
            jp::usids_of(route.srv6.srv6_usid, route.srv6.usid_block, &b);
            if (p.block && b != *p.block)
                throw Error(cat({"Jalapeno answers in two uSID blocks (", p.block->str(), ", and ", b.str(), " for ", pair.src, " -> ", pair.dst, "): a plan has one block"}));
            p.block = b;
        }
    return p;
}

namespace {

// Every connection of the job between two hosts, in the job's order, with
// the route it takes: a host pair's connections take its routes in turn.
struct JConn {
    const Demand* demand;
    const jp::Pair* pair;
    const jp::Route* route;
};

std::vector<JConn> job_conns(const JalapenoPlan& p, const std::vector<Demand>& demands) {
    std::map<jp::Pair, std::pair<const jp::PairRoutes*, size_t>> next;  // routes, connections so far
    for (const auto& r : p.routes)
        next[r.pair] = {&r, 0};
    std::vector<JConn> out;
    for (const Demand& d : demands) {
        const jp::Pair pair{p.job.ranks[d.src], p.job.ranks[d.dst]};
        if (pair.src == pair.dst)
            continue;
        auto& [routes, n] = next.at(pair);
        for (unsigned i = 0; i < d.connections; i++)
            out.push_back({&d, &routes->pair, &routes->routes[n++ % routes->routes.size()]});
    }
    return out;
}

// A route as the rank-pair plan writes it: uSIDs without the dest function
// (plan.py appends "decap"), or the containers as they are.
ojson rank_pair_path(const JalapenoPlan& p, const jp::Route& route) {
    if (p.dest_function) {
        auto u = route.usids;
        u.pop_back();
        return usid_text(u);
    }
    std::vector<std::string> segs;
    for (const auto& s : route.path.segments)
        segs.push_back(s.str());
    return ojson{{"segments", segs}};
}

}  // namespace

std::string to_rank_pairs_json(const JalapenoPlan& p) {
    ojson doc;
    doc["version"] = 1;
    doc["comment"] = cat({"srv6steer plan of ", p.job.source, " from Jalapeno ", p.endpoint, " ", p.collection, ": ", query_name(p.query)});
    if (p.block)
        doc["block"] = p.block->str();
    if (p.dest_function) {
        // The appended function is IPv6's (End.DT6 in the lab); IPv4 takes
        // its own, else fe04 (End.DX4), python/srv6steer/plan.py's default.
        doc["decap"] = ojson{{"ipv6", text::usid_hex(*p.dest_function)},
                             {"ipv4", text::usid_hex(p.dest_function.ipv4.value_or(kLabIpv4Decap))}};
    }
    doc["world_size"] = p.job.world_size();
    ojson jpairs = ojson::array();
    const auto demands = p.job.demands();
    const auto conns = job_conns(p, demands);
    for (size_t i = 0; i < conns.size();) {
        size_t j = i;
        ojson paths = ojson::array();
        for (; j < conns.size() && conns[j].demand == conns[i].demand; j++)
            paths.push_back(rank_pair_path(p, *conns[j].route));
        ojson e{{"src", conns[i].demand->src}, {"dst", conns[i].demand->dst}};
        if (std::all_of(paths.begin(), paths.end(), [&](const ojson& x) { return x == paths[0]; }))
            e["path"] = paths[0];
        else
            e["paths"] = paths;
        jpairs.push_back(e);
        i = j;
    }
    doc["pairs"] = jpairs;
    std::string out = doc.dump(1);
    out += '\n';
    return out;
}

std::string rank_pairs_from_jalapeno(jp::Client& client, const Job& job) {
    return to_rank_pairs_json(ask_jalapeno(client, job));
}

namespace {

// Does this vertex (as Jalapeno describes it) have an address of the family?
// Unknown (neither address given) counts as yes.
bool has_family(const jp::Vertex& v, bool ipv4) {
    const bool v4 = v.ipv4_address && !v.ipv4_address->empty();
    const bool v6 = v.ipv6_address && !v.ipv6_address->empty();
    if (!v4 && !v6)
        return true;
    return ipv4 ? v4 : v6;
}

}  // namespace

std::vector<std::string> source_hosts(const JalapenoPlan& p) {
    std::vector<std::string> out;
    for (const auto& name : p.job.ranks)
        if (std::find(out.begin(), out.end(), name) == out.end() &&
            std::any_of(p.routes.begin(), p.routes.end(), [&](const jp::PairRoutes& r) { return r.pair.src == name; }))
            out.push_back(name);
    return out;
}

std::string to_apply_json(const JalapenoPlan& p, std::string_view host) {
    // Destinations numbered in the job's rank order: sets and id collisions
    // resolve in that order.
    std::map<std::string, uint32_t, std::less<>> dst_index;
    for (const auto& name : p.job.ranks)
        dst_index.try_emplace(name, static_cast<uint32_t>(dst_index.size()));
    std::vector<ApplyPath> conns;
    const auto demands = p.job.demands();
    for (const JConn& c : job_conns(p, demands)) {
        const jp::Pair& pair = *c.pair;
        const jp::Route& route = *c.route;
        if (pair.src != host)
            continue;
        const std::string what = cat({"Jalapeno's path ", pair.src, " -> ", pair.dst});
        const uint32_t dst = dst_index.at(pair.dst);
        if (!p.dest_function) {
            conns.push_back({dst, false, {}, route.path.segments, what});
            continue;
        }
        bool any = false;
        for (bool v4 : {false, true}) {
            if (!has_family(route.source, v4) || !has_family(route.destination, v4))
                continue;
            auto u = route.usids;  // ends in IPv6's function
            if (v4)
                u.back() = p.dest_function.ipv4.value_or(kLabIpv4Decap);
            conns.push_back({dst, v4, std::move(u), {}, what});
            any = true;
        }
        if (!any)
            throw Error(cat({what, ": Jalapeno shows ", pair.src, " and ", pair.dst,
                             " with addresses of different families only: no path can join them"}));
    }
    if (conns.empty())
        throw Error(cat({"host ", text::quote(host), " sends to no other host in ", p.job.source, ": it has no apply file"}));
    std::string out = apply_obj(*p.block, conns, std::string(host)).dump(2);
    out += '\n';
    return out;
}

}  // namespace srv6steer::planner
