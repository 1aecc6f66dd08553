// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// topologies/lab.json read on its own (plain nlohmann, not the planner), to
// check plans against: a rank pair's path ("1004,1001,1006") as node names,
// whether it is a walk from the source host's leaf to the destination's, and
// the load of each directed link. For the CLI's and the C ABI's plan tests.
#pragma once

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace labwalk {

inline std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

struct Fabric {
    std::map<std::string, std::string> node_of_usid;
    std::set<std::pair<std::string, std::string>> links;  // both directions
    std::map<std::string, std::string> leaf_of_host;

    explicit Fabric(const std::string& text) {
        const auto j = nlohmann::json::parse(text);
        for (const auto& n : j["nodes"])
            node_of_usid[n["usid"].get<std::string>()] = n["name"].get<std::string>();
        for (const auto& l : j["links"]) {
            const std::string a = l["a"], b = l["b"];
            links.insert(std::pair(a, b));
            links.insert(std::pair(b, a));
        }
        for (const auto& h : j["hosts"])
            leaf_of_host[h["name"].get<std::string>()] = h["leaf"].get<std::string>();
    }

    // "1004,1001,1006" as node names; "" for a uSID of no node.
    std::vector<std::string> nodes(const std::string& path) const {
        std::vector<std::string> out;
        std::stringstream ss(path);
        for (std::string u; std::getline(ss, u, ',');) {
            auto it = node_of_usid.find(u);
            out.push_back(it == node_of_usid.end() ? "" : it->second);
        }
        return out;
    }

    // What is wrong with `path` from host src to host dst; "" if nothing.
    std::string problem(const std::string& path, const std::string& src, const std::string& dst) const {
        const auto n = nodes(path);
        if (n.empty())
            return "empty path";
        for (size_t i = 0; i < n.size(); i++)
            if (n[i].empty())
                return "uSID " + std::to_string(i) + " of " + path + " is no node";
        if (n.front() != leaf_of_host.at(src))
            return path + " does not start at " + src + "'s leaf " + leaf_of_host.at(src);
        if (n.back() != leaf_of_host.at(dst))
            return path + " does not end at " + dst + "'s leaf " + leaf_of_host.at(dst);
        for (size_t i = 1; i < n.size(); i++)
            if (!links.count({n[i - 1], n[i]}))
                return path + ": no link " + n[i - 1] + " - " + n[i];
        return "";
    }

    // Adds one to every directed link of path.
    void add_load(const std::string& path, std::map<std::pair<std::string, std::string>, int>& load) const {
        const auto n = nodes(path);
        for (size_t i = 1; i < n.size(); i++)
            load[{n[i - 1], n[i]}]++;
    }
};

}  // namespace labwalk
