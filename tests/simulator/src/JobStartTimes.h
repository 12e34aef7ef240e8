// When each export job was created, when its webhook was first sent and when a client first
// asked about it (a request naming the job: claim, read, item update). Issue 18's goal "that
// company's export starts within 2 s" of the webhook is measured from these, in the
// simulator's own steady clock, so no clock is compared across processes. A few words per job
// (10,000 jobs: under 1 MB); its own lock, because the webhook thread and the request threads
// both write.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace lbsim {

class JobStartTimes {
public:
    void created(const std::string& jobId);
    /// The first delivery attempt of the job's webhook (later attempts and subscriptions keep it).
    void webhookSent(const std::string& jobId);
    /// A client request about the job; only the first counts.
    void touched(const std::string& jobId);
    /// {jobs: [{jobId, createdToWebhookMs, webhookToStartMs, createdToStartMs}]}, null where a
    /// moment has not happened (no webhook subscription, not started yet).
    Poco::JSON::Object::Ptr toJson() const;
    void clear();

private:
    struct Times {
        std::int64_t createdUs = 0, webhookUs = 0, startUs = 0;
    };
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Times> jobs_;
};

}  // namespace lbsim
