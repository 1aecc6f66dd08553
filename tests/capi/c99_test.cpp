// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// srv6steer.h as C99 sees it (header_c99.c): the same layouts as C++, and
// SRV6S_OPTS declaring options in C. No kernel needed.
#include <gtest/gtest.h>

#include <netinet/in.h>

#include <cerrno>
#include <string>

#include "srv6steer/srv6steer.h"

extern "C" size_t srv6s_c_layout(int which);
extern "C" srv6s_attach_opts srv6s_c_attach_opts(void);
extern "C" srv6s_pin_opts srv6s_c_pin_opts(void);
extern "C" int srv6s_c_parse(const char* text, struct srv6s_flow* out);
extern "C" int srv6s_c_socket_calls(void);

TEST(CApiNoKernel, HeaderIsC99AndLayoutsAgree) {
    EXPECT_EQ(srv6s_c_layout(0), sizeof(srv6s_flow));
    EXPECT_EQ(srv6s_c_layout(1), sizeof(srv6s_flow_pin));
    EXPECT_EQ(srv6s_c_layout(2), sizeof(srv6s_pin_info));
    EXPECT_EQ(srv6s_c_layout(3), sizeof(srv6s_flow_entry));
    EXPECT_EQ(srv6s_c_layout(4), sizeof(srv6s_qp_entry));
    EXPECT_EQ(srv6s_c_layout(5), sizeof(srv6s_prefix_entry));
    EXPECT_EQ(srv6s_c_layout(6), sizeof(srv6s_attach_opts));
    EXPECT_EQ(srv6s_c_layout(7), offsetof(srv6s_flow, sport));
    EXPECT_EQ(srv6s_c_layout(8), offsetof(srv6s_flow_pin, target_kind));
    EXPECT_EQ(srv6s_c_layout(9), offsetof(srv6s_qp_entry, pin));
    EXPECT_EQ(srv6s_c_layout(10), offsetof(srv6s_prefix_entry, pin));
    EXPECT_EQ(srv6s_c_layout(11), sizeof(srv6s_pin_opts));
    EXPECT_EQ(srv6s_c_layout(12), sizeof(srv6s_status));
    EXPECT_EQ(srv6s_c_layout(13), sizeof(srv6s_owned_route));
    EXPECT_EQ(srv6s_c_layout(14), offsetof(srv6s_attach_opts, max_prefixes));
    EXPECT_EQ(srv6s_c_layout(15), offsetof(srv6s_pin_opts, owner_cgroup));
    EXPECT_EQ(srv6s_c_layout(16), offsetof(srv6s_status, n_problems));
    EXPECT_EQ(srv6s_c_layout(17), offsetof(srv6s_status, netns_cookie));
    EXPECT_EQ(srv6s_c_layout(18), sizeof(srv6s_socket_pin));
    EXPECT_EQ(srv6s_c_layout(19), sizeof(srv6s_socket_entry));
    EXPECT_EQ(srv6s_c_layout(20), offsetof(srv6s_socket_entry, flow));
    EXPECT_EQ(srv6s_c_layout(21), offsetof(srv6s_socket_entry, pin));
    EXPECT_EQ(srv6s_c_layout(22), sizeof(srv6s_cgroup_entry));
    EXPECT_EQ(srv6s_c_layout(23), offsetof(srv6s_cgroup_entry, pin));
    EXPECT_EQ(srv6s_c_layout(24), offsetof(srv6s_attach_opts, max_cgroups));
    EXPECT_EQ(srv6s_c_layout(25), offsetof(srv6s_status, n_sockets));
    EXPECT_EQ(srv6s_c_layout(26), offsetof(srv6s_status, max_cgroups));
    // Fields added later come after every field of before: a smaller sz
    // from an older header stops before them.
    EXPECT_GT(offsetof(srv6s_attach_opts, max_cgroups), offsetof(srv6s_attach_opts, reserved));
    EXPECT_GT(offsetof(srv6s_status, n_sockets), offsetof(srv6s_status, n_problems));
    EXPECT_EQ(sizeof(srv6s_socket_pin), 12u) << "int32_t fd, target kind and id: no padding";
    // The sized structs start with sz and, on LP64, end at their last field
    // (no padding a caller could leave non-zero).
    static_assert(offsetof(srv6s_attach_opts, sz) == 0 && offsetof(srv6s_pin_opts, sz) == 0 &&
                  offsetof(srv6s_status, sz) == 0);
    if (sizeof(void*) == 8) {
        EXPECT_EQ(sizeof(srv6s_attach_opts), offsetof(srv6s_attach_opts, reserved2) + 4);
        EXPECT_EQ(sizeof(srv6s_pin_opts), offsetof(srv6s_pin_opts, reserved) + 4);
        EXPECT_EQ(sizeof(srv6s_status), offsetof(srv6s_status, reserved) + 4);
    }
}

TEST(CApiNoKernel, OptsMacroZeroFillsAndSetsSizeInC99) {
    const srv6s_attach_opts a = srv6s_c_attach_opts();
    EXPECT_EQ(a.sz, sizeof(srv6s_attach_opts));
    EXPECT_EQ(a.hop_limit, 7u);
    EXPECT_EQ(a.max_flows, 16u);
    EXPECT_EQ(a.route_mtu, uint32_t(SRV6S_OFF));
    EXPECT_EQ(a.source, nullptr);
    EXPECT_EQ(a.bpffs, nullptr);
    EXPECT_EQ(a.hook, 0u);
    EXPECT_EQ(a.mtu, 0u);
    EXPECT_EQ(a.fixed_gso, uint32_t(SRV6S_DEFAULT));
    EXPECT_EQ(a.max_qps, 0u);
    EXPECT_EQ(a.reserved, 0u);
    EXPECT_EQ(a.max_cgroups, 32u);
    EXPECT_EQ(a.reserved2, 0u);
    const srv6s_pin_opts p = srv6s_c_pin_opts();
    EXPECT_EQ(p.sz, sizeof(srv6s_pin_opts));
    EXPECT_EQ(p.owner, uint32_t(SRV6S_OWNER_NONE));
    EXPECT_EQ(p.replace, 1u);
    EXPECT_EQ(p.owner_pid, 0u);
    EXPECT_EQ(p.owner_cgroup, 0u);
}

TEST(CApiNoKernel, SocketAndCgroupCallsFromC) {
    EXPECT_EQ(srv6s_c_socket_calls(), 0) << "a call from C did not refuse the NULL handle with -EINVAL";
    EXPECT_STREQ(srv6s_last_error(), "no handle (NULL): attach, open or connect first");
}

TEST(CApiNoKernel, ConnectWithoutAnAgentSaysSo) {
    srv6s_handle* h = reinterpret_cast<srv6s_handle*>(1);
    const int rc = srv6s_connect("/nonexistent/srv6steer/agent.sock", nullptr, &h);
    EXPECT_TRUE(rc == -ENOENT || rc == -ECONNREFUSED) << rc << " " << srv6s_last_error();
    EXPECT_EQ(h, nullptr) << "no handle on failure";
    EXPECT_NE(std::string(srv6s_last_error()).find("/nonexistent/srv6steer/agent.sock"), std::string::npos)
        << srv6s_last_error();
    EXPECT_EQ(srv6s_connect(nullptr, nullptr, nullptr), -EINVAL);
}

TEST(CApiNoKernel, FlowParsesFromC) {
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
