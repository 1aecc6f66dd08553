// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// What the C ABI's parts (capi/*.cpp) share: the handle, the one way a call
// turns what the C++ side throws into a negative errno plus a per-thread
// message, the checks of what C hands in (sized options structs included),
// and the copies of text into fixed-size C fields.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include "srv6steer/srv6steer.h"
#include "srv6steer/srv6steer.hpp"

struct srv6s_handle {
    srv6steer::Steering steering;
    explicit srv6s_handle(srv6steer::Steering&& s) : steering(std::move(s)) {}
};

namespace srv6steer::capi {

// Records the message of this thread's last failure; returns code.
int fail(int code, std::string message);

// Runs f; any exception becomes a negative errno and the thread's message.
template <class F>
int guarded(F&& f) noexcept {
    try {
        return f();
    } catch (const Error& e) {
        const int code = e.code() > 0 ? e.code() : e.code() < 0 ? -e.code() : EINVAL;
        return fail(-code, e.what());
    } catch (const std::bad_alloc&) {
        return fail(-ENOMEM, "out of memory");
    } catch (const std::system_error& e) {
        const int code = e.code().value();
        return fail(code > 0 ? -code : -EIO, e.what());
    } catch (const std::invalid_argument& e) {
        return fail(-EINVAL, e.what());
    } catch (const std::length_error& e) {
        return fail(-EINVAL, e.what());
    } catch (const std::out_of_range& e) {
        return fail(-EINVAL, e.what());
    } catch (const std::exception& e) {
        return fail(-EIO, std::string("internal error: ") + e.what());
    } catch (...) {
        return fail(-EIO, "internal error: unknown exception");
    }
}

// Validation of what C hands us; thrown so that guarded() reports it.
inline void need(bool ok, const std::string& what) {
    if (!ok)
        throw Error(what);
}

inline const char* text_arg(const char* s, const char* what) {
    need(s != nullptr, what);
    return s;
}

inline Steering& steering_of(srv6s_handle* h) {
    need(h != nullptr, "no handle (NULL): attach, open or connect first");
    return h->steering;
}

// A target of the C ABI (enum srv6s_target_kind and an id).
inline Target target_of(uint32_t kind, uint32_t id) {
    switch (kind) {
    case SRV6S_TARGET_PATH:
        return Target::path(id);
    case SRV6S_TARGET_SET:
        return Target::set(id);
    default:
        throw Error("invalid target kind " + std::to_string(kind) +
                    ": use SRV6S_TARGET_PATH (0) or SRV6S_TARGET_SET (1)");
    }
}

// An enum srv6s_toggle from C: SRV6S_DEFAULT gives def. field: the struct's
// field as C names it ("srv6s_attach_opts.fixed_gso"), for the message.
inline bool toggle(uint32_t v, bool def, const std::string& field) {
    switch (v) {
    case SRV6S_DEFAULT:
        return def;
    case SRV6S_ON:
        return true;
    case SRV6S_OFF:
        return false;
    default:
        throw Error(field + " " + std::to_string(v) +
                    " is not an enum srv6s_toggle: SRV6S_DEFAULT (0), SRV6S_ON (1) or SRV6S_OFF (2)");
    }
}

inline std::string bpffs_or_default(const char* bpffs) { return bpffs ? bpffs : kDefaultBpffs; }

// ---- sized structs (the LIBBPF_OPTS convention) ----------------------------------------

// The end of the last field this library knows, and the struct's C name.
template <class T>
struct Sized;
template <>
struct Sized<srv6s_attach_opts> {
    static constexpr size_t known = offsetof(srv6s_attach_opts, reserved2) + sizeof(uint32_t);
    static constexpr const char* name = "srv6s_attach_opts";
};
template <>
struct Sized<srv6s_pin_opts> {
    static constexpr size_t known = offsetof(srv6s_pin_opts, reserved) + sizeof(uint32_t);
    static constexpr const char* name = "srv6s_pin_opts";
};
template <>
struct Sized<srv6s_status> {
    static constexpr size_t known = offsetof(srv6s_status, reserved) + sizeof(uint32_t);
    static constexpr const char* name = "srv6s_status";
};
// Every byte is a field (no padding a caller might leave non-zero) where
// pointers and uint64_t are 8-byte aligned.
#if UINTPTR_MAX == UINT64_MAX
static_assert(Sized<srv6s_attach_opts>::known == sizeof(srv6s_attach_opts));
static_assert(Sized<srv6s_pin_opts>::known == sizeof(srv6s_pin_opts));
static_assert(Sized<srv6s_status>::known == sizeof(srv6s_status));
#endif

// A sized struct's size as the caller says it: at least its sz field.
template <class T>
size_t caller_size(const T* s) {
    if (s->sz < sizeof(size_t))
        throw Error(std::string("struct ") + Sized<T>::name + " has sz " + std::to_string(s->sz) +
                    ": declare it with SRV6S_OPTS, which sets sz to its size");
    return s->sz;
}

// Options from C: NULL (every default), or a struct of the caller's sz.
// Smaller than ours: built against an older header, the fields it lacks keep
// their defaults (see opt()). Larger: only if every byte past the fields we
// know is zero, else an option we cannot honour was asked for.
template <class T>
const T* checked_opts(const T* in) {
    if (!in)
        return nullptr;
    const size_t sz = caller_size(in);
    const auto* bytes = reinterpret_cast<const unsigned char*>(in);
    for (size_t i = Sized<T>::known; i < sz; i++)
        if (bytes[i])
            throw Error(std::string("struct ") + Sized<T>::name + " of " + std::to_string(sz) +
                        " bytes sets byte " + std::to_string(i) + ", past the " +
                        std::to_string(Sized<T>::known) + " bytes libsrv6steer " +
                        SRV6S_VERSION_STRING +
                        " knows: the caller was built against a newer srv6steer.h and asks "
                        "for an option this library does not have; leave it zero, or use the "
                        "libsrv6steer of that header");
    return in;
}

// A field of caller's options (checked_opts, not NULL): its value when the
// caller's struct has it, else zero (the default).
#define SRV6S_OPT(in, field)                                                                  \
    ((in)->sz >= offsetof(std::remove_cvref_t<decltype(*(in))>, field) + sizeof((in)->field) \
         ? (in)->field                                                                        \
         : decltype((in)->field){})

// Writes `full` into the caller's struct of its own sz: that much of ours,
// and zeros past the end of ours (fields a newer header has read as zero).
template <class T>
void fill_sized(T* out, const T& full) {
    need(out != nullptr, std::string("nowhere to put the ") + Sized<T>::name + " (NULL)");
    const size_t sz = caller_size(out);
    auto* bytes = reinterpret_cast<unsigned char*>(out);
    const size_t n = sz < sizeof(T) ? sz : sizeof(T);
    std::memcpy(bytes + sizeof(size_t), reinterpret_cast<const unsigned char*>(&full) + sizeof(size_t),
                n - sizeof(size_t));
    if (sz > sizeof(T))
        std::memset(bytes + sizeof(T), 0, sz - sizeof(T));
}

// ---- text in fixed-size C fields ---------------------------------------------------------

template <size_t N>
void copy_text(char (&dst)[N], const std::string& src, const char* what) {
    if (src.size() >= N)
        throw Error(std::string(what) + " (" + std::to_string(src.size()) +
                        " bytes) does not fit the C struct's " + std::to_string(N - 1),
                    ENAMETOOLONG);
    std::memcpy(dst, src.c_str(), src.size() + 1);
}

// A C string from a fixed-size field: must be NUL-terminated inside it.
template <size_t N>
std::string_view field_text(const char (&s)[N], const char* what) {
    const void* nul = std::memchr(s, '\0', N);
    if (!nul)
        throw Error(std::string(what) + " is not NUL-terminated");
    return std::string_view(s, static_cast<size_t>(static_cast<const char*>(nul) - s));
}

}  // namespace srv6steer::capi
