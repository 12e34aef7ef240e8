// The SIE plugin's operations: check, plan, push (idempotent, atomic per job file), lookup.
#include "SiePlugin.hpp"

#include <ledgerbridge/atomic_file.hpp>

#include <unistd.h>

#include <ctime>
#include <map>
#include <set>
#include <stdexcept>

#include "Cp437.hpp"
#include "SieFile.hpp"
#include "SieMapping.hpp"
#include "SieMasterData.hpp"

namespace ledgerbridge::sie {

namespace {
std::string today() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
    return buf;
}

// The output directory is the target: a file that cannot be listed, read or written is the
// target's failure (LB_ERR_TARGET: nothing is decided for the entries, the host keeps them
// unknown or retries), not a defect of the plugin.
template <typename F>
auto onTarget(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const sdk::Error&) {
        throw;
    } catch (const std::runtime_error& e) {
        throw sdk::Error(LB_ERR_TARGET, e.what());
    }
}
}  // namespace

void SiePlugin::configure(const sdk::Settings& settings) {
    staleTempFilesRemoved_ = false;
    config_ = parseSieSettings(settings);
    index_.emplace(config_.outputDir, config_.filePrefix);
}

void SiePlugin::check() {
    if (::access(config_.outputDir.c_str(), W_OK | X_OK) != 0)
        throw sdk::Error(LB_ERR_TARGET, "the output directory " + config_.outputDir + " is not writable");
}

std::string SiePlugin::pathFor(const std::string& jobId) const {
    std::string job = jobId;
    for (char& c : job)
        if (c == '/' || c == '\\' || c == '\0') c = '_';
    return config_.outputDir + "/" + config_.filePrefix + job + ".se";
}

sdk::Outcome SiePlugin::posted(const std::string& path, const sdk::Entry& e) const {
    return sdk::Outcome::posted(path.substr(path.rfind('/') + 1) + "#" + e.accountingEntryId, "file://" + path);
}

std::string SiePlugin::encode(const std::string& text, const std::string& what) const {
    std::size_t replaced = 0, spelled = 0;
    std::string bytes = toCp437(text, &replaced, &spelled);
    if (replaced || spelled)
        host().warn(std::to_string(replaced + spelled) + " character(s) of " + what + " have no CP437 (PC8) form: " +
                    std::to_string(spelled) + " written as the nearest ASCII letters, " + std::to_string(replaced) +
                    " as '?'");
    return bytes;
}

std::string SiePlugin::head() const { return encode(headRecords(config_, today()), "the head"); }

std::variant<SiePlugin::Prepared, sdk::Outcome> SiePlugin::prepare(const sdk::Entry& e) const {
    auto mapped = mapEntry(e, config_);
    if (auto* rejected = std::get_if<sdk::Outcome>(&mapped)) return *rejected;
    const SieVoucher& voucher = std::get<SieVoucher>(mapped);
    Prepared p;
    p.records = encode(verificationRecords(voucher, config_.series), "entry " + e.accountingEntryId);
    if (auto rejected = unbalanced(e.accountingEntryId, p.records)) return *rejected;
    for (const auto& record : declarations(voucher, config_))
        p.declarations.push_back(encode(record, "the objects of entry " + e.accountingEntryId));
    return p;
}

std::vector<SiePlugin::Step> SiePlugin::steps(const std::vector<sdk::Entry>& batch) {
    onTarget([&] { index_->refresh(); });
    std::vector<Step> out;
    std::map<std::string, std::string> inBatch;  // entry id -> file, for repeats within the batch
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const sdk::Entry& e = batch[i];
        Step step;
        step.index = i;
        // What is in the books is reported posted first, whatever the entry or the settings
        // say now: it must never be written twice, nor reported rejected while booked.
        if (const auto found = index_->find(e.accountingEntryId, e.idempotencyKey)) {
            step.path = found->path;
            step.written = true;
            if (!found->sameKey)
                host().warn("entry " + e.accountingEntryId + " is already in " + found->path +
                            " under another idempotency key (its booking may have changed in Pleo); it is not "
                            "written again — correct the voucher in the books if needed");
        } else if (const auto seen = inBatch.find(e.accountingEntryId); seen != inBatch.end()) {
            step.path = seen->second;
            step.repeat = true;
        } else {
            auto prepared = prepare(e);
            if (auto* rejected = std::get_if<sdk::Outcome>(&prepared)) {
                step.rejected = *rejected;
            } else {
                step.path = pathFor(e.exportJobId);
                step.prepared = std::move(std::get<Prepared>(prepared));
                inBatch.emplace(e.accountingEntryId, step.path);
            }
        }
        out.push_back(std::move(step));
    }
    return out;
}

namespace {
sdk::Document documentOf(std::size_t index, const std::string& path, const std::string& records) {
    return sdk::Document{index, "append to " + path, "text/plain; charset=IBM437", records};
}

// What a dry run says for an entry push would not write again: an empty document whose action
// names where it already is, so the dry run still accounts for the entry (push reports it
// posted with that external id).
sdk::Document nothingToWrite(std::size_t index, const std::string& where) {
    return sdk::Document{index, "nothing to write: already in " + where, "text/plain; charset=IBM437", {}};
}
}  // namespace

std::vector<sdk::Document> SiePlugin::plan(const std::vector<sdk::Entry>& batch) {
    std::vector<sdk::Document> docs;
    for (const Step& s : steps(batch)) {
        if (s.prepared) docs.push_back(documentOf(s.index, s.path, s.prepared->records));
        else if (!s.rejected) docs.push_back(nothingToWrite(s.index, posted(s.path, batch[s.index]).externalId));
    }
    return docs;
}

void SiePlugin::planBatch(const std::vector<sdk::Entry>& batch, sdk::PlanSink& sink) {
    for (const Step& s : steps(batch)) {
        if (s.rejected) sink.reject(s.index, *s.rejected);
        else if (s.prepared) sink.document(documentOf(s.index, s.path, s.prepared->records));
        else sink.document(nothingToWrite(s.index, posted(s.path, batch[s.index]).externalId));
    }
}

void SiePlugin::removeStaleTempFiles() {
    if (staleTempFilesRemoved_) return;
    staleTempFilesRemoved_ = true;
    const auto ours = [this](const std::string& name) {
        return name.rfind(config_.filePrefix, 0) == 0 && name.size() >= 3 && name.compare(name.size() - 3, 3, ".se") == 0;
    };
    const sdk::StaleTempFilesReport report = sdk::cleanStaleTempFiles(config_.outputDir, ours);
    if (report.failed)
        host().warn(report.message);
    else if (!report.message.empty())
        host().info(report.message);
}

void SiePlugin::push(const std::vector<sdk::Entry>& batch, sdk::OutcomeSink& outcomes) {
    removeStaleTempFiles();
    const std::vector<Step> all = steps(batch);
    std::map<std::string, std::vector<const Step*>> byFile;
    for (const Step& s : all) {
        if (s.rejected) outcomes.report(s.index, *s.rejected);
        else if (s.written) outcomes.report(s.index, posted(s.path, batch[s.index]));
        else if (s.prepared) byFile[s.path].push_back(&s);
    }
    for (const auto& [path, fileSteps] : byFile) {
        host().throwIfCancelled();  // between files: what is written stays reported
        SieFile file(path, config_.fileMode);
        onTarget([&] { file.load(); });
        SieAddition addition;
        addition.head = head();
        for (const Step* s : fileSteps) {
            addition.verifications += s->prepared->records;
            addition.declarations.insert(addition.declarations.end(), s->prepared->declarations.begin(),
                                         s->prepared->declarations.end());
        }
        onTarget([&] { file.append(addition, config_.checksum); });
        index_->update(file);
        for (const Step* s : fileSteps) outcomes.report(s->index, posted(path, batch[s->index]));
    }
    // An entry offered twice in one batch is written once; the repeat reports the same posting.
    for (const Step& s : all)
        if (s.repeat) outcomes.report(s.index, posted(s.path, batch[s.index]));
}

sdk::Outcome SiePlugin::lookup(const sdk::Entry& e) {
    onTarget([&] { index_->refresh(); });  // cannot tell: throw, never answer absent on a guess
    const auto found = index_->find(e.accountingEntryId, e.idempotencyKey);
    return found ? posted(found->path, e) : sdk::Outcome::absent();
}

sdk::MasterDataPage SiePlugin::readMasterData(const sdk::MasterDataRequest& request) {
    const std::string kind = sdk::masterKindName(request.kind);
    if (config_.masterDataFile.empty())
        throw sdk::Error(LB_ERR_UNSUPPORTED, "no " + kind + " master data: the setting master_data_file names no SIE file");
    if (request.kind == sdk::MasterKind::TaxCode || request.kind == sdk::MasterKind::Supplier)
        throw sdk::Error(LB_ERR_UNSUPPORTED, "no " + kind + " master data: an SIE 4 file has no register of " +
                                                 (request.kind == sdk::MasterKind::TaxCode ? "tax codes" : "suppliers"));
    // A kind of a later ABI minor is unsupported too, never an empty page (the host would
    // archive everything Pleo holds of it).
    if (request.kind != sdk::MasterKind::Account && request.kind != sdk::MasterKind::Dimension &&
        request.kind != sdk::MasterKind::DimensionValue)
        throw sdk::Error(LB_ERR_UNSUPPORTED, "no " + kind + " master data: an SIE 4 file holds accounts and dimensions");
    const std::string& file = config_.masterDataFile;
    return masterData_.page(request, file, [&](const std::string& bytes) { return parseSieMasterData(file, bytes); });
}

}  // namespace ledgerbridge::sie
