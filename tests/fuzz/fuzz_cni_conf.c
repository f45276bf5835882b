// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the CNI plugin's configuration parser: the input is
 * a network configuration as a runtime would put it on stdin (and CNI_ARGS
 * after a NUL byte). Whatever it is, parsing must end in a result or a
 * spec error with a code and a message, and rendering must not crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render_both(const struct cni_conf *c)
{
	struct cni_iface ifc = { .name = "net1",
				 .mac = "02:00:00:00:00:01",
				 .socket_path = "/run/x.sock",
				 .mtu = c->mtu };
	json_t *r;

	/* The configuration's own ipam object stands in for a result. */
	r = cni_result_render(c->version, &ifc, c->ipam);
	json_decref(r);
	r = cni_result_render("1.0.0", &ifc, c->prev_result);
	json_decref(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t conf_len = nul ? (size_t)(nul - data) : size;
	struct cni_err e = { 0 };
	struct cni_conf c;
	char *args = NULL;
	json_t *o;

	xv_log_set_level(XV_LOG_ERR);
	if (nul) {
		args = strndup((const char *)nul + 1, size - conf_len - 1);
		if (!args)
			return 0;
	}
	if (!cni_conf_parse((const char *)data, conf_len, &c, &e) &&
	    !cni_conf_apply_args(&c, args, &e))
		render_both(&c);
	else if (!e.code || !e.msg[0])
		abort(); /* every refusal says why, with a code */
	o = cni_error_render(c.version, &e);
	json_decref(o);
	cni_conf_free(&c);
	free(args);
	return 0;
}
