// The conformance kit's shared fixture: which plugin file and settings it was pointed at, the
// loaded plugin table, fresh per-instance settings (with ${TESTKIT_TMP} replaced by a new
// temporary directory), sample entries good and bad, and a snapshot of files for side-effect
// checks. The kit loads plugins with the SDK's standalone loader (ledgerbridge/library.hpp):
// the same library_info check, rtld_now|rtld_local load and version negotiation as the host.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ledgerbridge/host.hpp"
#include "ledgerbridge/model.hpp"
#include "ledgerbridge/testkit/MemoryHost.hpp"
#include "ledgerbridge/testkit/ReadBack.hpp"

namespace ledgerbridge::testkit {

using SettingList = std::vector<std::pair<std::string, std::string>>;

/// Where the kit points; set once by main() from --plugin/--settings or the environment
/// variables LEDGERBRIDGE_PLUGIN and LEDGERBRIDGE_PLUGIN_SETTINGS.
struct KitConfig {
    std::string pluginPath;
    std::string settingsPath;
    SettingList settings;                          ///< plugin settings (with ${TESTKIT_TMP})
    std::map<std::string, std::string> kitOptions; ///< "testkit.*" lines, prefix removed
    std::vector<std::pair<std::string, std::string>> badSettings;  ///< testkit.bad.<key>=<value>
};

/// Parses a settings file: `key=value` lines, `#` comments, blank lines ignored; lines whose key
/// starts with "testkit." configure the kit. Throws std::runtime_error naming file and line.
KitConfig parseSettingsFile(const std::string& pluginPath, const std::string& path);

KitConfig& config();

/// The plugin table, loaded once (through sdk::inspectLibrary + sdk::openLibrary).
const lb_plugin_api* pluginApi();

/// A fresh temporary directory, removed at exit.
std::string freshTempDir();

/// The settings with ${TESTKIT_TMP} replaced by `tmp` and ${TESTKIT_SETTINGS_DIR} by the
/// directory of the settings file.
SettingList settingsFor(const std::string& tmp);

/// A kit option (a "testkit.<name>=" line) or `fallback`.
std::string kitOption(const std::string& name, const std::string& fallback);
/// Every kit option whose name starts with `prefix`, the prefix removed ("md.empty." gives
/// the testkit.md.empty.<key>=<value> lines as key/value).
SettingList kitOptionsUnder(const std::string& prefix);

/// A balanced entry (two lines, EUR, known tax code from testkit.known_tax_code, default "S25").
sdk::Entry goodEntry(const std::string& id);
/// goodEntry in another currency: same digits, read with that currency's `exponent`
/// (JPY 0: 14,500 yen; KWD 3: 14.500 dinar).
sdk::Entry entryInCurrency(const std::string& id, const std::string& currency, int exponent);
/// goodEntry with every amount negated: a refund (credit on the expense accounts).
sdk::Entry refundEntry(const std::string& id);
/// One normal line and one reverse-charge line (tax code testkit.reverse_tax_code, default the
/// known tax code): net == gross, the 25 % tax self-assessed on top and not part of the total.
sdk::Entry reverseChargeEntry(const std::string& id);
/// Lines at two rates: testkit.known_tax_code at 25 %, testkit.other_tax_code (default the
/// known one) at 12 %, and an untaxed line; three different expense accounts.
sdk::Entry multiRateEntry(const std::string& id);
/// goodEntry with 500+ characters in every text field (note, names, descriptions, tag names).
sdk::Entry longTextEntry(const std::string& id);
/// goodEntry with CJK, Arabic and emoji (4-byte UTF-8) in every text field.
sdk::Entry nonLatinEntry(const std::string& id);
/// Lines sum to one cent more than the total.
sdk::Entry unbalancedEntry(const std::string& id);
/// A line with no account code.
sdk::Entry missingAccountEntry(const std::string& id);
/// A line with tax code "LBKIT-UNKNOWN-TAX" (the settings must make it unknown to the plugin).
sdk::Entry unknownTaxEntry(const std::string& id);

/// Every regular file below `dir` with its size and content hash, for side-effect checks.
std::map<std::string, std::string> snapshot(const std::string& dir);

/// Network for plugins that talk to their target system over HTTP. The kit's MemoryHost has
/// none; register a factory and every Instance's host gets a responder from it (`instance`
/// counts from 1, so each instance can be its own tenant of a test double; an instance made
/// with SameTargetAs gets a responder for the *same* number, which must reach the same tenant
/// and the data the first instance wrote there). Typically the
/// responder forwards the request to a local double of the target system. Register before the
/// tests run — from a static initializer in a source file linked into the kit binary:
///
///   static const bool registered = ledgerbridge::testkit::setHttpResponderFactory(
///       [](int instance) { return [instance](const ledgerbridge::sdk::HttpRequest& r) { ... }; });
using HttpResponder = std::function<sdk::HttpResponse(const sdk::HttpRequest&)>;
using HttpResponderFactory = std::function<HttpResponder(int instance)>;
/// Returns true (for use in static initializers).
bool setHttpResponderFactory(HttpResponderFactory factory);

struct Instance;
/// Names the instance whose target a new Instance opens again (see Instance(SameTargetAs)).
struct SameTargetAs {
    const Instance& other;
};

/// A configured instance on its own temp dir and MemoryHost.
struct Instance {
    /// A new target: a fresh ${TESTKIT_TMP} directory and the next responder (tenant) number.
    Instance();
    /// A fresh plugin instance over `same.other`'s target — the same ${TESTKIT_TMP} directory,
    /// a responder for the same tenant number — but an *empty* host state: a restart after the
    /// host's state directory was lost or restored from an old backup.
    explicit Instance(SameTargetAs same);
    /// A new target configured with `overrides` replacing (or added to) the settings file's
    /// values, ${TESTKIT_TMP} replaced in them too (e.g. the kit's testkit.md.empty.* settings).
    explicit Instance(const SettingList& overrides);
    std::string tmp;
    int number = 0;  ///< the target's number (from 1), as passed to the responder factory
    MemoryHost host;
    std::unique_ptr<sdk::PluginClient> client;
};

/// True when the plugin registered a read-back hook (setReadBack).
bool hasReadBack();
/// What the hook reads from `instance`'s target. Precondition: hasReadBack().
std::vector<WrittenDocument> readBack(const Instance& instance);
/// Why read-back checks are skipped, and how to add a hook.
extern const char* const kNoReadBackMessage;

}  // namespace ledgerbridge::testkit
