/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vdpactl's command line, parsed into the control request vdpad takes
 * (lib/ctl_proto.h): the command's name and its JSON arguments. Pure (no
 * I/O besides help text), unit tested.
 */
#ifndef XVDPA_CTL_ARGS_H
#define XVDPA_CTL_ARGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

struct vdpactl_cmd {
	const char *object;
	const char *verb;
	const char *request; /* control request name */
	const char *usage;
	int (*parse)(int argc, char **argv, json_t *args, char *err,
		     size_t errlen);
	bool changes; /* changes the configuration */
	bool local; /* mgmtdev, vf: can run without vdpad */
	const char *key; /* the result's object, for text output */
};

struct vdpactl_req {
	const struct vdpactl_cmd *cmd; /* NULL: help was asked for */
	json_t *args; /* the request's arguments (caller decrefs) */
	const char *help_object; /* help for this object; NULL: all */
	const struct vdpactl_cmd *help_cmd; /* help for one command */
};

/*
 * Parses OBJECT COMMAND [ARGS] (options already taken). Returns 0 with
 * @req->cmd and @req->args, or 0 with @req->cmd NULL when help was asked
 * for; -EINVAL with the message for the user in @err otherwise. Keywords
 * match whole words only, never a prefix.
 */
int vdpactl_parse(int argc, char **argv, struct vdpactl_req *req, char *err,
		  size_t errlen);
/* Usage of every command of @object (every object if NULL), or of @cmd. */
void vdpactl_help(FILE *f, const char *object, const struct vdpactl_cmd *cmd);

#endif /* XVDPA_CTL_ARGS_H */
