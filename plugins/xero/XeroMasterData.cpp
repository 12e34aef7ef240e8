// Xero master data for the host, page by page: see XeroMasterData.hpp and README.md.
#include "XeroMasterData.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>

#include <algorithm>

#include "XeroRecords.hpp"

namespace ledgerbridge::xero {

namespace {
constexpr const char* kAfter = "after:";  ///< cursor of a whole list: the last id served
constexpr const char* kPage = "page:";    ///< cursor of contacts: "page:<n>;pageSize:<s>"
constexpr const char* kPageSize = ";pageSize:";

sdk::Error badCursor(const sdk::MasterDataRequest& r) {
    return sdk::Error(LB_ERR_INVALID_ARGUMENT, "cursor '" + r.cursor + "' is not one this plugin gave for " +
                                                   sdk::masterKindName(r.kind) + " master data");
}

/// n > 0 from decimal digits, else 0.
std::size_t positive(const std::string& digits) {
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
    return static_cast<std::size_t>(std::stoul(digits));
}

Poco::JSON::Array::Ptr listOf(const Poco::JSON::Object::Ptr& root, const std::string& name, const std::string& what) {
    if (!root) return new Poco::JSON::Array;  // 304: nothing changed
    const auto list = root->getArray(name);
    if (!list) throw BadRecord(what + ": the answer has no " + name + " array");
    return list;
}

/// " (Xero's Message, Detail or Title)" of an error body, "" when it has none.
std::string errorText(const std::string& body) {
    try {
        const auto root = parseKeepingNumbers(body);
        for (const char* key : {"Message", "Detail", "Title"})
            if (root->has(key) && !root->isNull(key)) return " (" + root->get(key).convert<std::string>() + ")";
    } catch (const Poco::Exception&) {
    }
    return {};
}

Poco::JSON::Object::Ptr element(const Poco::JSON::Array::Ptr& list, std::size_t i, const std::string& what) {
    const auto o = list->getObject(static_cast<unsigned>(i));
    if (!o) throw BadRecord(what + ": element " + std::to_string(i + 1) + " is not an object");
    return o;
}
}  // namespace

sdk::MasterDataPage XeroMasterData::read(const sdk::MasterDataRequest& request) {
    if (request.pageSize == 0) throw sdk::Error(LB_ERR_INVALID_ARGUMENT, "page_size 0: at least one record per page");
    try {
        switch (request.kind) {
        case sdk::MasterKind::Supplier: return suppliers(request);
        case sdk::MasterKind::Account:
        case sdk::MasterKind::TaxCode:
        case sdk::MasterKind::Dimension:
        case sdk::MasterKind::DimensionValue: return fromWholeList(request);
        }
    } catch (const NotSent& e) {
        throw sdk::Error(LB_ERR_TARGET, std::string("reading ") + sdk::masterKindName(request.kind) +
                                            " master data from Xero: " + e.what());
    } catch (const BadRecord& e) {
        throw sdk::Error(LB_ERR_TARGET, std::string("Xero's ") + sdk::masterKindName(request.kind) +
                                            " master data could not be read: " + e.what());
    } catch (const Poco::Exception& e) {  // a value of another JSON type than the OpenAPI's
        throw sdk::Error(LB_ERR_TARGET, std::string("Xero's ") + sdk::masterKindName(request.kind) +
                                            " master data could not be read: " + e.displayText());
    } catch (const std::invalid_argument& e) {
        throw sdk::Error(LB_ERR_INVALID_ARGUMENT, e.what());
    }
    throw sdk::Error(LB_ERR_UNSUPPORTED, "Xero has no master data of " + sdk::masterKindName(request.kind));
}

Poco::JSON::Object::Ptr XeroMasterData::getJson(const std::string& what, const std::string& pathAndQuery,
                                                const std::string& changedSince) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!changedSince.empty()) headers.emplace_back("If-Modified-Since", ifModifiedSince(changedSince));
    const sdk::HttpResponse r = api_.get(pathAndQuery, headers);
    XeroApi::throwIfUnauthorised(r, what);
    if (r.status == 304) return nullptr;
    if (r.status != 200) throw sdk::Error(LB_ERR_TARGET, what + ": Xero answered " + std::to_string(r.status) + errorText(r.body));
    try {
        return parseKeepingNumbers(r.body);
    } catch (const Poco::Exception& e) {
        throw BadRecord(what + ": the answer is not JSON (" + e.displayText() + ")");
    }
}

std::vector<sdk::MasterRecord> XeroMasterData::fetchWholeList(sdk::MasterKind kind, const std::string& changedSince) {
    std::vector<sdk::MasterRecord> out;
    if (kind == sdk::MasterKind::Account) {
        // Every status comes back (ARCHIVED too); If-Modified-Since is declared for getAccounts.
        const auto list = listOf(getJson("GET Accounts", "/Accounts", changedSince), "Accounts", "GET Accounts");
        for (std::size_t i = 0; i < list->size(); ++i) out.push_back(accountRecord(element(list, i, "GET Accounts")));
    } else if (kind == sdk::MasterKind::TaxCode) {
        // getTaxRates declares no If-Modified-Since (and TaxRate no UpdatedDateUTC): always all.
        const auto list = listOf(getJson("GET TaxRates", "/TaxRates", ""), "TaxRates", "GET TaxRates");
        for (std::size_t i = 0; i < list->size(); ++i) out.push_back(taxCodeRecord(element(list, i, "GET TaxRates")));
    } else {
        // No If-Modified-Since either; archived categories and options only with includeArchived.
        const std::string what = "GET TrackingCategories";
        const auto list = listOf(getJson(what, "/TrackingCategories?includeArchived=true", ""), "TrackingCategories", what);
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto category = element(list, i, what);
            if (kind == sdk::MasterKind::Dimension) out.push_back(dimensionRecord(category));
            else
                for (auto& option : dimensionValueRecords(category)) out.push_back(std::move(option));
        }
    }
    std::sort(out.begin(), out.end(), [](const sdk::MasterRecord& a, const sdk::MasterRecord& b) { return a.id < b.id; });
    for (std::size_t i = 1; i < out.size(); ++i)
        if (out[i].id == out[i - 1].id)
            throw BadRecord("two " + sdk::masterKindName(kind) + " records have the id " + out[i].id);
    return out;
}

sdk::MasterDataPage XeroMasterData::fromWholeList(const sdk::MasterDataRequest& request) {
    std::string after;
    if (!request.cursor.empty()) {
        if (request.cursor.rfind(kAfter, 0) != 0 || request.cursor.size() == std::string(kAfter).size())
            throw badCursor(request);
        after = request.cursor.substr(std::string(kAfter).size());
    }
    // The first page reads Xero afresh; later pages use the list the first one read, unless this
    // instance did not read it (a new instance, another listing in between): then Xero again.
    // Ids are stable and the cursor is an id, so a re-read continues right after the last record.
    if (request.cursor.empty() || !listing_ || listing_->kind != request.kind ||
        listing_->changedSince != request.changedSince)
        listing_ = Listing{request.kind, request.changedSince, fetchWholeList(request.kind, request.changedSince)};

    const auto& records = listing_->records;
    auto it = after.empty() ? records.begin()
                            : std::upper_bound(records.begin(), records.end(), after,
                                               [](const std::string& id, const sdk::MasterRecord& r) { return id < r.id; });
    sdk::MasterDataPage page;
    for (; it != records.end() && page.records.size() < request.pageSize; ++it) page.records.push_back(*it);
    if (it != records.end()) page.nextCursor = kAfter + page.records.back().id;
    else listing_.reset();  // served completely
    return page;
}

sdk::MasterDataPage XeroMasterData::suppliers(const sdk::MasterDataRequest& request) {
    std::size_t page = 1;
    std::size_t pageSize = std::min(request.pageSize, kMaxContactsPage);
    if (!request.cursor.empty()) {
        // The page size is part of the cursor: page n of another size would skip or repeat contacts.
        const auto sep = request.cursor.find(kPageSize);
        if (request.cursor.rfind(kPage, 0) != 0 || sep == std::string::npos) throw badCursor(request);
        page = positive(request.cursor.substr(std::string(kPage).size(), sep - std::string(kPage).size()));
        pageSize = positive(request.cursor.substr(sep + std::string(kPageSize).size()));
        if (page < 2 || pageSize == 0 || pageSize > kMaxContactsPage) throw badCursor(request);
    }
    // Archived contacts only with includeArchived=true; ordered by ContactID so that a contact
    // added while the pages are read moves the ones after it forward (seen twice at worst),
    // never backward (missed): Xero never deletes a contact.
    const std::string query = "/Contacts?where=" + urlEncode("IsSupplier==true") + "&order=" + urlEncode("ContactID ASC") +
                              "&includeArchived=true&page=" + std::to_string(page) +
                              "&pageSize=" + std::to_string(pageSize);
    const std::string what = "GET Contacts (page " + std::to_string(page) + ")";
    const auto root = getJson(what, query, request.changedSince);
    const auto list = listOf(root, "Contacts", what);
    sdk::MasterDataPage out;
    for (std::size_t i = 0; i < list->size(); ++i) {
        std::string countryProblem;
        out.records.push_back(supplierRecord(element(list, i, what), countryProblem));
        if (!countryProblem.empty()) host_.warn(countryProblem);
    }
    // Xero's pagination says how many pages there are; without it a full page means "maybe more".
    bool more = list->size() >= pageSize;
    if (const auto pagination = root ? root->getObject("pagination") : nullptr) {
        const std::size_t pageCount = pagination->has("pageCount")
                                          ? positive(pagination->get("pageCount").convert<std::string>())
                                          : 0;
        if (pagination->has("pageCount")) more = page < pageCount;
    }
    if (out.records.size() > pageSize)
        throw BadRecord(what + ": " + std::to_string(out.records.size()) + " contacts for a page of " +
                        std::to_string(pageSize));
    if (more && !out.records.empty())
        out.nextCursor = kPage + std::to_string(page + 1) + kPageSize + std::to_string(pageSize);
    return out;
}

}  // namespace ledgerbridge::xero
