// Receipts as Business Central attachments (incoming documents, table 130) of a journal line or
// a purchase invoice: POST attachments {parentId, fileName, parentType}, then PATCH
// attachments({id})/attachmentContent with the bytes and If-Match: the attachment's ETag.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "BcApi.hpp"
#include "ledgerbridge/model.hpp"

namespace ledgerbridge::businesscentral {

/// An attachment already on the parent (a draft an interrupted push left).
struct ExistingAttachment {
    std::string id, etag;
    bool hasContent = false;
};

/// The attachments on `parentId`, by file name (GET attachments?$filter=parentId eq …).
std::map<std::string, ExistingAttachment> attachmentsOf(BcApi& api, const std::string& parentId);

/// Each receipt as an attachment of `parentId` (`parentType` "Journal" or "Purchase Invoice"):
/// one already in `existing` with its content is kept, one without gets its content, any other
/// is created. Returns what could not be attached ("" when all were).
std::string attachReceipts(BcApi& api, const std::vector<sdk::Receipt>& receipts, const std::string& parentId,
                           const std::string& parentType, const std::map<std::string, ExistingAttachment>& existing = {});

/// The file name a receipt is attached under (BC allows 250 characters).
std::string attachmentNameOf(const sdk::Receipt& receipt);

}  // namespace ledgerbridge::businesscentral
