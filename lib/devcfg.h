/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One vdpad device's configuration, typed, and the one table of its
 * options (xv_dev_fields[]): every option's key, type, range, default and
 * help, and where it may appear: the --dev/--loopback SPEC string, the
 * "dev add" control request, the state file, "dev show", the CNI
 * plugin's deviceOptions and vdpactl's "dev add" keywords. Every parser
 * and renderer here works from that table; the option keys are spelled in
 * this library's source only.
 *
 * Nothing here exits or logs: errors are -errno with a message in
 * @err/@errlen. Pure but for xv_dev_cfg_resolve (getgrnam).
 */
#ifndef XVDPA_DEVCFG_H
#define XVDPA_DEVCFG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

/* Limits the engine takes from here (VU_MAX_QUEUE_PAIRS := XV_DEV_MAX_VQP). */
#define XV_DEV_MAX_VQP 8
#define XV_DEV_MTU_MIN 68
#define XV_DEV_MTU_MAX 9000
#define XV_DEV_MTU_DEFAULT 1500
#define XV_DEV_PATH_MAX 107 /* sun_path without its NUL */
#define XV_DEV_IFNAME_MAX 15 /* IF_NAMESIZE without its NUL */
#define XV_DEV_GROUP_MAX 64
/* A SPEC string, NUL included (vdpad's limit since the first version). */
#define XV_DEV_SPEC_MAX 512

/* The fields, in the table's order (which is vdpactl's usage order). */
enum xv_dev_field_id {
	XV_DEVF_NAME,
	XV_DEVF_MGMTDEV,
	XV_DEVF_VF,
	XV_DEVF_NETDEV,
	XV_DEVF_LOOPBACK,
	XV_DEVF_SOCKET,
	XV_DEVF_MAC,
	XV_DEVF_MODE,
	XV_DEVF_MTU,
	XV_DEVF_MAX_VQP,
	XV_DEVF_FEATURES,
	XV_DEVF_SOCKET_MODE,
	XV_DEVF_SOCKET_GROUP,
	XV_DEVF_MAX_MEM,
	XV_DEVF_COUNT
};

#define XV_DEV_BIT(id) (1u << (id))

struct xv_dev_cfg {
	uint32_t set; /* XV_DEV_BIT() of each field given (the rest: default) */
	char name[XV_DEV_NAME_MAX + 1]; /* "" for vdpad --dev (dev0, ...) */
	char mgmtdev[XV_PF_NAME_MAX + 1]; /* a VF of it (vdpad picks) */
	int32_t vf; /* with mgmtdev: this VF; -1: any free one */
	char netdev[XV_DEV_IFNAME_MAX + 1]; /* "": none (loopback, mgmtdev) */
	bool loopback; /* TX returns on RX: no netdev */
	char socket[XV_DEV_PATH_MAX + 1]; /* as given: may be relative */
	uint8_t mac[XV_MAC_LEN]; /* for the VF (with mgmtdev) */
	bool client; /* vhost-user client (vdpad connects); false: server */
	uint32_t mtu;
	uint32_t max_vqp;
	/* Virtio features offered; unset: what xv_dev_cfg_resolve gets. */
	uint64_t device_features;
	uint32_t socket_mode; /* 0: as the umask makes it */
	char socket_group[XV_DEV_GROUP_MAX + 1]; /* "": vdpad's */
	gid_t gid; /* socket_group resolved; (gid_t)-1: none (not a field) */
	uint64_t max_mem; /* bytes of guest memory; 0: no limit */
};

enum xv_dev_type {
	XV_DEV_T_BOOL, /* JSON true/false; vdpactl: the keyword alone */
	XV_DEV_T_UINT, /* min..max; SPEC: C notation (0x, 0), vdpactl: decimal */
	XV_DEV_T_OCTAL, /* a mode: "0" then octal digits, min..max */
	XV_DEV_T_HEX, /* a 64-bit mask: hex digits, optional 0x */
	XV_DEV_T_SIZE, /* bytes, or K, M, G, T (xv_parse_size); JSON integer */
	XV_DEV_T_STRING, /* 1..max characters, no ',' */
	XV_DEV_T_IFNAME, /* a netdev name: 1..15 characters, no ',' */
	XV_DEV_T_GROUP, /* a group name, resolved by xv_dev_cfg_resolve */
	XV_DEV_T_PATH, /* a socket path: 1..107 characters, no ',' */
	XV_DEV_T_NAME, /* a device name (xv_validate_dev_name) */
	XV_DEV_T_CHOICE, /* one of two words (false, true); SPEC: bare word */
	XV_DEV_T_MAC, /* a unicast MAC address */
};

/* Where a field may appear (xv_dev_field.where). */
enum xv_dev_where {
	XV_DEV_F_SPEC = 1u << 0, /* --dev/--loopback SPEC */
	XV_DEV_F_REQ = 1u << 1, /* "dev add" request arguments (JSON) */
	XV_DEV_F_STATE = 1u << 2, /* the state file's device object */
	XV_DEV_F_SHOW = 1u << 3, /* "dev show": always, set or not */
	XV_DEV_F_CNI = 1u << 4, /* the CNI network config's deviceOptions */
	XV_DEV_F_CLI = 1u << 5, /* vdpactl dev add keyword */
	/* vdpactl's usage: required; one of the backends; the backend
	 * before it takes it as an option. */
	XV_DEV_F_REQUIRED = 1u << 8,
	XV_DEV_F_BACKEND = 1u << 9,
	XV_DEV_F_BACKEND_OPT = 1u << 10,
};

struct xv_dev_field {
	const char *key; /* request/state/show JSON key, vdpactl keyword */
	/* SPEC: "key=VALUE" with this key (NULL: the positional path, or a
	 * bare word of a choice), or its old short name. */
	const char *spec;
	const char *alias;
	enum xv_dev_type type;
	unsigned int where; /* enum xv_dev_where */
	uint64_t min, max; /* numbers; strings: max is the longest */
	uint64_t def; /* numbers' default; a choice: 0 or 1 */
	const char *words[2]; /* a choice's words, for false and true */
	size_t off, size; /* in struct xv_dev_cfg */
	const char *metavar; /* for usage: N, PATH, 0xHEX ... */
	const char *help;
};

extern const struct xv_dev_field xv_dev_fields[XV_DEVF_COUNT];

/* The field with @key (vdpactl keyword, JSON key) allowed in @where. */
const struct xv_dev_field *xv_dev_field_find(const char *key,
					     unsigned int where);
/* Does it take a value on vdpactl's command line? (A bool does not.) */
bool xv_dev_field_takes_value(const struct xv_dev_field *f);

void xv_dev_cfg_default(struct xv_dev_cfg *c);

/*
 * SPEC: PATH[,server|client][,KEY=VALUE]... as vdpad --dev and --loopback
 * take it (empty elements skipped, a later option wins), the old short
 * names (mq=, mode=, group=, features=) too. Sets the options onto @c
 * (start from xv_dev_cfg_default). No value may hold a ',' (it would
 * start another option). Does not set loopback: --loopback does.
 */
int xv_dev_cfg_parse_spec(struct xv_dev_cfg *c, const char *spec, char *err,
			  size_t errlen);
/* The canonical SPEC of @c's set SPEC fields (long names, table order).
 * Returns its length, -EINVAL without a socket, -ENOSPC if @len is short. */
int xv_dev_cfg_render_spec(const struct xv_dev_cfg *c, char *buf, size_t len);

/*
 * Sets the members of JSON object @o onto @c (start from
 * xv_dev_cfg_default): keys are the table's keys allowed in @where
 * (XV_DEV_F_REQ: "dev add"'s arguments, XV_DEV_F_STATE, XV_DEV_F_CNI);
 * an unknown key, a wrong type or a value out of range is -EINVAL with
 * the message "dev add" gives.
 */
int xv_dev_cfg_from_json(struct xv_dev_cfg *c, json_t *o, unsigned int where,
			 char *err, size_t errlen);
/* The fields of @where that are set (all of them, default or not, when
 * @where has XV_DEV_F_SHOW; empty strings left out), as from_json reads
 * them: a state file's device, a "dev add" request, "dev show". */
json_t *xv_dev_cfg_to_json(const struct xv_dev_cfg *c, unsigned int where);

/*
 * A device of vdpad's state file, either form: {"config": OBJECT} (what
 * xv_dev_cfg_state_json made: the typed fields of XV_DEV_F_STATE), or the
 * earlier {"spec": SPEC, "loopback": BOOL}. Other members of @entry (the
 * daemon's: name, owner) are left alone.
 */
int xv_dev_cfg_from_state(struct xv_dev_cfg *c, json_t *entry, char *err,
			  size_t errlen);
/* {"config": xv_dev_cfg_to_json(@c, XV_DEV_F_STATE)}, to add name etc. to. */
json_t *xv_dev_cfg_state_json(const struct xv_dev_cfg *c);

/* Sets field @key (a keyword of @where, e.g. XV_DEV_F_CLI) from text, as
 * vdpactl takes it; @val NULL for a bool (the keyword alone). -ENOENT for
 * an unknown key, -EINVAL/-ERANGE for a bad value (vdpactl's message). */
int xv_dev_cfg_set_text(struct xv_dev_cfg *c, const char *key, const char *val,
			unsigned int where, char *err, size_t errlen);
/* Typed setters, checked like the others; mark the field set. */
int xv_dev_cfg_set_str(struct xv_dev_cfg *c, enum xv_dev_field_id id,
		       const char *val, char *err, size_t errlen);
int xv_dev_cfg_set_uint(struct xv_dev_cfg *c, enum xv_dev_field_id id,
			uint64_t val, char *err, size_t errlen);

/* Field @id of @src onto @dst, and marked set there (an overlay, e.g. a
 * CNI network's deviceOptions over what the plugin sets). */
void xv_dev_cfg_copy_field(struct xv_dev_cfg *dst, const struct xv_dev_cfg *src,
			   enum xv_dev_field_id id);

/* What "dev add" needs of the whole: exactly one of mgmtdev, netdev and
 * loopback; mac only with mgmtdev. */
int xv_dev_cfg_check(const struct xv_dev_cfg *c, char *err, size_t errlen);
/*
 * The daemon's half: socket_group to c->gid (getgrnam; (gid_t)-1 when
 * unset), and device_features within @offered (the engine's features;
 * unset: @offered). vdpactl and the CNI plugin do not need the group.
 */
int xv_dev_cfg_resolve(struct xv_dev_cfg *c, uint64_t offered, char *err,
		       size_t errlen);

/* Same fields of @where (set bits and values; gid is not compared)? */
bool xv_dev_cfg_equal(const struct xv_dev_cfg *a, const struct xv_dev_cfg *b,
		      unsigned int where);

/*
 * Help text from the table. usage: a synopsis of @where's fields
 * (XV_DEV_F_CLI: "name NAME (mgmtdev MGMTDEV [vf N] | ...) [socket
 * PATH] ..."; XV_DEV_F_SPEC: "PATH[,server|client][,netdev=IFNAME]..."),
 * later lines starting with @indent, lines at most @width long. help:
 * one line per field, "@indent KEY VALUE  what (range; default)". Both
 * return the length written, or -ENOSPC when @len is too short.
 */
int xv_dev_cfg_usage(char *buf, size_t len, unsigned int where,
		     const char *indent, unsigned int width);
int xv_dev_cfg_help(char *buf, size_t len, unsigned int where,
		    const char *indent);
/* "max_vqp, device_features, ...": the keys of @where. */
int xv_dev_cfg_keys(char *buf, size_t len, unsigned int where);

#endif /* XVDPA_DEVCFG_H */
