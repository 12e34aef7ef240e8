// Secrets are never written inline in a config file: a value names where the secret lives,
// `env:NAME` (an environment variable) or `file:PATH` (a file whose content, trailing newline
// trimmed, is the secret; relative paths are relative to the config file). Resolving a secret
// registers it with the Redactor before anyone can print it.
#pragma once

#include <string>

#include "ledgerbridge/config/IniDocument.h"

namespace ledgerbridge::config {

struct SecretRef {
    std::string reference;  ///< "env:NAME" or "file:/absolute/path" (made absolute at load time)
    Origin origin;          ///< where the reference was written
    std::string key;        ///< the config key that holds it, for messages

    bool empty() const { return reference.empty(); }
};

/// True when `value` has the form of a reference (`env:` or `file:` prefix).
bool isSecretReference(const std::string& value);

/// Reads the secret. Throws ConfigError naming the key, the origin and the fix when the variable
/// is unset, the file is missing/unreadable/empty, or the file is readable by group or others.
/// The returned value is registered with the Redactor.
std::string resolveSecret(const SecretRef& ref);

/// Checks that the secret can be resolved; returns an empty string or the problem text.
std::string checkSecret(const SecretRef& ref);

}  // namespace ledgerbridge::config
