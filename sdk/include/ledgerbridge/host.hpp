// The host side of the boundary, header-only: the abstract C++ HostServices a host implements,
// its adaptation into the C lb_host_api table, the per-call result collector, and PluginClient,
// a C++ view of one plugin instance that turns C results back into values or exceptions.
// Shared by the conformance kit's standalone loader and by the ledgerbridge host's loader, so
// both drive plugins exactly the same way. Loading and file checks are not here.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ledgerbridge/model.hpp"
#include "ledgerbridge/plugin.hpp"
#include "ledgerbridge/plugin_abi.h"

namespace ledgerbridge::sdk {

/// What the host offers plugins. One object may serve many plugin instances: every call names
/// the plugin (for scoping state and tagging logs). Implementations must not throw (an exception
/// here is caught by the adapter and becomes a failure result for the plugin).
class HostServices {
public:
    virtual ~HostServices() = default;
    virtual void log(const std::string& plugin, LogLevel level, const std::string& message) = 0;
    /// Performs the request; returns nullopt and sets `error` when no response arrived.
    virtual std::optional<HttpResponse> http(const std::string& plugin, const HttpRequest& request,
                                             std::string& error) = 0;
    virtual std::optional<std::string> kvGet(const std::string& plugin, const std::string& key) = 0;
    virtual bool kvPut(const std::string& plugin, const std::string& key, const std::string& value) = 0;
    virtual bool kvErase(const std::string& plugin, const std::string& key) = 0;
    virtual std::optional<std::string> secret(const std::string& plugin, const std::string& name) = 0;
    virtual std::optional<std::string> accessToken(const std::string& plugin) = 0;
    virtual std::int64_t nowMs() = 0;
    virtual bool cancelled() = 0;
};

/// A failed plugin call: the status and everything the plugin said. what() is
/// "<operation> failed (<status name>): <plugin message>".
class CallFailed : public std::runtime_error {
public:
    CallFailed(std::string operation, lb_status status, std::string message,
               std::vector<std::pair<std::string, std::string>> settingErrors)
        : std::runtime_error(operation + " failed (" + statusName(status) + "): " + message),
          status_(status), message_(std::move(message)), settingErrors_(std::move(settingErrors)) {}
    lb_status status() const noexcept { return status_; }
    const std::string& pluginMessage() const noexcept { return message_; }
    const std::vector<std::pair<std::string, std::string>>& settingErrors() const noexcept { return settingErrors_; }

    static std::string statusName(lb_status s) {
        switch (s) {
        case LB_OK: return "ok";
        case LB_ERR_INVALID_ARGUMENT: return "invalid argument";
        case LB_ERR_CONFIG: return "configuration error";
        case LB_ERR_TARGET: return "target error";
        case LB_ERR_CANCELLED: return "cancelled";
        case LB_ERR_UNSUPPORTED: return "unsupported";
        case LB_ERR_STATE: return "wrong call order";
        case LB_ERR_INTERNAL: return "internal plugin error";
        default: return "status " + std::to_string(s);
        }
    }

private:
    lb_status status_;
    std::string message_;
    std::vector<std::pair<std::string, std::string>> settingErrors_;
};

namespace hostdetail {

/// What the lb_host* handle given to one instance points at.
struct Binding {
    HostServices* services;
    std::string plugin;
};

/// What the lb_call* handle of one call points at: everything the plugin reported.
struct CallResults {
    std::string error;
    std::vector<std::pair<std::string, std::string>> settingErrors;
    std::vector<Outcome> outcomes;
    std::vector<Document> documents;
    std::vector<MasterRecord> records;  ///< read_master_data: the page's records
    std::string nextCursor;             ///< read_master_data: empty = last page
    std::string recordProblem;          ///< the first malformed record (too small, no id or name)
    /// Called with each outcome as the plugin reports it (e.g. a test cancelling mid-batch).
    std::function<void(const Outcome&)> onOutcome;
};

inline Binding& bind(lb_host* h) { return *reinterpret_cast<Binding*>(h); }
inline CallResults& results(lb_call* c) { return *reinterpret_cast<CallResults*>(c); }

inline int32_t deliver(const std::optional<std::string>& v, lb_receive_fn receive, void* user) {
    if (!v) return 0;
    receive(user, v->data(), v->size());
    return 1;
}

inline void hLog(lb_host* h, int32_t level, const char* message) {
    try {
        bind(h).services->log(bind(h).plugin, static_cast<LogLevel>(level), detail::str(message));
    } catch (...) {
    }
}
inline lb_status hHttp(lb_host* h, const lb_http_request* r, lb_receive_response_fn receive, void* user) {
    try {
        if (!r || !receive) return LB_ERR_INVALID_ARGUMENT;
        if (bind(h).services->cancelled()) return LB_ERR_CANCELLED;
        HttpRequest req;
        req.method = detail::str(r->method);
        req.url = detail::str(r->url);
        for (std::size_t i = 0; r->headers && i < r->header_count; ++i)
            req.headers.emplace_back(detail::str(r->headers[i].name), detail::str(r->headers[i].value));
        if (r->body) req.body.assign(r->body, r->body_size);
        req.timeoutMs = r->timeout_ms;
        req.useTargetToken = r->use_target_token != 0;
        std::string error;
        const std::optional<HttpResponse> resp = bind(h).services->http(bind(h).plugin, req, error);
        std::vector<lb_header> headers;
        if (resp)
            for (const auto& [n, v] : resp->headers) headers.push_back(lb_header{n.c_str(), v.c_str()});
        const lb_http_response c{sizeof(lb_http_response), resp ? resp->status : 0, headers.data(), headers.size(),
                                 resp ? resp->body.data() : nullptr, resp ? resp->body.size() : 0,
                                 error.empty() ? nullptr : error.c_str()};
        receive(user, &c);
        return resp ? LB_OK : LB_ERR_TARGET;
    } catch (...) {
        return LB_ERR_INTERNAL;
    }
}
inline int32_t hKvGet(lb_host* h, const char* key, lb_receive_fn receive, void* user) {
    try {
        return deliver(bind(h).services->kvGet(bind(h).plugin, detail::str(key)), receive, user);
    } catch (...) {
        return -1;
    }
}
inline lb_status hKvPut(lb_host* h, const char* key, const char* value, std::size_t size) {
    try {
        return bind(h).services->kvPut(bind(h).plugin, detail::str(key), std::string(value ? value : "", value ? size : 0))
                   ? LB_OK
                   : LB_ERR_INTERNAL;
    } catch (...) {
        return LB_ERR_INTERNAL;
    }
}
inline lb_status hKvErase(lb_host* h, const char* key) {
    try {
        return bind(h).services->kvErase(bind(h).plugin, detail::str(key)) ? LB_OK : LB_ERR_INTERNAL;
    } catch (...) {
        return LB_ERR_INTERNAL;
    }
}
inline int32_t hSecret(lb_host* h, const char* name, lb_receive_fn receive, void* user) {
    try {
        return deliver(bind(h).services->secret(bind(h).plugin, detail::str(name)), receive, user);
    } catch (...) {
        return -1;
    }
}
inline int32_t hToken(lb_host* h, lb_receive_fn receive, void* user) {
    try {
        return deliver(bind(h).services->accessToken(bind(h).plugin), receive, user);
    } catch (...) {
        return -1;
    }
}
inline int64_t hNow(lb_host* h) {
    try {
        return bind(h).services->nowMs();
    } catch (...) {
        return 0;
    }
}
inline int32_t hCancelled(lb_host* h) {
    try {
        return bind(h).services->cancelled() ? 1 : 0;
    } catch (...) {
        return 1;
    }
}
inline void hSetError(lb_call* c, const char* message) {
    try {
        results(c).error = detail::str(message);
    } catch (...) {
    }
}
inline void hSettingError(lb_call* c, const char* key, const char* message) {
    try {
        results(c).settingErrors.emplace_back(detail::str(key), detail::str(message));
    } catch (...) {
    }
}
inline void hOutcome(lb_call* c, const lb_outcome* o) {
    try {
        if (!o) return;
        CallResults& r = results(c);
        r.outcomes.push_back(fromC(*o));
        if (r.onOutcome) r.onOutcome(r.outcomes.back());
    } catch (...) {
    }
}
inline void hDocument(lb_call* c, const lb_document* d) {
    try {
        if (d) results(c).documents.push_back(fromC(*d));
    } catch (...) {
    }
}

inline void hRecord(lb_call* c, const lb_md_record* rec) {
    try {
        CallResults& r = results(c);
        if (!rec) return;
        // A record smaller than the 1.1 struct would be read past its end: refuse it by name.
        if (rec->struct_size < LB_SIZE_THROUGH(lb_md_record, updated_at)) {
            if (r.recordProblem.empty())
                r.recordProblem = "a record of " + std::to_string(rec->struct_size) + " bytes, expected at least " +
                                  std::to_string(LB_SIZE_THROUGH(lb_md_record, updated_at));
            return;
        }
        r.records.push_back(fromC(*rec));
    } catch (...) {
    }
}
inline void hNextCursor(lb_call* c, const char* cursor) {
    try {
        results(c).nextCursor = detail::str(cursor);
    } catch (...) {
    }
}

}  // namespace hostdetail

/// The host's C table (static; every slot filled). The ABI version is the one this header has.
inline const lb_host_api* hostApi() {
    using namespace hostdetail;
    static const lb_host_api table{sizeof(lb_host_api), LB_ABI_MAJOR, LB_ABI_MINOR, &hLog, &hHttp, &hKvGet,
                                   &hKvPut, &hKvErase, &hSecret, &hToken, &hNow, &hCancelled, &hSetError,
                                   &hSettingError, &hOutcome, &hDocument, &hRecord, &hNextCursor};
    return &table;
}

/// One plugin instance seen from the host. Not copyable; destroys the instance on destruction.
/// Every method throws CallFailed when the plugin returns an error status; the message is the
/// plugin's own (or a host default when it set none). The plugin's table must outlive this.
class PluginClient {
public:
    /// Creates an instance. `services` is not owned and must outlive the client.
    PluginClient(const lb_plugin_api* api, HostServices& services, std::string pluginName)
        : api_(api), binding_{&services, std::move(pluginName)} {
        hostdetail::CallResults r;
        lb_instance* inst = nullptr;
        finish("create", api_->create(hostApi(), reinterpret_cast<lb_host*>(&binding_), &inst, call(r)), r);
        if (!inst) throw CallFailed("create", LB_ERR_INTERNAL, "the plugin returned no instance", {});
        instance_ = inst;
    }
    ~PluginClient() {
        if (instance_) api_->destroy(instance_);
    }
    PluginClient(const PluginClient&) = delete;
    PluginClient& operator=(const PluginClient&) = delete;

    void configure(const std::vector<std::pair<std::string, std::string>>& settings) {
        std::vector<lb_setting> c;
        for (const auto& [k, v] : settings) c.push_back(lb_setting{k.c_str(), v.c_str()});
        hostdetail::CallResults r;
        finish("configure", api_->configure(instance_, c.data(), c.size(), call(r)), r);
    }
    void check() {
        hostdetail::CallResults r;
        finish("check", api_->check(instance_, call(r)), r);
    }
    /// The dry run of a batch: documents and rejections. Throws CallFailed (LB_ERR_INTERNAL)
    /// when the plugin broke the plan contract: an outcome other than Rejected, an entry index
    /// outside the batch, or both documents and a rejection for one entry.
    PlanResult plan(const std::vector<Entry>& entries) {
        EntryView view(entries, strides());
        hostdetail::CallResults r;
        finish("plan", api_->plan(instance_, view.data(), view.size(), call(r)), r);
        PlanResult out{std::move(r.documents), std::move(r.outcomes)};
        std::vector<int> state(entries.size(), 0);  // 1 documents, 2 rejected
        auto broken = [](const std::string& why) {
            return CallFailed("plan", LB_ERR_INTERNAL, "the plugin broke the dry-run contract: " + why, {});
        };
        for (const Document& d : out.documents) {
            if (d.entryIndex >= entries.size())
                throw broken("a document for entry " + std::to_string(d.entryIndex) + " of a batch of " +
                             std::to_string(entries.size()));
            state[d.entryIndex] |= 1;
        }
        for (const Outcome& o : out.rejections) {
            if (o.kind != OutcomeKind::Rejected)
                throw broken("outcome kind " + std::to_string(static_cast<int>(o.kind)) + " for entry " +
                             std::to_string(o.entryIndex) + " (only rejections are allowed during plan)");
            if (o.entryIndex >= entries.size())
                throw broken("a rejection for entry " + std::to_string(o.entryIndex) + " of a batch of " +
                             std::to_string(entries.size()));
            if (state[o.entryIndex] & 2)
                throw broken("entry " + std::to_string(o.entryIndex) + " rejected twice");
            state[o.entryIndex] |= 2;
        }
        for (std::size_t i = 0; i < state.size(); ++i)
            if (state[i] == 3) throw broken("entry " + std::to_string(i) + " has documents and a rejection");
        return out;
    }
    /// Returns the outcomes reported, in reporting order. On error status throws CallFailed;
    /// use pushPartial() to keep the outcomes reported before the failure (e.g. cancellation).
    std::vector<Outcome> push(const std::vector<Entry>& entries) {
        auto [status, r] = pushPartial(entries);
        finish("push", status, r);
        return std::move(r.outcomes);
    }
    /// `onOutcome` (optional) sees each outcome as it is reported, while push is still running.
    std::pair<lb_status, hostdetail::CallResults> pushPartial(const std::vector<Entry>& entries,
                                                              std::function<void(const Outcome&)> onOutcome = {}) {
        EntryView view(entries, strides());
        hostdetail::CallResults r;
        r.onOutcome = std::move(onOutcome);
        const lb_status status = api_->push(instance_, view.data(), view.size(), call(r));
        return {status, std::move(r)};
    }
    Outcome lookup(const Entry& entry) {
        std::vector<Entry> one{entry};
        EntryView view(one, strides());
        hostdetail::CallResults r;
        finish("lookup", api_->lookup(instance_, view.data(), call(r)), r);
        if (r.outcomes.size() != 1)
            throw CallFailed("lookup", LB_ERR_INTERNAL,
                             "the plugin reported " + std::to_string(r.outcomes.size()) + " outcomes, expected 1", {});
        return r.outcomes.front();
    }

    /// Whether the plugin's table has the master-data slot (ABI 1.1 and filled in).
    bool hasMasterData() const {
        return api_->abi_minor >= 1 && LB_HAS_FIELD(api_, lb_plugin_api, read_master_data) && api_->read_master_data;
    }

    /// One page of master data. Throws CallFailed: LB_ERR_UNSUPPORTED when the plugin has no
    /// master-data slot or not this kind; LB_ERR_INTERNAL when it broke the contract (a record of
    /// another kind, without an id or a name, a record too small for ABI 1.1, or the same
    /// cursor back as the one it was given, which would page forever).
    MasterDataPage readMasterData(const MasterDataRequest& request) {
        if (!hasMasterData())
            throw CallFailed("read_master_data", LB_ERR_UNSUPPORTED,
                             "the plugin (ABI " + std::to_string(api_->abi_major) + "." +
                                 std::to_string(api_->abi_minor) + ") has no master-data capability",
                             {});
        const lb_md_request c = toC(request);
        hostdetail::CallResults r;
        finish("read_master_data", api_->read_master_data(instance_, &c, call(r)), r);
        auto broken = [&](const std::string& why) {
            return CallFailed("read_master_data", LB_ERR_INTERNAL,
                              "the plugin broke the master-data contract reading " + masterKindName(request.kind) +
                                  ": " + why,
                              {});
        };
        if (!r.recordProblem.empty()) throw broken(r.recordProblem);
        for (const MasterRecord& rec : r.records) {
            if (rec.kind != request.kind)
                throw broken("record '" + rec.id + "' is a " + masterKindName(rec.kind));
            if (rec.id.empty()) throw broken("a record without an id (name '" + rec.name + "')");
            if (rec.name.empty()) throw broken("record '" + rec.id + "' has no name");
        }
        if (!r.nextCursor.empty() && r.nextCursor == request.cursor)
            throw broken("it returned the cursor it was given ('" + r.nextCursor + "') as the next one");
        return MasterDataPage{std::move(r.records), std::move(r.nextCursor)};
    }

    /// Throws CallFailed for a non-OK status; the message defaults to the status name.
    static void finish(const std::string& op, lb_status status, hostdetail::CallResults& r) {
        if (status == LB_OK) return;
        std::string message = r.error.empty() ? "the plugin gave no reason" : r.error;
        throw CallFailed(op, status, message, std::move(r.settingErrors));
    }

private:
    static lb_call* call(hostdetail::CallResults& r) { return reinterpret_cast<lb_call*>(&r); }
    /// Arrays are laid out with the struct sizes of the minor the plugin declared.
    ArrayStrides strides() const { return arrayStridesForMinor(api_->abi_minor); }
    const lb_plugin_api* api_;
    hostdetail::Binding binding_;
    lb_instance* instance_ = nullptr;
};

}  // namespace ledgerbridge::sdk
