// SPDX-License-Identifier: GPL-2.0-only
/*
 * vdpa: the xvdpa CNI plugin (CNI spec 1.0.0 and 1.1.0).
 *
 * The runtime runs it with CNI_COMMAND and the network configuration on
 * stdin. netdev mode moves an emulated VF's device end into the pod;
 * vhostuser mode asks vdpad for a vDPA device on a free VF and hands the
 * pod a vhost-user socket. IP addresses come from the delegated IPAM.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach.h"
#include "cni_state.h"
#include "devcfg.h"
#include "ctl_proto.h"
#include "log.h"

#define CNI_STDIN_MAX (1024 * 1024)

struct cni_cmd {
	const struct cni_env *env;
	const struct cni_conf *conf;
	struct cni_err *err;
	json_t *out; /* what to print on success, or NULL */
};

static void attach_init(struct cni_attach *a, const struct cni_cmd *cmd)
{
	memset(a, 0, sizeof(*a));
	a->conf = cmd->conf;
	a->cid = cmd->env->container_id;
	a->ifname = cmd->env->ifname;
	a->netns = cmd->env->netns;
	a->vf = -1;
}

static void netdev_of(const struct cni_attach *a, struct cni_netdev *nd)
{
	nd->host_name = a->host_name;
	nd->netns = a->netns;
	nd->ifname = a->ifname;
	nd->mtu = a->conf->mtu;
	nd->host_mtu = a->host_mtu;
}

/* The mode-specific half of ADD: a VF taken and handed over. */
static int attach_make(struct cni_attach *a, json_t *ipam, struct cni_err *e)
{
	struct cni_netdev nd;
	int err;

	if (a->conf->mode == CNI_MODE_VHOSTUSER) {
		err = cni_vhost_add(a, e)	 ?:
			      cni_vf_claim(a, e) ?:
						   cni_devinfo_write(a, e);
		return err;
	}
	err = cni_vf_pick(a, e) ?: cni_vf_claim(a, e);
	if (err)
		return err;
	netdev_of(a, &nd);
	err = cni_netdev_attach(&nd, ipam, e);
	a->host_mtu = nd.host_mtu;
	if (err)
		return err;
	/* In the pod's namespace: frames go straight in, offloads kept. */
	err = cni_vf_consumer(a, XV_VF_CONSUMER_NETDEV);
	if (err)
		return cni_fail(e, CNI_ERR_IO,
				"VF %d of %s: consumer netdev: %s", a->vf,
				a->conf->mgmtdev, strerror(-err));
	return 0;
}

/* The device end back in the host as the eswitch made it; or, when it
 * died with the pod's namespace (a veth goes with its namespace), the VF
 * made again. */
static void vf_back_in_host(const struct cni_attach *a)
{
	unsigned int vf = (unsigned int)a->vf;
	int err;

	if (a->vf < 0)
		return;
	if (if_nametoindex(a->host_name)) {
		err = xv_vf_dev_reset(a->conf->mgmtdev, vf);
		if (err)
			xv_warn("%s is back but could not be reset: %s",
				a->host_name, strerror(-err));
		return;
	}
	err = xv_vf_repair(a->conf->mgmtdev, vf);
	if (err)
		xv_err("VF %u of %s is lost with its pod's namespace and could not be rebuilt: %s",
		       vf, a->conf->mgmtdev, strerror(-err));
	else
		xv_info("VF %u of %s rebuilt after its pod's namespace went",
			vf, a->conf->mgmtdev);
}

/* Undoes whatever attach_make got to. */
static int attach_unmake(struct cni_attach *a, struct cni_err *e)
{
	struct cni_err why = { 0 };
	struct cni_netdev nd;
	int err = 0;

	if (a->conf->mode == CNI_MODE_VHOSTUSER || a->dev[0]) {
		cni_vhost_del(a);
	} else if (a->host_name[0] && a->netns &&
		   cni_netns_check(a->netns, &why) && why.code == CNI_ERR_ENV) {
		/* The host's namespace, or none: nothing in it is moved. */
		xv_warn("%s: %s is left where it is", why.msg, a->ifname);
	} else if (a->host_name[0] && a->netns) {
		/* Before it leaves the pod: the kernel drops frames sent
		 * straight into a namespace the device end is not in. */
		if (a->vf >= 0 && cni_vf_consumer(a, XV_VF_CONSUMER_XDP))
			xv_warn("VF %d of %s: consumer xdp could not be set",
				a->vf, a->conf->mgmtdev);
		netdev_of(a, &nd);
		err = cni_netdev_detach(&nd, e);
		if (!err)
			vf_back_in_host(a);
	}
	/* The VF's attributes go back even if the netdev could not. */
	cni_vf_release(a);
	if (a->conf->mode == CNI_MODE_VHOSTUSER)
		cni_devinfo_remove(a->conf->device_info_file);
	return err;
}

static json_t *render(const struct cni_attach *a, json_t *ipam)
{
	struct cni_iface ifc = {
		.name = a->ifname,
		.mtu = a->conf->mtu,
	};

	snprintf(ifc.mac, sizeof(ifc.mac), "%s", a->mac);
	if (a->conf->mode == CNI_MODE_NETDEV)
		ifc.sandbox = a->netns;
	else
		ifc.socket_path = a->socket;
	return cni_result_render(a->conf->version, &ifc, ipam);
}

static int do_add(struct cni_cmd *cmd, struct cni_attach *a)
{
	struct cni_err ignore;
	json_t *ipam = NULL, *st;
	int err;

	if (cmd->conf->ipam &&
	    cni_ipam_exec(cmd->env, cmd->conf, "ADD", &ipam, cmd->err))
		return -EINVAL;
	err = attach_make(a, ipam, cmd->err);
	if (!err) {
		cmd->out = render(a, ipam);
		st = cni_attach_to_json(a);
		json_object_set(st, "result", cmd->out);
		err = cni_state_save(cmd->conf, a->cid, a->ifname, st);
		json_decref(st);
		if (err)
			cni_fail(cmd->err, CNI_ERR_IO,
				 "saving the attachment in %s: %s",
				 cmd->conf->state_dir, strerror(-err));
	}
	if (err) {
		attach_unmake(a, &ignore);
		/* An ADD that fails gives its addresses back. */
		if (cmd->conf->ipam)
			cni_ipam_exec(cmd->env, cmd->conf, "DEL", NULL,
				      &ignore);
		json_decref(cmd->out);
		cmd->out = NULL;
	}
	json_decref(ipam);
	return err;
}

static int cmd_add(struct cni_cmd *cmd)
{
	struct cni_attach a;
	json_t *st;

	int err;

	attach_init(&a, cmd);
	if (cni_netns_check(a.netns, cmd->err))
		return -EINVAL;
	err = cni_state_load(cmd->conf, a.cid, a.ifname, &st);
	json_decref(st);
	if (!err)
		return cni_fail(
			cmd->err, CNI_ERR_IN_USE,
			"%s of container %s is attached already: DEL it first",
			a.ifname, a.cid);
	if (err != -ENOENT)
		return cni_fail(
			cmd->err, CNI_ERR_IO,
			"the state of %s of container %s in %s/%s is unreadable (%s): DEL it first",
			a.ifname, a.cid, cmd->conf->state_dir, cmd->conf->name,
			strerror(-err));
	return do_add(cmd, &a);
}

/* DEL and GC: undo an attachment from what was saved about it. */
static int teardown(const struct cni_cmd *cmd, json_t *st)
{
	struct cni_conf saved = *cmd->conf;
	struct cni_env env = *cmd->env;
	struct cni_err ignore;
	struct cni_attach a;
	int err;

	attach_init(&a, cmd);
	a.cid = json_string_value(json_object_get(st, "containerID"));
	a.ifname = json_string_value(json_object_get(st, "ifname"));
	a.netns = json_string_value(json_object_get(st, "netns"));
	if (!cni_id_valid(a.cid, CNI_CONTAINER_ID_MAX) ||
	    !cni_ifname_valid(a.ifname))
		return 0;
	cni_attach_from_json(&a, st);
	saved.mode =
		strcmp(json_string_value(json_object_get(st, "mode")) ?: "",
		       "netdev") ?
			CNI_MODE_VHOSTUSER :
			CNI_MODE_NETDEV;
	saved.device_info_file =
		json_string_value(json_object_get(st, "deviceInfoFile"));
	a.conf = &saved;
	err = attach_unmake(&a, cmd->err);
	if (err)
		return err;
	env.container_id = a.cid;
	env.ifname = a.ifname;
	if (saved.ipam)
		cni_ipam_exec(&env, &saved, "DEL", NULL, &ignore);
	return cni_state_remove(cmd->conf, a.cid, a.ifname);
}

static int cmd_del(struct cni_cmd *cmd)
{
	const struct cni_env *env = cmd->env;
	int err;
	json_t *st;

	err = cni_state_load(cmd->conf, env->container_id, env->ifname, &st);
	if (err) {
		/* Nothing remembered: release the addresses, succeed. */
		if (cmd->conf->ipam &&
		    cni_ipam_exec(env, cmd->conf, "DEL", NULL, cmd->err))
			return -EIO;
		if (err == -EBADMSG)
			cni_state_remove(cmd->conf, env->container_id,
					 env->ifname);
		return 0;
	}
	/* The namespace it was moved into is the one it is taken from. */
	err = teardown(cmd, st);
	json_decref(st);
	return err;
}

static int check_vhost(const struct cni_cmd *cmd, json_t *st)
{
	const char *dev = json_string_value(json_object_get(st, "dev"));
	const char *sock = json_string_value(json_object_get(st, "socket"));
	char err[256] = "";
	json_t *resp, *d;
	struct stat sb;
	int rc;

	rc = xv_ctl_request(cmd->conf->vdpad_socket, "dev show",
			    json_pack("{s:s}", "name", dev ?: ""), &resp, err,
			    sizeof(err));
	if (rc)
		return cni_vdpad_unreachable(rc, cmd->conf->vdpad_socket, err,
					     cmd->err);
	d = json_object_get(
		json_object_get(json_object_get(resp, "result"), "dev"), dev);
	rc = !d ? cni_fail(cmd->err, CNI_ERR_CHECK, "vdpad has no device %s",
			   dev) :
	     strcmp(json_string_value(json_object_get(
			    d, xv_dev_fields[XV_DEVF_SOCKET].key)) ?: "",
		    sock ?: "") ?
		  cni_fail(cmd->err, CNI_ERR_CHECK,
			   "vdpad serves %s on another socket", dev) :
		  0;
	json_decref(resp);
	if (!rc && !cmd->conf->vdpad_client &&
	    (!sock || lstat(sock, &sb) || !S_ISSOCK(sb.st_mode)))
		rc = cni_fail(cmd->err, CNI_ERR_CHECK, "socket %s is missing",
			      sock);
	return rc;
}

static int cmd_check(struct cni_cmd *cmd)
{
	const struct cni_env *env = cmd->env;
	struct cni_netdev nd;
	struct cni_attach a;
	json_t *st;
	int err;

	if (!cmd->conf->prev_result)
		return cni_fail(cmd->err, CNI_ERR_CONFIG,
				"CHECK needs \"prevResult\"");
	if (cni_netns_check(env->netns, cmd->err))
		return -EINVAL;
	if (cni_state_load(cmd->conf, env->container_id, env->ifname, &st))
		return cni_fail(cmd->err, CNI_ERR_CHECK,
				"no attachment of %s for container %s",
				env->ifname, env->container_id);
	attach_init(&a, cmd);
	cni_attach_from_json(&a, st);
	if (cmd->conf->mode == CNI_MODE_VHOSTUSER) {
		err = check_vhost(cmd, st);
	} else {
		netdev_of(&a, &nd);
		err = cni_netdev_check(&nd, a.mac, cmd->conf->prev_result,
				       cmd->err);
	}
	json_decref(st);
	if (!err && cmd->conf->ipam)
		err = cni_ipam_exec(env, cmd->conf, "CHECK", NULL, cmd->err);
	return err;
}

static bool attachment_valid(json_t *valid, json_t *st)
{
	const char *cid = json_string_value(json_object_get(st, "containerID"));
	const char *ifn = json_string_value(json_object_get(st, "ifname"));
	json_t *v;
	size_t i;

	json_array_foreach(valid, i, v) {
		const char *c =
			json_string_value(json_object_get(v, "containerID"));
		const char *n = json_string_value(json_object_get(v, "ifname"));

		if (c && n && cid && ifn && !strcmp(c, cid) && !strcmp(n, ifn))
			return true;
	}
	return false;
}

static int gc_one(json_t *st, void *data)
{
	const struct cni_cmd *cmd = data;

	if (attachment_valid(cmd->conf->valid_attachments, st))
		return 0;
	xv_info("GC: removing %s of container %s",
		json_string_value(json_object_get(st, "ifname")),
		json_string_value(json_object_get(st, "containerID")));
	teardown(cmd, st);
	return 0;
}

static int cmd_gc(struct cni_cmd *cmd)
{
	if (!cmd->conf->valid_attachments)
		return cni_fail(cmd->err, CNI_ERR_CONFIG,
				"GC needs \"cni.dev/valid-attachments\"");
	return cni_state_foreach(cmd->conf, gc_one, cmd);
}

static int cmd_status(struct cni_cmd *cmd)
{
	char err[256] = "";
	struct xv_pf *pf;
	json_t *resp;
	int rc;

	if (xv_pf_open(cmd->conf->mgmtdev, &pf))
		return cni_fail(cmd->err, CNI_ERR_NOT_AVAILABLE,
				"mgmtdev %s does not exist",
				cmd->conf->mgmtdev);
	xv_pf_close(pf);
	if (cmd->conf->mode != CNI_MODE_VHOSTUSER)
		return 0;
	rc = xv_ctl_request(cmd->conf->vdpad_socket, "dev show", NULL, &resp,
			    err, sizeof(err));
	json_decref(resp);
	if (rc)
		return cni_fail(cmd->err, CNI_ERR_NOT_AVAILABLE,
				"vdpad is not reachable at %s: %s",
				cmd->conf->vdpad_socket, strerror(-rc));
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct cni_cmd *cmd);
	bool locked; /* changes VFs or state */
} commands[] = {
	{ "ADD", cmd_add, true },	 { "DEL", cmd_del, true },
	{ "CHECK", cmd_check, false },	 { "GC", cmd_gc, true },
	{ "STATUS", cmd_status, false },
};

static int run_command(struct cni_cmd *cmd)
{
	unsigned int i;
	int lock = -1, err;

	for (i = 0; i < XV_ARRAY_SIZE(commands); i++)
		if (!strcmp(cmd->env->command, commands[i].name))
			break;
	if (i == XV_ARRAY_SIZE(commands))
		return cni_fail(
			cmd->err, CNI_ERR_ENV,
			"CNI_COMMAND \"%s\" is not one of ADD, DEL, CHECK, GC, STATUS, VERSION",
			cmd->env->command);
	if (commands[i].locked) {
		err = cni_state_lock(cmd->conf, &lock);
		if (err)
			return cni_fail(cmd->err, CNI_ERR_IO, "locking %s: %s",
					cmd->conf->state_dir, strerror(-err));
	}
	if (lock >= 0)
		cni_vhost_del_pending(cmd->conf);
	err = commands[i].fn(cmd);
	if (lock >= 0)
		close(lock);
	return err;
}

static int read_stdin(char **buf, size_t *len, struct cni_err *e)
{
	size_t cap = CNI_STDIN_MAX, n = 0;
	char *b = malloc(cap + 1);
	ssize_t r;

	if (!b)
		return cni_fail(e, CNI_ERR_INTERNAL, "out of memory");
	while (n < cap && (r = read(STDIN_FILENO, b + n, cap - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return cni_fail(e, CNI_ERR_IO, "reading stdin: %s",
					strerror(errno));
		}
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static void print_json(json_t *o)
{
	json_dumpf(o, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	fflush(stdout);
}

/* VERSION: which spec versions this plugin speaks. */
static void cmd_version(const char *in, size_t len)
{
	json_t *req = json_loadb(in, len, 0, NULL);
	const char *v = json_string_value(json_object_get(req, "cniVersion"));
	json_t *out;

	out = json_pack("{s:s, s:[s, s]}", "cniVersion",
			cni_version_supported(v) ? v : "1.1.0",
			"supportedVersions", CNI_VERSIONS_SUPPORTED);
	print_json(out);
	json_decref(out);
	json_decref(req);
}

static void setup_logging(const struct cni_conf *c)
{
	enum xv_log_level level;
	FILE *f;
	int fd;

	if (c->log_level && !xv_log_parse_level(c->log_level, &level))
		xv_log_set_level(level);
	if (!c->log_file)
		return;
	fd = open(c->log_file,
		  O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	f = fd < 0 ? NULL : fdopen(fd, "a");
	if (!f && fd >= 0)
		close(fd);
	if (f)
		xv_log_set_file(f);
	else
		xv_warn("cannot open logFile %s: %s", c->log_file,
			strerror(errno));
}

int main(void)
{
	struct cni_err e = { 0 };
	struct cni_conf conf = { 0 };
	struct cni_env env;
	struct cni_cmd cmd = { .env = &env, .conf = &conf, .err = &e };
	size_t len = 0;
	char *in = NULL;
	int err;

	err = cni_env_read(&env, &e) ?: read_stdin(&in, &len, &e);
	if (!err && !strcmp(env.command, "VERSION")) {
		cmd_version(in, len);
		free(in);
		return 0;
	}
	if (!err)
		err = cni_conf_parse(in, len, &conf, &e)	       ?:
			      cni_conf_apply_args(&conf, env.args, &e) ?:
			      cni_env_check(&env, &e);
	if (!err) {
		setup_logging(&conf);
		xv_dbg("%s container %s ifname %s netns %s args %s: %.*s",
		       env.command, env.container_id ?: "-", env.ifname ?: "-",
		       env.netns ?: "-", env.args ?: "-", (int)len, in);
		err = run_command(&cmd);
	}
	if (err) {
		json_t *o = cni_error_render(conf.version, &e);

		xv_err("%s: %s", env.command ?: "(no command)", e.msg);
		print_json(o);
		json_decref(o);
	} else if (cmd.out) {
		print_json(cmd.out);
	}
	json_decref(cmd.out);
	cni_conf_free(&conf);
	free(in);
	return err ? 1 : 0;
}
