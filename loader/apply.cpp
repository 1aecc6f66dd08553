// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer apply -f FILE`: make one interface's paths, sets and pins what a
// JSON file says (format in loader/README.md).
//
//  1. read: the whole file is checked first; every problem is reported with
//     its JSON path ("paths[1].usids: ...") and nothing is touched;
//  2. plan: the difference to the live state, as steps that each know their
//     inverse, in a safe order (new paths, path up/down, sets, pins added or
//     changed, pins removed, sets removed, paths removed);
//  3. run: the steps in order; on a failure the steps done are undone in
//     reverse, so the previous state is intact.
// Pins owned by a process (owner pid != 0) are not the file's: apply never
// changes or removes them.
#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>

#include "cli.hpp"

namespace srv6steer::cli {

namespace {

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// JSON paths: at("paths", 1) = "paths[1]", at("paths[1]", "usids") = "paths[1].usids".
std::string at(const std::string& base, size_t i) { return base + "[" + std::to_string(i) + "]"; }
std::string at(const std::string& base, const std::string& key) { return base.empty() ? key : base + "." + key; }

template <class K>
struct Wanted {
    std::map<K, Target> target;
    std::map<K, std::string> where;  // JSON path of the entry, for messages
};

// What the file asks for.
struct Config {
    std::map<uint32_t, Path> paths;
    std::map<uint32_t, std::string> path_where;
    std::map<uint32_t, PathSet> sets;
    Wanted<Flow> flows;
    Wanted<Qp> qps;
    Wanted<Prefix> prefixes;
};

// Reads the file's JSON into a Config, collecting every problem.
class Reader {
public:
    std::vector<std::string> problems;

    Config read(const json& doc) {
        Config cfg;
        if (!object(doc, "", {"interface", "block", "paths", "sets", "flows", "qps", "prefixes"}))
            return cfg;
        // Which interface the file is for, when -d/--dev does not say (see cmd_apply, agent.cpp).
        if (auto dev = string(doc, "", "interface", false); dev && (dev->empty() || dev->size() >= 16))
            problem("interface", "expected an interface name of 1 to 15 characters, got " + quote(*dev));
        if (auto text = string(doc, "", "block", false))
            block_ = value(at("", "block"), [&] { return Block::parse(*text); });
        block_bad_ = doc.contains("block") && !block_;
        each(doc, "paths", [&](const json& j, const std::string& w) { read_path(j, w, cfg); });
        each(doc, "sets", [&](const json& j, const std::string& w) { read_set(j, w, cfg); });
        each(doc, "flows", [&](const json& j, const std::string& w) { read_pin(j, w, cfg, cfg.flows); });
        each(doc, "qps", [&](const json& j, const std::string& w) { read_pin(j, w, cfg, cfg.qps); });
        each(doc, "prefixes", [&](const json& j, const std::string& w) { read_pin(j, w, cfg, cfg.prefixes); });
        return cfg;
    }

private:
    std::optional<Block> block_;
    bool block_bad_ = false;

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
            if (std::find_if(keys.begin(), keys.end(), [&](const char* a) { return k == a; }) != keys.end())
                continue;
            std::string known;
            for (const char* a : keys)
                known += (known.empty() ? "" : ", ") + std::string(a);
            problem(at(where, k), "unknown key (expected " + known + ")");
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

    std::optional<uint32_t> id_field(const json& obj, const std::string& where, const char* key, uint64_t max,
                                     bool required = true) {
        if (!obj.contains(key)) {
            if (required)
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

    void read_path(const json& j, const std::string& w, Config& cfg) {
        if (!object(j, w, {"id", "usids", "block", "segments", "srh", "down"}))
            return;
        const size_t before = problems.size();
        Path p;
        const auto pid = id_field(j, w, "id", SRV6S_MAX_PATHS - 1);
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
                auto text = string(j, w, "block", true);
                block = text ? value(at(w, "block"), [&] { return Block::parse(*text); }) : std::nullopt;
            } else if (!block && !block_bad_) {
                problem(w, "\"usids\" need a \"block\", in the path or at the top of the file");
            }
            auto list = usids(j["usids"], at(w, "usids"));
            if (list && block)
                if (auto c = value(at(w, "usids"), [&] { return usid_containers(*block, *list); }))
                    p.segments = *c;
        }
        const std::string segs_at = at(w, has_usids ? "usids" : "segments");
        if (!p.segments.empty() && p.segments.size() > max_segments(p.mode))
            problem(segs_at, std::to_string(p.segments.size()) + " segments (containers) do not fit a path with " +
                                 (p.mode == SrhMode::Full ? "a full" : "a reduced") + " SRH: at most " +
                                 std::to_string(max_segments(p.mode)));
        else if (!p.segments.empty())
            value(segs_at, [&] { return encode_path(p.segments, p.mode, p.down); });
        if (!pid)
            return;
        p.id = *pid;
        if (cfg.path_where.count(p.id)) {
            problem(at(w, "id"), "path " + std::to_string(p.id) + " is already defined at " + cfg.path_where[p.id]);
            return;
        }
        cfg.path_where[p.id] = w;  // known, so sets and pins naming it are fine even if it has problems
        if (problems.size() == before)
            cfg.paths[p.id] = p;
    }

    void read_set(const json& j, const std::string& w, Config& cfg) {
        if (!object(j, w, {"id", "paths"}))
            return;
        auto sid = id_field(j, w, "id", kMaxUserSets - 1);
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

    // {"flow": "tcp ...", "path": 1}, {"qp": "DST QP", "set": 10}, {"prefix": ..., ...}
    template <class K>
    void read_pin(const json& j, const std::string& w, const Config& cfg, Wanted<K>& out) {
        const char* key = PinKind<K>::name;
        if (!object(j, w, {key, "path", "set"}))
            return;
        std::optional<K> k;
        if (auto text = string(j, w, key, true))
            k = value(at(w, key), [&] { return K::parse(*text); });
        std::optional<Target> t;
        if (j.contains("path") == j.contains("set")) {
            problem(w, "give the target as \"path\": ID or as \"set\": ID");
        } else if (j.contains("path")) {
            if (auto p = id_field(j, w, "path", SRV6S_MAX_PATHS - 1)) {
                if (cfg.path_where.count(*p))
                    t = Target::path(*p);
                else
                    problem(at(w, "path"), "path " + std::to_string(*p) + " is not in the file");
            }
        } else if (auto s = id_field(j, w, "set", kMaxUserSets - 1)) {
            if (cfg.sets.count(*s))
                t = Target::set(*s);
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
        if (t)
            out.target[*k] = *t;
    }
};

// ---- plan ------------------------------------------------------------------------

struct Step {
    std::string text;  // "+ path 3 ...", "~ set 10: 1,2 -> 1,3", "- pin flow ..."
    std::function<void(Steering&)> run, undo;
};

enum Phase { kNewPaths, kPathState, kSets, kPinsSet, kPinsRemoved, kSetsRemoved, kPathsRemoved, kPhases };
using Plan = std::array<std::vector<Step>, kPhases>;

const PinOptions kFilePin{Owner::none(), false};
const PinOptions kFileRepin{Owner::none(), true};

std::string state(bool down) { return down ? "down" : "up"; }

void plan_paths(const Config& cfg, const Steering& s, Plan& plan, std::vector<std::string>& problems) {
    std::map<uint32_t, Path> live;
    for (auto& p : s.paths())
        live[p.id] = p;
    for (const auto& [id, want] : cfg.paths) {
        auto it = live.find(id);
        if (it == live.end()) {
            plan[kNewPaths].push_back({"+ path " + std::to_string(id) + " " + path_text(want),
                                       [want](Steering& st) { st.add_path(want); },
                                       [id](Steering& st) { st.remove_path(id); }});
            continue;
        }
        const Path& have = it->second;
        if (have.segments != want.segments || have.mode != want.mode) {
            Path shown = have;
            shown.down = false;
            problems.push_back(cfg.path_where.at(id) + ": path " + std::to_string(id) + " exists on " + s.ifname() +
                               " with other segments (" + path_text(shown) +
                               "); a path cannot change in place: give the new segments a new id and point "
                               "the sets and pins at it");
        } else if (have.down != want.down) {
            const bool from = have.down, to = want.down;
            plan[kPathState].push_back({"~ path " + std::to_string(id) + ": " + state(from) + " -> " + state(to),
                                        [id, to](Steering& st) { st.set_path_down(id, to); },
                                        [id, from](Steering& st) { st.set_path_down(id, from); }});
        }
    }
    for (const auto& [id, have] : live)
        if (!cfg.paths.count(id))
            plan[kPathsRemoved].push_back({"- path " + std::to_string(id) + " " + path_text(have),
                                           [id](Steering& st) { st.remove_path(id); },
                                           [have](Steering& st) { st.add_path(have); }});
}

void plan_sets(const Config& cfg, const Steering& s, Plan& plan) {
    std::map<uint32_t, PathSet> live;
    for (auto& set : s.sets())
        live[set.id] = set;
    for (const auto& [id, want] : cfg.sets) {
        auto it = live.find(id);
        const std::string name = "set " + std::to_string(id);
        if (it == live.end())
            plan[kSets].push_back({"+ " + name + ": " + join_ids(want.paths),
                                   [want](Steering& st) { st.define_set(want); },
                                   [id](Steering& st) { st.remove_set(id); }});
        else if (it->second.paths != want.paths)
            plan[kSets].push_back({"~ " + name + ": " + join_ids(it->second.paths) + " -> " + join_ids(want.paths),
                                   [want](Steering& st) { st.define_set(want); },
                                   [have = it->second](Steering& st) { st.define_set(have); }});
    }
    for (const auto& [id, have] : live)
        if (!cfg.sets.count(id))
            plan[kSetsRemoved].push_back({"- set " + std::to_string(id) + ": " + join_ids(have.paths),
                                          [id](Steering& st) { st.remove_set(id); },
                                          [have](Steering& st) { st.define_set(have); }});
}

// room: the size of the pin map. Pins are added before others are removed,
// so the map must hold the live ones and the new ones at once.
template <class K>
void plan_pins(const Config& cfg, const Wanted<K>& want, const Steering& s, uint32_t room, Plan& plan,
               std::vector<std::string>& problems) {
    const std::string kind = std::string("pin ") + PinKind<K>::name + " ";
    std::set<K> live_keys;
    for (const auto& live : PinKind<K>::list(s)) {
        const K key = live.key;
        const Target have = live.target;
        live_keys.insert(key);
        auto it = want.target.find(key);
        if (live.info.owner.pid != 0) {  // a process's pin: not the file's to change
            const std::string who = std::string(PinKind<K>::name) + " " + key.str() + " is pinned to " +
                                    have.str() + " by pid " + std::to_string(live.info.owner.pid);
            if (it != want.target.end() && !(it->second == have))
                problems.push_back(want.where.at(key) + ": " + who +
                                   ", which apply does not manage: leave it out of the file, or unpin it first");
            const bool kept = have.kind == Target::Kind::Path ? cfg.paths.count(have.id) : cfg.sets.count(have.id);
            if (!kept)
                problems.push_back(have.str() + " is needed: " + who +
                                   ", which apply does not manage; keep " + have.str() + " in the file");
            continue;
        }
        if (it == want.target.end())
            plan[kPinsRemoved].push_back({"- " + kind + key.str() + " -> " + have.str(),
                                          [key](Steering& st) { st.unpin(key); },
                                          [key, have](Steering& st) { st.pin(key, have, kFilePin); }});
        else if (!(it->second == have))
            plan[kPinsSet].push_back({"~ " + kind + key.str() + ": " + have.str() + " -> " + it->second.str(),
                                      [key, to = it->second](Steering& st) { st.pin(key, to, kFileRepin); },
                                      [key, have](Steering& st) { st.pin(key, have, kFileRepin); }});
    }
    size_t added = 0;
    for (const auto& [key, target] : want.target) {
        if (live_keys.count(key))
            continue;
        added++;
        plan[kPinsSet].push_back({"+ " + kind + key.str() + " -> " + target.str(),
                                  [key, target](Steering& st) { st.pin(key, target, kFilePin); },
                                  [key](Steering& st) { st.unpin(key); }});
    }
    if (live_keys.size() + added > room)
        problems.push_back(std::string(PinKind<K>::plural) + ": the " + PinKind<K>::plural + " map of " + s.ifname() +
                           " holds " + std::to_string(room) + " pins, and applying needs room for " +
                           std::to_string(live_keys.size() + added) + " at once (" + std::to_string(live_keys.size()) +
                           " there now, " + std::to_string(added) + " new; removals come last): attach with a "
                           "larger --max-" + PinKind<K>::plural);
}

std::string read_text(const std::string& file) {
    std::ifstream in(file);
    if (!in)
        throw Error("cannot read " + file + ": " + std::strerror(errno), errno);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

[[noreturn]] void fail(const std::string& file, const std::vector<std::string>& problems) {
    std::string msg = file + ": " + std::to_string(problems.size()) + " problem" +
                      (problems.size() == 1 ? "" : "s") + ", nothing was changed:";
    for (const auto& p : problems)
        msg += "\n  " + p;
    throw Error(msg);
}

}  // namespace

void apply_file(Steering& s, const std::string& file, bool dry_run) {
    json doc;
    try {
        doc = json::parse(read_text(file));
    } catch (const json::parse_error& e) {
        std::string what = e.what();  // "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
        if (auto close = what.find("] "); close != std::string::npos)
            what.erase(0, close + 2);
        throw Error(file + ": " + what + "; nothing was changed");
    }
    Reader reader;
    const Config cfg = reader.read(doc);
    if (!reader.problems.empty())
        fail(file, reader.problems);

    Plan plan;
    std::vector<std::string> problems;
    plan_paths(cfg, s, plan, problems);
    plan_sets(cfg, s, plan);
    const Status st = s.status();
    plan_pins(cfg, cfg.flows, s, st.max_flows, plan, problems);
    plan_pins(cfg, cfg.qps, s, st.max_qps, plan, problems);
    plan_pins(cfg, cfg.prefixes, s, st.max_prefixes, plan, problems);
    if (!problems.empty())
        fail(file, problems);

    std::vector<const Step*> steps;
    for (const auto& phase : plan)
        for (const auto& step : phase)
            steps.push_back(&step);
    if (steps.empty()) {
        std::cout << s.ifname() << " already matches " << file << ": nothing to change\n";
        return;
    }
    if (dry_run) {
        for (const Step* step : steps)
            std::cout << step->text << "\n";
        std::cout << steps.size() << " change" << (steps.size() == 1 ? "" : "s") << " to " << s.ifname()
                  << " (dry run: none made)\n";
        return;
    }

    for (size_t done = 0; done < steps.size(); done++) {
        try {
            steps[done]->run(s);
        } catch (const Error& e) {
            std::string msg = "applying " + file + " to " + s.ifname() + " failed at \"" + steps[done]->text +
                              "\": " + e.what();
            std::vector<std::string> undo_failed;
            for (size_t i = done; i-- > 0;) {
                try {
                    steps[i]->undo(s);
                } catch (const Error& u) {
                    undo_failed.push_back("undoing \"" + steps[i]->text + "\": " + u.what());
                }
            }
            if (undo_failed.empty()) {
                msg += "\nundid the " + std::to_string(done) + " change" + (done == 1 ? "" : "s") + " made before it: " +
                       s.ifname() + " is as it was";
            } else {
                msg += "\nundoing the changes made before it failed too, so " + s.ifname() + " is in between:";
                for (const auto& u : undo_failed)
                    msg += "\n  " + u;
            }
            throw Error(msg, e.code());
        }
    }
    for (const Step* step : steps)
        std::cout << step->text << "\n";
    std::cout << "applied " << steps.size() << " change" << (steps.size() == 1 ? "" : "s") << " to " << s.ifname()
              << "\n";
}

}  // namespace srv6steer::cli
