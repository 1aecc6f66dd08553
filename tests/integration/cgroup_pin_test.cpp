// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Cgroup pins on real sockets (libsrv6steer/cgroups.cpp, cgroupfs.cpp,
// bpf/lib/classify.h): cgroups made for the test under the cgroup2 mount, a
// socket made by a child process inside one (testing/cgroup.hpp), sent through
// the steered network of steered_net.hpp. The socket's cgroup, or its
// deepest pinned ancestor, decides the path; a socket pin beats it, it beats
// a flow pin. Cgroup values are resolved from paths and ids.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "skip.hpp"
#include "steered_net.hpp"
#include "cgroup.hpp"

using namespace srv6steer;
using namespace steernet;
using ::testing::HasSubstr;
using testcg::TempCgroup;

namespace {

class CgroupPins : public ::testing::Test {
protected:
    Network net;
    std::optional<Steering> s;
    std::string mount;
    // a, a/b (its child) and c (a sibling of a), under the cgroup2 mount;
    // removed in reverse order (c, b, a).
    std::optional<TempCgroup> a, b, c;

    void SetUp() override {
        SRV6S_REQUIRE_ROOT();
        const auto m = testcg::mount_point();
        if (!m)
            SRV6S_SKIP_OR_FAIL("no cgroup2 file system is mounted");
        mount = *m;
        ASSERT_NO_FATAL_FAILURE(net.build("cgpin"));
        const std::string base = mount + "/srv6s-test-" + std::to_string(getpid());
        a.emplace(base + "-a");
        b.emplace(base + "-a/b");
        c.emplace(base + "-c");
        ASSERT_TRUE(*a && *b && *c);
        s.emplace(Steering::attach(options()));
        add_paths(*s);
    }

    virtual AttachOptions options() const { return net.options(); }

    // A connected UDP socket made in cgroup `cg`.
    UniqueFd udp_in(const TempCgroup& cg, const Family& f, uint16_t port = 0) {
        UniqueFd fd(testcg::socket_in(cg.path(), f.af, SOCK_DGRAM | SOCK_CLOEXEC));
        if (!fd)
            return fd;
        return open_socket(f.af, SOCK_DGRAM, host_addr(f.af), port, sink_addr(f.af), 9000, std::move(fd));
    }

    // Levels below the cgroup2 root, counted from the path: right in the
    // initial cgroup namespace, where the mount shows the whole tree.
    unsigned level_of(const TempCgroup& cg) const {
        const std::string rel = cg.path().substr(mount.size());
        return static_cast<unsigned>(std::count(rel.begin(), rel.end(), '/'));
    }
    static bool initial_cgroup_namespace() {
        struct stat st {};
        return ::stat("/proc/self/ns/cgroup", &st) == 0 && st.st_ino == 0xEFFFFFFBu;  // CGROUP_NS_INIT_INO
    }
};

TEST_F(CgroupPins, ParsesPathsAndIds) {
    const uint64_t id = testcg::inode(a->path());
    ASSERT_NE(id, 0u);
    EXPECT_EQ(Cgroup::of_path(a->path()).id, id);
    EXPECT_EQ(Cgroup::parse(a->path()).id, id);
    EXPECT_EQ(Cgroup::parse(a->path().substr(mount.size() + 1)).id, id) << "relative to the cgroup2 mount";
    EXPECT_EQ(Cgroup::parse("id:" + std::to_string(id)).id, id);
    EXPECT_EQ(Cgroup{id}.str(), "id:" + std::to_string(id));
    EXPECT_EQ(Cgroup::parse(b->path()).id, testcg::inode(b->path()));
    auto refused = [](const std::string& text, const std::string& why) {
        SCOPED_TRACE(text);
        try {
            Cgroup::parse(text);
            ADD_FAILURE() << "parsed";
        } catch (const Error& e) {
            EXPECT_THAT(e.what(), HasSubstr(why));
        }
    };
    refused("/proc", "is not in a cgroup2 file system");
    refused(a->path() + "/nonexistent", "No such file");
    refused(a->path() + "/cgroup.procs", "is not a directory");
    refused("id:0", "invalid cgroup");
    refused("id:x", "invalid cgroup");
    refused("", "invalid cgroup");
}

TEST_F(CgroupPins, CgroupPinSteersItsSocketsOnly) {
    for (const Family& f : {kV6, kV4}) {
        SCOPED_TRACE(f.name);
        UniqueFd sink = net.sink_socket(f.af, SOCK_DGRAM, 9000);
        UniqueFd in_a = udp_in(*a, f), in_b = udp_in(*b, f), in_c = udp_in(*c, f);
        UniqueFd mine = open_socket(f.af, SOCK_DGRAM, host_addr(f.af), 0, sink_addr(f.af), 9000);
        ASSERT_TRUE(sink && in_a && in_b && in_c && mine);
        s->pin(Cgroup::of_path(a->path()), Target::path(f.srh));

        for (int fd : {in_a.get(), in_b.get()}) {  // a and its descendant
            const auto frame = net.send_one(fd, f, sink.get());
            ASSERT_TRUE(frame);
            expect_on(*frame, f, f.srh);
        }
        for (int fd : {in_c.get(), mine.get()}) {  // a sibling, and this process's cgroup
            const auto frame = net.send_one(fd, f, sink.get());
            ASSERT_TRUE(frame);
            EXPECT_FALSE(frame->encapsulated);
        }
        const auto pins = s->cgroups();
        ASSERT_EQ(pins.size(), 1u);
        EXPECT_EQ(pins[0].key.id, testcg::inode(a->path()));
        EXPECT_EQ(pins[0].target, Target::path(f.srh));
        EXPECT_EQ(pins[0].info.packets, 2u);
        EXPECT_EQ(pins[0].info.bytes, 2u * (14 + f.ip_header + 8 + 100));
        EXPECT_TRUE(s->status().owned_routes.empty()) << "a cgroup pin has no destination";
        EXPECT_TRUE(s->unpin(Cgroup::of_path(a->path())));
        EXPECT_FALSE(s->unpin(Cgroup::of_path(a->path())));
    }
}

// The deepest pinned ancestor of the socket's cgroup wins; only the levels
// that have pins are asked (config), and they follow the pins.
TEST_F(CgroupPins, DeepestPinnedAncestorWins) {
    const Family& f = kV6;
    UniqueFd sink = net.sink_socket(f.af, SOCK_DGRAM, 9000);
    UniqueFd in_a = udp_in(*a, f), in_b = udp_in(*b, f);
    ASSERT_TRUE(sink && in_a && in_b);
    const Cgroup ca = Cgroup::of_path(a->path()), cb = Cgroup::of_path(b->path());
    auto levels = [&] { return s->status().config.cgroup_levels; };
    auto expect_path = [&](int fd, uint32_t id) {
        const auto frame = net.send_one(fd, f, sink.get());
        ASSERT_TRUE(frame);
        expect_on(*frame, f, id);
    };
    EXPECT_TRUE(s->status().config.flags & SRV6S_CFG_NO_CGROUPS);
    s->pin(ca, Target::path(f.plain));
    s->pin(cb, Target::path(f.other));
    if (initial_cgroup_namespace()) {  // else the paths do not tell the levels
        EXPECT_EQ(levels(), (1ull << level_of(*a)) | (1ull << level_of(*b)));
        EXPECT_EQ(s->status().config.cgroup_depth, level_of(*b) + 1);
    }
    EXPECT_FALSE(s->status().config.flags & SRV6S_CFG_NO_CGROUPS);
    ASSERT_NO_FATAL_FAILURE(expect_path(in_b.get(), f.other)) << "b's own pin beats its parent's";
    ASSERT_NO_FATAL_FAILURE(expect_path(in_a.get(), f.plain));
    EXPECT_TRUE(s->unpin(cb));
    if (initial_cgroup_namespace()) {
        EXPECT_EQ(levels(), 1ull << level_of(*a));
    }
    EXPECT_EQ(__builtin_popcountll(levels()), 1);
    ASSERT_NO_FATAL_FAILURE(expect_path(in_b.get(), f.plain)) << "now its parent's pin covers it";
    EXPECT_TRUE(s->unpin(ca));
    EXPECT_EQ(levels(), 0u);
    EXPECT_EQ(s->status().config.cgroup_depth, 0u);
    EXPECT_TRUE(s->status().config.flags & SRV6S_CFG_NO_CGROUPS);
    const auto frame = net.send_one(in_b.get(), f, sink.get());
    ASSERT_TRUE(frame);
    EXPECT_FALSE(frame->encapsulated);
}

// socket -> cgroup -> flow.
TEST_F(CgroupPins, SocketBeatsCgroupBeatsFlow) {
    const Family& f = kV4;
    UniqueFd sink = net.sink_socket(f.af, SOCK_DGRAM, 9000);
    UniqueFd sock = udp_in(*a, f, 40100);
    ASSERT_TRUE(sink && sock);
    auto expect_path = [&](uint32_t id) {
        const auto frame = net.send_one(sock.get(), f, sink.get());
        ASSERT_TRUE(frame);
        expect_on(*frame, f, id);
    };
    s->pin(Flow::parse("udp 10.0.1.1 40100 10.0.2.20 9000"), Target::path(f.other));
    ASSERT_NO_FATAL_FAILURE(expect_path(f.other));
    s->pin(Cgroup::of_path(a->path()), Target::path(f.plain));
    ASSERT_NO_FATAL_FAILURE(expect_path(f.plain)) << "the cgroup pin beats the flow pin";
    s->pin_socket(sock.get(), Target::path(f.srh));
    ASSERT_NO_FATAL_FAILURE(expect_path(f.srh)) << "the socket pin beats the cgroup pin";
    EXPECT_TRUE(s->unpin_socket(sock.get()));
    ASSERT_NO_FATAL_FAILURE(expect_path(f.plain));
    EXPECT_TRUE(s->unpin(Cgroup::of_path(a->path())));
    ASSERT_NO_FATAL_FAILURE(expect_path(f.other));
}

TEST_F(CgroupPins, RefusalsAndNoOps) {
    const Cgroup ca = Cgroup::of_path(a->path());
    try {
        s->pin(ca, Target::path(9));
        ADD_FAILURE() << "pinned to a missing path";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ENOENT);
        EXPECT_THAT(e.what(), HasSubstr("path 9 does not exist"));
    }
    s->pin(ca, Target::path(1));
    s->pin(ca, Target::path(1));  // no-op
    try {
        s->pin(ca, Target::path(2));
        ADD_FAILURE() << "re-pinned without replace";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), EEXIST);
        EXPECT_THAT(e.what(), HasSubstr("cgroup " + ca.str() + " is already pinned to path 1 by pid " +
                                        std::to_string(getpid())));
    }
    PinOptions replace;
    replace.replace = true;
    s->pin(ca, Target::path(2), replace);
    EXPECT_EQ(s->cgroups().at(0).target, Target::path(2));
    EXPECT_EQ(s->cgroups().size(), 1u);

    // A cgroup that is gone has no id any more.
    const uint64_t gone = [&] {
        TempCgroup t(a->path() + "-gone");
        return t.id();
    }();
    try {
        s->pin(Cgroup{gone}, Target::path(1));
        ADD_FAILURE() << "pinned a removed cgroup";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ENOENT);
        EXPECT_THAT(e.what(), HasSubstr("there is no cgroup id:" + std::to_string(gone)));
    }
    EXPECT_EQ(s->status().n_cgroups, 1u);
}

class SmallCgroupMap : public CgroupPins {
protected:
    AttachOptions options() const override {
        AttachOptions o = net.options();
        o.max_cgroups = 2;
        return o;
    }
};

TEST_F(SmallCgroupMap, AFullMapIsReported) {
    EXPECT_EQ(s->status().max_cgroups, 2u);
    s->pin(Cgroup::of_path(a->path()), Target::path(1));
    s->pin(Cgroup::of_path(c->path()), Target::path(1));
    const uint64_t before = s->status().config.cgroup_levels;
    try {
        s->pin(Cgroup::of_path(b->path()), Target::path(1));
        ADD_FAILURE() << "a third pin in a map of two";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), E2BIG);
        EXPECT_THAT(e.what(), HasSubstr("the cgroups map of veth0 is full: 2 pins are there"));
        EXPECT_THAT(e.what(), HasSubstr("max_cgroups"));
    }
    EXPECT_EQ(s->status().config.cgroup_levels, before) << "the failed pin's level went again";
    EXPECT_EQ(s->status().n_cgroups, 2u);
}

// gc removes cgroup pins whose owner or cgroup is gone, and keeps the rest.
TEST_F(CgroupPins, GcRemovesPinsOfGoneCgroupsAndOwners) {
    const pid_t child = gone_pid();
    PinOptions dead;
    dead.owner = Owner{static_cast<uint32_t>(child), 0};
    TempCgroup doomed(a->path() + "-doomed");
    const Cgroup cd = Cgroup::of_path(doomed.path());
    s->pin(Cgroup::of_path(a->path()), Target::path(1));
    s->pin(Cgroup::of_path(b->path()), Target::path(1), dead);
    s->pin(cd, Target::path(1), PinOptions{Owner::none(), false});
    s->pin(Cgroup::of_path(c->path()), Target::path(1), PinOptions{Owner::none(), false});
    ASSERT_TRUE(doomed.remove());
    EXPECT_EQ(s->gc(), 2u) << "b (owner gone) and the removed cgroup";
    std::vector<uint64_t> left;
    for (const auto& p : s->cgroups())
        left.push_back(p.key.id);
    std::vector<uint64_t> want{Cgroup::of_path(a->path()).id, Cgroup::of_path(c->path()).id};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(left, want);
    if (initial_cgroup_namespace()) {
        EXPECT_EQ(s->status().config.cgroup_levels, 1ull << level_of(*a)) << "a and c are both one level deep";
    }
}

}  // namespace
