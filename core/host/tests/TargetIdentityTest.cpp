// The target identity a plugin's manifest names re-keys a connection's ledger, state and grant;
// a plugin that names none keeps the Pleo connection's fingerprint bit for bit (Xero, CSV, ...).
#include "ledgerbridge/host/TargetIdentity.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "ledgerbridge/host/Promotion.h"

using namespace ledgerbridge;

namespace {
config::EnvironmentProfile staging() {
    config::EnvironmentProfile p;
    p.name = "staging";
    p.authUrl = "https://auth.staging.pleo.io";
    p.apiUrl = "https://external.staging.pleo.io";
    return p;
}
sdk::Manifest bcLike() {
    sdk::Manifest m;
    m.name = "businesscentral";
    m.settings = {sdk::SettingSpec{"tenant_id", sdk::SettingType::String, std::nullopt, false, "tenant"},
                  sdk::SettingSpec{"environment", sdk::SettingType::String, std::string("production"), false, "env"},
                  sdk::SettingSpec{"company_id", sdk::SettingType::String, std::nullopt, false, "company"},
                  sdk::SettingSpec{"journal_id", sdk::SettingType::String, std::nullopt, false, "journal"}};
    m.targetIdentity = {"tenant_id", "environment", "company_id"};
    return m;
}
config::Connection connection(const std::string& company, const std::string& environment = "sandbox") {
    config::Connection c;
    c.name = "acme";
    c.companyId = "8f2b1c4e-0000-4000-8000-000000000001";
    c.plugin = "businesscentral";
    c.settings["tenant_id"].value = "contoso.onmicrosoft.com";
    if (!environment.empty()) c.settings["environment"].value = environment;
    c.settings["company_id"].value = company;
    c.settings["journal_id"].value = "0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a";
    return c;
}
const char* kCompanyA = "6f1e4c2a-0b7d-4e8f-9a1b-2c3d4e5f6a7b";
const char* kCompanyB = "7a2f5d3b-1c8e-4f90-8b2c-3d4e5f6a7b8c";
}  // namespace

TEST(TargetIdentity, APluginNamingNoneKeepsThePleoConnectionsFingerprint) {
    sdk::Manifest xero;
    xero.name = "xero";
    auto c = connection(kCompanyA);
    c.settings["tenant_id"].value = "7e1c1d2a-5d5b-4c1e-9a57-0f1b2c3d4e5f";
    EXPECT_EQ(host::targetIdentity(c, xero), "");
    const auto fp = host::targetFingerprint(staging(), c, xero);
    EXPECT_EQ(fp, config::environmentFingerprint(staging(), c.companyId)) << fp.description;
    EXPECT_EQ(fp.description.find("ERP tenant"), std::string::npos) << fp.description;
}

TEST(TargetIdentity, TheNamedSettingsInTheManifestsOrderWithDefaultsAndWithoutCase) {
    auto c = connection("6F1E4C2A-0B7D-4E8F-9A1B-2C3D4E5F6A7B", "");
    EXPECT_EQ(host::targetIdentity(c, bcLike()),
              "tenant_id=contoso.onmicrosoft.com; environment=production; company_id=6f1e4c2a-0b7d-4e8f-9a1b-2c3d4e5f6a7b");
    const auto fp = host::targetFingerprint(staging(), c, bcLike());
    EXPECT_NE(fp, config::environmentFingerprint(staging(), c.companyId));
    EXPECT_NE(fp.description.find("company_id=6f1e4c2a"), std::string::npos) << fp.description;
    EXPECT_EQ(fp, host::targetFingerprint(staging(), connection(kCompanyA, "production"), bcLike()))
        << "the default environment and upper-case GUID name the same books";
}

TEST(TargetIdentity, AnotherCompanyOrEnvironmentIsAnotherTargetAnotherSettingIsNot) {
    const auto a = host::targetFingerprint(staging(), connection(kCompanyA), bcLike());
    EXPECT_NE(a, host::targetFingerprint(staging(), connection(kCompanyB), bcLike())) << "company";
    EXPECT_NE(a, host::targetFingerprint(staging(), connection(kCompanyA, "production"), bcLike())) << "environment";
    auto otherJournal = connection(kCompanyA);
    otherJournal.settings["journal_id"].value = "11111111-2222-4333-8444-555555555555";
    EXPECT_EQ(a, host::targetFingerprint(staging(), otherJournal, bcLike())) << "the journal is not the books";
    auto production = staging();
    production.authUrl = "https://auth.pleo.io";
    production.apiUrl = "https://external.pleo.io";
    EXPECT_NE(a, host::targetFingerprint(production, connection(kCompanyA), bcLike())) << "the Pleo environment still counts";
}

// Staging and production write to different books by design: the promotion's canonical
// configuration leaves out the settings the plugin names as its target identity (read from the
// real businesscentral.so), and keeps every other setting.
TEST(TargetIdentity, APromotionComparesTheConfigurationWithoutTheTargetIdentity) {
    const auto dir = std::filesystem::temp_directory_path() / ("lb-identity-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    store::StateStore store((dir / "state").string());
    auto snapshot = [&](const config::Connection& c) {
        config::Config cfg;
        cfg.pluginDir = LB_TEST_PLUGIN_DIR;
        cfg.connections = {c};
        return host::snapshotOf(cfg, store).configText;
    };
    auto staging = connection(kCompanyA, "sandbox"), production = connection(kCompanyB, "production");
    production.settings["tenant_id"].value = "contoso-prod.onmicrosoft.com";
    const std::string text = snapshot(staging);
    EXPECT_EQ(text, snapshot(production)) << text;
    EXPECT_EQ(text.find("company_id"), std::string::npos) << text;
    EXPECT_NE(text.find("setting.journal_id = 0d9c8b7a"), std::string::npos) << text;
    production.settings["journal_id"].value = "11111111-2222-4333-8444-555555555555";
    EXPECT_NE(text, snapshot(production)) << "another journal is another configuration";
    std::filesystem::remove_all(dir);
}
