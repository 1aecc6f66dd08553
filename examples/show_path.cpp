// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// show_path: what libsrv6steer's C++ API makes of a uSID path, without
// touching the kernel: the containers, the outer destination, the SRH.
//
//   show_path fcbb:0::/32 1004,1001,1006,fe06
//   show_path --full fcbb:0::/32 1004,1001,1002,1003,1005,1006,1007,fe06
#include <cstdio>
#include <cstring>
#include <string>

#include <srv6steer/srv6steer.hpp>

using namespace srv6steer;

namespace {

void usage(std::FILE* out) {
    std::fprintf(out,
                 "usage: show_path [--full] BLOCK USIDS\n"
                 "\n"
                 "Prints the SRv6 encapsulation libsrv6steer pushes for a path of USIDS\n"
                 "(e.g. 1004,1001,1006,fe06) in the uSID block BLOCK (e.g. fcbb:0::/32):\n"
                 "reduced (H.Encaps.Red), or with --full every container in the SRH.\n");
}

}  // namespace

int main(int argc, char** argv) {
    int i = 1;
    if (argc == 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    SrhMode mode = SrhMode::Reduced;
    if (argc > 1 && !std::strcmp(argv[1], "--full")) {
        mode = SrhMode::Full;
        i++;
    }
    if (argc - i != 2) {
        usage(stderr);
        return 2;
    }
    try {
        const Block block = Block::parse(argv[i]);
        const Path path = Path::from_usids(0, block, parse_usids(argv[i + 1]), mode);
        const srv6s_path enc = encode_path(path.segments, path.mode);
        std::printf("%zu container(s), %s encapsulation, %zu bytes added\n", path.segments.size(),
                    mode == SrhMode::Full ? "full (H.Encaps)" : "reduced (H.Encaps.Red)",
                    encap_len(enc));
        for (size_t n = 0; n < path.segments.size(); n++)
            std::printf("  %zu: %s\n", n + 1, path.segments[n].str().c_str());
        Ipv6 dst;
        std::memcpy(dst.bytes.data(), enc.dst, 16);
        std::printf("outer destination %s, SRH segments %u\n", dst.str().c_str(),
                    unsigned(enc.n_segs));
    } catch (const Error& e) {
        std::fprintf(stderr, "show_path: %s\n", e.what());
        return 1;
    }
    return 0;
}
