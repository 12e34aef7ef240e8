// Staging → production against the simulator (standing in for Pleo's staging): a promotion is
// refused without a passing validation, a validation needs a real job with every entry
// successful, production needs its own OAuth client, a changed configuration is shown line by
// line, and production runs are refused (exit 6, with the fixing commands) unless exactly the
// promoted plugins and configuration are in place.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <cstdlib>

#include "EndToEndHarness.h"
#include "SimHarness.h"
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
    // Said before anything is exported: this is not a dry run.
    EXPECT_LT(passed.out.find("This exports real entries"), passed.out.find("  acme (csv):")) << passed.out;
    EXPECT_NE(passed.out.find("export       ok (1 job, 30 entries posted)"), std::string::npos) << passed.out;
    EXPECT_NE(passed.out.find("PASSED"), std::string::npos);
    EXPECT_NE(passed.out.find("csv 1.0.0 "), std::string::npos) << "the plugin and its hash are recorded\n" << passed.out;

    auto sameClient = inst.ledgerbridge({"promote", "--to", "production", "--accept-local-validation"});
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
    EXPECT_NE(refusedRun.err.find("promote --to production"), std::string::npos) << refusedRun.err;

    // The validation ran against the simulator (a custom profile): no proof for production
    // unless the operator says so.
    auto local = inst.ledgerbridge({"promote", "--to", "production"});
    EXPECT_EQ(local.exitCode, 6) << local.out << local.err;
    EXPECT_NE(local.err.find("acme: validated only against a local environment (sim, val-"), std::string::npos) << local.err;
    EXPECT_NE(local.err.find("--accept-local-validation"), std::string::npos) << local.err;

    auto promoted = inst.ledgerbridge({"promote", "--to", "production", "--accept-local-validation"});
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
    auto changed = inst.ledgerbridge({"promote", "--to", "production", "--dry-run", "--accept-local-validation"});
    EXPECT_EQ(changed.exitCode, 6);
    EXPECT_NE(changed.err.find("+ now:       setting.delimiter = ;"), std::string::npos) << changed.err;
    auto production2 = config::loadConfigOrThrow(ini, config::Overrides{std::string("production"), std::nullopt}, false);
    store::StateStore store(inst.dir() + "/state");
    EXPECT_THROW(host::requirePromotion(production2, store), EnvironmentMismatchError);
    EXPECT_EQ(inst.filesContaining("production-client-secret-value").size(), 1u) << "only its own file holds it";
}

// The "a 10-item job reports 20 posted": entries an earlier job had posted (it crashed
// and Pleo expired it) are reported again, not re-posted, and were counted twice.
TEST(Promotion, ValidationCountsEntriesAnEarlierJobPostedOnce) {
    Installation inst({"--items", "10"});
    const std::string first = inst.createJob();
    auto crashed = oauth::simtest::run(oauth::simtest::binary("ledgerbridge"), inst.argv({"run"}),
                                       {{"LEDGERBRIDGE_CRASH_AT", "export:pushed"}});
    ASSERT_NE(crashed.exitCode, 0);
    inst.sim().admin("POST", "/admin/clock/advance", "{\"seconds\":7200}");
    EXPECT_EQ(inst.ledgerbridge({"run"}).exitCode, 1) << "the expired job is closed by Pleo";
    inst.createJob();
    auto v = inst.ledgerbridge({"validate"});
    ASSERT_EQ(v.exitCode, 0) << v.out << v.err;
    EXPECT_NE(v.out.find("export       ok (1 job, 10 entries posted, 10 of them by an earlier job)"), std::string::npos)
        << v.out;
    EXPECT_EQ(inst.csv().duplicates(), 0);
}

// The layout config/staging.ini and config/production.ini suggest: two files, two state
// directories, different output paths and schedules. Validations of single connections
// combine; what may differ is not reported; what must be equal is named per connection.
TEST(Promotion, SeparateStagingAndProductionFilesCombinePerConnectionValidations) {
    Installation inst({"--items", "40"});
    const std::string staging = inst.dir() + "/ledgerbridge.ini";
    const std::string production = inst.dir() + "/production.ini";
    const std::string apiKey =
        inst.sim().admin("POST", "/admin/api-keys", "{\"companyId\":\"" + inst.companyId() + "\"}")->getValue<std::string>("apiKey");
    ::setenv("LB_PROMO_BETA_KEY", apiKey.c_str(), 1);
    const std::string beta = "\n[connection.beta]\ncompany_id = " + inst.companyId() +
                             "\nplugin = csv\ncredential = api_key\napi_key = env:LB_PROMO_BETA_KEY\n"
                             "setting.output_dir = exports-beta\nsetting.delimiter = ;\n";
    std::filesystem::create_directories(inst.dir() + "/exports-beta");
    writeFile(staging, readFile(staging) + beta);

    // production.ini: another state directory and output folder, another schedule, its own client.
    std::string prod = readFile(staging);
    prod.replace(prod.find("environment = sim"), 17, "environment = production");
    prod.replace(prod.find("/state\n"), 7, "/state-production\n");
    for (auto at = prod.find("setting.output_dir = exports\n"); at != std::string::npos;
         at = prod.find("setting.output_dir = exports\n", at + 1))
        prod.replace(at, 29, "setting.output_dir = exports-production\nschedule = every 1h\n");
    std::ofstream(inst.dir() + "/production-secret") << "production-client-secret-value\n";
    std::filesystem::permissions(inst.dir() + "/production-secret", std::filesystem::perms::owner_read,
                                 std::filesystem::perm_options::replace);
    writeFile(production, prod + "\n[environment.production]\nclient_id = partner-production-client\n"
                                 "client_secret = file:production-secret\n");
    auto promote = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = {"--config", production, "promote", "--to", "production", "--from", staging};
        args.insert(args.end(), extra.begin(), extra.end());
        return oauth::simtest::run(oauth::simtest::binary("ledgerbridge"), args);
    };

    inst.createJob(10);
    auto acme = inst.ledgerbridge({"validate", "--connection", "acme"});
    ASSERT_EQ(acme.exitCode, 0) << acme.out << acme.err;
    EXPECT_EQ(acme.out.find("beta"), std::string::npos) << "only the connection asked for\n" << acme.out;
    EXPECT_NE(acme.out.find("Note: environment 'sim' is a custom profile"), std::string::npos) << acme.out;

    auto half = promote({"--accept-local-validation"});
    EXPECT_EQ(half.exitCode, 6) << half.out << half.err;
    EXPECT_NE(half.err.find("  beta: never validated; run `ledgerbridge --config STAGING.ini validate --connection beta`"),
              std::string::npos) << half.err;
    EXPECT_EQ(half.err.find("  acme:"), std::string::npos) << "acme's pass counts\n" << half.err;

    inst.createJob(10);
    auto second = inst.ledgerbridge({"validate", "--connection", "beta"});
    ASSERT_EQ(second.exitCode, 0) << second.out << second.err;

    auto notLocal = promote({});
    EXPECT_EQ(notLocal.exitCode, 6) << notLocal.out << notLocal.err;
    EXPECT_NE(notLocal.err.find("acme: validated only against a local environment"), std::string::npos) << notLocal.err;
    EXPECT_NE(notLocal.err.find("beta: validated only against a local environment"), std::string::npos) << notLocal.err;

    auto accepted = promote({"--accept-local-validation"});
    ASSERT_EQ(accepted.exitCode, 0) << accepted.out << accepted.err;
    EXPECT_NE(accepted.out.find("  acme: csv 1.0.0 "), std::string::npos) << accepted.out;
    EXPECT_NE(accepted.out.find("  beta: csv 1.0.0 "), std::string::npos) << accepted.out;
    EXPECT_EQ(accepted.out.find("output_dir"), std::string::npos) << accepted.out;
    {
        auto cfg = config::loadConfigOrThrow(production, {}, false);
        store::StateStore store(inst.dir() + "/state-production");
        EXPECT_NO_THROW(host::requirePromotion(cfg, store)) << "recorded in production's own state";
    }

    // A mapping setting that differs is named under its connection; paths and schedules are not.
    std::string changed = readFile(production);
    changed.replace(changed.find("setting.delimiter = ;"), 21, "setting.delimiter = |");
    writeFile(production, changed);
    auto differs = promote({"--accept-local-validation", "--dry-run"});
    EXPECT_EQ(differs.exitCode, 6) << differs.out << differs.err;
    EXPECT_NE(differs.err.find("  beta: differs from its newest validation (val-"), std::string::npos) << differs.err;
    EXPECT_NE(differs.err.find("    - validated: setting.delimiter = ;\n    + now:       setting.delimiter = |"),
              std::string::npos) << differs.err;
    EXPECT_EQ(differs.err.find("  acme:"), std::string::npos) << differs.err;
    EXPECT_EQ(differs.err.find("output_dir"), std::string::npos) << differs.err;
    EXPECT_EQ(differs.err.find("schedule"), std::string::npos) << differs.err;
}
