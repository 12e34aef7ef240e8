// One Pleo entry as Business Central general-journal lines: a line per Pleo line (its gross
// amount with the mapped taxCode, so BC splits the VAT as its VAT posting setup says; a
// reverse-charge line its net amount with a Reverse Charge VAT code), and the contra line
// with minus the entry's total, all under one documentNumber derived from the accounting entry
// id (the key lookup finds after a crash). Every check push makes happens here, so the dry run
// rejects exactly what push rejects.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "BcEntryChecks.hpp"
#include "BcSettings.hpp"
#include "ledgerbridge/model.hpp"

namespace ledgerbridge::businesscentral {

struct JournalLine {
    std::string accountType = "G/L Account";  ///< "Vendor" for the contra line of a refund in purchase-invoice mode
    std::string accountNumber;
    std::int64_t minor = 0;  ///< signed, debit positive, in the entry's currency
    std::string taxCode;     ///< BC taxCode, "" for none
    std::string description;
    std::vector<std::pair<std::string, std::string>> dimensions;  ///< (dimension code, value code)
};

struct JournalDocument {
    std::string documentNumber;          ///< "LB" + 16 hex digits of the entry id's FNV-1a 64 (BC allows 20)
    std::string externalDocumentNumber;  ///< the accounting entry id when it fits in 35 characters
    std::string postingDate;             ///< YYYY-MM-DD
    int exponent = 2;
    std::vector<JournalLine> lines;      ///< the entry's lines, then the contra line
};

/// The documentNumber of an accounting entry id: the same for every job and idempotency key.
std::string documentNumberOf(const std::string& accountingEntryId);

/// The journal lines of `entry`; throws Rejected naming what is wrong and where. In
/// purchase-invoice mode (refunds only, see BcPlugin) the contra line is the entry's vendor.
JournalDocument journalOf(const sdk::Entry& entry, const BcConfig& config);

/// The JSON body that creates `line` of `doc` (POST journals({id})/journalLines).
std::string journalLineBody(const JournalDocument& doc, const JournalLine& line);

}  // namespace ledgerbridge::businesscentral
