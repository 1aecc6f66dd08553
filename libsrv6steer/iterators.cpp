// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "iterators.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "fd.hpp"
#include "srv6steer/error.hpp"
#include "srv6steer_iter_bpf.skel.h"

namespace srv6steer::iterators {

namespace {

struct SkelDelete {
    void operator()(srv6steer_iter_bpf* s) const { srv6steer_iter_bpf__destroy(s); }
};
using Skel = std::unique_ptr<srv6steer_iter_bpf, SkelDelete>;

enum class Wants { Sockets, Cgroups };

// The listing object with only the programs one listing needs.
Skel open(Wants what, int socks_fd = -1) {
    Skel skel(srv6steer_iter_bpf__open());
    if (!skel)
        throw_errno("opening the listing BPF object", errno);
    const bool socks = what == Wants::Sockets;
    bpf_program__set_autoload(skel->progs.srv6s_iter_tcp, socks);
    bpf_program__set_autoload(skel->progs.srv6s_iter_udp, socks);
    bpf_program__set_autoload(skel->progs.srv6s_iter_cgroups, !socks);
    if (socks) {
        if (int err = bpf_map__reuse_fd(skel->maps.srv6s_socks, socks_fd))
            throw_errno("reusing the socket pin map for its listing", -err);
    } else {
        bpf_map__set_autocreate(skel->maps.srv6s_socks, false);
    }
    if (int err = srv6steer_iter_bpf__load(skel.get()))
        throw_errno(std::string("loading the BPF iterators that list ") + (socks ? "socket pins" : "cgroups") +
                        " (needs root, or CAP_BPF and CAP_PERFMON)",
                    -err);
    return skel;
}

// What one run of an iterator wrote; nullopt when attaching it failed with
// ENOENT (no such cgroup). The link is made with the plain syscall wrapper,
// which, unlike bpf_program__attach_iter, prints nothing on failure.
std::optional<std::string> run(bpf_program* prog, const union bpf_iter_link_info* info, const char* what) {
    LIBBPF_OPTS(bpf_link_create_opts, opts);
    if (info) {
        opts.iter_info = const_cast<union bpf_iter_link_info*>(info);
        opts.iter_info_len = sizeof *info;
    }
    UniqueFd link(bpf_link_create(bpf_program__fd(prog), 0, BPF_TRACE_ITER, &opts));
    if (!link) {
        const int err = errno;
        if (err == ENOENT)
            return std::nullopt;
        throw_errno(std::string("attaching the BPF iterator over ") + what, err);
    }
    UniqueFd it(bpf_iter_create(link.get()));
    if (!it)
        throw_errno(std::string("starting the BPF iterator over ") + what, errno);
    std::string out;
    char buf[16384];
    for (;;) {
        const ssize_t n = ::read(it.get(), buf, sizeof buf);
        if (n == 0)
            return out;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            throw_errno(std::string("reading the BPF iterator over ") + what, errno);
        }
        out.append(buf, static_cast<size_t>(n));
    }
}

template <class R>
void append_records(std::vector<R>& out, const std::string& bytes, const char* what) {
    if (bytes.size() % sizeof(R))
        throw Error(std::string("the BPF iterator over ") + what + " wrote " + std::to_string(bytes.size()) +
                        " bytes, not whole records of " + std::to_string(sizeof(R)) + " (a broken build)",
                    EPROTO);
    const size_t first = out.size();
    out.resize(first + bytes.size() / sizeof(R));
    if (!bytes.empty())
        std::memcpy(static_cast<void*>(out.data() + first), bytes.data(), bytes.size());
}

}  // namespace

struct Lister::Loaded {
    Skel skel;
};

Lister::Lister(int socks_fd) : socks_fd_(socks_fd) {}
Lister::~Lister() = default;

Lister::Loaded& Lister::socket_programs() {
    std::lock_guard lock(mu_);
    if (!socks_)
        socks_ = std::make_unique<Loaded>(Loaded{open(Wants::Sockets, socks_fd_)});
    return *socks_;
}

Lister::Loaded& Lister::cgroup_programs() {
    std::lock_guard lock(mu_);
    if (!cgroups_)
        cgroups_ = std::make_unique<Loaded>(Loaded{open(Wants::Cgroups)});
    return *cgroups_;
}

// nullopt when the cgroup the walk starts from does not exist.
std::optional<std::vector<srv6s_cgroup_record>> Lister::cgroups(uint64_t id, int order) {
    Loaded& l = cgroup_programs();
    union bpf_iter_link_info info {};
    info.cgroup.cgroup_id = id;
    info.cgroup.order = static_cast<bpf_cgroup_iter_order>(order);
    const auto bytes = run(l.skel->progs.srv6s_iter_cgroups, &info, "cgroups");
    if (!bytes)
        return std::nullopt;
    std::vector<srv6s_cgroup_record> out;
    append_records(out, *bytes, "cgroups");
    return out;
}

std::vector<srv6s_sock_record> Lister::sockets() {
    Loaded& l = socket_programs();
    std::vector<srv6s_sock_record> out;
    append_records(out, run(l.skel->progs.srv6s_iter_tcp, nullptr, "TCP sockets").value_or(""), "TCP sockets");
    append_records(out, run(l.skel->progs.srv6s_iter_udp, nullptr, "UDP sockets").value_or(""), "UDP sockets");
    return out;
}

std::optional<uint32_t> Lister::cgroup_level(uint64_t id) {
    if (id == 0)
        return std::nullopt;  // 0 would mean "the root" to the iterator
    for (const auto& r : cgroups(id, BPF_CGROUP_ITER_SELF_ONLY).value_or(std::vector<srv6s_cgroup_record>{}))
        if (r.id == id)
            return r.level;
    return std::nullopt;
}

std::unordered_map<uint64_t, uint32_t> Lister::cgroup_levels() {
    std::unordered_map<uint64_t, uint32_t> out;
    for (const auto& r : cgroups(0, BPF_CGROUP_ITER_DESCENDANTS_PRE).value_or(std::vector<srv6s_cgroup_record>{}))
        out.emplace(r.id, r.level);
    return out;
}

}  // namespace srv6steer::iterators
