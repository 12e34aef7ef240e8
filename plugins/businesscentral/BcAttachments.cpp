// Receipts as Business Central attachments: see BcAttachments.hpp.
#include "BcAttachments.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSONString.h>

#include <fstream>
#include <iterator>

namespace ledgerbridge::businesscentral {

std::string attachmentNameOf(const sdk::Receipt& receipt) {
    return receipt.fileName.empty() ? "receipt" : receipt.fileName.substr(0, 250);
}

std::map<std::string, ExistingAttachment> attachmentsOf(BcApi& api, const std::string& parentId) {
    const auto root = jsonObjectOf(api.get("/attachments?$filter=parentId%20eq%20" + parentId),
                                   "reading the attachments of " + parentId);
    const auto value = root->getArray("value");
    if (!value) throw sdk::Error(LB_ERR_TARGET, "the attachments answer has no value array");
    std::map<std::string, ExistingAttachment> out;
    for (std::size_t i = 0; i < value->size(); ++i) {
        const auto a = value->getObject(static_cast<unsigned>(i));
        if (!a) continue;
        ExistingAttachment e{a->optValue<std::string>("id", ""), a->optValue<std::string>("@odata.etag", "*"),
                             a->optValue<double>("byteSize", 0) > 0};
        if (!isGuid(e.id)) throw sdk::Error(LB_ERR_TARGET, "an attachment of " + parentId + " without a GUID id");
        out[a->optValue<std::string>("fileName", "")] = e;
    }
    return out;
}

std::string attachReceipts(BcApi& api, const std::vector<sdk::Receipt>& receipts, const std::string& parentId,
                           const std::string& parentType, const std::map<std::string, ExistingAttachment>& existing) {
    std::string problems;
    auto problem = [&](const std::string& p) { problems += (problems.empty() ? "" : "; ") + p; };
    for (const sdk::Receipt& receipt : receipts) {
        const std::string name = attachmentNameOf(receipt);
        const auto found = existing.find(name);
        if (found != existing.end() && found->second.hasContent) continue;
        std::ifstream in(receipt.path, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in.good() && !in.eof()) {
            problem("receipt " + name + " could not be read");
            continue;
        }
        std::string id, etag;
        if (found != existing.end()) {
            id = found->second.id;
            etag = found->second.etag;
        } else {
            const sdk::HttpResponse created =
                api.post("/attachments", "{\"parentId\":" + Poco::toJSON(parentId) + ",\"fileName\":" + Poco::toJSON(name) +
                                             ",\"parentType\":" + Poco::toJSON(parentType) + "}");
            if (created.status >= 400) {
                problem("receipt " + name + " was not attached (" + bcErrorText(created) + ")");
                continue;
            }
            const auto attachment = jsonObjectOf(created, "creating the attachment " + name);
            id = attachment->optValue<std::string>("id", "");
            etag = attachment->optValue<std::string>("@odata.etag", "*");
            if (!isGuid(id)) throw sdk::Error(LB_ERR_TARGET, "BC created an attachment without a GUID id");
        }
        const sdk::HttpResponse content = api.patchBytes("/attachments(" + id + ")/attachmentContent", etag, bytes);
        if (content.status >= 400) problem("receipt " + name + " was attached without its content (" + bcErrorText(content) + ")");
    }
    return problems;
}

}  // namespace ledgerbridge::businesscentral
