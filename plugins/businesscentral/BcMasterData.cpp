// Business Central master data: see BcMasterData.hpp and README.md ("Master data").
#include "BcMasterData.hpp"

#include <Poco/JSON/Array.h>

namespace ledgerbridge::businesscentral {

namespace {
using Poco::JSON::Object;

struct KindCall {
    const char* path;  ///< entity set under the company
    const char* what;  ///< for messages
};

KindCall callOf(sdk::MasterKind kind) {
    switch (kind) {
    case sdk::MasterKind::Account: return {"/accounts", "accounts"};
    case sdk::MasterKind::TaxCode: return {"/taxGroups", "tax groups"};
    case sdk::MasterKind::Dimension: return {"/dimensions", "dimensions"};
    case sdk::MasterKind::DimensionValue: return {"/dimensionValues", "dimension values"};
    case sdk::MasterKind::Supplier: return {"/vendors", "vendors"};
    }
    throw sdk::Error(LB_ERR_UNSUPPORTED, "Business Central has no " + sdk::masterKindName(kind) + " master data here");
}

std::string field(const Object::Ptr& o, const std::string& key) {
    if (!o->has(key) || o->isNull(key)) return {};
    const Poco::Dynamic::Var v = o->get(key);
    if (!v.isString() && !v.isBoolean())
        throw sdk::Error(LB_ERR_TARGET, "Business Central answered " + key + " that is not text");
    return v.convert<std::string>();
}

std::size_t offsetOf(const std::string& cursor) {
    if (cursor.empty()) return 0;
    if (cursor.size() > 9 || cursor.find_first_not_of("0123456789") != std::string::npos)
        throw sdk::Error(LB_ERR_INVALID_ARGUMENT, "master-data cursor '" + cursor + "' is not one this plugin gave");
    return std::stoul(cursor);
}

sdk::MasterRecord recordOf(sdk::MasterKind kind, const Object::Ptr& o, const std::string& what) {
    sdk::MasterRecord r;
    r.kind = kind;
    r.id = field(o, "id");
    r.name = field(o, "displayName");
    r.updatedAt = field(o, "lastModifiedDateTime");
    switch (kind) {
    case sdk::MasterKind::Account:
        r.code = field(o, "number");
        r.type = accountTypeOf(field(o, "category"));
        r.archived = field(o, "blocked") == "true";
        break;
    case sdk::MasterKind::TaxCode:
        r.code = field(o, "code");
        r.type = "normal";  // taxGroups carry no rate and no reverse-charge flag (README)
        break;
    case sdk::MasterKind::Dimension:
        r.code = field(o, "code");
        break;
    case sdk::MasterKind::DimensionValue:
        r.code = field(o, "code");
        r.parentId = field(o, "dimensionId");
        break;
    case sdk::MasterKind::Supplier:
        r.code = field(o, "number");
        r.vatNumber = field(o, "taxRegistrationNumber");
        r.country = field(o, "country");
        r.currency = field(o, "currencyCode");
        r.archived = field(o, "blocked") == "All";  // "Payment" blocks payments only
        break;
    }
    if (r.id.empty()) throw sdk::Error(LB_ERR_TARGET, "Business Central answered one of the " + what + " without an id");
    if (r.name.empty()) r.name = r.code;
    if (r.name.empty()) throw sdk::Error(LB_ERR_TARGET, "Business Central's " + what + " record " + r.id + " has no name");
    return r;
}
}  // namespace

std::string accountTypeOf(const std::string& category) {
    if (category == "Assets") return "asset";
    if (category == "Liabilities") return "liability";
    if (category == "Equity") return "equity";
    if (category == "Income") return "revenue";
    if (category == "CostOfGoodsSold" || category == "Expense") return "expense";
    return "other";
}

sdk::MasterDataPage readBcMasterData(BcApi& api, const sdk::MasterDataRequest& request) {
    const KindCall call = callOf(request.kind);
    const std::size_t offset = offsetOf(request.cursor);
    const std::size_t size = request.pageSize == 0 ? 500 : std::min<std::size_t>(request.pageSize, 1000);
    sdk::HttpResponse r;
    try {
        r = api.get(std::string(call.path) + "?$top=" + std::to_string(size) + "&$skip=" + std::to_string(offset));
    } catch (const NotSent& e) {
        throw sdk::Error(LB_ERR_TARGET, std::string("reading ") + call.what + ": " + e.what());
    }
    const auto root = jsonObjectOf(r, std::string("reading ") + call.what);
    const auto value = root->getArray("value");
    if (!value) throw sdk::Error(LB_ERR_TARGET, std::string("the ") + call.what + " answer has no value array");
    sdk::MasterDataPage page;
    for (std::size_t i = 0; i < value->size(); ++i) {
        const auto o = value->getObject(static_cast<unsigned>(i));
        if (!o) throw sdk::Error(LB_ERR_TARGET, std::string("an element of the ") + call.what + " answer is not an object");
        page.records.push_back(recordOf(request.kind, o, call.what));
    }
    if (page.records.size() > size)
        throw sdk::Error(LB_ERR_TARGET, std::string("Business Central answered more ") + call.what + " than $top asked");
    if (page.records.size() == size) page.nextCursor = std::to_string(offset + size);
    return page;
}

}  // namespace ledgerbridge::businesscentral
