// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "fabric.hpp"

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <map>

#include "options.hpp"
#include "text.hpp"

namespace srv6steer::cli {

using text::quote;

planner::ClosSpec parse_clos(const std::string& t, unsigned planes) {
    std::vector<unsigned> n;
    size_t at = 0;
    while (true) {
        const size_t x = t.find('x', at);
        const std::string part = t.substr(at, x == std::string::npos ? std::string::npos : x - at);
        const auto v = text::parse_uint(part, 1, 4096);
        if (!v) {
            std::string m = "invalid --clos ";
            m += quote(t);
            m += ": expected LEAVESxSPINESxHOSTS (2-tier, e.g. 8x8x8) or PODSxLEAVESxSPINESxSUPERSPINESxHOSTS "
                 "(3-tier), each a number from 1 to 4096";
            throw UsageError(m);
        }
        n.push_back(static_cast<unsigned>(*v));
        if (x == std::string::npos)
            break;
        at = x + 1;
    }
    planner::ClosSpec s;
    s.planes = planes;
    if (n.size() == 3) {
        s.tiers = 2;
        s.leaves = n[0];
        s.spines = n[1];
        s.hosts_per_leaf = n[2];
    } else if (n.size() == 5) {
        s.tiers = 3;
        s.pods = n[0];
        s.leaves = n[1];
        s.spines = n[2];
        s.superspines = n[3];
        s.hosts_per_leaf = n[4];
    } else {
        std::string m = "invalid --clos ";
        m += quote(t);
        m += ": 3 numbers (2-tier LEAVESxSPINESxHOSTS) or 5 (3-tier PODSxLEAVESxSPINESxSUPERSPINESxHOSTS)";
        throw UsageError(m);
    }
    return s;
}

std::string clos_name(const planner::ClosSpec& s) {
    std::string out;
    auto add = [&](unsigned v) {
        if (!out.empty())
            out += 'x';
        out += std::to_string(v);
    };
    if (s.tiers == 3) {
        add(s.pods);
        add(s.leaves);
        add(s.spines);
        add(s.superspines);
    } else {
        add(s.leaves);
        add(s.spines);
    }
    add(s.hosts_per_leaf);
    if (s.planes > 1) {
        out += '/';
        out += std::to_string(s.planes);
        out += "p";
    }
    return out;
}

planner::Topology read_topology(const std::string& file) {
    return planner::Topology::parse(text::read_file(file), file);
}

planner::Job read_job(const std::string& file) { return planner::Job::parse(text::read_file(file), file); }

planner::Job job_over_hosts(const planner::Topology& t, MadeJob kind, bool strided, unsigned connections) {
    std::vector<std::string> ranks;
    if (strided) {
        std::map<uint32_t, std::vector<std::string>> by_leaf;  // first leaf -> hosts, in host order
        for (const auto& h : t.hosts)
            by_leaf[h.leaves.at(0)].push_back(h.name);
        std::vector<size_t> next(by_leaf.size(), 0);
        while (ranks.size() < t.hosts.size()) {
            size_t i = 0;
            for (const auto& [leaf, hosts] : by_leaf) {
                if (next[i] < hosts.size())
                    ranks.push_back(hosts[next[i]++]);
                i++;
            }
        }
    } else {
        for (const auto& h : t.hosts)
            ranks.push_back(h.name);
    }
    auto j = kind == MadeJob::Ring ? planner::Job::ring(std::move(ranks), planner::Direction::Down, connections)
                                   : planner::Job::all_to_all(std::move(ranks), connections);
    j.source = kind == MadeJob::Ring ? (strided ? "ring (strided)" : "ring") : (strided ? "all-to-all (strided)" : "all-to-all");
    return j;
}

void write_output(const std::string& file, const std::string& text) {
    if (file == "-") {
        std::cout << text << std::flush;
        return;
    }
    std::string what = "cannot write ";
    what += quote(file);
    FILE* f = std::fopen(file.c_str(), "w");
    if (!f)
        throw_errno(what, errno);
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    const int err = errno;
    if (std::fclose(f) != 0 || !ok)
        throw_errno(what, ok ? errno : err);
}

}  // namespace srv6steer::cli
