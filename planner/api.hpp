// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The planner library (srv6steer_plan) in one include, for the CLI:
//
//   auto topo = Topology::parse(text::read_file(f), f);     // or clos({...})
//   auto job  = Job::parse(text::read_file(j), j);
//   Plan p    = plan(topo, job);
//   write(to_rank_pairs_json(p)); write(to_apply_json(p, "h1"));
//   Simulation s = simulate(topo, job, 32);  table(s); svg(topo, s.schemes[0].loads);
//
// Formats and algorithm: docs/paths.md.
#pragma once

#include "job.hpp"
#include "output.hpp"
#include "plan.hpp"
#include "simulate.hpp"
#include "topology.hpp"
