// The simulator's request/response values. Handlers are plain functions Request -> Reply
// (bodies buffered), so the dispatcher can apply faults such as truncation to any reply and
// count every status in one place.
#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lbsim {

struct Request {
    std::string method;
    std::string path;                                         // without the query
    std::vector<std::pair<std::string, std::string>> query;   // decoded, in order
    std::map<std::string, std::string> headers;               // lower-case names
    std::string body;
    std::string baseUrl;                                      // scheme://host[:port] as the client called it
    std::string clientAddress;

    /// First value of a query parameter, or "" when absent.
    std::string param(const std::string& name) const;
    bool has(const std::string& name) const;
    /// Every value of a repeated parameter; comma-separated values are split too.
    std::vector<std::string> params(const std::string& name) const;
    std::string header(const std::string& lowerName) const;
    /// The body as application/x-www-form-urlencoded fields.
    std::map<std::string, std::string> form() const;
};

struct Reply {
    int status = 200;
    std::string contentType = "application/json;charset=UTF-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// An error that becomes a `{"type","message"}` reply with `status` (the spec's ExceptionInfo).
class ApiError : public std::runtime_error {
public:
    ApiError(int status, std::string type, const std::string& message)
        : std::runtime_error(message), status_(status), type_(std::move(type)) {}
    int status() const { return status_; }
    const std::string& type() const { return type_; }

private:
    int status_;
    std::string type_;
};

Reply jsonReply(int status, const Poco::JSON::Object::Ptr& body);
Reply jsonReply(int status, const Poco::Dynamic::Var& body);
Reply errorReply(int status, const std::string& type, const std::string& message);
/// Parses a JSON request body; hostile or truncated input throws ApiError 400 INVALID_REQUEST_BODY.
Poco::Dynamic::Var parseJsonBody(const std::string& body);
/// A JSON object field as a string, "" when absent/null; ApiError 400 when of another type.
std::string stringField(const Poco::JSON::Object::Ptr& o, const std::string& name);
std::string urlEncode(const std::string& s);
std::string htmlEscape(const std::string& s);
/// Decodes application/x-www-form-urlencoded text.
std::vector<std::pair<std::string, std::string>> parseUrlEncoded(const std::string& text);

}  // namespace lbsim
