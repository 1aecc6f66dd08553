// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "plan.hpp"

#include <array>
#include <set>

#include "cli.hpp"
#include "remote/ranges.hpp"

namespace srv6steer::cli {

namespace {

using Op = Step::Op;
using Kind = Step::Kind;

enum Phase { kNewPaths, kPathState, kSets, kFallbacks, kPinsSet, kPinsRemoved, kSetsRemoved, kPathsRemoved, kPhases };
using Phases = std::array<std::vector<Step>, kPhases>;

const PinOptions kFilePin{Owner::none(), false};
const PinOptions kFileRepin{Owner::none(), true};

std::string state(bool down) { return down ? "down" : "up"; }

std::string fallback_text(const std::optional<Target>& t) { return t ? target_text(*t) : "none"; }

// The path without its fallback: fallbacks are set in a phase of their own,
// once the sets they name exist, and cleared before those go.
Path bare(Path p) {
    p.fallback.reset();
    return p;
}

void diff_paths(const Config& cfg, const Steering& s, Phases& plan, std::vector<std::string>& problems) {
    std::map<uint32_t, Path> live;
    for (auto& p : s.paths())
        if (!remote::agent_path(p.id))  // the agent's clients' (config.cpp refuses those ids)
            live[p.id] = p;
    for (const auto& [id, want] : cfg.paths) {
        const std::string name = "path " + std::to_string(id);
        auto it = live.find(id);
        if (it == live.end()) {
            plan[kNewPaths].push_back({Op::Add, Kind::Path, "+ " + name + " " + path_text(bare(want)), "", {},
                                       [want = bare(want)](Steering& st) { st.add_path(want); },
                                       [id = id](Steering& st) { st.remove_path(id); }});
            continue;
        }
        const Path& have = it->second;
        if (have.segments != want.segments || have.mode != want.mode) {
            Path shown = bare(have);
            shown.down = false;
            problems.push_back(cfg.path_where.at(id) + ": " + name + " exists on " + s.ifname() +
                               " with other segments (" + path_text(shown) +
                               "); a path cannot change in place: give the new segments a new id and point "
                               "the sets and pins at it");
        } else if (have.down != want.down) {
            const bool from = have.down, to = want.down;
            plan[kPathState].push_back({Op::Change, Kind::Path, "~ " + name + ": " + state(from) + " -> " + state(to),
                                        "", {}, [id = id, to = to](Steering& st) { st.set_path_down(id, to); },
                                        [id = id, from = from](Steering& st) { st.set_path_down(id, from); }});
        }
    }
    for (const auto& [id, have] : live)
        if (!cfg.paths.count(id))
            plan[kPathsRemoved].push_back({Op::Remove, Kind::Path,
                                           "- path " + std::to_string(id) + " " + path_text(bare(have)), "", {},
                                           [id = id](Steering& st) { st.remove_path(id); },
                                           [have = bare(have)](Steering& st) { st.add_path(have); }});
    // Fallbacks: of the file's paths as the file says, of the paths it
    // removes none (a set or path some path falls back to cannot go).
    for (const auto& [id, want] : cfg.paths) {
        const auto it = live.find(id);
        const std::optional<Target> from = it == live.end() ? std::nullopt : it->second.fallback;
        if (from != want.fallback)
            plan[kFallbacks].push_back(
                {Op::Change, Kind::Path,
                 "~ path " + std::to_string(id) + ": fallback " + fallback_text(from) + " -> " +
                     fallback_text(want.fallback),
                 "", {}, [id = id, to = want.fallback](Steering& st) { st.set_path_fallback(id, to); },
                 [id = id, from](Steering& st) { st.set_path_fallback(id, from); }});
    }
    for (const auto& [id, have] : live)
        if (!cfg.paths.count(id) && have.fallback)
            plan[kFallbacks].push_back(
                {Op::Change, Kind::Path, "~ path " + std::to_string(id) + ": fallback " + fallback_text(have.fallback) +
                                             " -> none",
                 "", {}, [id = id](Steering& st) { st.set_path_fallback(id, std::nullopt); },
                 [id = id, from = have.fallback](Steering& st) { st.set_path_fallback(id, from); }});
}

void diff_sets(const Config& cfg, const Steering& s, Phases& plan) {
    std::map<uint32_t, PathSet> live;
    for (auto& set : s.sets())
        if (!remote::agent_set(set.id))  // the agent's clients'
            live[set.id] = set;
    for (const auto& [id, want] : cfg.sets) {
        auto it = live.find(id);
        const std::string name = "set " + std::to_string(id);
        if (it == live.end())
            plan[kSets].push_back({Op::Add, Kind::Set, "+ " + name + ": " + join_ids(want.paths), "", {},
                                   [want = want](Steering& st) { st.define_set(want); },
                                   [id = id](Steering& st) { st.remove_set(id); }});
        else if (it->second.paths != want.paths)
            plan[kSets].push_back({Op::Change, Kind::Set,
                                   "~ " + name + ": " + join_ids(it->second.paths) + " -> " + join_ids(want.paths), "",
                                   {}, [want = want](Steering& st) { st.define_set(want); },
                                   [have = it->second](Steering& st) { st.define_set(have); }});
    }
    for (const auto& [id, have] : live)
        if (!cfg.sets.count(id))
            plan[kSetsRemoved].push_back({Op::Remove, Kind::Set, "- set " + std::to_string(id) + ": " +
                                          join_ids(have.paths), "", {},
                                          [id = id](Steering& st) { st.remove_set(id); },
                                          [have = have](Steering& st) { st.define_set(have); }});
}

// room: the size of the pin map. Pins are added before others are removed,
// so the map must hold the live ones and the new ones at once.
template <class K>
void diff_pins(const Config& cfg, const Wanted<K>& want, const Steering& s, uint32_t room, Phases& plan,
               std::vector<std::string>& problems) {
    const std::string kind = std::string("pin ") + PinKind<K>::name + " ";
    const std::string pins = PinKind<K>::plural;
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
            const bool kept = have.kind == Target::Kind::Path
                                  ? remote::agent_path(have.id) || cfg.paths.count(have.id)
                                  : remote::agent_set(have.id) || cfg.sets.count(have.id);
            if (!kept)
                problems.push_back(have.str() + " is needed: " + who +
                                   ", which apply does not manage; keep " + have.str() + " in the file");
            continue;
        }
        if (it == want.target.end())
            plan[kPinsRemoved].push_back({Op::Remove, Kind::Pin, "- " + kind + key.str() + " -> " + have.str(), pins,
                                          have, [key = key](Steering& st) { st.unpin(key); },
                                          [key = key, have = have](Steering& st) { st.pin(key, have, kFilePin); }});
        else if (!(it->second == have))
            plan[kPinsSet].push_back({Op::Change, Kind::Pin,
                                      "~ " + kind + key.str() + ": " + have.str() + " -> " + it->second.str(), pins,
                                      it->second,
                                      [key = key, to = it->second](Steering& st) { st.pin(key, to, kFileRepin); },
                                      [key = key, have = have](Steering& st) { st.pin(key, have, kFileRepin); }});
    }
    size_t added = 0;
    for (const auto& [key, target] : want.target) {
        if (live_keys.count(key))
            continue;
        added++;
        plan[kPinsSet].push_back({Op::Add, Kind::Pin, "+ " + kind + key.str() + " -> " + target.str(), pins, target,
                                  [key = key, target = target](Steering& st) { st.pin(key, target, kFilePin); },
                                  [key = key](Steering& st) { st.unpin(key); }});
    }
    if (live_keys.size() + added > room)
        problems.push_back(pins + ": the " + pins + " map of " + s.ifname() + " holds " + std::to_string(room) +
                           " pins, and applying needs room for " + std::to_string(live_keys.size() + added) +
                           " at once (" + std::to_string(live_keys.size()) + " there now, " + std::to_string(added) +
                           " new; removals come last): attach with a larger --max-" + pins);
}

// The library's error in a step, with the CLI's words for it.
std::string step_error(const Step& step, const Error& e) {
    std::string what = e.what();
    if (step.kind == Kind::Pin && step.op != Op::Remove)
        if (const std::string advice = pin_advice(e, step.pins, step.target); !advice.empty())
            what += " (" + advice + ")";
    return what;
}

}  // namespace

size_t Plan::count(Step::Op op, Step::Kind kind) const {
    size_t n = 0;
    for (const auto& s : steps)
        n += s.op == op && s.kind == kind;
    return n;
}

std::string Plan::summary() const {
    static constexpr std::pair<Op, char> kOps[] = {{Op::Add, '+'}, {Op::Change, '~'}, {Op::Remove, '-'}};
    static constexpr std::pair<Kind, const char*> kKinds[] = {
        {Kind::Path, "path"}, {Kind::Set, "set"}, {Kind::Pin, "pin"}, {Kind::Sid, "SID"}};
    std::vector<std::string> parts;
    for (const auto& [op, sign] : kOps)
        for (const auto& [kind, word] : kKinds)
            if (const size_t n = count(op, kind))
                parts.push_back(std::string(1, sign) + std::to_string(n) + " " + word + (n == 1 ? "" : "s"));
    return join(parts, ", ");
}

Plan diff(const Config& cfg, const Steering& s) {
    Phases phases;
    std::vector<std::string> problems;
    diff_paths(cfg, s, phases, problems);
    diff_sets(cfg, s, phases);
    const Status st = s.status();
    diff_pins(cfg, cfg.flows, s, st.max_flows, phases, problems);
    diff_pins(cfg, cfg.qps, s, st.max_qps, phases, problems);
    diff_pins(cfg, cfg.prefixes, s, st.max_prefixes, phases, problems);
    diff_pins(cfg, cfg.cgroups, s, st.max_cgroups, phases, problems);
    if (!problems.empty())
        refuse(cfg.file, problems);
    Plan plan{cfg.file, s.ifname(), {}};
    for (auto& phase : phases)
        for (auto& step : phase)
            plan.steps.push_back(std::move(step));
    return plan;
}

void run(const Plan& plan, Steering& s) {
    for (size_t done = 0; done < plan.steps.size(); done++) {
        try {
            plan.steps[done].run(s);
        } catch (const Error& e) {
            std::string msg = "applying " + plan.file + " to " + plan.ifname + " failed at \"" +
                              plan.steps[done].text + "\": " + step_error(plan.steps[done], e);
            std::vector<std::string> undo_failed;
            for (size_t i = done; i-- > 0;) {
                try {
                    plan.steps[i].undo(s);
                } catch (const Error& u) {
                    undo_failed.push_back("undoing \"" + plan.steps[i].text + "\": " + u.what());
                }
            }
            if (undo_failed.empty()) {
                msg += "\nundid the " + std::to_string(done) + " change" + (done == 1 ? "" : "s") +
                       " made before it: " + plan.ifname + " is as it was";
            } else {
                msg += "\nundoing the changes made before it failed too, so " + plan.ifname + " is in between:";
                for (const auto& u : undo_failed)
                    msg += "\n  " + u;
            }
            throw Error(msg, e.code());
        }
    }
}

Plan apply(Steering& s, const Config& cfg, bool dry_run) {
    auto held = s.lock();  // from reading the live state to the last step
    Plan plan = diff(cfg, s);
    if (!dry_run)
        run(plan, s);
    return plan;
}

}  // namespace srv6steer::cli
