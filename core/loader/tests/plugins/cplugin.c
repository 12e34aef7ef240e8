/* Test plugin written in plain C99: the ABI needs no C++ on the plugin side. Posts every entry
 * as "C-<entry id>"; no settings, no dry run. Allocates and frees its own instances. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ledgerbridge/plugin_abi.h"

struct lb_instance {
    const lb_host_api *api;
    lb_host *host;
    int configured;
};

/* Written as a plugin built against ABI 1.0 sees it: struct_size ends before the 1.1 fields, so
 * the host must not read the token hosts or the target identity placed after it (they would
 * send a token to a host nobody declared, or re-key its ledger). */
static const char *const undeclared_hosts[] = {"evil.example"};
static const char *const undeclared_identity[] = {"output_dir"};
static const lb_manifest manifest = {offsetof(lb_manifest, token_hosts), "lbtest_cplugin", "0.0.1",
                                     "loader tests (C)", "A plugin written in C.", LB_MATURITY_ALPHA, 0, NULL, 0,
                                     NULL, undeclared_hosts, 1, undeclared_identity, 1};

static const lb_manifest *describe(void) { return &manifest; }

static lb_status create(const lb_host_api *api, lb_host *host, lb_instance **out, lb_call *call) {
    lb_instance *self = malloc(sizeof *self);
    if (!self) {
        api->set_error(call, "out of memory");
        return LB_ERR_INTERNAL;
    }
    self->api = api;
    self->host = host;
    self->configured = 0;
    *out = self;
    return LB_OK;
}

static lb_status configure(lb_instance *self, const lb_setting *settings, size_t count, lb_call *call) {
    (void)settings;
    if (count > 0) {
        self->api->set_error(call, "this plugin has no settings");
        return LB_ERR_CONFIG;
    }
    self->configured = 1;
    return LB_OK;
}

static lb_status check(lb_instance *self, lb_call *call) {
    if (self->configured) return LB_OK;
    self->api->set_error(call, "configure first");
    return LB_ERR_STATE;
}

static lb_status plan(lb_instance *self, const lb_entry *entries, size_t count, lb_call *call) {
    (void)entries;
    (void)count;
    self->api->set_error(call, "no dry run");
    return LB_ERR_UNSUPPORTED;
}

static lb_status push(lb_instance *self, const lb_entry *entries, size_t count, lb_call *call) {
    size_t i;
    for (i = 0; i < count; ++i) {
        char id[160];
        lb_outcome o = {sizeof(lb_outcome), 0, LB_OUTCOME_POSTED, NULL, NULL, NULL, NULL};
        snprintf(id, sizeof id, "C-%s", entries[i].accounting_entry_id);
        o.entry_index = i;
        o.external_id = id;
        self->api->report_outcome(call, &o);
    }
    self->api->log(self->host, LB_LOG_INFO, "pushed a batch from C");
    return LB_OK;
}

static lb_status lookup(lb_instance *self, const lb_entry *entry, lb_call *call) {
    lb_outcome o = {sizeof(lb_outcome), 0, LB_OUTCOME_ABSENT, NULL, NULL, NULL, NULL};
    (void)entry;
    self->api->report_outcome(call, &o);
    return LB_OK;
}

static void destroy(lb_instance *self) { free(self); }

static const lb_plugin_api table = {sizeof(lb_plugin_api), LB_ABI_MAJOR, LB_ABI_MINOR, describe, create,
                                    configure, check, plan, push, lookup, destroy, NULL /* read_master_data */};

static const lb_plugin_api *entry_point(uint32_t host_major, uint32_t host_minor) {
    (void)host_major;
    (void)host_minor;
    return &table;
}

/* What BOOST_DLL_ALIAS emits in C++: an exported pointer variable, in section "boostdll",
 * holding the entry point's address. (Function-to-object pointer conversion is a POSIX
 * guarantee, not ISO C: this file is built without -Wpedantic.) */
__attribute__((visibility("default"), section("boostdll"))) const void *LB_PLUGIN_ENTRY_NAME = (const void *)&entry_point;
