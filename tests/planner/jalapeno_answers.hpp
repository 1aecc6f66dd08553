// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Jalapeno answers written by hand in the shapes of Jalapeno's API (the
// routes shortest_path/load, best-paths and next-best-path, and
// process_path_data / process_load_data that fill srv6_data and load_data),
// for the lab fabric (tools/README.md): h1 behind leaf00 (1004), h2 behind
// leaf02 (1006), spine1 1001, spine2 1002, block fcbb:0::/32.
#pragma once

namespace srv6steer::testing_jalapeno {

// GET .../shortest_path/load?source=hosts/h1&destination=hosts/h2: via spine2.
// Loads before the call 0, 10, 10, 0 (average 5); after +10: 10, 20, 20, 10.
inline constexpr const char* kLoadH1H2 = R"({
  "found": true,
  "path": [
    {"vertex": {"_id": "hosts/h1", "_key": "h1", "router_id": null, "ipv4_address": "10.0.1.10",
                "ipv6_address": "fcbb:0:800:1::10", "prefix": "fcbb:0:800:1::", "prefix_len": 64,
                "name": "h1", "sids": null},
     "edge": null},
    {"vertex": {"_id": "igp_node/leaf00", "_key": "leaf00", "router_id": "10.0.0.4",
                "ipv4_address": null, "ipv6_address": null, "prefix": null, "prefix_len": null,
                "name": "leaf00",
                "sids": [{"srv6_sid": "fcbb:0:1004::",
                          "srv6_endpoint_behavior": {"endpoint_behavior": 48, "flag": 0, "algo": 0}}]},
     "edge": {"_id": "fabric_graph/h1_leaf00", "_key": "h1_leaf00", "_from": "hosts/h1",
              "_to": "igp_node/leaf00", "latency": 10, "percent_util_out": 1.5, "load": 0}},
    {"vertex": {"_id": "igp_node/spine2", "_key": "spine2", "router_id": "10.0.0.2",
                "ipv4_address": null, "ipv6_address": null, "prefix": null, "prefix_len": null,
                "name": "spine2",
                "sids": [{"srv6_sid": "fcbb:0:1002::",
                          "srv6_endpoint_behavior": {"endpoint_behavior": 48, "flag": 0, "algo": 0}}]},
     "edge": {"_id": "fabric_graph/leaf00_spine2", "_key": "leaf00_spine2",
              "_from": "igp_node/leaf00", "_to": "igp_node/spine2", "latency": 20,
              "percent_util_out": 12.25, "load": 10}},
    {"vertex": {"_id": "igp_node/leaf02", "_key": "leaf02", "router_id": "10.0.0.6",
                "ipv4_address": null, "ipv6_address": null, "prefix": null, "prefix_len": null,
                "name": "leaf02",
                "sids": [{"srv6_sid": "fcbb:0:1006::",
                          "srv6_endpoint_behavior": {"endpoint_behavior": 48, "flag": 0, "algo": 0}}]},
     "edge": {"_id": "fabric_graph/spine2_leaf02", "_key": "spine2_leaf02",
              "_from": "igp_node/spine2", "_to": "igp_node/leaf02", "latency": 20,
              "percent_util_out": 3, "load": 10}},
    {"vertex": {"_id": "hosts/h2", "_key": "h2", "router_id": null, "ipv4_address": "10.0.2.10",
                "ipv6_address": "fcbb:0:800:2::10", "prefix": "fcbb:0:800:2::", "prefix_len": 64,
                "name": "h2", "sids": null},
     "edge": {"_id": "fabric_graph/leaf02_h2", "_key": "leaf02_h2", "_from": "igp_node/leaf02",
              "_to": "hosts/h2", "latency": 10, "percent_util_out": null, "load": 0}}
  ],
  "hopcount": 4,
  "vertex_count": 5,
  "source_info": {"_id": "hosts/h1", "_key": "h1", "router_id": null, "ipv4_address": "10.0.1.10",
                  "ipv6_address": "fcbb:0:800:1::10", "prefix": "fcbb:0:800:1::", "prefix_len": 64,
                  "name": "h1", "sids": null},
  "destination_info": {"_id": "hosts/h2", "_key": "h2", "router_id": null,
                       "ipv4_address": "10.0.2.10", "ipv6_address": "fcbb:0:800:2::10",
                       "prefix": "fcbb:0:800:2::", "prefix_len": 64, "name": "h2", "sids": null},
  "direction": "outbound",
  "average_load": 5.0,
  "algo": 0,
  "srv6_data": {"srv6_sid_list": ["fcbb:0:1004::", "fcbb:0:1002::", "fcbb:0:1006::"],
                "srv6_usid": "fcbb:0:1004:1002:1006::", "usid_block": "fcbb:0:", "algo": 0},
  "load_data": {"updated_edges": ["h1_leaf00", "leaf00_spine2", "spine2_leaf02", "leaf02_h2"],
                "edge_loads": [{"edge_key": "h1_leaf00", "load": 10},
                               {"edge_key": "leaf00_spine2", "load": 20},
                               {"edge_key": "spine2_leaf02", "load": 20},
                               {"edge_key": "leaf02_h2", "load": 10}],
                "average_load": 15.0, "total_load": 60, "edge_count": 4,
                "highest_load": {"edge_key": "leaf00_spine2", "load_value": 20}}
})";

inline constexpr const char* kNoPath =
    R"({"found": false, "message": "No path found between specified nodes"})";

// GET .../best-paths?...&limit=2 from h1 to h2: vertices only (best-paths
// returns no edges), source_info/destination_info are whole documents.
inline constexpr const char* kBestH1H2 = R"({
  "found": true, "total_paths_found": 2, "direction": "outbound", "algo": 0,
  "paths": [
    {"path": [{"vertex": {"_id": "hosts/h1", "_key": "h1", "name": "h1", "sids": null}},
              {"vertex": {"_id": "igp_node/leaf00", "_key": "leaf00", "name": "leaf00",
                          "sids": [{"srv6_sid": "fcbb:0:1004::"}]}},
              {"vertex": {"_id": "igp_node/spine1", "_key": "spine1", "name": "spine1",
                          "sids": [{"srv6_sid": "fcbb:0:1001::"}]}},
              {"vertex": {"_id": "igp_node/leaf02", "_key": "leaf02", "name": "leaf02",
                          "sids": [{"srv6_sid": "fcbb:0:1006::"}]}},
              {"vertex": {"_id": "hosts/h2", "_key": "h2", "name": "h2", "sids": null}}],
     "hopcount": 4, "vertex_count": 5,
     "source_info": {"_id": "hosts/h1", "_key": "h1", "_rev": "_h1", "name": "h1",
                     "prefix": "fcbb:0:800:1::", "prefix_len": 64},
     "destination_info": {"_id": "hosts/h2", "_key": "h2", "_rev": "_h2", "name": "h2",
                          "prefix": "fcbb:0:800:2::", "prefix_len": 64},
     "countries_traversed": [],
     "srv6_data": {"srv6_sid_list": ["fcbb:0:1004::", "fcbb:0:1001::", "fcbb:0:1006::"],
                   "srv6_usid": "fcbb:0:1004:1001:1006::", "usid_block": "fcbb:0:", "algo": 0}},
    {"path": [{"vertex": {"_id": "hosts/h1", "_key": "h1", "name": "h1", "sids": null}},
              {"vertex": {"_id": "igp_node/leaf00", "_key": "leaf00", "name": "leaf00",
                          "sids": [{"srv6_sid": "fcbb:0:1004::"}]}},
              {"vertex": {"_id": "igp_node/spine2", "_key": "spine2", "name": "spine2",
                          "sids": [{"srv6_sid": "fcbb:0:1002::"}]}},
              {"vertex": {"_id": "igp_node/leaf02", "_key": "leaf02", "name": "leaf02",
                          "sids": [{"srv6_sid": "fcbb:0:1006::"}]}},
              {"vertex": {"_id": "hosts/h2", "_key": "h2", "name": "h2", "sids": null}}],
     "hopcount": 4, "vertex_count": 5,
     "source_info": {"_id": "hosts/h1", "_key": "h1", "name": "h1"},
     "destination_info": {"_id": "hosts/h2", "_key": "h2", "name": "h2",
                          "prefix": "fcbb:0:800:2::", "prefix_len": 64},
     "countries_traversed": [],
     "srv6_data": {"srv6_sid_list": ["fcbb:0:1004::", "fcbb:0:1002::", "fcbb:0:1006::"],
                   "srv6_usid": "fcbb:0:1004:1002:1006::", "usid_block": "fcbb:0:", "algo": 0}}
  ]
})";

// GET .../next-best-path from h1 to h2; no source_info/destination_info.
inline constexpr const char* kNextBestH1H2 = R"({
  "found": true, "algo": 0,
  "shortest_path": {
    "path": [{"vertex": {"_id": "hosts/h1", "_key": "h1", "name": "h1"}, "edge": null},
             {"vertex": {"_id": "igp_node/leaf00", "_key": "leaf00", "sids": [{"srv6_sid": "fcbb:0:1004::"}]},
              "edge": {"_id": "g/a", "_key": "a", "load": 0}},
             {"vertex": {"_id": "igp_node/spine1", "_key": "spine1", "sids": [{"srv6_sid": "fcbb:0:1001::"}]},
              "edge": {"_id": "g/b", "_key": "b", "load": 0}},
             {"vertex": {"_id": "igp_node/leaf02", "_key": "leaf02", "sids": [{"srv6_sid": "fcbb:0:1006::"}]},
              "edge": {"_id": "g/c", "_key": "c", "load": 0}},
             {"vertex": {"_id": "hosts/h2", "_key": "h2", "prefix": "fcbb:0:800:2::", "prefix_len": 64},
              "edge": {"_id": "g/d", "_key": "d", "load": 0}}],
    "hopcount": 4,
    "srv6_data": {"srv6_sid_list": ["fcbb:0:1004::", "fcbb:0:1001::", "fcbb:0:1006::"],
                  "srv6_usid": "fcbb:0:1004:1001:1006::", "usid_block": "fcbb:0:", "algo": 0}},
  "same_hopcount_paths": [{
    "path": [{"vertex": {"_id": "hosts/h1", "_key": "h1", "_rev": "x"}},
             {"vertex": {"_id": "igp_node/leaf00", "_key": "leaf00", "sids": [{"srv6_sid": "fcbb:0:1004::"}]}},
             {"vertex": {"_id": "igp_node/spine2", "_key": "spine2", "sids": [{"srv6_sid": "fcbb:0:1002::"}]}},
             {"vertex": {"_id": "igp_node/leaf02", "_key": "leaf02", "sids": [{"srv6_sid": "fcbb:0:1006::"}]}},
             {"vertex": {"_id": "hosts/h2", "_key": "h2"}}],
    "hopcount": 4,
    "srv6_data": {"srv6_sid_list": ["fcbb:0:1004::", "fcbb:0:1002::", "fcbb:0:1006::"],
                  "srv6_usid": "fcbb:0:1004:1002:1006::", "usid_block": "fcbb:0:", "algo": 0}}],
  "plus_one_hopcount_paths": [],
  "summary": {"base_hopcount": 4, "same_hopcount_alternatives": 1, "plus_one_hopcount_alternatives": 0}
})";

// next-best-path when there is no path: Jalapeno still says found: true.
inline constexpr const char* kNextBestNone = R"({
  "found": true, "algo": 0,
  "shortest_path": {"path": [], "hopcount": -1,
                    "srv6_data": {"srv6_sid_list": [], "srv6_usid": "fc00:0:::", "usid_block": "fc00:0:", "algo": 0}},
  "same_hopcount_paths": [], "plus_one_hopcount_paths": [],
  "summary": {"base_hopcount": -1, "same_hopcount_alternatives": 0, "plus_one_hopcount_alternatives": 0}
})";

}  // namespace srv6steer::testing_jalapeno
