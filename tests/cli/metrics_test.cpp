// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// `srv6steer metrics` (and the agent's endpoint, agent_test.cpp) read by an
// independent parser of the Prometheus text format: Debian's
// python3-prometheus-client, run by /usr/bin/python3. The values must be what
// the test sent and set up, not what another srv6steer command says.
#include "cli_fixture.hpp"
#include "srv6steer/decap_abi.h"

namespace {

using namespace clitest;

// Every sample of a text exposition, parsed by prometheus_client:
// [{"name", "labels", "value", "family", "type"}].
json parse_exposition(const std::string& text) {
    char path[] = "/tmp/srv6steer-metrics-XXXXXX";
    const int fd = mkstemp(path);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, text.data(), text.size()), ssize_t(text.size()));
    close(fd);
    const Result r = run({"/usr/bin/python3", "-c",
                          "import json, sys\n"
                          "from prometheus_client.parser import text_string_to_metric_families\n"
                          "out = []\n"
                          "for fam in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
                          "    for s in fam.samples:\n"
                          "        out.append({'name': s.name, 'labels': s.labels, 'value': s.value,\n"
                          "                    'family': fam.name, 'type': fam.type})\n"
                          "print(json.dumps(out))\n",
                          path});
    EXPECT_EQ(r.code, 0) << r.err;
    unlink(path);
    return r.code == 0 ? json::parse(r.out) : json::array();
}

// The one sample of name with exactly these labels; fails the test if there is not exactly one.
double value(const json& samples, const std::string& name, const json& labels) {
    const json* found = nullptr;
    int n = 0;
    for (const json& s : samples)
        if (s["name"] == name && s["labels"] == labels) {
            found = &s;
            n++;
        }
    EXPECT_EQ(n, 1) << name << " " << labels.dump();
    return found ? (*found)["value"].get<double>() : -1;
}

size_t count(const json& samples, const std::string& name) {
    size_t n = 0;
    for (const json& s : samples)
        n += s["name"] == name;
    return n;
}

// The samples of name whose labels include `labels`.
size_t count_with(const json& samples, const std::string& name, const json& labels) {
    size_t n = 0;
    for (const json& s : samples) {
        bool all = s["name"] == name;
        for (const auto& [k, v] : labels.items())
            all = all && s["labels"].contains(k) && s["labels"][k] == v;
        n += all;
    }
    return n;
}

// n UDP datagrams of the flow kFlow (pinned in the tests), traffic class
// `tclass` (its low 2 bits are the ECN field: 3 is CE).
void send_udp_tclass(int tclass, int n) {
    const int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tclass, sizeof tclass), 0) << strerror(errno);
    sockaddr_in6 from{}, to{};
    from.sin6_family = to.sin6_family = AF_INET6;
    from.sin6_port = htons(40000);
    to.sin6_port = htons(5201);
    inet_pton(AF_INET6, "fcbb:0:800:1::1", &from.sin6_addr);
    inet_pton(AF_INET6, kDst, &to.sin6_addr);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from), 0) << strerror(errno);
    const char payload[100] = {};
    for (int i = 0; i < n; i++)
        ASSERT_EQ(sendto(fd, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
                  ssize_t(sizeof payload))
            << strerror(errno);
    close(fd);
}

class Metrics : public Cli {};

TEST_F(Metrics, CountWhatWasSentAndWhatIsSetUp) {
    attach();
    add_paths();
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "2"});
    ok({"pin", "prefix", "fcbb:0:800:2::99/128", "--path", "1"});
    ok({"path", "down", "1"});
    ok({"flowlets", "-d", "veth0", "1500"});
    ok({"receive", "attach", "veth0"});
    ok({"sid", "add", "fcbb:0:e002:fe06::/64", "udt6"});
    send_udp(kDst, 40000, 5201, 5);  // pinned
    send_udp(kDst, 40001, 5201, 3);  // not pinned

    const std::string text = ok({"metrics"});
    const json s = parse_exposition(text);
    const json v0 = {{"interface", "veth0"}};
    auto with = [&](json extra) {
        json l = v0;
        l.update(extra);
        return l;
    };
    EXPECT_EQ(value(s, "srv6steer_attached", v0), 1);
    EXPECT_EQ(value(s, "srv6steer_packets_total", with({{"reason", "steered"}})), 5);
    EXPECT_GE(value(s, "srv6steer_packets_total", with({{"reason", "no_match"}})), 3);
    EXPECT_EQ(count(s, "srv6steer_packets_total"), size_t(SRV6S_R_MAX)) << "every reason, zero or not";
    EXPECT_EQ(value(s, "srv6steer_bytes_total", with({{"reason", "steered"}})), 5 * (14 + 40 + 8 + 100))
        << "Ethernet + IPv6 + UDP + 100 payload bytes as TC egress sees them, before encapsulation";
    EXPECT_EQ(value(s, "srv6steer_path_packets_total", with({{"path", "2"}})), 5);
    EXPECT_EQ(value(s, "srv6steer_path_packets_total", with({{"path", "1"}})), 0);
    EXPECT_EQ(value(s, "srv6steer_path_down", with({{"path", "1"}})), 1);
    EXPECT_EQ(value(s, "srv6steer_path_down", with({{"path", "2"}})), 0);
    EXPECT_EQ(value(s, "srv6steer_pins", with({{"kind", "flow"}})), 1);
    EXPECT_EQ(value(s, "srv6steer_pins", with({{"kind", "prefix"}})), 1);
    EXPECT_EQ(value(s, "srv6steer_pins", with({{"kind", "socket"}})), 0);
    EXPECT_EQ(value(s, "srv6steer_paths", with({{"kind", "path"}})), 2);
    EXPECT_DOUBLE_EQ(value(s, "srv6steer_flowlet_gap_seconds", v0), 0.0015) << "the gap set to 1500 us above";
    EXPECT_EQ(value(s, "srv6steer_rx_attached", with({{"mode", "tcx"}})), 1) << "auto on a veth: TC ingress";
    EXPECT_EQ(value(s, "srv6steer_rx_sids", json::object()), 1);
    EXPECT_EQ(count(s, "srv6steer_rx_packets_total"), size_t(SRV6S_RX_R_MAX));
    for (const json& x : s) {
        const std::string name = x["name"];
        const bool is_counter = name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0;
        EXPECT_EQ(x["type"], is_counter ? "counter" : "gauge") << name;
    }
    // -d names one interface; one that is not attached is an error.
    EXPECT_EQ(parse_exposition(ok({"metrics", "-d", "veth0"})).size(), s.size());
    fails({"metrics", "-d", "nosuch0"}, 1, "nosuch0");
}

// Each path's probe health, as the agent's prober wrote it: the peer
// namespace terminates path 1 with the receive side (veth1, a local SID for
// its container) and answers its probes, then stops answering. Before the
// agent starts, 7 datagrams marked CE go over path 1: the far end counts
// them on the path and says so in its replies. The agent is stopped before
// the scrape, so `metrics` and `stats -j` read the same map.
TEST_F(Metrics, PathHealthIsWhatTheProberWrote) {
    attach();
    const std::string peer = peer_ns_.nsenter() + SRV6STEER_BIN + " ";
    const std::string in_peer = " --bpffs " + bpffs_;
    sh(peer + "receive attach veth1" + in_peer);
    sh(peer + "sid add fcbb:0:1004:1001:1006:fe06::/96 udt6" + in_peer);
    sh(peer + "receive config --probes on" + in_peer);
    const std::string cfg = config("agent.json", R"({"interface": "veth0", "block": "fcbb:0::/32",
        "paths": [{"id": 1, "usids": "1004,1001,1006,fe06"},
                  {"id": 2, "segments": ["fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"], "srh": "full"}],
        "flows": [{"flow": "udp fcbb:0:800:1::1 40000 fcbb:0:800:2::20 5201", "path": 1}]})");
    // Path 1 is the container fcbb:0:1004:1001:1006:fe06:: (reduced); path 2 has no pin: never probed.
    ASSERT_EQ(cli({"agent", "--once", "-c", cfg}).code, 0);
    send_udp_tclass(0x03, 7);  // CE
    send_udp_tclass(0x00, 2);  // not ECN-capable: counted on the path, not as CE

    Proc agent(with_bpffs({"agent", "--no-socket", "-c", cfg, "--probe-interval", "5", "-v"}));
    ASSERT_TRUE(agent.started());
    auto path1 = [&] {
        const json st = ok_json({"stats", "-d", "veth0"});
        for (const json& p : st["paths"])
            if (p["id"] == 1)
                return p["health"];
        return json::object();
    };
    json h;
    auto until = Clock::now() + 20s;
    do
        h = path1();
    while (!(h.value("state", "") == "up" && h.value("replies", uint64_t(0)) >= 5 &&
             h.value("rx_ce_packets", 0) == 7) &&
           Clock::now() < until);
    ASSERT_EQ(h["state"], "up") << h.dump();
    ASSERT_EQ(h["rx_ce_packets"], 7) << h.dump();
    sh(peer + "receive config --probes off" + in_peer);  // the far end goes silent
    until = Clock::now() + 20s;
    do
        h = path1();
    while (h.value("state", "") != "down" && Clock::now() < until);
    ASSERT_EQ(h["state"], "down") << h.dump();
    kill(agent.pid(), SIGTERM);
    ASSERT_EQ(agent.wait_exit(), 0) << agent.err();

    const json s = parse_exposition(ok({"metrics"}));
    const json st = ok_json({"stats", "-d", "veth0"});
    json h1, h2;
    for (const json& p : st["paths"])
        (p["id"] == 1 ? h1 : h2) = p["health"];
    const json p1 = {{"interface", "veth0"}, {"path", "1"}}, p2 = {{"interface", "veth0"}, {"path", "2"}};
    // What the test made happen.
    EXPECT_EQ(value(s, "srv6steer_path_health_state", p1), 2) << "down";
    EXPECT_EQ(value(s, "srv6steer_path_health_state", p2), 0) << "not probed";
    EXPECT_EQ(value(s, "srv6steer_path_down", p1), 1);
    EXPECT_EQ(value(s, "srv6steer_path_probe_targets", p1), 1) << "one host: the flow's destination";
    EXPECT_EQ(value(s, "srv6steer_path_health_transitions_total", p1), 2) << "not probed -> up -> down";
    EXPECT_EQ(value(s, "srv6steer_path_far_ce_packets_total", p1), 7) << "the CE datagrams sent over path 1";
    EXPECT_GE(value(s, "srv6steer_path_probe_replies_total", p1), 5);
    EXPECT_GE(value(s, "srv6steer_path_probes_lost_total", p1), 3) << "misses before down";
    EXPECT_GE(value(s, "srv6steer_path_probes_sent_total", p1),
              value(s, "srv6steer_path_probe_replies_total", p1) + value(s, "srv6steer_path_probes_lost_total", p1));
    const double last = value(s, "srv6steer_path_rtt_last_seconds", p1),
                 min = value(s, "srv6steer_path_rtt_min_seconds", p1),
                 avg = value(s, "srv6steer_path_rtt_avg_seconds", p1);
    EXPECT_GT(min, 0);
    EXPECT_LE(min, last);
    EXPECT_LE(min, avg);
    EXPECT_LT(std::max(last, avg), 1.0) << "a veth: well under a second";
    for (const char* f : {"srv6steer_path_probes_sent_total", "srv6steer_path_probe_replies_total",
                          "srv6steer_path_probes_lost_total", "srv6steer_path_far_ce_packets_total",
                          "srv6steer_path_health_transitions_total", "srv6steer_path_probe_targets"})
        EXPECT_EQ(value(s, f, p2), 0) << f;
    EXPECT_EQ(count_with(s, "srv6steer_path_rtt_last_seconds", p2), 0u) << "no RTT before a reply";
    // The same numbers as the health map read by `stats -j`.
    EXPECT_EQ(value(s, "srv6steer_path_probes_sent_total", p1), h1["sent"].get<double>());
    EXPECT_EQ(value(s, "srv6steer_path_probe_replies_total", p1), h1["replies"].get<double>());
    EXPECT_EQ(value(s, "srv6steer_path_probes_lost_total", p1), h1["lost"].get<double>());
    EXPECT_EQ(value(s, "srv6steer_path_health_transitions_total", p1), h1["transitions"].get<double>());
    EXPECT_EQ(value(s, "srv6steer_path_far_ce_packets_total", p1), h1["rx_ce_packets"].get<double>());
    EXPECT_EQ(value(s, "srv6steer_path_far_packets_total", p1), h1["rx_packets"].get<double>());
    EXPECT_DOUBLE_EQ(value(s, "srv6steer_path_ce_ratio", p1), h1["ce_ppm"].get<double>() / 1e6);
    EXPECT_EQ(value(s, "srv6steer_path_congestion_level", p1), h1["congestion"].get<double>());
    EXPECT_DOUBLE_EQ(last, h1["rtt_last_ns"].get<double>() / 1e9);
    EXPECT_DOUBLE_EQ(min, h1["rtt_min_ns"].get<double>() / 1e9);
    EXPECT_DOUBLE_EQ(avg, h1["rtt_avg_ns"].get<double>() / 1e9);
    EXPECT_EQ(h2["sent"], 0) << h2.dump();
}

TEST_F(Metrics, NothingAttachedIsAnEmptyExposition) {
    EXPECT_EQ(ok({"metrics"}), "");
}

// The agent serves the same text over HTTP on loopback (a port the kernel
// picks, which it logs), answers every scrape afresh, and refuses addresses
// that are not loopback before it touches anything.
TEST_F(Metrics, TheAgentServesThemOnLoopback) {
    const std::string cfg = config("agent.json", R"({"interface": "veth0", "block": "fcbb:0::/32",
        "paths": [{"id": 1, "usids": "1004,1001,1006,fe06"}],
        "flows": [{"flow": "udp fcbb:0:800:1::1 40000 fcbb:0:800:2::20 5201", "path": 1}]})");
    // --no-probes: the probes over path 1 would count as its packets too.
    Proc agent(with_bpffs({"agent", "--no-socket", "--no-probes", "-c", cfg, "--metrics", "127.0.0.1:0", "-v"}));
    ASSERT_TRUE(agent.started());
    ASSERT_TRUE(agent.wait_log("round 1 done\n")) << agent.err();
    const std::string log = agent.err();
    const std::string mark = "serving metrics on http://127.0.0.1:";
    const auto at = log.find(mark);
    ASSERT_NE(at, std::string::npos) << log;
    const std::string port = log.substr(at + mark.size(), log.find('/', at + mark.size()) - at - mark.size());
    auto scrape = [&] {
        const Result r = run({"/usr/bin/python3", "-c",
                              "import sys, urllib.request\n"
                              "r = urllib.request.urlopen('http://127.0.0.1:' + sys.argv[1] + '/metrics', timeout=10)\n"
                              "print(r.headers['Content-Type'])\n"
                              "sys.stdout.write(r.read().decode())\n",
                              port});
        EXPECT_EQ(r.code, 0) << r.err;
        return r.out;
    };
    std::string body = scrape();
    EXPECT_EQ(body.substr(0, body.find('\n')), "text/plain; version=0.0.4; charset=utf-8");
    json s = parse_exposition(body.substr(body.find('\n') + 1));
    EXPECT_EQ(value(s, "srv6steer_pins", {{"interface", "veth0"}, {"kind", "flow"}}), 1);
    EXPECT_EQ(value(s, "srv6steer_path_packets_total", {{"interface", "veth0"}, {"path", "1"}}), 0);
    send_udp(kDst, 40000, 5201, 4);
    body = scrape();
    s = parse_exposition(body.substr(body.find('\n') + 1));
    EXPECT_EQ(value(s, "srv6steer_path_packets_total", {{"interface", "veth0"}, {"path", "1"}}), 4)
        << "a scrape reads the counters afresh";
    kill(agent.pid(), SIGTERM);
    EXPECT_EQ(agent.wait_exit(), 0) << agent.err();

    fails({"agent", "--no-socket", "-c", cfg, "--metrics", "0.0.0.0:9469"}, 2, "not a loopback address");
    fails({"agent", "--no-socket", "-c", cfg, "--metrics", "127.0.0.1"}, 2, "has no port");
    fails({"agent", "--once", "--no-socket", "-c", cfg, "--metrics", "127.0.0.1:0"}, 2,
          "not with --once");
}

}  // namespace
