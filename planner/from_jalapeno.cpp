// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "from_jalapeno.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "msg.hpp"
#include "output.hpp"
#include "srv6steer/error.hpp"
#include "text.hpp"

namespace srv6steer::planner {

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

JalapenoPlan ask_jalapeno(jp::Client& client, const Job& job) {
    const auto pairs = host_pairs(job);
    const auto& cfg = client.config();
    JalapenoPlan p{job, cfg.endpoint, cfg.collection, cfg.dest_function, std::nullopt,
                   client.paths_for(pairs, jp::Metric::Load)};
    for (const auto& [pair, route] : p.routes) {
        Block b;
        jp::usids_of(route.srv6.srv6_usid, route.srv6.usid_block, &b);
        if (p.block && b != *p.block)
            throw Error(M() + "Jalapeno answers in two uSID blocks (" + p.block->str() + ", and " + b.str() +
                        " for " + pair.src + " -> " + pair.dst + "): a plan has one block");
        p.block = b;
    }
    return p;
}

std::string to_rank_pairs_json(const JalapenoPlan& p) {
    std::map<jp::Pair, ojson> path_of;
    for (const auto& [pair, route] : p.routes) {
        if (p.dest_function) {
            auto u = route.usids;
            u.pop_back();  // the dest function: plan.py appends "decap"
            path_of[pair] = usid_text(u);
        } else {
            std::vector<std::string> segs;
            for (const auto& s : route.path.segments)
                segs.push_back(s.str());
            path_of[pair] = ojson{{"segments", segs}};
        }
    }

    ojson doc;
    doc["version"] = 1;
    doc["comment"] = std::string(M() + "srv6steer plan of " + p.job.source + " from Jalapeno " + p.endpoint + " " +
                                 p.collection + ": " + jp::endpoint_name(jp::Metric::Load));
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
    for (const Demand& d : p.job.demands()) {
        const jp::Pair pair{p.job.ranks[d.src], p.job.ranks[d.dst]};
        if (pair.src == pair.dst)
            continue;
        jpairs.push_back(ojson{{"src", d.src}, {"dst", d.dst}, {"path", path_of.at(pair)}});
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
    if (!v.ipv4_address && !v.ipv6_address)
        return true;
    return ipv4 ? v.ipv4_address.has_value() : v.ipv6_address.has_value();
}

}  // namespace

std::vector<std::string> source_hosts(const JalapenoPlan& p) {
    std::vector<std::string> out;
    for (const auto& name : p.job.ranks)
        if (std::find(out.begin(), out.end(), name) == out.end() &&
            std::any_of(p.routes.begin(), p.routes.end(), [&](const jp::PairRoute& r) { return r.pair.src == name; }))
            out.push_back(name);
    return out;
}

std::string to_apply_json(const JalapenoPlan& p, std::string_view host) {
    // Destinations numbered in the job's rank order: sets (none here: one
    // route per host pair) and collisions resolve in that order.
    std::map<std::string, uint32_t, std::less<>> dst_index;
    for (const auto& name : p.job.ranks)
        dst_index.try_emplace(name, static_cast<uint32_t>(dst_index.size()));
    std::vector<ApplyPath> conns;
    for (const auto& [pair, route] : p.routes) {
        if (pair.src != host)
            continue;
        const std::string what = M() + "Jalapeno's path " + pair.src + " -> " + pair.dst;
        const uint32_t dst = dst_index.at(pair.dst);
        if (!p.dest_function) {
            conns.push_back({dst, false, {}, route.path.segments, what});
            continue;
        }
        for (bool v4 : {false, true}) {
            if (!has_family(route.source, v4) || !has_family(route.destination, v4))
                continue;
            auto u = route.usids;  // ends in IPv6's function
            if (v4)
                u.back() = p.dest_function.ipv4.value_or(kLabIpv4Decap);
            conns.push_back({dst, v4, std::move(u), {}, what});
        }
    }
    if (conns.empty())
        throw Error(M() + "host " + text::quote(host) + " sends to no other host in " + p.job.source +
                    ": it has no apply file");
    std::string out = apply_obj(*p.block, conns, std::string(host)).dump(2);
    out += '\n';
    return out;
}

}  // namespace srv6steer::planner
