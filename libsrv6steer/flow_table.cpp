// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "flow_table.hpp"

#include <bpf/bpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>
#include <string>

#include "srv6steer/error.hpp"

namespace srv6steer {

// ---- MappedArray ------------------------------------------------------------------

MappedArray::MappedArray(int fd, const char* what) {
    bpf_map_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd, &info, &len))
        throw_errno(std::string("reading the ") + what + " map's size", errno);
    if (info.type != BPF_MAP_TYPE_ARRAY || !(info.map_flags & BPF_F_MMAPABLE))
        throw Error(std::string("the ") + what + " map is not an mmapable array: state of another srv6steer build",
                    EPROTO);
    entries_ = info.max_entries;
    value_size_ = info.value_size;
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t bytes = size_t{entries_} * ((value_size_ + 7) & ~7u);  // the kernel's element stride
    len_ = (bytes + page - 1) / page * page;
    void* p = mmap(nullptr, len_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        throw_errno(std::string("mapping the ") + what + " map", errno);
    addr_ = p;
}

MappedArray::MappedArray(MappedArray&& o) noexcept
    : addr_(std::exchange(o.addr_, nullptr)),
      len_(std::exchange(o.len_, 0)),
      entries_(std::exchange(o.entries_, 0)),
      value_size_(std::exchange(o.value_size_, 0)) {}

MappedArray& MappedArray::operator=(MappedArray&& o) noexcept {
    if (this != &o) {
        if (addr_)
            munmap(addr_, len_);
        addr_ = std::exchange(o.addr_, nullptr);
        len_ = std::exchange(o.len_, 0);
        entries_ = std::exchange(o.entries_, 0);
        value_size_ = std::exchange(o.value_size_, 0);
    }
    return *this;
}

MappedArray::~MappedArray() {
    if (addr_)
        munmap(addr_, len_);
}

// ---- FlowTable --------------------------------------------------------------------

namespace {

uint32_t state_of(uint32_t tag) { return tag & SRV6S_FLOW_STATE_MASK; }
// The tag of the next state of a slot: a new generation.
uint32_t next_tag(uint32_t tag, uint32_t state) {
    return ((tag & ~SRV6S_FLOW_STATE_MASK) + SRV6S_FLOW_GEN_ONE) | state;
}

template <class T>
std::atomic_ref<T> at(T& v) {
    return std::atomic_ref<T>(v);
}

}  // namespace

// The entry one past the last slot of the owners array.
struct FlowTable::Census {
    uint32_t live;
    uint32_t deleted;
    uint32_t sweep_at;  // sweep when this many slots are deleted
    uint32_t pad[3];
};

uint32_t flow_table_slots(uint32_t max_pins) {
    if (max_pins == 0)
        throw Error("the flows map size must be at least 1");
    const uint64_t slots = std::bit_ceil(2 * uint64_t{max_pins});
    if (slots > (uint64_t{1} << 31))
        throw Error("the flows map size " + std::to_string(max_pins) + " is too large: at most " +
                    std::to_string(uint64_t{1} << 30) + " flow pins");
    return static_cast<uint32_t>(slots);
}

FlowTable::FlowTable(int slots_fd, int owners_fd)
    : slot_map_(slots_fd, "flows"), owner_map_(owners_fd, "flow_owners") {
    n_ = slot_map_.entries();
    if (slot_map_.value_size() != sizeof(srv6s_flow_slot) || owner_map_.value_size() != sizeof(srv6s_flow_owner) ||
        n_ < 2 || !std::has_single_bit(n_) || owner_map_.entries() != n_ + 1)
        throw Error("the flows and flow_owners maps do not make a flow table of this build's layout", EPROTO);
    mask_ = n_ - 1;
    slots_ = static_cast<srv6s_flow_slot*>(slot_map_.data());
    owners_ = static_cast<srv6s_flow_owner*>(owner_map_.data());
}

FlowTable::Census& FlowTable::census() const {
    static_assert(sizeof(Census) == sizeof(srv6s_flow_owner), "the census is one owner entry");
    return *reinterpret_cast<Census*>(&owners_[n_]);
}

size_t FlowTable::size() const { return at(census().live).load(std::memory_order_relaxed); }

std::optional<uint32_t> FlowTable::locate(const srv6s_flow_key& key) const {
    const uint32_t h = srv6s_flow_hash(&key);
    for (uint32_t i = 0; i < SRV6S_FLOW_PROBES; i++) {
        const uint32_t idx = flow_slot_at(h, i, n_);
        srv6s_flow_slot& s = slot(idx);
        const uint32_t tag = at(s.tag).load(std::memory_order_acquire);
        if (state_of(tag) == SRV6S_FLOW_EMPTY)
            return std::nullopt;
        if (state_of(tag) == SRV6S_FLOW_LIVE && std::memcmp(&s.key, &key, sizeof key) == 0)
            return idx;
    }
    return std::nullopt;
}

namespace {

srv6s_pin pin_of(srv6s_flow_slot& s, const srv6s_flow_owner& o) {
    srv6s_pin p{};
    p.path_set = at(s.path_set).load(std::memory_order_relaxed);
    p.owner_pid = o.owner_pid;
    p.owner_cgroup = o.owner_cgroup;
    p.created_ns = o.created_ns;
    p.packets = at(s.packets).load(std::memory_order_relaxed);
    p.bytes = at(s.bytes).load(std::memory_order_relaxed);
    return p;
}

}  // namespace

std::optional<srv6s_pin> FlowTable::find(const srv6s_flow_key& key) const {
    const auto i = locate(key);
    if (!i)
        return std::nullopt;
    return pin_of(slot(*i), owners_[*i]);
}

std::vector<std::pair<srv6s_flow_key, srv6s_pin>> FlowTable::entries() const {
    std::vector<std::pair<srv6s_flow_key, srv6s_pin>> out;
    out.reserve(size());
    for (uint32_t i = 0; i < n_; i++) {
        srv6s_flow_slot& s = slot(i);
        if (state_of(at(s.tag).load(std::memory_order_acquire)) == SRV6S_FLOW_LIVE)
            out.emplace_back(s.key, pin_of(s, owners_[i]));
    }
    return out;
}

void FlowTable::put(const srv6s_flow_key& key, const srv6s_pin& pin) {
    const srv6s_flow_owner owner{pin.owner_pid, 0, pin.owner_cgroup, pin.created_ns};
    if (const auto i = locate(key)) {
        owners_[*i] = owner;
        at(slot(*i).path_set).store(pin.path_set, std::memory_order_release);
        return;
    }
    Census& c = census();
    const uint32_t live = at(c.live).load(std::memory_order_relaxed);
    if (live >= max_pins())
        throw Error("the flow table is full (" + std::to_string(live) + " pins)", E2BIG);
    const uint32_t h = srv6s_flow_hash(&key);
    for (uint32_t i = 0; i < SRV6S_FLOW_PROBES; i++) {
        const uint32_t idx = flow_slot_at(h, i, n_);
        srv6s_flow_slot& s = slot(idx);
        const uint32_t tag = at(s.tag).load(std::memory_order_relaxed);
        if (state_of(tag) == SRV6S_FLOW_LIVE)
            continue;
        // Not LIVE: the data plane takes nothing from it until the tag
        // below, and a walk that read its old tag refuses it (abi.h).
        std::memcpy(&s.key, &key, sizeof key);
        at(s.path_set).store(pin.path_set, std::memory_order_relaxed);
        at(s.packets).store(0, std::memory_order_relaxed);
        at(s.bytes).store(0, std::memory_order_relaxed);
        owners_[idx] = owner;
        at(s.tag).store(next_tag(tag, SRV6S_FLOW_LIVE), std::memory_order_release);
        if (state_of(tag) == SRV6S_FLOW_DELETED)
            at(c.deleted).fetch_sub(1, std::memory_order_relaxed);
        at(c.live).fetch_add(1, std::memory_order_relaxed);
        return;
    }
    throw Error("no slot is free on this flow's walk of the flow table (" + std::to_string(SRV6S_FLOW_PROBES) +
                    " slots, all pinned; " + std::to_string(live) + " of " + std::to_string(max_pins()) +
                    " pins there): a rare collision of flow hashes; unpin some flows or attach with a larger max_flows",
                ENOSPC);
}

void FlowTable::erase_at(uint32_t i) {
    srv6s_flow_slot& s = slot(i);
    at(s.tag).store(next_tag(at(s.tag).load(std::memory_order_relaxed), SRV6S_FLOW_DELETED),
                    std::memory_order_release);
    Census& c = census();
    at(c.live).fetch_sub(1, std::memory_order_relaxed);
    at(c.deleted).fetch_add(1, std::memory_order_relaxed);
}

bool FlowTable::erase(const srv6s_flow_key& key) {
    const auto i = locate(key);
    if (!i)
        return false;
    erase_at(*i);
    maybe_sweep();
    return true;
}

void FlowTable::clear() {
    for (uint32_t i = 0; i < n_; i++)
        if (state_of(at(slot(i).tag).load(std::memory_order_relaxed)) == SRV6S_FLOW_LIVE)
            erase_at(i);
    sweep();
}

void FlowTable::maybe_sweep() {
    const Census& c = census();
    if (c.deleted > std::max(c.sweep_at, n_ / 8))
        sweep();
}

void FlowTable::sweep() {
    // A deleted slot is needed while a live key's walk passes it on the way
    // to its own slot: emptying it would end that walk early.
    std::vector<bool> needed(n_);
    uint32_t live = 0;
    for (uint32_t j = 0; j < n_; j++) {
        srv6s_flow_slot& s = slot(j);
        if (state_of(at(s.tag).load(std::memory_order_relaxed)) != SRV6S_FLOW_LIVE)
            continue;
        live++;
        const uint32_t h = srv6s_flow_hash(&s.key);
        for (uint32_t i = 0; i < SRV6S_FLOW_PROBES; i++) {
            const uint32_t idx = flow_slot_at(h, i, n_);
            if (idx == j)
                break;
            if (state_of(at(slot(idx).tag).load(std::memory_order_relaxed)) == SRV6S_FLOW_DELETED)
                needed[idx] = true;
        }
    }
    uint32_t deleted = 0;
    for (uint32_t i = 0; i < n_; i++) {
        srv6s_flow_slot& s = slot(i);
        const uint32_t tag = at(s.tag).load(std::memory_order_relaxed);
        if (state_of(tag) != SRV6S_FLOW_DELETED)
            continue;
        if (needed[i])
            deleted++;
        else
            at(s.tag).store(next_tag(tag, SRV6S_FLOW_EMPTY), std::memory_order_release);
    }
    Census& c = census();
    at(c.live).store(live, std::memory_order_relaxed);
    at(c.deleted).store(deleted, std::memory_order_relaxed);
    at(c.sweep_at).store(deleted + n_ / 8, std::memory_order_relaxed);
}

}  // namespace srv6steer
