// SPDX-License-Identifier: GPL-2.0-only
/* Client side of vdpad's control socket (vdpactl, the CNI plugin). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_proto.h"

static int ctl_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		snprintf(
			err, errlen,
			"cannot reach vdpad at %s: %s (is vdpad running? set the socket with -s)",
			path, strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

int xv_ctl_request(const char *path, const char *cmd, json_t *args,
		   json_t **out, char *err, size_t errlen)
{
	json_t *req, *resp = NULL;
	json_error_t jerr;
	char *text, *buf;
	ssize_t n;
	int fd;

	*out = NULL;
	fd = ctl_connect(path, err, errlen);
	if (fd < 0) {
		json_decref(args);
		return fd;
	}
	req = json_pack("{s:s, s:o}", "cmd", cmd, "args",
			args ? args : json_object());
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	buf = malloc(XV_CTL_MSG_MAX);
	if (!text || !buf) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* vdpad may have answered (a refusal) and hung up before we sent:
	 * its answer is still there to read. */
	if (send(fd, text, strlen(text), MSG_NOSIGNAL) < 0 && errno != EPIPE &&
	    errno != ECONNRESET) {
		snprintf(err, errlen, "sending to vdpad: %s", strerror(errno));
		goto out;
	}
	n = recv(fd, buf, XV_CTL_MSG_MAX, 0);
	if (n <= 0) {
		snprintf(err, errlen, "no answer from vdpad: %s",
			 n ? strerror(errno) : "connection closed (refused?)");
		goto out;
	}
	resp = json_loadb(buf, (size_t)n, 0, &jerr);
	if (!resp || !json_is_object(resp)) {
		snprintf(err, errlen, "bad answer from vdpad: %s", jerr.text);
		json_decref(resp);
		resp = NULL;
	}
out:
	free(text);
	free(buf);
	close(fd);
	*out = resp;
	return resp ? 0 : -EPROTO;
}

json_t *xv_ctl_call(const char *path, const char *cmd, json_t *args, char *err,
		    size_t errlen)
{
	json_t *resp;

	xv_ctl_request(path, cmd, args, &resp, err, errlen);
	return resp;
}
