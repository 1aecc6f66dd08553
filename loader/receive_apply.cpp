// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// An apply file's "sids" (config.cpp reads them) made the receive side's
// local SIDs, exactly: `apply` and every agent round run it after the
// interface's plan (plan.cpp). The receive side must be attached (`receive
// attach`): the file names SIDs, not where to decapsulate.
#include <cerrno>
#include <functional>
#include <optional>

#include "cli.hpp"
#include "plan.hpp"

namespace srv6steer::cli {

namespace {

std::string sid_text(const LocalSid& s) {
    return s.prefix.str() + " " + sid_behavior_name(s.behavior) + (s.path_stats ? "" : " (no path counters)");
}

// One change to the SIDs: as the plan shows it, and how to make and undo it.
struct SidStep {
    Step shown;  // run and undo unused: they take a Steering
    std::function<void()> run, undo;
};

// The steps from the live SIDs to the file's: removals first (room in the
// table), then additions and changes.
std::vector<SidStep> sid_steps(const std::map<Prefix, LocalSid>& want, const std::vector<LocalSid>& live, Receive& r) {
    using Op = Step::Op;
    std::vector<SidStep> removed, set;
    std::map<Prefix, LocalSid> have;
    for (const auto& s : live)
        have[s.prefix] = s;
    auto add = [&r](const LocalSid& s) { return [&r, s] { r.add_sid(s, true); }; };
    auto remove = [&r](const Prefix& p) { return [&r, p] { r.remove_sid(p); }; };
    auto step = [](Op op, std::string text) { return Step{op, Step::Kind::Sid, std::move(text), "", {}, {}, {}}; };
    for (const auto& [prefix, old] : have)
        if (!want.count(prefix))
            removed.push_back({step(Op::Remove, "- sid " + sid_text(old)), remove(prefix), add(old)});
    for (const auto& [prefix, sid] : want) {
        const auto it = have.find(prefix);
        if (it == have.end())
            set.push_back({step(Op::Add, "+ sid " + sid_text(sid)), add(sid), remove(prefix)});
        else if (!(it->second == sid))
            set.push_back({step(Op::Change, "~ sid " + prefix.str() + ": " +
                                                sid_text(it->second).substr(prefix.str().size() + 1) + " -> " +
                                                sid_text(sid).substr(prefix.str().size() + 1)),
                           add(sid), add(it->second)});
    }
    for (auto& s : set)
        removed.push_back(std::move(s));
    return removed;
}

}  // namespace

Plan apply_sids(const Config& cfg, const std::string& bpffs, bool dry_run) {
    Plan plan{cfg.file, "the receive side", {}};
    if (!cfg.sids)
        return plan;
    std::optional<Receive> r;
    try {
        r.emplace(Receive::open(bpffs));
    } catch (const Error& e) {
        if (e.code() == ENOENT)
            throw Error(cfg.file + " has \"sids\", but " + e.what() +
                            ": attach it first (srv6steer receive attach DEV), then apply again",
                        ENOENT);
        throw;
    }
    auto held = r->lock();  // from reading the live SIDs to the last step
    const std::vector<SidStep> steps = sid_steps(*cfg.sids, r->sids(), *r);
    for (const auto& s : steps)
        plan.steps.push_back(s.shown);
    if (dry_run)
        return plan;
    for (size_t done = 0; done < steps.size(); done++) {
        try {
            steps[done].run();
        } catch (const Error& e) {
            std::string msg = "applying the \"sids\" of " + cfg.file + " failed at \"" + steps[done].shown.text +
                              "\": " + e.what();
            std::vector<std::string> undo_failed;
            for (size_t i = done; i-- > 0;) {
                try {
                    steps[i].undo();
                } catch (const Error& u) {
                    undo_failed.push_back("undoing \"" + steps[i].shown.text + "\": " + u.what());
                }
            }
            msg += undo_failed.empty() ? "\nundid the changes made before it: the SIDs are as they were"
                                       : "\nundoing the changes made before it failed too:\n  " +
                                             join(undo_failed, "\n  ");
            throw Error(msg, e.code());
        }
    }
    return plan;
}

}  // namespace srv6steer::cli
