// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "maps.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "srv6steer/error.hpp"

namespace srv6steer {

MapFds MapFds::of_object(bpf_object* obj) {
    MapFds out;
    maps::for_each([&](const auto& spec) {
        bpf_map* m = bpf_object__find_map_by_name(obj, spec.obj);
        if (!m)
            throw Error(std::string("the BPF object has no map ") + spec.obj + " (a broken build)");
        const int fd = fcntl(bpf_map__fd(m), F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
            throw_errno(std::string("duplicating the fd of map ") + spec.pin, errno);
        out.fds_[spec.index] = UniqueFd(fd);
    });
    return out;
}

MapFds MapFds::open_pinned(const std::string& dir) {
    MapFds out;
    maps::for_each([&](const auto& spec) {
        using S = std::decay_t<decltype(spec)>;
        const std::string path = dir + "/" + spec.pin;
        UniqueFd fd(bpf_obj_get(path.c_str()));
        if (!fd)
            throw_errno("opening " + path, errno);
        bpf_map_info info{};
        uint32_t len = sizeof info;
        if (bpf_obj_get_info_by_fd(fd.get(), &info, &len))
            throw_errno("reading what " + path + " is", errno);
        if (info.key_size != sizeof(typename S::Key) || info.value_size != sizeof(typename S::Value))
            throw Error("the state in " + dir + " was made by an incompatible srv6steer build (map " +
                            spec.pin + " has " + std::to_string(info.key_size) + "-byte keys and " +
                            std::to_string(info.value_size) + "-byte values, this build uses " +
                            std::to_string(sizeof(typename S::Key)) + " and " +
                            std::to_string(sizeof(typename S::Value)) +
                            "): detach it with the build that attached it",
                        EPROTO);
        out.fds_[spec.index] = std::move(fd);
    });
    return out;
}

void MapFds::pin_all(const std::string& dir) const {
    maps::for_each([&](const auto& spec) {
        const std::string path = dir + "/" + spec.pin;
        if (bpf_obj_pin(fds_[spec.index].get(), path.c_str()))
            throw_errno("pinning map " + std::string(spec.pin) + " at " + path, errno);
    });
}

void MapFds::unpin_all(const std::string& dir) {
    maps::for_each([&](const auto& spec) { ::unlink((dir + "/" + spec.pin).c_str()); });
}

}  // namespace srv6steer
