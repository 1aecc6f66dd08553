// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Where the CLI meets the system around it (cli_fixture.hpp): -n NAME
// switches only the network namespace, `ip netns exec` is refused with the
// way out, a permission problem says so, and a dead attachment shows in
// `status`, fails `status --check` and is removed by `gc`.
#include <net/if.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "cli_fixture.hpp"

namespace {

using namespace clitest;

class State : public Cli {
protected:
    // /run/netns of this test only: a tmpfs on /run in the test's own mount
    // namespace, so `ip netns add` leaves nothing behind on the host.
    void private_run_netns() {
        ASSERT_EQ(mount("tmpfs", "/run", "tmpfs", 0, "mode=0755"), 0) << strerror(errno);
        ASSERT_EQ(mkdir("/run/netns", 0755), 0) << strerror(errno);
    }
    json entry(const json& st, const std::string& dev) {
        for (const auto& e : st)
            if (e["interface"] == dev)
                return e;
        ADD_FAILURE() << "no " << dev << " in " << st.dump();
        return {};
    }
};

TEST_F(State, NetnsOptionSwitchesOnlyTheNetworkNamespace) {
    ASSERT_NO_FATAL_FAILURE(private_run_netns());
    sh("ip netns add blue");
    sh("ip link add veth2 type veth peer name veth3 netns blue && ip link set veth2 up");
    sh("ip -n blue link set lo up && ip -n blue addr add fcbb:0:800:5::1/64 dev veth3 nodad && "
       "ip -n blue link set veth3 up");

    // As `ip -n blue`: before or after the command.
    const std::string out = ok({"-n", "blue", "attach", "veth3"});
    EXPECT_NE(out.find("attached to veth3 (tcx"), std::string::npos) << out;
    EXPECT_NE(out.find("state in " + bpffs_ + "/srv6steer/"), std::string::npos) << "the bpffs given: " << out;
    const json st = ok_json({"status", "-n", "blue", "-v"});
    ASSERT_EQ(st.size(), 1u) << st.dump();
    EXPECT_EQ(st[0]["interface"], "veth3");
    EXPECT_EQ(st[0]["netns"], "blue");
    EXPECT_EQ(st[0]["healthy"], true) << st.dump();
    EXPECT_EQ(st[0]["source"], "fcbb:0:800:5::1");
    EXPECT_EQ(status(), json::array()) << "nothing is attached in the test's own namespace";
    fails({"attach", "veth3"}, 1, "veth3");  // not an interface here

    ok({"-n", "blue", "path", "add", "1", "--segs", "fcbb:0:1004::"});  // -d: the only one attached in blue
    EXPECT_EQ(ok_json({"path", "list", "--netns", "blue"}).size(), 1u);
    EXPECT_NE(sh("ip -n blue link show veth3").find("veth3"), std::string::npos);
    EXPECT_EQ(ok({"--netns=blue", "detach", "veth3"}), "detached from veth3\n");
    EXPECT_EQ(pins_left(), std::vector<std::string>{});
    EXPECT_EQ(ok_json({"-n", "blue", "status"}), json::array());

    fails({"-n", "nosuch", "status"}, 1, "no network namespace \"nosuch\": /run/netns/nosuch is not there");
    fails({"status", "-n", "../x"}, 1, "invalid network namespace name \"../x\"");
}

TEST_F(State, IpNetnsExecIsRefusedWithTheWayOut) {
    ASSERT_NO_FATAL_FAILURE(private_run_netns());
    // The default bpffs of this test's mount namespace is a private one.
    ASSERT_EQ(mount("bpf", "/sys/fs/bpf", "bpf", 0, nullptr), 0) << strerror(errno);
    sh("ip netns add blue");
    Result r = run({"ip", "netns", "exec", "blue", SRV6STEER_BIN, "status"});
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    for (const char* want : {"/sys/fs/bpf is not the BPF filesystem here", "under `ip netns exec blue`",
                             "remounts /sys and so hides /sys/fs/bpf", "Run `srv6steer -n blue ...` instead"})
        EXPECT_NE(r.err.find(want), std::string::npos) << want << "\n" << r.err;
    EXPECT_EQ(r.out, "");
    // The way out works, on the same bpffs.
    r = raw({"-n", "blue", "status"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "srv6steer is not attached to any interface\n");
    // Entered with nsenter --net (the host's /sys): a bpffs that is not
    // there is not hidden, just not mounted: the plain error.
    r = run({"nsenter", "--net=/run/netns/blue", SRV6STEER_BIN, "status", "--bpffs", tmp_});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find(tmp_ + " is not a BPF filesystem"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("ip netns exec"), std::string::npos) << r.err;
    // Outside a named namespace a missing bpffs is the library's plain error.
    r = raw({"status", "--bpffs", tmp_});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find(tmp_ + " is not a BPF filesystem"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("ip netns exec"), std::string::npos) << r.err;
}

TEST_F(State, PermissionProblemsSaySo) {
    attach();
    sh("ip link add veth2 type veth peer name veth3 && ip link set veth2 up && "
       "ip addr add fcbb:0:800:9::1/64 dev veth2 nodad");
    const std::vector<std::string> nobody{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    for (const auto& args : {std::vector<std::string>{"status"}, std::vector<std::string>{"attach", "veth2"},
                             std::vector<std::string>{"path", "list", "-d", "veth0"}}) {
        Result r = run(cat(nobody, with_bpffs(args)));
        std::string cmd;
        for (const auto& a : args)
            cmd += a + " ";
        EXPECT_EQ(r.code, 1) << cmd << "\n" << r.err;
        EXPECT_NE(r.err.find("CAP_BPF"), std::string::npos) << cmd << "\n" << r.err;
        EXPECT_NE(r.err.find("root"), std::string::npos) << cmd << "\n" << r.err;
        EXPECT_EQ(r.err.find("not attached"), std::string::npos) << cmd << "\n" << r.err;
    }
    EXPECT_EQ(status().size(), 1u) << "nothing changed";
}

TEST_F(State, DeadAttachmentsShowFailTheCheckAndGcRemovesThem) {
    sh("ip link add veth2 type veth peer name veth3 && ip link set veth2 up");
    attach();
    ok({"attach", "veth2", "--src", "fcbb:0:800:9::1"});
    const int old_ifindex = entry(status(), "veth2")["ifindex"];
    EXPECT_EQ(old_ifindex, int(if_nametoindex("veth2")));
    ok({"status", "--check"});

    // Deleted and made again: another interface of the same name.
    sh("ip link del veth2 && ip link add veth2 type veth peer name veth3 && ip link set veth2 up");
    ASSERT_NE(int(if_nametoindex("veth2")), old_ifindex);
    json dead = entry(status(), "veth2");
    EXPECT_EQ(dead["healthy"], false) << dead.dump();
    ASSERT_GE(dead["problems"].size(), 1u) << dead.dump();
    EXPECT_EQ(dead["problems"][0]["kind"], "ifindex_changed") << dead.dump();
    EXPECT_EQ(entry(status(), "veth0")["healthy"], true);
    const std::string text = ok({"status"});
    EXPECT_NE(text.find("NOT STEERING"), std::string::npos) << text;
    EXPECT_NE(text.find(" =>        not steering: "), std::string::npos) << text;
    fails({"status", "--check"}, 1, "srv6steer on veth2 does not steer: ");
    fails({"status", "veth2", "--check"}, 1, "srv6steer on veth2 does not steer: ");
    Result r = cli({"status", "veth0", "--check"});
    EXPECT_EQ(r.code, 0) << r.err;

    // Gone: gc removes its state (and leaves veth0's alone).
    sh("ip link del veth2");
    dead = entry(status(), "veth2");
    EXPECT_EQ(dead["healthy"], false);
    ASSERT_GE(dead["problems"].size(), 1u) << dead.dump();
    EXPECT_EQ(dead["problems"][0]["kind"], "interface_gone") << dead.dump();
    const std::string out = ok({"gc"});
    EXPECT_NE(out.find("removed the state of a dead attachment: " + bpffs_ + "/srv6steer/"), std::string::npos)
        << out;
    EXPECT_NE(out.find("removed 0 stale pins from veth0\n"), std::string::npos) << out;
    const json st = status();
    ASSERT_EQ(st.size(), 1u) << st.dump();
    EXPECT_EQ(st[0]["interface"], "veth0");
    ok({"status", "--check"});
    EXPECT_EQ(ok({"gc"}), "removed 0 stale pins from veth0\n");
}

}  // namespace
