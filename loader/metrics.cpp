// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The Prometheus text format (loader/metrics.hpp): a snapshot of every
// attachment's counters, rendered family by family.
#include "metrics.hpp"

#include <cerrno>
#include <cstdio>
#include <map>

namespace srv6steer::metrics {

namespace {

using Labels = std::vector<std::pair<const char*, std::string>>;

// One metric family: its samples are written together, after HELP and TYPE.
class Family {
public:
    Family(const char* name, const char* type, const char* help) : name_(name), type_(type), help_(help) {}

    void add(const Labels& labels, uint64_t value) { add(labels, std::to_string(value)); }
    void add(const Labels& labels, std::string value) {
        std::string line = name_;
        if (!labels.empty()) {
            line += '{';
            for (size_t i = 0; i < labels.size(); i++) {
                if (i)
                    line += ',';
                line += labels[i].first;
                line += "=\"";
                line += escape_label(labels[i].second);
                line += '"';
            }
            line += '}';
        }
        line += ' ';
        line += value;
        line += '\n';
        samples_ += line;
    }

    // Families without samples are left out.
    void write(std::string& out) const {
        if (samples_.empty())
            return;
        out += "# HELP ";
        out += name_;
        out += ' ';
        out += help_;
        out += "\n# TYPE ";
        out += name_;
        out += ' ';
        out += type_;
        out += '\n';
        out += samples_;
    }

private:
    const char* name_;
    const char* type_;
    const char* help_;
    std::string samples_;
};

// Nanoseconds as seconds, written exactly ("0.000061234").
std::string seconds(uint64_t ns) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llu.%09llu", static_cast<unsigned long long>(ns / 1000000000ULL),
                  static_cast<unsigned long long>(ns % 1000000000ULL));
    return buf;
}

// Each path's health as the prober last wrote it (srv6s_path_health;
// docs/design.md §16.3): every path gets every family, zero while nobody
// probes it, except the RTTs, which exist only once a probe was answered.
void health_families(const std::vector<Egress>& all, std::string& out) {
    Family state("srv6steer_path_health_state", "gauge",
                 "The prober's state of the path: 0 not probed, 1 up, 2 down (srv6steer_path_down has the DOWN bit)");
    Family targets("srv6steer_path_probe_targets", "gauge", "Remote hosts probed over the path");
    Family sent("srv6steer_path_probes_sent_total", "counter", "Probes sent over the path");
    Family replies("srv6steer_path_probe_replies_total", "counter", "Probe replies received in time");
    Family lost("srv6steer_path_probes_lost_total", "counter", "Probes given up on (no reply in time)");
    Family rtt_last("srv6steer_path_rtt_last_seconds", "gauge", "Round-trip time of the last probe answered");
    Family rtt_min("srv6steer_path_rtt_min_seconds", "gauge", "Smallest probe round-trip time seen");
    Family rtt_avg("srv6steer_path_rtt_avg_seconds", "gauge",
                   "Moving average of the probe round-trip times (1/8 per reply)");
    Family ce("srv6steer_path_far_ce_packets_total", "counter",
              "CE-marked packets the far ends counted on the path, as their last probe replies said");
    Family transitions("srv6steer_path_health_transitions_total", "counter",
                       "Changes of the prober's state of the path");
    Family far_packets("srv6steer_path_far_packets_total", "counter",
                       "Packets the far ends counted on the path, as their last probe replies said");
    Family ce_ratio("srv6steer_path_ce_ratio", "gauge",
                    "CE-marked share of the path's packets in the last congestion window (0..1)");
    Family congestion("srv6steer_path_congestion_level", "gauge",
                      "The path's congestion level, 0..16: sixteenths of its flows moved away (docs/design.md §17)");
    for (const Egress& e : all) {
        const Stats& st = e.stats;
        for (size_t i = 0; i < st.paths.size() && i < st.health.size(); i++) {
            const srv6s_path_health& h = st.health[i];
            const Labels l{{"interface", e.status.ifname}, {"path", std::to_string(st.paths[i].first)}};
            state.add(l, h.state);
            targets.add(l, h.targets);
            sent.add(l, h.sent);
            replies.add(l, h.replies);
            lost.add(l, h.lost);
            if (h.replies) {
                rtt_last.add(l, seconds(h.rtt_last_ns));
                rtt_min.add(l, seconds(h.rtt_min_ns));
                rtt_avg.add(l, seconds(h.rtt_avg_ns));
            }
            ce.add(l, h.rx_ce_packets);
            transitions.add(l, h.transitions);
            far_packets.add(l, h.rx_packets);
            char ratio[16];
            std::snprintf(ratio, sizeof ratio, "%u.%06u", h.ce_ppm / 1000000u, h.ce_ppm % 1000000u);
            ce_ratio.add(l, std::string(ratio));
            congestion.add(l, h.congestion);
        }
    }
    for (const Family* f : {&state, &targets, &sent, &replies, &lost, &rtt_last, &rtt_min, &rtt_avg, &ce,
                            &transitions, &far_packets, &ce_ratio, &congestion})
        f->write(out);
}

void egress_families(const std::vector<Egress>& all, std::string& out) {
    Family attached("srv6steer_attached", "gauge", "1 while the TC egress program steers on the interface, else 0");
    Family packets("srv6steer_packets_total", "counter", "Packets the TC egress program saw, by reason");
    Family bytes("srv6steer_bytes_total", "counter", "Bytes the TC egress program saw, by reason");
    Family path_packets("srv6steer_path_packets_total", "counter", "Packets steered onto each path");
    Family path_bytes("srv6steer_path_bytes_total", "counter", "Bytes steered onto each path, before encapsulation");
    Family path_down("srv6steer_path_down", "gauge", "1 while the path is marked down, else 0");
    Family pins("srv6steer_pins", "gauge", "Pins by kind");
    Family capacity("srv6steer_pin_capacity", "gauge", "Entries each pin map can hold");
    Family paths("srv6steer_paths", "gauge", "Paths and path sets defined");
    Family gap("srv6steer_flowlet_gap_seconds", "gauge",
               "Idle time after which a flow of a path set may change path (0: flowlets off)");
    for (const Egress& e : all) {
        const std::string& dev = e.status.ifname;
        attached.add({{"interface", dev}}, e.status.healthy() ? 1 : 0);
        for (uint32_t r = 0; r < SRV6S_R_MAX; r++) {
            packets.add({{"interface", dev}, {"reason", reason_name(r)}}, e.stats.reasons[r].packets);
            bytes.add({{"interface", dev}, {"reason", reason_name(r)}}, e.stats.reasons[r].bytes);
        }
        std::map<uint32_t, bool> down;
        for (const Path& p : e.paths)
            down[p.id] = p.down;
        for (const auto& [id, c] : e.stats.paths) {
            const Labels l{{"interface", dev}, {"path", std::to_string(id)}};
            path_packets.add(l, c.packets);
            path_bytes.add(l, c.bytes);
        }
        for (const auto& [id, is_down] : down)
            path_down.add({{"interface", dev}, {"path", std::to_string(id)}}, is_down ? 1 : 0);
        const Status& st = e.status;
        const std::pair<const char*, size_t> kinds[] = {{"flow", st.n_flows},     {"qp", st.n_qps},
                                                        {"prefix", st.n_prefixes}, {"socket", st.n_sockets},
                                                        {"cgroup", st.n_cgroups}};
        for (const auto& [kind, n] : kinds)
            pins.add({{"interface", dev}, {"kind", kind}}, n);
        const std::pair<const char*, uint32_t> caps[] = {{"flow", st.max_flows},
                                                         {"qp", st.max_qps},
                                                         {"prefix", st.max_prefixes},
                                                         {"cgroup", st.max_cgroups}};
        for (const auto& [kind, n] : caps)
            capacity.add({{"interface", dev}, {"kind", kind}}, n);
        paths.add({{"interface", dev}, {"kind", "path"}}, st.n_paths);
        paths.add({{"interface", dev}, {"kind", "set"}}, st.n_sets);
        gap.add({{"interface", dev}}, seconds(uint64_t(st.config.flowlet_gap_us) * 1000));
    }
    for (const Family* f : {&attached, &packets, &bytes, &path_packets, &path_bytes, &path_down, &pins, &capacity,
                            &paths, &gap})
        f->write(out);
}

void receive_families(const Snapshot& s, std::string& out) {
    if (!s.rx)
        return;
    Family attached("srv6steer_rx_attached", "gauge",
                    "1 while the receive program runs on the interface as attached, else 0");
    for (const ReceiveAttachment& a : s.rx->interfaces)
        attached.add({{"interface", a.ifname}, {"mode", a.mode}}, a.healthy() ? 1 : 0);
    Family sids("srv6steer_rx_sids", "gauge", "Local SIDs the receive side terminates");
    sids.add({}, s.rx->n_sids);
    Family packets("srv6steer_rx_packets_total", "counter", "Frames the receive program saw, by reason");
    Family bytes("srv6steer_rx_bytes_total", "counter", "Bytes of the frames the receive program saw, by reason");
    for (uint32_t r = 0; r < SRV6S_RX_R_MAX; r++) {
        packets.add({{"reason", rx_reason_name(r)}}, s.rx_stats.reasons[r].packets);
        bytes.add({{"reason", rx_reason_name(r)}}, s.rx_stats.reasons[r].bytes);
    }
    Family path_packets("srv6steer_rx_path_packets_total", "counter",
                        "Packets received on each sender path (outer source, path id from the flow label)");
    Family path_bytes("srv6steer_rx_path_bytes_total", "counter",
                      "Bytes received on each sender path, outer headers included");
    Family path_ce("srv6steer_rx_path_ce_packets_total", "counter",
                   "Packets received CE-marked (congestion experienced) on each sender path");
    for (const RxPathCounter& p : s.rx_stats.paths) {
        const Labels l{{"source", p.source.str()}, {"path", std::to_string(p.path_id)}};
        path_packets.add(l, p.packets);
        path_bytes.add(l, p.bytes);
        path_ce.add(l, p.ce_packets);
    }
    for (const Family* f : {&attached, &sids, &packets, &bytes, &path_packets, &path_bytes, &path_ce})
        f->write(out);
}

}  // namespace

std::string escape_label(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

Snapshot read(const std::string& bpffs, const std::optional<std::string>& dev) {
    Snapshot s;
    const std::vector<std::string> names = dev ? std::vector<std::string>{*dev} : Steering::attached(bpffs);
    for (const std::string& name : names) {
        try {
            Steering st = Steering::open(name, bpffs);
            s.egress.push_back({st.status(), st.stats(), st.paths()});
        } catch (const Error& e) {
            if (dev || e.code() != ENOENT)  // asked for, or not merely detached meanwhile
                throw;
        }
    }
    if (!Receive::attached(bpffs).empty()) {
        try {
            Receive rx = Receive::open(bpffs);
            s.rx = rx.status();
            s.rx_stats = rx.stats();
        } catch (const Error& e) {
            if (e.code() != ENOENT)
                throw;
        }
    }
    return s;
}

std::string render(const Snapshot& s) {
    std::string out;
    egress_families(s.egress, out);
    health_families(s.egress, out);
    receive_families(s, out);
    return out;
}

}  // namespace srv6steer::metrics
