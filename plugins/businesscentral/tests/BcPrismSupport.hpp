// What the Business Central Prism tests share: the reference description patched to the v2.0
// surface the plugin calls (paths under /{tenant}/{environment}/api/v2.0, dates as v2.0 documents
// them, the v2.0-only calls added), and a host that sends OData paths unencoded.
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "BcDouble.hpp"
#include "PrismProxy.hpp"
#include "XeroTestHost.hpp"
#include "ledgerbridge/testkit/MemoryHost.hpp"

namespace ledgerbridge::bctest {

/// PATCH attachments({id})/attachmentContent as Microsoft's v2.0 reference documents it: the
/// binary content, If-Match required, 204 without a body.
inline std::string attachmentContentPath(const std::string& prefix) {
    std::string uuidParam = "     in: path\n     required: true\n     schema:\n      type: string\n      format: uuid\n";
    return " \"" + prefix + "/companies({company_id})/attachments({attachment_id})/attachmentContent\":\n"
           "  parameters:\n   - name: company_id\n" + uuidParam + "   - name: attachment_id\n" + uuidParam +
           "  patch:\n   summary: (v2.0, added by the test) the attachment's content\n"
           "   operationId: patchAttachmentContentV2\n"
           "   parameters:\n    - name: If-Match\n      in: header\n      required: true\n      schema:\n       type: string\n"
           "   requestBody:\n    required: true\n    content:\n     application/octet-stream:\n      schema:\n"
           "       type: string\n       format: binary\n"
           "   responses:\n    204:\n     description: (v2.0) the content was stored\n"
           // POST $batch (OData JSON batch, documented for v2.0 but not in the description).
           " \"" + prefix + "/$batch\":\n  post:\n   summary: (v2.0, added by the test) OData JSON batch\n"
           "   operationId: postBatchV2\n   requestBody:\n    required: true\n    content:\n     application/json:\n"
           "      schema:\n       type: object\n       required: [requests]\n       properties:\n        requests:\n"
           "         type: array\n         minItems: 1\n         maxItems: 100\n         items:\n          type: object\n"
           "          required: [method, id, url]\n          properties:\n           method:\n            type: string\n"
           "            enum: [GET, POST, PATCH, DELETE]\n           id:\n            type: string\n           url:\n"
           "            type: string\n"
           "   responses:\n    200:\n     description: (v2.0) one response per request\n     content:\n"
           "      application/json:\n       schema:\n        type: object\n        required: [responses]\n"
           "        properties:\n         responses:\n          type: array\n          items:\n           type: object\n"
           "           required: [id, status]\n";
}

/// The description with v2.0 paths, posting and invoice dates, purchase invoice line keys;
/// throws when the layout changed.
inline std::string patchedDescription(const std::string& text) {
    const std::string prefix = std::string("/") + BcDouble::kTenant + "/" + BcDouble::kEnvironment + "/api/v2.0";
    std::string out;
    std::istringstream in(text);
    int paths = 0, dates = 0, sincePostingDate = 99, glIds = 0;
    bool inGlEntry = false;
    for (std::string line; std::getline(in, line);) {
        // v1.0's G/L entry id is the entry number (integer); v2.0's is a GUID like every id.
        if (line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') inGlEntry = line == "  generalLedgerEntry:";
        if (inGlEntry && glIds < 2 && line.find("type: integer") != std::string::npos) {
            line.replace(line.find("integer"), 7, "string");
            ++glIds;
        }
        if (inGlEntry && glIds < 2 && line.find("format: int32") != std::string::npos) {
            line.replace(line.find("int32"), 5, "uuid");
            ++glIds;
        }
        // v2.0 uploads an attachment's bytes to attachments({id})/attachmentContent (v1.0 has a
        // content property on attachments(parentId,id) instead): that path is added here.
        if (line == " \"/companies({company_id})/attachments\":") {
            out += attachmentContentPath(prefix);
            ++paths;
        }
        if (line.rfind(" \"/companies", 0) == 0) {
            line = " \"" + prefix + line.substr(2);
            ++paths;
        }
        // v2.0 documents postingDate and a purchase invoice's invoiceDate as dates.
        if (line.find("postingDate:") != std::string::npos || line.find("invoiceDate:") != std::string::npos)
            sincePostingDate = 0;
        // v1.0 keys a purchase invoice line by a quoted string ('{id}'), v2.0 by its GUID.
        const std::string quotedKey = "purchaseInvoiceLines('{purchaseInvoiceLine_id}')";
        if (line.find(quotedKey) != std::string::npos)
            line.replace(line.find(quotedKey), quotedKey.size(), "purchaseInvoiceLines({purchaseInvoiceLine_id})");
        if (++sincePostingDate <= 3 && line.find("format: date-time") != std::string::npos) {
            line.replace(line.find("date-time"), 9, "date");
            ++dates;
        }
        out += line + "\n";
    }
    if (paths < 100 || dates < 2 || glIds != 2)
        throw std::runtime_error("the description's layout changed: " + std::to_string(paths) + " paths, " +
                                 std::to_string(dates) + " posting dates patched");
    return out;
}

/// The reference description (v1.0) patched into a new folder `work`: the file's path, or ""
/// when the reference folder is absent (the caller skips, saying so).
inline std::string patchedDescriptionIn(const std::filesystem::path& work, const std::string& referenceDir) {
    const std::filesystem::path spec = std::filesystem::path(referenceDir) / "businesscentral-openapi" / "openapi.yaml";
    if (referenceDir.empty() || !std::filesystem::exists(spec)) return {};
    std::filesystem::remove_all(work);
    std::filesystem::create_directories(work);
    const std::filesystem::path patched = work / "openapi.patched.yaml";
    std::ofstream(patched) << patchedDescription(xerotest::readAll(spec));
    return patched.string();
}

/// The test settings aimed at Prism (`prismUrl`), no dimensions mapped: dimensionSetLines is v2.0
/// only, not in the description.
inline std::vector<std::pair<std::string, std::string>> settingsThroughPrism(
    std::vector<std::pair<std::string, std::string>> settings, const std::string& prismUrl) {
    for (auto& [key, value] : settings) {
        if (key == "base_url") value = prismUrl;
        if (key == "dimensions") value = "";
    }
    return settings;
}

/// A real-HTTP host that sends the path exactly as the plugin wrote it: the XeroTestHost's client
/// percent-encodes OData's parentheses (companies%28…%29), which Prism then cannot match to
/// companies({company_id}). Records what Prism answered, for the violations.
class RawPathHost : public testkit::MemoryHost {
public:
    std::optional<sdk::HttpResponse> http(const std::string&, const sdk::HttpRequest& request, std::string& error) override {
        const auto authority = request.url.find('/', std::string("http://").size());
        const auto colon = request.url.rfind(':', authority);
        Poco::Net::HTTPClientSession session("127.0.0.1",
                                             static_cast<Poco::UInt16>(std::stoi(request.url.substr(colon + 1, authority - colon - 1))));
        Poco::Net::HTTPRequest req(request.method, request.url.substr(authority), Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [k, v] : request.headers) req.set(k, v);
        if (request.useTargetToken) req.set("Authorization", "Bearer prism-test-token");
        req.setContentLength(static_cast<std::streamsize>(request.body.size()));
        try {
            session.sendRequest(req) << request.body;
            Poco::Net::HTTPResponse resp;
            std::istream& is = session.receiveResponse(resp);
            xerotest::Exchange ex;
            ex.method = request.method;
            ex.url = request.url;
            ex.status = static_cast<int>(resp.getStatus());
            for (const auto& [k, v] : resp) ex.responseHeaders.emplace_back(k, v);
            Poco::StreamCopier::copyToString(is, ex.responseBody);
            exchanges.push_back(ex);
            if (loseResponse && loseResponse(request)) {
                error = "the answer was lost (test)";
                return std::nullopt;
            }
            return sdk::HttpResponse{ex.status, ex.responseHeaders, ex.responseBody};
        } catch (const Poco::Exception& e) {
            error = e.displayText();
            return std::nullopt;
        }
    }
    std::vector<xerotest::Exchange> exchanges;
    std::function<bool(const sdk::HttpRequest&)> loseResponse;  ///< true: sent and answered, reported unanswered
};

}  // namespace ledgerbridge::bctest
