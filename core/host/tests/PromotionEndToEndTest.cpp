// Staging → production against the simulator (standing in for Pleo's staging): a promotion is
// refused without a passing validation, a validation needs a real job with every entry
// successful, production needs its own OAuth client, a changed configuration is shown line by
// line, and production runs are refused (exit 6, with the fixing commands) unless exactly the
// promoted plugins and configuration are in place.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "EndToEndHarness.h"
#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/host/Promotion.h"

using namespace ledgerbridge;
using namespace ledgerbridge::e2e;

namespace {
std::string readFile(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
void writeFile(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::trunc) << text; }
}  // namespace

TEST(Promotion, OnlyWhatWasValidatedReachesProduction) {
    Installation inst({"--items", "30"});
    const std::string ini = inst.dir() + "/ledgerbridge.ini";
    // Production reuses the simulator's OAuth client at first: a promotion must refuse that.
    writeFile(ini, readFile(ini) + "\n[environment.production]\nclient_id = ledgerbridge-demo\nclient_secret = file:client-secret\n");

    auto early = inst.ledgerbridge({"promote", "--to", "production"});
    EXPECT_EQ(early.exitCode, 6) << early.out << early.err;
    EXPECT_NE(early.err.find("no passing validation is recorded"), std::string::npos) << early.err;

    auto nothingPending = inst.ledgerbridge({"validate"});
    EXPECT_EQ(nothingPending.exitCode, 1) << nothingPending.out << nothingPending.err;
    EXPECT_NE(nothingPending.out.find("no export job was pending"), std::string::npos) << nothingPending.out;

    inst.createJob();
    auto passed = inst.ledgerbridge({"validate"});
    ASSERT_EQ(passed.exitCode, 0) << passed.out << passed.err;
    EXPECT_NE(passed.out.find("export       ok (1 job, 30 entries posted)"), std::string::npos) << passed.out;
    EXPECT_NE(passed.out.find("PASSED"), std::string::npos);
    EXPECT_NE(passed.out.find("csv 1.0.0 "), std::string::npos) << "the plugin and its hash are recorded\n" << passed.out;

    auto sameClient = inst.ledgerbridge({"promote", "--to", "production"});
    EXPECT_EQ(sameClient.exitCode, 6);
    EXPECT_NE(sameClient.err.find("client_id is the sim one"), std::string::npos) << sameClient.err;

    // Production gets its own client; the configuration that matters is unchanged.
    std::ofstream(inst.dir() + "/production-secret") << "production-client-secret-value\n";
    std::filesystem::permissions(inst.dir() + "/production-secret", std::filesystem::perms::owner_read,
                                 std::filesystem::perm_options::replace);
    std::string text = readFile(ini);
    text.replace(text.rfind("client_id = ledgerbridge-demo"), 29, "client_id = partner-production-client");
    text.replace(text.rfind("client_secret = file:client-secret"), 34, "client_secret = file:production-secret");
    writeFile(ini, text);

    auto production = config::loadConfigOrThrow(ini, config::Overrides{std::string("production"), std::nullopt}, false);
    {
        store::StateStore store(inst.dir() + "/state");
        EXPECT_THROW(host::requirePromotion(production, store), EnvironmentMismatchError) << "not promoted yet";
    }
    auto refusedRun = inst.ledgerbridge({"--environment", "production", "run"});
    EXPECT_EQ(refusedRun.exitCode, 6);
    EXPECT_NE(refusedRun.err.find("ledgerbridge promote --to production"), std::string::npos) << refusedRun.err;

    auto promoted = inst.ledgerbridge({"promote", "--to", "production"});
    ASSERT_EQ(promoted.exitCode, 0) << promoted.out << promoted.err;
    EXPECT_NE(promoted.out.find("Recorded as promo-"), std::string::npos) << promoted.out;
    EXPECT_NE(promoted.out.find("--environment production auth login --connection acme"), std::string::npos);
    {
        store::StateStore store(inst.dir() + "/state");
        EXPECT_NO_THROW(host::requirePromotion(production, store));
    }

    // A change after the promotion: shown line by line, and production is refused again.
    text = readFile(ini);
    text.replace(text.find("setting.output_dir = exports"), 28, "setting.output_dir = exports\nsetting.delimiter = ;");
    writeFile(ini, text);
    auto changed = inst.ledgerbridge({"promote", "--to", "production", "--dry-run"});
    EXPECT_EQ(changed.exitCode, 6);
    EXPECT_NE(changed.err.find("+ now:       setting.delimiter = ;"), std::string::npos) << changed.err;
    auto production2 = config::loadConfigOrThrow(ini, config::Overrides{std::string("production"), std::nullopt}, false);
    store::StateStore store(inst.dir() + "/state");
    EXPECT_THROW(host::requirePromotion(production2, store), EnvironmentMismatchError);
    EXPECT_EQ(inst.filesContaining("production-client-secret-value").size(), 1u) << "only its own file holds it";
}
