/*
 * src/gen/emit.c - writes FILE.capnp.h and FILE.capnp.c for one schema file.
 *
 * Header layout (each part written to its own buffer, joined at the end):
 *   prologue, includes of the files whose types are used, ABI check
 *   enums; per struct: handle typedefs, size macros, struct-level functions
 *   specializations of generic structs used here (Map(Text, RegionProto)):
 *     first the types of every specialization, then their field accessors
 *   per struct: field accessors
 *   constants
 * The source file holds the reflection tables and default values.
 *
 * Naming (see docs/codegen.md): a struct Outer.Inner is Outer_Inner; its
 * handles are Outer_Inner_R (reader), Outer_Inner_B (builder),
 * Outer_Inner_RList and Outer_Inner_BList; field f has Outer_Inner_get_f,
 * _set_f, _has_f, _init_f, _copy_f, _ptr_f as its kind calls for.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen.h"

/* ------------------------------------------------------------------------
 * Generic parameters
 *
 * A context says how the parameters of the generic scopes in force are
 * bound.  A binding's types are written in the context where the brand
 * appeared (its env): Nest(T) { map @1 :Map(Text, T) } binds Map's Value to
 * T, which means whatever T is bound to in Nest's context.  Contexts are
 * kept for the whole run, so they can point to each other.
 * ------------------------------------------------------------------------ */

#define MAX_SCOPES 16

typedef struct ctx ctx;

typedef struct binding {
    uint64_t scope;
    bool bound; /* false: the scope's parameters are unbound (AnyPointer) */
    Brand_Binding_RList bind;
    const ctx *env;
} binding;

struct ctx {
    binding b[MAX_SCOPES];
    unsigned n;
};

static const ctx no_ctx;

/* A specialization of a generic struct emitted in this header: the
 * innermost generic scope `unit` (with its nested structs and groups), with
 * the bindings of every generic scope around it. */
typedef struct spec {
    char *cname;
    char *sig; /* unambiguous description of the bindings */
    uint64_t unit;
    const ctx *c;
} spec;

typedef struct emitter {
    const gen_model *m;
    const gen_node *file;
    gen_buf t;  /* enums, typedefs, struct-level functions */
    gen_buf st; /* specializations: types */
    gen_buf sf; /* specializations: field accessors */
    gen_buf f;  /* field accessors */
    gen_buf k;  /* constants */
    gen_buf c;  /* source file */
    gen_buf cr; /* source: file registry entries */
    spec *specs;
    size_t nspecs, specs_cap;
    uint64_t *deps;
    size_t ndeps, deps_cap;
    size_t nregistered; /* structs in the file registry */
    char **strings;     /* allocated names, freed at the end */
    size_t nstrings, strings_cap;
    ctx **ctxs; /* contexts, freed at the end */
    size_t nctxs, ctxs_cap;
    unsigned uniq;
} emitter;

static void *grow(void *p, size_t *cap, size_t size, size_t first) {
    *cap = *cap ? *cap * 2 : first;
    p = realloc(p, *cap * size);
    if (p == NULL) gen_die("out of memory");
    return p;
}

static char *keep(emitter *e, char *s) {
    if (e->nstrings == e->strings_cap)
        e->strings = grow(e->strings, &e->strings_cap, sizeof *e->strings, 64);
    e->strings[e->nstrings++] = s;
    return s;
}

static char *fmt(emitter *e, const char *f, ...)
    __attribute__((format(printf, 2, 3)));
static char *fmt(emitter *e, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    if (n < 0) gen_die("formatting failed");
    char *s = malloc((size_t)n + 1);
    if (s == NULL) gen_die("out of memory");
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return keep(e, s);
}

/* tmpl with its one "%s" replaced by arg. */
static char *subst(emitter *e, const char *tmpl, const char *arg) {
    const char *at = strstr(tmpl, "%s");
    if (at == NULL) return fmt(e, "%s", tmpl);
    return fmt(e, "%.*s%s%s", (int)(at - tmpl), tmpl, arg, at + 2);
}

static const ctx *keep_ctx(emitter *e, const ctx *c) {
    ctx *k = malloc(sizeof *k);
    if (k == NULL) gen_die("out of memory");
    *k = *c;
    if (e->nctxs == e->ctxs_cap)
        e->ctxs = grow(e->ctxs, &e->ctxs_cap, sizeof *e->ctxs, 16);
    e->ctxs[e->nctxs++] = k;
    return k;
}

static void add_dep(emitter *e, uint64_t file) {
    if (file == e->file->id || file == 0) return;
    for (size_t i = 0; i < e->ndeps; i++)
        if (e->deps[i] == file) return;
    if (e->ndeps == e->deps_cap)
        e->deps = grow(e->deps, &e->deps_cap, sizeof *e->deps, 8);
    e->deps[e->ndeps++] = file;
}

/* ------------------------------------------------------------------------
 * Types
 * ------------------------------------------------------------------------ */

/* A field type after generic parameters were substituted. */
typedef struct rtype {
    Type_Which which;
    Type_R t;
    const ctx *c;      /* where the type's own references resolve */
    const char *cname; /* struct and enum types (specialized if bound) */
    const char *sig;   /* struct types: unambiguous name */
    uint64_t id;       /* struct and enum types */
} rtype;

static rtype resolve(emitter *e, Type_R t, const ctx *c, unsigned depth);

/* Binding of `scope` in force in c, or NULL. */
static const binding *find_binding(const ctx *c, uint64_t scope) {
    for (unsigned i = 0; i < c->n; i++)
        if (c->b[i].scope == scope) return &c->b[i];
    return NULL;
}

static bool node_is_generic(const gen_node *n) {
    return n->which == Node_which_struct &&
           Node_Parameter_RList_len(Node_get_parameters(n->r)) > 0;
}

/* The node's own name: "Inner" for Outer.Inner. */
static const char *short_cname(const gen_model *m, const gen_node *n) {
    const gen_node *s = gen_node_get(m, n->scope);
    return s->which == Node_which_file ? n->cname
                                       : n->cname + strlen(s->cname) + 1;
}

/* The name a type bound to a parameter contributes to a specialization's C
 * name (*tag), and an unambiguous description of it (*sig). */
static void type_tag(emitter *e, Type_R t, const ctx *c, const char **tag,
                     const char **sig) {
    static const char *const names[] = {
        "Void",   "Bool",   "Int8",   "Int16",   "Int32",   "Int64", "UInt8",
        "UInt16", "UInt32", "UInt64", "Float32", "Float64", "Text",  "Data"};
    rtype r = resolve(e, t, c, 0);
    switch (r.which) {
    case Type_which_list: {
        const char *et, *es;
        type_tag(e, Type_list_get_elementType(Type_get_list(r.t)), r.c, &et,
                 &es);
        *tag = fmt(e, "List%s", et);
        *sig = fmt(e, "List(%s)", es);
        return;
    }
    case Type_which_enum:
        *tag = r.cname;
        *sig = fmt(e, "%s@%llx", r.cname, (unsigned long long)r.id);
        return;
    case Type_which_struct:
        *tag = r.cname;
        *sig = r.sig;
        return;
    case Type_which_interface: {
        uint64_t id = Type_interface_get_typeId(Type_get_interface(r.t));
        *tag = gen_node_get(e->m, id)->cname;
        *sig = fmt(e, "%s@%llx", *tag, (unsigned long long)id);
        return;
    }
    case Type_which_anyPointer: {
        Type_anyPointer_R ap = Type_get_anyPointer(r.t);
        *tag = "AnyPointer";
        if (Type_anyPointer_which(ap) == Type_anyPointer_which_unconstrained) {
            switch (Type_anyPointer_unconstrained_which(
                Type_anyPointer_get_unconstrained(ap))) {
            case Type_anyPointer_unconstrained_which_struct:
                *tag = "AnyStruct";
                break;
            case Type_anyPointer_unconstrained_which_list:
                *tag = "AnyList";
                break;
            case Type_anyPointer_unconstrained_which_capability:
                *tag = "Capability";
                break;
            default: break;
            }
        }
        *sig = *tag;
        return;
    }
    default:
        if ((unsigned)r.which < sizeof names / sizeof names[0]) {
            *tag = *sig = names[r.which];
            return;
        }
        *tag = *sig = "AnyPointer";
        return;
    }
}

/* Registers (once) the specialization `cname` of the generic scope `unit`
 * in context c. */
static void want_spec(emitter *e, const char *cname, const char *sig,
                      uint64_t unit, const ctx *c) {
    for (size_t i = 0; i < e->nspecs; i++) {
        if (strcmp(e->specs[i].cname, cname) != 0) continue;
        if (strcmp(e->specs[i].sig, sig) != 0)
            gen_die("two specializations of generic structs, %s and %s, "
                    "would have the same C name %s",
                    e->specs[i].sig, sig, cname);
        return;
    }
    if (e->nspecs >= 4096)
        gen_die("more than 4096 specializations of generic structs (does a "
                "generic struct refer to itself with growing parameters?)");
    if (e->nspecs == e->specs_cap)
        e->specs = grow(e->specs, &e->specs_cap, sizeof *e->specs, 4);
    spec *s = &e->specs[e->nspecs++];
    s->cname = gen_strdup(cname);
    s->sig = gen_strdup(sig);
    s->unit = unit;
    s->c = c;
}

/* How `brand`, written in context c, binds the generic scope `scope`. */
static binding brand_binding(Brand_R brand, uint64_t scope, const ctx *c) {
    binding none = {scope, false, {{0}}, &no_ctx};
    Brand_Scope_RList scopes = Brand_get_scopes(brand);
    for (uint32_t i = 0; i < Brand_Scope_RList_len(scopes); i++) {
        Brand_Scope_R sc = Brand_Scope_RList_get(scopes, i);
        if (Brand_Scope_get_scopeId(sc) != scope) continue;
        if (Brand_Scope_which(sc) == Brand_Scope_which_bind) {
            binding b = {scope, true, Brand_Scope_get_bind(sc), c};
            return b;
        }
        const binding *b = find_binding(c, scope); /* inherit: as in c */
        return b ? *b : none;
    }
    /* Not mentioned: the parameters are AnyPointers (schema.capnp, Brand). */
    return none;
}

/* C name of the struct `id` as referenced with `brand` from context c:
 * specialized when a generic scope it lives in is bound.  The name is the
 * path from the file to the struct, each generic scope's name followed by
 * the tags of its bound types: Map(Text, Inner).Entry is
 * Map_Text_Inner_Entry; Nest(Inner).In(Text) is Nest_Inner_In_Text.  *sig
 * receives an unambiguous description. */
static const char *struct_cname(emitter *e, uint64_t id, Brand_R brand,
                                const ctx *c, const char **sig) {
    const gen_node *n = gen_node_get(e->m, id);
    add_dep(e, n->file);
    const gen_node *path[MAX_SCOPES * 4];
    unsigned depth = 0;
    for (const gen_node *p = n; p->which != Node_which_file;
         p = gen_node_get(e->m, p->scope)) {
        if (depth == sizeof path / sizeof path[0])
            gen_die("%s: scopes nest too deeply", n->name);
        path[depth++] = p;
    }
    /* The bindings of the generic scopes, outermost first, and the tags of
     * their types.  A scope whose parameters are all AnyPointer (unbound,
     * or bound to AnyPointer or to unbound parameters) is the same as the
     * unbound generic and gets no tags. */
    ctx nc = {0};
    const gen_node *unit = NULL;
    gen_buf tags[MAX_SCOPES] = {{0}}, descs[MAX_SCOPES] = {{0}};
    bool any = false;
    for (unsigned i = depth; i-- > 0;) {
        if (!node_is_generic(path[i])) continue;
        if (nc.n == MAX_SCOPES)
            gen_die("%s: more than %d generic scopes", n->name, MAX_SCOPES);
        binding *b = &nc.b[nc.n];
        *b = brand_binding(brand, path[i]->id, c);
        bool typed = false;
        uint32_t nb = b->bound ? Brand_Binding_RList_len(b->bind) : 0;
        for (uint32_t j = 0; j < nb; j++) {
            Brand_Binding_R bb = Brand_Binding_RList_get(b->bind, j);
            const char *tag = "AnyPointer", *d = "AnyPointer";
            if (Brand_Binding_which(bb) == Brand_Binding_which_type)
                type_tag(e, Brand_Binding_get_type(bb), b->env, &tag, &d);
            typed = typed || strcmp(d, "AnyPointer") != 0;
            gen_printf(&tags[nc.n], "_%s", tag);
            gen_printf(&descs[nc.n], "%s%s", j ? ", " : "", d);
        }
        if (!typed) {
            gen_buf_free(&tags[nc.n]);
            gen_buf_free(&descs[nc.n]);
        }
        any = any || typed;
        nc.n++;
        unit = path[i];
    }
    if (!any) {
        *sig = fmt(e, "%s@%llx", n->name, (unsigned long long)id);
        return n->cname;
    }
    const ctx *kc = keep_ctx(e, &nc);
    gen_buf name = {0}, desc = {0};
    unsigned k = 0;
    for (unsigned i = depth; i-- > 0;) {
        const gen_node *p = path[i];
        gen_printf(&name, "%s%s", i + 1 == depth ? "" : "_",
                   short_cname(e->m, p));
        gen_printf(&desc, "%s%s", i + 1 == depth ? "" : ".",
                   short_cname(e->m, p));
        if (node_is_generic(p)) {
            gen_printf(&name, "%s", tags[k].data ? tags[k].data : "");
            gen_printf(&desc, "(%s)", descs[k].data ? descs[k].data : "");
            gen_buf_free(&tags[k]);
            gen_buf_free(&descs[k]);
            k++;
        }
        if (p == unit) {
            if (name.len > 512)
                gen_die("%s: the name of a specialization grows beyond 512 "
                        "characters",
                        n->name);
            char *usig =
                fmt(e, "%s@%llx", desc.data, (unsigned long long)unit->id);
            want_spec(e, name.data, usig, unit->id, kc);
        }
    }
    gen_printf(&desc, "@%llx", (unsigned long long)id);
    char *full = fmt(e, "%s", name.data);
    *sig = fmt(e, "%s", desc.data);
    gen_buf_free(&name);
    gen_buf_free(&desc);
    return full;
}

static rtype resolve(emitter *e, Type_R t, const ctx *c, unsigned depth) {
    if (depth > 64) gen_die("generic parameters nest too deeply");
    rtype r = {Type_which(t), t, c, NULL, NULL, 0};
    switch (r.which) {
    case Type_which_struct: {
        Type_struct_R s = Type_get_struct(t);
        r.id = Type_struct_get_typeId(s);
        r.cname = struct_cname(e, r.id, Type_struct_get_brand(s), c, &r.sig);
        break;
    }
    case Type_which_enum: {
        Type_enum_R en = Type_get_enum(t);
        r.id = Type_enum_get_typeId(en);
        const gen_node *n = gen_node_get(e->m, r.id);
        add_dep(e, n->file);
        r.cname = n->cname;
        break;
    }
    case Type_which_anyPointer: {
        Type_anyPointer_R ap = Type_get_anyPointer(t);
        if (Type_anyPointer_which(ap) != Type_anyPointer_which_parameter) break;
        Type_anyPointer_parameter_R p = Type_anyPointer_get_parameter(ap);
        const binding *b =
            find_binding(c, Type_anyPointer_parameter_get_scopeId(p));
        if (b == NULL || !b->bound) break;
        uint16_t idx = Type_anyPointer_parameter_get_parameterIndex(p);
        if (idx >= Brand_Binding_RList_len(b->bind)) break;
        Brand_Binding_R bb = Brand_Binding_RList_get(b->bind, idx);
        if (Brand_Binding_which(bb) != Brand_Binding_which_type) break;
        return resolve(e, Brand_Binding_get_type(bb), b->env, depth + 1);
    }
    default: break;
    }
    return r;
}
/* ------------------------------------------------------------------------
 * Primitive types
 * ------------------------------------------------------------------------ */

typedef struct prim {
    const char *ctype; /* C type of values */
    const char *wire;  /* ncp accessor suffix: bool, u8, u16, u32, u64 */
    const char *utype; /* unsigned type of the wire bits */
    unsigned bits;     /* size */
    const char *from;  /* expression wrapping wire bits into ctype: %s */
    const char *to;    /* expression turning a value v into wire bits */
    const char *elem;  /* ncp_elem_size */
} prim;

static bool primitive(emitter *e, const rtype *t, prim *p) {
    memset(p, 0, sizeof *p);
    switch (t->which) {
    case Type_which_bool:
        *p = (prim){"bool", "bool", "bool", 1, "%s", "v", "NCP_ELEM_BIT"};
        return true;
    case Type_which_int8:
        *p = (prim){"int8_t",     "u8",         "uint8_t",      8,
                    "ncp_i8(%s)", "(uint8_t)v", "NCP_ELEM_BYTE"};
        return true;
    case Type_which_int16:
        *p = (prim){"int16_t",     "u16",         "uint16_t",       16,
                    "ncp_i16(%s)", "(uint16_t)v", "NCP_ELEM_2BYTES"};
        return true;
    case Type_which_int32:
        *p = (prim){"int32_t",     "u32",         "uint32_t",       32,
                    "ncp_i32(%s)", "(uint32_t)v", "NCP_ELEM_4BYTES"};
        return true;
    case Type_which_int64:
        *p = (prim){"int64_t",     "u64",         "uint64_t",       64,
                    "ncp_i64(%s)", "(uint64_t)v", "NCP_ELEM_8BYTES"};
        return true;
    case Type_which_uint8:
        *p = (prim){"uint8_t", "u8", "uint8_t", 8, "%s", "v", "NCP_ELEM_BYTE"};
        return true;
    case Type_which_uint16:
        *p = (prim){"uint16_t", "u16", "uint16_t",       16,
                    "%s",       "v",   "NCP_ELEM_2BYTES"};
        return true;
    case Type_which_uint32:
        *p = (prim){"uint32_t", "u32", "uint32_t",       32,
                    "%s",       "v",   "NCP_ELEM_4BYTES"};
        return true;
    case Type_which_uint64:
        *p = (prim){"uint64_t", "u64", "uint64_t",       64,
                    "%s",       "v",   "NCP_ELEM_8BYTES"};
        return true;
    case Type_which_float32:
        *p = (prim){"float",
                    "u32",
                    "uint32_t",
                    32,
                    "ncp_f32_from_bits(%s)",
                    "ncp_f32_to_bits(v)",
                    "NCP_ELEM_4BYTES"};
        return true;
    case Type_which_float64:
        *p = (prim){"double",
                    "u64",
                    "uint64_t",
                    64,
                    "ncp_f64_from_bits(%s)",
                    "ncp_f64_to_bits(v)",
                    "NCP_ELEM_8BYTES"};
        return true;
    case Type_which_enum:
        *p = (prim){t->cname,
                    "u16",
                    "uint16_t",
                    16,
                    fmt(e, "(%s)(unsigned)%s", t->cname, "%s"),
                    "(uint16_t)v",
                    "NCP_ELEM_2BYTES"};
        return true;
    default: return false;
    }
}

/* The wire bits of a primitive default value. */
static uint64_t default_bits(Value_R v) {
    switch (Value_which(v)) {
    case Value_which_bool: return Value_get_bool(v) ? 1 : 0;
    case Value_which_int8: return (uint8_t)Value_get_int8(v);
    case Value_which_int16: return (uint16_t)Value_get_int16(v);
    case Value_which_int32: return (uint32_t)Value_get_int32(v);
    case Value_which_int64: return (uint64_t)Value_get_int64(v);
    case Value_which_uint8: return Value_get_uint8(v);
    case Value_which_uint16: return Value_get_uint16(v);
    case Value_which_uint32: return Value_get_uint32(v);
    case Value_which_uint64: return Value_get_uint64(v);
    case Value_which_float32: return ncp_f32_to_bits(Value_get_float32(v));
    case Value_which_float64: return ncp_f64_to_bits(Value_get_float64(v));
    case Value_which_enum: return Value_get_enum(v);
    default: return 0;
    }
}

/* A C literal of `bits` in the wire type of p. */
static const char *literal(emitter *e, const prim *p, uint64_t bits) {
    if (p->bits == 1) return bits ? "true" : "false";
    if (p->bits == 64)
        return fmt(e, "UINT64_C(0x%llx)", (unsigned long long)bits);
    return fmt(e, "0x%llxu", (unsigned long long)bits);
}

/* Wire bits of value v of a field with default d, as an expression. */
static const char *to_wire(emitter *e, const prim *p, uint64_t d) {
    if (p->bits == 1) return d ? "!v" : "v";
    if (d == 0) return p->to;
    return fmt(e, "(%s)(%s ^ %s)", p->utype, p->to, literal(e, p, d));
}

/* The value of wire bits `wire` of a field with default d. */
static const char *from_wire(emitter *e, const prim *p, const char *wire,
                             uint64_t d) {
    const char *x = wire;
    if (p->bits == 1)
        x = d ? fmt(e, "!%s", wire) : wire;
    else if (d != 0)
        x = fmt(e, "(%s)(%s ^ %s)", p->utype, wire, literal(e, p, d));
    return subst(e, p->from, x);
}

/* ------------------------------------------------------------------------
 * Strings in generated code
 * ------------------------------------------------------------------------ */

static const char *c_string(emitter *e, const char *s, size_t len) {
    gen_buf b = {0};
    gen_printf(&b, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            gen_printf(&b, "\\%c", ch);
        else if (ch >= 0x20 && ch < 0x7f && ch != '?')
            gen_printf(&b, "%c", ch);
        else
            gen_printf(&b, "\\%03o", ch);
    }
    gen_printf(&b, "\"");
    char *r = fmt(e, "%s", b.data);
    gen_buf_free(&b);
    return r;
}

/* A schema doc comment, made safe to put inside a C comment: no comment
 * delimiters, no trigraphs, no control characters, no trailing blanks. */
static const char *doc_text(emitter *e, ncp_text doc) {
    size_t len = doc.len;
    while (len > 0 && (unsigned char)doc.str[len - 1] <= ' ')
        len--;
    gen_buf b = {0};
    gen_printf(&b, "%s", "");
    for (size_t i = 0; i < len; i++) {
        char ch = doc.str[i];
        char next = i + 1 < len ? doc.str[i + 1] : '\0';
        if ((ch == '*' && next == '/') || (ch == '/' && next == '*') ||
            (ch == '?' && next == '?'))
            gen_printf(&b, "%c ", ch);
        else if (ch == '\n' || (unsigned char)ch >= ' ')
            gen_printf(&b, "%c", ch);
        else
            gen_printf(&b, " ");
    }
    char *r = fmt(e, "%s", b.data);
    gen_buf_free(&b);
    return r;
}

/* Writes "title" and the doc comment (either may be empty) as a C comment;
 * nothing if both are empty. */
static void emit_comment(emitter *e, gen_buf *o, const char *title,
                         ncp_text doc) {
    const char *text = doc_text(e, doc);
    if (!title[0] && !text[0]) return;
    if (!strchr(text, '\n') && strlen(title) + strlen(text) < 70) {
        gen_printf(o, "/* %s%s%s */\n", title, title[0] && text[0] ? ": " : "",
                   text);
        return;
    }
    gen_printf(o, "/*%s%s\n", title[0] ? " " : "", title);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        gen_printf(o, " *%s%.*s\n", n ? " " : "", (int)n, p);
        p += nl ? (size_t)(nl - p) + 1 : strlen(p);
    }
    gen_printf(o, " */\n");
}

/* The doc comment of node n, or of its member i (i >= 0); empty unless doc
 * comments were asked for (CAPNPC_C_DOCS=1, see main.c). */
static ncp_text node_doc(const emitter *e, const gen_node *n, long member) {
    ncp_text none = {"", 0};
    if (!e->m->docs || !n->has_info) return none;
    if (member < 0) return Node_SourceInfo_get_docComment(n->info);
    Node_SourceInfo_Member_RList ms = Node_SourceInfo_get_members(n->info);
    if ((unsigned long)member >= Node_SourceInfo_Member_RList_len(ms))
        return none;
    return Node_SourceInfo_Member_get_docComment(
        Node_SourceInfo_Member_RList_get(ms, (uint32_t)member));
}

/* Emits a constant pointer value (a default or a constant) as a
 * one-segment message in the source file; returns the C name of its
 * words. */
static const char *emit_blob(emitter *e, ncp_ptr value, uint32_t *words) {
    ncp_builder *b;
    if (ncp_builder_new(NULL, &b) != NCP_OK) gen_die("out of memory");
    ncp_bptr_copy(ncp_builder_root_ptr(b), value);
    ncp_builder *flat = b;
    ncp_error err = {NCP_OK, ""};
    size_t n = 0;
    uint64_t bound = ncp_builder_write_bound(b, NCP_WRITE_SINGLE_SEGMENT);
    uint8_t *bytes = malloc((size_t)bound);
    if (bytes == NULL) gen_die("out of memory");
    if (ncp_builder_write_mem(flat, NCP_WRITE_SINGLE_SEGMENT, bytes,
                              (size_t)bound, &n, &err) != NCP_OK)
        gen_die("encoding a default value: %s", err.message);
    /* Skip the 8-byte segment table of a one-segment message. */
    const char *name = fmt(e, "ncp_gen_blob_%u", e->uniq++);
    gen_printf(&e->c, "static const uint8_t %s[%zu] = {", name, n - 8);
    for (size_t i = 8; i < n; i++)
        gen_printf(&e->c, "%s0x%02x",
                   i == 8 ? "" : (i % 12 == 8 ? ",\n    " : ", "), bytes[i]);
    gen_printf(&e->c, "};\n");
    *words = (uint32_t)((n - 8) / 8);
    free(bytes);
    ncp_builder_free(b);
    return name;
}

/* ------------------------------------------------------------------------
 * Structs: typedefs and struct-level functions
 * ------------------------------------------------------------------------ */

static Node_struct_R struct_of(const gen_node *n) {
    return Node_get_struct(n->r);
}

static void emit_struct_types(emitter *e, gen_buf *o, const gen_node *n,
                              const char *cn, bool with_schema) {
    Node_struct_R st = struct_of(n);
    unsigned dw = Node_struct_get_dataWordCount(st);
    unsigned pc = Node_struct_get_pointerCount(st);
    ncp_text no_doc = {"", 0};
    gen_printf(o, "\n");
    emit_comment(e, o, n->name, with_schema ? node_doc(e, n, -1) : no_doc);
    gen_printf(o,
               "typedef struct %s_R { ncp_struct s; } %s_R;\n"
               "typedef struct %s_B { ncp_bstruct s; } %s_B;\n",
               cn, cn, cn, cn);
    if (n->is_group) return;
    gen_printf(o,
               "typedef struct %s_RList { ncp_list l; } %s_RList;\n"
               "typedef struct %s_BList { ncp_blist l; } %s_BList;\n"
               "#define %s_ID UINT64_C(0x%016llx)\n"
               "#define %s_DATA_WORDS %uu\n"
               "#define %s_PTR_COUNT %uu\n",
               cn, cn, cn, cn, cn, (unsigned long long)n->id, cn, dw, cn, pc);
    if (with_schema)
        gen_printf(o, "extern const ncp_schema_struct %s_schema;\n", cn);
    const char *what = c_string(e, n->name, strlen(n->name));
    gen_printf(
        o,
        "static inline %s_R %s_read(ncp_ptr p) {\n"
        "    %s_R r = {ncp_ptr_struct(p, %s)};\n    return r;\n}\n"
        "static inline %s_R %s_read_root(ncp_msg *m) {\n"
        "    %s_R r = {ncp_msg_root(m, %s)};\n    return r;\n}\n"
        "static inline %s_B %s_new(ncp_bptr p) {\n"
        "    %s_B b = {ncp_bptr_init_struct(p, %uu, %uu)};\n    return b;\n}\n"
        "static inline %s_B %s_new_root(ncp_builder *b) {\n"
        "    return %s_new(ncp_builder_root_ptr(b));\n}\n"
        "static inline %s_RList %s_RList_read(ncp_ptr p) {\n"
        "    %s_RList l = {ncp_ptr_list(p, NCP_ELEM_COMPOSITE, %s)};\n"
        "    return l;\n}\n"
        "static inline %s_BList %s_BList_new(ncp_bptr p, uint32_t n) {\n"
        "    %s_BList l = {ncp_bptr_init_struct_list(p, n, %uu, %uu)};\n"
        "    return l;\n}\n"
        "static inline uint32_t %s_RList_len(%s_RList l) { return l.l.len; }\n"
        "static inline uint32_t %s_BList_len(%s_BList l) { return l.l.len; }\n"
        "static inline %s_R %s_RList_get(%s_RList l, uint32_t i) {\n"
        "    %s_R r = {ncp_list_struct(&l.l, i)};\n    return r;\n}\n"
        "static inline %s_B %s_BList_get(%s_BList l, uint32_t i) {\n"
        "    %s_B b = {ncp_blist_struct(&l.l, i)};\n    return b;\n}\n",
        cn, cn, cn, what, cn, cn, cn, what, cn, cn, cn, dw, pc, cn, cn, cn, cn,
        cn, cn, what, cn, cn, cn, dw, pc, cn, cn, cn, cn, cn, cn, cn, cn, cn,
        cn, cn, cn);
}

/* The enum of a struct's (or group's) unnamed union: Foo_Which. */
static void emit_which(emitter *e, gen_buf *o, const gen_node *n,
                       const char *cn) {
    Node_struct_R st = struct_of(n);
    if (Node_struct_get_discriminantCount(st) == 0) return;
    unsigned off = (unsigned)Node_struct_get_discriminantOffset(st) * 2;
    Field_RList fields = Node_struct_get_fields(st);
    gen_printf(o, "typedef enum %s_Which {\n", cn);
    for (uint32_t i = 0; i < Field_RList_len(fields); i++) {
        Field_R f = Field_RList_get(fields, i);
        uint16_t d = Field_get_discriminantValue(f);
        if (d == NCP_NO_DISCRIMINANT) continue;
        gen_printf(o, "    %s_which_%s = %u,\n", cn, Field_get_name(f).str, d);
    }
    gen_printf(o, "} %s_Which;\n", cn);
    gen_printf(
        o,
        "static inline %s_Which %s_which(%s_R r) {\n"
        "    return (%s_Which)(unsigned)ncp_struct_u16(&r.s, %uu);\n}\n"
        "static inline %s_Which %s_whichb(%s_B b) {\n"
        "    return (%s_Which)(unsigned)ncp_bstruct_u16(&b.s, %uu);\n}\n",
        cn, cn, cn, cn, off, cn, cn, cn, cn, off);
    (void)e;
}

static void emit_enum(emitter *e, const gen_node *n) {
    Enumerant_RList en = Node_enum_get_enumerants(Node_get_enum(n->r));
    gen_printf(&e->t, "\n");
    emit_comment(e, &e->t, n->name, node_doc(e, n, -1));
    gen_printf(&e->t, "typedef enum %s {\n", n->cname);
    for (uint32_t i = 0; i < Enumerant_RList_len(en); i++) {
        gen_buf d = {0};
        emit_comment(e, &d, "", node_doc(e, n, i));
        for (char *p = d.data, *nl; p && *p; p = nl + 1) {
            nl = strchr(p, '\n');
            gen_printf(&e->t, "    %.*s\n", (int)(nl - p), p);
        }
        gen_buf_free(&d);
        gen_printf(&e->t, "    %s_%s = %u,\n", n->cname,
                   Enumerant_get_name(Enumerant_RList_get(en, i)).str, i);
    }
    gen_printf(&e->t, "} %s;\n#define %s_ID UINT64_C(0x%016llx)\n", n->cname,
               n->cname, (unsigned long long)n->id);
    gen_printf(&e->t, "extern const ncp_schema_enum %s_schema;\n", n->cname);
    /* Reflection. */
    gen_printf(&e->c, "\nstatic const char *const %s_names[] = {", n->cname);
    for (uint32_t i = 0; i < Enumerant_RList_len(en); i++) {
        ncp_text name = Enumerant_get_name(Enumerant_RList_get(en, i));
        gen_printf(&e->c, "%s%s", i ? ", " : "",
                   c_string(e, name.str, name.len));
    }
    gen_printf(&e->c,
               "};\nconst ncp_schema_enum %s_schema = {UINT64_C(0x%016llx), "
               "%s, %u, %s_names};\n",
               n->cname, (unsigned long long)n->id,
               c_string(e, n->name, strlen(n->name)), Enumerant_RList_len(en),
               n->cname);
}

/* ------------------------------------------------------------------------
 * Field accessors
 * ------------------------------------------------------------------------ */

typedef struct fctx {
    emitter *e;
    gen_buf *o;
    const char *cn;   /* struct's C name (specialized) */
    const char *base; /* struct's own C name (unspecialized) */
    const char *what; /* "Struct.field" as a C string literal */
    const char *fname;
    /* union membership */
    bool in_union;
    unsigned tag_off; /* bytes */
    unsigned disc;
} fctx;

/* Expression selecting the pointer location of field idx of reader r (null
 * when the field's union member is inactive). */
static const char *rptr(const fctx *x, unsigned idx) {
    if (!x->in_union) return fmt(x->e, "ncp_struct_ptr(&r.s, %uu)", idx);
    return fmt(x->e,
               "ncp_struct_ptr(&r.s, ncp_struct_u16(&r.s, %uu) == %uu ? %uu : "
               "UINT32_MAX)",
               x->tag_off, x->disc, idx);
}

/* Statement setting the union tag, or "". */
static const char *set_tag(const fctx *x) {
    if (!x->in_union) return "";
    return fmt(x->e, "    ncp_bstruct_set_u16(&b.s, %uu, %uu);\n", x->tag_off,
               x->disc);
}

static void emit_has(const fctx *x, unsigned idx) {
    gen_printf(x->o,
               "static inline bool %s_has_%s(%s_R r) {\n"
               "    return !ncp_ptr_is_null(%s);\n}\n",
               x->cn, x->fname, x->cn, rptr(x, idx));
}

static void emit_primitive_field(const fctx *x, const rtype *t, uint32_t offset,
                                 uint64_t d) {
    prim p;
    primitive(x->e, t, &p);
    unsigned at = p.bits == 1 ? offset : offset * (p.bits / 8);
    const char *wire = fmt(x->e, "ncp_struct_%s(&r.s, %uu)", p.wire, at);
    const char *bwire = fmt(x->e, "ncp_bstruct_%s(&b.s, %uu)", p.wire, at);
    /* An inactive union member reads as its default. */
    const char *guard = "", *bguard = "";
    if (x->in_union) {
        const char *dv = from_wire(x->e, &p, literal(x->e, &p, 0), d);
        guard =
            fmt(x->e, "    if (ncp_struct_u16(&r.s, %uu) != %uu) return %s;\n",
                x->tag_off, x->disc, dv);
        bguard =
            fmt(x->e, "    if (ncp_bstruct_u16(&b.s, %uu) != %uu) return %s;\n",
                x->tag_off, x->disc, dv);
    }
    gen_printf(
        x->o, "static inline %s %s_get_%s(%s_R r) {\n%s    return %s;\n}\n",
        p.ctype, x->cn, x->fname, x->cn, guard, from_wire(x->e, &p, wire, d));
    gen_printf(
        x->o, "static inline %s %s_getb_%s(%s_B b) {\n%s    return %s;\n}\n",
        p.ctype, x->cn, x->fname, x->cn, bguard, from_wire(x->e, &p, bwire, d));
    gen_printf(x->o,
               "static inline void %s_set_%s(%s_B b, %s v) {\n%s"
               "    ncp_bstruct_set_%s(&b.s, %uu, %s);\n}\n",
               x->cn, x->fname, x->cn, p.ctype, set_tag(x), p.wire, at,
               to_wire(x->e, &p, d));
}

static void emit_list_field(const fctx *x, const rtype *t, unsigned idx,
                            const char *def) {
    emitter *e = x->e;
    rtype el =
        resolve(e, Type_list_get_elementType(Type_get_list(t->t)), t->c, 0);
    const char *loc = fmt(e, "ncp_bstruct_ptr(&b.s, %uu)", idx);
    /* The location read: the field, or its default when it is null. */
    const char *src = rptr(x, idx);
    if (def) src = fmt(e, "(ncp_ptr_is_null(%s) ? %s() : %s)", src, def, src);
    emit_has(x, idx);
    prim p;
    if (el.which == Type_which_struct) {
        const gen_node *sn = gen_node_get(e->m, el.id);
        Node_struct_R st = struct_of(sn);
        gen_printf(x->o,
                   "static inline %s_RList %s_get_%s(%s_R r) {\n"
                   "    %s_RList l = {ncp_ptr_list(%s, NCP_ELEM_COMPOSITE, "
                   "%s)};\n    return l;\n}\n"
                   "static inline %s_BList %s_init_%s(%s_B b, uint32_t n) {\n"
                   "%s    %s_BList l = {ncp_bptr_init_struct_list(%s, n, %uu, "
                   "%uu)};\n    return l;\n}\n",
                   el.cname, x->cn, x->fname, x->cn, el.cname, src, x->what,
                   el.cname, x->cn, x->fname, x->cn, set_tag(x), el.cname, loc,
                   Node_struct_get_dataWordCount(st),
                   Node_struct_get_pointerCount(st));
        /* Elements without pointers can be filled in one pass without the
         * cost of zeroing them first. */
        if (Node_struct_get_pointerCount(st) == 0 &&
            Node_struct_get_dataWordCount(st) > 0)
            gen_printf(x->o,
                       "/* As %s_init_%s, but the elements are not zeroed: "
                       "the caller writes all\n"
                       " * n * %s_DATA_WORDS * 8 bytes at .l.start before "
                       "the message is used. */\n"
                       "static inline %s_BList %s_init_%s_unzeroed(%s_B b, "
                       "uint32_t n) {\n"
                       "%s    %s_BList l = "
                       "{ncp_bptr_init_data_list_unzeroed(%s, n, %uu)};\n"
                       "    return l;\n}\n",
                       x->cn, x->fname, el.cname, el.cname, x->cn, x->fname,
                       x->cn, set_tag(x), el.cname, loc,
                       Node_struct_get_dataWordCount(st));
        return;
    }
    const char *elem = "NCP_ELEM_POINTER";
    bool is_prim = primitive(e, &el, &p);
    if (is_prim)
        elem = p.elem;
    else if (el.which == Type_which_void)
        elem = "NCP_ELEM_VOID";
    gen_printf(x->o,
               "static inline ncp_list %s_get_%s(%s_R r) {\n"
               "    return ncp_ptr_list(%s, %s, %s);\n}\n"
               "static inline ncp_blist %s_init_%s(%s_B b, uint32_t n) {\n"
               "%s    return ncp_bptr_init_list(%s, %s, n);\n}\n",
               x->cn, x->fname, x->cn, src, elem, x->what, x->cn, x->fname,
               x->cn, set_tag(x), loc, elem);
    if (!is_prim) return;
    /* Bulk copies to and from C arrays. */
    const char *arr =
        p.bits == 1 ? "bool"
                    : (el.which == Type_which_enum ? "uint16_t" : p.ctype);
    if (p.bits == 1)
        gen_printf(x->o,
                   "static inline uint32_t %s_copy_%s(%s_R r, bool *dst, "
                   "uint32_t start, uint32_t n) {\n"
                   "    ncp_list l = %s_get_%s(r);\n"
                   "    return ncp_list_get_bools(&l, start, n, dst);\n}\n"
                   "static inline ncp_blist %s_set_%s(%s_B b, const bool *src, "
                   "uint32_t n) {\n"
                   "%s    return ncp_bptr_init_bools_from(%s, n, src);\n}\n",
                   x->cn, x->fname, x->cn, x->cn, x->fname, x->cn, x->fname,
                   x->cn, set_tag(x), loc);
    else
        gen_printf(x->o,
                   "static inline uint32_t %s_copy_%s(%s_R r, %s *dst, "
                   "uint32_t start, uint32_t n) {\n"
                   "    ncp_list l = %s_get_%s(r);\n"
                   "    return ncp_list_get_array(&l, %uu, start, n, dst);\n}\n"
                   "static inline ncp_blist %s_set_%s(%s_B b, const %s *src, "
                   "uint32_t n) {\n"
                   "%s    return ncp_bptr_init_list_from(%s, %s, n, src);\n}\n",
                   x->cn, x->fname, x->cn, arr, x->cn, x->fname, p.bits / 8,
                   x->cn, x->fname, x->cn, arr, set_tag(x), loc, p.elem);
}

/* Getter prologue: the location, replaced by the default when null. */
static const char *default_ptr_fn(const fctx *x, ncp_ptr value) {
    /* A specialization shares the default of its generic struct, which the
     * generic's own file defines (a default cannot depend on a parameter). */
    const char *fn = fmt(x->e, "%s_default_%s", x->base, x->fname);
    if (strcmp(x->cn, x->base) != 0) return fn;
    uint32_t words;
    const char *blob = emit_blob(x->e, value, &words);
    gen_printf(&x->e->c,
               "ncp_ptr %s(void) {\n"
               "    static ncp_msg *cache;\n"
               "    return ncp_const_root(%s, %uu, &cache);\n}\n",
               fn, blob, words);
    gen_printf(&x->e->t, "ncp_ptr %s(void);\n", fn);
    return fn;
}

static void emit_slot(const fctx *x, Field_slot_R slot, const ctx *c) {
    emitter *e = x->e;
    rtype t = resolve(e, Field_slot_get_type(slot), c, 0);
    uint32_t offset = Field_slot_get_offset(slot);
    Value_R dv = Field_slot_get_defaultValue(slot);
    const char *loc = fmt(e, "ncp_bstruct_ptr(&b.s, %uu)", offset);
    prim p;
    if (primitive(e, &t, &p)) {
        emit_primitive_field(x, &t, offset, default_bits(dv));
        return;
    }
    switch (t.which) {
    case Type_which_void:
        if (x->in_union)
            gen_printf(x->o, "static inline void %s_set_%s(%s_B b) {\n%s}\n",
                       x->cn, x->fname, x->cn, set_tag(x));
        return;
    case Type_which_text: {
        ncp_text d = Value_which(dv) == Value_which_text ? Value_get_text(dv)
                                                         : (ncp_text){"", 0};
        emit_has(x, offset);
        gen_printf(x->o, "static inline ncp_text %s_get_%s(%s_R r) {\n", x->cn,
                   x->fname, x->cn);
        if (d.len == 0)
            gen_printf(x->o, "    return ncp_ptr_text(%s, %s);\n}\n",
                       rptr(x, offset), x->what);
        else
            gen_printf(
                x->o,
                "    ncp_ptr p = %s;\n"
                "    if (ncp_ptr_is_null(p)) {\n"
                "        ncp_text t = {%s, %zuu};\n        return t;\n    }\n"
                "    return ncp_ptr_text(p, %s);\n}\n",
                rptr(x, offset), c_string(e, d.str, d.len), d.len, x->what);
        gen_printf(x->o,
                   "static inline void %s_set_%s(%s_B b, const char *str, "
                   "size_t len) {\n%s    ncp_bptr_set_text(%s, str, len);\n}\n",
                   x->cn, x->fname, x->cn, set_tag(x), loc);
        return;
    }
    case Type_which_data: {
        ncp_data d = Value_which(dv) == Value_which_data ? Value_get_data(dv)
                                                         : (ncp_data){NULL, 0};
        emit_has(x, offset);
        gen_printf(x->o, "static inline ncp_data %s_get_%s(%s_R r) {\n", x->cn,
                   x->fname, x->cn);
        if (d.len == 0)
            gen_printf(x->o, "    return ncp_ptr_data(%s, %s);\n}\n",
                       rptr(x, offset), x->what);
        else
            gen_printf(x->o,
                       "    ncp_ptr p = %s;\n"
                       "    if (ncp_ptr_is_null(p)) {\n"
                       "        ncp_data t = {(const uint8_t *)%s, %zuu};\n"
                       "        return t;\n    }\n"
                       "    return ncp_ptr_data(p, %s);\n}\n",
                       rptr(x, offset), c_string(e, (const char *)d.ptr, d.len),
                       d.len, x->what);
        gen_printf(
            x->o,
            "static inline void %s_set_%s(%s_B b, const void *data, "
            "size_t len) {\n%s    ncp_bptr_set_data(%s, data, len);\n}\n",
            x->cn, x->fname, x->cn, set_tag(x), loc);
        return;
    }
    case Type_which_struct: {
        const gen_node *sn = gen_node_get(e->m, t.id);
        Node_struct_R st = struct_of(sn);
        emit_has(x, offset);
        const char *def = NULL;
        if (Value_which(dv) == Value_which_struct &&
            !ncp_ptr_is_null(Value_get_struct(dv)))
            def = default_ptr_fn(x, Value_get_struct(dv));
        gen_printf(x->o, "static inline %s_R %s_get_%s(%s_R r) {\n", t.cname,
                   x->cn, x->fname, x->cn);
        gen_printf(x->o, "    ncp_ptr p = %s;\n", rptr(x, offset));
        if (def)
            gen_printf(x->o, "    if (ncp_ptr_is_null(p)) p = %s();\n", def);
        gen_printf(x->o,
                   "    %s_R v = {ncp_ptr_struct(p, %s)};\n    return v;\n}\n"
                   "static inline %s_B %s_init_%s(%s_B b) {\n"
                   "%s    %s_B v = {ncp_bptr_init_struct(%s, %uu, %uu)};\n"
                   "    return v;\n}\n",
                   t.cname, x->what, t.cname, x->cn, x->fname, x->cn,
                   set_tag(x), t.cname, loc, Node_struct_get_dataWordCount(st),
                   Node_struct_get_pointerCount(st));
        return;
    }
    case Type_which_list: {
        const char *def = NULL;
        if (Value_which(dv) == Value_which_list &&
            !ncp_ptr_is_null(Value_get_list(dv)))
            def = default_ptr_fn(x, Value_get_list(dv));
        emit_list_field(x, &t, offset, def);
        return;
    }
    default: /* AnyPointer, interfaces */
        emit_has(x, offset);
        gen_printf(x->o,
                   "static inline ncp_ptr %s_get_%s(%s_R r) {\n"
                   "    return %s;\n}\n"
                   "static inline ncp_bptr %s_ptr_%s(%s_B b) {\n%s"
                   "    return %s;\n}\n",
                   x->cn, x->fname, x->cn, rptr(x, offset), x->cn, x->fname,
                   x->cn, set_tag(x), loc);
        return;
    }
}

/* Statements resetting every field of group g (and of the groups and
 * unions in it) to its default: zero data bits, null pointers. */
static void emit_group_clear(emitter *e, gen_buf *o, const gen_node *g) {
    Node_struct_R st = struct_of(g);
    if (Node_struct_get_discriminantCount(st) > 0)
        gen_printf(o, "        ncp_bstruct_set_u16(&b.s, %uu, 0);\n",
                   (unsigned)Node_struct_get_discriminantOffset(st) * 2);
    Field_RList fields = Node_struct_get_fields(st);
    for (uint32_t i = 0; i < Field_RList_len(fields); i++) {
        Field_R f = Field_RList_get(fields, i);
        if (Field_which(f) == Field_which_group) {
            emit_group_clear(
                e, o,
                gen_node_get(e->m, Field_group_get_typeId(Field_get_group(f))));
            continue;
        }
        Field_slot_R slot = Field_get_slot(f);
        uint32_t off = Field_slot_get_offset(slot);
        switch (Type_which(Field_slot_get_type(slot))) {
        case Type_which_void: break;
        case Type_which_bool:
            gen_printf(o, "        ncp_bstruct_set_bool(&b.s, %uu, false);\n",
                       off);
            break;
        case Type_which_int8:
        case Type_which_uint8:
            gen_printf(o, "        ncp_bstruct_set_u8(&b.s, %uu, 0);\n", off);
            break;
        case Type_which_int16:
        case Type_which_uint16:
        case Type_which_enum:
            gen_printf(o, "        ncp_bstruct_set_u16(&b.s, %uu, 0);\n",
                       off * 2);
            break;
        case Type_which_int32:
        case Type_which_uint32:
        case Type_which_float32:
            gen_printf(o, "        ncp_bstruct_set_u32(&b.s, %uu, 0);\n",
                       off * 4);
            break;
        case Type_which_int64:
        case Type_which_uint64:
        case Type_which_float64:
            gen_printf(o, "        ncp_bstruct_set_u64(&b.s, %uu, 0);\n",
                       off * 8);
            break;
        default:
            gen_printf(o,
                       "        ncp_bptr_set_null(ncp_bstruct_ptr(&b.s, "
                       "%uu));\n",
                       off);
            break;
        }
    }
}

static void emit_fields(emitter *e, gen_buf *o, const gen_node *n,
                        const char *cn, const ctx *c) {
    Node_struct_R st = struct_of(n);
    Field_RList fields = Node_struct_get_fields(st);
    unsigned tag_off = (unsigned)Node_struct_get_discriminantOffset(st) * 2;
    bool own = strcmp(cn, n->cname) == 0; /* not a specialization */
    emit_which(e, o, n, cn);
    for (uint32_t i = 0; i < Field_RList_len(fields); i++) {
        Field_R f = Field_RList_get(fields, i);
        ncp_text name = Field_get_name(f);
        fctx x = {e, o, cn, n->cname, NULL, name.str, false, tag_off, 0};
        const char *sw = fmt(e, "%s.%s", n->name, name.str);
        x.what = c_string(e, sw, strlen(sw));
        uint16_t d = Field_get_discriminantValue(f);
        if (d != NCP_NO_DISCRIMINANT) {
            x.in_union = true;
            x.disc = d;
        }
        if (own) emit_comment(e, o, "", node_doc(e, n, i));
        if (Field_which(f) != Field_which_group) {
            emit_slot(&x, Field_get_slot(f), c);
            continue;
        }
        const gen_node *g =
            gen_node_get(e->m, Field_group_get_typeId(Field_get_group(f)));
        const char *gcn = fmt(e, "%s_%s", cn, name.str);
        if (!x.in_union) {
            gen_printf(o,
                       "static inline %s_R %s_get_%s(%s_R r) {\n"
                       "    %s_R g = {r.s};\n    return g;\n}\n"
                       "static inline %s_B %s_init_%s(%s_B b) {\n"
                       "    %s_B g = {b.s};\n    return g;\n}\n",
                       gcn, cn, name.str, cn, gcn, gcn, cn, name.str, cn, gcn);
            continue;
        }
        /* A group in a union: inactive, it reads as an empty struct (every
         * field its default); selecting it resets its fields, which share
         * their bits with the other members. */
        gen_printf(o,
                   "static inline %s_R %s_get_%s(%s_R r) {\n"
                   "    %s_R g = {r.s};\n"
                   "    if (ncp_struct_u16(&r.s, %uu) != %uu)\n"
                   "        g.s = ncp_ptr_struct(ncp_struct_ptr(&r.s, "
                   "UINT32_MAX), NULL);\n"
                   "    return g;\n}\n"
                   "static inline %s_B %s_init_%s(%s_B b) {\n"
                   "    if (ncp_bstruct_u16(&b.s, %uu) != %uu) {\n"
                   "        ncp_bstruct_set_u16(&b.s, %uu, %uu);\n",
                   gcn, cn, name.str, cn, gcn, tag_off, d, gcn, cn, name.str,
                   cn, tag_off, d, tag_off, d);
        emit_group_clear(e, o, g);
        gen_printf(o, "    }\n    %s_B g = {b.s};\n    return g;\n}\n", gcn);
    }
}

/* ------------------------------------------------------------------------
 * Reflection tables (source file)
 * ------------------------------------------------------------------------ */

/* Emits the static ncp_schema_type for t (and its element types) and
 * returns an initializer for it. */
static const char *type_init(emitter *e, Type_R tr) {
    rtype t = resolve(e, tr, &no_ctx, 0);
    switch (t.which) {
    case Type_which_list: {
        const char *elem =
            type_init(e, Type_list_get_elementType(Type_get_list(t.t)));
        const char *name = fmt(e, "ncp_gen_type_%u", e->uniq++);
        gen_printf(&e->c, "static const ncp_schema_type %s = %s;\n", name,
                   elem);
        return fmt(e, "{NCP_TYPE_LIST, &%s, NULL, NULL}", name);
    }
    case Type_which_struct: {
        const gen_node *n = gen_node_get(e->m, t.id);
        return fmt(e, "{NCP_TYPE_STRUCT, NULL, &%s_schema, NULL}", n->cname);
    }
    case Type_which_enum: {
        const gen_node *n = gen_node_get(e->m, t.id);
        return fmt(e, "{NCP_TYPE_ENUM, NULL, NULL, &%s_schema}", n->cname);
    }
    default: {
        static const char *const kinds[] = {
            "VOID",    "BOOL",    "INT8",      "INT16",      "INT32",
            "INT64",   "UINT8",   "UINT16",    "UINT32",     "UINT64",
            "FLOAT32", "FLOAT64", "TEXT",      "DATA",       "LIST",
            "ENUM",    "STRUCT",  "INTERFACE", "ANY_POINTER"};
        unsigned k = (unsigned)t.which;
        return fmt(e, "{NCP_TYPE_%s, NULL, NULL, NULL}",
                   k < 19 ? kinds[k] : "ANY_POINTER");
    }
    }
}

static void emit_struct_schema(emitter *e, const gen_node *n) {
    Node_struct_R st = struct_of(n);
    Field_RList fields = Node_struct_get_fields(st);
    uint32_t nf = Field_RList_len(fields);
    gen_buf rows = {0};
    for (uint32_t i = 0; i < nf; i++) {
        Field_R f = Field_RList_get(fields, i);
        ncp_text name = Field_get_name(f);
        unsigned ordinal = 0xffff;
        Field_ordinal_R ord = Field_get_ordinal(f);
        if (Field_ordinal_which(ord) == Field_ordinal_which_explicit)
            ordinal = Field_ordinal_get_explicit(ord);
        const char *type = "{NCP_TYPE_VOID, NULL, NULL, NULL}";
        const char *group = "NULL";
        unsigned offset = 0;
        uint64_t dbits = 0;
        const char *dwords = "NULL";
        uint32_t dcount = 0;
        if (Field_which(f) == Field_which_group) {
            const gen_node *g =
                gen_node_get(e->m, Field_group_get_typeId(Field_get_group(f)));
            group = fmt(e, "&%s_schema", g->cname);
        } else {
            Field_slot_R slot = Field_get_slot(f);
            type = type_init(e, Field_slot_get_type(slot));
            offset = Field_slot_get_offset(slot);
            Value_R dv = Field_slot_get_defaultValue(slot);
            dbits = default_bits(dv);
            ncp_ptr dp = {0};
            switch (Value_which(dv)) {
            case Value_which_text:
            case Value_which_data:
            case Value_which_list:
            case Value_which_struct:
            case Value_which_anyPointer: dp = ncp_struct_ptr(&dv.s, 0); break;
            default: break;
            }
            if (dp.p && !ncp_ptr_is_null(dp)) {
                uint32_t w;
                dwords = emit_blob(e, dp, &w);
                dcount = w;
            }
        }
        gen_printf(
            &rows,
            "    {%s, %u, %u, %u, %u, %s, %s, UINT64_C(0x%llx), %s, %u},\n",
            c_string(e, name.str, name.len), ordinal, Field_get_codeOrder(f),
            Field_get_discriminantValue(f), offset, type, group,
            (unsigned long long)dbits, dwords, dcount);
    }
    if (nf)
        gen_printf(&e->c,
                   "static const ncp_schema_field %s_fields[] = {\n%s};\n",
                   n->cname, rows.data);
    gen_printf(&e->c,
               "const ncp_schema_struct %s_schema = {UINT64_C(0x%016llx), %s, "
               "%u, %u, %u, %u, %u, %s, %s};\n",
               n->cname, (unsigned long long)n->id,
               c_string(e, n->name, strlen(n->name)),
               Node_struct_get_dataWordCount(st),
               Node_struct_get_pointerCount(st),
               Node_struct_get_discriminantCount(st),
               (unsigned)Node_struct_get_discriminantOffset(st), nf,
               nf ? fmt(e, "%s_fields", n->cname) : "NULL",
               n->is_group ? "true" : "false");
    gen_buf_free(&rows);
    if (n->is_group)
        gen_printf(&e->t, "extern const ncp_schema_struct %s_schema;\n",
                   n->cname);
    else {
        gen_printf(&e->cr, "    &%s_schema,\n", n->cname);
        e->nregistered++;
    }
}

/* ------------------------------------------------------------------------
 * Constants
 * ------------------------------------------------------------------------ */

/* A C constant expression of the primitive value v of type t. */
static const char *const_expr(emitter *e, const rtype *t, Value_R v) {
    uint64_t bits = default_bits(v);
    switch (t->which) {
    case Type_which_bool: return bits ? "true" : "false";
    case Type_which_int8: return fmt(e, "((int8_t)%d)", Value_get_int8(v));
    case Type_which_int16: return fmt(e, "((int16_t)%d)", Value_get_int16(v));
    case Type_which_int32: {
        int32_t x = Value_get_int32(v);
        if (x == INT32_MIN) return "(-INT32_C(2147483647) - 1)";
        return fmt(e, "INT32_C(%ld)", (long)x);
    }
    case Type_which_int64: {
        int64_t x = Value_get_int64(v);
        if (x == INT64_MIN) return "(-INT64_C(9223372036854775807) - 1)";
        return fmt(e, "INT64_C(%lld)", (long long)x);
    }
    case Type_which_uint8: return fmt(e, "((uint8_t)%uu)", Value_get_uint8(v));
    case Type_which_uint16:
        return fmt(e, "((uint16_t)%uu)", Value_get_uint16(v));
    case Type_which_uint32:
        return fmt(e, "UINT32_C(%lu)", (unsigned long)Value_get_uint32(v));
    case Type_which_uint64:
        return fmt(e, "UINT64_C(%llu)", (unsigned long long)bits);
    case Type_which_float32: {
        float f = Value_get_float32(v);
        if (isfinite(f)) return fmt(e, "%af", (double)f);
        return fmt(e, "ncp_f32_from_bits(0x%08llxu)", (unsigned long long)bits);
    }
    case Type_which_float64: {
        double d = Value_get_float64(v);
        if (isfinite(d)) return fmt(e, "%a", d);
        return fmt(e, "ncp_f64_from_bits(UINT64_C(0x%016llx))",
                   (unsigned long long)bits);
    }
    case Type_which_enum: {
        const gen_node *en = gen_node_get(e->m, t->id);
        Enumerant_RList ens = Node_enum_get_enumerants(Node_get_enum(en->r));
        if (bits < Enumerant_RList_len(ens))
            return fmt(
                e, "%s_%s", en->cname,
                Enumerant_get_name(Enumerant_RList_get(ens, (uint32_t)bits))
                    .str);
        return fmt(e, "((%s)%llu)", en->cname, (unsigned long long)bits);
    }
    default: return "0";
    }
}

static void emit_const(emitter *e, const gen_node *n) {
    Node_const_R k = Node_get_const(n->r);
    rtype t = resolve(e, Node_const_get_type(k), &no_ctx, 0);
    Value_R v = Node_const_get_value(k);
    prim p;
    gen_printf(&e->k, "\n");
    emit_comment(e, &e->k,
                 fmt(e, "Constant %s%s", n->name,
                     t.which == Type_which_void ? " (Void: no value)" : ""),
                 node_doc(e, n, -1));
    if (primitive(e, &t, &p)) {
        const char *x = const_expr(e, &t, v);
        gen_printf(&e->k, x[0] == '-' ? "#define %s (%s)\n" : "#define %s %s\n",
                   n->cname, x);
        return;
    }
    switch (t.which) {
    case Type_which_void: return; /* no value to hold */
    case Type_which_text: {
        ncp_text s = Value_get_text(v);
        gen_printf(&e->k, "static const char %s[%zu] = %s;\n", n->cname,
                   s.len + 1, c_string(e, s.str, s.len));
        return;
    }
    case Type_which_data: {
        ncp_data d = Value_get_data(v);
        gen_printf(&e->k, "static const uint8_t %s[%zu] = {", n->cname,
                   d.len ? d.len : 1);
        for (size_t i = 0; i < d.len; i++)
            gen_printf(&e->k, "%s0x%02x",
                       i == 0 ? "" : (i % 12 == 0 ? ",\n    " : ", "),
                       d.ptr[i]);
        gen_printf(&e->k, "%s};\n", d.len ? "" : "0");
        return;
    }
    default: break;
    }
    /* Structs, lists, AnyPointers: a function returning the value. */
    ncp_ptr value = ncp_struct_ptr(&v.s, 0);
    uint32_t words;
    const char *blob = emit_blob(e, value, &words);
    gen_printf(&e->c,
               "ncp_ptr %s(void) {\n    static ncp_msg *cache;\n"
               "    return ncp_const_root(%s, %uu, &cache);\n}\n",
               n->cname, blob, words);
    gen_printf(&e->k, "ncp_ptr %s(void);\n", n->cname);
}

/* ------------------------------------------------------------------------
 * Walking a file
 * ------------------------------------------------------------------------ */

/* Visits the struct and its groups, in field order. */
static void walk_struct(emitter *e, const gen_node *n,
                        void (*visit)(emitter *, const gen_node *)) {
    visit(e, n);
    Field_RList fields = Node_struct_get_fields(struct_of(n));
    for (uint32_t i = 0; i < Field_RList_len(fields); i++) {
        Field_R f = Field_RList_get(fields, i);
        if (Field_which(f) == Field_which_group)
            walk_struct(
                e,
                gen_node_get(e->m, Field_group_get_typeId(Field_get_group(f))),
                visit);
    }
}

/* Visits every node declared in scope n, depth-first in source order. */
static void walk(emitter *e, const gen_node *n,
                 void (*visit)(emitter *, const gen_node *)) {
    if (n->which == Node_which_struct)
        walk_struct(e, n, visit);
    else if (n->which != Node_which_file)
        visit(e, n);
    Node_NestedNode_RList nested = Node_get_nestedNodes(n->r);
    for (uint32_t i = 0; i < Node_NestedNode_RList_len(nested); i++)
        walk(e,
             gen_node_get(e->m, Node_NestedNode_get_id(
                                    Node_NestedNode_RList_get(nested, i))),
             visit);
}

static void visit_types(emitter *e, const gen_node *n) {
    if (n->which == Node_which_enum) emit_enum(e, n);
    if (n->which != Node_which_struct) return;
    emit_struct_types(e, &e->t, n, n->cname, true);
}

static void visit_fields(emitter *e, const gen_node *n) {
    if (n->which != Node_which_struct) return;
    if (node_is_generic(n)) { /* unbound: AnyPointer fields */
    }
    emit_fields(e, &e->f, n, n->cname, &no_ctx);
}

static void visit_schema(emitter *e, const gen_node *n) {
    if (n->which == Node_which_struct) emit_struct_schema(e, n);
}

static void visit_consts(emitter *e, const gen_node *n) {
    if (n->which == Node_which_const) emit_const(e, n);
}

/* Specialization: the generic scope and the structs and groups in it (but
 * not the generic structs nested in it: each is a unit of its own), with
 * the parameters bound. */
typedef struct spec_walk {
    emitter *e;
    const gen_node *unit;
    const char *cname;
    const ctx *c;
    bool fields;
} spec_walk;

static void spec_visit(spec_walk *w, const gen_node *n) {
    const char *cn =
        fmt(w->e, "%s%s", w->cname, n->cname + strlen(w->unit->cname));
    if (w->fields)
        emit_fields(w->e, &w->e->sf, n, cn, w->c);
    else
        emit_struct_types(w->e, &w->e->st, n, cn, false);
    Field_RList fields = Node_struct_get_fields(struct_of(n));
    for (uint32_t i = 0; i < Field_RList_len(fields); i++) {
        Field_R f = Field_RList_get(fields, i);
        if (Field_which(f) == Field_which_group)
            spec_visit(w, gen_node_get(w->e->m, Field_group_get_typeId(
                                                    Field_get_group(f))));
    }
    Node_NestedNode_RList nested = Node_get_nestedNodes(n->r);
    for (uint32_t i = 0; i < Node_NestedNode_RList_len(nested); i++) {
        const gen_node *c = gen_node_get(
            w->e->m,
            Node_NestedNode_get_id(Node_NestedNode_RList_get(nested, i)));
        if (c->which == Node_which_struct && !node_is_generic(c))
            spec_visit(w, c);
    }
}

static void emit_specs(emitter *e) {
    /* Specializations can require others (a bound type that is itself a
     * specialization, a field whose type is another one); the list may grow
     * while it is walked.  The types of all of them come before the field
     * accessors of any, so accessors may use any specialization's types. */
    for (size_t i = 0; i < e->nspecs; i++) {
        spec s = e->specs[i];
        const gen_node *g = gen_node_get(e->m, s.unit);
        spec_walk w = {e, g, s.cname, s.c, false};
        gen_printf(&e->st,
                   "\n#ifndef NCP_GEN_SPEC_%s\n#define NCP_GEN_SPEC_%s\n"
                   "/* %s, specialized as %s */\n",
                   s.cname, s.cname, g->name, s.cname);
        spec_visit(&w, g);
        gen_printf(&e->st, "#endif\n");
        gen_printf(&e->sf,
                   "\n#ifndef NCP_GEN_SPECF_%s\n#define NCP_GEN_SPECF_%s\n",
                   s.cname, s.cname);
        w.fields = true;
        spec_visit(&w, g);
        gen_printf(&e->sf, "#endif\n");
    }
}

/* ------------------------------------------------------------------------
 * Files
 * ------------------------------------------------------------------------ */

static void make_parents(const char *path) {
    char *p = gen_strdup(path);
    for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            gen_die("cannot create directory %s: %s", p, strerror(errno));
        *s = '/';
    }
    free(p);
}

static void write_file(const char *path, const gen_buf *b) {
    make_parents(path);
    FILE *f = fopen(path, "wb");
    if (f == NULL) gen_die("cannot create %s: %s", path, strerror(errno));
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
        gen_die("cannot write %s", path);
    if (fclose(f) != 0) gen_die("cannot write %s: %s", path, strerror(errno));
}

static const char *guard_of(emitter *e, const char *filename) {
    char *g = fmt(e, "NCP_GEN_%s_H", filename);
    for (char *p = g; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
        else if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    }
    return g;
}

/* ------------------------------------------------------------------------
 * Name clashes.  Distinct schema declarations can map to one C name (a
 * nested struct named R is Foo_R, like Foo's reader handle; a constant named
 * read is Foo_read; an enumerant named schema is E_schema).  The header is
 * scanned for what it defines, and a name defined twice stops the run with
 * a message, rather than leaving a header that does not compile.
 * ------------------------------------------------------------------------ */

static bool is_ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

/* The identifier that ends right before `end` (skipping blanks). */
static char *ident_before(const char *line, const char *end) {
    while (end > line && end[-1] == ' ')
        end--;
    const char *b = end;
    while (b > line && is_ident_char(b[-1]))
        b--;
    if (b == end) return NULL;
    char *r = malloc((size_t)(end - b) + 1);
    if (r == NULL) gen_die("out of memory");
    memcpy(r, b, (size_t)(end - b));
    r[end - b] = '\0';
    return r;
}

static char *ident_at(const char *p) {
    const char *e = p;
    while (is_ident_char(*e))
        e++;
    return ident_before(p, e);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool starts(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void check_names(const char *filename, const gen_buf *h) {
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool in_enum = false;
    for (const char *line = h->data; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *l = malloc(len + 1);
        if (l == NULL) gen_die("out of memory");
        memcpy(l, line, len);
        l[len] = '\0';
        char *name = NULL;
        char *paren = strchr(l, '(');
        if (starts(l, "#define "))
            name = ident_at(l + 8);
        else if (starts(l, "static inline ") && paren)
            name = ident_before(l, paren);
        else if (starts(l, "typedef struct ") && strstr(l, "} "))
            name = ident_at(strstr(l, "} ") + 2);
        else if (starts(l, "typedef enum ")) {
            name = ident_at(l + 13);
            in_enum = true;
        } else if (in_enum && l[0] == '}')
            in_enum = false;
        else if (in_enum && starts(l, "    ") && is_ident_char(l[4]) &&
                 strstr(l, " = "))
            name = ident_at(l + 4);
        else if ((starts(l, "extern const ") || starts(l, "static const ")) &&
                 (strchr(l, '[') || strchr(l, ';'))) {
            char *end = strchr(l, '[') ? strchr(l, '[') : strchr(l, ';');
            name = ident_before(l, end);
        } else if (starts(l, "ncp_ptr ") && paren)
            name = ident_before(l, paren);
        if (name) {
            if (n == cap) names = grow(names, &cap, sizeof *names, 256);
            names[n++] = name;
        }
        free(l);
        line = nl ? nl + 1 : line + len;
    }
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 1; i < n; i++)
        if (strcmp(names[i - 1], names[i]) == 0)
            gen_die("%s: two declarations map to the C name %s; rename one "
                    "(docs/codegen.md lists the names the generator makes)",
                    filename, names[i]);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

void gen_emit_file(const gen_model *m,
                   CodeGeneratorRequest_RequestedFile_R rf) {
    emitter e;
    memset(&e, 0, sizeof e);
    e.m = m;
    e.file = gen_node_get(m, CodeGeneratorRequest_RequestedFile_get_id(rf));
    const char *filename =
        CodeGeneratorRequest_RequestedFile_get_filename(rf).str;
    if (filename[0] == '/') filename++;

    /* Header parts; defaults and constants go to the source as they come,
     * then the reflection tables. */
    walk(&e, e.file, visit_types);
    walk(&e, e.file, visit_fields);
    walk(&e, e.file, visit_consts);
    emit_specs(&e);
    walk(&e, e.file, visit_schema);

    const char *guard = guard_of(&e, filename);
    gen_buf h = {0};
    gen_printf(&h,
               "/* Generated by capnpc-c from %s: do not edit. */\n"
               "#ifndef %s\n#define %s\n\n"
               "#include <stdbool.h>\n#include <stdint.h>\n\n"
               "#include <nupic/ncp.h>\n#include <nupic/ncp/schema.h>\n",
               filename, guard, guard);
    for (size_t i = 0; i < e.ndeps; i++) {
        const gen_node *dep = gen_node_get(m, e.deps[i]);
        ncp_text dn = Node_get_displayName(dep->r);
        gen_printf(&h, "#include \"%s.h\"\n",
                   dn.str[0] == '/' ? dn.str + 1 : dn.str);
    }
    gen_printf(&h,
               "\n#if NCP_ABI_VERSION != %d\n"
               "#error \"%s.h was generated for ncp ABI %d; regenerate it "
               "with this runtime's capnpc-c\"\n#endif\n\n"
               "#ifdef __cplusplus\nextern \"C\" {\n#endif\n",
               NCP_ABI_VERSION, filename, NCP_ABI_VERSION);
    gen_printf(&h, "%s%s%s%s", e.t.data ? e.t.data : "",
               e.st.data ? e.st.data : "", e.sf.data ? e.sf.data : "",
               e.f.data ? e.f.data : "");
    if (e.k.len) gen_printf(&h, "\n%s", e.k.data);
    const char *base = fmt(&e, "%s", filename);
    char *ident = fmt(&e, "ncp_gen_file_%s", filename);
    for (char *q = ident; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
              (*q >= '0' && *q <= '9')))
            *q = '_';
    gen_printf(&h,
               "\n/* The structs this file declares, for lookups by name. */\n"
               "extern const ncp_schema_file %s;\n",
               ident);
    gen_printf(&h, "\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* %s */\n",
               guard);

    gen_buf src = {0};
    const char *slash = strrchr(base, '/');
    gen_printf(&src,
               "/* Generated by capnpc-c from %s: do not edit. */\n"
               "#include \"%s.h\"\n\n",
               filename, slash ? slash + 1 : base);
    gen_printf(&src, "%s", e.c.data ? e.c.data : "");
    gen_printf(
        &src,
        "\nstatic const ncp_schema_struct *const %s_structs[] = {\n%s};\n"
        "const ncp_schema_file %s = {%s, %zuu, %s_structs};\n",
        ident, e.cr.data ? e.cr.data : "    NULL,\n", ident,
        c_string(&e, filename, strlen(filename)), e.nregistered, ident);

    check_names(filename, &h);
    write_file(fmt(&e, "%s.h", filename), &h);
    write_file(fmt(&e, "%s.c", filename), &src);
    gen_buf_free(&h);
    gen_buf_free(&src);
    gen_buf_free(&e.t);
    gen_buf_free(&e.st);
    gen_buf_free(&e.sf);
    gen_buf_free(&e.f);
    gen_buf_free(&e.k);
    gen_buf_free(&e.c);
    gen_buf_free(&e.cr);
    for (size_t i = 0; i < e.nspecs; i++) {
        free(e.specs[i].cname);
        free(e.specs[i].sig);
    }
    free(e.specs);
    for (size_t i = 0; i < e.nctxs; i++)
        free(e.ctxs[i]);
    free(e.ctxs);
    free(e.deps);
    for (size_t i = 0; i < e.nstrings; i++)
        free(e.strings[i]);
    free(e.strings);
}
