// SPDX-License-Identifier: GPL-2.0
/*
 * The probed functions' prototypes as the running kernel describes them: its BTF
 * (/sys/kernel/btf/vmlinux, and the split BTF of udp_tunnel and l2tp_core that
 * Debian's modules carry), read when the probes are about to be armed.
 *
 * A kprobe handler reads its arguments from registers by position; if a function
 * took other arguments than this build expects, the handler would read a bogus
 * pointer, crash, or attach nothing and leave the tunnel in plaintext. So before
 * arming, each probed function found in the BTF must have the expected number of
 * parameters, with an integer or a pointer where expected, and setup_udp_tunnel_sock()
 * the socket type this build was made for. A function the BTF does not list (a
 * static one pahole left out) cannot be checked here; the handlers' own checks
 * (probe.c) still apply. Without BTF the check is skipped and dmesg says so.
 *
 * Only the few kinds of type needed are followed: pointers, integers, enums,
 * structs, and the qualifiers and typedefs in between. Context: process; the BTF is
 * read into vmalloc'ed memory and freed before returning.
 */
#include <uapi/linux/btf.h>
#include <linux/fs.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "btf.h"

/* One BTF blob, split (a module's) over its base (vmlinux) or not. */
struct l2tpi_btf {
	void *data;
	const struct btf_header *hdr;
	const char *strs;
	u32 str_len;
	const struct btf_type **types;	/* by id - @start_id */
	u32 nr;
	u32 start_id;			/* first id of this blob: base's nr + 1, or 1 */
	u32 str_start;			/* first string offset of this blob */
	const struct l2tpi_btf *base;
};

/* The size of a type's record: struct btf_type and what follows it. */
static s64 l2tpi_btf_type_size(const struct btf_type *t)
{
	u32 vlen = BTF_INFO_VLEN(t->info);
	s64 base = sizeof(*t);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return base + sizeof(u32);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return base;
	case BTF_KIND_ARRAY:
		return base + sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return base + (s64)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return base + (s64)vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return base + (s64)vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return base + (s64)vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return base + (s64)vlen * sizeof(struct btf_var_secinfo);
	default:
		return -EINVAL;
	}
}

/*
 * The whole of sysfs file @path into *@data (vmalloc'ed). Not kernel_read_file():
 * that asks the LSMs about a read of an unknown kind, and IPE warns on one.
 * Return: its size, or -errno.
 */
static ssize_t l2tpi_btf_read(const char *path, void **data)
{
	struct file *f;
	loff_t size, pos = 0;
	ssize_t n = 0;
	void *buf;

	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	size = i_size_read(file_inode(f));
	if (size <= 0 || size > SZ_64M) {
		n = -EINVAL;
		goto out;
	}
	buf = vmalloc(size);
	if (!buf) {
		n = -ENOMEM;
		goto out;
	}
	while (pos < size) {
		n = kernel_read(f, buf + pos, size - pos, &pos);
		if (n <= 0)
			break;
	}
	if (pos != size) {
		vfree(buf);
		n = n < 0 ? n : -EIO;
		goto out;
	}
	*data = buf;
	n = size;
out:
	filp_close(f, NULL);
	return n;
}

static void l2tpi_btf_free(struct l2tpi_btf *b)
{
	kvfree(b->types);
	vfree(b->data);
	memset(b, 0, sizeof(*b));
}

/* Read and index /sys/kernel/btf/@name, split over @base unless NULL. */
static int l2tpi_btf_load(struct l2tpi_btf *b, const char *name, const struct l2tpi_btf *base)
{
	char path[64];
	const u8 *p, *end;
	ssize_t len;
	u32 i;
	s64 sz;

	memset(b, 0, sizeof(*b));
	snprintf(path, sizeof(path), "/sys/kernel/btf/%s", name);
	len = l2tpi_btf_read(path, &b->data);
	if (len < 0)
		return len;
	b->hdr = b->data;
	if (len < sizeof(*b->hdr) || b->hdr->magic != BTF_MAGIC ||
	    b->hdr->hdr_len > len || (u64)b->hdr->hdr_len + b->hdr->type_off +
	    b->hdr->type_len > len || (u64)b->hdr->hdr_len + b->hdr->str_off +
	    b->hdr->str_len > len)
		goto bad;
	b->strs = (const char *)b->data + b->hdr->hdr_len + b->hdr->str_off;
	b->str_len = b->hdr->str_len;
	if (!b->str_len || b->strs[b->str_len - 1])
		goto bad;
	b->base = base;
	b->start_id = base ? base->start_id + base->nr : 1;
	b->str_start = base ? base->str_start + base->str_len : 0;
	p = (const u8 *)b->data + b->hdr->hdr_len + b->hdr->type_off;
	end = p + b->hdr->type_len;
	for (i = 0; p + sizeof(struct btf_type) <= end; i++) {	/* count */
		sz = l2tpi_btf_type_size((const struct btf_type *)p);
		if (sz < 0 || p + sz > end)
			goto bad;
		p += sz;
	}
	b->types = kvmalloc_array(i ?: 1, sizeof(*b->types), GFP_KERNEL);
	if (!b->types) {
		l2tpi_btf_free(b);
		return -ENOMEM;
	}
	p = end - b->hdr->type_len;
	for (b->nr = 0; b->nr < i; b->nr++) {
		b->types[b->nr] = (const struct btf_type *)p;
		p += l2tpi_btf_type_size((const struct btf_type *)p);
	}
	return 0;
bad:
	l2tpi_btf_free(b);
	return -EINVAL;
}

static const struct btf_type *l2tpi_btf_type(const struct l2tpi_btf *b, u32 id)
{
	for (; b; b = b->base)
		if (id >= b->start_id && id < b->start_id + b->nr)
			return b->types[id - b->start_id];
	return NULL;
}

static const char *l2tpi_btf_name(const struct l2tpi_btf *b, u32 off)
{
	for (; b; b = b->base)
		if (off >= b->str_start && off < b->str_start + b->str_len)
			return b->strs + off - b->str_start;
	return "";
}

/* @id with typedefs and qualifiers peeled off, or NULL (void, or out of range). */
static const struct btf_type *l2tpi_btf_resolve(const struct l2tpi_btf *b, u32 id)
{
	const struct btf_type *t;
	int depth;

	for (depth = 0; depth < 16; depth++) {
		t = l2tpi_btf_type(b, id);
		if (!t)
			return NULL;
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		default:
			return t;
		}
	}
	return NULL;
}

/* Whether parameter type @id is what @want says ("int", "ptr", "ptr:STRUCT"). */
static bool l2tpi_btf_param_is(const struct l2tpi_btf *b, u32 id, const char *want)
{
	const struct btf_type *t = l2tpi_btf_resolve(b, id);
	u32 kind;

	if (!t)
		return false;
	kind = BTF_INFO_KIND(t->info);
	if (!strcmp(want, "int"))
		return kind == BTF_KIND_INT || kind == BTF_KIND_ENUM;
	if (kind != BTF_KIND_PTR)
		return false;
	if (!strcmp(want, "ptr"))
		return true;
	t = l2tpi_btf_resolve(b, t->type);
	if (!t)
		return false;
	kind = BTF_INFO_KIND(t->info);
	return (kind == BTF_KIND_STRUCT || kind == BTF_KIND_FWD) &&
	       !strcmp(l2tpi_btf_name(b, t->name_off), want + strlen("ptr:"));
}

/*
 * Check function @c in @b. Return: 0 (as expected, or not listed), or -EINVAL with
 * @why filled in.
 */
static int l2tpi_btf_check_one(const struct l2tpi_btf *b, const struct l2tpi_btf_func *c,
			       char *why, size_t len)
{
	const struct btf_param *params;
	const struct btf_type *t, *proto;
	u32 i, n;

	for (i = 0; i < b->nr; i++) {
		t = b->types[i];
		if (BTF_INFO_KIND(t->info) == BTF_KIND_FUNC &&
		    !strcmp(l2tpi_btf_name(b, t->name_off), c->name))
			break;
	}
	if (i == b->nr)
		return 0;
	proto = l2tpi_btf_type(b, t->type);
	if (!proto || BTF_INFO_KIND(proto->info) != BTF_KIND_FUNC_PROTO)
		goto differs;
	n = BTF_INFO_VLEN(proto->info);
	params = (const struct btf_param *)(proto + 1);
	if (n != c->nr_params)
		goto differs;
	for (i = 0; i < n; i++)
		if (!l2tpi_btf_param_is(b, params[i].type, c->params[i]))
			goto differs;
	return 0;
differs:
	snprintf(why, len, "%s() in this kernel's BTF is not the one this build was made for",
		 c->name);
	return -EINVAL;
}

/**
 * l2tpi_btf_check() - check the probed functions of module @mod against its BTF
 * @mod: "udp_tunnel" or "l2tp_core"
 * @funcs: what this build expects of its functions, ending with a NULL name
 * @why: the mismatch, when there is one
 * @len: its size
 *
 * Context: process, may sleep.
 * Return: 0 when every function listed in the BTF is as expected, -EINVAL with
 * @why on a mismatch, -ENOENT when there is no BTF to check against (nothing read).
 */
int l2tpi_btf_check(const char *mod, const struct l2tpi_btf_func *funcs, char *why,
		    size_t len)
{
	struct l2tpi_btf base, b;
	int err;

	err = l2tpi_btf_load(&base, "vmlinux", NULL);
	if (err)
		return -ENOENT;
	err = l2tpi_btf_load(&b, mod, &base);
	if (err) {
		l2tpi_btf_free(&base);
		return -ENOENT;
	}
	for (; funcs->name && !err; funcs++)
		err = l2tpi_btf_check_one(&b, funcs, why, len);
	l2tpi_btf_free(&b);
	l2tpi_btf_free(&base);
	return err;
}
