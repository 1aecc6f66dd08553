// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer apply -f FILE`: make one interface's paths, sets and pins what a
// JSON file says (format in loader/README.md): read and check the file
// (config.cpp), then diff and run it under the interface's lock (plan.cpp),
// and print what was done.
#include <iostream>

#include "cli.hpp"
#include "plan.hpp"

namespace srv6steer::cli {

namespace {

struct ApplyCmd : Common {
    std::optional<std::string> file;
    bool dry_run = false;

    void check() const {
        if (!file)
            throw UsageError("missing -f FILE");
    }
};

int cmd_apply(const ApplyCmd& c) {
    const Config cfg = read_config(*c.file);
    // A file of SIDs only, on a host that only receives: no interface to steer.
    const bool egress = !cfg.paths.empty() || !cfg.sets.empty() || !cfg.flows.target.empty() ||
                        !cfg.qps.target.empty() || !cfg.prefixes.target.empty() || !cfg.cgroups.target.empty();
    if (c.dev || cfg.interface || egress || !cfg.sids || !Steering::attached(c.bpffs).empty()) {
        // -d, else the file's "interface", else the only interface attached.
        const std::string dev = c.dev ? *c.dev : cfg.interface ? *cfg.interface : dev_of(c);
        auto s = open_state(dev, c);
        print(apply(s, cfg, c.dry_run), c.dry_run);
    }
    if (cfg.sids)
        print(apply_sids(cfg, c.bpffs, c.dry_run), c.dry_run);  // receive_apply.cpp
    return kOk;
}

}  // namespace

void print(const Plan& plan, bool dry_run) {
    if (plan.empty()) {
        std::cout << plan.ifname << " already matches " << plan.file << ": nothing to change\n";
        return;
    }
    for (const auto& step : plan.steps)
        std::cout << step.text << "\n";
    const size_t n = plan.steps.size();
    const std::string changes = std::to_string(n) + " change" + (n == 1 ? "" : "s") + " to " + plan.ifname;
    std::cout << (dry_run ? changes + " (dry run: none made)" : "applied " + changes) << "\n" << std::flush;
}

Command apply_command() {
    return command<ApplyCmd>("apply", "-f FILE",
                             "make DEV's paths, sets and pins (and the receive side's SIDs) what FILE says (see loader/README.md)", kDev, {},
                             {text("f,file", "FILE", "the JSON file", &ApplyCmd::file),
                              flag("dry-run", "print the changes, make none", &ApplyCmd::dry_run)},
                             cmd_apply);
}

}  // namespace srv6steer::cli
