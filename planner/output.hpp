// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// A plan as files (docs/paths.md, "Output"): the per-rank-pair plan that
// python/srv6steer/plan.py reads, and `srv6steer apply` files (loader/README.md)
// with the paths and path sets of one source host.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan.hpp"
#include "srv6steer/srv6steer.hpp"

namespace srv6steer::planner {

// Path ids and set ids of apply files: 1024 .. 2047, chosen from the path's
// content as plan.py's path_ids does (so srv6steer.torch finds the same path
// under the same id), the next free one on a collision.
inline constexpr uint32_t kFirstPlanId = 1024;
inline constexpr uint32_t kPlanIds = 1024;

// A path set's entries (a path id once per connection on it) cut to
// SRV6S_MAX_SET_PATHS: each distinct id kept, with entries in proportion to
// its connections; past that many distinct ids, those of the most connections.
std::vector<uint32_t> cap_set(const std::vector<uint32_t>& ids);

// The uSIDs of a connection's hops (plus the destination host's uSID when the
// topology has host_decap): the rank-pair file's path, without decap.
std::vector<uint16_t> node_usids(const Topology& t, const Conn& c);
// The same ending in the decap function of the family (ipv4: false = IPv6).
std::vector<uint16_t> path_usids(const Topology& t, const Conn& c, bool ipv4);
// The path as the data plane takes it: one container, or several (an SRH);
// Error naming `what` when it does not fit.
Path encode(const Block& block, const std::vector<uint16_t>& usids, uint32_t id, const std::string& what);
// Error naming `what` when these segments (an SRH past the first) do not fit.
void encode_segments(const std::vector<Ipv6>& segments, const std::string& what);
// The first id plan.py's path_ids tries for these uSIDs in this block (reduced SRH).
uint32_t content_id(const Block& block, const std::vector<uint16_t>& usids);

// {"version": 1, "block", "decap", "world_size", "pairs": [...]}: plan.py's format.
std::string to_rank_pairs_json(const Plan& p);
// The apply file of one source host: "block", "paths" (both families the pair
// has addresses for), "sets" (one per destination host whose connections take
// several paths). Error for a host that is not in the topology.
std::string to_apply_json(const Plan& p, std::string_view host);
// Every source host's apply file: {"version": 1, "hosts": {"h1": {...}, ...}}.
std::string to_apply_json(const Plan& p);
// One connection's path in one source host's apply file.
struct ApplyPath {
    uint32_t dst = 0;  // the destination: connections to one (and family) form a set
    bool ipv4 = false;
    std::vector<uint16_t> usids;  // in the file's block, ending in the decap; or
    std::vector<Ipv6> segments;   // as they are, when usids is empty
    std::string what;             // names the connection in errors
};
// The apply file object of `host` ("block", "paths", "sets") for these
// connections: ids from content in kFirstPlanId.. as plan.py's path_ids,
// a set per (destination, family) with several paths. Error when a path
// does not fit or the ids run out.
nlohmann::ordered_json apply_obj(const Block& block, const std::vector<ApplyPath>& conns, const std::string& host);

// Hosts that send something in the plan, in topology order.
std::vector<std::string> source_hosts(const Plan& p);

std::string usid_text(const std::vector<uint16_t>& usids);  // "1004,1002,1006"

}  // namespace srv6steer::planner
