// The debug line of one HTTP request: what an operator debugging a connection needs — method,
// origin, path, status (or the failure), time taken and whether a kept-alive connection carried
// it. Never the query string (an authorization code, a state, a key can ride in it), headers or
// bodies; the line still passes through the redactor like every other.
#pragma once

#include <chrono>
#include <exception>
#include <string>

#include "ledgerbridge/common/Log.h"

namespace ledgerbridge::http {

class RequestLog {
public:
    RequestLog(std::string method, std::string origin, std::string path)
        : on_(log::enabled(log::Level::Debug)), method_(std::move(method)), origin_(std::move(origin)),
          path_(std::move(path)), exceptions_(std::uncaught_exceptions()) {}
    RequestLog(const RequestLog&) = delete;
    RequestLog& operator=(const RequestLog&) = delete;

    void answered(int status, bool reusedConnection) {
        status_ = status;
        reused_ = reusedConnection;
    }

    ~RequestLog() {
        if (!on_) return;
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
        const bool failed = status_ == 0 || std::uncaught_exceptions() > exceptions_;
        log::Fields fields{{"method", method_}, {"origin", origin_}, {"path", path_}};
        if (status_ != 0) fields.emplace_back("status", status_);
        fields.emplace_back("ms", ms);
        if (status_ != 0) fields.emplace_back("reused_connection", reused_);
        log::debug(failed ? "HTTP request failed (no answer)" : "HTTP request", fields);
    }

private:
    bool on_;
    std::string method_, origin_, path_;
    int exceptions_;
    int status_ = 0;
    bool reused_ = false;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace ledgerbridge::http
