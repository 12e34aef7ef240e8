// The conformance kit's shared fixture: settings file, plugin loading, sample entries.
#include "ledgerbridge/testkit/Kit.hpp"

#include <atomic>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "ledgerbridge/library.hpp"

namespace fs = std::filesystem;

namespace ledgerbridge::testkit {

namespace {
std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

struct TempDirs {
    std::vector<std::string> dirs;
    ~TempDirs() {
        std::error_code ec;
        for (const auto& d : dirs) fs::remove_all(d, ec);
    }
};
TempDirs& tempDirs() {
    static TempDirs t;
    return t;
}

sdk::Money eur(std::int64_t minor) { return sdk::Money{minor, "EUR", 2}; }

sdk::Line line(const std::string& id, std::int64_t gross, std::int64_t tax, const std::string& taxCode) {
    sdk::Line l;
    l.lineId = id;
    l.supplierAmount = eur(gross);
    l.walletAmount = eur(gross);
    l.netAmount = eur(gross - tax);
    l.accountCode = "6110";
    l.taxCode = taxCode;
    l.taxRate = "25";
    l.taxType = "normal";
    l.taxAmount = eur(tax);
    l.tags.push_back(sdk::Tag{"PROJECT", "P-17", "Apollo, \"phase\" 2"});
    l.description = "Line " + id;
    return l;
}
}  // namespace

KitConfig parseSettingsFile(const std::string& pluginPath, const std::string& path) {
    KitConfig c;
    c.pluginPath = pluginPath;
    c.settingsPath = path;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read the settings file " + path);
    std::string raw;
    for (int n = 1; std::getline(in, raw); ++n) {
        const std::string text = trim(raw);
        if (text.empty() || text[0] == '#') continue;
        const auto eq = text.find('=');
        if (eq == std::string::npos)
            throw std::runtime_error(path + ":" + std::to_string(n) + ": expected key=value, found '" + text + "'");
        const std::string key = trim(text.substr(0, eq)), value = trim(text.substr(eq + 1));
        if (key.rfind("testkit.bad.", 0) == 0) c.badSettings.emplace_back(key.substr(12), value);
        else if (key.rfind("testkit.", 0) == 0) c.kitOptions[key.substr(8)] = value;
        else c.settings.emplace_back(key, value);
    }
    return c;
}

KitConfig& config() {
    static KitConfig c;
    return c;
}

const lb_plugin_api* pluginApi() {
    static const lb_plugin_api* api = [] {
        sdk::inspectLibrary(config().pluginPath);
        return sdk::openLibrary(config().pluginPath);
    }();
    return api;
}

std::string freshTempDir() {
    std::string pattern = (fs::temp_directory_path() / "lbkit-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory");
    tempDirs().dirs.push_back(pattern);
    return pattern;
}

namespace {
void replaceAll(std::string& text, const std::string& name, const std::string& by) {
    for (auto pos = text.find(name); pos != std::string::npos; pos = text.find(name, pos + by.size()))
        text.replace(pos, name.size(), by);
}

/// `value` with ${TESTKIT_TMP} replaced by `tmp` and ${TESTKIT_SETTINGS_DIR} by the settings
/// file's directory (where a plugin's test data beside it lives).
std::string withTmp(std::string value, const std::string& tmp) {
    replaceAll(value, "${TESTKIT_TMP}", tmp);
    replaceAll(value, "${TESTKIT_SETTINGS_DIR}", fs::absolute(config().settingsPath).parent_path().string());
    return value;
}
}  // namespace

SettingList settingsFor(const std::string& tmp) {
    SettingList out = config().settings;
    for (auto& [key, value] : out) value = withTmp(value, tmp);
    return out;
}

std::string kitOption(const std::string& name, const std::string& fallback) {
    const auto it = config().kitOptions.find(name);
    return it == config().kitOptions.end() || it->second.empty() ? fallback : it->second;
}

SettingList kitOptionsUnder(const std::string& prefix) {
    SettingList out;
    for (const auto& [name, value] : config().kitOptions)
        if (name.compare(0, prefix.size(), prefix) == 0) out.emplace_back(name.substr(prefix.size()), value);
    return out;
}

sdk::Entry goodEntry(const std::string& id) {
    const std::string tax = kitOption("known_tax_code", "S25");
    sdk::Entry e;
    e.accountingEntryId = id;
    e.exportJobId = "job-kit-1";
    e.idempotencyKey = "lb-" + id;
    e.type = "card_purchase";
    e.date = "2026-01-15";
    e.bookingDate = "2026-01-17";
    e.note = "Team dinner; \"Kødbyen\", 2 guests\nsecond line";
    e.supplier = sdk::Party{"sup-1", "V100", "Restaurant Æblet"};
    e.employee = sdk::Party{"emp-1", "E7", "Ada Lovelace"};
    e.team = sdk::Party{"team-1", "T1", "Engineering"};
    e.lines.push_back(line(id + "-1", 12500, 2500, tax));
    e.lines.push_back(line(id + "-2", 2000, 400, tax));
    e.totalSupplier = eur(14500);
    e.totalWallet = eur(14500);
    e.contraAccountCode = "2900";
    return e;
}

namespace {
void setCurrency(sdk::Money& m, const std::string& currency, int exponent) {
    m.currency = currency;
    m.exponent = exponent;
}
void negate(sdk::Money& m) { m.minor = -m.minor; }

/// `unit` repeated until the text has at least `chars` characters (bytes for ASCII).
std::string repeated(const std::string& unit, std::size_t chars) {
    std::string s;
    while (s.size() < chars) s += unit;
    return s;
}

/// Replaces every text field of `e` with `text(fieldName)`.
template <typename F>
void everyText(sdk::Entry& e, F text) {
    e.note = text("note");
    for (sdk::Party* p : {&e.supplier, &e.employee, &e.team}) p->name = text("name");
    for (sdk::Line& l : e.lines) {
        l.description = text("description");
        for (sdk::Tag& t : l.tags) t.name = text("tag");
    }
}
}  // namespace

sdk::Entry entryInCurrency(const std::string& id, const std::string& currency, int exponent) {
    sdk::Entry e = goodEntry(id);
    setCurrency(e.totalSupplier, currency, exponent);
    setCurrency(e.totalWallet, currency, exponent);
    for (sdk::Line& l : e.lines)
        for (sdk::Money* m : {&l.supplierAmount, &l.walletAmount, &l.netAmount, &l.taxAmount})
            setCurrency(*m, currency, exponent);
    return e;
}

sdk::Entry refundEntry(const std::string& id) {
    sdk::Entry e = goodEntry(id);
    e.type = "card_purchase";
    e.note = "Refund of a returned purchase";
    negate(e.totalSupplier);
    negate(e.totalWallet);
    for (sdk::Line& l : e.lines)
        for (sdk::Money* m : {&l.supplierAmount, &l.walletAmount, &l.netAmount, &l.taxAmount}) negate(*m);
    return e;
}

sdk::Entry reverseChargeEntry(const std::string& id) {
    sdk::Entry e = goodEntry(id);
    sdk::Line& rc = e.lines[1];  // 20.00 from an EU supplier: 5.00 self-assessed on top
    rc.netAmount = rc.walletAmount;
    rc.taxAmount = eur(rc.walletAmount.minor / 4);
    rc.taxCode = kitOption("reverse_tax_code", kitOption("known_tax_code", "S25"));
    rc.taxType = "reverse";
    rc.accountCode = "6540";
    return e;
}

sdk::Entry multiRateEntry(const std::string& id) {
    sdk::Entry e = goodEntry(id);
    e.lines[0].accountCode = "6110";  // 125.00 at 25 %
    sdk::Line& reduced = e.lines[1];  // 22.40 at 12 %
    reduced.walletAmount = reduced.supplierAmount = eur(2240);
    reduced.netAmount = eur(2000);
    reduced.taxAmount = eur(240);
    reduced.taxRate = "12";
    reduced.taxCode = kitOption("other_tax_code", kitOption("known_tax_code", "S25"));
    reduced.accountCode = "6120";
    sdk::Line untaxed = line(id + "-3", 999, 0, "");  // 9.99 without tax
    untaxed.taxRate.clear();
    untaxed.taxType = "none";
    untaxed.accountCode = "6130";
    e.lines.push_back(untaxed);
    e.totalWallet = e.totalSupplier = eur(12500 + 2240 + 999);
    return e;
}

sdk::Entry longTextEntry(const std::string& id) {
    sdk::Entry e = goodEntry(id);
    everyText(e, [](const std::string& field) {
        return repeated(field + " with \"quotes\", commas; semicolons\ttabs and a long tail. ", 520);
    });
    return e;
}

sdk::Entry nonLatinEntry(const std::string& id) {
    sdk::Entry e = goodEntry(id);
    everyText(e, [](const std::string& field) {
        return field + ": 東京の会議 出張費 — اجتماع العمل في دبي — 🧾💶🚕 — Ærø Ünïcödé";
    });
    return e;
}

sdk::Entry unbalancedEntry(const std::string& id) {
    sdk::Entry e = goodEntry(id);
    e.totalWallet.minor += 1;
    return e;
}

sdk::Entry missingAccountEntry(const std::string& id) {
    sdk::Entry e = goodEntry(id);
    e.lines[1].accountCode.clear();
    return e;
}

sdk::Entry unknownTaxEntry(const std::string& id) {
    sdk::Entry e = goodEntry(id);
    e.lines[0].taxCode = "LBKIT-UNKNOWN-TAX";
    return e;
}

std::map<std::string, std::string> snapshot(const std::string& dir) {
    std::map<std::string, std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        std::ifstream in(it->path(), std::ios::binary);
        std::ostringstream content;
        content << in.rdbuf();
        out[it->path().string()] = std::to_string(std::hash<std::string>{}(content.str()));
    }
    return out;
}

namespace {
HttpResponderFactory& responderFactory() {
    static HttpResponderFactory factory;
    return factory;
}
}  // namespace

bool setHttpResponderFactory(HttpResponderFactory factory) {
    responderFactory() = std::move(factory);
    return true;
}

namespace {
int nextTargetNumber() {
    static std::atomic<int> targets{0};
    return ++targets;
}
ReadBack& readBackHook() {
    static ReadBack hook;
    return hook;
}
}  // namespace

Instance::Instance() : tmp(freshTempDir()), number(nextTargetNumber()) {
    if (responderFactory()) host.responder = responderFactory()(number);
    const lb_plugin_api* api = pluginApi();
    client = std::make_unique<sdk::PluginClient>(api, host, api->describe()->name);
    client->configure(settingsFor(tmp));
}

Instance::Instance(SameTargetAs same) : tmp(same.other.tmp), number(same.other.number) {
    if (responderFactory()) host.responder = responderFactory()(number);
    const lb_plugin_api* api = pluginApi();
    client = std::make_unique<sdk::PluginClient>(api, host, api->describe()->name);
    client->configure(settingsFor(tmp));
}

Instance::Instance(const SettingList& overrides) : tmp(freshTempDir()), number(nextTargetNumber()) {
    if (responderFactory()) host.responder = responderFactory()(number);
    SettingList settings = settingsFor(tmp);
    for (const auto& [key, value] : overrides) {
        const std::string v = withTmp(value, tmp);
        bool replaced = false;
        for (auto& [k, old] : settings)
            if (k == key) old = v, replaced = true;
        if (!replaced) settings.emplace_back(key, v);
    }
    const lb_plugin_api* api = pluginApi();
    client = std::make_unique<sdk::PluginClient>(api, host, api->describe()->name);
    client->configure(settings);
}

bool setReadBack(ReadBack hook) {
    readBackHook() = std::move(hook);
    return true;
}

bool hasReadBack() { return static_cast<bool>(readBackHook()); }

std::vector<WrittenDocument> readBack(const Instance& instance) { return readBackHook()(instance.tmp, instance.number); }

const char* const kNoReadBackMessage =
    "no read-back hook: the kit cannot see what the plugin wrote, so it cannot check that documents "
    "balance and carry their entries' amounts. Add one: a source file linked into the kit binary "
    "(ledgerbridge_add_conformance_test(... SOURCES my_read_back.cpp)) with\n"
    "  static const bool registered = ledgerbridge::testkit::setReadBack(\n"
    "      [](const std::string& tmp, int instance) { return readWhatMyPluginWrote(tmp, instance); });\n"
    "(for a file plugin, a parser of its files sharing no code with the writer; see sdk/README.md).";

}  // namespace ledgerbridge::testkit
