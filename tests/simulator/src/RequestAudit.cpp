// Request validation against the reference files and its record.
#include "RequestAudit.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "ledgerbridge/testsupport/OpenApiValidator.h"

namespace lbsim {

namespace {
constexpr std::size_t kKept = 1000;
}

RequestAudit::RequestAudit(const std::string& dir) {
    std::vector<std::string> files;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
        if (e.path().extension() == ".yml") files.push_back(e.path().string());
    if (ec || files.empty()) throw std::runtime_error("--validate-requests: no *.yml OpenAPI files in " + dir);
    std::sort(files.begin(), files.end());
    spec_ = std::make_unique<ledgerbridge::testsupport::OpenApiValidator>(files);
}

RequestAudit::~RequestAudit() = default;

void RequestAudit::check(const Request& req) {
    auto result = spec_->validateRequest(req.method, req.path, req.query, req.body);
    std::lock_guard<std::mutex> lock(mutex_);
    ++validated_;
    ++perOperation_[result.operation.empty() ? req.method + " " + req.path + " (no operation)" : result.operation];
    if (result.problems.empty()) return;
    ++violationCount_;
    if (violations_.size() < kKept) violations_.push_back({req.method, req.path, result.operation, result.problems});
}

Poco::JSON::Object::Ptr RequestAudit::toJson() const {
    std::lock_guard<std::mutex> lock(mutex_);
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("validated", static_cast<Poco::UInt64>(validated_));
    o->set("count", static_cast<Poco::UInt64>(violationCount_));
    Poco::JSON::Object::Ptr ops = new Poco::JSON::Object;
    for (const auto& kv : perOperation_) ops->set(kv.first, static_cast<Poco::UInt64>(kv.second));
    o->set("operations", ops);
    Poco::JSON::Array::Ptr arr = new Poco::JSON::Array;
    for (const auto& v : violations_) {
        Poco::JSON::Object::Ptr e = new Poco::JSON::Object;
        e->set("method", v.method);
        e->set("path", v.path);
        e->set("operation", v.operation);
        Poco::JSON::Array::Ptr p = new Poco::JSON::Array;
        for (const auto& s : v.problems) p->add(s);
        e->set("problems", p);
        arr->add(e);
    }
    o->set("violations", arr);
    return o;
}

void RequestAudit::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    validated_ = violationCount_ = 0;
    perOperation_.clear();
    violations_.clear();
}

}  // namespace lbsim
