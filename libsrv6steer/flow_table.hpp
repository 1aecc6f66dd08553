// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The flow pin table (include/srv6steer/abi.h struct srv6s_flow_slot,
// docs/design.md §2.10): an open-addressed table in an mmapable BPF array,
// which this class reads and writes through the mapping, as the data plane
// reads it. The pins' owners live in a second array by slot; its entry one
// past the last slot holds the table's census (live and deleted slots), so
// that every process that opens the table counts the same.
//
// Readers may run at any time, in this process or others; writers hold the
// state lock (one writer at a time, Steering::Impl::lock). Every write
// leaves the table valid for the data plane at each store: a slot's key is
// written before the tag that makes it LIVE, a delete is one tag store, a
// re-pin one path_set store, and the data plane's counters are never
// written over by a re-pin.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "srv6steer/abi.h"
#include "srv6steer/flowhash.h"

namespace srv6steer {

// A shared, writable mapping of a BPF_F_MMAPABLE array map (unmapped on
// destruction).
class MappedArray {
public:
    MappedArray() = default;
    // Maps all of map fd's values; `what` names the map in errors.
    MappedArray(int fd, const char* what);
    MappedArray(MappedArray&& o) noexcept;
    MappedArray& operator=(MappedArray&& o) noexcept;
    MappedArray(const MappedArray&) = delete;
    MappedArray& operator=(const MappedArray&) = delete;
    ~MappedArray();

    void* data() const { return addr_; }
    uint32_t entries() const { return entries_; }  // the map's max_entries
    uint32_t value_size() const { return value_size_; }

private:
    void* addr_ = nullptr;
    size_t len_ = 0;
    uint32_t entries_ = 0;
    uint32_t value_size_ = 0;
};

class FlowTable {
public:
    // The table in map slots_fd (srv6s_flows) with its owners in owners_fd
    // (srv6s_flow_owners); throws when their sizes do not fit each other.
    FlowTable(int slots_fd, int owners_fd);

    // How many slots there are, and how many pins fit (half of them).
    uint32_t slots() const { return n_; }
    uint32_t max_pins() const { return n_ / 2; }
    // Live pins as counted by the census.
    size_t size() const;
    bool empty() const { return size() == 0; }

    std::optional<srv6s_pin> find(const srv6s_flow_key& key) const;
    // Every pin, in slot order.
    std::vector<std::pair<srv6s_flow_key, srv6s_pin>> entries() const;

    // -- writers: the caller holds the state lock --

    // Pins key as pin says. A new key takes a free slot (counters zero); a
    // pinned one changes its path_set and owner and keeps its counters.
    // Throws Error with E2BIG when the table has max_pins() pins, and with
    // ENOSPC when no slot of the key's walk is free (below 2^-32 a pin at
    // half full: docs/design.md §2.10).
    void put(const srv6s_flow_key& key, const srv6s_pin& pin);
    // False when key was not pinned.
    bool erase(const srv6s_flow_key& key);
    // Removes every pin.
    void clear();
    // Recounts the census from the slots (heals a writer that died between
    // a slot and the census) and empties the deleted slots no walk needs.
    void sweep();

private:
    struct Census;
    Census& census() const;
    srv6s_flow_slot& slot(uint32_t i) const { return slots_[i]; }
    // The slot holding key, or nullopt.
    std::optional<uint32_t> locate(const srv6s_flow_key& key) const;
    void erase_at(uint32_t i);
    void maybe_sweep();

    MappedArray slot_map_, owner_map_;
    srv6s_flow_slot* slots_ = nullptr;
    srv6s_flow_owner* owners_ = nullptr;
    uint32_t n_ = 0, mask_ = 0;
};

// The slot of a table of `slots` (a power of two) that the walk of a flow
// with hash h visits at step i (include/srv6steer/abi.h).
inline uint32_t flow_slot_at(uint32_t h, uint32_t i, uint32_t slots) {
    return (h + i * srv6s_flow_step(h)) & (slots - 1);
}

// The slots of the flow table for a limit of max_pins pins: the power of
// two at least twice it (throws when that does not fit 32 bits).
uint32_t flow_table_slots(uint32_t max_pins);

}  // namespace srv6steer
