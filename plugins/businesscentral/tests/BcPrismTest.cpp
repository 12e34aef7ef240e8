// Every request the Business Central plugin sends where the reference OpenAPI description
// (API v1.0) covers the call, checked by Stoplight Prism (`prism proxy --errors`, from
// tests/tooling) in front of the stateful double, answers validated too. The description is
// patched at test time into the build folder, never copied into the repository: every path gets
// the v2.0 prefix /{tenant}/{environment}/api/v2.0 (Prism ignores the servers' base path), and
// postingDate is a date and a G/L entry's id a GUID, as v2.0 documents them (v1.0: date-time,
// and the entry number as id); attachments({id})/attachmentContent (v2.0) is added. Not covered: the
// dimensionSetLines navigation (v2.0 only), so this run maps no dimensions.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "BcTestSupport.hpp"
#include "PrismProxy.hpp"
#include "ledgerbridge/testkit/MasterDataPages.hpp"
#include "ledgerbridge/testsupport/Simulator.h"

namespace ledgerbridge::bctest {
namespace {

namespace fs = std::filesystem;
using xerotest::readAll;

/// PATCH attachments({id})/attachmentContent as Microsoft's v2.0 reference documents it: the
/// binary content, If-Match required, 204 without a body.
std::string attachmentContentPath(const std::string& prefix) {
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

/// The description with v2.0 paths and posting dates; throws when the layout changed.
std::string patchedDescription(const std::string& text) {
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
        if (line.find("postingDate:") != std::string::npos) sincePostingDate = 0;
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
            return sdk::HttpResponse{ex.status, ex.responseHeaders, ex.responseBody};
        } catch (const Poco::Exception& e) {
            error = e.displayText();
            return std::nullopt;
        }
    }
    std::vector<xerotest::Exchange> exchanges;
};

sdk::Entry entry(const std::string& id) {
    sdk::Entry e;
    e.accountingEntryId = id;
    e.date = "2026-02-03";
    sdk::Line l;
    l.accountCode = "6110";
    l.netAmount = sdk::Money{10000, "EUR", 2};
    l.taxAmount = sdk::Money{2500, "EUR", 2};
    l.walletAmount = sdk::Money{12500, "EUR", 2};
    l.taxCode = "S25";
    l.taxRate = "25";
    l.taxType = "normal";
    l.description = "Lunch";
    e.lines = {l};
    e.totalWallet = sdk::Money{12500, "EUR", 2};
    e.contraAccountCode = "2900";
    return e;
}

TEST(BcPrism, EveryCoveredRequestAndAnswerConformsToTheDescription) {
    const std::string reference = testsupport::referenceDir();
    const fs::path spec = fs::path(reference) / "businesscentral-openapi" / "openapi.yaml";
    if (reference.empty() || !fs::exists(spec))
        GTEST_SKIP() << "reference folder with businesscentral-openapi/openapi.yaml absent (set LEDGERBRIDGE_REFERENCE_DIR)";
    ASSERT_TRUE(fs::exists(BC_PRISM_BIN)) << BC_PRISM_BIN << " is missing: run scripts/setup (npm ci in tests/tooling)";
    const fs::path work = fs::path(BC_TEST_WORK_DIR) / ("prism-" + std::to_string(::getpid()));
    fs::remove_all(work);
    fs::create_directories(work);
    const fs::path patched = work / "openapi.patched.yaml";
    std::ofstream(patched) << patchedDescription(readAll(spec));

    BcDouble bc;
    xerotest::PrismProxy prism(BC_PRISM_BIN, patched.string(), bc.baseUrl(), work / "prism.log");

    // Negative control: the proxy refuses a line the description forbids.
    sdk::HttpRequest bad;
    bad.method = "POST";
    bad.url = prism.baseUrl() + "/" + BcDouble::kTenant + "/" + BcDouble::kEnvironment + "/api/v2.0/companies(" +
              BcDouble::kCompany + ")/journals(" + BcDouble::kJournal + ")/journalLines";
    bad.headers = {{"Content-Type", "application/json"}};
    bad.body = R"({"accountNumber":"123456789012345678901","amount":"ten"})";
    bad.useTargetToken = true;
    std::string error;
    const auto refused = xerotest::sendHttp(bad, "t", error);
    ASSERT_TRUE(refused) << error;
    EXPECT_EQ(refused->status, 422) << refused->body;

    RawPathHost host;
    auto settings = settingsFor(bc);
    for (auto& [key, value] : settings) {
        if (key == "base_url") value = prism.baseUrl();
        if (key == "dimensions") value = "";
    }
    sdk::PluginClient client(bcApi(), host, "businesscentral");
    client.configure(settings);
    client.check();
    // BC refuses the contra line (unknown account) after the first line was created: the line is
    // left or deleted at once, and the next push finds the batch to clear (DELETE with If-Match).
    // An error answer is not in the description, so Prism reports that one exchange: exempt.
    sdk::Entry unknownContra = entry("p-1");
    unknownContra.contraAccountCode = "7777";
    const std::size_t before = host.exchanges.size();
    EXPECT_NE(client.push({unknownContra}).at(0).kind, sdk::OutcomeKind::Posted);
    std::size_t exempt = host.exchanges.size();
    for (std::size_t i = before; i < host.exchanges.size(); ++i)
        if (host.exchanges[i].method == "POST" && host.exchanges[i].status != 201) exempt = i;
    ASSERT_LT(exempt, host.exchanges.size()) << "BC did not refuse the unknown contra account";
    try {  // a call Prism refuses throws: the violations below say why
        EXPECT_EQ(client.lookup(entry("p-1")).kind, sdk::OutcomeKind::Absent);
        sdk::Entry withReceipt = entry("p-2");
        const fs::path receipt = work / "receipt.pdf";
        std::ofstream(receipt, std::ios::binary) << "%PDF-1.4 receipt";
        withReceipt.receipts = {{receipt.string(), "receipt.pdf", "application/pdf"}};
        for (const auto& o : client.push({entry("p-1"), withReceipt})) {
            EXPECT_EQ(o.kind, sdk::OutcomeKind::Posted) << o.message;
            EXPECT_EQ(o.message, "") << "the receipt went through Prism";
        }
        EXPECT_EQ(client.lookup(entry("p-2")).kind, sdk::OutcomeKind::Posted);
        for (auto kind : sdk::allMasterKinds()) EXPECT_FALSE(testkit::readAllMasterData(client, kind, 2).records.empty());
    } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
    }
    std::set<std::string> calls;
    for (std::size_t i = 0; i < host.exchanges.size(); ++i) {
        const auto& ex = host.exchanges[i];
        if (i == exempt) continue;
        const std::string v = xerotest::violations(ex);
        EXPECT_TRUE(v.empty()) << ex.method << " " << ex.url << ": " << v;
        if (ex.url.find("companies(") != std::string::npos)
            calls.insert(ex.method + " " + ex.url.substr(0, ex.url.find('?')).substr(ex.url.find("companies(") + 47));
    }
    const std::vector<std::pair<std::string, std::string>> covered = {
        {"GET", ""}, {"GET", "/journals("}, {"GET", "/journalLines"}, {"POST", "/journalLines"},
        {"DELETE", "/journalLines("}, {"POST", "/Microsoft.NAV.post"}, {"GET", "/generalLedgerEntries"},
        {"GET", "/accounts"}, {"GET", "/taxGroups"}, {"GET", "/dimensions"}, {"GET", "/dimensionValues"},
        {"GET", "/vendors"}, {"POST", "/attachments"}, {"PATCH", "/attachmentContent"}};
    bool batched = false;
    for (const auto& ex : host.exchanges) batched = batched || ex.url.find("/api/v2.0/$batch") != std::string::npos;
    EXPECT_TRUE(batched) << "no $batch went through Prism";
    EXPECT_GT(bc.batchedRequests(), 0);
    for (const auto& [method, fragment] : covered) {
        bool seen = false;
        for (const auto& c : calls) seen = seen || (c.rfind(method + " ", 0) == 0 && c.find(fragment) != std::string::npos);
        EXPECT_TRUE(seen) << "no " << method << " " << fragment << " went through Prism";
    }
    EXPECT_EQ(bc.company().journals.at(BcDouble::kJournal).size(), 0u);
}

}  // namespace
}  // namespace ledgerbridge::bctest
