// Pleo's master-data kinds in PleoForm: see PleoKinds.h.
#include "ledgerbridge/masterdata/PleoKinds.h"

#include <map>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/pleo/ChartOfAccountsClient.h"
#include "ledgerbridge/pleo/TagsClient.h"
#include "ledgerbridge/pleo/TaxCodesClient.h"
#include "ledgerbridge/pleo/VendorsClient.h"

namespace ledgerbridge::masterdata {

using sdk::MasterKind;

bool isRecordRefusal(int status) { return status == 400 || status == 409 || status == 422; }

void PleoKind::createMany(const std::vector<PleoForm>& desired, const std::function<void(const CreateResult&)>& done) {
    for (const PleoForm& d : desired) {
        CreateResult r;
        r.key = d.key;
        try {
            r.created = create(d);
        } catch (const HttpStatusError& e) {
            if (!isRecordRefusal(e.status())) throw;
            r.exists = e.status() == 409;
            r.refusal = e.what();
        }
        done(r);
    }
}

namespace {

const std::string& field(const PleoForm& f, const std::string& k) {
    static const std::string none;
    auto it = f.fields.find(k);
    return it == f.fields.end() ? none : it->second;
}

// ---- tax codes ---------------------------------------------------------------------------------

class TaxCodes : public PleoKind {
public:
    TaxCodes(pleo::PleoApi& api, std::string company) : client_(api), company_(std::move(company)) {}
    std::vector<PleoForm> list() override {
        std::vector<PleoForm> out;
        for (const pleo::TaxCode& t : client_.search(company_)) out.push_back(form(t));
        return out;
    }
    PleoForm update(const PleoForm& current, const PleoForm& d) override {
        return form(client_.update(company_, current.pleoId, input(d)));
    }
    void archive(const std::vector<PleoForm>& current) override {
        for (const PleoForm& c : current) {
            PleoForm d = c;
            d.archived = true;
            client_.update(company_, c.pleoId, input(d));
        }
    }

protected:
    PleoForm create(const PleoForm& d) override { return form(client_.create(company_, input(d))); }

private:
    static pleo::TaxCodeInput input(const PleoForm& d) {
        return {field(d, "name"), field(d, "rate"), field(d, "type"), d.key, field(d, "ingoingTaxAccount"),
                field(d, "outgoingTaxAccount"), d.archived};
    }
    static PleoForm form(const pleo::TaxCode& t) {
        PleoForm f;
        f.kind = MasterKind::TaxCode;
        f.key = f.code = t.code;
        f.pleoId = t.id;
        f.archived = t.archived;
        f.fields = {{"name", t.name},
                    {"rate", canonicalDecimal(t.rate)},
                    {"type", t.type},
                    {"ingoingTaxAccount", t.ingoingTaxAccount},
                    {"outgoingTaxAccount", t.outgoingTaxAccount}};
        return f;
    }
    pleo::TaxCodesClient client_;
    std::string company_;
};

// ---- accounts ----------------------------------------------------------------------------------

class Accounts : public PleoKind {
public:
    Accounts(pleo::PleoApi& api, std::string company) : client_(api), company_(std::move(company)) {}
    std::vector<PleoForm> list() override {
        std::vector<PleoForm> out;
        for (const pleo::Account& a : client_.search(company_)) out.push_back(form(a));
        return out;
    }
    /// The batch endpoint: one request per 1000 accounts instead of one per account.
    void createMany(const std::vector<PleoForm>& desired, const std::function<void(const CreateResult&)>& done) override {
        for (std::size_t at = 0; at < desired.size(); at += pleo::ChartOfAccountsClient::kMaxBatch) {
            std::vector<pleo::AccountInput> inputs;
            for (std::size_t i = at; i < desired.size() && i < at + pleo::ChartOfAccountsClient::kMaxBatch; ++i)
                inputs.push_back(input(desired[i]));
            pleo::AccountBatchResult result = client_.createBatch(company_, inputs);
            for (const pleo::Account& a : result.created) {
                CreateResult r;
                r.key = a.externalId;
                r.created = form(a);
                done(r);
            }
            for (const auto& failed : result.failed) {
                CreateResult r;
                r.key = failed.externalId;
                std::string reasons;
                for (const auto& why : failed.reasons) {
                    reasons += (reasons.empty() ? "" : ", ") + why;
                    if (why == "EXTERNAL_ID_ALREADY_EXISTS") r.exists = true;
                }
                r.refusal = "POST /v1/chart-of-accounts/batch refused it: " + reasons;
                done(r);
            }
        }
    }
    PleoForm update(const PleoForm& current, const PleoForm& d) override {
        return form(client_.update(current.pleoId, input(d)));
    }
    void archive(const std::vector<PleoForm>& current) override {
        for (const PleoForm& c : current) {
            PleoForm d = c;
            d.archived = true;
            client_.update(c.pleoId, input(d));
        }
    }

protected:
    PleoForm create(const PleoForm& d) override { return form(client_.create(company_, input(d))); }

private:
    static pleo::AccountInput input(const PleoForm& d) {
        return {d.key, field(d, "name"), field(d, "code"), field(d, "taxCodeExternalId"), d.archived};
    }
    static PleoForm form(const pleo::Account& a) {
        PleoForm f;
        f.kind = MasterKind::Account;
        f.key = a.externalId;
        f.code = a.code;
        f.pleoId = a.id;
        f.archived = a.archived;
        f.fields = {{"name", a.name}, {"code", a.code}, {"taxCodeExternalId", a.taxCodeExternalId}};
        return f;
    }
    pleo::ChartOfAccountsClient client_;
    std::string company_;
};

// ---- tag groups ----------------------------------------------------------------------------------

PleoForm groupForm(const pleo::TagGroup& g) {
    PleoForm f;
    f.kind = MasterKind::Dimension;
    f.key = f.code = g.code;
    f.pleoId = g.id;
    f.archived = g.archived;
    f.fields = {{"name", g.name}};
    return f;
}

class TagGroups : public PleoKind {
public:
    TagGroups(pleo::PleoApi& api, std::string company) : client_(api), company_(std::move(company)) {}
    std::vector<PleoForm> list() override {
        std::vector<PleoForm> out;
        for (const pleo::TagGroup& g : client_.groups(company_, true)) out.push_back(groupForm(g));
        return out;
    }
    PleoForm update(const PleoForm& current, const PleoForm& d) override {
        return groupForm(client_.updateGroup({current.pleoId, company_, d.key, field(d, "name"), d.archived}));
    }
    void archive(const std::vector<PleoForm>& current) override {
        for (const PleoForm& c : current) client_.updateGroup({c.pleoId, company_, c.key, field(c, "name"), true});
    }

protected:
    PleoForm create(const PleoForm& d) override { return groupForm(client_.createGroup(company_, d.key, field(d, "name"))); }

private:
    pleo::TagsClient client_;
    std::string company_;
};

// ---- tags ----------------------------------------------------------------------------------

class Tags : public PleoKind {
public:
    Tags(pleo::PleoApi& api, std::string company) : client_(api), company_(std::move(company)) {}
    std::vector<PleoForm> list() override {
        std::vector<PleoForm> out;
        groupIds_.clear();
        for (const pleo::TagGroup& g : client_.groups(company_, true)) {
            groupIds_[g.code] = g.id;
            for (const pleo::Tag& t : client_.tags(g.id, true)) out.push_back(form(t, g.code));
        }
        return out;
    }
    PleoForm update(const PleoForm& current, const PleoForm& d) override {
        return form(client_.updateTag({current.pleoId, current.parentPleoId, d.code, field(d, "name"), d.archived}),
                    field(d, "group"));
    }
    void archive(const std::vector<PleoForm>& current) override {
        for (std::size_t at = 0; at < current.size(); at += 100) {
            std::vector<std::string> ids;
            for (std::size_t i = at; i < current.size() && i < at + 100; ++i) ids.push_back(current[i].pleoId);
            client_.archiveTags(company_, ids);
        }
    }

protected:
    PleoForm create(const PleoForm& d) override {
        auto group = groupIds_.find(field(d, "group"));
        if (group == groupIds_.end())
            throw HttpStatusError("Pleo has no tag group '" + field(d, "group") + "' for the tag " + d.code, 400);
        return form(client_.createTag(group->second, d.code, field(d, "name")), group->first);
    }

private:
    static PleoForm form(const pleo::Tag& t, const std::string& groupCode) {
        PleoForm f;
        f.kind = MasterKind::DimensionValue;
        f.code = t.code;
        f.key = groupCode + "/" + t.code;
        f.pleoId = t.id;
        f.parentPleoId = t.groupId;
        f.archived = t.archived;
        f.fields = {{"name", t.name}, {"group", groupCode}};
        return f;
    }
    pleo::TagsClient client_;
    std::string company_;
    std::map<std::string, std::string> groupIds_;  ///< tag group code → id, from the last list()
};

// ---- vendors ----------------------------------------------------------------------------------

class Vendors : public PleoKind {
public:
    Vendors(pleo::PleoApi& api, std::string company) : client_(api), company_(std::move(company)) {}
    std::vector<PleoForm> list() override {
        std::vector<PleoForm> out;
        // Vendors without an external id are Pleo's own (drafts a user made): not the ERP's.
        for (const pleo::Vendor& v : client_.search(company_))
            if (!v.externalId.empty()) out.push_back(form(v));
        return out;
    }
    PleoForm update(const PleoForm& current, const PleoForm& d) override {
        return form(client_.update(company_, current.pleoId, input(d, d.archived ? "ARCHIVED" : "ACTIVE")));
    }
    void archive(const std::vector<PleoForm>& current) override {
        for (const PleoForm& c : current) client_.archive(c.pleoId);
    }

protected:
    PleoForm create(const PleoForm& d) override { return form(client_.create(company_, input(d, ""))); }

private:
    static pleo::VendorInput input(const PleoForm& d, const std::string& state) {
        pleo::VendorInput in;
        in.name = field(d, "name");
        in.defaultCurrency = field(d, "defaultCurrency");
        in.externalId = d.key;
        in.code = field(d, "code");
        in.country = field(d, "country");
        in.registrationNumber = field(d, "registrationNumber");
        in.taxRegistrationNumber = field(d, "taxRegistrationNumber");
        in.state = state;
        return in;
    }
    static PleoForm form(const pleo::Vendor& v) {
        PleoForm f;
        f.kind = MasterKind::Supplier;
        f.key = v.externalId;
        f.code = v.code;
        f.pleoId = v.id;
        f.archived = v.state == "ARCHIVED";
        f.fields = {{"name", v.name},
                    {"code", v.code},
                    {"defaultCurrency", v.defaultCurrency},
                    {"country", v.country},
                    {"registrationNumber", v.registrationNumber},
                    {"taxRegistrationNumber", v.taxRegistrationNumber}};
        return f;
    }
    pleo::VendorsClient client_;
    std::string company_;
};

}  // namespace

std::unique_ptr<PleoKind> pleoKind(MasterKind kind, pleo::PleoApi& api, const std::string& companyId) {
    switch (kind) {
    case MasterKind::TaxCode: return std::make_unique<TaxCodes>(api, companyId);
    case MasterKind::Account: return std::make_unique<Accounts>(api, companyId);
    case MasterKind::Dimension: return std::make_unique<TagGroups>(api, companyId);
    case MasterKind::DimensionValue: return std::make_unique<Tags>(api, companyId);
    case MasterKind::Supplier: return std::make_unique<Vendors>(api, companyId);
    }
    throw UsageError("internal: no Pleo kind for " + sdk::masterKindName(kind));
}

}  // namespace ledgerbridge::masterdata
