// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What srv6steer left in the kernel, asked of the kernel itself: programs on
// an interface's tcx egress hook, BPF objects pinned under a directory.
// Tests compare these with what the library and the CLI say.
#pragma once

#include <bpf/bpf.h>
#include <net/if.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace testkernel {

inline constexpr uint32_t kTcxEgress = 47;  // BPF_TCX_EGRESS (not in libbpf 1.1's uapi headers)

// Ids of the programs attached to ifname's tcx egress hook (none if it has no such interface).
inline std::vector<uint32_t> tcx_programs(const std::string& ifname) {
    const unsigned ifindex = if_nametoindex(ifname.c_str());
    if (ifindex == 0)
        return {};
    uint32_t ids[16] = {}, count = 16, flags = 0;
    if (bpf_prog_query(static_cast<int>(ifindex), static_cast<bpf_attach_type>(kTcxEgress), 0, &flags, ids, &count))
        return {};
    return {ids, ids + std::min<uint32_t>(count, 16)};
}

// BPF objects (anything but a directory) under dir, one path per line.
inline std::string bpf_objects_under(const std::string& dir) {
    std::string out;
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec))
        return out;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (!it->is_directory())
            out += it->path().string() + "\n";
    return out;
}

}  // namespace testkernel
