#include "JobStartTimes.h"

#include <Poco/JSON/Array.h>

#include <chrono>

namespace lbsim {

namespace {

std::int64_t steadyUs() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

Poco::Dynamic::Var millisBetween(std::int64_t fromUs, std::int64_t toUs) {
    if (fromUs == 0 || toUs == 0) return Poco::Dynamic::Var();
    return static_cast<double>(toUs - fromUs) / 1000.0;
}

}  // namespace

void JobStartTimes::created(const std::string& jobId) {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_[jobId].createdUs = steadyUs();
}

void JobStartTimes::webhookSent(const std::string& jobId) {
    const auto now = steadyUs();
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = jobs_.find(jobId);
    if (it != jobs_.end() && it->second.webhookUs == 0) it->second.webhookUs = now;
}

void JobStartTimes::touched(const std::string& jobId) {
    const auto now = steadyUs();
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = jobs_.find(jobId);
    if (it != jobs_.end() && it->second.startUs == 0) it->second.startUs = now;
}

Poco::JSON::Object::Ptr JobStartTimes::toJson() const {
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const auto& [id, t] : jobs_) {
            Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
            o->set("jobId", id);
            o->set("createdToWebhookMs", millisBetween(t.createdUs, t.webhookUs));
            o->set("webhookToStartMs", millisBetween(t.webhookUs, t.startUs));
            o->set("createdToStartMs", millisBetween(t.createdUs, t.startUs));
            list->add(o);
        }
    }
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("jobs", list);
    return out;
}

void JobStartTimes::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.clear();
}

}  // namespace lbsim
