// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "from_jalapeno.hpp"

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

std::string rank_pairs_from_jalapeno(jp::Client& client, const Job& job) {
    const auto pairs = host_pairs(job);
    const auto& cfg = client.config();
    const auto routes = client.paths_for(pairs, jp::Metric::Load);

    // One block for the whole plan: the answers' usid_block.
    std::optional<Block> block;
    std::map<jp::Pair, ojson> path_of;
    for (const auto& [pair, route] : routes) {
        Block b;
        jp::usids_of(route.srv6.srv6_usid, route.srv6.usid_block, &b);
        if (block && b != *block)
            throw Error(M() + "Jalapeno answers in two uSID blocks (" + block->str() + ", and " + b.str() +
                        " for " + pair.src + " -> " + pair.dst + "): a plan has one block");
        block = b;
        if (cfg.dest_function) {
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
    doc["comment"] = std::string(M() + "srv6steer plan of " + job.source + " from Jalapeno " + cfg.endpoint +
                                 " " + cfg.collection + ": " + jp::endpoint_name(jp::Metric::Load));
    if (block)
        doc["block"] = block->str();
    if (cfg.dest_function) {
        // The appended function is IPv6's (End.DT6 in the lab); IPv4 takes
        // its own, else fe04 (End.DX4), python/srv6steer/plan.py's default.
        doc["decap"] = ojson{{"ipv6", text::usid_hex(*cfg.dest_function)},
                             {"ipv4", text::usid_hex(cfg.dest_function.ipv4.value_or(kLabIpv4Decap))}};
    }
    doc["world_size"] = job.world_size();
    ojson jpairs = ojson::array();
    for (const Demand& d : job.demands()) {
        const jp::Pair p{job.ranks[d.src], job.ranks[d.dst]};
        if (p.src == p.dst)
            continue;
        jpairs.push_back(ojson{{"src", d.src}, {"dst", d.dst}, {"path", path_of.at(p)}});
    }
    doc["pairs"] = jpairs;
    std::string out = doc.dump(1);
    out += '\n';
    return out;
}

}  // namespace srv6steer::planner
