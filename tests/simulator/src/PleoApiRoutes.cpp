// Dispatch of /v0, /v1, /v1-beta and /v2 requests to their handlers.
#include "PleoApiRoutes.h"

#include "AccountingEntryHandlers.h"
#include "InstallationHandlers.h"

namespace lbsim {

bool isPleoApiVersion(const std::string& v) { return v == "v0" || v == "v1" || v == "v1-beta" || v == "v2"; }

Reply routePleoApis(SimState& s, const Request& req, const std::vector<std::string>& seg, std::string& routeName) {
    const std::string& m = req.method;
    auto named = [&](const std::string& tmpl) { routeName = m + " " + tmpl; };
    const std::size_t n = seg.size();
    if (seg[0] == "v1" && n >= 2) {
        if (n == 2 && seg[1] == "accounting-entries:search" && m == "POST") {
            named("/v1/accounting-entries:search");
            return searchAccountingEntries(s, req, false);
        }
        if (n == 3 && seg[1] == "accounting-entries" && seg[2] == "core:search" && m == "POST") {
            named("/v1/accounting-entries/core:search");
            return searchAccountingEntries(s, req, true);
        }
        if (n == 3 && seg[1] == "accounting-entries" && m == "GET") {
            named("/v1/accounting-entries/{accountingEntryId}");
            return getAccountingEntry(s, req, seg[2]);
        }
        if (n == 3 && seg[1] == "installations" && seg[2] == "me") {
            named("/v1/installations/me");
            if (m == "GET") return getInstallation(s, req);
            if (m == "POST") return createInstallation(s, req);
            if (m == "PUT") return updateInstallation(s, req);
            if (m == "DELETE") return deleteInstallation(s, req);
        }
        if (n == 3 && seg[1] == "installations" && seg[2] == "me:activate" && m == "POST") {
            named("/v1/installations/me:activate");
            return activateInstallation(s, req);
        }
        if (n == 3 && seg[1] == "installations" && seg[2] == "completions" && m == "PUT") {
            named("/v1/installations/completions");
            return completeInstallation(s, req);
        }
    }
    throw ApiError(404, "NOT_FOUND", "No API route " + m + " " + req.path + ".");
}

}  // namespace lbsim
