/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pin_one_flow: the smallest program that steers a flow with libsrv6steer's
 * C ABI. It attaches to IFNAME (or opens what is attached there already),
 * adds one path made of uSIDs in the block fcbb:0::/32, and pins one flow to
 * it.
 *
 *   pin_one_flow eth0 "tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201" 1004,1001,1006,fe06
 *
 * The pin has no owner process, so it stays after this program exits (until
 * `srv6steer unpin` or `srv6steer detach eth0`). Build:
 *   cc pin_one_flow.c $(pkg-config --cflags --libs srv6steer)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <srv6steer/srv6steer.h>

#define BLOCK "fcbb:0::/32"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pin_one_flow IFNAME \"PROTO SRC SPORT DST DPORT\" USIDS [PATH_ID]\n"
		"\n"
		"Steers one flow leaving IFNAME onto the SRv6 path USIDS (uSIDs of the\n"
		"block " BLOCK ", e.g. 1004,1001,1006,fe06), as path PATH_ID (default 1).\n"
		"Attaches srv6steer to IFNAME unless it is attached already. Needs root.\n"
		"\n"
		"example: pin_one_flow eth0 \"tcp fcbb:0:800:1::10 40000 fcbb:0:800:2::20 5201\" "
		"1004,1001,1006,fe06\n"
		"libsrv6steer %s\n",
		srv6s_version());
}

/* A whole decimal number from 0 to max; -1 otherwise. */
static long parse_id(const char *text, long max)
{
	char *end;
	long v;

	if (!*text || *text == '-' || *text == '+')
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v > max)
		return -1;
	return v;
}

int main(int argc, char **argv)
{
	/* Owned by nobody: the pin outlives this program. */
	SRV6S_OPTS(srv6s_pin_opts, pin_opts, .owner = SRV6S_OWNER_NONE);
	SRV6S_OPTS(srv6s_status, st);
	struct srv6s_flow flow;
	srv6s_handle *h = NULL;
	const char *ifname;
	long path_id = 1;
	int err;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 4 && argc != 5) {
		usage(stderr);
		return 2;
	}
	ifname = argv[1];
	if (srv6s_flow_parse(argv[2], &flow) < 0) {
		fprintf(stderr, "pin_one_flow: %s\n", srv6s_last_error());
		return 2;
	}
	if (argc == 5 && (path_id = parse_id(argv[4], SRV6S_MAX_PATHS - 1)) < 0) {
		fprintf(stderr, "pin_one_flow: invalid path id \"%s\": expected 0 to %d\n", argv[4],
			SRV6S_MAX_PATHS - 1);
		return 2;
	}

	err = srv6s_open(ifname, NULL, &h);
	if (err == -ENOENT)
		err = srv6s_attach(ifname, NULL, &h); /* every option at its default */
	if (err < 0)
		goto fail;
	err = srv6s_add_path_usids(h, (uint32_t)path_id, BLOCK, argv[3], 0);
	if (err < 0)
		goto fail;
	err = srv6s_pin_flow(h, &flow, SRV6S_TARGET_PATH, (uint32_t)path_id, &pin_opts);
	if (err < 0)
		goto fail;
	printf("pinned flow \"%s\" to path %ld (uSIDs %s) on %s\n", argv[2], path_id, argv[3],
	       ifname);
	err = srv6s_get_status(h, &st);
	if (err < 0)
		goto fail;
	printf("%s: program %u, %u flow pin(s), %s\n", st.ifname, st.prog_id, st.n_flows,
	       st.n_problems ? "NOT steering (srv6steer status says why)" : "steering");
	srv6s_close(h);
	return 0;

fail:
	fprintf(stderr, "pin_one_flow: %s (%s)\n", srv6s_last_error(), strerror(-err));
	srv6s_close(h);
	return 1;
}
