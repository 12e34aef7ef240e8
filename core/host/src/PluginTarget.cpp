// The plugin as the engine's target: see PluginTarget.h.
#include "ledgerbridge/host/PluginTarget.h"

namespace ledgerbridge::host {

PluginTarget::PluginTarget(std::unique_ptr<loader::PluginSession> session) : session_(std::move(session)) {}

std::string PluginTarget::name() const { return session_->manifest().name; }

exporter::TargetCapabilities PluginTarget::capabilities() const {
    std::uint32_t caps = session_->manifest().capabilities;
    return {(caps & LB_CAP_IDEMPOTENCY_KEYS) != 0, (caps & LB_CAP_LOOKUP) != 0, (caps & LB_CAP_ATTACHMENTS) != 0};
}

void PluginTarget::check() { session_->check(); }

sdk::PlanResult PluginTarget::plan(const std::vector<sdk::Entry>& batch) { return session_->plan(batch); }

namespace {
exporter::PushResult fromSession(loader::PushResult r) {
    exporter::PushResult out;
    out.outcomes = std::move(r.outcomes);
    if (!r.ok()) out.error = r.message;
    return out;
}
}  // namespace

exporter::PushResult PluginTarget::push(const std::vector<sdk::Entry>& batch) { return fromSession(session_->push(batch)); }

exporter::PushResult PluginTarget::pushBefore(const std::vector<sdk::Entry>& batch, std::int64_t notAfterSteadyMs) {
    return fromSession(session_->pushBefore(batch, notAfterSteadyMs));
}

sdk::Outcome PluginTarget::lookup(const sdk::Entry& entry) { return session_->lookup(entry); }

}  // namespace ledgerbridge::host
