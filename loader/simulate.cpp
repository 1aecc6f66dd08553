// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer simulate`: link loads of a job under the planner, ECMP and
// greedy lowest-load (planner/simulate.hpp), on a fabric file or on
// generated Clos fabrics, as one table, and the fabric's picture per scheme
// (docs/paths.md, "Command line").
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "fabric.hpp"

namespace srv6steer::cli {

namespace {

struct SimulateCmd : Common {
    std::optional<std::string> topology, job, clos, svg_dir;
    unsigned planes = 1;
    unsigned seeds = 32;
    unsigned connections = 1;
    bool ring = false, all_to_all = false, packed = false;

    void check() const {
        if (!!topology == !!clos)
            throw UsageError(topology ? "--topology and --clos exclude each other" : "missing --topology FILE or --clos SPEC");
        if (ring && all_to_all)
            throw UsageError("--ring and --all-to-all exclude each other");
        if (!!job == (ring || all_to_all))
            throw UsageError(job ? "--job and --ring/--all-to-all exclude each other"
                                 : "missing --job FILE, or --ring or --all-to-all over every host");
        if (job && (packed || connections != 1))
            throw UsageError("--packed and --connections go with --ring or --all-to-all");
        if (topology && planes != 1)
            throw UsageError("--planes goes with --clos");
    }
    bool needs_bpffs() const { return false; }
};

std::string num(double v) {
    std::ostringstream s;
    s.precision(v == static_cast<double>(static_cast<long long>(v)) ? 12 : 3);
    s << std::fixed << v;
    std::string t = s.str();
    if (t.find('.') != std::string::npos) {
        while (t.back() == '0')
            t.pop_back();
        if (t.back() == '.')
            t.pop_back();
    }
    return t;
}

std::string fixed2(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", v);
    return b;
}

int cmd_simulate(const SimulateCmd& c) {
    // Fabrics: the file, or each --clos spec of the comma-separated list.
    std::vector<std::pair<std::string, planner::Topology>> fabrics;
    if (c.topology) {
        auto t = read_topology(*c.topology);
        fabrics.emplace_back(std::filesystem::path(*c.topology).stem().string(), std::move(t));
    } else {
        std::stringstream ss(*c.clos);
        for (std::string spec; std::getline(ss, spec, ',');) {
            const auto s = parse_clos(spec, c.planes);
            std::string name = "clos-";
            name += clos_name(s);
            for (auto& ch : name)
                if (ch == '/')
                    ch = '-';
            fabrics.emplace_back(name, planner::clos(s));
        }
    }
    if (c.svg_dir) {
        std::error_code ec;
        std::filesystem::create_directories(*c.svg_dir, ec);
        if (ec) {
            std::string m = "cannot create ";
            m += *c.svg_dir;
            m += ": ";
            m += ec.message();
            throw Error(m, ec.value());
        }
    }
    Table t;
    t.head = {"fabric", "hosts", "job", "conns", "bound", "planner max", "mean", "ecmp max", "mean", "worst",
              "greedy max", "mean"};
    std::vector<std::string> wrote;
    for (const auto& [name, topo] : fabrics) {
        const auto job = c.job ? read_job(*c.job)
                               : job_over_hosts(topo, c.ring ? MadeJob::Ring : MadeJob::AllToAll, !c.packed,
                                                c.connections);
        const auto sim = planner::simulate(topo, job, c.seeds);
        std::vector<std::string> row{name, std::to_string(sim.hosts), job.source, std::to_string(sim.connections),
                                     num(sim.lower_bound)};
        for (const auto& s : sim.schemes) {
            row.push_back(s.name == "ecmp" ? fixed2(s.load.max) : num(s.load.max));
            row.push_back(fixed2(s.load.mean));
            if (s.name == "ecmp")
                row.push_back(num(s.worst_max));
            if (c.svg_dir) {
                std::string title = name;
                title += ", ";
                title += job.source;
                title += ": ";
                title += s.name;
                title += ", max ";
                title += num(s.load.max);
                const auto file = (std::filesystem::path(*c.svg_dir) / (name + "-" + s.name + ".svg")).string();
                write_output(file, planner::svg(topo, s.loads, title));
                wrote.push_back(file);
            }
        }
        t.add(std::move(row));
    }
    t.title = "link loads (max / mean over directed fabric links; ECMP: mean of ";
    t.title += std::to_string(c.seeds);
    t.title += " seeds, worst: its largest max)";
    print(t);
    if (!wrote.empty())
        std::cerr << "wrote " << join(wrote, ", ") << "\n";
    return kOk;
}

}  // namespace

Command simulate_command() {
    using S = SimulateCmd;
    return command<S>(
        "simulate", "(--topology FILE | --clos SPEC[,SPEC...]) (--job FILE | --ring | --all-to-all)",
        "link loads of a job: planner vs ECMP vs greedy lowest-load, and pictures (see docs/paths.md)", 0, {},
        {text("t,topology", "FILE", "the fabric (docs/paths.md)", &S::topology),
         text("clos", "SPEC", "generated fabrics instead: LxSxH (2-tier leaves x spines x hosts per leaf) or "
                              "PxLxSxXxH (3-tier), comma-separated for several, e.g. 4x4x4,8x8x8",
              &S::clos),
         number("planes", "N", "--clos: planes (default 1)", &S::planes, 1, 16),
         text("job", "FILE", "the job (docs/paths.md)", &S::job),
         flag("ring", "a ring over every host, one rank each (gloo's direction, r -> r-1)", &S::ring),
         flag("all-to-all", "all-to-all over every host, one rank each", &S::all_to_all),
         flag("packed", "--ring/--all-to-all: ranks in host order (default: strided, rank r on leaf r mod L)",
              &S::packed),
         number("connections", "N", "--ring/--all-to-all: connections per rank pair (default 1)", &S::connections, 1,
                1024),
         number("seeds", "N", "ECMP draws to average (default 32)", &S::seeds, 1, 100000),
         text("svg", "DIR", "write the fabric's picture per scheme: DIR/<fabric>-<scheme>.svg", &S::svg_dir)},
        cmd_simulate);
}

}  // namespace srv6steer::cli
