// Pleo's Accounting Entries API (accounting-entries.yml): search (and its deprecated core:search
// twin) and get by id, over the same catalogue the export items come from (EntryBook).
#pragma once

#include "Http.h"
#include "State.h"

namespace lbsim {

/// POST /v1/accounting-entries:search; `core` for the deprecated /core:search (AccountingEntryCoreV6).
Reply searchAccountingEntries(SimState& s, const Request& req, bool core);
Reply getAccountingEntry(SimState& s, const Request& req, const std::string& entryId);
/// AccountingEntryV1 (or CoreV6) of one entry. Caller holds s.mutex.
Poco::JSON::Object::Ptr accountingEntryJson(SimState& s, const ItemRef& ref, const Job* active, bool core);
/// The AccountingEntryFamily of an export item type.
std::string familyOf(const std::string& itemType);

}  // namespace lbsim
