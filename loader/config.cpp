// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Reading the apply file: JSON syntax (with line and column), keys given
// twice in one object, types, unknown keys, addresses, blocks and uSIDs,
// segments that can be steered to, whether they fit a path, duplicate ids,
// pins listed twice, and pins and sets naming paths or sets the file does
// not have. Every problem is collected with its JSON path.
#include "config.hpp"

#include <set>

#include "config_reader.hpp"
#include "remote/ranges.hpp"

namespace srv6steer::cli {

using text::quote;

namespace config_detail {

// Parses JSON text, collecting the keys given twice in one object (with
// their paths): nlohmann keeps the last silently.
json parse_json(const std::string& text, std::vector<std::string>& problems) {
    struct Frame {
        bool array;
        size_t index = 0;  // arrays: elements seen
        std::string key;   // objects: the key being read
        std::set<std::string> keys;
    };
    std::vector<Frame> stack;
    auto path = [&] {
        std::string p;
        for (const auto& f : stack)
            p = f.array ? at(p, f.index - 1) : f.key.empty() ? p : at(p, f.key);
        return p;
    };
    auto element = [&] {
        if (!stack.empty() && stack.back().array)
            stack.back().index++;
    };
    using E = json::parse_event_t;
    return json::parse(text, [&](int, E event, json& parsed) {
        switch (event) {
        case E::object_start:
        case E::array_start:
            element();
            stack.push_back({event == E::array_start, 0, {}, {}});
            break;
        case E::object_end:
        case E::array_end:
            stack.pop_back();
            break;
        case E::key:
            stack.back().key = parsed.get<std::string>();
            if (!stack.back().keys.insert(stack.back().key).second)
                problems.push_back(path() + ": key given twice in one object");
            break;
        case E::value:
            element();
            break;
        }
        return true;
    });
}

void Reader::read(const json& doc, Config& cfg) {
    if (!object(doc, "", {"interface", "block", "paths", "sets", "flows", "qps", "prefixes", "cgroups", "sids", "probes"}))
        return;
    // Which interface the file is for, when -d/--dev does not say (apply.cpp, agent.cpp).
    if (auto dev = string(doc, "", "interface", false)) {
        if (dev->empty() || dev->size() >= 16)
            problem("interface", "expected an interface name of 1 to 15 characters, got " + quote(*dev));
        else
            cfg.interface = *dev;
    }
    if (auto t = string(doc, "", "block", false))
        block_ = value(at("", "block"), [&] { return Block::parse(*t); });
    block_bad_ = doc.contains("block") && !block_;
    each(doc, "paths", [&](const json& j, const std::string& w) { read_path(j, w, cfg); });
    each(doc, "sets", [&](const json& j, const std::string& w) { read_set(j, w, cfg); });
    check_fallbacks(cfg);
    each(doc, "flows", [&](const json& j, const std::string& w) { read_pin(j, w, cfg, cfg.flows); });
    each(doc, "qps", [&](const json& j, const std::string& w) { read_pin(j, w, cfg, cfg.qps); });
    each(doc, "prefixes", [&](const json& j, const std::string& w) { read_pin(j, w, cfg, cfg.prefixes); });
    each(doc, "cgroups", [&](const json& j, const std::string& w) { read_pin(j, w, cfg, cfg.cgroups); });
    if (doc.contains("sids"))
        cfg.sids.emplace();
    each(doc, "sids", [&](const json& j, const std::string& w) { read_sid(j, w, cfg); });
    if (doc.contains("probes"))
        read_probes(doc["probes"], "probes", cfg.probes);
}

// "usids": "1004,1001" or ["1004", "1001"]
std::optional<std::vector<uint16_t>> Reader::usids(const json& j, const std::string& where) {
    if (j.is_string())
        return value(where, [&] { return parse_usids(j.get<std::string>()); });
    if (!j.is_array() || j.empty()) {
        problem(where, "expected a string (\"1004,1001,fe06\") or a non-empty array of strings, got " + j.dump());
        return std::nullopt;
    }
    std::vector<uint16_t> out;
    bool ok = true;
    for (size_t i = 0; i < j.size(); i++) {
        if (!j[i].is_string()) {
            problem(at(where, i), "expected a uSID as a string of hex digits (\"fe06\"), got " + j[i].dump());
            ok = false;
            continue;
        }
        auto one = value(at(where, i), [&] { return parse_usids(j[i].get<std::string>()); });
        if (one && one->size() != 1) {
            problem(at(where, i), "expected one uSID, got " + quote(j[i].get<std::string>()));
            one.reset();
        }
        if (one)
            out.push_back(one->front());
        else
            ok = false;
    }
    return ok ? std::optional(out) : std::nullopt;
}

std::optional<std::vector<Ipv6>> Reader::segments(const json& j, const std::string& where) {
    if (!j.is_array() || j.empty()) {
        problem(where, "expected a non-empty array of IPv6 addresses, got " + j.dump());
        return std::nullopt;
    }
    std::vector<Ipv6> out;
    bool ok = true;
    for (size_t i = 0; i < j.size(); i++) {
        std::optional<Ipv6> a;
        if (j[i].is_string())
            a = value(at(where, i), [&] { return Ipv6::parse(j[i].get<std::string>()); });
        else
            problem(at(where, i), "expected an IPv6 address as a string, got " + j[i].dump());
        if (a)
            out.push_back(*a);
        ok = ok && a;
    }
    return ok ? std::optional(out) : std::nullopt;
}

// Segments the data plane can push: global unicast, and as many as fit.
void Reader::check_segments(const Path& p, const std::string& where, bool listed) {
    for (size_t i = 0; i < p.segments.size(); i++)
        if (const char* what = segment_problem(p.segments[i]))
            problem(listed ? at(where, i) : where, "segment " + p.segments[i].str() + " is " + what +
                                                       ": a segment must be a global unicast address");
    if (p.segments.size() > max_segments(p.mode))
        problem(where, std::to_string(p.segments.size()) + " segments (containers) do not fit a path with " +
                           (p.mode == SrhMode::Full ? "a full" : "a reduced") + " SRH: at most " +
                           std::to_string(max_segments(p.mode)));
    else if (!p.segments.empty())
        value(where, [&] { return encode_path(p.segments, p.mode, p.down); });
}

void Reader::read_path(const json& j, const std::string& w, Config& cfg) {
    if (!object(j, w, {"id", "usids", "block", "segments", "srh", "down", "fallback"}))
        return;
    const size_t before = problems.size();
    Path p;
    const auto pid = id_field(j, w, "id", SRV6S_MAX_PATHS - 1);
    if (pid && remote::agent_path(*pid))
        problem(at(w, "id"), "path ids from " + std::to_string(remote::kFirstAgentPath) +
                                 " up belong to the agent's clients (the paths they bring through its socket): "
                                 "use 0 to " + std::to_string(remote::kFirstAgentPath - 1));
    if (auto srh = string(j, w, "srh", false)) {
        if (*srh == "full")
            p.mode = SrhMode::Full;
        else if (*srh != "reduced")
            problem(at(w, "srh"), "expected \"reduced\" or \"full\", got " + quote(*srh));
    }
    if (j.contains("down")) {
        if (j["down"].is_boolean())
            p.down = j["down"].get<bool>();
        else
            problem(at(w, "down"), "expected true or false, got " + j["down"].dump());
    }
    if (j.contains("fallback") && !j["fallback"].is_null()) {
        if (!j["fallback"].is_string())
            problem(at(w, "fallback"), "expected \"path:ID\", \"set:ID\" or null, got " + j["fallback"].dump());
        else
            p.fallback = value(at(w, "fallback"), [&] { return Target::parse(j["fallback"].get<std::string>()); });
    }
    const bool has_usids = j.contains("usids");
    if (has_usids == j.contains("segments")) {
        problem(w, "give either \"usids\" (with a \"block\") or \"segments\"");
    } else if (!has_usids) {
        if (j.contains("block"))
            problem(at(w, "block"), "goes with \"usids\", not with \"segments\"");
        if (auto segs = segments(j["segments"], at(w, "segments")))
            p.segments = *segs;
    } else {
        std::optional<Block> block = block_;
        if (j.contains("block")) {
            auto t = string(j, w, "block", true);
            block = t ? value(at(w, "block"), [&] { return Block::parse(*t); }) : std::nullopt;
        } else if (!block && !block_bad_) {
            problem(w, "\"usids\" need a \"block\", in the path or at the top of the file");
        }
        auto list = usids(j["usids"], at(w, "usids"));
        if (list && block)
            if (auto c = value(at(w, "usids"), [&] { return usid_containers(*block, *list); }))
                p.segments = *c;
    }
    check_segments(p, at(w, has_usids ? "usids" : "segments"), !has_usids);
    if (!pid)
        return;
    p.id = *pid;
    if (cfg.path_where.count(p.id)) {
        problem(at(w, "id"), "path " + std::to_string(p.id) + " is already defined at " + cfg.path_where[p.id]);
        return;
    }
    cfg.path_where[p.id] = w;  // known, so sets and pins naming it are fine even if it has problems
    if (p.fallback)
        fallback_where_[p.id] = at(w, "fallback");
    if (problems.size() == before)
        cfg.paths[p.id] = p;
}

void Reader::read_set(const json& j, const std::string& w, Config& cfg) {
    if (!object(j, w, {"id", "paths"}))
        return;
    auto sid = id_field(j, w, "id", kMaxUserSets - 1);
    if (sid && remote::agent_set(*sid))
        problem(at(w, "id"), "set ids from " + std::to_string(remote::kFirstAgentSet) +
                                 " up belong to the agent's clients (the sets they bring through its socket): "
                                 "use 0 to " + std::to_string(remote::kFirstAgentSet - 1));
    PathSet set;
    if (!j.contains("paths")) {
        problem(at(w, "paths"), "missing");
    } else if (!j["paths"].is_array() || j["paths"].empty() || j["paths"].size() > SRV6S_MAX_SET_PATHS) {
        problem(at(w, "paths"), "expected an array of 1 to " + std::to_string(SRV6S_MAX_SET_PATHS) +
                                    " path ids, got " + j["paths"].dump());
    } else {
        const json& ids = j["paths"];
        for (size_t i = 0; i < ids.size(); i++) {
            auto p = id(ids[i], at(at(w, "paths"), i), SRV6S_MAX_PATHS - 1);
            if (p && !cfg.path_where.count(*p))
                problem(at(at(w, "paths"), i), "path " + std::to_string(*p) + " is not in the file");
            else if (p)
                set.paths.push_back(*p);
        }
    }
    if (!sid)
        return;
    set.id = *sid;
    if (cfg.sets.count(set.id)) {
        problem(at(w, "id"), "set " + std::to_string(set.id) + " is defined twice");
        return;
    }
    cfg.sets[set.id] = set;
}

// {"prefix": "fcbb:0:e002:fe06::/64", "behavior": "udt6", "path_stats": true}: as `sid list -j` prints it.
void Reader::read_sid(const json& j, const std::string& w, Config& cfg) {
    if (!object(j, w, {"prefix", "behavior", "path_stats"}))
        return;
    LocalSid sid;
    std::optional<Prefix> prefix;
    if (auto t = string(j, w, "prefix", true))
        prefix = value(at(w, "prefix"), [&] { return Prefix::parse(*t); });
    std::optional<SidBehavior> behavior;
    if (auto t = string(j, w, "behavior", true))
        behavior = value(at(w, "behavior"), [&] { return parse_sid_behavior(*t); });
    if (j.contains("path_stats")) {
        if (j["path_stats"].is_boolean())
            sid.path_stats = j["path_stats"].get<bool>();
        else
            problem(at(w, "path_stats"), "expected true or false, got " + j["path_stats"].dump());
    }
    if (!prefix || !behavior)
        return;
    sid.prefix = *prefix;
    sid.behavior = *behavior;
    if (!value(at(w, "prefix"), [&] {
            check_local_sid(sid);
            return true;
        }))
        return;
    if (auto it = sid_where_.find(sid.prefix); it != sid_where_.end()) {
        problem(w, "SID " + sid.prefix.str() + " is listed twice (also at " + it->second + ")");
        return;
    }
    sid_where_[sid.prefix] = w;
    (*cfg.sids)[sid.prefix] = sid;
}

// A fallback names a path or set of the file, and not its own path alone.
void Reader::check_fallbacks(const Config& cfg) {
    for (const auto& [id, where] : fallback_where_) {
        const auto it = cfg.paths.find(id);
        if (it == cfg.paths.end() || !it->second.fallback)
            continue;
        const Target t = *it->second.fallback;
        const bool path = t.kind == Target::Kind::Path;
        const std::string name = path ? "path " + std::to_string(t.id) : "set " + std::to_string(t.id);
        if (path ? !cfg.path_where.count(t.id) : !cfg.sets.count(t.id)) {
            problem(where, name + " is not in the file");
            continue;
        }
        const auto& members = path ? std::vector<uint32_t>{t.id} : cfg.sets.at(t.id).paths;
        if (std::all_of(members.begin(), members.end(), [&](uint32_t m) { return m == id; }))
            problem(where, "path " + std::to_string(id) + " cannot fall back to " +
                               (path ? std::string("itself") : name + ", which holds only path " + std::to_string(id)));
    }
}

// {"flow": "tcp ...", "path": 1}, {"qp": "DST QP", "set": 10}, {"prefix": ..., ...},
// {"cgroup": "kubepods/pod1" or "id:NUMBER", ...}
template <class K>
void Reader::read_pin(const json& j, const std::string& w, const Config& cfg, Wanted<K>& out) {
    const char* key = PinKind<K>::name;
    if (!object(j, w, {key, "path", "set"}))
        return;
    std::optional<K> k;
    if (auto t = string(j, w, key, true))
        k = value(at(w, key), [&] { return K::parse(*t); });
    std::optional<Target> target;
    if (j.contains("path") == j.contains("set")) {
        problem(w, "give the target as \"path\": ID or as \"set\": ID");
    } else if (j.contains("path")) {
        if (auto p = id_field(j, w, "path", SRV6S_MAX_PATHS - 1)) {
            if (cfg.path_where.count(*p))
                target = Target::path(*p);
            else
                problem(at(w, "path"), "path " + std::to_string(*p) + " is not in the file");
        }
    } else if (auto s = id_field(j, w, "set", kMaxUserSets - 1)) {
        if (cfg.sets.count(*s))
            target = Target::set(*s);
        else
            problem(at(w, "set"), "set " + std::to_string(*s) + " is not in the file");
    }
    if (!k)
        return;
    if (auto it = out.where.find(*k); it != out.where.end()) {
        problem(w, std::string(PinKind<K>::name) + " " + k->str() + " is listed twice (also at " + it->second +
                       ")");
        return;
    }
    out.where[*k] = w;
    if (target)
        out.target[*k] = *target;
}

}  // namespace config_detail

using config_detail::parse_json;
using config_detail::Reader;

void refuse(const std::string& file, const std::vector<std::string>& problems) {
    std::string msg = file + ": " + std::to_string(problems.size()) + " problem" +
                      (problems.size() == 1 ? "" : "s") + ", nothing was changed:";
    for (const auto& p : problems)
        msg += "\n  " + p;
    throw Invalid(msg);
}

Config parse_config(const std::string& text, const std::string& file) {
    Reader reader;
    json doc;
    try {
        doc = parse_json(text, reader.problems);
    } catch (const json::parse_error& e) {
        std::string what = e.what();  // "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
        if (auto close = what.find("] "); close != std::string::npos)
            what.erase(0, close + 2);
        throw Invalid(file + ": " + what + "; nothing was changed");
    }
    Config cfg;
    cfg.file = file;
    reader.read(doc, cfg);
    if (!reader.problems.empty())
        refuse(file, reader.problems);
    return cfg;
}

Config read_config(const std::string& file) { return parse_config(text::read_file(file), file); }

}  // namespace srv6steer::cli
