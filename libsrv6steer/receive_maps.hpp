// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The receive side's state on the BPF filesystem, one directory per network
// namespace beside the egress side's interface directories:
//
//   <bpffs>/srv6steer/v6/<netns cookie>/:receive/
//       rx_config local_sids rx_reasons rx_paths rx_path_slots  (the decap object's maps)
//       xdp_prog tc_prog                             (its two programs)
//       link:<ifname>                                (one XDP or tcx link per interface)
//       attached                                     (user space only: how each interface is hooked)
//
// ":receive" can never be an interface's name (the kernel refuses ':' in
// them), so it never meets an egress directory. `attached` is pinned last:
// a directory with it is complete (docs/design.md §14.1).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "fd.hpp"
#include "maps.hpp"
#include "srv6steer/decap_abi.h"

struct bpf_object;

namespace srv6steer {

inline constexpr const char* kReceiveDir = ":receive";

// How one interface is hooked (the value of the `attached` map, keyed by
// interface name): what detach takes off and status checks.
enum RxHookMode : uint32_t {
    kRxNative = 1,   // XDP, driver mode (XDP link)
    kRxGeneric = 2,  // XDP, generic mode (XDP link)
    kRxTcx = 3,      // TC ingress, tcx link
    kRxClsact = 4,   // TC ingress, clsact filter (handle, priority)
};
const char* rx_hook_name(uint32_t mode);  // "native", "generic", "tcx", "clsact"

struct RxIfKey {
    char name[16];  // IF_NAMESIZE, NUL-padded
};
struct RxAttachRecord {
    uint32_t ifindex;
    uint32_t mode;  // RxHookMode
    uint32_t prog_id;
    uint32_t tc_handle, tc_priority;  // clsact
    uint32_t pad;
    uint64_t attached_ns;  // CLOCK_REALTIME
};
static_assert(sizeof(RxIfKey) == 16 && sizeof(RxAttachRecord) == 32);
RxIfKey rx_if_key(const std::string& ifname);
std::string rx_if_name(const RxIfKey& key);

inline constexpr uint32_t kMaxRxInterfaces = 256;

namespace rxmaps {
inline constexpr MapSpec<uint32_t, srv6s_rx_config> config{0, "rx_config", "srv6s_rx_config"};
inline constexpr MapSpec<srv6s_prefix_key, srv6s_local_sid> sids{1, "local_sids", "srv6s_local_sids"};
inline constexpr MapSpec<uint32_t, srv6s_counter, true> reasons{2, "rx_reasons", "srv6s_rx_reasons"};
// A per-CPU hash and the per-CPU slots before it (include/srv6steer/decap_abi.h):
// read together with read_rx_paths (receive_stats.cpp), not the Map view.
inline constexpr MapSpec<srv6s_rx_path_key, srv6s_rx_path_stats> paths{3, "rx_paths", "srv6s_rx_paths"};
inline constexpr MapSpec<uint32_t, srv6s_rx_path_slot, true> path_slots{4, "rx_path_slots", "srv6s_rx_path_slots"};
// Made by user space (no object name); pinned last.
inline constexpr MapSpec<RxIfKey, RxAttachRecord> attached{5, "attached", nullptr};
inline constexpr size_t kCount = 6;

inline constexpr const char* kXdpProgPin = "xdp_prog";
inline constexpr const char* kTcProgPin = "tc_prog";
// dir/link:<ifname>, each '.' of the name written ':' (bpffs refuses dots
// in names; interface names never have a ':'): one pin per interface.
std::string link_pin(const std::string& dir, const std::string& ifname);
}  // namespace rxmaps

// One owned fd per receive map.
class RxMapFds {
public:
    template <class S>
    auto operator[](const S& spec) const {
        return map_view(spec, fds_[spec.index].get());
    }
    int fd(size_t index) const { return fds_[index].get(); }

    // The loaded object's maps, and a new `attached` map.
    static RxMapFds of_object(bpf_object* obj);
    // The pinned maps of a state directory (sizes checked, as MapFds).
    static RxMapFds open_pinned(const std::string& dir);
    // Pins every map, `attached` last.
    void pin_all(const std::string& dir) const;
    // Removes every pin of a receive directory: maps, programs, links.
    static void unpin_all(const std::string& dir);

private:
    std::array<UniqueFd, rxmaps::kCount> fds_;
};

}  // namespace srv6steer
