// Conformance: the file and its ABI, the manifest, settings validation good and bad, check().
#include <gtest/gtest.h>

#include <set>

#include "ledgerbridge/library.hpp"
#include "ledgerbridge/testkit/Kit.hpp"

using namespace ledgerbridge;
using namespace ledgerbridge::testkit;

namespace {
/// [a-z0-9_-]+
bool isPluginName(const std::string& s) {
    return !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
}

/// MAJOR.MINOR.PATCH, optionally followed by -prerelease or +build.
bool isSemver(const std::string& s) {
    std::size_t pos = 0;
    for (int part = 0; part < 3; ++part) {
        const std::size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == start) return false;
        if (part < 2) {
            if (pos >= s.size() || s[pos] != '.') return false;
            ++pos;
        }
    }
    return pos == s.size() || s[pos] == '-' || s[pos] == '+';
}

bool namesKey(const sdk::CallFailed& e, const std::string& key) {
    for (const auto& [k, m] : e.settingErrors())
        if (k == key) return true;
    return false;
}
}  // namespace

TEST(Abi, FileCarriesTheEntrySymbolOfThisMajor) {
    const sdk::LibraryFacts facts = sdk::inspectLibrary(config().pluginPath);
    EXPECT_TRUE(facts.hasExpectedEntry);
    EXPECT_EQ(facts.entrySymbols, std::vector<std::string>{LB_PLUGIN_ENTRY_SYMBOL});
}

TEST(Abi, TableIsNegotiatedAndComplete) {
    const lb_plugin_api* api = pluginApi();
    ASSERT_NE(api, nullptr);
    EXPECT_EQ(api->abi_major, static_cast<std::uint32_t>(LB_ABI_MAJOR));
    EXPECT_LE(api->abi_minor, static_cast<std::uint32_t>(LB_ABI_MINOR));
    EXPECT_GE(api->struct_size, sdk::pluginTableSizeForMinor(api->abi_minor)) << "the table of the minor it declares";
}

TEST(Manifest, DescribesThePlugin) {
    const lb_manifest* m = pluginApi()->describe();
    ASSERT_NE(m, nullptr);
    EXPECT_GE(m->struct_size, pluginApi()->abi_minor == 0 ? LB_MANIFEST_SIZE_1_0 : LB_MANIFEST_SIZE_1_1);
    ASSERT_NE(m->name, nullptr);
    EXPECT_TRUE(isPluginName(m->name)) << m->name;
    ASSERT_NE(m->version, nullptr);
    EXPECT_TRUE(isSemver(m->version)) << m->version;
    ASSERT_NE(m->target_system, nullptr);
    EXPECT_STRNE(m->target_system, "");
    EXPECT_TRUE(m->maturity == LB_MATURITY_STABLE || m->maturity == LB_MATURITY_ALPHA);
    // The bits of the minor the plugin declares: 1.1 added the two master-data bits.
    const std::uint32_t known =
        pluginApi()->abi_minor == 0 ? 0xFu : 0xFu | LB_CAP_MASTER_DATA | LB_CAP_MASTER_DATA_CHANGED_SINCE;
    EXPECT_EQ(m->capabilities & ~known, 0u) << "capability bits unknown to ABI 1." << pluginApi()->abi_minor;
    EXPECT_EQ(pluginApi()->describe(), m) << "describe() must return the same static data every time";
}

TEST(Manifest, SettingsAreDeclaredAsData) {
    const lb_manifest* m = pluginApi()->describe();
    std::set<std::string> keys;
    for (std::size_t i = 0; i < m->setting_count; ++i) {
        const lb_setting_spec& s = m->settings[i];
        ASSERT_NE(s.key, nullptr);
        EXPECT_TRUE(keys.insert(s.key).second) << "duplicate setting " << s.key;
        EXPECT_TRUE(s.type >= LB_SETTING_STRING && s.type <= LB_SETTING_PATH) << s.key;
        ASSERT_NE(s.description, nullptr) << s.key;
        EXPECT_STRNE(s.description, "") << s.key << " needs a description";
        EXPECT_FALSE(s.secret && s.default_value && *s.default_value) << s.key << ": a secret has no default";
    }
}

TEST(Manifest, AnOAuthTargetDeclaresTheHostsItsTokenGoesTo) {
    // The host sends the target token only to these hosts (ABI 1.1): a plugin with OAuth needs
    // and none declared gets its token nowhere unless each connection lists them.
    const lb_manifest* m = pluginApi()->describe();
    for (std::size_t i = 0; m->token_hosts && i < m->token_host_count; ++i) {
        ASSERT_NE(m->token_hosts[i], nullptr);
        const std::string h = m->token_hosts[i];
        EXPECT_FALSE(h.empty());
        EXPECT_EQ(h.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-:[]"), std::string::npos)
            << "'" << h << "': a token host is a lower-case host or host:port, no scheme, path or wildcard";
    }
    if (m->oauth) {
        EXPECT_GT(m->token_host_count, 0u) << "the manifest has OAuth needs but declares no tokenHosts";
    }
}

TEST(Manifest, ATargetIdentityNamesDeclaredSettingsThatAreNotSecret) {
    // The host puts these settings' values into the connection's target fingerprint (and its
    // description, shown to people): each must be a declared setting, never a secret, once.
    const lb_manifest* m = pluginApi()->describe();
    if (m->struct_size < LB_MANIFEST_SIZE_TARGET_IDENTITY) return;  // built before the field: none
    std::set<std::string> seen;
    for (std::size_t i = 0; m->target_identity && i < m->target_identity_count; ++i) {
        ASSERT_NE(m->target_identity[i], nullptr);
        const std::string key = m->target_identity[i];
        EXPECT_TRUE(seen.insert(key).second) << "'" << key << "' is named twice in the target identity";
        bool declared = false;
        for (std::size_t j = 0; j < m->setting_count; ++j)
            if (m->settings[j].key && key == m->settings[j].key) {
                declared = true;
                EXPECT_EQ(m->settings[j].secret, 0) << "'" << key << "' is secret: it cannot identify the target";
            }
        EXPECT_TRUE(declared) << "'" << key << "' is in the target identity but is not a declared setting";
    }
}

TEST(Settings, TheGivenSettingsAreAccepted) {
    MemoryHost host;
    sdk::PluginClient c(pluginApi(), host, pluginApi()->describe()->name);
    EXPECT_THROW(c.plan({}), sdk::CallFailed) << "an unconfigured plugin must refuse to plan";
    ASSERT_NO_THROW(c.configure(settingsFor(freshTempDir())));
    EXPECT_TRUE(c.plan({}).documents.empty()) << "configured: an empty batch plans nothing";
}

TEST(Settings, UnknownKeyIsRejectedByName) {
    MemoryHost host;
    sdk::PluginClient c(pluginApi(), host, "kit");
    SettingList s = settingsFor(freshTempDir());
    s.emplace_back("lbkit_no_such_setting", "1");
    try {
        c.configure(s);
        FAIL() << "configure accepted an unknown setting";
    } catch (const sdk::CallFailed& e) {
        EXPECT_EQ(e.status(), LB_ERR_CONFIG);
        EXPECT_TRUE(namesKey(e, "lbkit_no_such_setting")) << e.what();
    }
}

TEST(Settings, EachMissingRequiredSettingIsRejectedByName) {
    const lb_manifest* m = pluginApi()->describe();
    for (std::size_t i = 0; i < m->setting_count; ++i) {
        if (m->settings[i].default_value) continue;
        const std::string key = m->settings[i].key;
        SettingList s;
        for (const auto& kv : settingsFor(freshTempDir()))
            if (kv.first != key) s.push_back(kv);
        MemoryHost host;
        sdk::PluginClient c(pluginApi(), host, "kit");
        try {
            c.configure(s);
            ADD_FAILURE() << "configure accepted settings without required " << key;
        } catch (const sdk::CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_CONFIG);
            EXPECT_TRUE(namesKey(e, key)) << e.what();
        }
    }
}

TEST(Settings, BadValuesFromTheSettingsFileAreRejectedByName) {
    if (config().badSettings.empty()) GTEST_SKIP() << "no testkit.bad.<key>=<value> lines in the settings file";
    for (const auto& [key, value] : config().badSettings) {
        SettingList s = settingsFor(freshTempDir());
        bool replaced = false;
        for (auto& kv : s)
            if (kv.first == key) kv.second = value, replaced = true;
        if (!replaced) s.emplace_back(key, value);
        MemoryHost host;
        sdk::PluginClient c(pluginApi(), host, "kit");
        try {
            c.configure(s);
            ADD_FAILURE() << "configure accepted " << key << "=" << value;
        } catch (const sdk::CallFailed& e) {
            EXPECT_EQ(e.status(), LB_ERR_CONFIG) << e.what();
            EXPECT_TRUE(namesKey(e, key)) << e.what();
        }
    }
}

TEST(Check, SucceedsAndWritesNothing) {
    Instance i;
    const auto before = snapshot(i.tmp);
    i.client->check();
    EXPECT_EQ(i.host.writes, 0);
    EXPECT_EQ(snapshot(i.tmp), before);
    for (const auto& r : i.host.requests) EXPECT_EQ(r.rfind("GET ", 0), 0u) << "check() sent " << r;
}
