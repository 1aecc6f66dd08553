// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What `apply` does to an interface, as a value: the difference between a
// Config (config.hpp) and the live state, as steps that each know their
// inverse, in a safe order (new paths, path up/down, sets, pins added or
// changed, pins removed, sets removed, paths removed). `apply` prints it, the
// agent logs it; apply() makes it under one lock.
//
// Pins owned by a process (owner pid != 0) are not the file's: a plan never
// changes or removes them, and refuses files that would have to.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "config.hpp"
#include "srv6steer/srv6steer.hpp"

namespace srv6steer::cli {

struct Step {
    enum class Op { Add, Change, Remove } op;
    enum class Kind { Path, Set, Pin, Sid } kind;  // Sid: the receive side's (receive_apply.cpp)
    std::string text;     // "+ path 3 ...", "~ set 10: 1,2 -> 1,3", "- pin flow ... -> path 1"
    std::string pins;     // Kind::Pin: "flows", "qps" or "prefixes"
    Target target{};      // what a pin added or changed points at
    std::function<void(Steering&)> run, undo;
};

struct Plan {
    std::string file;         // the Config's
    std::string ifname;
    std::vector<Step> steps;  // in the order they run

    bool empty() const { return steps.empty(); }
    size_t count(Step::Op op, Step::Kind kind) const;
    // The steps counted: "+3 paths, +1 set, ~2 pins, -1 path"; "" when empty.
    std::string summary() const;
};

// The difference between cfg and s's live state; Invalid when cfg cannot be
// applied to it (a path changed in place, a process's pin in the way, no room
// in a pin map). Call it under s.lock() when the plan is to be run.
Plan diff(const Config& cfg, const Steering& s);

// Runs the steps in order; when one fails, undoes the ones made, in reverse,
// and throws Error saying which step failed and whether the state is as it was.
void run(const Plan& plan, Steering& s);

// validate (cfg is checked already) -> diff -> run with undo, all under one
// s.lock(): no other process changes s in between. Returns what it did
// (dry_run: what it would do, having done nothing).
Plan apply(Steering& s, const Config& cfg, bool dry_run);

// The receive side's local SIDs made what cfg.sids says (nothing when the
// file has no "sids"), under the receive side's lock: the steps (removals
// first, then additions and changes) with undo in reverse when one fails, as
// run(). Returns what it did (dry_run: what it would do). receive_apply.cpp.
Plan apply_sids(const Config& cfg, const std::string& bpffs, bool dry_run);

// What `apply` prints (apply.cpp): the steps, then "applied N changes to DEV"
// ("N changes to DEV (dry run: none made)"), or that there is nothing to do.
void print(const Plan& plan, bool dry_run);

}  // namespace srv6steer::cli
