/*
 * src/gen/model.c - the CodeGeneratorRequest, indexed by node id, with the
 * schema name and C name of every node.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

static int by_id(const void *a, const void *b) {
    uint64_t x = ((const gen_node *)a)->id, y = ((const gen_node *)b)->id;
    return x < y ? -1 : x > y;
}

const gen_node *gen_node_find(const gen_model *m, uint64_t id) {
    size_t lo = 0, hi = m->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->nodes[mid].id < id)
            lo = mid + 1;
        else if (m->nodes[mid].id > id)
            hi = mid;
        else
            return &m->nodes[mid];
    }
    return NULL;
}

const gen_node *gen_node_get(const gen_model *m, uint64_t id) {
    const gen_node *n = gen_node_find(m, id);
    if (n == NULL)
        gen_die("the request refers to node 0x%016llx, which it does not hold",
                (unsigned long long)id);
    return n;
}

/* Fills in cname and file of a node from its scope chain. */
static void name_node(gen_model *m, gen_node *n, unsigned depth) {
    if (n->cname) return;
    if (depth > 64) gen_die("node scopes nest too deeply");
    if (n->which == Node_which_file) {
        n->cname = gen_strdup("");
        n->file = n->id;
        return;
    }
    ncp_text display = Node_get_displayName(n->r);
    uint32_t prefix = Node_get_displayNamePrefixLength(n->r);
    if (prefix > display.len) gen_die("bad display name %s", display.str);
    const gen_node *found = gen_node_find(m, n->scope);
    if (found == NULL) {
        /* Nodes without a scope (the parameter and result structs of
         * interface methods, scope 0) are never emitted: they get a name
         * for messages only. */
        n->cname = gen_strdup(n->name);
        n->file = 0;
        return;
    }
    gen_node *scope = &m->nodes[found - m->nodes];
    name_node(m, scope, depth + 1);
    const char *shortname = display.str + prefix;
    size_t len = strlen(scope->cname) + strlen(shortname) + 2;
    char *c = malloc(len);
    if (c == NULL) gen_die("out of memory");
    if (scope->cname[0])
        snprintf(c, len, "%s_%s", scope->cname, shortname);
    else
        snprintf(c, len, "%s", shortname);
    n->cname = c;
    n->file = scope->file;
}

void gen_model_load(gen_model *m, ncp_msg *msg) {
    memset(m, 0, sizeof *m);
    m->msg = msg;
    m->req = CodeGeneratorRequest_read_root(msg);
    Node_RList nodes = CodeGeneratorRequest_get_nodes(m->req);
    m->count = Node_RList_len(nodes);
    m->nodes = calloc(m->count ? m->count : 1, sizeof *m->nodes);
    if (m->nodes == NULL) gen_die("out of memory");
    for (size_t i = 0; i < m->count; i++) {
        gen_node *n = &m->nodes[i];
        n->r = Node_RList_get(nodes, (uint32_t)i);
        n->id = Node_get_id(n->r);
        n->which = Node_which(n->r);
        n->scope = Node_get_scopeId(n->r);
        n->is_group = n->which == Node_which_struct &&
                      Node_struct_get_isGroup(Node_get_struct(n->r));
        ncp_text display = Node_get_displayName(n->r);
        const char *colon = strchr(display.str, ':');
        n->name = colon ? colon + 1 : "";
    }
    qsort(m->nodes, m->count, sizeof *m->nodes, by_id);
    for (size_t i = 0; i < m->count; i++)
        name_node(m, &m->nodes[i], 0);
    Node_SourceInfo_RList info = CodeGeneratorRequest_get_sourceInfo(m->req);
    for (uint32_t i = 0; i < Node_SourceInfo_RList_len(info); i++) {
        Node_SourceInfo_R si = Node_SourceInfo_RList_get(info, i);
        const gen_node *n = gen_node_find(m, Node_SourceInfo_get_id(si));
        if (n == NULL) continue;
        gen_node *w = &m->nodes[n - m->nodes];
        w->info = si;
        w->has_info = true;
    }
    if (ncp_msg_status(msg) != NCP_OK)
        gen_die("reading the request: %s", ncp_msg_error(msg)->message);
}

void gen_model_free(gen_model *m) {
    for (size_t i = 0; i < m->count; i++)
        free(m->nodes[i].cname);
    free(m->nodes);
    memset(m, 0, sizeof *m);
}
