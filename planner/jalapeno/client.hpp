// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// A client of Jalapeno's path API (docs/jalapeno.md): one lowest-cost path, or
// several, per pair of hosts, as typed values with the SRv6 path ready to
// install (a srv6steer::Path: the answer's srv6_usid plus the destination
// function, split into as many uSID containers as it needs).
//
//   auto c = srv6steer::jalapeno::Client(srv6steer::jalapeno::Config::from_env());
//   auto r = c.shortest_path_load("h1", "h2");   // raises Jalapeno's link loads!
//   s.add_path(r.path);                          // fcbb:0:1004:1002:1006:fe06::
//
// Every call asks Jalapeno once and parses the whole answer before it returns:
// it returns a complete answer or throws ApiError (a srv6steer::Error) naming
// the endpoint, the pair and the cause, never part of an answer.
//
// /shortest_path/load is not a read: Jalapeno adds 10 to the `load` of every
// link of the path it returns. So the client calls it at most once per pair:
// never again after a timeout or a broken connection (the server may have
// applied it), and never twice for the same pair unless forget_loads() says
// the earlier call no longer counts.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "srv6steer/error.hpp"
#include "srv6steer/sid.hpp"
#include "srv6steer/srv6steer.hpp"
#include "srv6steer/types.hpp"

namespace srv6steer::jalapeno {

// Which /shortest_path variant weighs the links.
enum class Metric {
    Hops,         // /shortest_path
    Load,         // /shortest_path/load: Jalapeno's `load`, and raises it (see above)
    Latency,      // /shortest_path/latency
    Utilization,  // /shortest_path/utilization (percent_util_out)
};
const char* endpoint_name(Metric m);  // "shortest_path/load", ...

// Destination (decap) functions: the optional is IPv6's, `ipv4` IPv4's.
struct DestFunction : std::optional<uint16_t> {
    using std::optional<uint16_t>::optional;
    std::optional<uint16_t> ipv4;
};
// DEST_FUNCTION's text as python/srv6steer/plan.py's parse_decap reads it:
// "fe06" (IPv6 only) or "ipv6=fe06,ipv4=fe04"; "" gives none. ipv4 needs
// ipv6. Throws Error naming `what` ("DEST_FUNCTION", "dest_function").
DestFunction parse_dest_function(std::string_view text, std::string_view what);

struct Config {
    // Jalapeno's API root, http only: "http://127.0.0.1:30800/api/v1".
    std::string endpoint;
    // The graph collection: TOPOLOGY_COLLECTION, e.g. "fabric_graph".
    std::string collection;
    // The IPv6 one (the optional itself) is appended to every path's uSIDs
    // (DEST_FUNCTION, e.g. fe06: End.DT6 at the last leaf); none: the path
    // ends with Jalapeno's last uSID. `ipv4` only goes into rank-pair plans
    // (planner/from_jalapeno.hpp) as the IPv4 decap; none there: fe04.
    DestFunction dest_function;
    // Hosts are Jalapeno vertices "<vertex_collection>/<name>".
    std::string vertex_collection = "hosts";
    std::string direction = "outbound";  // or "inbound", "any"
    unsigned algo = 0;                   // Flex-Algo; 0: not sent (Jalapeno's default)
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds read_timeout{5000};   // per read of the socket
    std::chrono::milliseconds total_timeout{30000};  // the whole answer
    std::size_t max_body = 16u << 20;               // bytes; a larger answer is an error

    // JALAPENO_API_ENDPOINT (required), TOPOLOGY_COLLECTION (default
    // "network_topology", the seed plugin's; the lab's is "fabric_graph"),
    // DEST_FUNCTION (optional: "fe06", as the seed plugin reads it, or
    // "ipv6=fe06,ipv4=fe04", see parse_dest_function). Throws Error naming the variable when one is invalid.
    static Config from_env();
    // Throws Error unless the values can be used.
    void check() const;
};

// What went wrong, for callers that act on it; what() says it in words.
enum class Failure {
    Connect,     // no connection (refused, unreachable, connect timeout): nothing was sent
    Timeout,     // sent, no (complete) answer in time
    Transport,   // sent, the connection failed or the answer was cut short
    TooLarge,    // the answer is larger than Config::max_body
    Http,        // an HTTP status other than 200 (Jalapeno's 500 {"detail": ...}, ...)
    NoPath,      // 200 {"found": false, "message": ...}
    BadAnswer,   // not JSON, or not the shape Jalapeno answers in
    Encoding,    // the path's uSIDs cannot be encoded as a srv6steer path
    Refused,     // the client refused to call: a second /load for a pair
};
const char* failure_name(Failure f);

class ApiError : public Error {
public:
    ApiError(Failure failure, const std::string& what, int http_status = 0)
        : Error(what), failure_(failure), http_status_(http_status) {}
    Failure failure() const noexcept { return failure_; }
    int http_status() const noexcept { return http_status_; }

private:
    Failure failure_;
    int http_status_;
};

// ---- the answer --------------------------------------------------------------
// Fields Jalapeno may leave null or out (AQL gives null for a missing
// attribute) are optional; a field of the wrong type is an error.

struct EndpointBehavior {
    std::optional<uint32_t> endpoint_behavior;  // e.g. 48 (uN)
    std::optional<uint32_t> flag;
    std::optional<uint32_t> algo;
    friend bool operator==(const EndpointBehavior&, const EndpointBehavior&) = default;
};

struct Sid {
    std::string srv6_sid;  // "fcbb:0:1004::"
    std::optional<EndpointBehavior> behavior;
    friend bool operator==(const Sid&, const Sid&) = default;
};

struct Vertex {
    std::string id;   // _id: "hosts/h1", "igp_node/2_0_0_0000.0000.0004"
    std::string key;  // _key
    std::optional<std::string> name;
    std::optional<std::string> router_id;
    std::optional<std::string> prefix;  // hosts: "fcbb:0:800:2::"
    std::optional<unsigned> prefix_len;
    std::optional<std::string> ipv4_address;
    std::optional<std::string> ipv6_address;
    std::vector<Sid> sids;

    // prefix/prefix_len as a srv6steer::Prefix, when both are there.
    std::optional<Prefix> route() const;
    friend bool operator==(const Vertex&, const Vertex&) = default;
};

struct Edge {
    std::string id;
    std::string key;
    std::optional<std::string> from, to;
    std::optional<double> load;
    std::optional<double> latency;
    std::optional<double> percent_util_out;
    friend bool operator==(const Edge&, const Edge&) = default;
};

// One element of `path`: a vertex and, except at one end, the edge of it.
struct Hop {
    Vertex vertex;
    std::optional<Edge> edge;
    friend bool operator==(const Hop&, const Hop&) = default;
};

struct Srv6Data {
    std::vector<std::string> srv6_sid_list;  // one SID per node after the first
    std::string srv6_usid;                   // "fcbb:0:1004:1002:1006::"
    std::string usid_block;                  // "fcbb:0:"
    unsigned algo = 0;
    friend bool operator==(const Srv6Data&, const Srv6Data&) = default;
};

// load_data of /shortest_path/load: the loads after Jalapeno raised them.
struct LoadData {
    std::vector<std::string> updated_edges;
    std::vector<std::pair<std::string, double>> edge_loads;  // edge _key, load
    double average_load = 0;
    double total_load = 0;
    unsigned edge_count = 0;
    friend bool operator==(const LoadData&, const LoadData&) = default;
};

// One path of an answer.
struct Route {
    std::vector<Hop> hops;
    unsigned hopcount = 0;
    // source_info / destination_info; next-best-path answers have none, and
    // these are then the first and last vertices of hops.
    Vertex source;
    Vertex destination;
    Srv6Data srv6;
    std::optional<double> average_load;   // /load: before this call raised it
    std::optional<double> total_latency;  // /latency
    std::optional<double> average_utilization;  // /utilization
    std::optional<LoadData> load_data;    // /load
    // srv6_usid's uSIDs, then Config::dest_function.
    std::vector<uint16_t> usids;
    // The path to install (id 0: the caller numbers paths), reduced mode:
    // one container when the uSIDs fit, else several (an SRH).
    Path path;
    friend bool operator==(const Route&, const Route&) = default;
};

// /shortest_path/next-best-path
struct NextBest {
    Route shortest;
    std::vector<Route> same_hopcount;
    std::vector<Route> plus_one_hopcount;
};

struct Pair {
    std::string src;  // host names: "h1" is asked as hosts/h1
    std::string dst;
    friend auto operator<=>(const Pair&, const Pair&) = default;
};

struct PairRoute {
    Pair pair;
    Route route;
};

struct PairRoutes {
    Pair pair;
    std::vector<Route> routes;  // at least one, shortest first
};

// ---- the pure parts (no network), for tests and for answers read elsewhere ----

// Where an answer came from, for messages: "Jalapeno http://h:30800/api/v1
// shortest_path/load hosts/h1 -> hosts/h2".
struct Context {
    std::string endpoint;
    std::string call;  // "shortest_path/load"
    std::string src;   // vertex ids
    std::string dst;
    std::string str() const;
};

// srv6_usid as Jalapeno writes it (usid_block, then one uSID per node and
// "::"; longer than one container when the path is long, which makes it
// text that is no IPv6 address) into uSIDs. Throws Error.
std::vector<uint16_t> usids_of(std::string_view srv6_usid, std::string_view usid_block,
                               Block* block_out = nullptr);
// uSIDs (Jalapeno's and the destination function) as a reduced-mode Path,
// id 0, in as many containers as they need. Throws Error when they do not fit
// the containers a srv6steer path can have.
Path path_of(const Block& block, std::span<const uint16_t> usids);

// Parses a 200 answer's body. Throws ApiError naming ctx.
Route parse_route(std::string_view body, Metric metric, std::optional<uint16_t> dest_function,
                  const Context& ctx);
std::vector<Route> parse_best_paths(std::string_view body, std::optional<uint16_t> dest_function,
                                    const Context& ctx);
NextBest parse_next_best(std::string_view body, std::optional<uint16_t> dest_function,
                         const Context& ctx);

// ---- the client ----------------------------------------------------------------

class Client {
public:
    explicit Client(Config config);  // throws Error on a config that cannot work

    const Config& config() const { return config_; }

    Route shortest_path(const std::string& src, const std::string& dst,
                        Metric metric = Metric::Hops);
    // Metric::Load. At most once per pair (see the top of this file).
    Route shortest_path_load(const std::string& src, const std::string& dst) {
        return shortest_path(src, dst, Metric::Load);
    }
    // Up to limit (>= 1) k-shortest paths, shortest first.
    std::vector<Route> best_paths(const std::string& src, const std::string& dst,
                                  unsigned limit = 4);
    NextBest next_best_path(const std::string& src, const std::string& dst,
                            unsigned same_hop_limit = 4, unsigned plus_one_limit = 8);

    // One route per pair, in order, all or nothing: the first failure throws
    // (naming the pair and how many were answered before) and nothing is
    // returned. Pairs must be distinct. With Metric::Load, Jalapeno has raised
    // the loads of the pairs answered before a failure; the message says so.
    std::vector<PairRoute> paths_for(std::span<const Pair> pairs, Metric metric = Metric::Load);
    // The same with /best-paths: up to `limit` k-shortest paths per pair (at
    // least one, else the pair fails), all or nothing.
    std::vector<PairRoutes> best_paths_for(std::span<const Pair> pairs, unsigned limit);

    // Pairs (vertex ids) this client has called /shortest_path/load for,
    // answered or not.
    const std::set<std::pair<std::string, std::string>>& loaded() const { return loaded_; }
    // Allows /load again for every pair: for a new job, after Jalapeno's
    // loads were reset.
    void forget_loads() { loaded_.clear(); }

    // The request target of a call, e.g.
    // "/api/v1/graphs/fabric_graph/shortest_path/load?source=hosts/h1&destination=hosts/h2&direction=outbound"
    std::string target(std::string_view call, const std::string& src, const std::string& dst,
                       std::string_view extra = {}) const;

private:
    // Throws for pairs given twice, a pair of one host, or (load) a pair
    // already asked with /load.
    void check_pairs(std::span<const Pair> pairs, bool load) const;
    std::string get(const Context& ctx, const std::string& target);
    std::string vertex(const std::string& host) const;

    Config config_;
    std::string host_;  // from the endpoint: "127.0.0.1", "::1"
    int port_ = 80;
    std::string base_;  // "/api/v1"
    std::set<std::pair<std::string, std::string>> loaded_;
};

}  // namespace srv6steer::jalapeno
