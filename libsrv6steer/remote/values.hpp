// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The library's values (srv6steer.hpp) as the agent protocol writes them in
// JSON (docs/agent-protocol.md "Values"): put() writes one, get_*() reads one
// and refuses, naming the field, what does not fit. Internal to remote/.
#pragma once

#include "remote/json_in.hpp"

namespace srv6steer::remote {

json put(const Target& t);
Target get_target(const In& in);
json put(const Path& p);
Path get_path(const In& in);
json put(const PathSet& s);
PathSet get_set(const In& in);
json put(const PinnedSocket& p);
PinnedSocket get_socket(const In& in);
json put(const Status& s);
Status get_status(const In& in);
json put(const Counter& c);
Counter get_counter(const In& in);
json put(const Stats& s);
Stats get_stats(const In& in);

}  // namespace srv6steer::remote
