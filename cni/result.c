// SPDX-License-Identifier: GPL-2.0-only
/* What the plugin prints: results and errors in the config's cniVersion. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"

static bool is_v110(const char *version)
{
	return !strcmp(version, "1.1.0");
}

static json_t *render_iface(const char *version, const struct cni_iface *ifc)
{
	json_t *o = json_pack("{s:s, s:s}", "name", ifc->name, "mac", ifc->mac);

	if (ifc->sandbox)
		json_object_set_new(o, "sandbox", json_string(ifc->sandbox));
	/* mtu and socketPath are 1.1.0 fields (SPEC.md, "Success"). */
	if (is_v110(version) && ifc->mtu)
		json_object_set_new(o, "mtu", json_integer(ifc->mtu));
	if (is_v110(version) && ifc->socket_path)
		json_object_set_new(o, "socketPath",
				    json_string(ifc->socket_path));
	return o;
}

/* Copies the listed keys of @from that are present. */
static json_t *pick(json_t *from, const char *const *keys, unsigned int n)
{
	json_t *o = json_object(), *v;
	unsigned int i;

	for (i = 0; i < n; i++) {
		v = json_object_get(from, keys[i]);
		if (v)
			json_object_set(o, keys[i], v);
	}
	return o;
}

static json_t *render_ips(json_t *ipam)
{
	static const char *const keys[] = { "address", "gateway" };
	json_t *out = json_array(), *ip;
	size_t i;

	json_array_foreach(json_object_get(ipam, "ips"), i, ip) {
		json_t *o = pick(ip, keys, XV_ARRAY_SIZE(keys));

		json_object_set_new(o, "interface", json_integer(0));
		json_array_append_new(out, o);
	}
	return out;
}

static json_t *render_routes(const char *version, json_t *ipam)
{
	static const char *const keys[] = { "dst",    "gw",	  "mtu",
					    "advmss", "priority", "table",
					    "scope" };
	json_t *out = json_array(), *r;
	size_t i;

	json_array_foreach(json_object_get(ipam, "routes"), i, r)
		json_array_append_new(out,
				      pick(r, keys, is_v110(version) ? 7 : 2));
	return out;
}

json_t *cni_result_render(const char *version, const struct cni_iface *ifc,
			  json_t *ipam_result)
{
	json_t *res = json_pack("{s:s, s:[o]}", "cniVersion", version,
				"interfaces", render_iface(version, ifc));
	json_t *dns = json_object_get(ipam_result, "dns");

	json_object_set_new(res, "ips", render_ips(ipam_result));
	json_object_set_new(res, "routes", render_routes(version, ipam_result));
	json_object_set_new(res, "dns",
			    json_is_object(dns) ? json_incref(dns) :
						  json_object());
	return res;
}

json_t *cni_error_render(const char *version, const struct cni_err *e)
{
	json_t *o = json_pack("{s:s, s:i, s:s}", "cniVersion",
			      version && version[0] ? version : "1.1.0", "code",
			      e->code, "msg", e->msg);

	if (e->details[0])
		json_object_set_new(o, "details", json_string(e->details));
	return o;
}

int cni_ip_parse(const char *s, int family, uint8_t out[16])
{
	return inet_pton(family, s, out) == 1 ? 0 : -EINVAL;
}

/* "10.1.2.3/24" or "fd00::2/64". */
int cni_prefix_parse(const char *s, struct xv_nl_prefix *p)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	char *end;
	long len;

	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	memset(p, 0, sizeof(*p));
	p->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	len = strtol(slash + 1, &end, 10);
	if (!slash[1] || *end || len < 0 ||
	    len > (p->family == AF_INET ? 32 : 128))
		return -EINVAL;
	p->len = (uint8_t)len;
	return cni_ip_parse(addr, p->family, p->addr);
}
