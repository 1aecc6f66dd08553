// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The apply file's reader (loader/config.cpp, loader/config_probes.cpp): the
// typed readers of one JSON field each (a problem with its JSON path for
// every value that is not what it must be), and the sections they make up.
// Internal to the two files.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "config.hpp"
#include "text.hpp"

namespace srv6steer::cli::config_detail {

// JSON paths: at("paths", 1) = "paths[1]", at("paths[1]", "usids") = "paths[1].usids".
inline std::string at(const std::string& base, size_t i) { return base + "[" + std::to_string(i) + "]"; }
inline std::string at(const std::string& base, const std::string& key) { return base.empty() ? key : base + "." + key; }

// Reads the file's JSON into a Config, collecting every problem.
class Reader {
public:
    std::vector<std::string> problems;

    void read(const json& doc, Config& cfg);

private:
    std::optional<Block> block_;
    bool block_bad_ = false;
    std::map<Prefix, std::string> sid_where_;
    std::map<uint32_t, std::string> fallback_where_;  // path id -> JSON path of its "fallback"

    void problem(const std::string& where, const std::string& what) {
        problems.push_back(where.empty() ? what : where + ": " + what);
    }

    // Runs a parser; its Error becomes a problem at `where`.
    template <class F>
    auto value(const std::string& where, F&& parse) -> std::optional<decltype(parse())> {
        try {
            return parse();
        } catch (const Error& e) {
            problem(where, e.what());
            return std::nullopt;
        }
    }

    bool object(const json& j, const std::string& where, std::initializer_list<const char*> keys) {
        if (!j.is_object()) {
            problem(where, std::string("expected an object, got ") + j.type_name());
            return false;
        }
        for (const auto& [k, v] : j.items()) {
            const std::string& key = k;  // (a structured binding: clang 14 cannot capture it)
            if (std::find_if(keys.begin(), keys.end(), [&](const char* a) { return key == a; }) != keys.end())
                continue;
            problem(at(where, k), "unknown key (expected " + join(std::vector<std::string>(keys.begin(), keys.end()), ", ") + ")");
        }
        return true;
    }

    // Calls f on every element of the array obj[key], if there is one.
    template <class F>
    void each(const json& obj, const std::string& key, F&& f) {
        if (!obj.contains(key))
            return;
        const json& arr = obj[key];
        if (!arr.is_array()) {
            problem(key, std::string("expected an array, got ") + arr.type_name());
            return;
        }
        for (size_t i = 0; i < arr.size(); i++)
            f(arr[i], at(key, i));
    }

    std::optional<uint32_t> id(const json& j, const std::string& where, uint64_t max) {
        if (j.is_number_unsigned() && j.get<uint64_t>() <= max)
            return static_cast<uint32_t>(j.get<uint64_t>());
        problem(where, "expected an integer from 0 to " + std::to_string(max) + ", got " + j.dump());
        return std::nullopt;
    }

    std::optional<uint32_t> id_field(const json& obj, const std::string& where, const char* key, uint64_t max) {
        if (!obj.contains(key)) {
            problem(at(where, key), "missing");
            return std::nullopt;
        }
        return id(obj[key], at(where, key), max);
    }

    std::optional<std::string> string(const json& obj, const std::string& where, const char* key, bool required) {
        if (!obj.contains(key)) {
            if (required)
                problem(at(where, key), "missing");
            return std::nullopt;
        }
        if (!obj[key].is_string()) {
            problem(at(where, key), std::string("expected a string, got ") + obj[key].dump());
            return std::nullopt;
        }
        return obj[key].get<std::string>();
    }

    std::optional<bool> boolean(const json& obj, const std::string& where, const char* key) {
        if (!obj.contains(key))
            return std::nullopt;
        if (!obj[key].is_boolean()) {
            problem(at(where, key), "expected true or false, got " + obj[key].dump());
            return std::nullopt;
        }
        return obj[key].get<bool>();
    }

    std::optional<uint32_t> number(const json& obj, const std::string& where, const char* key, uint64_t min,
                                   uint64_t max) {
        if (!obj.contains(key))
            return std::nullopt;
        const json& j = obj[key];
        if (j.is_number_unsigned() && j.get<uint64_t>() >= min && j.get<uint64_t>() <= max)
            return static_cast<uint32_t>(j.get<uint64_t>());
        problem(at(where, key), "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                                    ", got " + j.dump());
        return std::nullopt;
    }

    // Sections: loader/config_probes.cpp
    // "probes": {"interval_ms": 10, "misses": 3, "return": {"1": "fcbb:0:1006:e001::"},
    //            "targets": [{"path": 1, "to": "fcbb:0:800:2::20"}], ...}
    void read_probes(const json& j, const std::string& w, ProbesConfig& out);
    // "flowlets": {"adaptive": true, "min_us": 500, "max_us": 20000, "factor_pct": 200,
    //              "hold_ms": 5000} (docs/design.md §17.5)
    void read_flowlets(const json& j, const std::string& w, FlowletPolicy& f);
    // "congestion": {"enabled": true, "window_ms": 100, "min_packets": 8, "mark_ppm": 10000,
    //                "clear_ppm": 1000, "hold_ms": 1000, "step": 4} (docs/design.md §17)
    void read_congestion(const json& j, const std::string& w, CongestionPolicy& c);
    std::optional<Ipv6> container(const json& j, const std::string& where);
    void read_probe_target(const json& j, const std::string& w, ProberOptions& o);

    // Sections: loader/config.cpp
    // "usids": "1004,1001" or ["1004", "1001"]
    std::optional<std::vector<uint16_t>> usids(const json& j, const std::string& where);
    std::optional<std::vector<Ipv6>> segments(const json& j, const std::string& where);
    // Segments the data plane can push: global unicast, and as many as fit.
    void check_segments(const Path& p, const std::string& where, bool listed);
    void read_path(const json& j, const std::string& w, Config& cfg);
    void read_set(const json& j, const std::string& w, Config& cfg);
    // {"prefix": "fcbb:0:e002:fe06::/64", "behavior": "udt6", "path_stats": true}: as `sid list -j` prints it.
    void read_sid(const json& j, const std::string& w, Config& cfg);
    // A fallback names a path or set of the file, and not its own path alone.
    void check_fallbacks(const Config& cfg);
    // {"flow": "tcp ...", "path": 1}, {"qp": "DST QP", "set": 10}, {"prefix": ..., ...},
    // {"cgroup": "kubepods/pod1" or "id:NUMBER", ...}
    template <class K>
    void read_pin(const json& j, const std::string& w, const Config& cfg, Wanted<K>& out);
};

}  // namespace srv6steer::cli::config_detail
