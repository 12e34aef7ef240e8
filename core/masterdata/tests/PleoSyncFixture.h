// What every `ledgerbridge sync` end-to-end test needs: the real simulator over HTTPS (every
// request checked against Pleo's reference files when they are present), one installation
// logged in with an integration's scopes, the real CLI as a process, and read-backs of what Pleo
// holds through the simulator's admin view — never through the sync's own code. Write
// requests are counted from the simulator's counters.
#pragma once

#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "SimHarness.h"
#include "ledgerbridge/testsupport/Simulator.h"

namespace ledgerbridge::synctest {

namespace sim = ledgerbridge::oauth::simtest;
using Poco::JSON::Object;

class PleoSyncFixture : public ::testing::Test {
protected:
    /// Starts the simulator and logs the installation's connection "acme" in (to the first company).
    void startPleoAndLogin() {
        redirect_ = "http://127.0.0.1:" + std::to_string(sim::freePort()) + "/callback";
        std::vector<std::string> args{"--auto-approve", "--rate-limit", "0", "--quiet"};
        if (!testsupport::pleoOpenApiDir().empty())
            args.insert(args.end(), {"--validate-requests", testsupport::pleoOpenApiDir()});
        sim_ = std::make_unique<sim::Simulator>(redirect_, kSecret, args);
        companyId_ = sim_->admin("GET", "/admin/companies")->getArray("data")->getObject(0)->getValue<std::string>("id");
        inst_ = std::make_unique<sim::Installation>(*sim_, redirect_, kSecret, companyId_, sim::kIntegrationScopes);
        auto done = sim::loginAutoApproved(*sim_, *inst_, "acme");
        ASSERT_EQ(done.exitCode, 0) << done.err;
    }

    sim::ProcessResult cli(std::vector<std::string> args) {
        args.insert(args.begin(), {"--config", inst_->configPath()});
        return sim::run(sim::binary("ledgerbridge"), args);
    }

    /// Write requests (POST/PUT/DELETE that are not searches) to Pleo's API so far.
    long writes() {
        auto routes = sim_->admin("GET", "/admin/counters")->getObject("routes");
        long n = 0;
        for (const auto& name : routes->getNames()) {
            bool write = name.rfind("POST /v", 0) == 0 || name.rfind("PUT /v", 0) == 0 || name.rfind("DELETE /v", 0) == 0;
            if (write && name.find(":search") == std::string::npos) n += routes->getObject(name)->getValue<long>("total");
        }
        return n;
    }

    /// Everything Pleo holds for the company: accounts, taxCodes, tagGroups, tags, vendors.
    Object::Ptr masterData() { return sim_->admin("GET", "/admin/companies/" + companyId_ + "/master-data"); }

    /// The records of `kind` ("accounts", ...) whose `field` is `value`.
    static std::vector<Object::Ptr> find(const Object::Ptr& md, const std::string& kind, const std::string& field,
                                         const std::string& value) {
        std::vector<Object::Ptr> out;
        auto arr = md->getArray(kind);
        for (std::size_t i = 0; arr && i < arr->size(); ++i) {
            auto o = arr->getObject(static_cast<unsigned>(i));
            if (o->has(field) && !o->isNull(field) && o->getValue<std::string>(field) == value) out.push_back(o);
        }
        return out;
    }
    static Object::Ptr one(const Object::Ptr& md, const std::string& kind, const std::string& field,
                           const std::string& value) {
        auto all = find(md, kind, field, value);
        EXPECT_EQ(all.size(), 1u) << kind << " with " << field << " = " << value;
        return all.empty() ? Object::Ptr(new Object) : all.front();
    }
    static std::string str(const Object::Ptr& o, const std::string& k) {
        return o->has(k) && !o->isNull(k) ? o->getValue<std::string>(k) : "";
    }

    /// The company's installation status in Pleo ("none" without one).
    std::string installation() {
        auto data = sim_->admin("GET", "/admin/installations")->getArray("data");
        for (std::size_t i = 0; i < data->size(); ++i) {
            auto o = data->getObject(static_cast<unsigned>(i));
            if (o->getValue<std::string>("companyId") == companyId_) return o->getValue<std::string>("status");
        }
        return "none";
    }

    void expectNoRequestViolations() {
        if (testsupport::pleoOpenApiDir().empty()) return;
        auto audit = sim_->admin("GET", "/admin/request-violations");
        std::ostringstream os;
        audit->stringify(os, 2);
        EXPECT_EQ(audit->getValue<Poco::UInt64>("count"), 0u) << os.str();
        EXPECT_GT(audit->getValue<Poco::UInt64>("validated"), 0u);
    }

    static constexpr const char* kSecret = "sync-e2e-secret-Zp41";
    std::string redirect_, companyId_;
    std::unique_ptr<sim::Simulator> sim_;
    std::unique_ptr<sim::Installation> inst_;
};

}  // namespace ledgerbridge::synctest
