// Resolution of secret references (env:NAME, file:PATH): see Secret.h.
#include "ledgerbridge/config/Secret.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ledgerbridge/common/Exception.h"
#include "ledgerbridge/common/Redactor.h"

namespace ledgerbridge::config {

bool isSecretReference(const std::string& value) {
    return value.rfind("env:", 0) == 0 || value.rfind("file:", 0) == 0;
}

namespace {

// Returns the secret or fills `problem`.
std::string load(const SecretRef& ref, std::string& problem) {
    if (ref.reference.rfind("env:", 0) == 0) {
        std::string name = ref.reference.substr(4);
        const char* v = std::getenv(name.c_str());
        if (!v || !*v) {
            problem = "environment variable " + name + " is not set or empty; export it before running ledgerbridge";
            return {};
        }
        return v;
    }
    if (ref.reference.rfind("file:", 0) == 0) {
        std::string path = ref.reference.substr(5);
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            problem = "secret file " + path + " does not exist; create it (mode 0600) or fix the path";
            return {};
        }
        if (!S_ISREG(st.st_mode)) {
            problem = "secret file " + path + " is not a regular file";
            return {};
        }
        if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
            problem = "secret file " + path + " is readable by group or others; run: chmod 600 " + path;
            return {};
        }
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            problem = "secret file " + path + " cannot be read by this user";
            return {};
        }
        std::ostringstream buf;
        buf << in.rdbuf();
        std::string s = buf.str();
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
        if (s.empty()) {
            problem = "secret file " + path + " is empty";
            return {};
        }
        return s;
    }
    problem = "'" + ref.reference + "' is not a secret reference; write env:VARIABLE or file:/path/to/secret";
    return {};
}

}  // namespace

std::string resolveSecret(const SecretRef& ref) {
    std::string problem;
    std::string value = load(ref, problem);
    if (!problem.empty()) throw ConfigError(ref.origin.str() + ": " + ref.key + ": " + problem);
    if (value.size() >= 6) Redactor::global().add(value);
    return value;
}

std::string checkSecret(const SecretRef& ref) {
    std::string problem;
    std::string value = load(ref, problem);
    if (problem.empty() && value.size() < 6) problem = "the secret is shorter than 6 characters; no real credential is";
    if (value.size() >= 6) Redactor::global().add(value);
    return problem;
}

}  // namespace ledgerbridge::config
