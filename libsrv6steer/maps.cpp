// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "maps.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "srv6steer/error.hpp"

namespace srv6steer {

UniqueFd dup_object_map(bpf_object* obj, const char* obj_name, const char* pin) {
    bpf_map* m = bpf_object__find_map_by_name(obj, obj_name);
    if (!m)
        throw Error(std::string("the BPF object has no map ") + obj_name + " (a broken build)");
    const int fd = fcntl(bpf_map__fd(m), F_DUPFD_CLOEXEC, 3);
    if (fd < 0)
        throw_errno(std::string("duplicating the fd of map ") + pin, errno);
    return UniqueFd(fd);
}

UniqueFd open_pinned_map(const std::string& dir, const char* pin, size_t key_size, size_t value_size) {
    const std::string path = dir + "/" + pin;
    UniqueFd fd(bpf_obj_get(path.c_str()));
    if (!fd)
        throw_errno("opening " + path, errno);
    bpf_map_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd.get(), &info, &len))
        throw_errno("reading what " + path + " is", errno);
    if (info.key_size != key_size || info.value_size != value_size)
        throw Error("the state in " + dir + " was made by an incompatible srv6steer build (map " + pin + " has " +
                        std::to_string(info.key_size) + "-byte keys and " + std::to_string(info.value_size) +
                        "-byte values, this build uses " + std::to_string(key_size) + " and " +
                        std::to_string(value_size) + "): detach it with the build that attached it",
                    EPROTO);
    return fd;
}

MapFds MapFds::of_object(bpf_object* obj) {
    MapFds out;
    maps::for_each([&](const auto& spec) { out.fds_[spec.index] = dup_object_map(obj, spec.obj, spec.pin); });
    return out;
}

MapFds MapFds::open_pinned(const std::string& dir) {
    MapFds out;
    maps::for_each([&](const auto& spec) {
        using S = std::decay_t<decltype(spec)>;
        out.fds_[spec.index] =
            open_pinned_map(dir, spec.pin, sizeof(typename S::Key), sizeof(typename S::Value));
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
