// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "hook.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace srv6steer::hook {

namespace {

constexpr uint32_t kTcxIngress = 46;  // BPF_TCX_INGRESS (kernel BTF; not in libbpf 1.1's uapi)
constexpr uint32_t kTcxEgress = 47;   // BPF_TCX_EGRESS
constexpr uint32_t kLinkTypeTcx = 11;  // BPF_LINK_TYPE_TCX
constexpr uint32_t kTcHandle = 0x5e6;
constexpr uint32_t kTcPriority = 0x5e6;

// struct bpf_link_info as the kernel fills it for tcx links (libbpf 1.1's
// uapi header predates tcx): the union starts 8-byte aligned at offset 16.
struct TcxLinkInfo {
    uint32_t type, id, prog_id, pad;
    uint32_t ifindex, attach_type;
    uint8_t rest[64];
};

std::string err_text(int err) { return std::strerror(err); }

bpf_tc_attach_point tc_point(Direction dir) { return dir == Direction::Ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS; }
const char* tc_name(Direction dir) { return dir == Direction::Ingress ? "ingress" : "egress"; }

}  // namespace

uint32_t prog_id_of(int prog_fd) {
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
        throw_errno("reading the TC program's id", errno);
    return info.id;
}

Attached attach(int prog, int ifindex, Hook how, const std::string& ifname, const std::string& link_pin,
                Direction dir) {
    Attached a;
    a.prog_id = prog_id_of(prog);
    if (how != Hook::Clsact) {
        UniqueFd link(bpf_link_create(
            prog, ifindex, static_cast<bpf_attach_type>(dir == Direction::Ingress ? kTcxIngress : kTcxEgress), nullptr));
        if (!link && how == Hook::Tcx)
            throw_errno("attaching a tcx link to " + ifname + " (needs Linux 6.6 or later)", errno);
        if (link) {
            if (bpf_obj_pin(link.get(), link_pin.c_str()))
                throw_errno("pinning the tcx link at " + link_pin, errno);  // the link goes with its fd
            a.mode = SRV6S_ATTACH_TCX;
            return a;
        }
    }
    // Kernels before 6.6 have no tcx: a clsact filter instead.
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = tc_point(dir));
    int err = bpf_tc_hook_create(&hook);
    if (err && err != -EEXIST)
        throw_errno("creating the clsact qdisc on " + ifname, -err);
    LIBBPF_OPTS(bpf_tc_opts, tc, .prog_fd = prog, .handle = kTcHandle, .priority = kTcPriority);
    if ((err = bpf_tc_attach(&hook, &tc)))
        throw_errno(std::string("attaching to TC ") + tc_name(dir) + " of " + ifname, -err);
    a.mode = SRV6S_ATTACH_CLSACT;
    a.tc_handle = kTcHandle;
    a.tc_priority = kTcPriority;
    return a;
}

std::vector<std::string> detach(const std::string& link_pin, const srv6s_meta& meta, Direction dir) {
    std::vector<std::string> problems;
    if (access(link_pin.c_str(), F_OK) == 0) {
        UniqueFd link(bpf_obj_get(link_pin.c_str()));
        // A link whose interface is gone is detached already (ENOLINK/EINVAL).
        if (!link)
            problems.push_back("opening the tcx link: " + err_text(errno));
        else if (bpf_link_detach(link.get()) && errno != ENOLINK && errno != EINVAL)
            problems.push_back("detaching the tcx link: " + err_text(errno));
        unlink(link_pin.c_str());
    } else if (meta.attach_mode == SRV6S_ATTACH_CLSACT) {
        LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = static_cast<int>(meta.ifindex), .attach_point = tc_point(dir));
        LIBBPF_OPTS(bpf_tc_opts, tc, .handle = meta.tc_handle, .priority = meta.tc_priority);
        // The clsact qdisc stays: other programs may use it. Only our own
        // program is taken off (the filter could have been replaced).
        LIBBPF_OPTS(bpf_tc_opts, q, .handle = meta.tc_handle, .priority = meta.tc_priority);
        if (bpf_tc_query(&hook, &q) == 0 && q.prog_id == meta.prog_id) {
            if (int err = bpf_tc_detach(&hook, &tc); err && err != -ENOENT)
                problems.push_back("removing the TC filter: " + err_text(-err));
        }
    }
    return problems;
}

Seen query(const std::string& link_pin, const srv6s_meta& meta, Direction dir) {
    Seen s;
    if (meta.attach_mode == SRV6S_ATTACH_TCX) {
        UniqueFd link(bpf_obj_get(link_pin.c_str()));
        if (!link)
            return s;
        s.link_pinned = true;
        TcxLinkInfo info{};
        uint32_t len = sizeof info;
        if (bpf_obj_get_info_by_fd(link.get(), &info, &len) == 0 && info.type == kLinkTypeTcx) {
            s.ifindex = info.ifindex;
            s.prog_id = info.ifindex ? info.prog_id : 0;
            s.link_id = info.id;
        }
        return s;
    }
    if (meta.attach_mode == SRV6S_ATTACH_CLSACT) {
        LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = static_cast<int>(meta.ifindex), .attach_point = tc_point(dir));
        LIBBPF_OPTS(bpf_tc_opts, q, .handle = meta.tc_handle, .priority = meta.tc_priority);
        if (bpf_tc_query(&hook, &q) == 0) {
            s.ifindex = meta.ifindex;
            s.prog_id = q.prog_id;
        }
    }
    return s;
}

}  // namespace srv6steer::hook
