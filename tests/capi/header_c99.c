/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* srv6steer.h compiled as C99: the layouts a C caller sees, for the C++ test
 * to compare with its own, options declared with SRV6S_OPTS in C, and one
 * call through the ABI from C. */
#include <errno.h>
#include <stddef.h>

#include "srv6steer/srv6steer.h"

size_t srv6s_c_layout(int which)
{
	switch (which) {
	case 0: return sizeof(struct srv6s_flow);
	case 1: return sizeof(struct srv6s_flow_pin);
	case 2: return sizeof(struct srv6s_pin_info);
	case 3: return sizeof(struct srv6s_flow_entry);
	case 4: return sizeof(struct srv6s_qp_entry);
	case 5: return sizeof(struct srv6s_prefix_entry);
	case 6: return sizeof(struct srv6s_attach_opts);
	case 7: return offsetof(struct srv6s_flow, sport);
	case 8: return offsetof(struct srv6s_flow_pin, target_kind);
	case 9: return offsetof(struct srv6s_qp_entry, pin);
	case 10: return offsetof(struct srv6s_prefix_entry, pin);
	case 11: return sizeof(struct srv6s_pin_opts);
	case 12: return sizeof(struct srv6s_status);
	case 13: return sizeof(struct srv6s_owned_route);
	case 14: return offsetof(struct srv6s_attach_opts, max_prefixes);
	case 15: return offsetof(struct srv6s_pin_opts, owner_cgroup);
	case 16: return offsetof(struct srv6s_status, n_problems);
	case 17: return offsetof(struct srv6s_status, netns_cookie);
	case 18: return sizeof(struct srv6s_socket_pin);
	case 19: return sizeof(struct srv6s_socket_entry);
	case 20: return offsetof(struct srv6s_socket_entry, flow);
	case 21: return offsetof(struct srv6s_socket_entry, pin);
	case 22: return sizeof(struct srv6s_cgroup_entry);
	case 23: return offsetof(struct srv6s_cgroup_entry, pin);
	case 24: return offsetof(struct srv6s_attach_opts, max_cgroups);
	case 25: return offsetof(struct srv6s_status, n_sockets);
	case 26: return offsetof(struct srv6s_status, max_cgroups);
	default: return 0;
	}
}

/* Options as a C99 caller declares them. */
struct srv6s_attach_opts srv6s_c_attach_opts(void)
{
	SRV6S_OPTS(srv6s_attach_opts, o, .hop_limit = 7, .max_flows = 16, .route_mtu = SRV6S_OFF,
		   .max_cgroups = 32);
	return o;
}

struct srv6s_pin_opts srv6s_c_pin_opts(void)
{
	SRV6S_OPTS(srv6s_pin_opts, o, .owner = SRV6S_OWNER_NONE, .replace = 1);
	return o;
}

/* The socket and cgroup calls from C (a NULL handle: each says so). */
int srv6s_c_socket_calls(void)
{
	struct srv6s_socket_pin one = {0, SRV6S_TARGET_PATH, 1};
	struct srv6s_socket_entry e;
	uint64_t id = 0;
	int bad = 0;
	bad += srv6s_pin_socket(NULL, 0, SRV6S_TARGET_PATH, 1, NULL) != -EINVAL;
	bad += srv6s_pin_sockets(NULL, &one, 1, NULL, NULL) != -EINVAL;
	bad += srv6s_unpin_socket(NULL, 0) != -EINVAL;
	bad += srv6s_get_socket_pin(NULL, 0, &e) != -EINVAL;
	bad += srv6s_list_sockets(NULL, NULL, NULL) != -EINVAL;
	bad += srv6s_pin_cgroup(NULL, 1, SRV6S_TARGET_PATH, 1, NULL) != -EINVAL;
	bad += srv6s_unpin_cgroup(NULL, 1) != -EINVAL;
	bad += srv6s_list_cgroups(NULL, NULL, NULL) != -EINVAL;
	bad += srv6s_is_remote(NULL) != -EINVAL;
	bad += srv6s_cgroup_id("id:42", &id) != 0 || id != 42;
	return bad;
}

/* Parses a flow from C; returns the call's result. */
int srv6s_c_parse(const char *text, struct srv6s_flow *out)
{
	return srv6s_flow_parse(text, out);
}
