// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The C ABI (srv6steer.h) over libsrv6steer.so, attached for real: a veth
// pair in a private network namespace and a private bpffs. Each test runs in
// its own process (ctest), so the namespaces, the veths and the bpffs mount
// vanish with it, even when a test fails.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "private_ns.hpp"
#include "srv6steer/srv6steer.h"

using ::testing::HasSubstr;
namespace fs = std::filesystem;

extern "C" size_t srv6s_c_layout(int which);
extern "C" int srv6s_c_parse(const char* text, struct srv6s_flow* out);

namespace {

std::string sh(const std::string& cmd) {
    std::string out;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (!p)
        return out;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
    if (int rc = pclose(p); rc != 0)
        ADD_FAILURE() << "command failed (" << rc << "): " << cmd << "\n" << out;
    return out;
}

const char* kHostAddr = "fcbb:0:800:1::10";
const char* kGateway = "fcbb:0:800:1::1";
const char* kDest = "fcbb:0:800:2::20";
const char* kBlock = "fcbb:0::/32";

struct Closer {
    void operator()(srv6s_handle* h) const { srv6s_close(h); }
};
using Handle = std::unique_ptr<srv6s_handle, Closer>;

std::string last_error() { return srv6s_last_error(); }

class CApi : public ::testing::Test {
protected:
    testns::PrivateNamespaces ns_;
    std::string bpffs;

    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(ns_.enter("capi"));
        bpffs = ns_.bpffs();
        sh("ip link set lo up");
        sh("ip link add veth0 type veth peer name veth1");
        sh("ip link set veth0 up && ip link set veth1 up");
        sh(std::string("ip -6 addr add ") + kHostAddr + "/64 dev veth0 nodad");
        // Not /sys/class/net: /sys still shows the namespace we came from.
        const std::string mac = sh("ip -br link show dev veth1 | awk '{print $3}'");
        sh(std::string("ip -6 neigh add ") + kGateway + " lladdr " + mac.substr(0, 17) +
           " dev veth0 nud permanent");
        sh(std::string("ip -6 route add fcbb:0:800:2::/64 via ") + kGateway + " dev veth0");
    }

    // Pinned maps of veth0 anywhere under our bpffs (the directory names this
    // unnamed network namespace).
    bool has_state() const {
        for (const auto& e : fs::recursive_directory_iterator(bpffs))
            if (e.path().filename() == "flows" && e.path().parent_path().filename() == "veth0")
                return true;
        return false;
    }

    Handle attach(uint32_t max_flows = 1024) {
        srv6s_handle* h = nullptr;
        int rc = srv6s_attach("veth0", nullptr, bpffs.c_str(), max_flows, &h);
        EXPECT_EQ(rc, 0) << last_error();
        return Handle(h);
    }

    // One UDP datagram kHostAddr:sport -> kDest:dport, out through veth0.
    static void send_udp(uint16_t sport, uint16_t dport) {
        int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ASSERT_GE(s, 0);
        sockaddr_in6 src{}, dst{};
        src.sin6_family = dst.sin6_family = AF_INET6;
        src.sin6_port = htons(sport);
        dst.sin6_port = htons(dport);
        inet_pton(AF_INET6, kHostAddr, &src.sin6_addr);
        inet_pton(AF_INET6, kDest, &dst.sin6_addr);
        EXPECT_EQ(bind(s, reinterpret_cast<sockaddr*>(&src), sizeof src), 0);
        const char msg[] = "srv6steer";
        EXPECT_EQ(sendto(s, msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst),
                  ssize_t(sizeof msg));
        close(s);
    }
};

std::vector<srv6s_flow_entry> flows(srv6s_handle* h) {
    std::vector<srv6s_flow_entry> out;
    int rc = srv6s_list_flows(
        h,
        [](const srv6s_flow_entry* e, void* ctx) {
            static_cast<std::vector<srv6s_flow_entry>*>(ctx)->push_back(*e);
            return 0;
        },
        &out);
    EXPECT_EQ(rc, 0) << last_error();
    return out;
}

std::map<uint32_t, srv6s_counter> path_stats(srv6s_handle* h, srv6s_stats* st = nullptr) {
    std::map<uint32_t, srv6s_counter> out;
    int rc = srv6s_get_stats(
        h, st,
        [](uint32_t id, const srv6s_counter* c, void* ctx) {
            (*static_cast<std::map<uint32_t, srv6s_counter>*>(ctx))[id] = *c;
            return 0;
        },
        &out);
    EXPECT_EQ(rc, 0) << last_error();
    return out;
}

srv6s_flow flow_at(const char* src, uint16_t sport, const char* dst, uint16_t dport, uint8_t proto) {
    srv6s_flow f{};
    std::snprintf(f.src, sizeof f.src, "%s", src);
    std::snprintf(f.dst, sizeof f.dst, "%s", dst);
    f.sport = sport;
    f.dport = dport;
    f.proto = proto;
    return f;
}

}  // namespace

TEST_F(CApi, AttachPinListStatsDetach) {
    Handle h = attach();
    ASSERT_TRUE(h);
    EXPECT_TRUE(has_state()) << "maps pinned under " << bpffs;
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, "1004,1001,1006,fe06", 0), 0) << last_error();
    ASSERT_EQ(srv6s_pin_flow(h.get(), IPPROTO_UDP, kHostAddr, 40000, kDest, 9000, SRV6S_TARGET_PATH,
                             1, 0, SRV6S_OWNER_SELF),
              0)
        << last_error();
    EXPECT_EQ(srv6s_pin_flow(h.get(), IPPROTO_UDP, kHostAddr, 40000, kDest, 9000, SRV6S_TARGET_PATH,
                             1, 0, SRV6S_OWNER_SELF),
              0)
        << "the same pin again is a no-op";

    auto list = flows(h.get());
    ASSERT_EQ(list.size(), 1u);
    EXPECT_STREQ(list[0].flow.src, kHostAddr);
    EXPECT_STREQ(list[0].flow.dst, kDest);
    EXPECT_EQ(list[0].flow.sport, 40000);
    EXPECT_EQ(list[0].flow.dport, 9000);
    EXPECT_EQ(list[0].flow.proto, IPPROTO_UDP);
    EXPECT_EQ(list[0].pin.target_kind, uint32_t(SRV6S_TARGET_PATH));
    EXPECT_EQ(list[0].pin.target_id, 1u);
    EXPECT_EQ(list[0].pin.owner_pid, uint32_t(getpid()));
    EXPECT_GT(list[0].pin.created_ns, 0u);
    EXPECT_EQ(list[0].pin.packets, 0u);

    send_udp(40000, 9000);  // steered
    send_udp(40001, 9000);  // no pin: untouched
    srv6s_stats st{};
    auto paths = path_stats(h.get(), &st);
    EXPECT_EQ(st.reasons[SRV6S_R_STEERED].packets, 1u);
    EXPECT_GT(st.reasons[SRV6S_R_STEERED].bytes, 0u);
    EXPECT_GE(st.reasons[SRV6S_R_NO_MATCH].packets, 1u);
    ASSERT_EQ(paths.size(), 1u);
    EXPECT_EQ(paths[1].packets, 1u);
    EXPECT_EQ(flows(h.get())[0].pin.packets, 1u);
    EXPECT_STREQ(srv6s_reason_name(SRV6S_R_STEERED), "steered");
    EXPECT_STREQ(srv6s_reason_name(SRV6S_R_MAX), "unknown");

    // A second handle (as another process would) sees the same state.
    srv6s_handle* raw = nullptr;
    ASSERT_EQ(srv6s_open("veth0", bpffs.c_str(), &raw), 0) << last_error();
    Handle other(raw);
    EXPECT_EQ(flows(other.get()).size(), 1u);
    EXPECT_EQ(srv6s_unpin_flow(other.get(), IPPROTO_UDP, kHostAddr, 40000, kDest, 9000), 0);
    EXPECT_TRUE(flows(h.get()).empty());
    EXPECT_EQ(srv6s_unpin_flow(h.get(), IPPROTO_UDP, kHostAddr, 40000, kDest, 9000), -ENOENT);
    EXPECT_THAT(last_error(), HasSubstr("is not pinned on veth0"));
    EXPECT_EQ(srv6s_remove_path(h.get(), 1), 0) << last_error();

    other.reset();
    h.reset();
    EXPECT_EQ(srv6s_detach("veth0", bpffs.c_str()), 0) << last_error();
    EXPECT_FALSE(has_state()) << "nothing left under " << bpffs;
    EXPECT_EQ(srv6s_detach("veth0", bpffs.c_str()), -ENOENT);
    EXPECT_THAT(last_error(), HasSubstr("not attached to veth0"));
    EXPECT_EQ(srv6s_open("veth0", bpffs.c_str(), &raw), -ENOENT);
    EXPECT_EQ(raw, nullptr);
}

TEST_F(CApi, AttachWithoutHandleAndWithOptions) {
    EXPECT_EQ(srv6s_attach("veth0", "fcbb:0:800:1::99", bpffs.c_str(), 16, nullptr), 0)
        << last_error();
    EXPECT_EQ(srv6s_attach("veth0", nullptr, bpffs.c_str(), 0, nullptr), -EEXIST);
    EXPECT_THAT(last_error(), HasSubstr("already attached to veth0"));
    srv6s_handle* raw = nullptr;
    ASSERT_EQ(srv6s_open("veth0", bpffs.c_str(), &raw), 0) << last_error();
    Handle h(raw);
    // max_flows = 16: the 17th flow does not fit, and the batch pins nothing.
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 0, kBlock, "1004,1002,1006,fe06", 0), 0);
    std::vector<srv6s_flow_pin> batch;
    for (uint16_t port = 1; port <= 17; port++)
        batch.push_back({flow_at(kHostAddr, port, kDest, 80, IPPROTO_TCP), SRV6S_TARGET_PATH, 0});
    size_t added = 99;
    EXPECT_EQ(srv6s_pin_flows(h.get(), batch.data(), batch.size(), 0, SRV6S_OWNER_SELF, &added),
              -E2BIG);
    EXPECT_EQ(added, 0u);
    EXPECT_THAT(last_error(), HasSubstr("full"));
    EXPECT_TRUE(flows(h.get()).empty()) << "all or nothing";
    batch.pop_back();
    EXPECT_EQ(srv6s_pin_flows(h.get(), batch.data(), batch.size(), 0, SRV6S_OWNER_SELF, &added), 0)
        << last_error();
    EXPECT_EQ(added, 16u);
    EXPECT_EQ(flows(h.get()).size(), 16u);
    h.reset();
    EXPECT_EQ(srv6s_detach("veth0", bpffs.c_str()), 0) << last_error();
}

TEST_F(CApi, ErrorsAreNegativeCodesWithMessages) {
    Handle h = attach();
    ASSERT_TRUE(h);
    // Bad SIDs and blocks: -EINVAL, and the message says what was wrong.
    EXPECT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, "1004,zzzz", 0), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("zzzz"));
    EXPECT_EQ(srv6s_add_path_usids(h.get(), 1, "fcbb:0::/33", "1004", 0), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("33"));
    const char* bad[] = {"fcbb:0:1004::", "not-a-sid"};
    EXPECT_EQ(srv6s_add_path_segments(h.get(), 1, bad, 2, 0), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("not-a-sid"));
    EXPECT_EQ(srv6s_add_path_usids(h.get(), SRV6S_MAX_PATHS, kBlock, "1004", 0), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("invalid path id"));
    EXPECT_TRUE(path_stats(h.get()).empty()) << "failed calls changed nothing";

    // Pins to what does not exist, conflicts, in-use removals.
    EXPECT_EQ(srv6s_pin_flow(h.get(), IPPROTO_TCP, kHostAddr, 1, kDest, 2, SRV6S_TARGET_PATH, 7, 0,
                             SRV6S_OWNER_SELF),
              -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("path 7 does not exist"));
    EXPECT_EQ(srv6s_pin_flow(h.get(), IPPROTO_TCP, kHostAddr, 1, kDest, 2, 5, 1, 0, SRV6S_OWNER_SELF),
              -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("invalid target kind 5"));
    EXPECT_EQ(srv6s_pin_flow(h.get(), IPPROTO_TCP, "bogus", 1, kDest, 2, SRV6S_TARGET_PATH, 1, 0,
                             SRV6S_OWNER_SELF),
              -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("bogus"));
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, "1004,1001,1006,fe06", 0), 0);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 2, kBlock, "1004,1002,1006,fe06", 0), 0);
    EXPECT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, "1004,1002,1006,fe06", 0), -EEXIST);
    EXPECT_THAT(last_error(), HasSubstr("already exists with other segments"));
    ASSERT_EQ(srv6s_pin_flow(h.get(), IPPROTO_TCP, kHostAddr, 1, kDest, 2, SRV6S_TARGET_PATH, 1, 0,
                             SRV6S_OWNER_SELF),
              0);
    EXPECT_EQ(srv6s_pin_flow(h.get(), IPPROTO_TCP, kHostAddr, 1, kDest, 2, SRV6S_TARGET_PATH, 2, 0,
                             SRV6S_OWNER_SELF),
              -EEXIST);
    EXPECT_THAT(last_error(), HasSubstr("already pinned to path 1"));
    EXPECT_EQ(srv6s_pin_flow(h.get(), IPPROTO_TCP, kHostAddr, 1, kDest, 2, SRV6S_TARGET_PATH, 2,
                             SRV6S_PIN_REPLACE, SRV6S_OWNER_SELF),
              0)
        << last_error();
    EXPECT_EQ(flows(h.get())[0].pin.target_id, 2u);
    EXPECT_EQ(srv6s_pin_flow(h.get(), IPPROTO_TCP, kHostAddr, 1, kDest, 2, SRV6S_TARGET_PATH, 2, 0x80,
                             SRV6S_OWNER_SELF),
              -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("invalid pin flags 0x80"));
    EXPECT_EQ(srv6s_remove_path(h.get(), 2), -EBUSY);
    EXPECT_EQ(srv6s_remove_path(h.get(), 9), -ENOENT);
    EXPECT_EQ(srv6s_remove_set(h.get(), 9), -ENOENT);
    EXPECT_EQ(srv6s_set_path_down(h.get(), 9, 1), -ENOENT);
    EXPECT_EQ(srv6s_define_set(h.get(), 3, nullptr, 0), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("has 0 paths"));
    const uint32_t missing[] = {1, 8};
    EXPECT_EQ(srv6s_define_set(h.get(), 3, missing, 2), -ENOENT);
    EXPECT_THAT(last_error(), HasSubstr("names path 8"));
    EXPECT_EQ(srv6s_pin_qp(h.get(), kDest, 0x1000000, SRV6S_TARGET_PATH, 1, 0, SRV6S_OWNER_SELF),
              -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("24 bits"));
    EXPECT_EQ(srv6s_pin_prefix(h.get(), "fcbb::/129", SRV6S_TARGET_PATH, 1, 0, SRV6S_OWNER_SELF),
              -EINVAL);
    // The route MTU needs a route: the kernel's errno comes through.
    EXPECT_EQ(srv6s_pin_prefix(h.get(), "10.9.0.0/16", SRV6S_TARGET_PATH, 1, 0, SRV6S_OWNER_SELF),
              -ENETUNREACH);
    EXPECT_THAT(last_error(), HasSubstr("no route to 10.9.0.0"));

    // NULLs and environment errors.
    EXPECT_EQ(srv6s_pin_prefix(nullptr, "fcbb::/64", SRV6S_TARGET_PATH, 1, 0, SRV6S_OWNER_SELF),
              -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("no handle"));
    EXPECT_EQ(srv6s_add_path_usids(h.get(), 3, nullptr, "1004", 0), -EINVAL);
    EXPECT_EQ(srv6s_list_flows(h.get(), nullptr, nullptr), -EINVAL);
    EXPECT_EQ(srv6s_open("veth0", bpffs.c_str(), nullptr), -EINVAL);
    srv6s_handle* raw = reinterpret_cast<srv6s_handle*>(0x1);
    EXPECT_LT(srv6s_attach("nosuch0", nullptr, bpffs.c_str(), 0, &raw), 0);
    EXPECT_EQ(raw, nullptr) << "no handle on failure";
    EXPECT_THAT(last_error(), HasSubstr("nosuch0"));
    EXPECT_EQ(srv6s_attach("veth0", nullptr, "/tmp", 0, nullptr), -ENOTSUP);
    EXPECT_THAT(last_error(), HasSubstr("not a BPF filesystem"));
    EXPECT_EQ(srv6s_attach("veth0", "10.0.0.1", bpffs.c_str(), 0, nullptr), -EINVAL)
        << "the outer source must be IPv6";
    srv6s_close(nullptr);  // a no-op

    // The message is per thread: a failure elsewhere does not replace ours.
    EXPECT_EQ(srv6s_remove_path(h.get(), 9), -ENOENT);
    const std::string mine = last_error();
    std::string theirs;
    std::thread([&] {
        EXPECT_STREQ(srv6s_last_error(), "") << "nothing failed in this thread yet";
        EXPECT_EQ(srv6s_remove_set(h.get(), 42), -ENOENT);
        theirs = srv6s_last_error();
    }).join();
    EXPECT_THAT(theirs, HasSubstr("set 42"));
    EXPECT_EQ(last_error(), mine);
    EXPECT_EQ(srv6s_remove_set(h.get(), 41), -ENOENT);  // a success keeps the last message
    EXPECT_EQ(srv6s_set_path_down(h.get(), 1, 0), 0);
    EXPECT_THAT(last_error(), HasSubstr("set 41"));
}

TEST_F(CApi, SetsQpsPrefixesBatchesAndGc) {
    sh("ip addr add 10.0.1.10/24 dev veth0 && ip route add 10.0.3.0/24 via 10.0.1.1 dev veth0");
    Handle h = attach();
    ASSERT_TRUE(h);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, "1004,1001,1006,fe06", 0), 0);
    const char* segs[] = {"fcbb:0:1004:1002:1006:fe06::", "fcbb:0:1007:fe06::"};
    ASSERT_EQ(srv6s_add_path_segments(h.get(), 2, segs, 2, 1), 0) << last_error();
    const uint32_t both[] = {1, 2};
    ASSERT_EQ(srv6s_define_set(h.get(), 10, both, 2), 0) << last_error();
    ASSERT_EQ(srv6s_pin_prefix(h.get(), "fcbb:0:800:2::/64", SRV6S_TARGET_SET, 10, 0,
                               SRV6S_OWNER_NONE),
              0)
        << last_error();
    ASSERT_EQ(srv6s_pin_prefix(h.get(), "10.0.3.0/24", SRV6S_TARGET_PATH, 1, 0, SRV6S_OWNER_NONE), 0)
        << last_error();
    ASSERT_EQ(srv6s_pin_qp(h.get(), kDest, 0x123, SRV6S_TARGET_PATH, 2, 0, SRV6S_OWNER_SELF), 0);

    std::vector<std::string> prefixes;
    ASSERT_EQ(srv6s_list_prefixes(
                  h.get(),
                  [](const srv6s_prefix_entry* e, void* ctx) {
                      static_cast<std::vector<std::string>*>(ctx)->push_back(
                          std::string(e->prefix) + (e->pin.target_kind == SRV6S_TARGET_SET ? " set " : " path ") +
                          std::to_string(e->pin.target_id) + " owner " + std::to_string(e->pin.owner_pid));
                      return 0;
                  },
                  &prefixes),
              0);
    EXPECT_THAT(prefixes, ::testing::UnorderedElementsAre("fcbb:0:800:2::/64 set 10 owner 0",
                                                          "10.0.3.0/24 path 1 owner 0"));
    std::vector<srv6s_qp_entry> qps;
    ASSERT_EQ(srv6s_list_qps(
                  h.get(),
                  [](const srv6s_qp_entry* e, void* ctx) {
                      static_cast<std::vector<srv6s_qp_entry>*>(ctx)->push_back(*e);
                      return 0;
                  },
                  &qps),
              0);
    ASSERT_EQ(qps.size(), 1u);
    EXPECT_STREQ(qps[0].dst, kDest);
    EXPECT_EQ(qps[0].qp, 0x123u);
    EXPECT_EQ(qps[0].pin.target_id, 2u);

    // A set in use changes; it cannot go while pinned.
    const uint32_t one[] = {2};
    EXPECT_EQ(srv6s_define_set(h.get(), 10, one, 1), 0) << last_error();
    EXPECT_EQ(srv6s_remove_set(h.get(), 10), -EBUSY);
    EXPECT_EQ(srv6s_set_path_down(h.get(), 2, 1), 0);
    EXPECT_EQ(srv6s_set_path_down(h.get(), 2, 0), 0);

    // Batch: IPv4 and IPv6 flows, new ones counted; again: nothing new.
    std::vector<srv6s_flow_pin> batch = {
        {flow_at(kHostAddr, 1000, kDest, 80, IPPROTO_TCP), SRV6S_TARGET_PATH, 1},
        {flow_at(kHostAddr, 1001, kDest, 80, IPPROTO_TCP), SRV6S_TARGET_SET, 10},
        {flow_at("10.0.1.10", 5000, "10.0.3.7", 4791, IPPROTO_UDP), SRV6S_TARGET_PATH, 2},
    };
    size_t added = 0;
    ASSERT_EQ(srv6s_pin_flows(h.get(), batch.data(), batch.size(), 0, SRV6S_OWNER_SELF, &added), 0)
        << last_error();
    EXPECT_EQ(added, 3u);
    ASSERT_EQ(srv6s_pin_flows(h.get(), batch.data(), batch.size(), 0, SRV6S_OWNER_SELF, &added), 0);
    EXPECT_EQ(added, 0u);
    auto list = flows(h.get());
    ASSERT_EQ(list.size(), 3u);
    bool saw_v4 = false;
    for (const auto& e : list)
        if (std::string(e.flow.src) == "10.0.1.10") {
            saw_v4 = true;
            EXPECT_STREQ(e.flow.dst, "10.0.3.7") << "IPv4 listed as IPv4";
        }
    EXPECT_TRUE(saw_v4);
    std::snprintf(batch[0].flow.src, sizeof batch[0].flow.src, "nonsense");
    EXPECT_EQ(srv6s_pin_flows(h.get(), batch.data(), batch.size(), 0, SRV6S_OWNER_SELF, &added), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("flow 0 of the batch"));
    std::memset(batch[0].flow.src, 'x', sizeof batch[0].flow.src);
    EXPECT_EQ(srv6s_pin_flows(h.get(), batch.data(), 1, 0, SRV6S_OWNER_SELF, &added), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("not NUL-terminated"));

    // A callback that says stop: the walk stops and its value comes back.
    int calls = 0;
    EXPECT_EQ(srv6s_list_flows(
                  h.get(),
                  [](const srv6s_flow_entry*, void* ctx) {
                      ++*static_cast<int*>(ctx);
                      return 7;
                  },
                  &calls),
              7);
    EXPECT_EQ(calls, 1);

    // gc: pins of a process that is gone go; ours and owner-less ones stay.
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    ASSERT_GT(child, 0);
    ASSERT_EQ(srv6s_pin_flow(h.get(), IPPROTO_TCP, kHostAddr, 2000, kDest, 80, SRV6S_TARGET_PATH, 1,
                             0, uint32_t(child)),
              0);
    waitpid(child, nullptr, 0);
    EXPECT_EQ(flows(h.get()).size(), 4u);
    size_t removed = 99;
    ASSERT_EQ(srv6s_gc(h.get(), &removed), 0) << last_error();
    EXPECT_EQ(removed, 1u);
    EXPECT_EQ(flows(h.get()).size(), 3u);
    ASSERT_EQ(srv6s_gc(h.get(), nullptr), 0);

    EXPECT_EQ(srv6s_unpin_qp(h.get(), kDest, 0x123), 0);
    EXPECT_EQ(srv6s_unpin_qp(h.get(), kDest, 0x123), -ENOENT);
    EXPECT_EQ(srv6s_unpin_prefix(h.get(), "10.0.3.0/24"), 0);
    EXPECT_EQ(srv6s_unpin_prefix(h.get(), "10.0.3.0/24"), -ENOENT);
    h.reset();
    EXPECT_EQ(srv6s_detach("veth0", bpffs.c_str()), 0) << last_error();
}

TEST(CApiNoKernel, HeaderIsC99AndLayoutsAgree) {
    EXPECT_EQ(srv6s_c_layout(0), sizeof(srv6s_flow));
    EXPECT_EQ(srv6s_c_layout(1), sizeof(srv6s_flow_pin));
    EXPECT_EQ(srv6s_c_layout(2), sizeof(srv6s_pin_info));
    EXPECT_EQ(srv6s_c_layout(3), sizeof(srv6s_flow_entry));
    EXPECT_EQ(srv6s_c_layout(4), sizeof(srv6s_qp_entry));
    EXPECT_EQ(srv6s_c_layout(5), sizeof(srv6s_prefix_entry));
    EXPECT_EQ(srv6s_c_layout(6), sizeof(srv6s_stats));
    EXPECT_EQ(srv6s_c_layout(7), offsetof(srv6s_flow, sport));
    EXPECT_EQ(srv6s_c_layout(8), offsetof(srv6s_flow_pin, target_kind));
    EXPECT_EQ(srv6s_c_layout(9), offsetof(srv6s_qp_entry, pin));
    EXPECT_EQ(srv6s_c_layout(10), offsetof(srv6s_prefix_entry, pin));
    EXPECT_EQ(sizeof(srv6s_stats), SRV6S_R_MAX * sizeof(srv6s_counter));

    srv6s_flow f{};
    ASSERT_EQ(srv6s_c_parse("tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201", &f), 0)
        << srv6s_last_error();
    EXPECT_STREQ(f.src, "fcbb:0:800:1::10");
    EXPECT_STREQ(f.dst, "fcbb:0:800:2::20");
    EXPECT_EQ(f.sport, 40000);
    EXPECT_EQ(f.dport, 5201);
    EXPECT_EQ(f.proto, IPPROTO_TCP);
    ASSERT_EQ(srv6s_c_parse("udp 10.0.1.10 5000 10.0.2.20 4791", &f), 0);
    EXPECT_STREQ(f.src, "10.0.1.10");
    EXPECT_EQ(f.proto, IPPROTO_UDP);
    EXPECT_EQ(srv6s_c_parse("tcp a b", &f), -EINVAL);
    EXPECT_STRNE(srv6s_last_error(), "");
    EXPECT_EQ(srv6s_c_parse(nullptr, &f), -EINVAL);
    EXPECT_STREQ(srv6s_version(), SRV6S_EXPECTED_VERSION);
}
