// Thread-safe counters rendered as JSON for GET /admin/counters.
#include "Counters.h"

namespace lbsim {

void Counters::request(const std::string& route, int status) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++routes_[route][status];
    ++statuses_[status];
}

void Counters::bump(const std::string& name, std::int64_t by) {
    std::lock_guard<std::mutex> lock(mutex_);
    named_[name] += by;
}

std::int64_t Counters::get(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = named_.find(name);
    return it == named_.end() ? 0 : it->second;
}

Poco::JSON::Object::Ptr Counters::toJson() const {
    std::lock_guard<std::mutex> lock(mutex_);
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    Poco::JSON::Object::Ptr routes = new Poco::JSON::Object;
    std::int64_t total = 0;
    for (const auto& r : routes_) {
        Poco::JSON::Object::Ptr byStatus = new Poco::JSON::Object;
        std::int64_t n = 0;
        for (const auto& s : r.second) {
            byStatus->set(std::to_string(s.first), s.second);
            n += s.second;
        }
        Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
        entry->set("total", n);
        entry->set("byStatus", byStatus);
        routes->set(r.first, entry);
        total += n;
    }
    Poco::JSON::Object::Ptr statuses = new Poco::JSON::Object;
    for (const auto& s : statuses_) statuses->set(std::to_string(s.first), s.second);
    Poco::JSON::Object::Ptr named = new Poco::JSON::Object;
    named->set("client_secret_as_api_credential", static_cast<std::int64_t>(0));
    for (const auto& n : named_) named->set(n.first, n.second);
    out->set("total", total);
    out->set("routes", routes);
    out->set("statuses", statuses);
    out->set("counters", named);
    return out;
}

void Counters::reset() {
    std::lock_guard<std::mutex> lock(mutex_);
    routes_.clear();
    statuses_.clear();
    named_.clear();
}

}  // namespace lbsim
