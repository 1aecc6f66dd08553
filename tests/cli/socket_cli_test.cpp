// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Socket and cgroup pins from the command line (cli_fixture.hpp): `pin
// socket PID:FD` on a socket a child process holds (the CLI takes the fd with
// pidfd_getfd), `list sockets`, `unpin socket`; `pin cgroup`, `list
// cgroups`, `unpin cgroup`, `attach --max-cgroups`, cgroups in `apply`
// files; `status`'s counts; and the refusals, each with its message and
// exit code. Counters are checked against the datagrams the test had sent.
#include <fcntl.h>

#include "cgroup.hpp"
#include "cli_fixture.hpp"

namespace {

using namespace clitest;

constexpr int kSoCookie = 57;  // SO_COOKIE
constexpr size_t kPayload = 100;
// What one datagram of kPayload bytes is at TC egress (the counters count
// before encapsulation): Ethernet, IPv6, UDP, payload.
constexpr uint64_t kFrame = 14 + 40 + 8 + kPayload;

// A child process holding a UDP socket [fcbb:0:800:1::1]:sport ->
// [kDst]:9000 (made after it joined `cgroup`, if given), which sends n
// datagrams when told to. It dies with the test at the latest.
class SocketHolder {
public:
    explicit SocketHolder(uint16_t sport, const std::string& cgroup = "") {
        int to_child[2], from_child[2];
        if (pipe2(to_child, O_CLOEXEC) || pipe2(from_child, O_CLOEXEC))
            return;
        pid_ = fork();
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            close(to_child[1]);
            close(from_child[0]);
            serve(sport, cgroup, to_child[0], from_child[1]);
            _exit(0);
        }
        close(to_child[0]);
        close(from_child[1]);
        cmd_ = to_child[1];
        reply_ = from_child[0];
        Hello h{};
        if (read(reply_, &h, sizeof h) == ssize_t(sizeof h)) {
            fd_ = h.fd;
            pipe_fd_ = h.pipe_fd;
            cookie_ = h.cookie;
        }
    }
    ~SocketHolder() {
        close(cmd_);  // the child exits on EOF
        close(reply_);
        if (pid_ > 0)
            waitpid(pid_, nullptr, 0);
    }
    SocketHolder(const SocketHolder&) = delete;
    SocketHolder& operator=(const SocketHolder&) = delete;

    bool ready() const { return fd_ >= 0; }
    pid_t pid() const { return pid_; }
    int fd() const { return fd_; }
    int pipe_fd() const { return pipe_fd_; }  // one of its fds that is not a socket
    uint64_t cookie() const { return cookie_; }
    std::string name() const { return std::to_string(pid_) + ":" + std::to_string(fd_); }
    // Makes the child send n datagrams; returns once they have passed veth0's TC egress.
    void send(uint8_t n) {
        ASSERT_EQ(write(cmd_, &n, 1), 1);
        uint8_t done = 0;
        ASSERT_EQ(read(reply_, &done, 1), 1);
        ASSERT_EQ(done, n);
    }

private:
    struct Hello {
        int fd, pipe_fd;
        uint64_t cookie;
    };
    pid_t pid_ = -1;
    int cmd_ = -1, reply_ = -1, fd_ = -1, pipe_fd_ = -1;
    uint64_t cookie_ = 0;

    static void serve(uint16_t sport, const std::string& cgroup, int cmd, int reply) {
        if (!cgroup.empty())
            testcg::move_into(cgroup);
        const int fd = socket(AF_INET6, SOCK_DGRAM, 0);
        sockaddr_in6 from{}, to{};
        from.sin6_family = to.sin6_family = AF_INET6;
        from.sin6_port = htons(sport);
        to.sin6_port = htons(9000);
        inet_pton(AF_INET6, "fcbb:0:800:1::1", &from.sin6_addr);
        inet_pton(AF_INET6, kDst, &to.sin6_addr);
        Hello h{-1, cmd, 0};
        socklen_t len = sizeof h.cookie;
        if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
            connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 &&
            getsockopt(fd, SOL_SOCKET, kSoCookie, &h.cookie, &len) == 0)
            h.fd = fd;
        (void)!write(reply, &h, sizeof h);
        const char payload[kPayload] = {};
        for (uint8_t n; read(cmd, &n, 1) == 1;) {
            uint8_t sent = 0;
            for (; sent < n; sent++)
                if (::send(fd, payload, sizeof payload, 0) != ssize_t(sizeof payload))
                    break;
            (void)!write(reply, &sent, 1);
        }
    }
};

class SocketCli : public Cli {
protected:
    void SetUp() override {
        Cli::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        attach({"--max-cgroups", "2"});
        add_paths();
    }
    json steered_on(int path) {
        const json stats = ok_json({"stats"});
        for (const auto& p : stats["paths"])
            if (p["id"] == path)
                return p;
        return {};
    }
};

TEST_F(SocketCli, PinAChildsSocketListItUnpinIt) {
    SocketHolder child(41000);
    ASSERT_TRUE(child.ready());
    const std::string out = ok({"pin", "socket", child.name(), "--path", "1"});
    EXPECT_EQ(out, "pinned socket " + child.name() + " (cookie " + std::to_string(child.cookie()) +
                       ", udp fcbb:0:800:1::1 41000 fcbb:0:800:2::20 9000) to path 1 on veth0\n");
    ok({"pin", "socket", child.name(), "--path", "1"});  // the same pin again: a no-op

    ASSERT_NO_FATAL_FAILURE(child.send(4));
    json list = ok_json({"list", "sockets"});
    ASSERT_EQ(list.size(), 1u) << list.dump();
    EXPECT_EQ(list[0]["cookie"], child.cookie());
    EXPECT_EQ(list[0]["family"], "inet6");
    EXPECT_EQ(list[0]["flow"], "udp fcbb:0:800:1::1 41000 fcbb:0:800:2::20 9000");
    EXPECT_EQ(list[0]["path"], 1);
    EXPECT_EQ(list[0]["owner_pid"], child.pid()) << "the pin belongs to the process holding the socket";
    EXPECT_EQ(list[0]["packets"], 4);
    EXPECT_EQ(list[0]["bytes"], 4 * kFrame);
    EXPECT_EQ(steered_on(1)["packets"], 4);
    send_udp(kDst, 41001, 9000, 2);  // another socket, same destination: not steered
    EXPECT_EQ(steered_on(1)["packets"], 4);

    const std::string table = ok({"list", "sockets"});
    for (const std::string& cell : {std::string("Socket"), std::string("Cookie"), std::to_string(child.cookie()),
                                    std::string("udp fcbb:0:800:1::1 41000 fcbb:0:800:2::20 9000"),
                                    "pid " + std::to_string(child.pid()), std::string("path 1")})
        EXPECT_NE(table.find(cell), std::string::npos) << cell << "\n" << table;
    const json st = status();
    ASSERT_EQ(st.size(), 1u);
    EXPECT_EQ(st[0]["sockets"], 1);
    EXPECT_NE(ok({"status"}).find("Sockets"), std::string::npos);

    // Another target: --replace.
    fails({"pin", "socket", child.name(), "--path", "2"}, 1, "already pinned to path 1");
    ok({"pin", "socket", child.name(), "--path", "2", "--replace"});
    EXPECT_EQ(ok_json({"list", "sockets"})[0]["path"], 2);

    EXPECT_EQ(ok({"unpin", "socket", child.name()}), "unpinned socket " + child.name() + " on veth0\n");
    fails({"unpin", "socket", child.name()}, 1,
          "socket " + child.name() + " is not pinned on veth0 (srv6steer list sockets)");
    EXPECT_EQ(ok_json({"list", "sockets"}), json::array());
    EXPECT_EQ(ok({"list", "sockets"}), "No sockets pinned on veth0\n");
    ASSERT_NO_FATAL_FAILURE(child.send(3));
    EXPECT_EQ(steered_on(2)["packets"], 0) << "unpinned: not steered";
}

TEST_F(SocketCli, RefusalsSayWhatIsWrong) {
    SocketHolder child(42000);
    ASSERT_TRUE(child.ready());
    const std::string pid = std::to_string(child.pid());
    fails({"pin", "socket", "4242", "--path", "1"}, 2, "invalid socket \"4242\": expected PID:FD");
    fails({"pin", "socket", "x:1", "--path", "1"}, 2, "invalid socket \"x:1\"");
    fails({"pin", "socket", pid + ":-1", "--path", "1"}, 2, "invalid socket");
    fails({"pin", "socket", child.name()}, 2, "give the target as --path ID or as --set ID");
    fails({"pin", "socket", child.name(), "--path", "1", "--owner-pid", pid}, 2, "unknown option \"--owner-pid\"");
    fails({"unpin", "socket"}, 2, "missing PID:FD");
    fails({"pin", "socket", pid + ":" + std::to_string(child.pipe_fd()), "--path", "1"}, 1,
          "is not a socket (it is a pipe)");
    fails({"pin", "socket", pid + ":999", "--path", "1"}, 1,
          "process " + pid + " has no file descriptor 999 (ls -l /proc/" + pid + "/fd)");
    fails({"pin", "socket", "4194304:3", "--path", "1"}, 1, "no process with pid 4194304");
    fails({"pin", "socket", child.name(), "--path", "9"}, 1, "srv6steer path add");

    // Without the right to ptrace the holder (uid 0, but no capabilities:
    // the child has them all), its fd cannot be taken; the message says why.
    Result r = run(cat({"setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"},
                       with_bpffs({"pin", "socket", child.name(), "--path", "1"})));
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("may not take file descriptor " + std::to_string(child.fd()) + " of process " + pid),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("ptrace"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("CAP_BPF"), std::string::npos) << "not a BPF permission problem: " << r.err;

    EXPECT_EQ(ok_json({"list", "sockets"}), json::array()) << "nothing was pinned";
}

TEST_F(SocketCli, CgroupPinsOfTheCommandLineAndApply) {
    const std::string mount = testcg::mount_point().value_or("");
    if (mount.empty())
        GTEST_SKIP() << "no cgroup2 file system mounted";
    testcg::Cgroup a(mount, "cli-a"), b(mount, "cli-b"), c(mount, "cli-c");
    SocketHolder in_a(43000, a.path());
    ASSERT_TRUE(in_a.ready());

    EXPECT_EQ(ok({"pin", "cgroup", a.path(), "--path", "1"}), "pinned cgroup " + a.path() + " to path 1 on veth0\n");
    const std::string relative = b.path().substr(mount.size() + 1);  // relative to the cgroup2 mount
    EXPECT_EQ(ok({"pin", "cgroup", relative, "--path", "2"}), "pinned cgroup " + b.path() + " to path 2 on veth0\n");
    ASSERT_NO_FATAL_FAILURE(in_a.send(5));
    json list = ok_json({"list", "cgroups"});
    ASSERT_EQ(list.size(), 2u) << list.dump();
    if (list[0]["id"] != a.id())
        std::swap(list[0], list[1]);
    EXPECT_EQ(list[0]["cgroup"], a.path());
    EXPECT_EQ(list[0]["id"], a.id());
    EXPECT_EQ(list[0]["path"], 1);
    EXPECT_EQ(list[0]["owner_pid"], 0) << "pins of the command line belong to nobody";
    EXPECT_EQ(list[0]["packets"], 5);
    EXPECT_EQ(list[0]["bytes"], 5 * kFrame);
    EXPECT_NE(ok({"list", "cgroups"}).find(a.path()), std::string::npos);
    send_udp(kDst, 43001, 9000, 2);  // the test's own cgroup: not pinned
    EXPECT_EQ(steered_on(1)["packets"], 5);

    fails({"pin", "cgroup", "id:" + std::to_string(a.id()), "--path", "2"}, 1, "already pinned to path 1");
    fails({"pin", "cgroup", mount + "/no-such-cgroup", "--path", "1"}, 1, "no-such-cgroup");
    fails({"pin", "cgroup", "id:0", "--path", "1"}, 2, "invalid cgroup \"id:0\"");
    fails({"pin", "cgroup", "id:99999999999", "--path", "1"}, 1, "there is no cgroup id:99999999999");
    ok({"pin", "cgroup", b.path(), "--path", "2"});  // the same pin again: a no-op
    EXPECT_EQ(list[1]["packets"], 0) << "no socket in b";
    // --max-cgroups 2: a third does not fit, and the message says how to make room.
    fails({"pin", "cgroup", c.path(), "--path", "2"}, 1, "srv6steer attach DEV --max-cgroups N");
    const json st = status();
    EXPECT_EQ(st[0]["cgroups"], json({{"used", 2}, {"max", 2}})) << st.dump();

    EXPECT_EQ(ok({"unpin", "cgroup", "id:" + std::to_string(b.id())}), "unpinned cgroup " + b.path() + " on veth0\n");
    fails({"unpin", "cgroup", b.path()}, 1, "is not pinned on veth0 (srv6steer list cgroups)");

    // apply: the file's cgroup pins, as paths or ids; what it leaves out goes.
    const std::string file = config("cgroups.json", R"({"block": "fcbb:0::/32",
        "paths": [{"id": 1, "usids": "1004,1001,1006,fe06"},
                  {"id": 2, "segments": ["fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"], "srh": "full"}],
        "cgroups": [{"cgroup": ")" + a.path() + R"(", "path": 2},
                    {"cgroup": "id:)" + std::to_string(c.id()) + R"(", "path": 1}]})");
    const std::string dry = ok({"apply", "-f", file, "--dry-run"});
    EXPECT_NE(dry.find("~ pin cgroup id:" + std::to_string(a.id()) + ": path 1 -> path 2"), std::string::npos) << dry;
    EXPECT_NE(dry.find("+ pin cgroup id:" + std::to_string(c.id()) + " -> path 1"), std::string::npos) << dry;
    ok({"apply", "-f", file});
    list = ok_json({"list", "cgroups"});
    ASSERT_EQ(list.size(), 2u) << list.dump();
    ok({"apply", "-f", config("none.json", R"({"block": "fcbb:0::/32",
        "paths": [{"id": 1, "usids": "1004,1001,1006,fe06"},
                  {"id": 2, "segments": ["fcbb:0:1004:1001:1005:1002:1006:e003", "fcbb:0:fe06::"], "srh": "full"}]})")});
    EXPECT_EQ(ok_json({"list", "cgroups"}), json::array());
    fails({"apply", "-f", config("bad.json", R"({"cgroups": [{"cgroup": ")" + mount + R"(/gone", "path": 1}]})")}, 1,
          "cgroups[0].cgroup: ");
}

TEST_F(SocketCli, HelpNamesTheNewCommands) {
    Result r = raw({"--help"});
    EXPECT_EQ(r.code, 0);
    for (const char* cmd : {"pin socket PID:FD", "unpin socket PID:FD", "list sockets", "pin cgroup CGROUP",
                            "unpin cgroup CGROUP", "list cgroups"})
        EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd << "\n" << r.out;
    EXPECT_NE(raw({"attach", "--help"}).out.find("--max-cgroups N"), std::string::npos);
    Result g = raw({"pin"});
    EXPECT_NE(g.err.find("pin needs a subcommand: flow, qp, prefix, cgroup, socket"), std::string::npos) << g.err;
}

}  // namespace
