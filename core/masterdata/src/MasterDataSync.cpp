// The master-data sync: see MasterDataSync.h and README.md.
#include "ledgerbridge/masterdata/MasterDataSync.h"

#include <chrono>
#include <map>
#include <set>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/masterdata/PleoKinds.h"

namespace ledgerbridge::masterdata {

using sdk::MasterKind;

namespace {
std::string nameOf(const PleoForm& f) {
    auto it = f.fields.find("name");
    return it == f.fields.end() ? "" : it->second;
}
}  // namespace

struct MasterDataSync::Context {
    MappingContext mapping;
};

void MasterDataSync::checkCancel() const {
    if (options_.cancel && options_.cancel->load()) throw InterruptedError("the sync was interrupted; run it again to finish");
}

void MasterDataSync::run(SyncReport& report, const std::string& changedSince) {
    context_ = std::make_shared<Context>();
    report.dryRun = options_.dryRun;
    for (MasterKind kind : sdk::allMasterKinds()) {
        checkCancel();
        // Tax codes and dimensions are read whole: accounts and dimension values name them.
        const bool whole = kind == MasterKind::TaxCode || kind == MasterKind::Dimension;
        syncKind(kind, report, whole ? std::string() : changedSince);
    }
}

namespace {

/// Every page of one kind; nullopt when the ERP has no such kind.
std::optional<std::vector<sdk::MasterRecord>> readAll(const PageReader& read, MasterKind kind, const std::string& changedSince,
                                                      std::size_t pageSize, std::int64_t& pages) {
    std::vector<sdk::MasterRecord> out;
    sdk::MasterDataRequest request;
    request.kind = kind;
    request.changedSince = changedSince;
    request.pageSize = pageSize;
    std::set<std::string> cursors;
    for (;;) {
        std::optional<sdk::MasterDataPage> page = read(request);
        ++pages;
        if (!page) return std::nullopt;
        for (auto& r : page->records) {
            if (r.kind != kind)
                throw PluginError("the plugin returned a " + sdk::masterKindName(r.kind) + " record (ERP id " + r.id +
                                  ") when asked for " + sdk::masterKindName(kind) + " records");
            out.push_back(std::move(r));
        }
        if (page->nextCursor.empty()) return out;
        if (!cursors.insert(page->nextCursor).second)
            throw PluginError("the plugin repeated the cursor '" + page->nextCursor + "' while reading " +
                              sdk::masterKindName(kind) + " records (it would never end)");
        request.cursor = page->nextCursor;
    }
}

std::string describe(const PleoForm& f) {
    std::string s = sdk::masterKindName(f.kind) + " " + (f.code.empty() ? f.key : f.code);
    auto name = f.fields.find("name");
    if (name != f.fields.end()) s += " '" + name->second + "'";
    return s;
}

/// "name: 'Old' → 'New', archived: false → true" for a dry run's update line.
std::string difference(const PleoForm& from, const PleoForm& to) {
    std::string out;
    for (const auto& [k, v] : to.fields) {
        auto it = from.fields.find(k);
        std::string old = it == from.fields.end() ? "" : it->second;
        if (old != v) out += (out.empty() ? "" : ", ") + k + ": '" + old + "' → '" + v + "'";
    }
    if (from.archived != to.archived)
        out += std::string(out.empty() ? "" : ", ") + "archived: " + (from.archived ? "true" : "false") + " → " +
               (to.archived ? "true" : "false");
    return out;
}

}  // namespace

void MasterDataSync::syncKind(MasterKind kind, SyncReport& report, const std::string& changedSince) {
    const std::string kindName = sdk::masterKindName(kind);
    KindCounts& counts = report.counts(kindName);
    auto records = readAll(read_, kind, changedSince, options_.pageSize, report.erpPages);
    if (!records) {
        // The ERP has no such kind: Pleo's records of it are not ours to touch.
        counts.supported = false;
        return;
    }
    std::map<std::string, store::SyncedRecord> synced = state_.load(kindName);

    // The ERP's records in Pleo's form; what the store says is already there is unchanged.
    struct Wanted {
        std::string erpId;
        PleoForm form;
        std::string hash;
    };
    std::vector<Wanted> todo;
    std::set<std::string> seenIds, seenKeys;
    auto refuse = [&](const std::string& erpId, const std::string& code, const std::string& reason) {
        report.refusals.push_back({kindName, erpId, code, reason});
        ++counts.refused;
        log::warn("master data refused", {{"kind", kindName}, {"erp_id", erpId}, {"code", code}, {"reason", reason}});
    };
    for (const sdk::MasterRecord& r : *records) {
        if (r.id.empty()) {
            refuse("", r.code, "the ERP record has no id");
            continue;
        }
        if (!seenIds.insert(r.id).second) {
            refuse(r.id, r.code, "the ERP returned this id twice");
            continue;
        }
        auto mapped = toPleoForm(r, context_->mapping);
        if (auto* why = std::get_if<std::string>(&mapped)) {
            refuse(r.id, r.code, *why);
            continue;
        }
        PleoForm form = std::get<PleoForm>(std::move(mapped));
        if (!seenKeys.insert(form.key).second) {
            refuse(r.id, r.code, "another ERP record of this kind has the same " +
                                     std::string(kind == MasterKind::Account || kind == MasterKind::Supplier ? "id" : "code") +
                                     " '" + form.key + "' (Pleo matches by it)");
            continue;
        }
        if (kind == MasterKind::TaxCode) context_->mapping.taxCodeById[r.id] = r.code;
        if (kind == MasterKind::Dimension) context_->mapping.dimensionById[r.id] = r.code;
        std::string hash = form.hash();
        auto known = synced.find(r.id);
        if (!options_.full && known != synced.end() && known->second.hash == hash) {
            ++counts.unchanged;
            continue;
        }
        todo.push_back({r.id, std::move(form), std::move(hash)});
    }
    // Records the ERP no longer lists (only knowable from a whole read): archived in Pleo.
    std::vector<std::string> gone;
    if (changedSince.empty())
        for (const auto& [erpId, rec] : synced)
            if (!seenIds.count(erpId)) gone.push_back(erpId);
    if (!changedSince.empty())
        for (const auto& [erpId, rec] : synced)
            if (!seenIds.count(erpId)) ++counts.unchanged;  // not changed since the last sync
    if (todo.empty() && gone.empty()) return;

    // Something differs: read what Pleo holds of this kind, once.
    checkCancel();
    auto pleoKindApi = pleoKind(kind, api_, company_);
    std::map<std::string, PleoForm> byKey, byId, accountByCode;
    auto index = [&] {
        byKey.clear();
        byId.clear();
        accountByCode.clear();
        for (PleoForm& f : pleoKindApi->list()) {
            byId[f.pleoId] = f;
            if (kind == MasterKind::Account && !f.code.empty()) accountByCode[f.code] = f;
            byKey[f.key] = std::move(f);
        }
    };
    index();

    auto remember = [&](const Wanted& w, const std::string& pleoId) {
        if (!options_.dryRun) state_.put(kindName, w.erpId, {w.hash, pleoId});
    };
    auto tryWrite = [&](const Wanted& w, const std::function<void()>& write) {
        try {
            write();
            return true;
        } catch (const HttpStatusError& e) {
            if (!isRecordRefusal(e.status())) throw;
            refuse(w.erpId, w.form.code, e.what());
            return false;
        }
    };
    // Brings an existing Pleo record to what the ERP says.
    auto reconcile = [&](const Wanted& w, const PleoForm& current) {
        if (current.sameAs(w.form)) {
            ++counts.unchanged;
            remember(w, current.pleoId);
            return;
        }
        PleoForm unarchivedCurrent = current;
        unarchivedCurrent.archived = w.form.archived;
        const bool onlyArchive = w.form.archived && !current.archived && unarchivedCurrent.sameAs(w.form);
        if (options_.dryRun) {
            report.changes.push_back((onlyArchive ? "archive " : "update ") + describe(current) + " (ERP id " + w.erpId +
                                     ")" + (onlyArchive ? "" : ": " + difference(current, w.form)));
            ++(onlyArchive ? counts.archived : counts.updated);
            return;
        }
        if (tryWrite(w, [&] {
                if (onlyArchive)
                    pleoKindApi->archive({current});
                else
                    pleoKindApi->update(current, w.form);
            })) {
            ++(onlyArchive ? counts.archived : counts.updated);
            remember(w, current.pleoId);
        }
    };

    std::vector<const Wanted*> toCreate;
    for (const Wanted& w : todo) {
        checkCancel();
        auto it = byKey.find(w.form.key);
        if (it != byKey.end()) {
            reconcile(w, it->second);
        } else if (auto clash = accountByCode.find(w.form.code); clash != accountByCode.end()) {
            // Matched by code: Pleo has this account number under another external id (made by
            // hand or by another integration). Its external id cannot be changed, and taking it
            // over could recode expenses already booked on it: named, left alone.
            refuse(w.erpId, w.form.code,
                   "Pleo already has account " + w.form.code + " ('" + nameOf(clash->second) +
                       "') under another external id ('" + clash->second.key +
                       "'), which Pleo does not let an integration change; give the ERP's account that id, or "
                       "archive or renumber Pleo's account");
        } else if (w.form.archived) {
            // Archived in the ERP and never in Pleo: nothing to create.
            ++counts.unchanged;
            remember(w, "");
        } else if (options_.dryRun) {
            report.changes.push_back("create " + describe(w.form) + " (ERP id " + w.erpId + ")");
            ++counts.created;
        } else {
            toCreate.push_back(&w);
        }
    }
    if (!toCreate.empty()) {
        std::map<std::string, const Wanted*> byWantedKey;
        std::vector<PleoForm> forms;
        for (const Wanted* w : toCreate) {
            byWantedKey[w->form.key] = w;
            forms.push_back(w->form);
        }
        std::vector<const Wanted*> exists;
        pleoKindApi->createMany(forms, [&](const PleoKind::CreateResult& r) {
            auto w = byWantedKey.find(r.key);
            if (w == byWantedKey.end()) throw ProtocolError("Pleo answered a create of " + kindName + " '" + r.key + "' that was not asked for");
            if (r.created) {
                ++counts.created;
                remember(*w->second, r.created->pleoId);
            } else if (r.exists) {
                exists.push_back(w->second);  // a create whose answer was lost, or made by hand
            } else {
                refuse(w->second->erpId, w->second->form.code, r.refusal);
            }
            checkCancel();
        });
        if (!exists.empty()) {
            index();
            for (const Wanted* w : exists) {
                auto it = byKey.find(w->form.key);
                if (it == byKey.end())
                    refuse(w->erpId, w->form.code, "Pleo says it exists (409) but does not list it");
                else
                    reconcile(*w, it->second);
            }
        }
    }
    std::vector<PleoForm> toArchive;
    for (const std::string& erpId : gone) {
        auto it = byId.find(synced[erpId].pleoId);
        if (it != byId.end() && !it->second.archived) {
            if (options_.dryRun) report.changes.push_back("archive " + describe(it->second) + " (ERP id " + erpId + ": no longer in the ERP)");
            toArchive.push_back(it->second);
        }
    }
    if (!toArchive.empty() && !options_.dryRun) pleoKindApi->archive(toArchive);
    counts.archived += static_cast<int>(toArchive.size());
    if (!options_.dryRun)
        for (const std::string& erpId : gone) state_.erase(kindName, erpId);
}

}  // namespace ledgerbridge::masterdata
