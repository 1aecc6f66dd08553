// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// How bench_stack runs its cases: a warm-up with every check, then rounds
// made of turns. In a turn every case sends --slice datagrams, one case
// after the other in an order that rotates (and reverses) from turn to turn;
// a round is --packets / --slice turns, and a case's sample for the round is
// the sum of its turns. So every case's round spans the same stretch of
// time, and a load that comes and goes on the machine hits all of them
// alike. After each turn of a case the thread rests a third of the time it
// sent (stack_send.hpp: RT throttling).
//
// Checks: after every turn the peers' sinks must have counted exactly the
// packets sent, all of the case's shape (packets veth left in the backlog
// are waited for, up to a second, and counted as late); in the warm-up
// srv6steer's own counters must also show every packet under the case's
// reason (plus, at most, the other packets the sinks saw: the device's own
// MLD and neighbour discovery are no_match too). Any failure throws
// benchutil::Failure naming the case.
#pragma once

#include <vector>

#include "stack_cases.hpp"

namespace stack {

void warm_up(Env& env, std::vector<Case>& cases, const Options& o);
void run_rounds(Env& env, std::vector<Case>& cases, const Options& o);

}  // namespace stack
