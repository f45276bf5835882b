// SPDX-License-Identifier: GPL-2.0-only
/* Delegation to the IPAM plugin named by "ipam"."type", found in CNI_PATH
 * and run the way a runtime runs plugins (SPEC.md, "Delegated plugins"). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cni.h"
#include "log.h"

#define IPAM_OUT_MAX (256 * 1024)

static int find_plugin(const char *cni_path, const char *type, char *out,
		       size_t len)
{
	const char *p = cni_path, *colon;
	size_t n;

	while (p && *p) {
		colon = strchrnul(p, ':');
		n = (size_t)(colon - p);
		if (n &&
		    snprintf(out, len, "%.*s/%s", (int)n, p, type) < (int)len &&
		    !access(out, X_OK))
			return 0;
		p = *colon ? colon + 1 : colon;
	}
	return -ENOENT;
}

static void set_or_unset(const char *name, const char *value)
{
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

/* The delegate sees the attachment it is called for (GC calls it for
 * attachments other than the runtime's, with no CNI_* of their own). */
static void run_child(const struct cni_env *env, const char *bin,
		      const char *command, int in, int out)
{
	dup2(in, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	setenv("CNI_COMMAND", command, 1);
	if (env) {
		set_or_unset("CNI_CONTAINERID", env->container_id);
		set_or_unset("CNI_NETNS", env->netns);
		set_or_unset("CNI_IFNAME", env->ifname);
		set_or_unset("CNI_PATH", env->path);
	}
	execl(bin, bin, (char *)NULL);
	_exit(127);
}

static int read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1), *nb;
	ssize_t r;

	if (!b)
		return -ENOMEM;
	while ((r = read(fd, b + n, cap - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (n += (size_t)r) >= IPAM_OUT_MAX) {
			free(b);
			return r < 0 ? -errno : -EFBIG;
		}
		if (n == cap) {
			nb = realloc(b, (cap *= 2) + 1);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
		}
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* Runs @bin with @command and @input on stdin; *@out gets stdout. */
static int run_plugin(const struct cni_env *env, const char *bin,
		      const char *command, const char *input, char **out,
		      size_t *outlen, int *status)
{
	int in[2], res[2], err;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC))
		return -errno;
	if (pipe2(res, O_CLOEXEC)) {
		err = -errno;
		goto err_in;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto err_res;
	}
	if (!pid)
		run_child(env, bin, command, in[0], res[1]);
	close(in[0]);
	close(res[1]);
	err = write(in[1], input, strlen(input)) < 0 ? -errno : 0;
	close(in[1]);
	err = read_all(res[0], out, outlen) ?: err;
	close(res[0]);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return err;
err_res:
	close(res[0]);
	close(res[1]);
err_in:
	close(in[0]);
	close(in[1]);
	return err;
}

/* The version to speak with the IPAM plugin: ours if it knows it, else
 * 1.0.0 (Debian's host-local 1.1.1 stops at 1.0.0; the parts of a result
 * IPAM gives are the same in both). */
static int pick_version(const char *bin, const char *want, const char **out,
			struct cni_err *e)
{
	char input[64], *text = NULL;
	json_t *doc, *vers, *v;
	int status = 0, err;
	size_t len, i;

	*out = NULL;
	snprintf(input, sizeof(input), "{\"cniVersion\": \"%s\"}", want);
	err = run_plugin(NULL, bin, "VERSION", input, &text, &len, &status);
	doc = err ? NULL : json_loadb(text, len, 0, NULL);
	free(text);
	vers = json_object_get(doc, "supportedVersions");
	json_array_foreach(vers, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), want))
			*out = want;
		else if (json_is_string(v) && !*out &&
			 !strcmp(json_string_value(v), "1.0.0"))
			*out = "1.0.0";
	}
	json_decref(doc);
	if (!*out)
		return cni_fail(e, CNI_ERR_VERSION,
				"IPAM plugin %s speaks neither %s nor 1.0.0",
				bin, want);
	return 0;
}

/* A failed IPAM call: its own error, passed on with its code. */
static int ipam_error(const char *type, const char *text, size_t len,
		      int status, struct cni_err *e)
{
	json_t *doc = json_loadb(text, len, 0, NULL);
	json_t *code = json_object_get(doc, "code");
	json_t *msg = json_object_get(doc, "msg");

	cni_fail(e,
		 json_is_integer(code) ? (int)json_integer_value(code) :
					 CNI_ERR_INTERNAL,
		 "IPAM plugin %s: %s", type,
		 json_is_string(msg) ? json_string_value(msg) :
				       "failed without an error message");
	if (!json_is_string(msg))
		snprintf(e->details, sizeof(e->details), "exit status %d",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	json_decref(doc);
	return -EIO;
}

int cni_ipam_exec(const struct cni_env *env, const struct cni_conf *c,
		  const char *command, json_t **result, struct cni_err *e)
{
	const char *type = json_string_value(json_object_get(c->ipam, "type"));
	char bin[PATH_MAX], *input, *text = NULL;
	const char *version;
	int status = 0, err;
	json_t *conf;
	size_t len;

	if (result)
		*result = NULL;
	if (find_plugin(env->path, type, bin, sizeof(bin)))
		return cni_fail(e, CNI_ERR_CONFIG,
				"IPAM plugin \"%s\" is not in CNI_PATH (%s)",
				type, env->path ? env->path : "unset");
	if (pick_version(bin, c->version, &version, e))
		return -EINVAL;
	conf = json_deep_copy(c->root);
	json_object_set_new(conf, "cniVersion", json_string(version));
	json_object_del(conf, "prevResult");
	input = json_dumps(conf, JSON_COMPACT);
	json_decref(conf);
	if (!input)
		return cni_fail(e, CNI_ERR_INTERNAL, "out of memory");
	xv_dbg("%s %s (cniVersion %s)", type, command, version);
	err = run_plugin(env, bin, command, input, &text, &len, &status);
	free(input);
	if (err)
		return cni_fail(e, CNI_ERR_IO, "running IPAM plugin %s: %s",
				type, strerror(-err));
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		err = ipam_error(type, text, len, status, e);
		free(text);
		return err;
	}
	if (result && len) {
		*result = json_loadb(text, len, 0, NULL);
		if (!json_is_object(*result)) {
			json_decref(*result);
			*result = NULL;
			free(text);
			return cni_fail(e, CNI_ERR_DECODE,
					"IPAM plugin %s printed no JSON result",
					type);
		}
	}
	free(text);
	return 0;
}
