// Grouping rejections by reason with a fix: see RejectionSummary.h.
#include "ledgerbridge/export/RejectionSummary.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace ledgerbridge::exporter {
namespace {

/// The word after `keyword` in `message`: quoted ('X' or "X") or up to the next space, comma,
/// colon or parenthesis. Empty when the keyword is absent.
std::string wordAfter(const std::string& message, const std::string& keyword) {
    const auto at = message.find(keyword);
    if (at == std::string::npos) return {};
    std::size_t i = at + keyword.size();
    if (i < message.size() && (message[i] == '\'' || message[i] == '"')) {
        const char quote = message[i];
        const auto end = message.find(quote, i + 1);
        return end == std::string::npos ? std::string() : message.substr(i + 1, end - i - 1);
    }
    std::size_t end = i;
    while (end < message.size() && !std::isspace(static_cast<unsigned char>(message[end])) &&
           std::string(",:;()").find(message[end]) == std::string::npos)
        ++end;
    return message.substr(i, end - i);
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ", ") + items[i];
    return out;
}

std::string plural(const std::vector<std::string>& subjects, const char* one, const char* many) {
    return std::string(subjects.size() == 1 ? one : many) + " " + joined(subjects);
}

}  // namespace

std::string rejectionSubject(const std::string& reason, const std::string& message) {
    if (reason == "account_unknown") {
        // "contra account '1900' is not a number", "account 'X' is not a number", "account 4010 ..."
        for (const char* k : {"contra account ", "account "}) {
            std::string w = wordAfter(message, k);
            if (!w.empty() && w != "is" && w != "has") return w;
        }
        return {};
    }
    if (reason == "tax_code_unknown") {
        for (const char* k : {"unknown tax code ", "tax code "}) {
            std::string w = wordAfter(message, k);
            if (!w.empty()) return w;
        }
        return {};
    }
    if (reason == "tag_unknown") return wordAfter(message, "value ");
    if (reason == "vendor_unknown") return wordAfter(message, "vendor ");
    return {};
}

std::string rejectionFix(const std::string& reason, const std::vector<std::string>& subjects) {
    const std::string again = ", then export the entries again in Pleo (or let the next automatic export pick them up)";
    if (reason == "account_unknown")
        return subjects.empty()
                   ? "give every line an account: map the expense categories to accounts in Pleo's accounting settings" + again
                   : "map " + plural(subjects, "account", "accounts") +
                         " in Pleo's accounting settings (or create it in the accounting system and run 'ledgerbridge sync')" +
                         again;
    if (reason == "tax_code_unknown")
        return "map " + (subjects.empty() ? std::string("the tax codes") : plural(subjects, "tax code", "tax codes")) +
               " in Pleo's accounting settings (or create it in the accounting system and run 'ledgerbridge sync')" + again;
    if (reason == "tag_unknown")
        return "create " + (subjects.empty() ? std::string("the tag values") : plural(subjects, "tag value", "tag values")) +
               " in the accounting system's dimensions and run 'ledgerbridge sync', or change the tag in Pleo" + again;
    if (reason == "vendor_unknown")
        return "create the supplier in the accounting system and run 'ledgerbridge sync', or pick a known vendor in Pleo" +
               again;
    if (reason == "missing_configuration" || reason == "invalid_configuration")
        return "complete the setting the message names (Pleo's accounting settings, or the connection's setting.* keys "
               "followed by 'ledgerbridge config validate')" +
               again;
    if (reason == "receipt_download_failure")
        return "nothing to change in the entry: the receipt could not be downloaded from Pleo" + again;
    if (reason == "not_planned")
        return "the plugin's dry run gave neither a document nor a rejection: report it to the plugin's authors";
    if (reason == "validation_failure")
        return "correct the expense in Pleo as the message says (amounts, dates, lines)" + again;
    if (reason == "accounting_system_validation_failure")
        return "correct what the accounting system refused (see the message) in Pleo or in the accounting system" + again;
    return "read the messages below, correct the entries in Pleo or the accounting system" + again;
}

std::vector<RejectionGroup> groupRejections(const std::vector<JobReport>& jobs) {
    std::map<std::string, std::int64_t> counts;
    std::map<std::string, std::set<std::string>> subjects;
    for (const auto& j : jobs)
        for (const auto& f : j.failures) {
            ++counts[f.reason];
            if (std::string s = rejectionSubject(f.reason, f.message); !s.empty()) subjects[f.reason].insert(s);
        }
    std::vector<RejectionGroup> groups;
    for (const auto& [reason, n] : counts) {
        RejectionGroup g;
        g.reason = reason;
        g.count = n;
        g.subjects.assign(subjects[reason].begin(), subjects[reason].end());
        g.fix = rejectionFix(reason, g.subjects);
        groups.push_back(std::move(g));
    }
    std::stable_sort(groups.begin(), groups.end(), [](const RejectionGroup& a, const RejectionGroup& b) { return a.count > b.count; });
    return groups;
}

}  // namespace ledgerbridge::exporter
