// See EndToEndHarness.h.
#include "EndToEndHarness.h"

#include <gtest/gtest.h>

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/StringTokenizer.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace ledgerbridge::e2e {

const std::string Installation::kClientSecret = "e2e-client-secret-Zq81";

int CsvContents::duplicates() const {
    int n = 0;
    for (const auto& [key, rows] : rowsPerLine) n += rows - 1;
    return n;
}

Installation::Installation(std::vector<std::string> simArgs, const std::string& pluginSettings, const std::string& plugin,
                           const std::string& scopes) {
    redirect_ = "http://127.0.0.1:" + std::to_string(oauth::simtest::freePort()) + "/callback";
    simArgs.push_back("--auto-approve");
    sim_ = std::make_unique<oauth::simtest::Simulator>(redirect_, kClientSecret, simArgs);
    auto companies = sim_->admin("GET", "/admin/companies")->getArray("data");
    companyId_ = companies->getObject(0)->getValue<std::string>("id");
    inst_ = std::make_unique<oauth::simtest::Installation>(*sim_, redirect_, kClientSecret, companyId_, scopes);
    Poco::File(exportsDir()).createDirectories();
    const char* bin = std::getenv("LEDGERBRIDGE_BINARY_DIR");
    std::string text;
    {
        std::ifstream in(inst_->configPath());
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    auto at = text.find("plugin = csv\n");
    if (at == std::string::npos) throw std::runtime_error("the harness config has no 'plugin = csv' line");
    text.replace(at, 13, "plugin = " + plugin + "\n");
    std::ofstream(inst_->configPath(), std::ios::trunc) << text;
    const bool filePlugin = plugin == "csv" || plugin == "datev" || plugin == "sie";
    std::ofstream(inst_->configPath(), std::ios::app)
        << (filePlugin ? "setting.output_dir = exports\n" : "") << pluginSettings << "\n[plugins]\ndir = " << (bin ? bin : ".")
        << "/lib/ledgerbridge/plugins\n";

    auto done = login();
    if (done.exitCode != 0) throw std::runtime_error("auth login failed: " + done.err);
}

ProcessResult Installation::login(bool target) {
    // Headless: the simulator approves at once, the "browser" follows the redirect to the
    // loopback listener of `auth login`.
    std::vector<std::string> args{"auth", "login", "--connection", "acme", "--no-browser"};
    if (target) args.push_back("--target");
    oauth::simtest::LiveProcess login(oauth::simtest::binary("ledgerbridge"), argv(args));
    std::string line = login.readLineContaining("/oauth/authorize?");
    std::string url = line.substr(line.find("https://"));
    while (!url.empty() && (url.back() == ' ' || url.back() == '\r')) url.pop_back();
    auto browser = oauth::simtest::browserTransport(sim_->caFile());
    oauth::simtest::driveBrowser(*browser, url, false, true, true);
    return login.finish();
}

std::string Installation::createJob(int items) {
    std::string body = "{\"companyId\":\"" + companyId_ + "\"" + (items >= 0 ? ",\"items\":" + std::to_string(items) : "") + "}";
    return sim_->admin("POST", "/admin/export-jobs", body)->getObject("data")->getValue<std::string>("id");
}

std::string Installation::jobStatus(const std::string& jobId) {
    return sim_->admin("GET", "/admin/export-jobs/" + jobId)->getValue<std::string>("status");
}

std::vector<PleoItem> Installation::jobItems(const std::string& jobId) {
    std::vector<PleoItem> out;
    for (std::size_t offset = 0;; offset += 1000) {
        auto o = sim_->admin("GET", "/admin/export-jobs/" + jobId + "/items?offset=" + std::to_string(offset) + "&limit=1000");
        auto data = o->getArray("data");
        for (std::size_t i = 0; i < data->size(); ++i) {
            auto it = data->getObject(static_cast<unsigned>(i));
            out.push_back({it->getValue<std::string>("accountingEntryId"), it->getValue<std::string>("status"),
                           it->optValue<std::string>("externalId", ""), it->optValue<std::string>("failureReasonType", ""),
                           it->getValue<bool>("invalid")});
        }
        if (out.size() >= static_cast<std::size_t>(o->getValue<Poco::Int64>("total")) || data->size() == 0) return out;
    }
}

std::map<std::string, std::int64_t> Installation::routeCounts() {
    std::map<std::string, std::int64_t> out;
    auto routes = sim_->admin("GET", "/admin/counters")->getObject("routes");
    for (const auto& name : routes->getNames()) out[name] = routes->getObject(name)->getValue<Poco::Int64>("total");
    return out;
}

std::vector<std::string> Installation::argv(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--config", inst_->configPath()});
    return args;
}

ProcessResult Installation::ledgerbridge(std::vector<std::string> args) {
    return oauth::simtest::run(oauth::simtest::binary("ledgerbridge"), argv(std::move(args)));
}

CsvContents Installation::csv() const {
    CsvContents out;
    for (Poco::DirectoryIterator it(exportsDir()), end; it != end; ++it) {
        if (it.path().getExtension() != "csv") continue;
        std::ifstream in(it.path().toString());
        std::string header, line;
        std::getline(in, header);
        // entry_id,line_id,date,supplier,account,tax_code,net,tax,gross,currency,... (the
        // fields used here are never quoted)
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            auto c1 = line.find(','), c2 = line.find(',', c1 + 1);
            std::string entry = line.substr(0, c1), lineId = line.substr(c1 + 1, c2 - c1 - 1);
            ++out.rowsPerLine[entry + "/" + lineId];
            out.entries.insert(entry);
            out.fileOfEntry[entry] = it.name();
        }
    }
    return out;
}

std::vector<std::string> Installation::filesContaining(const std::string& needle) const {
    std::vector<std::string> out;
    for (const auto& [path, content] : oauth::simtest::readTree(inst_->dir()))
        if (content.find(needle) != std::string::npos && path.find("client-secret") == std::string::npos) out.push_back(path);
    return out;
}

}  // namespace ledgerbridge::e2e
