// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// A job's per-rank-pair plan (python/srv6steer/plan.py's format, as
// planner/output.hpp's to_rank_pairs_json writes it) and apply files, with
// paths from Jalapeno instead of the planner: the job's ranks name Jalapeno hosts, every
// directed pair of distinct hosts is asked once (Client::paths_for, all or
// nothing), and every rank pair between those hosts takes that host pair's
// path (docs/paths.md, "Command line").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jalapeno/client.hpp"
#include "job.hpp"

namespace srv6steer::planner {

// The directed pairs of distinct hosts the job's rank pairs run between, in
// the order of the rank pairs (Job::demands), each once.
std::vector<jalapeno::Pair> host_pairs(const Job& job);

// What to ask Jalapeno for each directed host pair (once): one path by a
// metric, or with best_paths > 0 up to that many k-shortest paths, which the
// pair's connections take in turn (path sets in the apply files).
struct JalapenoQuery {
    jalapeno::Metric metric = jalapeno::Metric::Load;
    unsigned best_paths = 0;
};
// "shortest_path/load", "shortest_path/best-paths (limit 4)".
std::string query_name(const JalapenoQuery& q);

// A job's routes from Jalapeno, per directed host pair.
struct JalapenoPlan {
    Job job;
    JalapenoQuery query;
    std::string endpoint, collection;
    jalapeno::DestFunction dest_function;
    std::optional<Block> block;               // the answers' usid_block (one for all)
    std::vector<jalapeno::PairRoutes> routes;  // in host_pairs(job) order, at least one each
};

// Asks `client` once per host pair, all or nothing (with Metric::Load
// Jalapeno raises the links' load). Error when the answers are in two uSID
// blocks.
JalapenoPlan ask_jalapeno(jalapeno::Client& client, const Job& job, const JalapenoQuery& q = {});

// The per-rank-pair plan (a host pair's connections take its routes in
// turn, in the job's order):
// "block" from the answers' usid_block (one for all of them, else Error);
// with the client's dest_function, each path is the answer's uSIDs and
// "decap" is {"ipv6": that function, "ipv4": dest_function.ipv4, else fe04
// as plan.py's default} (plan.py appends the family's one); without
// one, each path is the answer's containers as they are ({"segments": [...]}).
std::string to_rank_pairs_json(const JalapenoPlan& p);
// to_rank_pairs_json(ask_jalapeno(client, job)).
std::string rank_pairs_from_jalapeno(jalapeno::Client& client, const Job& job);

// The apply file of one source host (planner/output.hpp's apply_obj: ids as
// plan.py's path_ids, so srv6steer.torch finds these paths under the same
// ids): with a dest function, each route in both families (the answer's
// uSIDs ending in IPv6's function, and in IPv4's, else fe04) unless
// Jalapeno's vertices show addresses of one family only; without one, the
// answer's containers as they are. Error for a host that sends nothing.
std::string to_apply_json(const JalapenoPlan& p, std::string_view host);
// The job's hosts that send to another host, in the job's rank order.
std::vector<std::string> source_hosts(const JalapenoPlan& p);

// Destination functions as DEST_FUNCTION gives them: "fe06" (IPv6's) or
// "ipv6=fe06,ipv4=fe04"; none for "" (jalapeno::parse_dest_function).
// Throws Error naming `what` ("DEST_FUNCTION", "dest_function").
jalapeno::DestFunction parse_dest_function(std::string_view text, std::string_view what);

}  // namespace srv6steer::planner
