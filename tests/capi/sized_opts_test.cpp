// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The sized options structs of the C ABI (the LIBBPF_OPTS convention): a
// caller built against an older srv6steer.h passes a smaller struct and gets
// the defaults for what it lacks; one built against a newer header passes a
// larger struct, accepted only while the options this library does not know
// are zero. What an option did is checked where it shows, not in the
// library: on the wire (captured on veth1), with bpftool, ip and tc.
#include "capi_fixture.hpp"

using ::testing::HasSubstr;
using namespace capitest;

// The tables of cases leave the fields they do not name zero, on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace {

// srv6s_attach_opts as an older header had it: the fields up to hop_limit.
struct attach_opts_v0 {
    size_t sz;
    const char* source;
    const char* bpffs;
    uint32_t hook;
    uint32_t hop_limit;
};

// ... and as a newer header might: one more option after ours.
struct attach_opts_next {
    srv6s_attach_opts known;
    uint64_t future_option;
};

// srv6s_pin_opts as an older header had it: no cgroup, no replace.
struct pin_opts_v0 {
    size_t sz;
    uint32_t owner;
    uint32_t owner_pid;
};

struct pin_opts_next {
    srv6s_pin_opts known;
    uint32_t future_option;
    uint32_t pad;
};

// Sends one datagram of the flow pinned to path 1 and returns the frame
// that left veth0 for it (encapsulated towards kOuter1).
Frame one_steered_frame(srv6s_handle* h) {
    EXPECT_EQ(srv6s_add_path_usids(h, 1, kBlock, kUsids1, 0), 0) << last_error();
    EXPECT_EQ(pin_flow(h, udp_flow(40000, 9000), SRV6S_TARGET_PATH, 1), 0) << last_error();
    Capture cap("veth1");
    send_udp(40000, 9000);
    auto frames = cap.wait_for(kOuter1, 1);
    EXPECT_EQ(frames.size(), 1u) << "no encapsulated frame towards " << kOuter1 << " on veth1";
    return frames.empty() ? Frame{} : frames[0];
}

bool attached(const std::string& bpffs) {
    srv6s_handle* h = nullptr;
    const int rc = srv6s_open("veth0", bpffs.c_str(), &h);
    srv6s_close(h);
    return rc == 0;
}

// The route `ip` shows for kDest/128 in any table ("" if none).
std::string dest_route() { return sh("ip -6 route show table all exact " + std::string(kDest) + "/128"); }

}  // namespace

TEST_F(CApi, OlderSmallerAttachOptsGetDefaultsForWhatTheyLack) {
    attach_opts_v0 old{};
    old.sz = sizeof old;
    old.bpffs = bpffs.c_str();
    old.hop_limit = 7;
    srv6s_handle* raw = nullptr;
    ASSERT_EQ(srv6s_attach("veth0", reinterpret_cast<const srv6s_attach_opts*>(&old), &raw), 0)
        << last_error();
    Handle h(raw);

    const Frame f = one_steered_frame(h.get());
    EXPECT_EQ(f.hop_limit, 7) << "the option the old struct has";
    EXPECT_EQ(f.len, kFrameLen + kEncapOneContainer);
    // The defaults of srv6steer.h for what the old struct lacks: pin map sizes
    // (as the kernel reports them) and route MTUs (on: a /128 with room for
    // one container, 1500 - 40).
    const srv6s_status st = status_of(h.get());
    const auto sizes = map_sizes(st.pin_dir);
    EXPECT_EQ(sizes.at("srv6s_flows"), 2 * SRV6S_DEFAULT_MAX_FLOWS) << "slots: twice the pins";
    EXPECT_EQ(st.max_flows, SRV6S_DEFAULT_MAX_FLOWS);
    EXPECT_EQ(sizes.at("srv6s_qps"), SRV6S_DEFAULT_MAX_QPS);
    EXPECT_EQ(sizes.at("srv6s_prefixes"), SRV6S_DEFAULT_MAX_PREFIXES);
    EXPECT_THAT(dest_route(), HasSubstr(" mtu 1460"));
}

TEST_F(CApi, SmallerSzHidesTheFieldsPastIt) {
    // A full struct whose sz stops before max_flows: the library must not
    // read max_flows or max_qps, whatever the memory past sz holds.
    SRV6S_OPTS(srv6s_attach_opts, o, .bpffs = bpffs.c_str(), .max_flows = 16, .max_qps = 8);
    o.sz = offsetof(srv6s_attach_opts, max_flows);
    srv6s_handle* raw = nullptr;
    ASSERT_EQ(srv6s_attach("veth0", &o, &raw), 0) << last_error();
    Handle h(raw);
    const srv6s_status st = status_of(h.get());
    const auto sizes = map_sizes(st.pin_dir);
    EXPECT_EQ(sizes.at("srv6s_flows"), 2 * SRV6S_DEFAULT_MAX_FLOWS) << "slots: twice the pins";
    EXPECT_EQ(st.max_flows, SRV6S_DEFAULT_MAX_FLOWS);
    EXPECT_EQ(sizes.at("srv6s_qps"), SRV6S_DEFAULT_MAX_QPS);
}

TEST_F(CApi, LargerAttachOptsWithANonZeroTailAreRefused) {
    attach_opts_next next{};
    next.known.sz = sizeof next;
    next.known.bpffs = bpffs.c_str();
    next.future_option = 1;
    EXPECT_EQ(srv6s_attach("veth0", &next.known, nullptr), -EINVAL);
    const std::string msg = last_error();
    EXPECT_THAT(msg, HasSubstr("struct srv6s_attach_opts of " + std::to_string(sizeof next) + " bytes"));
    EXPECT_THAT(msg, HasSubstr("sets byte " + std::to_string(offsetof(attach_opts_next, future_option))));
    EXPECT_THAT(msg, HasSubstr("newer srv6steer.h"));
    EXPECT_FALSE(attached(bpffs)) << "a refused attach attaches nothing";

    next.future_option = 0;  // the newer option left at its default: fine
    EXPECT_EQ(srv6s_attach("veth0", &next.known, nullptr), 0) << last_error();
    EXPECT_TRUE(attached(bpffs));
}

TEST_F(CApi, InvalidAttachOptionsAreRefusedByName) {
    struct Case {
        srv6s_attach_opts opts;
        const char* message;
    };
    const char* fs = bpffs.c_str();
    const Case cases[] = {
        {{.sz = 0, .bpffs = fs}, "has sz 0: declare it with SRV6S_OPTS"},
        {{.sz = 4, .bpffs = fs}, "has sz 4"},
        {{.sz = sizeof(srv6s_attach_opts), .bpffs = fs, .hook = 3}, "srv6s_attach_opts.hook 3"},
        {{.sz = sizeof(srv6s_attach_opts), .bpffs = fs, .hop_limit = 256},
         "srv6s_attach_opts.hop_limit 256 is out of range: 1 to 255"},
        {{.sz = sizeof(srv6s_attach_opts), .bpffs = fs, .fixed_gso = 3}, "srv6s_attach_opts.fixed_gso 3"},
        {{.sz = sizeof(srv6s_attach_opts), .bpffs = fs, .route_mtu = 7}, "srv6s_attach_opts.route_mtu 7"},
        {{.sz = sizeof(srv6s_attach_opts), .bpffs = fs, .drop_oversize = 9},
         "srv6s_attach_opts.drop_oversize 9"},
        {{.sz = sizeof(srv6s_attach_opts), .bpffs = fs, .reserved = 1}, "srv6s_attach_opts.reserved"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(srv6s_attach("veth0", &c.opts, nullptr), -EINVAL) << c.message;
        EXPECT_THAT(last_error(), HasSubstr(c.message));
    }
    EXPECT_FALSE(attached(bpffs));
}

TEST_F(CApi, EveryAttachOptionReachesTheDataPlane) {
    SRV6S_OPTS(srv6s_attach_opts, o, .source = "fcbb:0:800:1::99", .bpffs = bpffs.c_str(),
               .hook = SRV6S_HOOK_CLSACT, .hop_limit = 9, .mtu = 1400, .fixed_gso = SRV6S_OFF,
               .route_mtu = SRV6S_OFF, .drop_oversize = SRV6S_ON, .max_flows = 16, .max_qps = 8,
               .max_prefixes = 4);
    Handle h = attach(o);
    ASSERT_TRUE(h);
    // hook: a clsact egress filter, as tc sees it.
    EXPECT_THAT(sh("tc filter show dev veth0 egress"), HasSubstr("bpf"));
    const srv6s_status st = status_of(h.get());
    EXPECT_EQ(st.attach_mode, uint32_t(SRV6S_ATTACH_CLSACT));
    // Sizes, as the kernel reports them.
    const auto sizes = map_sizes(st.pin_dir);
    EXPECT_EQ(sizes.at("srv6s_flows"), 32u) << "slots: twice the pins";
    EXPECT_EQ(st.max_flows, 16u);
    EXPECT_EQ(sizes.at("srv6s_qps"), 8u);
    EXPECT_EQ(sizes.at("srv6s_prefixes"), 4u);
    // source and hop limit, on the wire.
    const Frame f = one_steered_frame(h.get());
    EXPECT_EQ(f.src, "fcbb:0:800:1::99");
    EXPECT_EQ(f.hop_limit, 9);
    // route_mtu off: the pin set no route MTU.
    EXPECT_EQ(dest_route(), "");
    EXPECT_EQ(status_of(h.get()).n_owned_routes, 0u);
    // mtu 1400 with drop_oversize: a datagram of 1400 bytes of IPv6 fits
    // unencapsulated, not with 40 more; it is dropped and counted so.
    send_udp(40000, 9000, 1400 - 40 - 8);
    srv6s_counter dropped{};
    ASSERT_EQ(srv6s_stats_reason(h.get(), SRV6S_R_MTU_DROPPED, &dropped), 0) << last_error();
    EXPECT_EQ(dropped.packets, 1u);
    EXPECT_EQ(dropped.bytes, 14u + 1400u);
    // fixed_gso off, drop_oversize on, in the configuration the program reads.
    const srv6s_status after = status_of(h.get());
    EXPECT_EQ(after.mtu, 1400u);
    EXPECT_EQ(after.hop_limit, 9u);
    EXPECT_EQ(after.config_flags & SRV6S_CFG_FIXED_GSO, 0u);
    EXPECT_NE(after.config_flags & SRV6S_CFG_DROP_OVERSIZE, 0u);
    EXPECT_EQ(after.route_mtu, 0u);
}

TEST_F(CApi, PinOptsOlderSmallerAndLarger) {
    Handle h = attach();
    ASSERT_TRUE(h);
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 1, kBlock, kUsids1, 0), 0) << last_error();
    ASSERT_EQ(srv6s_add_path_usids(h.get(), 2, kBlock, kUsids2, 0), 0) << last_error();

    // Older and smaller: the owner it has is used.
    pin_opts_v0 old{sizeof(pin_opts_v0), SRV6S_OWNER_NONE, 0};
    ASSERT_EQ(pin_flow(h.get(), udp_flow(1, 2), SRV6S_TARGET_PATH, 1,
                       reinterpret_cast<const srv6s_pin_opts*>(&old)),
              0)
        << last_error();
    ASSERT_EQ(flows(h.get()).size(), 1u);
    EXPECT_EQ(flows(h.get())[0].pin.owner_pid, 0u) << "SRV6S_OWNER_NONE";

    // replace lies past sz: not seen, so re-pinning elsewhere is refused.
    SRV6S_OPTS(srv6s_pin_opts, cut, .replace = 1);
    cut.sz = offsetof(srv6s_pin_opts, replace);
    EXPECT_EQ(pin_flow(h.get(), udp_flow(1, 2), SRV6S_TARGET_PATH, 2, &cut), -EEXIST);
    cut.sz = sizeof cut;
    EXPECT_EQ(pin_flow(h.get(), udp_flow(1, 2), SRV6S_TARGET_PATH, 2, &cut), 0) << last_error();
    EXPECT_EQ(flows(h.get())[0].pin.target_id, 2u);

    // Larger: refused while the unknown tail is not zero, and nothing pinned.
    pin_opts_next next{};
    next.known.sz = sizeof next;
    next.future_option = 5;
    EXPECT_EQ(pin_flow(h.get(), udp_flow(3, 4), SRV6S_TARGET_PATH, 1, &next.known), -EINVAL);
    EXPECT_THAT(last_error(), HasSubstr("struct srv6s_pin_opts of " + std::to_string(sizeof next) + " bytes"));
    EXPECT_THAT(last_error(), HasSubstr("sets byte " + std::to_string(offsetof(pin_opts_next, future_option))));
    EXPECT_EQ(flows(h.get()).size(), 1u);
    next.future_option = 0;
    EXPECT_EQ(pin_flow(h.get(), udp_flow(3, 4), SRV6S_TARGET_PATH, 1, &next.known), 0) << last_error();
    EXPECT_EQ(flows(h.get()).size(), 2u);

    // Owners: another pid with its cgroup, as listed.
    SRV6S_OPTS(srv6s_pin_opts, other, .owner = SRV6S_OWNER_PID, .owner_pid = 4242, .owner_cgroup = 77);
    ASSERT_EQ(pin_flow(h.get(), udp_flow(5, 6), SRV6S_TARGET_PATH, 1, &other), 0) << last_error();
    bool seen = false;
    for (const auto& e : flows(h.get()))
        if (e.flow.sport == 5) {
            seen = true;
            EXPECT_EQ(e.pin.owner_pid, 4242u);
            EXPECT_EQ(e.pin.owner_cgroup, 77u);
        }
    EXPECT_TRUE(seen);

    // What is refused, by name.
    struct Case {
        srv6s_pin_opts opts;
        const char* message;
    };
    const Case cases[] = {
        {{.sz = 0}, "struct srv6s_pin_opts has sz 0"},
        {{.sz = sizeof(srv6s_pin_opts), .owner = 3}, "srv6s_pin_opts.owner 3 is not an enum srv6s_owner"},
        {{.sz = sizeof(srv6s_pin_opts), .owner = SRV6S_OWNER_PID}, "owner_pid 0 is not a process id"},
        {{.sz = sizeof(srv6s_pin_opts), .owner = SRV6S_OWNER_PID, .owner_pid = 0x80000000u},
         "owner_pid 2147483648 is not a process id"},
        {{.sz = sizeof(srv6s_pin_opts), .owner = SRV6S_OWNER_SELF, .owner_pid = 5}, "set owner to SRV6S_OWNER_PID"},
        {{.sz = sizeof(srv6s_pin_opts), .owner = SRV6S_OWNER_NONE, .owner_cgroup = 5}, "set owner to SRV6S_OWNER_PID"},
        {{.sz = sizeof(srv6s_pin_opts), .reserved = 1}, "srv6s_pin_opts.reserved"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(pin_flow(h.get(), udp_flow(7, 8), SRV6S_TARGET_PATH, 1, &c.opts), -EINVAL) << c.message;
        EXPECT_THAT(last_error(), HasSubstr(c.message));
        EXPECT_EQ(srv6s_pin_qp(h.get(), kDest, 1, SRV6S_TARGET_PATH, 1, &c.opts), -EINVAL) << c.message;
        EXPECT_EQ(srv6s_pin_prefix(h.get(), kDest, SRV6S_TARGET_PATH, 1, &c.opts), -EINVAL) << c.message;
        srv6s_flow_pin one{udp_flow(7, 8), SRV6S_TARGET_PATH, 1};
        EXPECT_EQ(srv6s_pin_flows(h.get(), &one, 1, &c.opts, nullptr), -EINVAL) << c.message;
    }
    EXPECT_EQ(flows(h.get()).size(), 3u) << "nothing pinned by a refused call";
    EXPECT_EQ(status_of(h.get()).n_qps, 0u);
    EXPECT_EQ(status_of(h.get()).n_prefixes, 0u);
}
