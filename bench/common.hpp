// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What every benchmark shares: its failure type, main() and options, CPU
// pinning, the clock and the median, case selection by --only, and the JSON line per
// figure that scripts compare across runs (its format: bench/run-all).
#pragma once

#include <sched.h>
#include <sys/utsname.h>
#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <cxxopts.hpp>

namespace benchutil {

// A check that failed: the benchmark exits 2, since its figures would lie.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// main() of a benchmark: runs bench(argc, argv); any exception is printed
// as "<name>: <what>" and exits 2.
template <class F>
int run_main(const char* name, F&& bench, int argc, char** argv) {
    try {
        return bench(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", name, e.what());
        return 2;
    }
}

// Pins the process to one CPU (cpu < 0: leaves it free).
inline void pin_cpu(int cpu) {
    if (cpu < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set))
        throw Failure("pinning to CPU " + std::to_string(cpu) + ": " + std::strerror(errno));
}

// ", CPU 1" for the header line, or "" when not pinned.
inline std::string cpu_text(int cpu) { return cpu >= 0 ? ", CPU " + std::to_string(cpu) : ""; }

inline std::string kernel_release() {
    utsname u{};
    uname(&u);
    return u.release;
}

inline uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Items per second of n items in ns nanoseconds (0 when no time passed).
inline double rate(uint64_t n, uint64_t ns) {
    return ns ? static_cast<double>(n) * 1e9 / static_cast<double>(ns) : 0;
}

// The median (the mean of the middle two for an even count); 0 when empty.
inline double median(std::vector<double> v) {
    if (v.empty())
        return 0;
    const size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<long>(mid), v.end());
    const double hi = v[mid];
    if (v.size() % 2)
        return hi;
    return (*std::max_element(v.begin(), v.begin() + static_cast<long>(mid)) + hi) / 2;
}

// --only: comma-separated case names, a trailing * matching a prefix.
struct Only {
    std::vector<std::string> patterns;  // empty: every case

    static Only parse(const std::string& list) {
        Only o;
        for (size_t pos = 0; pos <= list.size() && !list.empty();) {
            size_t comma = list.find(',', pos);
            if (comma == std::string::npos)
                comma = list.size();
            if (comma > pos)
                o.patterns.push_back(list.substr(pos, comma - pos));
            pos = comma + 1;
        }
        return o;
    }

    bool selects(const std::string& name) const {
        if (patterns.empty())
            return true;
        for (const std::string& p : patterns) {
            if (!p.empty() && p.back() == '*') {
                if (name.compare(0, p.size() - 1, p, 0, p.size() - 1) == 0)
                    return true;
            } else if (name == p) {
                return true;
            }
        }
        return false;
    }
};

// The options every benchmark has: --cpu, --only, --list, --help.
struct Common {
    int cpu = -1;
    Only only;
    bool list = false;
};

// Adds the common options to spec and parses argv; --help prints the options
// and exits 0. bench/run-all passes its arguments to every benchmark, so
// options meant for another one (e.g. --iterations) are ignored here, with a
// note on stderr.
inline Common parse_options(cxxopts::Options& spec, int argc, char** argv) {
    Common c;
    std::string only;
    spec.add_options()
        ("cpu", "pin the benchmark to this CPU (-1: do not pin)", cxxopts::value(c.cpu)->default_value("-1"))
        ("only", "comma-separated case names to run (a trailing * matches a prefix)",
         cxxopts::value(only)->default_value(""))
        ("list", "list the cases and exit")
        ("h,help", "this help");
    spec.allow_unrecognised_options();
    auto args = spec.parse(argc, argv);
    if (!args.unmatched().empty()) {
        std::string ignored;
        for (const std::string& a : args.unmatched())
            ignored += " " + a;
        std::fprintf(stderr, "# %s: ignoring arguments meant for other benchmarks:%s\n", spec.program().c_str(),
                     ignored.c_str());
    }
    if (args.count("help")) {
        std::fprintf(stderr, "%s", spec.help().c_str());
        std::exit(0);
    }
    c.only = Only::parse(only);
    c.list = args.count("list") > 0;
    return c;
}

// {"bench":…,"case":…,"value":…,"unit":…[,"goal":…]} on stdout.
inline void json(const std::string& bench, const std::string& name, double value, const char* unit,
                 std::optional<double> goal = std::nullopt, int decimals = 1) {
    std::printf("{\"bench\":\"%s\",\"case\":\"%s\",\"value\":%.*f,\"unit\":\"%s\"", bench.c_str(),
                name.c_str(), decimals, value, unit);
    if (goal)
        std::printf(",\"goal\":%g", *goal);
    std::printf("}\n");
    std::fflush(stdout);
}

}  // namespace benchutil
