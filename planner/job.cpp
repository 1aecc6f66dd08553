// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "job.hpp"

#include <algorithm>
#include <map>

#include "json_in.hpp"
#include "json_text.hpp"
#include "srv6steer/error.hpp"
#include "text.hpp"

namespace srv6steer::planner {

using text::cat;

using jsonin::at;
using text::quote;

namespace {
constexpr uint64_t kMaxRanks = 1u << 20;
constexpr uint64_t kMaxConnections = 1024;
}  // namespace

const char* pattern_name(Pattern p) {
    switch (p) {
    case Pattern::Ring:
        return "ring";
    case Pattern::AllToAll:
        return "all-to-all";
    case Pattern::Pairs:
        return "pairs";
    }
    return "?";
}

const char* direction_name(Direction d) {
    switch (d) {
    case Direction::Down:
        return "r -> r-1";
    case Direction::Up:
        return "r -> r+1";
    case Direction::Both:
        return "both";
    }
    return "?";
}

Job Job::parse(std::string_view text, const std::string& source) {
    jsonin::Reader r(source);
    const auto doc = r.parse(text);
    Job job;
    job.source = source;
    if (!r.object(doc, "", {"ranks", "pattern", "direction", "volume", "connections", "pairs", "comment"}))
        r.finish();
    if (const auto* ranks = r.array(doc, "", "ranks", true)) {
        if (ranks->empty())
            r.problem("ranks", "empty: a job needs ranks (the host of each, in rank order)");
        if (ranks->size() > kMaxRanks)
            r.problem("ranks", cat({"more than ", std::to_string(kMaxRanks), " ranks"}));
        for (size_t i = 0; i < ranks->size(); i++) {
            if ((*ranks)[i].is_string() && !(*ranks)[i].get<std::string>().empty())
                job.ranks.push_back((*ranks)[i].get<std::string>());
            else
                r.problem(at("ranks", i), cat({"expected a host name, got ", jsontext::shown((*ranks)[i])}));
        }
    }
    if (auto p = r.string(doc, "", "pattern", true)) {
        if (*p == "ring")
            job.pattern = Pattern::Ring;
        else if (*p == "all-to-all")
            job.pattern = Pattern::AllToAll;
        else if (*p == "pairs")
            job.pattern = Pattern::Pairs;
        else
            r.problem("pattern", cat({"expected \"ring\", \"all-to-all\" or \"pairs\", got ", quote(*p)}));
    }
    if (auto d = r.string(doc, "", "direction", false)) {
        if (job.pattern != Pattern::Ring)
            r.problem("direction", "only a \"ring\" has a direction");
        else if (*d == "r -> r-1")
            job.direction = Direction::Down;
        else if (*d == "r -> r+1")
            job.direction = Direction::Up;
        else if (*d == "both")
            job.direction = Direction::Both;
        else
            r.problem("direction", cat({"expected \"r -> r-1\" (gloo's ring), \"r -> r+1\" or \"both\", got ", quote(*d)}));
    }
    if (auto v = r.number(doc, "", "volume", false, 0))
        job.volume = *v;
    if (auto c = r.integer(doc, "", "connections", false, 1, kMaxConnections))
        job.connections = static_cast<unsigned>(*c);
    const bool has_pairs = doc.contains("pairs");
    if (job.pattern == Pattern::Pairs && !has_pairs)
        r.problem("pairs", "missing: pattern \"pairs\" lists its rank pairs");
    if (job.pattern != Pattern::Pairs && has_pairs)
        r.problem("pairs", "only pattern \"pairs\" lists rank pairs");
    if (const auto* pairs = has_pairs ? r.array(doc, "", "pairs", true) : nullptr) {
        std::map<std::pair<uint32_t, uint32_t>, std::string> seen;
        const uint64_t last = job.ranks.empty() ? 0 : job.ranks.size() - 1;
        for (size_t i = 0; i < pairs->size(); i++) {
            const auto& j = (*pairs)[i];
            const auto w = at("pairs", i);
            if (!r.object(j, w, {"src", "dst", "volume", "connections", "comment"}))
                continue;
            Demand d{0, 0, job.volume, job.connections};
            auto s = r.integer(j, w, "src", true, 0, last);
            auto t = r.integer(j, w, "dst", true, 0, last);
            if (auto v = r.number(j, w, "volume", false, 0))
                d.volume = *v;
            if (auto c = r.integer(j, w, "connections", false, 1, kMaxConnections))
                d.connections = static_cast<unsigned>(*c);
            if (!s || !t)
                continue;
            d.src = static_cast<uint32_t>(*s);
            d.dst = static_cast<uint32_t>(*t);
            if (d.src == d.dst) {
                r.problem(w, cat({"src and dst are both rank ", std::to_string(d.src)}));
                continue;
            }
            if (auto [it, fresh] = seen.emplace(std::pair(d.src, d.dst), w); !fresh) {
                r.problem(w, cat({"rank pair ", std::to_string(d.src), " -> ", std::to_string(d.dst), " is listed twice (also at ", it->second, ")"}));
                continue;
            }
            job.pairs.push_back(d);
        }
    }
    r.finish();
    return job;
}

Job Job::ring(std::vector<std::string> ranks, Direction d, unsigned connections, double volume) {
    Job j;
    j.ranks = std::move(ranks);
    j.pattern = Pattern::Ring;
    j.direction = d;
    j.connections = connections;
    j.volume = volume;
    return j;
}

Job Job::all_to_all(std::vector<std::string> ranks, unsigned connections, double volume) {
    Job j;
    j.ranks = std::move(ranks);
    j.pattern = Pattern::AllToAll;
    j.connections = connections;
    j.volume = volume;
    return j;
}

std::vector<Demand> Job::demands() const {
    std::vector<Demand> out;
    const auto n = static_cast<uint32_t>(ranks.size());
    switch (pattern) {
    case Pattern::Ring:
        if (n < 2)
            break;
        for (uint32_t r = 0; r < n; r++) {
            if (direction != Direction::Up)
                out.push_back({r, (r + n - 1) % n, volume, connections});
            if (direction != Direction::Down)
                out.push_back({r, (r + 1) % n, volume, connections});
        }
        break;
    case Pattern::AllToAll:
        for (uint32_t s = 0; s < n; s++)
            for (uint32_t t = 0; t < n; t++)
                if (s != t)
                    out.push_back({s, t, volume, connections});
        break;
    case Pattern::Pairs:
        out = pairs;
        break;
    }
    std::sort(out.begin(), out.end(), [](const Demand& a, const Demand& b) {
        return std::pair(a.src, a.dst) < std::pair(b.src, b.dst);
    });
    // A 2-rank ring in both directions names each pair twice.
    out.erase(std::unique(out.begin(), out.end(),
                          [](const Demand& a, const Demand& b) { return a.src == b.src && a.dst == b.dst; }),
              out.end());
    return out;
}

}  // namespace srv6steer::planner
