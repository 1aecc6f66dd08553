// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Reading the apply file: JSON syntax (with line and column), keys given
// twice in one object, types, unknown keys, addresses, blocks and uSIDs,
// segments that can be steered to, whether they fit a path, duplicate ids,
// pins listed twice, and pins and sets naming paths or sets the file does
// not have. Every problem is collected with its JSON path.
#include "config.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "remote/ranges.hpp"
#include "text.hpp"

namespace srv6steer::cli {

using text::quote;

namespace {

// JSON paths: at("paths", 1) = "paths[1]", at("paths[1]", "usids") = "paths[1].usids".
std::string at(const std::string& base, size_t i) { return base + "[" + std::to_string(i) + "]"; }
std::string at(const std::string& base, const std::string& key) { return base.empty() ? key : base + "." + key; }

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

// Reads the file's JSON into a Config, collecting every problem.
class Reader {
public:
    std::vector<std::string> problems;

    void read(const json& doc, Config& cfg) {
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

private:
    std::optional<Block> block_;
    bool block_bad_ = false;
    std::map<Prefix, std::string> sid_where_;
    std::map<uint32_t, std::string> fallback_where_;  // path id -> JSON path of its "fallback"

    void problem(const std::string& where, const std::string& what) {
        problems.push_back(where.empty() ? what : where + ": " + what);
    }

    // Runs a parser; its Error becomes a problem at `where`.
    template <class F>
    auto value(const std::string& where, F&& parse) -> std::optional<decltype(parse())> {
        try {
            return parse();
        } catch (const Error& e) {
            problem(where, e.what());
            return std::nullopt;
        }
    }

    bool object(const json& j, const std::string& where, std::initializer_list<const char*> keys) {
        if (!j.is_object()) {
            problem(where, std::string("expected an object, got ") + j.type_name());
            return false;
        }
        for (const auto& [k, v] : j.items()) {
            const std::string& key = k;  // (a structured binding: clang 14 cannot capture it)
            if (std::find_if(keys.begin(), keys.end(), [&](const char* a) { return key == a; }) != keys.end())
                continue;
            problem(at(where, k), "unknown key (expected " + join(std::vector<std::string>(keys.begin(), keys.end()), ", ") + ")");
        }
        return true;
    }

    // Calls f on every element of the array obj[key], if there is one.
    template <class F>
    void each(const json& obj, const std::string& key, F&& f) {
        if (!obj.contains(key))
            return;
        const json& arr = obj[key];
        if (!arr.is_array()) {
            problem(key, std::string("expected an array, got ") + arr.type_name());
            return;
        }
        for (size_t i = 0; i < arr.size(); i++)
            f(arr[i], at(key, i));
    }

    std::optional<uint32_t> id(const json& j, const std::string& where, uint64_t max) {
        if (j.is_number_unsigned() && j.get<uint64_t>() <= max)
            return static_cast<uint32_t>(j.get<uint64_t>());
        problem(where, "expected an integer from 0 to " + std::to_string(max) + ", got " + j.dump());
        return std::nullopt;
    }

    std::optional<uint32_t> id_field(const json& obj, const std::string& where, const char* key, uint64_t max) {
        if (!obj.contains(key)) {
            problem(at(where, key), "missing");
            return std::nullopt;
        }
        return id(obj[key], at(where, key), max);
    }

    std::optional<std::string> string(const json& obj, const std::string& where, const char* key, bool required) {
        if (!obj.contains(key)) {
            if (required)
                problem(at(where, key), "missing");
            return std::nullopt;
        }
        if (!obj[key].is_string()) {
            problem(at(where, key), std::string("expected a string, got ") + obj[key].dump());
            return std::nullopt;
        }
        return obj[key].get<std::string>();
    }

    std::optional<bool> boolean(const json& obj, const std::string& where, const char* key) {
        if (!obj.contains(key))
            return std::nullopt;
        if (!obj[key].is_boolean()) {
            problem(at(where, key), "expected true or false, got " + obj[key].dump());
            return std::nullopt;
        }
        return obj[key].get<bool>();
    }

    std::optional<uint32_t> number(const json& obj, const std::string& where, const char* key, uint64_t min,
                                   uint64_t max) {
        if (!obj.contains(key))
            return std::nullopt;
        const json& j = obj[key];
        if (j.is_number_unsigned() && j.get<uint64_t>() >= min && j.get<uint64_t>() <= max)
            return static_cast<uint32_t>(j.get<uint64_t>());
        problem(at(where, key), "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                                    ", got " + j.dump());
        return std::nullopt;
    }

    // "probes": {"interval_ms": 10, "misses": 3, "return": {"1": "fcbb:0:1006:e001::"},
    //            "targets": [{"path": 1, "to": "fcbb:0:800:2::20"}], ...}
    void read_probes(const json& j, const std::string& w, ProbesConfig& out) {
        if (!object(j, w, {"enabled", "interval_ms", "timeout_ms", "misses", "recoveries", "hold_down_ms", "port",
                           "auto", "refresh_ms", "return", "targets", "congestion", "flowlets"}))
            return;
        ProberOptions& o = out.options;
        using std::chrono::milliseconds;
        if (auto v = boolean(j, w, "enabled"))
            out.enabled = *v;
        if (auto v = number(j, w, "interval_ms", 1, 10000))
            o.interval = milliseconds(*v);
        if (auto v = number(j, w, "timeout_ms", 0, 60000))
            o.timeout = milliseconds(*v);
        if (auto v = number(j, w, "misses", 1, 1000))
            o.policy.misses = *v;
        if (auto v = number(j, w, "recoveries", 1, 1000))
            o.policy.recoveries = *v;
        if (auto v = number(j, w, "hold_down_ms", 0, 3600000))
            o.policy.hold_down = milliseconds(*v);
        if (auto v = number(j, w, "port", 1, 65535))
            o.port = static_cast<uint16_t>(*v);
        if (auto v = boolean(j, w, "auto"))
            o.auto_targets = *v;
        if (auto v = number(j, w, "refresh_ms", 10, 3600000))
            o.refresh = milliseconds(*v);
        if (j.contains("return")) {
            const std::string rw = at(w, "return");
            if (!j["return"].is_object()) {
                problem(rw, std::string("expected an object of path ids and return containers, got ") +
                                j["return"].type_name());
            } else {
                for (const auto& [k, v] : j["return"].items()) {
                    const std::string key = k;
                    const auto path = text::parse_uint(key, 0, SRV6S_MAX_PATHS - 1);
                    if (!path) {
                        problem(at(rw, key), "expected a path id from 0 to " + std::to_string(SRV6S_MAX_PATHS - 1) +
                                                 " as the key");
                        continue;
                    }
                    if (auto c = container(v, at(rw, key)))
                        o.returns[static_cast<uint32_t>(*path)] = *c;
                }
            }
        }
        each(j, "targets", [&](const json& t, const std::string& tw) { read_probe_target(t, at(w, tw), o); });
        if (j.contains("congestion"))
            read_congestion(j["congestion"], at(w, "congestion"), o.congestion);
        if (j.contains("flowlets"))
            read_flowlets(j["flowlets"], at(w, "flowlets"), o.flowlets);
    }

    // "flowlets": {"adaptive": true, "min_us": 500, "max_us": 20000, "factor_pct": 200,
    //              "hold_ms": 5000} (docs/design.md §17.5)
    void read_flowlets(const json& j, const std::string& w, FlowletPolicy& f) {
        if (!object(j, w, {"adaptive", "min_us", "max_us", "factor_pct", "hold_ms"}))
            return;
        using std::chrono::microseconds;
        if (auto v = boolean(j, w, "adaptive"))
            f.adaptive = *v;
        if (auto v = number(j, w, "min_us", 0, 1'000'000))
            f.min = microseconds(*v);
        if (auto v = number(j, w, "max_us", 0, 1'000'000))
            f.max = microseconds(*v);
        if (auto v = number(j, w, "factor_pct", 100, 1000))
            f.factor_pct = *v;
        if (auto v = number(j, w, "hold_ms", 0, 3'600'000))
            f.hold = std::chrono::milliseconds(*v);
        if (f.min > f.max)
            problem(at(w, "min_us"), "must not be above max_us (" + std::to_string(f.max.count()) + ")");
    }

    // "congestion": {"enabled": true, "window_ms": 100, "min_packets": 8, "mark_ppm": 10000,
    //                "clear_ppm": 1000, "hold_ms": 1000, "step": 4} (docs/design.md §17)
    void read_congestion(const json& j, const std::string& w, CongestionPolicy& c) {
        if (!object(j, w, {"enabled", "window_ms", "min_packets", "mark_ppm", "clear_ppm", "hold_ms", "step"}))
            return;
        using std::chrono::milliseconds;
        if (auto v = boolean(j, w, "enabled"))
            c.enabled = *v;
        if (auto v = number(j, w, "window_ms", 1, 60000))
            c.window = milliseconds(*v);
        if (auto v = number(j, w, "min_packets", 1, 1'000'000))
            c.min_packets = *v;
        if (auto v = number(j, w, "mark_ppm", 1, 1'000'000))
            c.mark_ppm = *v;
        if (auto v = number(j, w, "clear_ppm", 0, 999'999))
            c.clear_ppm = *v;
        if (auto v = number(j, w, "hold_ms", 0, 3600000))
            c.hold = milliseconds(*v);
        if (auto v = number(j, w, "step", 1, SRV6S_CONGESTION_LEVELS))
            c.step = *v;
        if (c.clear_ppm >= c.mark_ppm)
            problem(at(w, "clear_ppm"), "must be below mark_ppm (" + std::to_string(c.mark_ppm) + ")");
    }

    std::optional<Ipv6> container(const json& j, const std::string& where) {
        if (!j.is_string()) {
            problem(where, "expected a return container (an IPv6 address) as a string, got " + j.dump());
            return std::nullopt;
        }
        return value(where, [&] { return Ipv6::parse(j.get<std::string>()); });
    }

    void read_probe_target(const json& j, const std::string& w, ProberOptions& o) {
        if (!object(j, w, {"path", "to", "return", "port"}))
            return;
        ProbeTarget t;
        t.port = o.port;
        const auto path = id_field(j, w, "path", SRV6S_MAX_PATHS - 1);
        const auto to = string(j, w, "to", true);
        std::optional<Ipv6> remote;
        if (to)
            remote = value(at(w, "to"), [&] { return Ipv6::parse_any(*to); });
        if (j.contains("return")) {
            t.ret = container(j["return"], at(w, "return"));
            if (!t.ret)
                return;
        }
        if (auto v = number(j, w, "port", 1, 65535))
            t.port = static_cast<uint16_t>(*v);
        if (!path || !remote)
            return;
        t.path = *path;
        t.remote = *remote;
        o.targets.push_back(t);
    }

    // "usids": "1004,1001" or ["1004", "1001"]
    std::optional<std::vector<uint16_t>> usids(const json& j, const std::string& where) {
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

    std::optional<std::vector<Ipv6>> segments(const json& j, const std::string& where) {
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
    void check_segments(const Path& p, const std::string& where, bool listed) {
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

    void read_path(const json& j, const std::string& w, Config& cfg) {
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

    void read_set(const json& j, const std::string& w, Config& cfg) {
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
    void read_sid(const json& j, const std::string& w, Config& cfg) {
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
    void check_fallbacks(const Config& cfg) {
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
    void read_pin(const json& j, const std::string& w, const Config& cfg, Wanted<K>& out) {
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
};

}  // namespace

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
