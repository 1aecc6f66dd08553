// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The receive side's commands end to end (cli_fixture.hpp): receive attach,
// detach, status, stats and config; sid add, del and list; the receive side
// in status; "sids" in apply files. Exit codes, messages in the CLI's words,
// and -j output.
#include <thread>

#include "cli_fixture.hpp"
#include "in_netns.hpp"

namespace {

using namespace clitest;

// The config as -j prints it: the defaults, with changes.
json config_json(json changes = json::object()) {
    json j{{"enabled", true},       {"ecn_drop", true},          {"path_stats", true},
           {"probes", false},       {"probe_port", 6635},        {"reply_source", nullptr},
           {"return_block", nullptr}};
    j.update(changes);
    return j;
}

class ReceiveCli : public Cli {
protected:
    // How the kernel says veth0's XDP is attached (iproute2): 1 driver, 2 generic, 0 none.
    int xdp_mode() {
        const json j = json::parse(sh("ip -j -d link show dev veth0"));
        return j[0].contains("xdp") ? j[0]["xdp"].value("mode", 0) : 0;
    }
};

TEST_F(ReceiveCli, AttachStatusDetach) {
    EXPECT_EQ(ok_json({"receive", "status"}), (json{{"attached", false}, {"interfaces", json::array()}}));
    const std::string out = ok({"receive", "attach", "veth0", "--mode", "generic"});
    EXPECT_NE(out.find("receive program attached to veth0 (generic XDP, prog "), std::string::npos) << out;
    EXPECT_NE(out.find("sid add"), std::string::npos) << "says how to add SIDs: " << out;
    EXPECT_EQ(xdp_mode(), 2);

    const json st = ok_json({"receive", "status"});
    EXPECT_EQ(st["attached"], true);
    EXPECT_EQ(st["healthy"], true) << st.dump();
    EXPECT_EQ(st["config"], config_json());
    EXPECT_EQ(st["sids"], (json{{"used", 0}, {"max", 1024}}));
    ASSERT_EQ(st["interfaces"].size(), 1u);
    EXPECT_EQ(st["interfaces"][0]["interface"], "veth0");
    EXPECT_EQ(st["interfaces"][0]["mode"], "generic");
    EXPECT_EQ(st["interfaces"][0]["prog_id"], st["xdp_prog_id"]);

    const std::string text = ok({"status"});
    EXPECT_NE(text.find("srv6steer receive side"), std::string::npos) << text;
    EXPECT_NE(text.find("decapsulating"), std::string::npos) << text;
    EXPECT_EQ(cli({"status", "--check"}).code, 0) << "a host that only receives is healthy";

    fails({"receive", "attach", "veth0", "--mode", "tc"}, 1, "already attached to veth0");
    fails({"receive", "attach", "veth0", "--mode", "fast"}, 2, "invalid receive mode \"fast\"");
    fails({"receive", "attach"}, 2, "missing DEV");
    fails({"receive", "attach", "nosuch0"}, 1, "nosuch0");

    EXPECT_EQ(ok({"receive", "detach", "veth0"}),
              "detached the receive program from veth0\n"
              "it was the last interface: its local SIDs and counters are gone too\n");
    EXPECT_EQ(xdp_mode(), 0);
    EXPECT_EQ(pins_left(), std::vector<std::string>{});
    fails({"receive", "detach", "veth0"}, 1, "not attached to veth0");
}

// Auto on a veth: TC ingress (native XDP would take TSO off the peer,
// generic XDP copies every TSO/GRO aggregate: docs/design.md §14.2).
TEST_F(ReceiveCli, AutoTakesTcIngressOnAVeth) {
    const std::string out = ok({"receive", "attach", "veth0"});
    EXPECT_NE(out.find("receive program attached to veth0 (TC ingress, tcx, prog "), std::string::npos) << out;
    EXPECT_EQ(xdp_mode(), 0) << "no XDP program";
    EXPECT_EQ(ok_json({"receive", "status"})["interfaces"][0]["mode"], "tcx");
    ok({"receive", "detach", "veth0"});
}

TEST_F(ReceiveCli, TcModeAndNativeMode) {
    EXPECT_NE(ok({"receive", "attach", "veth0", "--mode", "tc"}).find("(TC ingress, tcx, prog"), std::string::npos);
    EXPECT_EQ(xdp_mode(), 0);
    EXPECT_EQ(ok_json({"receive", "status"})["interfaces"][0]["mode"], "tcx");
    ok({"receive", "detach", "veth0"});
    EXPECT_NE(ok({"receive", "attach", "veth0", "--mode", "native"}).find("(native XDP, prog"), std::string::npos);
    EXPECT_EQ(xdp_mode(), 1);
}

TEST_F(ReceiveCli, Sids) {
    fails({"sid", "list"}, 1, "attach it first: srv6steer receive attach DEV");
    ok({"receive", "attach", "veth0"});
    EXPECT_EQ(ok({"sid", "list"}), "No local SIDs (srv6steer sid add PREFIX BEHAVIOUR adds one)\n");
    EXPECT_EQ(ok({"sid", "add", "fcbb:0:e002:fe06::/64", "udt6"}), "added local SID fcbb:0:e002:fe06::/64 udt6\n");
    EXPECT_EQ(ok({"sid", "add", "fcbb:0:e002:fe04::/64", "End.DT4", "--no-path-stats"}),
              "added local SID fcbb:0:e002:fe04::/64 udt4 (no path counters)\n");
    EXPECT_EQ(ok({"sid", "add", "fcbb:0:e002:fe06::/64", "udt6"}),
              "already there: local SID fcbb:0:e002:fe06::/64 udt6\n");
    fails({"sid", "add", "fcbb:0:e002:fe06::/64", "udt46"}, 1, "is there already (udt6)");
    fails({"sid", "add", "fcbb:0:e002:fe06::/64", "udt46"}, 1, "--replace");
    EXPECT_EQ(ok({"sid", "add", "fcbb:0:e002:fe06::/64", "udt46", "--replace"}),
              "set local SID fcbb:0:e002:fe06::/64 udt46\n");
    fails({"sid", "add", "10.0.0.0/8", "udt4"}, 2, "a local SID is an IPv6 prefix");
    fails({"sid", "add", "fcbb::/64", "End.DX4"}, 2, "expected udt6, udt4 or udt46");
    fails({"sid", "add", "fcbb::/64"}, 2, "missing BEHAVIOUR");
    fails({"sid", "add", "fcbb::1/64", "udt6"}, 2, "address bits set past /64");
    fails({"sid", "add", "::/0", "udt6"}, 1, "every IPv6 destination");
    EXPECT_EQ(ok_json({"sid", "list"}),
              json::parse(R"([{"prefix": "fcbb:0:e002:fe04::/64", "behavior": "udt4", "path_stats": false},
                             {"prefix": "fcbb:0:e002:fe06::/64", "behavior": "udt46", "path_stats": true}])"));
    EXPECT_EQ(ok_json({"receive", "status"})["sids"]["used"], 2);
    EXPECT_EQ(ok({"sid", "del", "fcbb:0:e002:fe04::/64"}), "removed local SID fcbb:0:e002:fe04::/64\n");
    fails({"sid", "del", "fcbb:0:e002:fe04::/64"}, 1, "no local SID fcbb:0:e002:fe04::/64");
    fails({"sid", "del", "nonsense"}, 2, "nonsense");
    EXPECT_EQ(ok_json({"sid", "list"}).size(), 1u);
}

TEST_F(ReceiveCli, Config) {
    ok({"receive", "attach", "veth0"});
    EXPECT_EQ(ok_json({"receive", "config"}), config_json());
    EXPECT_EQ(ok_json({"receive", "config", "--disable", "--no-ecn-drop"}),
              config_json({{"enabled", false}, {"ecn_drop", false}}));
    EXPECT_EQ(ok_json({"receive", "config", "--no-path-stats"}),
              config_json({{"enabled", false}, {"ecn_drop", false}, {"path_stats", false}}));
    EXPECT_NE(ok({"receive", "config", "--enable"}).find("receive config: enabled"), std::string::npos);
    EXPECT_EQ(ok_json({"receive", "status"})["config"]["enabled"], true);
    fails({"receive", "config", "--enable", "--disable"}, 2, "contradict each other");
}

// Probe settings: set, shown, cleared; bad values refused with the config kept.
TEST_F(ReceiveCli, ProbeConfig) {
    ok({"receive", "attach", "veth0"});
    const std::string text = ok({"receive", "config", "--probes", "on"});
    EXPECT_NE(text.find("probes answered on UDP port 6635, no returns"), std::string::npos) << text;
    const json on = config_json({{"probes", true}});
    EXPECT_EQ(ok_json({"receive", "config"}), on);
    const json all = config_json({{"probes", true},
                                  {"probe_port", 7000},
                                  {"reply_source", "fcbb:0:e002::1"},
                                  {"return_block", "fcbb:0:e001::/48"}});
    EXPECT_EQ(ok_json({"receive", "config", "--probe-port", "7000", "--reply-source", "fcbb:0:e002::1",
                       "--return-block", "fcbb:0:e001::/48"}),
              all);
    EXPECT_EQ(ok_json({"receive", "status"})["config"], all);
    const std::string shown = ok({"receive", "status"});
    EXPECT_NE(shown.find("returned into fcbb:0:e001::/48 from fcbb:0:e002::1"), std::string::npos) << shown;

    // Refused, each leaving the config as it was.
    fails({"receive", "config", "--probes", "maybe"}, 2, "on or off");
    fails({"receive", "config", "--probe-port", "0"}, 2, "probe-port");
    fails({"receive", "config", "--probe-port", "70000"}, 2, "probe-port");
    fails({"receive", "config", "--return-block", "fcbb:0:e001:1:2::/80"}, 1, "at most /64");
    fails({"receive", "config", "--return-block", "::/0"}, 1, "every return container");
    fails({"receive", "config", "--return-block", "10.0.0.0/8"}, 1, "an IPv6 prefix");
    fails({"receive", "config", "--return-block", "nonsense"}, 2, "nonsense");
    fails({"receive", "config", "--reply-source", "::"}, 1, "unicast IPv6");
    fails({"receive", "config", "--reply-source", "none"}, 1, "without a reply source");
    EXPECT_EQ(ok_json({"receive", "config"}), all);

    EXPECT_EQ(ok_json({"receive", "config", "--return-block", "none", "--reply-source", "none", "--probes", "off",
                       "--probe-port", "6635"}),
              config_json());
}

// Two `receive config` processes at once, each changing its own setting
// ten times: read, change, write is one transaction, so neither loses the
// other's last change.
TEST_F(ReceiveCli, ProbeConfigChangesDoNotLoseEachOther) {
    ok({"receive", "attach", "veth0"});
    std::thread ports([&] {
        for (int i = 0; i < 10; i++)
            ok({"receive", "config", "--probe-port", std::to_string(7000 + i)});
    });
    std::thread sources([&] {
        for (int i = 0; i < 10; i++)
            ok({"receive", "config", "--reply-source", std::string("fcbb::") + std::to_string(i + 1)});
    });
    ports.join();
    sources.join();
    const json c = ok_json({"receive", "config"});
    EXPECT_EQ(c["probe_port"], 7009);
    EXPECT_EQ(c["reply_source"], "fcbb::10");  // the last of each
}

// Counters read back what arrived: frames from the peer that are no SRv6 of ours.
TEST_F(ReceiveCli, Stats) {
    fails({"receive", "stats"}, 1, "attach it first");
    ok({"receive", "attach", "veth0"});
    testns::in_netns(peer_ns_.pid(), [] {  // two datagrams from the peer to us (after its neighbour solicitation)
        const int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ASSERT_GE(fd, 0);
        sockaddr_in6 to{};
        to.sin6_family = AF_INET6;
        to.sin6_port = htons(9);
        inet_pton(AF_INET6, "fcbb:0:800:1::1", &to.sin6_addr);
        for (int i = 0; i < 2; i++)
            EXPECT_EQ(sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 1) << strerror(errno);
        close(fd);
    });
    // Frames of the peer's are counted as they arrive; a bounded wait for them.
    json st;
    for (int i = 0; i < 100; i++) {
        st = ok_json({"receive", "stats"});
        if (st["reasons"]["not_ours"]["packets"].get<uint64_t>() >= 2)
            break;
        usleep(20000);
    }
    ASSERT_EQ(st["reasons"].size(), 16u) << st.dump();
    EXPECT_GE(st["reasons"]["not_ours"]["packets"].get<uint64_t>(), 2u) << st.dump();
    EXPECT_EQ(st["reasons"]["decapsulated"]["packets"], 0);
    EXPECT_EQ(st["paths"], json::array());
    const std::string text = ok({"receive", "stats"});
    EXPECT_NE(text.find("Received frames by reason"), std::string::npos);
    EXPECT_NE(text.find("No sender paths counted"), std::string::npos);
}

TEST_F(ReceiveCli, ApplyFileWithSids) {
    const std::string file = config("rx.json", R"({"sids": [
        {"prefix": "fcbb:0:e002:fe06::/64", "behavior": "udt6"},
        {"prefix": "fcbb:0:e002:fe04::/64", "behavior": "End.DT4", "path_stats": false}]})");
    fails({"apply", "-f", file}, 1, "attach it first (srv6steer receive attach DEV)");
    ok({"receive", "attach", "veth0"});
    ok({"sid", "add", "fcbb:0:e002:fe09::/64", "udt46"});  // not in the file: goes
    EXPECT_EQ(ok({"apply", "-f", file, "--dry-run"}),
              "- sid fcbb:0:e002:fe09::/64 udt46\n"
              "+ sid fcbb:0:e002:fe04::/64 udt4 (no path counters)\n"
              "+ sid fcbb:0:e002:fe06::/64 udt6\n"
              "3 changes to the receive side (dry run: none made)\n");
    EXPECT_EQ(ok_json({"sid", "list"}).size(), 1u);
    ok({"apply", "-f", file});
    EXPECT_EQ(ok_json({"sid", "list"}),
              json::parse(R"([{"prefix": "fcbb:0:e002:fe04::/64", "behavior": "udt4", "path_stats": false},
                             {"prefix": "fcbb:0:e002:fe06::/64", "behavior": "udt6", "path_stats": true}])"));
    EXPECT_NE(ok({"apply", "-f", file}).find("already matches"), std::string::npos);

    const std::string bad = config("bad.json", R"({"sids": [
        {"prefix": "10.0.0.0/8", "behavior": "udt4"},
        {"prefix": "fcbb:0:e002:fe06::/64", "behavior": "udt9"},
        {"prefix": "fcbb:0:e002:fe04::/64", "behavior": "udt4", "path_stats": "no"},
        {"prefix": "fcbb:0:e002:fe05::/64", "behaviour": "udt4"}]})");
    const Result r = cli({"apply", "-f", bad});
    EXPECT_EQ(r.code, 1);
    for (const char* want : {"sids[0].prefix: invalid local SID 10.0.0.0/8", "sids[1].behavior: invalid SID behaviour",
                             "sids[2].path_stats: expected true or false", "sids[3].behaviour: unknown key",
                             "nothing was changed"})
        EXPECT_NE(r.err.find(want), std::string::npos) << want << "\n" << r.err;
    EXPECT_EQ(ok_json({"sid", "list"}).size(), 2u);
}

}  // namespace

namespace {

using namespace clitest;

// `agent --config` keeps the file's "sids" on the receive side, round after round.
TEST_F(ReceiveCli, AgentAppliesSids) {
    const std::string file = config("agent.json", R"({"interface": "veth0",
        "sids": [{"prefix": "fcbb:0:e002:fe06::/64", "behavior": "udt46"}]})");
    ok({"receive", "attach", "veth0"});
    ok({"sid", "add", "fcbb:0:e002:fe09::/64", "udt6"});
    const Result r = cli({"agent", "--once", "--no-socket", "-c", file});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("+ sid fcbb:0:e002:fe06::/64 udt46"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("- sid fcbb:0:e002:fe09::/64 udt6"), std::string::npos) << r.out;
    EXPECT_EQ(ok_json({"sid", "list"}),
              json::parse(R"([{"prefix": "fcbb:0:e002:fe06::/64", "behavior": "udt46", "path_stats": true}])"));
}

}  // namespace
