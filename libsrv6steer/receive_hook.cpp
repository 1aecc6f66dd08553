// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "receive_hook.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hook.hpp"

namespace srv6steer::rxhook {

namespace {

// hook.hpp takes its clsact filter's place from an srv6s_meta.
srv6s_meta as_meta(const RxAttachRecord& rec) {
    srv6s_meta m{};
    m.ifindex = rec.ifindex;
    m.attach_mode = rec.mode == kRxTcx ? SRV6S_ATTACH_TCX : rec.mode == kRxClsact ? SRV6S_ATTACH_CLSACT : 0;
    m.tc_handle = rec.tc_handle;
    m.tc_priority = rec.tc_priority;
    m.prog_id = rec.prog_id;
    return m;
}

bool is_xdp(uint32_t mode) { return mode == kRxNative || mode == kRxGeneric; }

// An XDP link in driver or generic mode; -errno when the kernel says no.
int xdp_link(int prog, int ifindex, uint32_t flags, const std::string& link_pin) {
    LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
    UniqueFd link(bpf_link_create(prog, ifindex, BPF_XDP, &opts));
    if (!link)
        return -errno;
    if (bpf_obj_pin(link.get(), link_pin.c_str()))
        throw_errno("pinning the XDP link at " + link_pin, errno);  // the link goes with its fd
    return 0;
}

[[noreturn]] void xdp_refused(const std::string& ifname, const char* mode, int err) {
    std::string what = std::string("attaching XDP in ") + mode + " mode to " + ifname;
    if (err == EBUSY || err == EEXIST)
        what += " (another XDP program is attached there: take it off, or use the TC ingress mode)";
    else if (err == EOPNOTSUPP && std::string_view(mode) == "native")
        what += " (its driver has no native XDP: use generic XDP or the TC ingress mode)";
    throw_errno(what, err);
}

}  // namespace

std::string driver_of(const std::string& ifname) {
    UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock)
        throw_errno("opening a socket to ask " + ifname + "'s driver", errno);
    ethtool_drvinfo info{};
    info.cmd = ETHTOOL_GDRVINFO;
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
    ifr.ifr_data = reinterpret_cast<char*>(&info);
    if (ioctl(sock.get(), SIOCETHTOOL, &ifr) != 0)
        return {};  // no ethtool driver info (some virtual devices): not a veth
    return std::string(info.driver, strnlen(info.driver, sizeof info.driver));
}

namespace {

RxAttachRecord attach_tc(int tc_prog, int ifindex, const std::string& ifname, const std::string& link_pin) {
    RxAttachRecord rec{};
    rec.ifindex = static_cast<uint32_t>(ifindex);
    const hook::Attached a = hook::attach(tc_prog, ifindex, Hook::Auto, ifname, link_pin, hook::Direction::Ingress);
    rec.mode = a.mode == SRV6S_ATTACH_TCX ? kRxTcx : kRxClsact;
    rec.prog_id = a.prog_id;
    rec.tc_handle = a.tc_handle;
    rec.tc_priority = a.tc_priority;
    return rec;
}

}  // namespace

RxAttachRecord attach(int xdp_prog, int tc_prog, int ifindex, const std::string& ifname, RxMode mode,
                      const std::string& link_pin) {
    if (mode == RxMode::Tc)
        return attach_tc(tc_prog, ifindex, ifname, link_pin);
    RxAttachRecord rec{};
    rec.ifindex = static_cast<uint32_t>(ifindex);
    rec.prog_id = hook::prog_id_of(xdp_prog);
    // Auto (docs/design.md §14.2): native XDP where the driver has it, else
    // TC ingress. Never native on a veth (it turns TSO off on the peer), and
    // never generic XDP unasked (the kernel copies every multi-buffer skb,
    // that is every TSO or GRO aggregate, before the program sees it).
    const bool veth = mode == RxMode::Auto && driver_of(ifname) == "veth";
    if (mode == RxMode::Native || (mode == RxMode::Auto && !veth)) {
        const int err = xdp_link(xdp_prog, ifindex, XDP_FLAGS_DRV_MODE, link_pin);
        if (err == 0) {
            rec.mode = kRxNative;
            return rec;
        }
        if (mode == RxMode::Native || err != -EOPNOTSUPP)
            xdp_refused(ifname, "native", -err);
    }
    if (mode == RxMode::Auto)
        return attach_tc(tc_prog, ifindex, ifname, link_pin);
    if (const int err = xdp_link(xdp_prog, ifindex, XDP_FLAGS_SKB_MODE, link_pin))
        xdp_refused(ifname, "generic", -err);
    rec.mode = kRxGeneric;
    return rec;
}

std::vector<std::string> detach(const std::string& link_pin, const RxAttachRecord& rec) {
    if (!is_xdp(rec.mode))
        return hook::detach(link_pin, as_meta(rec), hook::Direction::Ingress);
    std::vector<std::string> problems;
    if (access(link_pin.c_str(), F_OK) == 0) {
        UniqueFd link(bpf_obj_get(link_pin.c_str()));
        // A link whose interface is gone is detached already (ENOLINK/EINVAL).
        if (!link)
            problems.push_back(std::string("opening the XDP link: ") + std::strerror(errno));
        else if (bpf_link_detach(link.get()) && errno != ENOLINK && errno != EINVAL)
            problems.push_back(std::string("detaching the XDP link: ") + std::strerror(errno));
        unlink(link_pin.c_str());
    }
    return problems;
}

Seen query(const std::string& link_pin, const RxAttachRecord& rec) {
    Seen s;
    if (!is_xdp(rec.mode)) {
        const hook::Seen h = hook::query(link_pin, as_meta(rec), hook::Direction::Ingress);
        s.link_pinned = h.link_pinned;
        s.ifindex = h.ifindex;
        s.prog_id = h.prog_id;
        s.link_id = h.link_id;
        return s;
    }
    UniqueFd link(bpf_obj_get(link_pin.c_str()));
    if (!link)
        return s;
    s.link_pinned = true;
    bpf_link_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(link.get(), &info, &len) == 0 && info.type == BPF_LINK_TYPE_XDP) {
        s.ifindex = info.xdp.ifindex;
        s.prog_id = info.xdp.ifindex ? info.prog_id : 0;
        s.link_id = info.id;
    }
    if (s.ifindex) {
        LIBBPF_OPTS(bpf_xdp_query_opts, q);
        if (bpf_xdp_query(static_cast<int>(s.ifindex), 0, &q) == 0)
            s.xdp_mode = q.attach_mode;
    }
    return s;
}

}  // namespace srv6steer::rxhook
