// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The apply file's "probes" section (loader/config_reader.hpp): the prober's
// settings, its targets and return containers, congestion and flowlets.
#include "config_reader.hpp"

namespace srv6steer::cli::config_detail {

// "probes": {"interval_ms": 10, "misses": 3, "return": {"1": "fcbb:0:1006:e001::"},
//            "targets": [{"path": 1, "to": "fcbb:0:800:2::20"}], ...}
void Reader::read_probes(const json& j, const std::string& w, ProbesConfig& out) {
    if (!object(j, w, {"enabled", "interval_ms", "timeout_ms", "misses", "recoveries", "hold_down_ms", "port",
                       "auto", "refresh_ms", "return", "targets", "congestion", "flowlets"}))
        return;
    ProberOptions& o = out.options;
    using std::chrono::milliseconds;
    if (auto v = boolean(j, w, "enabled"))
        out.enabled = *v;
    if (auto v = number(j, w, "interval_ms", 1, 10000))
        o.interval = milliseconds(*v);
    if (auto v = number(j, w, "timeout_ms", 0, 60000))
        o.timeout = milliseconds(*v);
    if (auto v = number(j, w, "misses", 1, 1000))
        o.policy.misses = *v;
    if (auto v = number(j, w, "recoveries", 1, 1000))
        o.policy.recoveries = *v;
    if (auto v = number(j, w, "hold_down_ms", 0, 3600000))
        o.policy.hold_down = milliseconds(*v);
    if (auto v = number(j, w, "port", 1, 65535))
        o.port = static_cast<uint16_t>(*v);
    if (auto v = boolean(j, w, "auto"))
        o.auto_targets = *v;
    if (auto v = number(j, w, "refresh_ms", 10, 3600000))
        o.refresh = milliseconds(*v);
    if (j.contains("return")) {
        const std::string rw = at(w, "return");
        if (!j["return"].is_object()) {
            problem(rw, std::string("expected an object of path ids and return containers, got ") +
                            j["return"].type_name());
        } else {
            for (const auto& [k, v] : j["return"].items()) {
                const std::string key = k;
                const auto path = text::parse_uint(key, 0, SRV6S_MAX_PATHS - 1);
                if (!path) {
                    problem(at(rw, key), "expected a path id from 0 to " + std::to_string(SRV6S_MAX_PATHS - 1) +
                                             " as the key");
                    continue;
                }
                if (auto c = container(v, at(rw, key)))
                    o.returns[static_cast<uint32_t>(*path)] = *c;
            }
        }
    }
    each(j, "targets", [&](const json& t, const std::string& tw) { read_probe_target(t, at(w, tw), o); });
    if (j.contains("congestion"))
        read_congestion(j["congestion"], at(w, "congestion"), o.congestion);
    if (j.contains("flowlets"))
        read_flowlets(j["flowlets"], at(w, "flowlets"), o.flowlets);
}

// "flowlets": {"adaptive": true, "min_us": 500, "max_us": 20000, "factor_pct": 200,
//              "hold_ms": 5000} (docs/design.md §17.5)
void Reader::read_flowlets(const json& j, const std::string& w, FlowletPolicy& f) {
    if (!object(j, w, {"adaptive", "min_us", "max_us", "factor_pct", "hold_ms"}))
        return;
    using std::chrono::microseconds;
    if (auto v = boolean(j, w, "adaptive"))
        f.adaptive = *v;
    if (auto v = number(j, w, "min_us", 0, 1'000'000))
        f.min = microseconds(*v);
    if (auto v = number(j, w, "max_us", 0, 1'000'000))
        f.max = microseconds(*v);
    if (auto v = number(j, w, "factor_pct", 100, 1000))
        f.factor_pct = *v;
    if (auto v = number(j, w, "hold_ms", 0, 3'600'000))
        f.hold = std::chrono::milliseconds(*v);
    if (f.min > f.max)
        problem(at(w, "min_us"), "must not be above max_us (" + std::to_string(f.max.count()) + ")");
}

// "congestion": {"enabled": true, "window_ms": 100, "min_packets": 8, "mark_ppm": 10000,
//                "clear_ppm": 1000, "hold_ms": 1000, "step": 4} (docs/design.md §17)
void Reader::read_congestion(const json& j, const std::string& w, CongestionPolicy& c) {
    if (!object(j, w, {"enabled", "window_ms", "min_packets", "mark_ppm", "clear_ppm", "hold_ms", "step"}))
        return;
    using std::chrono::milliseconds;
    if (auto v = boolean(j, w, "enabled"))
        c.enabled = *v;
    if (auto v = number(j, w, "window_ms", 1, 60000))
        c.window = milliseconds(*v);
    if (auto v = number(j, w, "min_packets", 1, 1'000'000))
        c.min_packets = *v;
    if (auto v = number(j, w, "mark_ppm", 1, 1'000'000))
        c.mark_ppm = *v;
    if (auto v = number(j, w, "clear_ppm", 0, 999'999))
        c.clear_ppm = *v;
    if (auto v = number(j, w, "hold_ms", 0, 3600000))
        c.hold = milliseconds(*v);
    if (auto v = number(j, w, "step", 1, SRV6S_CONGESTION_LEVELS))
        c.step = *v;
    if (c.clear_ppm >= c.mark_ppm)
        problem(at(w, "clear_ppm"), "must be below mark_ppm (" + std::to_string(c.mark_ppm) + ")");
}

std::optional<Ipv6> Reader::container(const json& j, const std::string& where) {
    if (!j.is_string()) {
        problem(where, "expected a return container (an IPv6 address) as a string, got " + j.dump());
        return std::nullopt;
    }
    return value(where, [&] { return Ipv6::parse(j.get<std::string>()); });
}

void Reader::read_probe_target(const json& j, const std::string& w, ProberOptions& o) {
    if (!object(j, w, {"path", "to", "return", "port"}))
        return;
    ProbeTarget t;
    t.port = o.port;
    const auto path = id_field(j, w, "path", SRV6S_MAX_PATHS - 1);
    const auto to = string(j, w, "to", true);
    std::optional<Ipv6> remote;
    if (to)
        remote = value(at(w, "to"), [&] { return Ipv6::parse_any(*to); });
    if (j.contains("return")) {
        t.ret = container(j["return"], at(w, "return"));
        if (!t.ret)
            return;
    }
    if (auto v = number(j, w, "port", 1, 65535))
        t.port = static_cast<uint16_t>(*v);
    if (!path || !remote)
        return;
    t.path = *path;
    t.remote = *remote;
    o.targets.push_back(t);
}

}  // namespace srv6steer::cli::config_detail
