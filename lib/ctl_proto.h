/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vdpad's control protocol, shared by vdpad, vdpactl and the CNI plugin.
 *
 * Transport: a UNIX SOCK_SEQPACKET socket (default XV_CTL_SOCKET), one
 * JSON object per message, at most XV_CTL_MSG_MAX bytes.
 *   request:  {"cmd": "dev show", "args": {...}}
 *   response: {"status": 0, "result": {...}}
 *             {"status": -errno, "error": "what went wrong"}
 * Commands: "mgmtdev add" {name, uplink, numvfs}, "mgmtdev del" {name},
 * "mgmtdev show" {[name]}, "vf set" {mgmtdev, vf, [mac], [vlan], [qos],
 * [spoofchk], [trust], [state], [max_tx_rate]}, "vf show" {[mgmtdev],
 * [vf]}, "dev add" {...}, "dev del" {name}, "dev show" {[name]},
 * "dev config show" {[name]}, "dev stats" {[name]}, "dev vstats show"
 * {name, qidx}, "daemon show" {} (control connections and fds). A failed
 * request changes nothing.
 * vdpad checks the peer's credentials (SO_PEERCRED): root, or a member of
 * the group given to vdpad with --control-group.
 */
#ifndef XVDPA_CTL_PROTO_H
#define XVDPA_CTL_PROTO_H

#include <jansson.h>

#define XV_RUN_DIR "/run/xvdpa"
#define XV_CTL_SOCKET XV_RUN_DIR "/vdpad.sock"
#define XV_CTL_MSG_MAX 65536

/* Client side: connects, sends @cmd with @args (reference stolen),
 * returns the response object (caller decrefs) or NULL with @err set. */
json_t *xv_ctl_call(const char *path, const char *cmd, json_t *args, char *err,
		    size_t errlen);

/* The same, telling why no answer came: -ENOENT or -ECONNREFUSED when no
 * vdpad listens at @path, -EPROTO when vdpad gave no valid answer. */
int xv_ctl_request(const char *path, const char *cmd, json_t *args,
		   json_t **resp, char *err, size_t errlen);

#endif /* XVDPA_CTL_PROTO_H */
