// The header-only C++ API plugin authors write against. Derive from ledgerbridge::sdk::Plugin,
// give the class a static manifest(), and export it with one line:
//
//     LEDGERBRIDGE_PLUGIN(MyPlugin)
//
// The wrapper turns the C table of plugin_abi.h into virtual calls, validates settings against
// the manifest, checks the call order, and catches every exception at the boundary, turning it
// into a result code plus a message. std::string/std::vector live on the plugin's side only.
#pragma once

#include <boost/dll/alias.hpp>

#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ledgerbridge/model.hpp"
#include "ledgerbridge/plugin_abi.h"

namespace ledgerbridge::sdk {

// ---- errors a plugin throws (all caught by the wrapper) -----------------------------------

/// A failure with an explicit result code (one of LB_ERR_*). The message reaches the host log
/// and the operator; never put secrets in it.
class Error : public std::runtime_error {
public:
    Error(lb_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
    lb_status status() const noexcept { return status_; }

private:
    lb_status status_;
};

/// The host asked the call to stop (Host::cancelled() turned true). Becomes LB_ERR_CANCELLED.
class CancelledError : public Error {
public:
    CancelledError() : Error(LB_ERR_CANCELLED, "cancelled by the host") {}
};

/// One or more settings are wrong; each problem is named by its key. Becomes LB_ERR_CONFIG.
class SettingsError : public Error {
public:
    using Problems = std::vector<std::pair<std::string, std::string>>;  ///< (key, message)
    explicit SettingsError(Problems problems)
        : Error(LB_ERR_CONFIG, summary(problems)), problems_(std::move(problems)) {}
    SettingsError(const std::string& key, const std::string& message) : SettingsError(Problems{{key, message}}) {}
    const Problems& problems() const noexcept { return problems_; }

private:
    static std::string summary(const Problems& p) {
        std::string s = "invalid settings:";
        for (const auto& [key, message] : p) s += " " + key + ": " + message + ";";
        return s;
    }
    Problems problems_;
};

// ---- the manifest ----------------------------------------------------------------------------

enum class SettingType : std::int32_t {
    String = LB_SETTING_STRING,
    Int = LB_SETTING_INT,
    Bool = LB_SETTING_BOOL,
    Path = LB_SETTING_PATH,
};

struct SettingSpec {
    std::string key;
    SettingType type = SettingType::String;
    std::optional<std::string> defaultValue;  ///< nullopt = required
    bool secret = false;
    std::string description;
};

/// The `file_mode` setting every plugin that writes files declares: the octal mode its files
/// are created with (before the process's umask), 0600 by default. Parse it with
/// sdk::parseFileMode (atomic_file.hpp).
inline SettingSpec fileModeSetting() {
    return {"file_mode", SettingType::String, std::string("0600"), false,
            "Octal mode of the files written, before the umask (default 0600: owner only; 0640 lets the group "
            "read them)."};
}

struct OAuthSpec {
    std::string authorizeUrl, tokenUrl, scopes;
};

enum class Maturity : std::int32_t { Stable = LB_MATURITY_STABLE, Alpha = LB_MATURITY_ALPHA };

/// What a plugin says about itself. Returned by the plugin class's static manifest().
struct Manifest {
    std::string name, version, targetSystem, description;
    Maturity maturity = Maturity::Alpha;
    std::uint32_t capabilities = 0;  ///< LB_CAP_* bits
    std::vector<SettingSpec> settings;
    std::optional<OAuthSpec> oauth;
    /// Since ABI 1.1: the target API's hosts ("api.example.com" = port 443, or "host:port"),
    /// the only hosts the host sends the target's bearer token to (HttpRequest::useTargetToken).
    std::vector<std::string> tokenHosts;
    /// The settings that identify which books of the target a connection writes to (e.g.
    /// {"tenant_id", "environment", "company_id"}): the host keys the connection's ledger,
    /// plugin state and target grant by their values (lb_manifest.target_identity).
    std::vector<std::string> targetIdentity;
};

/// Settings after validation against the manifest: every declared key present (defaults
/// applied), types checked. get* throw std::out_of_range for an undeclared key (a plugin bug).
class Settings {
public:
    Settings() = default;
    explicit Settings(std::map<std::string, std::string> values) : values_(std::move(values)) {}
    const std::string& get(const std::string& key) const { return values_.at(key); }
    std::int64_t getInt(const std::string& key) const { return std::stoll(values_.at(key)); }
    bool getBool(const std::string& key) const { return values_.at(key) == "true"; }
    const std::map<std::string, std::string>& all() const { return values_; }

private:
    std::map<std::string, std::string> values_;
};

/// Checks raw key/value pairs against the declared settings. Returns the completed settings or
/// throws SettingsError naming every bad key (unknown, missing, wrong type).
inline Settings validateSettings(const std::vector<SettingSpec>& specs,
                                 const std::vector<std::pair<std::string, std::string>>& given) {
    SettingsError::Problems problems;
    std::map<std::string, std::string> values;
    for (const auto& [key, value] : given) {
        bool declared = false;
        for (const SettingSpec& s : specs) declared = declared || s.key == key;
        if (!declared) problems.emplace_back(key, "unknown setting");
        else values[key] = value;
    }
    for (const SettingSpec& s : specs) {
        auto it = values.find(s.key);
        // A default is checked like a given value: a manifest declaring an int setting with the
        // default "abc" made Settings::getInt throw std::invalid_argument inside the plugin
        // (found by fuzz_plugin_settings). Here it is a problem naming the key and the default.
        std::string origin;
        if (it == values.end()) {
            if (!s.defaultValue) {
                problems.emplace_back(s.key, "required setting is missing");
                continue;
            }
            it = values.emplace(s.key, *s.defaultValue).first;
            origin = " (the plugin's default)";
        }
        const std::string& v = it->second;
        const std::size_t digits = v.compare(0, 1, "-") == 0 ? 1 : 0;
        if (s.type == SettingType::Int &&
            (v.size() == digits || v.size() > digits + 18 ||
             v.find_first_not_of("0123456789", digits) != std::string::npos))
            problems.emplace_back(s.key, "expected an integer, got '" + v + "'" + origin);
        if (s.type == SettingType::Bool && v != "true" && v != "false")
            problems.emplace_back(s.key, "expected true or false, got '" + v + "'" + origin);
        // A path setting whose default is "" is optional: empty means "not set" (e.g. a
        // master-data file); any other path setting must name something.
        const bool optionalPath = s.defaultValue && s.defaultValue->empty();
        if (s.type == SettingType::Path && v.empty() && !optionalPath)
            problems.emplace_back(s.key, "expected a path, got ''" + origin);
    }
    if (!problems.empty()) throw SettingsError(std::move(problems));
    return Settings(std::move(values));
}

// ---- host services, C++ side -----------------------------------------------------------------

enum class LogLevel : std::int32_t { Debug = LB_LOG_DEBUG, Info = LB_LOG_INFO, Warn = LB_LOG_WARN, Error = LB_LOG_ERROR };

struct HttpRequest {
    std::string method = "GET", url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::uint32_t timeoutMs = 0;  ///< 0 = host default
    bool useTargetToken = false;  ///< host adds the target's bearer token
};

struct HttpResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

/// The services the host offers this plugin instance. Valid from configure() to destruction
/// (not in the plugin's constructor). Every call may throw Error or CancelledError.
class Host {
public:
    Host(const lb_host_api* api, lb_host* host) : api_(api), host_(host) {}

    void log(LogLevel level, const std::string& message) const {
        api_->log(host_, static_cast<std::int32_t>(level), message.c_str());
    }
    void info(const std::string& m) const { log(LogLevel::Info, m); }
    void warn(const std::string& m) const { log(LogLevel::Warn, m); }

    /// Sends a request through the host. Throws Error(LB_ERR_TARGET) when no response arrived.
    HttpResponse http(const HttpRequest& request) const {
        std::vector<lb_header> headers;
        for (const auto& [n, v] : request.headers) headers.push_back(lb_header{n.c_str(), v.c_str()});
        lb_http_request req{sizeof(lb_http_request), request.method.c_str(), request.url.c_str(), headers.data(),
                            headers.size(), request.body.data(), request.body.size(), request.timeoutMs,
                            request.useTargetToken ? 1 : 0};
        struct Sink {
            HttpResponse response;
            std::string error;
        } sink;
        auto receive = [](void* user, const lb_http_response* r) {
            auto* s = static_cast<Sink*>(user);
            s->response.status = r->status;
            for (std::size_t i = 0; r->headers && i < r->header_count; ++i)
                s->response.headers.emplace_back(detail::str(r->headers[i].name), detail::str(r->headers[i].value));
            if (r->body) s->response.body.assign(r->body, r->body_size);
            s->error = detail::str(r->error);
        };
        const lb_status st = api_->http_request(host_, &req, receive, &sink);
        if (st == LB_ERR_CANCELLED) throw CancelledError();
        if (st != LB_OK) throw Error(LB_ERR_TARGET, request.method + " " + request.url + " failed: " + sink.error);
        return sink.response;
    }

    /// Plugin-scoped state. Throws Error(LB_ERR_INTERNAL) when the host store fails.
    std::optional<std::string> kvGet(const std::string& key) const {
        return fetch([&](lb_receive_fn fn, void* u) { return api_->kv_get(host_, key.c_str(), fn, u); },
                     "state " + key);
    }
    void kvPut(const std::string& key, const std::string& value) const {
        if (api_->kv_put(host_, key.c_str(), value.data(), value.size()) != LB_OK)
            throw Error(LB_ERR_INTERNAL, "the host could not store state " + key);
    }
    void kvErase(const std::string& key) const {
        if (api_->kv_erase(host_, key.c_str()) != LB_OK)
            throw Error(LB_ERR_INTERNAL, "the host could not erase state " + key);
    }
    std::optional<std::string> secret(const std::string& name) const {
        return fetch([&](lb_receive_fn fn, void* u) { return api_->secret_get(host_, name.c_str(), fn, u); },
                     "secret " + name);
    }
    std::optional<std::string> accessToken() const {
        return fetch([&](lb_receive_fn fn, void* u) { return api_->access_token(host_, fn, u); },
                     "the target access token");
    }
    std::int64_t nowMs() const { return api_->now_ms(host_); }
    bool cancelled() const { return api_->is_cancelled(host_) != 0; }
    /// Throws CancelledError when the host asked to stop.
    void throwIfCancelled() const {
        if (cancelled()) throw CancelledError();
    }

private:
    template <typename F>
    static std::optional<std::string> fetch(F call, const std::string& what) {
        std::string value;
        auto receive = [](void* user, const char* data, std::size_t size) {
            static_cast<std::string*>(user)->assign(data ? data : "", data ? size : 0);
        };
        const std::int32_t found = call(receive, &value);
        if (found < 0) throw Error(LB_ERR_INTERNAL, "the host could not read " + what);
        if (found == 0) return std::nullopt;
        return value;
    }
    const lb_host_api* api_;
    lb_host* host_;
};

/// Where push() reports one outcome per entry it attempted. Reported outcomes stand even when
/// push() then throws (e.g. on cancellation).
class OutcomeSink {
public:
    OutcomeSink(const lb_host_api* api, lb_call* call) : api_(api), call_(call) {}
    void report(std::size_t entryIndex, Outcome outcome) {
        outcome.entryIndex = entryIndex;
        const lb_outcome c = toC(outcome);
        api_->report_outcome(call_, &c);
    }

private:
    const lb_host_api* api_;
    lb_call* call_;
};

/// What a dry run of one batch gives back: the documents push() would write and the entries
/// push() would reject. Every entry of the batch should end up in one or the other (a dry run
/// accounts for every entry); the host treats any other outcome kind during plan as a plugin bug.
class PlanSink {
public:
    PlanSink(const lb_host_api* api, lb_call* call, std::size_t batchSize)
        : api_(api), call_(call), batchSize_(batchSize) {}
    /// One document exactly as push() would write it (d.entryIndex names its entry).
    void document(const Document& d) {
        requireIndex(d.entryIndex, "document");
        const lb_document c = toC(d);
        api_->emit_document(call_, &c);
    }
    /// The entry push() would reject, with the same reason and message. `o.kind` must be
    /// OutcomeKind::Rejected: a dry run writes nothing, so nothing else can be known.
    void reject(std::size_t entryIndex, const Outcome& o) {
        requireIndex(entryIndex, "rejection");
        if (o.kind != OutcomeKind::Rejected)
            throw Error(LB_ERR_INTERNAL, "PlanSink::reject: entry " + std::to_string(entryIndex) +
                                             " needs a rejected outcome, not kind " +
                                             std::to_string(static_cast<int>(o.kind)));
        Outcome copy = o;
        copy.entryIndex = entryIndex;
        const lb_outcome c = toC(copy);
        api_->report_outcome(call_, &c);
    }

private:
    void requireIndex(std::size_t index, const char* what) const {
        if (index >= batchSize_)
            throw Error(LB_ERR_INTERNAL, std::string("PlanSink: ") + what + " for entry " + std::to_string(index) +
                                             " of a batch of " + std::to_string(batchSize_));
    }
    const lb_host_api* api_;
    lb_call* call_;
    std::size_t batchSize_;
};

// ---- the base class --------------------------------------------------------------------------

/// Base of every plugin. One instance per configured connection; the host never calls one
/// instance from two threads at once. Any method may throw: Error (its status is used),
/// SettingsError, CancelledError, or anything else (reported as LB_ERR_INTERNAL).
class Plugin {
public:
    virtual ~Plugin() = default;

    /// Applies settings already validated against the manifest. Throw SettingsError for
    /// problems only the plugin can see (e.g. a directory that does not exist).
    virtual void configure(const Settings& settings) = 0;
    /// Credentials and connectivity. Must write nothing.
    virtual void check() {}
    /// Dry run: the exact documents push() would write. No side effects (no writes, no state).
    virtual std::vector<Document> plan(const std::vector<Entry>&) {
        throw Error(LB_ERR_UNSUPPORTED, "this plugin has no dry run");
    }
    /// Dry run of a batch: each entry either yields the exact documents push() would write, or
    /// is rejected exactly as push() would reject it (sink.reject). Override it so that the
    /// validation push() does also happens here, through the same code (no copy of the rules).
    /// Default: every document of plan(batch), no rejections. No side effects either way.
    virtual void planBatch(const std::vector<Entry>& batch, PlanSink& sink) {
        for (const Document& d : plan(batch)) sink.document(d);
    }
    /// Delivers a batch. The default calls pushOne() per entry, checking cancellation before each.
    virtual void push(const std::vector<Entry>& batch, OutcomeSink& outcomes) {
        for (std::size_t i = 0; i < batch.size(); ++i) {
            host().throwIfCancelled();
            outcomes.report(i, pushOne(batch[i]));
        }
    }
    /// Delivers one entry (used by the default push()).
    virtual Outcome pushOne(const Entry&) { throw Error(LB_ERR_UNSUPPORTED, "this plugin does not push"); }
    /// Resolves an entry by its idempotency key: Outcome::posted(...) or Outcome::absent().
    /// Called after an interrupted push, with the entry as push would have received it
    /// (receipts included): a plugin may complete a document it finds, e.g. attach receipts.
    virtual Outcome lookup(const Entry&) { throw Error(LB_ERR_UNSUPPORTED, "this plugin has no lookup"); }

    /// Master data (ABI 1.1, capability LB_CAP_MASTER_DATA): one page of request.kind, read
    /// from the target, writing nothing. Records carry the target's own stable ids; archived
    /// records are returned with archived = true (not left out), so the host can archive them in
    /// Pleo. Return nextCursor empty on the last page; request.cursor is the nextCursor of the
    /// page before. A kind the target does not have: throw Error(LB_ERR_UNSUPPORTED, ...),
    /// never an empty page (the host would archive everything Pleo holds of that kind).
    /// With LB_CAP_MASTER_DATA_CHANGED_SINCE, a non-empty request.changedSince asks only for
    /// records changed since then (archived ones included).
    virtual MasterDataPage readMasterData(const MasterDataRequest& request) {
        throw Error(LB_ERR_UNSUPPORTED, "this plugin reads no " + masterKindName(request.kind) + " master data");
    }

    /// The host services. Precondition: called from configure() or later, not the constructor.
    const Host& host() const {
        if (!host_) throw Error(LB_ERR_STATE, "host services are not available in the constructor");
        return *host_;
    }

private:
    template <typename T>
    friend struct detail_exporter;
    std::unique_ptr<Host> host_;
};

namespace detail {

/// The manifest as static C structs, built once per library.
struct ManifestStorage {
    explicit ManifestStorage(Manifest m) : source(std::move(m)) {
        for (const SettingSpec& s : source.settings)
            specs.push_back(lb_setting_spec{s.key.c_str(), static_cast<lb_setting_type>(s.type),
                                            s.defaultValue ? s.defaultValue->c_str() : nullptr, s.secret ? 1 : 0,
                                            s.description.c_str()});
        for (const std::string& h : source.tokenHosts) tokenHosts.push_back(h.c_str());
        for (const std::string& k : source.targetIdentity) targetIdentity.push_back(k.c_str());
        if (source.oauth)
            oauth = lb_oauth_spec{source.oauth->authorizeUrl.c_str(), source.oauth->tokenUrl.c_str(),
                                  source.oauth->scopes.c_str()};
        c = lb_manifest{sizeof(lb_manifest), source.name.c_str(), source.version.c_str(),
                        source.targetSystem.c_str(), source.description.c_str(),
                        static_cast<std::int32_t>(source.maturity), source.capabilities, specs.data(),
                        specs.size(), source.oauth ? &oauth : nullptr,
                        tokenHosts.empty() ? nullptr : tokenHosts.data(), tokenHosts.size(),
                        targetIdentity.empty() ? nullptr : targetIdentity.data(), targetIdentity.size()};
    }
    Manifest source;
    std::vector<lb_setting_spec> specs;
    std::vector<const char*> tokenHosts;
    std::vector<const char*> targetIdentity;
    lb_oauth_spec oauth{};
    lb_manifest c{};
};

/// Runs `body`, turning every exception into a status plus messages set through the host.
template <typename F>
lb_status guarded(const lb_host_api* api, lb_call* call, F body) noexcept {
    try {
        body();
        return LB_OK;
    } catch (const SettingsError& e) {
        try {
            for (const auto& [key, message] : e.problems()) api->set_setting_error(call, key.c_str(), message.c_str());
            api->set_error(call, e.what());
        } catch (...) {
        }
        return e.status();
    } catch (const Error& e) {
        api->set_error(call, e.what());
        return e.status();
    } catch (const std::exception& e) {
        try {
            api->set_error(call, (std::string("unexpected exception: ") + e.what()).c_str());
        } catch (...) {
            api->set_error(call, "unexpected exception");
        }
        return LB_ERR_INTERNAL;
    } catch (...) {
        api->set_error(call, "unexpected exception of unknown type");
        return LB_ERR_INTERNAL;
    }
}

/// One live instance: the plugin object and what the wrapper tracks about it.
struct InstanceBox {
    const lb_host_api* api = nullptr;
    std::unique_ptr<Plugin> plugin;
    bool configured = false;
};

}  // namespace detail

/// Adapts a Plugin subclass T to the C table. T needs a default constructor and
/// `static ledgerbridge::sdk::Manifest manifest();`.
template <typename T>
struct detail_exporter {
    using Box = detail::InstanceBox;
    static Box* box(lb_instance* self) { return reinterpret_cast<Box*>(self); }

    static const detail::ManifestStorage& storage() {
        static const detail::ManifestStorage s(T::manifest());
        return s;
    }
    static const lb_manifest* describe() noexcept {
        try {
            return &storage().c;
        } catch (...) {
            return nullptr;
        }
    }
    static lb_status create(const lb_host_api* api, lb_host* host, lb_instance** out, lb_call* call) noexcept {
        if (!api || !out) return LB_ERR_INVALID_ARGUMENT;
        *out = nullptr;
        return detail::guarded(api, call, [&] {
            auto b = std::make_unique<Box>();
            b->api = api;
            b->plugin = std::make_unique<T>();
            b->plugin->host_ = std::make_unique<Host>(api, host);
            *out = reinterpret_cast<lb_instance*>(b.release());
        });
    }
    static lb_status configure(lb_instance* self, const lb_setting* settings, std::size_t count, lb_call* call) noexcept {
        if (!self) return LB_ERR_INVALID_ARGUMENT;
        Box* b = box(self);
        return detail::guarded(b->api, call, [&] {
            b->configured = false;
            std::vector<std::pair<std::string, std::string>> given;
            for (std::size_t i = 0; settings && i < count; ++i)
                given.emplace_back(detail::str(settings[i].key), detail::str(settings[i].value));
            b->plugin->configure(validateSettings(storage().source.settings, given));
            b->configured = true;
        });
    }
    static void requireConfigured(const Box* b, const char* op) {
        if (!b->configured)
            throw Error(LB_ERR_STATE, std::string("configure() must succeed before ") + op + "()");
    }
    static std::vector<Entry> entries(const lb_entry* e, std::size_t count) {
        if (!e && count) throw Error(LB_ERR_INVALID_ARGUMENT, "entries is NULL");
        std::vector<Entry> out;
        // Strided by the host's struct_size (plugin_abi.h, rule 2).
        for (std::size_t i = 0; i < count; ++i) out.push_back(fromC(*LB_ARRAY_AT(lb_entry, e, i)));
        return out;
    }
    static lb_status check(lb_instance* self, lb_call* call) noexcept {
        if (!self) return LB_ERR_INVALID_ARGUMENT;
        Box* b = box(self);
        return detail::guarded(b->api, call, [&] {
            requireConfigured(b, "check");
            b->plugin->check();
        });
    }
    static lb_status plan(lb_instance* self, const lb_entry* e, std::size_t count, lb_call* call) noexcept {
        if (!self) return LB_ERR_INVALID_ARGUMENT;
        Box* b = box(self);
        return detail::guarded(b->api, call, [&] {
            requireConfigured(b, "plan");
            PlanSink sink(b->api, call, count);
            b->plugin->planBatch(entries(e, count), sink);
        });
    }
    static lb_status push(lb_instance* self, const lb_entry* e, std::size_t count, lb_call* call) noexcept {
        if (!self) return LB_ERR_INVALID_ARGUMENT;
        Box* b = box(self);
        return detail::guarded(b->api, call, [&] {
            requireConfigured(b, "push");
            OutcomeSink sink(b->api, call);
            b->plugin->push(entries(e, count), sink);
        });
    }
    static lb_status lookup(lb_instance* self, const lb_entry* e, lb_call* call) noexcept {
        if (!self) return LB_ERR_INVALID_ARGUMENT;
        Box* b = box(self);
        return detail::guarded(b->api, call, [&] {
            requireConfigured(b, "lookup");
            OutcomeSink sink(b->api, call);
            sink.report(0, b->plugin->lookup(entries(e, 1).front()));
        });
    }
    static lb_status readMasterData(lb_instance* self, const lb_md_request* request, lb_call* call) noexcept {
        if (!self || !request) return LB_ERR_INVALID_ARGUMENT;
        Box* b = box(self);
        // A host older than 1.1 has no emit_record slot (and refuses this plugin's minor anyway).
        if (!LB_HAS_FIELD(b->api, lb_host_api, set_next_cursor) || !b->api->emit_record) return LB_ERR_STATE;
        return detail::guarded(b->api, call, [&] {
            requireConfigured(b, "read_master_data");
            const MasterDataRequest r = fromC(*request);
            const MasterDataPage page = b->plugin->readMasterData(r);
            for (const MasterRecord& record : page.records) {
                const lb_md_record c = toC(record);
                b->api->emit_record(call, &c);
            }
            if (!page.nextCursor.empty()) b->api->set_next_cursor(call, page.nextCursor.c_str());
        });
    }
    static void destroy(lb_instance* self) noexcept {
        try {
            delete box(self);
        } catch (...) {
        }
    }
    static const lb_plugin_api* entry(std::uint32_t hostMajor, std::uint32_t hostMinor) noexcept {
        static const lb_plugin_api table{sizeof(lb_plugin_api), LB_ABI_MAJOR, LB_ABI_MINOR, &describe, &create,
                                         &configure, &check, &plan, &push, &lookup, &destroy,
                                         &readMasterData};
        // The host negotiates (major equal, plugin minor <= host minor) and names both versions
        // when it refuses, so the table is returned whatever the host's version.
        static_cast<void>(hostMajor);
        static_cast<void>(hostMinor);
        return &table;
    }
};

}  // namespace ledgerbridge::sdk

/// Exports PluginClass as this library's plugin: defines the extern "C" entry point and its
/// boost::dll alias named LB_PLUGIN_ENTRY_SYMBOL. Use exactly once per library, at global scope.
#define LEDGERBRIDGE_PLUGIN(PluginClass)                                                            \
    extern "C" const lb_plugin_api* ledgerbridge_plugin_entry(std::uint32_t hostMajor,              \
                                                              std::uint32_t hostMinor) noexcept {   \
        return ::ledgerbridge::sdk::detail_exporter<PluginClass>::entry(hostMajor, hostMinor);      \
    }                                                                                               \
    BOOST_DLL_ALIAS(ledgerbridge_plugin_entry, LB_PLUGIN_ENTRY_NAME)
