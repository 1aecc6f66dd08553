// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The planner (planner/, docs/paths.md): planning time for 1,024 hosts (ring
// and all-to-all; goal <= 100 ms for the ring) and the planner's max link
// load over ECMP's on a 64-host ring (goal <= 0.5), side by side; with
// --table also the simulate table (planner, ECMP, greedy) for 16 to 1,024 hosts.
//
// Fabrics: non-blocking 2-tier Clos, L leaves of L hosts and L spines
// (16 hosts: 4 x 4, 64: 8 x 8, 256: 16 x 16, 1,024: 32 x 32). Rings place
// rank r on leaf r mod L (a scheduler blind to the fabric: every ring step
// crosses it); "packed" rings place consecutive ranks on one leaf.
#include <cmath>

#include "api.hpp"
#include "common.hpp"

namespace {

using namespace srv6steer::planner;

Topology fabric(unsigned hosts) {
    const auto l = static_cast<unsigned>(std::lround(std::sqrt(hosts)));
    return clos({.leaves = l, .spines = l, .hosts_per_leaf = l});
}

std::vector<std::string> strided(const Topology& t) {
    const size_t n = t.hosts.size(), l = static_cast<size_t>(std::lround(std::sqrt(static_cast<double>(n))));
    std::vector<std::string> r;
    for (size_t i = 0; i < n; i++)
        r.push_back(t.hosts[(i % l) * l + i / l].name);
    return r;
}

// The strided ring with uneven volumes: every other rank sends 8, the rest 1.
Job uneven_ring(const Topology& t) {
    Job j;
    j.ranks = strided(t);
    j.pattern = Pattern::Pairs;
    const auto n = static_cast<uint32_t>(j.ranks.size());
    for (uint32_t r = 0; r < n; r++)
        j.pairs.push_back({r, (r + n - 1) % n, r % 2 ? 1.0 : 8.0, 1});
    return j;
}

std::vector<std::string> packed(const Topology& t) {
    std::vector<std::string> r;
    for (const auto& h : t.hosts)
        r.push_back(h.name);
    return r;
}

double plan_ms(const Topology& t, const Job& j, int runs, Plan* out) {
    std::vector<double> ms;
    for (int i = 0; i < runs; i++) {
        const uint64_t t0 = benchutil::now_ns();
        Plan p = plan(t, j);
        ms.push_back(static_cast<double>(benchutil::now_ns() - t0) / 1e6);
        if (out && i == 0)
            *out = std::move(p);
    }
    return benchutil::median(ms);
}

int bench(int argc, char** argv) {
    cxxopts::Options spec("bench_plan", "planning time and link loads of the planner");
    unsigned seeds = 64;
    int runs = 9;
    spec.add_options()("seeds", "ECMP seeds", cxxopts::value(seeds)->default_value("64"))(
        "runs", "planning runs (median)", cxxopts::value(runs)->default_value("9"))(
        "table", "also the simulate table for 16 to 1,024 hosts")(
        "svg", "write the 64-host ring's link loads as PREFIX-planner.svg, -ecmp.svg, -greedy.svg",
        cxxopts::value<std::string>()->default_value(""));
    const auto common = benchutil::parse_options(spec, argc, argv);
    benchutil::pin_cpu(common.cpu);
    std::string svg_prefix;
    for (int i = 1; i + 1 < argc; i++)
        if (std::string(argv[i]) == "--svg")
            svg_prefix = argv[i + 1];
    const bool table = [&] {
        for (int i = 1; i < argc; i++)
            if (std::string(argv[i]) == "--table")
                return true;
        return false;
    }();

    const auto big = fabric(1024);
    Plan ring_plan, a2a_plan;
    const double ring_ms = plan_ms(big, Job::ring(strided(big)), runs, &ring_plan);
    const double a2a_ms = plan_ms(big, Job::all_to_all(packed(big)), std::max(1, runs / 3), &a2a_plan);
    const auto small = fabric(64);
    const auto sim = simulate(small, Job::ring(strided(small)), seeds);
    const double ratio = sim.schemes[0].load.max / sim.schemes[1].load.max;

    std::fprintf(stderr, "bench_plan: 2-tier Clos, L leaves x L hosts, L spines%s\n",
                 benchutil::cpu_text(common.cpu).c_str());
    std::fprintf(stderr, "%-44s %12s %10s\n", "case", "value", "goal");
    std::fprintf(stderr, "%-44s %9.2f ms %10s\n", "plan 1,024-host ring (32x32, strided)", ring_ms, "<= 100 ms");
    std::fprintf(stderr, "%-44s %9.2f ms %10s\n", "plan 1,024-host all-to-all (1,047,552 conns)", a2a_ms, "-");
    std::fprintf(stderr, "%-44s %12.3f %10s\n", "64-host ring: planner max / ECMP max", ratio, "<= 0.5");
    std::fprintf(stderr, "  planner max %.2f (bound %.2f, %s), ECMP mean of max over %u seeds %.2f (worst %.2f), greedy %.2f\n",
                 sim.schemes[0].load.max, sim.lower_bound, ring_plan.method.c_str(), sim.seeds,
                 sim.schemes[1].load.max, sim.schemes[1].worst_max, sim.schemes[2].load.max);
    std::fprintf(stderr, "  1,024 ring: max %.2f bound %.2f; all-to-all: max %.2f bound %.2f (%s)\n", ring_plan.load.max,
                 ring_plan.lower_bound, a2a_plan.load.max, a2a_plan.lower_bound, a2a_plan.method.c_str());
    benchutil::json("plan_ms", "ring_1024", ring_ms, "ms", 100, 2);
    benchutil::json("plan_ms", "all_to_all_1024", a2a_ms, "ms", std::nullopt, 2);
    benchutil::json("plan_max_load_over_ecmp", "ring_64", ratio, "ratio", 0.5, 3);

    if (!svg_prefix.empty())
        for (const auto& r : sim.schemes) {
            std::string file = svg_prefix;
            file += "-";
            file += r.name;
            file += ".svg";
            std::string title = "64-host ring (8 leaves x 8 hosts, 8 spines, ranks strided): ";
            title += r.name;
            if (FILE* f = std::fopen(file.c_str(), "w")) {
                const auto text = svg(small, r.loads, title);
                std::fwrite(text.data(), 1, text.size(), f);
                std::fclose(f);
            } else {
                throw benchutil::Failure("cannot write " + file);
            }
        }
    if (table) {
        std::fprintf(stderr, "\n%-6s %-16s %8s | %7s %7s | %7s %7s | %7s %7s\n", "hosts", "job", "bound", "plan",
                     "mean", "ecmp", "mean", "greedy", "mean");
        for (unsigned n : {16u, 64u, 256u, 1024u}) {
            const auto t = fabric(n);
            struct Case {
                const char* name;
                Job job;
                unsigned seeds;
            };
            std::vector<Case> cases = {{"ring (strided)", Job::ring(strided(t)), seeds},
                                       {"ring (packed)", Job::ring(packed(t)), seeds},
                                       {"ring 8/1 volumes", uneven_ring(t), seeds},
                                       {"all-to-all", Job::all_to_all(packed(t)), n >= 1024 ? 4u : n >= 256 ? 16u : seeds}};
            for (const auto& c : cases) {
                const auto s = simulate(t, c.job, c.seeds);
                std::fprintf(stderr, "%-6u %-16s %8.2f | %7.2f %7.2f | %7.2f %7.2f | %7.2f %7.2f\n", n, c.name,
                             s.lower_bound, s.schemes[0].load.max, s.schemes[0].load.mean, s.schemes[1].load.max,
                             s.schemes[1].load.mean, s.schemes[2].load.max, s.schemes[2].load.mean);
            }
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return benchutil::run_main("bench_plan", bench, argc, argv); }
