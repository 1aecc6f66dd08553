// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The receive side's maps: from the loaded object, pinned, opened, unpinned.
#include "receive_maps.hpp"

#include <bpf/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <tuple>

#include "srv6steer/error.hpp"
#include "state_dir.hpp"

namespace srv6steer {

namespace {

constexpr auto kAll = std::tuple{rxmaps::config, rxmaps::sids, rxmaps::reasons, rxmaps::paths, rxmaps::path_slots,
                           rxmaps::attached};
static_assert(std::tuple_size_v<decltype(kAll)> == rxmaps::kCount);
static_assert(rxmaps::attached.index == rxmaps::kCount - 1, "attached is pinned last");

template <class F>
void for_each(F&& f) {
    std::apply([&](const auto&... spec) { (f(spec), ...); }, kAll);
}

}  // namespace

const char* rx_hook_name(uint32_t mode) {
    switch (mode) {
    case kRxNative: return "native";
    case kRxGeneric: return "generic";
    case kRxTcx: return "tcx";
    case kRxClsact: return "clsact";
    }
    return "none";
}

std::string rxmaps::link_pin(const std::string& dir, const std::string& ifname) {
    std::string name = ifname;
    std::replace(name.begin(), name.end(), '.', ':');
    return dir + "/link:" + name;
}

RxIfKey rx_if_key(const std::string& ifname) {
    RxIfKey k{};
    std::memcpy(k.name, ifname.data(), std::min(ifname.size(), sizeof k.name - 1));
    return k;
}

std::string rx_if_name(const RxIfKey& key) { return std::string(key.name, strnlen(key.name, sizeof key.name)); }

RxMapFds RxMapFds::of_object(bpf_object* obj) {
    RxMapFds out;
    for_each([&](const auto& spec) {
        if (spec.obj)
            out.fds_[spec.index] = dup_object_map(obj, spec.obj, spec.pin);
    });
    LIBBPF_OPTS(bpf_map_create_opts, opts);
    UniqueFd fd(bpf_map_create(BPF_MAP_TYPE_HASH, "srv6s_rx_attach", sizeof(RxIfKey), sizeof(RxAttachRecord),
                               kMaxRxInterfaces, &opts));
    if (!fd)
        throw_errno("creating the receive side's map of attached interfaces", errno);
    out.fds_[rxmaps::attached.index] = std::move(fd);
    return out;
}

RxMapFds RxMapFds::open_pinned(const std::string& dir) {
    RxMapFds out;
    for_each([&](const auto& spec) {
        using S = std::decay_t<decltype(spec)>;
        out.fds_[spec.index] = open_pinned_map(dir, spec.pin, sizeof(typename S::Key), sizeof(typename S::Value));
    });
    return out;
}

void RxMapFds::pin_all(const std::string& dir) const {
    for_each([&](const auto& spec) {
        const std::string path = dir + "/" + spec.pin;
        if (bpf_obj_pin(fds_[spec.index].get(), path.c_str()))
            throw_errno("pinning map " + std::string(spec.pin) + " at " + path, errno);
    });
}

void RxMapFds::unpin_all(const std::string& dir) {
    // `attached` first: the directory stops being complete before anything else goes.
    ::unlink((dir + "/" + rxmaps::attached.pin).c_str());
    for (const std::string& name : dir_entries(dir))
        ::unlink((dir + "/" + name).c_str());
}

}  // namespace srv6steer
