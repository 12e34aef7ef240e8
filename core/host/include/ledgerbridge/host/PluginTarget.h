// A configured plugin session as the export engine's target: capabilities from the manifest,
// calls through the loader's session.
#pragma once

#include <memory>

#include "ledgerbridge/export/Ports.h"
#include "ledgerbridge/loader/PluginLoader.h"

namespace ledgerbridge::host {

class PluginTarget : public exporter::ExportTarget {
public:
    /// Takes an open, configured session (in this process or in its own).
    explicit PluginTarget(std::unique_ptr<loader::PluginSession> session);

    std::string name() const override;
    exporter::TargetCapabilities capabilities() const override;
    void check() override;
    sdk::PlanResult plan(const std::vector<sdk::Entry>& batch) override;
    exporter::PushResult push(const std::vector<sdk::Entry>& batch) override;
    exporter::PushResult pushBefore(const std::vector<sdk::Entry>& batch, std::int64_t notAfterSteadyMs) override;
    sdk::Outcome lookup(const sdk::Entry& entry) override;

private:
    std::unique_ptr<loader::PluginSession> session_;
};

}  // namespace ledgerbridge::host
