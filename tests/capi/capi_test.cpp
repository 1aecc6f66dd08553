// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The C ABI (srv6steer.h) over libsrv6steer.so, attached for real: a veth
// pair in a private network namespace and a private bpffs. Each test runs in
// its own process (ctest), so the namespaces, the veths and the bpffs mount
// vanish with it, even when a test fails.
#include <sys/wait.h>

#include <filesystem>
#include <thread>

#include "capi_fixture.hpp"

using ::testing::HasSubstr;
using namespace capitest;
namespace fs = std::filesystem;

extern "C" size_t srv6s_c_layout(int which);
extern "C" int srv6s_c_parse(const char* text, struct srv6s_flow* out);

namespace {

// Pinned maps of veth0 anywhere under the bpffs.
bool has_state(const std::string& bpffs) {
    for (const auto& e : fs::recursive_directory_iterator(bpffs))
        if (e.path().filename() == "flows" && e.path().parent_path().filename() == "veth0")
            return true;
    return false;
}

}  // namespace

TEST_F(CApi, AttachPinListStatsDetach) {
    Handle h = attach();
    ASSERT_TRUE(h);
    EXPECT_TRUE(has_state(bpffs)) << "maps pinned under " << bpffs;
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, "1004,1001,1006,fe06", 0), 0) << last_error();
    ASSERT_EQ(pin_flow(h.get(), flow_at(kHostAddr, 40000, kDest, 9000, IPPROTO_UDP), SRV6S_TARGET_PATH, 1, nullptr),
              0)
        << last_error();
    EXPECT_EQ(pin_flow(h.get(), flow_at(kHostAddr, 40000, kDest, 9000, IPPROTO_UDP), SRV6S_TARGET_PATH, 1, nullptr),
              0)
        << "the same pin again is a no-op";

    auto list = flows(h.get());
    ASSERT_EQ(list.size(), 1u);
    expect_pinned(list[0].flow, list[0].pin, udp_flow(40000, 9000), 1);
    EXPECT_EQ(list[0].pin.packets, 0u);

    send_udp(40000, 9000);  // steered
    send_udp(40001, 9000);  // no pin: untouched
    srv6s_counter steered{}, no_match{};
    ASSERT_EQ(srv6s_stats_reason(h.get(), SRV6S_R_STEERED, &steered), 0) << last_error();
    ASSERT_EQ(srv6s_stats_reason(h.get(), SRV6S_R_NO_MATCH, &no_match), 0) << last_error();
    auto paths = path_stats(h.get());
    EXPECT_EQ(steered.packets, 1u);
    EXPECT_EQ(steered.bytes, kFrameLen);
    EXPECT_GE(no_match.packets, 1u);
    ASSERT_EQ(paths.size(), 1u);
    EXPECT_EQ(paths[1].packets, 1u);
    EXPECT_EQ(flows(h.get())[0].pin.packets, 1u);
    EXPECT_STREQ(srv6s_reason_name(SRV6S_R_STEERED), "steered");
    EXPECT_STREQ(srv6s_reason_name(srv6s_reason_count()), "unknown");

    // A second handle (as another process would) sees the same state.
    srv6s_handle* raw = nullptr;
    ASSERT_EQ(srv6s_open("veth0", bpffs.c_str(), &raw), 0) << last_error();
    Handle other(raw);
    EXPECT_EQ(flows(other.get()).size(), 1u);
    EXPECT_EQ(unpin_flow(other.get(), flow_at(kHostAddr, 40000, kDest, 9000, IPPROTO_UDP)), 0);
    EXPECT_TRUE(flows(h.get()).empty());
    EXPECT_EQ(unpin_flow(h.get(), flow_at(kHostAddr, 40000, kDest, 9000, IPPROTO_UDP)), -ENOENT);
    EXPECT_THAT(last_error(), HasSubstr("is not pinned on veth0"));
    EXPECT_EQ(srv6s_remove_path(h.get(), 1), 0) << last_error();

    other.reset();
    h.reset();
    EXPECT_EQ(srv6s_detach("veth0", bpffs.c_str()), 0) << last_error();
    EXPECT_FALSE(has_state(bpffs)) << "nothing left under " << bpffs;
    EXPECT_EQ(srv6s_detach("veth0", bpffs.c_str()), -ENOENT);
    EXPECT_THAT(last_error(), HasSubstr("not attached to veth0"));
    EXPECT_EQ(srv6s_open("veth0", bpffs.c_str(), &raw), -ENOENT);
    EXPECT_EQ(raw, nullptr);
}

TEST_F(CApi, AttachWithoutHandleAndWithOptions) {
    SRV6S_OPTS(srv6s_attach_opts, opts, .source = "fcbb:0:800:1::99", .bpffs = bpffs.c_str(),
               .max_flows = 16);
    EXPECT_EQ(srv6s_attach("veth0", &opts, nullptr), 0) << last_error();
    SRV6S_OPTS(srv6s_attach_opts, again, .bpffs = bpffs.c_str());
    EXPECT_EQ(srv6s_attach("veth0", &again, nullptr), -EEXIST);
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
    EXPECT_EQ(srv6s_pin_flows(h.get(), batch.data(), batch.size(), nullptr, &added), -E2BIG);
    EXPECT_EQ(added, 0u);
    EXPECT_THAT(last_error(), HasSubstr("full"));
    EXPECT_TRUE(flows(h.get()).empty()) << "all or nothing";
    batch.pop_back();
    EXPECT_EQ(srv6s_pin_flows(h.get(), batch.data(), batch.size(), nullptr, &added), 0)
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
    EXPECT_EQ(pin_flow(h.get(), flow_at(kHostAddr, 1, kDest, 2, IPPROTO_TCP), SRV6S_TARGET_PATH, 7, nullptr),
              -ENOENT);
    EXPECT_THAT(last_error(), HasSubstr("path 7 does not exist"));
    EXPECT_EQ(pin_flow(h.get(), flow_at(kHostAddr, 1, kDest, 2, IPPROTO_TCP), 5, 1, nullptr),
              -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("invalid target kind 5"));
    EXPECT_EQ(pin_flow(h.get(), flow_at("bogus", 1, kDest, 2, IPPROTO_TCP), SRV6S_TARGET_PATH, 1, nullptr),
              -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("bogus"));
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, "1004,1001,1006,fe06", 0), 0);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 2, kBlock, "1004,1002,1006,fe06", 0), 0);
    EXPECT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, "1004,1002,1006,fe06", 0), -EEXIST);
    EXPECT_THAT(last_error(), HasSubstr("already exists with other segments"));
    ASSERT_EQ(pin_flow(h.get(), flow_at(kHostAddr, 1, kDest, 2, IPPROTO_TCP), SRV6S_TARGET_PATH, 1, nullptr),
              0);
    EXPECT_EQ(pin_flow(h.get(), flow_at(kHostAddr, 1, kDest, 2, IPPROTO_TCP), SRV6S_TARGET_PATH, 2, nullptr),
              -EEXIST);
    EXPECT_THAT(last_error(), HasSubstr("already pinned to path 1"));
    SRV6S_OPTS(srv6s_pin_opts, replace, .replace = 1);
    EXPECT_EQ(pin_flow(h.get(), flow_at(kHostAddr, 1, kDest, 2, IPPROTO_TCP), SRV6S_TARGET_PATH, 2, &replace), 0)
        << last_error();
    EXPECT_EQ(flows(h.get())[0].pin.target_id, 2u);
    SRV6S_OPTS(srv6s_pin_opts, bad_owner, .owner = 7);
    EXPECT_EQ(pin_flow(h.get(), flow_at(kHostAddr, 1, kDest, 2, IPPROTO_TCP), SRV6S_TARGET_PATH, 2, &bad_owner),
              -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("srv6s_pin_opts.owner 7 is not an enum srv6s_owner"));
    EXPECT_EQ(srv6s_remove_path(h.get(), 2), -EBUSY);
    EXPECT_EQ(srv6s_remove_path(h.get(), 9), -ENOENT);
    EXPECT_EQ(srv6s_remove_set(h.get(), 9), -ENOENT);
    EXPECT_EQ(srv6s_set_path_down(h.get(), 9, 1), -ENOENT);
    EXPECT_EQ(srv6s_define_set(h.get(), 3, nullptr, 0), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("has 0 paths"));
    const uint32_t missing[] = {1, 8};
    EXPECT_EQ(srv6s_define_set(h.get(), 3, missing, 2), -ENOENT);
    EXPECT_THAT(last_error(), HasSubstr("names path 8"));
    EXPECT_EQ(srv6s_pin_qp(h.get(), kDest, 0x1000000, SRV6S_TARGET_PATH, 1, nullptr), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("24 bits"));
    EXPECT_EQ(srv6s_pin_prefix(h.get(), "fcbb::/129", SRV6S_TARGET_PATH, 1, nullptr), -EINVAL);
    // The route MTU needs a route: the kernel's errno comes through.
    EXPECT_EQ(srv6s_pin_prefix(h.get(), "10.9.0.0/16", SRV6S_TARGET_PATH, 1, nullptr), -ENETUNREACH);
    EXPECT_THAT(last_error(), HasSubstr("no route to 10.9.0.0"));

    // NULLs and environment errors.
    EXPECT_EQ(srv6s_pin_prefix(nullptr, "fcbb::/64", SRV6S_TARGET_PATH, 1, nullptr), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("no handle"));
    EXPECT_EQ(srv6s_add_path_usids(h.get(), 3, nullptr, "1004", 0), -EINVAL);
    EXPECT_EQ(srv6s_list_flows(h.get(), nullptr, nullptr), -EINVAL);
    EXPECT_EQ(srv6s_pin_flow(h.get(), nullptr, SRV6S_TARGET_PATH, 1, nullptr), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("no flow (NULL)"));
    EXPECT_EQ(srv6s_open("veth0", bpffs.c_str(), nullptr), -EINVAL);
    srv6s_handle* raw = reinterpret_cast<srv6s_handle*>(0x1);
    SRV6S_OPTS(srv6s_attach_opts, here, .bpffs = bpffs.c_str());
    EXPECT_LT(srv6s_attach("nosuch0", &here, &raw), 0);
    EXPECT_EQ(raw, nullptr) << "no handle on failure";
    EXPECT_THAT(last_error(), HasSubstr("nosuch0"));
    EXPECT_EQ(srv6s_attach(nullptr, &here, nullptr), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("no interface name"));
    SRV6S_OPTS(srv6s_attach_opts, tmp, .bpffs = "/tmp");
    EXPECT_EQ(srv6s_attach("veth0", &tmp, nullptr), -ENOTSUP);
    EXPECT_THAT(last_error(), HasSubstr("not a BPF filesystem"));
    SRV6S_OPTS(srv6s_attach_opts, v4, .source = "10.0.0.1", .bpffs = bpffs.c_str());
    EXPECT_EQ(srv6s_attach("veth0", &v4, nullptr), -EINVAL) << "the outer source must be IPv6";
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

// srv6s_set_path_fallback and srv6s_get_path_fallback: set, read back,
// cleared; refusals with their errno and message, the state kept.
TEST_F(CApi, PathFallbacks) {
    Handle h = attach();
    ASSERT_TRUE(h);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, "1004,1001,1006,fe06", 0), 0);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 2, kBlock, "1004,1002,1006,fe06", 0), 0);
    const uint32_t both[] = {1, 2};
    ASSERT_EQ(srv6s_define_set(h.get(), 10, both, 2), 0);
    uint32_t kind = 7, id = 7;
    ASSERT_EQ(srv6s_get_path_fallback(h.get(), 1, &kind, &id), 0);
    EXPECT_EQ(kind, SRV6S_FALLBACK_NONE);
    ASSERT_EQ(srv6s_set_path_fallback(h.get(), 1, SRV6S_TARGET_PATH, 2), 0) << last_error();
    ASSERT_EQ(srv6s_get_path_fallback(h.get(), 1, &kind, &id), 0);
    EXPECT_EQ(kind, uint32_t(SRV6S_TARGET_PATH));
    EXPECT_EQ(id, 2u);
    ASSERT_EQ(srv6s_set_path_fallback(h.get(), 2, SRV6S_TARGET_SET, 10), 0) << last_error();
    ASSERT_EQ(srv6s_get_path_fallback(h.get(), 2, &kind, &id), 0);
    EXPECT_EQ(kind, uint32_t(SRV6S_TARGET_SET));
    EXPECT_EQ(id, 10u);

    EXPECT_EQ(srv6s_set_path_fallback(h.get(), 1, SRV6S_TARGET_PATH, 1), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("cannot fall back to itself"));
    EXPECT_EQ(srv6s_set_path_fallback(h.get(), 1, SRV6S_TARGET_SET, 11), -ENOENT);
    EXPECT_THAT(last_error(), HasSubstr("set 11 does not exist"));
    EXPECT_EQ(srv6s_set_path_fallback(h.get(), 9, SRV6S_TARGET_PATH, 1), -ENOENT);
    EXPECT_EQ(srv6s_set_path_fallback(h.get(), 1, 5, 1), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("invalid target kind 5"));
    EXPECT_EQ(srv6s_remove_set(h.get(), 10), -EBUSY);
    EXPECT_THAT(last_error(), HasSubstr("path set 10 is the fallback of path 2"));
    EXPECT_EQ(srv6s_get_path_fallback(h.get(), 9, &kind, &id), -ENOENT);
    EXPECT_EQ(srv6s_get_path_fallback(h.get(), 1, nullptr, &id), -EINVAL);
    ASSERT_EQ(srv6s_get_path_fallback(h.get(), 1, &kind, &id), 0);
    EXPECT_EQ(id, 2u) << "refusals kept the state";

    ASSERT_EQ(srv6s_set_path_fallback(h.get(), 2, SRV6S_FALLBACK_NONE, 0), 0);
    ASSERT_EQ(srv6s_get_path_fallback(h.get(), 2, &kind, &id), 0);
    EXPECT_EQ(kind, SRV6S_FALLBACK_NONE);
    EXPECT_EQ(srv6s_remove_set(h.get(), 10), 0);
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
    SRV6S_OPTS(srv6s_pin_opts, nobody, .owner = SRV6S_OWNER_NONE);
    ASSERT_EQ(srv6s_pin_prefix(h.get(), "fcbb:0:800:2::/64", SRV6S_TARGET_SET, 10, &nobody), 0)
        << last_error();
    ASSERT_EQ(srv6s_pin_prefix(h.get(), "10.0.3.0/24", SRV6S_TARGET_PATH, 1, &nobody), 0)
        << last_error();
    ASSERT_EQ(srv6s_pin_qp(h.get(), kDest, 0x123, SRV6S_TARGET_PATH, 2, nullptr), 0) << last_error();

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
    ASSERT_EQ(srv6s_pin_flows(h.get(), batch.data(), batch.size(), nullptr, &added), 0)
        << last_error();
    EXPECT_EQ(added, 3u);
    ASSERT_EQ(srv6s_pin_flows(h.get(), batch.data(), batch.size(), nullptr, &added), 0);
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
    EXPECT_EQ(srv6s_pin_flows(h.get(), batch.data(), batch.size(), nullptr, &added), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("flow 0 of the batch"));
    std::memset(batch[0].flow.src, 'x', sizeof batch[0].flow.src);
    EXPECT_EQ(srv6s_pin_flows(h.get(), batch.data(), 1, nullptr, &added), -EINVAL);
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
    SRV6S_OPTS(srv6s_pin_opts, by_child, .owner = SRV6S_OWNER_PID, .owner_pid = uint32_t(child));
    ASSERT_EQ(pin_flow(h.get(), flow_at(kHostAddr, 2000, kDest, 80, IPPROTO_TCP), SRV6S_TARGET_PATH, 1,
                       &by_child),
              0)
        << last_error();
    bool by_child_listed = false;
    for (const auto& e : flows(h.get()))
        by_child_listed |= e.flow.sport == 2000 && e.pin.owner_pid == uint32_t(child);
    EXPECT_TRUE(by_child_listed);
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

