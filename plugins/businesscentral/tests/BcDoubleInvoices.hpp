// The Business Central double's purchase invoices (companies(…)/purchaseInvoices…): drafts,
// their lines and dimension set lines, ETags (DELETE needs If-Match), lookup by
// $filter=vendorInvoiceNumber eq '…', and Microsoft.NAV.post booking G/L entries as BC does: each
// line's net on its account, VAT on top at the tax group's rate (5610 input; reverse charge both
// 5610 and 5620), the total on the vendors' payables account 5410. Refusals as BC words them.
#pragma once

#include <functional>
#include <string>

#include "BcDouble.hpp"
#include "BcDoubleAnswers.hpp"

namespace ledgerbridge::bctest {

/// The double's counters: a fresh ETag, a fresh number (for ids and invoice numbers).
struct DoubleIds {
    std::function<std::string()> etag;
    std::function<int()> number;
};

/// A request to `rest` (the path after companies(…), starting "/purchaseInvoices").
Answer purchaseInvoiceCall(BcDouble::Company& c, const std::string& method, const std::string& rest,
                           const std::string& filter, const std::string& ifMatch, const std::string& body,
                           const DoubleIds& ids);

/// The draft or posted invoice `id` of `c`; null when there is none.
BcDouble::PurchaseInvoice* invoiceById(BcDouble::Company& c, const std::string& id);

}  // namespace ledgerbridge::bctest
