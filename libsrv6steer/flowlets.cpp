// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The flowlet gap in the data plane's config (docs/design.md §17), changed
// after attach under the state lock like the config's skip bits.
#include "impl.hpp"
#include "remote/client.hpp"
#include "text.hpp"

namespace srv6steer {

namespace {
constexpr std::chrono::microseconds kMaxGap{1'000'000};
}

void check_flowlet_gap(std::chrono::microseconds gap) {
    if (gap.count() < 0 || gap > kMaxGap)
        throw Error(text::cat({"the flowlet gap must be 0 (off) .. 1 s, not ", std::to_string(gap.count()), " us"}),
                    EINVAL);
}

void Steering::set_flowlet_gap(std::chrono::microseconds gap) {
    if (impl_->remote)
        throw Error("the flowlet gap is set on the host, not through the agent's socket", EPERM);
    check_flowlet_gap(gap);
    auto guard = impl_->lock();
    auto config = impl_->fds[maps::config];
    srv6s_config c = config.lookup(0).value_or(srv6s_config{});
    const auto us = static_cast<uint32_t>(gap.count());
    if (c.flowlet_gap_us == us)
        return;
    // One aligned word changes; every other byte is written as it was.
    c.flowlet_gap_us = us;
    config.update(0, c);
}

std::chrono::microseconds Steering::flowlet_gap() const {
    if (auto* r = impl_->remote.get())
        return std::chrono::microseconds(r->status().config.flowlet_gap_us);
    return std::chrono::microseconds(impl_->fds[maps::config].lookup(0).value_or(srv6s_config{}).flowlet_gap_us);
}

}  // namespace srv6steer
