// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What `plan` and `simulate` share (docs/paths.md, "Command line"): the
// fabric from a file or generated (--clos), the job from a file or made
// over every host (--ring, --all-to-all), and writing an output file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api.hpp"

namespace srv6steer::cli {

// --clos: "LxSxH" (2-tier: leaves x spines x hosts per leaf) or "PxLxSxXxH"
// (3-tier: pods x leaves per pod x spines per pod x superspines x hosts per
// leaf). UsageError when it does not parse.
planner::ClosSpec parse_clos(const std::string& text, unsigned planes);
// "4x4x4" again, for names and tables.
std::string clos_name(const planner::ClosSpec& s);

// A file's topology (Error naming the file and the JSON place).
planner::Topology read_topology(const std::string& file);
planner::Job read_job(const std::string& file);

// A job over every host of t, one rank per host. Strided: rank r on the
// (r mod L)-th leaf (L leaves, hosts by their first leaf), so that every
// ring step crosses the fabric; else ranks in the topology's host order.
enum class MadeJob { Ring, AllToAll };
planner::Job job_over_hosts(const planner::Topology& t, MadeJob kind, bool strided, unsigned connections);

// Writes text to file (Error naming it), or to stdout when file is "-".
void write_output(const std::string& file, const std::string& text);

}  // namespace srv6steer::cli
