// The Fortnox plugin (its real .so) against the stateful Fortnox test double over real HTTP:
// vouchers read back and balanced by this test's own arithmetic, rows per tax type and tag,
// receipts uploaded and connected once, lookup by the Description marker after a lost
// response, 429 waited for or reported, the plugin's own pacing under the 25-per-5-s window,
// Fortnox's errors as Pleo failure reasons, and the dry run rejecting what push rejects.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <unistd.h>

#include <algorithm>

#include "FortnoxDouble.hpp"
#include "FortnoxTestSupport.hpp"
#include "XeroTestHost.hpp"

namespace fs = std::filesystem;
using namespace ledgerbridge;
using namespace ledgerbridge::fortnoxtest;
using sdk::OutcomeKind;
using xerotest::XeroTestHost;

namespace {
/// A JSON number's text ("125", "-3.5", "0.25") in hundredths, by decimal digits (no doubles).
std::int64_t cents(const std::string& s) {
    std::size_t i = s[0] == '-' ? 1 : 0;
    std::int64_t whole = 0, fraction = 0;
    int decimals = 0;
    bool dot = false;
    for (; i < s.size(); ++i) {
        if (s[i] == '.') dot = true;
        else if (dot && ++decimals <= 2) fraction = fraction * 10 + (s[i] - '0');
        else if (!dot) whole = whole * 10 + (s[i] - '0');
        else if (s[i] != '0') ADD_FAILURE() << "more than two decimals: " << s;
    }
    while (decimals < 2) fraction *= 10, ++decimals;
    return (s[0] == '-' ? -1 : 1) * (whole * 100 + fraction);
}

struct ReadRow {
    std::string account, costCenter, project, info;
    std::int64_t debit = 0, credit = 0;
};

class FortnoxDoubleTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("lb-fortnox-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        open();
    }
    void TearDown() override {
        client.reset();
        fs::remove_all(dir);
    }
    void open(std::vector<std::pair<std::string, std::string>> extra = {}, bool freshHost = false) {
        client.reset();
        if (freshHost) host = std::make_unique<XeroTestHost>();
        client = std::make_unique<sdk::PluginClient>(fortnoxApi(), *host, "fortnox");
        client->configure(settings(fortnox.baseUrl(), extra));
    }
    /// GET /3/vouchers/{series}/{number} from the double, rows read by this test.
    std::vector<ReadRow> readBack(const std::string& series, const std::string& number) {
        sdk::HttpRequest req;
        req.url = fortnox.baseUrl() + "/vouchers/" + series + "/" + number;
        req.useTargetToken = true;
        std::string error;
        const auto r = xerotest::sendHttp(req, "test-token", error);
        EXPECT_TRUE(r && r->status == 200) << error;
        Poco::JSON::Parser p;
        const auto v = p.parse(r->body).extract<Poco::JSON::Object::Ptr>()->getObject("Voucher");
        lastDescription = v->getValue<std::string>("Description");
        std::vector<ReadRow> rows;
        const auto list = v->getArray("VoucherRows");
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto o = list->getObject(static_cast<unsigned>(i));
            rows.push_back({o->get("Account").convert<std::string>(), o->getValue<std::string>("CostCenter"),
                            o->getValue<std::string>("Project"), o->getValue<std::string>("TransactionInformation"),
                            cents(o->get("Debit").convert<std::string>()), cents(o->get("Credit").convert<std::string>())});
        }
        return rows;
    }
    int count429() const {
        const auto log = fortnox.requests();
        return static_cast<int>(std::count_if(log.begin(), log.end(), [](const auto& r) { return r.status == 429; }));
    }

    fs::path dir;
    FortnoxDouble fortnox;
    std::string lastDescription;
    std::unique_ptr<XeroTestHost> host = std::make_unique<XeroTestHost>();
    std::unique_ptr<sdk::PluginClient> client;
};
}  // namespace

TEST_F(FortnoxDoubleTest, AVoucherBalancesWithVatReverseChargeAndTagsOnItsRows) {
    sdk::Line office = line("L1", "6110", 12500, 2500);
    office.tags = {{"DEPARTMENT", "CC1", "Sales"}, {"PROJECT", "P100", "Launch"}, {"REGION", "N", "North"}};
    sdk::Line it = line("L2", "6540", 10000, 2500, "reverse");  // EU service: tax on top, self-assessed
    const sdk::Entry e = entry("E-1", {office, it});
    const auto out = client->push({e});
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0].kind, OutcomeKind::Posted) << out[0].message;
    EXPECT_EQ(out[0].externalId, "A-1/1");

    const auto rows = readBack("A", "1");
    std::int64_t debit = 0, credit = 0;
    std::map<std::string, std::int64_t> byAccount;
    for (const auto& r : rows) {
        debit += r.debit;
        credit += r.credit;
        byAccount[r.account] += r.debit - r.credit;
        EXPECT_EQ(r.info, "E-1") << "TransactionInformation names the entry";
    }
    EXPECT_EQ(debit, credit) << "the voucher balances";
    EXPECT_EQ(debit, 10000 + 2500 + 10000 + 2500);
    EXPECT_EQ(byAccount["6110"], 10000);
    EXPECT_EQ(byAccount["2640"], 2500);
    EXPECT_EQ(byAccount["6540"], 10000);
    EXPECT_EQ(byAccount["2645"], 2500) << "reverse charge: beräknad ingående moms";
    EXPECT_EQ(byAccount["2614"], -2500) << "reverse charge: utgående moms omvänd skattskyldighet";
    EXPECT_EQ(byAccount["2890"], -22500) << "the contra account carries minus the total";
    EXPECT_EQ(rows[0].costCenter, "CC1");
    EXPECT_EQ(rows[0].project, "P100");
    for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i].costCenter + rows[i].project, "");
    EXPECT_EQ(lastDescription, "Kontorsgrossisten AB [pleo:E-1]");
}

TEST_F(FortnoxDoubleTest, AReverseChargeRateOfItsOwnGoesToItsOutputVatAccount) {
    open({{"reverse_charge_output_vat_by_rate", "12:2624"}});
    sdk::Line food = line("L1", "5800", 10000, 1200, "reverse");
    food.taxRate = "12.00";
    ASSERT_EQ(client->push({entry("E-12", {food})})[0].kind, OutcomeKind::Posted);
    std::map<std::string, std::int64_t> byAccount;
    for (const auto& r : readBack("A", "1")) byAccount[r.account] += r.debit - r.credit;
    EXPECT_EQ(byAccount["2624"], -1200);
    EXPECT_EQ(byAccount.count("2614"), 0u);
}

TEST_F(FortnoxDoubleTest, ReceiptsAreUploadedToTheInboxAndConnectedOnce) {
    sdk::Entry e = simple("E-r");
    const std::string pdf = std::string("%PDF-1.4\n\xE2\xE3\0\x01 binary", 20);
    e.receipts = {receipt(dir, "kvitto.pdf", pdf, "application/pdf"), receipt(dir, "b.png", "\x89PNG\r\n", "image/png")};
    ASSERT_EQ(client->push({e})[0].kind, OutcomeKind::Posted);
    const auto files = fortnox.files();
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0].name, "kvitto.pdf");
    EXPECT_EQ(files[0].bytes, pdf) << "the bytes arrive unchanged";
    EXPECT_EQ(files[0].contentType, "application/pdf");
    const auto connections = fortnox.connections();
    ASSERT_EQ(connections.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(connections[i].fileId, files[i].id);
        EXPECT_EQ(connections[i].series + connections[i].number, "A1");
    }
    // Pushed again (the host retrying a batch): nothing new in Fortnox.
    EXPECT_EQ(client->push({e})[0].externalId, "A-1/1");
    EXPECT_EQ(client->lookup(e).externalId, "A-1/1");
    EXPECT_EQ(fortnox.vouchers().size(), 1u);
    EXPECT_EQ(fortnox.files().size(), 2u);
    EXPECT_EQ(fortnox.connections().size(), 2u);
}

TEST_F(FortnoxDoubleTest, LookupAfterALostResponseFindsTheVoucherByItsMarkerAndConnectsTheReceipts) {
    sdk::Entry e = simple("E-lost");
    e.receipts = {receipt(dir, "r.pdf", "%PDF-1.4 receipt", "application/pdf")};
    // Another voucher the same day, and one whose id shares a prefix: neither may match.
    ASSERT_EQ(client->push({simple("E-other"), simple("E-lost2")})[1].kind, OutcomeKind::Posted);
    host->loseResponse = [](const sdk::HttpRequest& r) { return r.url.find("/vouchers") != std::string::npos && r.method == "POST"; };
    const auto out = client->push({e, simple("E-after")});
    EXPECT_EQ(out[0].kind, OutcomeKind::Unknown) << out[0].message;
    EXPECT_EQ(out[1].kind, OutcomeKind::Retryable) << "nothing more is sent after a call got no answer";
    EXPECT_EQ(fortnox.vouchers().size(), 3u) << "the voucher was booked, its answer lost";
    EXPECT_TRUE(fortnox.files().empty());

    open({}, true);  // a crash: a new process, plugin state gone
    const auto found = client->lookup(e);
    ASSERT_EQ(found.kind, OutcomeKind::Posted) << found.message;
    EXPECT_EQ(found.externalId, "A-3/1");
    ASSERT_EQ(fortnox.connections().size(), 1u) << "lookup finishes what push would have done next";
    EXPECT_EQ(fortnox.connections()[0].number, "3");
    EXPECT_EQ(client->lookup(simple("E-never")).kind, OutcomeKind::Absent);
    EXPECT_EQ(client->lookup(simple("E")).kind, OutcomeKind::Absent) << "a prefix of an id is not a match";
    EXPECT_EQ(fortnox.vouchers().size(), 3u) << "lookups book nothing";
}

// The instants between a receipt's upload and its connection, and between the connection and
// the plugin noting it: the state says "uploaded:<FileId>", and the next lookup asks Fortnox
// (GET voucherfileconnections/{FileId}) instead of uploading or connecting again.
TEST_F(FortnoxDoubleTest, AReceiptInterruptedAroundItsConnectionIsNeitherUploadedNorConnectedTwice) {
    sdk::Entry connected = simple("E-conn"), notYet = simple("E-upl");
    connected.receipts = {receipt(dir, "c.pdf", "%PDF-1.4 c", "application/pdf")};
    notYet.receipts = {receipt(dir, "u.pdf", "%PDF-1.4 u", "application/pdf")};
    // Connected in Fortnox, the answer lost: the plugin never learnt it.
    host->loseResponse = [](const sdk::HttpRequest& r) { return r.url.find("/voucherfileconnections") != std::string::npos; };
    EXPECT_NE(client->push({connected})[0].message.find("receipt c.pdf was not attached"), std::string::npos);
    EXPECT_EQ(host->state["fortnox/file/E-conn/0"], "uploaded:" + fortnox.files()[0].id);
    // Uploaded, then the connection refused for a minute (429 beyond max_retry_wait_seconds).
    // The host asks loseResponse once the request went out: the upload arms the 429.
    host->loseResponse = [&](const sdk::HttpRequest& r) {
        if (r.url.find("/inbox") != std::string::npos) fortnox.rateLimitNext(1, 60);
        return false;
    };
    EXPECT_NE(client->push({notYet})[0].message.find("receipt u.pdf was not attached"), std::string::npos);
    ASSERT_EQ(fortnox.connections().size(), 1u);
    host->loseResponse = nullptr;

    EXPECT_EQ(client->lookup(connected).kind, OutcomeKind::Posted);
    EXPECT_EQ(client->lookup(notYet).kind, OutcomeKind::Posted);
    EXPECT_EQ(fortnox.files().size(), 2u) << "no receipt uploaded again";
    const auto connections = fortnox.connections();
    ASSERT_EQ(connections.size(), 2u) << "c.pdf not connected again, u.pdf connected";
    EXPECT_EQ(connections[1].fileId, fortnox.files()[1].id);
    EXPECT_EQ(connections[1].number, "2");
    EXPECT_EQ(host->state["fortnox/file/E-conn/0"], fortnox.files()[0].id);
    EXPECT_EQ(host->state["fortnox/file/E-upl/0"], fortnox.files()[1].id);
    std::size_t checks = 0;
    for (const auto& r : fortnox.requests()) checks += r.method == "GET" && r.target.find("/voucherfileconnections/") != std::string::npos;
    EXPECT_EQ(checks, 2u);
}

TEST_F(FortnoxDoubleTest, LookupPagesThroughABusyDay) {
    std::vector<sdk::Entry> batch;
    for (int i = 0; i < 105; ++i) batch.push_back(simple("E-day-" + std::to_string(i)));
    open({{"requests_per_5_seconds", "25"}});
    fortnox.setWindowLimit(0);
    for (const auto& o : client->push(batch)) ASSERT_EQ(o.kind, OutcomeKind::Posted) << o.message;
    open({}, true);
    EXPECT_EQ(client->lookup(batch[104]).externalId, "A-105/1");
    const auto log = fortnox.requests();
    EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const auto& r) {
        return r.target.find("/vouchers/sublist/A?") != std::string::npos && r.target.find("page=2") != std::string::npos;
    })) << "the 105th voucher is on the second page of 100";
}

TEST_F(FortnoxDoubleTest, AFailingStateStoreIsAWarningNotAFailedPush) {
    sdk::Entry e = simple("E-nostate");
    e.receipts = {receipt(dir, "r.pdf", "%PDF-1.4 receipt", "application/pdf")};
    host->failStore = true;
    const auto out = client->push({e});
    ASSERT_EQ(out[0].kind, OutcomeKind::Posted) << out[0].message;
    EXPECT_EQ(fortnox.connections().size(), 1u);
    EXPECT_TRUE(std::any_of(host->logLines.begin(), host->logLines.end(), [](const std::string& l) {
        return l.find("could not remember doc/E-nostate") != std::string::npos;
    }));
}

TEST_F(FortnoxDoubleTest, A429WithAShortRetryAfterIsWaitedForAndALongOneEndsThePushRetryable) {
    fortnox.rateLimitNext(2, 1);
    const auto out = client->push({simple("E-429")});
    ASSERT_EQ(out[0].kind, OutcomeKind::Posted) << out[0].message;
    EXPECT_EQ(count429(), 2);
    EXPECT_EQ(fortnox.vouchers().size(), 1u);

    fortnox.rateLimitNext(1, 120);  // longer than max_retry_wait_seconds (5)
    const auto later = client->push({simple("E-429b"), simple("E-429c")});
    for (const auto& o : later) {
        EXPECT_EQ(o.kind, OutcomeKind::Retryable);
        EXPECT_NE(o.message.find("429"), std::string::npos) << o.message;
    }
    EXPECT_EQ(fortnox.vouchers().size(), 1u);
}

TEST_F(FortnoxDoubleTest, ThePluginPacesItselfUnderFortnoxsWindowOf25RequestsPer5Seconds) {
    std::vector<sdk::Entry> batch;
    for (int i = 0; i < 30; ++i) batch.push_back(simple("E-pace-" + std::to_string(i)));
    for (const auto& o : client->push(batch)) ASSERT_EQ(o.kind, OutcomeKind::Posted) << o.message;
    EXPECT_EQ(count429(), 0) << "the double enforces 25 per 5 s; the plugin never reached it";
    const auto log = fortnox.requests();
    for (std::size_t i = 25; i < log.size(); ++i)
        EXPECT_GE(log[i].atMs - log[i - 25].atMs, 5000 - 50) << "request " << i;  // 50 ms: socket vs. clock
}

TEST_F(FortnoxDoubleTest, FortnoxRefusalsBecomePleoFailureReasons) {
    sdk::Entry inactive = entry("E-old", {line("L1", "6999", 1000, 0, "none")});
    sdk::Line tagged = line("L1", "6110", 1000, 200);
    tagged.tags = {{"DEPARTMENT", "NOPE", "Unknown"}};
    sdk::Entry unknownCc = entry("E-cc", {tagged});
    sdk::Entry unknownAccount = entry("E-acc", {line("L1", "7777", 1000, 200)});
    const auto out = client->push({inactive, unknownCc, unknownAccount, simple("E-fine")});
    EXPECT_EQ(out[0].failureReason, "account_unknown");
    EXPECT_NE(out[0].message.find("6999"), std::string::npos) << out[0].message;
    EXPECT_EQ(out[1].failureReason, "tag_unknown") << out[1].message;
    EXPECT_EQ(out[2].failureReason, "account_unknown");
    EXPECT_NE(out[2].message.find("2001304"), std::string::npos) << "Fortnox's code is kept: " << out[2].message;
    EXPECT_EQ(out[3].kind, OutcomeKind::Posted);
    EXPECT_EQ(fortnox.vouchers().size(), 1u);
}

TEST_F(FortnoxDoubleTest, TheDryRunRejectsWhatPushRejectsAndSendsNothing) {
    sdk::Entry euro = simple("E-eur");
    for (auto* m : {&euro.totalWallet, &euro.totalSupplier, &euro.lines[0].walletAmount, &euro.lines[0].netAmount,
                    &euro.lines[0].taxAmount})
        m->currency = "EUR";
    sdk::Entry odd = simple("E-odd");
    odd.lines[0].accountCode = "61100";
    sdk::Entry bad = simple("E-bad");
    bad.totalWallet.minor += 1;
    sdk::Entry good = simple("E-good");
    good.receipts = {receipt(dir, "r.pdf", "%PDF", "application/pdf")};
    const auto plan = client->plan({euro, odd, bad, good});
    ASSERT_EQ(plan.rejections.size(), 3u);
    EXPECT_EQ(plan.rejections[0].failureReason, "validation_failure");
    EXPECT_NE(plan.rejections[0].message.find("SEK"), std::string::npos) << plan.rejections[0].message;
    EXPECT_EQ(plan.rejections[1].failureReason, "account_unknown");
    EXPECT_EQ(plan.rejections[2].failureReason, "validation_failure");
    ASSERT_EQ(plan.documents.size(), 3u) << "voucher, inbox upload, file connection";
    EXPECT_EQ(plan.documents[0].action, "POST " + fortnox.baseUrl() + "/vouchers");
    EXPECT_NE(plan.documents[0].body.find("\"Debit\":100.00"), std::string::npos) << plan.documents[0].body;
    EXPECT_TRUE(fortnox.requests().empty()) << "a dry run sends nothing";

    const auto pushed = client->push({euro, odd, bad, good});
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(pushed[i].failureReason, plan.rejections[i].failureReason);
        EXPECT_EQ(pushed[i].message, plan.rejections[i].message);
    }
    EXPECT_EQ(pushed[3].kind, OutcomeKind::Posted);
}

TEST_F(FortnoxDoubleTest, CheckFindsTheSeriesAndNamesAMissingOne) {
    EXPECT_NO_THROW(client->check());
    open({{"voucher_series", "Z"}});
    try {
        client->check();
        FAIL() << "a missing series must fail check";
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_CONFIG);
        EXPECT_NE(std::string(e.what()).find("voucher_series Z"), std::string::npos) << e.what();
    }
}

TEST_F(FortnoxDoubleTest, BadSettingsAreRefusedByKey) {
    client = std::make_unique<sdk::PluginClient>(fortnoxApi(), *host, "fortnox");
    try {
        client->configure(settings(fortnox.baseUrl(), {{"dimensions", "DEPARTMENT:2"},
                                                        {"reverse_charge_input_vat_account", "26x5"},
                                                        {"requests_per_5_seconds", "26"},
                                                        {"base_url", "http://api.fortnox.se/3"}}));
        FAIL() << "bad settings must be refused";
    } catch (const sdk::CallFailed& e) {
        std::set<std::string> keys;
        for (const auto& [k, m] : e.settingErrors()) keys.insert(k);
        EXPECT_EQ(keys, (std::set<std::string>{"dimensions", "reverse_charge_input_vat_account", "requests_per_5_seconds",
                                               "base_url"}));
    }
}
