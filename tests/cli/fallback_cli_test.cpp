// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Path fallbacks through the CLI: `path add --fallback`, `path fallback`,
// `path list` (and -j), the apply file's "fallback", refusals, and two
// processes changing fallbacks and paths at once (one writer at a time: the
// state lock; every run ends in a state where no fallback names a path or
// set that is gone).
#include <latch>
#include <thread>

#include "cli_fixture.hpp"

using namespace clitest;

namespace {

const std::vector<std::string> kPath1 = {"path", "add", "1", "--segs", "fcbb:0:1004:1001:1006:fe06::"};
const std::vector<std::string> kPath2 = {"path", "add", "2", "--segs", "fcbb:0:1004:1002:1006:fe06::"};
const std::vector<std::string> kPath3 = {"path", "add", "3", "--segs", "fcbb:0:1004:1003:1006:fe06::"};

std::vector<std::string> plus(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

json path_json(const json& list, uint32_t id) {
    for (const auto& p : list)
        if (p["id"] == id)
            return p;
    return {};
}

}  // namespace

TEST_F(Cli, PathFallbackCommandsListAndRefusals) {
    attach();
    ok(kPath1);
    ok(kPath2);
    ok(plus(kPath3, {"--fallback", "path:1"}));
    ok({"set", "add", "10", "1", "2"});
    EXPECT_EQ(path_json(ok_json({"path", "list"}), 3)["fallback"], "path:1");
    EXPECT_EQ(path_json(ok_json({"path", "list"}), 1)["fallback"], nullptr);

    EXPECT_NE(ok({"path", "fallback", "1", "set:10"}).find("path 1 on veth0 falls back to set:10"), std::string::npos);
    ok({"path", "fallback", "1", "path:3"});  // allowed: 3 falls back to 1, 1 to 3 (one level each)
    const std::string table = ok({"path", "list"});
    EXPECT_NE(table.find("Fallback"), std::string::npos) << table;
    EXPECT_NE(table.find("path:1"), std::string::npos) << table;

    fails({"path", "fallback", "1", "path:1"}, 1, "path 1 cannot fall back to itself");
    fails({"path", "fallback", "1", "set:11"}, 1, "set 11 does not exist");
    fails({"path", "fallback", "9", "path:1"}, 1, "path 9 does not exist");
    fails({"path", "fallback", "1", "spine:1"}, 2, "expected path:ID");
    fails({"path", "fallback", "1"}, 2, "");
    fails(plus(kPath2, {"--fallback", "set"}), 2, "expected path:ID");
    fails({"path", "del", "3"}, 1, "path 3 is the fallback of path 1");
    ok({"path", "fallback", "2", "set:10"});
    fails({"set", "del", "10"}, 1, "path set 10 is the fallback of path 2");
    EXPECT_EQ(path_json(ok_json({"path", "list"}), 1)["fallback"], "path:3") << "refusals changed nothing";

    ok({"path", "fallback", "2", "none"});
    ok({"path", "fallback", "3", "none"});
    EXPECT_EQ(path_json(ok_json({"path", "list"}), 3)["fallback"], nullptr);
    ok({"path", "fallback", "1", "none"});
    ok({"set", "del", "10"});
    ok({"path", "del", "1"});
}

TEST_F(Cli, ApplyFileFallbacks) {
    attach();
    const std::string file = config("fb.json", R"({
      "paths": [
        {"id": 1, "segments": ["fcbb:0:1004:1001:1006:fe06::"], "fallback": "set:10"},
        {"id": 2, "segments": ["fcbb:0:1004:1002:1006:fe06::"], "fallback": "path:3"},
        {"id": 3, "segments": ["fcbb:0:1004:1003:1006:fe06::"]},
        {"id": 4, "segments": ["fcbb:0:1004:1005:1006:fe06::"]}
      ],
      "sets": [{"id": 10, "paths": [3, 4]}]
    })");
    const std::string out = ok({"apply", "-f", file});
    EXPECT_NE(out.find("~ path 1: fallback none -> set:10"), std::string::npos) << out;
    const json paths = ok_json({"path", "list"});
    EXPECT_EQ(path_json(paths, 1)["fallback"], "set:10");
    EXPECT_EQ(path_json(paths, 2)["fallback"], "path:3");
    EXPECT_EQ(path_json(paths, 3)["fallback"], nullptr);
    EXPECT_EQ(ok({"apply", "-f", file}), "veth0 already matches " + file + ": nothing to change\n");

    // A file without set 10 and path 3: the fallbacks go first, then they.
    const std::string less = config("less.json", R"({
      "paths": [
        {"id": 1, "segments": ["fcbb:0:1004:1001:1006:fe06::"], "fallback": "path:4"},
        {"id": 2, "segments": ["fcbb:0:1004:1002:1006:fe06::"]},
        {"id": 4, "segments": ["fcbb:0:1004:1005:1006:fe06::"]}
      ]
    })");
    ok({"apply", "-f", less});
    const json after = ok_json({"path", "list"});
    EXPECT_EQ(after.size(), 3u);
    EXPECT_EQ(path_json(after, 1)["fallback"], "path:4");
    EXPECT_EQ(path_json(after, 2)["fallback"], nullptr);

    // Bad files: every problem with its place, nothing changed.
    const json before = snapshot();
    const std::string bad = config("bad.json", R"({
      "paths": [
        {"id": 1, "segments": ["fcbb:0:1004:1001:1006:fe06::"], "fallback": "set:11"},
        {"id": 2, "segments": ["fcbb:0:1004:1002:1006:fe06::"], "fallback": "path:2"},
        {"id": 3, "segments": ["fcbb:0:1004:1003:1006:fe06::"], "fallback": 3},
        {"id": 4, "segments": ["fcbb:0:1004:1005:1006:fe06::"], "fallback": "set:12"},
        {"id": 5, "segments": ["fcbb:0:1004:1007:1006:fe06::"], "fallback": "spine 1"}
      ],
      "sets": [{"id": 12, "paths": [4, 4]}]
    })");
    Result r = cli({"apply", "-f", bad});
    EXPECT_EQ(r.code, 1) << r.err;
    for (const char* want : {"paths[0].fallback: set 11 is not in the file",
                             "paths[1].fallback: path 2 cannot fall back to itself",
                             "paths[2].fallback: expected \"path:ID\", \"set:ID\" or null, got 3",
                             "paths[3].fallback: path 4 cannot fall back to set 12, which holds only path 4",
                             "paths[4].fallback: invalid target \"spine 1\"", "nothing was changed"})
        EXPECT_NE(r.err.find(want), std::string::npos) << want << "\n" << r.err;
    EXPECT_EQ(snapshot(), before);
}

// Process A moves path 1's fallback between path 3 and none while process B
// removes and re-adds path 3: every run either succeeds or is refused with
// the message that says why, and at the end no fallback names a missing path.
TEST_F(Cli, FallbacksAndPathsChangedAtOnce) {
    attach();
    ok(kPath1);
    ok(kPath3);
    const int rounds = 25;
    std::vector<Result> a, b;
    std::latch go(2);
    std::thread t([&] {
        go.arrive_and_wait();
        for (int i = 0; i < rounds; i++)
            a.push_back(cli({"path", "fallback", "1", i % 2 ? "none" : "path:3"}));
    });
    go.arrive_and_wait();
    for (int i = 0; i < rounds; i++)
        b.push_back(cli(i % 2 ? kPath3 : std::vector<std::string>{"path", "del", "3"}));
    t.join();
    for (const Result& r : a) {
        if (r.code != 0) {
            EXPECT_NE(r.err.find("path 3 does not exist"), std::string::npos) << r.err;
        }
    }
    for (const Result& r : b) {
        if (r.code != 0) {
            EXPECT_TRUE(r.err.find("path 3 is the fallback of path 1") != std::string::npos ||
                        r.err.find("path 3 does not exist") != std::string::npos)
                << r.err;
        }
    }
    const json paths = ok_json({"path", "list"});
    const json fb = path_json(paths, 1)["fallback"];
    if (fb == "path:3") {
        EXPECT_FALSE(path_json(paths, 3).is_null()) << "the fallback names a path that exists: " << paths.dump();
    } else {
        EXPECT_EQ(fb, nullptr);
    }
}

// A fallback's paths count for the route MTU of the pins whose paths fall
// back to it: a fallback with an SRH of two segments (40 + 8 + 32 bytes)
// lowers the route of a pin to a one-container path (40 bytes) before it can
// be taken, and clearing it gives the room back.
TEST_F(Cli, RouteMtusMakeRoomForFallbacks) {
    attach();
    ok(kPath1);
    ok({"path", "add", "5", "--segs", "fcbb:0:1004:1002:1006:fe06::,fcbb:0:1005:fe06::,fcbb:0:1006:fe06::"});
    ok({"pin", "flow", "udp", "fcbb:0:800:1::1", "7", "fcbb:0:800:2::20", "7", "--path", "1"});
    EXPECT_NE(ok({"status", "-v"}).find("route fcbb:0:800:2::20/128 mtu 1460 (added)"), std::string::npos);
    ok({"path", "fallback", "1", "path:5"});
    const std::string v = ok({"status", "-v"});
    EXPECT_NE(v.find("route fcbb:0:800:2::20/128 mtu 1420 (added)"), std::string::npos) << v;
    ok({"path", "fallback", "1", "none"});
    EXPECT_NE(ok({"status", "-v"}).find("route fcbb:0:800:2::20/128 mtu 1460 (added)"), std::string::npos);
}
