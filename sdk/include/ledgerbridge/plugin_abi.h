/* The ledgerbridge plugin ABI: the only contract between the host and an ERP plugin.
 *
 * Plain C99 so that a plugin built with any compiler or C++ standard library loads. Plugin
 * authors normally use the C++ wrapper in <ledgerbridge/plugin.hpp> and never touch this file.
 *
 * Rules of the boundary
 *  - No C++ type, exception or allocation crosses it. Whoever allocates frees.
 *  - Strings are NUL-terminated UTF-8. A NULL `const char*` means "absent".
 *  - Pointers handed to a call are valid for the duration of that call only; copy what you keep.
 *  - Results go back through host callbacks that copy their arguments (report_outcome,
 *    emit_document, set_error, set_setting_error), so the plugin never hands the host memory.
 *  - Money is integer minor units plus an ISO-4217 currency: no binary floating point.
 *  - Published structs are append-only: new fields/slots go at the end under a comment naming the
 *    ABI minor that added them; every struct starts with `struct_size` so a reader can tell
 *    which fields the writer knew. A changed signature gets a new `_v2` slot.
 *
 * How the ABI grows (the rules both sides follow; sdk/README.md "How the ABI grows")
 *  1. A reader never reads a field or calls a slot past the writer's `struct_size`
 *     (LB_HAS_FIELD). A field the writer did not know is absent: NULL, 0, or the rule the
 *     field's comment gives. A table is checked against the size of the minor it *declares*
 *     (LB_PLUGIN_API_SIZE_1_0 ...), never against the reader's own sizeof.
 *  2. Arrays of structs that carry `struct_size` (lb_entry, lb_line) are strided by the
 *     `struct_size` of their first element, not by the reader's sizeof (LB_ARRAY_AT). The host
 *     lays out such arrays with the sizes of the minor the plugin declared, so a plugin built
 *     against older headers reads them with its own sizeof and finds what it expects.
 *  3. Arrays of structs without `struct_size` (lb_tag, lb_receipt, lb_header, lb_setting,
 *     lb_setting_spec) are frozen: they never grow. New data goes into a new struct.
 *  4. A plugin declares the minor of the headers it was built with; the host refuses a plugin
 *     whose minor is newer than its own, naming both versions. A plugin calls a host slot added
 *     in minor N only after checking that the host's table is large enough (LB_HAS_FIELD).
 *
 * Versioning: the exported entry symbol's *name* carries the ABI major
 * (LB_PLUGIN_ENTRY_SYMBOL), so the host can check the major with boost::dll::library_info
 * before running any plugin code. The minor is negotiated after loading: the plugin's minor
 * must be <= the host's minor, and the majors must be equal.
 */
#ifndef LEDGERBRIDGE_PLUGIN_ABI_H
#define LEDGERBRIDGE_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LB_ABI_MAJOR 1
#define LB_ABI_MINOR 1

/* The exported entry symbol (a boost::dll alias: a `const void*` holding the address of an
 * lb_plugin_entry_fn). Its name carries LB_ABI_MAJOR. */
#define LB_PLUGIN_ENTRY_NAME ledgerbridge_plugin_abi_1
#define LB_PLUGIN_ENTRY_SYMBOL "ledgerbridge_plugin_abi_1"
/* Prefix shared by the entry symbols of every ABI major (to report "found major N"). */
#define LB_PLUGIN_ENTRY_PREFIX "ledgerbridge_plugin_abi_"

/* The size a struct had when it ended with `last_field` (its size in some earlier minor). */
/* Element `i` of an array whose elements carry struct_size: strided by the first element's size. */
#ifdef __cplusplus
#define LB_SIZE_THROUGH(type, last_field) (offsetof(type, last_field) + sizeof(type::last_field))
#define LB_ARRAY_AT(type, base, i)                                                   \
    (reinterpret_cast<const type *>(reinterpret_cast<const char *>(base) +             \
                                    static_cast<size_t>(i) * (base)[0].struct_size))
#else
#define LB_SIZE_THROUGH(type, last_field) (offsetof(type, last_field) + sizeof(((type *)0)->last_field))
#define LB_ARRAY_AT(type, base, i) \
    ((const type *)((const char *)(base) + (size_t)(i) * (base)[0].struct_size))
#endif
/* Nonzero when the writer of `*ptr` (which starts with struct_size) knew `field`. */
#define LB_HAS_FIELD(ptr, type, field) ((ptr)->struct_size >= LB_SIZE_THROUGH(type, field))

/* ---- result codes (int32_t, values never change) ------------------------------------------ */
typedef int32_t lb_status;
#define LB_OK 0                   /* the call did what was asked */
#define LB_ERR_INVALID_ARGUMENT 1 /* the host passed something malformed (a host bug) */
#define LB_ERR_CONFIG 2           /* settings are wrong or missing (see set_setting_error) */
#define LB_ERR_TARGET 3           /* the target system refused or could not be reached */
#define LB_ERR_CANCELLED 4        /* the host's cancellation flag was seen; partial results stand */
#define LB_ERR_UNSUPPORTED 5      /* the plugin does not offer this operation (see capabilities) */
#define LB_ERR_STATE 6            /* called in the wrong order (e.g. push before configure) */
#define LB_ERR_INTERNAL 7         /* a bug or unexpected exception inside the plugin */

/* ---- opaque handles --------------------------------------------------------------------- */
typedef struct lb_host lb_host;         /* host-side context of one plugin instance; host-owned */
typedef struct lb_call lb_call;         /* one call in progress, where results are reported */
typedef struct lb_instance lb_instance; /* one configured plugin instance; plugin-owned */

/* ---- the canonical accounting model -------------------------------------------------------- */

/* An exact amount. `minor` is in minor units of `currency` (EUR 12.34 = 1234, JPY 500 = 500);
 * `exponent` is the number of minor-unit digits of that currency (EUR 2, JPY 0, BHD 3). A NULL
 * currency means the amount is absent. Sign: positive is an expense (debit), negative a refund. */
typedef struct lb_money {
    int64_t minor;
    const char *currency; /* ISO-4217 alphabetic code, e.g. "EUR" */
    int32_t exponent;
} lb_money;

/* A person, supplier or team as Pleo knows it. Every field may be NULL. */
typedef struct lb_party {
    const char *id;   /* Pleo's id */
    const char *code; /* the code the accounting system knows it by (vendor number, employee code) */
    const char *name; /* display name */
} lb_party;

/* One tag (dimension) on a line: a code inside a tag group. */
typedef struct lb_tag {
    const char *group_code; /* tag group code (e.g. "PROJECT"); never NULL */
    const char *code;       /* tag code inside the group (e.g. "P-17"); never NULL */
    const char *name;       /* display name; may be NULL */
} lb_tag;

/* One line of an entry: where (part of) the money goes. Invariant checked by the host before a
 * push: net_amount.minor + tax_amount.minor == wallet_amount.minor (same currency). */
typedef struct lb_line {
    size_t struct_size;
    const char *line_id;        /* Pleo's line id, stable across pushes; never NULL */
    lb_money supplier_amount;   /* gross, in the supplier's (purchase) currency */
    lb_money wallet_amount;     /* gross, in the company wallet currency */
    lb_money net_amount;        /* gross minus tax, wallet currency */
    const char *account_code;   /* GL account number in the target (e.g. "6110"); NULL = missing */
    const char *account_id;     /* target's internal account identifier, when known */
    const char *tax_code;       /* target's tax code (e.g. "S25"); NULL = no tax */
    const char *tax_rate;       /* percent as an exact decimal string ("25", "12.5"); may be NULL */
    const char *tax_type;       /* "normal" | "reverse" | "none"; may be NULL */
    lb_money tax_amount;        /* tax in wallet currency */
    const lb_tag *tags;         /* tag_count tags */
    size_t tag_count;
    const char *description;    /* may be NULL */
} lb_line;

/* A receipt the host already downloaded: the plugin reads the file, never Pleo. */
typedef struct lb_receipt {
    const char *path;      /* absolute local path, readable for the duration of the call */
    const char *file_name; /* original file name */
    const char *mime_type; /* e.g. "application/pdf" */
} lb_receipt;

/* One Pleo accounting entry, to become one document in the target. Balanced when the lines'
 * wallet amounts sum to total_wallet (same currency); the contra account takes the total. */
typedef struct lb_entry {
    size_t struct_size;
    const char *accounting_entry_id; /* Pleo accounting entry id; never NULL */
    const char *export_job_id;       /* Pleo export job id; never NULL */
    const char *idempotency_key;     /* host-made key, stable for this entry; never NULL */
    const char *type;                /* Pleo type, e.g. "card_purchase", "reimbursement" */
    const char *sub_type;            /* Pleo subType; may be NULL */
    const char *date;                /* purchase date, ISO-8601 "YYYY-MM-DD"; never NULL */
    const char *booking_date;        /* settlement/booking date, ISO-8601; may be NULL */
    const char *note;                /* free text from the employee; may be NULL */
    lb_party supplier;               /* vendor / merchant */
    lb_party employee;
    lb_party team;
    lb_money total_supplier;         /* gross in supplier currency */
    lb_money total_wallet;           /* gross in wallet currency */
    const lb_line *lines;            /* line_count lines, at least one */
    size_t line_count;
    const char *contra_account_code; /* balancing account (card clearing / employee payable) */
    const char *contra_account_id;
    const lb_receipt *receipts;      /* receipt_count receipts */
    size_t receipt_count;
} lb_entry;

/* ---- results ------------------------------------------------------------------------------ */

typedef int32_t lb_outcome_kind;
#define LB_OUTCOME_POSTED 1    /* in the target; external_id (and external_url if any) set */
#define LB_OUTCOME_REJECTED 2  /* will never succeed as is; failure_reason + message set */
#define LB_OUTCOME_RETRYABLE 3 /* nothing was written; safe to push again later */
#define LB_OUTCOME_UNKNOWN 4   /* may or may not be written; host must lookup before retrying */
#define LB_OUTCOME_ABSENT 5    /* lookup only: the target does not have it; safe to push */

/* The outcome of one entry. `failure_reason` is one of Pleo's ExportJobItemFailureReasonType
 * values (export-api-v3.yml), e.g. "validation_failure", "account_unknown", "tax_code_unknown". */
typedef struct lb_outcome {
    size_t struct_size;
    size_t entry_index;         /* index into the batch passed to push (0 for lookup) */
    lb_outcome_kind kind;
    const char *external_id;    /* POSTED: the target's id of the document */
    const char *external_url;   /* POSTED: a link a person can open; may be NULL */
    const char *failure_reason; /* REJECTED: Pleo failureReasonType */
    const char *message;        /* human-readable detail; no secrets */
} lb_outcome;

/* One document plan() would write, exactly as push() would write it. */
typedef struct lb_document {
    size_t struct_size;
    size_t entry_index;       /* the entry it comes from */
    const char *action;       /* e.g. "POST https://…/journals" or "append /out/job-1.csv" */
    const char *content_type; /* e.g. "application/json", "text/csv" */
    const char *body;         /* body_size bytes, not necessarily NUL-terminated */
    size_t body_size;
} lb_document;

/* ---- the plugin's self-description (static data owned by the plugin) ----------------------- */

typedef int32_t lb_setting_type;
#define LB_SETTING_STRING 1
#define LB_SETTING_INT 2  /* decimal integer */
#define LB_SETTING_BOOL 3 /* "true" | "false" */
#define LB_SETTING_PATH 4 /* a local directory or file path */

/* One setting the plugin accepts. `default_value` NULL means required. */
typedef struct lb_setting_spec {
    const char *key;
    lb_setting_type type;
    const char *default_value;
    int32_t secret;           /* nonzero: never logged or printed; host registers it for redaction */
    const char *description;
} lb_setting_spec;

/* What the plugin needs from the host's OAuth client for the target system. */
typedef struct lb_oauth_spec {
    const char *authorize_url;
    const char *token_url;
    const char *scopes; /* space-separated */
} lb_oauth_spec;

#define LB_MATURITY_STABLE 1
#define LB_MATURITY_ALPHA 2

#define LB_CAP_IDEMPOTENCY_KEYS 0x1u /* the target de-duplicates on the idempotency key */
#define LB_CAP_LOOKUP 0x2u           /* lookup() can resolve an UNKNOWN outcome */
#define LB_CAP_DRY_RUN 0x4u          /* plan() gives the exact documents and rejections */
#define LB_CAP_ATTACHMENTS 0x8u      /* receipts are delivered to the target */
/* -- since 1.1 -- */
#define LB_CAP_MASTER_DATA 0x10u     /* read_master_data() reads the target's master data */
#define LB_CAP_MASTER_DATA_CHANGED_SINCE 0x20u /* ... and honours lb_md_request.changed_since */

typedef struct lb_manifest {
    size_t struct_size;
    const char *name;          /* unique plugin name, [a-z0-9_-]+ */
    const char *version;       /* plugin version, semver */
    const char *target_system; /* e.g. "CSV files", "Xero" */
    const char *description;
    int32_t maturity;          /* LB_MATURITY_* */
    uint32_t capabilities;     /* LB_CAP_* bits */
    const lb_setting_spec *settings;
    size_t setting_count;
    const lb_oauth_spec *oauth; /* NULL when the target needs no OAuth */
    /* -- since 1.1 -- */
    /* The hosts of the target's API, "host" (port 443) or "host:port", e.g. "api.xero.com": the
     * only places the host sends the target's bearer token to (use_target_token). A request
     * with use_target_token to any other host is refused, not sent. NULL/0: the plugin declares
     * none, and the connection must name them (target.token_hosts). The connection's
     * target.token_hosts, when set, replaces this list (a test double, a private deployment). */
    const char *const *token_hosts;
    size_t token_host_count;
    /* -- since 1.1, appended after token_hosts (a reader checks struct_size: a manifest that
     * ends before these fields declares none, and a host that predates them ignores them) -- */
    /* Keys of the plugin's settings that identify *which* books in the target system a
     * connection writes to, e.g. {"tenant_id","environment","company_id"}. The host makes their
     * values part of the connection's target fingerprint: the export ledger, the plugin's state
     * and the target grant are kept apart per identity, so entries posted into one company are
     * never taken as posted in another. NULL/0: the host keys the target by the Pleo connection
     * (and the setting tenant_id for the target grant), as before. */
    const char *const *target_identity;
    size_t target_identity_count;
} lb_manifest;

/* A setting value handed to configure(). */
typedef struct lb_setting {
    const char *key;
    const char *value;
} lb_setting;

/* ---- master data (since 1.1): what the target's books are coded with ---------------------- */

/* The kinds of master data a plugin can read. Pleo keeps each kind as: ACCOUNT -> chart of
 * accounts, TAX_CODE -> tax codes, DIMENSION -> tag group, DIMENSION_VALUE -> tag,
 * SUPPLIER -> vendor. Values never change; new kinds are appended. */
typedef int32_t lb_md_kind;
#define LB_MD_ACCOUNT 1
#define LB_MD_TAX_CODE 2
#define LB_MD_DIMENSION 3       /* a tracking category, cost-centre list, project list */
#define LB_MD_DIMENSION_VALUE 4 /* one value of a dimension (parent_id names the dimension) */
#define LB_MD_SUPPLIER 5

/* One page of one kind, asked by the host. */
typedef struct lb_md_request {
    size_t struct_size;
    lb_md_kind kind;
    const char *cursor;        /* NULL: the first page; else the next_cursor of the page before */
    const char *changed_since; /* NULL: every record; else an ISO-8601 UTC instant: only records
                                * changed since then (archived ones included). Plugins without
                                * LB_CAP_MASTER_DATA_CHANGED_SINCE ignore it and return all. */
    size_t page_size;          /* at most this many records per page (the plugin may send fewer) */
} lb_md_request;

/* One master-data record, as the target knows it. Fields that do not apply to the record's
 * kind are NULL. Strings are copied by the host (emit_record). */
typedef struct lb_md_record {
    size_t struct_size;
    lb_md_kind kind;
    const char *id;        /* the target's own stable id; never NULL; the same in every call */
    const char *code;      /* account number, tax code, dimension/value code, supplier number */
    const char *name;      /* display name; never NULL */
    int32_t archived;      /* nonzero: archived, inactive or blocked in the target */
    const char *type;      /* ACCOUNT: "expense" | "asset" | "liability" | "equity" | "revenue" |
                            * "other"; TAX_CODE: "normal" | "reverse" | "exempt" */
    const char *parent_id; /* DIMENSION_VALUE: the id of its DIMENSION */
    const char *tax_rate;  /* TAX_CODE: percent as an exact decimal string ("25", "12.5") */
    const char *input_account_code;  /* TAX_CODE: where deductible (input) tax is booked */
    const char *output_account_code; /* TAX_CODE: where output tax is booked (reverse charge) */
    const char *default_tax_code_id; /* ACCOUNT: the id of its default TAX_CODE */
    const char *default_account_code; /* SUPPLIER: its default expense account */
    const char *registration_number;  /* SUPPLIER: company registration number */
    const char *vat_number;           /* SUPPLIER: VAT / tax registration number */
    const char *country;              /* SUPPLIER: ISO 3166-1 alpha-2 */
    const char *currency;             /* SUPPLIER: default currency, ISO 4217 */
    const char *updated_at;           /* when the target last changed it (ISO-8601), if it says */
} lb_md_record;

/* ---- host services (filled by the host, read by the plugin) -------------------------------- */

#define LB_LOG_DEBUG 0
#define LB_LOG_INFO 1
#define LB_LOG_WARN 2
#define LB_LOG_ERROR 3

typedef struct lb_header {
    const char *name;
    const char *value;
} lb_header;

typedef struct lb_http_request {
    size_t struct_size;
    const char *method; /* "GET", "POST", ... */
    const char *url;    /* absolute https URL */
    const lb_header *headers;
    size_t header_count;
    const char *body; /* body_size bytes; may be NULL when body_size is 0 */
    size_t body_size;
    uint32_t timeout_ms;      /* 0 = host default */
    int32_t use_target_token; /* nonzero: host adds "Authorization: Bearer <target token>", only
                               * for a URL on a host of lb_manifest.token_hosts (else refused) */
} lb_http_request;

typedef struct lb_http_response {
    size_t struct_size;
    int32_t status; /* HTTP status; 0 when no response arrived (then `error` says why) */
    const lb_header *headers;
    size_t header_count;
    const char *body;
    size_t body_size;
    const char *error;
} lb_http_response;

/* Receives a value the host owns; valid only during the callback. */
typedef void (*lb_receive_fn)(void *user, const char *data, size_t size);
typedef void (*lb_receive_response_fn)(void *user, const lb_http_response *response);

typedef struct lb_host_api {
    size_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    /* -- since 1.0 -- */
    /* Writes one line to the host's log (redacted, tagged with the plugin name). */
    void (*log)(lb_host *host, int32_t level, const char *message);
    /* Sends one HTTP request through the host (TLS verified, timeouts, retries on 429/5xx,
     * rate limits and redaction owned by the host). Calls `receive` once with the response.
     * Returns LB_OK when a response arrived, LB_ERR_TARGET when none did, LB_ERR_CANCELLED. */
    lb_status (*http_request)(lb_host *host, const lb_http_request *request,
                              lb_receive_response_fn receive, void *user);
    /* Plugin-scoped key-value state in the host's store (survives restarts).
     * kv_get returns 1 and calls `receive` when found, 0 when absent, -1 on store failure. */
    int32_t (*kv_get)(lb_host *host, const char *key, lb_receive_fn receive, void *user);
    lb_status (*kv_put)(lb_host *host, const char *key, const char *value, size_t size);
    lb_status (*kv_erase)(lb_host *host, const char *key);
    /* A secret by name (from the host's secret store); 1 found, 0 absent. Never log it. */
    int32_t (*secret_get)(lb_host *host, const char *name, lb_receive_fn receive, void *user);
    /* A current access token for the target system (host runs OAuth and refresh); 1/0/-1. */
    int32_t (*access_token)(lb_host *host, lb_receive_fn receive, void *user);
    /* Wall clock, milliseconds since the Unix epoch (the host may fake it in tests). */
    int64_t (*now_ms)(lb_host *host);
    /* Nonzero when the host asks the current call to stop as soon as it safely can. */
    int32_t (*is_cancelled)(lb_host *host);
    /* Call results. The host copies every argument. */
    void (*set_error)(lb_call *call, const char *message);
    void (*set_setting_error)(lb_call *call, const char *key, const char *message);
    void (*report_outcome)(lb_call *call, const lb_outcome *outcome);
    void (*emit_document)(lb_call *call, const lb_document *document);
    /* -- since 1.1 -- (check LB_HAS_FIELD(api, lb_host_api, set_next_cursor) before calling) */
    /* read_master_data results: one record of the kind asked for (the host copies it)... */
    void (*emit_record)(lb_call *call, const lb_md_record *record);
    /* ...and where the next page starts. Not called, or called with NULL: this was the last page. */
    void (*set_next_cursor)(lb_call *call, const char *cursor);
} lb_host_api;

/* ---- the plugin's table (static data owned by the plugin) ---------------------------------- */

typedef struct lb_plugin_api {
    size_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    /* -- since 1.0 -- */
    /* Static self-description; valid until the library is unloaded (never, in the host). */
    const lb_manifest *(*describe)(void);
    /* Creates an instance bound to `host` (valid until destroy). `api` outlives the instance. */
    lb_status (*create)(const lb_host_api *api, lb_host *host, lb_instance **out, lb_call *call);
    /* Validates and applies settings; errors are named per key with set_setting_error. */
    lb_status (*configure)(lb_instance *self, const lb_setting *settings, size_t count, lb_call *call);
    /* Checks credentials and connectivity. Writes nothing anywhere. */
    lb_status (*check)(lb_instance *self, lb_call *call);
    /* Dry run: emit_document for each document push would write; no side effects at all.
     * An entry push would reject is reported with report_outcome, kind LB_OUTCOME_REJECTED
     * (failure_reason and message as push would give them, entry_index into `entries`), so a
     * dry run accounts for every entry. No other outcome kind is allowed during plan (the host
     * fails the call), nor documents for a rejected entry. (Allowed since 1.0: hosts before
     * this rule ignore such outcomes, so it needs no new minor.) */
    lb_status (*plan)(lb_instance *self, const lb_entry *entries, size_t count, lb_call *call);
    /* Delivers a batch: report_outcome once per entry it attempted. Entries left without an
     * outcome (e.g. after cancellation) were not attempted and are safe to push again. */
    lb_status (*push)(lb_instance *self, const lb_entry *entries, size_t count, lb_call *call);
    /* Resolves one entry by its idempotency key / reference: reports POSTED or ABSENT. */
    lb_status (*lookup)(lb_instance *self, const lb_entry *entry, lb_call *call);
    /* Releases the instance (close). `self` may be NULL. */
    void (*destroy)(lb_instance *self);
    /* -- since 1.1 -- */
    /* Reads one page of master data of request->kind: emit_record per record, then
     * set_next_cursor unless it was the last page. Writes nothing anywhere. A kind the target
     * does not have is LB_ERR_UNSUPPORTED (never an empty page: the host would archive what
     * Pleo holds of that kind); an empty target is LB_OK with no records. May be NULL when the
     * plugin lacks LB_CAP_MASTER_DATA. */
    lb_status (*read_master_data)(lb_instance *self, const lb_md_request *request, lb_call *call);
} lb_plugin_api;

/* The size of lb_plugin_api in each minor: a table declaring minor N is at least this large. */
#define LB_PLUGIN_API_SIZE_1_0 LB_SIZE_THROUGH(lb_plugin_api, destroy)
#define LB_PLUGIN_API_SIZE_1_1 LB_SIZE_THROUGH(lb_plugin_api, read_master_data)
/* The size of lb_host_api in each minor. */
#define LB_HOST_API_SIZE_1_0 LB_SIZE_THROUGH(lb_host_api, emit_document)
#define LB_HOST_API_SIZE_1_1 LB_SIZE_THROUGH(lb_host_api, set_next_cursor)
/* lb_manifest: 1.1 appended token_hosts. lb_entry and lb_line have not grown since 1.0. */
#define LB_MANIFEST_SIZE_1_0 LB_SIZE_THROUGH(lb_manifest, oauth)
#define LB_MANIFEST_SIZE_1_1 LB_SIZE_THROUGH(lb_manifest, token_host_count)
/* The smallest 1.1 manifest that carries target_identity (appended within 1.1). */
#define LB_MANIFEST_SIZE_TARGET_IDENTITY LB_SIZE_THROUGH(lb_manifest, target_identity_count)
#define LB_ENTRY_SIZE_1_0 LB_SIZE_THROUGH(lb_entry, receipt_count)
#define LB_LINE_SIZE_1_0 LB_SIZE_THROUGH(lb_line, description)

/* The entry point: the host passes its ABI version; the plugin returns its static table, or
 * NULL when it cannot work with that host. Never throws, never allocates. */
typedef const lb_plugin_api *(*lb_plugin_entry_fn)(uint32_t host_abi_major, uint32_t host_abi_minor);

#ifdef __cplusplus
}
#endif

#endif /* LEDGERBRIDGE_PLUGIN_ABI_H */
