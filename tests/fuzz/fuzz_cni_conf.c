// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the CNI plugin's configuration parser: the input is
 * a network configuration as a runtime would put it on stdin, then, each
 * after a NUL byte, CNI_ARGS, CNI_CONTAINERID and CNI_IFNAME. Whatever it
 * is, parsing must end in a result or a spec error with a code and a
 * message, and rendering must not crash. What is accepted and ends up in
 * paths stays one component inside its directory: the network name, the
 * pod's socket directory (and its socket fits in sun_path), the state
 * file's name.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* One path component: not empty, not "." or "..", no '/'. */
static bool is_component(const char *s)
{
	return s[0] && strcmp(s, ".") && strcmp(s, "..") && !strchr(s, '/');
}

/* The paths an accepted configuration and environment make. */
static void check_paths(const struct cni_conf *c, const struct cni_env *env)
{
	char leaf[CNI_SOCK_LEAF_MAX], sock[512], state[512];

	if (!is_component(c->name) || !cni_path_valid(c->socket_dir) ||
	    !cni_path_valid(c->state_dir))
		abort();
	cni_sock_leaf(c->socket_dir, env->container_id, leaf, sizeof(leaf));
	snprintf(sock, sizeof(sock), "%s/%s/%s.sock", c->socket_dir, leaf,
		 env->ifname);
	snprintf(state, sizeof(state), "%s:%s.json.tmp", env->container_id,
		 env->ifname);
	if (!is_component(leaf) || !is_component(env->ifname) ||
	    !is_component(state) || strlen(sock) > CNI_SUN_PATH_MAX ||
	    strlen(state) > NAME_MAX)
		abort();
}

/* The input's parts after the configuration, NUL-separated. */
static char *next_part(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nul;
	char *s;

	if (!*p || *p >= end) {
		*p = NULL;
		return NULL;
	}
	nul = memchr(*p, 0, (size_t)(end - *p));
	s = strndup((const char *)*p,
		    nul ? (size_t)(nul - *p) : (size_t)(end - *p));
	*p = nul ? nul + 1 : NULL;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size), *end = data + size;
	size_t conf_len = nul ? (size_t)(nul - data) : size;
	const uint8_t *p = nul ? nul + 1 : NULL;
	struct cni_err e = { 0 };
	char *args, *cid, *ifname;
	struct cni_env env = { .command = "ADD", .netns = "/run/netns/x" };
	struct cni_conf c;
	json_t *o;

	xv_log_set_level(XV_LOG_ERR);
	args = next_part(&p, end);
	cid = next_part(&p, end);
	ifname = next_part(&p, end);
	env.container_id = cid;
	env.ifname = ifname;
	if (!cni_conf_parse((const char *)data, conf_len, &c, &e) &&
	    !cni_conf_apply_args(&c, args, &e)) {
		render_both(&c);
		if (!cni_env_check(&env, &e))
			check_paths(&c, &env);
		else if (e.code != CNI_ERR_ENV || !e.msg[0])
			abort();
	} else if (!e.code || !e.msg[0]) {
		abort(); /* every refusal says why, with a code */
	}
	o = cni_error_render(c.version, &e);
	json_decref(o);
	cni_conf_free(&c);
	free(args);
	free(cid);
	free(ifname);
	return 0;
}
