// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The srv6steer commands end to end, as a user runs them (cli_fixture.hpp):
// help, usage errors and exit codes, attach/status/detach, paths, sets and
// pins, counters, gc, and bad input (exact message, exit code, state
// unchanged). `apply` is apply_test.cpp; namespaces, permissions and dead
// attachments are state_test.cpp.
#include <net/if.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_fixture.hpp"
#include "srv6steer/abi.h"

namespace {

using namespace clitest;

// ---- help, usage, exit codes ------------------------------------------------------

TEST_F(Cli, HelpOnTheToolAndEverySubcommand) {
    Result r = raw({"--help"});
    EXPECT_EQ(r.code, 0);
    for (const char* cmd : {"attach DEV", "status [DEV]", "path add ID", "set add ID PATH_ID...", "pin flow PROTO",
                            "unpin qp DST QP", "list prefixes", "stats", "gc", "apply -f FILE"})
        EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd << "\n" << r.out;
    for (auto words : {"attach", "detach", "status", "stats", "gc", "path add", "path list", "set add", "pin flow",
                       "pin qp", "pin prefix", "unpin flow", "list flows", "apply"}) {
        Result h = raw(cat(split(words), {"--help"}));
        EXPECT_EQ(h.code, 0) << words;
        EXPECT_NE(h.out.find("Usage:"), std::string::npos) << words << "\n" << h.out;
        EXPECT_NE(h.out.find("--bpffs"), std::string::npos) << words;
        EXPECT_NE(h.out.find("-n, --netns NAME"), std::string::npos) << words << "\n" << h.out;
    }
    Result g = raw({"pin", "--help"});
    EXPECT_EQ(g.code, 0);
    EXPECT_NE(g.out.find("pin qp DST QP"), std::string::npos) << g.out;
    EXPECT_NE(raw({"attach", "--help"}).out.find("--max-flows N"), std::string::npos);

    Result none = raw({});
    EXPECT_EQ(none.code, 2);
    EXPECT_NE(none.err.find("Usage: srv6steer [-n NAME] COMMAND"), std::string::npos) << none.err;
}

TEST_F(Cli, UsageErrorsExitTwoAndChangeNothing) {
    Result r = raw({"stat"});  // no prefix matching
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("unknown command \"stat\""), std::string::npos) << r.err;
    r = raw({"path", "ad", "1"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("unknown path subcommand \"ad\": expected one of add, del, up, down, fallback, list"),
              std::string::npos)
        << r.err;
    r = raw({"pin"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("pin needs a subcommand: flow, qp, prefix"), std::string::npos) << r.err;

    fails({"status", "--bogus"}, 2, "unknown option \"--bogus\"");
    fails({"status", "veth0", "extra"}, 2, "unexpected argument \"extra\"");
    fails({"attach"}, 2, "missing DEV");
    fails({"attach", "veth0", "--hop-limit", "256"}, 2, "invalid --hop-limit \"256\": expected a number from 1 to 255");
    fails({"attach", "veth0", "--hop-limit", "0"}, 2, "invalid --hop-limit \"0\"");
    fails({"attach", "veth0", "--hop-limit", "64x"}, 2, "invalid --hop-limit \"64x\"");
    fails({"attach", "veth0", "--hop-limit", "+64"}, 2, "invalid --hop-limit \"+64\"");
    fails({"attach", "veth0", "--max-flows", "0x"}, 2, "invalid --max-flows \"0x\"");
    fails({"attach", "veth0", "--mtu", "100"}, 2, "invalid --mtu \"100\": expected a number from 1280 to 65535");
    fails({"attach", "veth0", "--mtu", "1500", "--mtu", "1400"}, 2, "--mtu given more than once");
    fails({"attach", "veth0", "--src", "fcbb::1::2"}, 2, "invalid IPv6 address \"fcbb::1::2\"");
    // Nothing was attached by any of them.
    EXPECT_EQ(ok({"status"}), "srv6steer is not attached to any interface\n");
    EXPECT_EQ(ok_json({"status"}), json::array());

    attach();
    add_paths();
    const json before = snapshot();
    fails({"path", "add", "4096", "--segs", "fcbb:0:1::"}, 2, "invalid ID \"4096\": expected a number from 0 to 4095");
    fails({"path", "add", "5"}, 2, "give the path as --usids LIST --block PREFIX or as --segs");
    fails({"path", "add", "5", "--usids", "1004"}, 2, "--usids needs --block PREFIX");
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "70000", "--path", "1"}, 2,
          "invalid DPORT \"70000\": expected a number from 0 to 65535");
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201"}, 2, "give the target as --path ID or as --set ID");
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "1", "--set", "2"}, 2,
          "give the target as --path ID or as --set ID");
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "-1"}, 2, "");
    fails({"pin", "flow", "bogus", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "1"}, 2, "invalid protocol");
    fails({"pin", "qp", kDst, "0x1000000", "--path", "1"}, 2, "invalid QP \"0x1000000\"");
    fails({"pin", "prefix", "fcbb:0:800:2::1/64", "--path", "1"}, 2, "address bits set past /64");
    fails({"set", "add", "10"}, 2, "missing PATH_ID");
    fails({"set", "add", "4096", "1"}, 2, "invalid ID \"4096\": expected a number from 0 to 4095");
    fails({"path", "list", "-j", "--owner-pid", "1"}, 2, "unknown option \"--owner-pid\"");
    fails({"apply"}, 2, "missing -f FILE");
    r = raw({"-n"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("-n needs a network namespace name"), std::string::npos) << r.err;
    r = raw({"-n", "x", "status", "-n", "y"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("-n/--netns given more than once"), std::string::npos) << r.err;
    fails({"pin", "flow", "sctp", "fcbb:0:800:1::1", "1", kDst, "2", "--path", "1"}, 2,
          "invalid protocol \"sctp\": flows are tcp or udp");
    fails({"pin", "flow", "132", "fcbb:0:800:1::1", "1", kDst, "2", "--path", "1"}, 2, "invalid protocol \"132\"");
    EXPECT_EQ(snapshot(), before);
}

// ---- attach, status, detach ----------------------------------------------------------

TEST_F(Cli, AttachStatusDetachRoundTrip) {
    attach({"--hop-limit", "32"});
    Result again = cli({"attach", "veth0"});
    EXPECT_EQ(again.code, 1);
    EXPECT_NE(again.err.find("already attached to veth0"), std::string::npos) << again.err;

    add_paths();
    ok({"set", "add", "10", "1", "2"});
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "1"});
    EXPECT_NE(routes().find("proto 94"), std::string::npos) << "a route MTU for the pinned destination";

    const std::string text = ok({"status"});
    EXPECT_NE(text.find("srv6steer status"), std::string::npos) << text;
    for (const char* col : {"Interface", "Mode", "Prog", "Link", "Source", "MTU", "Paths", "Sets", "Flows", "QPs",
                            "Prefixes", "Steered", "State"})
        EXPECT_NE(text.find(col), std::string::npos) << col;
    EXPECT_NE(text.find("veth0"), std::string::npos);
    EXPECT_NE(text.find("tcx"), std::string::npos);
    EXPECT_NE(text.find("fcbb:0:800:1::1"), std::string::npos);
    EXPECT_NE(text.find("1/262144"), std::string::npos) << text;
    EXPECT_NE(text.find("steering"), std::string::npos) << text;
    EXPECT_EQ(text.find("not steering"), std::string::npos) << text;
    Result check = cli({"status", "--check"});
    EXPECT_EQ(check.code, 0) << check.err;
    EXPECT_EQ(check.out, text);
    EXPECT_EQ(ok({"status", "veth0"}), text);

    const std::string verbose = ok({"status", "-v"});
    EXPECT_NE(verbose.find(" =>"), std::string::npos) << verbose;
    EXPECT_NE(verbose.find("hop limit 32"), std::string::npos) << verbose;
    EXPECT_NE(verbose.find("route fcbb:0:800:2::20/128 mtu 1460 (added)"), std::string::npos) << verbose;

    const json st = ok_json({"status", "-v"});
    ASSERT_EQ(st.size(), 1u);
    EXPECT_EQ(st[0]["interface"], "veth0");
    EXPECT_EQ(st[0]["mode"], "tcx");
    EXPECT_EQ(st[0]["source"], "fcbb:0:800:1::1");
    EXPECT_EQ(st[0]["hop_limit"], 32);
    EXPECT_EQ(st[0]["paths"], 2);
    EXPECT_EQ(st[0]["sets"], 1);
    EXPECT_EQ(st[0]["flows"], json({{"used", 1}, {"max", 262144}}));
    EXPECT_EQ(st[0]["healthy"], true);
    EXPECT_EQ(st[0]["problems"], json::array());
    EXPECT_TRUE(std::string(st[0]["netns"]).starts_with("ns:[")) << "a namespace without a name: " << st[0]["netns"];
    EXPECT_NE(st[0]["netns_cookie"], 0);
    ASSERT_EQ(st[0]["routes"].size(), 1u);
    const json route = st[0]["routes"][0];
    EXPECT_EQ(route["dst"], "fcbb:0:800:2::20/128");
    EXPECT_EQ(route["mtu"], 1460) << "1500 less 40 bytes of outer IPv6 header (path 1 has no SRH)";
    EXPECT_EQ(route["added"], true);
    EXPECT_EQ(route["table"], 254);
    EXPECT_EQ(route["pins"], 1);
    const uint32_t link_id = st[0]["link_id"], prog_id = st[0]["prog_id"];
    EXPECT_GT(link_id, 0u);
    EXPECT_GT(prog_id, 0u);
    const std::string pin_dir = st[0]["pin_dir"];
    EXPECT_TRUE(pin_dir.starts_with(bpffs_ + "/srv6steer/")) << pin_dir;

    // bpftool 7.1 shows tcx links as "type 11" without an ifindex: find ours by id.
    auto our_link = [&] {
        for (const auto& l : bpf_links())
            if (l["id"] == link_id || l["prog_id"] == prog_id)
                return true;
        return false;
    };
    EXPECT_TRUE(our_link());
    fails({"status", "veth1"}, 1, "no interface named veth1");  // veth1 is in the peer's namespace
}

TEST_F(Cli, DetachRemovesEverything) {
    attach();
    add_paths();
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "2"});
    ok({"pin", "prefix", "fcbb:0:800:2::/64", "--path", "1"});
    const json st = ok_json({"status"});
    const uint32_t link_id = st[0]["link_id"];

    EXPECT_EQ(ok({"detach", "veth0"}), "detached from veth0\n");
    EXPECT_EQ(pins_left(), std::vector<std::string>{});
    EXPECT_EQ(sh("tc filter show dev veth0 egress"), "");
    EXPECT_EQ(sh("ip -6 route show table all proto 94"), "");
    const std::string route = sh("ip -6 route show fcbb:0:800:2::/64");
    EXPECT_NE(route.find("fcbb:0:800:2::/64 via fcbb:0:800:1::2 dev veth0"), std::string::npos) << route;
    EXPECT_EQ(route.find("mtu"), std::string::npos) << "the MTU set on an existing route is put back: " << route;
    for (const auto& l : bpf_links())
        EXPECT_NE(l["id"], link_id) << "the tcx link is gone";
    EXPECT_EQ(ok({"status"}), "srv6steer is not attached to any interface\n");
    EXPECT_EQ(ok({"status", "veth0"}), "srv6steer is not attached to veth0\n");

    fails({"detach", "veth0"}, 1, "srv6steer is not attached to veth0");
    // Not attached is the state, not the command line: exit 1.
    fails({"path", "list"}, 1, "srv6steer is not attached to any interface: attach one first (srv6steer attach DEV)");
    fails({"path", "list", "-d", "veth0"}, 1, "srv6steer is not attached to veth0");
    fails({"path", "list", "-d", "veth0"}, 1, "(attach it first: srv6steer attach veth0)");
    fails({"status", "--check"}, 1, "srv6steer is not attached to any interface");
    fails({"status", "veth0", "--check"}, 1, "srv6steer is not attached to veth0");
}

TEST_F(Cli, DevDefaultsToTheOnlyAttachedInterface) {
    sh("ip link add veth2 type veth peer name veth3 && ip link set veth2 up && ip link set veth3 up");
    attach();
    EXPECT_EQ(ok_json({"path", "list"}), json::array());
    ok({"attach", "veth2", "--src", "fcbb:0:800:9::1"});
    fails({"path", "list"}, 1, "srv6steer is attached to veth0, veth2: choose one with -d DEV");
    ok({"path", "add", "1", "--segs", "fcbb:0:1004::", "-d", "veth2"});
    EXPECT_EQ(ok_json({"path", "list", "-d", "veth0"}), json::array());
    EXPECT_EQ(ok_json({"path", "list", "--dev", "veth2"}).size(), 1u);
    const json st = ok_json({"status"});
    ASSERT_EQ(st.size(), 2u);
    EXPECT_EQ(st[1]["interface"], "veth2");
    EXPECT_EQ(st[1]["source"], "fcbb:0:800:9::1");
    fails({"path", "list", "-d", "lo"}, 1, "srv6steer is not attached to lo");
}

// ---- paths, sets, pins, lists ----------------------------------------------------------

TEST_F(Cli, PathsSetsPinsAndJsonLists) {
    attach();
    add_paths();
    ok({"path", "add", "3", "--usids", "1004,1002,1006,fe06", "--block", "fcbb:0::/32", "--down"});
    ok({"set", "add", "10", "1", "2", "3"});
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "1"});
    ok({"pin", "qp", kDst, "0x123", "--set", "10"});
    ok({"pin", "prefix", "fcbb:0:800:2::/64", "--path", "2"});

    const json paths = ok_json({"path", "list"});
    ASSERT_EQ(paths.size(), 3u);
    EXPECT_EQ(paths[0], json({{"id", 1}, {"segments", {"fcbb:0:1004:1001:1006:fe06::"}}, {"srh", "reduced"}, {"down", false}, {"fallback", nullptr}}));
    EXPECT_EQ(paths[1]["segments"], json({"fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"}));
    EXPECT_EQ(paths[1]["srh"], "full");
    EXPECT_EQ(paths[2]["down"], true);
    ok({"path", "up", "3"});
    EXPECT_EQ(ok_json({"path", "list"})[2]["down"], false);
    ok({"path", "down", "3"});
    EXPECT_EQ(ok_json({"path", "list"})[2]["down"], true);

    EXPECT_EQ(ok_json({"set", "list"}), json::parse(R"([{"id":10,"paths":[1,2,3]}])"));
    ok({"set", "add", "10", "1", "2"});  // change a set in place
    EXPECT_EQ(ok_json({"set", "list"}), json::parse(R"([{"id":10,"paths":[1,2]}])"));

    const json flows = ok_json({"list", "flows"});
    ASSERT_EQ(flows.size(), 1u);
    EXPECT_EQ(flows[0]["flow"], kFlow);
    EXPECT_EQ(flows[0]["path"], 1);
    EXPECT_EQ(flows[0]["owner_pid"], 0) << "CLI pins belong to nobody";
    EXPECT_EQ(flows[0]["packets"], 0);
    const json qps = ok_json({"list", "qps"});
    ASSERT_EQ(qps.size(), 1u);
    EXPECT_EQ(qps[0]["qp"], "fcbb:0:800:2::20 0x000123");
    EXPECT_EQ(qps[0]["set"], 10);
    const json prefixes = ok_json({"list", "prefixes"});
    ASSERT_EQ(prefixes.size(), 1u);
    EXPECT_EQ(prefixes[0]["prefix"], "fcbb:0:800:2::/64");
    EXPECT_EQ(prefixes[0]["path"], 2);

    const std::string table = ok({"list", "flows"});
    EXPECT_NE(table.find("Flows pinned on veth0"), std::string::npos) << table;
    EXPECT_NE(table.find(kFlow), std::string::npos) << table;

    // Things in use cannot go; nothing changes when they are refused.
    const json before = snapshot();
    fails({"path", "del", "1"}, 1, "path 1 is used by set 10");
    fails({"set", "del", "10"}, 1, "path set 10 still has pins");
    EXPECT_EQ(snapshot(), before);

    // Re-pin, unpin, remove.
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--set", "10", "--replace"});
    EXPECT_EQ(ok_json({"list", "flows"})[0]["set"], 10);
    EXPECT_NE(ok({"unpin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201"}).find("unpinned"), std::string::npos);
    ok({"unpin", "qp", kDst, "291"});  // 0x123 in decimal
    ok({"unpin", "prefix", "fcbb:0:800:2::/64"});
    fails({"unpin", "prefix", "fcbb:0:800:2::/64"}, 1, "prefix fcbb:0:800:2::/64 is not pinned on veth0");
    EXPECT_EQ(ok({"list", "qps"}), "No queue pairs pinned on veth0\n");
    ok({"set", "del", "10"});
    ok({"path", "del", "3"});
    EXPECT_EQ(ok_json({"path", "list"}).size(), 2u);
    EXPECT_EQ(ok({"set", "list"}), "No path sets on veth0\n");
    fails({"path", "del", "3"}, 1, "path 3 does not exist");
}

TEST_F(Cli, PacketsThroughVethRaiseThePathCounters) {
    attach();
    add_paths();
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "2"});

    constexpr int kPackets = 5;
    constexpr size_t kPayload = 100;
    send_udp(kDst, 40000, 5201, kPackets);
    const json stats = ok_json({"stats"});
    EXPECT_EQ(stats["interface"], "veth0");
    EXPECT_EQ(stats["reasons"]["steered"]["packets"], kPackets) << stats.dump();
    EXPECT_EQ(stats["reasons"].size(), size_t(SRV6S_R_MAX));
    ASSERT_EQ(stats["paths"].size(), 2u);
    EXPECT_EQ(stats["paths"][0]["id"], 1);
    EXPECT_EQ(stats["paths"][0]["packets"], 0);
    EXPECT_EQ(stats["paths"][1]["id"], 2);
    EXPECT_EQ(stats["paths"][1]["packets"], kPackets);
    EXPECT_GE(stats["paths"][1]["bytes"], kPackets * (40 + 8 + kPayload));

    const json flows = ok_json({"list", "flows"});
    EXPECT_EQ(flows[0]["packets"], kPackets);
    const json st = ok_json({"status", "-v"});
    EXPECT_EQ(st[0]["steered"]["packets"], kPackets);
    EXPECT_EQ(st[0]["reasons"]["steered"]["packets"], kPackets);
    const std::string verbose = ok({"status", "-v"});
    EXPECT_NE(verbose.find(" =>        steered: 5 packets"), std::string::npos) << verbose;
    const std::string table = ok({"stats"});
    EXPECT_NE(table.find("Packets by reason on veth0"), std::string::npos) << table;
    EXPECT_NE(table.find("Packets and health by path on veth0"), std::string::npos) << table;
}

TEST_F(Cli, GcRemovesPinsOfGoneProcessesOnly) {
    attach();
    add_paths();
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        pause();
        _exit(0);
    }
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201", "--path", "1"});
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "40001", kDst, "5201", "--path", "1", "--owner-pid",
        std::to_string(child)});
    EXPECT_EQ(ok_json({"list", "flows"})[1]["owner_pid"], child);
    EXPECT_EQ(ok({"gc"}), "removed 0 stale pins from veth0\n");
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    EXPECT_EQ(ok({"gc"}), "removed 1 stale pin from veth0\n");
    const json flows = ok_json({"list", "flows"});
    ASSERT_EQ(flows.size(), 1u);
    EXPECT_EQ(flows[0]["flow"], kFlow);
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "40001", kDst, "5201", "--path", "1", "--owner-pid",
           std::to_string(child)},
          1, "no process with pid");
}

// ---- bad input: exact message, exit code, state unchanged ----------------------------------

TEST_F(Cli, UnknownInterfaceAndNotABpffs) {
    fails({"attach", "nosuch0"}, 1, "no network interface \"nosuch0\"");
    fails({"status", "nosuch0"}, 1, "no interface named nosuch0");
    const std::string plain = tmp_ + "/plain";
    fs::create_directory(plain);
    Result r = raw({"attach", "veth0", "--bpffs", plain});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find(plain + " is not a BPF filesystem"), std::string::npos) << r.err;
    r = raw({"status", "--bpffs", plain});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("is not a BPF filesystem"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::is_empty(plain));
    EXPECT_EQ(sh("tc filter show dev veth0 egress"), "");
    EXPECT_EQ(ok({"status"}), "srv6steer is not attached to any interface\n");
}

TEST_F(Cli, InvalidPathsAreRefused) {
    attach();
    add_paths();
    const json before = snapshot();
    fails({"path", "add", "5", "--segs", "fcbb::1::2"}, 2, "invalid IPv6 address \"fcbb::1::2\"");
    fails({"path", "add", "5", "--segs", "fcbb:0:1004::,"}, 2, "invalid IPv6 address \"\"");
    fails({"path", "add", "5", "--usids", "1004", "--block", "fcbb:0::/33"}, 2, "length /33 not allowed");
    fails({"path", "add", "5", "--usids", "1004", "--block", "fcbb:0:1::/32"}, 2, "has bits set past /32");
    fails({"path", "add", "5", "--usids", "1004,zz", "--block", "fcbb:0::/32"}, 2, "invalid uSID \"zz\"");
    fails({"path", "add", "5", "--usids", "10040", "--block", "fcbb:0::/32"}, 2, "has more than 4 hex digits");
    std::string many;
    for (int i = 1; i <= 55; i++)
        many += (many.empty() ? "" : ",") + std::to_string(1000 + i);
    fails({"path", "add", "5", "--usids", many, "--block", "fcbb:0::/32"}, 1,
          "55 uSIDs need 10 containers in block fcbb::/32");
    std::string nine;
    for (int i = 1; i <= 9; i++)
        nine += (nine.empty() ? "" : ",") + std::string("fcbb:0:") + std::to_string(1000 + i) + "::";
    fails({"path", "add", "5", "--segs", nine, "--full-srh"}, 1, "9 segments do not fit a full SRH");
    fails({"path", "add", "1", "--segs", "fcbb:0:1004::"}, 1, "path 1 already exists with other segments");
    fails({"set", "add", "10", "1", "7"}, 1, "path set 10 names path 7, which does not exist");
    fails({"path", "up", "7"}, 1, "path 7 does not exist");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(Cli, DuplicateConflictingAndDanglingPins) {
    attach();
    add_paths();
    const std::vector<std::string> flow{"pin", "flow", "udp", "fcbb:0:800:1::1", "40000", kDst, "5201"};
    ok(cat(flow, {"--path", "1"}));
    const json before = snapshot();
    const std::string routes_before = routes();
    ok(cat(flow, {"--path", "1"}));  // the same pin again: nothing to do
    fails(cat(flow, {"--path", "2"}), 1, "is already pinned to path 1: unpin it first, or pin with replace");
    fails(cat(flow, {"--path", "9"}), 1, "path 9 does not exist on veth0");
    fails({"pin", "qp", kDst, "7", "--set", "3"}, 1, "set 3 does not exist on veth0");
    fails({"pin", "prefix", "fcbb:0:900::/64", "--path", "1"}, 1, "no route to fcbb:0:900::");
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "1", "10.0.0.1", "2", "--path", "1"}, 1,
          "mixes IPv4 and IPv6 addresses");
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(routes(), routes_before);
}

TEST_F(Cli, FullFlowMap) {
    attach({"--max-flows", "2"});
    add_paths();
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "1", kDst, "1", "--path", "1"});
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "2", kDst, "2", "--path", "1"});
    const json before = snapshot();
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "3", kDst, "3", "--path", "1"}, 1, "the flows map of veth0 is full: 2 pins are there");
    fails({"pin", "flow", "udp", "fcbb:0:800:1::1", "3", kDst, "3", "--path", "1"}, 1,
          "(srv6steer attach DEV --max-flows N)");
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(ok_json({"status"})[0]["flows"], json({{"used", 2}, {"max", 2}}));
}

}  // namespace
