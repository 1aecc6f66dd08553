// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// The one error type of libsrv6steer: every failure is thrown as an Error whose
// message names what failed and what to do about it, with the errno when the
// kernel said no (0 for validation errors).
#pragma once

#include <stdexcept>
#include <string>

namespace srv6steer {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what, int code = 0)
        : std::runtime_error(what), code_(code) {}
    // errno of the failing system call, or 0 when the input was invalid.
    int code() const noexcept { return code_; }

private:
    int code_;
};

// Throws Error("<what>: <strerror(err)>", err).
[[noreturn]] void throw_errno(const std::string& what, int err);

}  // namespace srv6steer
