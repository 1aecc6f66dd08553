// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer plan`: a job's paths, from the planner (--topology) or from
// Jalapeno (--jalapeno), as the per-rank-pair plan srv6steer.torch reads, or
// as `apply` files per host (docs/paths.md, "Command line").
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli.hpp"
#include "fabric.hpp"
#include "from_jalapeno.hpp"
#include "text.hpp"

namespace srv6steer::cli {

namespace {

namespace jp = jalapeno;
using text::quote;

struct PlanCmd : Common {
    std::optional<std::string> topology, job, output, host, apply_dir;
    std::optional<std::string> jalapeno, collection, dest_function;
    std::optional<uint32_t> timeout_ms;
    std::optional<jp::Metric> metric;
    std::optional<uint32_t> best_paths;

    bool from_jalapeno() const { return jalapeno || (!topology && std::getenv("JALAPENO_API_ENDPOINT")); }
    void check() const {
        if (!job)
            throw UsageError("missing --job FILE");
        if (topology && jalapeno)
            throw UsageError("--topology and --jalapeno exclude each other: the planner or Jalapeno");
        if (!topology && !from_jalapeno())
            throw UsageError("missing --topology FILE (or --jalapeno URL, or JALAPENO_API_ENDPOINT)");
        if (host && apply_dir)
            throw UsageError("--host and --apply-dir exclude each other");
        if (!from_jalapeno() && (collection || dest_function || timeout_ms || metric || best_paths))
            throw UsageError("--collection, --dest-function, --timeout, --metric and --best-paths go with --jalapeno");
        if (metric && best_paths)
            throw UsageError("--metric and --best-paths exclude each other: one shortest path by a metric, or k "
                             "shortest paths");
    }
    bool needs_bpffs() const { return false; }
};

jp::Metric parse_metric(const std::string& t) {
    for (auto m : {jp::Metric::Load, jp::Metric::Hops, jp::Metric::Latency, jp::Metric::Utilization}) {
        std::string name = jp::endpoint_name(m);  // "shortest_path/load", "shortest_path"
        const auto slash = name.find('/');
        if (t == (slash == std::string::npos ? std::string("hops") : name.substr(slash + 1)))
            return m;
    }
    std::string m = "--metric: expected load, hops, latency or utilization, got ";
    m += quote(t);
    throw Error(m);
}

std::string env_or(const std::optional<std::string>& given, const char* var, std::string fallback) {
    if (given)
        return *given;
    const char* v = std::getenv(var);
    return v && *v ? v : fallback;
}

// Writes the plan as asked: the rank-pair plan (-o or stdout), one host's
// apply file (--host), or every sending host's (--apply-dir, -o: the rank-pair
// plan too). Every file is made before any is written, so a failure writes
// nothing. Returns the files written.
template <typename Plan>
std::vector<std::string> write_plan(const PlanCmd& c, const Plan& p) {
    std::vector<std::pair<std::string, std::string>> files;  // (file, text); "-": stdout
    if (c.apply_dir) {
        for (const auto& h : planner::source_hosts(p))
            files.emplace_back((std::filesystem::path(*c.apply_dir) / (h + ".json")).string(),
                               planner::to_apply_json(p, h));
        if (c.output)
            files.emplace_back(*c.output, planner::to_rank_pairs_json(p));
        std::error_code ec;
        std::filesystem::create_directories(*c.apply_dir, ec);
        if (ec) {
            std::string m = "cannot create ";
            m += quote(*c.apply_dir);
            m += ": ";
            m += ec.message();
            throw Error(m, ec.value());
        }
    } else {
        files.emplace_back(c.output.value_or("-"),
                           c.host ? planner::to_apply_json(p, *c.host) : planner::to_rank_pairs_json(p));
    }
    // Each file is written beside itself first and renamed into place once
    // all are written: a failure (full disk, a directory that cannot be
    // written) leaves every old file as it was.
    std::vector<std::string> wrote, temps;
    try {
        for (const auto& [file, text] : files) {
            if (file == "-") {
                write_output(file, text);
                continue;
            }
            temps.push_back(file + ".srv6steer-new");
            write_output(temps.back(), text);
        }
    } catch (...) {
        for (const auto& t : temps)
            std::remove(t.c_str());
        throw;
    }
    for (const auto& [file, text] : files) {
        if (file == "-")
            continue;
        const std::string tmp = file + ".srv6steer-new";
        if (std::rename(tmp.c_str(), file.c_str()) != 0) {
            const int err = errno;
            std::string m = "cannot write ";
            m += quote(file);
            throw Error(text::cat({m, ": ", std::strerror(err)}), err);
        }
        wrote.push_back(file);
    }
    return wrote;
}

// What can be checked before Jalapeno is asked (its /load raises link
// loads, so a run that fails afterwards has cost something): --host names a
// sending host of the job, and --apply-dir is no file.
void check_before_asking(const PlanCmd& c, const planner::Job& job) {
    if (c.host) {
        const auto pairs = planner::host_pairs(job);
        if (std::none_of(pairs.begin(), pairs.end(), [&](const jp::Pair& p) { return p.src == *c.host; }))
            throw Error(text::cat({"host ", quote(*c.host), " sends to no other host in ", job.source,
                                   ": it has no apply file (the job's ranks name the hosts)"}));
    }
    if (c.apply_dir) {
        std::error_code ec;
        if (std::filesystem::exists(*c.apply_dir, ec) && !std::filesystem::is_directory(*c.apply_dir, ec))
            throw Error(text::cat({"cannot write apply files into ", quote(*c.apply_dir), ": it is not a directory"}),
                        ENOTDIR);
    }
}

int plan_from_jalapeno(const PlanCmd& c, const planner::Job& job) {
    jp::Config cfg;
    cfg.endpoint = env_or(c.jalapeno, "JALAPENO_API_ENDPOINT", "");
    cfg.collection = env_or(c.collection, "TOPOLOGY_COLLECTION", "network_topology");
    const std::string dest = env_or(c.dest_function, "DEST_FUNCTION", "");
    try {
        cfg.dest_function = planner::parse_dest_function(dest, c.dest_function ? "--dest-function" : "DEST_FUNCTION");
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
    if (c.timeout_ms) {
        const std::chrono::milliseconds t{*c.timeout_ms};
        cfg.total_timeout = t;
        cfg.read_timeout = std::min(cfg.read_timeout, t);
        cfg.connect_timeout = std::min(cfg.connect_timeout, t);
    }
    check_before_asking(c, job);
    jp::Client client(cfg);
    planner::JalapenoQuery q;
    q.metric = c.metric.value_or(jp::Metric::Load);
    q.best_paths = c.best_paths.value_or(0);
    const auto p = planner::ask_jalapeno(client, job, q);
    const auto wrote = write_plan(c, p);
    size_t n_routes = 0;
    for (const auto& r : p.routes)
        n_routes += r.routes.size();
    std::cerr << "planned " << job.source << " from Jalapeno " << cfg.endpoint << " (" << cfg.collection << "): "
              << p.routes.size() << " host pair" << (p.routes.size() == 1 ? "" : "s") << ", one "
              << planner::query_name(q) << " call each";
    if (q.best_paths)
        std::cerr << ", " << n_routes << " paths";
    if (!q.best_paths && q.metric == jp::Metric::Load)
        std::cerr << " (Jalapeno raised their links' load)";
    std::cerr << "\n";
    if (!wrote.empty())
        std::cerr << "wrote " << join(wrote, ", ") << "\n";
    return kOk;
}

int cmd_plan(const PlanCmd& c) {
    const auto job = read_job(*c.job);
    if (c.from_jalapeno())
        return plan_from_jalapeno(c, job);

    const auto topo = read_topology(*c.topology);
    const auto p = planner::plan(topo, job);
    const auto wrote = write_plan(c, p);
    std::cerr << "planned " << p.conns.size() << " connection" << (p.conns.size() == 1 ? "" : "s") << " of "
              << job.source << " on " << topo.name << " (" << p.method << "): max link load " << p.load.max
              << ", lower bound " << p.lower_bound
              << (p.reaches_bound() ? " (reached)" : p.proved_optimal ? " (not reachable; the plan is optimal by exact search)" : "")
              << "\n";
    if (!wrote.empty())
        std::cerr << "wrote " << join(wrote, ", ") << "\n";
    return kOk;
}

}  // namespace

Command plan_command() {
    using P = PlanCmd;
    return command<P>(
        "plan", "--job FILE (--topology FILE | --jalapeno URL)",
        "plan a job's paths: the per-rank-pair plan, or apply files per host (see docs/paths.md)", 0, {},
        {text("t,topology", "FILE", "the fabric (docs/paths.md, e.g. topologies/lab.json): plan with the planner",
              &P::topology),
         text("job", "FILE", "the job: ranks -> hosts, pattern (docs/paths.md)", &P::job),
         text("o,output", "FILE", "write there (default: stdout)", &P::output),
         text("host", "H", "write host H's apply file instead of the rank-pair plan", &P::host),
         text("apply-dir", "DIR", "write every sending host's apply file as DIR/H.json (-o: the rank-pair plan too)",
              &P::apply_dir),
         text("jalapeno", "URL", "paths from Jalapeno's API at URL (default $JALAPENO_API_ENDPOINT)", &P::jalapeno),
         text("collection", "C", "Jalapeno's graph (default $TOPOLOGY_COLLECTION, else network_topology)",
              &P::collection),
         text("dest-function", "USID", "IPv6's decap, appended to Jalapeno's paths, e.g. fe06; or ipv6=fe06,ipv4=fe04 (IPv4 default fe04; default $DEST_FUNCTION)",
              &P::dest_function),
         number("timeout", "MS", "per Jalapeno request (default: the client's, 30 s)", &P::timeout_ms, 1, 3600000),
         parsed("metric", "M", "Jalapeno's shortest path by load (default; raises Jalapeno's loads), hops, latency "
                "or utilization", &P::metric, parse_metric),
         number("best-paths", "K", "up to K shortest paths per host pair from Jalapeno, which the pair's "
                "connections take in turn (path sets in apply files)", &P::best_paths, 1, 16)},
        cmd_plan);
}

}  // namespace srv6steer::cli
