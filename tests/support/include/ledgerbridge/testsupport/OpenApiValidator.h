// A small JSON-schema checker for OpenAPI 3.x files, enough for Pleo's export specs: type
// (including ['string','null']), required, properties, items, enum, $ref (local), format uuid
// and date-time, pattern (only real regexes: the spec's `YYYY-MM-DDTHH:mi:ssZ` placeholders are
// skipped), additionalProperties, minLength/maxLength, minimum/maximum, minItems/maxItems,
// uniqueItems, allOf, nullable (3.0), `default` responses. Validates responses and, for the
// simulator's --validate-requests, requests. Used by the simulator (its own static library,
// lb_openapi, so the simulator does not link GoogleTest), its conformance test and the Pleo
// client's tests.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ledgerbridge::testsupport {

class OpenApiValidator {
public:
    /// Loads the YAML files. Throws std::runtime_error naming a file that cannot be read.
    explicit OpenApiValidator(const std::vector<std::string>& yamlFiles);
    ~OpenApiValidator();
    OpenApiValidator(const OpenApiValidator&) = delete;
    OpenApiValidator& operator=(const OpenApiValidator&) = delete;

    /// True when the spec declares `status` for (pathTemplate, method), e.g.
    /// ("/v3/export-jobs/{jobId}", "get", 200).
    bool declaresResponse(const std::string& pathTemplate, const std::string& method, int status) const;
    /// Problems of `body` against the JSON response schema of (pathTemplate, method, status);
    /// empty when it conforms. A status the spec does not declare is itself a problem.
    std::vector<std::string> validateResponse(const std::string& pathTemplate, const std::string& method, int status,
                                              const Poco::Dynamic::Var& body) const;
    /// Problems of `value` against components/schemas/`name` (searched in every file).
    std::vector<std::string> validateSchema(const std::string& name, const Poco::Dynamic::Var& value) const;
    /// What request validation found: the operation the request names ("post
    /// /v1/accounting-entries:search", "" when no path template matches) and its problems.
    struct RequestCheck {
        std::string operation;
        std::vector<std::string> problems;
    };
    /// Checks a client's request against the operation its method and concrete path name:
    /// path parameters, query parameters (unknown, missing required, type/format/enum/limits
    /// per value), and the JSON body against the request body schema (a body where the
    /// operation takes none, a missing required body, unparsable JSON). `method` in any case.
    RequestCheck validateRequest(const std::string& method, const std::string& path,
                                 const std::vector<std::pair<std::string, std::string>>& query,
                                 const std::string& body) const;
    /// Every (path, method) pair the files declare, as "get /v3/export-jobs".
    std::vector<std::string> operations() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ledgerbridge::testsupport
