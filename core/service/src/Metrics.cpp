// The metrics registry and its Prometheus text rendering.
#include "ledgerbridge/service/Metrics.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace ledgerbridge::service {

namespace {

bool validName(const std::string& n, bool allowColon) {
    if (n.empty()) return false;
    for (std::size_t i = 0; i < n.size(); ++i) {
        const auto c = static_cast<unsigned char>(n[i]);
        const bool ok = std::isalpha(c) || c == '_' || (allowColon && c == ':') || (i > 0 && std::isdigit(c));
        if (!ok) return false;
    }
    return true;
}

std::string escapeHelp(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string formatValue(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    if (v == std::floor(v) && std::fabs(v) < 9.0e15) {
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    } else {
        std::snprintf(buf, sizeof buf, "%.17g", v);
    }
    return buf;
}

Metrics::Labels normalized(const Metrics::Labels& labels) {
    for (const auto& [k, v] : labels) {
        (void)v;
        if (!validName(k, false) || k.rfind("__", 0) == 0)
            throw std::invalid_argument("\"" + k + "\" is not a valid Prometheus label name.");
    }
    Metrics::Labels sorted = labels;
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

}  // namespace

std::string escapeLabelValue(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

void Metrics::define(const std::string& name, Type type, const std::string& help) {
    if (!validName(name, true)) throw std::invalid_argument("\"" + name + "\" is not a valid Prometheus metric name.");
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = families_.find(name);
    if (it != families_.end() && it->second.type != type)
        throw std::invalid_argument("The metric " + name + " is already defined with another type.");
    Family& f = families_[name];
    f.type = type;
    f.help = help;
}

Metrics::Family& Metrics::family(const std::string& name, Type type) {
    auto it = families_.find(name);
    if (it == families_.end() || it->second.type != type)
        throw std::logic_error("The metric " + name + " is not defined as a " +
                               (type == Type::Counter ? "counter" : "gauge") + "; call define() first.");
    return it->second;
}

void Metrics::increment(const std::string& name, const Labels& labels, double by) {
    if (!(by >= 0)) throw std::invalid_argument("A counter can only go up; " + name + " was given a negative step.");
    const Labels key = normalized(labels);
    std::lock_guard<std::mutex> guard(mutex_);
    family(name, Type::Counter).series[key] += by;
}

void Metrics::set(const std::string& name, const Labels& labels, double v) {
    const Labels key = normalized(labels);
    std::lock_guard<std::mutex> guard(mutex_);
    family(name, Type::Gauge).series[key] = v;
}

double Metrics::value(const std::string& name, const Labels& labels) const {
    const Labels key = normalized(labels);
    std::lock_guard<std::mutex> guard(mutex_);
    const auto f = families_.find(name);
    if (f == families_.end()) return 0;
    const auto s = f->second.series.find(key);
    return s == f->second.series.end() ? 0 : s->second;
}

bool Metrics::has(const std::string& name, const Labels& labels) const {
    const Labels key = normalized(labels);
    std::lock_guard<std::mutex> guard(mutex_);
    const auto f = families_.find(name);
    return f != families_.end() && f->second.series.count(key) != 0;
}

void Metrics::addCollector(std::function<void(Metrics&)> collector) {
    std::lock_guard<std::mutex> guard(mutex_);
    collectors_.push_back(std::move(collector));
}

std::string Metrics::render() {
    std::vector<std::function<void(Metrics&)>> collectors;
    {
        std::lock_guard<std::mutex> guard(mutex_);
        collectors = collectors_;
    }
    for (auto& c : collectors) {
        try {
            c(*this);
        } catch (...) {
        }
    }
    std::lock_guard<std::mutex> guard(mutex_);
    std::string out;
    for (const auto& [name, f] : families_) {
        out += "# HELP " + name + " " + escapeHelp(f.help) + "\n";
        out += "# TYPE " + name + (f.type == Type::Counter ? " counter\n" : " gauge\n");
        for (const auto& [labels, v] : f.series) {
            out += name;
            if (!labels.empty()) {
                out += "{";
                for (std::size_t i = 0; i < labels.size(); ++i) {
                    if (i > 0) out += ",";
                    out += labels[i].first + "=\"" + escapeLabelValue(labels[i].second) + "\"";
                }
                out += "}";
            }
            out += " " + formatValue(v) + "\n";
        }
    }
    return out;
}

void defineStandardMetrics(Metrics& m) {
    using T = Metrics::Type;
    m.define(metric::kRuns, T::Counter, "Finished runs by connection and outcome.");
    m.define(metric::kRunsSkipped, T::Counter,
             "Runs not started because the connection was already running (overlap), locked by another process (lease_busy) or the lock could not be checked (store_error).");
    m.define(metric::kEntries, T::Counter, "Export entries handled by connection and outcome.");
    m.define(metric::kPleoRequests, T::Counter, "Requests to the Pleo API by HTTP status.");
    m.define(metric::kTargetRequests, T::Counter, "Requests to target systems by plugin and status.");
    m.define(metric::kTokenRefreshes, T::Counter, "OAuth token refreshes by result (ok or failed).");
    m.define(metric::kLastSuccess, T::Gauge,
             "Unix time (seconds) at which the last successful run (ok or completed_with_errors) of a connection ended; "
             "NaN before the first.");
    m.define(metric::kRunning, T::Gauge, "1 while a run of the connection is in progress.");
    m.define(metric::kQuarantined, T::Gauge, "1 when the plugin is quarantined after repeated crashes.");
    m.define(metric::kAutoExportBlocked, T::Gauge,
             "1 while Pleo refuses the connection's automatic export jobs because contra accounts are not mapped.");
    m.define(metric::kWebhooks, T::Counter, "Webhook deliveries received, by verification result.");
    m.define(metric::kNeedsReauth, T::Gauge,
             "1 while the connection needs `ledgerbridge auth login` (Pleo's or the target's grant is missing or refused).");
    m.define(metric::kGrantExpiry, T::Gauge,
             "Unix time (seconds) at which the stored access token of the connection's Pleo grant expires (refreshed by "
             "each run); NaN for API keys and connections not logged in.");
    m.define(metric::kNextRun, T::Gauge,
             "Unix time (seconds) of the connection's next scheduled run; NaN when it runs only on webhooks.");
    m.define(metric::kAttention, T::Gauge,
             "How many things about the connection need a person (GET /attention lists them with the fix).");
    m.define(metric::kBuildInfo, T::Gauge, "Always 1; the labels say which build is running.");
}

}  // namespace ledgerbridge::service
