// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// A job's per-rank-pair plan (python/srv6steer/plan.py's format, as
// planner/output.hpp's to_rank_pairs_json writes it) with paths from
// Jalapeno instead of the planner: the job's ranks name Jalapeno hosts, every
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

// Asks `client` (Metric::Load: once per host pair) and writes the plan:
// "block" from the answers' usid_block (one for all of them, else Error);
// with the client's dest_function, each path is the answer's uSIDs and
// "decap" is {"ipv6": that function, "ipv4": dest_function.ipv4, else fe04
// as plan.py's default} (plan.py appends the family's one); without
// one, each path is the answer's containers as they are ({"segments": [...]}).
std::string rank_pairs_from_jalapeno(jalapeno::Client& client, const Job& job);

// Destination functions as DEST_FUNCTION gives them: "fe06" (IPv6's) or
// "ipv6=fe06,ipv4=fe04"; none for "" (jalapeno::parse_dest_function).
// Throws Error naming `what` ("DEST_FUNCTION", "dest_function").
jalapeno::DestFunction parse_dest_function(std::string_view text, std::string_view what);

}  // namespace srv6steer::planner
