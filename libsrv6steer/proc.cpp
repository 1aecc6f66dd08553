// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "proc.hpp"

#include <unistd.h>

#include <ctime>
#include <sstream>
#include <string>

#include "text.hpp"

namespace srv6steer::proc {

std::optional<uint64_t> start_ns(uint32_t pid) {
    std::string line;
    try {
        line = text::read_file("/proc/" + std::to_string(pid) + "/stat");
    } catch (...) {
        return std::nullopt;
    }
    // Field 22 (starttime, clock ticks after boot) follows the ")" of comm,
    // which may itself contain spaces and parentheses.
    const auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 > line.size())
        return std::nullopt;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    for (int i = 3; i < 22 && rest >> field; i++) {
    }
    unsigned long long ticks = 0;
    if (!(rest >> ticks))
        return std::nullopt;
    timespec boot{}, real{};
    clock_gettime(CLOCK_BOOTTIME, &boot);
    clock_gettime(CLOCK_REALTIME, &real);
    const int64_t boot_at =
        (int64_t(real.tv_sec) - boot.tv_sec) * 1000000000ll + (real.tv_nsec - boot.tv_nsec);
    return uint64_t(boot_at + int64_t(ticks) * 1000000000ll / sysconf(_SC_CLK_TCK));
}

}  // namespace srv6steer::proc
